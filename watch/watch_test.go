package watch

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// slowAPI answers probes and lists after gate is closed (or never, until
// the context ends), counting the calls in flight.
type slowAPI struct {
	jenkins.API // the methods the engine does not call panic
	gate        chan struct{}
	inFlight    atomic.Int32
	maxInFlight atomic.Int32
	calls       atomic.Int32
}

func (a *slowAPI) wait(ctx context.Context) error {
	n := a.inFlight.Add(1)
	defer a.inFlight.Add(-1)
	a.calls.Add(1)
	for {
		m := a.maxInFlight.Load()
		if n <= m || a.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	select {
	case <-a.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *slowAPI) Probe(ctx context.Context, job string) (jenkins.Probe, error) {
	return jenkins.Probe{LastBuild: 1}, a.wait(ctx)
}

func (a *slowAPI) Builds(ctx context.Context, job string, limit int) ([]jenkins.Build, error) {
	return []jenkins.Build{{Number: 1, Status: jenkins.StatusSuccess, Result: "SUCCESS"}}, a.wait(ctx)
}

type oneAPI struct{ api jenkins.API }

func (c oneAPI) API(config.Integration) (jenkins.API, error) { return c.api, nil }

func integrations(n int, url string) []config.Integration {
	var ins []config.Integration
	for i := range n {
		ins = append(ins, config.Integration{Nickname: fmt.Sprintf("job %02d", i), URL: url, Job: fmt.Sprintf("job-%02d", i)})
	}
	return ins
}

// Every goroutine of the engine ends when its context is cancelled, also
// with requests hanging and a subscriber waiting.
func TestGoroutinesEndOnCancel(t *testing.T) {
	base := runtime.NumGoroutine()
	api := &slowAPI{gate: make(chan struct{})} // never answers
	ctx, cancel := context.WithCancel(context.Background())
	e := New(ctx, Config{Connector: oneAPI{api}, MaxInFlight: 2})
	sub := e.Subscribe()
	sub.Focus(1, "job 00", nil, nil)
	sub.Watch(1, integrations(5, "http://ci.test"))
	if _, err := sub.Next(ctx); err != nil { // the first snapshots
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() {
		for { // ends with the engine
			if _, err := sub.Next(context.Background()); err != nil {
				waited <- err
				return
			}
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for api.inFlight.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no request started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if runtime.NumGoroutine() <= base {
		t.Fatal("the engine runs no goroutine while requests hang")
	}
	cancel()
	done := make(chan struct{})
	go func() { e.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the engine's goroutines did not end after cancel")
	}
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("Next still waits after cancel")
	}
	for time.Now().Before(deadline) && runtime.NumGoroutine() > base {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after cancel, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

// Requests in flight to one server are capped, however many integrations
// it serves; another server has its own cap.
func TestInFlightCapPerServer(t *testing.T) {
	a := &slowAPI{gate: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := New(ctx, Config{Connector: oneAPI{a}, MaxInFlight: 3})
	sub := e.Subscribe()
	sub.Watch(1, append(integrations(10, "http://ci.test"), config.Integration{Nickname: "other", URL: "http://other.test", Job: "x"}))
	deadline := time.Now().Add(5 * time.Second)
	for a.inFlight.Load() < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests in flight, want 3 to ci.test and 1 to other.test", a.inFlight.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := a.maxInFlight.Load(); n != 4 {
		t.Fatalf("at most %d requests in flight, want 4 (3 + 1)", n)
	}
	close(a.gate) // everything answers: all 11 integrations get their data
	got := map[string]bool{}
	for len(got) < 11 {
		c, cancelNext := context.WithTimeout(ctx, 5*time.Second)
		snaps, err := sub.Next(c)
		cancelNext()
		if err != nil {
			t.Fatalf("only %d integrations have data: %v", len(got), err)
		}
		for _, s := range snaps {
			if len(s.Records) == 1 && !s.LastOK.IsZero() {
				got[s.Integration.Nickname] = true
			}
		}
	}
}

// Several subscribers of one integration share its poller; it stops when
// the last one leaves.
func TestSubscribersShareAPoller(t *testing.T) {
	a := &slowAPI{gate: make(chan struct{})}
	close(a.gate)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var armed []string
	e := New(ctx, Config{Connector: oneAPI{a}, Timer: func(nick string, d time.Duration, f func()) func() {
		mu.Lock()
		armed = append(armed, nick)
		mu.Unlock()
		return func() {}
	}})
	ins := integrations(1, "http://ci.test")
	s1, s2 := e.Subscribe(), e.Subscribe()
	s1.Focus(1, "job 00", nil, nil)
	s1.Watch(1, ins)
	s2.Focus(1, "job 00", nil, nil)
	s2.Watch(1, ins)
	for _, s := range []*Sub{s1, s2} {
		for {
			c, cancelNext := context.WithTimeout(ctx, 5*time.Second)
			snaps, err := s.Next(c)
			cancelNext()
			if err != nil {
				t.Fatal(err)
			}
			if len(snaps) == 1 && len(snaps[0].Records) == 1 {
				break
			}
		}
	}
	if n := a.calls.Load(); n != 2 {
		t.Fatalf("%d requests for two subscribers, want one probe and one list", n)
	}
	s1.Close()
	e.mu.Lock()
	alive := len(e.pollers)
	e.mu.Unlock()
	if alive != 1 {
		t.Fatal("the poller stopped while a subscriber still watches it")
	}
	s2.Close()
	e.mu.Lock()
	alive = len(e.pollers)
	e.mu.Unlock()
	if alive != 0 {
		t.Fatal("the poller still runs with no subscriber")
	}
}

// recConnector records the settings each client is made with.
type recConnector struct {
	api   jenkins.API
	users []string
}

func (c *recConnector) API(in config.Integration) (jenkins.API, error) {
	c.users = append(c.users, in.Username)
	return c.api, nil
}

// Changed settings while a probe is in flight: the answer does not use the
// dropped client; the engine connects again with the new settings.
func TestSettingsChangeDuringAPoll(t *testing.T) {
	a := &slowAPI{gate: make(chan struct{})}
	close(a.gate)
	var queue []func()
	run := func() {
		for len(queue) > 0 {
			w := queue[0]
			queue = queue[1:]
			w()
		}
	}
	conn := &recConnector{api: a}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := New(ctx, Config{Connector: conn, Go: func(f func()) { queue = append(queue, f) },
		Timer: func(string, time.Duration, func()) func() { return func() {} }})
	sub := e.Subscribe()
	in := config.Integration{Nickname: "a", URL: "http://ci.test", Job: "j", Username: "old"}
	sub.Focus(1, "a", nil, nil)
	sub.Watch(1, []config.Integration{in})
	queue[0]() // connect
	queue = queue[1:]
	if len(queue) != 1 {
		t.Fatalf("%d pieces of IO after connecting, want the probe", len(queue))
	}
	in.Username = "new"
	sub.Watch(2, []config.Integration{in})
	run()
	if fmt.Sprint(conn.users) != "[old new]" {
		t.Fatalf("clients made for %v, want old then new", conn.users)
	}
	snaps := sub.Ready()
	if len(snaps) != 1 || len(snaps[0].Records) != 1 || snaps[0].Integration.Username != "new" || snaps[0].Loading {
		t.Fatalf("snapshot %+v", snaps)
	}
}

// runningAPI: every job has build 1 running.
type runningAPI struct{ slowAPI }

func (a *runningAPI) Probe(ctx context.Context, job string) (jenkins.Probe, error) {
	return jenkins.Probe{LastBuild: 1, LastBuilding: true, Running: []int{1}}, nil
}

func (a *runningAPI) Builds(ctx context.Context, job string, limit int) ([]jenkins.Build, error) {
	return []jenkins.Build{{Number: 1, Building: true, Status: jenkins.StatusRunning}}, nil
}

func (a *runningAPI) Stages(ctx context.Context, job string, number int) ([]jenkins.Stage, error) {
	return nil, &jenkins.Error{Op: "read stages", Kind: jenkins.ErrorNotFound, What: "no stages"}
}

// The integration on screen polls at half the interval while a build runs;
// one on no screen at four times the interval, running or not.
func TestIntervalsOnAndOffScreen(t *testing.T) {
	var queue []func()
	var mu sync.Mutex
	armed := map[string]time.Duration{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := New(ctx, Config{Connector: oneAPI{&runningAPI{}}, Refresh: 15 * time.Second,
		Go: func(f func()) { queue = append(queue, f) },
		Timer: func(nick string, d time.Duration, f func()) func() {
			mu.Lock()
			armed[nick] = d
			mu.Unlock()
			return func() {}
		}})
	sub := e.Subscribe()
	ins := integrations(2, "http://ci.test")
	sub.Focus(1, ins[0].Nickname, nil, nil)
	sub.Watch(1, ins)
	for len(queue) > 0 {
		w := queue[0]
		queue = queue[1:]
		w()
	}
	if armed["job 00"] != 7500*time.Millisecond || armed["job 01"] != time.Minute {
		t.Fatalf("intervals %v, want 7.5s on screen and 1m off it", armed)
	}
}

// stagesAPI: build 1 of every job runs; its stages are counted per job, and
// the jobs in none answer 404 (no stages), as a freestyle job does.
type stagesAPI struct {
	runningAPI
	mu    sync.Mutex
	asked map[string]int
	none  map[string]bool
}

func (a *stagesAPI) Stages(ctx context.Context, job string, number int) ([]jenkins.Stage, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked[job]++
	if a.none[job] {
		return nil, &jenkins.Error{Op: "read stages", Kind: jenkins.ErrorNotFound, What: "no stages"}
	}
	return []jenkins.Stage{{ID: "6", Name: "Checkout", Status: "SUCCESS"}, {ID: "13", Name: "API tests", Status: "IN_PROGRESS"}}, nil
}

func (a *stagesAPI) n(job string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.asked[job]
}

// A running build's stages ride on the polls of the integration on screen:
// one request per poll whatever the number of subscribers showing it, none
// off screen, none after the job answered 404; they are in the snapshot.
func TestRunningStagesRideOnPolls(t *testing.T) {
	var queue []func()
	fires := map[string]func(){}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api := &stagesAPI{asked: map[string]int{}, none: map[string]bool{"job-02": true}}
	e := New(ctx, Config{Connector: oneAPI{api}, Refresh: 15 * time.Second,
		Go:    func(f func()) { queue = append(queue, f) },
		Timer: func(nick string, d time.Duration, f func()) func() { fires[nick] = f; return func() {} }})
	run := func() {
		for len(queue) > 0 {
			w := queue[0]
			queue = queue[1:]
			w()
		}
	}
	poll := func(nicks ...string) {
		for _, n := range nicks {
			fires[n]()
		}
		run()
	}
	ins := integrations(3, "http://ci.test")
	a, b := e.Subscribe(), e.Subscribe()
	a.Focus(1, "job 00", []int{1}, nil)
	b.Focus(1, "job 00", []int{1}, []int{1})
	a.Watch(1, ins)
	b.Watch(1, ins)
	run()
	if got := api.n("job-00"); got != 1 {
		t.Fatalf("%d stage requests after the first poll, want 1", got)
	}
	poll("job 00", "job 01", "job 02")
	poll("job 00", "job 01", "job 02")
	if got, off := api.n("job-00"), api.n("job-01")+api.n("job-02"); got != 3 || off != 0 {
		t.Fatalf("%d stage requests on screen after 3 polls (want 3), %d off screen (want 0)", got, off)
	}
	var snap Snapshot
	for _, s := range a.Ready() {
		if s.Integration.Nickname == "job 00" {
			snap = s
		}
	}
	if st := snap.Stages[1]; len(st.List) != 2 || st.List[1].Name != "API tests" || st.Final {
		t.Fatalf("stages in the snapshot: %+v", snap.Stages)
	}

	// on the job without stages: asked once, then never with the polls
	a.Focus(2, "job 02", []int{1}, nil)
	run()
	poll("job 02")
	poll("job 02")
	if got := api.n("job-02"); got != 1 {
		t.Fatalf("%d stage requests to a job without stages, want 1", got)
	}
	// job 00 is still on b's screen; job 01 on none
	poll("job 00", "job 01")
	if api.n("job-00") != 4 || api.n("job-01") != 0 {
		t.Fatalf("stage requests: %v", api.asked)
	}
	b.Focus(2, "job 01", nil, nil) // nobody shows job 00 now
	run()
	poll("job 00")
	if api.n("job-00") != 4 {
		t.Fatalf("stage requests off screen: %v", api.asked)
	}
	for _, s := range b.Ready() {
		if s.Integration.Nickname == "job 00" && len(s.Stages) != 0 {
			t.Fatalf("off screen, its running stages are still published: %+v", s.Stages)
		}
	}
}

// A running build's stages that only show as the table's current stage are
// asked every other poll at the fastest interval; once a subscriber expands
// the build, at every poll.
func TestRunningStagesEveryOtherPollUnlessExpanded(t *testing.T) {
	var queue []func()
	fires := map[string]func(){}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	api := &stagesAPI{asked: map[string]int{}, none: map[string]bool{}}
	e := New(ctx, Config{Connector: oneAPI{api}, Refresh: 15 * time.Second, Clock: func() time.Time { return now },
		Go:    func(f func()) { queue = append(queue, f) },
		Timer: func(nick string, d time.Duration, f func()) func() { fires[nick] = f; return func() {} }})
	run := func() {
		for len(queue) > 0 {
			w := queue[0]
			queue = queue[1:]
			w()
		}
	}
	poll := func() { // the next poll, 7.5 s later (a build runs: half of 15 s)
		now = now.Add(7500 * time.Millisecond)
		fires["job 00"]()
		run()
	}
	ins := integrations(1, "http://ci.test")
	a := e.Subscribe()
	a.Focus(1, "job 00", []int{1}, nil)
	a.Watch(1, ins)
	run()
	if got := api.n("job-00"); got != 1 {
		t.Fatalf("%d stage requests after the first poll, want 1", got)
	}
	for range 4 {
		poll()
	}
	if got := api.n("job-00"); got != 3 {
		t.Fatalf("%d stage requests after 4 more polls 7.5 s apart with the build not expanded, want 3 (every other poll)", got)
	}
	a.Focus(2, "job 00", []int{1}, []int{1})
	run()
	before := api.n("job-00")
	for range 4 {
		poll()
	}
	if got := api.n("job-00") - before; got != 4 {
		t.Fatalf("%d stage requests in 4 polls with the build expanded, want 4 (every poll)", got)
	}
}
