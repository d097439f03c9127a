package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// trimmed is what a digest keeps of res.
func trimmed(res report.Results) report.Results {
	var out report.Results
	for _, c := range res.Collections {
		tc := report.CollectionRun{Name: c.Name, Assertions: c.Assertions}
		for _, e := range c.Executions {
			te := report.Execution{Iteration: e.Iteration, Folder: e.Folder, Name: e.Name, Method: e.Method, Code: e.Code, ResponseMS: e.ResponseMS, Error: e.Error}
			for _, a := range e.Assertions {
				ta := report.Assertion{Name: a.Name, Status: a.Status}
				te.Assertions = append(te.Assertions, ta)
			}
			tc.Executions = append(tc.Executions, te)
		}
		out.Collections = append(out.Collections, tc)
	}
	for _, g := range res.Governance {
		tg := report.GovernanceResult{Definition: g.Definition, Violations: []report.Violation{}}
		for _, v := range g.Violations {
			tg.Violations = append(tg.Violations, report.Violation{Rule: v.Rule, Severity: v.Severity, Path: v.Path})
		}
		out.Governance = append(out.Governance, tg)
	}
	return out
}

func TestHistoryReadsDigestsNewestFirst(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	running := build(5)
	running.Building, running.Status = true, jenkins.StatusRunning
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{running, build(4), build(3), build(2), build(1)}); err != nil {
		t.Fatal(err)
	}
	res := sampleResults()
	res.Collections[0].Executions = append(res.Collections[0].Executions, report.Execution{Iteration: 2, Folder: "Users/Admin",
		Name: "Delete user", Method: "DELETE", Error: "connect ECONNREFUSED", Assertions: []report.Assertion{{Name: "Status code is 204", Status: report.Passed, Message: "dropped"}, {Name: "s", Status: report.Skipped}}})
	for _, n := range []int{4, 2} {
		if err := st.SaveResults(ctx, "p", n, res, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveResults(ctx, "p", 3, report.Results{}, WhyNoArtifacts); err != nil {
		t.Fatal(err)
	}
	hist, info, err := st.History(ctx, "p", 4)
	if err != nil {
		t.Fatal(err)
	}
	if info.Computed != 0 {
		t.Errorf("computed %d digests; all were saved with the results", info.Computed)
	}
	var nums []int
	var states []ResultsState
	for _, h := range hist {
		nums = append(nums, h.Number)
		states = append(states, h.ResultsState)
	}
	if !reflect.DeepEqual(nums, []int{5, 4, 3, 2}) || !reflect.DeepEqual(states, []ResultsState{ResultsPending, ResultsStored, ResultsEmpty, ResultsStored}) {
		t.Fatalf("builds %v states %v", nums, states)
	}
	want := trimmed(res)
	for _, i := range []int{1, 3} {
		if !reflect.DeepEqual(hist[i].Results, want) {
			t.Errorf("#%d digest:\n got %+v\nwant %+v", hist[i].Number, hist[i].Results, want)
		}
	}
	if hist[0].Results.Collections != nil || hist[2].Results.Collections != nil {
		t.Error("builds without stored results have results")
	}
	// saving empty results over stored ones drops the digest too
	if err := st.SaveResults(ctx, "p", 4, report.Results{}, WhyNoReports); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.db.QueryRow(`SELECT count(*) FROM result_digest WHERE number = 4`).Scan(&n); err != nil || n != 0 {
		t.Errorf("digest of #4 left behind: %d %v", n, err)
	}
	if got, _, err := st.History(ctx, "nobody", 0); err != nil || got != nil {
		t.Errorf("History of an unknown integration = %v, %v", got, err)
	}
}

// A store written by a jeeves from before the digests (schema version 1):
// History computes the digests once and saves them.
func TestHistoryOfAStoreFromAnOlderJeeves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jeeves.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{build(2), build(1)}); err != nil {
		t.Fatal(err)
	}
	res := sampleResults()
	for _, n := range []int{1, 2} {
		if err := st.SaveResults(ctx, "p", n, res, ""); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	// make it the file the older jeeves wrote
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE result_digest`, `PRAGMA user_version=2`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	st, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for round, want := range []int{2, 0} {
		hist, info, err := st.History(ctx, "p", 0)
		if err != nil {
			t.Fatal(err)
		}
		if info.Computed != want {
			t.Errorf("round %d: computed %d digests, want %d", round, info.Computed, want)
		}
		if len(hist) != 2 || !reflect.DeepEqual(hist[0].Results, trimmed(res)) {
			t.Errorf("round %d: history %+v", round, hist)
		}
	}
}

func TestHistoryDamagedDigestIsOneLine(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{build(1)}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResults(ctx, "p", 1, sampleResults(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec(`UPDATE result_digest SET data = x'01ff'`); err != nil {
		t.Fatal(err)
	}
	_, _, err := st.History(ctx, "p", 0)
	if err == nil || err.Error() != "store "+st.Path()+": results of p #1: history digest: malformed data" {
		t.Errorf("err = %v", err)
	}
}

func FuzzDecodeDigest(f *testing.F) {
	f.Add(encodeDigest(sampleResults()))
	f.Add(encodeDigest(report.Results{}))
	f.Add([]byte{digestV1, 1, 3, 'a', 'b', 'c', 1, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := decodeDigest(b)
		if err != nil {
			return
		}
		// what decodes encodes back to the same results
		again, err := decodeDigest(encodeDigest(res))
		if err != nil {
			t.Fatalf("re-encoded digest does not decode: %v", err)
		}
		if !reflect.DeepEqual(trimmed(res), trimmed(again)) {
			t.Fatalf("round trip changed %+v into %+v", res, again)
		}
	})
}
