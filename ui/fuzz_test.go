package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// FuzzLogAppend: however a log arrives in chunks, the lines are the same,
// and none holds anything but text and SGR sequences.
func FuzzLogAppend(f *testing.F) {
	f.Add([]byte("Started\r\n\x1b[32m+ newman run\x1b[0m\r\nok\r\n"), 7)
	f.Add([]byte("progress 10%\rprogress 100%\r\ndone"), 3)
	f.Add([]byte("\x1b]0;title\x07evil\x1b[2J\r\n\x9b2Jx\n"), 5)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		whole := &logBuffer{keepSGR: true}
		whole.write(data)
		split := &logBuffer{keepSGR: true}
		if cut < 0 {
			cut = -cut
		}
		if len(data) > 0 {
			cut %= len(data) + 1
		} else {
			cut = 0
		}
		split.write(data[:cut])
		split.write(data[cut:])
		if strings.Join(whole.lines, "\n") != strings.Join(split.lines, "\n") || string(whole.partial) != string(split.partial) {
			t.Fatalf("chunking changed the lines:\n%q\n%q", whole.lines, split.lines)
		}
		for _, l := range whole.lines {
			for i := 0; i < len(l); i++ {
				c := l[i]
				if c == 0x1b {
					j := i + 1
					if j >= len(l) || l[j] != '[' {
						t.Fatalf("non-CSI escape in %q", l)
					}
					j++
					for j < len(l) && (l[j] >= '0' && l[j] <= '9' || l[j] == ';' || l[j] == ':') {
						j++
					}
					if j >= len(l) || l[j] != 'm' {
						t.Fatalf("non-SGR sequence in %q", l)
					}
					i = j
				} else if c < 0x20 || c == 0x7f {
					t.Fatalf("control byte %#x in %q", c, l)
				}
			}
		}
	})
}

// FuzzWidth: the fast width agrees with ansi.StringWidth on text without
// escape sequences, and cell always gives exactly the asked width.
func FuzzWidth(f *testing.F) {
	f.Add("▸ #112   ▶ running", 10)
	f.Add("日本語 e\u0301 👍🏽", 5)
	f.Add("plain", 3)
	f.Fuzz(func(t *testing.T, s string, w int) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0x1b) {
			return
		}
		s = clean(s)
		if got, want := width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("width(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
		w = w%40 + 1
		if w < 1 {
			w += 40
		}
		if got := ansi.StringWidth(cell(s, w)); got != w {
			t.Fatalf("cell(%q, %d) is %d cells wide", s, w, got)
		}
	})
}
