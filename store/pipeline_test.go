package store

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
	"github.com/jeeves-dev/jeeves/report"
)

// sim is a simulated Jenkins behind a real client.
type sim struct {
	srv *jenkinstest.Server
	api *jenkins.Client
	url string
}

func newSim(t *testing.T, w *jenkinstest.World) *sim {
	t.Helper()
	srv := jenkinstest.New(w)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	user, token := srv.Credentials()
	api, err := jenkins.New(jenkins.Options{BaseURL: hs.URL, Username: user, Token: config.NewSecret(token), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &sim{srv: srv, api: api, url: hs.URL}
}

// requests counts the requests of the given kinds since the last reset.
func (s *sim) requests(kinds ...string) int {
	n := 0
	stats := s.srv.Stats()
	if len(kinds) == 0 {
		for _, st := range stats {
			n += st.Requests
		}
		return n
	}
	for _, k := range kinds {
		n += stats[k].Requests
	}
	return n
}

func (s *sim) integration(nick, job string) config.Integration {
	return config.Integration{Nickname: nick, URL: s.url, Job: job}
}

// poll lists and stores a job's newest builds, as the dashboard does.
func poll(t *testing.T, s *sim, st *Store, in config.Integration, limit int) []jenkins.Build {
	t.Helper()
	bs, err := s.api.Builds(context.Background(), in.Job, limit)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SavePoll(context.Background(), in.Nickname, bs, limit); err != nil {
		t.Fatal(err)
	}
	return bs
}

func TestFetchResultsFromDemoJenkinsOnceEver(t *testing.T) {
	s := newSim(t, jenkinstest.DemoWorld())
	st := openTemp(t)
	ctx := context.Background()
	in := s.integration("Payments API", "payments/api-tests")
	builds := poll(t, s, st, in, 15)

	s.srv.ResetStats()
	var stored, empty, pending int
	for _, b := range builds {
		res, state, why, err := FetchResults(ctx, s.api, st, in, b, FetchOptions{})
		if err != nil {
			t.Fatalf("build %d: %v", b.Number, err)
		}
		switch state {
		case ResultsPending:
			pending++
			if !b.Building || why != WhyRunning {
				t.Errorf("build %d pending (%q) but building=%v", b.Number, why, b.Building)
			}
		case ResultsEmpty:
			empty++
			// The demo archives reports for success, unstable and failure only.
			if b.Status != jenkins.StatusAborted && b.Status != jenkins.StatusNotBuilt {
				t.Errorf("build %d (%s) has no results: %q", b.Number, b.Status, why)
			}
			if why != WhyNoArtifacts {
				t.Errorf("build %d: why = %q, want %q", b.Number, why, WhyNoArtifacts)
			}
		case ResultsStored:
			stored++
			// newman JSON and its JUnit twin give one run; Spectral JSON and its SARIF twin one definition.
			if len(res.Collections) != 1 || len(res.Governance) != 1 {
				t.Fatalf("build %d: %d runs, %d definitions; want 1 and 1 (twins merged)", b.Number, len(res.Collections), len(res.Governance))
			}
			c, g := res.Collections[0], res.Governance[0]
			if c.Tool != report.ToolNewman || c.Artifact != "reports/newman.json" || c.Partial {
				t.Errorf("build %d collection from %s/%s partial=%v", b.Number, c.Tool, c.Artifact, c.Partial)
			}
			if g.Tool != report.ToolSpectral || g.Artifact != "reports/spectral.json" || len(g.Violations) == 0 {
				t.Errorf("build %d governance from %s/%s with %d violations", b.Number, g.Tool, g.Artifact, len(g.Violations))
			}
			if c.Assertions.Total == 0 || len(c.Executions) == 0 {
				t.Errorf("build %d: empty run %+v", b.Number, c.Assertions)
			}
			if why != "" {
				t.Errorf("build %d: why = %q for complete results", b.Number, why)
			}
		default:
			t.Errorf("build %d: state %s (%q)", b.Number, state, why)
		}
	}
	if stored == 0 || pending != 1 {
		t.Fatalf("stored %d, empty %d, pending %d: the demo has results and one running build", stored, empty, pending)
	}
	// One build read (artifacts are not in the list) and four artifacts per build with reports; no testReport.
	finished := len(builds) - pending
	if got := s.requests("build"); got != finished {
		t.Errorf("%d build requests for %d finished builds", got, finished)
	}
	if got := s.requests("artifact"); got != 4*stored {
		t.Errorf("%d artifact downloads for %d builds with 4 reports", got, stored)
	}
	if got := s.requests("testReport"); got != 0 {
		t.Errorf("%d testReport requests although richer reports exist", got)
	}

	// The list shows the summaries, and the builds now know their artifacts and tests.
	list, err := st.Builds(ctx, in.Nickname, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		switch r.ResultsState {
		case ResultsStored:
			if r.Collections == nil || r.Governance == nil || r.Collections.Runs != 1 || r.Governance.Definitions != 1 {
				t.Errorf("build %d summaries %+v %+v", r.Number, r.Collections, r.Governance)
			}
			if len(r.Artifacts) != 4 || r.Tests == nil {
				t.Errorf("build %d: stored artifacts %v tests %v", r.Number, r.Artifacts, r.Tests)
			}
		case ResultsPending:
			if !r.Building {
				t.Errorf("build %d pending but not building", r.Number)
			}
		}
	}

	// Second time round: not one request, same answers.
	s.srv.ResetStats()
	for _, b := range builds {
		res1, state1, _, _ := st.Results(ctx, in.Nickname, b.Number)
		res, state, _, err := FetchResults(ctx, s.api, st, in, b, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if b.Building {
			if state != ResultsPending {
				t.Errorf("running build %d: %s", b.Number, state)
			}
			continue
		}
		if state != state1 || len(res.Collections) != len(res1.Collections) {
			t.Errorf("build %d: second answer %s differs from stored %s", b.Number, state, state1)
		}
	}
	if n := s.requests(); n != 0 {
		t.Errorf("second pass made %d requests (%v), want 0", n, s.srv.Stats())
	}
}

func TestFetchResultsPostmanCLIAndSARIFOnly(t *testing.T) {
	s := newSim(t, jenkinstest.DemoWorld())
	st := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		in         config.Integration
		tool       report.Tool
		artifact   string
		governance report.Tool
	}{
		{s.integration("Orders", "orders-api"), report.ToolPostmanCLI, "postman-cli-reports/orders.json", ""},
		// Only SARIF for lint: the partial form is all there is, so it is kept.
		{s.integration("Gateway", "gateway/main"), report.ToolNewman, "target/newman/gateway.json", report.ToolSpectral},
	} {
		builds := poll(t, s, st, tc.in, 10)
		checked := 0
		for _, b := range builds {
			if b.Building || b.Status != jenkins.StatusSuccess && b.Status != jenkins.StatusFailure && b.Status != jenkins.StatusUnstable {
				continue
			}
			res, state, why, err := FetchResults(ctx, s.api, st, tc.in, b, FetchOptions{})
			if err != nil || state != ResultsStored {
				t.Fatalf("%s #%d: %s %q %v", tc.in.Job, b.Number, state, why, err)
			}
			if len(res.Collections) != 1 || res.Collections[0].Tool != tc.tool || res.Collections[0].Artifact != tc.artifact {
				t.Errorf("%s #%d collections = %+v", tc.in.Job, b.Number, res.Collections)
			}
			if tc.governance == "" && len(res.Governance) != 0 || tc.governance != "" && (len(res.Governance) != 1 || res.Governance[0].Artifact != "target/lint/openapi.sarif") {
				t.Errorf("%s #%d governance = %+v", tc.in.Job, b.Number, res.Governance)
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%s: no finished build with reports to check", tc.in.Job)
		}
	}
}

// labWorld is a small world with hand-made artifacts next to it.
func labWorld(t *testing.T, files map[string]string, jobs string) *jenkinstest.World {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	world := "seed = 7\n[[user]]\nid = \"u\"\ntokens = [\"t0k3n\"]\n" + jobs
	path := filepath.Join(dir, "world.toml")
	if err := os.WriteFile(path, []byte(world), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := jenkinstest.LoadWorld(path)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

const labJob = `
[[job]]
path = "lab/%s"
kind = "freestyle"
  [job.history]
  count = 2
  outcomes = { SUCCESS = 1.0 }
`

func job(name string, artifacts ...string) string {
	s := strings.Replace(labJob, "%s", name, 1)
	for _, a := range artifacts {
		path, src, _ := strings.Cut(a, "=")
		junit := strings.HasSuffix(src, "+junit")
		src = strings.TrimSuffix(src, "+junit")
		s += "  [[job.artifact]]\n  path = \"" + path + "\"\n  pass = \"" + src + "\"\n"
		if junit {
			s += "  junit = true\n"
		}
	}
	return s
}

func fetchNewest(t *testing.T, s *sim, st *Store, in config.Integration, opts FetchOptions) (report.Results, ResultsState, string) {
	t.Helper()
	builds := poll(t, s, st, in, 5)
	res, state, why, err := FetchResults(context.Background(), s.api, st, in, builds[0], opts)
	if err != nil {
		t.Fatalf("%s: %v", in.Job, err)
	}
	return res, state, why
}

func TestFetchResultsPicksCandidatesAndSaysWhy(t *testing.T) {
	files := map[string]string{
		"info.json":   `{"version": "1.2.3", "commit": "abc"}`,
		"broken.xml":  `<testsuites><testsuite name="a"><testcase name="b"></testsuite>`,
		"notes.txt":   "not a report",
		"spectral.js": `[{"code":"info-contact","message":"Info object must have contact","severity":1,"path":["info"],"range":{"start":{"line":1,"character":2},"end":{"line":1,"character":3}},"source":"/w/openapi.yaml"}]`,
	}
	w := labWorld(t, files,
		job("mixed",
			"out/newman.json=demo:newman-fail.json",
			"out/build-info.json=info.json",
			"out/broken.xml=broken.xml",
			"out/notes.txt=notes.txt",
			"node_modules/pkg/package.json=info.json")+
			job("nothing")+
			job("noreports", "out/build-info.json=info.json", "out/notes.txt=notes.txt")+
			job("broken", "out/broken.xml=broken.xml")+
			job("junitonly", "junit/newman.xml=demo:newman-fail.xml+junit")+
			job("oddname", "lint/result.txt=spectral.js", "lint/other.txt=notes.txt"))
	s := newSim(t, w)
	st := openTemp(t)

	s.srv.ResetStats()
	res, state, why := fetchNewest(t, s, st, s.integration("mixed", "lab/mixed"), FetchOptions{})
	if state != ResultsStored || len(res.Collections) != 1 || res.Collections[0].Artifact != "out/newman.json" || res.Collections[0].Assertions.Failed == 0 {
		t.Fatalf("mixed: %s %+v", state, res.Collections)
	}
	// The unreadable XML is noted beside the results; build-info.json is no report; notes.txt and node_modules are never downloaded.
	if !strings.HasPrefix(why, "report unreadable: out/broken.xml") {
		t.Errorf("mixed: why = %q", why)
	}
	if n := s.requests("artifact"); n != 3 {
		t.Errorf("mixed: %d artifact downloads, want 3 (newman.json, build-info.json, broken.xml)", n)
	}

	_, state, why = fetchNewest(t, s, st, s.integration("nothing", "lab/nothing"), FetchOptions{})
	if state != ResultsEmpty || why != WhyNoArtifacts {
		t.Errorf("nothing: %s %q", state, why)
	}
	_, state, why = fetchNewest(t, s, st, s.integration("noreports", "lab/noreports"), FetchOptions{})
	if state != ResultsEmpty || why != WhyNoArtifacts {
		t.Errorf("noreports: %s %q", state, why)
	}
	_, state, why = fetchNewest(t, s, st, s.integration("broken", "lab/broken"), FetchOptions{})
	if state != ResultsEmpty || !strings.HasPrefix(why, "report unreadable: out/broken.xml: ") || strings.Contains(why, "\n") {
		t.Errorf("broken: %s %q", state, why)
	}
	if list, _ := st.Builds(context.Background(), "broken", 1); list[0].ResultsState != ResultsEmpty || list[0].ResultsWhy != why {
		t.Errorf("broken: the list says %s %q", list[0].ResultsState, list[0].ResultsWhy)
	}

	// A JUnit XML artifact gives a (partial) run; Jenkins's testReport is not needed.
	s.srv.ResetStats()
	res, state, _ = fetchNewest(t, s, st, s.integration("junitonly", "lab/junitonly"), FetchOptions{})
	if state != ResultsStored || len(res.Collections) != 1 || res.Collections[0].Tool != report.ToolJUnit || !res.Collections[0].Partial {
		t.Errorf("junitonly: %s %+v", state, res.Collections)
	}
	if n := s.requests("testReport"); n != 0 {
		t.Errorf("junitonly: %d testReport requests", n)
	}

	// Globs pick files whatever their extension; content still decides.
	odd := s.integration("oddname", "lab/oddname")
	odd.Governance = []string{"lint/*.txt"}
	res, state, why = fetchNewest(t, s, st, odd, FetchOptions{})
	if state != ResultsStored || len(res.Governance) != 1 || res.Governance[0].Artifact != "lint/result.txt" || len(res.Collections) != 0 {
		t.Errorf("oddname with globs: %s %q %+v", state, why, res)
	}
	// Without globs .txt is never looked at.
	_, state, why = fetchNewest(t, s, st, s.integration("oddname2", "lab/oddname"), FetchOptions{})
	if state != ResultsEmpty || why != WhyNoArtifacts {
		t.Errorf("oddname without globs: %s %q", state, why)
	}
}

func TestFetchResultsUsesJenkinsTestReportWhenGlobsFindNothing(t *testing.T) {
	w := labWorld(t, nil, job("junit", "junit/newman.xml=demo:newman-fail.xml+junit"))
	s := newSim(t, w)
	st := openTemp(t)
	in := s.integration("junit", "lab/junit")
	// The globs match nothing: the JUnit published in Jenkins is all there is.
	in.Collections, in.Governance = []string{"newman/*.json"}, []string{"lint/*.json"}
	s.srv.ResetStats()
	res, state, why := fetchNewest(t, s, st, in, FetchOptions{})
	if state != ResultsStored || len(res.Collections) == 0 || res.Collections[0].Tool != report.ToolJenkins || res.Collections[0].Artifact != "testReport" {
		t.Fatalf("%s %q %+v", state, why, res.Collections)
	}
	if n := s.requests("testReport"); n != 1 {
		t.Errorf("%d testReport requests, want 1", n)
	}
	if n := s.requests("artifact"); n != 0 {
		t.Errorf("%d artifact downloads, want 0 (globs match none)", n)
	}
}

func TestFetchResultsCapsDownloads(t *testing.T) {
	w := labWorld(t, nil, job("big", "reports/newman.json=demo:newman-fail.json"))
	s := newSim(t, w)
	st := openTemp(t)
	_, state, why := fetchNewest(t, s, st, s.integration("big", "lab/big"), FetchOptions{MaxBytes: 16 << 10})
	if state != ResultsEmpty || why != WhyNoArtifacts+" (reports/newman.json: larger than the 16 KiB cap)" {
		t.Errorf("%s %q", state, why)
	}
}

func TestFetchResultsRetriesAfterAnOutage(t *testing.T) {
	w := labWorld(t, nil, job("flaky", "reports/newman.json=demo:newman-pass.json"))
	s := newSim(t, w)
	st := openTemp(t)
	ctx := context.Background()
	in := s.integration("flaky", "lab/flaky")
	builds := poll(t, s, st, in, 5)
	s.srv.SetFaults(jenkinstest.Faults{ErrorRate: 1})
	_, state, why, err := FetchResults(ctx, s.api, st, in, builds[0], FetchOptions{})
	if err == nil || state != ResultsError || why == "" {
		t.Fatalf("during the outage: %s %q %v", state, why, err)
	}
	if list, _ := st.Builds(ctx, in.Nickname, 1); list[0].ResultsState != ResultsError {
		t.Errorf("the list says %s during the outage", list[0].ResultsState)
	}
	s.srv.SetFaults(jenkinstest.Faults{})
	res, state, _, err := FetchResults(ctx, s.api, st, in, builds[0], FetchOptions{})
	if err != nil || state != ResultsStored || len(res.Collections) != 1 {
		t.Fatalf("after the outage: %s %v", state, err)
	}
}

func TestFetchResultsCancelledStoresNothing(t *testing.T) {
	w := labWorld(t, nil, job("slow", "reports/newman.json=demo:newman-pass.json"))
	s := newSim(t, w)
	st := openTemp(t)
	in := s.integration("slow", "lab/slow")
	builds := poll(t, s, st, in, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, _, err := FetchResults(ctx, s.api, st, in, builds[0], FetchOptions{}); err == nil {
		t.Fatal("a cancelled fetch succeeded")
	}
	if _, state, _, _ := st.Results(context.Background(), in.Nickname, builds[0].Number); state != ResultsNone {
		t.Errorf("a cancelled fetch left state %s", state)
	}
}

func TestMatchAny(t *testing.T) {
	cases := []struct {
		globs []string
		path  string
		want  bool
	}{
		{[]string{"newman/*.json"}, "newman/run.json", true},
		{[]string{"newman/*.json"}, "out/newman/run.json", false},
		{[]string{"**/newman/*.json"}, "out/newman/run.json", true},
		{[]string{"**/*.sarif"}, "a/b/c/lint.sarif", true},
		{[]string{"**/*.sarif"}, "lint.sarif", true},
		{[]string{"*.xml"}, "deep/dir/junit.xml", true},
		{[]string{"./reports/*.xml"}, "reports/junit.xml", true},
		{[]string{"reports/**"}, "reports/a/b.json", true},
		{[]string{"reports/*"}, "reports/a/b.json", false},
		{nil, "x.json", false},
	}
	for _, c := range cases {
		if got := matchAny(c.globs, c.path); got != c.want {
			t.Errorf("matchAny(%q, %q) = %v, want %v", c.globs, c.path, got, c.want)
		}
	}
}

func TestFetchResultsCapsTheNumberOfFiles(t *testing.T) {
	var arts []string
	for i := range 6 {
		arts = append(arts, fmt.Sprintf("misc/data-%d.json=info.json", i))
	}
	arts = append(arts, "reports/newman.json=demo:newman-pass.json")
	w := labWorld(t, map[string]string{"info.json": `{"a": 1}`}, job("many", arts...))
	s := newSim(t, w)
	st := openTemp(t)
	s.srv.ResetStats()
	res, state, why := fetchNewest(t, s, st, s.integration("many", "lab/many"), FetchOptions{MaxFiles: 3})
	// The likely report is tried first, whatever its place in the list.
	if state != ResultsStored || len(res.Collections) != 1 || why != "looked at the first 3 of 7 candidate artifacts" {
		t.Errorf("%s %q %d runs", state, why, len(res.Collections))
	}
	if n := s.requests("artifact"); n != 3 {
		t.Errorf("%d downloads, want 3", n)
	}
}

// A build the store knows but Jenkins no longer has: no results, and gone.
func TestFetchResultsOfABuildJenkinsDiscarded(t *testing.T) {
	w := labWorld(t, nil, job("short", "reports/newman.json=demo:newman-pass.json"))
	s := newSim(t, w)
	st := openTemp(t)
	ctx := context.Background()
	in := s.integration("short", "lab/short")
	old := jenkins.Build{Number: 900, Status: jenkins.StatusSuccess} // as a list would give it: no artifacts
	if err := st.SaveBuilds(ctx, in.Nickname, []jenkins.Build{old}); err != nil {
		t.Fatal(err)
	}
	_, state, why, err := FetchResults(ctx, s.api, st, in, old, FetchOptions{})
	if err != nil || state != ResultsEmpty || why != WhyBuildGone {
		t.Fatalf("%s %q %v", state, why, err)
	}
	if r, _ := st.Build(ctx, in.Nickname, 900); !r.Gone || r.ResultsWhy != WhyBuildGone {
		t.Errorf("record %+v", r)
	}
}

// A download cut short by the network is not a report cut short: nothing
// partial is stored for good, and the next look fetches it whole.
func TestFetchResultsTruncatedDownloadIsRetried(t *testing.T) {
	w := labWorld(t, nil, job("cut", "reports/newman.json=demo:newman-fail.json"))
	s := newSim(t, w)
	st := openTemp(t)
	ctx := context.Background()
	in := s.integration("cut", "lab/cut")
	list := poll(t, s, st, in, 5)
	full, err := s.api.Build(ctx, in.Job, list[0].Number) // with its artifacts
	if err != nil {
		t.Fatal(err)
	}
	s.srv.SetFaults(jenkinstest.Faults{TruncateRate: 1})
	_, state, why, err := FetchResults(ctx, s.api, st, in, full, FetchOptions{})
	if err == nil || state != ResultsError {
		t.Fatalf("truncated download: %s %q %v", state, why, err)
	}
	s.srv.SetFaults(jenkinstest.Faults{})
	res, state, why, err := FetchResults(ctx, s.api, st, in, full, FetchOptions{})
	if err != nil || state != ResultsStored || len(res.Collections) != 1 || res.Collections[0].Partial {
		t.Fatalf("after: %s %q %v %+v", state, why, err, res.Collections)
	}
}
