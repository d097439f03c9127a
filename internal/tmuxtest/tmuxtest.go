// Package tmuxtest drives a real program in a real terminal (tmux) for
// end-to-end tests: start it at a fixed size, type keys, read the screen.
package tmuxtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Require skips the test when tmux is missing, except under CI=true where
// it fails: CI installs tmux, so a missing one is a broken CI.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("tmux is not installed (CI=true): %v", err)
		}
		t.Skip("tmux not installed; skipping the end-to-end terminal test")
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Build compiles ./cmd/jeeves once per test process and returns its path.
// root is the repository root.
func Build(t testing.TB, root string) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jeeves-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "jeeves")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/jeeves")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Term is one tmux session running one program.
type Term struct {
	t      testing.TB
	name   string
	socket string
	W, H   int
	// OutFile receives every byte the program wrote to the terminal (pipe-pane).
	OutFile string
}

// Start runs argv in a new detached tmux session of w x h cells with env
// (KEY=VALUE) and the working directory dir. The session is killed at the
// end of the test.
func Start(t testing.TB, w, h int, dir string, env []string, argv ...string) *Term {
	t.Helper()
	Require(t)
	tmp := t.TempDir()
	tm := &Term{t: t, name: fmt.Sprintf("jeeves-%d", time.Now().UnixNano()), socket: filepath.Join(tmp, "tmux.sock"), W: w, H: h,
		OutFile: filepath.Join(tmp, "out.bin")}
	var cmdline strings.Builder
	cmdline.WriteString("exec env")
	for _, e := range env {
		cmdline.WriteString(" " + shellQuote(e))
	}
	for _, a := range argv {
		cmdline.WriteString(" " + shellQuote(a))
	}
	args := []string{"-S", tm.socket, "-f", "/dev/null", "new-session", "-d", "-s", tm.name,
		"-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}
	if dir != "" {
		args = append(args, "-c", dir)
	}
	args = append(args, cmdline.String())
	tm.tmux(args...)
	tm.tmux("set-option", "-t", tm.name, "remain-on-exit", "on")
	tm.tmux("pipe-pane", "-o", "-t", tm.name, "cat >> "+shellQuote(tm.OutFile))
	t.Cleanup(func() {
		exec.Command("tmux", "-S", tm.socket, "kill-server").Run()
	})
	return tm
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (tm *Term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Keys sends tmux key names ("j", "Enter", "Escape", "C-c", "Down").
func (tm *Term) Keys(keys ...string) {
	tm.t.Helper()
	tm.tmux(append([]string{"send-keys", "-t", tm.name}, keys...)...)
}

// Type sends literal text.
func (tm *Term) Type(s string) {
	tm.t.Helper()
	tm.tmux("send-keys", "-t", tm.name, "-l", s)
}

// Screen returns the visible screen as plain text.
func (tm *Term) Screen() string {
	tm.t.Helper()
	return tm.tmux("capture-pane", "-p", "-t", tm.name)
}

// WaitFor waits until the screen contains want and returns it; it fails the
// test with the last screen after timeout.
func (tm *Term) WaitFor(want string, timeout time.Duration) string {
	tm.t.Helper()
	return tm.WaitUntil(want, timeout, func(s string) bool { return strings.Contains(s, want) })
}

// WaitUntil waits until ok(screen) holds.
func (tm *Term) WaitUntil(what string, timeout time.Duration, ok func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	var s string
	for {
		s = tm.Screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("timed out after %v waiting for %s; screen:\n%s", timeout, what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PID returns the process id of the program in the pane.
func (tm *Term) PID() int {
	tm.t.Helper()
	out := strings.TrimSpace(tm.tmux("display-message", "-p", "-t", tm.name, "#{pane_pid}"))
	pid, err := strconv.Atoi(out)
	if err != nil {
		tm.t.Fatalf("pane pid %q: %v", out, err)
	}
	return pid
}

// Dead reports whether the program has exited.
func (tm *Term) Dead() bool {
	out, err := exec.Command("tmux", "-S", tm.socket, "display-message", "-p", "-t", tm.name, "#{pane_dead}").Output()
	return err != nil || strings.TrimSpace(string(out)) == "1"
}

// OutputBytes is how many bytes the program has written to the terminal so far.
func (tm *Term) OutputBytes() int64 {
	st, err := os.Stat(tm.OutFile)
	if err != nil {
		return 0
	}
	return st.Size()
}

// Output returns every byte the program wrote to the terminal so far.
func (tm *Term) Output() []byte {
	b, _ := os.ReadFile(tm.OutFile)
	return b
}

// ProcStats reads CPU time (user+system) and resident memory of pid from /proc.
func ProcStats(pid int) (cpu time.Duration, rssBytes int64, err error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// fields after the ")" of the command name
	i := bytes.LastIndexByte(stat, ')')
	f := strings.Fields(string(stat[i+2:]))
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const hz = 100 // USER_HZ on Linux
	cpu = time.Duration(ut+st) * time.Second / hz
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return cpu, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			rssBytes = kb * 1024
		}
	}
	return cpu, rssBytes, nil
}
