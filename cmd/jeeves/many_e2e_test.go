package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/internal/tmuxtest"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// BenchmarkManyIntegrations: twenty integrations on one Jenkins, as a user
// writes them (testdata/many/config.toml: one [[integration]] per job of
// testdata/many/world.toml, served by the simulator as `jeeves sim --world`
// would). The real binary in tmux at 120x40, a store warmed by a first run;
// after the start-up polls have settled, an idle minute on the builds
// screen of the first integration (a build running). Budget (issue 11):
// at most 30 requests a minute in all. Run it with
// go test ./cmd/jeeves -run '^$' -bench ManyIntegrations -benchtime 1x
func BenchmarkManyIntegrations(b *testing.B) {
	tmuxtest.Require(b)
	bin := tmuxtest.Build(b, e2eRoot)
	for range b.N {
		w, err := jenkinstest.LoadWorld(filepath.Join("testdata", "many", "world.toml"))
		if err != nil {
			b.Fatal(err)
		}
		srv := e2eSim(b, w)
		front := e2eNewFront(b, srv.URL())
		dir := b.TempDir()
		cfg, err := os.ReadFile(filepath.Join("testdata", "many", "config.toml"))
		if err != nil {
			b.Fatal(err)
		}
		text := strings.ReplaceAll(string(cfg), `"http://127.0.0.1:8080"`, `"`+front.URL+`"`)
		text = strings.ReplaceAll(text, "JEEVES_SIM_TOKEN", "JEEVES_E2E_TOKEN")
		if n := strings.Count(text, "[[integration]]"); n != 20 {
			b.Fatalf("the config has %d integrations, want 20", n)
		}
		if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
		ready := func(s string) bool { return e2eFresh(s) && strings.Contains(s, "▶ running") && len(e2eRows(s)) > 20 }
		// a first run fills the store (results of the builds on screen)
		d := e2eStartDash(b, bin, 120, 40, dir, srv)
		d.WaitUntil("the first data", 60*time.Second, ready)
		front.settle()
		d.Keys("q")
		d.waitDead(b, 10*time.Second)

		front.reset()
		d = e2eStartDash(b, bin, 120, 40, dir, srv)
		d.WaitUntil("fresh data", 60*time.Second, ready)
		front.settle() // every integration's first poll
		startReqs, _, _ := front.counts()
		pid := d.PID()
		cpu0, _, err := tmuxtest.ProcStats(pid)
		if err != nil {
			b.Fatal(err)
		}
		front.reset()
		out0 := d.OutputBytes()
		time.Sleep(time.Minute)
		reqs, wire, plain := front.counts()
		out := d.OutputBytes() - out0
		cpu1, rss, err := tmuxtest.ProcStats(pid)
		if err != nil {
			b.Fatal(err)
		}
		if s := d.Screen(); !ready(s) {
			b.Fatalf("not an idle builds screen at the end:\n%s", s)
		}
		// a key still answers at once: the integrations panel, the next one
		d.Keys("Tab", "j")
		d.WaitUntil("the second integration", 5*time.Second, func(s string) bool { return strings.Contains(e2eHeader(s), "Service 02") })
		mb := float64(rss) / (1 << 20)
		b.Logf("20 integrations: start-up %d requests; idle minute %d requests, %d B on the wire (%d B unzipped), %d B to the terminal, %.2f s CPU, %.1f MB resident",
			startReqs, reqs, wire, plain, out, (cpu1 - cpu0).Seconds(), mb)
		b.ReportMetric(float64(reqs), "requests/min")
		b.ReportMetric(float64(wire), "wire-B/min")
		b.ReportMetric(float64(plain), "unzipped-B/min")
		b.ReportMetric((cpu1 - cpu0).Seconds(), "cpu-s/min")
		b.ReportMetric(mb, "rss-MB")
		b.ReportMetric(float64(startReqs), "startup-requests")
		b.ReportMetric(0, "ns/op")
		e2eCheckBudgets(b, "20 integrations, idle minute",
			e2eBudget{"requests", float64(reqs), 30, false, "%.0f"})
		d.Keys("q")
		d.waitDead(b, 10*time.Second)
	}
}
