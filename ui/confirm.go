package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// confirm.go: the yes/no dialog on the status line, for the actions that
// change something (abort, delete, trigger). It takes every key while open.

// confirmAction is what a confirm dialog does on yes.
type confirmAction int

const (
	confirmAbort confirmAction = iota
	confirmDelete
	confirmTrigger
)

// confirmDialog asks once; the answer goes to the root as confirmedMsg.
type confirmDialog struct {
	screenCtx
	prompt   string
	action   confirmAction
	nick     string
	num      int               // abort: the build
	rerunOf  int               // trigger: the build whose parameters the form started from
	params   map[string]string // trigger: the form's values when it was submitted
	answered bool              // a second y before the root acts is not a second action
}

// confirmedMsg is the dialog's answer.
type confirmedMsg struct {
	c   confirmDialog
	yes bool
}

func newConfirm(c screenCtx, prompt string, action confirmAction, nick string) confirmDialog {
	return confirmDialog{screenCtx: c, prompt: prompt, action: action, nick: nick}
}

func (c confirmDialog) Update(msg tea.Msg) (confirmDialog, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || c.answered {
		return c, nil
	}
	switch {
	case key.Matches(km, c.keys.Yes):
		c.answered = true
		return c, emit(confirmedMsg{c: c, yes: true})
	case key.Matches(km, c.keys.No):
		c.answered = true
		return c, emit(confirmedMsg{c: c})
	}
	return c, nil
}

// View is the prompt, one line.
func (c confirmDialog) View() string { return c.st.Warn.Render(c.prompt + " (y/n)") }

func (c confirmDialog) Title() string             { return "" }
func (c confirmDialog) ShortHelp() []key.Binding  { return []key.Binding{c.keys.Yes, c.keys.No} }
func (c confirmDialog) FullHelp() [][]key.Binding { return [][]key.Binding{c.ShortHelp()} }
func (c *confirmDialog) SetSize(w, h int)         { c.screenCtx.SetSize(w, h) }

// --- root side ---

func (m *Model) askConfirm(c confirmDialog) { m.confirm = &c }

func (m *Model) onConfirmKey(msg tea.KeyPressMsg) tea.Cmd {
	c, cmd := m.confirm.Update(msg)
	m.confirm = &c
	return cmd
}

// onConfirmed does what the dialog was answered yes to.
func (m *Model) onConfirmed(msg confirmedMsg) tea.Cmd {
	m.confirm = nil
	c := msg.c
	if !msg.yes {
		return nil
	}
	switch c.action {
	case confirmAbort:
		ig := m.find(c.nick)
		if ig == nil || ig.api == nil {
			return nil
		}
		m.setToast("aborting #"+itoa(c.num)+"…", false)
		return abortCmd(m.deps.Ctx, m.actionAPI(ig, 0), ig.cfg, c.num)
	case confirmDelete:
		return deleteIntegrationCmd(m.deps.Ctx, m.deps.Store, c.nick)
	case confirmTrigger:
		return m.trigger(c)
	}
	return nil
}
