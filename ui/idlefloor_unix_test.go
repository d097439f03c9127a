//go:build unix

package ui

import (
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
)

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIdleFloor splits the idle minute of a young running build
// (issue 11, BENCHMARKS.md) into what this process can and cannot change,
// on one P as the dashboard runs, in CPU seconds a minute (getrusage, the
// whole test process, which is otherwise idle):
//   - ticker: a bare 15 fps time.Ticker whose tick takes a lock and finds
//     nothing changed, as Bubble Tea v2's renderer does on every frame
//     (its ticker cannot be paused, and 15 fps is how soon a key shows);
//   - ticker+1Hz: the same and a timer each second that does nothing (the
//     clock of a running time shown in seconds: one more wake-up a second);
//   - ticker+1Hz-frame: the same, the timer doing the changed frame: the
//     clock tick's Update and View and the renderer's steps (clear the
//     120x40 cell buffer, draw the View into it, diff, write to io.Discard).
//
// What the real binary adds on top: polls, the pty write, the tmux side.
// Run it with
// go test ./ui -run '^$' -bench IdleFloor -benchtime 1x
func BenchmarkIdleFloor(b *testing.B) {
	const span = 20 * time.Second
	const fps = 15
	for _, c := range []struct {
		name         string
		clock, frame bool
	}{{"ticker", false, false}, {"ticker+1Hz", true, false}, {"ticker+1Hz-frame", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			h, _, _ := newHarness(b, Options{})
			h.start(120, 40)
			m := h.m
			buf := uv.NewScreenBuffer(120, 40)
			scr := uv.NewTerminalRenderer(io.Discard, []string{"TERM=xterm-256color"})
			scr.SetFullscreen(true)
			scr.SetScrollOptim(true)
			var last string
			frame := func() {
				mm, _ := m.Update(clockTickMsg{})
				m = mm.(Model)
				v := m.View().Content
				if v == last { // the clock must change what is drawn
					v = strings.Replace(v, "s", "m", 1)
				}
				last = v
				buf.Clear()
				uv.NewStyledString(v).Draw(buf, buf.Bounds())
				scr.Render(buf.RenderBuffer)
				if err := scr.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			runtime.GC()
			var total time.Duration
			for range b.N {
				frames := time.NewTicker(time.Second / fps)
				var clock <-chan time.Time
				if c.clock {
					t := time.NewTicker(time.Second)
					defer t.Stop()
					clock = t.C
				}
				end := time.After(span)
				cpu0 := processCPU()
				ticks := 0
				var view string
			loop:
				for {
					select {
					case <-frames.C:
						// the renderer: nothing to do when the view did not change
						if view == last {
							ticks++
						}
					case <-clock:
						if c.frame {
							frame()
							view = last
						}
					case <-end:
						break loop
					}
				}
				frames.Stop()
				total += processCPU() - cpu0
				if float64(ticks) < span.Seconds()*fps/2 {
					b.Fatalf("only %d frame ticks in %v", ticks, span)
				}
			}
			b.ReportMetric(total.Seconds()/float64(b.N)*float64(time.Minute/span), "cpu-s/min")
			b.ReportMetric(0, "ns/op")
		})
	}
}
