package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// restartSim starts testdata/run/restart-world.toml on a loopback port (an
// outage needs a real listener) and shortens run's intervals.
func restartSim(t *testing.T) (*jenkinstest.Server, string) {
	t.Helper()
	w, err := jenkinstest.LoadWorld(filepath.Join("testdata", "run", "restart-world.toml"))
	if err != nil {
		t.Fatal(err)
	}
	js := jenkinstest.New(w)
	if err := js.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { js.Close() })
	q, b, m := runQueuePoll, runBuildPoll, runBackoffMax
	runQueuePoll, runBuildPoll, runBackoffMax = 20*time.Millisecond, 50*time.Millisecond, 200*time.Millisecond
	t.Cleanup(func() { runQueuePoll, runBuildPoll, runBackoffMax = q, b, m })
	cfg := writeConfig(t, "[[integration]]\nnickname = \"Long\"\nurl = \""+js.URL()+"\"\nusername = \"admin\"\n"+
		"token_env = \"JT\"\njob = \"long\"\n")
	return js, cfg
}

func waitFor(t *testing.T, out *runOutBuffer, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output after %s: %q", want, within, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var (
	lostRE = regexp.MustCompile(`(?m)^connection to Jenkins lost \(.+\); retrying until \d\d:\d\d:\d\d \(--timeout 6h0m0s\)$`)
	backRE = regexp.MustCompile(`(?m)^connection to Jenkins is back after \d+s$`)
)

// TestRunWaitAcrossRestart takes the simulated Jenkins down in the middle of
// a build and brings it back on the same port: run --wait says once that the
// connection dropped and once that it is back, and ends with the build's
// real result (failure: exit 1), not a connection error.
func TestRunWaitAcrossRestart(t *testing.T) {
	js, cfg := restartSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	env := runEnvWithStore(t)
	var out, errOut runOutBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", cfg, "-i", "Long", "--wait"}, &out, &errOut, strings.NewReader(""),
			func(k string) string { return env[k] })
	}()
	waitFor(t, &out, "build:", 10*time.Second)
	if err := js.Outage(1500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "connection to Jenkins lost", 5*time.Second)
	if !js.Down() {
		t.Fatal("the simulator is not down")
	}
	code := <-done
	if err := js.Err(); err != nil {
		t.Fatalf("the simulator did not come back: %v", err)
	}
	text := out.String()
	if code != exitFail || errOut.String() != "jeeves: build #1 of \"long\" finished failure\n" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut.String(), text)
	}
	if n := len(lostRE.FindAllString(text, -1)); n != 1 {
		t.Errorf("%d lines say the connection dropped, want 1:\n%s", n, text)
	}
	if n := len(backRE.FindAllString(text, -1)); n != 1 {
		t.Errorf("%d lines say the connection is back, want 1:\n%s", n, text)
	}
	if strings.Count(text, "connection to Jenkins") != 2 {
		t.Errorf("want exactly two connection lines:\n%s", text)
	}
	lost, back, result := strings.Index(text, "connection to Jenkins lost"), strings.Index(text, "is back after"), strings.Index(text, "result: failure after ")
	if build := strings.Index(text, "build:  "+js.URL()+"/job/long/1/"); build < 0 || !(build < lost && lost < back && back < result) {
		t.Errorf("want build, lost, back, result in that order:\n%s", text)
	}
	if strings.Contains(text, runAdminToken) || strings.Contains(errOut.String(), runAdminToken) {
		t.Error("the token was printed")
	}
}

// Jenkins still down at --timeout: a connection error (exit 3) that says so.
func TestRunWaitGivesUpAtTimeoutWhileDown(t *testing.T) {
	js, cfg := restartSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut runOutBuffer
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		done <- run(ctx, []string{"run", "--config", cfg, "-i", "Long", "--wait", "--json", "--timeout", "1s"}, &out, &errOut,
			strings.NewReader(""), func(k string) string { return runEnv[k] })
	}()
	time.Sleep(300 * time.Millisecond) // queued, and soon building (quiet period 50ms)
	if err := js.Outage(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	code := <-done
	elapsed := time.Since(start)
	e := errOut.String()
	if code != exitConn || !strings.Contains(e, "\njeeves: gave up after --timeout 1s: Jenkins unreachable for ") ||
		!strings.HasPrefix(e, "connection to Jenkins lost (") || strings.Contains(e, "is back") {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, e, out.String())
	}
	// --json: stdout is only ever the JSON object, so the lines went to stderr
	if out.String() != "" {
		t.Errorf("stdout with --json and no result: %q", out.String())
	}
	if elapsed > 5*time.Second {
		t.Errorf("gave up after %s, want about 1s", elapsed)
	}
}

// A build still running at --timeout, with Jenkins up: exit 1, it keeps running.
func TestRunWaitTimeoutWhileRunning(t *testing.T) {
	_, cfg := restartSim(t)
	code, out, errOut := runCLI(t, runEnv, "run", "--config", cfg, "-i", "Long", "--wait", "--timeout", "700ms")
	if code != exitFail || !strings.HasPrefix(errOut, "jeeves: --timeout 700ms reached: stopped following build #1; it keeps running: ") ||
		strings.Contains(out, "connection to Jenkins") {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	code, _, errOut = runCLI(t, runEnv, "run", "--config", cfg, "-i", "Long", "--wait", "--timeout", "0s")
	if code != exitUsage || errOut != "jeeves run: --timeout must be more than 0, e.g. 6h or 90m\n" {
		t.Errorf("--timeout 0s: exit %d, stderr %q", code, errOut)
	}
}

// A build that disappears while followed (deleted, or a Jenkins that lost it
// in a restart, as the simulator does) ends run --wait with exit 1 and one
// line saying so: not the usage error "check the name" of a mistyped job.
func TestRunWaitBuildGone(t *testing.T) {
	js, _ := restartSim(t)
	var gone atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gone.Load() && strings.HasPrefix(r.URL.Path, "/job/long/1/") {
			http.NotFound(w, r)
			return
		}
		js.Handler().ServeHTTP(w, r)
	}))
	defer front.Close()
	cfg := writeConfig(t, "[[integration]]\nnickname = \"Long\"\nurl = \""+front.URL+"\"\nusername = \"admin\"\n"+
		"token_env = \"JT\"\njob = \"long\"\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	env := runEnvWithStore(t)
	var out, errOut runOutBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", cfg, "-i", "Long", "--wait"}, &out, &errOut, strings.NewReader(""),
			func(k string) string { return env[k] })
	}()
	waitFor(t, &out, "build:", 10*time.Second)
	gone.Store(true)
	code := <-done
	e := errOut.String()
	if code != exitFail || e != "jeeves: build #1 of \"long\" is gone from Jenkins (deleted, or lost in a restart): its result is unknown\n" {
		t.Fatalf("exit %d, stderr %q\n%s", code, e, out.String())
	}
}
