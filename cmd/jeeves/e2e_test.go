package main

// End-to-end tests and measurements of the dashboard: the real jeeves binary
// in a real terminal (tmux) against the simulated Jenkins, started in-process
// on a loopback port. They skip when tmux is missing (CI=true: fail).

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/tmuxtest"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
	jreport "github.com/jeeves-dev/jeeves/report"
)

const e2eRoot = "../.." // the repository root, from cmd/jeeves

// e2eSim serves w on a free loopback port until the end of the test.
func e2eSim(tb testing.TB, w *jenkinstest.World, opts ...jenkinstest.Option) *jenkinstest.Server {
	tb.Helper()
	srv := jenkinstest.New(w, append([]jenkinstest.Option{jenkinstest.WithAddr("127.0.0.1:0")}, opts...)...)
	if err := srv.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return srv
}

// e2eClient is a Jenkins client of the test itself, to learn what the
// simulator holds and to act on it behind the dashboard's back.
func e2eClient(tb testing.TB, srv *jenkinstest.Server) *jenkins.Client {
	tb.Helper()
	user, token := srv.Credentials()
	c, err := jenkins.New(jenkins.Options{BaseURL: srv.URL(), Username: user, Token: config.NewSecret(token)})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// e2eDash is one dashboard run: its config and store live in dir.
type e2eDash struct {
	*tmuxtest.Term
	dir string
}

// writeE2EConfig writes dir/config.toml with one integration on srv whose
// token comes from $JEEVES_E2E_TOKEN. refresh "" keeps the default.
func writeE2EConfig(tb testing.TB, dir string, srv *jenkinstest.Server, nick, job, refresh string) {
	tb.Helper()
	user, _ := srv.Credentials()
	writeE2EConfigURL(tb, dir, srv.URL(), user, nick, job, refresh)
}

// writeE2EConfigURL is writeE2EConfig for a Jenkins at url.
func writeE2EConfigURL(tb testing.TB, dir, url, user, nick, job, refresh string) {
	tb.Helper()
	var b strings.Builder
	if refresh != "" {
		fmt.Fprintf(&b, "refresh = %q\n\n", refresh)
	}
	fmt.Fprintf(&b, "[[integration]]\nnickname = %q\nurl = %q\nusername = %q\ntoken_env = \"JEEVES_E2E_TOKEN\"\njob = %q\n",
		nick, url, user, job)
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// e2eStartDash runs the real binary in tmux at w x h with dir's config and store.
func e2eStartDash(tb testing.TB, bin string, w, h int, dir string, srv *jenkinstest.Server) *e2eDash {
	tb.Helper()
	_, token := srv.Credentials()
	env := []string{"JEEVES_E2E_TOKEN=" + token, "XDG_STATE_HOME=" + dir, "XDG_CONFIG_HOME=" + dir,
		"JEEVES_CONFIG=", "JEEVES_STORE=", "NO_COLOR=", "LANG=C.UTF-8"}
	tm := tmuxtest.Start(tb, w, h, dir, env, bin, "--config", filepath.Join(dir, "config.toml"),
		"--store", filepath.Join(dir, "jeeves.db"))
	return &e2eDash{Term: tm, dir: dir}
}

var (
	e2eRowRE = regexp.MustCompile(`[▸▾] #(\d+)\s+\S+ (running|success|failure|unstable|aborted|not built)`)
	// header: fresh data from the server ("data just now", "data 5s"), not offline or stored
	e2eFreshRE = regexp.MustCompile(`(^|\s)data (just now|\d+s)\b`)
)

type e2eRow struct {
	n      int
	status string
}

// rows are the build rows on the screen, top to bottom.
func e2eRows(screen string) []e2eRow {
	var out []e2eRow
	for _, m := range e2eRowRE.FindAllStringSubmatch(screen, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, e2eRow{n, m[2]})
	}
	return out
}

func e2eRowStatus(screen string, n int) string {
	for _, r := range e2eRows(screen) {
		if r.n == n {
			return r.status
		}
	}
	return ""
}

func e2eHeader(screen string) string {
	line, _, _ := strings.Cut(screen, "\n")
	return line
}

// fresh reports whether the header shows data fresh from the server.
func e2eFresh(screen string) bool {
	h := e2eHeader(screen)
	return e2eFreshRE.MatchString(h) && !strings.Contains(h, "offline") && !strings.Contains(h, "connecting")
}

// escape sends Escape on its own: a key sent right after it would read as alt+key.
func (d *e2eDash) escape() {
	d.Keys("Escape")
	time.Sleep(300 * time.Millisecond)
}

func (d *e2eDash) waitDead(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !d.Dead() {
		if time.Now().After(deadline) {
			tb.Fatalf("jeeves did not exit; screen:\n%s", d.Screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func e2eTotals(srv *jenkinstest.Server) (reqs int, n int64) {
	for _, st := range srv.Stats() {
		reqs += st.Requests
		n += st.Bytes
	}
	return reqs, n
}

func e2eStatsLine(srv *jenkinstest.Server) string {
	st := srv.Stats()
	kinds := make([]string, 0, len(st))
	for k := range st {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "%s=%d/%dB ", k, st[k].Requests, st[k].Bytes)
	}
	return b.String()
}

// e2eFirstFailedAssertion is the first failed assertion of the first failed
// request in a newman report: what expanding a failed build must show.
func e2eFirstFailedAssertion(tb testing.TB, name string) (jreport.Execution, jreport.Assertion) {
	tb.Helper()
	b, err := jenkinstest.DemoFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := jreport.Parse(bytes.NewReader(b), name, jreport.Options{})
	if err != nil || len(res.Collections) == 0 {
		tb.Fatalf("parse %s: %v", name, err)
	}
	for _, e := range res.Collections[0].Executions {
		for _, a := range e.Assertions {
			if a.Status == jreport.Failed {
				return e, a
			}
		}
	}
	tb.Fatalf("%s has no failed assertion", name)
	return jreport.Execution{}, jreport.Assertion{}
}

// TestE2EDashboard runs the real binary against the simulated Jenkins: open,
// filter to failed, expand a failed build down to one failed assertion's
// message, run a parameterized build and see it queue, run and finish while
// following its log, abort another build, quit.
func TestE2EDashboard(t *testing.T) {
	tmuxtest.Require(t)
	t.Parallel() // each has its own simulator, tmux server and store
	bin := tmuxtest.Build(t, e2eRoot)
	w, err := jenkinstest.LoadWorld("testdata/e2e/world.toml")
	if err != nil {
		t.Fatal(err)
	}
	srv := e2eSim(t, w, jenkinstest.WithTimeScale(0.05))
	const job = "shop/api-tests"
	ctx := context.Background()
	builds, err := e2eClient(t, srv).Builds(ctx, job, 0)
	if err != nil {
		t.Fatal(err)
	}
	var failed []int
	running := 0
	for _, b := range builds {
		switch {
		case b.Building:
			running = b.Number
		case b.Status == jenkins.StatusFailure:
			failed = append(failed, b.Number)
		}
	}
	if len(failed) == 0 || running == 0 || builds[0].Number != running {
		t.Fatalf("the world must have failed builds and its newest running: failed %v running %d", failed, running)
	}
	next := running + 1
	exec, assertion := e2eFirstFailedAssertion(t, "newman-fail.json")

	dir := t.TempDir()
	writeE2EConfig(t, dir, srv, "Shop API", job, "2s")
	d := e2eStartDash(t, bin, 120, 40, dir, srv)

	// open: the builds of the job, fresh from the server, with their counts
	s := d.WaitUntil("the builds list from the server", 20*time.Second, func(s string) bool {
		return e2eFresh(s) && e2eRowStatus(s, running) == "running"
	})
	want := fmt.Sprintf("All %d", len(builds))
	if !strings.Contains(s, want) || !strings.Contains(s, fmt.Sprintf("Failed %d", len(failed))) || !strings.Contains(s, "Running 1") {
		t.Fatalf("filter bar lacks %q, Failed %d, Running 1:\n%s", want, len(failed), s)
	}
	if !strings.Contains(s, "Shop API") {
		t.Fatalf("integration not shown:\n%s", s)
	}

	// filter: f cycles until only the failed builds are listed
	var got []int
	for range 8 {
		before := d.Screen()
		d.Keys("f")
		s = d.WaitUntil("the filter to change", 5*time.Second, func(s string) bool { return s != before })
		time.Sleep(200 * time.Millisecond)
		s = d.Screen()
		got = got[:0]
		all := true
		for _, r := range e2eRows(s) {
			got = append(got, r.n)
			all = all && r.status == "failure"
		}
		if all && len(got) > 0 {
			break
		}
	}
	if !slices.Equal(got, failed) {
		t.Fatalf("failed filter lists %v, want %v:\n%s", got, failed, s)
	}

	// expand the newest failed build down to its first failed assertion
	d.Keys("Enter")
	s = d.WaitFor("newman · 8 requests", 20*time.Second)
	if !strings.Contains(s, fmt.Sprintf("▾ #%d", failed[0])) {
		t.Fatalf("#%d not expanded:\n%s", failed[0], s)
	}
	d.Keys("j", "Enter")
	reqLine := "✘ " + exec.Method + " " + exec.Folder + "/" + exec.Name
	if exec.Folder == "" {
		reqLine = "✘ " + exec.Method + " " + exec.Name
	}
	d.WaitFor(reqLine, 10*time.Second)
	d.Keys("j", "Enter")
	msg := assertion.Name + ": " + assertion.Message
	if len(msg) > 54 {
		msg = msg[:54]
	}
	// NEW when it passed in the previous build with results
	s = d.WaitUntil(msg, 10*time.Second, func(s string) bool {
		return strings.Contains(s, "✘ "+msg) || strings.Contains(s, "✘ NEW "+msg)
	})
	t.Logf("failed assertion on screen: %s", msg)

	// back to all builds
	d.Keys("F")
	s = d.WaitUntil("all builds again", 5*time.Second, func(s string) bool { return e2eRowStatus(s, running) == "running" })

	// run a parameterized build: change the choice, confirm once
	d.Keys("b")
	s = d.WaitFor("ENVIRONMENT", 5*time.Second)
	for _, p := range []string{"run build", "COLLECTION", "collections/orders.json", "BAIL", "staging"} {
		if !strings.Contains(s, p) {
			t.Fatalf("run form lacks %q:\n%s", p, s)
		}
	}
	d.Keys("Right")
	time.Sleep(200 * time.Millisecond)
	d.Keys("Enter")
	s = d.WaitFor("Run "+job+" with", 5*time.Second)
	d.Keys("y")
	d.WaitUntil("the queued item", 10*time.Second, func(s string) bool { return strings.Contains(s, "queued") })
	s = d.WaitUntil(fmt.Sprintf("#%d running", next), 20*time.Second, func(s string) bool { return e2eRowStatus(s, next) == "running" })
	if st := srv.Stats()["trigger"]; st.Requests != 1 {
		t.Fatalf("%d trigger requests, want 1", st.Requests)
	}

	// follow its log until it finishes
	d.Keys("c")
	s = d.WaitFor(fmt.Sprintf("console #%d", next), 5*time.Second)
	d.WaitFor("Started by user Alice Tester", 10*time.Second)
	if !strings.Contains(e2eHeader(d.Screen()), "following") {
		t.Fatalf("log of a running build is not followed:\n%s", d.Screen())
	}
	s = d.WaitFor("Finished: SUCCESS", 30*time.Second)
	d.WaitUntil("the log to stop following", 10*time.Second, func(s string) bool { return !strings.Contains(e2eHeader(s), "following") })
	d.escape()
	s = d.WaitUntil(fmt.Sprintf("#%d success", next), 20*time.Second, func(s string) bool { return e2eRowStatus(s, next) == "success" })
	if !strings.Contains(s, "ENVIRONMENT=production") {
		t.Fatalf("#%d's parameters not shown (want ENVIRONMENT=production):\n%s", next, s)
	}

	// abort the other running build
	d.Keys("j")
	d.WaitFor(fmt.Sprintf("#%d · started", running), 10*time.Second) // after any toast (5 s)
	d.Keys("x")
	d.WaitFor(fmt.Sprintf("Abort build #%d?", running), 10*time.Second)
	d.Keys("y")
	d.WaitUntil(fmt.Sprintf("#%d aborted", running), 20*time.Second, func(s string) bool { return e2eRowStatus(s, running) == "aborted" })
	if st := srv.Stats()["stop"]; st.Requests != 1 {
		t.Fatalf("%d stop requests, want 1", st.Requests)
	}

	d.Keys("q")
	d.waitDead(t, 5*time.Second)
	t.Logf("server: %s", e2eStatsLine(srv))

	// the token reached neither the terminal nor the dashboard's log
	_, token := srv.Credentials()
	if bytes.Contains(d.Output(), []byte(token)) {
		t.Error("the API token was written to the terminal")
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "jeeves", "*.log"))
	if len(logs) == 0 {
		t.Errorf("no dashboard log in %s (a trigger and an abort are logged)", filepath.Join(dir, "jeeves"))
	}
	for _, l := range logs {
		if b, err := os.ReadFile(l); err == nil && bytes.Contains(b, []byte(token)) {
			t.Errorf("the API token is in %s", l)
		}
	}
}

// TestE2EOutage takes the simulated Jenkins down under the running dashboard:
// it keeps answering keys, shows that it is offline with the data's age and
// the last error, and recovers by itself when Jenkins is back.
func TestE2EOutage(t *testing.T) {
	tmuxtest.Require(t)
	t.Parallel() // each has its own simulator, tmux server and store
	bin := tmuxtest.Build(t, e2eRoot)
	w, err := jenkinstest.LoadWorld("testdata/e2e/world.toml")
	if err != nil {
		t.Fatal(err)
	}
	srv := e2eSim(t, w, jenkinstest.WithTimeScale(0.05))
	const job = "shop/api-tests"
	dir := t.TempDir()
	writeE2EConfig(t, dir, srv, "Shop API", job, "1s")
	d := e2eStartDash(t, bin, 80, 24, dir, srv)
	s := d.WaitUntil("the builds list from the server", 20*time.Second, func(s string) bool {
		return e2eFresh(s) && e2eRowStatus(s, 12) == "running" && e2eRowStatus(s, 11) != ""
	})
	// the results of the builds on screen load in the background; let them
	time.Sleep(2 * time.Second)

	const outage = 15 * time.Second
	if err := srv.Outage(outage); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	s = d.WaitUntil("the offline state", 10*time.Second, func(s string) bool {
		return strings.Contains(e2eHeader(s), "offline") && strings.Contains(s, "last error:")
	})
	if !regexp.MustCompile(`offline · data (just now|\d+s)`).MatchString(e2eHeader(s)) {
		t.Errorf("offline header without the data's age: %q", e2eHeader(s))
	}
	if !strings.Contains(s, "last error: poll job \""+job+"\"") || !strings.Contains(s, "connection to") {
		t.Errorf("last error does not say what failed:\n%s", s)
	}
	t.Logf("offline after %v: %s", time.Since(down).Round(100*time.Millisecond), strings.TrimSpace(e2eHeader(s)))

	// still answers keys: the cursor moves, a build expands and collapses, help opens
	d.Keys("j")
	time.Sleep(200 * time.Millisecond)
	d.Keys("Enter")
	d.WaitFor("▾ #11", 3*time.Second)
	d.Keys("Left")
	d.WaitFor("▸ #11", 3*time.Second)
	d.Keys("?")
	s = d.WaitFor("page down", 3*time.Second)
	if h := e2eHeader(s); !strings.Contains(h, "keys") || !strings.Contains(h, "offline") {
		t.Errorf("help header %q: want the keys title and the offline state", h)
	}
	d.escape()
	d.WaitFor("last error:", 3*time.Second)
	if !srv.Down() {
		t.Fatalf("the outage ended (%v) before the keys were checked; lengthen it", time.Since(down))
	}

	// back: polling resumes by itself, the error goes, new builds show
	s = d.WaitUntil("recovery", 40*time.Second, func(s string) bool {
		return e2eFresh(s) && !strings.Contains(s, "last error:")
	})
	t.Logf("recovered %v after the outage began", time.Since(down).Round(100*time.Millisecond))
	if _, err := e2eClient(t, srv).Trigger(context.Background(), job, map[string]string{"ENVIRONMENT": "staging"}); err != nil {
		t.Fatal(err)
	}
	d.WaitUntil("the build triggered after the outage", 20*time.Second, func(s string) bool {
		return e2eRowStatus(s, 13) != ""
	})
	d.Keys("q")
	d.waitDead(t, 5*time.Second)
}

// e2eHostile is server text that would clear the screen and the scrollback, set
// the window title, write the clipboard (OSC 52), reset the terminal, and do
// the same with 8-bit C1 controls, between two copies of tag. Stripped of
// every control sequence it reads "[tagtag]".
func e2eHostile(tag string) string {
	return "[" + tag + "\x1b[2J\x1b[3J\x1b[H\x1b]0;PWNED-" + tag + "\x07\x1b]2;PWNED-" + tag + "\x1b\\" +
		"\x1b]52;c;UFdORUQ=\x07\x1bc\u009b2J\u009d0;PWNED-" + tag + "\u009c\a" + tag + "]"
}

func e2eHostileShown(tag string) string { return "[" + tag + tag + "]" }

// e2eTOMLString quotes s as a TOML basic string, control characters as \uXXXX.
func e2eTOMLString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// e2eJSONInner is s JSON-escaped, without the quotes.
func e2eJSONInner(tb testing.TB, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b[1 : len(b)-1])
}

// e2eHostileWorld writes a world whose user name (so causes), parameter
// defaults and descriptions, console log, and newman report (collection,
// request and assertion names, assertion messages) carry hostile text.
func e2eHostileWorld(tb testing.TB) *jenkinstest.World {
	tb.Helper()
	dir := tb.TempDir()
	rep, err := jenkinstest.DemoFile("newman-fail.json")
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range []struct{ old, tag string }{
		{`"name": "Orders API"`, "COLL"},
		{`"name": "Service is up"`, "REQ"},
		{`"assertion": "Runs a release build"`, "ASSERT"},
		{`"message": "expected '1.9.0-rc1'`, "MSG"},
	} {
		if !bytes.Contains(rep, []byte(r.old)) {
			tb.Fatalf("newman-fail.json no longer has %s", r.old)
		}
		quote := strings.LastIndexByte(r.old, '"')
		repl := r.old[:quote] + e2eJSONInner(tb, e2eHostile(r.tag)) + r.old[quote:]
		if r.tag == "MSG" { // before the message
			repl = `"message": "` + e2eJSONInner(tb, e2eHostile(r.tag)) + `expected '1.9.0-rc1'`
		}
		rep = bytes.ReplaceAll(rep, []byte(r.old), []byte(repl))
	}
	log := "Hostile tool output follows\n" + e2eHostile("LOG") + "\n\x1b[31mred is fine\x1b[0m\n" + e2eHostile("LOG2") + "\r\n"
	for name, b := range map[string][]byte{"newman.json": rep, "console.txt": []byte(log)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	world := `seed = 11
[[user]]
id = "mallory"
name = ` + e2eTOMLString("Mallory"+e2eHostile("CAUSE")) + `
tokens = ["h0st1l3t0k3n0000000000000000000000"]

[[job]]
path = "evil"
kind = "freestyle"
display_name = ` + e2eTOMLString(e2eHostile("JOBNAME")) + `
description = ` + e2eTOMLString(e2eHostile("JOBDESC")) + `
console_pass = "console.txt"
console_fail = "console.txt"

  [[job.param]]
  name = "TARGET"
  type = "string"
  default = ` + e2eTOMLString(e2eHostile("PDEF")) + `
  description = ` + e2eTOMLString(e2eHostile("PDESC")) + `

  [job.history]
  count = 8
  days = 2
  duration = ["1m", "2m"]
  outcomes = { FAILURE = 1.0 }

  [[job.artifact]]
  path = "reports/newman.json"
  pass = "newman.json"
`
	path := filepath.Join(dir, "world.toml")
	if err := os.WriteFile(path, []byte(world), 0o600); err != nil {
		tb.Fatal(err)
	}
	w, err := jenkinstest.LoadWorld(path)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// e2eOSCs returns the payloads of the OSC sequences in out (ESC ] ... BEL or ST).
func e2eOSCs(out []byte) (payloads []string, bels int) {
	for i := 0; i < len(out); i++ {
		if out[i] != 0x1b || i+1 >= len(out) || out[i+1] != ']' {
			continue
		}
		j := i + 2
		for j < len(out) && out[j] != 0x07 && !(out[j] == 0x1b && j+1 < len(out) && out[j+1] == '\\') {
			j++
		}
		payloads = append(payloads, string(out[i+2:min(j, len(out))]))
		if j < len(out) && out[j] == 0x07 {
			bels++
		}
		i = j
	}
	return payloads, bels
}

// TestE2EHostileText shows server text with escape sequences on every screen
// that renders it and checks, on the bytes the program wrote to the
// terminal, that none got through: no clear screen or scrollback, no title,
// no clipboard write, no reset, no 8-bit controls.
func TestE2EHostileText(t *testing.T) {
	tmuxtest.Require(t)
	t.Parallel() // each has its own simulator, tmux server and store
	bin := tmuxtest.Build(t, e2eRoot)
	srv := e2eSim(t, e2eHostileWorld(t))
	dir := t.TempDir()
	writeE2EConfig(t, dir, srv, "Evil", "evil", "2s")
	d := e2eStartDash(t, bin, 120, 40, dir, srv)
	s := d.WaitUntil("the builds list", 20*time.Second, func(s string) bool { return e2eFresh(s) && e2eRowStatus(s, 8) == "failure" })

	// causes and parameters of the selected build, on its detail line
	seen := map[string]bool{}
	see := func(s string, tags ...string) {
		for _, tag := range tags {
			if strings.Contains(s, e2eHostileShown(tag)) {
				seen[tag] = true
			}
		}
	}
	see(s, "PDEF", "CAUSE")
	for n := 7; n > 0 && !seen["CAUSE"]; n-- { // a build started by the hostile user
		d.Keys("j")
		time.Sleep(150 * time.Millisecond)
		see(d.Screen(), "CAUSE", "PDEF")
	}
	d.Keys("g")

	// the report: collection, request, assertion
	d.Keys("Enter")
	see(d.WaitFor(e2eHostileShown("COLL"), 20*time.Second), "COLL")
	d.Keys("j", "Enter")
	see(d.WaitFor(e2eHostileShown("REQ"), 10*time.Second), "REQ")
	d.Keys("j", "Enter")
	see(d.WaitFor(e2eHostileShown("MSG"), 10*time.Second), "ASSERT", "MSG")
	d.Keys("Left")
	time.Sleep(200 * time.Millisecond)

	// the run form: the parameter's default and description
	d.Keys("g", "b")
	see(d.WaitFor(e2eHostileShown("PDESC"), 5*time.Second), "PDESC", "PDEF")
	d.escape()

	// the console log
	d.Keys("c")
	see(d.WaitFor(e2eHostileShown("LOG"), 10*time.Second), "LOG", "LOG2")
	d.Keys("G")
	time.Sleep(300 * time.Millisecond)
	see(d.Screen(), "LOG", "LOG2")
	d.escape()
	d.Keys("q")
	d.waitDead(t, 5*time.Second)

	for _, tag := range []string{"CAUSE", "PDEF", "COLL", "REQ", "ASSERT", "MSG", "PDESC", "LOG", "LOG2"} {
		if !seen[tag] {
			t.Errorf("hostile %s text was never on screen (stripped: %q)", tag, e2eHostileShown(tag))
		}
	}

	out := d.Output()
	if len(out) < 1000 {
		t.Fatalf("only %d bytes of terminal output captured", len(out))
	}
	if i := bytes.Index(out, []byte("PWNED")); i >= 0 {
		t.Errorf("hostile title text reached the terminal: %q", out[max(0, i-40):min(len(out), i+40)])
	}
	payloads, bels := e2eOSCs(out)
	for _, p := range payloads {
		if strings.HasPrefix(p, "52;") {
			t.Errorf("clipboard write (OSC 52) reached the terminal: %q", p)
		}
		if (strings.HasPrefix(p, "0;") || strings.HasPrefix(p, "2;")) && p[2:] != "jeeves" && p[2:] != "" {
			t.Errorf("window title set to %q, want the program's own \"jeeves\" (or \"\" at exit)", p[2:])
		}
	}
	if n := bytes.Count(out, []byte{0x07}); n != bels {
		t.Errorf("%d BEL bytes, %d of them ending OSC sequences: the bell reached the terminal", n, bels)
	}
	// the renderer clears the screen once as it starts, before any server text
	if i := bytes.Index(out, []byte("\x1b[2J")); i >= 0 && i < 300 {
		out = slices.Concat(out[:i], out[i+4:])
	}
	for name, seq := range map[string]string{"clear screen (ED 2)": "\x1b[2J", "clear scrollback (ED 3)": "\x1b[3J",
		"reset (RIS)": "\x1bc", "8-bit CSI": "\u009b", "8-bit OSC": "\u009d", "8-bit ST": "\u009c"} {
		if n := bytes.Count(out, []byte(seq)); n > 0 {
			t.Errorf("%s reached the terminal %d times", name, n)
		}
	}
	t.Logf("%d bytes of output checked, OSC sequences: %q", len(out), payloads)
}

// e2eIdleWorld is the demo world (what `jeeves sim` serves) whose Orders API job
// has one build that runs for the whole measurement (20-30 min builds).
func e2eIdleWorld(tb testing.TB) *jenkinstest.World {
	tb.Helper()
	w := jenkinstest.DemoWorld()
	for i := range w.Jobs {
		if w.Jobs[i].Path == "orders-api" {
			w.Jobs[i].History.Running = 1
			w.Jobs[i].History.Duration = [2]jenkinstest.Duration{jenkinstest.Duration(20 * time.Minute), jenkinstest.Duration(30 * time.Minute)}
			return w
		}
	}
	tb.Fatal("the demo world has no orders-api job")
	return nil
}

const e2eIdleJob, e2eIdleNick = "orders-api", "Orders API"

// e2eIdleCase is the job an idle minute watches.
type e2eIdleCase struct {
	nick, job string
	world     func(testing.TB) *jenkinstest.World
}

// e2eIdleOrders: a freestyle job (no stages: wfapi answers 404).
var e2eIdleOrders = e2eIdleCase{e2eIdleNick, e2eIdleJob, e2eIdleWorld}

// e2eIdlePipeline: the demo's Pipeline job (concurrent, 5 stages), whose
// one running build runs for the whole measurement: the engine follows its
// stages (wfapi/describe) with each poll.
var e2eIdlePipeline = e2eIdleCase{"Payments API", "payments/api-tests", e2eIdlePipelineWorld}

// e2eCurrentStage: the builds table shows the running build's current stage.
var e2eCurrentStage = regexp.MustCompile(`▶ (Checkout|Install tools|API tests|API lint|Publish reports) · `)

// e2eIdlePipelineWorld is the demo world whose payments/api-tests job has
// one build that runs for the whole measurement (20-30 min builds).
func e2eIdlePipelineWorld(tb testing.TB) *jenkinstest.World {
	tb.Helper()
	w := jenkinstest.DemoWorld()
	for i := range w.Jobs {
		if j := &w.Jobs[i]; j.Path == "payments/api-tests" {
			if j.Kind != "pipeline" || len(j.Stages) == 0 {
				tb.Fatalf("the demo world's payments/api-tests is not a Pipeline with stages (%q, %d stages)", j.Kind, len(j.Stages))
			}
			j.History.Running = 1
			j.History.Duration = [2]jenkinstest.Duration{jenkinstest.Duration(20 * time.Minute), jenkinstest.Duration(30 * time.Minute)}
			return w
		}
	}
	tb.Fatal("the demo world has no payments/api-tests job")
	return nil
}

// e2eFront stands between the dashboard and the simulator and counts each
// request when its answer is complete (the simulator counts requests as they
// arrive), with the bytes on the wire (gzip when the client asks, as Jenkins)
// and after gunzip.
type e2eFront struct {
	*httptest.Server
	// identity makes it a front door that strips compression: the
	// simulator (as Jenkins) then answers uncompressed
	identity    atomic.Bool
	mu          sync.Mutex
	reqs        int
	wire, plain int64
}

func e2eNewFront(tb testing.TB, target string) *e2eFront {
	return e2eNewFrontAt(tb, target, "")
}

// e2eNewFrontAt is e2eNewFront listening on addr ("" picks a free port):
// a second run that must be the same server to the store (which binds
// stored builds to the integration's URL) reuses the first one's address.
func e2eNewFrontAt(tb testing.TB, target, addr string) *e2eFront {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	f := &e2eFront{}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.identity.Load() {
			// so the proxy's transport does not ask for gzip itself
			r.Header.Set("Accept-Encoding", "identity")
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		plain := int64(len(body))
		if strings.EqualFold(rec.Header().Get("Content-Encoding"), "gzip") {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				plain, _ = io.Copy(io.Discard, zr)
			}
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
		f.mu.Lock()
		f.reqs++
		f.wire += int64(len(body))
		f.plain += plain
		f.mu.Unlock()
	}))
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			tb.Fatal(err)
		}
		f.Server.Listener.Close()
		f.Server.Listener = ln
	}
	f.Server.Start()
	tb.Cleanup(f.Close)
	return f
}

// counts returns the requests answered and their bytes (wire, after gunzip).
func (f *e2eFront) counts() (reqs int, wire, plain int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs, f.wire, f.plain
}

func (f *e2eFront) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs, f.wire, f.plain = 0, 0, 0
}

// settle waits until f has answered nothing new for 3 s (background result
// loading is over), at most a minute.
func (f *e2eFront) settle() {
	last, since, deadline := -1, time.Now(), time.Now().Add(time.Minute)
	for time.Since(since) < 3*time.Second && time.Now().Before(deadline) {
		if n, _, _ := f.counts(); n != last {
			last, since = n, time.Now()
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// e2eIdleSetup serves the idle world behind a counting front and runs the dashboard
// once on a new store until the results of the builds on screen are stored:
// the state of a returning user.
func e2eIdleSetup(b *testing.B, bin string, ic e2eIdleCase, young bool) (*jenkinstest.Server, *e2eFront, string) {
	b.Helper()
	w := ic.world(b)
	if young {
		// no running build in the history; one triggered now runs 5 min
		for i := range w.Jobs {
			if w.Jobs[i].Path == ic.job {
				w.Jobs[i].History.Running = 0
				w.Jobs[i].QuietPeriod = jenkinstest.Duration(time.Millisecond)
				w.Jobs[i].Behaviour.Duration = [2]jenkinstest.Duration{jenkinstest.Duration(5 * time.Minute), jenkinstest.Duration(5 * time.Minute)}
			}
		}
	}
	srv := e2eSim(b, w)
	if young {
		if _, err := e2eClient(b, srv).Trigger(context.Background(), ic.job, nil); err != nil {
			b.Fatal(err)
		}
	}
	front := e2eNewFront(b, srv.URL())
	user, _ := srv.Credentials()
	dir := b.TempDir()
	writeE2EConfigURL(b, dir, front.URL, user, ic.nick, ic.job, "")
	d := e2eStartDash(b, bin, 120, 40, dir, srv)
	d.WaitUntil("the builds list", 30*time.Second, func(s string) bool { return e2eFresh(s) && len(e2eRows(s)) > 20 })
	front.settle()
	d.Keys("q")
	d.waitDead(b, 10*time.Second)
	return srv, front, dir
}

type e2eBudget struct {
	what     string
	got, max float64
	strict   bool // got must be below max
	format   string
}

func e2eCheckBudgets(b *testing.B, what string, bs ...e2eBudget) {
	for _, c := range bs {
		if c.got > c.max || (c.strict && c.got >= c.max) {
			b.Errorf("%s: "+c.format+" %s, budget "+c.format, what, c.got, c.what, c.max)
		}
	}
}

// BenchmarkIdleMinute measures one idle minute of the real binary in tmux on
// the builds screen of a job with one running build, after its first data
// from the server, with the store filled by an earlier run (results are
// fetched once, ever): requests and bytes from the server, bytes written to
// the terminal, CPU time and resident memory. Server bytes are counted on the
// wire (the simulator gzips when asked, as Jenkins does) and after gunzip;
// the budget applies to the wire. Run it with
// go test ./cmd/jeeves -run '^$' -bench IdleMinute -benchtime 1x
func BenchmarkIdleMinute(b *testing.B) {
	tmuxtest.Require(b)
	bin := tmuxtest.Build(b, e2eRoot)
	// old: the running build started 3-20 min ago, its times change each
	// minute; young: it started seconds before, they change each second
	// gzip: the simulator compresses api/json when asked, as Jenkins does;
	// identity: a front door strips compression (the issue-11 budget)
	for _, enc := range []string{"identity", "gzip"} {
		b.Run("old-running-build/"+enc, func(b *testing.B) { e2eIdleMinute(b, bin, e2eIdleOrders, false, enc == "identity") })
		b.Run("young-running-build/"+enc, func(b *testing.B) { e2eIdleMinute(b, bin, e2eIdleOrders, true, enc == "identity") })
		// a Pipeline job: the running build's stages are followed
		b.Run("pipeline-running-build/"+enc, func(b *testing.B) { e2eIdleMinute(b, bin, e2eIdlePipeline, false, enc == "identity") })
	}
}

func e2eIdleMinute(b *testing.B, bin string, ic e2eIdleCase, young, identity bool) {
	pipeline := ic.job == e2eIdlePipeline.job
	for range b.N {
		srv, front, dir := e2eIdleSetup(b, bin, ic, young)
		front.identity.Store(identity)
		d := e2eStartDash(b, bin, 120, 40, dir, srv)
		d.WaitUntil("the first data", 30*time.Second, func(s string) bool {
			return e2eFresh(s) && strings.Contains(s, "▶ running") && (!pipeline || e2eCurrentStage.MatchString(s))
		})
		time.Sleep(100 * time.Millisecond) // let the frame that shows it finish
		pid := d.PID()
		cpu0, _, err := tmuxtest.ProcStats(pid)
		if err != nil {
			b.Fatal(err)
		}
		srv.ResetStats()
		front.reset()
		out0 := d.OutputBytes()
		time.Sleep(time.Minute)
		reqs, wire, plain := front.counts()
		out := d.OutputBytes() - out0
		cpu1, rss, err := tmuxtest.ProcStats(pid)
		if err != nil {
			b.Fatal(err)
		}
		cpu := cpu1 - cpu0
		s := d.Screen()
		if !strings.Contains(s, "▶ running") || !e2eFresh(s) || pipeline && !e2eCurrentStage.MatchString(s) {
			b.Fatalf("not an idle builds screen with a running build (and its current stage on a Pipeline) at the end:\n%s", s)
		}
		mb := float64(rss) / (1 << 20)
		wf := srv.Stats()["wfapi"]
		b.Logf("idle minute: %d requests (%d wfapi), %d B on the wire (%d B unzipped), %d B to the terminal, %.2f s CPU, %.1f MB resident; simulator: %s",
			reqs, wf.Requests, wire, plain, out, cpu.Seconds(), mb, e2eStatsLine(srv))
		b.ReportMetric(float64(wf.Requests), "wfapi-requests/min")
		b.ReportMetric(float64(wf.Bytes), "wfapi-sim-B/min")
		b.ReportMetric(float64(reqs), "requests/min")
		b.ReportMetric(float64(wire), "wire-B/min")
		b.ReportMetric(float64(plain), "unzipped-B/min")
		b.ReportMetric(float64(out), "terminal-B/min")
		b.ReportMetric(cpu.Seconds(), "cpu-s/min")
		b.ReportMetric(mb, "rss-MB")
		b.ReportMetric(0, "ns/op")
		maxReqs, maxWire := 12.0, 5*1024.0
		if pipeline {
			// the engine's 8 polls, each with one wfapi request for the
			// running build's stages; the probe of a concurrent job with
			// something running reads its builds list (about 1.4 KB)
			maxReqs, maxWire = 20, 24*1024
		}
		e2eCheckBudgets(b, "idle minute",
			e2eBudget{"requests", float64(reqs), maxReqs, false, "%.0f"},
			e2eBudget{"bytes from the server (wire)", float64(wire), maxWire, false, "%.0f"},
			e2eBudget{"bytes to the terminal", float64(out), 1024, false, "%.0f"},
			e2eBudget{"CPU seconds", cpu.Seconds(), 0.3, false, "%.2f"},
			e2eBudget{"MB resident", mb, 30, true, "%.1f"})
		d.Keys("q")
		d.waitDead(b, 10*time.Second)
	}
}

// BenchmarkColdStart measures a start on an empty store (requests and bytes
// until the first screen of builds) and on a store filled by an earlier run,
// against a simulator that answers every request 3 s late: the first frame of
// builds must come from the store before any answer. Run it with
// go test ./cmd/jeeves -run '^$' -bench ColdStart -benchtime 1x
func BenchmarkColdStart(b *testing.B) {
	tmuxtest.Require(b)
	bin := tmuxtest.Build(b, e2eRoot)
	for range b.N {
		// empty store; the simulator answers 300 ms late so that requests the
		// first screen does not wait for cannot finish before it is seen
		srv := e2eSim(b, e2eIdleWorld(b))
		srv.SetFaults(jenkinstest.Faults{Latency: jenkinstest.Duration(300 * time.Millisecond)})
		front := e2eNewFront(b, srv.URL())
		user, _ := srv.Credentials()
		dir := b.TempDir()
		writeE2EConfigURL(b, dir, front.URL, user, e2eIdleNick, e2eIdleJob, "")
		start := time.Now()
		d := e2eStartDash(b, bin, 120, 40, dir, srv)
		d.WaitUntil("the first builds", 30*time.Second, func(s string) bool { return e2eFresh(s) && len(e2eRows(s)) > 20 })
		coldTime := time.Since(start)
		coldReqs, coldWire, coldPlain := front.counts()
		srv.SetFaults(jenkinstest.Faults{})
		front.settle() // the results of the builds on screen get stored
		d.Keys("q")
		d.waitDead(b, 10*time.Second)

		// the same store, a simulator 3 s late
		const late = 3 * time.Second
		srv2 := e2eSim(b, e2eIdleWorld(b))
		srv2.SetFaults(jenkinstest.Faults{Latency: jenkinstest.Duration(late)})
		front.Close() // the same address: to the store the same server
		front2 := e2eNewFrontAt(b, srv2.URL(), front.Listener.Addr().String())
		writeE2EConfigURL(b, dir, front2.URL, user, e2eIdleNick, e2eIdleJob, "")
		start = time.Now()
		d2 := e2eStartDash(b, bin, 120, 40, dir, srv2)
		s := d2.WaitUntil("the stored builds", 10*time.Second, func(s string) bool { return len(e2eRows(s)) > 20 })
		frame := time.Since(start)
		answered, _, _ := front2.counts()
		if answered > 0 || frame >= late || e2eFresh(s) {
			b.Errorf("first frame after %v with %d answers: not from the store before any answer:\n%s", frame, answered, s)
		}
		if !strings.Contains(e2eHeader(s), "stored data") {
			b.Errorf("first frame does not say its data is stored: %q", e2eHeader(s))
		}
		d2.WaitUntil("fresh data", 30*time.Second, e2eFresh)
		warmTime := time.Since(start)
		warmReqs, warmWire, warmPlain := front2.counts()
		d2.Keys("q")
		d2.waitDead(b, 10*time.Second)

		b.Logf("empty store: first builds after %v, %d requests, %d B on the wire (%d B unzipped)",
			coldTime.Round(time.Millisecond), coldReqs, coldWire, coldPlain)
		b.Logf("filled store: first frame (from the store) after %v with %d answers; fresh after %v, %d requests, %d B on the wire (%d B unzipped)",
			frame.Round(time.Millisecond), answered, warmTime.Round(time.Millisecond), warmReqs, warmWire, warmPlain)
		b.ReportMetric(float64(coldReqs), "cold-requests")
		b.ReportMetric(float64(coldWire), "cold-wire-B")
		b.ReportMetric(float64(coldPlain), "cold-unzipped-B")
		b.ReportMetric(float64(coldTime.Milliseconds()), "cold-first-data-ms")
		b.ReportMetric(float64(frame.Milliseconds()), "stored-first-frame-ms")
		b.ReportMetric(float64(answered), "stored-answers-before-frame")
		b.ReportMetric(float64(warmReqs), "stored-requests-to-fresh")
		b.ReportMetric(float64(warmWire), "stored-wire-B-to-fresh")
		b.ReportMetric(0, "ns/op")
		e2eCheckBudgets(b, "cold start",
			e2eBudget{"requests", float64(coldReqs), 3, false, "%.0f"},
			e2eBudget{"bytes from the server (wire)", float64(coldWire), 5 * 1024, false, "%.0f"},
			e2eBudget{"requests with a filled store", float64(warmReqs), 3, false, "%.0f"},
			e2eBudget{"bytes from the server with a filled store (wire)", float64(warmWire), 5 * 1024, false, "%.0f"})
	}
}
