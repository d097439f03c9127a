package snippet_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/report"
	"github.com/jeeves-dev/jeeves/snippet"
	"github.com/jeeves-dev/jeeves/snippet/snippettest"
)

// TestPostmanCLILintLandsWhereJeevesFindsIt runs the Postman CLI/Linux
// stage's sh steps with a stand-in `postman` (the real one needs Postman's
// cloud to lint) that prints, for `spec lint ... --output json`, the lint
// JSON hand-written from the CLI's format (report/testdata/postman-lint) and
// exits 1 as the CLI does for errors. The stage must keep going (catchError),
// and leave the output in the archived report directory, where jeeves
// detects and parses it.
func TestPostmanCLILintLandsWhereJeevesFindsIt(t *testing.T) {
	lintJSON, err := filepath.Abs(filepath.Join("..", "report", "testdata", "postman-lint", "spec-lint-notice.txt"))
	if err != nil {
		t.Fatal(err)
	}
	nm := t.TempDir()
	bin := filepath.Join(nm, ".bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	fake := map[string]string{
		"postman": `#!/bin/sh
echo "postman $*" >>"$WORKSPACE/postman-calls"
if [ "$1 $2" = "spec lint" ]; then
  cat '` + lintJSON + `'
  echo "3 errors found" >&2
  exit 1
fi
exit 0
`,
		"spectral": "#!/bin/sh\nexit 0\n",
	}
	for name, script := range fake {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ws := snippettest.Workspace(t, "http://127.0.0.1:9", nm)
	opts := snippet.Options{Tool: snippet.PostmanCLI, OS: snippet.Linux,
		Collection: snippettest.Collection, Environment: snippettest.Environment, Lint: snippettest.Definition}
	text, err := snippet.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := snippettest.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	results, err := st.RunSh(ctx, ws, []string{"POSTMAN_API_KEY=PMAK-test"})
	if err != nil {
		t.Fatal(err)
	}
	var lint *snippettest.Result
	for i := range results {
		if strings.Contains(results[i].Step.Script, "postman spec lint") {
			lint = &results[i]
		}
	}
	if lint == nil || lint.ExitCode != 1 || !lint.Step.CatchError {
		t.Fatalf("lint step = %+v; want exit 1 inside catchError", lint)
	}
	calls, _ := os.ReadFile(filepath.Join(ws, "postman-calls"))
	if !strings.Contains(string(calls), "postman spec lint "+snippettest.Definition+" --output json\n") ||
		!strings.Contains(string(calls), "postman logout") {
		t.Errorf("postman was called:\n%s", calls)
	}

	_, reports := snippet.Files(opts)
	want := "jeeves-reports/orders/postman-spec-lint.json"
	if !slices.Contains(reports, want) {
		t.Fatalf("Files = %v, want %s among them", reports, want)
	}
	archived, err := snippettest.Archived(ws, st.Archive)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(archived, want) {
		t.Fatalf("archived %v, want %s", archived, want)
	}
	b, err := os.ReadFile(filepath.Join(ws, filepath.FromSlash(want)))
	if err != nil {
		t.Fatal(err)
	}
	if k := report.Detect(b, want); k != report.KindPostmanLintJSON {
		t.Fatalf("Detect = %q", k)
	}
	res, err := report.Parse(strings.NewReader(string(b)), want, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Governance) != 1 || len(res.Governance[0].Violations) != 6 || res.Governance[0].Tool != report.ToolPostmanCLI {
		t.Errorf("parsed = %+v", res.Governance)
	}
}
