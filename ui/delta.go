package ui

import (
	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/report"
)

// delta.go: each build against the previous completed build with results
// (insight's rules): the table's Tests and Lint cells show how many more or
// fewer failed assertions and lint errors+warnings (16/25 ✘9 +3), and an
// expanded build marks the assertions that fail in it and did not fail
// there NEW, those that passed and failed there FIXED, and its lint
// violations that are new since then NEW. Computed in rebuild (on data
// change), never in View.

// cellDelta is a build's counts minus the previous build's.
type cellDelta struct {
	prev          int // the build compared with; 0: none
	failed, lint  int
	hasColl, hasG bool
}

// buildMarks are the NEW/FIXED marks of one expanded build.
type buildMarks struct {
	prev       int
	newFail    map[insight.AssertionKey]bool
	fixed      map[insight.AssertionKey]bool
	newViolate map[insight.ViolationKey]bool
}

// hasResults: the build finished and its results are stored.
func hasResults(r *BuildRecord) bool {
	return !r.Building && r.ResultsState == ResultsOK && (r.Collections != nil || r.Governance != nil)
}

// unread: a finished build whose results are not known yet (not looked at,
// or looking failed). It may have results, so no newer build is compared
// across it with an older one: that would skip the real previous build.
func unread(r *BuildRecord) bool {
	if r.Building {
		return false
	}
	switch r.ResultsState {
	case "", ResultsUnknown, ResultsFailed:
		return true
	}
	return false
}

// previousWithResults is the index of the newest record older than
// records[i] that has results; -1 when none is known. When a build in
// between is unread, -1 and that build's index as pending (to be read).
func previousWithResults(records []BuildRecord, i int) (j, pending int) {
	for j := i + 1; j < len(records); j++ {
		if hasResults(&records[j]) {
			return j, -1
		}
		if unread(&records[j]) {
			return -1, j
		}
	}
	return -1, -1
}

// computeDeltas fills t.deltas from the records' summaries.
func (t *buildsTable) computeDeltas(ig *jobData) {
	clear(t.deltas)
	if t.deltas == nil {
		t.deltas = map[int]cellDelta{}
	}
	next := -1 // scanning from the oldest: the last record with results
	for i := len(ig.records) - 1; i >= 0; i-- {
		r := &ig.records[i]
		if unread(r) {
			next = -1 // the builds newer than it wait for it
			continue
		}
		if !hasResults(r) {
			continue
		}
		if next >= 0 {
			p := &ig.records[next]
			d := cellDelta{prev: p.Number}
			if r.Collections != nil && p.Collections != nil {
				d.hasColl, d.failed = true, r.Collections.AssertionsFailed-p.Collections.AssertionsFailed
			}
			if r.Governance != nil && p.Governance != nil {
				d.hasG = true
				d.lint = r.Governance.Error + r.Governance.Warning - p.Governance.Error - p.Governance.Warning
			}
			t.deltas[r.Number] = d
		}
		next = i
	}
}

// marksFor compares the expanded build n with the previous build with
// results, when both are loaded whole.
func (t *buildsTable) marksFor(ig *jobData, ri int) *buildMarks {
	n := ig.records[ri].Number
	j, _ := previousWithResults(ig.records, ri)
	if j < 0 {
		return nil
	}
	cur, ok1 := ig.results[n]
	prev, ok2 := ig.results[ig.records[j].Number]
	if !ok1 || !ok2 {
		return nil
	}
	d := insight.Compare(insight.Build{Number: n, HasResults: true, Results: cur}, insight.Build{Number: ig.records[j].Number, HasResults: true, Results: prev})
	m := &buildMarks{prev: d.B, newFail: map[insight.AssertionKey]bool{}, fixed: map[insight.AssertionKey]bool{}, newViolate: map[insight.ViolationKey]bool{}}
	for _, c := range d.NewFailing {
		m.newFail[c.AssertionKey] = true
	}
	for _, c := range d.Fixed {
		m.fixed[c.AssertionKey] = true
	}
	for _, v := range d.NewViolations {
		m.newViolate[v.ViolationKey] = true
	}
	return m
}

// previousBuilds are the builds the expanded ones are compared with: the
// engine loads their results whole too.
func (t buildsTable) previousBuilds() []int {
	if t.ig == nil {
		return nil
	}
	var out []int
	for _, n := range t.expandedBuilds() {
		if i, _ := t.ig.record(n); i >= 0 {
			j, pending := previousWithResults(t.ig.records, i)
			if j < 0 {
				j = pending // read it first: it may be the previous build
			}
			if j >= 0 {
				out = append(out, t.ig.records[j].Number)
			}
		}
	}
	return out
}

// belowScreen is the unread build right below the screen, which the lowest
// build on screen is compared with: read with those on screen, so that the
// last row gets its delta too.
func (t buildsTable) belowScreen() []int {
	bs := t.onScreenBuilds()
	if len(bs) == 0 || t.ig == nil {
		return nil
	}
	i, _ := t.ig.record(bs[len(bs)-1].Number)
	if i < 0 {
		return nil
	}
	// only the build right below: one read more, never a walk down a
	// job whose builds have no reports
	if j, pending := previousWithResults(t.ig.records, i); j < 0 && pending == i+1 {
		return []int{t.ig.records[pending].Number}
	}
	return nil
}

// deltaText is " +3" / " -2" ("" for none).
func deltaText(d int) string {
	switch {
	case d > 0:
		return " +" + itoa(d)
	case d < 0:
		return " -" + itoa(-d)
	}
	return ""
}

// assertionMark is "NEW " or "FIXED " for an assertion of an expanded build.
func (t buildsTable) assertionMark(n int, c *report.CollectionRun, e *report.Execution, a *report.Assertion) string {
	m := t.marks[n]
	if m == nil {
		return ""
	}
	k := insight.AssertionKey{Collection: c.Name, Folder: e.Folder, Request: e.Name, Assertion: a.Name, Iteration: e.Iteration}
	switch {
	case a.Status == report.Failed && m.newFail[k]:
		return "NEW "
	case a.Status == report.Passed && m.fixed[k]:
		return "FIXED "
	}
	return ""
}

// violationMark is "NEW " for a violation new since the previous build.
func (t buildsTable) violationMark(n int, g *report.GovernanceResult, v *report.Violation) string {
	if m := t.marks[n]; m != nil && m.newViolate[insight.ViolationKey{Definition: g.Definition, Rule: v.Rule, Path: v.Path}] {
		return "NEW "
	}
	return ""
}
