package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
	"github.com/jeeves-dev/jeeves/store"
)

// storeSim is the demo Jenkins with a config and a store of its own.
type storeSim struct {
	srv *jenkinstest.Server
	hs  *httptest.Server
	url string
	env map[string]string
}

func newStoreSim(t *testing.T) *storeSim {
	t.Helper()
	srv := jenkinstest.New(jenkinstest.DemoWorld())
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	user, token := srv.Credentials()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	body := fmt.Sprintf(`[[integration]]
nickname = "Payments API"
url = %q
username = %q
token_env = "JT"
job = "payments/api-tests"

[[integration]]
nickname = "Orders"
url = %q
username = %q
token_env = "JT"
job = "orders-api"
`, hs.URL, user, hs.URL, user)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return &storeSim{srv: srv, hs: hs, url: hs.URL, env: map[string]string{
		"JEEVES_CONFIG": cfg, "JT": token, "JEEVES_STORE": filepath.Join(dir, "state", "jeeves.db"),
	}}
}

func (s *storeSim) requests(kinds ...string) int {
	n := 0
	st := s.srv.Stats()
	if len(kinds) == 0 {
		for _, v := range st {
			n += v.Requests
		}
	}
	for _, k := range kinds {
		n += st[k].Requests
	}
	return n
}

func buildsJSON(t *testing.T, s *storeSim, args ...string) []buildRow {
	t.Helper()
	code, out, errOut := runCLI(t, s.env, append([]string{"builds", "--json"}, args...)...)
	if code != 0 || errOut != "" {
		t.Fatalf("builds %v: exit %d: %s", args, code, errOut)
	}
	var rows []buildRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestBuildsFillsResultsOnceAndAnswersOffline(t *testing.T) {
	s := newStoreSim(t)
	rows := buildsJSON(t, s, "-i", "Payments API", "--limit", "12")
	if len(rows) != 12 {
		t.Fatalf("%d rows", len(rows))
	}
	withResults := 0
	for _, r := range rows {
		hasReports := r.Status == "success" || r.Status == "unstable" || r.Status == "failure"
		switch {
		case r.Building:
			if r.Collections != nil || r.Governance != nil {
				t.Errorf("running #%d has summaries", r.Number)
			}
		case hasReports:
			if r.Collections == nil || r.Governance == nil || r.Collections.Runs != 1 || r.Collections.Assertions == 0 || r.Governance.Definitions != 1 {
				t.Errorf("#%d (%s): collections %+v governance %+v", r.Number, r.Status, r.Collections, r.Governance)
			}
			withResults++
		default:
			if r.Collections != nil || r.Governance != nil {
				t.Errorf("#%d (%s) without reports has summaries", r.Number, r.Status)
			}
		}
	}
	if withResults == 0 {
		t.Fatal("no build with results among the newest 12")
	}
	if s.requests("artifact") == 0 {
		t.Fatal("no artifact was downloaded on the first call")
	}

	// The second call fetches no artifact (nor any build or test report) again.
	s.srv.ResetStats()
	again := buildsJSON(t, s, "-i", "Payments API", "--limit", "12")
	if n := s.requests("artifact", "build", "testReport"); n != 0 {
		t.Errorf("second builds call made %d results requests: %v", n, s.srv.Stats())
	}
	if n := s.requests("builds"); n != 1 {
		t.Errorf("second builds call made %d list requests", n)
	}
	for i := range rows {
		if fmt.Sprint(again[i].Collections, again[i].Governance) != fmt.Sprint(rows[i].Collections, rows[i].Governance) {
			t.Errorf("#%d summaries changed: %v %v", rows[i].Number, again[i].Collections, rows[i].Collections)
		}
	}

	// --offline: the same list without a single request, even with Jenkins gone.
	s.srv.ResetStats()
	offline := buildsJSON(t, s, "-i", "Payments API", "--limit", "12", "--offline")
	if n := s.requests(); n != 0 {
		t.Errorf("--offline made %d requests", n)
	}
	if len(offline) != len(rows) {
		t.Fatalf("--offline: %d rows, want %d", len(offline), len(rows))
	}
	for i := range rows {
		o, r := offline[i], rows[i]
		if o.Number != r.Number || o.Status != r.Status || o.URL != r.URL || fmt.Sprint(o.Parameters) != fmt.Sprint(r.Parameters) ||
			fmt.Sprint(o.Collections, o.Governance) != fmt.Sprint(r.Collections, r.Governance) || *o.Started != *r.Started {
			t.Errorf("--offline row %d = %+v\nonline %+v", i, o, r)
		}
	}
	// Filters work offline too.
	failed := buildsJSON(t, s, "-i", "Payments API", "--offline", "--status", "failure,unstable", "--limit", "3")
	for _, r := range failed {
		if r.Status != "failure" && r.Status != "unstable" {
			t.Errorf("--status filter let %s through", r.Status)
		}
	}
	if len(failed) == 0 || len(failed) > 3 {
		t.Errorf("--offline --status gave %d rows", len(failed))
	}

	// The table shows the summaries.
	code, out, _ := runCLI(t, s.env, "builds", "-i", "Payments API", "--limit", "12", "--offline")
	if code != 0 || !strings.Contains(out, "/") || !strings.Contains(out, "W") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
}

func TestBuildsOfflineWithoutAStore(t *testing.T) {
	s := newStoreSim(t)
	code, out, errOut := runCLI(t, s.env, "builds", "-i", "Payments API", "--offline")
	if code != exitFail || out != "" || !strings.Contains(errOut, "no store at") || !strings.Contains(errOut, "without --offline") {
		t.Errorf("exit %d, %q, %q", code, out, errOut)
	}
	if s.requests() != 0 {
		t.Error("--offline asked Jenkins")
	}
}

func TestBuildsTellsOnceAboutADamagedStore(t *testing.T) {
	s := newStoreSim(t)
	path := s.env["JEEVES_STORE"]
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.WriteFile(path, []byte(strings.Repeat("garbage ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, s.env, "builds", "-i", "Orders", "--limit", "3", "--json")
	if code != 0 || !strings.HasPrefix(errOut, "jeeves: note: the store "+path+" could not be read") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var rows []buildRow
	if json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 3 {
		t.Errorf("output %q", out)
	}
	_, _, errOut = runCLI(t, s.env, "builds", "-i", "Orders", "--limit", "3", "--json")
	if errOut != "" {
		t.Errorf("told twice: %q", errOut)
	}
}

func TestBuildsFindsIntegrationsAddedInTheDashboard(t *testing.T) {
	s := newStoreSim(t)
	st, err := store.Open(s.env["JEEVES_STORE"])
	if err != nil {
		t.Fatal(err)
	}
	err = st.SaveIntegration(context.Background(), config.Integration{Nickname: "Gateway", URL: s.url, Username: "admin",
		TokenEnv: "JT", Job: "gateway/main"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	rows := buildsJSON(t, s, "-i", "gateway", "--limit", "4")
	if len(rows) != 4 || rows[0].Integration != "Gateway" || rows[0].Job != "gateway/main" {
		t.Fatalf("rows %+v", rows)
	}
	if off := buildsJSON(t, s, "-i", "Gateway", "--limit", "4", "--offline"); len(off) != 4 {
		t.Errorf("--offline: %d rows", len(off))
	}
}

func TestResultsOfOneBuild(t *testing.T) {
	s := newStoreSim(t)
	// List 3 builds (fetching their results), then ask for an older one.
	rows := buildsJSON(t, s, "-i", "Payments API", "--limit", "40")
	var older, listed int
	for _, r := range rows[3:] {
		if r.Status == "failure" || r.Status == "unstable" {
			older = r.Number
			break
		}
	}
	for _, r := range rows[:3] {
		if r.Collections != nil {
			listed = r.Number
		}
	}
	if older == 0 || listed == 0 {
		t.Fatalf("demo lacks a failed build beyond the newest 3 (%d) or one with results among them (%d)", older, listed)
	}
	// Forget the older build's results by using a fresh store for it.
	fresh := map[string]string{}
	for k, v := range s.env {
		fresh[k] = v
	}
	fresh["JEEVES_STORE"] = filepath.Join(t.TempDir(), "jeeves.db")

	s.srv.ResetStats()
	code, out, errOut := runCLI(t, fresh, "results", "-i", "Payments API", fmt.Sprint(older), "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res resultsJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Integration != "Payments API" || res.Number != older || (res.Status != "failure" && res.Status != "unstable") ||
		len(res.Collections) != 1 || len(res.Governance) != 1 || res.Collections[0].Assertions.Failed == 0 {
		t.Errorf("results %+v", res)
	}
	if s.requests("artifact") == 0 || s.requests("build") != 1 {
		t.Errorf("first results call: %v", s.srv.Stats())
	}
	s.srv.ResetStats()
	code, out2, _ := runCLI(t, fresh, "results", "-i", "Payments API", fmt.Sprint(older), "--json")
	if code != 0 || out2 != out {
		t.Errorf("second answer differs (exit %d)", code)
	}
	if n := s.requests(); n != 0 {
		t.Errorf("second results call made %d requests", n)
	}
	// Offline from the store it was kept in; the text view is a tree.
	code, text, _ := runCLI(t, fresh, "results", "-i", "Payments API", fmt.Sprint(older), "--offline")
	if code != 0 || !strings.Contains(text, fmt.Sprintf("Payments API #%d", older)) || !strings.Contains(text, "Collection run:") {
		t.Errorf("text view (exit %d):\n%s", code, text)
	}
	// A build the listing already fetched: answered from the store.
	s.srv.ResetStats()
	if code, _, errOut := runCLI(t, s.env, "results", "-i", "Payments API", fmt.Sprint(listed), "--json"); code != 0 || s.requests() != 0 {
		t.Errorf("listed build: exit %d %s, %d requests", code, errOut, s.requests())
	}
}

func TestResultsOfOneBuildErrors(t *testing.T) {
	s := newStoreSim(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-i", "Payments API", "5", "--offline"}, exitFail, "no store at"}, // first: nothing made the store yet
		{[]string{"-i", "Payments API"}, exitUsage, "needs one build NUMBER"},
		{[]string{"-i", "Payments API", "x1"}, exitUsage, `"x1" is not a build number`},
		{[]string{"-i", "Payments API", "3", "--file", "a.json"}, exitUsage, "not both"},
		{[]string{"-i", "Nope", "3"}, exitUsage, `no integration named "Nope"`},
		{[]string{"-i", "Payments API", "99999"}, exitUsage, "Payments API has no build #99999 on Jenkins (newest #"},
		{[]string{"3", "-i", "Nope"}, exitUsage, `no integration named "Nope"`}, // -i after NUMBER is read too
		{[]string{"3"}, exitUsage, "jeeves results: build 3 of which integration? give -i NICKNAME 3"},
		{[]string{"3", "-i"}, exitUsage, "flag needs an argument: -i"},
	} {
		code, out, errOut := runCLI(t, s.env, append([]string{"results"}, tc.args...)...)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d (want %d), out %q, err %q (want %s)", tc.args, code, tc.code, out, errOut, tc.want)
		}
	}
	// A store without the build's results, offline.
	buildsJSON(t, s, "-i", "Payments API", "--limit", "1")
	code, _, errOut := runCLI(t, s.env, "results", "-i", "Payments API", "2", "--offline")
	if code != exitFail || !strings.Contains(errOut, "no results for build #2") {
		t.Errorf("offline without results: exit %d %q", code, errOut)
	}
}

func TestResultsOfARunningBuild(t *testing.T) {
	s := newStoreSim(t)
	rows := buildsJSON(t, s, "-i", "Payments API", "--limit", "1")
	if len(rows) != 1 || !rows[0].Building {
		t.Fatalf("the demo's newest build is not running: %+v", rows)
	}
	n := fmt.Sprint(rows[0].Number)
	s.srv.ResetStats()
	code, out, errOut := runCLI(t, s.env, "results", "-i", "Payments API", n)
	if code != 0 || !strings.Contains(out, "No results: still running") || errOut != "" {
		t.Errorf("exit %d, %q, %q", code, out, errOut)
	}
	if s.requests("artifact", "testReport") != 0 {
		t.Error("a running build's reports were fetched")
	}
	// Flags before and after NUMBER, in any order, read the same.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{n, "-i", "Payments API"}, "No results: still running"},
		{[]string{n, "--json", "-i", "Payments API"}, `"status": "running"`},
	} {
		code, out, _ := runCLI(t, s.env, append([]string{"results"}, tc.args...)...)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("results %q: exit %d, %q; want %q", tc.args, code, out, tc.want)
		}
	}
	code, out, errOut = runCLI(t, s.env, "results", "-i", "Payments API", n, "--json")
	var res resultsJSON
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Status != "running" || len(res.Collections) != 0 ||
		!strings.Contains(errOut, "still running") {
		t.Errorf("--json: exit %d, %q, %q", code, out, errOut)
	}
}

func TestStoreFlagWinsOverJEEVES_STORE(t *testing.T) {
	s := newStoreSim(t)
	other := filepath.Join(t.TempDir(), "other.db")
	buildsJSON(t, s, "-i", "Orders", "--limit", "2", "--store", other)
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("--store file not made: %v", err)
	}
	if _, err := os.Stat(s.env["JEEVES_STORE"]); err == nil {
		t.Error("JEEVES_STORE was used despite --store")
	}
	if rows := buildsJSON(t, s, "-i", "Orders", "--offline", "--store", other); len(rows) != 2 {
		t.Errorf("--offline --store: %d rows", len(rows))
	}
}

func TestBuildsWithAStoreFromANewerJeeves(t *testing.T) {
	s := newStoreSim(t)
	path := s.env["JEEVES_STORE"]
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	// Pretend a newer jeeves migrated it.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	code, out, errOut := runCLI(t, s.env, "builds", "-i", "Orders", "--limit", "2", "--json")
	if code != 0 || !strings.Contains(errOut, "warning: no results summaries") || !strings.Contains(errOut, "newer jeeves") {
		t.Errorf("online: exit %d, stderr %q", code, errOut)
	}
	var rows []buildRow
	if json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 {
		t.Errorf("online output %q", out)
	}
	code, _, errOut = runCLI(t, s.env, "builds", "-i", "Orders", "--offline")
	if code != exitFail || !strings.Contains(errOut, "newer jeeves") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("--offline: exit %d, stderr %q", code, errOut)
	}
}

// The store keys history by nickname: after the config points a nickname at
// another job, the old job's results must not be shown for the new job's
// build of the same number.
func TestNicknamePointedAtAnotherJobDropsItsHistory(t *testing.T) {
	s := newStoreSim(t)
	var n int
	for _, r := range buildsJSON(t, s, "-i", "Orders") {
		if r.Collections != nil {
			n = r.Number
			break
		}
	}
	if n == 0 {
		t.Fatal("no build of orders-api with results")
	}
	num := fmt.Sprint(n)
	code, out, _ := runCLI(t, s.env, "results", "-i", "Orders", num, "--json")
	if code != 0 || !strings.Contains(out, `"artifact": "postman-cli-reports/orders.json"`) {
		t.Fatalf("orders-api #%d: exit %d %s", n, code, out)
	}
	cfg, _ := os.ReadFile(s.env["JEEVES_CONFIG"])
	repointed := strings.Replace(string(cfg), `job = "orders-api"`, `job = "payments/api-tests"`, 1)
	if err := os.WriteFile(s.env["JEEVES_CONFIG"], []byte(repointed), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, s.env, "results", "-i", "Orders", num, "--json")
	if code != 0 || strings.Contains(out, "postman-cli-reports/") {
		t.Errorf("payments/api-tests #%d shows orders-api's results: exit %d %s", n, code, out)
	}
	if !strings.Contains(errOut, `jeeves: note: "Orders" now names job "payments/api-tests"`) {
		t.Errorf("no note about the dropped history: %q", errOut)
	}
	// Said once: the store now belongs to the new job.
	if code, _, errOut = runCLI(t, s.env, "builds", "-i", "Orders", "--offline"); code != 0 || strings.Contains(errOut, "now names") {
		t.Errorf("second run: exit %d %q", code, errOut)
	}
}
