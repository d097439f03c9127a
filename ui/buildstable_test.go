package ui

import (
	"strings"
	"testing"
)

// The hint bar offers x abort only on a running build: on a finished one x
// only says to select a running build.
func TestHintBarOffersAbortOnlyOnARunningBuild(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(120, 40)
	bar := func() string {
		ls := strings.Split(plain(h), "\n")
		return ls[len(ls)-1]
	}
	if s := plain(h); !strings.Contains(s, "#112   ▶ running") {
		t.Fatalf("the test wants #112 running on top:\n%s", s)
	}
	if !strings.Contains(bar(), "x abort") {
		t.Errorf("on running #112 the hint bar lacks x abort: %q", bar())
	}
	h.key("j") // #111, finished
	if strings.Contains(bar(), "x abort") {
		t.Errorf("on finished #111 the hint bar offers x abort: %q", bar())
	}
	if !strings.Contains(bar(), "c log") {
		t.Errorf("on #111 the hint bar lacks c log: %q", bar())
	}
}
