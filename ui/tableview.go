package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// tableview.go: rendering of the builds table and its expanded results.

// filterBar: All 60 · Success 41 · Failed 9 … with the active filter marked,
// or the search field while searching.
func (t buildsTable) filterBar() string {
	w := t.mainWidth()
	if t.searching {
		return "/" + t.search.view(w-1, true)
	}
	var parts []string
	for i, s := range filterStatuses {
		n := t.total
		if s != "" {
			n = t.counts[s]
			if n == 0 && i != t.filter {
				continue
			}
		}
		part := filterName(s) + " " + t.countText(s, n)
		if i == t.filter {
			part = t.st.Active.Render(part)
		}
		parts = append(parts, part)
	}
	if ig := t.cur(); ig != nil && len(ig.queue) > 0 {
		parts = append(parts, t.st.status(jenkins.StatusQueued).Render("Queued "+itoa(len(ig.queue))))
	}
	bar := strings.Join(parts, t.st.Subtle.Render(" · "))
	if width(bar) > w {
		bar = t.compactFilterBar()
	}
	if q := t.search.value; q != "" {
		bar += "  " + t.st.Warn.Render("/"+q)
	}
	return bar
}

// compactFilterBar is the filter bar with glyphs for the inactive statuses:
// All 50 · ✔ 34 · ✘ 2 · ▲ 7 · ■ 4 · ○ 2 · ▶ 1.
func (t buildsTable) compactFilterBar() string {
	var parts []string
	for i, s := range filterStatuses {
		n := t.total
		if s != "" {
			n = t.counts[s]
			if n == 0 && i != t.filter {
				continue
			}
		}
		part := statusGlyph(s) + " " + itoa(n)
		switch {
		case i == t.filter:
			part = t.st.Active.Render(filterName(s) + " " + t.countText(s, n))
		case s == "":
			part = "All " + t.countText(s, n)
		default:
			part = t.st.status(s).Render(part)
		}
		parts = append(parts, part)
	}
	if ig := t.cur(); ig != nil && len(ig.queue) > 0 {
		parts = append(parts, t.st.status(jenkins.StatusQueued).Render("… "+itoa(len(ig.queue))))
	}
	return strings.Join(parts, t.st.Subtle.Render(" · "))
}

// countText is a filter bar count. All gets a "+" while Jenkins has older
// builds than those read so far (they load at the end of the list): "All 50"
// for a job with 130 builds read as its total.
func (t buildsTable) countText(s jenkins.Status, n int) string {
	if ig := t.cur(); s == "" && ig != nil && ig.olderFrom > 0 && !ig.olderDone {
		return itoa(n) + "+"
	}
	return itoa(n)
}

func (t buildsTable) columns() cols {
	c := cols{mark: 2, num: 6, status: statusColWidth, started: 8, dur: 12, coll: 10, gov: 7}
	if t.mainWidth() >= 90 {
		c.coll, c.gov = 12, 10 // room for the deltas (16/25 ✘9 +3, 7E 17W +2)
	}
	fixed := c.mark + c.num + c.status + c.started + c.dur + c.coll + c.gov + 7
	c.cause = max(0, t.mainWidth()-fixed)
	return c
}

func (t buildsTable) tableHeader() string {
	c := t.columns()
	l := strings.Repeat(" ", c.mark) + cell("#", c.num) + " " + cell("Status", c.status) + " " + cell("Started", c.started) + " " +
		cell("Duration", c.dur) + " " + cell("Tests", c.coll) + " " + cell("Lint", c.gov) + " " + cell("Cause", c.cause)
	return t.st.Header.Render(cell(l, t.mainWidth()))
}

func (t buildsTable) tableRows() []string {
	h := t.tableHeight()
	out := make([]string, 0, h)
	ig := t.cur()
	if ig == nil {
		return out
	}
	if len(t.rows) == 0 {
		msg := "no builds yet"
		switch {
		case t.total > 0 && t.search.value != "" && t.filter != 0:
			msg = "no builds match the filter and /" + clean(t.search.value) + " (" + t.keys.FilterReset.Help().Key + ": all statuses, " +
				t.keys.Esc.Help().Key + ": clear the search)"
		case t.total > 0 && t.search.value != "":
			// F would not help here: the search hides them
			msg = "no builds match /" + clean(t.search.value) + " (" + t.keys.Esc.Help().Key + " clears the search)"
		case t.total > 0:
			msg = "no builds match the filter (" + t.keys.FilterReset.Help().Key + " shows all)"
		case !ig.storeLoaded || (ig.lastOK.IsZero() && ig.failures == 0 && ig.apiErr == ""):
			msg = "loading builds…"
		case ig.lastOK.IsZero():
			// never loaded: "no builds yet" would claim the job has none.
			// The error is shown whole here, wrapped: the one-line status
			// line cuts off its advice at the end.
			e := ig.lastErr
			if ig.apiErr != "" {
				e = ig.apiErr
			}
			out = append(out, "  "+t.st.Subtle.Render("could not load the builds:"))
			for _, l := range strings.Split(ansi.Wrap(e, max(20, t.mainWidth()-4), " "), "\n") {
				if len(out) >= h {
					break
				}
				out = append(out, "  "+t.st.Err.Render(l))
			}
			return out
		}
		return append(out, "  "+t.st.Subtle.Render(msg))
	}
	end := min(len(t.rows), t.offset+h)
	c := t.columns()
	for i := t.offset; i < end; i++ {
		out = append(out, t.renderRow(ig, t.rows[i], i == t.cursor && t.active, c))
	}
	return out
}

func (t buildsTable) renderRow(ig *jobData, r row, selected bool, c cols) string {
	w := t.mainWidth()
	var line string
	var st jenkins.Status
	styled := func(s string) string { return s }
	switch r.kind {
	case rowQueue:
		q := &ig.queue[r.num]
		st = jenkins.StatusQueued
		why := clean(q.Why)
		if q.Cancelled {
			why = "cancelled"
		}
		line = strings.Repeat(" ", c.mark) + cell("", c.num) + " " + cell(statusLabel(st), c.status) + " " +
			cell(fmtAgo(t.now, q.InQueueSince), c.started) + " " + cell("waits "+fmtDur(t.now.Sub(q.InQueueSince)), c.dur) + " " +
			cell("", c.coll) + " " + cell("", c.gov) + " " + cell(why, c.cause)
	case rowBuild:
		rec := ig.rowRecord(r)
		if rec == nil {
			return ""
		}
		line, st = t.buildLine(ig, rec, r, c)
	default:
		line = strings.Repeat("  ", r.depth) + t.detailText(ig, r)
		styled = func(s string) string { return t.styleDetail(ig, r, s) }
	}
	line = cell(line, w)
	if selected {
		return t.st.Selected.Render(line)
	}
	if r.kind == rowBuild || r.kind == rowQueue {
		// colour only the status cell
		start := c.mark + c.num + 1
		return line[:byteIndex(line, start)] + t.st.statusCell(st) + line[byteIndex(line, start+c.status):]
	}
	return styled(line)
}

// byteIndex is the byte offset of cell column col in a plain line.
func byteIndex(s string, col int) int {
	w := 0
	for i, r := range s {
		if w >= col {
			return i
		}
		switch {
		case r < 0x80 || narrowGlyph(r):
			w++
		default:
			w += ansi.StringWidth(string(r))
		}
	}
	return len(s)
}

func (t buildsTable) buildLine(ig *jobData, rec *BuildRecord, r row, c cols) (string, jenkins.Status) {
	st := recStatus(rec)
	mark := "▸ "
	if t.expanded[r.key] {
		mark = "▾ "
	}
	dur := fmtDur(rec.Duration)
	if rec.Building {
		dur = fmtProgress(t.now, &rec.Build)
	}
	coll, gov := fmtCollections(rec.Collections), fmtGovernance(rec.Governance)
	switch {
	case rec.Building:
		coll, gov = "", ""
	case ig.resultsInFlight[rec.Number] || rec.ResultsState.Unknown():
		if rec.Collections == nil {
			coll = "…"
		}
		if rec.Governance == nil {
			gov = "…"
		}
	case rec.ResultsState == ResultsFailed:
		if rec.Collections == nil {
			coll = "!"
		}
	default:
		// a delta shows where it fits whole
		if d, ok := t.deltas[rec.Number]; ok {
			if s := coll + deltaText(d.failed); d.hasColl && width(s) <= c.coll {
				coll = s
			}
			if s := gov + deltaText(d.lint); d.hasG && width(s) <= c.gov {
				gov = s
			}
		}
	}
	num := "#" + itoa(rec.Number)
	cause := fmtCause(&rec.Build)
	if rec.Gone {
		cause = "(gone) " + cause
	}
	if s := ig.currentStage(rec); s != "" {
		cause = "▶ " + clean(s) + " · " + cause
	}
	line := mark + cell(num, c.num) + " " + cell(statusLabel(st), c.status) + " " + cell(fmtAgo(t.now, rec.Started), c.started) + " " +
		cell(dur, c.dur) + " " + cell(coll, c.coll) + " " + cell(gov, c.gov) + " " + cell(cause, c.cause)
	return line, st
}

// results of build n, if loaded.
func (ig *jobData) res(n int) *report.Results {
	if r, ok := ig.results[n]; ok {
		return &r
	}
	return nil
}

// detailText is the plain text of an expanded line.
func (t buildsTable) detailText(ig *jobData, r row) string {
	res := ig.res(r.num)
	mark := func() string {
		if t.expanded[r.key] {
			return "▾ "
		}
		return "▸ "
	}
	switch r.kind {
	case rowNote:
		return r.note
	case rowStage:
		return t.stageText(ig, r)
	case rowCollection:
		c := &res.Collections[r.ci]
		s := mark() + clean(c.Name) + " · " + string(c.Tool) + " · " + c.RequestsPhrase() + fmt.Sprintf(" · %d %s: %d passed",
			c.Assertions.Total, plural(c.Assertions.Total, "assertion", "assertions"), c.Assertions.Total-c.Assertions.Failed-c.Assertions.Skipped)
		if c.Assertions.Failed > 0 {
			s += fmt.Sprintf(", %d failed", c.Assertions.Failed)
		}
		if c.Assertions.Skipped > 0 {
			s += fmt.Sprintf(", %d skipped", c.Assertions.Skipped)
		}
		if c.Iterations > 1 {
			s += fmt.Sprintf(" · %d iterations", c.Iterations)
		}
		if c.DurationMS > 0 {
			s += " · " + fmtMS(c.DurationMS)
		}
		if c.Artifact != "" {
			s += " · " + clean(c.Artifact)
		}
		if c.Partial {
			s += " · partial: " + clean(c.PartialWhy)
		}
		return s
	case rowExecution:
		e := &res.Collections[r.ci].Executions[r.ei]
		g := "✔"
		if execFailed(e) {
			g = "✘"
		}
		name := clean(e.Name)
		if e.Folder != "" {
			name = clean(e.Folder) + "/" + name
		}
		s := mark() + g + " " + clean(e.Method) + " " + name
		if e.Code > 0 {
			s += " · " + itoa(e.Code)
		}
		if e.ResponseMS > 0 {
			s += " · " + fmtMS(e.ResponseMS)
		}
		if res.Collections[r.ci].Iterations > 1 {
			s += fmt.Sprintf(" · iteration %d", e.Iteration)
		}
		return s
	case rowAssertion:
		e := &res.Collections[r.ci].Executions[r.ei]
		if r.ai < 0 {
			return "✘ error: " + clean(e.Error)
		}
		a := &e.Assertions[r.ai]
		s := assertionGlyph(a.Status) + " " + t.assertionMark(r.num, &res.Collections[r.ci], e, a) + clean(a.Name)
		if a.Message != "" {
			s += ": " + clean(a.Message)
		}
		return s
	case rowGovernance:
		g := &res.Governance[r.ci]
		cs, gs := (&report.Results{Governance: []report.GovernanceResult{*g}}).Summaries()
		_ = cs
		s := mark() + clean(shortDefinition(g.Definition, t.job)) + " · " + string(g.Tool) + " · " + fmtGovernanceFull(gs)
		if g.Artifact != "" {
			s += " · " + clean(g.Artifact)
		}
		if g.Partial {
			s += " · partial: " + clean(g.PartialWhy)
		}
		return s
	case rowSeverity:
		return string(r.sev) + " (" + r.note + ")"
	case rowViolation:
		g := &res.Governance[r.ci]
		v := &g.Violations[r.ei]
		// position first, so it lines up and survives truncation; the file
		// only when it is not the definition itself (a $ref'd file)
		s := t.violationMark(r.num, g, v)
		if v.File != "" && v.File != g.Definition {
			s = clean(shortDefinition(v.File, t.job)) + ":"
		}
		if v.Line > 0 {
			s += fmt.Sprintf("%d", v.Line)
			if v.Column > 0 { // the Postman CLI's lint JSON has no column
				s += fmt.Sprintf(":%d", v.Column)
			}
		}
		if s != "" {
			s += "  "
		}
		s += clean(v.Rule) + "  " + clean(v.Message)
		if v.Path != "" {
			s += "  " + clean(v.Path)
		}
		return s
	}
	return ""
}

func fmtGovernanceFull(g *report.GovernanceSummary) string {
	if g == nil {
		return "no violations"
	}
	var parts []string
	for _, c := range []struct {
		n         int
		one, many string
	}{{g.Error, "error", "errors"}, {g.Warning, "warning", "warnings"}, {g.Info, "info", "info"}, {g.Hint, "hint", "hints"}} {
		if c.n > 0 {
			parts = append(parts, itoa(c.n)+" "+plural(c.n, c.one, c.many))
		}
	}
	if len(parts) == 0 {
		return "no violations"
	}
	return strings.Join(parts, ", ")
}

func fmtMS(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%dms", ms)
	}
	return fmt.Sprintf("%.1fs", float64(ms)/1000)
}

func (t buildsTable) styleDetail(ig *jobData, r row, s string) string {
	switch r.kind {
	case rowNote:
		return t.st.Subtle.Render(s)
	case rowStage:
		return t.styleStage(ig, r, s)
	case rowSeverity, rowViolation:
		return t.st.Severity[r.sev].Render(s)
	case rowExecution:
		if res := ig.res(r.num); res != nil && execFailed(&res.Collections[r.ci].Executions[r.ei]) {
			return t.st.Err.Render(s)
		}
	case rowAssertion:
		if r.ai < 0 {
			return t.st.Err.Render(s)
		}
		if res := ig.res(r.num); res != nil {
			return t.st.Assertion[res.Collections[r.ci].Executions[r.ei].Assertions[r.ai].Status].Render(s)
		}
	}
	return s
}

// shortDefinition drops the Jenkins workspace prefix from a linted file's
// path ("/var/jenkins_home/workspace/payments/api-tests/openapi.yaml" is
// "openapi.yaml" of job payments/api-tests).
func shortDefinition(path, job string) string {
	if job != "" {
		if i := strings.Index(path, "/workspace/"+job+"/"); i >= 0 {
			return path[i+len("/workspace/"+job+"/"):]
		}
	}
	if i := strings.Index(path, "/workspace/"); i >= 0 {
		rest := path[i+len("/workspace/"):]
		if j := strings.Index(rest, "/"); j >= 0 { // multibranch and custom workspaces: one mangled folder
			return rest[j+1:]
		}
	}
	return path
}
