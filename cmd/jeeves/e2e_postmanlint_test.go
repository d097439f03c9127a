package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/internal/tmuxtest"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// TestE2EPostmanCLILint: a build archives what the snippet's Postman CLI
// stage writes (its collection run and `postman spec lint --output json`,
// hand-written from the documented format in report/testdata/postman-lint);
// the dashboard finds the lint among the artifacts by content and shows it
// under the build, by severity, with lines and no made-up column.
func TestE2EPostmanCLILint(t *testing.T) {
	tmuxtest.Require(t)
	t.Parallel()
	bin := tmuxtest.Build(t, e2eRoot)
	lint, err := filepath.Abs(filepath.Join("..", "..", "report", "testdata", "postman-lint", "spec-lint.json"))
	if err != nil {
		t.Fatal(err)
	}
	wdir := t.TempDir()
	world := `seed = 3
[[user]]
id = "admin"
tokens = ["e2e0t0k3n00000000000000000000000b2"]

[[job]]
path = "orders-api"
kind = "pipeline"

  [job.history]
  count = 3
  days = 1
  duration = ["1m", "2m"]
  outcomes = { UNSTABLE = 1.0 }

  [[job.artifact]]
  path = "jeeves-reports/orders/postman-cli.json"
  pass = "demo:postman-cli-pass.json"
  fail = "demo:postman-cli-fail.json"

  [[job.artifact]]
  path = "jeeves-reports/orders/postman-spec-lint.json"
  pass = ` + e2eTOMLString(lint) + `
`
	wf := filepath.Join(wdir, "world.toml")
	if err := os.WriteFile(wf, []byte(world), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := jenkinstest.LoadWorld(wf)
	if err != nil {
		t.Fatal(err)
	}
	srv := e2eSim(t, w)
	dir := t.TempDir()
	writeE2EConfig(t, dir, srv, "Orders", "orders-api", "")
	d := e2eStartDash(t, bin, 120, 40, dir, srv)
	d.WaitUntil("build #3 with its lint counts", 20*time.Second, func(s string) bool {
		return e2eRowStatus(s, 3) == "unstable" && strings.Contains(s, "3E 1W")
	})
	d.Keys("Enter")
	d.WaitFor("postman-cli · 3 errors, 1 warning, 1 info, 1 hint", 10*time.Second)
	d.Keys("Down")
	time.Sleep(200 * time.Millisecond)
	d.Keys("Down")
	time.Sleep(200 * time.Millisecond)
	d.Keys("Enter")
	s := d.WaitFor("error (3)", 5*time.Second)
	for _, want := range []string{
		"108  syntax  \"example\" property type must be string",
		"75  governance  DELETE operations must not be anonymous.",
		"warning (1)",
		"2  governance  Info object must have \"contact\" object.",
		"api-tests/schemas/customer.yaml:4  governance  Schema properties should have a descripti",
		"Component: Shared errors:12  governance  Responses should have an example.",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q on the screen:\n%s", want, s)
		}
	}
	if strings.Contains(s, ":0  ") || strings.Contains(s, "108:0") {
		t.Errorf("a column the report does not have is shown:\n%s", s)
	}
	d.Keys("q")
	d.waitDead(t, 5*time.Second)
}
