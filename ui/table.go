package ui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// rowKind is what one line of the builds table shows.
type rowKind int

const (
	rowQueue rowKind = iota // a queued item
	rowBuild
	rowNote       // "loading results…", "no results because …"
	rowCollection // a collection run of the build above
	rowExecution  // a request of that run
	rowAssertion  // an assertion or error of that request
	rowGovernance // an API definition linted in the build
	rowSeverity   // a severity group header
	rowViolation  // one violation
	rowStage      // a pipeline stage of the build (stages.go)
)

// row is one line of the flattened builds table. Expansion state lives in
// Model.expanded under row.key.
type row struct {
	kind  rowKind
	num   int // build number (queue: index into queue)
	ri    int // index of the build in integ.records when the rows were built
	ci    int // collection / governance index
	ei    int // execution index
	ai    int // assertion index; -1 for the request error line
	sev   report.Severity
	depth int
	key   string
	note  string
}

func buildKey(num int) string                      { return "b" + strconv.Itoa(num) }
func collKey(num, ci int) string                   { return fmt.Sprintf("b%d/c%d", num, ci) }
func execKey(num, ci, ei int) string               { return fmt.Sprintf("b%d/c%d/e%d", num, ci, ei) }
func govKey(num, gi int) string                    { return fmt.Sprintf("b%d/g%d", num, gi) }
func sevKey(num, gi int, s report.Severity) string { return fmt.Sprintf("b%d/g%d/%s", num, gi, s) }

// filterStatuses is the cycle of `f`: All, then each status.
var filterStatuses = append([]jenkins.Status{""}, jenkins.AllStatuses...)

// filterName is the filter bar word of a status.
func filterName(s jenkins.Status) string {
	switch s {
	case "":
		return "All"
	case jenkins.StatusFailure:
		return "Failed"
	case jenkins.StatusNotBuilt:
		return "Not built"
	}
	w := string(s)
	return strings.ToUpper(w[:1]) + w[1:]
}

// recStatus is the status shown for a record.
func recStatus(r *BuildRecord) jenkins.Status {
	if r.Building {
		return jenkins.StatusRunning
	}
	if r.Status == "" {
		return jenkins.StatusUnknown
	}
	return r.Status
}

// matches reports whether r matches the search query q (lower case): number,
// cause, parameters and collection names.
func matches(r *BuildRecord, res *report.Results, q string) bool {
	if q == "" {
		return true
	}
	if strings.Contains(strconv.Itoa(r.Number), strings.TrimPrefix(q, "#")) {
		return true
	}
	for _, c := range r.Causes {
		if strings.Contains(strings.ToLower(c.Description), q) || strings.Contains(strings.ToLower(c.UserName), q) {
			return true
		}
	}
	for _, p := range r.Params {
		if strings.Contains(strings.ToLower(p.Name), q) || (!p.Masked && strings.Contains(strings.ToLower(p.Value), q)) {
			return true
		}
	}
	if strings.Contains(strings.ToLower(r.DisplayName), q) || strings.Contains(strings.ToLower(r.Description), q) {
		return true
	}
	if res != nil {
		for _, c := range res.Collections {
			if strings.Contains(strings.ToLower(c.Name), q) {
				return true
			}
		}
	}
	return false
}

// rebuild recomputes the counts and the flattened rows of the selected
// integration after data, filter, search or expansion changed, keeping the
// cursor on the same line when it still exists.
func (t *buildsTable) rebuild() {
	var keep string
	if t.cursor >= 0 && t.cursor < len(t.rows) {
		keep = t.rows[t.cursor].key
	}
	t.rows = t.rows[:0]
	t.counts = map[jenkins.Status]int{}
	t.total = 0
	ig := t.cur()
	if ig == nil {
		t.cursor, t.offset = 0, 0
		return
	}
	t.computeDeltas(ig)
	if t.marks == nil {
		t.marks = map[int]*buildMarks{}
	}
	clear(t.marks)
	want := filterStatuses[t.filter]
	q := strings.ToLower(strings.TrimSpace(t.searchQuery()))
	if want == "" || want == jenkins.StatusRunning {
		for i := range ig.queue {
			t.rows = append(t.rows, row{kind: rowQueue, num: i, key: "q" + strconv.FormatInt(ig.queue[i].ID, 10)})
		}
	}
	for i := range ig.records {
		r := &ig.records[i]
		st := recStatus(r)
		t.counts[st]++
		t.total++
		if want != "" && st != want {
			continue
		}
		var res *report.Results
		if x, ok := ig.results[r.Number]; ok {
			res = &x
		}
		if !matches(r, res, q) {
			continue
		}
		k := buildKey(r.Number)
		t.rows = append(t.rows, row{kind: rowBuild, num: r.Number, ri: i, key: k})
		if t.expanded[k] {
			if m := t.marksFor(ig, i); m != nil {
				t.marks[r.Number] = m
			}
			t.appendDetail(ig, r, i, res)
			t.appendStages(ig, r, i)
		}
	}
	t.cursor = 0
	if keep != "" {
		for i := range t.rows {
			if t.rows[i].key == keep {
				t.cursor = i
				break
			}
		}
	}
	t.clampScroll()
	if t.reveal != nil {
		t.applyReveal()
	}
}

// appendDetail adds the expanded lines of one build.
func (t *buildsTable) appendDetail(ig *jobData, r *BuildRecord, ri int, res *report.Results) {
	n := r.Number
	note := func(s string) {
		t.rows = append(t.rows, row{kind: rowNote, num: n, ri: ri, depth: 1, key: buildKey(n) + "/note", note: s})
	}
	switch {
	case ig.resultsInFlight[n]:
		note("loading results…")
		return
	case r.Building:
		note("no results yet: the build is still running")
		return
	case r.Gone && res == nil && r.ResultsState.Unknown():
		note("no results: the build is gone from Jenkins and its results were never fetched")
		return
	case res == nil:
		note("loading results…")
		return
	}
	if len(res.Collections) == 0 && len(res.Governance) == 0 {
		why := r.ResultsWhy
		if why == "" {
			why = "no matching artifacts or test report"
		}
		note("no results: " + why)
		return
	}
	for ci := range res.Collections {
		c := &res.Collections[ci]
		k := collKey(n, ci)
		t.rows = append(t.rows, row{kind: rowCollection, num: n, ri: ri, ci: ci, depth: 1, key: k})
		if !t.expanded[k] {
			continue
		}
		for _, ei := range execOrder(c) {
			ek := execKey(n, ci, ei)
			t.rows = append(t.rows, row{kind: rowExecution, num: n, ri: ri, ci: ci, ei: ei, depth: 2, key: ek})
			if !t.expanded[ek] {
				continue
			}
			e := &c.Executions[ei]
			if e.Error != "" {
				t.rows = append(t.rows, row{kind: rowAssertion, num: n, ri: ri, ci: ci, ei: ei, ai: -1, depth: 3, key: ek + "/err"})
			}
			for _, ai := range assertOrder(e) {
				t.rows = append(t.rows, row{kind: rowAssertion, num: n, ri: ri, ci: ci, ei: ei, ai: ai, depth: 3, key: fmt.Sprintf("%s/a%d", ek, ai)})
			}
		}
	}
	for gi := range res.Governance {
		g := &res.Governance[gi]
		k := govKey(n, gi)
		t.rows = append(t.rows, row{kind: rowGovernance, num: n, ri: ri, ci: gi, depth: 1, key: k})
		if !t.expanded[k] {
			continue
		}
		for _, sev := range []report.Severity{report.SevError, report.SevWarning, report.SevInfo, report.SevHint} {
			var idx []int
			for vi := range g.Violations {
				if g.Violations[vi].Severity == sev {
					idx = append(idx, vi)
				}
			}
			if len(idx) == 0 {
				continue
			}
			sk := sevKey(n, gi, sev)
			t.rows = append(t.rows, row{kind: rowSeverity, num: n, ri: ri, ci: gi, sev: sev, depth: 2, key: sk, note: strconv.Itoa(len(idx))})
			for _, vi := range idx {
				t.rows = append(t.rows, row{kind: rowViolation, num: n, ri: ri, ci: gi, ei: vi, sev: sev, depth: 3, key: fmt.Sprintf("%s/v%d", sk, vi)})
			}
		}
	}
}

// execFailed reports whether a request failed: an error or a failed assertion.
func execFailed(e *report.Execution) bool {
	if e.Error != "" {
		return true
	}
	for _, a := range e.Assertions {
		if a.Status == report.Failed {
			return true
		}
	}
	return false
}

// execOrder lists a run's requests, failed first, otherwise in run order.
func execOrder(c *report.CollectionRun) []int {
	idx := make([]int, len(c.Executions))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return execFailed(&c.Executions[idx[a]]) && !execFailed(&c.Executions[idx[b]])
	})
	return idx
}

// assertOrder lists a request's assertions, failed first.
func assertOrder(e *report.Execution) []int {
	idx := make([]int, len(e.Assertions))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return e.Assertions[idx[a]].Status == report.Failed && e.Assertions[idx[b]].Status != report.Failed
	})
	return idx
}

// rowRecord is the build a row belongs to, without searching the records.
func (ig *jobData) rowRecord(r row) *BuildRecord {
	if r.kind == rowQueue {
		return nil
	}
	if r.ri >= 0 && r.ri < len(ig.records) && ig.records[r.ri].Number == r.num {
		return &ig.records[r.ri]
	}
	_, rec := ig.record(r.num)
	return rec
}

// expandable reports whether enter on r opens something.
func (t *buildsTable) expandable(r row) bool {
	switch r.kind {
	case rowBuild, rowCollection, rowGovernance:
		return true
	case rowExecution:
		return true
	}
	return false
}

// parentRow returns the index of the row that contains row i, or -1.
func (t *buildsTable) parentRow(i int) int {
	d := t.rows[i].depth
	if d == 0 {
		return -1
	}
	for j := i - 1; j >= 0; j-- {
		if t.rows[j].depth < d {
			return j
		}
	}
	return -1
}
