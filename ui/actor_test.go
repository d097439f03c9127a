package ui

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jeeves-dev/jeeves/config"
)

// fakeActions records the actions a session sends through Deps.Actions.
type fakeActions struct {
	mu       sync.Mutex
	triggers []string // "nickname rerunOf"
	stops    []int
}

func (f *fakeActions) Trigger(ctx context.Context, in config.Integration, rerunOf int, params map[string]string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.triggers = append(f.triggers, in.Nickname+" "+itoa(rerunOf))
	return 900, nil
}

func (f *fakeActions) Stop(ctx context.Context, in config.Integration, number int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stops = append(f.stops, number)
	return nil
}

// With Deps.Actions, run, re-run and abort go through it, never through the
// integration's own (watching) client; reading still does.
func TestActionsGoThroughDepsActions(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	act := &fakeActions{}
	h.m.deps.Actions = act
	h.start(80, 24)
	pay := apis["Payments API"]
	h.key("j", "B") // re-run #111
	if h.m.page != pageRun || pay.n("job") != 1 {
		t.Fatalf("run form not read through the integration's client: page %v, job reads %d", h.m.page, pay.n("job"))
	}
	h.key("enter", "y")
	h.key("k", "x", "y") // abort #112
	if len(act.triggers) != 1 || act.triggers[0] != "Payments API 111" {
		t.Errorf("triggers through Actions = %v, want [Payments API 111]", act.triggers)
	}
	if len(act.stops) != 1 || act.stops[0] != 112 {
		t.Errorf("stops through Actions = %v, want [112]", act.stops)
	}
	if pay.n("trigger") != 0 || pay.n("stop") != 0 {
		t.Errorf("the watching client sent %d triggers and %d stops", pay.n("trigger"), pay.n("stop"))
	}
	if !strings.Contains(plain(h), "abort requested for #112") {
		t.Errorf("no abort toast:\n%s", plain(h))
	}
}

// A session that may not act says why in the hint bar and in help.
func TestReadOnlyWhyShown(t *testing.T) {
	h, _, _ := newHarness(t, Options{ReadOnly: true, ReadOnlyWhy: "your key has no Jenkins user", NoIntegrationEdits: true})
	h.start(120, 40)
	lines := strings.Split(plain(h), "\n")
	if bar := lines[len(lines)-1]; !strings.Contains(bar, "read-only: your key has no Jenkins user") || !strings.Contains(bar, "? help") {
		t.Errorf("hint bar at 120 columns: %q", bar)
	}
	h.send(keyMsg("?"))
	if s := plain(h); !strings.Contains(s, "read-only: your key has no Jenkins user; run, re-run and abort are off") ||
		!strings.Contains(s, "add, edit and delete are off") {
		t.Errorf("help does not say why:\n%s", s)
	}
	h2, _, _ := newHarness(t, Options{ReadOnly: true, ReadOnlyWhy: "your key has no Jenkins user"})
	h2.start(72, 18)
	lines = strings.Split(plain(h2), "\n")
	if bar := lines[len(lines)-1]; !strings.Contains(bar, "read-only") || !strings.Contains(bar, "? help") || !strings.Contains(bar, "q quit") {
		t.Errorf("hint bar at 72 columns: %q", bar)
	}
}

// NoIntegrationEdits turns off add, edit and delete only.
func TestNoIntegrationEdits(t *testing.T) {
	h, apis, _ := newHarness(t, Options{NoIntegrationEdits: true})
	h.start(120, 40)
	h.key("tab", "a")
	if h.m.page != pageMain {
		t.Fatal("add opened with NoIntegrationEdits")
	}
	h.key("e", "d")
	if h.m.page != pageMain || h.m.confirm != nil {
		t.Fatal("edit or delete opened with NoIntegrationEdits")
	}
	h.key("tab", "b")
	if h.m.page != pageRun || apis["Payments API"].n("job") != 1 {
		t.Fatal("run is off with NoIntegrationEdits")
	}
}

// The state is kept under Options.StateKey.
func TestStateKey(t *testing.T) {
	h, _, st := newHarness(t, Options{StateKey: "dashboard:ssh:alice"})
	h.start(120, 40)
	h.key("f")
	if st.state["dashboard:ssh:alice"] == "" || st.state[stateKey] != "" {
		t.Fatalf("state not saved under its key: %v", st.state)
	}
}
