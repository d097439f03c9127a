package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// helpView is the `?` overlay: every key of the screen under it (its
// FullHelp), in columns, and why some are off.
type helpView struct {
	screenCtx
	groups [][]key.Binding
	notes  []string // read-only and the like, one line each
}

// closeHelpMsg: leave the help overlay.
type closeHelpMsg struct{}

func newHelpView(c screenCtx, groups [][]key.Binding, notes []string) helpView {
	return helpView{screenCtx: c, groups: groups, notes: notes}
}

func (h helpView) Update(msg tea.Msg) (helpView, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok && key.Matches(km, h.keys.Help, h.keys.Esc) {
		return h, emit(closeHelpMsg{})
	}
	return h, nil
}

func (h helpView) Title() string      { return h.st.Header.Render("keys") }
func (h helpView) Statusless() bool   { return true }
func (h *helpView) SetSize(w, ht int) { h.screenCtx.SetSize(w, ht) }

func (h helpView) ShortHelp() []key.Binding  { return []key.Binding{h.keys.Esc, h.keys.Quit} }
func (h helpView) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }

func (h helpView) View() string {
	lines := []string{""}
	const colW = 26
	perRow := max(1, h.width/colW)
	for gi := 0; gi < len(h.groups); gi += perRow {
		end := min(len(h.groups), gi+perRow)
		var cols [][]string
		maxLen := 0
		for _, g := range h.groups[gi:end] {
			var c []string
			for _, b := range g {
				if b.Enabled() {
					hb := b.Help()
					c = append(c, "  "+h.st.HelpKey.Render(cell(hb.Key, 9))+" "+cell(hb.Desc, colW-12))
				}
			}
			cols = append(cols, c)
			maxLen = max(maxLen, len(c))
		}
		for i := 0; i < maxLen; i++ {
			var b strings.Builder
			for ci := range cols {
				if i < len(cols[ci]) {
					b.WriteString(cols[ci][i])
				} else {
					b.WriteString(strings.Repeat(" ", colW))
				}
			}
			lines = append(lines, strings.TrimRight(b.String(), " "))
		}
		lines = append(lines, "")
	}
	for _, n := range h.notes {
		lines = append(lines, h.st.Subtle.Render("  "+n))
	}
	return strings.Join(h.body(lines), "\n")
}

// --- root side ---

// openHelp shows every key of the screen on top (or the builds table).
func (m *Model) openHelp() {
	var notes []string
	switch {
	case m.opts.ReadOnly && m.opts.ReadOnlyWhy != "":
		notes = append(notes, "read-only: "+m.opts.ReadOnlyWhy+"; run, re-run and abort are off")
	case m.opts.ReadOnly:
		notes = append(notes, "read-only: run, re-run, abort, add, edit and delete are off")
	}
	if m.opts.NoIntegrationEdits {
		notes = append(notes, "integrations come from the server's config: add, edit and delete are off")
	}
	// help lists e and d (as it lists x abort on a finished build) while
	// the hint bar does not offer them: say why they do nothing here
	if ig := m.cur(); ig != nil && ig.cfg.Source != "store" && (m.keys.Edit.Enabled() || m.keys.Delete.Enabled()) {
		notes = append(notes, "edit, delete: "+notEditable(ig.cfg, "change"))
	}
	h := newHelpView(m.ctx(), m.fullHelp(), notes)
	h.SetSize(m.width, m.bodyHeight()+1) // statusless
	m.help = &h
}
