package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// snippetView builds the Jenkinsfile stage for the pipeline. The generator
// is a pure function of the choices (no IO), so the view runs it itself.
type snippetView struct {
	screenCtx
	gen        Snippets // nil: the view says it is unavailable
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

func newSnippetView(c screenCtx, g Snippets) snippetView {
	s := snippetView{screenCtx: c, gen: g}
	s.collection.value = "collections/api.postman_collection.json"
	s.render()
	return s
}

func (s *snippetView) options() SnippetOptions {
	return SnippetOptions{Tool: snippetTools[s.tool], Collection: s.collection.value, Environment: s.env.value, Lint: s.lint.value, OS: snippetOSes[s.os]}
}

// render regenerates the snippet.
func (s *snippetView) render() {
	if s.gen == nil {
		s.text, s.err = "", "the snippet generator is not available in this build"
		return
	}
	t, err := s.gen.Snippet(s.options())
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

// Typing: on a text field q, ? and y are typed; on tool and OS they act.
func (s snippetView) Typing() bool { return s.textField() != nil }

func (s snippetView) Update(msg tea.Msg) (snippetView, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if f := s.textField(); f != nil {
			f.update(msg, s.ik)
			s.render()
		}
	case tea.KeyPressMsg:
		return s.onKey(msg)
	}
	return s, nil
}

func (s snippetView) onKey(msg tea.KeyPressMsg) (snippetView, tea.Cmd) {
	k := s.keys
	f := s.textField()
	switch {
	case key.Matches(msg, k.Esc):
		return s, emit(backMsg{})
	case key.Matches(msg, k.Next):
		s.focus = (s.focus + 1) % snippetFields
	case key.Matches(msg, k.Prev):
		s.focus = (s.focus - 1 + snippetFields) % snippetFields
	case key.Matches(msg, k.Submit):
		s.focus = (s.focus + 1) % snippetFields
	case key.Matches(msg, k.PageDown):
		s.top = min(s.top+s.room(), max(0, len(s.lines())-s.room()))
	case key.Matches(msg, k.PageUp):
		s.top = max(0, s.top-s.room())
	case f == nil && key.Matches(msg, k.CopySnippet):
		if s.text == "" {
			return s, nil
		}
		n := len(strings.Split(s.text, "\n"))
		return s, tea.Batch(tea.SetClipboard(s.text), emit(toastMsg{text: "snippet copied (" + itoa(n) + " lines)"}))
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
		s.render()
	case f != nil:
		if f.update(msg, s.ik) {
			s.render()
		}
	}
	return s, nil
}

func (s snippetView) Title() string { return "pipeline snippet" }

func (s snippetView) View() string {
	lines := []string{""}
	choice := func(opts []string, sel int) string {
		var out []string
		for i, o := range opts {
			if i == sel {
				o = s.st.Active.Render(o)
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
			name = s.st.Focused.Render(name)
		}
		var v string
		switch i {
		case 0:
			v = choice(snippetTools, s.tool)
		case 1:
			v = s.collection.view(s.width-18, focused)
		case 2:
			v = s.env.view(s.width-18, focused)
		case 3:
			v = s.lint.view(s.width-18, focused)
		case 4:
			v = choice(snippetOSes, s.os)
		}
		lines = append(lines, marker+name+"  "+v)
	}
	lines = append(lines, s.st.Border.Render(strings.Repeat("─", s.width)))
	if s.err != "" {
		lines = append(lines, s.st.Err.Render(s.err))
	}
	room := s.room()
	body := s.lines()
	top := min(s.top, max(0, len(body)-room))
	for i := top; i < len(body) && i < top+room; i++ {
		lines = append(lines, cleanLog(body[i], false))
	}
	return strings.Join(s.body(lines), "\n")
}

func (s snippetView) ShortHelp() []key.Binding {
	k := s.keys
	if s.textField() != nil {
		// space and y are typed into a text field: copying works from tool and OS
		return []key.Binding{k.Next, k.Prev, k.PageDown, k.Esc}
	}
	return []key.Binding{k.Next, k.Toggle, k.CopySnippet, k.PageDown, k.Esc}
}

func (s snippetView) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Next, k.Prev, k.Toggle, k.Left, k.Right}, {k.CopySnippet, k.PageDown, k.PageUp}, {k.Esc, k.Help, k.Quit}}
}

// lines are the snippet's lines.
func (s snippetView) lines() []string {
	return strings.Split(strings.TrimRight(s.text, "\n"), "\n")
}

// room is how many snippet lines fit under the five fields and the rule.
func (s snippetView) room() int {
	used := 1 + snippetFields + 1 // blank, fields, rule
	if s.err != "" {
		used++
	}
	return max(1, s.height-used)
}

// --- root side ---

func (m *Model) openSnippet() tea.Cmd {
	s := newSnippetView(m.ctx(), m.deps.Snippets)
	m.snip = &s
	m.page = pageSnippet
	m.sizeScreens()
	return nil
}
