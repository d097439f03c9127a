package jenkins

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
)

// noToken fails the test if the token leaked into err.
func noToken(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testToken) {
		t.Errorf("token in error: %v", err)
	}
	if err != nil && strings.ContainsAny(err.Error(), "\n\r\x1b") {
		t.Errorf("error is not one clean line: %q", err)
	}
}

func TestRequestsCarryAuthAndHeaders(t *testing.T) {
	var got http.Header
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("X-Jenkins", "2.555.1")
		io.WriteString(w, `{"name":"alice","anonymous":false}`)
	}), func(o *Options) {
		o.Headers = map[string]string{"X-Forwarded-User": "alice"}
		o.UserAgent = "jeeves/1.2.3"
	})
	who, err := c.WhoAmI(ctx(t))
	if err != nil || who.JenkinsVersion != "2.555.1" {
		t.Fatalf("%+v %v", who, err)
	}
	req := &http.Request{Header: got}
	user, pass, ok := req.BasicAuth()
	if !ok || user != "alice" || pass != testToken {
		t.Errorf("basic auth %q %v", user, ok)
	}
	if got.Get("User-Agent") != "jeeves/1.2.3" || got.Get("X-Forwarded-User") != "alice" || got.Get("Accept-Encoding") != "gzip" {
		t.Errorf("headers %v", got)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{BaseURL: ""}, "no Jenkins url"},
		{Options{BaseURL: "ftp://ci.example.com"}, "must start with https://"},
		{Options{BaseURL: "https://bob:hunter2@ci.example.com"}, "must not carry credentials"},
		{Options{BaseURL: "https://ci.example.com/?x=1"}, "without ?query"},
		{Options{BaseURL: "https://ci.example.com", CAFile: filepath.Join(dir, "missing.pem")}, "ca_file"},
		{Options{BaseURL: "https://ci.example.com", CAFile: notPEM}, "holds no PEM certificate"},
		{Options{BaseURL: "https://ci.example.com", Headers: map[string]string{"X-A": "b\r\nX-Evil: 1"}}, "line break"},
	} {
		_, err := New(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%+v: err = %v, want %q", tc.opts.BaseURL, err, tc.want)
		}
	}
	c, err := New(Options{BaseURL: "https://ci.example.com/jenkins/"})
	if err != nil || c.BaseURL() != "https://ci.example.com/jenkins" {
		t.Errorf("%v %v", c, err)
	}
}

func TestJobPath(t *testing.T) {
	for in, want := range map[string]string{
		"a/b/c":                  "/job/a/job/b/job/c",
		"/payments/api-tests/":   "/job/payments/job/api-tests",
		"orders/feature%2Flogin": "/job/orders/job/feature%252Flogin", // multibranch: encoded twice, as Jenkins's URLs
		"My Job":                 "/job/My%20Job",
		"café/ünï":               "/job/caf%C3%A9/job/%C3%BCn%C3%AF",
		"a;b?c#d":                "/job/a%3Bb%3Fc%23d",
		"PR-12":                  "/job/PR-12",
	} {
		got, err := JobPath(in)
		if err != nil || got != want {
			t.Errorf("JobPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "/", "a//b", "a/../b", "."} {
		if _, err := JobPath(bad); err == nil {
			t.Errorf("JobPath(%q) accepted", bad)
		}
	}
}

func TestJobNamesReachJenkinsIntact(t *testing.T) {
	// The server decodes the path the way Jetty+Stapler do (one unescape per
	// segment) and must find the job names jeeves was given.
	var names []string
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		segs := pathSegments(r.URL.EscapedPath())
		names = nil
		for i := 0; i+1 < len(segs); i += 2 {
			if segs[i] == "job" {
				names = append(names, segs[i+1])
			}
		}
		io.WriteString(w, `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","color":"blue"}`)
	}))
	for _, full := range []string{"orders/feature%2Flogin", "Équipe paie/API tests", "a+b/c&d=e"} {
		if _, err := c.Job(ctx(t), full); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names, "/"); got != full {
			t.Errorf("Jenkins saw %q, want %q", got, full)
		}
	}
}

func TestStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header map[string]string
		body   string
		kind   ErrorKind
		auth   bool
		conn   bool
		notFnd bool
		want   string
		opts   func(*Options)
	}{
		{name: "401", status: 401, header: map[string]string{"WWW-Authenticate": `Basic realm="Jenkins"`},
			body: "<html><head><title>Error 401 Invalid password/token for user: alice</title></head></html>", kind: ErrorAuth, auth: true,
			want: `bad credentials for user "alice" (HTTP 401 "Error 401 Invalid password/token for user: alice"); check username and the API token`},
		{name: "403 anonymous", status: 403, header: map[string]string{"X-You-Are-Authenticated-As": "anonymous", "X-Required-Permission": "hudson.model.Hudson.Read"},
			body: "<html><head><title>Authentication required</title></head></html>", kind: ErrorAnonymous, auth: true,
			want: `Jenkins treated the request as anonymous, which may not do this (HTTP 403 "Authentication required"); check the API token: Jenkins did not accept it as alice`},
		{name: "403 no creds", status: 403, body: "<title>Authentication required</title>", kind: ErrorAnonymous, auth: true,
			want: "set username and an API token", opts: func(o *Options) { o.Username = ""; o.Token = config.Secret{} }},
		{name: "403 permission", status: 403, header: map[string]string{"X-You-Are-Authenticated-As": "alice", "X-Required-Permission": "hudson.model.Item.Read"},
			body: "<title>Access Denied</title>", kind: ErrorForbidden, auth: true,
			want: `user "alice" lacks the permission hudson.model.Item.Read (HTTP 403 "Access Denied"); ask a Jenkins admin`},
		{name: "404", status: 404, body: "<html>Not found</html>", kind: ErrorNotFound, notFnd: true,
			want: `job "pay/api" was not found (HTTP 404); check the name, and that "alice" may see it`},
		{name: "500", status: 500, body: "<html><head><title>Jenkins [Jenkins] \x1b[31mOops!\x1b[0m " + testToken + "</title></head></html>", kind: ErrorServer, conn: true,
			want: `Jenkins answered with a server error (HTTP 500 "Jenkins [Jenkins] Oops! [redacted]"); Jenkins may be restarting`},
		{name: "503", status: 503, body: "<title>Service Unavailable</title>", kind: ErrorServer, conn: true, want: `(HTTP 503 "Service Unavailable")`},
		{name: "418", status: 418, body: "teapot", kind: ErrorStatus, want: "unexpected answer (HTTP 418)"},
		{name: "login page", status: 200, header: map[string]string{"Content-Type": "text/html"},
			body: "<html><head><title>Sign in – Example SSO</title></head><body>form</body></html>", kind: ErrorProtocol, conn: true,
			want: `expected JSON but got an HTML page (HTTP 200 "Sign in – Example SSO")`},
		{name: "bad json", status: 200, header: map[string]string{"Content-Type": "application/json"}, body: `{"builds":[`, kind: ErrorProtocol, conn: true,
			want: "unreadable JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []func(*Options){}
			if tc.opts != nil {
				opts = append(opts, tc.opts)
			}
			c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html;charset=utf-8")
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}), opts...)
			_, err := c.Builds(ctx(t), "pay/api", 50)
			if err == nil {
				t.Fatal("no error")
			}
			noToken(t, err)
			if KindOf(err) != tc.kind || IsAuth(err) != tc.auth || IsConn(err) != tc.conn || IsNotFound(err) != tc.notFnd {
				t.Errorf("kind %d auth %v conn %v notfound %v: %v", KindOf(err), IsAuth(err), IsConn(err), IsNotFound(err), err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err  = %s\nwant …%s…", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), `read builds of "pay/api" on http://127.0.0.1:`) {
				t.Errorf("err = %s", err)
			}
		})
	}
}

// crumbServer is a Jenkins that wants a session-bound crumb on POSTs.
type crumbServer struct {
	mu         sync.Mutex
	requests   []string
	needsCrumb bool
	badCrumb   bool // refuse even correct crumbs
}

func (s *crumbServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	switch {
	case r.URL.Path == "/crumbIssuer/api/json":
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID.4f2a9c1d", Value: "sess-1", Path: "/"})
		io.WriteString(w, `{"_class":"hudson.security.csrf.DefaultCrumbIssuer","crumb":"c0ffee","crumbRequestField":"Jenkins-Crumb"}`)
	case r.Method == http.MethodPost:
		ck, _ := r.Cookie("JSESSIONID.4f2a9c1d")
		ok := r.Header.Get("Jenkins-Crumb") == "c0ffee" && ck != nil && ck.Value == "sess-1" && !s.badCrumb
		if s.needsCrumb && !ok {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(403)
			io.WriteString(w, "<html><head><title>Error 403 No valid crumb was included in the request</title></head><body><h2>HTTP ERROR 403 No valid crumb was included in the request</h2></body></html>")
			return
		}
		w.Header().Set("Location", "http://jenkins.internal:8080/queue/item/42/")
		w.WriteHeader(201)
	}
}

func TestCrumbOnlyWhenRefused(t *testing.T) {
	s := &crumbServer{needsCrumb: true}
	c, _ := serve(t, s)
	id, err := c.Trigger(ctx(t), "pay/api", nil)
	if err != nil || id != 42 {
		t.Fatalf("id %d err %v", id, err)
	}
	want := []string{"POST /job/pay/job/api/build", "GET /crumbIssuer/api/json", "POST /job/pay/job/api/build"}
	if fmt.Sprint(s.requests) != fmt.Sprint(want) {
		t.Errorf("requests %v, want %v", s.requests, want)
	}
	// Remembered: the next POST carries the crumb and cookie at once.
	s.requests = nil
	if err := c.Stop(ctx(t), "pay/api", 7); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(s.requests) != "[POST /job/pay/job/api/7/stop]" {
		t.Errorf("requests %v", s.requests)
	}

	// A server that takes API tokens without crumbs never sees a crumb request.
	s2 := &crumbServer{}
	c2, _ := serve(t, s2)
	for range 2 {
		if _, err := c2.Trigger(ctx(t), "pay/api", nil); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(s2.requests) != "[POST /job/pay/job/api/build POST /job/pay/job/api/build]" {
		t.Errorf("requests %v", s2.requests)
	}

	// Refused even with a fresh crumb: one retry, then a typed error.
	s3 := &crumbServer{needsCrumb: true, badCrumb: true}
	c3, _ := serve(t, s3)
	_, err = c3.Trigger(ctx(t), "pay/api", map[string]string{"ENV": "qa"})
	if KindOf(err) != ErrorCrumb || !IsAuth(err) || len(s3.requests) != 3 || !strings.Contains(err.Error(), "refused the CSRF crumb") {
		t.Errorf("err %v after %v", err, s3.requests)
	}
	noToken(t, err)
}

func TestTriggerAnswers(t *testing.T) {
	type answer struct {
		status int
		loc    string
		body   string
	}
	for _, tc := range []struct {
		name   string
		params map[string]string
		answer map[string]answer // by path suffix
		id     int64
		kind   ErrorKind
		want   string
	}{
		{name: "201", answer: map[string]answer{"/build": {201, "https://ci.example.com/queue/item/9001/", ""}}, id: 9001},
		{name: "params 201", params: map[string]string{"ENV": "qa", "PASS": "s3cret"}, answer: map[string]answer{"/buildWithParameters": {201, "/queue/item/12/", ""}}, id: 12},
		{name: "303 duplicate", params: map[string]string{"ENV": "qa"}, answer: map[string]answer{"/buildWithParameters": {303, "http://x/queue/item/77/", ""}}, id: 77,
			kind: ErrorAlreadyQueued, want: "an identical build is already queued as item 77"},
		{name: "parameterized job without params", answer: map[string]answer{
			"/build":               {400, "", "<title>Error 400 Nothing is submitted</title>"},
			"/buildWithParameters": {201, "/queue/item/5/", ""}}, id: 5},
		{name: "400 bad params", params: map[string]string{"ENV": "nope"}, answer: map[string]answer{"/buildWithParameters": {400, "", "<title>Error 400 Illegal choice for parameter ENV: nope</title>"}},
			kind: ErrorBadRequest, want: `Jenkins refused the parameters (HTTP 400 "Error 400 Illegal choice for parameter ENV: nope")`},
		{name: "405", answer: map[string]answer{"/build": {405, "", "<title>Error 405 Method Not Allowed</title>"}}, kind: ErrorMethod, want: "refused the POST request"},
		{name: "409 disabled", answer: map[string]answer{"/build": {409, "", "<title>Error 409 pay » api is not buildable</title>"}}, kind: ErrorNotBuildable,
			want: `the job is disabled or cannot be built (HTTP 409 "Error 409 pay » api is not buildable"); enable it`},
		{name: "302 no item", answer: map[string]answer{"/build": {302, "http://x/job/pay/job/api/", ""}}, kind: ErrorNoQueueItem, want: "named no queue item"},
		{name: "201 no location", answer: map[string]answer{"/build": {201, "", ""}}, kind: ErrorNoQueueItem, want: "without a queue item Location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var bodies []string
			var queries []string
			c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					t.Errorf("%s %s: a redirect was followed", r.Method, r.URL)
					return
				}
				b, _ := io.ReadAll(r.Body)
				bodies = append(bodies, string(b))
				queries = append(queries, r.URL.RawQuery)
				for suffix, a := range tc.answer {
					if strings.HasSuffix(r.URL.Path, "/job/pay/job/api"+suffix) {
						if a.loc != "" {
							w.Header().Set("Location", a.loc)
						}
						w.WriteHeader(a.status)
						io.WriteString(w, a.body)
						return
					}
				}
				w.WriteHeader(404)
			}))
			id, err := c.Trigger(ctx(t), "pay/api", tc.params)
			noToken(t, err)
			if id != tc.id || KindOf(err) != tc.kind || (tc.kind == ErrorOther) != (err == nil) {
				t.Fatalf("id %d err %v (kind %d)", id, err, KindOf(err))
			}
			if tc.want != "" && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err  = %s\nwant …%s…", err, tc.want)
			}
			if tc.kind == ErrorAlreadyQueued {
				var e *Error
				errors.As(err, &e)
				if e.QueueID != 77 || !IsAlreadyQueued(err) {
					t.Errorf("queue id %d", e.QueueID)
				}
			}
			if tc.params != nil {
				// Parameters travel in the form body, never in the URL.
				if queries[0] != "" || !strings.Contains(bodies[0], "ENV=") {
					t.Errorf("query %q body %q", queries[0], bodies[0])
				}
			}
		})
	}
}

func TestStopDoesNotFollowRedirect(t *testing.T) {
	var gets atomic.Int32
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/job/pay/job/api/12/stop":
			http.Redirect(w, r, "/job/pay/job/api/12/", http.StatusFound)
		case r.Method == http.MethodPost:
			http.NotFound(w, r)
		default:
			gets.Add(1)
			io.WriteString(w, "<html>build page</html>")
		}
	}))
	if err := c.Stop(ctx(t), "pay/api", 12); err != nil {
		t.Fatal(err)
	}
	if gets.Load() != 0 {
		t.Errorf("the 302 was followed with %d GETs", gets.Load())
	}
	err := c.Stop(ctx(t), "pay/api", 13)
	if !IsNotFound(err) || !strings.Contains(err.Error(), `build #13 of "pay/api" was not found`) {
		t.Errorf("err = %v", err)
	}
}

func TestBuildListQueries(t *testing.T) {
	var trees []string
	c, srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tree := r.URL.Query().Get("tree")
		trees = append(trees, tree)
		key := "builds"
		if strings.HasPrefix(tree, "allBuilds") {
			key = "allBuilds"
		}
		fmt.Fprintf(w, `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","%s":[
 {"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","building":true,"inProgress":true,"number":9,"result":"UNSTABLE","timestamp":1700000000000,"duration":0,"estimatedDuration":120000,"queueId":55,
  "actions":[{"_class":"hudson.model.ParametersAction","parameters":[{"_class":"hudson.model.StringParameterValue","name":"ENV","value":"qa"},{"_class":"hudson.model.PasswordParameterValue","name":"PASS"},{"_class":"hudson.model.BooleanParameterValue","name":"DRY","value":false}]},
   {"_class":"hudson.model.CauseAction","causes":[{"_class":"hudson.model.Cause$UserIdCause","shortDescription":"Started by user Alice","userId":"alice","userName":"Alice"}]},{}]},
 {"_class":"hudson.model.FreeStyleBuild","building":false,"inProgress":true,"number":8,"result":"FAILURE","timestamp":1690000000000,"duration":5000,"estimatedDuration":-1,"queueId":54,"actions":[]},
 {"_class":"hudson.model.FreeStyleBuild","building":false,"inProgress":false,"number":7,"result":"NOT_BUILT","timestamp":1680000000000,"duration":1,"queueId":53}
]}`, key)
	}))
	builds, err := c.Builds(ctx(t), "pay/api", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(builds) != 3 {
		t.Fatalf("%d builds", len(builds))
	}
	b := builds[0]
	// Running with a result already set: still running.
	if b.Status != StatusRunning || !b.Building || b.Result != "UNSTABLE" || b.EstimatedDuration != 2*time.Minute || b.QueueID != 55 ||
		b.URL != srv.URL+"/job/pay/job/api/9/" || !b.Started.Equal(time.UnixMilli(1700000000000)) {
		t.Errorf("build 9 = %+v", b)
	}
	wantParams := []Param{{Name: "ENV", Value: "qa"}, {Name: "PASS", Masked: true}, {Name: "DRY", Value: "false"}}
	if fmt.Sprint(b.Params) != fmt.Sprint(wantParams) || b.Params[1].Display() != MaskedValue {
		t.Errorf("params %+v", b.Params)
	}
	if len(b.Causes) != 1 || b.Causes[0] != (Cause{Class: "hudson.model.Cause$UserIdCause", Description: "Started by user Alice", UserID: "alice", UserName: "Alice"}) {
		t.Errorf("causes %+v", b.Causes)
	}
	// Post-production (building false, inProgress true) is running too.
	if builds[1].Status != StatusRunning || builds[1].EstimatedDuration != 0 || builds[2].Status != StatusNotBuilt {
		t.Errorf("builds 8, 7 = %+v %+v", builds[1], builds[2])
	}
	c.Builds(ctx(t), "pay/api", 150)
	c.BuildsRange(ctx(t), "pay/api", 100, 200)
	c.Builds(ctx(t), "pay/api", 0)
	for i, want := range []string{"builds[number,", "allBuilds[number,", "allBuilds[number,", "builds[number,"} {
		if !strings.HasPrefix(trees[i], want) {
			t.Errorf("tree %d = %q", i, trees[i])
		}
	}
	for i, want := range []string{"]{0,50}", "]{0,150}", "]{100,200}", "{0,5}]"} {
		if !strings.HasSuffix(trees[i], want) {
			t.Errorf("tree %d = %q, want suffix %q", i, trees[i], want)
		}
	}
	if _, err := c.BuildsRange(ctx(t), "pay/api", 5, 5); err == nil {
		t.Error("empty range accepted")
	}
}

func TestGzipAndStats(t *testing.T) {
	body := []byte(`{"builds":[` + strings.Repeat(`{"_class":"hudson.model.FreeStyleBuild","number":1,"result":"SUCCESS"},`, 200) + `{"number":0}]}`)
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") == "gzip" {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(body)
			zw.Close()
			return
		}
		w.Write(body)
	}))
	builds, err := c.Builds(ctx(t), "a", 0)
	if err != nil || len(builds) != 201 {
		t.Fatalf("%d builds, %v", len(builds), err)
	}
	s := c.Stats()
	k := s.ByKind["builds"]
	if s.Requests != 1 || k.Requests != 1 || k.BodyBytes != int64(len(body)) || k.WireBytes <= 0 || k.WireBytes >= k.BodyBytes/10 {
		t.Errorf("stats %+v", s)
	}
	c.ResetStats()
	if c.Stats().Requests != 0 {
		t.Error("reset")
	}
}

func TestLogChunks(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), MaxLogChunk/16+100)
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("start") {
		case "0": // the log file does not exist yet
			w.Header().Set("X-Text-Size", "0")
			w.Header().Set("X-More-Data", "true")
		case "100":
			w.Header().Set("X-Text-Size", "187")
			w.Header().Set("X-More-Data", "true")
			io.WriteString(w, "step 1\r\n\x1b[8mha:////4LWh2x5DbiD/AAAA\x1b[0m\x1b[32mok\x1b[0m\r\n")
		case "200":
			w.Header().Set("X-Text-Size", "99999999")
			w.Write(big)
		}
	}))
	ch, err := c.Log(ctx(t), "a", 1, 0)
	if err != nil || len(ch.Text) != 0 || !ch.More || ch.NextOffset != 0 {
		t.Errorf("empty log: %+v %v", ch, err)
	}
	ch, err = c.Log(ctx(t), "a", 1, 100)
	if err != nil || string(ch.Text) != "step 1\n\x1b[32mok\x1b[0m\n" || !ch.More || ch.NextOffset != 187 || ch.Truncated {
		t.Errorf("chunk: %q %+v %v", ch.Text, ch, err)
	}
	ch, err = c.Log(ctx(t), "a", 1, 200)
	if err != nil || len(ch.Text) != MaxLogChunk || !ch.Truncated || ch.More || ch.NextOffset != 99999999 {
		t.Errorf("big chunk: %d bytes %v %v %d %v", len(ch.Text), ch.Truncated, ch.More, ch.NextOffset, err)
	}
}

func TestArtifactCap(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 5000)
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != "/job/a/3/artifact/newman/run%201.json" {
			t.Errorf("path %s", r.URL.EscapedPath())
		}
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		}
		w.Write(data)
	}))
	// Known length over the cap: refused before reading.
	_, err := c.Artifact(ctx(t), "a", 3, "newman/run 1.json", 4999)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "5000 bytes, over the cap of 4999") {
		t.Errorf("err = %v", err)
	}
	// Exactly the cap is fine.
	rc, err := c.Artifact(ctx(t), "a", 3, "newman/run 1.json", 5000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || len(got) != 5000 {
		t.Errorf("%d bytes, %v", len(got), err)
	}
	// Unknown length (chunked, or gzip): the stream fails past the cap.
	c.hc.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r.URL.RawQuery = "chunked=1"
		return http.DefaultTransport.RoundTrip(r)
	})
	rc, err = c.Artifact(ctx(t), "a", 3, "newman/run 1.json", 4096)
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(rc)
	rc.Close()
	if !errors.Is(err, ErrTooLarge) || len(got) != 4096 {
		t.Errorf("%d bytes, err %v", len(got), err)
	}
	if _, err := c.Artifact(ctx(t), "a", 3, "../secret", 10); err == nil {
		t.Error("a path with .. was accepted")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSlowServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), func(o *Options) { o.Timeout = 50 * time.Millisecond })
	_, err := c.Probe(ctx(t), "pay/api")
	if KindOf(err) != ErrorTimeout || !IsConn(err) || !strings.Contains(err.Error(), "no answer from 127.0.0.1:") || !strings.Contains(err.Error(), "within 50ms") {
		t.Errorf("err = %v", err)
	}
	noToken(t, err)
}

func TestStreamStallsAndCancel(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("a"), 1024))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), func(o *Options) { o.Timeout = 100 * time.Millisecond })

	// Stalled mid-body: the idle timeout ends it with a timeout error.
	rc, err := c.Artifact(ctx(t), "a", 1, "big.bin", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if KindOf(err) != ErrorTimeout || len(got) != 1024 || !strings.Contains(err.Error(), "stalled") {
		t.Errorf("%d bytes, err %v", len(got), err)
	}

	// Cancelled by the caller mid-stream: the read returns at once.
	cctx, cancel := context.WithCancel(context.Background())
	c.timeout = time.Minute
	rc, err = c.Artifact(cctx, "a", 1, "big.bin", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1024)
	if n, err := io.ReadFull(rc, buf); n != 1024 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
	done := make(chan error, 1)
	go func() { _, err := rc.Read(buf); done <- err }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read did not return after cancel")
	}
	rc.Close()
	// The slot was released: a new request still gets through.
	if len(c.sem) != 0 {
		t.Errorf("%d slots still held", len(c.sem))
	}
}

func TestAtMostFourInFlight(t *testing.T) {
	var cur, peak atomic.Int32
	gate := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-gate
		cur.Add(-1)
		io.WriteString(w, `{"builds":[]}`)
	})
	c, srv := serve(t, h)
	// A second client of the same server shares the limit.
	c2, err := New(Options{BaseURL: srv.URL, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := c
			if i%2 == 1 {
				cl = c2
			}
			if _, err := cl.Builds(ctx(t), "a", 10); err != nil {
				t.Error(err)
			}
		}()
	}
	// Wait until the server holds 4, give the others a chance to (wrongly) arrive.
	for cur.Load() < 4 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(gate)
	wg.Wait()
	if peak.Load() != 4 {
		t.Errorf("peak in flight = %d, want 4", peak.Load())
	}
}

// --- TLS ---------------------------------------------------------------

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string // PEM file of the CA certificate
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "jeeves test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	file := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	return &testCA{cert: cert, key: key, file: file}
}

func (ca *testCA) leaf(t *testing.T, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    notAfter.Add(-48 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func tlsServer(t *testing.T, cert tls.Certificate, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

var whoAmIHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Jenkins", "2.555.1")
	io.WriteString(w, `{"name":"alice"}`)
})

func TestTLS(t *testing.T) {
	ca := newTestCA(t)
	good := tlsServer(t, ca.leaf(t, time.Now().Add(time.Hour), "127.0.0.1"), whoAmIHandler)
	expired := tlsServer(t, ca.leaf(t, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "127.0.0.1"), whoAmIHandler)
	wrongHost := tlsServer(t, ca.leaf(t, time.Now().Add(time.Hour), "jenkins.other.test"), whoAmIHandler)
	plain := httptest.NewServer(whoAmIHandler)
	defer plain.Close()

	for _, tc := range []struct {
		name     string
		url      string
		ca       string
		insecure bool
		want     string // "" = works
	}{
		{"custom CA", good.URL, ca.file, false, ""},
		{"unknown authority", good.URL, "", false, "TLS: the certificate of 127.0.0.1:"},
		{"insecure skips verification", good.URL, "", true, ""},
		{"expired", expired.URL, ca.file, false, "expired on 2024-03-01"},
		{"wrong host", wrongHost.URL, ca.file, false, "the certificate is not valid for 127.0.0.1 (it is for jenkins.other.test)"},
		{"http server", "https://" + strings.TrimPrefix(plain.URL, "http://"), "", false, "did not answer with TLS; is the url http://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Options{BaseURL: tc.url, Username: "alice", Token: config.NewSecret(testToken), CAFile: tc.ca, Insecure: tc.insecure, Getenv: noEnv})
			if err != nil {
				t.Fatal(err)
			}
			who, err := c.WhoAmI(ctx(t))
			if tc.want == "" {
				if err != nil || who.JenkinsVersion != "2.555.1" {
					t.Fatalf("%+v %v", who, err)
				}
				return
			}
			if KindOf(err) != ErrorTLS || !IsConn(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err  = %v\nwant …%s…", err, tc.want)
			}
			noToken(t, err)
		})
	}
}

// --- proxy -------------------------------------------------------------

// connectProxy is an HTTP proxy that tunnels CONNECT to target, or refuses.
type connectProxy struct {
	target  string
	refuse  bool
	mu      sync.Mutex
	tunnels []string
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "only CONNECT", http.StatusMethodNotAllowed)
		return
	}
	p.mu.Lock()
	p.tunnels = append(p.tunnels, r.Host)
	p.mu.Unlock()
	if p.refuse {
		http.Error(w, "denied", http.StatusProxyAuthRequired)
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		up.Close()
		return
	}
	io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() { io.Copy(up, buf); up.Close() }()
	io.Copy(conn, up)
	conn.Close()
}

func TestProxyFromEnvironmentWithCustomCA(t *testing.T) {
	ca := newTestCA(t)
	jenkins := tlsServer(t, ca.leaf(t, time.Now().Add(time.Hour), "jenkins.corp.test"), whoAmIHandler)
	proxy := &connectProxy{target: jenkins.Listener.Addr().String()}
	psrv := httptest.NewServer(proxy)
	defer psrv.Close()
	env := map[string]string{"HTTPS_PROXY": "http://user:pr0xy-pass@" + strings.TrimPrefix(psrv.URL, "http://"), "NO_PROXY": "localhost,.internal.test"}
	opts := Options{BaseURL: "https://jenkins.corp.test", Username: "alice", Token: config.NewSecret(testToken), CAFile: ca.file,
		Getenv: func(k string) string { return env[k] }}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	who, err := c.WhoAmI(ctx(t))
	if err != nil || who.JenkinsVersion != "2.555.1" {
		t.Fatalf("through the proxy: %+v %v", who, err)
	}
	if fmt.Sprint(proxy.tunnels) != "[jenkins.corp.test:443]" {
		t.Errorf("tunnels %v", proxy.tunnels)
	}
	// NO_PROXY is honoured.
	if p, _ := c.proxy(mustURL("https://ci.internal.test/")); p != nil {
		t.Errorf("NO_PROXY host proxied via %v", p)
	}

	// The proxy refuses the tunnel: a proxy error naming it, password hidden.
	// (A new client: the first one keeps its tunnel open.)
	proxy.refuse = true
	c, _ = New(opts)
	_, err = c.WhoAmI(ctx(t))
	if KindOf(err) != ErrorProxy || !IsConn(err) || !strings.Contains(err.Error(), "refused to connect to jenkins.corp.test: 407") ||
		strings.Contains(err.Error(), "pr0xy-pass") || !strings.Contains(err.Error(), "user:xxxxx@127.0.0.1") {
		t.Errorf("err = %v", err)
	}
	noToken(t, err)

	// The proxy is down.
	addr := psrv.Listener.Addr().String()
	psrv.Close()
	env["HTTPS_PROXY"] = "http://" + addr
	c, _ = New(opts)
	_, err = c.WhoAmI(ctx(t))
	if KindOf(err) != ErrorProxy || !strings.Contains(err.Error(), "proxy") {
		t.Errorf("err = %v", err)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(whoAmIHandler)
	addr := srv.URL
	srv.Close()
	c, _ := New(Options{BaseURL: addr, Username: "alice", Token: config.NewSecret(testToken), Getenv: noEnv})
	_, err := c.WhoAmI(ctx(t))
	if KindOf(err) != ErrorConnect || !IsConn(err) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %v", err)
	}
	noToken(t, err)

	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.WhoAmI(cctx)
	if !errors.Is(err, context.Canceled) || IsConn(err) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestRedirectToAnotherHostIsNotFollowed(t *testing.T) {
	var sso atomic.Int32
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sso.Add(1)
		io.WriteString(w, "<title>Sign in</title>")
	}))
	defer login.Close()
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/whoAmI/api/json" { // same-host redirects are followed
			http.Redirect(w, r, "/whoAmI/api/json/", http.StatusFound)
			return
		}
		if r.URL.Path == "/whoAmI/api/json/" {
			io.WriteString(w, `{"name":"alice"}`)
			return
		}
		http.Redirect(w, r, login.URL+"/login?from=%2Fjob", http.StatusFound)
	}), func(o *Options) { o.Headers = map[string]string{"X-Sso-Ticket": "t1"} })
	if who, err := c.WhoAmI(ctx(t)); err != nil || who.Name != "alice" {
		t.Fatalf("%+v %v", who, err)
	}
	_, err := c.Probe(ctx(t), "a")
	if KindOf(err) != ErrorProtocol || !IsConn(err) || !strings.Contains(err.Error(), "redirected to "+login.URL+"/login?from=%2Fjob instead of answering (HTTP 302)") {
		t.Errorf("err = %v", err)
	}
	if sso.Load() != 0 {
		t.Error("the redirect to another host was followed")
	}
}

func TestBuildTestSummary(t *testing.T) {
	c, _ := serve(t, jsonAt(t, "/job/a/5/api/json", []byte(`{"_class":"hudson.model.FreeStyleBuild","number":5,"building":false,"result":"UNSTABLE","actions":[{"_class":"hudson.model.CauseAction","causes":[]},{},{"_class":"hudson.tasks.junit.TestResultAction","failCount":2,"skipCount":1,"totalCount":40,"urlName":"testReport"}]}`)))
	b, err := c.Build(ctx(t), "a", 5)
	if err != nil || b.Tests == nil || *b.Tests != (TestSummary{Total: 40, Failed: 2, Skipped: 1}) || b.Status != StatusUnstable {
		t.Errorf("build %+v tests %+v err %v", b, b.Tests, err)
	}
}

func TestNotFoundSaysWhatIsMissing(t *testing.T) {
	c, _ := serve(t, http.NotFoundHandler())
	_, err := c.Stages(ctx(t), "orders-api", 42)
	if !IsNotFound(err) || !strings.HasSuffix(err.Error(), `build #42 of "orders-api" has no pipeline stages (HTTP 404); it is not a Pipeline build, the Pipeline Stage View plugin is missing, or the build does not exist`) {
		t.Errorf("err = %v", err)
	}
	_, err = c.TestReport(ctx(t), "orders-api", 42, 100)
	if !IsNotFound(err) || !strings.HasSuffix(err.Error(), `build #42 of "orders-api" has no test report (HTTP 404); the build published no JUnit results (or does not exist)`) {
		t.Errorf("err = %v", err)
	}
	_, err = c.QueueItem(ctx(t), 7)
	if !IsNotFound(err) || !strings.Contains(err.Error(), "queue item 7 was not found") {
		t.Errorf("err = %v", err)
	}
	_, err = c.Artifact(ctx(t), "a", 1, "x/y.json", 100)
	if !IsNotFound(err) || !strings.Contains(err.Error(), `artifact "x/y.json" of build #1 was not found`) {
		t.Errorf("err = %v", err)
	}
}
