package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files in testdata/postman-lint are hand-written from the Postman CLI's
// documented options and its JSON formatter (see the README there).
func postmanLintFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "postman-lint", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPostmanLintJSON(t *testing.T) {
	for _, name := range []string{"spec-lint.json", "spec-lint-notice.txt"} {
		t.Run(name, func(t *testing.T) {
			b := postmanLintFile(t, name)
			if k := Detect(b[:min(len(b), HeadSize)], "lint.txt"); k != KindPostmanLintJSON {
				t.Fatalf("Detect = %q", k)
			}
			res, err := Parse(bytes.NewReader(b), name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Collections) != 0 || len(res.Governance) != 1 {
				t.Fatalf("results = %+v", res)
			}
			g := res.Governance[0]
			if g.Tool != ToolPostmanCLI || g.Artifact != name || g.Partial ||
				g.Definition != "/var/jenkins_home/workspace/payments/api-tests/openapi.yaml" {
				t.Errorf("governance = %s %q %q partial=%v %q", g.Tool, g.Artifact, g.Definition, g.Partial, g.PartialWhy)
			}
			want := []Violation{
				{Rule: "syntax", Severity: SevError, Message: `"example" property type must be string`,
					Path: "components.schemas.Order.properties.currency.example", File: "/var/jenkins_home/workspace/payments/api-tests/openapi.yaml", Line: 108},
				{Rule: "governance", Severity: SevError, Message: "Every operation must declare a security requirement.",
					Path: "paths./health.get", File: "/var/jenkins_home/workspace/payments/api-tests/openapi.yaml", Line: 10},
				{Rule: "governance", Severity: SevError, Message: "DELETE operations must not be anonymous.",
					Path: "paths./orders/{id}.delete.security", File: "/var/jenkins_home/workspace/payments/api-tests/openapi.yaml", Line: 75},
				{Rule: "governance", Severity: SevWarning, Message: `Info object must have "contact" object.`,
					Path: "info", File: "/var/jenkins_home/workspace/payments/api-tests/openapi.yaml", Line: 2},
				{Rule: "governance", Severity: SevInfo, Message: "Schema properties should have a description.",
					Path: "properties.email", File: "/var/jenkins_home/workspace/payments/api-tests/schemas/customer.yaml", Line: 4},
				{Rule: "governance", Severity: SevHint, Message: "Responses should have an example.",
					Path: "components.responses.NotFound", File: "Component: Shared errors", Line: 12},
			}
			if len(g.Violations) != len(want) {
				t.Fatalf("%d violations, want %d: %+v", len(g.Violations), len(want), g.Violations)
			}
			for i := range want {
				if g.Violations[i] != want[i] {
					t.Errorf("violation %d = %+v\nwant %+v", i, g.Violations[i], want[i])
				}
			}
			_, gs := res.Summaries()
			if *gs != (GovernanceSummary{Definitions: 1, Error: 3, Warning: 1, Info: 1, Hint: 1}) {
				t.Errorf("summary = %+v", *gs)
			}
		})
	}
}

func TestPostmanLintClean(t *testing.T) {
	b := postmanLintFile(t, "spec-lint-clean.json")
	if k := Detect(b, "x.json"); k != KindPostmanLintJSON {
		t.Fatalf("Detect = %q", k)
	}
	res, err := Parse(bytes.NewReader(b), "jeeves-reports/api/postman-lint.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := res.Governance[0]
	if len(g.Violations) != 0 || g.Partial || g.Definition != "postman-lint.json" || g.Tool != ToolPostmanCLI {
		t.Errorf("clean = %+v", g)
	}
}

// Names other parsers of this output use, numbers where strings are expected,
// and what is not a Postman CLI lint report.
func TestPostmanLintVariants(t *testing.T) {
	in := `{"violations":[
	  {"file":"a.yaml","line number":18,"path":"p","severity":"warn","issue":"m","issue type":"Governance"},
	  {"file":"a.yaml","line":"3:7","severity":"Info","message":"n","rule":"r1"},
	  {"file":"b.yaml","line number":"b.yaml -> 4:2","severity":"CRITICAL","issue":"o","issue type":"Governance"},
	  {"file":"a.yaml","line number":"","severity":"HINT","issue":"q","issue type":"Syntax","column":5},
	  {"file":["x"],"issue":"r","issue type":"Governance"}
	]}`
	res, err := Parse(strings.NewReader(in), "v.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := res.Governance[0]
	if len(g.Violations) != 5 {
		t.Fatalf("violations = %+v", g.Violations)
	}
	v := g.Violations
	if v[0].Line != 18 || v[0].Severity != SevWarning || v[0].Rule != "governance" {
		t.Errorf("0: %+v", v[0])
	}
	if v[1].Line != 3 || v[1].Column != 7 || v[1].Severity != SevInfo || v[1].Rule != "r1" || v[1].Message != "n" {
		t.Errorf("1: %+v", v[1])
	}
	if v[2].Line != 4 || v[2].Column != 2 || v[2].Severity != SevWarning {
		t.Errorf("2: %+v", v[2])
	}
	if v[3].Line != 0 || v[3].Column != 0 || v[3].Severity != SevHint {
		t.Errorf("3: a column without a line: %+v", v[3])
	}
	if v[4].File != "" || v[4].Message != "r" {
		t.Errorf("4: %+v", v[4])
	}
	// CRITICAL and the missing severity are unknown: shown as warnings, said so
	if !g.Partial || !strings.Contains(g.PartialWhy, "2 results had an unreadable shape or severity") {
		t.Errorf("partial = %v %q", g.Partial, g.PartialWhy)
	}

	cut := postmanLintFile(t, "spec-lint.json")
	cut = cut[:bytes.Index(cut, []byte(`"Component`))]
	res, err = Parse(bytes.NewReader(cut), "cut.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g := res.Governance[0]; len(g.Violations) != 5 || !g.Partial || !strings.Contains(g.PartialWhy, "cut short") {
		t.Errorf("cut: %d violations, partial %v %q", len(g.Violations), g.Partial, g.PartialWhy)
	}

	for _, c := range []struct{ in, want string }{
		{`{"violations":[{"issue type":"Syntax","file":"a"`, "x.json: not readable Postman CLI lint JSON: unexpected end of file"},
		{`{"violations":{"issue":"x"}}`, "x.json: not a known report"},
		{`{"violations":[{"foo":1}]}`, "x.json: not a known report"},
		{`{"results":[],"violations":[]`, "x.json: not readable Postman CLI lint JSON: unexpected end of file"},
		{"Error: Unable to retrieve governance rulesets\n", "x.json: not a known report"},
	} {
		_, err := Parse(strings.NewReader(c.in), "x.json", Options{})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.in, err, c.want)
		}
	}
}
