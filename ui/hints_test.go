package ui

import (
	"strings"
	"testing"

	"github.com/jeeves-dev/jeeves/config"
)

// lastLine is the hint bar.
func lastLine(h *harness) string {
	ls := strings.Split(plain(h), "\n")
	return ls[len(ls)-1]
}

// The integrations panel's hint bar offers e edit and d delete only on an
// integration the dashboard can change (one from its store): on one from the
// config file (or the demo) e and d only say it cannot be changed here. `?`
// still lists them, and says why they do nothing on this one.
func TestIntegrationsHintsOfferOnlyKeysThatAct(t *testing.T) {
	h, apis, st := newHarness(t, Options{})
	st.ints = []config.Integration{{Nickname: "Users API", URL: "https://ci.test", Job: "users/main", Source: "store"}}
	apis["Users API"] = &fakeAPI{base: "https://ci.test"}
	h.start(80, 24)
	h.key("tab") // Payments API, from the config file
	bar := lastLine(h)
	if strings.Contains(bar, "e edit") || strings.Contains(bar, "d delete") {
		t.Errorf("on a config integration the hint bar offers edit or delete: %q", bar)
	}
	if !strings.Contains(bar, "a add") || !strings.Contains(bar, "? help") {
		t.Errorf("the hint bar lacks a add or ? help: %q", bar)
	}
	h.key("?")
	if s := plain(h); !strings.Contains(s, "e         edit") ||
		!strings.Contains(s, "edit, delete: Payments API comes from the config file; change it there") {
		t.Errorf("help does not list e, or does not say why it does nothing:\n%s", s)
	}
	h.key("esc", "G") // Users API, from the store
	if s := plain(h); !strings.Contains(s, "[Users API]") {
		t.Fatalf("Users API not selected:\n%s", s)
	}
	bar = lastLine(h)
	if !strings.Contains(bar, "e edit") || !strings.Contains(bar, "d delete") {
		t.Errorf("on a store integration the hint bar lacks edit or delete: %q", bar)
	}
	h.key("?")
	if s := plain(h); strings.Contains(s, "edit, delete: ") {
		t.Errorf("help says edit and delete are off on a store integration:\n%s", s)
	}
}

// Read-only and serve's NoIntegrationEdits offer no a add (nor e, d) in the
// integrations panel, even on a store integration.
func TestIntegrationsHintsNoAddWhereAddingIsOff(t *testing.T) {
	for _, o := range []Options{{ReadOnly: true}, {NoIntegrationEdits: true}} {
		h, apis, st := newHarness(t, o)
		st.ints = []config.Integration{{Nickname: "Users API", URL: "https://ci.test", Job: "users/main", Source: "store"}}
		apis["Users API"] = &fakeAPI{base: "https://ci.test"}
		h.start(80, 24)
		h.key("tab", "G")
		bar := lastLine(h)
		for _, w := range []string{"a add", "e edit", "d delete"} {
			if strings.Contains(bar, w) {
				t.Errorf("%+v: the hint bar offers %q: %q", o, w, bar)
			}
		}
		h.key("?")
		if s := plain(h); strings.Contains(s, "edit, delete: ") {
			t.Errorf("%+v: help adds the per-integration note to the session's own:\n%s", o, s)
		}
	}
}

// At 80 columns the bar drops hints from its end: on a running build x abort
// and c log stay and t trend gives way; on a finished one t trend shows.
func TestHintBarKeepsAbortOnARunningBuildAt80(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	if s := plain(h); !strings.Contains(s, "#112   ▶ running") {
		t.Fatalf("the test wants #112 running on top:\n%s", s)
	}
	bar := lastLine(h)
	for _, w := range []string{"x abort", "c log", "? help"} {
		if !strings.Contains(bar, w) {
			t.Errorf("on running #112 at 80 columns the hint bar lacks %q: %q", w, bar)
		}
	}
	if strings.Contains(bar, "t trend") {
		t.Errorf("on running #112 at 80 columns t trend did not give way first: %q", bar)
	}
	h.key("j") // #111, finished
	bar = lastLine(h)
	if !strings.Contains(bar, "t trend") || !strings.Contains(bar, "c log") || strings.Contains(bar, "x abort") {
		t.Errorf("on finished #111 at 80 columns: %q", bar)
	}
}
