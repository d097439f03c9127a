// Package watch is jeeves's polling engine: it watches Jenkins jobs and
// publishes what it knows as immutable snapshots, for any number of
// subscribers (dashboard sessions) at once. It has no UI dependency.
//
// Use:
//
//	e := watch.New(ctx, watch.Config{Connector: c, Store: st})   // one per process (or per server session pool)
//	sub := e.Subscribe()
//	sub.Focus(1, "Payments API", onScreen, expanded)               // what this subscriber shows
//	sub.Watch(1, []config.Integration{...})                        // the integrations it watches
//	for {
//		snaps, err := sub.Next(ctx)                                // blocks until something it watches changed
//		if err != nil { break }                                    // ctx or the engine's ctx ended
//		...                                                        // render snaps[i] (never modify them)
//	}
//	sub.Refresh(nick); sub.LoadOlder(nick)                         // user requests
//	sub.Close()
//
// Focus and Watch take a sequence number: when they are called from
// commands that may run out of order (tea.Cmds), a call older than the last
// one applied is ignored. Calls never block on IO. Ready is Next without
// waiting. In the dashboard (ui) all of this happens inside tea.Cmds; Update
// and View only read the latest snapshot. The Timer and Go hooks of Config
// let tests run the engine's IO and timers by hand (ui/fake_test.go).
//
// Per integration (keyed by nickname) the engine owns: the Jenkins client
// (made on first use: it may run token_cmd), the store-first cold start
// (stored builds are published before any request; integrations on no
// subscriber's screen wait for the first data of those on screen), polling
// (a small probe, the full list only when the probe changed, older pages on
// request), the results pipeline (each finished build on screen or just
// finished has its reports fetched once through the Store, parsed and
// stored), backoff on errors, offline/stale state, and a cap on requests in
// flight per Jenkins server. Jenkins sees one poller per integration however
// many subscribers watch it.
//
// Pipeline stages (wfapi/describe) ride on the polls: while an integration
// is on some subscriber's screen, each poll that answers asks for the stages
// of its running builds (the newest maxRunningStages; every other poll,
// StageFollowEvery, unless a subscriber has the build expanded), one request per
// build per poll, none once a running build answered that the job has none
// (404). A finished build's stages are asked when a subscriber expands it,
// through the Store's FetchStages when it has one (stored once, ever),
// until an answer is final. Off-screen integrations ask for no stages. An integration on some subscriber's screen polls
// at the base interval (half while something runs); the others at four times
// the base interval, running or not.
//
// Every goroutine the engine starts ends when its context is cancelled;
// Wait blocks until they have.
package watch

import (
	"context"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// Connector gives the Jenkins API for one integration.
type Connector interface {
	API(in config.Integration) (jenkins.API, error)
}

// ResultsState says what is known about a build's parsed results.
type ResultsState string

// The states told apart; other values are kept as they are. The values are
// the store's (store.ResultsState).
const (
	ResultsUnknown ResultsState = "none"    // not looked at yet
	ResultsPending ResultsState = "pending" // the build still runs
	ResultsOK      ResultsState = "stored"  // parsed results are known
	ResultsEmpty   ResultsState = "empty"   // looked, nothing found; the why says why
	ResultsFailed  ResultsState = "error"   // looking failed; tried again later
)

// Unknown reports whether the results still need looking at.
func (s ResultsState) Unknown() bool {
	return s == "" || s == ResultsUnknown || s == ResultsPending
}

// BuildRecord is one build as the store knows it.
type BuildRecord struct {
	jenkins.Build
	Gone         bool // no longer on the server (kept by the store)
	Collections  *report.CollectionSummary
	Governance   *report.GovernanceSummary
	ResultsState ResultsState
	ResultsWhy   string
}

// Store is the part of the store the engine uses; nil means no store (no
// cold start from disk, no results).
type Store interface {
	// SaveBuilds records builds fresh from a poll that asked for the newest
	// `limit` (0: a page of older builds).
	SaveBuilds(ctx context.Context, integration string, builds []jenkins.Build, limit int) error
	// Builds lists the known builds of an integration, newest first.
	Builds(ctx context.Context, integration string, limit int) ([]BuildRecord, error)
	// FetchResults gives a build's parsed results: from the store when known,
	// else fetched from the server, parsed and stored.
	FetchResults(ctx context.Context, api jenkins.API, in config.Integration, b jenkins.Build) (report.Results, ResultsState, string, error)
}

// Stages are a build's pipeline stages as the engine knows them.
type Stages struct {
	List  []jenkins.Stage
	None  bool   // Jenkins has none for the build: Why says why
	Why   string //
	Final bool   // the build had finished: they will not change
	Err   string // the last ask failed (List keeps what was known before)
}

// StageStore is what a Store may offer for stages: a finished build's from
// the store, else from Jenkins and then stored (cmd/jeeves's store does).
// Without it the engine asks Jenkins each time it needs them.
type StageStore interface {
	FetchStages(ctx context.Context, api jenkins.API, in config.Integration, b jenkins.Build) (Stages, error)
}

// WhyNoStages is what a 404 from wfapi means, when no store says.
const WhyNoStages = "not a Pipeline, or no Pipeline Stage View plugin (wfapi)"

// MaxRunningStages bounds the running builds whose stages are followed.
const MaxRunningStages = 3

// StageFollowEvery is how often a running build's stages are asked while no
// subscriber has it expanded (only its current stage shows, in the table):
// every other poll at the fastest interval. An expanded one's are asked at
// every poll.
const StageFollowEvery = 14 * time.Second

// Config configures an engine. Zero values take the defaults.
type Config struct {
	Connector  Connector
	Store      Store
	Refresh    time.Duration // base poll interval (default config.DefaultRefresh)
	Limit      int           // builds per full list (default 50)
	StoreLimit int           // builds read from the store at start (default 500)
	// MaxInFlight caps requests in flight per Jenkins server (default 4).
	MaxInFlight int
	Clock       func() time.Time
	Log         *slog.Logger

	// Go runs one piece of engine IO (default: a goroutine). Tests may queue
	// the work and run it by hand.
	Go func(func())
	// Timer arms a poll timer of an integration (default time.AfterFunc);
	// stop disarms it. Tests may hold the timers and fire them by hand.
	Timer func(nick string, d time.Duration, fire func()) (stop func())
}

// Snapshot is what the engine knows of one integration at one moment. It is
// immutable: its slices and maps are never modified after publication.
type Snapshot struct {
	Integration config.Integration
	Version     uint64 // grows with every published change of this integration

	API    jenkins.API // nil until connected; use it only inside IO
	APIErr string      // no client could be made (config problem)

	Records []BuildRecord       // newest first (stored history included)
	Queue   []jenkins.QueueItem // the job's queued items
	Results map[int]report.Results
	// Fetching holds the builds whose results are being fetched.
	Fetching map[int]bool
	// Stages holds the pipeline stages known of the running builds (the
	// newest MaxRunningStages, while on a screen) and of expanded builds.
	Stages map[int]Stages

	StoreLoaded bool      // the store was read (or there is none)
	FromStore   bool      // the records came from the store only
	Loading     bool      // a poll is in flight
	LastOK      time.Time // last successful answer from the server
	Failures    int       // polls failed in a row
	LastErr     string
	Answered    bool // the last failure was Jenkins's own answer (401, 403, 404)

	OlderFrom    int // next allBuilds index of older builds; 0 until a list came
	OlderLoading bool
	OlderDone    bool // Jenkins has no older builds than those read
	// OlderSeq grows each time a page of older builds ends; OlderNote says
	// how it ended (OlderErr: it failed).
	OlderSeq  uint64
	OlderNote string
	OlderErr  bool
}

// Record finds a build by number.
func (s *Snapshot) Record(n int) (int, *BuildRecord) {
	for i := range s.Records {
		if s.Records[i].Number == n {
			return i, &s.Records[i]
		}
	}
	return -1, nil
}

const (
	maxBackoff  = 2 * time.Minute
	minFastPoll = 5 * time.Second
	resultsMax  = 2  // result fetches in flight per integration (builds on screen)
	olderPage   = 50 // builds in a page of older builds
	storeTO     = 10 * time.Second
)

// Engine polls the integrations its subscribers watch.
type Engine struct {
	ctx context.Context
	cfg Config
	wg  sync.WaitGroup

	mu      sync.Mutex
	pollers map[string]*poller
	subs    map[*Sub]struct{}
	sems    map[string]chan struct{}
	work    []func() // IO to start once the lock is released
	wake    map[*Sub]struct{}
	stopped bool
}

// New makes an engine bound to ctx: cancelling it stops all polling.
func New(ctx context.Context, cfg Config) *Engine {
	if cfg.Refresh <= 0 {
		cfg.Refresh = config.DefaultRefresh
	}
	if cfg.Limit <= 0 {
		cfg.Limit = 50
	}
	if cfg.StoreLimit <= 0 {
		cfg.StoreLimit = 500
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 4
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Go == nil {
		cfg.Go = func(f func()) { go f() }
	}
	if cfg.Timer == nil {
		cfg.Timer = func(_ string, d time.Duration, f func()) func() {
			t := time.AfterFunc(d, f)
			return func() { t.Stop() }
		}
	}
	e := &Engine{ctx: ctx, cfg: cfg, pollers: map[string]*poller{}, subs: map[*Sub]struct{}{},
		sems: map[string]chan struct{}{}, wake: map[*Sub]struct{}{}}
	context.AfterFunc(ctx, e.shutdown)
	return e
}

// Wait blocks until every goroutine the engine started has ended (call it
// after cancelling the engine's context).
func (e *Engine) Wait() { e.wg.Wait() }

func (e *Engine) shutdown() {
	e.mu.Lock()
	e.stopped = true
	for _, p := range e.pollers {
		p.stopTimer()
	}
	subs := slices.Collect(maps.Keys(e.subs))
	e.mu.Unlock()
	for _, s := range subs {
		s.poke()
	}
}

// do runs f under the lock, then starts the IO it queued and wakes the
// subscribers whose integrations changed.
func (e *Engine) do(f func()) {
	e.mu.Lock()
	if !e.stopped {
		f()
	}
	work := e.work
	e.work = nil
	wake := slices.Collect(maps.Keys(e.wake))
	clear(e.wake)
	e.mu.Unlock()
	for _, s := range wake {
		s.poke()
	}
	for _, w := range work {
		if e.ctx.Err() != nil {
			return
		}
		e.wg.Add(1)
		e.cfg.Go(func() {
			defer e.wg.Done()
			w()
		})
	}
}

// later queues IO (called under the lock).
func (e *Engine) later(f func()) { e.work = append(e.work, f) }

// acquire takes a request slot of the server, waiting while it is full.
func (e *Engine) acquire(ctx context.Context, server string) (func(), error) {
	e.mu.Lock()
	sem := e.sems[server]
	if sem == nil {
		sem = make(chan struct{}, e.cfg.MaxInFlight)
		e.sems[server] = sem
	}
	e.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func serverOf(in config.Integration) string {
	return strings.ToLower(strings.TrimRight(in.URL, "/"))
}

func timeoutOf(in config.Integration) time.Duration {
	if in.Timeout > 0 {
		return in.Timeout
	}
	return 20 * time.Second
}

func clean(s string) string { return termtext.Clean(s) }

// --- subscribers ---

// Sub is one subscriber: what it watches and shows, and what it has seen.
type Sub struct {
	e        *Engine
	ch       chan struct{}
	watch    map[string]bool
	focus    string
	onScreen []int
	expanded []int
	compare  []int
	seen     map[string]uint64
	closed   bool
	watchSeq uint64
	focusSeq uint64
}

// Subscribe adds a subscriber watching nothing yet.
func (e *Engine) Subscribe() *Sub {
	s := &Sub{e: e, ch: make(chan struct{}, 1), watch: map[string]bool{}, seen: map[string]uint64{}}
	e.mu.Lock()
	e.subs[s] = struct{}{}
	e.mu.Unlock()
	return s
}

func (s *Sub) poke() {
	select {
	case s.ch <- struct{}{}:
	default:
	}
}

// Watch sets the integrations s watches. An integration is polled while some
// subscriber watches it; a changed server or job starts it over, other
// changes reconnect it.
//
// seq orders the calls of Watch (and, apart, of Focus), which may come from
// commands that run out of order: a call with a seq below the last one
// applied is ignored. 0 is always applied.
func (s *Sub) Watch(seq uint64, ins []config.Integration) {
	e := s.e
	e.do(func() {
		if s.closed || seq != 0 && seq < s.watchSeq {
			return
		}
		s.watchSeq = seq
		want := map[string]bool{}
		for _, in := range ins {
			want[in.Nickname] = true
			e.ensure(in)
		}
		s.watch = want
		for nick := range s.seen {
			if !want[nick] {
				delete(s.seen, nick)
			}
		}
		e.wake[s] = struct{}{} // deliver what is known of new ones
		e.refocus()
		e.reap()
	})
}

// Focus says which integration s shows, the builds on its screen (their
// results are fetched), the builds it has expanded (their results are
// loaded whole, their pipeline stages asked) and the builds it compares
// expanded ones with (compare: their results are loaded whole, no stages).
// seq orders the calls as for Watch.
func (s *Sub) Focus(seq uint64, nick string, onScreen, expanded []int, compare ...int) {
	s.e.do(func() {
		if s.closed || seq != 0 && seq < s.focusSeq {
			return
		}
		s.focusSeq = seq
		s.focus = nick
		s.onScreen = slices.Clone(onScreen)
		s.expanded = slices.Clone(expanded)
		s.compare = slices.Clone(compare)
		s.e.refocus()
	})
}

// Refresh polls an integration now, reading the full list, and retries the
// results that failed to load.
func (s *Sub) Refresh(nick string) {
	s.e.do(func() {
		if p := s.e.pollers[nick]; p != nil && s.watch[nick] {
			clear(p.retried)
			p.noStages = false // ask again: the job may have become a Pipeline
			s.e.pollNow(p, true)
		}
	})
}

// LoadOlder reads the next page of builds older than those known.
func (s *Sub) LoadOlder(nick string) {
	s.e.do(func() {
		if p := s.e.pollers[nick]; p != nil && s.watch[nick] {
			s.e.loadOlder(p)
		}
	})
}

// Close ends the subscription; integrations nobody watches stop polling.
func (s *Sub) Close() {
	s.e.do(func() {
		s.closed = true
		s.watch = map[string]bool{}
		delete(s.e.subs, s)
		s.e.refocus()
		s.e.reap()
	})
	s.poke()
}

// Next blocks until an integration s watches has a snapshot s has not seen,
// and returns the newest snapshot of each such integration. It fails when
// ctx or the engine's context ends, or s is closed.
func (s *Sub) Next(ctx context.Context) ([]Snapshot, error) {
	for {
		if snaps, err := s.ready(); snaps != nil || err != nil {
			return snaps, err
		}
		select {
		case <-s.ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.e.ctx.Done():
			return nil, s.e.ctx.Err()
		}
	}
}

// Ready is Next without waiting: nil when nothing changed.
func (s *Sub) Ready() []Snapshot {
	snaps, _ := s.ready()
	return snaps
}

func (s *Sub) ready() ([]Snapshot, error) {
	if err := s.e.ctx.Err(); err != nil {
		return nil, err
	}
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if s.closed {
		return nil, context.Canceled
	}
	var out []Snapshot
	for nick := range s.watch {
		p := s.e.pollers[nick]
		if p == nil {
			continue
		}
		snap := p.snapshot()
		if snap.Version > s.seen[nick] {
			s.seen[nick] = snap.Version
			out = append(out, snap)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Integration.Nickname < out[j].Integration.Nickname })
	return out, nil
}

// --- pollers ---

// poller is the live state of one integration. records, queue, results and
// resultsInFlight are shared with published snapshots: they are replaced,
// never modified in place.
type poller struct {
	cfg    config.Integration
	cfgGen uint64 // counts changes of cfg that keep the job (a client made before is stale)
	gen    uint64 // version base: a replaced poller continues its numbering
	api    jenkins.API
	apiErr string

	records []BuildRecord
	queue   []jenkins.QueueItem
	probe   *jenkins.Probe

	storeLoaded bool
	deferred    bool
	fromStore   bool
	lastOK      time.Time
	loading     bool
	forceFull   bool
	failures    int
	lastErr     string
	answered    bool

	results         map[int]report.Results
	resultsInFlight map[int]bool
	justFinished    map[int]bool
	retried         map[int]bool

	stages         map[int]Stages // replaced, never modified in place
	stagesInFlight map[int]bool
	stagesAsked    map[int]time.Time // when a running build's stages were last asked
	noStages       bool              // a running build had none (404): the job has none

	olderFrom    int
	olderLoading bool
	olderDone    bool
	olderSeq     uint64
	olderNote    string
	olderErr     bool

	// what the subscribers ask of it
	focused  bool
	onScreen []int
	expanded []int
	compare  []int

	tickSeq uint64
	stop    func()

	version  uint64
	dirty    bool
	pub      Snapshot
	pubValid bool
}

func newPoller(in config.Integration, gen uint64) *poller {
	return &poller{cfg: in, gen: gen, version: gen, results: map[int]report.Results{}, resultsInFlight: map[int]bool{},
		justFinished: map[int]bool{}, retried: map[int]bool{}, stages: map[int]Stages{}, stagesInFlight: map[int]bool{}, stagesAsked: map[int]time.Time{}}
}

func (p *poller) stopTimer() {
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
	p.tickSeq++
}

// changed marks the poller's state as changed: subscribers get a new snapshot.
func (e *Engine) changed(p *poller) {
	p.dirty = true
	p.version++
	for s := range e.subs {
		if s.watch[p.cfg.Nickname] {
			e.wake[s] = struct{}{}
		}
	}
}

// snapshot is the poller's published state (called under the lock).
func (p *poller) snapshot() Snapshot {
	if p.pubValid && !p.dirty {
		return p.pub
	}
	p.pub = Snapshot{
		Integration: p.cfg, Version: p.version, API: p.api, APIErr: p.apiErr,
		// copy on write: every change to these makes new ones first
		Records: p.records, Queue: p.queue, Results: p.results, Fetching: p.resultsInFlight, Stages: p.stages,
		StoreLoaded: p.storeLoaded, FromStore: p.fromStore, Loading: p.loading, LastOK: p.lastOK,
		Failures: p.failures, LastErr: p.lastErr, Answered: p.answered,
		OlderFrom: p.olderFrom, OlderLoading: p.olderLoading, OlderDone: p.olderDone,
		OlderSeq: p.olderSeq, OlderNote: p.olderNote, OlderErr: p.olderErr,
	}
	p.dirty, p.pubValid = false, true
	return p.pub
}

func sameJob(a, b config.Integration) bool {
	return strings.TrimRight(a.URL, "/") == strings.TrimRight(b.URL, "/") && strings.Trim(a.Job, "/") == strings.Trim(b.Job, "/")
}

// ensure starts (or updates) the poller of in (under the lock).
func (e *Engine) ensure(in config.Integration) {
	old := e.pollers[in.Nickname]
	switch {
	case old == nil:
	case reflect.DeepEqual(old.cfg, in):
		return
	case sameJob(old.cfg, in):
		// other settings (user, token, timeout): reconnect, keep the builds
		old.cfg = in
		old.cfgGen++
		old.api, old.apiErr, old.probe = nil, "", nil
		e.changed(old)
		if old.storeLoaded {
			e.pollNow(old, true)
		}
		return
	default:
		old.stopTimer() // another job: none of its builds, results or queue are this one's
	}
	var gen uint64
	if old != nil {
		gen = old.version + 1
	}
	p := newPoller(in, gen)
	e.pollers[in.Nickname] = p
	e.changed(p)
	if e.cfg.Store == nil {
		p.storeLoaded = true
		e.afterStore(p)
		return
	}
	st, nick, limit := e.cfg.Store, in.Nickname, e.cfg.StoreLimit
	e.later(func() {
		c, cancel := context.WithTimeout(e.ctx, storeTO)
		defer cancel()
		recs, err := st.Builds(c, nick, limit)
		e.do(func() { e.onStoreBuilds(p, recs, err) })
	})
}

// reap stops the pollers nobody watches (under the lock).
func (e *Engine) reap() {
	for nick, p := range e.pollers {
		watched := false
		for s := range e.subs {
			watched = watched || s.watch[nick]
		}
		if !watched {
			p.stopTimer()
			delete(e.pollers, nick)
		}
	}
}

func (e *Engine) alive(p *poller) bool { return e.pollers[p.cfg.Nickname] == p }

// refocus recomputes what the subscribers show (under the lock).
func (e *Engine) refocus() {
	for nick, p := range e.pollers {
		focused := false
		var on, ex, cmp []int
		for s := range e.subs {
			if s.focus == nick && s.watch[nick] {
				focused = true
				on = append(on, s.onScreen...)
				ex = append(ex, s.expanded...)
				cmp = append(cmp, s.compare...)
			}
		}
		was := p.focused
		p.focused, p.onScreen, p.expanded, p.compare = focused, on, ex, cmp
		if focused && !was {
			// shown now: poll soon, since a background integration polls slowly
			p.deferred = false
			if p.storeLoaded && !p.loading && (p.lastOK.IsZero() || e.cfg.Clock().Sub(p.lastOK) > e.cfg.Refresh) {
				e.pollNow(p, false)
			} else if p.storeLoaded && !p.loading {
				e.schedule(p)
			}
		}
		if focused || len(p.justFinished) > 0 {
			e.wantResults(p)
		}
		e.wantStages(p, false)
	}
}

// active reports whether something runs or waits, which polls faster.
func (p *poller) active() bool {
	if len(p.queue) > 0 {
		return true
	}
	if p.probe != nil && (p.probe.LastBuilding || p.probe.InQueue || len(p.probe.Running) > 0) {
		return true
	}
	for i := range p.records {
		if i > 20 {
			break
		}
		if p.records[i].Building && !p.records[i].Gone {
			return true
		}
	}
	return false
}

// interval is how long to wait before the next poll of p.
func (e *Engine) interval(p *poller) time.Duration {
	base := e.cfg.Refresh
	d := base
	switch {
	case !p.focused:
		// on no screen: slow, running or not, so that many integrations on
		// one server stay polite (20 of them: the one on screen and 19
		// probes a minute at the default 15 s)
		d = 4 * base
	case p.active():
		d = max(base/2, minFastPoll)
	}
	// back off on errors: the usual interval, then doubling up to a cap
	// (never below the usual interval)
	normal := d
	for i := 1; i < p.failures && d < maxBackoff; i++ {
		d *= 2
	}
	return max(normal, min(d, maxBackoff))
}

// schedule arms the next poll of p, superseding any armed one.
func (e *Engine) schedule(p *poller) {
	p.stopTimer()
	seq := p.tickSeq
	p.stop = e.cfg.Timer(p.cfg.Nickname, e.interval(p), func() {
		e.do(func() {
			if e.alive(p) && p.tickSeq == seq {
				p.stop = nil
				e.pollNow(p, false)
			}
		})
	})
}

// pollNow starts a poll unless one is in flight (under the lock).
func (e *Engine) pollNow(p *poller, force bool) {
	if force {
		p.forceFull = true
	}
	if p.loading {
		return
	}
	p.loading = true
	e.changed(p)
	in := p.cfg
	if p.api == nil {
		// making a client may run token_cmd: in the IO goroutine
		conn, cfgGen := e.cfg.Connector, p.cfgGen
		e.later(func() {
			api, err := conn.API(in)
			e.do(func() { e.onConnected(p, cfgGen, api, err) })
		})
		return
	}
	api := p.api
	e.later(func() {
		c, cancel := context.WithTimeout(e.ctx, timeoutOf(in))
		defer cancel()
		release, err := e.acquire(c, serverOf(in))
		var pr jenkins.Probe
		if err == nil {
			pr, err = api.Probe(c, in.Job)
			release()
		}
		e.do(func() { e.onProbed(p, pr, err) })
	})
}

func (e *Engine) onConnected(p *poller, cfgGen uint64, api jenkins.API, err error) {
	if !e.alive(p) {
		return
	}
	p.loading = false
	e.changed(p)
	if cfgGen != p.cfgGen {
		e.pollNow(p, true) // made with settings since changed: connect again
		return
	}
	if err != nil {
		p.apiErr = clean(err.Error())
		p.lastErr = p.apiErr
		e.cfg.Log.Error("no Jenkins client", "integration", p.cfg.Nickname, "err", p.apiErr)
		e.kickDeferred() // a config problem: polling again cannot fix it
		return
	}
	p.api, p.apiErr = api, ""
	e.pollNow(p, true)
}

func probeChanged(a *jenkins.Probe, b jenkins.Probe) bool {
	if a == nil {
		return true
	}
	return a.LastBuild != b.LastBuild || a.LastBuilding != b.LastBuilding || a.LastResult != b.LastResult || a.LastCompleted != b.LastCompleted ||
		a.InQueue != b.InQueue || !slices.Equal(a.Running, b.Running) || !slices.Equal(a.QueueIDs, b.QueueIDs)
}

func (e *Engine) failed(p *poller, err error, what string) {
	p.loading = false
	p.failures++
	p.lastErr = clean(err.Error())
	p.answered = jenkins.IsAuth(err) || jenkins.IsNotFound(err)
	e.cfg.Log.Warn(what+" failed", "integration", p.cfg.Nickname, "failures", p.failures, "err", p.lastErr)
	e.changed(p)
	e.schedule(p)
	e.kickDeferred()
}

func (e *Engine) onProbed(p *poller, pr jenkins.Probe, err error) {
	if !e.alive(p) {
		return
	}
	if p.api == nil {
		// the settings changed while it was in flight: connect again
		p.loading = false
		e.pollNow(p, true)
		return
	}
	if err != nil {
		e.failed(p, err, "poll")
		return
	}
	if p.failures > 0 {
		e.cfg.Log.Info("Jenkins answers again", "integration", p.cfg.Nickname, "after_failures", p.failures)
	}
	changed := probeChanged(p.probe, pr) || p.forceFull
	p.probe = &pr
	p.forceFull = false
	if !changed {
		wasErr := p.failures > 0 || p.lastErr != ""
		p.loading = false
		p.failures = 0
		p.lastErr = ""
		p.lastOK = e.cfg.Clock()
		if wasErr {
			p.answered = false
		}
		e.changed(p) // lastOK moved (the header's age) and loading ended
		e.schedule(p)
		e.wantStages(p, true)
		return
	}
	api, st, in, limit := p.api, e.cfg.Store, p.cfg, e.cfg.Limit
	queue := pr.InQueue || len(pr.QueueIDs) > 0
	e.later(func() {
		c, cancel := context.WithTimeout(e.ctx, timeoutOf(in))
		defer cancel()
		var builds []jenkins.Build
		var q []jenkins.QueueItem
		var saveErr error
		release, err := e.acquire(c, serverOf(in))
		if err == nil {
			builds, err = api.Builds(c, in.Job, limit)
			if err == nil && queue {
				if qq, qerr := api.JobQueue(c, in.Job); qerr == nil {
					q = qq
				}
			}
			release()
		}
		if err == nil && st != nil {
			sc, scancel := context.WithTimeout(e.ctx, storeTO)
			saveErr = st.SaveBuilds(sc, in.Nickname, builds, limit)
			scancel()
		}
		e.do(func() { e.onBuilds(p, builds, q, err, saveErr) })
	})
}

func (e *Engine) onBuilds(p *poller, builds []jenkins.Build, queue []jenkins.QueueItem, err, saveErr error) {
	if !e.alive(p) {
		return
	}
	if err != nil {
		p.probe = nil // so the next successful probe reloads the list
		e.failed(p, err, "build list")
		return
	}
	p.loading = false
	p.failures = 0
	p.lastErr = ""
	p.answered = false
	if saveErr != nil {
		p.lastErr = "store: " + clean(saveErr.Error())
	}
	p.lastOK = e.cfg.Clock()
	p.fromStore = false
	p.queue = queue
	p.merge(builds)
	if p.olderFrom == 0 {
		p.olderFrom = len(builds)
		p.olderDone = len(builds) < e.cfg.Limit
	}
	e.changed(p)
	e.schedule(p)
	e.wantResults(p)
	e.wantStages(p, true)
	e.kickDeferred()
}

// merge folds fresh builds into the known records (which may hold older
// history from the store), keeping what the store knew of results.
func (p *poller) merge(builds []jenkins.Build) {
	p.records = slices.Clone(p.records) // published snapshots keep the old slice
	idx := make(map[int]int, len(p.records))
	for i, r := range p.records {
		idx[r.Number] = i
	}
	for _, b := range builds {
		if i, ok := idx[b.Number]; ok {
			r := &p.records[i]
			if r.Building && !b.Building {
				p.justFinished[b.Number] = true
				if r.ResultsState != ResultsOK {
					r.ResultsState = ResultsUnknown // fetch again now that it is done
				}
				p.results = maps.Clone(p.results)
				delete(p.results, b.Number)
			}
			r.Build = b
			r.Gone = false
			continue
		}
		p.records = append(p.records, BuildRecord{Build: b})
		idx[b.Number] = len(p.records) - 1
	}
	sort.SliceStable(p.records, func(i, j int) bool { return p.records[i].Number > p.records[j].Number })
}

func (p *poller) record(n int) *BuildRecord {
	for i := range p.records {
		if p.records[i].Number == n {
			return &p.records[i]
		}
	}
	return nil
}

// loadOlder reads the next page of older builds (under the lock).
func (e *Engine) loadOlder(p *poller) {
	if p.api == nil || p.olderLoading || p.olderDone || p.olderFrom == 0 {
		return
	}
	p.olderLoading = true
	e.changed(p)
	api, st, in, from := p.api, e.cfg.Store, p.cfg, p.olderFrom
	e.later(func() {
		c, cancel := context.WithTimeout(e.ctx, timeoutOf(in))
		defer cancel()
		var builds []jenkins.Build
		var saveErr error
		release, err := e.acquire(c, serverOf(in))
		if err == nil {
			builds, err = api.BuildsRange(c, in.Job, from, from+olderPage)
			release()
		}
		if err == nil && st != nil && len(builds) > 0 {
			sc, scancel := context.WithTimeout(e.ctx, storeTO)
			saveErr = st.SaveBuilds(sc, in.Nickname, builds, 0)
			scancel()
		}
		e.do(func() { e.onOlder(p, from, builds, err, saveErr) })
	})
}

func (e *Engine) onOlder(p *poller, from int, builds []jenkins.Build, err, saveErr error) {
	if !e.alive(p) {
		return
	}
	p.olderLoading = false
	p.olderSeq++
	e.changed(p)
	if err != nil {
		p.olderNote, p.olderErr = "older builds: "+clean(err.Error()), true
		return
	}
	if from == p.olderFrom {
		p.olderFrom += len(builds)
	}
	if len(builds) < olderPage {
		p.olderDone = true
	}
	before := len(p.records)
	p.merge(builds)
	added := len(p.records) - before
	switch {
	case saveErr != nil:
		p.olderNote, p.olderErr = "store: "+clean(saveErr.Error()), true
	case added == 0 && p.olderDone:
		p.olderNote, p.olderErr = "no older builds on Jenkins", false
	default:
		p.olderNote, p.olderErr = strconv.Itoa(added)+" older builds loaded", false
	}
	e.wantResults(p)
}

// wantResults fetches the results of builds that just finished and of the
// finished builds on a subscriber's screen, a few at a time; expanded
// builds first and whatever the count in flight (under the lock).
func (e *Engine) wantResults(p *poller) {
	if p.api == nil || e.cfg.Store == nil {
		return
	}
	started := false
	fetch := func(n int, expanded bool) {
		r := p.record(n)
		if r == nil || r.Building || r.Gone || p.resultsInFlight[n] {
			return
		}
		if !expanded && len(p.resultsInFlight) >= resultsMax {
			return
		}
		if _, ok := p.results[n]; ok {
			return
		}
		retry := r.ResultsState == ResultsFailed && !p.retried[n]
		if !r.ResultsState.Unknown() && !retry && !expanded {
			return
		}
		if retry {
			p.retried[n] = true // once per session (and again after a refresh)
		}
		p.resultsInFlight = maps.Clone(p.resultsInFlight)
		p.resultsInFlight[n] = true
		started = true
		api, st, in, b := p.api, e.cfg.Store, p.cfg, r.Build
		e.later(func() {
			c, cancel := context.WithTimeout(e.ctx, 2*timeoutOf(in))
			defer cancel()
			var res report.Results
			var state ResultsState
			var why string
			release, err := e.acquire(c, serverOf(in))
			if err == nil {
				res, state, why, err = st.FetchResults(c, api, in, b)
				release()
			}
			e.do(func() { e.onResults(p, b.Number, res, state, why, err) })
		})
	}
	if p.focused {
		for _, n := range slices.Concat(p.expanded, p.compare) {
			fetch(n, true)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(p.justFinished)) {
		fetch(n, false)
	}
	if p.focused {
		for _, n := range p.onScreen {
			fetch(n, false)
		}
	}
	if started {
		e.changed(p)
	}
}

func (e *Engine) onResults(p *poller, n int, res report.Results, state ResultsState, why string, err error) {
	if !e.alive(p) {
		return
	}
	p.resultsInFlight = maps.Clone(p.resultsInFlight)
	delete(p.resultsInFlight, n)
	delete(p.justFinished, n)
	e.changed(p)
	i := -1
	for j := range p.records {
		if p.records[j].Number == n {
			i = j
		}
	}
	if i < 0 {
		return
	}
	p.records = slices.Clone(p.records)
	r := &p.records[i]
	p.results = maps.Clone(p.results)
	if err != nil {
		r.ResultsState = ResultsFailed
		r.ResultsWhy = clean(err.Error())
		e.cfg.Log.Warn("results failed", "integration", p.cfg.Nickname, "build", n, "err", r.ResultsWhy)
		p.results[n] = report.Results{}
	} else {
		r.ResultsState = state
		r.ResultsWhy = clean(why)
		r.Collections, r.Governance = res.Summaries()
		p.results[n] = res
	}
	e.wantResults(p)
}

func (e *Engine) onStoreBuilds(p *poller, recs []BuildRecord, err error) {
	if !e.alive(p) {
		return
	}
	p.storeLoaded = true
	if err == nil && len(p.records) == 0 {
		p.records = slices.Clone(recs)
		p.fromStore = len(recs) > 0
		sort.SliceStable(p.records, func(i, j int) bool { return p.records[i].Number > p.records[j].Number })
	} else if err != nil {
		p.lastErr = "store: " + clean(err.Error())
	}
	e.changed(p)
	e.afterStore(p)
}

// afterStore starts polling p once its stored builds are shown. Until the
// integrations on screen have their first data, the others wait, so a cold
// start spends its first requests on what the user sees.
func (e *Engine) afterStore(p *poller) {
	if !p.focused && !e.firstDataDone() {
		p.deferred = true
		return
	}
	e.pollNow(p, true)
}

// firstDataDone reports whether every integration on a screen has answered
// (or failed) once.
func (e *Engine) firstDataDone() bool {
	for _, p := range e.pollers {
		if p.focused && p.lastOK.IsZero() && p.failures == 0 && p.apiErr == "" {
			return false
		}
	}
	return true
}

// kickDeferred starts the polls that waited for the first data on screen.
func (e *Engine) kickDeferred() {
	if !e.firstDataDone() {
		return
	}
	for _, p := range e.pollers {
		if p.deferred {
			p.deferred = false
			e.pollNow(p, true)
		}
	}
}

// wantStages asks for the pipeline stages p's subscribers see (under the
// lock). After a poll answered (poll), the running builds' are asked again,
// one request per build; otherwise only those never asked. An expanded
// finished build's are asked until an answer is final (a failed or not yet
// final one again after the next poll). What is no longer running nor
// expanded, and not final, is dropped (all but the final ones when off
// screen): it is asked afresh when shown again.
func (e *Engine) wantStages(p *poller, poll bool) {
	now := e.cfg.Clock()
	keep := map[int]bool{} // off screen: none but the final ones
	var ask []jenkins.Build
	running := 0
	for i := range p.records {
		if !p.focused || p.api == nil {
			break
		}
		r := &p.records[i]
		if !r.Building || r.Gone {
			continue
		}
		if running++; running > MaxRunningStages {
			break
		}
		keep[r.Number] = true
		_, have := p.stages[r.Number]
		if p.noStages || have && !poll {
			continue
		}
		// the stage in the table's row changes slowly: asked every other
		// poll of a running build (StageFollowEvery); an expanded build's
		// list, which a user watches, at every poll
		if have && !slices.Contains(p.expanded, r.Number) && now.Sub(p.stagesAsked[r.Number]) < StageFollowEvery {
			continue
		}
		p.stagesAsked[r.Number] = now
		ask = append(ask, r.Build)
	}
	for n := range p.stagesAsked {
		if !keep[n] {
			delete(p.stagesAsked, n)
		}
	}
	for _, n := range p.expanded {
		r := p.record(n)
		if r == nil || r.Building || r.Gone || !p.focused || p.api == nil {
			continue
		}
		keep[n] = true
		s, have := p.stages[n]
		if !have || !s.Final && poll {
			ask = append(ask, r.Build)
		}
	}
	pruned := false
	for n, s := range p.stages {
		if !keep[n] && !s.Final {
			if !pruned {
				p.stages, pruned = maps.Clone(p.stages), true
			}
			delete(p.stages, n)
		}
	}
	if pruned {
		e.changed(p)
	}
	for _, b := range ask {
		if p.stagesInFlight[b.Number] {
			continue
		}
		p.stagesInFlight[b.Number] = true
		api, in := p.api, p.cfg
		ss, _ := e.cfg.Store.(StageStore)
		e.later(func() {
			c, cancel := context.WithTimeout(e.ctx, timeoutOf(in))
			defer cancel()
			var st Stages
			release, err := e.acquire(c, serverOf(in))
			if err == nil {
				st, err = fetchStages(c, ss, api, in, b)
				release()
			}
			e.do(func() { e.onStages(p, b, st, err) })
		})
	}
}

// fetchStages asks for b's stages through the store when there is one.
func fetchStages(ctx context.Context, ss StageStore, api jenkins.API, in config.Integration, b jenkins.Build) (Stages, error) {
	if ss != nil {
		return ss.FetchStages(ctx, api, in, b)
	}
	list, err := api.Stages(ctx, in.Job, b.Number)
	switch {
	case jenkins.IsNotFound(err):
		return Stages{None: true, Why: WhyNoStages, Final: !b.Building}, nil
	case err != nil:
		return Stages{}, err
	}
	return Stages{List: list, Final: !b.Building}, nil
}

func (e *Engine) onStages(p *poller, b jenkins.Build, st Stages, err error) {
	if !e.alive(p) {
		return
	}
	delete(p.stagesInFlight, b.Number)
	if err != nil {
		old := p.stages[b.Number] // keep what was known
		st = Stages{List: old.List, None: old.None, Why: old.Why, Err: clean(err.Error())}
		e.cfg.Log.Warn("stages failed", "integration", p.cfg.Nickname, "build", b.Number, "err", st.Err)
	} else if b.Building && st.None {
		p.noStages = true // the job has none here: running builds are not asked again
	}
	if !p.focused && !st.Final {
		return // off screen since it was asked: not followed, not kept
	}
	if old, ok := p.stages[b.Number]; ok && reflect.DeepEqual(old, st) {
		return
	}
	p.stages = maps.Clone(p.stages)
	p.stages[b.Number] = st
	e.changed(p)
}
