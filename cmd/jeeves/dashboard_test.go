package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDashboardNeedsATerminal(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--demo"}, &out, &errb, strings.NewReader(""), func(string) string { return "" })
	if code != exitUsage || !strings.Contains(errb.String(), "the dashboard needs a terminal") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestDashboardFlags(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--bogus"}, &out, &errb, strings.NewReader(""), func(string) string { return "" })
	if code != exitUsage || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	code = run(context.Background(), []string{"extra"}, &out, &errb, strings.NewReader(""), func(string) string { return "" })
	if code != exitUsage {
		t.Fatalf("exit %d for a stray argument", code)
	}
}

func TestBrowserShowsURLOverSSH(t *testing.T) {
	env := map[string]string{"SSH_CONNECTION": "10.0.0.1 22 10.0.0.2 5555", "BROWSER": "true"}
	ok, err := browser{getenv: func(k string) string { return env[k] }}.Open(context.Background(), "http://jenkins.test/job/x/1/")
	if ok || err != nil {
		t.Fatalf("opened over SSH: ok=%v err=%v", ok, err)
	}
	if runtime.GOOS == "linux" {
		env = map[string]string{} // no display, no $BROWSER
		if ok, err := (browser{getenv: func(k string) string { return env[k] }}).Open(context.Background(), "http://x/"); ok || err != nil {
			t.Fatalf("opened without a display: ok=%v err=%v", ok, err)
		}
	}
	env = map[string]string{"BROWSER": "true"} // a browser command that exists
	ok, err = browser{getenv: func(k string) string { return env[k] }}.Open(context.Background(), "http://jenkins.test/")
	if !ok || err != nil {
		t.Fatalf("$BROWSER not used: ok=%v err=%v", ok, err)
	}
}

func TestDashboardLog(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": dir, "JEEVES_STORE": "/elsewhere/s.db"}
	path := filepath.Join(dir, "jeeves", "jeeves.log")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), maxLogSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	l, closeLog := openDashboardLog(func(k string) string { return env[k] }, false, "/elsewhere/s.db")
	l.Warn("poll failed", "integration", "Payments API")
	closeLog()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "dashboard started") || !strings.Contains(string(b), "poll failed") || len(b) > 4096 {
		t.Fatalf("log %q", b)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("log mode %v (%v)", fi.Mode(), err)
	}
	if _, err := os.Stat(path + ".1"); err != nil {
		t.Fatal("the big log was not rotated")
	}
}

// Every demo integration names a job the simulated Jenkins has, and its
// credentials work.
func TestDemoIntegrations(t *testing.T) {
	srv, dir, ints, err := startDemo()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	defer os.RemoveAll(dir)
	if len(ints) != 4 {
		t.Fatalf("%d demo integrations", len(ints))
	}
	for _, in := range ints {
		api, err := (connector{ctx: context.Background(), getenv: func(string) string { return "" }}).API(in)
		if err != nil {
			t.Fatal(err)
		}
		j, err := api.Job(context.Background(), in.Job)
		// the demo keeps one disabled job, to show how the run form refuses it
		if wantBuildable := in.Job != "payments/legacy-smoke"; err != nil || j.Buildable != wantBuildable {
			t.Errorf("%s: job %q: %v (buildable %v)", in.Nickname, in.Job, err, j.Buildable)
		}
		if bs, err := api.Builds(context.Background(), in.Job, 5); err != nil || len(bs) == 0 {
			t.Errorf("%s: builds: %v (%d)", in.Nickname, err, len(bs))
		}
	}
}
