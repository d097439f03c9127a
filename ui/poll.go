package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
	"github.com/jeeves-dev/jeeves/watch"
)

// poll.go: the dashboard's side of the polling engine (package watch). The
// engine polls; the dashboard holds the latest snapshot of each integration
// and reaches the engine only inside tea.Cmds: one that waits for the next
// snapshots (and is armed again each time), and commands that tell it what
// is on screen, to refresh now or to load older builds.

// integ is the latest snapshot of one integration, as the dashboard holds
// it. Its slices and maps belong to the engine's snapshot: never modified here.
type integ struct {
	cfg     config.Integration
	version uint64
	api     jenkins.API
	jobData // what the screens read

	olderSeq   uint64
	olderAsked bool // this dashboard asked for the page in flight
}

// jobData is the part of an integration's snapshot the screens read (the
// builds table holds a pointer to it): builds, queue, results and the state
// of the data, without the client or the credentials.
type jobData struct {
	apiErr  string
	records []BuildRecord // newest first
	queue   []jenkins.QueueItem

	storeLoaded bool
	fromStore   bool      // shown data came from the store only
	lastOK      time.Time // last successful answer from the server
	loading     bool      // a poll is in flight
	failures    int
	lastErr     string
	answered    bool // the last failure was Jenkins's own answer (401, 403, 404): it is up, not offline

	results         map[int]report.Results
	resultsInFlight map[int]bool
	stages          map[int]watch.Stages // pipeline stages (stages.go)

	olderFrom    int  // next allBuilds index to read for older builds; 0 until a list came
	olderLoading bool // a page of older builds is in flight
	olderDone    bool // Jenkins has no older builds than those read
}

func newInteg(in config.Integration) *integ { return &integ{cfg: in} }

// apply takes a snapshot from the engine.
func (ig *integ) apply(s watch.Snapshot) {
	ig.version = s.Version
	ig.api, ig.apiErr = s.API, s.APIErr
	ig.records, ig.queue = s.Records, s.Queue
	ig.storeLoaded, ig.fromStore, ig.loading = s.StoreLoaded, s.FromStore, s.Loading
	ig.lastOK, ig.failures, ig.lastErr, ig.answered = s.LastOK, s.Failures, s.LastErr, s.Answered
	ig.results, ig.resultsInFlight, ig.stages = s.Results, s.Fetching, s.Stages
	ig.olderFrom, ig.olderLoading, ig.olderDone, ig.olderSeq = s.OlderFrom, s.OlderLoading, s.OlderDone, s.OlderSeq
}

func (ig *jobData) record(n int) (int, *BuildRecord) {
	for i := range ig.records {
		if ig.records[i].Number == n {
			return i, &ig.records[i]
		}
	}
	return -1, nil
}

const (
	followEvery = 2 * time.Second
	logEvery    = 2 * time.Second
)

// engineMsg: the newest snapshots of the integrations that changed.
type engineMsg struct {
	snaps []watch.Snapshot
	err   error
}

// waitEngineCmd waits for the next snapshots; the dashboard arms it again
// each time one arrives. It ends with the context.
func waitEngineCmd(ctx context.Context, sub *watch.Sub) tea.Cmd {
	return func() tea.Msg {
		snaps, err := sub.Next(ctx)
		return engineMsg{snaps: snaps, err: err}
	}
}

// attachCmd tells the engine what this dashboard watches and shows.
func (m *Model) attachCmd() tea.Cmd {
	m.focusSent = "" // sent again with the watch list
	m.seq = 0        // Init's calls are the first (see New)
	focus, watch := m.syncFocus(), m.watchCmd()
	return func() tea.Msg {
		focus() // first, so the integration on screen is polled first
		return watch()
	}
}

// watchCmd tells the engine the integrations this dashboard lists.
func (m *Model) watchCmd() tea.Cmd {
	sub := m.sub
	ins := make([]config.Integration, len(m.ints))
	for i, ig := range m.ints {
		ins[i] = ig.cfg
	}
	m.seq++
	seq := m.seq
	return func() tea.Msg { sub.Watch(seq, ins); return nil }
}

// syncFocus tells the engine which integration and builds are on screen,
// when that changed since it was last told.
func (m *Model) syncFocus() tea.Cmd {
	nick := ""
	var on, ex, cmp []int
	if ig := m.cur(); ig != nil {
		nick = ig.cfg.Nickname
		if w := m.trendsWindow(ig); w != nil {
			on = w // the trends need the results of their whole window
		} else {
			for _, r := range m.onScreenBuilds() {
				on = append(on, r.Number)
			}
			on = append(on, m.table.belowScreen()...) // the last row's delta compares with it
		}
		ex = m.table.expandedBuilds()
		slices.Sort(ex)
		ex = slices.Compact(ex)
		// their marks compare with those: results loaded whole, no stages
		cmp = slices.DeleteFunc(m.table.previousBuilds(), func(n int) bool { return slices.Contains(ex, n) })
		slices.Sort(cmp)
		cmp = slices.Compact(cmp)
	}
	var b strings.Builder
	b.WriteString(nick)
	for _, n := range on {
		b.WriteString(" " + strconv.Itoa(n))
	}
	b.WriteString(" |")
	for _, n := range ex {
		b.WriteString(" " + strconv.Itoa(n))
	}
	b.WriteString(" |")
	for _, n := range cmp {
		b.WriteString(" " + strconv.Itoa(n))
	}
	key := b.String()
	if key == m.focusSent {
		return nil
	}
	m.focusSent = key
	m.seq++
	sub, seq := m.sub, m.seq
	return func() tea.Msg { sub.Focus(seq, nick, on, ex, cmp...); return nil }
}

// wantResults asks for the results of the builds on screen (the engine
// fetches them): it tells the engine what is on screen when ig is.
func (m *Model) wantResults(ig *integ) tea.Cmd {
	if ig != m.cur() {
		return nil
	}
	return m.syncFocus()
}

// pollNow asks the engine to poll ig now, reading its full list.
func (m *Model) pollNow(ig *integ, force bool) tea.Cmd {
	sub, nick := m.sub, ig.cfg.Nickname
	return tea.Batch(func() tea.Msg { sub.Refresh(nick); return nil }, m.startSpinner())
}

// maybeLoadOlder asks for the next page of older builds from Jenkins when
// the cursor sits on the last row of the list, like gh-dash's next page.
func (m *Model) maybeLoadOlder() tea.Cmd {
	ig := m.cur()
	if ig == nil || ig.api == nil || ig.olderLoading || ig.olderAsked || ig.olderDone || ig.olderFrom == 0 || !m.table.atEnd() {
		return nil
	}
	ig.olderAsked = true
	m.setToast("loading older builds…", false)
	sub, nick := m.sub, ig.cfg.Nickname
	return func() tea.Msg { sub.LoadOlder(nick); return nil }
}

// onEngine takes the newest snapshots.
func (m *Model) onEngine(msg engineMsg) tea.Cmd {
	if msg.err != nil {
		return nil // the dashboard is closing
	}
	cmds := []tea.Cmd{m.wait(m.deps.Ctx, m.sub)}
	for _, s := range msg.snaps {
		ig := m.find(s.Integration.Nickname)
		if ig == nil || s.Version <= ig.version {
			continue
		}
		prevOlder := ig.olderSeq
		ig.apply(s)
		if ig.olderAsked && s.OlderSeq > prevOlder && !s.OlderLoading {
			ig.olderAsked = false
			m.setToast(s.OlderNote, s.OlderErr)
			cmds = append(cmds, m.toastTimer())
		}
		if ig == m.cur() {
			m.rebuild()
			m.selectPending()
		}
	}
	if m.anyLoading() {
		cmds = append(cmds, m.startSpinner())
	}
	cmds = append(cmds, m.syncFocus(), m.startClock(), m.refreshTrends())
	return tea.Batch(cmds...)
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
	if m.page != pageMain || m.help != nil || m.tooSmall() {
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
