package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// runForm is the run-build form built from the job's parameter definitions.
// It gets the job as jobLoadedMsg and asks the root to trigger it
// (askTriggerMsg); the root confirms, sends it, and tells the form
// (triggerSentMsg, then triggeredMsg when it failed).
type runForm struct {
	screenCtx
	nick, jobName string
	rerunOf       int                      // build whose parameters prefill the form; 0 for b
	prev          map[string]jenkins.Param // that build's parameters
	job           *jenkins.Job
	err           string
	retry         bool // err is a failed trigger: enter may send it again
	fields        []paramField
	focus         int
	triggering    bool // set once the trigger is sent: never twice
}

// askTriggerMsg: the form was submitted; the root asks to confirm.
type askTriggerMsg struct {
	nick    string
	prompt  string
	rerunOf int
	params  map[string]string
}

// triggerSentMsg tells the form its trigger is on its way.
type triggerSentMsg struct{}

type paramField struct {
	def    jenkins.ParamDef
	in     field
	choice int
	on     bool
}

func (f paramField) value() string {
	switch f.def.Type {
	case jenkins.ParamBoolean:
		if f.on {
			return "true"
		}
		return "false"
	case jenkins.ParamChoice:
		if f.choice < len(f.def.Choices) {
			return f.def.Choices[f.choice]
		}
		return ""
	}
	return f.in.value
}

// supported reports whether the form can set this parameter type.
func supported(t jenkins.ParamType) bool {
	switch t {
	case jenkins.ParamString, jenkins.ParamText, jenkins.ParamBoolean, jenkins.ParamChoice, jenkins.ParamPassword:
		return true
	}
	return false
}

// newRunForm is the form for nick's job; prev are the parameters of build
// rerunOf (re-run), nil for a plain run.
func newRunForm(c screenCtx, nick, jobName string, rerunOf int, prev []jenkins.Param) runForm {
	rf := runForm{screenCtx: c, nick: nick, jobName: jobName, rerunOf: rerunOf, prev: map[string]jenkins.Param{}}
	for _, p := range prev {
		rf.prev[p.Name] = p
	}
	return rf
}

func (rf runForm) Typing() bool { return true } // q and ? are typed into the fields

func (rf runForm) Update(msg tea.Msg) (runForm, tea.Cmd) {
	switch msg := msg.(type) {
	case jobLoadedMsg:
		if msg.nick == rf.nick && rf.job == nil {
			rf.onJob(msg)
		}
	case triggerSentMsg:
		rf.triggering = true
		rf.err, rf.retry = "", false
	case triggeredMsg:
		if msg.err != nil {
			rf.triggering = false
			rf.err = "trigger failed: " + clean(msg.err.Error())
			rf.retry = true
		}
	case spinFrameMsg:
		rf.spin = msg.frame
	case tea.PasteMsg:
		if f := rf.focused(); f != nil && f.typed() {
			f.in.update(msg, rf.ik)
		}
	case tea.KeyPressMsg:
		return rf.onKey(msg)
	}
	return rf, nil
}

func (rf *runForm) onJob(msg jobLoadedMsg) {
	if msg.err != nil {
		rf.err = clean(msg.err.Error())
		return
	}
	j := msg.job
	rf.job = &j
	for _, d := range j.Params {
		f := paramField{def: d}
		val := d.Default
		if p, ok := rf.prev[d.Name]; ok && !p.Masked {
			val = p.Value
		}
		switch d.Type {
		case jenkins.ParamBoolean:
			f.on = val == "true"
		case jenkins.ParamChoice:
			for i, c := range d.Choices {
				if c == val {
					f.choice = i
				}
			}
		case jenkins.ParamPassword:
			f.in.masked = true // never prefilled: Jenkins uses its default when empty
		default:
			f.in.value = val
		}
		rf.fields = append(rf.fields, f)
	}
	if j.Disabled || !j.Buildable {
		rf.err = "the job is disabled or not buildable"
	}
}

// params collects the form's values; passwords left empty are not sent.
func (rf *runForm) params() map[string]string {
	if rf.job == nil || len(rf.job.Params) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, f := range rf.fields {
		if !supported(f.def.Type) {
			continue
		}
		v := f.value()
		if f.def.Type == jenkins.ParamPassword && v == "" {
			continue
		}
		out[f.def.Name] = v
	}
	return out
}

func (rf *runForm) focused() *paramField {
	if rf.focus < len(rf.fields) {
		return &rf.fields[rf.focus]
	}
	return nil
}

// typed reports whether the field takes text.
func (f *paramField) typed() bool {
	switch f.def.Type {
	case jenkins.ParamString, jenkins.ParamText, jenkins.ParamPassword:
		return true
	}
	return false
}

func (rf runForm) onKey(msg tea.KeyPressMsg) (runForm, tea.Cmd) {
	k := rf.keys
	if key.Matches(msg, k.Esc) {
		// while the trigger is on its way the root keeps the form: a
		// failure comes back to it
		return rf, emit(backMsg{})
	}
	if rf.triggering || rf.job == nil {
		return rf, nil // the trigger is on its way: no key may send it again
	}
	f := rf.focused()
	switch {
	case key.Matches(msg, k.Next):
		if len(rf.fields) > 0 {
			rf.focus = (rf.focus + 1) % len(rf.fields)
		}
	case key.Matches(msg, k.Prev):
		if len(rf.fields) > 0 {
			rf.focus = (rf.focus - 1 + len(rf.fields)) % len(rf.fields)
		}
	case key.Matches(msg, k.Submit):
		if rf.err != "" && !rf.retry {
			return rf, nil // the job cannot be run: its error says why
		}
		desc := "Run " + clean(rf.job.FullName)
		p := rf.params()
		if len(p) > 0 {
			desc += " with " + itoa(len(p)) + " parameters"
		}
		return rf, emit(askTriggerMsg{nick: rf.nick, prompt: desc + "?", rerunOf: rf.rerunOf, params: p})
	case f != nil && f.def.Type == jenkins.ParamBoolean && key.Matches(msg, k.Toggle, k.Left, k.Right):
		f.on = !f.on
	case f != nil && f.def.Type == jenkins.ParamChoice && key.Matches(msg, k.Right, k.Toggle):
		if n := len(f.def.Choices); n > 0 {
			f.choice = (f.choice + 1) % n
		}
	case f != nil && f.def.Type == jenkins.ParamChoice && key.Matches(msg, k.Left):
		if n := len(f.def.Choices); n > 0 {
			f.choice = (f.choice - 1 + n) % n
		}
	case f != nil && f.typed():
		f.in.update(msg, rf.ik)
	}
	return rf, nil
}

func (rf runForm) Title() string {
	title := "run build"
	if rf.rerunOf > 0 {
		title = "re-run #" + itoa(rf.rerunOf)
	}
	return clean(rf.nick) + " · " + title + " · " + clean(rf.jobName)
}

func (rf runForm) View() string {
	lines := []string{""}
	switch {
	case rf.job == nil && rf.err == "":
		lines = append(lines, "  loading the job's parameters…")
	case rf.job != nil && len(rf.fields) == 0:
		lines = append(lines, "  This job has no parameters.")
	}
	labelW := 0
	for _, f := range rf.fields {
		labelW = max(labelW, len([]rune(clean(f.def.Name))))
	}
	labelW = min(labelW, 24)
	valW := max(10, rf.width-labelW-8)
	for i, f := range rf.fields {
		focused := i == rf.focus && !rf.triggering
		marker := "  "
		if focused {
			marker = "› "
		}
		var val string
		switch f.def.Type {
		case jenkins.ParamBoolean:
			if f.on {
				val = "[x] true"
			} else {
				val = "[ ] false"
			}
		case jenkins.ParamChoice:
			var cs []string
			for ci, c := range f.def.Choices {
				c = clean(c)
				if ci == f.choice {
					c = rf.st.Active.Render(c)
				}
				cs = append(cs, c)
			}
			val = "‹ " + strings.Join(cs, " ") + " ›"
		case jenkins.ParamString, jenkins.ParamText, jenkins.ParamPassword:
			val = f.in.view(valW, focused)
			if f.def.Type == jenkins.ParamPassword && f.in.value == "" && !focused {
				val = rf.st.Subtle.Render("(Jenkins's default)")
			}
		default:
			val = rf.st.Subtle.Render("(" + string(f.def.Type) + ": not settable here; Jenkins uses its default)")
		}
		name := cell(clean(f.def.Name), labelW)
		if focused {
			name = rf.st.Focused.Render(name)
		}
		lines = append(lines, marker+name+"  "+val)
		if focused && f.def.Description != "" {
			lines = append(lines, "  "+strings.Repeat(" ", labelW+2)+rf.st.Subtle.Render(clean(f.def.Description)))
		}
	}
	lines = append(lines, "")
	switch {
	case rf.err != "":
		// wrapped, not cut: Jenkins's refusal ends with what to do about it
		for _, l := range strings.Split(ansi.Wrap(rf.err, max(20, rf.width-4), " "), "\n") {
			lines = append(lines, "  "+rf.st.Err.Render(l))
		}
	case rf.triggering:
		lines = append(lines, "  "+rf.spinner()+" triggering…")
	}
	return strings.Join(rf.body(lines), "\n")
}

func (rf runForm) ShortHelp() []key.Binding {
	k := rf.keys
	switch {
	case rf.job == nil || rf.err != "" && !rf.retry:
		// loading, or a job that cannot be run: only esc does anything
		return []key.Binding{k.Esc}
	case len(rf.fields) == 0:
		// no fields to move between or toggle
		return []key.Binding{k.Submit, k.Esc}
	}
	return []key.Binding{k.Submit, k.Esc, k.Next, k.Prev, k.Toggle}
}

func (rf runForm) FullHelp() [][]key.Binding {
	k := rf.keys
	return [][]key.Binding{{k.Next, k.Prev, k.Toggle, k.Left, k.Right}, {k.Submit, k.Esc}}
}

// --- root side: opening the form, the trigger and following its queue item ---

func (m *Model) openRun(rerunOf int) tea.Cmd {
	ig := m.cur()
	if ig == nil || !m.keys.Run.Enabled() {
		return nil
	}
	if ig.api == nil {
		m.setToast("not connected to "+ig.cfg.Nickname, true)
		return m.toastTimer()
	}
	if m.run != nil && m.run.triggering {
		return nil
	}
	var prev []jenkins.Param
	if rerunOf > 0 {
		if _, r := ig.record(rerunOf); r != nil {
			prev = r.Params
		}
	}
	rf := newRunForm(m.ctx(), ig.cfg.Nickname, ig.cfg.Job, rerunOf, prev)
	m.run = &rf
	m.page = pageRun
	m.sizeScreens()
	return loadJobCmd(m.deps.Ctx, ig.api, ig.cfg)
}

func (m *Model) onJobLoaded(msg jobLoadedMsg) tea.Cmd {
	if m.run == nil {
		return nil
	}
	rf, cmd := m.run.Update(msg)
	m.run = &rf
	return cmd
}

func (m *Model) onAskTrigger(msg askTriggerMsg) tea.Cmd {
	if m.run == nil || m.run.nick != msg.nick || m.run.triggering {
		return nil
	}
	c := newConfirm(m.ctx(), msg.prompt, confirmTrigger, msg.nick)
	c.rerunOf, c.params = msg.rerunOf, msg.params
	m.askConfirm(c)
	return nil
}

// trigger sends the confirmed build request exactly once.
func (m *Model) trigger(c confirmDialog) tea.Cmd {
	if m.run == nil || m.run.nick != c.nick || m.run.triggering || m.run.job == nil {
		return nil
	}
	ig := m.find(c.nick)
	if ig == nil || ig.api == nil {
		return nil
	}
	rf, _ := m.run.Update(triggerSentMsg{})
	m.run = &rf
	return triggerCmd(m.deps.Ctx, m.actionAPI(ig, c.rerunOf), ig.cfg, c.params)
}

func (m *Model) onTriggered(msg triggeredMsg) tea.Cmd {
	merged := msg.err != nil && jenkins.IsAlreadyQueued(msg.err)
	if merged {
		msg.err = nil // Jenkins merged the request with an identical queued one: follow that
	}
	if m.run != nil && m.run.nick == msg.nick {
		if msg.err != nil {
			m.deps.Log.Warn("trigger failed", "integration", msg.nick, "err", clean(msg.err.Error()))
			rf, _ := m.run.Update(msg) // the form says why; enter may send it again
			m.run = &rf
			m.page = pageRun
			return nil
		}
		m.run = nil
	}
	if msg.err != nil {
		m.deps.Log.Warn("trigger failed", "integration", msg.nick, "err", clean(msg.err.Error()))
		m.setToast("trigger failed: "+toastErr(msg.err), true)
		return m.toastTimer()
	}
	m.deps.Log.Info("build triggered", "integration", msg.nick, "queue_item", msg.queueID, "merged", merged)
	if m.page == pageRun {
		m.page = pageMain
	}
	if merged {
		m.setToast("an identical build was already queued (item "+itoa(int(msg.queueID))+"); following it", false)
	} else {
		m.setToast("queued: item "+itoa(int(msg.queueID))+", waiting for it to start…", false)
	}
	var cmds []tea.Cmd
	if ig := m.find(msg.nick); ig != nil {
		cmds = append(cmds, m.pollNow(ig, true))
		if msg.queueID > 0 {
			m.follow = &follow{nick: msg.nick, id: msg.queueID}
			cmds = append(cmds, queueItemCmd(m.deps.Ctx, ig.api, ig.cfg, msg.queueID))
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) onFollowTick(msg followTickMsg) tea.Cmd {
	if m.follow == nil || m.follow.id != msg.id {
		return nil
	}
	ig := m.find(msg.nick)
	if ig == nil || ig.api == nil {
		return nil
	}
	return queueItemCmd(m.deps.Ctx, ig.api, ig.cfg, msg.id)
}

// onQueueItem follows the item until it is a build, then selects the build.
func (m *Model) onQueueItem(msg queueItemMsg) tea.Cmd {
	if m.follow == nil || m.follow.nick != msg.nick || (msg.item.ID != 0 && msg.item.ID != m.follow.id) {
		return nil
	}
	id := m.follow.id
	if msg.err != nil && jenkins.IsCancelled(msg.err) {
		msg.err, msg.item.Cancelled = nil, true
	}
	if msg.err != nil {
		// left items vanish after 5 minutes; the build list still shows it
		m.follow = nil
		m.setToast("lost the queue item "+itoa(int(id))+": "+clean(msg.err.Error()), true)
		return m.toastTimer()
	}
	it := msg.item
	switch {
	case it.Cancelled:
		m.follow = nil
		m.setToast("queue item "+itoa(int(id))+" was cancelled", true)
		return m.toastTimer()
	case it.BuildNumber > 0:
		m.follow = nil
		m.pendingSelect[msg.nick] = it.BuildNumber
		m.setToast("build #"+itoa(it.BuildNumber)+" started", false)
		var cmd tea.Cmd
		if ig := m.find(msg.nick); ig != nil {
			m.table.showNewBuild()
			cmd = m.pollNow(ig, true)
			if ig == m.cur() {
				m.rebuild()
				m.selectPending()
			}
		}
		return tea.Batch(cmd, m.toastTimer())
	}
	why := clean(it.Why)
	if why != "" {
		m.setToast("queued: "+why, false)
	}
	return m.after(followEvery, followTickMsg{nick: msg.nick, id: id})
}
