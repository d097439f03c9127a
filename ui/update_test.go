package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

func isTick[T any](m tea.Msg) bool { _, ok := m.(T); return ok }

func timersOf[T any](h *harness) []timerMsg {
	var out []timerMsg
	for _, tm := range h.timers {
		if _, ok := tm.msg.(T); ok {
			out = append(out, tm)
		}
	}
	return out
}

func plain(h *harness) string { return ansi.Strip(h.screen()) }

// The first frame of data comes from the store, before any request.
func TestFirstFrameFromStore(t *testing.T) {
	apis, st := newFakes()
	st.builds["Payments API"] = []BuildRecord{{Build: mkBuild(99, jenkins.StatusFailure, time.Hour, time.Minute)}}
	h := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }}, Options{Integrations: []config.Integration{payments()}})
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.hold = true
	h.run(h.m.Init())
	h.hold = false
	// the engine's first IO reads the store only
	if len(h.work) != 1 {
		t.Fatalf("%d pieces of IO queued at start, want the store read", len(h.work))
	}
	w := h.work[0]
	h.work = nil
	w()
	snaps := h.m.sub.Ready()
	if !h.waiting || snaps == nil {
		t.Fatal("no snapshot after the store answered")
	}
	got, _ := h.m.Update(engineMsg{snaps: snaps})
	if n := apis["Payments API"].n("probe") + apis["Payments API"].n("builds"); n != 0 {
		t.Fatalf("%d requests before the first frame", n)
	}
	screen := ansi.Strip(got.View().Content)
	if !strings.Contains(screen, "#99") || !strings.Contains(screen, "stored data, connecting") {
		t.Fatalf("first frame does not show the stored build:\n%s", screen)
	}
	if len(h.work) == 0 {
		t.Fatal("no poll started after the store answered")
	}
}

// A poll starts with the small probe; the full list is read only when the
// probe changed.
func TestPollProbeThenListOnlyOnChange(t *testing.T) {
	h, apis, st := newHarness(t, Options{})
	h.start(80, 24)
	pay := apis["Payments API"]
	if pay.n("probe") != 1 || pay.n("builds") != 1 {
		t.Fatalf("start: probe=%d builds=%d, want 1 and 1", pay.n("probe"), pay.n("builds"))
	}
	if st.saved == 0 {
		t.Fatal("builds were not saved to the store")
	}
	h.fire(isTick[pollTickMsg])
	if pay.n("probe") != 2 || pay.n("builds") != 1 {
		t.Fatalf("unchanged: probe=%d builds=%d, want 2 and 1", pay.n("probe"), pay.n("builds"))
	}
	pay.mu.Lock()
	pay.builds[0].Building = false
	pay.builds[0].Status = jenkins.StatusSuccess
	pay.builds[0].Result = "SUCCESS"
	pay.mu.Unlock()
	h.fire(isTick[pollTickMsg])
	if pay.n("builds") != 2 {
		t.Fatalf("changed: builds=%d, want 2", pay.n("builds"))
	}
	if !strings.Contains(plain(h), "✔ success") || strings.Contains(plain(h), "running") {
		t.Fatalf("finished build not shown:\n%s", plain(h))
	}
}

// Intervals: faster while something runs, slower in the background, backoff on errors.
func TestPollIntervals(t *testing.T) {
	h, apis, _ := newHarness(t, Options{Refresh: 15 * time.Second})
	h.start(80, 24)
	got := map[string]time.Duration{}
	for _, tm := range timersOf[pollTickMsg](h) {
		got[tm.msg.(pollTickMsg).nick] = tm.d
	}
	if got["Payments API"] != 7500*time.Millisecond {
		t.Errorf("running build: interval %v, want 7.5s", got["Payments API"])
	}
	if got["Orders API"] != 60*time.Second {
		t.Errorf("background integration: interval %v, want 60s", got["Orders API"])
	}
	pay := apis["Payments API"]
	pay.setErr(errors.New("connection refused"))
	var ds []time.Duration
	for i := 0; i < 5; i++ {
		h.fire(func(m tea.Msg) bool { return isTick[pollTickMsg](m) && m.(pollTickMsg).nick == "Payments API" })
		for _, tm := range timersOf[pollTickMsg](h) {
			if tm.msg.(pollTickMsg).nick == "Payments API" {
				ds = append(ds, tm.d)
			}
		}
	}
	want := []time.Duration{7500 * time.Millisecond, 15 * time.Second, 30 * time.Second, 60 * time.Second, 2 * time.Minute}
	for i := range want {
		if ds[i] != want[i] {
			t.Fatalf("backoff %v, want %v", ds, want)
		}
	}
	if s := plain(h); !strings.Contains(s, "offline") || !strings.Contains(s, "connection refused") {
		t.Fatalf("offline state not shown:\n%s", s)
	}
	// Jenkins is back: the next poll recovers
	pay.setErr(nil)
	h.fire(func(m tea.Msg) bool { return isTick[pollTickMsg](m) && m.(pollTickMsg).nick == "Payments API" })
	if s := plain(h); strings.Contains(s, "offline") || !strings.Contains(s, "data just now") {
		t.Fatalf("did not recover:\n%s", s)
	}
}

// At most one refresh in flight per integration, however often r is pressed.
func TestOneRefreshInFlight(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	h.start(80, 24)
	pay := apis["Payments API"]
	before := pay.n("probe")
	h.hold = true // the first probe is in flight while r is pressed again
	h.key("r", "r", "r")
	if n := pay.n("probe") - before; n != 0 {
		t.Fatalf("%d probes sent while held", n)
	}
	h.hold = false
	h.settle()
	if n := pay.n("probe") - before; n != 1 {
		t.Fatalf("%d probes, want 1", n)
	}
}

// Nothing animates on an idle screen: no spinner or clock tick stays armed.
func TestNoTickWhenIdle(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	pay := apis["Payments API"]
	pay.builds = pay.builds[1:] // nothing runs
	h.start(80, 24)
	h.fire(isTick[spinTickMsg])
	if n := len(timersOf[spinTickMsg](h)) + len(timersOf[clockTickMsg](h)); n != 0 {
		t.Fatalf("%d animation timers armed on an idle screen", n)
	}
	// with a running build on screen, a once-a-second clock runs
	h2, _, _ := newHarness(t, Options{})
	h2.start(80, 24)
	cl := timersOf[clockTickMsg](h2)
	if len(cl) != 1 || cl[0].d != time.Second {
		t.Fatalf("clock timers %v, want one of 1s", cl)
	}
}

func TestFilterCyclesAndResets(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("f") // Success
	if s := plain(h); !strings.Contains(s, "#110") || strings.Contains(s, "#111") {
		t.Fatalf("success filter:\n%s", s)
	}
	h.key("f") // Failed
	s := plain(h)
	if !strings.Contains(s, "#111") || !strings.Contains(s, "#106") || strings.Contains(s, "#110") {
		t.Fatalf("failed filter:\n%s", s)
	}
	if len(h.m.table.rows) != 2 {
		t.Fatalf("failed filter shows %d rows, want 2", len(h.m.table.rows))
	}
	h.key("F")
	if len(h.m.table.rows) != 8 {
		t.Fatalf("after F: %d rows, want 8", len(h.m.table.rows))
	}
}

func TestSearch(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("/")
	h.typeText("staging")
	if len(h.m.table.rows) != 1 || h.m.table.rows[0].num != 111 {
		t.Fatalf("search by parameter: rows %+v", h.m.table.rows)
	}
	h.key("enter")
	if h.m.table.searching {
		t.Fatal("enter did not leave the search field")
	}
	h.key("esc")
	if len(h.m.table.rows) != 8 {
		t.Fatalf("esc did not clear the search: %d rows", len(h.m.table.rows))
	}
	// q typed into the search is text, not quit
	h.key("/", "q")
	if h.quit || h.m.table.search.value != "q" {
		t.Fatalf("q in the search field: quit=%v value=%q", h.quit, h.m.table.search.value)
	}
}

// Results load in the background for rows on screen only, and for the
// build right below them (the last row's delta compares with it).
func TestResultsOnlyForRowsOnScreen(t *testing.T) {
	h, apis, st := newHarness(t, Options{})
	pay := apis["Payments API"]
	var many []jenkins.Build
	for n := 300; n > 200; n-- {
		many = append(many, mkBuild(n, jenkins.StatusSuccess, time.Duration(301-n)*time.Hour, time.Minute))
	}
	pay.builds = many
	h.start(80, 24)
	onScreen := h.m.tableHeight()
	if st.fetches != onScreen+1 {
		t.Fatalf("fetched results of %d builds, want the %d on screen and the one below", st.fetches, onScreen)
	}
	h.key("G")
	want := 2*onScreen + 1
	bs := h.m.table.onScreenBuilds()
	if recs := h.m.cur().records; len(bs) > 0 && recs[len(recs)-1].Number != bs[len(bs)-1].Number {
		want++ // older builds were loaded below: one of them is read too
	}
	if st.fetches != want {
		t.Fatalf("after G: %d fetches, want %d", st.fetches, want)
	}
}

func TestExpandShowsWhyNoResults(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("enter") // #112, running
	if !strings.Contains(plain(h), "no results yet: the build is still running") {
		t.Fatalf("running build:\n%s", plain(h))
	}
	h.key("left", "j", "j", "enter") // #110: nothing found
	if !strings.Contains(plain(h), "no results: no matching artifacts") {
		t.Fatalf("build without reports:\n%s", plain(h))
	}
}

// A repeated key press never triggers twice; the new build is selected.
func TestRunBuildTriggersOnceAndSelectsBuild(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	h.start(80, 24)
	pay := apis["Payments API"]
	h.key("b")
	if h.m.page != pageRun || h.m.run == nil || len(h.m.run.fields) != 4 {
		t.Fatalf("run form not open with 4 fields: %+v", h.m.run)
	}
	h.key("right")        // ENV: dev -> staging
	h.key("tab", "space") // DRY_RUN on
	h.key("tab")          // BRANCH
	h.key("backspace", "backspace", "backspace", "backspace")
	h.typeText("release")
	h.key("tab")
	h.typeText("s3cret")
	if strings.Contains(plain(h), "s3cret") {
		t.Fatal("password shown in clear")
	}
	h.key("enter")
	if h.m.confirm == nil {
		t.Fatal("no confirm before triggering")
	}
	h.key("y", "y", "enter", "y")
	if len(pay.triggers) != 1 {
		t.Fatalf("%d triggers, want exactly 1", len(pay.triggers))
	}
	want := map[string]string{"ENV": "staging", "DRY_RUN": "true", "BRANCH": "release", "TOKEN": "s3cret"}
	for k, v := range want {
		if pay.triggers[0][k] != v {
			t.Errorf("param %s = %q, want %q", k, pay.triggers[0][k], v)
		}
	}
	if !strings.Contains(plain(h), "queued") {
		t.Fatalf("queue item not shown:\n%s", plain(h))
	}
	// the queue item becomes build 113
	pay.mu.Lock()
	pay.queueAns.BuildNumber = 113
	pay.queue = nil
	pay.builds = append([]jenkins.Build{mkBuild(113, jenkins.StatusRunning, 2*time.Second, 0)}, pay.builds...)
	pay.mu.Unlock()
	h.fire(isTick[followTickMsg])
	r := h.m.selectedRecord()
	if r == nil || r.Number != 113 {
		t.Fatalf("selected %+v, want #113", r)
	}
}

func TestRerunPrefillsParameters(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("j", "B") // #111 ran with ENV=staging
	f := h.m.run.fields
	if f[0].value() != "staging" {
		t.Fatalf("ENV = %q, want staging", f[0].value())
	}
	if f[3].in.value != "" {
		t.Fatal("masked password prefilled")
	}
}

func TestAbortConfirm(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	h.start(80, 24)
	pay := apis["Payments API"]
	h.key("j", "x") // #111 is not running
	if h.m.confirm != nil {
		t.Fatal("abort offered for a finished build")
	}
	h.key("k", "x")
	if h.m.confirm == nil || !strings.Contains(plain(h), "Abort build #112?") {
		t.Fatalf("no confirm:\n%s", plain(h))
	}
	h.key("n")
	if len(pay.stopped) != 0 {
		t.Fatal("aborted after n")
	}
	h.key("x", "y")
	if len(pay.stopped) != 1 || pay.stopped[0] != 112 {
		t.Fatalf("stopped %v, want [112]", pay.stopped)
	}
}

func TestReadonlyHidesChanges(t *testing.T) {
	h, apis, _ := newHarness(t, Options{ReadOnly: true})
	h.start(120, 40)
	h.key("b", "x", "a", "e", "d", "B")
	if h.m.page != pageMain || h.m.confirm != nil || apis["Payments API"].n("job") != 0 {
		t.Fatalf("a read-only key acted: page=%v confirm=%v", h.m.page, h.m.confirm)
	}
	s := plain(h)
	for _, w := range []string{"b run", "x abort"} {
		if strings.Contains(s, w) {
			t.Errorf("help bar shows %q in read-only mode", w)
		}
	}
	h.key("?")
	if s := plain(h); strings.Contains(s, "B         re-run") || strings.Contains(s, "d         delete") || !strings.Contains(s, "f         filter") {
		t.Fatalf("help lists write keys in read-only mode:\n%s", s)
	}
}

type fakeBrowser struct {
	opened []string
	can    bool
}

func (b *fakeBrowser) Open(ctx context.Context, u string) (bool, error) {
	if !b.can {
		return false, nil
	}
	b.opened = append(b.opened, u)
	return true, nil
}

func TestOpenOnlyServerURLs(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	br := &fakeBrowser{can: true}
	h.m.deps.Browser = br
	apis["Payments API"].builds[1].URL = "javascript:alert(1)"
	apis["Payments API"].builds[2].URL = "http://evil.test/job/x/110/"
	h.start(80, 24)
	h.key("o")
	if len(br.opened) != 1 || br.opened[0] != "http://jenkins.test/job/payments/job/api-tests/112/" {
		t.Fatalf("opened %v", br.opened)
	}
	h.key("j", "o", "j", "o")
	if len(br.opened) != 1 {
		t.Fatalf("opened a foreign URL: %v", br.opened)
	}
	if !strings.Contains(plain(h), "not opening") {
		t.Fatalf("no refusal shown:\n%s", plain(h))
	}
	// no display: the URL is shown instead
	br.can = false
	h.key("g", "o")
	if !strings.Contains(plain(h), "open: http://jenkins.test/job/payments/job/api-tests/112/") {
		t.Fatalf("URL not shown when no browser:\n%s", plain(h))
	}
}

func TestCopyURL(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("j", "y")
	if h.clipboard != "http://jenkins.test/job/payments/job/api-tests/111/" {
		t.Fatalf("clipboard %q", h.clipboard)
	}
}

func TestLogFollowsAndSearches(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	pay := apis["Payments API"]
	pay.logs = map[int][]string{112: {"line one\r\nline t", "wo\r\n", "ERROR: boom\r\nlast\r\n"}}
	h.start(80, 24)
	h.key("c")
	if s := plain(h); !strings.Contains(s, "line one") || strings.Contains(s, "line two") {
		t.Fatalf("first chunk:\n%s", s)
	}
	h.fire(isTick[logTickMsg])
	h.fire(isTick[logTickMsg])
	s := plain(h)
	if !strings.Contains(s, "line two") || !strings.Contains(s, "ERROR: boom") || !strings.Contains(s, "end of log") {
		t.Fatalf("log not followed:\n%s", s)
	}
	if n := h.fire(isTick[logTickMsg]); n != 0 {
		t.Fatalf("log polled after its end (%d)", n)
	}
	h.key("/")
	h.typeText("boom")
	h.key("enter")
	if !strings.Contains(plain(h), "/boom · 1/1") {
		t.Fatalf("search:\n%s", plain(h))
	}
	h.key("esc")
	if h.m.page != pageMain {
		t.Fatal("esc did not leave the log")
	}
}

type fakeChecker struct{ fail string }

func (c fakeChecker) Check(ctx context.Context, in config.Integration, step func(CheckStep)) error {
	for _, n := range []string{"reach", "TLS", "auth", "job", "build permission"} {
		if n == c.fail {
			step(CheckStep{Name: n, Detail: "401 Unauthorized"})
			return nil
		}
		step(CheckStep{Name: n, OK: true})
	}
	return nil
}

func TestAddIntegrationRunsCheckFirst(t *testing.T) {
	h, apis, st := newHarness(t, Options{})
	h.m.deps.Checker = fakeChecker{fail: "auth"}
	apis["Users API"] = &fakeAPI{base: "https://ci.test"}
	h.start(120, 40)
	h.key("a")
	h.typeText("Users API")
	h.key("tab")
	h.typeText("https://ci.test")
	h.key("tab")
	h.typeText("bob")
	h.key("tab")
	h.typeText("tok")
	h.key("tab")
	h.typeText("users/main")
	h.key("enter")
	s := plain(h)
	if !strings.Contains(s, "✔ reach") || !strings.Contains(s, "✘ auth  401 Unauthorized") || !strings.Contains(s, "not saved") {
		t.Fatalf("failed check:\n%s", s)
	}
	if !strings.Contains(s, "API token    •••") || strings.Contains(s, "•tok") || strings.Contains(s, "token    tok") {
		t.Fatalf("token not masked:\n%s", s)
	}
	if len(st.ints) != 0 {
		t.Fatal("saved despite a failed check")
	}
	h.m.deps.Checker = fakeChecker{}
	h.key("enter")
	if len(st.ints) != 1 || st.ints[0].Token.Reveal() != "tok" || st.ints[0].Job != "users/main" {
		t.Fatalf("saved %+v", st.ints)
	}
	if h.m.page != pageMain || h.m.cur().cfg.Nickname != "Users API" {
		t.Fatalf("not back on the new integration: page %v", h.m.page)
	}
	// delete asks first
	h.key("d")
	if h.m.confirm == nil {
		t.Fatal("no confirm on delete")
	}
	h.key("y")
	if len(st.ints) != 0 || h.m.find("Users API") != nil {
		t.Fatal("not deleted")
	}
}

func TestTooSmallAndResize(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(50, 10)
	if !strings.Contains(plain(h), "too small") {
		t.Fatal("no too-small message")
	}
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	if s := plain(h); !strings.Contains(s, "#112") || strings.Contains(s, "too small") {
		t.Fatalf("after resize:\n%s", s)
	}
	if lines := strings.Split(h.screen(), "\n"); len(lines) != 30 {
		t.Fatalf("%d lines at height 30", len(lines))
	}
}

func TestQueuedItemsShow(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	apis["Payments API"].queue = []jenkins.QueueItem{{ID: 77, Why: "Waiting for next available executor", InQueueSince: t0.Add(-30 * time.Second)}}
	h.start(80, 24)
	s := plain(h)
	if !strings.Contains(s, "… queued") || !strings.Contains(s, "waits 30s") || !strings.Contains(s, "Waiting for next") || !strings.Contains(s, "Queued 1") {
		t.Fatalf("queue item:\n%s", s)
	}
}

// A client that cannot be made (token variable unset) is shown, not retried.
func TestConnectErrorShown(t *testing.T) {
	h, _, _ := newHarness(t, Options{Integrations: []config.Integration{{Nickname: "Nope", URL: "http://x.test", Job: "j", Source: "config"}}})
	h.start(100, 30)
	s := plain(h)
	if !strings.Contains(s, "no token for Nope: set JENKINS_TOKEN") {
		t.Fatalf("connect error not shown:\n%s", s)
	}
	if strings.Contains(s, "no builds yet") || !strings.Contains(s, "could not load the builds:") {
		t.Fatalf("a job never read is not one without builds:\n%s", s)
	}
	if n := len(timersOf[pollTickMsg](h)); n != 0 {
		t.Fatalf("%d polls armed for an integration without a client", n)
	}
}

type fakeSnippets struct{}

func (fakeSnippets) Snippet(o SnippetOptions) (string, error) {
	if o.Collection == "" {
		return "", errors.New("collection: required")
	}
	return "stage('API tests') {\n  // " + o.Tool + " " + o.Collection + " on " + o.OS + "\n}\n", nil
}

func TestSnippetViewCopies(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.m.deps.Snippets = fakeSnippets{}
	h.start(80, 24)
	h.key("p", "right") // newman
	if s := plain(h); !strings.Contains(s, "// newman collections/api.postman_collection.json on linux") {
		t.Fatalf("snippet:\n%s", s)
	}
	h.key("y")
	if !strings.HasPrefix(h.clipboard, "stage('API tests')") {
		t.Fatalf("clipboard %q", h.clipboard)
	}
	h.key("tab") // the collection field: y now types
	h.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	if s := plain(h); !strings.Contains(s, "collection: required") {
		t.Fatalf("error not shown:\n%s", s)
	}
}

// The spinner shows only for a request slower than one spin interval, so a
// quick poll does not redraw the header.
func TestSpinnerOnlyForSlowRequests(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.fire(isTick[spinTickMsg])
	before := plain(h)
	h.hold = true // the probe is in flight until released
	h.key("r")
	if strings.ContainsAny(strings.SplitN(plain(h), "\n", 2)[0], strings.Join(spinnerFrames, "")) {
		t.Fatal("spinner shown before a spin interval passed")
	}
	h.send(spinTickMsg{})
	if !strings.ContainsAny(strings.SplitN(plain(h), "\n", 2)[0], strings.Join(spinnerFrames, "")) {
		t.Fatalf("no spinner for a slow request:\n%s", plain(h))
	}
	h.hold = false
	h.settle()
	h.fire(isTick[spinTickMsg])
	h.fire(isTick[toastClearMsg])
	if got := plain(h); got != before {
		t.Fatalf("screen changed after a quick poll:\n%s\nwas:\n%s", got, before)
	}
}

// Cold start: the integration on screen is asked first; the others wait for
// its first data. Its first data costs two requests (probe, list).
func TestColdStartAsksScreenFirst(t *testing.T) {
	apis, st := newFakes()
	h := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }}, Options{Integrations: []config.Integration{payments(), orders()}})
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.hold = true
	h.run(h.m.Init())
	h.hold = false
	// the engine's store reads, in the order of the integrations; the other
	// integration's answers first
	if len(h.work) != 2 {
		t.Fatalf("%d pieces of IO queued at start, want the two store reads", len(h.work))
	}
	payRead, orderRead := h.work[0], h.work[1]
	h.work = nil
	orderRead()
	h.settle()
	if n := apis["Orders API"].n("probe"); n != 0 {
		t.Fatalf("background integration polled before the one on screen (%d)", n)
	}
	payRead()
	h.settle()
	pay := apis["Payments API"]
	if pay.n("probe")+pay.n("builds")+pay.n("jobqueue") != 2 {
		t.Fatalf("first data took %v requests, want 2", pay.calls)
	}
	if apis["Orders API"].n("probe") != 1 {
		t.Fatal("background integration not polled after the first data")
	}
}

// On a narrow screen the integrations strip scrolls to keep the selection visible.
func TestNarrowStripShowsSelection(t *testing.T) {
	var ints []config.Integration
	for _, n := range []string{"Alpha service API", "Bravo service API", "Charlie service API", "Delta service API", "Echo service API", "Foxtrot service API"} {
		ints = append(ints, config.Integration{Nickname: n, URL: "http://x.test", Job: "j", Source: "config"})
	}
	h, _, _ := newHarness(t, Options{Integrations: ints})
	h.start(80, 24)
	h.key("tab", "G")
	line := strings.Split(plain(h), "\n")[1]
	if !strings.Contains(line, "[Foxtrot service API]") {
		t.Fatalf("selection not visible: %q", line)
	}
}

// Off the builds screen no elapsed time is shown, so the clock stops.
func TestClockStopsOffTheBuildsScreen(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("?")
	h.fire(isTick[clockTickMsg])
	if n := len(timersOf[clockTickMsg](h)); n != 0 {
		t.Fatalf("clock still ticking behind the help screen (%d)", n)
	}
	h.key("?")
	if n := len(timersOf[clockTickMsg](h)); n != 1 {
		t.Fatalf("clock not restarted on the builds screen (%d)", n)
	}
}

func TestEditKeepsTokenWhenLeftEmpty(t *testing.T) {
	h, apis, st := newHarness(t, Options{})
	stored := config.Integration{Nickname: "Users API", URL: "https://ci.test", Username: "bob", Token: config.NewSecret("tok"), Job: "users/main", Source: "store"}
	st.ints = []config.Integration{stored}
	apis["Users API"] = &fakeAPI{base: "https://ci.test"}
	h.m.deps.Checker = fakeChecker{}
	h.start(120, 40)
	h.key("tab", "G", "e")
	if h.m.intForm == nil || h.m.intForm.editing != "Users API" {
		t.Fatalf("edit form not open: %+v", h.m.intForm)
	}
	for i := 0; i < 4; i++ {
		h.key("tab")
	}
	h.key("backspace", "backspace", "backspace", "backspace")
	h.typeText("next")
	h.key("enter")
	if len(st.ints) != 1 || st.ints[0].Job != "users/next" || st.ints[0].Token.Reveal() != "tok" {
		t.Fatalf("saved %+v (token kept: %v)", st.ints, len(st.ints) == 1 && st.ints[0].Token.Reveal() == "tok")
	}
	// integrations from the config file cannot be edited here
	h.key("g", "e")
	if h.m.intForm != nil || !strings.Contains(plain(h), "comes from the config file") {
		t.Fatalf("config integration opened for edit:\n%s", plain(h))
	}
}

func TestLogSearchHighlightsEveryMatch(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	apis["Payments API"].logs = map[int][]string{111: {"one Error here\r\ntwo\r\nthree error there\r\n"}}
	h.start(80, 24)
	h.key("j", "c", "/")
	h.typeText("error")
	h.key("enter")
	s := h.screen()
	if !strings.Contains(s, "\x1b[1;7mone Error here") || !strings.Contains(s, "three \x1b[1;7merror\x1b[m there") {
		t.Fatalf("matches not highlighted: %q", s)
	}
	h.key("n")
	if s := h.screen(); !strings.Contains(s, "one \x1b[1;7mError\x1b[m here") {
		t.Fatalf("n did not move to the next match: %q", s)
	}
}

// An old running build shows minutes only: the clock wakes once a minute,
// at the moment the text changes.
func TestClockWakesWhenTheTextChanges(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	apis["Payments API"].builds[0].Started = t0.Add(-(16*time.Minute + 20*time.Second))
	h.start(80, 24)
	cl := timersOf[clockTickMsg](h)
	if len(cl) != 1 || cl[0].d != 40*time.Second {
		t.Fatalf("clock timers %v, want one of 40s", cl)
	}
}

// Results that failed to load in an earlier session (network) are asked again.
func TestFailedResultsRetried(t *testing.T) {
	h, apis, st := newHarness(t, Options{})
	pay := apis["Payments API"]
	pay.builds = pay.builds[1:2] // #111 only
	st.builds["Payments API"] = []BuildRecord{{Build: pay.builds[0], ResultsState: ResultsFailed, ResultsWhy: "connection reset"}}
	h.start(80, 24)
	if st.fetches != 1 {
		t.Fatalf("%d fetches, want the failed one retried once", st.fetches)
	}
	if _, r := h.m.cur().record(111); r == nil || r.ResultsState != ResultsOK || r.Collections == nil {
		t.Fatalf("results not loaded on retry: %+v", r)
	}
}

// The log records what went wrong, never a token.
func TestLogRecordsFailuresNotTokens(t *testing.T) {
	var buf bytes.Buffer
	in := payments()
	in.Token = config.NewSecret("tok-s3cret-value")
	apis, st := newFakes()
	h := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }, Log: slog.New(slog.NewTextHandler(&buf, nil))},
		Options{Integrations: []config.Integration{in}})
	apis["Payments API"].setErr(errors.New("401 Unauthorized"))
	h.start(80, 24)
	out := buf.String()
	if !strings.Contains(out, "poll failed") || !strings.Contains(out, `integration="Payments API"`) || !strings.Contains(out, "401 Unauthorized") {
		t.Fatalf("log: %s", out)
	}
	if strings.Contains(out, "tok-s3cret") {
		t.Fatal("token in the log")
	}
}

// The wide integrations panel scrolls to keep the selection visible.
func TestPanelScrollsToSelection(t *testing.T) {
	var ints []config.Integration
	for i := 0; i < 30; i++ {
		ints = append(ints, config.Integration{Nickname: "Service " + itoa(i), URL: "http://x.test", Job: "j" + itoa(i), Source: "config"})
	}
	h, _, _ := newHarness(t, Options{Integrations: ints})
	h.start(120, 24)
	h.key("tab", "G")
	if s := plain(h); !strings.Contains(s, "Service 29") {
		t.Fatalf("selection not visible:\n%s", s)
	}
}

// A start-up notice (store moved aside, config warnings) is on screen until
// the next message replaces it.
func TestStartupNoticeShown(t *testing.T) {
	apis, st := newFakes()
	notice := "the store /tmp/x.db was unreadable; it was moved aside to /tmp/x.db.unreadable-20261127T150000Z and a new one started"
	m := New(Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }},
		Options{Integrations: []config.Integration{payments()}, Notice: notice})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
	screen := ansi.Strip(mm.View().Content)
	if !strings.Contains(screen, "the store /tmp/x.db was unreadable") {
		t.Fatalf("notice not shown:\n%s", screen)
	}
	m2 := New(Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }},
		Options{Integrations: []config.Integration{payments()}})
	mm2, _ := m2.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
	if strings.Contains(ansi.Strip(mm2.View().Content), "unreadable") {
		t.Fatalf("notice shown without one")
	}
}

// Reaching the end of the list reads the next page of older builds from
// Jenkins once, merges it and stores it; at the true end it stops asking.
func TestOlderBuildsAtTheEnd(t *testing.T) {
	h, apis, st := newHarness(t, Options{Limit: 5})
	h.start(120, 40)
	api := apis["Payments API"]
	if got := h.m.cur().records; len(got) != 5 {
		t.Fatalf("first poll: %d builds, want 5", len(got))
	}
	if h.m.focus != focusBuilds {
		t.Fatalf("the builds panel should have focus at start")
	}
	if s := plain(h); !strings.Contains(s, "All 5+ ·") {
		t.Fatalf("with older builds still in Jenkins the bar should say All 5+:\n%s", s)
	}
	saved := st.saved
	h.key("G")
	if s := plain(h); !strings.Contains(s, "All 8 ·") {
		t.Fatalf("all builds read: the bar should say All 8:\n%s", s)
	}
	if n := api.n("range"); n != 1 {
		t.Fatalf("older page requests after G: %d, want 1", n)
	}
	recs := h.m.cur().records
	if len(recs) != 8 || recs[len(recs)-1].Number != 105 {
		t.Fatalf("after the older page: %d builds, oldest #%d", len(recs), recs[len(recs)-1].Number)
	}
	if !strings.Contains(plain(h), "3 older builds loaded") || !strings.Contains(plain(h), "#105") {
		t.Fatalf("screen after loading older builds:\n%s", plain(h))
	}
	if st.saved != saved+1 {
		t.Errorf("older builds not saved to the store: %d saves, want %d", st.saved, saved+1)
	}
	h.key("G", "j", "k", "G")
	if n := api.n("range"); n != 1 {
		t.Errorf("asked again at the true end: %d requests", n)
	}
}

// Wide (CJK, emoji) and combining characters in server text keep every
// line inside the screen at every size, through a series of resizes, with
// a build expanded and the detail line showing them.
func TestWideTextAlignsAcrossResizes(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	api := apis["Payments API"]
	api.mu.Lock()
	api.builds[1].Causes = []jenkins.Cause{{Description: "由用户 山田太郎 启动 👍🏽 e\u0301cole ✅"}}
	api.builds[1].Params = []jenkins.Param{{Name: "環境", Value: "ステージング"}, {Name: "NOTE", Value: "Zu\u0308rich ⚡"}}
	api.mu.Unlock()
	h.start(120, 40)
	h.key("j", "enter")
	for _, sz := range [][2]int{{120, 40}, {80, 24}, {72, 18}, {200, 50}, {81, 25}, {99, 31}, {80, 24}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		screen := h.screen()
		lines := strings.Split(screen, "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > sz[0] {
				t.Errorf("%dx%d: line %d is %d cells: %q", sz[0], sz[1], i+1, w, ansi.Strip(l))
			}
		}
		if !strings.Contains(ansi.Strip(screen), "由用户") {
			t.Errorf("%dx%d: the wide cause is not on screen:\n%s", sz[0], sz[1], ansi.Strip(screen))
		}
	}
}

// The integration on screen, the status filter and the expanded rows are
// kept in the store and restored at the next start.
func TestDashboardStateKeptAcrossRuns(t *testing.T) {
	h, _, st := newHarness(t, Options{})
	h.start(120, 40)
	h.key("tab", "j", "tab") // Orders API, back to its builds
	if h.m.cur().cfg.Nickname != "Orders API" {
		t.Fatalf("on %q", h.m.cur().cfg.Nickname)
	}
	h.key("f") // Success
	h.key("enter")
	saved := st.state[stateKey]
	var ds dashState
	if err := json.Unmarshal([]byte(saved), &ds); err != nil {
		t.Fatalf("state %q: %v", saved, err)
	}
	if ds.Integration != "Orders API" || ds.Filter != string(filterStatuses[1]) || len(ds.Expanded) != 1 {
		t.Fatalf("saved state %+v", ds)
	}

	h2, _, st2 := newHarness(t, Options{})
	st2.state = map[string]string{stateKey: saved}
	h2.start(120, 40)
	if h2.m.cur().cfg.Nickname != "Orders API" || h2.m.table.filter != 1 || !h2.m.table.expanded[ds.Expanded[0]] {
		t.Fatalf("restored: integration %q filter %d expanded %v", h2.m.cur().cfg.Nickname, h2.m.table.filter, h2.m.table.expanded)
	}
	if !strings.Contains(plain(h2), "Orders API") {
		t.Fatalf("screen:\n%s", plain(h2))
	}

	// a state naming an integration that no longer exists starts on the first
	h3, _, st3 := newHarness(t, Options{})
	st3.state = map[string]string{stateKey: `{"integration":"Gone API","filter":"failure"}`}
	h3.start(120, 40)
	if h3.m.cur().cfg.Nickname != "Payments API" || h3.m.table.filter != 0 || h3.m.restore != nil {
		t.Fatalf("stale state: integration %q filter %d", h3.m.cur().cfg.Nickname, h3.m.table.filter)
	}
	// and garbage is ignored
	h4, _, st4 := newHarness(t, Options{})
	st4.state = map[string]string{stateKey: `{not json`}
	h4.start(80, 24)
	if h4.m.cur() == nil || h4.m.table.filter != 0 {
		t.Fatal("garbage state broke the start")
	}
}

// While a log search is typed, j, k, g and G go into the query, so the hint
// bar must not offer them as movement keys.
func TestLogSearchHintBarWhileTyping(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	apis["Payments API"].logs = map[int][]string{112: {"line one\r\nERROR: boom\r\n"}}
	h.start(80, 24)
	h.key("c")
	h.key("/")
	h.typeText("jk")
	lines := strings.Split(plain(h), "\n")
	bar := lines[len(lines)-1]
	if !strings.Contains(bar, "enter submit") || !strings.Contains(bar, "esc back") || strings.Contains(bar, "down") || strings.Contains(bar, "bottom") {
		t.Fatalf("hint bar while typing a search: %q", bar)
	}
	if !strings.Contains(lines[len(lines)-2], "/jk") {
		t.Fatalf("query line: %q", lines[len(lines)-2])
	}
	h.key("enter")
	lines = strings.Split(plain(h), "\n")
	if bar := lines[len(lines)-1]; !strings.Contains(bar, "↓/j down") {
		t.Fatalf("hint bar after the search: %q", bar)
	}
}

// longChecker reports the ten steps of `jeeves check`, auth failing with a
// verdict long enough to wrap, as the real check does.
type longChecker struct{}

func (longChecker) Check(ctx context.Context, in config.Integration, step func(CheckStep)) error {
	for _, n := range []string{"config", "proxy", "dns", "connect", "tls"} {
		step(CheckStep{Name: n, OK: true, Detail: "fine"})
	}
	step(CheckStep{Name: "auth", Detail: "401: Jenkins rejected the credentials of \"bob\" (a 401 means the username or token is wrong, not a missing permission); fix: check username, and make a new API token in Jenkins (your name > Security > API Token); a password is not an API token"})
	for _, n := range []string{"version", "job", "build", "crumb"} {
		step(CheckStep{Name: n, Skip: true, Detail: "not checked: Jenkins did not accept the request"})
	}
	return nil
}

// At 80x24 a failed connection test still says it did not save.
func TestIntegrationFormNotSavedVisibleAt80x24(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.m.deps.Checker = longChecker{}
	h.start(80, 24)
	h.key("a")
	for _, v := range []string{"Users API", "https://ci.test", "bob", "tok"} {
		h.typeText(v)
		h.key("tab")
	}
	h.typeText("users/main")
	h.key("enter")
	s := plain(h)
	if !strings.Contains(s, "not saved: fix the failed step") || !strings.Contains(s, "✘ auth") || !strings.Contains(s, "– crumb") {
		t.Fatalf("failed check at 80x24:\n%s", s)
	}
	if n := len(strings.Split(h.screen(), "\n")); n != 24 {
		t.Fatalf("%d lines", n)
	}
}

type longSnippets struct{}

func (longSnippets) Snippet(o SnippetOptions) (string, error) {
	var b strings.Builder
	for i := 1; i <= 60; i++ {
		b.WriteString("line " + itoa(100 + i)[1:] + "\n")
	}
	return b.String(), nil
}

// pgdn/pgup in the snippet move a page, stop at its end, and come straight
// back; the hint bar offers y and space only where they act (not on a text
// field, where they are typed).
func TestSnippetPagesAndHonestHints(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.m.deps.Snippets = longSnippets{}
	h.start(80, 24)
	h.key("p")
	lines := strings.Split(plain(h), "\n")
	if lines[8] != "line 01" || !strings.Contains(lines[23], "y copy snippet") {
		t.Fatalf("first page:\n%s", plain(h))
	}
	h.key("pgdown")
	if lines = strings.Split(plain(h), "\n"); lines[8] != "line 15" {
		t.Fatalf("after pgdn the first line is %q, want line 15:\n%s", lines[8], plain(h))
	}
	for range 10 {
		h.key("pgdown")
	}
	if lines = strings.Split(plain(h), "\n"); lines[8] != "line 47" || lines[21] != "line 60" {
		t.Fatalf("at the end:\n%s", plain(h))
	}
	h.key("pgup")
	if lines = strings.Split(plain(h), "\n"); lines[8] != "line 33" {
		t.Fatalf("one pgup back from the end shows %q, want line 33", lines[8])
	}
	h.key("tab") // the collection field
	bar := strings.Split(plain(h), "\n")[23]
	if strings.Contains(bar, "copy") || strings.Contains(bar, "toggle") || !strings.Contains(bar, "esc back") {
		t.Fatalf("hint bar on a text field: %q", bar)
	}
}

// A collection with a skipped assertion: the table's "5/5" (none failed) and
// the expanded line must not give two different passed/total fractions.
func TestSkippedAssertionNumbersAgree(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	res := failedResults()
	c := &res.Collections[0]
	c.Assertions = report.Counts{Total: 5, Skipped: 1}
	c.Requests.Failed = 0
	apis["Payments API"].results[110] = res
	h.start(120, 40)
	h.key("j", "j", "enter") // #110
	s := plain(h)
	if !strings.Contains(s, "5 assertions: 4 passed, 1 skipped") {
		t.Fatalf("expanded collection:\n%s", s)
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "#110   ✔") && !strings.Contains(l, "5/5") {
			t.Fatalf("table row: %q", l)
		}
		if strings.Contains(l, "Payments · newman") && strings.Contains(l, "/5") {
			t.Fatalf("a second fraction beside the table's: %q", l)
		}
	}
}

// Jenkins's refusal to start a build ends with what to do; at 80 columns it
// is wrapped, not cut before that advice.
func TestRunFormErrorWrapped(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("b")
	apis["Payments API"].err = errors.New(`start a build of "payments/api-tests" on http://jenkins.test: user "viewer" may not do this (HTTP 403 "Access Denied [Jenkins]"); ask a Jenkins admin for the permission`)
	h.key("enter", "y")
	s := plain(h)
	if !strings.Contains(s, "trigger failed: start a build") || !strings.Contains(s, "ask a Jenkins admin for the permission") {
		t.Fatalf("trigger error at 80x24:\n%s", s)
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "…") {
			t.Fatalf("cut line %q", l)
		}
	}
}

// After a failed trigger (a network blip, a permission since granted) enter
// asks again and sends it; the old error goes.
func TestRunFormRetriesAfterFailedTrigger(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	pay := apis["Payments API"]
	h.start(80, 24)
	h.key("b")
	pay.err = errors.New("connection to jenkins.test refused")
	h.key("enter", "y")
	if !strings.Contains(plain(h), "trigger failed") {
		t.Fatalf("no failure shown:\n%s", plain(h))
	}
	pay.err = nil
	h.key("enter")
	if h.m.confirm == nil {
		t.Fatalf("enter after a failed trigger did nothing:\n%s", plain(h))
	}
	h.key("y")
	if len(pay.triggers) != 1 || strings.Contains(plain(h), "trigger failed") {
		t.Fatalf("retry: %d triggers sent\n%s", len(pay.triggers), plain(h))
	}
}

// A job without parameters has no fields to move between or toggle.
func TestRunFormWithoutParametersHints(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	apis["Orders API"].job = jenkins.Job{FullName: "orders/main", Buildable: true}
	h.start(80, 24)
	h.key("tab", "j", "enter", "b") // Orders API
	s := plain(h)
	lines := strings.Split(s, "\n")
	bar := lines[len(lines)-1]
	if !strings.Contains(s, "This job has no parameters.") || strings.Contains(bar, "next field") || strings.Contains(bar, "toggle") || !strings.Contains(bar, "enter submit") {
		t.Fatalf("run form of a job without parameters:\n%s", s)
	}
}

// f skips statuses no build has (the filter bar does not show them), and
// comes back to All after the last one with builds.
func TestFilterSkipsEmptyStatuses(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(120, 40)
	h.key("tab", "j", "enter") // Orders API: one successful build
	if h.m.cur().cfg.Nickname != "Orders API" {
		t.Fatalf("on %s", h.m.cur().cfg.Nickname)
	}
	h.key("f")
	if s := plain(h); !strings.Contains(s, "#7 ") || strings.Contains(s, "no builds match") {
		t.Fatalf("first f on a job with only successes:\n%s", s)
	}
	if filterStatuses[h.m.table.filter] != jenkins.StatusSuccess {
		t.Fatalf("filter %q, want success", filterStatuses[h.m.table.filter])
	}
	h.key("f")
	if h.m.table.filter != 0 {
		t.Fatalf("second f: filter %q, want All", filterStatuses[h.m.table.filter])
	}
}

// A search that matches nothing says how to undo it: esc, not F (which only
// resets the status filter and leaves the search).
func TestEmptySearchSaysHowToClear(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("/")
	h.typeText("zzz")
	h.key("enter")
	if s := plain(h); !strings.Contains(s, "no builds match /zzz (esc clears the search)") {
		t.Fatalf("empty search:\n%s", s)
	}
	h.key("f")
	if s := plain(h); !strings.Contains(s, "no builds match the filter and /zzz (F: all statuses, esc: clear the search)") {
		t.Fatalf("empty search and filter:\n%s", s)
	}
	h.key("esc")
	if s := plain(h); !strings.Contains(s, "#110") || strings.Contains(s, "no builds match") {
		t.Fatalf("after esc (success filter, no search):\n%s", s)
	}
	h.key("/")
	h.typeText("zzz")
	h.key("enter", "F")
	if s := plain(h); !strings.Contains(s, "no builds match /zzz") {
		t.Fatalf("F left the search, and the message must still say so:\n%s", s)
	}
}

// A job Jenkins will not build: the form says so and offers only esc, since
// enter does nothing there.
func TestRunFormNotBuildableOffersOnlyEsc(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	apis["Payments API"].job.Buildable = false
	h.start(80, 24)
	h.key("b")
	s := plain(h)
	lines := strings.Split(s, "\n")
	if bar := lines[len(lines)-1]; !strings.Contains(s, "the job is disabled or not buildable") || strings.Contains(bar, "enter") || !strings.Contains(bar, "esc back") {
		t.Fatalf("not buildable:\n%s", s)
	}
	h.key("enter")
	if h.m.confirm != nil {
		t.Fatal("enter asked to run a job that cannot be built")
	}
}

// In the integration form enter moves field by field and tests and saves
// only on the last one; the hint bar says which.
func TestIntegrationFormHintFollowsEnter(t *testing.T) {
	h, _, _ := newHarness(t, Options{})
	h.m.deps.Checker = fakeChecker{}
	h.start(80, 24)
	h.key("a")
	bar := func() string { l := strings.Split(plain(h), "\n"); return l[len(l)-1] }
	if b := bar(); strings.Contains(b, "test & save") || !strings.Contains(b, "next field") {
		t.Fatalf("on the first field: %q", b)
	}
	h.key("enter")
	if h.m.intForm.focus != ifURL {
		t.Fatalf("enter on the nickname moved to field %d", h.m.intForm.focus)
	}
	h.key("tab", "tab", "tab")
	if b := bar(); !strings.Contains(b, "enter test & save") {
		t.Fatalf("on the last field: %q", b)
	}
}

// On a queued item, the keys that act on a build say why they cannot,
// instead of doing nothing.
func TestBuildKeysOnQueuedItemSayWhy(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	apis["Payments API"].queue = []jenkins.QueueItem{{ID: 77, Why: "Waiting for next available executor", InQueueSince: t0.Add(-30 * time.Second)}}
	h.start(80, 24)
	if h.m.table.rows[h.m.table.cursor].kind != rowQueue {
		h.key("g")
	}
	if h.m.table.rows[h.m.table.cursor].kind != rowQueue {
		t.Fatal("cursor not on the queued item")
	}
	for _, k := range []string{"c", "y", "o", "B"} {
		h.m.toast = ""
		h.key(k)
		if h.m.page != pageMain || !strings.Contains(plain(h), "still queued: no build yet") {
			t.Fatalf("%s on a queued item:\n%s", k, plain(h))
		}
	}
	if h.clipboard != "" {
		t.Fatalf("copied %q", h.clipboard)
	}
}

// A job Jenkins says does not exist (or a refused token) is an error, not
// "offline": the server answered. A refused connection is offline.
func TestJenkinsRefusalIsErrorNotOffline(t *testing.T) {
	h, apis, _ := newHarness(t, Options{Refresh: 15 * time.Second})
	h.start(120, 40)
	pay := apis["Payments API"]
	pay.setErr(&jenkins.Error{Kind: jenkins.ErrorNotFound, Op: `poll job "payments/api-tests"`, Status: 404, What: `job "payments/api-tests" was not found`})
	h.fire(func(m tea.Msg) bool { return isTick[pollTickMsg](m) && m.(pollTickMsg).nick == "Payments API" })
	s := plain(h)
	header := strings.Split(s, "\n")[0]
	if strings.Contains(s, "offline") || !strings.HasSuffix(strings.TrimSpace(header), "error · data just now") || !strings.Contains(s, "Payments API   error") {
		t.Fatalf("404 shown as:\n%s", s)
	}
	pay.setErr(errors.New("connection refused"))
	h.fire(func(m tea.Msg) bool { return isTick[pollTickMsg](m) && m.(pollTickMsg).nick == "Payments API" })
	if s := plain(h); !strings.Contains(s, "offline") {
		t.Fatalf("refused connection shown as:\n%s", s)
	}
}

// A job never read shows Jenkins's whole error, wrapped, with its advice at
// the end, where the one-line status line cuts it at 80 columns.
func TestNeverLoadedShowsWholeError(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	apis["Payments API"].setErr(&jenkins.Error{Kind: jenkins.ErrorNotFound, Op: `poll job "nope/nothing"`, Server: "http://127.0.0.1:28471", Status: 404,
		What: `job "nope/nothing" was not found`, Hint: "check the job's full name in the config"})
	h.start(80, 24)
	s := plain(h)
	if !strings.Contains(s, "could not load the builds:") || !strings.Contains(s, "check the job's full name in the config") || strings.Contains(s, "no builds yet") {
		t.Fatalf("never-loaded job:\n%s", s)
	}
	if n := len(strings.Split(h.screen(), "\n")); n != 24 {
		t.Fatalf("%d lines", n)
	}
}

// Editing an integration to another job starts its builds over: the old
// job's builds (whose numbers collide with the new job's) neither stay on
// screen nor in the store under its nickname.
func TestEditToAnotherJobDropsOldBuilds(t *testing.T) {
	h, apis, st := newHarness(t, Options{})
	st.ints = []config.Integration{{Nickname: "Users API", URL: "https://ci.test", Username: "bob", Token: config.NewSecret("tok"), Job: "users/main", Source: "store"}}
	users := &fakeAPI{base: "https://ci.test", builds: []jenkins.Build{
		mkBuild(3, jenkins.StatusFailure, time.Hour, time.Minute),
		mkBuild(2, jenkins.StatusSuccess, 2*time.Hour, time.Minute),
	}}
	apis["Users API"] = users
	h.m.deps.Checker = fakeChecker{}
	h.start(120, 40)
	h.key("tab", "G", "enter")
	if h.m.cur().cfg.Nickname != "Users API" || !strings.Contains(plain(h), "#3 ") {
		t.Fatalf("users/main not shown:\n%s", plain(h))
	}
	h.key("tab", "e")
	for i := 0; i < 4; i++ {
		h.key("tab")
	}
	h.key("backspace", "backspace", "backspace", "backspace")
	h.typeText("next")
	users.mu.Lock()
	users.builds = []jenkins.Build{mkBuild(1, jenkins.StatusSuccess, 10*time.Minute, time.Minute)}
	users.mu.Unlock()
	h.key("enter")
	if h.m.page != pageMain || h.m.cur().cfg.Job != "users/next" {
		t.Fatalf("not saved: page %v", h.m.page)
	}
	s := plain(h)
	if !strings.Contains(s, "#1 ") || strings.Contains(s, "#3 ") || strings.Contains(s, "#2 ") || !strings.Contains(s, "All 1 ") {
		t.Fatalf("after pointing Users API at users/next:\n%s", s)
	}
	for _, r := range st.builds["Users API"] {
		if r.Number != 1 {
			t.Fatalf("the store still has users/main's #%d under Users API", r.Number)
		}
	}
}

// An abort Jenkins refuses says so in the toast with its advice, which the
// operation and server URL pushed past 80 columns.
func TestAbortRefusedToastKeepsAdvice(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	h.start(80, 24)
	h.key("x") // #112 is running
	apis["Payments API"].setErr(&jenkins.Error{Kind: jenkins.ErrorForbidden, Op: `stop build #112 of "payments/api-tests"`, Server: "http://jenkins.test",
		Status: 403, What: `user "viewer" may not do this`, Hint: "ask a Jenkins admin"})
	h.key("y")
	s := plain(h)
	if !strings.Contains(s, `abort #112 failed: user "viewer" may not do this (HTTP 403); ask a Jenkins admin`) {
		t.Fatalf("refused abort:\n%s", s)
	}
}
