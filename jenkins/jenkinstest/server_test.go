package jenkinstest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	adminToken = "11d3m0t0k3n0000000000000000000000a"
	viewerTok  = "11v13w3rt0k3n000000000000000000000"
)

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t     *testing.T
	srv   *Server
	hs    *httptest.Server
	clock *clock
	c     *http.Client
}

func newFixture(t *testing.T, w *World) *fixture {
	t.Helper()
	ck := newClock()
	srv := New(w, WithNow(ck.now), WithTimeScale(1))
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &fixture{t: t, srv: srv, hs: hs, clock: ck, c: c}
}

type resp struct {
	code   int
	header http.Header
	body   string
}

func (f *fixture) do(method, path, user, secret string, body io.Reader, hdr ...string) resp {
	f.t.Helper()
	req, err := http.NewRequest(method, f.hs.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, secret)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := f.c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func (f *fixture) get(path string) resp { return f.do("GET", path, "admin", adminToken, nil) }
func (f *fixture) post(path string) resp {
	return f.do("POST", path, "admin", adminToken, nil)
}

func (f *fixture) json(path string, v any) {
	f.t.Helper()
	r := f.get(path)
	if r.code != 200 {
		f.t.Fatalf("GET %s: %d %s", path, r.code, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		f.t.Fatalf("GET %s: %v in %s", path, err, r.body)
	}
}

func TestRootTreeAndHeaders(t *testing.T) {
	f := newFixture(t, nil)
	r := f.get("/api/json?tree=jobs[name,color,fullName]")
	if r.code != 200 || r.header.Get("X-Jenkins") != "2.541.1" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("root: %d %v", r.code, r.header)
	}
	want := `{"_class":"hudson.model.Hudson","jobs":[` +
		`{"_class":"org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject","fullName":"gateway","name":"gateway"},` +
		`{"_class":"hudson.model.FreeStyleProject","fullName":"orders-api","name":"orders-api","color":"blue_anime"},` +
		`{"_class":"com.cloudbees.hudson.plugins.folder.Folder","fullName":"payments","name":"payments"}]}`
	if r.body != want {
		t.Fatalf("root tree:\n got %s\nwant %s", r.body, want)
	}
	// depth 0: nested jobs show name, url and color only; urls use the request's host
	var root struct {
		Jobs []map[string]any `json:"jobs"`
	}
	f.json("/api/json", &root)
	if got := root.Jobs[1]; len(got) != 4 || got["url"] != f.hs.URL+"/job/orders-api/" {
		t.Fatalf("depth-0 job entry: %v", got)
	}
	// the same server answers with another host name in urls
	req, _ := http.NewRequest("GET", f.hs.URL+"/job/orders-api/api/json?tree=url", nil)
	req.Host = "jenkins.example.com:8443"
	req.SetBasicAuth("admin", adminToken)
	res, err := f.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `"url":"http://jenkins.example.com:8443/job/orders-api/"`) {
		t.Fatalf("url does not follow the Host header: %s", b)
	}
}

func TestTreeRangesUnknownFieldsAndMalformed(t *testing.T) {
	f := newFixture(t, nil)
	job := "/job/payments/job/api-tests/api/json"
	r := f.get(job + "?tree=builds[number,nosuchfield]{2,4},nosuch")
	want := `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","builds":[` +
		`{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","number":128},` +
		`{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","number":127}]}`
	if r.body != want {
		t.Fatalf("range:\n got %s\nwant %s", r.body, want)
	}
	var j struct {
		Builds    []struct{ Number int } `json:"builds"`
		AllBuilds []struct{ Number int } `json:"allBuilds"`
	}
	f.json(job+"?tree=builds[number]", &j)
	if len(j.Builds) != 100 || j.Builds[0].Number != 130 || j.Builds[99].Number != 31 || j.AllBuilds != nil {
		t.Fatalf("builds cap: %d builds, first %d", len(j.Builds), j.Builds[0].Number)
	}
	f.json(job+"?tree=allBuilds[number]{120,}", &j)
	if len(j.AllBuilds) != 10 || j.AllBuilds[9].Number != 1 {
		t.Fatalf("allBuilds{120,}: %+v", j.AllBuilds)
	}
	var deep struct {
		AllBuilds []any `json:"allBuilds"`
	}
	f.json(job+"?depth=1", &deep)
	if deep.AllBuilds != nil {
		t.Fatal("allBuilds must appear only when named in tree")
	}
	// * matches any property but not allBuilds
	r = f.get(job + "?tree=*")
	if !strings.Contains(r.body, `"nextBuildNumber":131`) || strings.Contains(r.body, "allBuilds") {
		t.Fatalf("tree=*: %s", r.body[:200])
	}
	for _, bad := range []string{"builds[number", "builds]", "builds{x}", "a,,b", ""} {
		r := f.get(job + "?tree=" + url.QueryEscape(bad))
		if r.code != 500 || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("tree=%q: %d %s", bad, r.code, r.header.Get("Content-Type"))
		}
	}
	if r := f.get(job + "?depth=x"); r.code != 500 {
		t.Errorf("bad depth: %d", r.code)
	}
	// a lone name without [...] keeps only _class of an object value
	r = f.get(job + "?tree=lastBuild")
	if r.body != `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","lastBuild":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun"}}` {
		t.Fatalf("tree=lastBuild: %s", r.body)
	}
}

func TestJobsFoldersMultibranchDisabledParams(t *testing.T) {
	f := newFixture(t, nil)
	var mb struct {
		Class string `json:"_class"`
		Jobs  []struct {
			Name, URL, Color string
		}
	}
	f.json("/job/gateway/api/json", &mb)
	if len(mb.Jobs) != 3 || mb.Jobs[0].Name != "feature%2Flogin" || mb.Jobs[0].URL != f.hs.URL+"/job/gateway/job/feature%252Flogin/" {
		t.Fatalf("multibranch: %+v", mb)
	}
	var br struct {
		FullName, DisplayName string
	}
	f.json("/job/gateway/job/feature%252Flogin/api/json?tree=fullName,displayName", &br)
	if br.FullName != "gateway/feature%2Flogin" || br.DisplayName != "feature/login" {
		t.Fatalf("branch: %+v", br)
	}
	// single encoding names another (missing) job
	if r := f.get("/job/gateway/job/feature%2Flogin/api/json"); r.code != 404 {
		t.Fatalf("single-encoded branch: %d", r.code)
	}
	var dis struct {
		Color     string
		Buildable bool
		Property  []struct {
			ParameterDefinitions []map[string]any
		}
	}
	f.json("/job/payments/job/legacy-smoke/api/json", &dis)
	if dis.Color != "disabled" || dis.Buildable {
		t.Fatalf("disabled job: %+v", dis)
	}
	var job struct {
		Property []struct {
			Class                string `json:"_class"`
			ParameterDefinitions []struct {
				Class                 string `json:"_class"`
				Name, Type            string
				Choices               []string
				DefaultParameterValue map[string]any
			}
		}
	}
	f.json("/job/payments/job/api-tests/api/json", &job)
	defs := job.Property[0].ParameterDefinitions
	types := []string{}
	for _, d := range defs {
		types = append(types, d.Type)
	}
	if strings.Join(types, ",") != "ChoiceParameterDefinition,StringParameterDefinition,StringParameterDefinition,BooleanParameterDefinition,TextParameterDefinition,PasswordParameterDefinition" {
		t.Fatalf("param types: %v", types)
	}
	if defs[0].Choices[0] != "staging" || defs[0].DefaultParameterValue["value"] != "staging" {
		t.Fatalf("choice def: %+v", defs[0])
	}
	if _, ok := defs[5].DefaultParameterValue["value"]; ok {
		t.Fatal("password default must not export its value")
	}
	if defs[3].DefaultParameterValue["value"] != false {
		t.Fatalf("boolean default: %v", defs[3].DefaultParameterValue)
	}
	var legacy struct {
		Property []struct{ ParameterDefinitions []map[string]any }
	}
	f.json("/job/payments/job/legacy-smoke/api/json", &legacy)
	if got := legacy.Property[0].ParameterDefinitions; got[0]["type"] != "FileParameterDefinition" || got[1]["type"] != "RunParameterDefinition" || got[0]["defaultParameterValue"] != nil {
		t.Fatalf("file/run defs: %v", got)
	}
}

func TestAuth401403404(t *testing.T) {
	w := DemoWorld()
	w.Jobs[1].Readers = []string{"admin"} // payments/api-tests hidden from viewer
	f := newFixture(t, w)
	r := f.do("GET", "/api/json", "", "", nil)
	if r.code != 403 || r.header.Get("WWW-Authenticate") != "" || !strings.Contains(r.body, "Authentication required") || r.header.Get("X-Jenkins") == "" {
		t.Fatalf("anonymous: %d %v", r.code, r.header)
	}
	r = f.do("GET", "/api/json", "admin", "nope", nil)
	if r.code != 401 || r.header.Get("WWW-Authenticate") != `Basic realm="Jenkins"` || !strings.Contains(r.body, "Invalid password/token for user: admin") {
		t.Fatalf("bad token: %d %v", r.code, r.header)
	}
	if r = f.do("GET", "/job/payments/job/api-tests/api/json", "viewer", viewerTok, nil); r.code != 404 || !strings.Contains(r.body, "Not found") {
		t.Fatalf("hidden job: %d", r.code)
	}
	if r = f.do("POST", "/job/orders-api/build", "viewer", viewerTok, nil); r.code != 403 {
		t.Fatalf("read-only build: %d", r.code)
	}
	// whoAmI answers anonymous
	r = f.do("GET", "/whoAmI/api/json", "", "", nil)
	if r.code != 200 || !strings.Contains(r.body, `"anonymous":true`) {
		t.Fatalf("whoAmI: %d %s", r.code, r.body)
	}
	// anonymous read on: reads work, builds do not
	w2 := DemoWorld()
	w2.AnonymousRead = true
	f2 := newFixture(t, w2)
	if r = f2.do("GET", "/api/json?tree=jobs[name]", "", "", nil); r.code != 200 {
		t.Fatalf("anonymous read: %d", r.code)
	}
	sid := f2.do("GET", "/crumbIssuer/api/json", "", "", nil)
	var crumb struct{ Crumb string }
	json.Unmarshal([]byte(sid.body), &crumb)
	cookie := strings.Split(sid.header.Get("Set-Cookie"), ";")[0]
	if r = f2.do("POST", "/job/orders-api/build", "", "", nil, "Jenkins-Crumb", crumb.Crumb, "Cookie", cookie); r.code != 403 {
		t.Fatalf("anonymous build: %d", r.code)
	}
}

func TestCrumbs(t *testing.T) {
	f := newFixture(t, nil)
	// API token: no crumb needed
	if r := f.post("/job/orders-api/build"); r.code != 201 {
		t.Fatalf("token POST: %d %s", r.code, r.body)
	}
	// password: crumb and the session cookie it is bound to
	if r := f.do("POST", "/job/orders-api/build", "admin", "admin", nil); r.code != 403 || !strings.Contains(r.body, "No valid crumb was included in the request") {
		t.Fatalf("password POST without crumb: %d", r.code)
	}
	jar, _ := cookiejar.New(nil)
	f.c.Jar = jar
	r := f.do("GET", "/crumbIssuer/api/json", "admin", "admin", nil)
	var cr struct {
		Class             string `json:"_class"`
		Crumb             string
		CrumbRequestField string
	}
	json.Unmarshal([]byte(r.body), &cr)
	if cr.Class != "hudson.security.csrf.DefaultCrumbIssuer" || cr.CrumbRequestField != "Jenkins-Crumb" || len(cr.Crumb) != 64 || !strings.HasPrefix(r.header.Get("Set-Cookie"), "JSESSIONID.") {
		t.Fatalf("crumb issuer: %s %v", r.body, r.header)
	}
	if r := f.do("POST", "/job/payments/job/api-tests/buildWithParameters?ENVIRONMENT=dev", "admin", "admin", nil, "Jenkins-Crumb", cr.Crumb); r.code != 201 {
		t.Fatalf("password POST with crumb+cookie: %d %s", r.code, r.body)
	}
	f.c.Jar = nil
	if r := f.do("POST", "/job/orders-api/build", "admin", "admin", nil, "Jenkins-Crumb", cr.Crumb); r.code != 403 {
		t.Fatalf("crumb without its session cookie: %d", r.code)
	}
	// strict mode: tokens need crumbs too
	w := DemoWorld()
	w.StrictCrumbs = true
	fs := newFixture(t, w)
	if r := fs.post("/job/orders-api/build"); r.code != 403 {
		t.Fatalf("strict token POST without crumb: %d", r.code)
	}
	// CSRF off: crumbIssuer 404
	w = DemoWorld()
	w.NoCrumbs = true
	fn := newFixture(t, w)
	if r := fn.get("/crumbIssuer/api/json"); r.code != 404 {
		t.Fatalf("no crumbs: %d", r.code)
	}
	if r := fn.do("POST", "/job/orders-api/build", "admin", "admin", nil); r.code != 201 {
		t.Fatalf("no crumbs password POST: %d", r.code)
	}
}

type queueJSON struct {
	Class      string `json:"_class"`
	ID         int64
	Why        *string
	Cancelled  bool
	Blocked    bool
	Buildable  bool
	Params     string
	Executable *struct {
		Number int
		URL    string
	}
}

func TestBuildLife(t *testing.T) {
	f := newFixture(t, nil)
	job := "/job/payments/job/api-tests/"
	if r := f.get(job + "buildWithParameters"); r.code != 405 || r.header.Get("Allow") != "POST" {
		t.Fatalf("GET trigger: %d %v", r.code, r.header)
	}
	if r := f.post("/job/orders-api/buildWithParameters"); r.code != 400 || !strings.Contains(r.body, "is not parameterized") {
		t.Fatalf("not parameterized: %d", r.code)
	}
	if r := f.post(job + "build"); r.code != 400 || !strings.Contains(r.body, "Nothing is submitted") {
		t.Fatalf("build on parameterized job: %d", r.code)
	}
	if r := f.post("/job/payments/job/legacy-smoke/build"); r.code != 409 {
		t.Fatalf("disabled: %d", r.code)
	}
	if r := f.post(job + "buildWithParameters?ENVIRONMENT=moon"); r.code != 500 || !strings.Contains(r.body, "Illegal choice") {
		t.Fatalf("illegal choice: %d", r.code)
	}
	r := f.post(job + "buildWithParameters?ENVIRONMENT=dev&BAIL=TRUE&API_KEY=hunter2")
	loc := r.header.Get("Location")
	if r.code != 201 || !strings.HasPrefix(loc, f.hs.URL+"/queue/item/") || !strings.HasSuffix(loc, "/") {
		t.Fatalf("trigger: %d %q", r.code, loc)
	}
	itemPath := strings.TrimPrefix(loc, f.hs.URL)
	// duplicate while waiting: 303 to the same item
	if r2 := f.post(job + "buildWithParameters?ENVIRONMENT=dev&BAIL=true&API_KEY=hunter2"); r2.code != 303 || r2.header.Get("Location") != loc {
		t.Fatalf("duplicate: %d %q", r2.code, r2.header.Get("Location"))
	}
	var qi queueJSON
	f.json(itemPath+"api/json", &qi)
	if qi.Class != "hudson.model.Queue$WaitingItem" || qi.Why == nil || *qi.Why != "In the quiet period. Expires in 5.0 sec" || qi.Executable != nil {
		t.Fatalf("waiting item: %+v", qi)
	}
	if !strings.Contains(qi.Params, "\nENVIRONMENT=dev") || !strings.Contains(qi.Params, "API_KEY=****") || strings.Contains(f.get(itemPath+"api/json").body, "hunter2") {
		t.Fatalf("queue params: %q", qi.Params)
	}
	f.clock.add(5 * time.Second)
	f.json(itemPath+"api/json", &qi)
	if qi.Class != "hudson.model.Queue$LeftItem" || qi.Executable == nil || qi.Executable.Number != 131 || qi.Cancelled {
		t.Fatalf("left item: %+v", qi)
	}
	bpath := job + "131/"
	var b struct {
		Building bool
		Result   *string
		Duration int64
		QueueID  int64
		Actions  []struct {
			Class      string `json:"_class"`
			Parameters []map[string]any
			Causes     []map[string]any
		}
		Artifacts []any
	}
	f.json(bpath+"api/json", &b)
	if !b.Building || b.Result != nil || b.Duration != 0 || b.QueueID != qi.ID || len(b.Artifacts) != 0 {
		t.Fatalf("running build: %+v", b)
	}
	if c := b.Actions[0].Causes[0]; c["userId"] != "admin" || c["shortDescription"] != "Started by user Ada Admin" {
		t.Fatalf("cause: %v", c)
	}
	params := map[string]any{}
	for _, p := range b.Actions[1].Parameters {
		v, ok := p["value"]
		if !ok {
			v = "<none>"
		}
		params[p["name"].(string)] = v
	}
	if params["ENVIRONMENT"] != "dev" || params["BAIL"] != true || params["API_KEY"] != "<none>" || params["ITERATIONS"] != "1" {
		t.Fatalf("params: %v", params)
	}
	// progressive text: X-Text-Size counts raw bytes (console notes included), CRLF body
	f.clock.add(2 * time.Second)
	lr := f.get(bpath + "logText/progressiveText?start=0")
	size, _ := strconv.Atoi(lr.header.Get("X-Text-Size"))
	if lr.header.Get("X-More-Data") != "true" || size <= len(lr.body)-strings.Count(lr.body, "\r\n") || !strings.HasPrefix(lr.body, "Started by user Ada Admin\r\n") || strings.Contains(lr.body, "\x1b[8m") {
		t.Fatalf("progressive: size %d more %q body %q", size, lr.header.Get("X-More-Data"), lr.body)
	}
	// job color while running: previous build's color + _anime
	var jc struct{ Color string }
	f.json(job+"api/json?tree=color", &jc)
	if !strings.HasSuffix(jc.Color, "_anime") {
		t.Fatalf("running color: %s", jc.Color)
	}
	lr2 := f.get(bpath + "logText/progressiveText?start=" + strconv.Itoa(size))
	if strings.Contains(lr2.body, "Started by") {
		t.Fatalf("offset not honoured: %q", lr2.body)
	}
	// stop: 302, ABORTED, log says so
	sr := f.post(bpath + "stop")
	if sr.code != 302 || sr.header.Get("Location") != f.hs.URL+bpath {
		t.Fatalf("stop: %d %v", sr.code, sr.header)
	}
	f.json(bpath+"api/json", &b)
	if b.Building || b.Result == nil || *b.Result != "ABORTED" || b.Duration != 2000 {
		t.Fatalf("stopped build: %+v", b)
	}
	end := f.get(bpath + "logText/progressiveText?start=0")
	if end.header.Get("X-More-Data") != "" || !strings.HasSuffix(end.body, "Aborted by Ada Admin\r\nFinished: ABORTED\r\n") {
		t.Fatalf("final log: %v %q", end.header, end.body)
	}
	if r := f.post(bpath + "stop"); r.code != 302 {
		t.Fatalf("stop of a finished build: %d", r.code)
	}
	// a full run: result and artifacts
	r = f.post(job + "buildWithParameters?ENVIRONMENT=staging&delay=0sec")
	f.clock.add(2 * time.Minute)
	f.json(job+"132/api/json", &b)
	if b.Building || b.Result == nil || len(b.Artifacts) != 4 {
		t.Fatalf("finished build: %+v", b)
	}
	a := f.get(job + "132/artifact/reports/newman.json")
	if a.code != 200 || !strings.Contains(a.body, `"collection"`) || a.header.Get("Content-Type") != "application/json" {
		t.Fatalf("artifact: %d", a.code)
	}
	var tr struct {
		Class                           string `json:"_class"`
		FailCount, PassCount, SkipCount int
		Suites                          []struct {
			Name  string
			Cases []struct{ Status, Name, ClassName string }
		}
	}
	f.json(job+"132/testReport/api/json", &tr)
	if tr.Class != "hudson.tasks.junit.TestResult" || tr.FailCount+tr.PassCount != 25 || len(tr.Suites) == 0 || len(tr.Suites[0].Cases) == 0 {
		t.Fatalf("test report: %+v", tr)
	}
	if r := f.get(job + "131/testReport/api/json"); r.code != 404 {
		t.Fatalf("aborted build test report: %d", r.code)
	}
	// permalinks
	var lb struct{ Number int }
	f.json(job+"lastBuild/api/json", &lb)
	if lb.Number != 132 {
		t.Fatalf("lastBuild: %d", lb.Number)
	}
	f.json(job+"lastCompletedBuild/api/json?tree=number", &lb)
	if lb.Number != 132 {
		t.Fatalf("lastCompletedBuild: %d", lb.Number)
	}
	if r := f.get("/job/gateway/job/PR-12/lastFailedBuild/api/json"); r.code != 200 && r.code != 404 {
		t.Fatalf("permalink: %d", r.code)
	}
	// cancel a queued item
	r = f.post("/job/orders-api/build?delay=30sec")
	id := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Location"), f.hs.URL+"/queue/item/"), "/")
	if r := f.post("/queue/cancelItem?id=" + id); r.code != 204 {
		t.Fatalf("cancel: %d", r.code)
	}
	f.json("/queue/item/"+id+"/api/json", &qi)
	if !qi.Cancelled || qi.Executable != nil {
		t.Fatalf("cancelled item: %+v", qi)
	}
	if r := f.post("/queue/cancelItem?id=999999"); r.code != 404 {
		t.Fatalf("cancel unknown: %d", r.code)
	}
	// left items expire after five minutes
	f.clock.add(6 * time.Minute)
	if r := f.get(itemPath + "api/json"); r.code != 404 {
		t.Fatalf("expired item: %d", r.code)
	}
}

func TestBlockedAndWfapi(t *testing.T) {
	w := DemoWorld()
	for i := range w.Jobs {
		if w.Jobs[i].Path == "orders-api" {
			w.Jobs[i].History.Queued = 1
		}
	}
	f := newFixture(t, w)
	var run struct {
		Status string
		Stages []struct{ Name, Status string }
	}
	f.json("/job/payments/job/api-tests/130/wfapi/describe", &run)
	if run.Status != "IN_PROGRESS" || len(run.Stages) == 0 || run.Stages[len(run.Stages)-1].Status != "IN_PROGRESS" {
		t.Fatalf("running wfapi: %+v", run)
	}
	// orders-api is not concurrent: its history has #45 running and one item
	// waiting; a trigger queues behind them, and a second identical /build merges.
	r := f.post("/job/orders-api/build?delay=0")
	loc := r.header.Get("Location")
	f.clock.add(time.Second)
	if r2 := f.post("/job/orders-api/build?delay=0"); r2.code != 201 || r2.header.Get("Location") != loc {
		t.Fatalf("merged trigger: %d %q, want 201 %q", r2.code, r2.header.Get("Location"), loc)
	}
	path := strings.TrimPrefix(loc, f.hs.URL)
	var qi queueJSON
	f.json(path+"api/json", &qi)
	if qi.Class != "hudson.model.Queue$BlockedItem" || !qi.Blocked || qi.Why == nil || !strings.HasPrefix(*qi.Why, "Build #45 is already in progress (ETA:") {
		t.Fatalf("blocked: %+v", qi)
	}
	var queue struct {
		Items []queueJSON
	}
	f.json("/queue/api/json", &queue)
	if len(queue.Items) != 2 || queue.Items[0].ID >= queue.Items[1].ID || queue.Items[1].ID != qi.ID {
		t.Fatalf("queue: %+v", queue.Items)
	}
	f.clock.add(4 * time.Minute) // #45 ends, #46 (the waiting item) runs, then ours
	f.json(path+"api/json", &qi)
	if qi.Executable == nil || qi.Executable.Number != 47 {
		t.Fatalf("unblocked: %+v", qi)
	}
	var b47 struct{ QueueID int64 }
	f.json("/job/orders-api/47/api/json", &b47)
	if b47.QueueID != qi.ID {
		t.Fatalf("build #47 queueId %d, item %d", b47.QueueID, qi.ID)
	}
	var runs []struct{ ID, Status string }
	f.json("/job/payments/job/api-tests/wfapi/runs", &runs)
	if len(runs) != 10 || runs[0].ID != "130" {
		t.Fatalf("wfapi runs: %d", len(runs))
	}
	var comp struct {
		BusyExecutors int
		Computer      []struct {
			DisplayName string
			Executors   []struct{ Idle bool }
		}
	}
	f.json("/computer/api/json?depth=1", &comp)
	if comp.Computer[0].DisplayName != "Built-In Node" || len(comp.Computer[0].Executors) != 4 {
		t.Fatalf("computer: %+v", comp)
	}
}

func TestDeterministic(t *testing.T) {
	a := newFixture(t, nil)
	b := newFixture(t, nil)
	for _, p := range []string{"/job/payments/job/api-tests/api/json?tree=allBuilds[number,result,timestamp,duration,building,actions[causes[shortDescription],parameters[name,value]]]",
		"/job/gateway/job/main/40/consoleText", "/job/orders-api/api/json?depth=1"} {
		x := strings.ReplaceAll(a.get(p).body, a.hs.URL, "")
		y := strings.ReplaceAll(b.get(p).body, b.hs.URL, "")
		if x != y || len(x) < 100 {
			t.Fatalf("%s differs between two servers with the same seed and clock", p)
		}
	}
	var j struct {
		AllBuilds []struct {
			Result   *string
			Building bool
		}
	}
	a.json("/job/payments/job/api-tests/api/json?tree=allBuilds[result,building]", &j)
	counts := map[string]int{}
	for _, b := range j.AllBuilds {
		switch {
		case b.Building:
			counts["running"]++
		case b.Result != nil:
			counts[*b.Result]++
		}
	}
	if counts["running"] != 1 || counts["SUCCESS"] < 70 || counts["UNSTABLE"] == 0 || counts["FAILURE"] == 0 || counts["ABORTED"] == 0 {
		t.Fatalf("history mix: %v", counts)
	}
}

func TestWorldFiles(t *testing.T) {
	w, err := ParseWorld([]byte(`{"seed":1,"users":[{"id":"u","tokens":["t"]}],"jobs":[{"path":"a/b","kind":"freestyle","history":{"count":3}}]}`), true)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, w)
	var j struct {
		Builds []struct{ Number int }
	}
	r := f.do("GET", "/job/a/job/b/api/json", "u", "t", nil)
	json.Unmarshal([]byte(r.body), &j)
	if r.code != 200 || len(j.Builds) != 3 {
		t.Fatalf("json world: %d %s", r.code, r.body)
	}
	for _, bad := range []struct{ src, want string }{
		{`[[job]]` + "\n" + `path = "x"` + "\n" + `kind = "matrix"`, `kind "matrix"`},
		{`nosuchkey = 1`, `unknown key "nosuchkey"`},
		{"[[job]]\npath = \"x\"\nkind = \"freestyle\"\n[[job]]\npath = \"x/y\"\nkind = \"freestyle\"", `"x" is a freestyle, not a folder`},
		{"[[job]]\npath = \"x\"\nkind = \"pipeline\"\n[[job.param]]\nname = \"P\"\ntype = \"choice\"", "has no choices"},
		{"[faults]\nerror_rate = 2.0", "between 0 and 1"},
	} {
		_, err := ParseWorld([]byte(bad.src), false)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err %v, want %q", bad.src, err, bad.want)
		}
	}
}
