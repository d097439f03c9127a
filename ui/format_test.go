package ui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// width must agree with ansi.StringWidth, the reference, on every kind of text.
func TestWidthAgreesWithAnsi(t *testing.T) {
	for _, s := range []string{
		"", "plain ascii", "▸ #112   ▶ running   1m ago", "\x1b[1;36mjeeves\x1b[m Payments",
		"日本語のジョブ", "e\u0301cole", "emoji 👍🏽 ok", "✅ wide check", "Zürich · ✔ 3/4", "⚡ fast",
		"\x1b[31m红\x1b[0m", "tab\there",
	} {
		if got, want := width(s), ansi.StringWidth(s); got != want {
			t.Errorf("width(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
}

// cell pads and cuts by display cells, so wide and combining characters align.
func TestCellAlignsWideText(t *testing.T) {
	for _, s := range []string{"abc", "日本語のジョブ名前", "e\u0301e\u0301e\u0301", "✔ success"} {
		for _, w := range []int{1, 4, 7, 12} {
			if got := ansi.StringWidth(cell(s, w)); got != w {
				t.Errorf("cell(%q, %d) is %d cells wide", s, w, got)
			}
		}
	}
}
