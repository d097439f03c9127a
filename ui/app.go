// app.go: the root model. It routes messages, owns the layout (header,
// status line, hint bar), the integrations panel, toasts, the global keys
// (ctrl+c; q, ?, tab, r, a, e, d, p where the screen on top is not typing)
// and every IO Cmd (it alone holds Deps: the engine, store, checker...).
//
// Screens: builds table (buildstable.go, always under the others), log view,
// run form, integration form, snippet, help overlay, confirm dialog. How a
// new screen plugs in (logview.go is a whole small one to copy):
//   - a value type embedding screenCtx (body size, *Styles, *KeyMap, input
//     keys, timer hook), built by newXxx(m.ctx(), the data it shows...);
//   - it implements screen (screen.go): View() string for its body,
//     SetSize, ShortHelp for the hint bar, FullHelp for `?`, Title for the
//     header; and Update(tea.Msg) (itself, tea.Cmd). Optionally statuser
//     (header's right side), footer (own status line), typer (q and ? are
//     typed), statusless (body takes the status line);
//   - it holds no client, store or context (TestScreensHoldNoIO): it emits
//     intents with emit(typed msg) (backMsg, toastMsg, fetchLogMsg...) and
//     the root turns them into Cmds; data comes at construction or as
//     messages the root routes to it;
//   - the root gives it a page const (below), a field on Model, a case in
//     top(), updateTop() and sizeScreens() (screen.go), an open func that
//     sets m.page, a case in back() for what leaving drops, and a case in
//     Update for each message it consumes (keys reach it through top()).
package ui

import (
	"context"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/watch"
)

type page int

const (
	pageMain page = iota
	pageLog
	pageRun
	pageIntegration
	pageSnippet
	pageTrends
)

type focusArea int

const (
	focusBuilds focusArea = iota
	focusIntegrations
)

// follow tracks a queue item we triggered until it becomes a build.
type follow struct {
	nick string
	id   int64
}

// Model is the dashboard's root model.
type Model struct {
	deps Deps
	opts Options
	keys *KeyMap // shared, read-only, with the screens
	ik   inputKeys
	st   *Styles // shared, read-only, with the screens
	gen  uint64  // generation of the last screen opened: late answers to an old one are dropped

	width, height int
	now           time.Time

	ints  []*integ
	sel   int
	focus focusArea
	page  page
	help  *helpView // the ? overlay, over any screen

	table buildsTable // of the selected integration

	restore         *dashState // state from the store, applied once its integration is known
	stateLoaded     bool
	storeIntsLoaded bool
	savedState      string
	toast           string
	toastErr        bool
	toastSeq        uint64
	confirm         *confirmDialog
	spinFrame       int
	spinArmed       bool
	spinVisible     bool
	clockArmed      bool

	pendingSelect map[string]int // nickname -> build number to select when it appears
	follow        *follow

	// after arms a timer message; tests replace it to fire timers by hand
	after func(time.Duration, tea.Msg) tea.Cmd

	// the polling engine: this dashboard's subscription, what it last told
	// the engine is on screen, and the Cmd that waits for its snapshots
	// (tests replace it to deliver snapshots by hand)
	sub       *watch.Sub
	focusSent string
	seq       uint64 // orders the calls to the engine (Init's come first)
	wait      func(context.Context, *watch.Sub) tea.Cmd

	log     *logView
	run     *runForm
	intForm *intForm
	snip    *snippetView
	trends  *trendsView
}

// New builds the dashboard. It does no IO; Init starts it.
func New(deps Deps, opts Options) Model {
	if deps.Clock == nil {
		deps.Clock = time.Now
	}
	if deps.Ctx == nil {
		deps.Ctx = context.Background()
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
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
	if opts.StateKey == "" {
		opts.StateKey = stateKey
	}
	keys, st := keyMapFor(opts), NewStyles(opts.NoColor)
	m := Model{
		deps:          deps,
		opts:          opts,
		keys:          &keys,
		ik:            defaultInputKeys(),
		st:            &st,
		now:           deps.Clock(),
		pendingSelect: map[string]int{},
		after:         tickCmd,
		wait:          waitEngineCmd,
	}
	if deps.Engine == nil {
		var st watch.Store
		if deps.Store != nil {
			st = deps.Store
		}
		m.deps.Engine = watch.New(deps.Ctx, watch.Config{Connector: deps.Jenkins, Store: st, Refresh: opts.Refresh,
			Limit: opts.Limit, StoreLimit: opts.StoreLimit, Clock: deps.Clock, Log: deps.Log})
	}
	m.table = newBuildsTable(m.ctx())
	m.table.now = m.now
	m.sub = m.deps.Engine.Subscribe()
	m.seq = 2 // Init's calls take 1 and 2 (on its copy); Update's count on from here

	for _, in := range opts.Integrations {
		if in.Source == "" {
			in.Source = "config"
		}
		m.ints = append(m.ints, newInteg(in))
	}
	if opts.Notice != "" {
		m.setToast(opts.Notice, true) // no timer: it stays until the next toast
	}
	return m
}

// Init reads the store first (so the first frame of data comes from it),
// then each integration starts polling: the engine does both once told
// what this dashboard watches.
func (m Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.deps.Store != nil {
		cmds = append(cmds, loadStoreIntegrationsCmd(m.deps.Ctx, m.deps.Store))
		if ss := m.stateStore(); ss != nil {
			cmds = append(cmds, loadStateCmd(m.deps.Ctx, ss, m.opts.StateKey))
		}
	}
	cmds = append(cmds, m.attachCmd(), m.wait(m.deps.Ctx, m.sub))
	return tea.Batch(cmds...)
}

// Close ends this dashboard's subscription to the engine (its integrations
// stop polling unless another dashboard watches them).
func (m Model) Close() { m.sub.Close() }

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
	m.table.now = m.now
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.sizeScreens()
		return m, tea.Batch(m.wantResultsCur(), m.startClock())
	case storeIntegrationsMsg:
		return m, m.onStoreIntegrations(msg)
	case engineMsg:
		return m, m.onEngine(msg)
	case stateLoadedMsg:
		return m, m.onStateLoaded(msg)
	case stateSavedMsg:
		if msg.err != nil {
			m.deps.Log.Warn("dashboard state not saved", "err", clean(msg.err.Error()))
		}
		return m, nil
	case spinTickMsg:
		cmd := m.onSpin()
		m.updateTop(spinFrameMsg{m.spinFrame})
		return m, cmd
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
	case logChunkMsg, logTickMsg, logTailMsg, stageLogMsg:
		if m.page != pageLog {
			return m, nil
		}
		return m, m.updateTop(msg)
	case askTriggerMsg:
		return m, m.onAskTrigger(msg)
	case fetchLogMsg:
		return m, m.onFetchLog(msg)
	case confirmedMsg:
		return m, m.onConfirmed(msg)
	case trendsLoadedMsg:
		if m.page != pageTrends || m.trends == nil {
			return m, nil
		}
		return m, m.updateTop(msg)
	case jumpToAssertionMsg:
		return m, m.jumpToAssertion(msg)
	case openLogMsg, openRunMsg, askAbortMsg, openURLMsg, wantOlderMsg, expandedBuildMsg, openTrendsMsg, openStageLogMsg:
		return m, m.onTableIntent(msg)
	case backMsg:
		return m, m.back()
	case openHelpMsg:
		m.openHelp()
		return m, nil
	case closeHelpMsg:
		m.help = nil
		return m, m.startClock()
	case toastMsg:
		m.setToast(msg.text, msg.isErr)
		return m, m.toastTimer()
	case checkStepMsg:
		return m, m.toForm(msg)
	case checkDoneMsg:
		return m, m.toForm(msg)
	case checkIntegrationMsg:
		return m, m.onCheckIntegration(msg)
	case saveIntegrationMsg:
		return m, m.onSaveIntegration(msg)
	case integrationSavedMsg:
		return m, m.onIntegrationSaved(msg)
	case integrationDeletedMsg:
		return m, m.onIntegrationDeleted(msg)
	case tea.PasteMsg:
		return m, m.onPaste(msg)
	case tea.KeyPressMsg:
		cmd := m.onKey(msg)
		m.table.active = m.focus == focusBuilds
		return m, tea.Batch(cmd, m.startClock(), m.maybeSaveState()) // back on a screen with elapsed times
	}
	return m, nil
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.top() != nil:
		return m.updateTop(msg)
	case m.table.Typing():
		m.table, _ = m.table.Update(msg)
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
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
	if m.help != nil {
		if key.Matches(msg, m.keys.Quit) {
			return tea.Quit
		}
		h, cmd := m.help.Update(msg)
		m.help = &h
		return cmd
	}
	// 3. pages with their own input
	if s := m.top(); s != nil {
		if t, ok := s.(typer); !ok || !t.Typing() {
			switch {
			case key.Matches(msg, m.keys.Quit):
				return tea.Quit
			case key.Matches(msg, m.keys.Help):
				m.openHelp()
				return nil
			}
		}
		return m.updateTop(msg)
	}
	// 4. the table's search field swallows keys
	if m.table.Typing() {
		return m.onTableKey(msg)
	}
	return m.onMainKey(msg)
}
