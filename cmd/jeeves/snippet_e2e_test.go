package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
	"github.com/jeeves-dev/jeeves/snippet/snippettest"
)

// TestSnippetEndToEnd proves the pipeline snippet: its sh steps run for real
// (newman and Spectral from npm, against a loopback API), the simulated
// Jenkins serves what they wrote as a build's archived artifacts, and
// `jeeves results --json` shows the counts newman and Spectral printed.
func TestSnippetEndToEnd(t *testing.T) {
	nm := snippettest.Tools(t)
	api := snippettest.OrdersAPI(t)
	ws := snippettest.Workspace(t, api.URL, nm)

	// 1. The stage, as `jeeves snippet` prints it.
	code, text, errOut := runCLI(t, nil, "snippet", "--tool", "newman", "--os", "linux",
		"--collection", snippettest.Collection, "--environment", snippettest.Environment, "--lint", snippettest.Definition)
	if code != exitOK {
		t.Fatalf("jeeves snippet: exit %d: %s", code, errOut)
	}
	st, err := snippettest.Parse(text)
	if err != nil {
		t.Fatal(err)
	}

	// 2. Its sh steps, run as a Jenkins agent would.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results, err := st.RunSh(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	var printed snippettest.Counts
	var problems snippettest.Problems
	var sawNewman, sawSpectral bool
	for _, r := range results {
		if c, err := snippettest.NewmanCounts(r.Output); err == nil {
			printed, sawNewman = c, true
		}
		if p, err := snippettest.SpectralProblems(r.Output); err == nil {
			problems, sawSpectral = p, true
		}
	}
	if !sawNewman || !sawSpectral {
		t.Fatalf("newman printed its summary: %v, Spectral its problems: %v\n%v", sawNewman, sawSpectral, results)
	}
	if printed.Assertions == 0 || printed.AssertionsFailed == 0 || problems.Total == 0 {
		t.Fatalf("the test data should give failures and problems: %+v %+v", printed, problems)
	}

	t.Logf("newman printed %+v; Spectral printed %+v", printed, problems)

	// 3. What archiveArtifacts keeps becomes build #1's artifacts; what the
	// junit step reads feeds its test report.
	archived, err := snippettest.Archived(ws, st.Archive)
	if err != nil || len(archived) == 0 {
		t.Fatalf("archived %q: %v", archived, err)
	}
	junit, _ := snippettest.Archived(ws, st.JUnit)
	job := jenkinstest.JobDef{Path: "orders/api-tests", Kind: "pipeline",
		History: jenkinstest.History{Count: 1, Days: 1, Outcomes: map[string]float64{"UNSTABLE": 1}}}
	for _, a := range archived {
		job.Artifacts = append(job.Artifacts, jenkinstest.Artifact{Path: a, Pass: filepath.Join(ws, filepath.FromSlash(a)),
			JUnit: strings.Contains(strings.Join(junit, "\n"), a)})
	}
	world := &jenkinstest.World{Seed: 1, Users: []jenkinstest.User{{ID: "ci", Tokens: []string{"e2e-token"}}},
		Jobs: []jenkinstest.JobDef{job}}
	srv := httptest.NewServer(jenkinstest.New(world).Handler())
	defer srv.Close()

	// 4. jeeves results --json of that build.
	cfg := writeConfig(t, `[[integration]]
nickname = "Orders"
url = "`+srv.URL+`"
username = "ci"
token_env = "JT"
job = "orders/api-tests"
`)
	env := map[string]string{"JT": "e2e-token", "JEEVES_STORE": filepath.Join(t.TempDir(), "jeeves.db")}
	code, out, errOut := runCLI(t, env, "results", "--config", cfg, "-i", "Orders", "1", "--json")
	if code != exitOK {
		t.Fatalf("jeeves results: exit %d: %s", code, errOut)
	}
	var got struct {
		Collections []struct {
			Name     string `json:"name"`
			Tool     string `json:"tool"`
			Artifact string `json:"artifact"`
			Requests struct {
				Total, Failed int
			} `json:"requests"`
			Assertions struct {
				Total, Failed int
			} `json:"assertions"`
		} `json:"collections"`
		Governance []struct {
			Artifact   string `json:"artifact"`
			Violations []struct {
				Severity string `json:"severity"`
			} `json:"violations"`
		} `json:"governance"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("results --json: %v\n%s", err, out)
	}
	if len(got.Collections) != 1 || len(got.Governance) != 1 {
		t.Fatalf("results: %d collection runs and %d governance results, want 1 and 1\n%s", len(got.Collections), len(got.Governance), out)
	}
	c := got.Collections[0]
	if c.Name != "Orders smoke" || c.Tool != "newman" || c.Artifact != "jeeves-reports/orders/newman.json" {
		t.Errorf("collection run %q by %q from %q", c.Name, c.Tool, c.Artifact)
	}
	if c.Requests.Total != printed.Requests || c.Requests.Failed != printed.RequestsFailed ||
		c.Assertions.Total != printed.Assertions || c.Assertions.Failed != printed.AssertionsFailed {
		t.Errorf("jeeves says requests %d/%d failed, assertions %d/%d failed; newman printed %+v",
			c.Requests.Failed, c.Requests.Total, c.Assertions.Failed, c.Assertions.Total, printed)
	}
	g := got.Governance[0]
	sev := map[string]int{}
	for _, v := range g.Violations {
		sev[v.Severity]++
	}
	if g.Artifact != "jeeves-reports/orders/spectral.json" || len(g.Violations) != problems.Total || sev["error"] != problems.Errors ||
		sev["warning"] != problems.Warnings || sev["info"] != problems.Infos || sev["hint"] != problems.Hints {
		t.Errorf("jeeves says %d violations %v from %q; Spectral printed %+v", len(g.Violations), sev, g.Artifact, problems)
	}
}
