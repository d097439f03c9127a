package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rpt "github.com/jeeves-dev/jeeves/report"
)

var updateResultsGolden = flag.Bool("update-results-golden", false, "rewrite cmd/jeeves/testdata/results/*.golden")

// demoReport is one of the reports the project generates with the real tools
// (newman, Postman CLI, Spectral: jenkins/jenkinstest/demo/regen.sh).
func demoReport(name string) string {
	return filepath.Join("..", "..", "jenkins", "jenkinstest", "demo", "reports", name)
}

// cleanSpectral writes what Spectral writes for a definition without
// findings (`[]`; report's corpus test TestCleanSpectralReports checks a
// real one) as spectral-clean.json in a fresh directory, and returns that
// directory and the file's path.
func cleanSpectral(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "spectral-clean.json")
	if err := os.WriteFile(path, []byte("[]"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

func runJeeves(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, strings.NewReader(""), func(string) string { return "" })
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "results", name)
	if *updateResultsGolden {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update-results-golden to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update-results-golden after checking):\n%s", name, got)
	}
}

func TestResultsTextGolden(t *testing.T) {
	cases := map[string][]string{
		"newman-and-spectral.txt": {demoReport("newman-fail.json"), demoReport("spectral.json")},
		"junit-and-sarif.txt":     {demoReport("postman-cli-fail.xml"), demoReport("spectral.sarif")},
		// hand-written from the Postman CLI's documented lint JSON (report/testdata/postman-lint)
		"postman-lint.txt": {filepath.Join("..", "..", "report", "testdata", "postman-lint", "spec-lint.json")},
		// `postman api lint`'s table, written by the CLI's own formatter
		"postman-api-lint.txt": {filepath.Join("..", "..", "report", "testdata", "postman-lint", "api-lint.txt")},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			args := []string{"results"}
			for _, f := range files {
				args = append(args, "--file", f)
			}
			out, errOut, code := runJeeves(t, args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			golden(t, name, out)
		})
	}
	t.Run("clean.txt", func(t *testing.T) {
		dir, _ := cleanSpectral(t)
		want, err := os.ReadFile(filepath.Join("testdata", "results", "clean.txt"))
		if err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir) // the report is named as given: a stable relative name
		out, errOut, code := runJeeves(t, "results", "--file", "spectral-clean.json")
		if code != 0 || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if out != string(want) {
			t.Errorf("clean.txt differs from the golden file:\n%s", out)
		}
	})
}

// Behaviour the text view promises, independent of the golden bytes.
func TestResultsTextOrder(t *testing.T) {
	out, _, code := runJeeves(t, "results", "--file", demoReport("newman-fail.json"))
	if code != 0 {
		t.Fatal(code)
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "Collection run: Orders API  [newman, ") ||
		lines[1] != "  1 iteration · 8 requests, 5 failing · assertions 25, 9 failed, 1 skipped · 1.4s" {
		t.Errorf("header:\n%s\n%s", lines[0], lines[1])
	}
	// failed requests come before passed ones
	lastFailed, firstPassed := -1, len(lines)
	for i, l := range lines {
		if strings.HasPrefix(l, "  ✗ ") {
			lastFailed = i
		}
		if strings.HasPrefix(l, "  ✓ ") && i < firstPassed {
			firstPassed = i
		}
	}
	if lastFailed < 0 || lastFailed > firstPassed {
		t.Errorf("failed requests are not first (last failed line %d, first passed line %d)", lastFailed, firstPassed)
	}
	if strings.Count(out, "\n  ✗ ") != 5 || strings.Count(out, "\n  ✓ ") != 3 {
		t.Errorf("want 5 failed and 3 passed requests:\n%s", out)
	}
	if !strings.Contains(out, "  ✗ Orders/Create order · iteration 1 · POST http://127.0.0.1:38339/orders · 400 · 4 ms\n"+
		"      ✗ Status code is 201\n          expected response to have status code 201 but got 400\n") {
		t.Errorf("Create order block missing:\n%s", out)
	}
	if strings.Contains(out, "demo-key") { // the environment's secret apiKey, in the report's request headers
		t.Error("an environment secret reached the output")
	}
}

func TestResultsJSON(t *testing.T) {
	out, errOut, code := runJeeves(t, "results", "--json",
		"--file", demoReport("newman-fail.xml"), "--file", demoReport("spectral.sarif"))
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "junit-and-sarif.json", out)

	_, clean := cleanSpectral(t)
	out, _, code = runJeeves(t, "results", "--json", "--file", demoReport("newman-fail.json"),
		"--file", demoReport("spectral.json"), "--file", clean)
	if code != 0 {
		t.Fatal(code)
	}
	if strings.Contains(out, "null") {
		t.Error("JSON output has a null")
	}
	if strings.Contains(out, "demo-key") {
		t.Error("an environment secret reached the JSON")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &top); err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for k := range top {
		keys = append(keys, k)
	}
	if len(top) != 5 || string(top["integration"]) != `""` || string(top["number"]) != "0" || string(top["status"]) != `""` {
		t.Errorf("top level = %v", keys)
	}
	var doc struct {
		Collections []struct {
			Name       string
			Tool       string
			Iterations int
			Requests   map[string]int
			Assertions map[string]int
			DurationMS int64 `json:"duration_ms"`
			Executions []struct {
				Iteration  int
				Folder     string
				Name       string
				Method     string
				URL        string
				Code       int
				ResponseMS int64 `json:"response_ms"`
				Error      string
				Assertions []struct{ Name, Status, Message string }
			}
		}
		Governance []struct {
			Definition, Tool, Artifact string
			Violations                 []struct {
				Rule, Severity, Message, Path, File string
				Line, Column                        int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Collections[0]
	if c.Assertions["total"] != 25 || c.Assertions["failed"] != 9 || c.Assertions["skipped"] != 1 ||
		c.Requests["total"] != 8 || c.Requests["failed"] != 0 || c.DurationMS != 1375 || c.Iterations != 1 {
		t.Errorf("collection = %+v %+v", c.Assertions, c.Requests)
	}
	e := c.Executions[3]
	if e.Folder != "Orders" || e.Name != "Create order" || e.Code != 400 || e.Iteration != 1 ||
		e.Assertions[1].Status != "failed" || e.Assertions[1].Message != "expected response to have status code 201 but got 400" {
		t.Errorf("execution 3 = %+v", e)
	}
	if len(doc.Governance) != 2 || len(doc.Governance[0].Violations) != 28 || len(doc.Governance[1].Violations) != 0 {
		t.Fatalf("governance = %+v", doc.Governance)
	}
	v := doc.Governance[0].Violations[3]
	if v.Rule != "operation-security-defined" || v.Severity != "error" || v.Line != 10 || v.Column != 9 ||
		v.Path != "paths./health.get" || v.Message != "#/paths/~1health/get: operation has no security requirement" {
		t.Errorf("violation = %+v", v)
	}
}

// Report text comes from servers and tools: control sequences never reach the terminal in text mode.
func TestResultsTextStripsControlSequences(t *testing.T) {
	p := filepath.Join(t.TempDir(), "evil.json")
	evil := `[{"code":"rule\u001b]0;pwned\u0007","path":["a\u001b[2J"],"message":"line1\n\u001b[31mred\u001b[0m\rover\u0008",` +
		`"severity":0,"range":{"start":{"line":0,"character":0}},"source":"/x/\u009bspec.yaml"}]`
	if err := os.WriteFile(p, []byte(evil), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := runJeeves(t, "results", "--file", p)
	if code != 0 {
		t.Fatal(code)
	}
	for _, bad := range []string{"\x1b", "\x07", "\r", "\b", "\u009b"} {
		if strings.Contains(out, bad) {
			t.Errorf("text output contains %q:\n%q", bad, out)
		}
	}
	if !strings.Contains(out, "        line1\n        red") {
		t.Errorf("message lines lost:\n%s", out)
	}
	// JSON keeps the text as-is (escaped by the encoder).
	out, _, _ = runJeeves(t, "results", "--json", "--file", p)
	if !strings.Contains(out, `\u001b[31mred`) {
		t.Errorf("JSON changed the message: %s", out)
	}
}

func TestResultsErrors(t *testing.T) {
	dir := t.TempDir()
	txt := filepath.Join(dir, "notes.txt")
	os.WriteFile(txt, []byte("hello\n"), 0o600)
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, nil, 0o600)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"results"}, 2, "jeeves results: give -i NICKNAME NUMBER, or --file REPORT (see 'jeeves results --help')"},
		{[]string{"results", "--file", filepath.Join(dir, "missing.json")}, 2, "no such file or directory"},
		{[]string{"results", "--file", txt}, 2, "notes.txt: not a known report"},
		{[]string{"results", "--file", empty}, 2, "empty.json: report is empty"},
		{[]string{"results", "--file", txt, "7"}, 2, `unexpected argument "7"`},
		{[]string{"results", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"results", "--file="}, 2, `jeeves results: invalid value "" for flag -file: give a report file's path (see 'jeeves results --help')`},
	}
	for _, c := range cases {
		out, errOut, code := runJeeves(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", c.args, code, out, errOut, c.code, c.want)
		}
		if strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: error is not one line: %q", c.args, errOut)
		}
	}
	out, _, code := runJeeves(t, "results", "--help")
	if code != 0 || !strings.Contains(out, "jeeves results --file REPORT [--file REPORT]... [--json]") {
		t.Errorf("help: %d %q", code, out)
	}
	// --file's help names every format the detection knows (as its error does)
	known := rpt.ErrUnknownFormat.Error()
	known = known[strings.Index(known, "(")+1 : strings.LastIndex(known, ")")]
	flat := strings.Join(strings.Fields(out), " ")
	for _, f := range strings.Split(known, ", ") {
		if !strings.Contains(flat, f) {
			t.Errorf("results --help does not name %q among --file's formats:\n%s", f, out)
		}
	}
}

// `results --file` on `postman spec lint -o json` output: --json gives the
// governance model, lines without a column.
func TestResultsPostmanLintJSON(t *testing.T) {
	out, errOut, code := runJeeves(t, "results", "--json", "--file",
		filepath.Join("..", "..", "report", "testdata", "postman-lint", "spec-lint-notice.txt"))
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var doc struct {
		Governance []struct {
			Definition, Tool string
			Violations       []struct {
				Rule, Severity, Message, Path, File string
				Line, Column                        int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Governance) != 1 || doc.Governance[0].Tool != "postman-cli" || len(doc.Governance[0].Violations) != 6 ||
		doc.Governance[0].Definition != "/var/jenkins_home/workspace/payments/api-tests/openapi.yaml" {
		t.Fatalf("governance = %+v", doc.Governance)
	}
	v := doc.Governance[0].Violations[2]
	if v.Rule != "governance" || v.Severity != "error" || v.Line != 75 || v.Column != 0 ||
		v.Path != "paths./orders/{id}.delete.security" || v.Message != "DELETE operations must not be anonymous." {
		t.Errorf("violation = %+v", v)
	}
}
