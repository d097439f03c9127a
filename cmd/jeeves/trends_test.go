package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/insight"
	rpt "github.com/jeeves-dev/jeeves/report"
)

func trendsOf(t *testing.T, s *storeSim, args ...string) trendsJSON {
	t.Helper()
	code, out, errOut := runCLI(t, s.env, append([]string{"trends", "-i", "Payments API", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("trends %v: exit %d: %s", args, code, errOut)
	}
	var tr trendsJSON
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatalf("trends --json: %v\n%s", err, out)
	}
	return tr
}

func diffOf(t *testing.T, s *storeSim, wantCode int, args ...string) diffJSON {
	t.Helper()
	code, out, errOut := runCLI(t, s.env, append([]string{"diff", "-i", "Payments API"}, append(args, "--json")...)...)
	if code != wantCode {
		t.Fatalf("diff %v: exit %d, want %d: %s", args, code, wantCode, errOut)
	}
	var d diffJSON
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("diff --json: %v\n%s", err, out)
	}
	return d
}

// On the demo Jenkins: trends fetch results through the store once, then
// answer offline with no request; diff's exit code follows its JSON.
func TestTrendsAndDiffFetchOnceThenOffline(t *testing.T) {
	s := newStoreSim(t)
	tr := trendsOf(t, s, "--builds", "30")
	if tr.Integration != "Payments API" || tr.Job != "payments/api-tests" || len(tr.Builds) != 30 {
		t.Fatalf("trends: %s %s, %d builds", tr.Integration, tr.Job, len(tr.Builds))
	}
	with := 0
	for i, p := range tr.Builds {
		if i > 0 && p.Number >= tr.Builds[i-1].Number {
			t.Fatalf("builds not newest first: %d after %d", p.Number, tr.Builds[i-1].Number)
		}
		if p.HasResults {
			with++
		}
	}
	if with < 20 {
		t.Fatalf("only %d of 30 builds have results", with)
	}
	// --all: every build the store has (the 30 read so far)
	if all := trendsOf(t, s, "--all", "--offline"); len(all.Builds) != 30 {
		t.Errorf("--all --offline: %d builds, want the 30 stored", len(all.Builds))
	}
	before := s.requests()
	off := trendsOf(t, s, "--builds", "30", "--offline")
	if n := s.requests() - before; n != 0 {
		t.Errorf("trends --offline made %d requests", n)
	}
	a, _ := json.Marshal(tr)
	b, _ := json.Marshal(off)
	if string(a) != string(b) {
		t.Errorf("offline trends differ from online ones")
	}
	// diff each build with results against the one before it: the exit code says whether new failures came
	prev := -1
	checked := 0
	for i := len(tr.Builds) - 1; i >= 0; i-- {
		p := tr.Builds[i]
		if !p.HasResults {
			continue
		}
		if prev >= 0 {
			pb := tr.Builds[prev]
			code, out, errOut := runCLI(t, s.env, "diff", "-i", "Payments API", strconv.Itoa(p.Number), "--offline", "--json")
			var d diffJSON
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatalf("diff #%d: exit %d, %v: %s", p.Number, code, err, errOut)
			}
			newErr := false
			for _, v := range d.NewViolations {
				newErr = newErr || v.Severity == "error"
			}
			if want := len(d.NewFailing) > 0 || newErr; d.Regressed != want || code != map[bool]int{true: 1, false: 0}[want] {
				t.Errorf("diff #%d: exit %d, regressed %v; want %v", p.Number, code, d.Regressed, want)
			}
			if d.A != p.Number || d.B != pb.Number || d.FailedDelta != p.Failed-pb.Failed {
				t.Errorf("diff #%d: %+v against #%d (failed %d, before %d)", p.Number, d, pb.Number, p.Failed, pb.Failed)
			}
			if pb.Failed == 0 && len(d.NewFailing) != p.Failed {
				t.Errorf("diff #%d: %d new failing, want %d (none failed in #%d)", p.Number, len(d.NewFailing), p.Failed, pb.Number)
			}
			checked++
		}
		prev = i
	}
	if checked < 10 {
		t.Errorf("only %d diffs checked", checked)
	}
	if n := s.requests() - before; n != 0 {
		t.Errorf("diff --offline made %d requests", n)
	}
}

func TestDiffAndTrendsErrors(t *testing.T) {
	s := newStoreSim(t)
	tr := trendsOf(t, s, "--builds", "10")
	running := tr.Builds[0].Number // the demo's newest build is running
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"diff", "-i", "Payments API"}, 2, "jeeves diff: give build A"},
		{[]string{"diff", "-i", "Payments API", "1", "2", "3"}, 2, "jeeves diff: give build A"},
		{[]string{"diff", "-i", "Payments API", "x"}, 2, `jeeves diff: "x" is not a build number`},
		{[]string{"diff", "-i", "Payments API", "7", "7"}, 2, "jeeves diff: build #7 against itself"},
		{[]string{"diff", "-i", "Payments API", "1"}, 2, "jeeves diff: #1 is the job's first build"},
		{[]string{"diff", "-i", "Payments API", "999"}, 2, fmt.Sprintf("jeeves diff: Payments API has no build #999 on Jenkins (newest #%d)", running)},
		{[]string{"results", "-i", "Payments API", "999"}, 2, fmt.Sprintf("jeeves results: Payments API has no build #999 on Jenkins (newest #%d)", running)},
		{[]string{"diff", "-i", "Payments API", "999", "--offline"}, 2, `jeeves diff: build #999 of "Payments API": not found (not in the store)`},
		{[]string{"diff", "-i", "Payments API", strconv.Itoa(running), "--offline"}, 2, "has no results: still running"},
		{[]string{"diff", "-i", "Nobody", "5"}, 2, "Nobody"},
		{[]string{"trends", "-i", "Payments API", "--builds", "0"}, 2, "jeeves trends: --builds must be 1 or more, not 0"},
		{[]string{"trends", "-i", "Payments API", "extra"}, 2, `jeeves trends: unexpected argument "extra"`},
		{[]string{"trends", "-i", "Orders", "--offline"}, 1, `jeeves trends: no builds of "Orders" in the store`},
	} {
		code, out, errOut := runCLI(t, s.env, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q (stdout %q); want exit %d and one line with %q", tc.args, code, errOut, out, tc.code, tc.msg)
		}
	}
	// no store at all
	env := map[string]string{"JEEVES_CONFIG": s.env["JEEVES_CONFIG"], "JT": s.env["JT"], "JEEVES_STORE": t.TempDir() + "/none.db"}
	if code, _, errOut := runCLI(t, env, "trends", "-i", "Payments API", "--offline"); code != 1 || !strings.Contains(errOut, "no store at") {
		t.Errorf("trends --offline without a store: exit %d, %q", code, errOut)
	}
	// Jenkins unreachable
	env["JEEVES_STORE"] = s.env["JEEVES_STORE"]
	cfg := strings.ReplaceAll(readFile(t, s.env["JEEVES_CONFIG"]), s.url, "http://127.0.0.1:1")
	env["JEEVES_CONFIG"] = writeTemp(t, "config.toml", cfg)
	for _, args := range [][]string{{"trends", "-i", "Payments API"}, {"diff", "-i", "Payments API", "999"}} {
		if code, _, errOut := runCLI(t, env, args...); code != 3 {
			t.Errorf("%v with Jenkins down: exit %d, %q; want 3", args, code, errOut)
		}
	}
}

// A store written by a jeeves from before the history digests: trends say
// so once and give the same answer.
func TestTrendsOnAStoreFromAnOlderJeeves(t *testing.T) {
	s := newStoreSim(t)
	want := trendsOf(t, s, "--builds", "20")
	db, err := sql.Open("sqlite", s.env["JEEVES_STORE"])
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE result_digest`, `PRAGMA user_version=2`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	code, out, errOut := runCLI(t, s.env, "trends", "-i", "Payments API", "--json", "--builds", "20", "--offline")
	if code != 0 || !strings.Contains(errOut, "were stored by an older jeeves; their history was computed from the full results once") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got trendsJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("trends changed after the migration")
	}
	if code, _, errOut := runCLI(t, s.env, "trends", "-i", "Payments API", "--builds", "20", "--offline"); code != 0 || errOut != "" {
		t.Errorf("second run: exit %d, stderr %q (the digests were saved the first time)", code, errOut)
	}
}

func TestTrendsTextFitsEightyColumns(t *testing.T) {
	s := newStoreSim(t)
	code, out, errOut := runCLI(t, s.env, "trends", "-i", "Payments API")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Payments API (payments/api-tests): 50 builds", "pass rate", "lint E+W", "Assertions"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// --all online lists the job's whole history (pages of 100) and reads every
// finished build's results once.
func TestTrendsAllOnline(t *testing.T) {
	s := newStoreSim(t)
	tr := trendsOf(t, s, "--all")
	if n := len(tr.Builds); n != 130 || tr.Builds[n-1].Number != 1 {
		t.Fatalf("--all: %d builds, oldest #%d; the demo job has 130", n, tr.Builds[len(tr.Builds)-1].Number)
	}
	before := s.requests()
	again := trendsOf(t, s, "--all")
	if len(again.Builds) != 130 {
		t.Fatalf("again: %d builds", len(again.Builds))
	}
	// the second time only the lists are asked for: results are read once, ever
	if n := s.requests() - before; n > 6 {
		t.Errorf("the second --all made %d requests", n)
	}
}

// trends gives a build's tests as builds does (not failed of all, skipped
// ones too: 23/25 ✘2), and the pass rate of the assertions that ran.
func TestTrendsFractionIsTheBuildsCell(t *testing.T) {
	rate := 22.0 / 24
	p := insight.Point{Number: 115, HasResults: true, Assertions: 25, Failed: 2, Skipped: 1, PassRate: &rate}
	cell := collectionsCell(&rpt.CollectionSummary{Assertions: 25, AssertionsFailed: 2})
	if got, want := passRateText(p), "#115 "+cell+" (91%)"; got != want {
		t.Errorf("passRateText = %q, want %q", got, want)
	}
}

// The sparklines' axis names the builds also when too few for both ends
// apart (trends --builds 5 printed an empty line there).
func TestTrendsSpanLabelOfFewBuilds(t *testing.T) {
	if got := spanLabel(126, 130, 5); got != "#126–#130" {
		t.Errorf("spanLabel(126, 130, 5) = %q", got)
	}
	if got := spanLabel(91, 130, 12); got != "#91     #130" {
		t.Errorf("spanLabel(91, 130, 12) = %q", got)
	}
}

// Builds without any results: trends does not say "none failed".
func TestTrendsTextWithoutAnyResults(t *testing.T) {
	var b strings.Builder
	tr := insight.Trends{Builds: []insight.Point{{Number: 2}, {Number: 1}}}
	writeTrendsText(&b, config.Integration{Nickname: "Legacy", Job: "legacy"}, tr)
	if s := b.String(); !strings.Contains(s, "No results in these builds") || strings.Contains(s, "none failed") {
		t.Errorf("trends text without results:\n%s", s)
	}
}

// While the newest build runs, the figures beside the sparklines are those
// of the newest build with results (as on the dashboard's trends screen),
// not "#131 no results".
func TestTrendsTextNewestWithResults(t *testing.T) {
	rate := 1.0
	tr := insight.Trends{Builds: []insight.Point{
		{Number: 131, Status: "running"},
		{Number: 130, HasResults: true, Assertions: 25, Skipped: 1, PassRate: &rate, HasLint: true, LintErrors: 6, LintWarnings: 16},
	}}
	var b strings.Builder
	writeTrendsText(&b, config.Integration{Nickname: "P", Job: "p"}, tr)
	s := b.String()
	if !strings.Contains(s, "#130 25/25 (100%)") || !strings.Contains(s, "#130 6E 16W") || strings.Contains(s, "#131 no") {
		t.Errorf("trends text:\n%s", s)
	}
}

// diff of two builds whose results the store has asks Jenkins nothing (a
// finished build's results do not change), so it answers with Jenkins down,
// as README says: stdout one JSON object, stderr empty. trends, which lists
// the builds first, says Jenkins cannot be reached.
func TestDiffFromStoreWithJenkinsDown(t *testing.T) {
	s := newStoreSim(t)
	tr := trendsOf(t, s, "--builds", "10")
	var stored []int
	for _, p := range tr.Builds {
		if p.HasResults {
			stored = append(stored, p.Number)
		}
	}
	if len(stored) < 2 {
		t.Fatalf("only %d builds with results stored", len(stored))
	}
	s.hs.Close()
	code, out, errOut := runCLI(t, s.env, "diff", "-i", "Payments API", strconv.Itoa(stored[0]), strconv.Itoa(stored[1]), "--json")
	var d diffJSON
	if err := json.Unmarshal([]byte(out), &d); err != nil || (code != 0 && code != 1) || errOut != "" || d.A != stored[0] || d.B != stored[1] {
		t.Errorf("diff of stored builds with Jenkins down: exit %d, stderr %q, %v, stdout %q", code, errOut, err, out)
	}
	if code, _, errOut := runCLI(t, s.env, "trends", "-i", "Payments API"); code != 3 {
		t.Errorf("trends with Jenkins down: exit %d, %q; want 3", code, errOut)
	}
}
