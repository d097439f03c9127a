package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/internal/tmuxtest"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// TestE2EDemoStages: `jeeves --demo` in a real terminal. The running
// pipeline build shows its current stage in the table; an expanded finished
// build lists its stages; c on a stage opens that stage's log.
func TestE2EDemoStages(t *testing.T) {
	tmuxtest.Require(t)
	t.Parallel()
	bin := tmuxtest.Build(t, e2eRoot)
	dir := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "JEEVES_CONFIG=", "JEEVES_STORE=", "NO_COLOR=", "LANG=C.UTF-8"}
	d := tmuxtest.Start(t, 120, 40, dir, env, bin, "--demo")

	// the running build's row names the stage it is in
	running := regexp.MustCompile(`▸ #(\d+)\s+▶ running .*▶ (Checkout|Install tools|API tests|API lint|Publish reports) ·`)
	s := d.WaitUntil("the running build's current stage", 30*time.Second, func(s string) bool { return running.MatchString(s) })
	m := running.FindStringSubmatch(s)
	runNum, _ := strconv.Atoi(m[1])
	t.Logf("running #%d is in stage %s", runNum, m[2])

	// expand the newest finished build: its stages follow its results
	d.Keys("j", "Enter")
	s = d.WaitFor("Publish reports", 20*time.Second)
	stageRow := regexp.MustCompile(`(✔ success|✘ failed|▲ unstable|■ aborted|○ skipped)\s+API tests\s`)
	if !stageRow.MatchString(s) || !strings.Contains(s, "Checkout") {
		t.Fatalf("no stage lines:\n%s", s)
	}
	// walk down to the API tests stage: one row a line
	lines := strings.Split(s, "\n")
	from, to := -1, -1
	for i, l := range lines {
		if strings.Contains(l, fmt.Sprintf("▾ #%d ", runNum-1)) {
			from = i
		}
		if from >= 0 && to < 0 && stageRow.MatchString(l) {
			to = i
		}
	}
	if from < 0 || to < 0 {
		t.Fatalf("cannot find #%d and its API tests stage:\n%s", runNum-1, s)
	}
	for range to - from {
		d.Keys("j")
	}
	time.Sleep(200 * time.Millisecond)
	d.Keys("c")
	s = d.WaitUntil("the stage's log", 20*time.Second, func(s string) bool {
		return strings.Contains(s, "stage API tests") && (strings.Contains(s, "stage log (wfapi)") || strings.Contains(s, "[Pipeline] { (API tests)"))
	})
	if !strings.Contains(s, "newman") {
		t.Fatalf("the API tests stage's log has no newman output:\n%s", s)
	}
	t.Logf("stage log screen:\n%s", s)
	d.Keys("Escape")
	d.WaitFor("Publish reports", 10*time.Second)
	d.Keys("q")
}

// TestE2EHugeLogTail: the real binary opens a 500 MB log at its end,
// against a simulated Jenkins of each log mode, and stays under 64 MB.
func TestE2EHugeLogTail(t *testing.T) {
	tmuxtest.Require(t)
	if testing.Short() {
		t.Skip("500 MB log: not in -short")
	}
	bin := tmuxtest.Build(t, e2eRoot)
	for _, version := range []string{"2.541.1", "2.479.3"} {
		t.Run(version, func(t *testing.T) {
			r := e2eHugeLog(t, bin, version, 500<<20)
			t.Logf("Jenkins %s: first screen in %v, peak RSS %.1f MB, CPU %v, %d requests, %d bytes from Jenkins",
				version, r.firstScreen, float64(r.peakRSS)/(1<<20), r.cpu, r.requests, r.bytes)
			if r.peakRSS > 64<<20 {
				t.Fatalf("peak RSS %d MB, over 64 MB", r.peakRSS>>20)
			}
		})
	}
}

type hugeLogRun struct {
	firstScreen time.Duration
	peakRSS     int64
	cpu         time.Duration
	requests    int
	bytes       int64
}

// e2eHugeLog starts a Jenkins whose pipeline "big" has logs of size bytes,
// the dashboard on it, and opens the log of its newest finished build.
func e2eHugeLog(tb testing.TB, bin, version string, size int64) hugeLogRun {
	tb.Helper()
	w, err := jenkinstest.ParseWorld([]byte(fmt.Sprintf(`
seed = 3
version = %q
[[user]]
id = "alice"
tokens = ["t0k-e2e"]
[[job]]
path = "big"
kind = "pipeline"
stages = ["Checkout", "API tests", "Publish reports"]
log_bytes = %d
  [job.history]
  count = 3
  days = 1
  duration = ["10m", "10m"]
  outcomes = { FAILURE = 1.0 }
`, version, size)), false)
	if err != nil {
		tb.Fatal(err)
	}
	srv := e2eSim(tb, w)
	dir := tb.TempDir()
	writeE2EConfig(tb, dir, srv, "Big", "big", "")
	d := e2eStartDash(tb, bin, 120, 40, dir, srv)
	d.WaitFor("#3 ", 20*time.Second)
	time.Sleep(300 * time.Millisecond)
	srv.ResetStats()
	start := time.Now()
	d.Keys("c")
	d.WaitFor("Finished: FAILURE", 60*time.Second)
	r := hugeLogRun{firstScreen: time.Since(start)}
	s := d.Screen()
	if !strings.Contains(s, "not read") {
		tb.Fatalf("the view does not say it read the end only:\n%s", s)
	}
	for kind, st := range srv.Stats() {
		if kind == "log" {
			r.requests += st.Requests
			r.bytes += st.Bytes
		}
	}
	pid := d.PID()
	r.cpu, _, _ = tmuxtest.ProcStats(pid)
	r.peakRSS = vmHWM(tb, pid)
	d.Keys("Escape", "q")
	return r
}

// vmHWM is a process's peak resident memory (VmHWM in /proc/PID/status).
func vmHWM(tb testing.TB, pid int) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM")
	return 0
}

// BenchmarkHugeLogFirstScreen: the real binary opening a 500 MB log at its
// end (time to the first screen of the log, peak RSS, CPU of the process,
// bytes the simulated Jenkins sent).
func BenchmarkHugeLogFirstScreen(b *testing.B) {
	tmuxtest.Require(b)
	bin := tmuxtest.Build(b, e2eRoot)
	for _, version := range []string{"2.541.1", "2.479.3"} {
		b.Run("jenkins-"+version, func(b *testing.B) {
			var last hugeLogRun
			for range b.N {
				last = e2eHugeLog(b, bin, version, 500<<20)
			}
			b.ReportMetric(float64(last.firstScreen.Milliseconds()), "ms-first-screen")
			b.ReportMetric(float64(last.peakRSS)/(1<<20), "MB-peak-RSS")
			b.ReportMetric(float64(last.cpu.Milliseconds()), "ms-CPU")
			b.ReportMetric(float64(last.requests), "log-requests")
			b.ReportMetric(float64(last.bytes), "log-bytes-sent")
		})
	}
}
