package ui

import "charm.land/bubbles/v2/key"

// keys.go is the only place key strings appear.

// KeyMap holds every binding, grouped by where it applies.
type KeyMap struct {
	// global
	Quit, ForceQuit, Help, Tab, Refresh, Esc key.Binding
	// movement
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	// builds
	Expand, Collapse, Filter, FilterReset, Search, Log, Run, Rerun, Abort, Open, Copy, Trends key.Binding
	// trends
	ShowFailure key.Binding
	// integrations
	Add, Edit, Delete, Snippet, CopySnippet key.Binding
	// forms and dialogs
	Next, Prev, Submit, Toggle, Left, Right, Yes, No, Test key.Binding
	// log
	SearchNext, SearchPrev, Follow key.Binding
}

// DefaultKeyMap returns the key map. readonly disables the keys that change
// anything (run, re-run, abort, add, edit, delete).
func DefaultKeyMap(readonly bool) KeyMap {
	k := KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit from anywhere")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Tab:       key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "panel")),
		Refresh:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Esc:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),

		Expand:      key.NewBinding(key.WithKeys("enter", "right", "l"), key.WithHelp("enter/→", "expand")),
		Collapse:    key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "collapse")),
		Filter:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter")),
		FilterReset: key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "all")),
		Search:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Log:         key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "log")),
		Run:         key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "run")),
		Rerun:       key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "re-run")),
		Abort:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "abort")),
		Open:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy URL")),
		Trends:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "trend")),
		ShowFailure: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "where it last failed")),

		Add:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add")),
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		Snippet: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "snippet")),

		CopySnippet: key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy snippet")),

		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit")),
		Toggle: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")),
		Left:   key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous choice")),
		Right:  key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next choice")),
		Yes:    key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "confirm")),
		No:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "cancel")),
		Test:   key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "test connection")),

		SearchNext: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		SearchPrev: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		Follow:     key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "follow")),
	}
	if readonly {
		for _, b := range []*key.Binding{&k.Run, &k.Rerun, &k.Abort, &k.Add, &k.Edit, &k.Delete} {
			b.SetEnabled(false)
		}
	}
	return k
}

// inputKeys are the editing keys of a text field.
type inputKeys struct{ Backspace, Clear, DeleteWord key.Binding }

func defaultInputKeys() inputKeys {
	return inputKeys{
		Backspace:  key.NewBinding(key.WithKeys("backspace", "ctrl+h")),
		Clear:      key.NewBinding(key.WithKeys("ctrl+u")),
		DeleteWord: key.NewBinding(key.WithKeys("ctrl+w", "alt+backspace")),
	}
}

// keyMapFor is the key map of the dashboard's options: read-only turns off
// every change, NoIntegrationEdits only add, edit and delete.
func keyMapFor(o Options) KeyMap {
	k := DefaultKeyMap(o.ReadOnly)
	if o.NoIntegrationEdits {
		for _, b := range []*key.Binding{&k.Add, &k.Edit, &k.Delete} {
			b.SetEnabled(false)
		}
	}
	return k
}
