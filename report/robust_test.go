package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/jeeves-dev/jeeves/internal/corpus"
)

func TestBodySkipper(t *testing.T) {
	cases := []struct{ in, want string }{
		{"{\"stream\":{\"type\":\"Buffer\",\"data\":[123,34,\n 10]}}", `{"stream":{"type":"Buffer","data":[]}}`},
		{"{\"data\" :\n  [\n    1,\n    2\n  ]}", "{\"data\" :\n  []}"},
		{`{"x":"data","y":[1,2]}`, `{"x":"data","y":[1,2]}`},         // "data" as a value
		{`{"data":"[1,2]"}`, `{"data":"[1,2]"}`},                     // a string, not an array
		{`{"mydata":[1,2],"dat":[3]}`, `{"mydata":[1,2],"dat":[3]}`}, // other keys
		{`{"a\"data":[1]}`, `{"a\"data":[1]}`},                       // escaped quote inside a key
		{`{"data\\":[1]}`, `{"data\\":[1]}`},                         // "data\" is not "data"
		{`{"data":[1, "x", 2]}`, `{"data":["x", 2]}`},                // only leading numbers go
		{`{"data":[{"a":1}]}`, `{"data":[{"a":1}]}`},                 // objects stay
		{`["data", [1,2]]`, `["data", [1,2]]`},                       // array element, not a key
		{`{"data":[-1.5e3,2E-2]}`, `{"data":[]}`},                    // every number form
		{`{"data":[1,2],"k":"data"}`, `{"data":[],"k":"data"}`},
	}
	for _, c := range cases {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = strings.NewReader(c.in)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			got, err := io.ReadAll(newBodySkipper(r))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("skip(%q, oneByte=%v) = %q, want %q", c.in, oneByte, got, c.want)
			}
		}
	}
}

// readFixture reads a file of the external corpus (../shared/fixtures/reports);
// absent, the test skips (CI=true: fails).
func readFixture(t *testing.T, parts ...string) []byte {
	t.Helper()
	return corpus.Read(t, append([]string{"reports"}, parts...)...)
}

// demoReport reads one of the reports the project generates itself with the
// real tools (jenkins/jenkinstest/demo/regen.sh) and ships with the demo.
func demoReport(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "jenkins", "jenkinstest", "demo", "reports", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The Postman CLI's --reporter-json-structure newman output is not among the
// fixtures; it is built here from newman's report with the differences
// docs/reports.md lists: failures[].parent is an array for request failures,
// timings.completed is missing, stats.responses and downloadedBytes are extra,
// the skipped request is an execution with response null, and (to check that
// failures[] fills the gap) executions carry no requestError.
func TestPostmanCLINewmanStructure(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(readFixture(t, "newman", "newman-report.json"), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc["run"].(map[string]any)
	delete(run["timings"].(map[string]any), "completed")
	run["stats"].(map[string]any)["responses"] = map[string]any{"total": 23, "pending": 0, "failed": 0}
	items := doc["collection"].(map[string]any)["item"]
	for _, f := range run["failures"].([]any) {
		if f := f.(map[string]any); f["at"] == "request" {
			f["parent"] = items
		}
	}
	execs := run["executions"].([]any)
	for _, e := range execs {
		e := e.(map[string]any)
		delete(e, "requestError")
		if resp, ok := e["response"].(map[string]any); ok {
			resp["downloadedBytes"] = resp["responseSize"]
		}
	}
	run["executions"] = append(execs, map[string]any{
		"id": "aaaaaaaa-0000-4000-8000-000000000015", "response": nil,
		"cursor": map[string]any{"iteration": 1, "position": 10},
		"item":   map[string]any{"id": "aaaaaaaa-0000-4000-8000-000000000015", "name": "Skipped in iteration 2"},
	})
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if k := Detect(b[:min(len(b), HeadSize)], "x.json"); k != KindNewmanJSON {
		t.Fatalf("Detect = %q", k)
	}
	res, err := Parse(bytes.NewReader(b), "pm.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := oneRun(t, res)
	if r.Tool != ToolPostmanCLI || r.Assertions != (Counts{Total: 64, Failed: 13, Skipped: 2}) ||
		r.Requests != (Counts{Total: 23, Failed: 2}) || r.DurationMS != 0 || len(r.Executions) != 23 {
		t.Errorf("run = %s %+v %+v %d ms, %d executions", r.Tool, r.Assertions, r.Requests, r.DurationMS, len(r.Executions))
	}
	for _, it := range []int{1, 2} {
		down := findExec(t, r, it, "Create order (legacy host down)")
		if down.Error != "connect ECONNREFUSED 127.0.0.1:9" || down.Folder != "Orders" {
			t.Errorf("iteration %d: request error from failures[] = %q (folder %q)", it, down.Error, down.Folder)
		}
	}
}

func TestTruncatedNewmanIsPartial(t *testing.T) {
	b := demoReport(t, "newman-fail.json")
	i := bytes.Index(b, []byte(`"executions"`))
	if i < 0 {
		t.Fatal("no executions")
	}
	// cut inside the fourth of the 8 executions (each starts with its "cursor")
	at := i
	for range 4 {
		j := bytes.Index(b[at+1:], []byte(`"cursor"`))
		if j < 0 {
			t.Fatal("fewer than 4 executions")
		}
		at += 1 + j
	}
	cut := b[:at+100]
	res, err := Parse(bytes.NewReader(cut), "cut.json", Options{})
	if err != nil {
		t.Fatalf("truncated report: %v", err)
	}
	r := oneRun(t, res)
	if !r.Partial || !strings.Contains(r.PartialWhy, "cut short") || !strings.Contains(r.PartialWhy, "unexpected end of file") {
		t.Errorf("partial = %v %q", r.Partial, r.PartialWhy)
	}
	// stats precede executions: the counts are the tool's, the list is what was read
	if r.Assertions.Total != 25 || len(r.Executions) == 0 || len(r.Executions) >= 8 {
		t.Errorf("assertions %+v, executions %d", r.Assertions, len(r.Executions))
	}

	// Cut inside the collection: nothing to show, a clear error.
	_, err = Parse(bytes.NewReader(b[:2000]), "early.json", Options{})
	if err == nil || !strings.Contains(err.Error(), "early.json: not a readable newman/Postman CLI report: unexpected end of file") {
		t.Errorf("early cut: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty.json", "", "empty.json: report is empty"},
		{"blank.json", " \n\t ", "blank.json: report is empty"},
		{"text.txt", "newman\n\nReports Lab API\n", "text.txt: not a known report"},
		{"obj.json", `{"hello": "world"}`, "obj.json: not a known report"},
		{"arr.json", `[1,2,3]`, "arr.json: not a known report"},
		{"html.xml", `<html><body>404</body></html>`, "html.xml: not a known report"},
		{"bad.xml", `<testsuites><testsuite name="a"><testcase name="x"></testsuite>`, "bad.xml: not readable JUnit XML"},
		{"spec.json", `[{"code":"x","severity":0,"range":`, "spec.json: not readable Spectral JSON"},
		{"sarif.json", `{"version":"2.1.0","runs":[{"results":[{"level":`, "sarif.json: not readable SARIF"},
		{"jenkins.json", `{"_class":"hudson.tasks.junit.TestResult","suites":[{"cases":[{"name"`, "jenkins.json: not a readable Jenkins test report"},
		{"newman.json", `{"collection":{"info":{"name":"x"},"item":[]},"run":`, "newman.json: not a readable newman/Postman CLI report"},
		{"deep.json", `{"collection":` + strings.Repeat("[", 20000), "deep.json: not a readable newman/Postman CLI report"},
		// A wrong type names the JSON field and what it should be, not Go's struct types.
		{"types.json", `{"collection":{"item":[]},"run":{"executions":[{"item":{"name":"x"},"assertions":[[]]}]}}`,
			`types.json: not a readable newman/Postman CLI report: unexpected JSON: field "assertions" is an array, not an object`},
	}
	for _, c := range cases {
		_, err := Parse(strings.NewReader(c.in), c.name, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want prefix %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "Go ") {
			t.Errorf("%s: error speaks of Go types: %q", c.name, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", c.name, err)
		}
	}
	_, err := Parse(strings.NewReader("{}"), "x", Options{})
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("{}: %v", err)
	}
}

func TestMaxBytes(t *testing.T) {
	b := demoReport(t, "newman-fail.json") // 121 KiB
	_, err := Parse(bytes.NewReader(b), "big.json", Options{MaxBytes: 100 << 10})
	var tl *TooLargeError
	if !errors.As(err, &tl) || err.Error() != "big.json: report is larger than the 100 KiB cap" {
		t.Errorf("err = %v", err)
	}
	// exactly at the cap is fine
	if _, err := Parse(bytes.NewReader(b), "ok.json", Options{MaxBytes: int64(len(b))}); err != nil {
		t.Errorf("at cap: %v", err)
	}
	x := demoReport(t, "newman-fail.xml")
	if _, err := Parse(bytes.NewReader(x), "big.xml", Options{MaxBytes: 1000}); !errors.As(err, &tl) {
		t.Errorf("xml over cap: %v", err)
	}
	tr := `{"_class":"hudson.tasks.junit.TestResult","duration":0.5,"failCount":0,"passCount":1,"skipCount":0,` +
		`"suites":[{"name":"s","cases":[{"className":"c","name":"n","status":"PASSED","duration":0.5}]}]}`
	if _, err := ParseJenkinsTestReport(strings.NewReader(tr), "tr", Options{MaxBytes: 100}); !errors.As(err, &tl) {
		t.Errorf("jenkins over cap: %v", err)
	}
}

// Secrets that leak into URLs (query parameters with secret-looking names,
// or environment values with secret-looking keys) are masked.
func TestSecretsMasked(t *testing.T) {
	in := `{"collection":{"info":{"name":"c"},"item":[{"id":"i1","name":"r"}]},
	"environment":{"values":[{"key":"apiKey","value":"s3cr3t-value","type":"any"},{"key":"host","value":"example.org"}]},
	"run":{"stats":{"assertions":{"total":1,"failed":1}},"executions":[{"id":"i1","cursor":{"iteration":0,"position":0},
	 "item":{"id":"i1","name":"r"},
	 "request":{"method":"GET","url":{"protocol":"https","host":["example","org"],"path":["a","s3cr3t-value"],
	   "query":[{"key":"access_token","value":"tok123"},{"key":"page","value":"2"}]}},
	 "response":{"code":401,"responseTime":3,"stream":{"type":"Buffer","data":[1,2,3]}},
	 "assertions":[{"assertion":"ok","skipped":false,"error":{"name":"AssertionError","message":"got s3cr3t-value"}}]}]}}`
	res, err := Parse(strings.NewReader(in), "s.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Collections[0].Executions[0]
	if e.URL != "https://example.org/a/****?access_token=****&page=2" || e.Assertions[0].Message != "got ****" {
		t.Errorf("url %q message %q", e.URL, e.Assertions[0].Message)
	}
}

func TestJenkinsTestReport(t *testing.T) {
	// Shaped as the junit plugin exports newman's and Spectral's JUnit (docs/reports.md (b)).
	in := `{"_class":"hudson.tasks.junit.TestResult","duration":0.3,"failCount":3,"passCount":3,"skipCount":1,
	"suites":[
	 {"id":"aaaaaaaa-0000-4000-8000-000000000009","name":"Orders _ Create order (legacy host down)","duration":0.0,
	  "stderr":"Iteration: 0\nRequestError: Error: connect ECONNREFUSED 127.0.0.1:9\n    at TCPConnectWrap.afterConnect\n\n---\n",
	  "cases":[{"className":"OrdersCreateOrderLegacyHostDown","name":"Status code is 201","status":"REGRESSION",
	   "errorDetails":"expected PostmanResponse{ …(5) } to have property 'code'","duration":0.0}]},
	 {"id":"x","name":"Users _ Get user by id","duration":0.003,"stderr":null,"cases":[
	  {"name":"Status code is 200","status":"FIXED","duration":0.002},
	  {"name":"Name matches","status":"PASSED","duration":0.002},
	  {"name":"Later","status":"SKIPPED","skipped":true}]},
	 {"name":"org.spectral._var_lib_jenkins_workspace_api_openapi.yaml","cases":[
	  {"name":"org.spectral.path-params(#/paths/~1orders~1%7BorderId%7D/get)","status":"FAILED",
	   "errorDetails":"Operation must define parameter","errorStackTrace":"line 49, col 9, Operation must define parameter (path-params) at path #/paths/~1orders~1%7BorderId%7D/get"}]}
	]}`
	if k := Detect([]byte(in), ""); k != KindJenkinsTests {
		t.Fatalf("Detect = %q", k)
	}
	res, err := Parse(strings.NewReader(in), "testReport", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Collections) != 1 || len(res.Governance) != 1 {
		t.Fatalf("got %d runs, %d governance", len(res.Collections), len(res.Governance))
	}
	r := res.Collections[0]
	if r.Assertions != (Counts{Total: 4, Failed: 1, Skipped: 1}) || r.Requests != (Counts{Total: 2, Failed: 1}) || !r.Partial || r.Tool != ToolJenkins {
		t.Errorf("run = %+v", r)
	}
	if e := r.Executions[0]; e.Error != "connect ECONNREFUSED 127.0.0.1:9" || e.Assertions[0].Status != Failed ||
		e.Name != "Orders _ Create order (legacy host down)" {
		t.Errorf("execution 0 = %+v", e)
	}
	if a := r.Executions[1].Assertions; a[0].Status != Passed || a[2].Status != Skipped {
		t.Errorf("FIXED/SKIPPED = %+v", a)
	}
	v := res.Governance[0].Violations[0]
	if v != (Violation{Rule: "path-params", Severity: SevError, Message: "Operation must define parameter",
		Path: "paths./orders/{orderId}.get", File: "_var_lib_jenkins_workspace_api_openapi.yaml", Line: 49, Column: 9}) {
		t.Errorf("violation = %+v", v)
	}

	// The build's TestResultAction summary alone.
	res, err = ParseJenkinsTestReport(strings.NewReader(`{"failCount":2,"skipCount":1,"totalCount":10,"urlName":"testReport"}`), "action", Options{})
	if err != nil || res.Collections[0].Assertions != (Counts{Total: 10, Failed: 2, Skipped: 1}) {
		t.Errorf("summary: %v %+v", err, res)
	}
	if _, err := ParseJenkinsTestReport(strings.NewReader(`{"jobs":[]}`), "job", Options{}); err == nil {
		t.Error("a job's JSON parsed as a test report")
	}
}

// A failing source (a dropped connection, a cancelled context, the HTTP
// client's own size cap) is an error that wraps the source's error, not a
// partial result.
func TestSourceErrorsPropagate(t *testing.T) {
	boom := errors.New("connection reset by peer")
	for _, p := range [][]string{
		{"newman", "newman-fail.json"}, {"newman", "newman-fail.xml"},
		{"spectral", "spectral.json"}, {"spectral", "spectral.sarif"},
	} {
		b := demoReport(t, p[1])
		for _, at := range []int{10, len(b) / 2} {
			r := io.MultiReader(bytes.NewReader(b[:at]), iotest.ErrReader(boom))
			res, err := Parse(r, "art", Options{})
			if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "art: reading the report: ") {
				t.Errorf("%s cut at %d: err = %v, res = %+v", p[1], at, err, res)
			}
		}
	}
	_, err := ParseJenkinsTestReport(io.MultiReader(strings.NewReader(`{"suites":[`), iotest.ErrReader(boom)), "tr", Options{})
	if !errors.Is(err, boom) {
		t.Errorf("jenkins: %v", err)
	}
}

func TestMaskRawURL(t *testing.T) {
	cases := map[string]string{
		"https://alice:hunter22@example.org/a?token=abc&page=2": "https://alice:****@example.org/a?token=****&page=2",
		"http://127.0.0.1:9/orders":                             "http://127.0.0.1:9/orders",
		"{{baseUrl}}/health?api_key={{apiKey}}":                 "{{baseUrl}}/health?api_key=****",
		"https://example.org/?q=1":                              "https://example.org/?q=1",
	}
	for in, want := range cases {
		if got := maskRawURL(in); got != want {
			t.Errorf("maskRawURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A field of an unexpected type costs that field, not the report, and the
// result says so; a document of the wrong type is a plain error.
func TestOddFieldTypes(t *testing.T) {
	res, err := Parse(strings.NewReader(`{"_class":"hudson.tasks.junit.TestResult",
		"suites":[{"name":"b","cases":5},{"name":"a","cases":[{"name":"t","status":"FAILED","errorDetails":"boom"}]}]}`), "tr", Options{})
	if err != nil || !strings.HasPrefix(res.Collections[0].PartialWhy, `field "suites.cases" had an unexpected type`) ||
		res.Collections[0].Assertions.Failed != 1 {
		t.Errorf("jenkins: %v %+v", err, res)
	}
	res, err = Parse(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"spectral"}},"artifacts":7,
		"results":[{"level":"error","ruleId":"r","message":{"text":"m"}}]}]}`), "s.sarif", Options{})
	if err != nil || len(res.Governance[0].Violations) != 1 || !strings.Contains(res.Governance[0].PartialWhy, `"runs.artifacts"`) {
		t.Errorf("sarif: %v %+v", err, res)
	}
	if _, err := ParseJenkinsTestReport(strings.NewReader(`[1,2]`), "tr", Options{}); err == nil ||
		err.Error() != "tr: not a Jenkins test report: the JSON is not an object" {
		t.Errorf("array: %v", err)
	}
}

// The Postman CLI's native report keeps bodies as Buffer arrays too: parsing it
// costs about what parsing the same run written with --reporter-json-omitResponseBodies does.
func TestPostmanCLIBodiesNotMaterialized(t *testing.T) {
	alloc := func(name string) uint64 {
		b := readFixture(t, "postman-cli", name)
		runtime.GC()
		var x, y runtime.MemStats
		runtime.ReadMemStats(&x)
		if _, err := Parse(bytes.NewReader(b), name, Options{}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&y)
		return y.TotalAlloc - x.TotalAlloc
	}
	with, without := alloc("postman-cli-report.json"), alloc("postman-cli-report.omitResponseBodies.json")
	t.Logf("allocated %d bytes with bodies (473 KB file), %d without (79 KB file)", with, without)
	if with > without+128<<10 {
		t.Errorf("bodies cost %d extra bytes", with-without)
	}
}

// The reports the project generates with the real tools (the demo's) are
// detected by content whatever their name.
func TestDetectDemoReports(t *testing.T) {
	cases := map[string]Kind{
		"newman-fail.json":      KindNewmanJSON,
		"newman-pass.xml":       KindJUnitXML,
		"newman-pass.txt":       KindUnknown,
		"postman-cli-fail.json": KindPostmanCLIJSON,
		"postman-cli-pass.xml":  KindJUnitXML,
		"spectral.json":         KindSpectralJSON,
		"spectral.sarif":        KindSARIF,
	}
	for name, want := range cases {
		b := demoReport(t, name)
		if got := Detect(b[:min(len(b), HeadSize)], "report.txt"); got != want {
			t.Errorf("Detect(%s) = %q, want %q", name, got, want)
		}
	}
}
