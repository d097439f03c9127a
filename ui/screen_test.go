package ui

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/watch"
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

// No screen holds the Jenkins client, the store or any other way to do IO:
// screens ask the root through intents. This walks every field type a
// screen can reach (through pointers, slices, maps and structs).
func TestScreensHoldNoIO(t *testing.T) {
	forbidden := []reflect.Type{
		reflect.TypeFor[jenkins.API](), reflect.TypeFor[Store](), reflect.TypeFor[Connector](),
		reflect.TypeFor[Checker](), reflect.TypeFor[Browser](), reflect.TypeFor[Actions](),
		reflect.TypeFor[*watch.Sub](), reflect.TypeFor[*watch.Engine](), reflect.TypeFor[context.Context](),
	}
	seen := map[reflect.Type]bool{}
	var walk func(path string, ty reflect.Type)
	walk = func(path string, ty reflect.Type) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		for _, f := range forbidden {
			if ty == f || (f.Kind() == reflect.Interface && ty.Kind() != reflect.Interface && ty.Implements(f) && f != reflect.TypeFor[context.Context]()) {
				t.Errorf("%s is a %s", path, ty)
			}
		}
		switch ty.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(path+"[]", ty.Elem())
		case reflect.Map:
			walk(path+"[k]", ty.Key())
			walk(path+"[v]", ty.Elem())
		case reflect.Struct:
			for i := range ty.NumField() {
				walk(path+"."+ty.Field(i).Name, ty.Field(i).Type)
			}
		}
	}
	for _, s := range []any{logView{}, runForm{}, intForm{}, snippetView{}, helpView{}, confirmDialog{}, buildsTable{}} {
		clear(seen)
		walk(reflect.TypeOf(s).Name(), reflect.TypeOf(s))
	}
}

// The builds table acts only through intents, which name the build.
func TestBuildsTableIntents(t *testing.T) {
	ig := newInteg(payments())
	ig.storeLoaded = true
	ig.records = []BuildRecord{{Build: mkBuild(12, jenkins.StatusSuccess, time.Hour, time.Minute)}, {Build: mkBuild(11, jenkins.StatusFailure, 2*time.Hour, time.Minute)}}
	ig.records[0].Building = true
	tb := newBuildsTable(testCtx(80, 18))
	tb.show(ig)
	intent := func(keys ...string) tea.Msg {
		t.Helper()
		var cmd tea.Cmd
		for _, k := range keys {
			tb, cmd = tb.Update(keyMsg(k))
		}
		if cmd == nil {
			return nil
		}
		return cmd()
	}
	if got := intent("c"); got != (openLogMsg{num: 12}) {
		t.Fatalf("c: %#v", got)
	}
	if got := intent("x"); got != (askAbortMsg{num: 12}) {
		t.Fatalf("x on the running build: %#v", got)
	}
	if got := intent("j"); got != (wantOlderMsg{}) {
		t.Fatalf("j to the last row: %#v", got)
	}
	if got, ok := intent("x").(toastMsg); !ok || !got.isErr {
		t.Fatalf("x on a finished build: %#v", got)
	}
	if got := intent("B"); got != (openRunMsg{rerunOf: 11}) {
		t.Fatalf("B: %#v", got)
	}
	if got := intent("f"); got != (wantOlderMsg{}) || len(tb.rows) != 1 {
		t.Fatalf("f: %#v, %d rows", got, len(tb.rows))
	}
}
