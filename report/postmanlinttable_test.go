package report

import (
	"bytes"
	"strings"
	"testing"
)

// api-lint.txt and api-lint-clean.txt are written by the Postman CLI's own
// table formatter (testdata/postman-lint/regen.sh), colours on.
func TestPostmanLintTable(t *testing.T) {
	b := postmanLintFile(t, "api-lint.txt")
	if k := Detect(b[:min(len(b), HeadSize)], "lint.json"); k != KindPostmanLintTable {
		t.Fatalf("Detect = %q", k)
	}
	res, err := Parse(bytes.NewReader(b), "api-lint.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Governance) != 1 {
		t.Fatalf("governance = %+v", res.Governance)
	}
	g := res.Governance[0]
	if g.Definition != "Orders API" || g.Tool != ToolPostmanCLI || g.Partial {
		t.Errorf("governance = %q %s partial=%v %q", g.Definition, g.Tool, g.Partial, g.PartialWhy)
	}
	want := []Violation{
		// wrapped over three lines of the table, cut mid-word
		{Rule: "governance", Severity: SevError, Line: 10, Column: 9, Path: "paths./health.get",
			Message: "Every operation must declare a security requirement, so that anonymous access is never the default."},
		{Rule: "governance", Severity: SevWarning, Line: 2, Column: 6, Path: "info", Message: `Info object must have "contact" object.`},
		{Rule: "governance", Severity: SevInfo, Line: 60, Column: 9, Path: "paths./orders/{id}.get", Message: "Operations should have a summary."},
		{Rule: "security", Severity: SevError, Line: 75, Column: 16, Path: "paths./orders/{id}.delete.security", Message: "DELETE operations must not be anonymous."},
		{Rule: "security", Severity: SevHint, Line: 119, Column: 12, Path: "components.schemas.Customer.properties.id", Message: "Schema properties should have a description."},
	}
	if len(g.Violations) != len(want) {
		t.Fatalf("%d violations: %+v", len(g.Violations), g.Violations)
	}
	for i := range want {
		if g.Violations[i] != want[i] {
			t.Errorf("violation %d = %+v\nwant %+v", i, g.Violations[i], want[i])
		}
	}

	res, err = Parse(bytes.NewReader(postmanLintFile(t, "api-lint-clean.txt")), "clean.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g := res.Governance[0]; len(g.Violations) != 0 || g.Partial || g.Definition != "Orders API" {
		t.Errorf("clean = %+v", g)
	}
}

// The formatter's JSON (spec lint) has the shape the hand-written files have.
func TestPostmanLintFormatterJSON(t *testing.T) {
	res, err := Parse(bytes.NewReader(postmanLintFile(t, "spec-lint-formatter.json")), "f.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := res.Governance[0]
	if len(g.Violations) != 3 || g.Partial || g.Violations[0] != (Violation{Rule: "syntax", Severity: SevError,
		Message: `"example" property type must be string`, Path: "components.schemas.Order.properties.currency.example",
		File: "/var/jenkins_home/workspace/payments/api-tests/openapi.yaml", Line: 108}) {
		t.Errorf("formatter JSON = %+v", g)
	}
}

func TestPostmanLintTableDamaged(t *testing.T) {
	b := postmanLintFile(t, "api-lint.txt")
	// cut after the first table: the summary is missing, two results are read
	cut := b[:bytes.Index(b, []byte("Validation Type:\x1b[22m Security"))]
	res, err := Parse(bytes.NewReader(cut), "cut.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g := res.Governance[0]; len(g.Violations) != 3 || !g.Partial || !strings.Contains(g.PartialWhy, "no summary line") {
		t.Errorf("cut: %d violations, partial %v %q", len(g.Violations), g.Partial, g.PartialWhy)
	}
	// a row lost: the CLI's count says so
	i := bytes.Index(b, []byte("│ 2:6"))
	j := i + bytes.IndexByte(b[i:], '\n') + 1
	res, err = Parse(bytes.NewReader(append(append([]byte{}, b[:i]...), b[j:]...)), "lost.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g := res.Governance[0]; len(g.Violations) != 4 || !strings.Contains(g.PartialWhy, "the CLI counted 5 problems, 4 were read") {
		t.Errorf("lost row: %d violations, %q", len(g.Violations), g.PartialWhy)
	}
	// an unknown severity and a file prefix in the range
	odd := "API DETAILS\nName: X\nValidation Type: Security\n" +
		"│ a.yaml -> 3:4 │ CRITICAL │ m │ p │\n└─┘\n✖ 1 problems (0 errors, 0 warnings, 0 infos, 0 hints)\n"
	res, err = Parse(strings.NewReader(odd), "odd.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g := res.Governance[0]; len(g.Violations) != 1 || g.Violations[0].File != "a.yaml" || g.Violations[0].Line != 3 ||
		g.Violations[0].Severity != SevWarning || g.Definition != "a.yaml" || !strings.Contains(g.PartialWhy, "unreadable shape or severity") {
		t.Errorf("odd = %+v", g)
	}
	if _, err := parsePostmanLintTable(strings.NewReader("API DETAILS\nName: X\n"), "x.txt"); err == nil ||
		err.Error() != "not readable Postman CLI lint output: no results table" {
		t.Errorf("no table: %v", err)
	}
	for _, c := range []struct{ in, want string }{
		{"API DETAILS and nothing else", "x.txt: not a known report"},
		{"Error: getaddrinfo ENOTFOUND gateway.postman.com\n", "x.txt: not a known report"},
	} {
		_, err := Parse(strings.NewReader(c.in), "x.txt", Options{})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.in, err, c.want)
		}
	}
}
