package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// Layout constants. Below the minimum the dashboard says so instead of
// drawing a broken screen.
const (
	minWidth  = 72
	minHeight = 18
	wideWidth = 100 // from here the integrations panel sits on the left
)

func (m Model) tooSmall() bool { return m.width < minWidth || m.height < minHeight }
func (m Model) wide() bool     { return m.width >= wideWidth }

// panelWidth is the integrations panel's width on a wide screen.
func (m Model) panelWidth() int {
	if m.width >= 130 {
		return 28
	}
	return 24
}

// mainWidth is the width of the builds table.
func (m Model) mainWidth() int {
	if m.wide() {
		return m.width - m.panelWidth() - 1
	}
	return m.width
}

// tableHeight is the number of table rows on screen: the screen minus
// header, (narrow: integrations strip), filter bar, column header, status
// line and key hint bar.
func (m Model) tableHeight() int {
	h := m.height - 5
	if !m.wide() {
		h--
	}
	return max(0, h)
}

// View renders the whole screen. It is a pure function of the model.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = m.opts.Title
	return v
}

func (m Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.tooSmall() {
		return m.frame(m.tooSmallLines())
	}
	var lines []string
	switch {
	case m.help != nil:
		lines = m.screenLines(m.help)
	case m.top() != nil:
		lines = m.screenLines(m.top())
	default:
		lines = m.mainLines()
	}
	return m.frame(lines)
}

// frame fits lines to exactly the screen: each at most width cells, height lines.
func (m Model) frame(lines []string) string {
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = fit(l, m.width)
	}
	return strings.Join(lines, "\n")
}

func (m Model) tooSmallLines() []string {
	msg := fmt.Sprintf("terminal too small: %dx%d, need at least %dx%d", m.width, m.height, minWidth, minHeight)
	lines := make([]string, m.height)
	mid := m.height / 2
	w := ansi.StringWidth(msg)
	pad := max(0, (m.width-w)/2)
	lines[mid] = strings.Repeat(" ", pad) + msg
	return lines
}

// header is the top line: title, integration, and the state of its data.
func (m Model) header(title string) string {
	left := m.st.Title.Render("jeeves") + " " + title
	return spread(left, m.stateText(), m.width)
}

// stateText is the data age, spinner, or stale/offline state with the last error.
func (m Model) stateText() string {
	ig := m.cur()
	if ig == nil {
		return ""
	}
	var parts []string
	if m.spinVisible && m.anyLoading() {
		parts = append(parts, spinnerFrames[m.spinFrame])
	}
	switch {
	case ig.apiErr != "":
		parts = append(parts, m.st.Err.Render("error: "+ig.apiErr))
	case ig.failures > 0:
		s := "offline"
		if ig.answered {
			s = "error" // Jenkins answered, refusing: the last error says why
		}
		if !ig.lastOK.IsZero() {
			s += " · data " + fmtAge(m.now, ig.lastOK)
		} else if ig.fromStore {
			s += " · stored data"
		}
		parts = append(parts, m.st.Err.Render(s))
	case ig.lastOK.IsZero() && ig.fromStore:
		parts = append(parts, m.st.Warn.Render("stored data, connecting…"))
	case ig.lastOK.IsZero():
		parts = append(parts, "connecting…")
	default:
		s := "data " + fmtAge(m.now, ig.lastOK)
		if ig.lastErr != "" {
			parts = append(parts, m.st.Warn.Render(s+" · "+ig.lastErr))
		} else {
			parts = append(parts, m.st.Subtle.Render(s))
		}
	}
	return strings.Join(parts, " ")
}

func (m Model) mainLines() []string {
	ig := m.cur()
	title := "no integrations: press a to add one"
	if ig != nil {
		title = clean(ig.cfg.Nickname) + m.st.Subtle.Render(" · "+clean(ig.cfg.Job))
	}
	lines := []string{m.header(title)}
	var right []string
	if !m.wide() {
		lines = append(lines, m.integrationStrip())
	}
	right = m.table.viewLines()
	if m.wide() {
		left := m.integrationPanel(len(right))
		sep := m.st.Border.Render("│")
		for i := range right {
			l := ""
			if i < len(left) {
				l = left[i]
			}
			right[i] = cell(l, m.panelWidth()) + sep + right[i]
		}
	}
	lines = append(lines, right...)
	lines = append(lines, m.statusLine(), m.helpBar(m.mainHelp()))
	return lines
}

// integrationPanel is the left panel: nickname, job, last status, data age.
func (m Model) integrationPanel(h int) []string {
	title := "Integrations"
	if m.focus == focusIntegrations {
		title = m.st.Focused.Render(title)
	} else {
		title = m.st.Header.Render(title)
	}
	lines := []string{" " + title}
	w := m.panelWidth()
	first := 0 // scrolled so the selected integration is visible
	if fit := (h - 1) / 2; fit > 0 && m.sel >= fit {
		first = m.sel - fit + 1
	}
	for i, ig := range m.ints {
		if i < first {
			continue
		}
		glyph, st := m.lastStatus(ig)
		marker := "  "
		if i == m.sel {
			marker = "› "
		}
		age := m.ageShort(ig)
		l1 := spread(marker+glyph+" "+clean(ig.cfg.Nickname), age, w)
		l2 := cell("    "+clean(ig.cfg.Job), w)
		l1 = cell(l1, w)
		if i == m.sel && m.focus == focusIntegrations {
			l1 = m.st.Selected.Render(l1)
		} else {
			l1 = strings.Replace(l1, glyph, m.st.status(st).Render(glyph), 1)
		}
		lines = append(lines, l1, m.st.Subtle.Render(l2))
	}
	if len(m.ints) == 0 {
		lines = append(lines, m.st.Subtle.Render("  none yet"))
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines[:h]
}

func (m Model) lastStatus(ig *integ) (string, jenkins.Status) {
	if len(ig.records) == 0 {
		return "·", jenkins.StatusUnknown
	}
	s := recStatus(&ig.records[0])
	return statusGlyph(s), s
}

func (m Model) ageShort(ig *integ) string {
	switch {
	case ig.failures > 0 && ig.apiErr == "" && ig.answered:
		return "error"
	case ig.apiErr != "" || ig.failures > 0:
		return "offline"
	case ig.lastOK.IsZero() && ig.fromStore:
		return "stored"
	case ig.lastOK.IsZero():
		return "…"
	}
	d := m.now.Sub(ig.lastOK)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return itoa(int(d/time.Hour)) + "h"
	}
	return itoa(int(d/(24*time.Hour))) + "d"
}

// integrationStrip is the narrow-screen form of the panel: one line, scrolled
// so the selected integration is always visible.
func (m Model) integrationStrip() string {
	label := "Integrations:"
	if m.focus == focusIntegrations {
		label = m.st.Focused.Render(label)
	}
	if len(m.ints) == 0 {
		return label + " " + m.st.Subtle.Render("none (a adds one)")
	}
	parts := make([]string, len(m.ints))
	for i, ig := range m.ints {
		g, st := m.lastStatus(ig)
		name := clean(ig.cfg.Nickname)
		switch {
		case i == m.sel && m.focus == focusIntegrations:
			parts[i] = m.st.Selected.Render(g + " [" + name + "]")
		case i == m.sel:
			parts[i] = m.st.status(st).Render(g) + " [" + name + "]"
		default:
			parts[i] = m.st.status(st).Render(g) + " " + name
		}
	}
	first := 0
	for first < m.sel && width(label+" … "+strings.Join(parts[first:m.sel+1], "  ")) > m.width {
		first++
	}
	strip := strings.Join(parts[first:], "  ")
	if first > 0 {
		strip = "… " + strip
	}
	return label + " " + strip
}

// statusColWidth fits the longest status label, "○ not built".
const statusColWidth = 11

// column widths of the builds table
type cols struct{ mark, num, status, started, dur, coll, gov, cause int }

// toastLine is the confirm prompt or the toast.
func (m Model) toastLine() string {
	if m.confirm != nil {
		return m.confirm.View()
	}
	if m.toast != "" {
		if m.toastErr {
			return m.st.Err.Render(m.toast)
		}
		return m.st.OK.Render(m.toast)
	}
	return ""
}

// statusLine is the toast, or the full text of the selected line: the
// build's absolute start, cause and parameters, or a detail line unclipped.
func (m Model) statusLine() string {
	if t := m.toastLine(); t != "" {
		return t
	}
	ig := m.cur()
	if ig != nil && (ig.failures > 0 || ig.apiErr != "") {
		e := ig.lastErr
		if ig.apiErr != "" {
			e = ig.apiErr
		}
		return m.st.Err.Render("last error: " + e)
	}
	return m.table.Footer()
}

// helpBar is the one-line key hint bar. When it does not fit, hints are
// dropped from the end, but "? help" (and quit when given) always stay.
func (m Model) helpBar(bs []key.Binding) string {
	return hintBar(m.st, m.keys, m.readOnlyWhy(), bs, m.width)
}

// readOnlyWhy is why a read-only session may not act ("" when it may, or
// when no reason is given).
func (m Model) readOnlyWhy() string {
	if m.opts.ReadOnly {
		return m.opts.ReadOnlyWhy
	}
	return ""
}

// hintBar renders a hint bar of w cells; a read-only session (readOnlyWhy
// not "") says so first.
func hintBar(st *Styles, keys *KeyMap, readOnlyWhy string, bs []key.Binding, w int) string {
	var keep, tail []key.Binding
	for _, b := range bs {
		if !b.Enabled() {
			continue
		}
		if b.Help() == keys.Help.Help() || b.Help() == keys.Quit.Help() {
			tail = append(tail, b)
		} else {
			keep = append(keep, b)
		}
	}
	render := func(bs []key.Binding) string {
		parts := make([]string, 0, len(bs))
		for _, b := range bs {
			h := b.Help()
			parts = append(parts, st.HelpKey.Render(h.Key)+" "+st.HelpDesc.Render(h.Desc))
		}
		return strings.Join(parts, st.HelpDesc.Render(" · "))
	}
	// a session that may not act says so first: in full while at least
	// four hints still fit beside it, else in one word
	var notes []string
	if readOnlyWhy != "" {
		sep := st.HelpDesc.Render(" · ")
		notes = []string{st.Subtle.Render("read-only: "+readOnlyWhy) + sep, st.Subtle.Render("read-only") + sep}
	}
	for {
		s := render(append(append([]key.Binding(nil), keep...), tail...))
		if len(notes) > 0 {
			if len(notes) > 1 && len(keep) < 4 && ansi.StringWidth(notes[0]+s) > w {
				notes = notes[1:]
			}
			s = notes[0] + s
		}
		if ansi.StringWidth(s) <= w || len(keep) == 0 {
			return s
		}
		keep = keep[:len(keep)-1]
	}
}

func (m Model) mainHelp() []key.Binding {
	k := m.keys
	if m.confirm != nil {
		return m.confirm.ShortHelp()
	}
	if m.table.Typing() {
		return m.table.ShortHelp()
	}
	if m.focus == focusIntegrations {
		// e and d only where they act: an integration from the config file
		// (or the demo) only says it cannot be changed here
		hints := []key.Binding{k.Up, k.Down, k.Tab, k.Add}
		if ig := m.cur(); ig != nil && ig.cfg.Source == "store" {
			hints = append(hints, k.Edit, k.Delete)
		}
		return append(hints, k.Snippet, k.Help, k.Quit)
	}
	return append(m.table.ShortHelp(), k.Refresh, k.Tab, k.Help, k.Quit)
}

// fullHelp lists every key of the current screen, grouped.
func (m Model) fullHelp() [][]key.Binding {
	k := m.keys
	if s := m.top(); s != nil {
		return s.FullHelp()
	}
	return append(m.table.FullHelp(), []key.Binding{k.Add, k.Edit, k.Delete, k.Snippet, k.Help, k.Quit})
}
