package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs jeeves in-process and returns exit code, stdout and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	get := func(k string) string { return env[k] }
	code := run(context.Background(), args, &out, &errb, strings.NewReader(""), get)
	return code, out.String(), errb.String()
}

func TestConfigErrorsExitTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.toml")
	os.WriteFile(p, []byte("refersh = \"1s\"\n"), 0o600)
	cfg, err := loadConfig(&env{getenv: func(string) string { return "" }, stderr: &bytes.Buffer{}}, p)
	if err == nil || cfg != nil {
		t.Fatalf("want error")
	}
	if code := report(err, &bytes.Buffer{}); code != exitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(err.Error(), "c.toml:1:1: unknown key \"refersh\"") {
		t.Errorf("message: %v", err)
	}
}

func TestMissingDefaultConfigIsEmpty(t *testing.T) {
	xdg := t.TempDir()
	e := &env{getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return xdg
		}
		return ""
	}, stderr: &bytes.Buffer{}}
	cfg, err := loadConfig(e, "")
	if err != nil || len(cfg.Integrations) != 0 {
		t.Fatalf("cfg %v err %v", cfg, err)
	}
	// The user is told where jeeves looked, not just "the config file".
	want := "no integrations configured: there is no config file at " + filepath.Join(xdg, "jeeves", "config.toml") +
		"; fix: create it with an [[integration]] (see config.example.toml), or pass --config FILE or set JEEVES_CONFIG"
	if _, err := findIntegration(cfg, ""); err == nil || err.Error() != want {
		t.Errorf("findIntegration on empty config:\n got %v\nwant %s", err, want)
	}
	// An existing file without integrations is named as such.
	empty := filepath.Join(t.TempDir(), "empty.toml")
	os.WriteFile(empty, []byte("refresh = \"1m\"\n"), 0o600)
	cfg, err = loadConfig(e, empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := findIntegration(cfg, "x"); err == nil || err.Error() != "no integrations configured in "+empty+"; fix: add an [[integration]] (see config.example.toml) or pass --config" {
		t.Errorf("findIntegration on a file without integrations: %v", err)
	}
	if _, err := loadConfig(e, filepath.Join(t.TempDir(), "nope.toml")); err == nil {
		t.Errorf("explicit missing config must fail")
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	code, _, stderr := runCLI(t, nil, "frobnicate")
	if code != exitUsage || !strings.Contains(stderr, `unknown command "frobnicate"`) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("unknown command: code %d stderr %q", code, stderr)
	}
	code, stdout, _ := runCLI(t, nil, "--help")
	if code != 0 || !strings.Contains(stdout, "Exit codes") {
		t.Errorf("--help: code %d out %q", code, stdout)
	}
	code, _, stderr = runCLI(t, nil, "--no-such-flag")
	if code != exitUsage || !strings.Contains(stderr, "flag provided but not defined") {
		t.Errorf("bad flag: code %d stderr %q", code, stderr)
	}
}

// Ctrl-C during a command that talks to Jenkins says "interrupted", not Go's
// "context canceled", keeps the request it was making, and exits 3.
func TestClientErrInterrupted(t *testing.T) {
	cases := []struct {
		err      error
		want     string
		wantCode int
	}{
		{fmt.Errorf(`read builds of "orders-api": %w`, context.Canceled), `jeeves: read builds of "orders-api": interrupted`, exitConn},
		{fmt.Errorf(`read build #3: %w: while reading`, context.Canceled), `jeeves: read build #3: context canceled: while reading (interrupted)`, exitConn},
		{fmt.Errorf(`read builds: %w`, context.DeadlineExceeded), `jeeves: read builds: context deadline exceeded`, exitConn},
	}
	for _, c := range cases {
		var stderr strings.Builder
		code := report(clientErr(c.err), &stderr)
		if got := strings.TrimSuffix(stderr.String(), "\n"); got != c.want || code != c.wantCode {
			t.Errorf("clientErr(%v): got %q exit %d, want %q exit %d", c.err, got, code, c.want, c.wantCode)
		}
	}
}

// failingWriter is a stdout on a full disk.
type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, errors.New("no space left on device") }

// Text output that could not be written is not a success: a script that
// redirects `jeeves results` (or builds) to a file must see it fail.
func TestOutputWriteErrorIsNotSuccess(t *testing.T) {
	for _, args := range [][]string{
		{"results", "--file", demoReport("spectral.json")},
		{"results", "--file", demoReport("newman-fail.json")},
	} {
		var errb bytes.Buffer
		code := run(context.Background(), args, failingWriter{}, &errb, strings.NewReader(""), func(string) string { return "" })
		want := "jeeves: " + args[0] + ": output not written: no space left on device\n"
		if code == exitOK || errb.String() != want {
			t.Errorf("%v: exit %d, stderr %q; want a failure and %q", args, code, errb.String(), want)
		}
	}
}
