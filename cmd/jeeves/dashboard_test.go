package main

import (
	"bytes"
	"context"
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
