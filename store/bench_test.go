package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

var (
	fixtureOnce sync.Once
	fixtureRes  report.Results
	fixtureErr  error
)

// benchResults is one build's results parsed from the demo reports the
// project generates with the real tools (jenkins/jenkinstest/demo/regen.sh):
// the newman run (8 requests, 25 assertions, 9 failed) and the Spectral lint
// of its API definition (28 violations).
func benchResults(tb testing.TB) report.Results {
	fixtureOnce.Do(func() {
		for _, name := range []string{"newman-fail.json", "spectral.json"} {
			f, err := os.Open(filepath.Join("..", "jenkins", "jenkinstest", "demo", "reports", name))
			if err != nil {
				fixtureErr = err
				return
			}
			res, err := report.Parse(f, name, report.Options{})
			f.Close()
			if err != nil {
				fixtureErr = err
				return
			}
			fixtureRes.Collections = append(fixtureRes.Collections, res.Collections...)
			fixtureRes.Governance = append(fixtureRes.Governance, res.Governance...)
		}
	})
	if fixtureErr != nil {
		tb.Fatalf("demo reports: %v", fixtureErr)
	}
	return fixtureRes
}

// fillStore writes integrations × builds builds, each with results.
func fillStore(tb testing.TB, path string, integrations, builds int) {
	tb.Helper()
	st, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	res := benchResults(tb)
	for i := range integrations {
		nick := fmt.Sprintf("integration-%02d", i)
		for lo := 1; lo <= builds; lo += 100 {
			var poll []jenkins.Build
			for n := min(lo+99, builds); n >= lo; n-- {
				poll = append(poll, build(n))
			}
			if err := st.SaveBuilds(ctx, nick, poll); err != nil {
				tb.Fatal(err)
			}
		}
		for n := 1; n <= builds; n++ {
			if err := st.SaveResults(ctx, nick, n, res, ""); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// BenchmarkOpenAndLoad opens a store holding 10 integrations with 1,000
// builds each (all with results) and loads every build with its result
// summaries, as the dashboard does on start. Target: under 50 ms.
func BenchmarkOpenAndLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), "jeeves.db")
	fillStore(b, path, 10, 1000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		st, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		total := 0
		for i := range 10 {
			list, err := st.Builds(ctx, fmt.Sprintf("integration-%02d", i), 0)
			if err != nil {
				b.Fatal(err)
			}
			if list[0].Collections == nil || list[0].Governance == nil {
				b.Fatal("summaries missing")
			}
			total += len(list)
		}
		if total != 10000 {
			b.Fatalf("loaded %d builds", total)
		}
		st.Close()
	}
}

// BenchmarkSavePoll saves one poll of 50 builds into a store that already
// holds 1,000 builds of that integration. Target: under 5 ms.
func BenchmarkSavePoll(b *testing.B) {
	path := filepath.Join(b.TempDir(), "jeeves.db")
	st, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var all []jenkins.Build
	for n := 1000; n >= 1; n-- {
		all = append(all, build(n))
	}
	if err := st.SaveBuilds(ctx, "p", all); err != nil {
		b.Fatal(err)
	}
	// A poll's list tree has causes and parameters but no artifacts or
	// test counts: those are kept from what the store has.
	poll := make([]jenkins.Build, 50)
	copy(poll, all[:50])
	for i := range poll {
		poll[i].Artifacts, poll[i].Tests = nil, nil
	}
	poll[0].Building, poll[0].Status = true, jenkins.StatusRunning
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		poll[0].Duration = 0
		poll[0].EstimatedDuration += 1 // something changes every poll
		if err := st.SavePoll(ctx, "p", poll, 50); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreSize reports the store's size on disk per 1,000 builds
// with results (after a checkpoint, so the WAL is folded in).
func BenchmarkStoreSize(b *testing.B) {
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "jeeves.db")
		fillStore(b, path, 1, 1000)
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			b.Fatal("WAL left behind after Close")
		}
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB/1000builds")
		one, _ := encodeResults(benchResults(b))
		b.ReportMetric(float64(len(one)), "result-bytes/build")
		b.ReportMetric(float64(len(encodeDigest(benchResults(b)))), "digest-bytes/build")
	}
}

// BenchmarkHistoryTrends reads the history of 1,000 stored builds, each with
// results (the captured newman and Spectral reports), and computes their
// trends, then the messages from the full results of the builds they name,
// as `jeeves trends --all` does. Target: under 50 ms.
func BenchmarkHistoryTrends(b *testing.B) {
	path := filepath.Join(b.TempDir(), "jeeves.db")
	fillStore(b, path, 1, 1000)
	st, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		hist, _, err := st.History(ctx, "integration-00", 0)
		if err != nil {
			b.Fatal(err)
		}
		builds := make([]insight.Build, len(hist))
		for i, h := range hist {
			builds[i] = insight.Build{Number: h.Number, Status: string(h.Status), HasResults: h.ResultsState == ResultsStored, Results: h.Results}
		}
		tr := insight.Compute(builds, insight.Options{})
		full := map[int]report.Results{}
		for _, n := range tr.MessageBuilds() {
			if full[n], _, _, err = st.Results(ctx, "integration-00", n); err != nil {
				b.Fatal(err)
			}
		}
		tr.FillMessages(full)
		if len(tr.Builds) != 1000 || len(tr.Requests) == 0 {
			b.Fatalf("%d builds, %d requests", len(tr.Builds), len(tr.Requests))
		}
	}
	// CPU time, not wall time: the machine the numbers come from is shared.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
