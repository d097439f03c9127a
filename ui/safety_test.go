package ui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// hostile is server text that would clear the screen, set the window title,
// write the clipboard (OSC 52), reset the terminal and move the cursor.
const hostile = "evil\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1bc\x9b2J\x1bP+q\x1b\\\x1b[6n\r\x08\x00tail"

// onlySGR fails when s holds any escape sequence other than SGR, or a
// control character other than newline.
func onlySGR(t *testing.T, where, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0x1b:
			j := i + 1
			if j >= len(s) || s[j] != '[' {
				t.Fatalf("%s: non-CSI escape at %d: %q", where, i, s[i:min(len(s), i+12)])
			}
			j++
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':') {
				j++
			}
			if j >= len(s) || s[j] != 'm' {
				t.Fatalf("%s: non-SGR CSI at %d: %q", where, i, s[i:min(len(s), j+1)])
			}
			i = j
		case c == '\n':
		case c < 0x20 || c == 0x7f:
			t.Fatalf("%s: control byte %#x at %d", where, c, i)
		}
	}
	if strings.Contains(s, "\u009b") || strings.Contains(s, "pwned") || strings.Contains(s, "ZXZpbA") {
		t.Fatalf("%s: hostile payload on screen: %q", where, s)
	}
}

func hostileFakes(h *harness, apis fakeConnector) {
	pay := apis["Payments API"]
	for i := range pay.builds {
		b := &pay.builds[i]
		b.Causes = []jenkins.Cause{{Description: "by " + hostile, UserName: hostile}}
		b.Params = []jenkins.Param{{Name: "P" + hostile, Value: hostile}}
		b.DisplayName = hostile
	}
	pay.queue = []jenkins.QueueItem{{ID: 9, Why: hostile, InQueueSince: t0}}
	r := failedResults()
	r.Collections[0].Name = hostile
	r.Collections[0].Executions[1].Name = hostile
	r.Collections[0].Executions[1].Error = hostile
	r.Collections[0].Executions[1].Assertions[1].Message = hostile
	r.Governance[0].Definition = hostile
	r.Governance[0].Violations[0].Message = hostile
	r.Governance[0].Violations[0].Rule = hostile
	pay.results = map[int]report.Results{111: r}
	pay.logs = map[int][]string{111: {"\x1b[31mred\x1b[0m ok\r\n" + hostile + "\r\n"}}
	pay.job.Params[2].Description = hostile
	pay.job.Params[1].Name = hostile
}

// TestHostileTextNeverReachesTheScreen walks every screen with server text
// full of escape sequences: only the dashboard's own SGR styling remains.
func TestHostileTextNeverReachesTheScreen(t *testing.T) {
	h, apis, _ := newHarness(t, Options{})
	hostileFakes(h, apis)
	h.start(120, 40)
	onlySGR(t, "builds", h.screen())
	h.key("j") // queue row is first
	onlySGR(t, "queue row", h.screen())
	h.key("j", "enter", "j", "enter", "j", "enter")
	onlySGR(t, "expanded", h.screen())
	for i := 0; i < 8; i++ {
		h.key("j")
		onlySGR(t, "detail status line", h.screen())
	}
	h.key("g", "j", "j", "c")
	h.fire(isTick[logTickMsg])
	s := h.screen()
	onlySGR(t, "log", s)
	if !strings.Contains(s, "\x1b[31mred") {
		t.Fatalf("log colour (safe SGR) was not kept: %q", s)
	}
	h.key("esc", "b")
	onlySGR(t, "run form", h.screen())
	h.key("esc")
	apis["Payments API"].setErr(errors.New("502: " + hostile))
	h.key("r")
	onlySGR(t, "error", h.screen())
}

// syncBuf is a goroutine-safe output buffer.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestProgramOutputHasNoHostileSequences runs a real Bubble Tea program and
// checks the bytes written to the terminal.
func TestProgramOutputHasNoHostileSequences(t *testing.T) {
	apis, st := newFakes()
	hostileFakes(nil, apis)
	m := New(Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }}, Options{Integrations: []config.Integration{payments()}})
	out := &syncBuf{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(120, 40), tea.WithoutSignals(),
		tea.WithColorProfile(colorprofile.TrueColor), tea.WithContext(ctx))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "#111") {
		if time.Now().After(deadline) {
			t.Fatalf("the builds never appeared; output %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// expand the failed build and its run, open the log
	for _, k := range []string{"j", "j", "enter", "j", "enter", "j", "enter"} {
		p.Send(keyMsg(k))
	}
	time.Sleep(200 * time.Millisecond)
	p.Send(keyMsg("q"))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, bad := range []string{"pwned", "ZXZpbA", "\x1bc", "\x1bP+q", "\x1b[6n", "\u009b"} {
		if strings.Contains(s, bad) {
			t.Errorf("terminal output holds %q", bad)
		}
	}
	if !strings.Contains(s, "evil") || !strings.Contains(s, "tail") {
		t.Error("the visible part of the server text is missing")
	}
}
