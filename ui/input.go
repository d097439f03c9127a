package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// field is a one-line text editor without a blinking cursor (a blink would
// redraw the screen twice a second for nothing). It appends at the end.
type field struct {
	value  string
	masked bool
}

// update applies a key; it reports whether the key was an edit.
func (f *field) update(msg tea.Msg, k inputKeys) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.value += clean(msg.Content)
		return true
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Backspace):
			if f.value != "" {
				r := []rune(f.value)
				f.value = string(r[:len(r)-1])
			}
			return true
		case key.Matches(msg, k.Clear):
			f.value = ""
			return true
		case key.Matches(msg, k.DeleteWord):
			v := strings.TrimRight(f.value, " ")
			if i := strings.LastIndex(v, " "); i >= 0 {
				f.value = v[:i+1]
			} else {
				f.value = ""
			}
			return true
		case msg.Text != "" && msg.Mod&^tea.ModShift == 0:
			f.value += clean(msg.Text)
			return true
		}
	}
	return false
}

// view renders the field in width cells; focused shows a cursor block.
func (f field) view(width int, focused bool) string {
	v := clean(f.value) // a parameter's default comes from the server
	if f.masked {
		v = strings.Repeat("•", len([]rune(v)))
	}
	cur := ""
	if focused {
		cur = "█"
	}
	room := width - ansi.StringWidth(cur)
	if room < 1 {
		room = 1
	}
	if w := ansi.StringWidth(v); w > room {
		v = ansi.TruncateLeft(v, w-room, "")
	}
	return v + cur
}
