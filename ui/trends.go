package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/insight"
)

// trends.go: the trends screen (`t` from the builds table): the history of
// the selected integration's newest stored builds, computed in a Cmd
// (trendsCmd) from the store, never in Update or View. Its lines are laid
// out when the data or the size change; a key press only moves the
// selection.

// trendsBuilds is how many builds the screen looks back over.
const trendsBuilds = 50

// openTrendsMsg: the table asks for the trends of its integration.
type openTrendsMsg struct{}

// trendsLoadedMsg carries the trends computed for the screen of generation gen.
type trendsLoadedMsg struct {
	nick  string
	gen   uint64
	basis int // results known when asked: a later answer of an earlier ask is dropped
	tr    insight.Trends
	err   error
}

// jumpToAssertionMsg: show assertion key in build num, in the builds table.
type jumpToAssertionMsg struct {
	num int
	key insight.AssertionKey
}

func trendsCmd(ctx context.Context, src Trends, nick string, gen uint64, basis int) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		tr, err := src.Trends(c, nick, trendsBuilds)
		return trendsLoadedMsg{nick: nick, gen: gen, basis: basis, tr: tr, err: err}
	}
}

type trendsView struct {
	screenCtx
	nick    string
	gen     uint64
	loading bool
	err     string
	tr      insight.Trends
	sel     int // the selected assertion
	basis   int // results known in the window when the trends were last asked for
	shown   int // the basis of the trends shown
	top     int // first line shown
	past    int // lines scrolled down past the last assertion

	lines []string // laid out by layout()
	at    []int    // line of each assertion
}

func newTrendsView(c screenCtx, nick string, gen uint64) trendsView {
	v := trendsView{screenCtx: c, nick: nick, gen: gen, loading: true}
	v.layout()
	return v
}

func (v *trendsView) SetSize(w, h int) {
	v.screenCtx.SetSize(w, h)
	v.layout()
}

func (v trendsView) Title() string { return clean(v.nick) + " · trends" }

func (v trendsView) Status() string {
	if n := len(v.tr.Builds); n > 0 {
		return fmt.Sprintf("#%d–#%d · %d builds", v.tr.Builds[n-1].Number, v.tr.Builds[0].Number, n)
	}
	return ""
}

func (v trendsView) ShortHelp() []key.Binding {
	k := v.keys
	// esc first: the hint bar drops hints from the end where they do not
	// fit (a read-only session's note takes room at 80 columns)
	if len(v.tr.Assertions) > 0 {
		return []key.Binding{k.Esc, k.ShowFailure, k.Up, k.Down, k.Help}
	}
	return []key.Binding{k.Esc, k.Help}
}

func (v trendsView) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.ShowFailure, k.Esc}}
}

func (v trendsView) Update(msg tea.Msg) (trendsView, tea.Cmd) {
	switch msg := msg.(type) {
	case trendsLoadedMsg:
		if msg.gen != v.gen || !v.loading && msg.basis < v.shown {
			return v, nil
		}
		v.loading, v.shown = false, msg.basis
		if msg.err != nil {
			v.err = clean(msg.err.Error())
		} else {
			v.err, v.tr = "", msg.tr
		}
		v.sel = min(v.sel, max(0, len(v.tr.Assertions)-1))
		v.layout()
	case tea.KeyPressMsg:
		return v.onKey(msg)
	}
	return v, nil
}

func (v trendsView) onKey(msg tea.KeyPressMsg) (trendsView, tea.Cmd) {
	k := v.keys
	n := len(v.tr.Assertions)
	switch {
	case key.Matches(msg, k.Esc):
		return v, emit(backMsg{})
	case key.Matches(msg, k.ShowFailure):
		if n == 0 {
			return v, nil
		}
		a := v.tr.Assertions[v.sel]
		return v, emit(jumpToAssertionMsg{num: a.LastFailed, key: a.AssertionKey})
	case key.Matches(msg, k.Up):
		v.move(-1)
	case key.Matches(msg, k.Down):
		v.move(1)
	case key.Matches(msg, k.PageUp):
		v.move(-max(1, v.height/3))
	case key.Matches(msg, k.PageDown):
		v.move(max(1, v.height/3))
	case key.Matches(msg, k.Top):
		v.past = 0
		v.move(-n)
	case key.Matches(msg, k.Bottom):
		v.move(n)
		v.move(len(v.lines)) // and on to the end
	}
	return v, nil
}

// move selects another assertion and scrolls it into view (with its lines).
// Past the last assertion it scrolls on, so that the lines below it (the
// slower requests, the lint) can be read on a short terminal, and back up
// before the selection moves up again.
func (v *trendsView) move(d int) {
	maxTop := max(0, len(v.lines)-v.height)
	if len(v.at) == 0 {
		// nothing to select: scroll
		v.top = max(0, min(v.top+d, maxTop))
		return
	}
	if v.sel == len(v.at)-1 {
		if d > 0 {
			step := max(0, min(d, maxTop-v.top))
			v.top, v.past = v.top+step, v.past+step
			return
		}
		if d < 0 && v.past > 0 {
			step := min(-d, v.past)
			v.top, v.past = max(0, v.top-step), v.past-step
			return
		}
	}
	v.past = 0
	v.sel = max(0, min(len(v.at)-1, v.sel+d))
	first := v.at[v.sel]
	last := len(v.lines) - 1
	if v.sel+1 < len(v.at) {
		last = v.at[v.sel+1] - 1
	} else if end := first + 2; end < last {
		last = end
	}
	if v.sel == 0 {
		first = 0 // the sparklines above stay in view with the first one
	}
	if last >= v.top+v.height {
		v.top = last - v.height + 1
	}
	if first < v.top {
		v.top = first
	}
	v.top = max(0, min(v.top, len(v.lines)-v.height))
}

// View shows the laid-out lines with the selection marked.
func (v trendsView) View() string {
	end := min(len(v.lines), v.top+v.height)
	out := make([]string, 0, v.height)
	for i := v.top; i < end; i++ {
		l := v.lines[i]
		if len(v.at) > 0 && i == v.at[v.sel] {
			l = v.st.Selected.Render(padTo("›"+l[min(1, len(l)):], v.width))
		}
		out = append(out, l)
	}
	return strings.Join(v.body(out), "\n")
}

func padTo(s string, w int) string {
	if n := width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return fit(s, w)
}

// layout renders every line of the screen for the current data and size.
func (v *trendsView) layout() {
	w := max(20, v.width)
	st := v.st
	v.lines, v.at = v.lines[:0], v.at[:0]
	add := func(s string) { v.lines = append(v.lines, fit(s, w)) }
	switch {
	case v.loading:
		add(" " + v.spinner() + " reading the history of " + clean(v.nick) + "…")
		return
	case v.err != "":
		add(" " + st.Err.Render("✘ trends: "+v.err))
		return
	case len(v.tr.Builds) == 0:
		add(" no builds stored yet for " + clean(v.nick))
		return
	}
	pts := v.tr.Builds
	// sparklines: oldest → newest, as many builds as fit beside the labels
	const label = 12
	right := 18 // "#1234 610/640 ✘30"
	n := min(len(pts), max(4, w-label-right-2))
	tail := pts[:n]
	rate, lint := insight.Sparklines(tail)
	newest := insight.NewestWithResults(pts) // where things stand
	rateNow, lintNow := "no results", "no lint"
	if newest.PassRate != nil {
		// the builds table's fraction (not failed of all, skipped ones too), so
		// that the two screens give one number for one build
		rateNow = fmt.Sprintf("#%d %d/%d", newest.Number, newest.Assertions-newest.Failed, newest.Assertions)
		if newest.Failed > 0 {
			rateNow += " ✘" + itoa(newest.Failed)
		}
	}
	if newest.HasLint {
		lintNow = fmt.Sprintf("#%d %dE %dW", newest.Number, newest.LintErrors, newest.LintWarnings)
	}
	add(st.Subtle.Render(fmt.Sprintf(" %-*s#%d%s#%d", label-1, "", tail[n-1].Number,
		strings.Repeat(" ", max(1, n-len(itoa(tail[n-1].Number))-len(itoa(tail[0].Number))-2)), tail[0].Number)))
	add(" " + st.Header.Render(fmt.Sprintf("%-*s", label-1, "pass rate")) + rate + "  " + rateNow)
	add(" " + st.Header.Render(fmt.Sprintf("%-*s", label-1, "lint E+W")) + lint + "  " + lintNow)
	with := 0
	for _, p := range pts {
		if p.HasResults {
			with++
		}
	}
	if with < len(pts) {
		add(st.Subtle.Render(fmt.Sprintf(" %d of %d builds have results (·: running, aborted, no reports or not read yet)", with, len(pts))))
	}
	add("")
	if with == 0 {
		// no ✔ "no assertion failed": nothing was observed
		add(" no results in these builds: no assertions, requests or lint to compare")
		v.top = max(0, min(v.top, len(v.lines)-v.height))
		return
	}
	if len(v.tr.Assertions) == 0 {
		add(" " + st.OK.Render("✔") + " no assertion failed in these builds")
	} else {
		add(" " + st.Header.Render(fmt.Sprintf("Assertions that failed (%d)", len(v.tr.Assertions))) + st.Subtle.Render(" · enter: where it last failed"))
		for _, a := range v.tr.Assertions {
			glyph := map[string]string{insight.KindFailing: st.Err.Render("✘"), insight.KindFlaky: st.Warn.Render("≈"), insight.KindFixed: st.OK.Render("✔")}[a.Kind]
			v.at = append(v.at, len(v.lines))
			name := a.Request + " › " + a.Assertion
			if a.Folder != "" {
				name = a.Folder + " › " + name
			}
			if a.Iteration > 1 {
				name += fmt.Sprintf(" (iteration %d)", a.Iteration)
			}
			add("  " + glyph + " " + clean(name))
			add("      " + a.Summary)
			if a.LastError != "" {
				add("      " + st.Subtle.Render(clean(oneLineText(a.LastError))))
			}
		}
	}
	add("")
	var slow []insight.RequestTrend
	for _, r := range v.tr.Requests {
		if r.Flagged {
			slow = append(slow, r)
		}
	}
	if len(slow) == 0 {
		add(" " + st.OK.Render("✔") + " no request got slower (newest 5 against the 20 before)")
	} else {
		add(" " + st.Header.Render("Requests that got slower"))
		for _, r := range slow {
			k := min(len(r.Samples), 25)
			hi := int64(0)
			for _, s := range r.Samples[:k] {
				hi = max(hi, s)
			}
			spark := insight.Sparkline(k, func(i int) (float64, bool) { return float64(r.Samples[k-1-i]), true }, 0, float64(hi))
			name := r.Method + " " + r.Name
			if r.Folder != "" {
				name = r.Method + " " + r.Folder + " › " + r.Name
			}
			add("  " + st.Warn.Render("▲") + " " + clean(name))
			add(fmt.Sprintf("      %d → %d ms (+%d ms, +%.0f%%)  %s", r.BeforeMS, r.RecentMS, r.DeltaMS, r.Growth*100, spark))
		}
	}
	add("")
	switch l := v.tr.Lint; {
	case l.Newest == 0:
		add(" no lint results in these builds")
	case l.Previous == 0:
		add(fmt.Sprintf(" lint: only #%d has lint results", l.Newest))
	case len(l.Added) == 0 && len(l.Fixed) == 0:
		add(fmt.Sprintf(" lint: #%d has the violations #%d had", l.Newest, l.Previous))
	default:
		add(" " + st.Header.Render(fmt.Sprintf("Lint in #%d against #%d: %d added, %d fixed", l.Newest, l.Previous, len(l.Added), len(l.Fixed))))
		for _, c := range l.Added {
			add("  " + st.Err.Render("+") + " " + string(c.Severity) + " " + clean(c.Rule) + "  " + st.Subtle.Render(clean(c.Path)))
		}
		for _, c := range l.Fixed {
			add("  " + st.OK.Render("-") + " " + string(c.Severity) + " " + clean(c.Rule) + "  " + st.Subtle.Render(clean(c.Path)))
		}
	}
	if len(v.at) > 0 {
		v.sel = min(v.sel, len(v.at)-1)
	}
	v.top = max(0, min(v.top, len(v.lines)-v.height))
	v.past = min(v.past, v.top)
}

// oneLineText joins a message's lines.
func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

// --- root side ---

func (m *Model) openTrends() tea.Cmd {
	ig := m.cur()
	if ig == nil {
		return nil
	}
	m.gen++
	v := newTrendsView(m.ctx(), ig.cfg.Nickname, m.gen)
	if m.deps.Trends == nil {
		v.loading, v.err = false, "history is not available here"
		v.layout()
	}
	v.basis = m.trendsBasis(ig)
	m.trends = &v
	m.page = pageTrends
	m.sizeScreens()
	if m.deps.Trends == nil {
		return nil
	}
	return tea.Batch(trendsCmd(m.deps.Ctx, m.deps.Trends, ig.cfg.Nickname, m.gen, v.basis), m.startSpinner(), m.syncFocus())
}

// trendsWindow lists the builds the open trends screen covers (the engine
// fetches their results as it does for the builds on screen); nil when the
// trends are not open.
func (m *Model) trendsWindow(ig *integ) []int {
	if m.page != pageTrends || m.trends == nil || ig == nil || ig.cfg.Nickname != m.trends.nick {
		return nil
	}
	var out []int
	for i := range ig.records {
		if len(out) == trendsBuilds {
			break
		}
		out = append(out, ig.records[i].Number)
	}
	return out
}

// trendsBasis counts the builds of the window whose results are known.
func (m *Model) trendsBasis(ig *integ) int {
	n := 0
	for i := range ig.records {
		if i == trendsBuilds {
			break
		}
		if !ig.records[i].ResultsState.Unknown() {
			n++
		}
	}
	return n
}

// refreshTrends computes the open trends again, in a Cmd, when more of
// their builds' results have come in.
func (m *Model) refreshTrends() tea.Cmd {
	ig := m.cur()
	if m.trends == nil || m.page != pageTrends || ig == nil || ig.cfg.Nickname != m.trends.nick || m.deps.Trends == nil || m.trends.loading {
		return nil
	}
	b := m.trendsBasis(ig)
	if b == m.trends.basis {
		return nil
	}
	m.trends.basis = b
	return trendsCmd(m.deps.Ctx, m.deps.Trends, m.trends.nick, m.trends.gen, b)
}

// jumpToAssertion leaves the trends for the builds table, on build num's
// assertion key (the table expands down to it once the results are there).
func (m *Model) jumpToAssertion(msg jumpToAssertionMsg) tea.Cmd {
	m.trends = nil
	m.page = pageMain
	if !m.table.showAssertion(msg.num, msg.key) {
		m.setToast(fmt.Sprintf("build #%d is not listed", msg.num), true)
		return tea.Batch(m.toastTimer(), m.wantResultsCur())
	}
	return tea.Batch(emit(expandedBuildMsg{}), m.wantResultsCur(), m.startClock())
}
