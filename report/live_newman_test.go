package report

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// newmanBin finds newman installed by `npm ci` in testdata/npm. Missing, the
// test skips, except in CI (CI=true), which installs it.
func newmanBin(t *testing.T) string {
	t.Helper()
	p, _ := filepath.Abs(filepath.Join("testdata", "npm", "node_modules", ".bin", "newman"))
	if _, err := os.Stat(p); err != nil {
		msg := "newman not installed (run: cd report/testdata/npm && npm ci)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node not installed")
		}
		t.Skip("node not installed")
	}
	return p
}

const liveCollection = `{
  "info": {"name": "Live", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "item": [
    {"name": "Big", "item": [
      {"name": "Big body", "request": {"method": "GET", "url": "{{baseUrl}}/big?kb=%d"},
       "event": [{"listen": "test", "script": {"exec": [
         "pm.test('Status code is 200', function () { pm.response.to.have.status(200); });",
         "pm.test('Body is big', function () { pm.expect(pm.response.text().length).to.be.above(1000); });",
         "pm.test.skip('Later', function () {});"
       ]}}]}
    ]},
    {"name": "Errors", "item": [{"name": "Sub", "item": [
      {"name": "Missing", "request": {"method": "GET", "url": "{{baseUrl}}/missing"},
       "event": [{"listen": "test", "script": {"exec": ["pm.test('Status code is 200', function () { pm.response.to.have.status(200); });"]}}]}
    ]}]},
    {"name": "Dead host", "request": {"method": "POST", "url": "http://127.0.0.1:%d/orders"},
     "event": [{"listen": "test", "script": {"exec": ["pm.test('Created', function () { pm.response.to.have.status(201); });"]}}]}
  ]
}`

// TestLiveNewman runs real newman against a local server with large response
// bodies and checks the parsed report against what newman printed, and that
// parsing it allocates far less than the report's size.
func TestLiveNewman(t *testing.T) {
	bin := newmanBin(t)
	body := []byte(`[` + strings.Repeat(`{"id":1,"name":"user"},`, 20000) + `{}]`) // ~460 KB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := l.Addr().(*net.TCPAddr).Port
	l.Close()

	dir := t.TempDir()
	coll := filepath.Join(dir, "collection.json")
	os.WriteFile(coll, []byte(fmt.Sprintf(liveCollection, len(body)/1024, deadPort)), 0o600)
	out := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", coll, "--env-var", "baseUrl="+srv.URL, "-n", "2",
		"--timeout-request", "5000", "--color", "off", "--reporters", "cli,json", "--reporter-json-export", out)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok { // exit 1 is expected: assertions fail
			t.Fatalf("newman: %v\n%s", err, stdout.String())
		}
	}
	cliPath := filepath.Join(dir, "cli.txt")
	os.WriteFile(cliPath, stdout.Bytes(), 0o600)
	cli := cliTable(t, cliPath)

	st, err := os.Stat(out)
	if err != nil {
		t.Fatalf("no report: %v\n%s", err, stdout.String())
	}
	f, _ := os.Open(out)
	defer f.Close()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := Parse(f, "report.json", Options{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("newman report %d bytes, parse allocated %d bytes", st.Size(), alloc)
	if st.Size() < 10<<20 || alloc > uint64(st.Size())/10 {
		t.Errorf("report %d bytes, parse allocated %d bytes (want a big report and under a tenth)", st.Size(), alloc)
	}

	run := oneRun(t, res)
	if got := [2]int{run.Assertions.Total, run.Assertions.Failed}; got != cli["assertions"] || got != [2]int{10, 4} {
		t.Errorf("assertions %v, newman printed %v", got, cli["assertions"])
	}
	if got := [2]int{run.Requests.Total, run.Requests.Failed}; got != cli["requests"] || got != [2]int{6, 2} {
		t.Errorf("requests %v, newman printed %v", got, cli["requests"])
	}
	if run.Iterations != 2 || run.Assertions.Skipped != 2 || run.Name != "Live" || run.Tool != ToolNewman {
		t.Errorf("run = %+v", run)
	}
	big := findExec(t, run, 2, "Big body")
	if big.Folder != "Big" || big.Code != 200 || big.URL != srv.URL+fmt.Sprintf("/big?kb=%d", len(body)/1024) ||
		big.Assertions[2] != (Assertion{Name: "Later", Status: Skipped}) {
		t.Errorf("big = %+v", big)
	}
	miss := findExec(t, run, 1, "Missing")
	if miss.Folder != "Errors/Sub" || miss.Code != 404 || miss.Assertions[0].Message != "expected response to have status code 200 but got 404" {
		t.Errorf("missing = %+v", miss)
	}
	dead := findExec(t, run, 1, "Dead host")
	if dead.Folder != "" || dead.Error != fmt.Sprintf("connect ECONNREFUSED 127.0.0.1:%d", deadPort) {
		t.Errorf("dead = %+v", dead)
	}
}
