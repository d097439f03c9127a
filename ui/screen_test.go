package ui

import (
	"strings"
	"testing"
)

// testCtx is a screen context as the root gives it, at w x h.
func testCtx(w, h int) screenCtx {
	keys, st := DefaultKeyMap(false), NewStyles(false)
	c := screenCtx{st: &st, keys: &keys, ik: defaultInputKeys(), after: holdTimers}
	c.SetSize(w, h)
	return c
}

// A confirm dialog answers once: a second y typed before the root acts on
// the first is not a second abort or trigger.
func TestConfirmAnswersOnce(t *testing.T) {
	c := newConfirm(testCtx(80, 21), "Abort build #7?", confirmAbort, "Payments API")
	c, cmd := c.Update(keyMsg("y"))
	if cmd == nil {
		t.Fatal("y gave no answer")
	}
	if got, ok := cmd().(confirmedMsg); !ok || !got.yes || got.c.nick != "Payments API" {
		t.Fatalf("answer %+v", cmd())
	}
	if _, cmd = c.Update(keyMsg("y")); cmd != nil {
		t.Fatal("a second y answered again")
	}
	c2 := newConfirm(testCtx(80, 21), "Delete?", confirmDelete, "x")
	if _, cmd = c2.Update(keyMsg("n")); cmd == nil || cmd().(confirmedMsg).yes {
		t.Fatal("n did not answer no")
	}
}

// The screens' bodies fill exactly the height the root gives them.
func TestScreenBodiesFitTheirSize(t *testing.T) {
	c := testCtx(80, 21)
	lv := newLogView(c, "Payments API", 7, 1)
	rf := newRunForm(c, "Payments API", "payments/api-tests", 0, nil)
	f := newIntForm(c, nil, []string{"Payments API"}, true, 1)
	for name, s := range map[string]screen{"log": &lv, "run": &rf, "integration": &f} {
		if n := len(splitLines(s.View())); n != 21 {
			t.Errorf("%s: %d body lines, want 21", name, n)
		}
		if len(s.ShortHelp()) == 0 || len(s.FullHelp()) == 0 {
			t.Errorf("%s: no keys for the hint bar or help", name)
		}
	}
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

// The integration form refuses a nickname in use from the names it was given.
func TestIntFormTakenNickname(t *testing.T) {
	f := newIntForm(testCtx(80, 22), nil, []string{"Payments API"}, false, 1)
	for i, v := range []string{"Payments API", "https://ci.test", "", "", "pay/main"} {
		f.fields[i].value = v
	}
	f.focus = ifJob
	f, cmd := f.Update(keyMsg("enter"))
	if cmd != nil || !strings.Contains(f.err, "exists already") {
		t.Fatalf("err %q, cmd %v", f.err, cmd != nil)
	}
	f.fields[ifNick].value = "Users API"
	f, cmd = f.Update(keyMsg("enter"))
	if cmd == nil || !f.saving {
		t.Fatal("no save asked")
	}
	if got, ok := cmd().(saveIntegrationMsg); !ok || got.in.Nickname != "Users API" || got.in.Source != "store" {
		t.Fatalf("intent %+v", cmd())
	}
}

// ? shows the keys of the screen under it and esc goes back to that screen;
// on the snippet's text fields ? is typed instead.
func TestHelpOverlayShowsTheScreensKeys(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.m.deps.Snippets = fakeSnippets{}
	h.start(100, 30)
	h.key("p", "?")
	if s := plain(h); !strings.Contains(s, "copy snippet") || strings.Contains(s, "abort") {
		t.Fatalf("help over the snippet:\n%s", s)
	}
	h.key("esc")
	if s := plain(h); !strings.Contains(s, "pipeline snippet") || h.m.help != nil {
		t.Fatalf("esc did not go back to the snippet:\n%s", s)
	}
	h.key("tab", "?") // the collection field
	if h.m.help != nil || !strings.HasSuffix(h.m.snip.collection.value, "?") {
		t.Fatalf("? on a text field: help %v, value %q", h.m.help != nil, h.m.snip.collection.value)
	}
	h.key("esc", "?")
	if s := plain(h); !strings.Contains(s, "abort") || !strings.Contains(s, "snippet") {
		t.Fatalf("help over the builds table:\n%s", s)
	}
}
