package ui

import (
	"fmt"
	"slices"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// integ is the live state of one integration.
type integ struct {
	cfg     config.Integration
	api     jenkins.API
	apiErr  string
	records []BuildRecord // newest first
	queue   []jenkins.QueueItem
	probe   *jenkins.Probe

	storeLoaded bool
	deferred    bool      // first poll waits for the integration on screen
	fromStore   bool      // shown data came from the store only
	lastOK      time.Time // last successful answer from the server
	loading     bool      // a poll is in flight (at most one)
	forceFull   bool      // the next probe answer loads the full list
	tickSeq     uint64
	failures    int
	lastErr     string
	answered    bool // the last failure was Jenkins's own answer (401, 403, 404): it is up, not offline

	results         map[int]report.Results
	resultsInFlight map[int]bool
	justFinished    map[int]bool
	retried         map[int]bool // builds whose failed results fetch was retried

	olderFrom    int  // next allBuilds index to read for older builds; 0 until a list came
	olderLoading bool // a page of older builds is in flight
	olderDone    bool // Jenkins has no older builds than those read
}

func newInteg(in config.Integration) *integ {
	return &integ{cfg: in, results: map[int]report.Results{}, resultsInFlight: map[int]bool{}, justFinished: map[int]bool{}, retried: map[int]bool{}}
}

// active reports whether something runs or waits, which polls faster.
func (ig *integ) active() bool {
	if len(ig.queue) > 0 {
		return true
	}
	if ig.probe != nil && (ig.probe.LastBuilding || ig.probe.InQueue || len(ig.probe.Running) > 0) {
		return true
	}
	for i := range ig.records {
		if i > 20 {
			break
		}
		if ig.records[i].Building && !ig.records[i].Gone {
			return true
		}
	}
	return false
}

func (ig *integ) record(n int) (int, *BuildRecord) {
	for i := range ig.records {
		if ig.records[i].Number == n {
			return i, &ig.records[i]
		}
	}
	return -1, nil
}

// pollInterval is how long to wait before the next poll of ig.
func (m Model) pollInterval(ig *integ, selected bool) time.Duration {
	base := m.opts.Refresh
	d := base
	if ig.active() {
		d = max(base/2, minFastPoll)
	}
	if !selected {
		d *= 4
	}
	// back off on errors: the usual interval, then doubling up to a cap
	// (never below the usual interval)
	normal := d
	for i := 1; i < ig.failures && d < maxBackoff; i++ {
		d *= 2
	}
	return max(normal, min(d, maxBackoff))
}

const (
	maxBackoff  = 2 * time.Minute
	minFastPoll = 5 * time.Second
	followEvery = 2 * time.Second
	logEvery    = 2 * time.Second
	resultsMax  = 2 // result fetches in flight per integration
)

// schedule arms the next poll tick of ig, superseding any armed one.
func (m *Model) schedule(ig *integ) tea.Cmd {
	ig.tickSeq++
	return m.after(m.pollInterval(ig, ig == m.cur()), pollTickMsg{nick: ig.cfg.Nickname, seq: ig.tickSeq})
}

// pollNow starts a poll unless one is in flight.
func (m *Model) pollNow(ig *integ, force bool) tea.Cmd {
	if force {
		ig.forceFull = true
	}
	if ig.loading {
		return nil
	}
	ig.loading = true
	if ig.api == nil {
		// making a client may run token_cmd: never in Update
		return tea.Batch(connectCmd(m.deps.Jenkins, ig.cfg), m.startSpinner())
	}
	return tea.Batch(probeCmd(m.deps.Ctx, ig.api, ig.cfg), m.startSpinner())
}

func (m *Model) onConnected(msg connectedMsg) tea.Cmd {
	ig := m.find(msg.nick)
	if ig == nil {
		return nil
	}
	ig.loading = false
	if msg.err != nil {
		ig.apiErr = clean(msg.err.Error())
		ig.lastErr = ig.apiErr
		m.deps.Log.Error("no Jenkins client", "integration", ig.cfg.Nickname, "err", ig.apiErr)
		return m.kickDeferred() // a config problem: polling again cannot fix it
	}
	ig.api, ig.apiErr = msg.api, ""
	return m.pollNow(ig, true)
}

func probeChanged(a *jenkins.Probe, b jenkins.Probe) bool {
	if a == nil {
		return true
	}
	return a.LastBuild != b.LastBuild || a.LastBuilding != b.LastBuilding || a.LastResult != b.LastResult ||
		a.InQueue != b.InQueue || !slices.Equal(a.Running, b.Running) || !slices.Equal(a.QueueIDs, b.QueueIDs)
}

func (m *Model) onProbed(msg probedMsg) tea.Cmd {
	ig := m.find(msg.nick)
	if ig == nil {
		return nil
	}
	if msg.err != nil {
		ig.loading = false
		ig.failures++
		ig.lastErr = clean(msg.err.Error())
		ig.answered = jenkins.IsAuth(msg.err) || jenkins.IsNotFound(msg.err)
		m.deps.Log.Warn("poll failed", "integration", ig.cfg.Nickname, "failures", ig.failures, "err", ig.lastErr)
		return tea.Batch(m.schedule(ig), m.kickDeferred())
	}
	if ig.failures > 0 {
		m.deps.Log.Info("Jenkins answers again", "integration", ig.cfg.Nickname, "after_failures", ig.failures)
	}
	changed := probeChanged(ig.probe, msg.probe) || ig.forceFull
	p := msg.probe
	ig.probe = &p
	ig.forceFull = false
	if !changed {
		ig.loading = false
		ig.failures = 0
		ig.lastErr = ""
		ig.lastOK = m.now
		return m.schedule(ig)
	}
	return loadBuildsCmd(m.deps.Ctx, ig.api, m.deps.Store, ig.cfg, m.opts.Limit, p.InQueue || len(p.QueueIDs) > 0)
}

func (m *Model) onBuildsLoaded(msg buildsLoadedMsg) tea.Cmd {
	ig := m.find(msg.nick)
	if ig == nil {
		return nil
	}
	ig.loading = false
	if msg.err != nil {
		ig.failures++
		ig.lastErr = clean(msg.err.Error())
		ig.answered = jenkins.IsAuth(msg.err) || jenkins.IsNotFound(msg.err)
		m.deps.Log.Warn("build list failed", "integration", ig.cfg.Nickname, "err", ig.lastErr)
		ig.probe = nil // so the next successful probe reloads the list
		return tea.Batch(m.schedule(ig), m.kickDeferred())
	}
	ig.failures = 0
	ig.lastErr = ""
	if msg.saveErr != nil {
		ig.lastErr = "store: " + clean(msg.saveErr.Error())
	}
	ig.lastOK = m.now
	ig.fromStore = false
	ig.queue = msg.queue
	mergeBuilds(ig, msg.builds)
	if ig.olderFrom == 0 {
		ig.olderFrom = len(msg.builds)
		ig.olderDone = len(msg.builds) < m.opts.Limit
	}
	cmds := []tea.Cmd{m.schedule(ig)}
	if ig == m.cur() {
		m.rebuild()
		m.selectPending()
	}
	cmds = append(cmds, m.wantResults(ig), m.startClock(), m.kickDeferred())
	return tea.Batch(cmds...)
}

// olderPage is how many older builds one page reads.
const olderPage = 50

// maybeLoadOlder reads the next page of older builds from Jenkins when the
// cursor sits on the last row of the list, like gh-dash's next page.
func (m *Model) maybeLoadOlder() tea.Cmd {
	ig := m.cur()
	if ig == nil || ig.api == nil || ig.olderLoading || ig.olderDone || ig.olderFrom == 0 || len(m.rows) == 0 || m.cursor < len(m.rows)-1 {
		return nil
	}
	ig.olderLoading = true
	m.setToast("loading older builds…", false)
	return loadOlderCmd(m.deps.Ctx, ig.api, m.deps.Store, ig.cfg, ig.olderFrom, olderPage)
}

func (m *Model) onOlderBuilds(msg olderBuildsMsg) tea.Cmd {
	ig := m.find(msg.nick)
	if ig == nil {
		return nil
	}
	ig.olderLoading = false
	if msg.err != nil {
		m.setToast("older builds: "+clean(msg.err.Error()), true)
		return m.toastTimer()
	}
	if msg.from == ig.olderFrom {
		ig.olderFrom += len(msg.builds)
	}
	if len(msg.builds) < msg.asked {
		ig.olderDone = true
	}
	before := len(ig.records)
	mergeBuilds(ig, msg.builds)
	added := len(ig.records) - before
	if ig == m.cur() {
		m.rebuild()
	}
	switch {
	case msg.saveErr != nil:
		m.setToast("store: "+clean(msg.saveErr.Error()), true)
	case added == 0 && ig.olderDone:
		m.setToast("no older builds on Jenkins", false)
	default:
		m.setToast(fmt.Sprintf("%d older builds loaded", added), false)
	}
	return tea.Batch(m.toastTimer(), m.wantResults(ig))
}

// mergeBuilds folds fresh builds into the known records (which may hold
// older history from the store), keeping what the store knew of results.
func mergeBuilds(ig *integ, builds []jenkins.Build) {
	idx := make(map[int]int, len(ig.records))
	for i, r := range ig.records {
		idx[r.Number] = i
	}
	for _, b := range builds {
		if i, ok := idx[b.Number]; ok {
			r := &ig.records[i]
			if r.Building && !b.Building {
				ig.justFinished[b.Number] = true
				if r.ResultsState != ResultsOK {
					r.ResultsState = ResultsUnknown // fetch again now that it is done
				}
				delete(ig.results, b.Number)
			}
			r.Build = b
			r.Gone = false
			continue
		}
		rec := BuildRecord{Build: b}
		ig.records = append(ig.records, rec)
		idx[b.Number] = len(ig.records) - 1
	}
	// builds that left the queue
	sort.SliceStable(ig.records, func(i, j int) bool { return ig.records[i].Number > ig.records[j].Number })
}

// wantResults fetches, in the background, the results of finished builds on
// screen and of builds that just finished, a few at a time.
func (m *Model) wantResults(ig *integ) tea.Cmd {
	if ig.api == nil || m.deps.Store == nil {
		return nil
	}
	var cmds []tea.Cmd
	fetch := func(r *BuildRecord) {
		if len(ig.resultsInFlight) >= resultsMax || r.Building || r.Gone || ig.resultsInFlight[r.Number] {
			return
		}
		if _, ok := ig.results[r.Number]; ok {
			return
		}
		retry := r.ResultsState == ResultsFailed && !ig.retried[r.Number]
		if !r.ResultsState.unknown() && !retry && !m.expandedBuild(ig, r.Number) {
			return
		}
		if retry {
			ig.retried[r.Number] = true // once per session (and again after r)
		}
		ig.resultsInFlight[r.Number] = true
		cmds = append(cmds, loadResultsCmd(m.deps.Ctx, ig.api, m.deps.Store, ig.cfg, r.Build))
	}
	for n := range ig.justFinished {
		if _, r := ig.record(n); r != nil {
			fetch(r)
		}
	}
	if ig == m.cur() {
		for _, r := range m.onScreenBuilds() {
			fetch(r)
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) onResults(msg resultsLoadedMsg) tea.Cmd {
	ig := m.find(msg.nick)
	if ig == nil {
		return nil
	}
	delete(ig.resultsInFlight, msg.number)
	delete(ig.justFinished, msg.number)
	_, r := ig.record(msg.number)
	if r == nil {
		return nil
	}
	if msg.err != nil {
		r.ResultsState = ResultsFailed
		r.ResultsWhy = clean(msg.err.Error())
		m.deps.Log.Warn("results failed", "integration", ig.cfg.Nickname, "build", msg.number, "err", r.ResultsWhy)
		ig.results[msg.number] = report.Results{}
	} else {
		r.ResultsState = msg.state
		r.ResultsWhy = clean(msg.why)
		r.Collections, r.Governance = msg.results.Summaries()
		ig.results[msg.number] = msg.results
	}
	if ig == m.cur() {
		m.rebuild()
	}
	return m.wantResults(ig)
}

func (m *Model) onStoreBuilds(msg storeBuildsMsg) tea.Cmd {
	ig := m.find(msg.nick)
	if ig == nil {
		return nil
	}
	ig.storeLoaded = true
	if msg.err == nil && len(ig.records) == 0 {
		ig.records = msg.records
		ig.fromStore = len(msg.records) > 0
		sort.SliceStable(ig.records, func(i, j int) bool { return ig.records[i].Number > ig.records[j].Number })
	} else if msg.err != nil {
		ig.lastErr = "store: " + clean(msg.err.Error())
	}
	if ig == m.cur() {
		m.rebuild()
	}
	// the first frame came from the store; now ask the server. Until the
	// integration on screen has its first data, the others wait, so a cold
	// start spends its first requests on what the user sees.
	if ig != m.cur() && !m.firstDataDone() {
		ig.deferred = true
		return nil
	}
	return tea.Batch(m.pollNow(ig, true), m.startClock())
}

// firstDataDone reports whether the integration on screen has answered (or failed) once.
func (m *Model) firstDataDone() bool {
	ig := m.cur()
	return ig == nil || !ig.lastOK.IsZero() || ig.failures > 0 || ig.apiErr != ""
}

// kickDeferred starts the polls that waited for the first data on screen.
func (m *Model) kickDeferred() tea.Cmd {
	if !m.firstDataDone() {
		return nil
	}
	var cmds []tea.Cmd
	for _, ig := range m.ints {
		if ig.deferred {
			ig.deferred = false
			cmds = append(cmds, m.pollNow(ig, true))
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) onPollTick(msg pollTickMsg) tea.Cmd {
	ig := m.find(msg.nick)
	if ig == nil || msg.seq != ig.tickSeq {
		return nil
	}
	return m.pollNow(ig, false)
}

// anyLoading reports whether the selected integration waits for the server.
func (m Model) anyLoading() bool {
	ig := m.cur()
	return ig != nil && (ig.loading || len(ig.resultsInFlight) > 0)
}

// startSpinner arms the spinner unless it runs already; it stops by itself
// when nothing loads, so an idle dashboard never ticks.
func (m *Model) startSpinner() tea.Cmd {
	if m.spinArmed {
		return nil
	}
	m.spinArmed = true
	return m.after(spinEvery, spinTickMsg{})
}

const spinEvery = 150 * time.Millisecond

func (m *Model) onSpin() tea.Cmd {
	if !m.anyLoading() {
		m.spinArmed = false
		m.spinVisible = false
		return nil
	}
	// shown only once a request has taken a whole spin interval: a quick
	// poll must not redraw the header twice for nothing
	m.spinVisible = true
	m.spinFrame = (m.spinFrame + 1) % len(spinnerFrames)
	return m.after(spinEvery, spinTickMsg{})
}

// needsClock reports whether something on screen shows a running time.
func (m Model) needsClock() bool {
	if m.page != pageMain || m.help || m.tooSmall() {
		return false // no elapsed time on screen
	}
	ig := m.cur()
	if ig == nil {
		return false
	}
	if len(ig.queue) > 0 {
		return true
	}
	for _, r := range m.onScreenBuilds() {
		if r.Building && !r.Gone {
			return true
		}
	}
	return false
}

// startClock arms the once-a-second redraw of elapsed times when needed.
func (m *Model) startClock() tea.Cmd {
	if m.clockArmed || !m.needsClock() {
		return nil
	}
	m.clockArmed = true
	return m.after(m.nextClockDelay(), clockTickMsg{})
}

// nextClockDelay is how long until a running time on screen shows a
// different text: a second while it shows seconds (under ten minutes), else
// the next whole minute. So an old running build redraws once a minute.
func (m *Model) nextClockDelay() time.Duration {
	next := time.Minute
	until := func(since time.Time) {
		el := m.now.Sub(since)
		if el < 0 {
			return
		}
		step := time.Minute
		if el < 10*time.Minute {
			step = time.Second
		}
		next = min(next, step-el%step)
	}
	ig := m.cur()
	if ig == nil {
		return next
	}
	for _, q := range ig.queue {
		until(q.InQueueSince)
	}
	for _, r := range m.onScreenBuilds() {
		if r.Building && !r.Gone && !r.Started.IsZero() {
			until(r.Started)
		}
	}
	return max(next, 50*time.Millisecond)
}

func (m *Model) onClock() tea.Cmd {
	m.clockArmed = false
	return m.startClock()
}
