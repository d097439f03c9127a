package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

const (
	runAdminToken  = "run-admin-token-0000000000000000000"
	runViewerToken = "run-viewer-token-000000000000000000"
)

// runWorldSim serves testdata/run/world.toml and shortens run's poll intervals.
func runWorldSim(t *testing.T) (*httptest.Server, *jenkinstest.Server) {
	t.Helper()
	w, err := jenkinstest.LoadWorld(filepath.Join("testdata", "run", "world.toml"))
	if err != nil {
		t.Fatal(err)
	}
	js := jenkinstest.New(w)
	srv := httptest.NewServer(js.Handler())
	t.Cleanup(srv.Close)
	q, b := runQueuePoll, runBuildPoll
	runQueuePoll, runBuildPoll = 20*time.Millisecond, 50*time.Millisecond
	t.Cleanup(func() { runQueuePoll, runBuildPoll = q, b })
	return srv, js
}

func runConfig(t *testing.T, url string) string {
	t.Helper()
	var b strings.Builder
	for _, in := range []struct{ nick, user, env, job string }{
		{"API", "admin", "JT", "api"},
		{"Broken", "admin", "JT", "broken"},
		{"Team", "admin", "JT", "team"},
		{"Off", "admin", "JT", "off"},
		{"Viewer", "viewer", "JV", "api"},
		{"Missing", "admin", "JT", "nope"},
		{"BadToken", "admin", "JBAD", "api"},
		{"Slow", "admin", "JT", "slow"},
	} {
		b.WriteString("[[integration]]\nnickname = \"" + in.nick + "\"\nurl = \"" + url + "\"\nusername = \"" + in.user +
			"\"\ntoken_env = \"" + in.env + "\"\njob = \"" + in.job + "\"\n\n")
	}
	return writeConfig(t, b.String())
}

var runEnv = map[string]string{"JT": runAdminToken, "JV": runViewerToken, "JBAD": "wrong"}

// runEnvWithStore is runEnv with a fresh store file.
func runEnvWithStore(t *testing.T) map[string]string {
	m := map[string]string{"JEEVES_STORE": filepath.Join(t.TempDir(), "jeeves.db")}
	for k, v := range runEnv {
		m[k] = v
	}
	return m
}

var afterRE = regexp.MustCompile(`after [0-9.]+(µs|ms|s)\b`)

func runNorm(srvURL, s string) string {
	s = strings.ReplaceAll(s, srvURL, "<sim>")
	return afterRE.ReplaceAllString(s, "after <dur>")
}

// queued lists the parameters of every build of job the server knows about
// (history and triggered), to see what a trigger sent.
func buildParams(t *testing.T, srvURL, job string, number int) map[string]string {
	t.Helper()
	req, _ := http.NewRequest("GET", srvURL+"/job/"+job+"/"+itoa(number)+"/api/json?tree=actions[parameters[name,value]]", nil)
	req.SetBasicAuth("admin", runAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Actions []struct {
			Parameters []struct {
				Name  string `json:"name"`
				Value any    `json:"value"`
			} `json:"parameters"`
		} `json:"actions"`
	}
	json.NewDecoder(resp.Body).Decode(&v)
	out := map[string]string{}
	for _, a := range v.Actions {
		for _, p := range a.Parameters {
			out[p.Name] = strings.TrimSpace(strings.Trim(mustJSON(p.Value), `"`))
		}
	}
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRunPrintsQueueItemThenBuild(t *testing.T) {
	srv, _ := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	code, out, errOut := runCLI(t, runEnv, "run", "--config", cfg, "-i", "API", "-p", "ENV=production", "-p", "DRY_RUN=TRUE", "-p", "API_KEY=hunter2")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	cmdGolden(t, "run", "no-wait.golden", runNorm(srv.URL, out))
	if strings.Contains(out, "hunter2") {
		t.Error("the password parameter is printed")
	}
	// What Jenkins got: the given values, booleans normalised, defaults for the rest.
	got := buildParams(t, srv.URL, "api", 3)
	if got["ENV"] != "production" || got["DRY_RUN"] != "true" || got["NOTE"] != "" {
		t.Errorf("build #3 parameters: %v", got)
	}
}

func TestRunWaitSuccess(t *testing.T) {
	srv, _ := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	code, out, errOut := runCLI(t, runEnvWithStore(t), "run", "--config", cfg, "-i", "API", "--wait")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	cmdGolden(t, "run", "wait-success.golden", runNorm(srv.URL, out))
}

func TestRunWaitFailedBuildExitsOne(t *testing.T) {
	srv, _ := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	code, out, errOut := runCLI(t, runEnvWithStore(t), "run", "--config", cfg, "-i", "Broken", "--wait")
	if code != exitFail || errOut != "jeeves: build #1 of \"broken\" finished failure\n" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	cmdGolden(t, "run", "wait-failure.golden", runNorm(srv.URL, out))
}

func TestRunJSON(t *testing.T) {
	srv, _ := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	code, out, _ := runCLI(t, runEnvWithStore(t), "run", "--config", cfg, "-i", "Broken", "--wait", "--json")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if d, _ := v["duration_ms"].(float64); d <= 0 {
		t.Errorf("duration_ms %v", v["duration_ms"])
	}
	v["duration_ms"] = 0
	got, _ := json.MarshalIndent(v, "", "  ")
	cmdGolden(t, "run", "wait-failure.json", runNorm(srv.URL, string(got))+"\n")

	code, out, _ = runCLI(t, runEnv, "run", "--config", cfg, "-i", "API", "--json")
	var nw runJSON
	if code != exitOK || json.Unmarshal([]byte(out), &nw) != nil || !nw.Building || nw.Status != "running" || nw.Number != 3 ||
		nw.QueueURL != srv.URL+"/queue/item/"+itoa(int(nw.QueueID))+"/" || nw.URL != srv.URL+"/job/api/3/" || nw.Collections != nil {
		t.Errorf("run --json without --wait: exit %d\n%s", code, out)
	}
}

func TestRunParameterErrors(t *testing.T) {
	srv, js := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-i", "API", "-p", "ENVIRONMENT=staging"}, `jeeves run: unknown parameter "ENVIRONMENT" for "api"; its parameters: ENV (choice: staging|production), DRY_RUN (true|false), NOTE (string), API_KEY (password)`},
		{[]string{"-i", "API", "-p", "env=staging"}, `jeeves run: unknown parameter "env" for "api" (did you mean ENV?); its parameters: ENV (choice: staging|production), DRY_RUN (true|false), NOTE (string), API_KEY (password)`},
		{[]string{"-i", "API", "-p", "ENV=prod"}, `jeeves run: parameter ENV: "prod" is not one of its choices; allowed: staging, production`},
		{[]string{"-i", "API", "-p", "DRY_RUN=yes"}, `jeeves run: parameter DRY_RUN is a boolean: "yes" must be true or false`},
		{[]string{"-i", "API", "-p", "ENV"}, `jeeves run: invalid value "ENV" for flag -p: want KEY=VALUE, got "ENV" (see 'jeeves run --help')`},
		{[]string{"-i", "API", "-p", "ENV=staging", "-p", "ENV=production"}, `jeeves run: invalid value "ENV=production" for flag -p: parameter ENV given twice (see 'jeeves run --help')`},
		{[]string{"-i", "Broken", "-p", "X=1"}, `jeeves run: "broken" takes no parameters, but -p X was given`},
		{[]string{"-i", "Team"}, `jeeves run: "team" is a folder, not a job; fix: set job to one of its jobs, e.g. "team/tests" in the config`},
		{[]string{"-i", "Off"}, `jeeves run: "off" is disabled in Jenkins, so it cannot build; fix: enable it`},
		{[]string{"-i", "nope"}, `jeeves: no integration named "nope"; configured: "API", "Broken", "Team", "Off", "Viewer", "Missing", "BadToken", "Slow"`},
		{[]string{"-i", "API", "extra"}, `jeeves run: unexpected argument "extra"; give parameters with -p KEY=VALUE`},
		{[]string{"-i", "Missing"}, `jeeves: read job "nope" on <sim>: job "nope" was not found (HTTP 404); check the name, and that "admin" may see it`},
	}
	for _, tc := range cases {
		args := append([]string{"run", "--config", cfg}, tc.args...)
		code, out, errOut := runCLI(t, runEnv, args...)
		errOut = oneJeevesPrefix(errOut)
		if code != exitUsage || out != "" || runNorm(srv.URL, errOut) != tc.want+"\n" {
			t.Errorf("%q: exit %d, stdout %q\nstderr %s\nwant   %s", tc.args, code, out, runNorm(srv.URL, errOut), tc.want)
		}
	}
	// Nothing was triggered by any of them.
	if st := js.Stats(); st["trigger"].Requests != 0 {
		t.Errorf("a refused run sent %d trigger requests", st["trigger"].Requests)
	}
}

func TestRunConnectionAndAuthErrors(t *testing.T) {
	srv, _ := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	// Bad credentials: exit 3 with the client's one line.
	code, out, errOut := runCLI(t, runEnv, "run", "--config", cfg, "-i", "BadToken")
	if code != exitConn || out != "" || !strings.HasPrefix(errOut, `jeeves: read job "api" on `+srv.URL+`: bad credentials for user "admin"`) {
		t.Errorf("bad token: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A read-only user: Jenkins refuses the trigger, exit 3.
	code, out, errOut = runCLI(t, runEnv, "run", "--config", cfg, "-i", "Viewer")
	if code != exitConn || out != "" || !strings.Contains(errOut, `user "viewer"`) {
		t.Errorf("viewer: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Server down: exit 3.
	down := runConfig(t, "http://"+deadAddr(t))
	code, _, errOut = runCLI(t, runEnv, "run", "--config", down, "-i", "API")
	if code != exitConn || !strings.Contains(errOut, "refused") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("down: exit %d, stderr %q", code, errOut)
	}
}

// runOutBuffer is a goroutine-safe buffer for output read while run runs.
type runOutBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *runOutBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *runOutBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunInterruptDoesNotAbort: cancelling --wait stops following; the build
// is not aborted and finishes on its own.
func TestRunInterruptDoesNotAbort(t *testing.T) {
	srv, js := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut runOutBuffer
	done := make(chan int)
	get := func(k string) string { return runEnv[k] }
	go func() {
		done <- run(ctx, []string{"run", "--config", cfg, "-i", "API", "--wait"}, &out, &errOut, strings.NewReader(""), get)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "build:") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	code := <-done
	if code != exitFail || !strings.HasPrefix(errOut.String(), "jeeves: interrupted: stopped following build #3; it keeps running") {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, errOut.String(), out.String())
	}
	if st := js.Stats(); st["stop"].Requests != 0 {
		t.Errorf("the build was stopped: %d stop requests", st["stop"].Requests)
	}
	// The build runs to its end anyway.
	var status string
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", srv.URL+"/job/api/3/api/json?tree=building,result", nil)
		req.SetBasicAuth("admin", runAdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b struct {
			Building bool   `json:"building"`
			Result   string `json:"result"`
		}
		json.NewDecoder(resp.Body).Decode(&b)
		resp.Body.Close()
		if !b.Building {
			status = b.Result
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status != "SUCCESS" {
		t.Errorf("build #3 ended %q, want SUCCESS (not aborted)", status)
	}
}

// startRun runs jeeves in the background and waits until its output holds want.
func startRun(t *testing.T, ctx context.Context, want string, args ...string) (*runOutBuffer, *runOutBuffer, chan int) {
	t.Helper()
	var out, errOut runOutBuffer
	done := make(chan int, 1)
	get := func(k string) string { return runEnv[k] }
	go func() { done <- run(ctx, args, &out, &errOut, strings.NewReader(""), get) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output after 10s: %q %q", want, out.String(), errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return &out, &errOut, done
}

func adminPost(t *testing.T, url string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url, nil)
	req.SetBasicAuth("admin", runAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRunQueueItemCancelled: a queued build cancelled in Jenkins ends run with 1.
func TestRunQueueItemCancelled(t *testing.T) {
	srv, _ := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	_, errOut, done := startRun(t, context.Background(), "queued:", "run", "--config", cfg, "-i", "Slow", "--wait")
	if code := adminPost(t, srv.URL+"/queue/cancelItem?id=3"); code != http.StatusNoContent {
		t.Fatalf("cancelItem: %d", code)
	}
	select {
	case code := <-done:
		if code != exitFail || errOut.String() != "jeeves: queue item 3 was cancelled before its build started\n" {
			t.Errorf("exit %d, stderr %q", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not notice the cancelled item")
	}
}

// TestRunInterruptWhileQueued leaves the item in the queue.
func TestRunInterruptWhileQueued(t *testing.T) {
	srv, _ := runWorldSim(t)
	cfg := runConfig(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	_, errOut, done := startRun(t, ctx, "queued:", "run", "--config", cfg, "-i", "Slow")
	cancel()
	if code := <-done; code != exitFail || errOut.String() != "jeeves: interrupted: stopped following queue item 3; it stays queued\n" {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	req, _ := http.NewRequest("GET", srv.URL+"/queue/item/3/api/json?tree=cancelled,why", nil)
	req.SetBasicAuth("admin", runAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var it struct {
		Cancelled bool    `json:"cancelled"`
		Why       *string `json:"why"`
	}
	json.NewDecoder(resp.Body).Decode(&it)
	resp.Body.Close()
	if it.Cancelled || it.Why == nil {
		t.Errorf("queue item 3 after the interrupt: cancelled %v, why %v; want still waiting", it.Cancelled, it.Why)
	}
}

// Parameter names and choices come from Jenkins: a hostile job cannot put
// escape sequences on the user's terminal through run's error messages.
func TestRunParameterErrorsCleanServerText(t *testing.T) {
	defs := []jenkins.ParamDef{
		{Name: "P\x1b[2J", Type: jenkins.ParamChoice, Choices: []string{"a\x1b[2Jb", "c"}},
		{Name: "Q\x1b]0;pwned\x07", Type: jenkins.ParamString},
	}
	cases := []struct {
		key, val, want string
	}{
		{"X", "1", `jeeves run: unknown parameter "X" for "evil"; its parameters: P (choice: ab|c), Q (string)`},
		{"p\x1b[2j", "1", `jeeves run: unknown parameter "p\x1b[2j" for "evil" (did you mean P?); its parameters: P (choice: ab|c), Q (string)`},
		{"P\x1b[2J", "zz", `jeeves run: parameter P: "zz" is not one of its choices; allowed: ab, c`},
	}
	for _, tc := range cases {
		p := paramFlags{keys: []string{tc.key}, vals: map[string]string{tc.key: tc.val}}
		_, err := checkParams("evil", defs, p)
		if err == nil {
			t.Fatalf("-p %q=%q: no error", tc.key, tc.val)
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("-p %q=%q:\n got %q\nwant %q", tc.key, tc.val, got, tc.want)
		}
	}
}
