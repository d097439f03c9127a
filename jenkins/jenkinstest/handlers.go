package jenkinstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// req is one request being answered.
type req struct {
	w    http.ResponseWriter
	r    *http.Request
	c    caller
	base string // absolute root URL with trailing slash, from the request's host
	now  time.Time
	// after, when set, writes the body once the server's lock is released:
	// a huge log is streamed without blocking every other request.
	after func()
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	s.setHeaders(w)
	c, name, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="Jenkins"`)
		errorPage(w, http.StatusUnauthorized, "Unauthorized", "Invalid password/token for user: "+name)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := &req{w: w, r: r, c: c, base: scheme + "://" + r.Host + "/"}
	segs, err := splitPath(r.URL.EscapedPath())
	if err != nil {
		errorPage(w, http.StatusBadRequest, "Bad Request", "Ambiguous URI path encoding")
		return
	}
	// Open endpoints.
	if len(segs) >= 1 {
		switch segs[0] {
		case "whoAmI":
			s.whoAmI(q, segs[1:])
			return
		case "login":
			htmlPage(w, "Sign in [Jenkins]", "<form method='post' action='j_spring_security_check'></form>")
			return
		case "crumbIssuer":
			s.crumbIssuer(q, segs[1:])
			return
		}
	}
	if c.user == nil && !s.world.AnonymousRead {
		w.Header().Set("X-You-Are-Authenticated-As", "anonymous")
		w.Header().Set("X-You-Are-In-Group-Disabled", "JENKINS-39402: use -Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS=true or use /whoAmI to diagnose")
		w.Header().Set("X-Required-Permission", "hudson.model.Hudson.Read")
		w.Header().Set("X-Permission-Implied-By", "hudson.security.Permission.GenericRead")
		errorPage(w, http.StatusForbidden, "Authentication required",
			"You are authenticated as: anonymous. Groups that you are in: . Permission you need to have (but didn't): hudson.model.Hudson.Read")
		return
	}
	if r.Method == http.MethodPost && !s.checkCrumb(r, c) {
		errorPage(w, http.StatusForbidden, "HTTP ERROR 403 No valid crumb was included in the request", "No valid crumb was included in the request")
		return
	}
	s.mu.Lock()
	defer func() {
		s.mu.Unlock()
		if q.after != nil {
			q.after()
		}
	}()
	q.now = s.now()
	s.advance(q.now)
	if len(segs) == 0 {
		htmlPage(w, "Dashboard [Jenkins]", "<div id='main-panel'>Welcome to the simulated Jenkins.</div>")
		return
	}
	switch segs[0] {
	case "api":
		s.api(q, segs, func() any { return s.rootObj(q) })
	case "me":
		if c.user == nil {
			errorPage(w, http.StatusForbidden, "Access Denied", "anonymous has no user page")
			return
		}
		s.api(q, segs[1:], func() any { return s.userObj(q, c.user) })
	case "user":
		if len(segs) < 2 {
			notFound(w)
			return
		}
		u := s.user(segs[1])
		if u == nil {
			notFound(w)
			return
		}
		s.api(q, segs[2:], func() any { return s.userObj(q, u) })
	case "queue":
		s.queueRoute(q, segs[1:])
	case "computer":
		s.api(q, segs[1:], func() any { return s.computerSetObj(q) })
	case "job":
		s.jobRoute(q, segs)
	default:
		notFound(w)
	}
}

// splitPath splits an escaped URL path into decoded segments, decoding each
// segment once (so "feature%252Fx" names the job "feature%2Fx").
func splitPath(p string) ([]string, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil, nil
	}
	raw := strings.Split(p, "/")
	out := make([]string, 0, len(raw))
	for _, s := range raw {
		if s == "" {
			continue
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func htmlPage(w http.ResponseWriter, title, body string) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s</title></head><body>%s</body></html>\n", htmlEscape(title), body)
}

// api answers ".../api/json" for the object made by mk; other flavors are 404.
func (s *Server) api(q *req, rest []string, mk func() any) {
	if len(rest) == 0 {
		htmlPage(q.w, "Jenkins", "<div id='main-panel'></div>")
		return
	}
	if len(rest) == 1 && rest[0] == "api" {
		htmlPage(q.w, "Remote API [Jenkins]", "<h1>REST API</h1><p>Use api/json with tree= or depth=.</p>")
		return
	}
	if len(rest) != 2 || rest[0] != "api" || rest[1] != "json" {
		notFound(q.w)
		return
	}
	if q.r.Method != http.MethodGet && q.r.Method != http.MethodHead && q.r.Method != http.MethodPost {
		methodNotAllowed(q.w, "GET")
		return
	}
	query := q.r.URL.Query()
	tree, hasTree := query["tree"]
	t := ""
	if hasTree {
		t = tree[0]
	}
	if query.Get("jsonp") != "" {
		errorPage(q.w, http.StatusForbidden, "Forbidden", "jsonp is not allowed")
		return
	}
	body, err := renderAPI(mk(), t, hasTree, query.Get("depth"))
	if err != nil {
		errorPage(q.w, http.StatusInternalServerError, "Oops!", "javax.servlet.ServletException: "+err.Error())
		return
	}
	if query.Get("pretty") == "true" {
		var b bytes.Buffer
		if json.Indent(&b, body, "", "  ") == nil {
			body = b.Bytes()
		}
	}
	writeJSON(q.w, body)
}

func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	errorPage(w, http.StatusMethodNotAllowed, "HTTP ERROR 405 Method Not Allowed", "This URL requires "+allow)
}

func (s *Server) user(id string) *User {
	for i := range s.world.Users {
		if s.world.Users[i].ID == id {
			return &s.world.Users[i]
		}
	}
	return nil
}

func (s *Server) whoAmI(q *req, rest []string) {
	c := q.c
	name := c.id()
	auths := []any{}
	if c.user != nil {
		auths = append(auths, "authenticated")
	}
	o := newObj("hudson.security.WhoAmI").
		add("anonymous", c.user == nil).
		add("authenticated", c.user != nil).
		add("authorities", auths).
		add("name", name)
	s.api(q, rest, func() any { return o })
}

func (s *Server) userObj(q *req, u *User) *obj {
	return newObj("hudson.model.User").
		add("absoluteUrl", q.base+"user/"+url.PathEscape(u.ID)).
		add("description", nil).
		add("fullName", u.displayName()).
		add("id", u.ID).
		add("property", []any{newObj("jenkins.security.ApiTokenProperty"), newObj("hudson.tasks.Mailer$UserProperty").addv("address", visHigh, u.ID+"@example.com")})
}

func (s *Server) crumbIssuer(q *req, rest []string) {
	if s.world.NoCrumbs {
		notFound(q.w)
		return
	}
	if q.c.user == nil && !s.world.AnonymousRead {
		errorPage(q.w, http.StatusForbidden, "Authentication required", "You are authenticated as: anonymous")
		return
	}
	sid := s.session(q.w, q.r, q.c, true)
	o := newObj("hudson.security.csrf.DefaultCrumbIssuer").
		add("crumb", s.crumb(q.c.id(), sid)).
		add("crumbRequestField", "Jenkins-Crumb")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.api(q, rest, func() any { return o })
}

// visible tells whether the caller may see the item.
func (s *Server) visible(q *req, it *item) bool {
	for x := it; x != nil; x = x.parent {
		if len(x.def.Readers) == 0 {
			continue
		}
		found := false
		for _, r := range x.def.Readers {
			if q.c.user != nil && r == q.c.user.ID {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (s *Server) visibleChildren(q *req, it *item) []*item {
	var out []*item
	for _, c := range it.children {
		if s.visible(q, c) {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) jobURL(q *req, it *item) string { return q.base + it.path() }

// --- model objects ---

func (s *Server) rootObj(q *req) *obj {
	jobs := func() any {
		var out []any
		for _, c := range s.visibleChildren(q, s.root) {
			out = append(out, s.itemObj(q, c))
		}
		return orEmpty(out)
	}
	allView := newObj("hudson.model.AllView").addv("name", visName, "all").addv("url", visName, q.base)
	return newObj("hudson.model.Hudson").
		add("assignedLabels", []any{newObj("").add("name", "built-in")}).
		add("mode", "NORMAL").
		add("nodeDescription", "the Jenkins controller's built-in node").
		add("nodeName", "").
		add("numExecutors", s.executors).
		add("description", nil).
		add("jobs", jobs).
		add("overallLoad", newObj("")).
		add("primaryView", allView).
		add("quietDownReason", nil).
		add("quietingDown", false).
		add("slaveAgentPort", 50000).
		add("unlabeledLoad", newObj("jenkins.model.UnlabeledLoadStatistics")).
		add("url", q.base).
		add("useCrumbs", !s.world.NoCrumbs).
		add("useSecurity", true).
		add("views", []any{allView})
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

var itemClasses = map[string]string{
	"folder":      "com.cloudbees.hudson.plugins.folder.Folder",
	"multibranch": "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject",
	"freestyle":   "hudson.model.FreeStyleProject",
	"pipeline":    "org.jenkinsci.plugins.workflow.job.WorkflowJob",
}

func (s *Server) itemObj(q *req, it *item) *obj {
	o := &obj{class: itemClasses[it.kind], props: make([]prop, 0, 36)}
	u := s.jobURL(q, it)
	var desc any
	if it.def.Description != "" && !it.branch {
		desc = it.def.Description
	}
	o.add("actions", func() any { return s.itemActions(q, it) })
	o.add("description", desc)
	o.add("displayName", it.displayName())
	var dn any
	if it.display != "" || it.branch {
		dn = it.displayName()
	}
	o.add("displayNameOrNull", dn)
	o.add("fullDisplayName", it.fullDisplayName())
	o.add("fullName", it.fullName())
	o.addv("name", visName, it.name)
	o.addv("url", visName, u)
	if !it.isJob() {
		o.add("healthReport", []any{})
		o.add("jobs", func() any {
			var out []any
			for _, c := range s.visibleChildren(q, it) {
				out = append(out, s.itemObj(q, c))
			}
			return orEmpty(out)
		})
		view := newObj("hudson.model.AllView").addv("name", visName, "All").addv("url", visName, u)
		o.add("primaryView", view)
		o.add("views", []any{view})
		if it.kind == "multibranch" {
			o.add("buildable", true)
			o.add("sources", []any{newObj("jenkins.branch.BranchSource")})
		}
		return o
	}
	o.add("buildable", it.buildable())
	newest := func(i int) any { return s.buildObj(q, it.builds[len(it.builds)-1-i]) }
	o.add("builds", lazyList{n: min(len(it.builds), 100), at: newest})
	o.addv("allBuilds", treeOnly, lazyList{n: len(it.builds), at: newest})
	o.addv("color", visHigh, s.color(it, q.now))
	ref := func(b *build) any {
		if b == nil {
			return nil
		}
		return s.buildObj(q, b)
	}
	o.add("firstBuild", func() any {
		if len(it.builds) == 0 {
			return nil
		}
		return ref(it.builds[0])
	})
	o.add("healthReport", func() any { return s.health(it, q.now) })
	o.add("inQueue", s.inQueue(it))
	o.add("keepDependencies", false)
	for _, pl := range permalinks {
		pl := pl
		o.add(pl, func() any { return ref(s.permalink(it, pl, q.now)) })
	}
	o.add("nextBuildNumber", it.nextNumber)
	o.add("property", func() any {
		var out []any
		if pd := s.paramsProperty(it); pd != nil {
			out = append(out, pd)
		}
		return orEmpty(out)
	})
	o.add("queueItem", func() any {
		for _, qi := range s.queue {
			if qi.job == it && qi.left.IsZero() {
				return s.queueObj(q, qi)
			}
		}
		return nil
	})
	o.add("concurrentBuild", it.def.Concurrent)
	o.add("disabled", it.def.Disabled)
	if it.kind == "freestyle" {
		o.add("downstreamProjects", []any{})
		o.add("labelExpression", nil)
		o.add("scm", newObj("hudson.scm.NullSCM"))
		o.add("upstreamProjects", []any{})
	} else {
		o.add("resumeBlocked", false)
	}
	return o
}

func (s *Server) itemActions(q *req, it *item) []any {
	out := []any{newObj("")}
	if pd := s.paramsProperty(it); pd != nil {
		out = append(out, pd)
	}
	out = append(out, newObj(""), newObj("com.cloudbees.plugins.credentials.ViewCredentialsAction"))
	return out
}

var permalinks = []string{"lastBuild", "lastCompletedBuild", "lastFailedBuild", "lastStableBuild", "lastSuccessfulBuild", "lastUnstableBuild", "lastUnsuccessfulBuild"}

func (s *Server) permalink(it *item, name string, now time.Time) *build {
	for i := len(it.builds) - 1; i >= 0; i-- {
		b := it.builds[i]
		if name == "lastBuild" {
			return b
		}
		if b.building(now) {
			continue
		}
		r := b.finalResult(now)
		switch name {
		case "lastCompletedBuild":
			return b
		case "lastFailedBuild":
			if r == "FAILURE" {
				return b
			}
		case "lastStableBuild", "lastSuccessfulBuild":
			if r == "SUCCESS" || (name == "lastSuccessfulBuild" && r == "UNSTABLE") {
				return b
			}
		case "lastUnstableBuild":
			if r == "UNSTABLE" {
				return b
			}
		case "lastUnsuccessfulBuild":
			if r != "SUCCESS" {
				return b
			}
		}
	}
	return nil
}

var resultColors = map[string]string{"SUCCESS": "blue", "UNSTABLE": "yellow", "FAILURE": "red", "NOT_BUILT": "notbuilt", "ABORTED": "aborted"}

func (s *Server) color(it *item, now time.Time) string {
	if it.def.Disabled && !it.branch {
		return "disabled"
	}
	if len(it.builds) == 0 {
		return "notbuilt"
	}
	last := it.builds[len(it.builds)-1]
	if !last.building(now) {
		return resultColors[last.finalResult(now)]
	}
	for i := len(it.builds) - 2; i >= 0; i-- {
		if b := it.builds[i]; !b.building(now) {
			return resultColors[b.finalResult(now)] + "_anime"
		}
	}
	return "notbuilt_anime"
}

func (s *Server) health(it *item, now time.Time) []any {
	total, failed := 0, 0
	for i := len(it.builds) - 1; i >= 0 && total < 5; i-- {
		b := it.builds[i]
		if b.building(now) {
			continue
		}
		total++
		if b.finalResult(now) != "SUCCESS" {
			failed++
		}
	}
	if total == 0 {
		return []any{}
	}
	score := 100 * (total - failed) / total
	icon := "icon-health-80plus"
	switch {
	case score < 20:
		icon = "icon-health-00to19"
	case score < 40:
		icon = "icon-health-20to39"
	case score < 60:
		icon = "icon-health-40to59"
	case score < 80:
		icon = "icon-health-60to79"
	}
	desc := "Build stability: No recent builds failed."
	if failed > 0 {
		desc = fmt.Sprintf("Build stability: %d out of the last %d builds failed.", failed, total)
	}
	return []any{newObj("").addv("description", visHigh, desc).addv("iconClassName", visHigh, icon).addv("iconUrl", visHigh, strings.TrimPrefix(icon, "icon-")+".png").addv("score", visHigh, score)}
}

func (s *Server) inQueue(it *item) bool {
	for _, qi := range s.queue {
		if qi.job == it && qi.left.IsZero() {
			return true
		}
	}
	return false
}

var paramClasses = map[string]string{
	"string":   "hudson.model.StringParameterDefinition",
	"text":     "hudson.model.TextParameterDefinition",
	"boolean":  "hudson.model.BooleanParameterDefinition",
	"choice":   "hudson.model.ChoiceParameterDefinition",
	"password": "hudson.model.PasswordParameterDefinition",
	"file":     "hudson.model.FileParameterDefinition",
	"run":      "hudson.model.RunParameterDefinition",
}

var valueClasses = map[string]string{
	"string":   "hudson.model.StringParameterValue",
	"text":     "hudson.model.TextParameterValue",
	"boolean":  "hudson.model.BooleanParameterValue",
	"choice":   "hudson.model.StringParameterValue",
	"password": "hudson.model.PasswordParameterValue",
	"file":     "hudson.model.FileParameterValue",
	"run":      "hudson.model.RunParameterValue",
}

func (s *Server) paramsProperty(it *item) *obj {
	if len(it.def.Params) == 0 {
		return nil
	}
	var defs []any
	for _, p := range it.def.Params {
		cls := paramClasses[p.Type]
		d := newObj(cls)
		var dv any
		switch p.Type {
		case "password":
			dv = newObj("hudson.model.PasswordParameterValue").addv("name", 4, p.Name)
		case "file":
			dv = nil
		case "boolean":
			dv = newObj(valueClasses[p.Type]).addv("name", 4, p.Name).addv("value", 4, strings.EqualFold(p.Default, "true"))
		case "choice":
			dv = newObj(valueClasses[p.Type]).addv("name", 4, p.Name).addv("value", 4, p.Choices[0])
		case "run":
			if p.Default == "" {
				dv = nil
			} else {
				dv = newObj(valueClasses[p.Type]).addv("name", 4, p.Name).addv("value", 4, p.Default)
			}
		default:
			dv = newObj(valueClasses[p.Type]).addv("name", 4, p.Name).addv("value", 4, p.Default)
		}
		d.addv("defaultParameterValue", 3, dv)
		var desc any
		if p.Description != "" {
			desc = p.Description
		}
		d.addv("description", 3, desc)
		d.addv("name", 3, p.Name)
		d.addv("type", 3, cls[strings.LastIndexByte(cls, '.')+1:])
		if p.Type == "choice" {
			ch := make([]any, len(p.Choices))
			for i, c := range p.Choices {
				ch[i] = c
			}
			d.addv("choices", 3, ch)
		}
		if p.Type == "run" {
			d.addv("projectName", 3, p.Project)
			d.addv("filter", 3, "ALL")
		}
		defs = append(defs, d)
	}
	return newObj("hudson.model.ParametersDefinitionProperty").addv("parameterDefinitions", visHigh, defs)
}

var buildClasses = map[string]string{"freestyle": "hudson.model.FreeStyleBuild", "pipeline": "org.jenkinsci.plugins.workflow.job.WorkflowRun"}

func (s *Server) buildObj(q *req, b *build) *obj {
	it := b.job
	now := q.now
	o := &obj{class: buildClasses[it.kind], props: make([]prop, 0, 28)}
	o.add("actions", func() any { return s.buildActions(q, b) })
	o.add("artifacts", func() any {
		var out []any
		for _, a := range s.artifacts(b, now) {
			out = append(out, newObj("hudson.model.Run$Artifact").addv("displayPath", 3, path.Base(a.Path)).addv("fileName", 3, path.Base(a.Path)).addv("relativePath", 3, a.Path))
		}
		return orEmpty(out)
	})
	building := b.building(now)
	o.add("building", building)
	o.add("description", nil)
	o.add("displayName", "#"+strconv.Itoa(b.number))
	dur := int64(0)
	if !building {
		dur = b.end().Sub(b.start).Milliseconds()
	}
	o.add("duration", dur)
	o.add("estimatedDuration", func() any { return s.estimate(it, now) })
	o.add("executor", func() any {
		if !building {
			return nil
		}
		return s.executorObj(q, b, 0)
	})
	o.add("fullDisplayName", it.fullDisplayName()+" #"+strconv.Itoa(b.number))
	o.add("id", strconv.Itoa(b.number))
	o.add("keepLog", false)
	o.addv("number", visHigh, b.number)
	o.add("queueId", b.queueID)
	o.add("result", b.result(now))
	o.add("timestamp", b.start.UnixMilli())
	o.addv("url", visName, s.jobURL(q, it)+strconv.Itoa(b.number)+"/")
	if it.kind == "freestyle" {
		o.add("builtOn", "")
		o.add("changeSet", newObj("hudson.scm.EmptyChangeLogSet").addv("items", visHigh, []any{}).addv("kind", visHigh, nil))
		o.add("culprits", []any{})
		o.add("inProgress", building)
		return o
	}
	o.add("changeSets", []any{})
	o.add("culprits", []any{})
	o.add("inProgress", building)
	o.add("nextBuild", func() any {
		if n := it.build(b.number + 1); n != nil {
			return s.buildObj(q, n)
		}
		return nil
	})
	o.add("previousBuild", func() any {
		if p := it.build(b.number - 1); p != nil {
			return s.buildObj(q, p)
		}
		return nil
	})
	return o
}

func (s *Server) estimate(it *item, now time.Time) int64 {
	var sum time.Duration
	n := 0
	for i := len(it.builds) - 1; i >= 0 && n < 3; i-- {
		b := it.builds[i]
		if !b.building(now) && b.finalResult(now) == "SUCCESS" {
			sum += b.end().Sub(b.start)
			n++
		}
	}
	if n == 0 {
		return -1
	}
	return (sum / time.Duration(n)).Milliseconds()
}

func (s *Server) causeObjs(cs []cause) []any {
	var out []any
	for _, c := range cs {
		o := newObj(c.class).addv("shortDescription", 3, c.short)
		if c.userID != "" {
			o.addv("userId", 3, c.userID).addv("userName", 3, c.userName)
		}
		out = append(out, o)
	}
	return orEmpty(out)
}

func (s *Server) paramObjs(ps []paramValue) []any {
	var out []any
	for _, p := range ps {
		o := newObj(valueClasses[p.typ]).addv("name", 3, p.name)
		switch p.typ {
		case "password":
		case "boolean":
			o.addv("value", 3, strings.EqualFold(p.value, "true"))
		case "run":
			job, num, _ := strings.Cut(p.value, "#")
			o.addv("jobName", 3, job).addv("number", 3, num)
		default:
			o.addv("value", 3, p.value)
		}
		out = append(out, o)
	}
	return orEmpty(out)
}

func (s *Server) buildActions(q *req, b *build) []any {
	out := []any{newObj("hudson.model.CauseAction").addv("causes", visHigh, s.causeObjs(b.causes))}
	if len(b.params) > 0 {
		out = append(out, newObj("hudson.model.ParametersAction").addv("parameters", visHigh, s.paramObjs(b.params)))
	}
	out = append(out, newObj(""))
	if rep := s.testReport(b, q.now); rep != nil {
		out = append(out, newObj("hudson.tasks.junit.TestResultAction").
			addv("failCount", visHigh, rep.failCount).
			addv("skipCount", visHigh, rep.skipCount).
			addv("totalCount", visHigh, rep.failCount+rep.skipCount+rep.passCount).
			addv("urlName", visHigh, "testReport"))
	}
	if b.job.kind == "pipeline" {
		out = append(out, newObj("org.jenkinsci.plugins.workflow.libs.LibrariesAction"), newObj("org.jenkinsci.plugins.pipeline.modeldefinition.actions.RestartDeclarativePipelineAction"))
	}
	out = append(out, newObj("org.jenkinsci.plugins.displayurlapi.actions.RunDisplayAction"))
	return out
}

func (s *Server) executorObj(q *req, b *build, n int) *obj {
	o := newObj("hudson.model.Executor")
	o.add("currentExecutable", func() any {
		if b == nil {
			return nil
		}
		return s.buildObj(q, b)
	})
	o.add("idle", b == nil)
	o.add("likelyStuck", false)
	o.add("number", n)
	prog := -1
	if b != nil {
		prog = int(100 * q.now.Sub(b.start) / b.dur)
		if prog > 99 {
			prog = 99
		}
	}
	o.add("progress", prog)
	return o
}

func (s *Server) computerSetObj(q *req) *obj {
	running := s.runningAt(q.now)
	sort.Slice(running, func(i, j int) bool { return running[i].start.Before(running[j].start) })
	var execs []any
	for i := 0; i < s.executors; i++ {
		var b *build
		if i < len(running) {
			b = running[i]
		}
		execs = append(execs, s.executorObj(q, b, i))
	}
	busy := min(len(running), s.executors)
	comp := newObj("hudson.model.Hudson$MasterComputer").
		add("actions", []any{}).
		add("assignedLabels", []any{newObj("").add("name", "built-in")}).
		add("description", "the Jenkins controller's built-in node").
		add("displayName", "Built-In Node").
		add("executors", execs).
		add("icon", "symbol-computer").
		add("iconClassName", "symbol-computer").
		add("idle", busy == 0).
		add("jnlpAgent", false).
		add("launchSupported", true).
		add("loadStatistics", newObj("hudson.model.Label$1")).
		add("manualLaunchAllowed", true).
		add("monitorData", newObj("")).
		add("numExecutors", s.executors).
		add("offline", false).
		add("offlineCause", nil).
		add("offlineCauseReason", "").
		add("oneOffExecutors", []any{}).
		add("temporarilyOffline", false)
	return newObj("hudson.model.ComputerSet").
		add("busyExecutors", busy).
		addInline("computer", []any{comp}).
		add("displayName", "Nodes").
		add("totalExecutors", s.executors)
}

func (s *Server) queueObj(q *req, qi *queueItem) *obj {
	class, why, blocked, buildable := s.queueState(qi, q.now)
	o := newObj(class)
	actions := []any{newObj("hudson.model.CauseAction").addv("causes", visHigh, s.causeObjs(qi.causes))}
	if len(qi.params) > 0 {
		actions = append([]any{newObj("hudson.model.ParametersAction").addv("parameters", visHigh, s.paramObjs(qi.params))}, actions...)
	}
	o.addv("actions", visHigh, actions)
	o.addv("blocked", visHigh, blocked)
	o.addv("buildable", visHigh, buildable)
	o.addv("id", visHigh, qi.id)
	o.addv("inQueueSince", visHigh, qi.since.UnixMilli())
	var ps strings.Builder
	for _, p := range qi.params {
		v := p.value
		if p.typ == "password" {
			v = "****"
		}
		ps.WriteString("\n" + p.name + "=" + v)
	}
	o.addv("params", visHigh, ps.String())
	o.addv("stuck", visHigh, false)
	it := qi.job
	task := newObj(itemClasses[it.kind]).addv("name", visName, it.name).addv("url", visName, s.jobURL(q, it)).addv("color", visHigh, s.color(it, q.now))
	o.addv("task", visHigh, task)
	o.addv("url", visHigh, "queue/item/"+strconv.FormatInt(qi.id, 10)+"/")
	if why != "" {
		o.addv("why", visHigh, why)
	} else {
		o.addv("why", visHigh, nil)
	}
	switch class {
	case "hudson.model.Queue$WaitingItem":
		o.addv("timestamp", visHigh, qi.readyAt.UnixMilli())
	case "hudson.model.Queue$BlockedItem", "hudson.model.Queue$BuildableItem":
		o.addv("buildableStartMilliseconds", visHigh, qi.readyAt.UnixMilli())
		if buildable {
			o.addv("pending", visHigh, false)
		}
	case "hudson.model.Queue$LeftItem":
		o.addv("cancelled", visHigh, qi.cancel)
		o.addv("executable", visHigh, func() any {
			if qi.build == nil {
				return nil
			}
			return s.buildObj(q, qi.build)
		})
	}
	return o
}

func (s *Server) queueRoute(q *req, rest []string) {
	if len(rest) == 0 || rest[0] == "api" {
		s.api(q, rest, func() any {
			var items []any
			for _, qi := range s.queue {
				if qi.left.IsZero() && s.visible(q, qi.job) {
					items = append(items, s.queueObj(q, qi))
				}
			}
			return newObj("hudson.model.Queue").add("discoverableItems", []any{}).addInline("items", orEmpty(items))
		})
		return
	}
	switch rest[0] {
	case "item":
		if len(rest) < 2 {
			notFound(q.w)
			return
		}
		id, err := strconv.ParseInt(rest[1], 10, 64)
		var qi *queueItem
		if err == nil {
			for _, x := range s.queue {
				if x.id == id {
					qi = x
				}
			}
		}
		if qi == nil || !s.visible(q, qi.job) {
			notFound(q.w)
			return
		}
		if len(rest) == 2 {
			q.w.Header().Set("Content-Type", "text/plain;charset=utf-8")
			fmt.Fprintf(q.w, "Queue item exists. For details check, for example, %squeue/item/%d/api/json?tree=cancelled,executable[url]\n", q.base, qi.id)
			return
		}
		if len(rest) == 3 && rest[2] == "cancelQueue" {
			s.cancelQueue(q, qi)
			return
		}
		s.api(q, rest[2:], func() any { return s.queueObj(q, qi) })
	case "cancelItem":
		if q.r.Method != http.MethodPost {
			methodNotAllowed(q.w, "POST")
			return
		}
		id, _ := strconv.ParseInt(q.r.FormValue("id"), 10, 64)
		for _, x := range s.queue {
			if x.id == id && s.visible(q, x.job) {
				s.cancelQueue(q, x)
				return
			}
		}
		notFound(q.w)
	default:
		notFound(q.w)
	}
}

func (s *Server) cancelQueue(q *req, qi *queueItem) {
	if q.r.Method != http.MethodPost {
		methodNotAllowed(q.w, "POST")
		return
	}
	if !s.canBuild(q) {
		return
	}
	if !qi.left.IsZero() {
		errorPage(q.w, http.StatusUnprocessableEntity, "Unprocessable Entity", "Queue item is not cancellable")
		return
	}
	qi.left = q.now
	qi.cancel = true
	q.w.WriteHeader(http.StatusNoContent)
}

// canBuild checks Item/Build (and Item/Cancel); it answers 403 when missing.
func (s *Server) canBuild(q *req) bool {
	if q.c.user == nil || q.c.user.ReadOnly {
		errorPage(q.w, http.StatusForbidden, "Access Denied", q.c.id()+" is missing the Job/Build permission")
		return false
	}
	return true
}

// jobRoute resolves /job/a/job/b/... and answers the rest.
func (s *Server) jobRoute(q *req, segs []string) {
	var it *item
	parent := s.root
	i := 0
	for i+1 < len(segs) && segs[i] == "job" {
		c := parent.child(segs[i+1])
		if c == nil || !s.visible(q, c) {
			notFound(q.w)
			return
		}
		it, parent = c, c
		i += 2
	}
	if it == nil {
		notFound(q.w)
		return
	}
	rest := segs[i:]
	if len(rest) == 0 || rest[0] == "api" {
		s.api(q, rest, func() any { return s.itemObj(q, it) })
		return
	}
	switch rest[0] {
	case "build", "buildWithParameters":
		if len(rest) != 1 {
			notFound(q.w)
			return
		}
		s.trigger(q, it, rest[0] == "buildWithParameters")
		return
	case "wfapi":
		s.jobWfapi(q, it, rest[1:])
		return
	}
	if !it.isJob() {
		notFound(q.w)
		return
	}
	var b *build
	if n, err := strconv.Atoi(rest[0]); err == nil {
		b = it.build(n)
	} else {
		for _, pl := range permalinks {
			if rest[0] == pl {
				b = s.permalink(it, pl, q.now)
				if b == nil {
					notFound(q.w)
					return
				}
			}
		}
	}
	if b == nil {
		notFound(q.w)
		return
	}
	s.buildRoute(q, b, rest[1:])
}

func (s *Server) buildRoute(q *req, b *build, rest []string) {
	if len(rest) == 0 || rest[0] == "api" {
		s.api(q, rest, func() any { return s.buildObj(q, b) })
		return
	}
	switch rest[0] {
	case "consoleText":
		// Run.doConsoleText copies the whole log: a Range header is ignored.
		lg := b.logAt(q.now)
		q.w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		q.after = func() { lg.writeText(q.w, 0, lg.Len(), false) }
	case "logText":
		if len(rest) != 2 || rest[1] != "progressiveText" {
			notFound(q.w)
			return
		}
		s.progressive(q, b)
	case "stop", "term", "kill":
		if q.r.Method != http.MethodPost {
			methodNotAllowed(q.w, "POST")
			return
		}
		if !s.canBuild(q) {
			return
		}
		if b.building(q.now) {
			b.abortedAt = q.now
			b.abortedBy = q.c.user.displayName()
		}
		loc := s.jobURL(q, b.job) + strconv.Itoa(b.number) + "/"
		if ref := q.r.Referer(); ref != "" {
			loc = ref
		}
		q.w.Header().Set("Location", loc)
		q.w.WriteHeader(http.StatusFound)
	case "artifact":
		rel := strings.Join(rest[1:], "/")
		for _, a := range s.artifacts(b, q.now) {
			if a.Path == rel {
				data, err := s.source(a.src)
				if err != nil {
					errorPage(q.w, http.StatusInternalServerError, "Oops!", "artifact unreadable")
					return
				}
				ct := "application/octet-stream"
				switch path.Ext(rel) {
				case ".json", ".sarif":
					ct = "application/json"
				case ".xml":
					ct = "application/xml"
				case ".txt", ".log":
					ct = "text/plain;charset=utf-8"
				}
				q.w.Header().Set("Content-Type", ct)
				q.w.Header().Set("Content-Length", strconv.Itoa(len(data)))
				q.w.Write(data)
				return
			}
		}
		notFound(q.w)
	case "testReport":
		rep := s.testReport(b, q.now)
		if rep == nil {
			notFound(q.w)
			return
		}
		s.api(q, rest[1:], func() any { return rep.obj() })
	case "wfapi":
		if b.job.kind != "pipeline" || len(rest) != 2 {
			notFound(q.w)
			return
		}
		switch rest[1] {
		case "describe":
			writeJSONValue(q.w, s.runExt(q, b))
		case "artifacts":
			var out []map[string]any
			for i, a := range s.artifacts(b, q.now) {
				data, _ := s.source(a.src)
				out = append(out, map[string]any{"id": fmt.Sprintf("n%d", i+1), "name": path.Base(a.Path), "path": a.Path,
					"url": "/" + b.job.path() + strconv.Itoa(b.number) + "/artifact/" + a.Path, "size": len(data)})
			}
			if out == nil {
				out = []map[string]any{}
			}
			writeJSONValue(q.w, out)
		default:
			notFound(q.w)
		}
	case "execution":
		// execution/node/<id>/wfapi/describe|log of a pipeline stage
		if b.job.kind != "pipeline" || len(rest) != 5 || rest[1] != "node" || rest[3] != "wfapi" {
			notFound(q.w)
			return
		}
		s.stageNode(q, b, rest[2], rest[4])
	case "buildNumber":
		q.w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		fmt.Fprint(q.w, b.number)
	case "buildTimestamp":
		q.w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		fmt.Fprint(q.w, b.start.UTC().Format("2006-01-02T15:04:05Z"))
	default:
		notFound(q.w)
	}
}

func writeJSONValue(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		errorPage(w, http.StatusInternalServerError, "Oops!", err.Error())
		return
	}
	writeJSON(w, b)
}

// resolvedArtifact is an artifact of one build with its data source.
type resolvedArtifact struct {
	Path  string
	src   string
	junit bool
}

func (s *Server) artifacts(b *build, now time.Time) []resolvedArtifact {
	if !b.hasReports(now) {
		return nil
	}
	var out []resolvedArtifact
	for _, a := range b.job.def.Artifacts {
		src := a.Pass
		if !b.passed() && a.Fail != "" {
			src = a.Fail
		}
		if b.series != nil {
			src = b.series.Artifacts[a.Path] // none: the build did not archive it
		}
		if src == "" {
			continue
		}
		out = append(out, resolvedArtifact{Path: a.Path, src: src, junit: a.JUnit})
	}
	return out
}

func (s *Server) testReport(b *build, now time.Time) *junitReport {
	for _, a := range s.artifacts(b, now) {
		if !a.junit {
			continue
		}
		if rep, ok := s.reports[a.src]; ok {
			return rep
		}
		data, err := s.source(a.src)
		if err != nil {
			return nil
		}
		rep, err := parseJUnit(data)
		if err != nil {
			return nil
		}
		s.reports[a.src] = rep
		return rep
	}
	return nil
}

// trigger answers build and buildWithParameters.
func (s *Server) trigger(q *req, it *item, withParams bool) {
	if q.r.Method != http.MethodPost {
		methodNotAllowed(q.w, "POST")
		return
	}
	if !s.canBuild(q) {
		return
	}
	if it.kind == "multibranch" && !withParams {
		// a scan (branch indexing), not a build
		q.w.Header().Set("Location", s.jobURL(q, it))
		q.w.WriteHeader(http.StatusFound)
		return
	}
	if !it.isJob() {
		notFound(q.w)
		return
	}
	if !it.buildable() {
		errorPage(q.w, http.StatusConflict, "HTTP ERROR 409 Conflict", it.fullName()+" is not buildable")
		return
	}
	defs := it.def.Params
	if withParams && len(defs) == 0 {
		errorPage(q.w, http.StatusBadRequest, "HTTP ERROR 400 Bad Request", it.fullName()+" is not parameterized")
		return
	}
	if err := q.r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		errorPage(q.w, http.StatusBadRequest, "HTTP ERROR 400 Bad Request", "bad form: "+err.Error())
		return
	}
	form := q.r.Form
	if !withParams && len(defs) > 0 {
		js := form.Get("json")
		if js == "" {
			errorPage(q.w, http.StatusBadRequest, "HTTP ERROR 400 Bad Request", "Nothing is submitted")
			return
		}
		var sub struct {
			Parameter json.RawMessage `json:"parameter"`
		}
		if err := json.Unmarshal([]byte(js), &sub); err != nil {
			errorPage(q.w, http.StatusBadRequest, "HTTP ERROR 400 Bad Request", "Failed to parse form data")
			return
		}
		var list []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		}
		if err := json.Unmarshal(sub.Parameter, &list); err != nil {
			var one struct {
				Name  string `json:"name"`
				Value any    `json:"value"`
			}
			if err := json.Unmarshal(sub.Parameter, &one); err != nil {
				errorPage(q.w, http.StatusBadRequest, "HTTP ERROR 400 Bad Request", "Failed to parse form data")
				return
			}
			list = append(list, one)
		}
		form = url.Values{}
		for _, p := range list {
			form.Add(p.Name, fmt.Sprint(p.Value))
		}
	}
	var params []paramValue
	var key strings.Builder
	for _, d := range defs {
		vals, given := form[d.Name]
		if q.r.MultipartForm != nil && d.Type == "file" {
			if fh := q.r.MultipartForm.File[d.Name]; len(fh) > 0 {
				params = append(params, paramValue{name: d.Name, typ: d.Type, value: fh[0].Filename})
				continue
			}
		}
		if len(vals) > 1 {
			errorPage(q.w, http.StatusBadRequest, "HTTP ERROR 400 Bad Request", "Parameter "+d.Name+" is given twice")
			return
		}
		v := d.Default
		if given {
			v = vals[0]
		}
		switch d.Type {
		case "choice":
			if !given {
				v = d.Choices[0]
			}
			ok := false
			for _, c := range d.Choices {
				ok = ok || c == v
			}
			if !ok {
				errorPage(q.w, http.StatusInternalServerError, "Oops!", "java.lang.IllegalArgumentException: Illegal choice for parameter "+d.Name+": "+v)
				return
			}
		case "boolean":
			v = strconv.FormatBool(strings.EqualFold(v, "true"))
		case "file":
			continue
		}
		params = append(params, paramValue{name: d.Name, typ: d.Type, value: v})
		fmt.Fprintf(&key, "%s=%q;", d.Name, v)
	}
	delay := s.quietPeriod(it)
	if ds := form.Get("delay"); ds != "" {
		d, err := parseDelay(ds)
		if err != nil {
			errorPage(q.w, http.StatusBadRequest, "HTTP ERROR 400 Bad Request", "Invalid delay parameter value: "+ds)
			return
		}
		delay = time.Duration(float64(d) * s.scale)
	}
	// An identical item already waiting: /build merges silently (201),
	// buildWithParameters answers 303 See Other.
	for _, qi := range s.queue {
		if qi.job == it && qi.left.IsZero() && qi.paramKey == key.String() {
			q.w.Header().Set("Location", q.base+"queue/item/"+strconv.FormatInt(qi.id, 10)+"/")
			if withParams {
				q.w.WriteHeader(http.StatusSeeOther)
			} else {
				q.w.WriteHeader(http.StatusCreated)
			}
			return
		}
	}
	s.nextQueue++
	u := q.c.user
	qi := &queueItem{id: s.nextQueue, job: it, params: params, since: q.now, readyAt: q.now.Add(delay), paramKey: key.String(),
		causes: []cause{{class: "hudson.model.Cause$UserIdCause", short: "Started by user " + u.displayName(), userID: u.ID, userName: u.displayName()}}}
	s.queue = append(s.queue, qi)
	s.advance(q.now)
	q.w.Header().Set("Location", q.base+"queue/item/"+strconv.FormatInt(qi.id, 10)+"/")
	q.w.WriteHeader(http.StatusCreated)
}

// parseDelay follows Jenkins's TimeDuration: "10sec"/"10secs" are seconds,
// a bare number is milliseconds.
func parseDelay(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for _, suf := range []string{"secs", "sec"} {
		if strings.HasSuffix(s, suf) {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(s, suf)), 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad delay")
			}
			return time.Duration(n) * time.Second, nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad delay")
	}
	return time.Duration(n) * time.Millisecond, nil
}

// --- wfapi ---

type wfLink struct {
	Href string `json:"href"`
}

type wfStage struct {
	Links               map[string]wfLink `json:"_links"`
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	ExecNode            string            `json:"execNode"`
	Status              string            `json:"status"`
	StartTimeMillis     int64             `json:"startTimeMillis"`
	DurationMillis      int64             `json:"durationMillis"`
	PauseDurationMillis int64             `json:"pauseDurationMillis"`
}

type wfRun struct {
	Links               map[string]wfLink `json:"_links"`
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	Status              string            `json:"status"`
	StartTimeMillis     int64             `json:"startTimeMillis"`
	EndTimeMillis       int64             `json:"endTimeMillis"`
	DurationMillis      int64             `json:"durationMillis"`
	QueueDurationMillis int64             `json:"queueDurationMillis"`
	PauseDurationMillis int64             `json:"pauseDurationMillis"`
	Stages              []wfStage         `json:"stages"`
}

var wfStatus = map[string]string{"SUCCESS": "SUCCESS", "FAILURE": "FAILED", "UNSTABLE": "UNSTABLE", "ABORTED": "ABORTED", "NOT_BUILT": "NOT_EXECUTED"}

func (s *Server) runExt(q *req, b *build) wfRun {
	now := q.now
	self := "/" + b.job.path() + strconv.Itoa(b.number) + "/"
	run := wfRun{Links: map[string]wfLink{"self": {self + "wfapi/describe"}}, ID: strconv.Itoa(b.number), Name: "#" + strconv.Itoa(b.number),
		StartTimeMillis: b.start.UnixMilli(), QueueDurationMillis: 5000, Stages: []wfStage{}}
	if len(s.artifacts(b, now)) > 0 {
		run.Links["artifacts"] = wfLink{self + "wfapi/artifacts"}
	}
	if b.building(now) {
		run.Status = "IN_PROGRESS"
		run.DurationMillis = now.Sub(b.start).Milliseconds()
	} else {
		run.Status = wfStatus[b.finalResult(now)]
		run.EndTimeMillis = b.end().UnixMilli()
		run.DurationMillis = b.end().Sub(b.start).Milliseconds()
	}
	b.plan()
	for i, st := range b.stages {
		status, started := b.stageStatus(i, now)
		if status == "" {
			continue
		}
		id := strconv.Itoa(6 + 7*i)
		ws := wfStage{Links: map[string]wfLink{"self": {self + "execution/node/" + id + "/wfapi/describe"}}, ID: id, Name: st.name, Status: status}
		if started {
			ws.StartTimeMillis = b.start.Add(st.from).UnixMilli()
			end := b.start.Add(st.to)
			if e := b.end(); e.Before(end) {
				end = e
			}
			if now.Before(end) {
				end = now
			}
			ws.DurationMillis = end.Sub(b.start.Add(st.from)).Milliseconds()
		}
		run.Stages = append(run.Stages, ws)
	}
	return run
}

func (s *Server) jobWfapi(q *req, it *item, rest []string) {
	if it.kind != "pipeline" || len(rest) != 1 {
		notFound(q.w)
		return
	}
	self := "/" + it.path()
	switch rest[0] {
	case "describe":
		writeJSONValue(q.w, map[string]any{"_links": map[string]wfLink{"self": {self + "wfapi/describe"}, "runs": {self + "wfapi/runs"}},
			"name": it.name, "runCount": len(it.builds)})
	case "runs":
		out := []wfRun{}
		for i := len(it.builds) - 1; i >= 0 && len(out) < 10; i-- {
			out = append(out, s.runExt(q, it.builds[i]))
		}
		writeJSONValue(q.w, out)
	default:
		notFound(q.w)
	}
}

// stageNode answers wfapi describe and log of a stage's flow node (id
// 6+7i) and of its one step node (7+7i), as pipeline-stage-view's
// FlowNodeAPI does: a stage node has no LogAction, so its log has no text;
// a step's log is the last maxStepLogChars of its log as HTML
// (AnnotatedLargeText.writeHtmlTo), hasMore when the log is longer.
func (s *Server) stageNode(q *req, b *build, id, what string) {
	b.plan()
	idx, step := -1, false
	for i := range b.stages {
		switch id {
		case strconv.Itoa(6 + 7*i):
			idx = i
		case strconv.Itoa(7 + 7*i):
			idx, step = i, true
		}
	}
	if idx < 0 {
		notFound(q.w)
		return
	}
	run := s.runExt(q, b)
	stageID := strconv.Itoa(6 + 7*idx)
	var st *wfStage
	for i := range run.Stages {
		if run.Stages[i].ID == stageID {
			st = &run.Stages[i]
		}
	}
	if st == nil || (st.Status == "NOT_EXECUTED" && step) { // not started yet, or skipped: no step ran
		notFound(q.w)
		return
	}
	plan := b.stages[idx]
	lg := b.logAt(q.now)
	visible := strings.Count(lg.head, "\n") + strings.Count(lg.tail, "\n")
	var text strings.Builder
	n := 0
	inStage, huge := false, false
	for i, l := range b.log {
		if n >= visible {
			break
		}
		n++
		if inStage && i == b.fillAt && lg.filler > 0 {
			// the generated lines: only the last ones can be in the answer
			huge = true
			for k := max(0, lg.filler-maxStepLogChars/fillerWidth-1); k < lg.filler; k++ {
				text.WriteString(FillerLine(k) + "\n")
			}
		}
		if strings.HasPrefix(l.text, "[Pipeline] { ("+plan.name+")") {
			inStage = true
			continue
		}
		if inStage && (l.text == "[Pipeline] }" || l.text == "[Pipeline] // stage") {
			break
		}
		if inStage && !strings.HasPrefix(l.text, "[Pipeline]") {
			text.WriteString(consoleNote.ReplaceAllString(l.text, "") + "\n")
		}
	}
	self := "/" + b.job.path() + strconv.Itoa(b.number) + "/execution/node/" + id + "/"
	stepID := strconv.Itoa(7 + 7*idx)
	stepSelf := "/" + b.job.path() + strconv.Itoa(b.number) + "/execution/node/" + stepID + "/"
	switch {
	case what == "describe" && !step:
		nodes := []map[string]any{}
		if st.Status != "NOT_EXECUTED" {
			nodes = append(nodes, map[string]any{
				"_links": map[string]wfLink{"self": {stepSelf + "wfapi/describe"}, "log": {stepSelf + "wfapi/log"}},
				"id":     stepID, "name": "Shell Script", "execNode": "", "status": st.Status, "parameterDescription": st.Name,
				"startTimeMillis": st.StartTimeMillis, "durationMillis": st.DurationMillis, "pauseDurationMillis": 0, "parentNodes": []string{id},
			})
		}
		writeJSONValue(q.w, map[string]any{
			"_links": map[string]wfLink{"self": {self + "wfapi/describe"}}, "id": st.ID, "name": st.Name, "execNode": "",
			"status": st.Status, "startTimeMillis": st.StartTimeMillis, "durationMillis": st.DurationMillis, "pauseDurationMillis": 0,
			"stageFlowNodes": nodes,
		})
	case what == "describe":
		writeJSONValue(q.w, map[string]any{
			"_links": map[string]wfLink{"self": {self + "wfapi/describe"}, "log": {self + "wfapi/log"}},
			"id":     id, "name": "Shell Script", "execNode": "", "status": st.Status, "parameterDescription": st.Name,
			"startTimeMillis": st.StartTimeMillis, "durationMillis": st.DurationMillis, "pauseDurationMillis": 0, "parentNodes": []string{stageID},
		})
	case what == "log" && !step:
		writeJSONValue(q.w, map[string]any{"nodeId": id, "nodeStatus": st.Status, "length": 0, "hasMore": false})
	case what == "log":
		t := text.String()
		length, more := len(t), len(t) > maxStepLogChars || huge
		if more {
			t, length = t[max(0, len(t)-maxStepLogChars):], maxStepLogChars
		}
		writeJSONValue(q.w, map[string]any{"nodeId": id, "nodeStatus": st.Status, "length": length, "hasMore": more,
			"text": html.EscapeString(t), "consoleUrl": stepSelf + "log"})
	default:
		notFound(q.w)
	}
}

// maxStepLogChars is FlowNodeLogExt.MAX_RETURN_CHARS (10 KiB by default).
const maxStepLogChars = 10 * 1024
