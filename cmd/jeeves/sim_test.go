package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startSim runs `jeeves sim` in-process on a loopback port and returns its
// first line of output; the server stops when the test ends.
func startSim(t *testing.T, args ...string) (url, first string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"sim", "--addr", "127.0.0.1:0"}, args...), pw, &stderr, strings.NewReader(""), func(string) string { return "" })
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("jeeves sim printed nothing: %v (stderr %q)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("jeeves sim exited %d: %s", code, stderr.String())
			}
		case <-time.After(5 * time.Second):
			t.Error("jeeves sim did not stop when its context ended")
		}
	})
	f := strings.Fields(line)
	if len(f) < 6 || !strings.HasPrefix(f[5], "http://127.0.0.1:") {
		t.Fatalf("first line %q does not name the URL", line)
	}
	return strings.TrimSuffix(f[5], "/"), line
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// missing skips a test whose outside tool is not installed, except in CI,
// which installs them and must not pass by skipping.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not installed (CI must install it)", what)
	}
	t.Skipf("%s not installed", what)
}

const conformanceDir = "../../jenkins/jenkinstest/conformance"

func TestSimFirstLineAndAPI(t *testing.T) {
	url, line := startSim(t)
	for _, want := range []string{"jeeves sim: Jenkins 2.541.1 at http://127.0.0.1:", "user admin token 11d3m0t0k3n0000000000000000000000a password admin", "user viewer"} {
		if !strings.Contains(line, want) {
			t.Errorf("first line %q lacks %q", line, want)
		}
	}
	req, _ := http.NewRequest("GET", url+"/job/gateway/job/feature%252Flogin/api/json?tree=displayName", nil)
	req.SetBasicAuth("admin", "11d3m0t0k3n0000000000000000000000a")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `"displayName":"feature/login"`) || res.Header.Get("X-Jenkins") != "2.541.1" {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
}

func TestSimWorldFileAndErrors(t *testing.T) {
	dir := t.TempDir()
	world := filepath.Join(dir, "w.toml")
	os.WriteFile(world, []byte("anonymous_read = true\n[[job]]\npath = \"solo\"\nkind = \"freestyle\"\n[job.history]\ncount = 2\n"), 0o600)
	url, line := startSim(t, "--world", world)
	if !strings.Contains(line, "(no users: anonymous access)") {
		t.Errorf("first line: %q", line)
	}
	res, err := http.Get(url + "/job/solo/api/json?tree=builds[number]")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `"number":2`) {
		t.Fatalf("world file job: %s", b)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[[job]]\npath = \"x\"\nkind = \"matrix\"\n"), 0o600)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"sim", "--world", bad}, &out, &errb, nil, func(string) string { return "" })
	if code != exitUsage || !strings.Contains(errb.String(), `kind "matrix"`) || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("bad world: %d %q", code, errb.String())
	}
	for _, scale := range []string{"-1", "NaN", "Inf", "-Inf"} {
		errb.Reset()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a sim that starts runs until then
		code = run(ctx, []string{"sim", "--addr", "127.0.0.1:0", "--time-scale", scale}, &out, &errb, nil, func(string) string { return "" })
		cancel()
		if code != exitUsage || errb.String() != "jeeves sim: --time-scale must be a positive number, e.g. 0.1\n" {
			t.Errorf("--time-scale %s: exit %d, %q", scale, code, errb.String())
		}
	}
	code = run(context.Background(), []string{"sim", "--addr", "256.0.0.1:1"}, &out, &errb, nil, func(string) string { return "" })
	if code != exitConn {
		t.Fatalf("bad addr: exit %d", code)
	}
}

// TestPythonJenkinsAgainstSim runs Debian's python3-jenkins, unchanged, against
// `jeeves sim`: the definition of done.
func TestPythonJenkinsAgainstSim(t *testing.T) {
	py := ""
	for _, c := range []string{"/usr/bin/python3", "python3"} {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		check := exec.Command(p, "-c", "import jenkins, jenkins.version")
		check.Dir = t.TempDir() // the repo's jenkins/ directory would shadow the module
		if check.Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		missing(t, "python3-jenkins (apt-get install python3-jenkins)")
	}
	url, _ := startSim(t, "--time-scale", "0.2") // builds run 4-12 s: long enough to stop one
	script, _ := filepath.Abs(filepath.Join(conformanceDir, "python_jenkins_check.py"))
	cmd := exec.Command(py, script, url, "admin", "11d3m0t0k3n0000000000000000000000a")
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "PASS") {
		t.Fatalf("python3-jenkins against jeeves sim: %v\n%s", err, out)
	}
	if n := strings.Count("\n"+string(out), "\nok: "); n < 20 {
		t.Fatalf("only %d checks ran:\n%s", n, out)
	}
}

// TestNodeJenkinsAgainstSim runs the npm package "jenkins", unchanged, against
// `jeeves sim`, with password auth so every POST goes through crumb + cookie.
func TestNodeJenkinsAgainstSim(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node")
	}
	if _, err := os.Stat(filepath.Join(conformanceDir, "node_modules", "jenkins", "package.json")); err != nil {
		missing(t, "npm package jenkins (npm ci in jenkins/jenkinstest/conformance)")
	}
	url, _ := startSim(t, "--time-scale", "0.2") // builds run 4-12 s: long enough to stop one
	script, _ := filepath.Abs(filepath.Join(conformanceDir, "node_jenkins_check.js"))
	cmd := exec.Command(node, script, url, "admin", "admin")
	cmd.Dir = conformanceDir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "PASS") {
		t.Fatalf("npm jenkins against jeeves sim: %v\n%s", err, out)
	}
	if n := strings.Count("\n"+string(out), "\nok: "); n < 20 {
		t.Fatalf("only %d checks ran:\n%s", n, out)
	}
}
