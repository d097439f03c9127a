package ui

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
	"github.com/jeeves-dev/jeeves/report"
)

// memStore is a store without results, for runs against the simulator.
type memStore struct {
	mu    sync.Mutex
	saved map[string]int
}

func (s *memStore) Integrations(ctx context.Context) ([]config.Integration, error)   { return nil, nil }
func (s *memStore) SaveIntegration(ctx context.Context, in config.Integration) error { return nil }
func (s *memStore) DeleteIntegration(ctx context.Context, nick string) error         { return nil }
func (s *memStore) SaveBuilds(ctx context.Context, nick string, bs []jenkins.Build, limit int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved[nick] += len(bs)
	return nil
}
func (s *memStore) Builds(ctx context.Context, nick string, limit int) ([]BuildRecord, error) {
	return nil, nil
}
func (s *memStore) FetchResults(ctx context.Context, api jenkins.API, in config.Integration, b jenkins.Build) (report.Results, ResultsState, string, error) {
	return report.Results{}, ResultsEmpty, "no matching artifacts", nil
}

type simConnector struct{ c *jenkins.Client }

func (s simConnector) API(config.Integration) (jenkins.API, error) { return s.c, nil }

// TestAgainstSimulator drives the dashboard through the real Jenkins client
// against the simulated Jenkins: list, run a parameterized build and follow
// it from the queue to the build, read its log, abort it.
func TestAgainstSimulator(t *testing.T) {
	srv := jenkinstest.New(jenkinstest.DemoWorld(), jenkinstest.WithAddr("127.0.0.1:0"), jenkinstest.WithTimeScale(0.05))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	user, token := srv.Credentials()
	cl, err := jenkins.New(jenkins.Options{BaseURL: srv.URL(), Username: user, Token: config.NewSecret(token)})
	if err != nil {
		t.Fatal(err)
	}
	in := config.Integration{Nickname: "Payments API", URL: srv.URL(), Job: "payments/api-tests", Source: "config"}
	h := newHarnessWith(t, Deps{Jenkins: simConnector{cl}, Store: &memStore{saved: map[string]int{}}, Clock: time.Now}, Options{Integrations: []config.Integration{in}})
	h.start(120, 40)
	if len(h.m.table.rows) != 50 || !strings.Contains(plain(h), "#130") {
		t.Fatalf("builds not listed (%d rows):\n%s", len(h.m.table.rows), plain(h))
	}
	h.key("b")
	if h.m.run == nil || len(h.m.run.fields) != 6 {
		t.Fatalf("run form: %+v", h.m.run)
	}
	h.key("right", "enter", "y", "y")
	if s := plain(h); !strings.Contains(s, "queued") {
		t.Fatalf("no queue item after the trigger:\n%s", s)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if r := h.m.selectedRecord(); r != nil && r.Number == 131 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new build was never selected:\n%s", plain(h))
		}
		time.Sleep(100 * time.Millisecond)
		h.fire(isTick[followTickMsg])
	}
	if r := h.m.selectedRecord(); !r.Building || r.Params[0].Value != "production" {
		t.Fatalf("#131: building=%v params=%v", r.Building, r.Params)
	}
	h.key("c")
	time.Sleep(300 * time.Millisecond)
	h.fire(isTick[logTickMsg])
	if s := plain(h); !strings.Contains(s, "Started by user") {
		t.Fatalf("log:\n%s", s)
	}
	h.key("esc", "x", "y")
	deadline = time.Now().Add(15 * time.Second)
	for {
		h.fire(isTick[pollTickMsg])
		if r := h.m.selectedRecord(); r != nil && r.Number == 131 && !r.Building {
			if r.Status != jenkins.StatusAborted {
				t.Fatalf("#131 ended %s, want aborted", r.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("abort never showed:\n%s", plain(h))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSimulatorOutageAndRecovery: Jenkins goes away and comes back; the
// dashboard keeps its data, says it is offline with the error, stays
// responsive, and recovers on the next poll.
func TestSimulatorOutageAndRecovery(t *testing.T) {
	srv := jenkinstest.New(jenkinstest.DemoWorld(), jenkinstest.WithAddr("127.0.0.1:0"))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	user, token := srv.Credentials()
	cl, err := jenkins.New(jenkins.Options{BaseURL: srv.URL(), Username: user, Token: config.NewSecret(token), Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	in := config.Integration{Nickname: "Orders API", URL: srv.URL(), Job: "orders-api", Source: "config"}
	h := newHarnessWith(t, Deps{Jenkins: simConnector{cl}, Store: &memStore{saved: map[string]int{}}, Clock: time.Now}, Options{Integrations: []config.Integration{in}})
	h.start(100, 30)
	rows := len(h.m.table.rows)
	if rows == 0 {
		t.Fatal("no builds")
	}
	if err := srv.Outage(time.Second); err != nil {
		t.Fatal(err)
	}
	h.fire(isTick[pollTickMsg])
	s := plain(h)
	if !strings.Contains(s, "offline") || !strings.Contains(s, "last error:") || len(h.m.table.rows) != rows {
		t.Fatalf("outage not shown or data lost (%d rows):\n%s", len(h.m.table.rows), s)
	}
	h.key("f") // still responsive
	if h.m.table.filter != 1 {
		t.Fatal("keys ignored while offline")
	}
	h.key("F")
	deadline := time.Now().Add(10 * time.Second)
	for srv.Down() {
		if time.Now().After(deadline) {
			t.Fatal("the simulator never came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.fire(isTick[pollTickMsg])
	if s := plain(h); strings.Contains(s, "offline") || !strings.Contains(s, "data just now") {
		t.Fatalf("did not recover:\n%s", s)
	}
}

// TestTwoDashboardsOnePoller: two dashboards subscribed to one engine show
// the same builds, and Jenkins sees the requests of one.
func TestTwoDashboardsOnePoller(t *testing.T) {
	// a quiet world: one pipeline build runs for the whole test (its stages
	// are followed), no timer queues a build, so a probe cannot see a change
	// between the two runs compared
	w, err := jenkinstest.ParseWorld([]byte(`
[[user]]
id = "alice"
tokens = ["two0dash0t0k3n"]

[[job]]
path = "payments"
kind = "folder"

[[job]]
path = "payments/api-tests"
kind = "pipeline"
stages = ["Checkout", "API tests", "Publish reports"]
  [job.history]
  count = 130
  days = 30
  running = 1
  duration = ["1h", "2h"]

[[job]]
path = "orders-api"
kind = "freestyle"
  [job.history]
  count = 45
  days = 30
  duration = ["1m", "2m"]
`), false)
	if err != nil {
		t.Fatal(err)
	}
	srv := jenkinstest.New(w, jenkinstest.WithAddr("127.0.0.1:0"))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	user, token := srv.Credentials()
	cl, err := jenkins.New(jenkins.Options{BaseURL: srv.URL(), Username: user, Token: config.NewSecret(token)})
	if err != nil {
		t.Fatal(err)
	}
	requests := func() int {
		n := 0
		for _, st := range srv.Stats() {
			n += st.Requests
		}
		return n
	}
	wfapi := func() int { return srv.Stats()["wfapi"].Requests }
	opts := Options{Integrations: []config.Integration{
		{Nickname: "Payments API", URL: srv.URL(), Job: "payments/api-tests", Source: "config"},
		{Nickname: "Orders API", URL: srv.URL(), Job: "orders-api", Source: "config"},
	}}
	deps := func() Deps {
		return Deps{Jenkins: simConnector{cl}, Store: &memStore{saved: map[string]int{}}, Clock: time.Now}
	}
	const polls = 3
	// the requests of one dashboard: start, then three rounds of polls
	before, beforeStages := requests(), wfapi()
	one := newHarnessWith(t, deps(), opts)
	one.start(120, 40)
	one.key("enter") // #130 expanded: its stages are asked at every poll
	for range polls {
		one.fire(isTick[pollTickMsg])
	}
	single, singleStages := requests()-before, wfapi()-beforeStages
	if single < 2+2*polls {
		t.Fatalf("one dashboard made %d requests, want at least a list and a probe a round of each integration", single)
	}
	if singleStages != 1+polls {
		t.Fatalf("one dashboard made %d stage requests, want one for the expanded running build with each of %d polls", singleStages, 1+polls)
	}
	if !regexp.MustCompile(`#130 .*▶ (Checkout|API tests|Publish reports) · `).MatchString(plain(one)) {
		t.Fatalf("no current stage on the running build:\n%s", plain(one))
	}

	// two dashboards on one engine
	before = requests()
	a := newHarnessWith(t, deps(), opts)
	d := deps()
	d.Engine = a.eng
	b := &harness{t: t, peer: a, m: New(d, opts)}
	b.m.after, b.m.wait = holdTimers, holdWait
	a.start(120, 40)
	a.key("enter")
	b.start(120, 40)
	b.key("tab", "j") // the second one shows the other integration
	for range polls {
		a.fire(isTick[pollTickMsg])
		b.settle()
	}
	if both, bothStages := requests()-before, wfapi()-beforeStages-singleStages; both != single || bothStages != singleStages {
		t.Fatalf("two dashboards made %d requests (%d of stages), one made %d (%d)", both, bothStages, single, singleStages)
	}
	a.key("left") // collapsed: a row a build
	if !strings.Contains(plain(a), "#130") || len(a.m.table.rows) != 50 || b.m.cur().cfg.Nickname != "Orders API" || len(b.m.table.rows) == 0 {
		t.Fatalf("dashboards do not show the builds:\n%s\n%s", plain(a), plain(b))
	}
	b.key("k") // back on the first: the same builds
	if len(b.m.table.rows) != len(a.m.table.rows) || plain(b) == "" {
		t.Fatalf("second dashboard: %d rows, first %d", len(b.m.table.rows), len(a.m.table.rows))
	}
}
