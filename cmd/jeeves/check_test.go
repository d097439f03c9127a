package main

import (
	"flag"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

var updateCheckRunGolden = flag.Bool("update-check-run-golden", false, "rewrite cmd/jeeves/testdata/{check,run}/*.golden")

const (
	simAdminToken  = "11d3m0t0k3n0000000000000000000000a"
	simViewerToken = "11v13w3rt0k3n000000000000000000000"
)

// simServer serves the demo world in-process on loopback.
func simServer(t *testing.T, opts ...jenkinstest.Option) (*httptest.Server, *jenkinstest.Server) {
	t.Helper()
	js := jenkinstest.New(jenkinstest.DemoWorld(), opts...)
	srv := httptest.NewServer(js.Handler())
	t.Cleanup(srv.Close)
	return srv, js
}

// writeConfig writes a 0600 config file and returns its path.
func writeConfig(t *testing.T, toml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// deadAddr is a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

var durationRE = regexp.MustCompile(` in [0-9.]+(µs|ms|s)\b`)

// normalize replaces what changes between runs: server URLs and timings.
func normalize(s string, repl ...string) string {
	s = durationRE.ReplaceAllString(s, " in <dur>")
	return strings.NewReplacer(repl...).Replace(s)
}

func cmdGolden(t *testing.T, dir, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", dir, name)
	if *updateCheckRunGolden {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update-check-run-golden to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update-check-run-golden after checking):\n%s", p, got)
	}
}

func checkConfig(simURL, dead string) string {
	return `
[[integration]]
nickname = "Payments API"
url = "` + simURL + `"
username = "admin"
token_env = "JT"
job = "payments/api-tests"

[[integration]]
nickname = "Viewer"
url = "` + simURL + `"
username = "viewer"
token_env = "JV"
job = "payments/api-tests"

[[integration]]
nickname = "Bad token"
url = "` + simURL + `"
username = "admin"
token_env = "JBAD"
job = "payments/api-tests"

[[integration]]
nickname = "Folder"
url = "` + simURL + `"
username = "admin"
token_env = "JT"
job = "payments"

[[integration]]
nickname = "Down"
url = "http://` + dead + `"
username = "admin"
token_env = "JT"
job = "payments/api-tests"
`
}

func TestCheckCommand(t *testing.T) {
	srv, _ := simServer(t)
	dead := deadAddr(t)
	cfg := writeConfig(t, checkConfig(srv.URL, dead))
	env := map[string]string{"JT": simAdminToken, "JV": simViewerToken, "JBAD": "not-the-token"}
	norm := func(s string) string {
		return normalize(s, srv.URL, "http://<sim>", strings.TrimPrefix(srv.URL, "http://"), "<sim>", dead, "<dead>")
	}

	// One healthy integration: exit 0.
	code, out, errOut := runCLI(t, env, "check", "--config", cfg, "-i", "payments api")
	if code != exitOK || errOut != "" {
		t.Fatalf("healthy: exit %d, stderr %q\n%s", code, errOut, out)
	}
	cmdGolden(t, "check", "healthy.golden", norm(out))

	// A read-only user only warns: still exit 0.
	if code, out, _ := runCLI(t, env, "check", "--config", cfg, "-i", "Viewer"); code != exitOK || !strings.Contains(out, `  warn  build    "viewer" may not start builds`) {
		t.Errorf("viewer: exit %d\n%s", code, out)
	}

	// Without -i every integration is checked; failures exit 1.
	code, out, errOut = runCLI(t, env, "check", "--config", cfg)
	if code != exitFail || errOut != "" {
		t.Fatalf("all: exit %d, stderr %q", code, errOut)
	}
	cmdGolden(t, "check", "all.golden", norm(out))
	for _, tok := range []string{simAdminToken, simViewerToken, "not-the-token"} {
		if strings.Contains(out, tok) {
			t.Errorf("a token is printed")
		}
	}
}

func TestCheckCommandErrors(t *testing.T) {
	srv, _ := simServer(t)
	cfg := writeConfig(t, checkConfig(srv.URL, deadAddr(t)))

	// Unknown nickname: a usage error listing the choices.
	code, out, errOut := runCLI(t, nil, "check", "--config", cfg, "-i", "nope")
	if code != exitUsage || out != "" || errOut != `jeeves: no integration named "nope"; configured: "Payments API", "Viewer", "Bad token", "Folder", "Down"`+"\n" {
		t.Errorf("-i nope: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// The token's variable is not set: the config step fails, exit 1.
	code, out, _ = runCLI(t, nil, "check", "--config", cfg, "-i", "Payments API")
	if code != exitFail || !strings.Contains(out, "  FAIL  config   integration \"Payments API\": environment variable JT is empty or not set; fix: export JT=<your Jenkins API token>\n") ||
		!strings.Contains(out, "  skip  crumb    not checked: the integration's settings are not usable\n") {
		t.Errorf("no token: exit %d\n%s", code, out)
	}
	// A broken config file: the config step says where, exit 2.
	bad := writeConfig(t, "[[integration]]\nnickname = \"x\"\nurll = \"https://x\"\n")
	code, out, errOut = runCLI(t, nil, "check", "--config", bad)
	if code != exitUsage || errOut != "" || !strings.HasPrefix(out, "  FAIL  config   "+bad+":3:") {
		t.Errorf("bad config: exit %d, stderr %q\n%s", code, errOut, out)
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("bad config: want one line, got\n%s", out)
	}
	// Flags.
	if code, _, errOut := runCLI(t, nil, "check", "--config", cfg, "extra"); code != exitUsage || oneJeevesPrefix(errOut) != "jeeves check: unexpected argument \"extra\" (see 'jeeves check --help')\n" {
		t.Errorf("extra argument: exit %d, %q", code, errOut)
	}
	if code, out, _ := runCLI(t, nil, "check", "--help"); code != exitOK || !strings.HasPrefix(out, "Usage: jeeves check [-i NICKNAME] [--config FILE]\n") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}
