package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

func TestFetchStagesOnceEverForFinishedBuilds(t *testing.T) {
	s := newSim(t, jenkinstest.DemoWorld())
	st := openTemp(t)
	ctx := context.Background()
	in := s.integration("pay", "payments/api-tests")
	bs := poll(t, s, st, in, 10)
	var fin, run jenkins.Build
	for _, b := range bs {
		if b.Building && run.Number == 0 {
			run = b
		}
		if !b.Building && fin.Number == 0 {
			fin = b
		}
	}
	s.srv.ResetStats()
	got, err := FetchStages(ctx, s.api, st, in, fin)
	if err != nil || got.None || got.FromStore || !got.Final || len(got.List) != 5 || got.List[0].Name != "Checkout" {
		t.Fatalf("first fetch: %+v %v", got, err)
	}
	again, err := FetchStages(ctx, s.api, st, in, fin)
	if err != nil || !again.FromStore || len(again.List) != 5 {
		t.Fatalf("second fetch: %+v %v", again, err)
	}
	for i := range got.List {
		a, b := got.List[i], again.List[i]
		if a.ID != b.ID || a.Name != b.Name || a.Status != b.Status || a.Duration != b.Duration || !a.Started.Equal(b.Started) {
			t.Fatalf("stage %d: fetched %+v, stored %+v", i, a, b)
		}
	}
	if n := s.requests("wfapi"); n != 1 {
		t.Fatalf("%d wfapi requests for two fetches of a finished build, want 1", n)
	}
	// A running build is not stored; its answer is shared for
	// RunningStagesTTL by every dashboard on the store, even at once.
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, err := FetchStages(ctx, s.api, st, in, run); err != nil || r.FromStore || r.Final || len(r.List) == 0 {
				t.Errorf("running build: %+v %v", r, err)
			}
		}()
	}
	wg.Wait()
	if n := s.requests("wfapi"); n != 2 {
		t.Fatalf("%d wfapi requests, want 2 (the finished build once, the running one once for five asks)", n)
	}
	if _, ok, _ := st.StoredStages(ctx, "pay", run.Number); ok {
		t.Fatal("a running build's stages were stored")
	}
}

// A freestyle job has no wfapi (404, an HTML page): no stages, said so,
// stored, and no error.
func TestFetchStagesFreestyleIsNoneNotError(t *testing.T) {
	s := newSim(t, jenkinstest.DemoWorld())
	st := openTemp(t)
	ctx := context.Background()
	in := s.integration("orders", "orders-api")
	bs := poll(t, s, st, in, 5)
	var fin jenkins.Build
	for _, b := range bs {
		if !b.Building {
			fin = b
			break
		}
	}
	got, err := FetchStages(ctx, s.api, st, in, fin)
	if err != nil || !got.None || got.Why != WhyNoStages {
		t.Fatalf("freestyle: %+v %v", got, err)
	}
	s.srv.ResetStats()
	again, err := FetchStages(ctx, s.api, st, in, fin)
	if err != nil || !again.None || !again.FromStore || s.requests("wfapi") != 0 {
		t.Fatalf("freestyle again: %+v %v, %d requests", again, err, s.requests("wfapi"))
	}
}

// A connection failure is returned and not stored: the next call asks again.
func TestFetchStagesErrorNotStored(t *testing.T) {
	s := newSim(t, jenkinstest.DemoWorld())
	st := openTemp(t)
	ctx := context.Background()
	in := s.integration("pay", "payments/api-tests")
	bs := poll(t, s, st, in, 10)
	b := bs[len(bs)-1]
	s.srv.SetFaults(jenkinstest.Faults{ErrorRate: 1})
	if _, err := FetchStages(ctx, s.api, st, in, b); err == nil {
		t.Fatal("no error under 5xx")
	}
	if _, ok, _ := st.StoredStages(ctx, "pay", b.Number); ok {
		t.Fatal("an error was stored")
	}
	s.srv.SetFaults(jenkinstest.Faults{})
	if got, err := FetchStages(ctx, s.api, st, in, b); err != nil || len(got.List) == 0 {
		t.Fatalf("after the fault: %+v %v", got, err)
	}
}

// Deleting an integration or binding it to another job drops its stages.
func TestStagesDroppedWithHistory(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if _, err := st.BindJob(ctx, "gw", "http://a", "job1"); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveStages(ctx, "gw", 3, []jenkins.Stage{{ID: "6", Name: "Build", Status: "SUCCESS"}}, false, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.StoredStages(ctx, "gw", 3); !ok {
		t.Fatal("not stored")
	}
	if _, err := st.BindJob(ctx, "gw", "http://a", "job2"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.StoredStages(ctx, "gw", 3); ok {
		t.Fatal("stages of the old job kept")
	}
}

// A store made by the schema before stages (version 1, with a stored build)
// opens with its data and gains the stages table.
func TestMigrateVersionOneStoreGetsStages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jeeves.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrations[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO state (key, value) VALUES ('k', 'v'); PRAGMA user_version = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if v, err := st.State(ctx, "k"); err != nil || v != "v" {
		t.Fatalf("state after migration: %q %v", v, err)
	}
	if err := st.SaveStages(ctx, "gw", 1, nil, true, WhyNoStages); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := st.StoredStages(ctx, "gw", 1); err != nil || !ok || !got.None {
		t.Fatalf("stages after migration: %+v %v %v", got, ok, err)
	}
}

// A failed ask is not shared: the next one asks again. A fresh answer is.
func TestRunningStagesShareAnswersNotErrors(t *testing.T) {
	var r runningStages
	calls := 0
	ask := func(err error) func() (Stages, error) {
		return func() (Stages, error) {
			calls++
			return Stages{List: []jenkins.Stage{{Name: "Build"}}}, err
		}
	}
	ctx := context.Background()
	if _, err := r.get(ctx, "a#1", ask(context.DeadlineExceeded)); err == nil {
		t.Fatal("no error")
	}
	if got, err := r.get(ctx, "a#1", ask(nil)); err != nil || len(got.List) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := r.get(ctx, "a#1", ask(nil)); err != nil || calls != 2 {
		t.Fatalf("%d asks, want 2", calls)
	}
	if _, err := r.get(ctx, "a#2", ask(nil)); err != nil || calls != 3 {
		t.Fatalf("another build: %d asks, want 3", calls)
	}
	// an old answer is asked again
	r.mu.Lock()
	r.recent["a#1"].at = time.Now().Add(-RunningStagesTTL)
	r.mu.Unlock()
	if _, err := r.get(ctx, "a#1", ask(nil)); err != nil || calls != 4 {
		t.Fatalf("after the TTL: %d asks, want 4", calls)
	}
}
