package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// snippetView builds the Jenkinsfile stage for the pipeline.
type snippetView struct {
	tool, os   int
	collection field
	env        field
	lint       field
	focus      int // 0 tool, 1 collection, 2 environment, 3 lint, 4 os
	text       string
	err        string
	top        int
}

var (
	snippetTools = []string{"postman-cli", "newman"}
	snippetOSes  = []string{"linux", "macos", "windows"}
)

const snippetFields = 5

func (m *Model) openSnippet() tea.Cmd {
	s := &snippetView{}
	s.collection.value = "collections/api.postman_collection.json"
	s.render(m.deps.Snippets)
	m.snip = s
	m.page = pageSnippet
	return nil
}

func (s *snippetView) options() SnippetOptions {
	return SnippetOptions{Tool: snippetTools[s.tool], Collection: s.collection.value, Environment: s.env.value, Lint: s.lint.value, OS: snippetOSes[s.os]}
}

// render regenerates the snippet (a pure function, no IO).
func (s *snippetView) render(g Snippets) {
	if g == nil {
		s.text, s.err = "", "the snippet generator is not available in this build"
		return
	}
	t, err := g.Snippet(s.options())
	s.text, s.err = t, ""
	if err != nil {
		s.text, s.err = "", clean(err.Error())
	}
}

func (s *snippetView) textField() *field {
	switch s.focus {
	case 1:
		return &s.collection
	case 2:
		return &s.env
	case 3:
		return &s.lint
	}
	return nil
}

func (s *snippetView) paste(msg tea.PasteMsg, ik inputKeys, g Snippets) {
	if f := s.textField(); f != nil {
		f.update(msg, ik)
		s.render(g)
	}
}

func (m *Model) onSnippetKey(msg tea.KeyPressMsg) tea.Cmd {
	s := m.snip
	k := m.keys
	f := s.textField()
	switch {
	case key.Matches(msg, k.Esc):
		m.page = pageMain
		m.snip = nil
	case key.Matches(msg, k.Next):
		s.focus = (s.focus + 1) % snippetFields
	case key.Matches(msg, k.Prev):
		s.focus = (s.focus - 1 + snippetFields) % snippetFields
	case key.Matches(msg, k.Submit):
		s.focus = (s.focus + 1) % snippetFields
	case key.Matches(msg, k.PageDown):
		s.top = min(s.top+m.snippetRoom(), max(0, len(s.body())-m.snippetRoom()))
	case key.Matches(msg, k.PageUp):
		s.top = max(0, s.top-m.snippetRoom())
	case f == nil && key.Matches(msg, k.CopySnippet):
		if s.text == "" {
			return nil
		}
		m.setToast("snippet copied ("+itoa(len(strings.Split(s.text, "\n")))+" lines)", false)
		return tea.Batch(tea.SetClipboard(s.text), m.toastTimer())
	case f == nil && key.Matches(msg, k.Quit):
		return tea.Quit
	case f == nil && key.Matches(msg, k.Right, k.Toggle, k.Left):
		d := 1
		if key.Matches(msg, k.Left) {
			d = -1
		}
		if s.focus == 0 {
			s.tool = (s.tool + d + len(snippetTools)) % len(snippetTools)
		} else {
			s.os = (s.os + d + len(snippetOSes)) % len(snippetOSes)
		}
		s.render(m.deps.Snippets)
	case f != nil:
		if f.update(msg, m.ik) {
			s.render(m.deps.Snippets)
		}
	}
	return nil
}

func (m Model) snippetLines() []string {
	s := m.snip
	lines := []string{m.header("pipeline snippet"), ""}
	choice := func(opts []string, sel int) string {
		var out []string
		for i, o := range opts {
			if i == sel {
				o = m.st.Active.Render(o)
			}
			out = append(out, o)
		}
		return "‹ " + strings.Join(out, " ") + " ›"
	}
	labels := []string{"Tool", "Collection", "Environment", "Lint (spec)", "OS"}
	for i, l := range labels {
		focused := i == s.focus
		marker := "  "
		name := cell(l, 12)
		if focused {
			marker = "› "
			name = m.st.Focused.Render(name)
		}
		var v string
		switch i {
		case 0:
			v = choice(snippetTools, s.tool)
		case 1:
			v = s.collection.view(m.width-18, focused)
		case 2:
			v = s.env.view(m.width-18, focused)
		case 3:
			v = s.lint.view(m.width-18, focused)
		case 4:
			v = choice(snippetOSes, s.os)
		}
		lines = append(lines, marker+name+"  "+v)
	}
	lines = append(lines, m.st.Border.Render(strings.Repeat("─", m.width)))
	if s.err != "" {
		lines = append(lines, m.st.Err.Render(s.err))
	}
	room := m.snippetRoom()
	body := s.body()
	top := min(s.top, max(0, len(body)-room))
	for i := top; i < len(body) && i < top+room; i++ {
		lines = append(lines, cleanLog(body[i], false))
	}
	for len(lines) < m.height-2 {
		lines = append(lines, "")
	}
	k := m.keys
	hints := []key.Binding{k.Next, k.Toggle, k.CopySnippet, k.PageDown, k.Esc}
	if s.textField() != nil {
		// space and y are typed into a text field: copying works from tool and OS
		hints = []key.Binding{k.Next, k.Prev, k.PageDown, k.Esc}
	}
	return append(lines[:m.height-2], m.toastLine(), m.helpBar(hints))
}

// body is the snippet's lines.
func (s *snippetView) body() []string {
	return strings.Split(strings.TrimRight(s.text, "\n"), "\n")
}

// snippetRoom is how many snippet lines fit under the five fields and the rule.
func (m Model) snippetRoom() int {
	used := 2 + snippetFields + 1 // header, blank, fields, rule
	if m.snip != nil && m.snip.err != "" {
		used++
	}
	return max(1, m.height-used-2)
}
