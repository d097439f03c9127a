package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

func demoStages(api *fakeAPI) {
	api.stages = map[int][]jenkins.Stage{
		112: {
			{ID: "6", Name: "Checkout", Status: "SUCCESS", Started: t0.Add(-65 * time.Second), Duration: 9 * time.Second},
			{ID: "13", Name: "Install tools", Status: "SUCCESS", Started: t0.Add(-56 * time.Second), Duration: 16 * time.Second},
			{ID: "20", Name: "API tests", Status: "IN_PROGRESS", Started: t0.Add(-40 * time.Second), Duration: 38 * time.Second},
		},
		111: {
			{ID: "6", Name: "Checkout", Status: "SUCCESS", Started: t0.Add(-20 * time.Minute), Duration: 12 * time.Second},
			{ID: "13", Name: "Install tools", Status: "SUCCESS", Duration: 21 * time.Second},
			{ID: "20", Name: "API tests", Status: "FAILED", Duration: 90 * time.Second},
			{ID: "27", Name: "API lint", Status: "NOT_EXECUTED"},
			{ID: "34", Name: "Publish reports", Status: "NOT_EXECUTED"},
		},
	}
}

func stageHarness(t *testing.T) (*harness, *fakeAPI) {
	h, apis, _ := newHarness(t, Options{})
	pay := apis["Payments API"]
	demoStages(pay)
	return h, pay
}

// TestGoldenStages: the running build shows its current stage in the
// table; the expanded failed build lists its stages with status glyph and
// word and duration, the running one its stage's elapsed time.
func TestGoldenStages(t *testing.T) {
	for _, sz := range sizes {
		h, _ := stageHarness(t)
		h.start(sz.w, sz.h)
		h.key("enter")                 // #112, running
		h.key("j", "j", "j", "j", "j") // down to #111, below #112's stages
		h.key("enter")
		s := plain(h)
		for _, want := range []string{"▶ API tests · St", "▶ running  API tests", "40s so far", "✘ failed   API tests", "1m30s", "○ skipped  API lint"} {
			if !strings.Contains(s, want) {
				t.Fatalf("%dx%d: no %q in\n%s", sz.w, sz.h, want, s)
			}
		}
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

// A finished build's stages are asked once; a running build's again with
// the polls of the engine (each one while expanded), not with keys.
func TestStagesAskedOnceWhenFinished(t *testing.T) {
	h, pay := stageHarness(t)
	h.start(120, 40)
	h.key("j", "enter") // #111
	n := pay.n("stages")
	for range 3 {
		h.key("j", "k")
	}
	if got := pay.n("stages"); got != n {
		t.Fatalf("%d stage requests after moving around, want %d", got, n)
	}
	// a poll right after: the running #112 is not expanded, so its stages
	// wait for every other poll (StageFollowEvery); never #111's
	h.fire(isTick[pollTickMsg])
	if got := pay.n("stages"); got != n {
		t.Fatalf("%d stage requests after a poll, want %d", got, n)
	}
	// expanded, the running #112's come again with the next poll
	h.key("k", "enter")
	h.fire(isTick[pollTickMsg])
	if got := pay.n("stages"); got != n+1 {
		t.Fatalf("%d stage requests after a poll with #112 expanded, want %d", got, n+1)
	}
}

// Without wfapi (404) the expanded build says so and nothing fails.
func TestNoWfapiSaysSo(t *testing.T) {
	h, pay := stageHarness(t)
	pay.noWfapi = true
	h.start(120, 40)
	h.key("j", "enter")
	s := plain(h)
	if !strings.Contains(s, "no pipeline stages: not a Pipeline, or no Pipeline Stage View plugin (wfapi)") {
		t.Fatalf("no note:\n%s", s)
	}
	if strings.Contains(s, "read stages") {
		t.Fatalf("an error shown:\n%s", s)
	}
	if strings.Contains(s, "▶ API tests") {
		t.Fatal("a current stage without stages")
	}
}

// TestGoldenStageLog: c on a stage opens that stage's log from wfapi.
func TestGoldenStageLog(t *testing.T) {
	for _, sz := range sizes {
		h, pay := stageHarness(t)
		pay.stageLogs = map[string]jenkins.StageLog{"20": {Steps: 1, Text: []byte("+ newman run collection.json\n→ Create payment\n  POST http://api/payments [500 Internal Server Error, 120ms]\n  1. Status code is 201\n")}}
		h.start(sz.w, sz.h)
		h.key("j", "enter") // #111
		toStage(t, h, 111, 2)
		h.key("c")
		s := plain(h)
		if !strings.Contains(s, "stage API tests") || !strings.Contains(s, "1. Status code is 201") || !strings.Contains(s, "stage log (wfapi)") {
			t.Fatalf("stage log:\n%s", s)
		}
		if pay.n("log") != 0 {
			t.Fatal("the whole log was read for a stage wfapi has")
		}
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

// When wfapi cuts the stage's log, c opens the whole log with the stage's
// first line on top.
func TestStageLogCutOpensWholeLogAtStage(t *testing.T) {
	h, pay := stageHarness(t)
	pay.stageLogs = map[string]jenkins.StageLog{"20": {Steps: 1, Cut: true, Text: []byte("tail only\n")}}
	var log strings.Builder
	for i := range 200 {
		fmt.Fprintf(&log, "checkout line %d\n", i)
	}
	log.WriteString("[Pipeline] stage\n[Pipeline] { (API tests)\n+ newman run collection.json\n")
	for i := range 200 {
		fmt.Fprintf(&log, "test line %d\n", i)
	}
	pay.logs = map[int][]string{111: {log.String()}}
	h.start(100, 30)
	h.key("j", "enter")
	toStage(t, h, 111, 2)
	h.key("c")
	lines := strings.Split(plain(h), "\n")
	if !strings.Contains(lines[1], "[Pipeline] { (API tests)") {
		t.Fatalf("the stage's start is not on top:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.Contains(plain(h), "longer than wfapi returns") {
		t.Fatalf("does not say why the whole log:\n%s", plain(h))
	}
}

// TestGoldenLogTail: the log of a huge build opened at its end says what it
// did not read.
func TestGoldenLogTail(t *testing.T) {
	for _, sz := range sizes {
		h, pay := stageHarness(t)
		var tail strings.Builder
		for i := range 100 {
			fmt.Fprintf(&tail, "step %09d: processed 512 records in 3 ms, batch %d ok\n", 4999900+i, i%997)
		}
		tail.WriteString("ERROR: script returned exit code 1\nFinished: FAILURE\n")
		pay.tails = map[int]jenkins.LogTail{111: {Text: []byte(tail.String()), From: 500 << 20, NextOffset: 501 << 20, Method: jenkins.TailMultipart}}
		h.start(sz.w, sz.h)
		h.key("j", "c")
		checkGolden(t, sizeName(sz.w, sz.h), h.screen(), sz.w, sz.h)
	}
}

// The log opens at its end: a tail read of a huge log says what it did not
// read, and a search says it covered the lines kept.
func TestLogTailOfHugeLog(t *testing.T) {
	h, pay := stageHarness(t)
	var tail strings.Builder
	for i := range 500 {
		fmt.Fprintf(&tail, "step %09d: processed\n", 4999500+i)
	}
	tail.WriteString("Finished: FAILURE\n")
	pay.tails = map[int]jenkins.LogTail{111: {Text: []byte(tail.String()), From: 500 << 20, NextOffset: 501 << 20, Method: jenkins.TailMultipart}}
	h.start(100, 30)
	h.key("j", "c")
	s := plain(h)
	if !strings.Contains(s, "Finished: FAILURE") || !strings.Contains(s, "the first 500 MB not read") {
		t.Fatalf("tail view:\n%s", s)
	}
	h.key("/")
	h.typeText("step 004999600")
	h.key("enter")
	s = plain(h)
	if !strings.Contains(s, "1/1 in the last 501 lines") {
		t.Fatalf("search does not say where it looked:\n%s", s)
	}
	if pay.n("log") != 0 || pay.n("tail") != 1 {
		t.Fatalf("%d log reads, %d tail reads", pay.n("log"), pay.n("tail"))
	}
}

// A memory bound in bytes: lines beyond maxLogBytes are dropped from the
// start and counted.
func TestLogBufferByteBound(t *testing.T) {
	var b logBuffer
	line := strings.Repeat("x", 999) + "\n"
	chunk := []byte(strings.Repeat(line, 1000)) // 1 MB
	for range 40 {
		b.write(chunk)
	}
	if b.bytes > maxLogBytes || b.Len() == 0 || b.Dropped() == 0 || b.Dropped()+b.Len() != 40000 {
		t.Fatalf("%d bytes kept in %d lines, %d dropped", b.bytes, b.Len(), b.Dropped())
	}
	// an endless line is cut, not held whole
	b.write([]byte(strings.Repeat("y", 3<<20)))
	if len(b.partial) > maxLineBytes {
		t.Fatalf("partial line of %d bytes", len(b.partial))
	}
}

// toStage moves the cursor down to stage si of build num.
func toStage(t *testing.T, h *harness, num, si int) {
	t.Helper()
	for range 40 {
		if r := h.m.table.rows[h.m.table.cursor]; r.kind == rowStage && r.num == num && r.ci == si {
			return
		}
		h.key("j")
	}
	t.Fatalf("no stage %d of #%d:\n%s", si, num, plain(h))
}

// Against the simulated Jenkins through the real client: the running
// pipeline build's stage in the table, an expanded build's stages, c on a
// stage; and a freestyle job's build says it has no stages.
func TestStagesAgainstSimulator(t *testing.T) {
	srv := jenkinstest.New(jenkinstest.DemoWorld(), jenkinstest.WithAddr("127.0.0.1:0"))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	user, token := srv.Credentials()
	cl, err := jenkins.New(jenkins.Options{BaseURL: srv.URL(), Username: user, Token: config.NewSecret(token)})
	if err != nil {
		t.Fatal(err)
	}
	ins := []config.Integration{
		{Nickname: "Payments API", URL: srv.URL(), Job: "payments/api-tests", Source: "config"},
		{Nickname: "Orders API", URL: srv.URL(), Job: "orders-api", Source: "config"},
	}
	h := newHarnessWith(t, Deps{Jenkins: simConnector{cl}, Store: &memStore{saved: map[string]int{}}, Clock: time.Now}, Options{Integrations: ins})
	h.start(120, 40)
	if !regexp.MustCompile(`#130 .*▶ (Checkout|Install tools|API tests|API lint|Publish reports) · `).MatchString(plain(h)) {
		t.Fatalf("no current stage on the running build:\n%s", plain(h))
	}
	h.key("j", "enter") // #129
	if s := plain(h); !strings.Contains(s, "Publish reports") || !strings.Contains(s, "Checkout") {
		t.Fatalf("no stages:\n%s", s)
	}
	toStage(t, h, 129, 2) // API tests
	h.key("c")
	if s := plain(h); !strings.Contains(s, "stage API tests") || !strings.Contains(s, "newman") {
		t.Fatalf("stage log:\n%s", s)
	}
	h.key("esc")

	h.key("tab", "j", "tab") // Orders API, a freestyle job
	h.key("j", "enter")
	if s := plain(h); !strings.Contains(s, "no pipeline stages: not a Pipeline") {
		t.Fatalf("freestyle build:\n%s", s)
	}
}

// A running build's log opened at its end is followed from the tail's
// NextOffset with start= offsets.
func TestLogTailThenFollow(t *testing.T) {
	h, pay := stageHarness(t)
	head := "old 1\nold 2\n"
	tailText := "recent 1\nrecent 2\n"
	pay.logs = map[int][]string{112: {head + tailText, "new 1\n", "Finished: SUCCESS\n"}}
	pay.tails = map[int]jenkins.LogTail{112: {Text: []byte(tailText), From: int64(len(head)), NextOffset: int64(len(head + tailText)), More: true, Method: jenkins.TailMultipart}}
	h.start(100, 30)
	h.key("c") // #112, running
	s := plain(h)
	if !strings.Contains(s, "recent 2") || strings.Contains(s, "old 1") || !strings.Contains(s, "following") {
		t.Fatalf("tail:\n%s", s)
	}
	h.fire(isTick[logTickMsg])
	h.fire(isTick[logTickMsg])
	s = plain(h)
	if !strings.Contains(s, "new 1") || !strings.Contains(s, "Finished: SUCCESS") || strings.Contains(s, "old 1") || !strings.Contains(s, "end of log") {
		t.Fatalf("followed:\n%s", s)
	}
	if pay.n("log") != 2 || pay.n("tail") != 1 {
		t.Fatalf("%d log reads, %d tail reads", pay.n("log"), pay.n("tail"))
	}
}

// When the end cannot be found (an answer jeeves does not understand), the
// log is read from its start as before, and said nothing about.
func TestLogTailFailsReadsFromStart(t *testing.T) {
	h, pay := stageHarness(t)
	pay.tailErr = &jenkins.Error{Op: "read the end of the log", Kind: jenkins.ErrorProtocol, What: "the log answer has no X-Text-Size header"}
	pay.logs = map[int][]string{111: {"line one\nFinished: FAILURE\n"}}
	h.start(100, 30)
	h.key("j", "c")
	s := plain(h)
	if !strings.Contains(s, "line one") || !strings.Contains(s, "Finished: FAILURE") || strings.Contains(s, "error") {
		t.Fatalf("fallback:\n%s", s)
	}
	if pay.n("tail") != 1 || pay.n("log") != 1 {
		t.Fatalf("%d tail, %d log reads", pay.n("tail"), pay.n("log"))
	}
}
