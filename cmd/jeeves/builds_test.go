package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	rpt "github.com/jeeves-dev/jeeves/report"
)

const buildsToken = "5f4dcc3b5aa765d61d8327deb882cf99"

// fakeJenkins answers the build-list queries of one job the way Jenkins
// does: Basic auth required, builds capped at 100, allBuilds with ranges.
type fakeJenkins struct {
	mu     sync.Mutex
	trees  []string
	builds []string // JSON objects, newest first
}

var outerRange = regexp.MustCompile(`^(builds|allBuilds)\[.*\]\{(\d+),(\d+)\}$`)

func (f *fakeJenkins) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != buildsToken {
		w.Header().Set("WWW-Authenticate", `Basic realm="Jenkins"`)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(401)
		fmt.Fprint(w, "<html><head><title>Error 401 Invalid password/token for user: alice</title></head></html>")
		return
	}
	if r.URL.EscapedPath() != "/job/payments/job/api-tests/api/json" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(404)
		fmt.Fprint(w, "<html><body>Not found</body></html>")
		return
	}
	tree := r.URL.Query().Get("tree")
	f.mu.Lock()
	f.trees = append(f.trees, tree)
	f.mu.Unlock()
	m := outerRange.FindStringSubmatch(tree)
	if m == nil {
		http.Error(w, "unexpected tree "+tree, 500)
		return
	}
	from, _ := strconv.Atoi(m[2])
	to, _ := strconv.Atoi(m[3])
	all := f.builds
	if m[1] == "builds" && len(all) > 100 {
		all = all[:100]
	}
	from, to = min(from, len(all)), min(to, len(all))
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	fmt.Fprintf(w, `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","%s":[%s]}`, m[1], strings.Join(all[from:to], ","))
}

// setupBuilds starts a fake Jenkins with builds and writes a config for it.
func setupBuilds(t *testing.T, builds []string) (*fakeJenkins, map[string]string) {
	t.Helper()
	f := &fakeJenkins{builds: builds}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, writeBuildsConfig(t, srv.URL)
}

func writeBuildsConfig(t *testing.T, url string) map[string]string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	cfg := fmt.Sprintf(`[[integration]]
nickname = "Payments API"
url = %q
username = "alice"
token_env = "JT"
job = "payments/api-tests"
timeout = "5s"

[[integration]]
nickname = "Other"
url = %q
username = "alice"
token_env = "JT"
job = "nope"
`, url, url)
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// Every command that keeps results gets its own store, never the user's.
	return map[string]string{"JEEVES_CONFIG": p, "JT": buildsToken, "JEEVES_STORE": filepath.Join(t.TempDir(), "jeeves.db")}
}

func fixedNow(t *testing.T, now time.Time) {
	old := buildsNow
	buildsNow = func() time.Time { return now }
	t.Cleanup(func() { buildsNow = old })
}

// threeBuilds: a running build with a result already set, a failure with a
// password parameter, and an old-style success without causes.
var threeBuilds = []string{
	`{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":[{"_class":"hudson.model.CauseAction","causes":[{"_class":"hudson.model.Cause$UserIdCause","shortDescription":"Started by user Alice","userId":"alice","userName":"Alice"}]}],"building":true,"duration":0,"estimatedDuration":180000,"inProgress":true,"number":42,"queueId":901,"result":"UNSTABLE","timestamp":1764251000000}`,
	`{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":[{"_class":"hudson.model.ParametersAction","parameters":[{"_class":"hudson.model.StringParameterValue","name":"ENV","value":"qa"},{"_class":"hudson.model.PasswordParameterValue","name":"API_KEY"},{"_class":"hudson.model.BooleanParameterValue","name":"LINT","value":true}]},{"_class":"hudson.model.CauseAction","causes":[{"_class":"hudson.triggers.TimerTrigger$TimerTriggerCause","shortDescription":"Started by timer \u001b[2Jnow"}]},{}],"building":false,"duration":61500,"estimatedDuration":-1,"inProgress":false,"number":41,"queueId":900,"result":"FAILURE","timestamp":1764240000000}`,
	`{"building":false,"duration":2000,"number":40,"result":"SUCCESS","timestamp":1764230000000}`,
}

func TestBuildsJSON(t *testing.T) {
	fixedNow(t, time.UnixMilli(1764251000000).Add(90*time.Second))
	f, env := setupBuilds(t, threeBuilds)
	code, out, errOut := runCLI(t, env, "builds", "-i", "payments api", "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	url := rows[0]["url"].(string)
	wantURL := regexp.MustCompile(`^http://127\.0\.0\.1:\d+/job/payments/job/api-tests/42/$`)
	if !wantURL.MatchString(url) {
		t.Errorf("url %q", url)
	}
	srvURL := strings.TrimSuffix(url, "/job/payments/job/api-tests/42/")
	want := fmt.Sprintf(`[
  {
    "integration": "Payments API",
    "job": "payments/api-tests",
    "number": 42,
    "status": "running",
    "building": true,
    "started": "2025-11-27T13:43:20Z",
    "duration_ms": 90000,
    "estimated_ms": 180000,
    "url": "%[1]s/job/payments/job/api-tests/42/",
    "cause": "Started by user Alice",
    "parameters": {},
    "collections": null,
    "governance": null
  },
  {
    "integration": "Payments API",
    "job": "payments/api-tests",
    "number": 41,
    "status": "failure",
    "building": false,
    "started": "2025-11-27T10:40:00Z",
    "duration_ms": 61500,
    "estimated_ms": null,
    "url": "%[1]s/job/payments/job/api-tests/41/",
    "cause": "Started by timer \u001b[2Jnow",
    "parameters": {
      "API_KEY": "********",
      "ENV": "qa",
      "LINT": "true"
    },
    "collections": null,
    "governance": null
  },
  {
    "integration": "Payments API",
    "job": "payments/api-tests",
    "number": 40,
    "status": "success",
    "building": false,
    "started": "2025-11-27T07:53:20Z",
    "duration_ms": 2000,
    "estimated_ms": null,
    "url": "%[1]s/job/payments/job/api-tests/40/",
    "cause": null,
    "parameters": {},
    "collections": null,
    "governance": null
  }
]
`, srvURL)
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if len(f.trees) != 1 || !strings.HasPrefix(f.trees[0], "builds[") || !strings.HasSuffix(f.trees[0], "]{0,50}") {
		t.Errorf("requests %q", f.trees)
	}
	if strings.Contains(out, buildsToken) {
		t.Error("token in output")
	}
}

func TestBuildsTable(t *testing.T) {
	fixedNow(t, time.UnixMilli(1764251000000).Add(90*time.Second))
	_, env := setupBuilds(t, threeBuilds)
	code, out, errOut := runCLI(t, env, "builds", "-i", "Payments API")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	for i, want := range [][]string{
		{"#", "STATUS", "STARTED", "DURATION", "CAUSE", "COLLECTIONS", "GOVERNANCE"},
		{"42", "▶ running", "1m30s of ~3m00s", "Started by user Alice", "-"},
		{"41", "✘ failure", "1m01s", "Started by timer now"},
		{"40", "✔ success", "2s"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q lacks %q", i, lines[i], w)
			}
		}
	}
	if strings.ContainsAny(out, "\x1b") {
		t.Errorf("control sequence reached the table: %q", out)
	}
}

func TestBuildsStatusFilterPagesBack(t *testing.T) {
	// 250 builds; every 7th is a failure. --status failure --limit 20 needs
	// the newest 140 builds: two requests, builds{0,100} then allBuilds{100,200}.
	var builds []string
	for n := 250; n >= 1; n-- {
		res := "SUCCESS"
		if n%7 == 0 {
			res = "FAILURE"
		}
		builds = append(builds, fmt.Sprintf(`{"number":%d,"building":false,"result":%q,"timestamp":%d}`, n, res, 1764000000000+int64(n)*1000))
	}
	f, env := setupBuilds(t, builds)
	code, out, errOut := runCLI(t, env, "builds", "-i", "Payments API", "--status", "failure,aborted", "--limit", "20", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []buildRow
	json.Unmarshal([]byte(out), &rows)
	if len(rows) != 20 || rows[0].Number != 245 || rows[19].Number != 112 {
		t.Fatalf("%d rows, first %v last %v", len(rows), rows[0].Number, rows[len(rows)-1].Number)
	}
	for _, r := range rows {
		if r.Status != jenkins.StatusFailure {
			t.Errorf("#%d %s", r.Number, r.Status)
		}
	}
	if len(f.trees) != 2 || !strings.HasSuffix(f.trees[0], "]{0,100}") || !strings.HasPrefix(f.trees[1], "allBuilds[") || !strings.HasSuffix(f.trees[1], "]{100,200}") {
		t.Errorf("requests %q", f.trees)
	}

	// Over 100 without a filter: one allBuilds request.
	f.trees = nil
	code, out, _ = runCLI(t, env, "builds", "--config", env["JEEVES_CONFIG"], "-i", "Payments API", "--limit", "150", "--json")
	rows = nil
	json.Unmarshal([]byte(out), &rows)
	if code != 0 || len(rows) != 150 || rows[149].Number != 101 || len(f.trees) != 1 || !strings.HasPrefix(f.trees[0], "allBuilds[") {
		t.Errorf("exit %d, %d rows, requests %q", code, len(rows), f.trees)
	}
}

func TestBuildsExitCodes(t *testing.T) {
	_, env := setupBuilds(t, threeBuilds)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	deadEnv := writeBuildsConfig(t, deadURL)

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"bad token", map[string]string{"JEEVES_CONFIG": env["JEEVES_CONFIG"], "JT": "wrong-token"}, []string{"-i", "Payments API"}, exitConn, `bad credentials for user "alice" (HTTP 401`},
		{"no server", deadEnv, []string{"-i", "Payments API"}, exitConn, "refused"},
		{"job not found", env, []string{"-i", "Other"}, exitUsage, `job "nope" was not found (HTTP 404)`},
		{"token env unset", map[string]string{"JEEVES_CONFIG": env["JEEVES_CONFIG"]}, []string{"-i", "Payments API"}, exitUsage, "JT is empty or not set"},
		{"which integration", env, nil, exitUsage, "choose one with -i"},
		{"unknown integration", env, []string{"-i", "Nope"}, exitUsage, `no integration named "Nope"`},
		{"bad status", env, []string{"-i", "Payments API", "--status", "failed"}, exitUsage, `unknown status "failed" in --status; use success,failure,unstable,aborted,not_built,running`},
		{"bad limit", env, []string{"-i", "Payments API", "--limit", "0"}, exitUsage, "--limit must be 1 or more"},
		{"stray argument", env, []string{"-i", "Payments API", "42"}, exitUsage, `unexpected argument "42"`},
		{"unknown flag", env, []string{"--offline-ish"}, exitUsage, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.env, append([]string{"builds"}, tc.args...)...)
			if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "jeeves") {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q (want …%s…)", code, tc.code, out, errOut, tc.want)
			}
			if strings.Contains(errOut, buildsToken) || strings.Contains(errOut, "wrong-token") {
				t.Errorf("token in stderr: %s", errOut)
			}
		})
	}

	code, out, _ := runCLI(t, env, "builds", "--help")
	if code != 0 || !strings.Contains(out, "jeeves builds [-i NICKNAME] [--status S,S] [--limit N] [--offline] [--json]") {
		t.Errorf("help: %d %q", code, out)
	}
}

func TestBuildRowsTakeSummaries(t *testing.T) {
	// The results pipeline fills collections and governance through buildRows.
	in := config.Integration{Nickname: "P", Job: "p"}
	builds := []jenkins.Build{{Number: 7, Status: jenkins.StatusFailure}, {Number: 8, Status: jenkins.StatusSuccess}}
	rows := buildRows(in, builds, func(n int) (*rpt.CollectionSummary, *rpt.GovernanceSummary) {
		if n == 8 {
			return &rpt.CollectionSummary{Runs: 2, Requests: 30, RequestsFailed: 1, Assertions: 64, AssertionsFailed: 3},
				&rpt.GovernanceSummary{Definitions: 1, Error: 7, Warning: 16}
		}
		return nil, nil
	}, time.Now())
	if rows[0].Number != 8 || rows[0].Collections.Assertions != 64 || rows[1].Collections != nil || rows[0].Started != nil {
		t.Fatalf("rows %+v", rows)
	}
	if got := collectionsCell(rows[0].Collections) + " | " + governanceCell(rows[0].Governance); got != "61/64 ✘3 | 7E 16W" {
		t.Errorf("cells %q", got)
	}
	b, _ := json.Marshal(rows[0])
	if !strings.Contains(string(b), `"collections":{"runs":2,"requests":30,"requests_failed":1,"assertions":64,"assertions_failed":3},"governance":{"definitions":1,"error":7,"warning":16,"info":0,"hint":0}`) {
		t.Errorf("json %s", b)
	}
}
