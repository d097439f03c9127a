package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}}

func sizeName(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }

// TestGoldenBuilds: the builds screen after the first data, at both sizes
// and at the minimum size (where the filter bar turns to glyphs).
func TestGoldenBuilds(t *testing.T) {
	for _, sz := range append(sizes, struct{ w, h int }{minWidth, minHeight}) {
		h, _, _ := newHarness(t, Options{})
		h.start(sz.w, sz.h)
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
		if sz.w == 80 {
			checkGoldenANSI(t, sizeName(sz.w, sz.h), h.screen())
		}
	}
}

// TestGoldenExpanded: a failed build expanded down to its failed assertion,
// and its governance result with violations by severity.
func TestGoldenExpanded(t *testing.T) {
	for _, sz := range sizes {
		h, _, _ := newHarness(t, Options{})
		h.start(sz.w, sz.h)
		h.key("j", "enter")                     // #111
		h.key("j", "enter")                     // its collection
		h.key("j", "enter")                     // the failed request, listed first
		h.key("j", "j", "j", "j", "j", "enter") // the governance result
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
		if sz.w == 80 {
			checkGoldenANSI(t, sizeName(sz.w, sz.h), h.screen())
		}
	}
}

func TestGoldenHelp(t *testing.T) {
	for _, sz := range sizes {
		h, _, _ := newHarness(t, Options{})
		h.start(sz.w, sz.h)
		h.key("?")
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

func TestGoldenTooSmall(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(60, 15)
	checkGolden(t, "60x15", h.screen(), 60, 15)
	if !strings.Contains(h.screen(), "too small") {
		t.Fatal("no too-small message")
	}
}

func TestGoldenRunForm(t *testing.T) {
	for _, sz := range sizes {
		h, _, _ := newHarness(t, Options{})
		h.start(sz.w, sz.h)
		h.key("b")
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

func TestGoldenLog(t *testing.T) {
	for _, sz := range sizes {
		h, apis, _ := newHarness(t, Options{})
		apis["Payments API"].logs = map[int][]string{111: {"Started by user Alice\r\n\x1b[32m+ newman run\x1b[0m\r\n", "newman\r\n\r\n→ Create payment\r\n  POST /payments [500 Internal Server Error]\r\nFinished: FAILURE\r\n"}}
		h.start(sz.w, sz.h)
		h.key("j", "c")
		h.fire(func(m tea.Msg) bool { _, ok := m.(logTickMsg); return ok })
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

func TestGoldenOffline(t *testing.T) {
	for _, sz := range sizes {
		h, apis, st := newHarness(t, Options{})
		st.builds["Payments API"] = []BuildRecord{{Build: mkBuild(111, "failure", 20*60e9, 120e9), ResultsState: ResultsOK}}
		apis["Payments API"].setErr(fmt.Errorf("Get \"http://jenkins.test/job/payments\": dial tcp 127.0.0.1:8080: connect: connection refused"))
		h.start(sz.w, sz.h)
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

func TestGoldenIntegrationForm(t *testing.T) {
	for _, sz := range sizes {
		h, _, _ := newHarness(t, Options{})
		h.m.deps.Checker = fakeChecker{fail: "auth"}
		h.start(sz.w, sz.h)
		h.key("a")
		h.typeText("Users API")
		h.key("tab")
		h.typeText("https://ci.test")
		h.key("tab")
		h.typeText("bob")
		h.key("tab")
		h.typeText("secret-token")
		h.key("tab")
		h.typeText("users/main")
		h.key("enter")
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

func TestGoldenSnippet(t *testing.T) {
	for _, sz := range sizes {
		h, _, _ := newHarness(t, Options{})
		h.m.deps.Snippets = fakeSnippets{}
		h.start(sz.w, sz.h)
		h.key("p")
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

func TestGoldenConfirmAbort(t *testing.T) {
	for _, sz := range sizes {
		h, _, _ := newHarness(t, Options{})
		h.start(sz.w, sz.h)
		h.key("x")
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

// With no colour, the screen keeps only bold/underline/reverse: statuses read
// from glyph and word.
func TestNoColor(t *testing.T) {
	h, _, _ := newHarness(t, Options{NoColor: true})
	h.start(120, 40)
	h.key("j", "enter")
	s := h.screen()
	for _, bad := range []string{"[3", "[9", ";3", ";9", "38;", "48;"} {
		for _, seq := range strings.Split(s, "\x1b")[1:] {
			if strings.HasPrefix(seq, bad) || strings.Contains(strings.SplitN(seq, "m", 2)[0], bad) {
				t.Fatalf("colour sequence %q with no colour", "\x1b"+strings.SplitN(seq, "m", 2)[0]+"m")
			}
		}
	}
	if !strings.Contains(s, "✘ failure") || !strings.Contains(s, "\x1b[7m") {
		t.Fatal("no glyph+word status or no reverse cursor without colour")
	}
}
