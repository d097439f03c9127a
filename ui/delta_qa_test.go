package ui

import (
	"context"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// A build whose results are not read yet (below the screen, say) is not
// skipped over: #112 is not compared with #99 while #111 is unread (that
// gave +2 and -3 on the demo after G then g, against #111's +1 and 0), and
// the expanded #112 asks for #111 rather than #99.
func TestDeltaWaitsForAnUnreadPreviousBuild(t *testing.T) {
	rec := func(n, failed, lint int, state ResultsState) BuildRecord {
		r := BuildRecord{Build: jenkins.Build{Number: n, Status: jenkins.StatusUnstable}, ResultsState: state}
		if state == ResultsOK {
			r.Collections = &report.CollectionSummary{Assertions: 25, AssertionsFailed: failed}
			r.Governance = &report.GovernanceSummary{Error: lint}
		}
		return r
	}
	ig := &jobData{records: []BuildRecord{
		rec(112, 2, 24, ResultsOK),
		rec(111, 1, 24, ResultsUnknown),
		rec(110, 0, 27, ResultsEmpty), // aborted: no reports, skipped over
		rec(99, 0, 27, ResultsOK),
	}}
	var tb buildsTable
	tb.computeDeltas(ig)
	if d, ok := tb.deltas[112]; ok {
		t.Errorf("#112 compared with #%d while #111 is unread: %+v", d.prev, d)
	}
	tb.ig, tb.expanded = ig, map[string]bool{buildKey(112): true}
	if got := tb.previousBuilds(); len(got) != 1 || got[0] != 111 {
		t.Errorf("expanded #112 asks for %v, want [111]", got)
	}
	// once #111 is read, #112 is compared with it
	ig.records[1] = rec(111, 1, 24, ResultsOK)
	tb.computeDeltas(ig)
	if d := tb.deltas[112]; d.prev != 111 || d.failed != 1 || d.lint != 0 {
		t.Errorf("#112 against #111: %+v", d)
	}
	// and #111 with #99 across the aborted #110
	if d := tb.deltas[111]; d.prev != 99 || d.failed != 1 || d.lint != -3 {
		t.Errorf("#111 against #99: %+v", d)
	}
}

// The lowest build on screen gets its delta: the build it is compared with,
// just below the screen, is read with those on screen (the demo's last row
// had none until scrolled).
func TestLastRowOnScreenGetsItsDelta(t *testing.T) {
	apis, st := newFakes()
	pay := apis["Payments API"]
	pay.builds, pay.results = nil, map[int]report.Results{}
	for n := 140; n >= 101; n-- {
		b := mkBuild(n, jenkins.StatusFailure, time.Duration(141-n)*time.Hour, 2*time.Minute)
		pay.builds = append(pay.builds, b)
		r := failedResults()
		if n%2 == 0 { // every other build fails one more assertion
			r.Collections[0].Assertions.Failed++
		}
		pay.results[n] = r
	}
	h := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }, Ctx: context.Background()},
		Options{Integrations: []config.Integration{payments(), orders()}})
	h.start(120, 24)
	bs := h.m.table.onScreenBuilds()
	if len(bs) == 0 || bs[len(bs)-1].Number <= 101 {
		t.Fatalf("the test wants builds below the screen; on screen: %d", len(bs))
	}
	last := bs[len(bs)-1].Number
	if _, ok := h.m.table.deltas[last]; !ok {
		st.mu.Lock()
		fetched := append([]int(nil), st.fetched...)
		st.mu.Unlock()
		t.Errorf("#%d, the last row on screen, has no delta; results read: %v", last, fetched)
	}
}
