package ui

import (
	"io"
	"strings"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
)

// BenchmarkClockFrame: the once-a-second frame of an idle builds screen
// with a running build (issue 11): the clock tick's Update and the View at
// 120x40.
func BenchmarkClockFrame(b *testing.B) {
	h, _, _ := newHarness(b, Options{})
	h.start(120, 40)
	m := h.m
	b.ReportAllocs()
	for b.Loop() {
		mm, _ := m.Update(clockTickMsg{})
		m = mm.(Model)
		if v := m.View(); len(v.Content) == 0 {
			b.Fatal("empty view")
		}
	}
}

// BenchmarkRendererFrame: what Bubble Tea's renderer does with one changed
// frame of that screen (issue 11's pprof findings): clear the 120x40 cell
// buffer, draw the View string into it, diff against the last frame and
// write the difference (to io.Discard), as cursedRenderer.flush does.
func BenchmarkRendererFrame(b *testing.B) {
	h, _, _ := newHarness(b, Options{})
	h.start(120, 40)
	mm, _ := h.m.Update(clockTickMsg{})
	frame := mm.(Model).View().Content
	// two frames that differ in one cell, as a running time's second does
	mid := strings.LastIndex(frame[:len(frame)/2], "s")
	frames := []string{frame, frame[:mid] + "m" + frame[mid+1:]}
	buf := uv.NewScreenBuffer(120, 40)
	scr := uv.NewTerminalRenderer(io.Discard, []string{"TERM=xterm-256color"})
	scr.SetFullscreen(true)
	scr.SetScrollOptim(true)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf.Clear()
		uv.NewStyledString(frames[i%2]).Draw(buf, buf.Bounds())
		scr.Render(buf.RenderBuffer)
		if err := scr.Flush(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
