package jenkins

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// The probe lists the newest builds only while a concurrent job runs
// something; otherwise lastBuild, lastCompletedBuild and the queue tell a
// change. Against the simulator, whose tree= support is generic.
func TestProbeListsBuildsOnlyWhenConcurrentAndRunning(t *testing.T) {
	w, err := jenkinstest.ParseWorld([]byte(`
[[user]]
id = "alice"
tokens = ["t0k"]

[[job]]
path = "one"
kind = "freestyle"
  [job.history]
  count = 2
  running = 1
  duration = ["10m", "10m"]

[[job]]
path = "many"
kind = "freestyle"
concurrent = true
  [job.history]
  count = 3
  running = 2
  duration = ["10m", "10m"]
`), false)
	if err != nil {
		t.Fatal(err)
	}
	srv := jenkinstest.New(w)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL(), Username: "alice", Token: config.NewSecret("t0k"), Getenv: noEnv, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	probe := func(job string) (Probe, int64) {
		t.Helper()
		c.ResetStats()
		p, err := c.Probe(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		return p, c.Stats().BodyBytes
	}
	var onePB int64
	// one build at a time: never the list, the running one is the newest
	for range 2 {
		p, n := probe("one")
		onePB = n
		if p.LastBuild != 2 || !p.LastBuilding || p.LastCompleted != 1 || !reflect.DeepEqual(p.Running, []int{2}) || p.Concurrent {
			t.Fatalf("probe %+v", p)
		}
		if n > 400 {
			t.Fatalf("probe of a job running one build: %d B", n)
		}
	}
	// concurrent with builds running: the first probe learns it, the next lists
	p, small := probe("many")
	if !p.Concurrent || !reflect.DeepEqual(p.Running, []int{3}) {
		t.Fatalf("first probe %+v", p)
	}
	p, wide := probe("many")
	t.Logf("probe bodies: one build at a time %d B; concurrent, first %d B, listing %d B", onePB, small, wide)
	if !reflect.DeepEqual(p.Running, []int{3, 2}) || wide <= small {
		t.Fatalf("second probe %+v (%d B, first %d B)", p, wide, small)
	}
}
