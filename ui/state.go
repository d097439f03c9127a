package ui

import (
	"context"
	"encoding/json"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// state.go: the dashboard's state (integration on screen, status filter,
// expanded rows) is kept in the store, so jeeves opens where it was left.

const stateKey = "dashboard"

type dashState struct {
	Integration string   `json:"integration"`
	Filter      string   `json:"filter,omitempty"` // a status; empty for All
	Expanded    []string `json:"expanded,omitempty"`
}

// StateStore is the optional part of Store that keeps dashboard state.
type StateStore interface {
	State(ctx context.Context, key string) (string, error)
	SetState(ctx context.Context, key, value string) error
}

func (m *Model) stateStore() StateStore {
	ss, _ := m.deps.Store.(StateStore)
	return ss
}

func loadStateCmd(ctx context.Context, ss StateStore, key string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, storeTimeout)
		defer cancel()
		v, err := ss.State(c, key)
		return stateLoadedMsg{value: v, err: err}
	}
}

func saveStateCmd(ctx context.Context, ss StateStore, key, value string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, storeTimeout)
		defer cancel()
		return stateSavedMsg{err: ss.SetState(c, key, value)}
	}
}

// snapshotState is the state to keep, as stored.
func (m *Model) snapshotState() string {
	ig := m.cur()
	if ig == nil {
		return ""
	}
	st := dashState{Integration: ig.cfg.Nickname, Filter: string(filterStatuses[m.table.filter])}
	for k, on := range m.table.expanded {
		if on {
			st.Expanded = append(st.Expanded, k)
		}
	}
	slices.Sort(st.Expanded)
	b, _ := json.Marshal(st)
	return string(b)
}

func (m *Model) onStateLoaded(msg stateLoadedMsg) tea.Cmd {
	m.stateLoaded = true
	if msg.err != nil || msg.value == "" {
		return nil
	}
	var st dashState
	if json.Unmarshal([]byte(msg.value), &st) != nil {
		return nil // an unreadable state is no reason to fail: start fresh
	}
	m.restore = &st
	return m.applyRestore()
}

// applyRestore selects the stored integration once it is known (integrations
// added in the dashboard arrive from the store a moment later).
func (m *Model) applyRestore() tea.Cmd {
	st := m.restore
	if st == nil {
		return nil
	}
	idx := -1
	for i, ig := range m.ints {
		if ig.cfg.Nickname == st.Integration {
			idx = i
		}
	}
	if idx < 0 && !m.storeIntsLoaded {
		return nil // wait for the store's integrations
	}
	m.restore = nil
	var cmd tea.Cmd
	if idx >= 0 && idx != m.sel {
		cmd = m.selectIntegration(idx)
	}
	if idx >= 0 {
		for i, s := range filterStatuses {
			if string(s) == st.Filter {
				m.table.filter = i
			}
		}
		for _, k := range st.Expanded {
			m.table.expanded[k] = true
		}
		if st.Filter != "" && !slices.Contains(filterStatuses, jenkins.Status(st.Filter)) {
			m.table.filter = 0
		}
		m.rebuild()
	}
	m.savedState = m.snapshotState()
	return tea.Batch(cmd, m.wantResultsCur())
}

// maybeSaveState stores the state when it changed since the last save.
func (m *Model) maybeSaveState() tea.Cmd {
	ss := m.stateStore()
	if ss == nil || !m.stateLoaded || m.restore != nil {
		return nil
	}
	s := m.snapshotState()
	if s == "" || s == m.savedState {
		return nil
	}
	m.savedState = s
	return saveStateCmd(m.deps.Ctx, ss, m.opts.StateKey, s)
}
