package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// builds.go: the root's side of the builds table (buildstable.go): the
// integrations panel's keys, which integration the table shows, and the
// table's intents.

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
	m.table.switchTo(m.cur())
	ig := m.cur()
	if ig == nil {
		return nil
	}
	// the engine polls it soon when it is stale and fetches the results on screen
	return tea.Batch(m.wantResults(ig), m.startClock())
}

func (m *Model) wantResultsCur() tea.Cmd {
	if ig := m.cur(); ig != nil {
		return m.wantResults(ig)
	}
	return nil
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

// rebuild shows the selected integration's latest snapshot in the table.
func (m *Model) rebuild() { m.table.show(m.cur()) }

// selectPending moves the cursor to a build we were waiting for.
func (m *Model) selectPending() {
	ig := m.cur()
	if ig == nil {
		return
	}
	if n, ok := m.pendingSelect[ig.cfg.Nickname]; ok && m.table.selectBuild(n) {
		delete(m.pendingSelect, ig.cfg.Nickname)
	}
}

func (m *Model) selectedRecord() *BuildRecord  { return m.table.selectedRecord() }
func (m Model) onScreenBuilds() []*BuildRecord { return m.table.onScreenBuilds() }

// onTableKey gives a key to the builds table, then tells the engine what is
// on screen now.
func (m *Model) onTableKey(msg tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	m.table, cmd = m.table.Update(msg)
	return tea.Batch(cmd, m.wantResultsCur())
}

// onTableIntent does what the builds table asks.
func (m *Model) onTableIntent(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openLogMsg:
		return m.openLog(msg.num)
	case openStageLogMsg:
		return m.openStageLog(msg.num, msg.stage)
	case openRunMsg:
		return m.openRun(msg.rerunOf)
	case openTrendsMsg:
		return m.openTrends()
	case askAbortMsg:
		if ig := m.cur(); ig != nil {
			c := newConfirm(m.ctx(), "Abort build #"+itoa(msg.num)+"?", confirmAbort, ig.cfg.Nickname)
			c.num = msg.num
			m.askConfirm(c)
		}
	case openURLMsg:
		return m.openBrowser(msg.url)
	case wantOlderMsg:
		return m.maybeLoadOlder()
	case expandedBuildMsg:
		return m.startSpinner()
	}
	return nil
}

// onMainKey: the global keys of the builds screen, then the focused panel's.
func (m *Model) onMainKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.openHelp()
		return nil
	case key.Matches(msg, k.Tab):
		if m.focus == focusBuilds {
			m.focus = focusIntegrations
		} else {
			m.focus = focusBuilds
		}
		return nil
	case key.Matches(msg, k.Refresh):
		if ig := m.cur(); ig != nil {
			m.setToast("refreshing "+ig.cfg.Nickname, false)
			return tea.Batch(m.pollNow(ig, true), m.toastTimer())
		}
		return nil
	case key.Matches(msg, k.Add):
		return m.openIntForm(nil)
	case key.Matches(msg, k.Edit):
		if ig := m.cur(); ig != nil {
			return m.openIntForm(ig)
		}
		return nil
	case key.Matches(msg, k.Delete):
		if ig := m.cur(); ig != nil {
			if ig.cfg.Source != "store" {
				m.setToast(notEditable(ig.cfg, "remove"), true)
				return m.toastTimer()
			}
			m.askConfirm(newConfirm(m.ctx(), "Delete integration "+ig.cfg.Nickname+"?", confirmDelete, ig.cfg.Nickname))
		}
		return nil
	case key.Matches(msg, k.Snippet):
		return m.openSnippet()
	}
	if m.focus == focusIntegrations {
		return m.onIntegrationsKey(msg)
	}
	return m.onTableKey(msg)
}
