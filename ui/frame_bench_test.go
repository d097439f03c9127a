package ui

import (
	"testing"
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
