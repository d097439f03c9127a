package ui

import (
	"strings"

	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// screen.go: the contract every screen of the dashboard keeps (house style
// C.2), and the narrow context a screen gets from the root.

// screen is what the root needs of the screen on top: its body, its size,
// its keys for the hint bar and for the help overlay (`?`), and the title of
// the header line. Each screen also has
//
//	Update(tea.Msg) (itself, tea.Cmd)
//
// returning its own type; the root routes to it by its page (app.go).
type screen interface {
	View() string // the body: the lines between the header and the status line
	SetSize(w, h int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	Title() string // the header's text after "jeeves"
}

// Optional parts of a screen.
type (
	// statuser gives the header's right side; without it the root shows the
	// state of the selected integration's data.
	statuser interface{ Status() string }
	// footer owns the status line under the body (the log's search and line
	// count); without it the line shows the toast.
	footer interface{ Footer() string }
	// statusless screens take the status line for their body (the
	// integration form's connection test needs every line): no toast
	// shows over them.
	statusless interface{ Statusless() bool }
	// typer reports whether keys are typed text now: then q and ? are not
	// the root's quit and help but go to the screen.
	typer interface{ Typing() bool }
)

// screenCtx is the narrow context a screen works in: the size of its body,
// the styles, the keys and the timer hook. The styles and keys are shared,
// read-only, with the root.
type screenCtx struct {
	width, height int // of the body
	st            *Styles
	keys          *KeyMap
	ik            inputKeys
	after         func(time.Duration, tea.Msg) tea.Cmd
	spin          int    // spinner frame, moved by spinFrameMsg
	readOnlyWhy   string // said first in the hint bar
}

// ctx is the context for a new screen; its size is set by the root.
func (m *Model) ctx() screenCtx {
	return screenCtx{st: m.st, keys: m.keys, ik: m.ik, after: m.after, spin: m.spinFrame, readOnlyWhy: m.readOnlyWhy()}
}

func (c *screenCtx) SetSize(w, h int) { c.width, c.height = w, h }

// hints renders a key hint line at the screen's width.
func (c screenCtx) hints(bs []key.Binding) string {
	return hintBar(c.st, c.keys, c.readOnlyWhy, bs, c.width)
}

// spinner is the spinner's current frame.
func (c screenCtx) spinner() string { return spinnerFrames[c.spin%len(spinnerFrames)] }

// body pads or cuts lines to the body's height.
func (c screenCtx) body(lines []string) []string {
	for len(lines) < c.height {
		lines = append(lines, "")
	}
	return lines[:max(0, c.height)]
}

// emit is the Cmd that delivers a screen's intent to the root.
func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// --- intents: what a screen asks the root to do ---

// backMsg: leave the screen for the builds table.
type backMsg struct{}

// openHelpMsg: show the help overlay over the current screen.
type openHelpMsg struct{}

// toastMsg: show a toast on the status line.
type toastMsg struct {
	text  string
	isErr bool
}

// spinFrameMsg moves the spinner of the screen on top.
type spinFrameMsg struct{ frame int }

// --- root side ---

// top is the screen on top of the builds table, or nil.
func (m Model) top() screen {
	switch {
	case m.page == pageLog && m.log != nil:
		return m.log
	case m.page == pageRun && m.run != nil:
		return m.run
	case m.page == pageIntegration && m.intForm != nil:
		return m.intForm
	case m.page == pageSnippet && m.snip != nil:
		return m.snip
	case m.page == pageTrends && m.trends != nil:
		return m.trends
	}
	return nil
}

// updateTop gives msg to the screen on top.
func (m *Model) updateTop(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.page == pageLog && m.log != nil:
		var s logView
		s, cmd = m.log.Update(msg)
		m.log = &s
	case m.page == pageRun && m.run != nil:
		var s runForm
		s, cmd = m.run.Update(msg)
		m.run = &s
	case m.page == pageIntegration && m.intForm != nil:
		var s intForm
		s, cmd = m.intForm.Update(msg)
		m.intForm = &s
	case m.page == pageSnippet && m.snip != nil:
		var s snippetView
		s, cmd = m.snip.Update(msg)
		m.snip = &s
	case m.page == pageTrends && m.trends != nil:
		var s trendsView
		s, cmd = m.trends.Update(msg)
		m.trends = &s
	}
	return cmd
}

// bodyHeight is a screen's body: the screen less header, status line and
// hint bar.
func (m Model) bodyHeight() int { return max(1, m.height-3) }

// sizeScreens gives every open screen its size.
func (m *Model) sizeScreens() {
	m.table.SetSize(m.mainWidth(), m.tableHeight()+2) // + filter bar and column header
	w, h := m.width, m.bodyHeight()
	if m.log != nil {
		m.log.SetSize(w, h)
	}
	if m.run != nil {
		m.run.SetSize(w, h)
	}
	if m.intForm != nil {
		m.intForm.SetSize(w, h+1) // statusless
	}
	if m.snip != nil {
		m.snip.SetSize(w, h)
	}
	if m.trends != nil {
		m.trends.SetSize(w, h)
	}
	if m.help != nil {
		m.help.SetSize(w, h+1) // statusless
	}
}

// screenLines lays a screen out: header, body, status line, hint bar.
func (m Model) screenLines(s screen) []string {
	right := m.stateText()
	if st, ok := s.(statuser); ok {
		right = st.Status()
	}
	lines := []string{spread(m.st.Title.Render("jeeves")+" "+s.Title(), right, m.width)}
	lines = append(lines, strings.Split(s.View(), "\n")...)
	hints := s.ShortHelp()
	if m.confirm != nil {
		hints = m.confirm.ShortHelp()
	}
	if sl, ok := s.(statusless); ok && sl.Statusless() {
		return append(lines, m.helpBar(hints))
	}
	status := m.toastLine()
	if f, ok := s.(footer); ok && m.confirm == nil {
		status = f.Footer()
	}
	return append(lines, status, m.helpBar(hints))
}

// back leaves the screen on top for the builds table.
func (m *Model) back() tea.Cmd {
	switch m.page {
	case pageLog:
		m.log = nil // answers still on their way are dropped
	case pageIntegration:
		m.intForm = nil // a test still running is ignored
	case pageSnippet:
		m.snip = nil
	case pageTrends:
		m.trends = nil // a computation still on its way is dropped
	case pageRun:
		if m.run != nil && !m.run.triggering {
			m.run = nil
		} // else kept: a failed trigger comes back to it
	default:
		return nil
	}
	m.page = pageMain
	return tea.Batch(m.wantResultsCur(), m.startClock())
}

// toForm gives the integration form the answers to what it asked.
func (m *Model) toForm(msg tea.Msg) tea.Cmd {
	if m.intForm == nil {
		return nil
	}
	f, cmd := m.intForm.Update(msg)
	m.intForm = &f
	return cmd
}
