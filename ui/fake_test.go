package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
	"github.com/jeeves-dev/jeeves/watch"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // absolute times in goldens
	os.Exit(m.Run())
}

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fakeAPI is an in-memory Jenkins for one job, counting calls.
type fakeAPI struct {
	mu       sync.Mutex
	base     string
	job      jenkins.Job
	builds   []jenkins.Build // newest first
	queue    []jenkins.QueueItem
	results  map[int]report.Results
	logs     map[int][]string // chunks served one per call
	err      error            // every call fails with it while set
	calls    map[string]int
	triggers []map[string]string
	stopped  []int
	queueAns jenkins.QueueItem

	stages    map[int][]jenkins.Stage
	noWfapi   bool // Stages answers 404, as Jenkins without the Stage View plugin
	stageLogs map[string]jenkins.StageLog
	tails     map[int]jenkins.LogTail // TailLog answers; else the log from its start
	tailErr   error                   // TailLog fails with it
}

func (f *fakeAPI) count(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[name]++
	return f.err
}

func (f *fakeAPI) n(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *fakeAPI) setErr(err error) { f.mu.Lock(); f.err = err; f.mu.Unlock() }

func (f *fakeAPI) BaseURL() string { return f.base }
func (f *fakeAPI) WhoAmI(ctx context.Context) (jenkins.WhoAmI, error) {
	return jenkins.WhoAmI{Name: "alice"}, f.count("whoami")
}
func (f *fakeAPI) Job(ctx context.Context, job string) (jenkins.Job, error) {
	if err := f.count("job"); err != nil {
		return jenkins.Job{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.job, nil
}
func (f *fakeAPI) Probe(ctx context.Context, job string) (jenkins.Probe, error) {
	if err := f.count("probe"); err != nil {
		return jenkins.Probe{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := jenkins.Probe{InQueue: len(f.queue) > 0}
	if len(f.builds) > 0 {
		p.LastBuild = f.builds[0].Number
		p.LastBuilding = f.builds[0].Building
		p.LastResult = f.builds[0].Result
	}
	for _, b := range f.builds {
		if b.Building {
			p.Running = append(p.Running, b.Number)
		}
	}
	for _, q := range f.queue {
		p.QueueIDs = append(p.QueueIDs, q.ID)
	}
	return p, nil
}
func (f *fakeAPI) Builds(ctx context.Context, job string, limit int) ([]jenkins.Build, error) {
	if err := f.count("builds"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := min(limit, len(f.builds))
	return append([]jenkins.Build(nil), f.builds[:n]...), nil
}
func (f *fakeAPI) BuildsRange(ctx context.Context, job string, from, to int) ([]jenkins.Build, error) {
	if err := f.count("range"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if from >= len(f.builds) {
		return nil, nil
	}
	return append([]jenkins.Build(nil), f.builds[from:min(to, len(f.builds))]...), nil
}
func (f *fakeAPI) Build(ctx context.Context, job string, number int) (jenkins.Build, error) {
	if err := f.count("build"); err != nil {
		return jenkins.Build{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.builds {
		if b.Number == number {
			return b, nil
		}
	}
	return jenkins.Build{}, errors.New("404 not found")
}
func (f *fakeAPI) Trigger(ctx context.Context, job string, params map[string]string) (int64, error) {
	if err := f.count("trigger"); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.triggers = append(f.triggers, params)
	id := int64(500 + len(f.triggers))
	f.queue = append(f.queue, jenkins.QueueItem{ID: id, Why: "Waiting for next available executor", InQueueSince: t0})
	return id, nil
}
func (f *fakeAPI) QueueItem(ctx context.Context, id int64) (jenkins.QueueItem, error) {
	if err := f.count("queueitem"); err != nil {
		return jenkins.QueueItem{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.queueAns
	it.ID = id
	return it, nil
}
func (f *fakeAPI) JobQueue(ctx context.Context, job string) ([]jenkins.QueueItem, error) {
	if err := f.count("jobqueue"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]jenkins.QueueItem(nil), f.queue...), nil
}
func (f *fakeAPI) Stop(ctx context.Context, job string, number int) error {
	if err := f.count("stop"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = append(f.stopped, number)
	return nil
}
func (f *fakeAPI) Log(ctx context.Context, job string, number int, start int64) (jenkins.LogChunk, error) {
	if err := f.count("log"); err != nil {
		return jenkins.LogChunk{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	chunks := f.logs[number]
	// chunk i starts at the byte offset of the chunks before it
	var off int64
	for i, c := range chunks {
		if off == start {
			return jenkins.LogChunk{Text: []byte(c), NextOffset: off + int64(len(c)), More: i < len(chunks)-1}, nil
		}
		off += int64(len(c))
	}
	return jenkins.LogChunk{NextOffset: off}, nil
}
func (f *fakeAPI) Artifact(ctx context.Context, job string, number int, p string, max int64) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(nil)), nil
}
func (f *fakeAPI) TestReport(ctx context.Context, job string, number int, max int64) (io.ReadCloser, error) {
	return nil, errors.New("not found")
}
func (f *fakeAPI) Stages(ctx context.Context, job string, number int) ([]jenkins.Stage, error) {
	if err := f.count("stages"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noWfapi {
		return nil, &jenkins.Error{Op: "read stages", Kind: jenkins.ErrorNotFound, What: "no stages"}
	}
	return f.stages[number], nil
}

// fakeConnector hands out one fakeAPI per nickname.
type fakeConnector map[string]*fakeAPI

func (c fakeConnector) API(in config.Integration) (jenkins.API, error) {
	if a, ok := c[in.Nickname]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("no token for %s: set JENKINS_TOKEN", in.Nickname)
}

// fakeStore keeps builds and integrations in memory.
type fakeStore struct {
	mu      sync.Mutex
	ints    []config.Integration
	builds  map[string][]BuildRecord
	apis    fakeConnector
	fetches int
	fetched []int // build numbers, in the order fetched
	saved   int
	state   map[string]string
}

func (s *fakeStore) State(ctx context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state[key], nil
}
func (s *fakeStore) SetState(ctx context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == nil {
		s.state = map[string]string{}
	}
	s.state[key] = value
	return nil
}

func (s *fakeStore) Integrations(ctx context.Context) ([]config.Integration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]config.Integration(nil), s.ints...), nil
}
func (s *fakeStore) SaveIntegration(ctx context.Context, in config.Integration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.ints {
		if s.ints[i].Nickname == in.Nickname {
			s.ints[i] = in
			return nil
		}
	}
	s.ints = append(s.ints, in)
	return nil
}
func (s *fakeStore) DeleteIntegration(ctx context.Context, nick string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.ints {
		if s.ints[i].Nickname == nick {
			s.ints = append(s.ints[:i], s.ints[i+1:]...)
			delete(s.builds, nick) // as the store does: its builds go with it
			return nil
		}
	}
	return errors.New("no integration " + nick)
}
func (s *fakeStore) SaveBuilds(ctx context.Context, nick string, bs []jenkins.Build, limit int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved++
	return nil
}
func (s *fakeStore) Builds(ctx context.Context, nick string, limit int) ([]BuildRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.builds[nick]
	return append([]BuildRecord(nil), r[:min(limit, len(r))]...), nil
}
func (s *fakeStore) FetchResults(ctx context.Context, api jenkins.API, in config.Integration, b jenkins.Build) (report.Results, ResultsState, string, error) {
	s.mu.Lock()
	s.fetches++
	s.fetched = append(s.fetched, b.Number)
	s.mu.Unlock()
	f := api.(*fakeAPI)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return report.Results{}, ResultsFailed, "", f.err
	}
	r, ok := f.results[b.Number]
	if !ok {
		return report.Results{}, ResultsEmpty, "no matching artifacts", nil
	}
	return r, ResultsOK, "", nil
}

// --- fixtures ---

func payments() config.Integration {
	return config.Integration{Nickname: "Payments API", URL: "http://jenkins.test", Job: "payments/api-tests", Source: "config"}
}

func orders() config.Integration {
	return config.Integration{Nickname: "Orders API", URL: "http://jenkins.test", Job: "orders/main", Source: "config"}
}

func mkBuild(n int, st jenkins.Status, ago time.Duration, dur time.Duration) jenkins.Build {
	b := jenkins.Build{Number: n, Status: st, Result: strings.ToUpper(string(st)), Started: t0.Add(-ago), Duration: dur,
		EstimatedDuration: 3 * time.Minute, URL: fmt.Sprintf("http://jenkins.test/job/payments/job/api-tests/%d/", n),
		Causes: []jenkins.Cause{{Description: "Started by timer"}}}
	if st == jenkins.StatusRunning {
		b.Building = true
		b.Result = ""
		b.Duration = 0
	}
	return b
}

func paymentsBuilds() []jenkins.Build {
	bs := []jenkins.Build{
		mkBuild(112, jenkins.StatusRunning, 65*time.Second, 0),
		mkBuild(111, jenkins.StatusFailure, 20*time.Minute, 2*time.Minute+13*time.Second),
		mkBuild(110, jenkins.StatusSuccess, time.Hour, 2*time.Minute+5*time.Second),
		mkBuild(109, jenkins.StatusUnstable, 2*time.Hour, 2*time.Minute),
		mkBuild(108, jenkins.StatusAborted, 3*time.Hour, 40*time.Second),
		mkBuild(107, jenkins.StatusSuccess, 26*time.Hour, 2*time.Minute),
		mkBuild(106, jenkins.StatusFailure, 50*time.Hour, 2*time.Minute),
		mkBuild(105, jenkins.StatusSuccess, 72*time.Hour, 2*time.Minute),
	}
	bs[1].Causes = []jenkins.Cause{{Description: "Started by user Alice", UserName: "Alice", UserID: "alice"}}
	bs[1].Params = []jenkins.Param{{Name: "ENV", Value: "staging"}, {Name: "TOKEN", Value: "xxxx", Masked: true}}
	return bs
}

func failedResults() report.Results {
	return report.Results{
		Collections: []report.CollectionRun{{
			Name: "Payments", Tool: report.ToolNewman, Artifact: "newman/payments.json", Iterations: 1,
			Requests: report.Counts{Total: 3, Failed: 1}, Assertions: report.Counts{Total: 5, Failed: 1}, DurationMS: 1234,
			Executions: []report.Execution{
				{Name: "List payments", Method: "GET", Code: 200, ResponseMS: 31, Assertions: []report.Assertion{{Name: "Status code is 200", Status: report.Passed}}},
				{Name: "Create payment", Folder: "payments", Method: "POST", Code: 500, ResponseMS: 120, Assertions: []report.Assertion{
					{Name: "Body has id", Status: report.Passed},
					{Name: "Status code is 201", Status: report.Failed, Message: "expected response to have status code 201 but got 500"},
				}},
				{Name: "Get payment", Method: "GET", Code: 200, ResponseMS: 12, Assertions: []report.Assertion{{Name: "ok", Status: report.Passed}, {Name: "schema", Status: report.Passed}}},
			},
		}},
		Governance: []report.GovernanceResult{{
			Definition: "openapi.yaml", Tool: report.ToolSpectral, Artifact: "lint/spectral.json",
			Violations: []report.Violation{
				{Rule: "operation-description", Severity: report.SevWarning, Message: "Operation should have a description", Path: "paths./payments.get", File: "openapi.yaml", Line: 12, Column: 9},
				{Rule: "oas3-schema", Severity: report.SevError, Message: "type must be string", Path: "components.schemas.Id", File: "openapi.yaml", Line: 40, Column: 7},
			},
		}},
	}
}

func newFakes() (fakeConnector, *fakeStore) {
	pay := &fakeAPI{base: "http://jenkins.test", builds: paymentsBuilds(), results: map[int]report.Results{111: failedResults()},
		job: jenkins.Job{FullName: "payments/api-tests", Buildable: true, Params: []jenkins.ParamDef{
			{Name: "ENV", Type: jenkins.ParamChoice, Choices: []string{"dev", "staging", "prod"}, Default: "dev"},
			{Name: "DRY_RUN", Type: jenkins.ParamBoolean, Default: "false"},
			{Name: "BRANCH", Type: jenkins.ParamString, Default: "main", Description: "Git branch"},
			{Name: "TOKEN", Type: jenkins.ParamPassword},
		}}}
	ord := &fakeAPI{base: "http://jenkins.test", builds: []jenkins.Build{mkBuild(7, jenkins.StatusSuccess, 5*time.Minute, time.Minute)}}
	apis := fakeConnector{"Payments API": pay, "Orders API": ord}
	return apis, &fakeStore{apis: apis, builds: map[string][]BuildRecord{}}
}

// --- harness: runs commands synchronously; timers are held until fired ---
//
// The engine runs under the harness too: its IO is queued and run one piece
// at a time once the dashboard's commands are done, its poll timers are held
// with the others (as pollTickMsg), and its snapshots are delivered whenever
// the dashboard waits for them and one is ready.

type timerMsg struct {
	d   time.Duration
	msg tea.Msg
}

// pollTickMsg is an engine poll timer the harness holds.
type pollTickMsg struct {
	nick string
	id   int
	fire func()
}

// waitingMsg: the dashboard waits for the engine's next snapshots.
type waitingMsg struct{}

// holdTimers replaces real timers: the harness keeps them until fired.
func holdTimers(d time.Duration, msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return timerMsg{d, msg} }
}

func holdWait(context.Context, *watch.Sub) tea.Cmd {
	return func() tea.Msg { return waitingMsg{} }
}

type harness struct {
	t         testing.TB
	m         Model
	timers    []timerMsg
	quit      bool
	clipboard string

	eng      *watch.Engine
	work     []func()
	waiting  bool
	timerID  int
	settling bool
	hold     bool     // the engine's IO waits (snapshots are still delivered)
	peer     *harness // the harness whose engine this dashboard shares (its IO queue and timers)
}

func (h *harness) queue() *harness {
	if h.peer != nil {
		return h.peer
	}
	return h
}

// harnessEngine makes an engine whose IO and timers the harness runs.
func (h *harness) engine(deps Deps, opts Options) *watch.Engine {
	var st watch.Store
	if deps.Store != nil {
		st = deps.Store
	}
	ctx := deps.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	h.eng = watch.New(ctx, watch.Config{Connector: deps.Jenkins, Store: st, Refresh: opts.Refresh, Limit: opts.Limit,
		StoreLimit: opts.StoreLimit, Clock: deps.Clock, Log: deps.Log,
		Go: func(f func()) { h.work = append(h.work, f) },
		Timer: func(nick string, d time.Duration, fire func()) func() {
			h.timerID++
			id := h.timerID
			h.timers = append(h.timers, timerMsg{d, pollTickMsg{nick: nick, id: id, fire: fire}})
			return func() {
				h.timers = slices.DeleteFunc(h.timers, func(tm timerMsg) bool {
					pt, ok := tm.msg.(pollTickMsg)
					return ok && pt.id == id
				})
			}
		}})
	return h.eng
}

// newHarnessWith makes a dashboard on deps whose commands, timers and
// engine the harness runs.
func newHarnessWith(t testing.TB, deps Deps, opts Options) *harness {
	h := &harness{t: t}
	deps.Engine = h.engine(deps, opts)
	h.m = New(deps, opts)
	h.m.after = holdTimers
	h.m.table.after = holdTimers // the table is made in New, before the hook is replaced
	h.m.wait = holdWait
	return h
}

func newHarness(t testing.TB, opts Options) (*harness, fakeConnector, *fakeStore) {
	apis, st := newFakes()
	if opts.Integrations == nil {
		opts.Integrations = []config.Integration{payments(), orders()}
	}
	h := newHarnessWith(t, Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }, Ctx: context.Background()}, opts)
	return h, apis, st
}

func (h *harness) start(w, ht int) {
	h.send(tea.WindowSizeMsg{Width: w, Height: ht})
	h.run(h.m.Init())
	h.settle()
}

func (h *harness) send(msg tea.Msg) {
	m2, cmd := h.m.Update(msg)
	h.m = m2.(Model)
	h.run(cmd)
	h.settle()
}

// settle runs the engine's queued IO and delivers its snapshots until
// nothing is left to do.
func (h *harness) settle() {
	if h.settling {
		return
	}
	h.settling = true
	defer func() { h.settling = false }()
	for {
		if h.waiting {
			if snaps := h.m.sub.Ready(); snaps != nil {
				h.waiting = false
				h.send(engineMsg{snaps: snaps})
				continue
			}
		}
		if q := h.queue(); len(q.work) > 0 && !h.hold {
			w := q.work[0]
			q.work = q.work[1:]
			w()
			continue
		}
		return
	}
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case timerMsg:
		h.timers = append(h.timers, msg)
	case waitingMsg:
		h.waiting = true
	case tea.QuitMsg:
		h.quit = true
	default:
		if s := fmt.Sprintf("%T", msg); strings.HasSuffix(s, "setClipboardMsg") {
			h.clipboard = fmt.Sprint(msg)
			return
		}
		h.send(msg)
	}
}

// fire delivers the held timers whose message matches keep, once each.
func (h *harness) fire(keep func(tea.Msg) bool) int {
	var due, rest []timerMsg
	for _, tm := range h.timers {
		if keep(tm.msg) {
			due = append(due, tm)
		} else {
			rest = append(rest, tm)
		}
	}
	h.timers = rest
	for _, tm := range due {
		if pt, ok := tm.msg.(pollTickMsg); ok {
			pt.fire()
			h.settle()
			continue
		}
		h.send(tm.msg)
	}
	return len(due)
}

func (h *harness) key(keys ...string) {
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

func (h *harness) screen() string { return h.m.View().Content }

func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
