package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/jeeves-dev/jeeves/config"

	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/report"
)

// fakeTrends computes the real insights over a fake API's builds and results.
type fakeTrends struct{ api *fakeAPI }

func (f fakeTrends) Trends(ctx context.Context, nick string, limit int) (insight.Trends, error) {
	f.api.mu.Lock()
	defer f.api.mu.Unlock()
	var bs []insight.Build
	full := map[int]report.Results{}
	for _, b := range f.api.builds {
		res, ok := f.api.results[b.Number]
		bs = append(bs, insight.Build{Number: b.Number, Status: string(b.Status), HasResults: ok, Results: res})
		full[b.Number] = res
	}
	tr := insight.Compute(bs, insight.Options{})
	tr.FillMessages(full)
	return tr, nil
}

// historyResults gives builds 105–111 results with a history: "Status
// code is 201" flaky (fails in 106 and 111), "schema" failing since 110,
// a lint error added in 111.
func historyResults() map[int]report.Results {
	out := map[int]report.Results{}
	for _, n := range []int{105, 106, 107, 109, 110, 111} {
		r := failedResults()
		c := &r.Collections[0]
		create := &c.Executions[1].Assertions[1]
		if n != 106 && n != 111 {
			create.Status, create.Message = report.Passed, ""
			c.Assertions.Failed--
		}
		if n >= 110 {
			s := &c.Executions[2].Assertions[1]
			s.Status, s.Message = report.Failed, fmt.Sprintf("schema mismatch in #%d", n)
			c.Assertions.Failed++
		}
		if n != 111 {
			r.Governance[0].Violations = r.Governance[0].Violations[:1]
		}
		out[n] = r
	}
	return out
}

func newTrendsHarness(t testing.TB, w, h int) *harness {
	apis, st := newFakes()
	pay := apis["Payments API"]
	pay.results = historyResults()
	hs := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Trends: fakeTrends{pay}, Clock: func() time.Time { return t0 }, Ctx: context.Background()},
		Options{Integrations: []config.Integration{payments(), orders()}})
	hs.start(w, h)
	return hs
}

func TestGoldenTrends(t *testing.T) {
	for _, sz := range sizes {
		h := newTrendsHarness(t, sz.w, sz.h)
		h.key("t")
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
		if sz.w == 80 {
			checkGoldenANSI(t, sizeName(sz.w, sz.h), h.screen())
		}
	}
}

func TestTrendsKeys(t *testing.T) {
	h := newTrendsHarness(t, 120, 40)
	h.key("t")
	if h.m.page != pageTrends {
		t.Fatalf("t: page %d, want the trends", h.m.page)
	}
	s := ansi.Strip(h.screen())
	for _, want := range []string{
		"Payments API · trends", "#105–#112 · 8 builds", "pass rate", "lint E+W",
		"Assertions that failed (2)",
		"Get payment › schema", "failing since #110 (2 builds)", "schema mismatch in #111",
		"payments › Create payment › Status code is 201", "flaky: flipped 3 times in 6 builds, last failed #111",
		"Lint in #111 against #110: 1 added, 0 fixed", "+ error oas3-schema",
		"6 of 8 builds have results",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("trends screen lacks %q:\n%s", want, s)
		}
	}
	h.key("esc")
	if h.m.page != pageMain || h.m.trends != nil {
		t.Fatalf("esc: page %d", h.m.page)
	}
	// enter on the second assertion: the table, expanded down to it in #111
	h.key("t", "j", "enter")
	if h.m.page != pageMain {
		t.Fatalf("enter: page %d, want the builds table", h.m.page)
	}
	tb := h.m.table
	r := tb.rows[tb.cursor]
	rec := tb.ig.results[r.num]
	if r.kind != rowAssertion || r.num != 111 {
		t.Fatalf("enter: cursor on row %+v, want an assertion of #111", r)
	}
	e := rec.Collections[r.ci].Executions[r.ei]
	if a := e.Assertions[r.ai]; e.Name != "Create payment" || a.Name != "Status code is 201" {
		t.Errorf("enter: cursor on %s › %s", e.Name, a.Name)
	}
	if !strings.Contains(ansi.Strip(h.screen()), "✘ NEW Status code is 201") {
		t.Errorf("the assertion is not on screen:\n%s", h.screen())
	}
}

func TestTrendsStaleAndUnavailable(t *testing.T) {
	h := newTrendsHarness(t, 80, 24)
	h.key("t")
	before := h.screen()
	h.send(trendsLoadedMsg{nick: "Payments API", gen: h.m.trends.gen - 1, err: fmt.Errorf("late answer of an old screen")})
	if h.screen() != before {
		t.Error("an answer to an older trends screen changed this one")
	}
	// an earlier ask answered after a later one is dropped too
	h.send(trendsLoadedMsg{nick: "Payments API", gen: h.m.trends.gen, basis: h.m.trends.shown - 1, err: fmt.Errorf("older")})
	if h.screen() != before {
		t.Error("the answer to an earlier ask replaced a later one")
	}
	h.key("esc")
	h.send(trendsLoadedMsg{nick: "Payments API", gen: h.m.gen})
	if h.m.page != pageMain || h.m.trends != nil {
		t.Error("an answer after esc reopened the trends")
	}

	h2, _, _ := newHarness(t, Options{})
	h2.start(80, 24)
	h2.key("t")
	if !strings.Contains(h2.screen(), "history is not available here") {
		t.Errorf("no Trends source:\n%s", h2.screen())
	}
}

// BenchmarkTrendsKeyPress moves the selection on the trends screen of 1,000
// builds with 200 failed assertions at 120x40, and renders. Target: < 2 ms.
func BenchmarkTrendsKeyPress(b *testing.B) {
	var bs []insight.Build
	for n := 1000; n >= 1; n-- {
		var as []report.Assertion
		for i := range 200 {
			st := report.Passed
			if (n+i)%7 == 0 {
				st = report.Failed
			}
			as = append(as, report.Assertion{Name: fmt.Sprintf("assertion %d", i), Status: st, Message: "boom"})
		}
		bs = append(bs, insight.Build{Number: n, HasResults: true, Results: report.Results{Collections: []report.CollectionRun{{
			Name: "C", Assertions: report.Counts{Total: 200}, Executions: []report.Execution{{Name: "R", Method: "GET", Code: 200, ResponseMS: int64(n), Assertions: as}}}}}})
	}
	tr := insight.Compute(bs, insight.Options{})
	h := newTrendsHarness(b, 120, 40)
	h.key("t")
	h.send(trendsLoadedMsg{nick: "Payments API", gen: h.m.trends.gen, basis: 1 << 20, tr: tr})
	if !strings.Contains(h.screen(), "(200)") {
		b.Fatal("the trends are not on screen")
	}
	keys := []string{"j", "j", "k", "G", "g"}
	m := h.m
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m2, _ := m.Update(keyMsg(keys[i%len(keys)]))
		m = m2.(Model)
		_ = m.View()
	}
}

// The expanded build against the previous build with results: NEW and FIXED
// marks, and the deltas in the Tests and Lint cells.
func TestGoldenMarks(t *testing.T) {
	for _, sz := range sizes {
		h := newTrendsHarness(t, sz.w, sz.h)
		h.key("j", "enter")                     // #111
		h.key("j", "enter")                     // its collection
		h.key("j", "enter")                     // Create payment: NEW against #110
		h.key("j", "j", "j", "j", "j", "enter") // the lint result: its error is NEW
		s := ansi.Strip(h.screen())
		wants := []string{"3/5 ✘2 +1", "✘ NEW Status code is 201", "NEW 40:7  oas3-schema"}
		if sz.w >= 120 {
			wants = append(wants, "1E 1W +1") // the wider Lint column has room for it
		}
		for _, want := range wants {
			if !strings.Contains(s, want) {
				t.Errorf("%s: no %q:\n%s", sizeName(sz.w, sz.h), want, s)
			}
		}
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

func TestMarksFixed(t *testing.T) {
	h := newTrendsHarness(t, 120, 40)
	// #107 passed what #106 failed
	if !h.m.table.showAssertion(107, insight.AssertionKey{Collection: "Payments", Folder: "payments", Request: "Create payment", Assertion: "Status code is 201"}) {
		t.Fatal("#107 not listed")
	}
	h.send(expandedBuildMsg{})
	h.run(h.m.syncFocus())
	h.settle()
	h.m.table.rebuild()
	s := ansi.Strip(h.m.View().Content)
	if !strings.Contains(s, "✔ FIXED Status code is 201") {
		t.Errorf("no FIXED mark in #107:\n%s", s)
	}
	if strings.Contains(s, "FIXED Body has id") || strings.Contains(s, "NEW") {
		t.Errorf("a mark where nothing changed:\n%s", s)
	}
}

// TestTrendsScrollsPastTheLastAssertion: on a short terminal the lines
// below the last assertion (slower requests, lint added and fixed) come
// into view with j/pgdn/G on the last one, and k scrolls back before the
// selection moves up.
func TestTrendsScrollsPastTheLastAssertion(t *testing.T) {
	h := newTrendsHarness(t, 80, 18)
	h.key("t")
	last := "+ error oas3-schema"
	if strings.Contains(ansi.Strip(h.screen()), last) {
		t.Fatalf("the test needs a screen too short for the lint lines:\n%s", h.screen())
	}
	h.key("j", "j", "j", "j", "j", "j", "j", "j")
	if s := ansi.Strip(h.screen()); !strings.Contains(s, last) {
		t.Errorf("j on the last assertion does not scroll to the lint lines:\n%s", s)
	}
	if h.m.trends.sel != 1 {
		t.Errorf("selection %d, want the last assertion (1)", h.m.trends.sel)
	}
	h.key("k")
	if h.m.trends.sel != 1 {
		t.Errorf("k after scrolling past: selection %d, want it kept (1) while the view scrolls back", h.m.trends.sel)
	}
	h.key("g")
	if s := ansi.Strip(h.screen()); h.m.trends.sel != 0 || !strings.Contains(s, "pass rate") {
		t.Errorf("g: selection %d, want 0 with the sparklines in view:\n%s", h.m.trends.sel, s)
	}
	h.key("G")
	if s := ansi.Strip(h.screen()); !strings.Contains(s, last) {
		t.Errorf("G does not show the end:\n%s", s)
	}
}

// The trends screen's newest-build fraction is the builds table's: with a
// skipped assertion both say "not failed of all" (5/6 ✘1 with one skipped),
// not one 5/6 and the other 4/5.
func TestTrendsFractionIsTheTables(t *testing.T) {
	apis, st := newFakes()
	pay := apis["Payments API"]
	pay.results = historyResults()
	r := pay.results[111]
	c := &r.Collections[0]
	c.Assertions.Total++
	c.Assertions.Skipped++
	pay.results[111] = r
	h := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Trends: fakeTrends{pay}, Clock: func() time.Time { return t0 }, Ctx: context.Background()},
		Options{Integrations: []config.Integration{payments(), orders()}})
	h.start(120, 40)
	cell := fmtCollections(&report.CollectionSummary{Assertions: c.Assertions.Total, AssertionsFailed: c.Assertions.Failed})
	if s := ansi.Strip(h.screen()); !strings.Contains(s, "#111 ") || !strings.Contains(s, cell) {
		t.Fatalf("the table does not show #111's %q:\n%s", cell, s)
	}
	h.key("t")
	if s := ansi.Strip(h.screen()); !strings.Contains(s, "#111 "+cell) {
		t.Errorf("trends: want %q beside the pass rate, as in the table:\n%s", "#111 "+cell, s)
	}
}

// In a read-only session at 80x24 the trends hint bar still says how to go
// back (esc) and where the help is, after the read-only note.
func TestTrendsHintBarReadOnly(t *testing.T) {
	apis, st := newFakes()
	pay := apis["Payments API"]
	pay.results = historyResults()
	h := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Trends: fakeTrends{pay}, Clock: func() time.Time { return t0 }, Ctx: context.Background()},
		Options{Integrations: []config.Integration{payments(), orders()}, ReadOnly: true, ReadOnlyWhy: "your key has no Jenkins user"})
	h.start(80, 24)
	h.key("t")
	ls := strings.Split(ansi.Strip(h.screen()), "\n")
	bar := ls[len(ls)-1]
	for _, want := range []string{"read-only", "esc back", "? help"} {
		if !strings.Contains(bar, want) {
			t.Errorf("trends hint bar lacks %q: %q", want, bar)
		}
	}
}

// An integration none of whose builds has results (a job that archives no
// reports) gets no green "no assertion failed": nothing was observed.
func TestTrendsWithoutAnyResults(t *testing.T) {
	apis, st := newFakes()
	pay := apis["Payments API"]
	pay.results = map[int]report.Results{}
	h := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Trends: fakeTrends{pay}, Clock: func() time.Time { return t0 }, Ctx: context.Background()},
		Options{Integrations: []config.Integration{payments(), orders()}})
	h.start(80, 24)
	h.key("t")
	s := ansi.Strip(h.screen())
	if !strings.Contains(s, "no results in these builds") || strings.Contains(s, "no assertion failed") || strings.Contains(s, "no request got slower") {
		t.Errorf("trends of builds without results:\n%s", s)
	}
}
