package snippet_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/snippet"
	"github.com/jeeves-dev/jeeves/snippet/snippettest"
)

// TestStageRunsForReal runs the newman/Linux stage's sh steps with the real
// newman and Spectral against a loopback API, and checks that the reports
// it leaves for archiving hold what the tools printed on the console.
func TestStageRunsForReal(t *testing.T) {
	nm := snippettest.Tools(t)
	api := snippettest.OrdersAPI(t)
	ws := snippettest.Workspace(t, api.URL, nm)

	opts := snippet.Options{Tool: snippet.Newman, OS: snippet.Linux,
		Collection: snippettest.Collection, Environment: snippettest.Environment, Lint: snippettest.Definition}
	text, err := snippet.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := snippettest.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	// A stale report from an "earlier build" must not survive to be archived.
	stale := filepath.Join(ws, "jeeves-reports", "orders", "stale.json")
	os.MkdirAll(filepath.Dir(stale), 0o755)
	os.WriteFile(stale, []byte(`[]`), 0o644)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results, err := st.RunSh(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("ran %d steps, want 3 (prepare, newman, spectral)", len(results))
	}
	prep, run, lint := results[0], results[1], results[2]
	if prep.ExitCode != 0 || strings.Contains(prep.Output, "npm install") {
		t.Fatalf("prepare step: exit %d; it must find the tools in place and not install:\n%s", prep.ExitCode, prep.Output)
	}
	// Failed assertions and lint errors exit 1; catchError keeps the stage going.
	if run.ExitCode != 1 || !run.Step.CatchError {
		t.Errorf("newman step: exit %d (catchError %v), want 1 inside catchError", run.ExitCode, run.Step.CatchError)
	}
	if lint.ExitCode != 1 || !lint.Step.CatchError {
		t.Errorf("spectral step: exit %d (catchError %v), want 1 inside catchError", lint.ExitCode, lint.Step.CatchError)
	}

	printed, err := snippettest.NewmanCounts(run.Output)
	if err != nil {
		t.Fatalf("%v\n%s", err, run.Output)
	}
	want := snippettest.Counts{Requests: 4, RequestsFailed: 0, Assertions: 9, AssertionsFailed: 3}
	if printed != want {
		t.Errorf("newman printed %+v, want %+v", printed, want)
	}
	problems, err := snippettest.SpectralProblems(lint.Output)
	if err != nil {
		t.Fatalf("%v\n%s", err, lint.Output)
	}
	if want := (snippettest.Problems{Total: 12, Errors: 2, Warnings: 10}); problems != want {
		t.Errorf("spectral printed %+v, want %+v", problems, want)
	}

	archived, err := snippettest.Archived(ws, st.Archive)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"jeeves-reports/orders/newman-junit.xml", "jeeves-reports/orders/newman.json", "jeeves-reports/orders/spectral.json"}
	if !reflect.DeepEqual(archived, wantFiles) {
		t.Fatalf("archiveArtifacts %q selects %q, want %q", st.Archive, archived, wantFiles)
	}
	junit, _ := snippettest.Archived(ws, st.JUnit)
	if !reflect.DeepEqual(junit, []string{"jeeves-reports/orders/newman-junit.xml"}) {
		t.Errorf("junit %q selects %q", st.JUnit, junit)
	}
	// Files tells a form the same names the stage writes.
	dir, files := snippet.Files(opts)
	sort.Strings(files)
	if dir != "jeeves-reports/orders" || !reflect.DeepEqual(files, wantFiles) {
		t.Errorf("Files = %q, %q; the stage wrote %q", dir, files, archived)
	}

	// The archived newman JSON counts what newman printed.
	var nj struct {
		Run struct {
			Stats map[string]struct{ Total, Failed int } `json:"stats"`
		} `json:"run"`
	}
	readJSON(t, filepath.Join(ws, "jeeves-reports/orders/newman.json"), &nj)
	if s := nj.Run.Stats["assertions"]; s.Total != printed.Assertions || s.Failed != printed.AssertionsFailed {
		t.Errorf("newman.json assertions %+v, console said %d/%d", s, printed.Assertions, printed.AssertionsFailed)
	}
	// The archived Spectral JSON holds the problems Spectral printed.
	var sj []struct {
		Code     string `json:"code"`
		Severity int    `json:"severity"`
	}
	readJSON(t, filepath.Join(ws, "jeeves-reports/orders/spectral.json"), &sj)
	var bySev [4]int
	for _, r := range sj {
		bySev[r.Severity]++
	}
	if len(sj) != problems.Total || bySev[0] != problems.Errors || bySev[1] != problems.Warnings {
		t.Errorf("spectral.json has %d results %v, console said %+v", len(sj), bySev, problems)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestStageUsesTheRepositoryRuleset: a .spectral.yaml in the workspace wins
// over the stage's fallback (Spectral's OpenAPI rules).
func TestStageUsesTheRepositoryRuleset(t *testing.T) {
	nm := snippettest.Tools(t)
	ws := snippettest.Workspace(t, "http://127.0.0.1:9", nm)
	// Only one rule of spectral:oas is on: the duplicate operationId (an error).
	ruleset := "extends: [[\"spectral:oas\", \"off\"]]\nrules:\n  operation-operationId-unique: error\n"
	if err := os.WriteFile(filepath.Join(ws, ".spectral.yaml"), []byte(ruleset), 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := snippet.Generate(snippet.Options{Tool: snippet.Newman, Collection: snippettest.Collection, Lint: snippettest.Definition})
	if err != nil {
		t.Fatal(err)
	}
	st, err := snippettest.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results, err := st.RunSh(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	lint := results[len(results)-1]
	p, err := snippettest.SpectralProblems(lint.Output)
	if err != nil {
		t.Fatalf("%v\n%s", err, lint.Output)
	}
	if want := (snippettest.Problems{Total: 1, Errors: 1}); p != want {
		t.Errorf("with the repository's ruleset Spectral found %+v, want %+v\n%s", p, want, lint.Output)
	}
	if !strings.Contains(lint.Output, "--ruleset .spectral.yaml") {
		t.Errorf("the lint did not use .spectral.yaml:\n%s", lint.Output)
	}
}
