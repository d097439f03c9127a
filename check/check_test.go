package check_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/check"
	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

const (
	adminToken  = "11d3m0t0k3n0000000000000000000000a"
	viewerToken = "11v13w3rt0k3n000000000000000000000"
)

// sim serves the demo world over plain HTTP on loopback.
func sim(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(jenkinstest.New(jenkinstest.DemoWorld()).Handler())
	t.Cleanup(s.Close)
	return s
}

// integ is an integration whose token comes from $JT.
func integ(url, user, job string) config.Integration {
	return config.Integration{Nickname: "t", URL: url, Username: user, TokenEnv: "JT", Job: job, Timeout: 5 * time.Second}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// summary is "name status" for every step, for compact comparisons.
func summary(steps []check.Step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "%s:%s ", s.Name, s.Status)
	}
	return strings.TrimSpace(b.String())
}

func step(t *testing.T, steps []check.Step, name string) check.Step {
	t.Helper()
	for _, s := range steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no step %q in %s", name, summary(steps))
	return check.Step{}
}

func TestHealthyIntegrationPassesEveryStep(t *testing.T) {
	srv := sim(t)
	var streamed []string
	steps := check.Run(context.Background(), integ(srv.URL, "admin", "payments/api-tests"),
		check.Options{Getenv: env("JT", adminToken)}, func(s check.Step) { streamed = append(streamed, s.Name) })
	if got := strings.Join(streamed, ","); got != strings.Join(check.Names, ",") {
		t.Errorf("streamed %s, want every step in order", got)
	}
	want := "config:ok proxy:ok dns:ok connect:ok tls:ok auth:ok version:ok job:ok build:ok crumb:ok"
	if got := summary(steps); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if check.Failed(steps) {
		t.Error("Failed() is true for a healthy integration")
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	for name, want := range map[string]string{
		"config":  `url ` + srv.URL + `, job "payments/api-tests"; token from $JT`,
		"proxy":   "none: requests to this machine never go through a proxy",
		"dns":     "127.0.0.1 is an IP address: nothing to look up",
		"tls":     "not used: http:// to this machine",
		"auth":    `authenticated as "admin"`,
		"version": "Jenkins 2.541.1",
		"job":     `"payments/api-tests" is a pipeline job with 6 parameters (ENVIRONMENT, COLLECTION, ITERATIONS, BAIL, NOTES, API_KEY)`,
		"build":   `"admin" may start builds of "payments/api-tests"`,
		"crumb":   "not needed: Jenkins accepted a POST without one (API tokens are exempt)",
	} {
		if s := step(t, steps, name); s.Verdict != want || s.Fix != "" {
			t.Errorf("%s: %q (fix %q), want %q", name, s.Verdict, s.Fix, want)
		}
	}
	if c := step(t, steps, "connect"); !regexp.MustCompile(`^TCP connection to ` + regexp.QuoteMeta(host) + ` in [0-9.]+(µs|ms|s)$`).MatchString(c.Verdict) {
		t.Errorf("connect: %q", c.Verdict)
	}
	for _, s := range steps {
		if strings.Contains(s.Verdict+s.Fix, adminToken) {
			t.Errorf("%s shows the token", s.Name)
		}
	}
}

func TestBadCredentialsAre401(t *testing.T) {
	srv := sim(t)
	steps := check.Run(context.Background(), integ(srv.URL, "admin", "payments/api-tests"), check.Options{Getenv: env("JT", "wrong-token")}, nil)
	want := "config:ok proxy:ok dns:ok connect:ok tls:ok auth:FAIL version:skip job:skip build:skip crumb:skip"
	if got := summary(steps); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	a := step(t, steps, "auth")
	if a.Verdict != `401: Jenkins rejected the credentials of "admin" (a 401 means the username or token is wrong, not a missing permission)` ||
		!strings.HasPrefix(a.Fix, "check username, and make a new API token in Jenkins") {
		t.Errorf("auth: %q; fix %q", a.Verdict, a.Fix)
	}
	if v := step(t, steps, "job").Verdict; v != "not checked: Jenkins did not accept the request" {
		t.Errorf("job: %q", v)
	}
	if !check.Failed(steps) {
		t.Error("Failed() is false")
	}
}

func TestReadOnlyUserMayNotBuild(t *testing.T) {
	srv := sim(t)
	steps := check.Run(context.Background(), integ(srv.URL, "viewer", "payments/api-tests"), check.Options{Getenv: env("JT", viewerToken)}, nil)
	b := step(t, steps, "build")
	if b.Status != check.Warn || b.Verdict != `"viewer" may not start builds (403: Jenkins knows "viewer" but it lacks Job/Build); run, re-run and abort will not work` {
		t.Errorf("build: %s %q", b.Status, b.Verdict)
	}
	if check.Failed(steps) {
		t.Errorf("a read-only user is a warning, not a failure: %s", summary(steps))
	}
}

// TestProbeStartsNoBuild: the build-permission probe must never queue a build.
func TestProbeStartsNoBuild(t *testing.T) {
	js := jenkinstest.New(jenkinstest.DemoWorld())
	srv := httptest.NewServer(js.Handler())
	defer srv.Close()
	for _, job := range []string{"payments/api-tests", "orders-api"} { // with and without parameters
		steps := check.Run(context.Background(), integ(srv.URL, "admin", job), check.Options{Getenv: env("JT", adminToken)}, nil)
		if b := step(t, steps, "build"); b.Status != check.Pass {
			t.Errorf("%s: build %s %q", job, b.Status, b.Verdict)
		}
	}
	resp, err := http.Get(srv.URL + "/queue/api/json?tree=items[id]")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/queue/api/json?tree=items[id]", nil)
	req.SetBasicAuth("admin", adminToken)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if strings.Contains(string(b), `"id"`) {
		t.Errorf("the queue is not empty after the checks: %s", b)
	}
}

func TestPasswordNeedsCrumb(t *testing.T) {
	srv := sim(t)
	steps := check.Run(context.Background(), integ(srv.URL, "admin", "payments/api-tests"), check.Options{Getenv: env("JT", "admin")}, nil)
	c := step(t, steps, "crumb")
	if c.Status != check.Warn || !strings.HasPrefix(c.Verdict, "needed: Jenkins wants a CSRF crumb on POST") || c.Fix != "use an API token instead of a password: tokens need no crumb" {
		t.Errorf("crumb: %s %q; fix %q", c.Status, c.Verdict, c.Fix)
	}
	if b := step(t, steps, "build"); b.Status != check.Pass {
		t.Errorf("build: %s %q", b.Status, b.Verdict)
	}
}

func TestJobProblems(t *testing.T) {
	srv := sim(t)
	cases := []struct {
		job, status, verdict, fix string
	}{
		{"payments/nope", "FAIL", `no job "payments/nope" that "admin" can see (404: it does not exist, or "admin" lacks Job/Read on it)`,
			"set job to the full name through folders (e.g. team/api-tests; a branch is project/branch with / in the branch written %2F)"},
		{"payments", "FAIL", `"payments" is a folder, not a job; it holds api-tests, legacy-smoke`, `set job to one of them, e.g. "payments/api-tests"`},
		{"payments/legacy-smoke", "warn", `"payments/legacy-smoke" is a freestyle job with 2 parameters (DATA_FILE, UPSTREAM); it is disabled, so builds cannot start`,
			"enable the job in Jenkins to run builds"},
	}
	for _, tc := range cases {
		steps := check.Run(context.Background(), integ(srv.URL, "admin", tc.job), check.Options{Getenv: env("JT", adminToken)}, nil)
		j := step(t, steps, "job")
		if j.Status.String() != tc.status || j.Verdict != tc.verdict || j.Fix != tc.fix {
			t.Errorf("%s: %s %q; fix %q\nwant %s %q; fix %q", tc.job, j.Status, j.Verdict, j.Fix, tc.status, tc.verdict, tc.fix)
		}
	}
	// A multibranch project names its branches (raw names are shown encoded).
	steps := check.Run(context.Background(), integ(srv.URL, "admin", "gateway"), check.Options{Getenv: env("JT", adminToken)}, nil)
	if j := step(t, steps, "job"); j.Status != check.Fail || !strings.HasPrefix(j.Verdict, `"gateway" is a multibranch project, not a job; it holds `) {
		t.Errorf("gateway: %s %q (%q)", j.Status, j.Verdict, j.Fix)
	}
}

func TestServerDownAndUnknownHost(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	steps := check.Run(context.Background(), integ("http://"+addr, "admin", "x"), check.Options{Getenv: env("JT", adminToken)}, nil)
	want := "config:ok proxy:ok dns:ok connect:FAIL tls:skip auth:skip version:skip job:skip build:skip crumb:skip"
	if got := summary(steps); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if c := step(t, steps, "connect"); c.Verdict != "connection to "+addr+" refused: nothing listens there" {
		t.Errorf("connect: %q", c.Verdict)
	}

	steps = check.Run(context.Background(), integ("https://jenkins.invalid", "admin", "x"), check.Options{Getenv: env("JT", adminToken)}, nil)
	d := step(t, steps, "dns")
	if d.Status != check.Fail || !strings.HasPrefix(d.Verdict, "cannot resolve jenkins.invalid: ") {
		t.Errorf("dns: %s %q", d.Status, d.Verdict)
	}
}

func TestConfigProblems(t *testing.T) {
	cases := []struct {
		in      config.Integration
		getenv  func(string) string
		verdict string
		fix     string
	}{
		{config.Integration{Nickname: "t", Job: "j"}, env(), "no Jenkins url", "set url to the root of Jenkins, e.g. https://jenkins.example.com"},
		{config.Integration{Nickname: "t", URL: "jenkins.example.com", Job: "j"}, env(), `url "jenkins.example.com" does not start with https:// or http://`, "write the url with its scheme, e.g. https://jenkins.example.com"},
		{config.Integration{Nickname: "t", URL: "https://u:p@x.example", Job: "j"}, env(), "url https://u:xxxxx@x.example carries credentials", "put the user in username and the token in token_env, and remove them from url"},
		{config.Integration{Nickname: "t", URL: "https://x.example"}, env(), "no job set", "set job to the job's full name through folders, e.g. team/api-tests"},
		{config.Integration{Nickname: "t", URL: "https://x.example", Job: "j", Username: "alice"}, env(), `username "alice" but no API token source`, "set token_env (or token_cmd, or token in a 0600 file) to the user's Jenkins API token"},
		{config.Integration{Nickname: "t", URL: "https://x.example", Job: "j", Username: "alice", TokenEnv: "JT"}, env(), `integration "t": environment variable JT is empty or not set`, "export JT=<your Jenkins API token>"},
		{config.Integration{Nickname: "t", URL: "https://x.example", Job: "j", TokenEnv: "JT"}, env("JT", "tok"), "an API token but no username", "set username to the Jenkins user the token belongs to"},
		{config.Integration{Nickname: "t", URL: "https://x.example", Job: "j", CAFile: "/nonexistent/ca.pem"}, env(), "ca_file cannot be read: open /nonexistent/ca.pem: no such file or directory", "point ca_file at the PEM bundle of your CA"},
	}
	for _, tc := range cases {
		steps := check.Run(context.Background(), tc.in, check.Options{Getenv: tc.getenv}, nil)
		c := step(t, steps, "config")
		if c.Status != check.Fail || c.Verdict != tc.verdict || c.Fix != tc.fix {
			t.Errorf("%+v:\n got %s %q; fix %q\nwant %q; fix %q", tc.in, c.Status, c.Verdict, c.Fix, tc.verdict, tc.fix)
		}
		if len(steps) != len(check.Names) || steps[1].Status != check.Skip || steps[1].Verdict != "not checked: the integration's settings are not usable" {
			t.Errorf("after a config failure: %s", summary(steps))
		}
	}
}

// tlsSim serves the demo world over TLS with httptest's certificate (for
// example.com, 127.0.0.1 and ::1) and returns it with a CA file trusting it.
func tlsSim(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(jenkinstest.New(jenkinstest.DemoWorld()).Handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the TLS step hangs up after its handshake
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

func TestTLS(t *testing.T) {
	srv, ca := tlsSim(t)
	cert := srv.Certificate()
	notAfter := cert.NotAfter.UTC().Format("2006-01-02")
	ok := func(in config.Integration, now time.Time) []check.Step {
		o := check.Options{Getenv: env("JT", adminToken)}
		if !now.IsZero() {
			o.Now = func() time.Time { return now }
		}
		return check.Run(context.Background(), in, o, nil)
	}
	base := integ(srv.URL, "admin", "payments/api-tests")

	// Unknown authority: suggests ca_file, and stops.
	steps := ok(base, time.Time{})
	s := step(t, steps, "tls")
	if s.Status != check.Fail || s.Verdict != `the certificate of 127.0.0.1 is signed by an unknown authority (issuer "Acme Co", self-signed)` ||
		s.Fix != `set ca_file to the PEM bundle of your CA ("Acme Co"); the Jenkins admins or your IT can give it` {
		t.Errorf("unknown CA: %s %q; fix %q", s.Status, s.Verdict, s.Fix)
	}
	if a := step(t, steps, "auth"); a.Status != check.Skip {
		t.Errorf("auth after a TLS failure: %s", a.Status)
	}

	// With ca_file: verified, with its expiry.
	withCA := base
	withCA.CAFile = ca
	now := time.Now()
	steps = ok(withCA, now)
	s = step(t, steps, "tls")
	days := int(cert.NotAfter.Sub(now).Hours() / 24)
	if want := fmt.Sprintf(`certificate for 127.0.0.1 verified (issued by "Acme Co"), valid until %s (%d days)`, notAfter, days); s.Status != check.Pass || s.Verdict != want {
		t.Errorf("with ca_file: %s %q, want %q", s.Status, s.Verdict, want)
	}
	if got := summary(steps); got != "config:ok proxy:ok dns:ok connect:ok tls:ok auth:ok version:ok job:ok build:ok crumb:ok" {
		t.Errorf("with ca_file: %s", got)
	}

	// Expiring soon, and expired.
	s = step(t, ok(withCA, cert.NotAfter.Add(-3*24*time.Hour)), "tls")
	if s.Status != check.Warn || !strings.HasSuffix(s.Verdict, ": it expires soon") || s.Fix != "ask the Jenkins admins to renew it before "+notAfter {
		t.Errorf("expiring: %s %q; fix %q", s.Status, s.Verdict, s.Fix)
	}
	s = step(t, ok(withCA, cert.NotAfter.Add(24*time.Hour)), "tls")
	if s.Status != check.Fail || s.Verdict != "the certificate of 127.0.0.1 expired on "+notAfter || s.Fix != "ask the Jenkins admins to renew it" {
		t.Errorf("expired: %s %q; fix %q", s.Status, s.Verdict, s.Fix)
	}

	// Wrong host name: localhost is not in the certificate.
	wrongHost := withCA
	wrongHost.URL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	s = step(t, ok(wrongHost, time.Time{}), "tls")
	if s.Status != check.Fail || s.Verdict != "the certificate is for example.com, *.example.com, 127.0.0.1, ::1, not localhost" || s.Fix != "set url to a host name the certificate names, e.g. https://example.com" {
		t.Errorf("wrong host: %s %q; fix %q", s.Status, s.Verdict, s.Fix)
	}

	// insecure = true: a warning, and the rest still runs.
	insecure := base
	insecure.Insecure = true
	steps = ok(insecure, time.Time{})
	s = step(t, steps, "tls")
	if s.Status != check.Warn || !strings.HasPrefix(s.Verdict, "verification is off (insecure = true), and it would fail: the certificate of 127.0.0.1 is signed by an unknown authority") {
		t.Errorf("insecure: %s %q", s.Status, s.Verdict)
	}
	if a := step(t, steps, "auth"); a.Status != check.Pass {
		t.Errorf("insecure: auth %s %q", a.Status, a.Verdict)
	}

	// Plain HTTP to a server that speaks TLS.
	plain := base
	plain.URL = strings.Replace(srv.URL, "https://", "http://", 1)
	steps = ok(plain, time.Time{})
	if a := step(t, steps, "auth"); a.Status != check.Fail {
		t.Errorf("http to a TLS port: auth %s %q", a.Status, a.Verdict)
	}
	// HTTPS to a server that speaks plain HTTP.
	httpSrv := sim(t)
	noTLS := base
	noTLS.URL = strings.Replace(httpSrv.URL, "http://", "https://", 1)
	s = step(t, ok(noTLS, time.Time{}), "tls")
	if s.Status != check.Fail || !strings.HasSuffix(s.Verdict, "does not speak TLS on port "+strings.Split(httpSrv.URL, ":")[2]) {
		t.Errorf("https to plain http: %s %q", s.Status, s.Verdict)
	}
}

// proxy is a forward proxy: CONNECT tunnels and absolute-URI requests. It
// sends every host to target, so example.com reaches the test server.
type proxy struct {
	target   string
	needAuth string // "user:pass" base64 when set
	mu       sync.Mutex
	connects []string
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.needAuth != "" && r.Header.Get("Proxy-Authorization") != "Basic "+p.needAuth {
		w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
		return
	}
	if r.Method == http.MethodConnect {
		p.mu.Lock()
		p.connects = append(p.connects, r.Host)
		p.mu.Unlock()
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		brw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
		brw.Flush()
		go func() { io.Copy(up, brw); up.Close() }()
		io.Copy(conn, up)
		conn.Close()
		return
	}
	r.URL.Host = p.target
	r.RequestURI = ""
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func TestThroughAProxy(t *testing.T) {
	srv, ca := tlsSim(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	px := &proxy{target: "127.0.0.1:" + port}
	ps := httptest.NewServer(px)
	defer ps.Close()
	in := integ("https://example.com:"+port, "admin", "payments/api-tests")
	in.CAFile = ca
	getenv := env("JT", adminToken, "HTTPS_PROXY", ps.URL, "NO_PROXY", "internal.example")
	steps := check.Run(context.Background(), in, check.Options{Getenv: getenv}, nil)
	if got := summary(steps); got != "config:ok proxy:ok dns:ok connect:ok tls:ok auth:ok version:ok job:ok build:ok crumb:ok" {
		t.Fatalf("through the proxy: %s\n%v", got, steps)
	}
	proxyHost := strings.TrimPrefix(ps.URL, "http://")
	for name, want := range map[string]string{
		"proxy": ps.URL + " from HTTPS_PROXY (NO_PROXY does not exclude example.com)",
		"dns":   "127.0.0.1 is an IP address: nothing to look up",
	} {
		if s := step(t, steps, name); s.Verdict != want {
			t.Errorf("%s: %q, want %q", name, s.Verdict, want)
		}
	}
	if c := step(t, steps, "connect"); !strings.HasPrefix(c.Verdict, "TCP connection to the proxy "+proxyHost+" in ") {
		t.Errorf("connect: %q", c.Verdict)
	}
	if s := step(t, steps, "tls"); !strings.HasPrefix(s.Verdict, "certificate for example.com verified") {
		t.Errorf("tls: %q", s.Verdict)
	}
	px.mu.Lock()
	if len(px.connects) == 0 || px.connects[0] != "example.com:"+port {
		t.Errorf("proxy saw CONNECT %q", px.connects)
	}
	px.mu.Unlock()

	// NO_PROXY covers the host: direct (and here, unresolvable example.com is not dialled through the proxy).
	getenv = env("JT", adminToken, "HTTPS_PROXY", ps.URL, "NO_PROXY", "example.com")
	steps = check.Run(context.Background(), in, check.Options{Getenv: getenv}, nil)
	if s := step(t, steps, "proxy"); s.Verdict != "none: example.com is bypassed by NO_PROXY, so jeeves connects directly" {
		t.Errorf("NO_PROXY: %q", s.Verdict)
	}

	// A proxy that wants credentials.
	px.needAuth = "dXNlcjpwYXNz" // user:pass
	steps = check.Run(context.Background(), in, check.Options{Getenv: env("JT", adminToken, "HTTPS_PROXY", ps.URL)}, nil)
	s := step(t, steps, "tls")
	if s.Status != check.Fail || s.Verdict != "the proxy "+ps.URL+" refused to open a tunnel to example.com:"+port+": 407 Proxy Authentication Required" ||
		s.Fix != "the proxy wants credentials: HTTPS_PROXY=http://user:password@proxy:port" {
		t.Errorf("proxy auth: %s %q; fix %q", s.Status, s.Verdict, s.Fix)
	}
	withAuth := strings.Replace(ps.URL, "http://", "http://user:pass@", 1)
	steps = check.Run(context.Background(), in, check.Options{Getenv: env("JT", adminToken, "HTTPS_PROXY", withAuth)}, nil)
	if s := step(t, steps, "tls"); s.Status != check.Pass {
		t.Errorf("proxy with credentials: tls %s %q", s.Status, s.Verdict)
	}
	if s := step(t, steps, "proxy"); strings.Contains(s.Verdict, "pass") {
		t.Errorf("the proxy password is shown: %q", s.Verdict)
	}
}

// TestPlainHTTPElsewhereWarns: http:// to another machine sends the token in clear.
func TestPlainHTTPElsewhereWarns(t *testing.T) {
	srv := sim(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	ps := httptest.NewServer(&proxy{target: "127.0.0.1:" + port})
	defer ps.Close()
	steps := check.Run(context.Background(), integ("http://jenkins.example.com:"+port, "admin", "payments/api-tests"),
		check.Options{Getenv: env("JT", adminToken, "HTTP_PROXY", ps.URL)}, nil)
	s := step(t, steps, "tls")
	if s.Status != check.Warn || s.Verdict != "not used: the url is http://, so the API token crosses the network unencrypted" || s.Fix != "use https:// if Jenkins offers it" {
		t.Errorf("tls: %s %q; fix %q", s.Status, s.Verdict, s.Fix)
	}
	if a := step(t, steps, "auth"); a.Status != check.Pass {
		t.Errorf("auth through the HTTP proxy: %s %q", a.Status, a.Verdict)
	}
}

func TestInterruptedSkipsTheRest(t *testing.T) {
	srv := sim(t)
	ctx, cancel := context.WithCancel(context.Background())
	var n int
	steps := check.Run(ctx, integ(srv.URL, "admin", "payments/api-tests"), check.Options{Getenv: env("JT", adminToken)}, func(s check.Step) {
		if n++; s.Name == "connect" {
			cancel()
		}
	})
	if got := summary(steps); got != "config:ok proxy:ok dns:ok connect:ok tls:skip auth:skip version:skip job:skip build:skip crumb:skip" {
		t.Errorf("got %s", got)
	}
	if v := steps[4].Verdict; v != "not checked: interrupted" {
		t.Errorf("tls: %q", v)
	}
}

// Interrupted while Jenkins is slow to answer: the step in progress is not
// reported as a failure of Jenkins ("cannot ask Jenkins who we are: context
// canceled"), it is skipped like the rest.
func TestInterruptedDuringAStep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the user presses Ctrl-C while jeeves waits for this answer
		<-r.Context().Done()
	}))
	defer hang.Close()
	steps := check.Run(ctx, integ(hang.URL, "admin", "payments/api-tests"), check.Options{Getenv: env("JT", adminToken)}, nil)
	if got := summary(steps); got != "config:ok proxy:ok dns:ok connect:ok tls:ok auth:skip version:skip job:skip build:skip crumb:skip" {
		t.Errorf("got %s", got)
	}
	for _, s := range steps[5:] {
		if s.Verdict != "not checked: interrupted" {
			t.Errorf("%s: %q", s.Name, s.Verdict)
		}
	}
}
