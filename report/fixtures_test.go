package report

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jeeves-dev/jeeves/internal/corpus"
)

// The tests in this file check jeeves against real tool outputs of the
// external corpus (../shared/fixtures/reports, not in the repository): they
// skip when it is absent, and fail under CI=true.
func fixture(t testing.TB, parts ...string) string {
	t.Helper()
	return corpus.Path(t, append([]string{"reports"}, parts...)...)
}

func parseFile(t *testing.T, path string) Results {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("fixture missing: %v", err)
	}
	defer f.Close()
	res, err := Parse(f, path, Options{})
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return res
}

// cliTable reads the summary table the newman / Postman CLI cli reporter printed:
// "│ assertions │ 64 │ 13 │" -> {"assertions": {64, 13}}.
func cliTable(t *testing.T, path string) map[string][2]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	re := regexp.MustCompile(`^[│|]\s+([a-z-]+)\s+[│|]\s+(\d+)\s+[│|]\s+(\d+)\s+[│|]`)
	out := map[string][2]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			a, _ := strconv.Atoi(m[2])
			b, _ := strconv.Atoi(m[3])
			out[m[1]] = [2]int{a, b}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no summary table in %s", path)
	}
	return out
}

func oneRun(t *testing.T, res Results) CollectionRun {
	t.Helper()
	if len(res.Collections) != 1 || len(res.Governance) != 0 {
		t.Fatalf("want 1 collection run and no governance, got %d and %d", len(res.Collections), len(res.Governance))
	}
	return res.Collections[0]
}

func findExec(t *testing.T, run CollectionRun, iteration int, name string) Execution {
	t.Helper()
	for _, e := range run.Executions {
		if e.Iteration == iteration && e.Name == name {
			return e
		}
	}
	t.Fatalf("no execution %q in iteration %d", name, iteration)
	return Execution{}
}

func TestNewmanJSONFixtureMatchesCLI(t *testing.T) {
	res := parseFile(t, fixture(t, "newman", "newman-report.json"))
	run := oneRun(t, res)
	cli := cliTable(t, fixture(t, "newman", "newman-cli.txt"))

	if got, want := [2]int{run.Assertions.Total, run.Assertions.Failed}, cli["assertions"]; got != want || want != [2]int{64, 13} {
		t.Errorf("assertions = %v, cli printed %v (want 64/13)", got, want)
	}
	if got, want := [2]int{run.Requests.Total, run.Requests.Failed}, cli["requests"]; got != want {
		t.Errorf("requests = %v, cli printed %v", got, want)
	}
	if run.Iterations != cli["iterations"][0] || run.Iterations != 2 {
		t.Errorf("iterations = %d, cli printed %d", run.Iterations, cli["iterations"][0])
	}
	if run.Assertions.Skipped != 2 {
		t.Errorf("skipped = %d, want 2 (pm.test.skip in both iterations)", run.Assertions.Skipped)
	}
	if run.DurationMS != 1831 { // "total run duration: 1831ms"
		t.Errorf("duration = %d ms, want 1831", run.DurationMS)
	}
	if run.Name != "Reports Lab API" || run.Tool != ToolNewman || run.Partial {
		t.Errorf("name/tool/partial = %q/%q/%v", run.Name, run.Tool, run.Partial)
	}
	if len(run.Executions) != 23 { // the request skipped in iteration 2 was never sent
		t.Errorf("executions = %d, want 23", len(run.Executions))
	}
	// Per-execution assertions add up to the tool's counters.
	var total, failed int
	for _, e := range run.Executions {
		for _, a := range e.Assertions {
			total++
			if a.Status == Failed {
				failed++
			}
		}
	}
	if total != 64 || failed != 13 {
		t.Errorf("assertions in executions = %d/%d, want 64/13", total, failed)
	}

	del := findExec(t, run, 1, "Delete user")
	if del.Folder != "Users/Admin" || del.Method != "DELETE" || del.URL != "http://127.0.0.1:18080/users/1" ||
		del.Code != 403 || del.ResponseMS != 4 {
		t.Errorf("Delete user #1 = %+v", del)
	}
	if len(del.Assertions) != 2 || del.Assertions[1] != (Assertion{Name: "Status code is 204", Status: Failed,
		Message: "expected response to have status code 204 but got 403"}) {
		t.Errorf("Delete user assertions = %+v", del.Assertions)
	}
	list := findExec(t, run, 2, "List users")
	if list.Assertions[3].Status != Skipped || list.Assertions[3].Name != "Pagination headers present (TODO)" {
		t.Errorf("skipped assertion = %+v", list.Assertions[3])
	}
	down := findExec(t, run, 2, "Create order (legacy host down)")
	if down.Error != "connect ECONNREFUSED 127.0.0.1:9" || down.Code != 0 || down.URL != "http://127.0.0.1:9/orders" {
		t.Errorf("errored request = %+v", down)
	}
	ts := findExec(t, run, 1, "Order report (test-script error)")
	if ts.Error != "test script: ReferenceError: notDefinedHelper is not defined" {
		t.Errorf("test-script error = %q", ts.Error)
	}
	pre := findExec(t, run, 1, "Legacy HTML endpoint (pre-request error)")
	if !strings.HasPrefix(pre.Error, "pre-request script: JSONError: Unexpected token 't' at 1:1") || pre.Code != 500 {
		t.Errorf("pre-request error = %q (code %d)", pre.Error, pre.Code)
	}
	root := findExec(t, run, 1, "Root-level ping")
	if root.Folder != "" {
		t.Errorf("root-level folder = %q", root.Folder)
	}
	big := findExec(t, run, 1, "Big payload (10 KB)")
	if big.URL != "http://127.0.0.1:18080/big?kb=10" {
		t.Errorf("query URL = %q", big.URL)
	}
	assertNoSecrets(t, res)
}

// assertNoSecrets: the environment's values (apiKey is in the report in plain
// text, in the environment and in request headers) never reach the results.
func assertNoSecrets(t *testing.T, res Results) {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"not-a-real-key", "x-api-key", "Postman-Token"} {
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(s)) {
			t.Errorf("results expose %q", s)
		}
	}
}

func TestPostmanCLINativeFixturesMatchCLI(t *testing.T) {
	cli := cliTable(t, fixture(t, "postman-cli", "postman-cli-cli.txt"))
	for _, name := range []string{"postman-cli-report.json", "postman-cli-report.omitResponseBodies.json"} {
		t.Run(name, func(t *testing.T) {
			res := parseFile(t, fixture(t, "postman-cli", name))
			run := oneRun(t, res)
			if got := [2]int{run.Assertions.Total, run.Assertions.Failed}; got != cli["assertions"] || got != [2]int{64, 13} {
				t.Errorf("assertions = %v, cli printed %v", got, cli["assertions"])
			}
			if got := [2]int{run.Requests.Total, run.Requests.Failed}; got != cli["requests"] {
				t.Errorf("requests = %v, cli printed %v", got, cli["requests"])
			}
			if run.Assertions.Skipped != 2 || run.Iterations != 2 || run.Tool != ToolPostmanCLI || run.Name != "Reports Lab API" {
				t.Errorf("run = %+v", run)
			}
			// 24 executions in the file; the skipped request (no response, no tests) is not a request sent.
			if len(run.Executions) != 23 {
				t.Errorf("executions = %d, want 23", len(run.Executions))
			}
			down := findExec(t, run, 1, "Create order (legacy host down)")
			if down.Error != "connect ECONNREFUSED 127.0.0.1:9" || down.Method != "POST" || len(down.Assertions) != 2 {
				t.Errorf("errored request = %+v", down)
			}
			get := findExec(t, run, 2, "Get user by id")
			if get.Code != 404 || get.URL != "http://127.0.0.1:18080/users/99" ||
				get.Assertions[1] != (Assertion{Name: "Status code is 200", Status: Failed, Message: "expected response to have status code 200 but got 404"}) {
				t.Errorf("Get user by id #2 = %+v", get)
			}
			if e := findExec(t, run, 1, "Order report (test-script error)"); e.Error != "test script: ReferenceError: notDefinedHelper is not defined" {
				t.Errorf("post-response error = %q", e.Error)
			}
			assertNoSecrets(t, res)
		})
	}
}

func TestJUnitFixturesArePartial(t *testing.T) {
	for _, p := range []string{fixture(t, "newman", "newman-report.xml"), fixture(t, "postman-cli", "postman-cli-report.xml")} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			run := oneRun(t, parseFile(t, p))
			// "Jenkins from newman JUnit (derived)": 33 tests, 7 failed, 0 skipped
			if run.Assertions != (Counts{Total: 33, Failed: 7}) || run.Requests.Total != 12 {
				t.Errorf("counts = %+v requests %+v", run.Assertions, run.Requests)
			}
			if !run.Partial || !strings.Contains(run.PartialWhy, "earlier iterations") ||
				!strings.Contains(run.PartialWhy, "the suites count 13 failed assertions") {
				t.Errorf("partial = %v %q", run.Partial, run.PartialWhy)
			}
			if run.Tool != ToolJUnit || run.Name != "Reports Lab API" || run.Iterations != 0 {
				t.Errorf("run = %q %q %d", run.Tool, run.Name, run.Iterations)
			}
			del := findExec(t, run, 0, "Delete user")
			if del.Folder != "Users/Admin" || del.Assertions[1].Status != Failed ||
				del.Assertions[1].Message != "expected response to have status code 204 but got 403" {
				t.Errorf("Delete user = %+v", del)
			}
			down := findExec(t, run, 0, "Create order (legacy host down)")
			if down.Error != "connect ECONNREFUSED 127.0.0.1:9" {
				t.Errorf("request error from system-err = %q", down.Error)
			}
			pre := findExec(t, run, 0, "Legacy HTML endpoint (pre-request error)")
			if pre.Error != "pre-request script: Unexpected token 't' at 1:1\nthis is not json\n^" {
				t.Errorf("script error from system-err = %q", pre.Error)
			}
			// newman JUnit drops the failure of iteration 1 ("Failed" resets on a pass).
			list := findExec(t, run, 0, "List users")
			if list.Assertions[2].Name != "Has at least minUsers users" || list.Assertions[2].Status != Passed {
				t.Errorf("List users = %+v", list.Assertions)
			}
		})
	}
}

func TestSpectralJSONFixture(t *testing.T) {
	res := parseFile(t, fixture(t, "spectral", "spectral-report.json"))
	if len(res.Governance) != 1 || len(res.Collections) != 0 {
		t.Fatalf("got %d governance, %d collections", len(res.Governance), len(res.Collections))
	}
	g := res.Governance[0]
	_, gs := res.Summaries()
	if len(g.Violations) != 26 || *gs != (GovernanceSummary{Definitions: 1, Error: 7, Warning: 16, Info: 1, Hint: 2}) {
		t.Errorf("violations = %d, summary %+v; want 26: 7 error, 16 warn, 1 info, 2 hint", len(g.Violations), *gs)
	}
	if g.Definition != "/var/lib/jenkins/workspace/payments-api-tests/spectral/openapi.yaml" || g.Tool != ToolSpectral || g.Partial {
		t.Errorf("definition %q tool %q partial %v", g.Definition, g.Tool, g.Partial)
	}
	want := Violation{Rule: "operation-security-defined-or-global", Severity: SevError,
		Message: "security must not be empty: operation is unauthenticated", Path: "paths./orders.get.security",
		File: "/var/lib/jenkins/workspace/payments-api-tests/spectral/openapi.yaml", Line: 18, Column: 16}
	if g.Violations[5] != want {
		t.Errorf("violation 5 = %+v\nwant %+v", g.Violations[5], want)
	}
	last := g.Violations[25]
	if last.File != "/var/lib/jenkins/workspace/payments-api-tests/spectral/schemas/order.yaml" || last.Line != 9 || last.Column != 14 ||
		last.Path != "properties.qty.example" {
		t.Errorf("$ref'd file violation = %+v", last)
	}
	if g.Violations[7].Severity != SevHint || g.Violations[7].Rule != "operation-summary-present" {
		t.Errorf("hint = %+v", g.Violations[7])
	}
}

func TestSARIFFixture(t *testing.T) {
	res := parseFile(t, fixture(t, "spectral", "spectral-report.sarif"))
	g := res.Governance[0]
	_, gs := res.Summaries()
	// SARIF folds info and hint into note: 1 info + 2 hint = 3 info.
	if len(g.Violations) != 26 || *gs != (GovernanceSummary{Definitions: 1, Error: 7, Warning: 16, Info: 3}) {
		t.Errorf("violations %d summary %+v", len(g.Violations), *gs)
	}
	if g.Definition != "openapi.yaml" || g.Tool != ToolSpectral || !g.Partial || !strings.Contains(g.PartialWhy, "no JSON paths") {
		t.Errorf("governance = %q %q %v %q", g.Definition, g.Tool, g.Partial, g.PartialWhy)
	}
	found := false
	for _, v := range g.Violations {
		if v.Rule == "operation-security-defined-or-global" {
			found = true
			if v.Line != 18 || v.Column != 16 || v.Severity != SevError || v.File != "openapi.yaml" ||
				!strings.HasPrefix(v.Message, "security must not be empty") {
				t.Errorf("SARIF violation = %+v", v)
			}
		}
	}
	if !found {
		t.Error("operation-security-defined-or-global missing")
	}
}

func TestSpectralJUnitFixture(t *testing.T) {
	res := parseFile(t, fixture(t, "spectral", "spectral-report.xml"))
	if len(res.Governance) != 1 || len(res.Collections) != 0 {
		t.Fatalf("got %d governance, %d collections", len(res.Governance), len(res.Collections))
	}
	g := res.Governance[0]
	if len(g.Violations) != 7 || !g.Partial || g.Definition != "/var/lib/jenkins/workspace/payments-api-tests/spectral/openapi.yaml" {
		t.Errorf("governance = %d %v %q", len(g.Violations), g.Partial, g.Definition)
	}
	want := Violation{Rule: "operation-security-defined-or-global", Severity: SevError,
		Message: "security must not be empty: operation is unauthenticated", Path: "paths./orders.get.security",
		File: "/var/lib/jenkins/workspace/payments-api-tests/spectral/openapi.yaml", Line: 18, Column: 16}
	if g.Violations[0] != want {
		t.Errorf("violation 0 = %+v", g.Violations[0])
	}
	if v := g.Violations[3]; v.Rule != "path-params" || v.Path != "paths./orders/{orderId}.get" || v.Line != 49 {
		t.Errorf("violation 3 = %+v", v)
	}
}

func TestCleanSpectralReports(t *testing.T) {
	for _, n := range []string{"clean-report.json", "clean-report.sarif"} {
		res := parseFile(t, fixture(t, "spectral", n))
		if len(res.Governance) != 1 || len(res.Governance[0].Violations) != 0 || res.Governance[0].Violations == nil {
			t.Errorf("%s: %+v", n, res.Governance)
		}
		if res.Governance[0].Definition != n {
			t.Errorf("%s: definition %q", n, res.Governance[0].Definition)
		}
	}
}

func TestDetectFixtures(t *testing.T) {
	cases := map[string]Kind{
		fixture(t, "newman", "newman-report.json"):                            KindNewmanJSON,
		fixture(t, "newman", "newman-report.xml"):                             KindJUnitXML,
		fixture(t, "postman-cli", "postman-cli-report.json"):                  KindPostmanCLIJSON,
		fixture(t, "postman-cli", "postman-cli-report.xml"):                   KindJUnitXML,
		fixture(t, "spectral", "spectral-report.json"):                        KindSpectralJSON,
		fixture(t, "spectral", "clean-report.json"):                           KindSpectralJSON,
		fixture(t, "spectral", "spectral-report.sarif"):                       KindSARIF,
		fixture(t, "spectral", "clean-report.sarif"):                          KindSARIF,
		fixture(t, "spectral", "spectral-report.xml"):                         KindJUnitXML,
		fixture(t, "newman", "newman-cli.txt"):                                KindUnknown,
		fixture(t, "inputs", "collection.json"):                               KindUnknown,
		fixture(t, "inputs", "environment.json"):                              KindUnknown,
		corpus.Path(t, "jenkins", "silas-node-jenkins", "testReportGet.json"): KindJenkinsTests,
	}
	for p, want := range cases {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > HeadSize {
			b = b[:HeadSize]
		}
		// The name is only a hint: a misleading one must not change the answer.
		if got := Detect(b, "report.txt"); got != want {
			t.Errorf("Detect(%s) = %q, want %q", filepath.Base(p), got, want)
		}
	}
}

func TestJenkinsAggregatedFixture(t *testing.T) {
	p := corpus.Path(t, "jenkins", "silas-node-jenkins", "testReportGet.json")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ParseJenkinsTestReport(f, "testReport", Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := oneRun(t, res)
	// childReports[0].result: passCount 107, failCount 0, skipCount 21 (the cases were trimmed by the author)
	if run.Assertions != (Counts{Total: 128, Failed: 0, Skipped: 21}) || run.Tool != ToolJenkins || !run.Partial {
		t.Errorf("run = %+v", run)
	}
	if len(run.Executions) != 1 || run.Executions[0].Name != "SomeClass" ||
		run.Executions[0].Assertions[0] != (Assertion{Name: "it should display something", Status: Passed}) {
		t.Errorf("executions = %+v", run.Executions)
	}
}
