package ui

import (
	"context"
	"net/url"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
)

type page int

const (
	pageMain page = iota
	pageLog
	pageRun
	pageIntegration
	pageSnippet
)

type focusArea int

const (
	focusBuilds focusArea = iota
	focusIntegrations
)

// confirmAction is what a confirm dialog does on yes.
type confirmAction int

const (
	confirmAbort confirmAction = iota
	confirmDelete
	confirmTrigger
)

type confirmDialog struct {
	prompt string
	action confirmAction
	nick   string
	num    int
}

// follow tracks a queue item we triggered until it becomes a build.
type follow struct {
	nick string
	id   int64
}

// Model is the dashboard's root model.
type Model struct {
	deps Deps
	opts Options
	keys KeyMap
	ik   inputKeys
	st   Styles

	width, height int
	now           time.Time

	ints  []*integ
	sel   int
	focus focusArea
	page  page
	help  bool

	// builds table of the selected integration
	filter    int
	search    field
	searching bool
	rows      []row
	cursor    int
	offset    int
	expanded  map[string]bool
	counts    map[jenkins.Status]int
	total     int

	toast       string
	toastErr    bool
	toastSeq    uint64
	confirm     *confirmDialog
	spinFrame   int
	spinArmed   bool
	spinVisible bool
	clockArmed  bool

	pendingSelect map[string]int // nickname -> build number to select when it appears
	follow        *follow

	// after arms a timer message; tests replace it to fire timers by hand
	after func(time.Duration, tea.Msg) tea.Cmd

	log     *logView
	run     *runForm
	intForm *intForm
	snip    *snippetView
}

// New builds the dashboard. It does no IO; Init starts it.
func New(deps Deps, opts Options) Model {
	if deps.Clock == nil {
		deps.Clock = time.Now
	}
	if deps.Ctx == nil {
		deps.Ctx = context.Background()
	}
	if opts.Refresh <= 0 {
		opts.Refresh = config.DefaultRefresh
	}
	if opts.Limit <= 0 {
		opts.Limit = 50
	}
	if opts.StoreLimit <= 0 {
		opts.StoreLimit = 500
	}
	if opts.Title == "" {
		opts.Title = "jeeves"
	}
	m := Model{
		deps:          deps,
		opts:          opts,
		keys:          DefaultKeyMap(opts.ReadOnly),
		ik:            defaultInputKeys(),
		st:            NewStyles(opts.NoColor),
		now:           deps.Clock(),
		expanded:      map[string]bool{},
		counts:        map[jenkins.Status]int{},
		pendingSelect: map[string]int{},
		after:         tickCmd,
	}
	for _, in := range opts.Integrations {
		if in.Source == "" {
			in.Source = "config"
		}
		m.ints = append(m.ints, newInteg(in))
	}
	return m
}

// Init reads the store first (so the first frame of data comes from it),
// then each integration starts polling.
func (m Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.deps.Store != nil {
		cmds = append(cmds, loadStoreIntegrationsCmd(m.deps.Ctx, m.deps.Store))
		for _, ig := range m.ints {
			cmds = append(cmds, loadStoreBuildsCmd(m.deps.Ctx, m.deps.Store, ig.cfg.Nickname, m.opts.StoreLimit))
		}
	} else {
		for _, ig := range m.ints {
			ig.storeLoaded = true
			cmds = append(cmds, m.pollNow(ig, true))
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) cur() *integ {
	if m.sel >= 0 && m.sel < len(m.ints) {
		return m.ints[m.sel]
	}
	return nil
}

func (m *Model) find(nick string) *integ {
	for _, ig := range m.ints {
		if ig.cfg.Nickname == nick {
			return ig
		}
	}
	return nil
}

// Update routes messages: size, results, then keys (dialog, text input,
// page, global).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.now = m.deps.Clock()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clampScroll()
		if m.log != nil {
			m.log.clamp(m.logHeight())
		}
		return m, tea.Batch(m.wantResultsCur(), m.startClock())
	case storeIntegrationsMsg:
		return m, m.onStoreIntegrations(msg)
	case storeBuildsMsg:
		return m, m.onStoreBuilds(msg)
	case connectedMsg:
		return m, m.onConnected(msg)
	case pollTickMsg:
		return m, m.onPollTick(msg)
	case probedMsg:
		return m, m.onProbed(msg)
	case buildsLoadedMsg:
		return m, m.onBuildsLoaded(msg)
	case resultsLoadedMsg:
		return m, m.onResults(msg)
	case spinTickMsg:
		return m, m.onSpin()
	case clockTickMsg:
		return m, m.onClock()
	case toastClearMsg:
		if msg.seq == m.toastSeq {
			m.toast = ""
		}
		return m, nil
	case jobLoadedMsg:
		return m, m.onJobLoaded(msg)
	case triggeredMsg:
		return m, m.onTriggered(msg)
	case followTickMsg:
		return m, m.onFollowTick(msg)
	case queueItemMsg:
		return m, m.onQueueItem(msg)
	case abortedMsg:
		return m, m.onAborted(msg)
	case openedMsg:
		return m, m.onOpened(msg)
	case logChunkMsg:
		return m, m.onLogChunk(msg)
	case logTickMsg:
		return m, m.onLogTick(msg)
	case checkStepMsg:
		return m, m.onCheckStep(msg)
	case checkDoneMsg:
		return m, m.onCheckDone(msg)
	case integrationSavedMsg:
		return m, m.onIntegrationSaved(msg)
	case integrationDeletedMsg:
		return m, m.onIntegrationDeleted(msg)
	case tea.PasteMsg:
		return m, m.onPaste(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.searching:
		m.search.update(msg, m.ik)
		m.rebuild()
	case m.page == pageRun && m.run != nil:
		m.run.paste(msg, m.ik)
	case m.page == pageIntegration && m.intForm != nil:
		m.intForm.paste(msg, m.ik)
	case m.page == pageSnippet && m.snip != nil:
		m.snip.paste(msg, m.ik, m.deps.Snippets)
	case m.page == pageLog && m.log != nil && m.log.searching:
		m.log.search.update(msg, m.ik)
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if m.width > 0 && m.tooSmall() {
		if key.Matches(msg, m.keys.Quit) {
			return tea.Quit
		}
		return nil
	}
	// 1. a confirm dialog takes every key
	if m.confirm != nil {
		return m.onConfirmKey(msg)
	}
	// 2. help overlay
	if m.help {
		if key.Matches(msg, m.keys.Help, m.keys.Esc) {
			m.help = false
		} else if key.Matches(msg, m.keys.Quit) {
			return tea.Quit
		}
		return nil
	}
	// 3. pages with their own input
	switch m.page {
	case pageLog:
		return m.onLogKey(msg)
	case pageRun:
		return m.onRunKey(msg)
	case pageIntegration:
		return m.onIntKey(msg)
	case pageSnippet:
		return m.onSnippetKey(msg)
	}
	// 4. the search field swallows keys
	if m.searching {
		return m.onSearchKey(msg)
	}
	return m.onMainKey(msg)
}

func (m *Model) onSearchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Esc):
		m.searching = false
		m.search.value = ""
		m.rebuild()
	case msg.Code == tea.KeyEnter:
		m.searching = false
		m.rebuild()
	case key.Matches(msg, m.keys.Up, m.keys.Down) && msg.Text == "":
		m.searching = false
		return m.onMainKey(msg)
	default:
		if m.search.update(msg, m.ik) {
			m.cursor = 0
			m.rebuild()
		}
	}
	return m.wantResultsCur()
}

func (m *Model) searchQuery() string { return m.search.value }

func (m *Model) onMainKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.help = true
		return nil
	case key.Matches(msg, k.Tab):
		if m.focus == focusBuilds {
			m.focus = focusIntegrations
		} else {
			m.focus = focusBuilds
		}
		return nil
	case key.Matches(msg, k.Refresh):
		if ig := m.cur(); ig != nil {
			m.setToast("refreshing "+ig.cfg.Nickname, false)
			return tea.Batch(m.pollNow(ig, true), m.toastTimer())
		}
		return nil
	case key.Matches(msg, k.Add):
		return m.openIntForm(nil)
	case key.Matches(msg, k.Edit):
		if ig := m.cur(); ig != nil {
			return m.openIntForm(ig)
		}
		return nil
	case key.Matches(msg, k.Delete):
		if ig := m.cur(); ig != nil {
			if ig.cfg.Source != "store" {
				m.setToast(notEditable(ig.cfg, "remove"), true)
				return m.toastTimer()
			}
			m.confirm = &confirmDialog{prompt: "Delete integration " + ig.cfg.Nickname + "?", action: confirmDelete, nick: ig.cfg.Nickname}
		}
		return nil
	case key.Matches(msg, k.Snippet):
		return m.openSnippet()
	}
	if m.focus == focusIntegrations {
		return m.onIntegrationsKey(msg)
	}
	return m.onBuildsKey(msg)
}

func (m *Model) onIntegrationsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	n := len(m.ints)
	if n == 0 {
		return nil
	}
	prev := m.sel
	switch {
	case key.Matches(msg, k.Up, k.Left):
		m.sel = max(0, m.sel-1)
	case key.Matches(msg, k.Down, k.Right):
		m.sel = min(n-1, m.sel+1)
	case key.Matches(msg, k.Top):
		m.sel = 0
	case key.Matches(msg, k.Bottom):
		m.sel = n - 1
	case key.Matches(msg, k.Expand):
		m.focus = focusBuilds
	case key.Matches(msg, k.Esc):
		m.focus = focusBuilds
	}
	if prev != m.sel {
		return m.selectIntegration(m.sel)
	}
	return nil
}

// selectIntegration shows integration i: rebuilds rows and polls it soon,
// since a background integration polls slowly.
func (m *Model) selectIntegration(i int) tea.Cmd {
	m.sel = i
	m.cursor, m.offset = 0, 0
	m.rebuild()
	ig := m.cur()
	if ig == nil {
		return nil
	}
	var cmds []tea.Cmd
	ig.deferred = false
	if ig.storeLoaded && !ig.loading && (ig.lastOK.IsZero() || m.now.Sub(ig.lastOK) > m.opts.Refresh) {
		cmds = append(cmds, m.pollNow(ig, false))
	} else if ig.storeLoaded && !ig.loading {
		cmds = append(cmds, m.schedule(ig))
	}
	cmds = append(cmds, m.wantResults(ig), m.startClock())
	return tea.Batch(cmds...)
}

func (m *Model) onBuildsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	page := max(1, m.tableHeight()-1)
	switch {
	case key.Matches(msg, k.Up):
		m.moveCursor(-1)
	case key.Matches(msg, k.Down):
		m.moveCursor(1)
	case key.Matches(msg, k.PageUp):
		m.moveCursor(-page)
	case key.Matches(msg, k.PageDown):
		m.moveCursor(page)
	case key.Matches(msg, k.Top):
		m.moveCursor(-len(m.rows))
	case key.Matches(msg, k.Bottom):
		m.moveCursor(len(m.rows))
	case key.Matches(msg, k.Expand):
		return m.expand()
	case key.Matches(msg, k.Collapse):
		m.collapse()
		return nil
	case key.Matches(msg, k.Esc):
		if m.search.value != "" {
			m.search.value = ""
			m.rebuild()
		}
		return nil
	case key.Matches(msg, k.Filter):
		m.filter = (m.filter + 1) % len(filterStatuses)
		m.rebuild()
	case key.Matches(msg, k.FilterReset):
		m.filter = 0
		m.rebuild()
	case key.Matches(msg, k.Search):
		m.searching = true
		return nil
	case key.Matches(msg, k.Log):
		return m.openLog()
	case key.Matches(msg, k.Run):
		return m.openRun(0)
	case key.Matches(msg, k.Rerun):
		if r := m.selectedRecord(); r != nil {
			return m.openRun(r.Number)
		}
		return nil
	case key.Matches(msg, k.Abort):
		r := m.selectedRecord()
		if r == nil || !r.Building {
			m.setToast("select a running build to abort", true)
			return m.toastTimer()
		}
		m.confirm = &confirmDialog{prompt: "Abort build #" + itoa(r.Number) + "?", action: confirmAbort, nick: m.cur().cfg.Nickname, num: r.Number}
		return nil
	case key.Matches(msg, k.Open):
		return m.openBrowser()
	case key.Matches(msg, k.Copy):
		u := m.selectedURL()
		if u == "" {
			return nil
		}
		m.setToast("copied "+u, false)
		return tea.Batch(tea.SetClipboard(u), m.toastTimer())
	default:
		return nil
	}
	return tea.Batch(m.wantResultsCur(), m.startClock())
}

func (m *Model) wantResultsCur() tea.Cmd {
	if ig := m.cur(); ig != nil {
		return m.wantResults(ig)
	}
	return nil
}

func (m *Model) moveCursor(d int) {
	m.cursor = max(0, min(len(m.rows)-1, m.cursor+d))
	m.clampScroll()
}

// clampScroll keeps the cursor inside the visible window.
func (m *Model) clampScroll() {
	h := m.tableHeight()
	if m.cursor >= len(m.rows) {
		m.cursor = max(0, len(m.rows)-1)
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if h > 0 && m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	if m.offset > max(0, len(m.rows)-h) {
		m.offset = max(0, len(m.rows)-h)
	}
	if m.offset < 0 {
		m.offset = 0
	}
}

func (m *Model) expand() tea.Cmd {
	if m.cursor >= len(m.rows) {
		return nil
	}
	r := m.rows[m.cursor]
	if !m.expandable(r) {
		return nil
	}
	if m.expanded[r.key] {
		if r.kind == rowBuild || r.kind == rowExecution || r.kind == rowCollection || r.kind == rowGovernance {
			delete(m.expanded, r.key) // enter toggles
			m.rebuild()
		}
		return nil
	}
	m.expanded[r.key] = true
	m.rebuild()
	var cmd tea.Cmd
	if r.kind == rowBuild {
		ig := m.cur()
		if rec := ig.rowRecord(r); rec != nil && !rec.Building {
			if _, ok := ig.results[r.num]; !ok && ig.api != nil && m.deps.Store != nil && !ig.resultsInFlight[r.num] {
				ig.resultsInFlight[r.num] = true
				cmd = loadResultsCmd(m.deps.Ctx, ig.api, m.deps.Store, ig.cfg, rec.Build)
				m.rebuild()
			}
		}
	}
	return tea.Batch(cmd, m.startSpinner())
}

func (m *Model) collapse() {
	if m.cursor >= len(m.rows) {
		return
	}
	r := m.rows[m.cursor]
	if m.expanded[r.key] {
		delete(m.expanded, r.key)
		m.rebuild()
		return
	}
	if p := m.parentRow(m.cursor); p >= 0 {
		m.cursor = p
		delete(m.expanded, m.rows[p].key)
		m.rebuild()
	}
}

// selectedRecord is the build under the cursor (or the build a detail line belongs to).
func (m *Model) selectedRecord() *BuildRecord {
	ig := m.cur()
	if ig == nil || m.cursor >= len(m.rows) {
		return nil
	}
	r := m.rows[m.cursor]
	if r.kind == rowQueue {
		return nil
	}
	return ig.rowRecord(r)
}

// selectPending moves the cursor to a build we were waiting for.
func (m *Model) selectPending() {
	ig := m.cur()
	if ig == nil {
		return
	}
	n, ok := m.pendingSelect[ig.cfg.Nickname]
	if !ok {
		return
	}
	for i := range m.rows {
		if m.rows[i].kind == rowBuild && m.rows[i].num == n {
			m.cursor = i
			m.clampScroll()
			delete(m.pendingSelect, ig.cfg.Nickname)
			return
		}
	}
}

// notEditable says why an integration cannot be changed in the dashboard.
func notEditable(in config.Integration, verb string) string {
	if in.Source == "config" {
		return in.Nickname + " comes from the config file; " + verb + " it there"
	}
	return in.Nickname + " is a " + in.Source + " integration; it cannot be changed here"
}

func (m *Model) setToast(s string, isErr bool) {
	m.toast = s
	m.toastErr = isErr
	m.toastSeq++
}

func (m *Model) toastTimer() tea.Cmd {
	return m.after(5*time.Second, toastClearMsg{seq: m.toastSeq})
}

func (m *Model) onConfirmKey(msg tea.KeyPressMsg) tea.Cmd {
	c := m.confirm
	switch {
	case key.Matches(msg, m.keys.Yes):
		m.confirm = nil
		switch c.action {
		case confirmAbort:
			ig := m.find(c.nick)
			if ig == nil || ig.api == nil {
				return nil
			}
			m.setToast("aborting #"+itoa(c.num)+"…", false)
			return abortCmd(m.deps.Ctx, ig.api, ig.cfg, c.num)
		case confirmDelete:
			return deleteIntegrationCmd(m.deps.Ctx, m.deps.Store, c.nick)
		case confirmTrigger:
			return m.trigger()
		}
	case key.Matches(msg, m.keys.No):
		m.confirm = nil
		if c.action == confirmTrigger && m.run != nil {
			m.run.confirming = false
		}
	}
	return nil
}

func (m *Model) onAborted(msg abortedMsg) tea.Cmd {
	if msg.err != nil {
		m.setToast("abort #"+itoa(msg.number)+" failed: "+clean(msg.err.Error()), true)
		return m.toastTimer()
	}
	m.setToast("abort requested for #"+itoa(msg.number), false)
	var cmd tea.Cmd
	if ig := m.find(msg.nick); ig != nil {
		cmd = m.pollNow(ig, true)
	}
	return tea.Batch(cmd, m.toastTimer())
}

// selectedURL is the URL of the selected build (or queue item's job).
func (m *Model) selectedURL() string {
	if r := m.selectedRecord(); r != nil && r.URL != "" {
		return r.URL
	}
	return ""
}

// safeURL reports whether u may be opened: http(s) on the integration's server.
func safeURL(u, base string) bool {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return false
	}
	pb, err := url.Parse(base)
	if err != nil {
		return false
	}
	return strings.EqualFold(pu.Scheme, pb.Scheme) && strings.EqualFold(pu.Host, pb.Host) && strings.HasPrefix(pu.Path, strings.TrimSuffix(pb.Path, "/"))
}

func (m *Model) openBrowser() tea.Cmd {
	u := m.selectedURL()
	ig := m.cur()
	if u == "" || ig == nil {
		return nil
	}
	if !safeURL(u, ig.cfg.URL) {
		m.setToast("not opening "+clean(u)+": not an http(s) URL on "+clean(ig.cfg.URL), true)
		return m.toastTimer()
	}
	return openCmd(m.deps.Ctx, m.deps.Browser, u)
}

func (m *Model) onOpened(msg openedMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		m.setToast("could not open a browser ("+clean(msg.err.Error())+"): "+clean(msg.url), true)
	case !msg.opened:
		m.setToast("open: "+clean(msg.url), false)
		m.toastSeq++
		return nil // stays until the next toast
	default:
		m.setToast("opened "+clean(msg.url), false)
	}
	return m.toastTimer()
}

func (m *Model) onStoreIntegrations(msg storeIntegrationsMsg) tea.Cmd {
	if msg.err != nil {
		m.setToast("store: "+clean(msg.err.Error()), true)
		return nil
	}
	var cmds []tea.Cmd
	for _, in := range msg.ints {
		if m.find(in.Nickname) != nil {
			continue
		}
		in.Source = "store"
		ig := newInteg(in)
		m.ints = append(m.ints, ig)
		cmds = append(cmds, loadStoreBuildsCmd(m.deps.Ctx, m.deps.Store, in.Nickname, m.opts.StoreLimit))
	}
	m.rebuild()
	return tea.Batch(cmds...)
}
