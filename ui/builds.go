package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// builds.go: keys and actions of the builds table and the integrations panel.

func (m *Model) onSearchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Esc):
		m.searching = false
		m.search.value = ""
		m.rebuild()
	case key.Matches(msg, m.keys.Submit):
		m.searching = false
		m.rebuild()
	case key.Matches(msg, m.keys.Up, m.keys.Down) && msg.Text == "":
		m.searching = false
		return m.onMainKey(msg)
	default:
		if m.search.update(msg, m.ik) {
			m.cursor = 0
			m.rebuild()
		}
	}
	return m.wantResultsCur()
}

func (m *Model) searchQuery() string { return m.search.value }

func (m *Model) onIntegrationsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	n := len(m.ints)
	if n == 0 {
		return nil
	}
	prev := m.sel
	switch {
	case key.Matches(msg, k.Up, k.Left):
		m.sel = max(0, m.sel-1)
	case key.Matches(msg, k.Down, k.Right):
		m.sel = min(n-1, m.sel+1)
	case key.Matches(msg, k.Top):
		m.sel = 0
	case key.Matches(msg, k.Bottom):
		m.sel = n - 1
	case key.Matches(msg, k.Expand):
		m.focus = focusBuilds
	case key.Matches(msg, k.Esc):
		m.focus = focusBuilds
	}
	if prev != m.sel {
		return m.selectIntegration(m.sel)
	}
	return nil
}

// selectIntegration shows integration i: rebuilds rows and tells the
// engine, which polls it soon, since a background integration polls slowly.
func (m *Model) selectIntegration(i int) tea.Cmd {
	m.sel = i
	m.cursor, m.offset = 0, 0
	clear(m.expanded) // expansion keys are build numbers: not another job's
	m.rebuild()
	ig := m.cur()
	if ig == nil {
		return nil
	}
	// the engine polls it soon when it is stale and fetches the results on screen
	return tea.Batch(m.wantResults(ig), m.startClock())
}

func (m *Model) onBuildsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	page := max(1, m.tableHeight()-1)
	switch {
	case key.Matches(msg, k.Up):
		m.moveCursor(-1)
	case key.Matches(msg, k.Down):
		m.moveCursor(1)
	case key.Matches(msg, k.PageUp):
		m.moveCursor(-page)
	case key.Matches(msg, k.PageDown):
		m.moveCursor(page)
	case key.Matches(msg, k.Top):
		m.moveCursor(-len(m.rows))
	case key.Matches(msg, k.Bottom):
		m.moveCursor(len(m.rows))
	case key.Matches(msg, k.Expand):
		return m.expand()
	case key.Matches(msg, k.Collapse):
		m.collapse()
		return nil
	case key.Matches(msg, k.Esc):
		if m.search.value != "" {
			m.search.value = ""
			m.rebuild()
		}
		return nil
	case key.Matches(msg, k.Filter):
		// the next status that has builds: the bar hides the empty ones, so
		// stopping on one would show an empty list for a status not on the bar
		for i := 1; i <= len(filterStatuses); i++ {
			n := (m.filter + i) % len(filterStatuses)
			if n == 0 || m.counts[filterStatuses[n]] > 0 {
				m.filter = n
				break
			}
		}
		m.rebuild()
	case key.Matches(msg, k.FilterReset):
		m.filter = 0
		m.rebuild()
	case key.Matches(msg, k.Search):
		m.searching = true
		return nil
	case m.onQueueRow() && key.Matches(msg, k.Log, k.Rerun, k.Open, k.Copy):
		// these act on a build, and a queued item is not one yet
		m.setToast("still queued: no build yet, so no log, page or parameters", true)
		return m.toastTimer()
	case key.Matches(msg, k.Log):
		return m.openLog()
	case key.Matches(msg, k.Run):
		return m.openRun(0)
	case key.Matches(msg, k.Rerun):
		if r := m.selectedRecord(); r != nil {
			return m.openRun(r.Number)
		}
		return nil
	case key.Matches(msg, k.Abort):
		r := m.selectedRecord()
		if r == nil || !r.Building {
			m.setToast("select a running build to abort", true)
			return m.toastTimer()
		}
		c := newConfirm(m.ctx(), "Abort build #"+itoa(r.Number)+"?", confirmAbort, m.cur().cfg.Nickname)
		c.num = r.Number
		m.askConfirm(c)
		return nil
	case key.Matches(msg, k.Open):
		return m.openBrowser()
	case key.Matches(msg, k.Copy):
		u := m.selectedURL()
		if u == "" {
			return nil
		}
		m.setToast("copied "+u, false)
		return tea.Batch(tea.SetClipboard(u), m.toastTimer())
	default:
		return nil
	}
	return tea.Batch(m.wantResultsCur(), m.startClock(), m.maybeLoadOlder())
}

func (m *Model) wantResultsCur() tea.Cmd {
	if ig := m.cur(); ig != nil {
		return m.wantResults(ig)
	}
	return nil
}

func (m *Model) moveCursor(d int) {
	m.cursor = max(0, min(len(m.rows)-1, m.cursor+d))
	m.clampScroll()
}

// clampScroll keeps the cursor inside the visible window.
func (m *Model) clampScroll() {
	h := m.tableHeight()
	if m.cursor >= len(m.rows) {
		m.cursor = max(0, len(m.rows)-1)
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if h > 0 && m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	if m.offset > max(0, len(m.rows)-h) {
		m.offset = max(0, len(m.rows)-h)
	}
	if m.offset < 0 {
		m.offset = 0
	}
}

func (m *Model) expand() tea.Cmd {
	if m.cursor >= len(m.rows) {
		return nil
	}
	r := m.rows[m.cursor]
	if !m.expandable(r) {
		return nil
	}
	if m.expanded[r.key] {
		if r.kind == rowBuild || r.kind == rowExecution || r.kind == rowCollection || r.kind == rowGovernance {
			delete(m.expanded, r.key) // enter toggles
			m.rebuild()
		}
		return nil
	}
	m.expanded[r.key] = true
	m.rebuild()
	// an expanded build's results are loaded whole by the engine
	return tea.Batch(m.wantResultsCur(), m.startSpinner())
}

func (m *Model) collapse() {
	if m.cursor >= len(m.rows) {
		return
	}
	r := m.rows[m.cursor]
	if m.expanded[r.key] {
		delete(m.expanded, r.key)
		m.rebuild()
		return
	}
	if p := m.parentRow(m.cursor); p >= 0 {
		m.cursor = p
		delete(m.expanded, m.rows[p].key)
		m.rebuild()
	}
}

// selectedRecord is the build under the cursor (or the build a detail line belongs to).
// onQueueRow reports whether the cursor is on a queued item.
func (m *Model) onQueueRow() bool {
	return m.cur() != nil && m.cursor < len(m.rows) && m.rows[m.cursor].kind == rowQueue
}

func (m *Model) selectedRecord() *BuildRecord {
	ig := m.cur()
	if ig == nil || m.cursor >= len(m.rows) {
		return nil
	}
	r := m.rows[m.cursor]
	if r.kind == rowQueue {
		return nil
	}
	return ig.rowRecord(r)
}

// selectPending moves the cursor to a build we were waiting for.
func (m *Model) selectPending() {
	ig := m.cur()
	if ig == nil {
		return
	}
	n, ok := m.pendingSelect[ig.cfg.Nickname]
	if !ok {
		return
	}
	for i := range m.rows {
		if m.rows[i].kind == rowBuild && m.rows[i].num == n {
			m.cursor = i
			m.clampScroll()
			delete(m.pendingSelect, ig.cfg.Nickname)
			return
		}
	}
}

func (m *Model) onStoreIntegrations(msg storeIntegrationsMsg) tea.Cmd {
	m.storeIntsLoaded = true
	if msg.err != nil {
		m.setToast("store: "+clean(msg.err.Error()), true)
		return m.applyRestore()
	}
	var cmds []tea.Cmd
	for _, in := range msg.ints {
		if m.find(in.Nickname) != nil {
			continue
		}
		in.Source = "store"
		ig := newInteg(in)
		m.ints = append(m.ints, ig)
	}
	m.rebuild()
	cmds = append(cmds, m.watchCmd(), m.applyRestore())
	return tea.Batch(cmds...)
}
