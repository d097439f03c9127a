package tmuxtest

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The harness itself: a shell in tmux echoes what we type, and the output
// file sees the bytes the program wrote.
func TestTermRoundTrip(t *testing.T) {
	tm := Start(t, 80, 24, "", []string{"PS1=$ "}, "sh")
	tm.Type("echo hel''lo-tmux")
	tm.Keys("Enter")
	s := tm.WaitFor("hello-tmux", 5*time.Second)
	if !strings.Contains(s, "echo hel''lo-tmux") {
		t.Errorf("typed line not echoed: %q", s)
	}
	deadline := time.Now().Add(3 * time.Second)
	for tm.OutputBytes() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(string(tm.Output()), "hello-tmux") {
		t.Errorf("pipe-pane output lacks the echo: %q", tm.Output())
	}
	cpu, rss, err := ProcStats(os.Getpid())
	if err != nil || rss <= 0 || cpu < 0 {
		t.Errorf("ProcStats(self) = %v %d %v", cpu, rss, err)
	}
	tm.Type("exit")
	tm.Keys("Enter")
	deadline = time.Now().Add(3 * time.Second)
	for !tm.Dead() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !tm.Dead() {
		t.Errorf("shell did not exit")
	}
}
