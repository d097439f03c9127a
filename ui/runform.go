package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// runForm is the run-build form built from the job's parameter definitions.
type runForm struct {
	nick       string
	rerunOf    int // build whose parameters prefill the form; 0 for b
	job        *jenkins.Job
	err        string
	retry      bool // err is a failed trigger: enter may send it again
	fields     []paramField
	focus      int
	confirming bool
	triggering bool // set once the trigger is sent: never twice
}

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
	m.run = &runForm{nick: ig.cfg.Nickname, rerunOf: rerunOf}
	m.page = pageRun
	return loadJobCmd(m.deps.Ctx, ig.api, ig.cfg)
}

func (m *Model) onJobLoaded(msg jobLoadedMsg) tea.Cmd {
	rf := m.run
	if rf == nil || rf.nick != msg.nick || rf.job != nil {
		return nil
	}
	if msg.err != nil {
		rf.err = clean(msg.err.Error())
		return nil
	}
	j := msg.job
	rf.job = &j
	prev := map[string]jenkins.Param{}
	if rf.rerunOf > 0 {
		if ig := m.find(msg.nick); ig != nil {
			if _, r := ig.record(rf.rerunOf); r != nil {
				for _, p := range r.Params {
					prev[p.Name] = p
				}
			}
		}
	}
	for _, d := range j.Params {
		f := paramField{def: d}
		val := d.Default
		if p, ok := prev[d.Name]; ok && !p.Masked {
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
	return nil
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

func (m *Model) onRunKey(msg tea.KeyPressMsg) tea.Cmd {
	rf := m.run
	k := m.keys
	if rf.triggering {
		// the trigger is on its way; no key may send it again
		if key.Matches(msg, k.Esc) {
			m.page = pageMain
		}
		return nil
	}
	if key.Matches(msg, k.Esc) {
		m.page = pageMain
		m.run = nil
		return nil
	}
	if rf.job == nil {
		return nil
	}
	var f *paramField
	if rf.focus < len(rf.fields) {
		f = &rf.fields[rf.focus]
	}
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
			return nil // the job cannot be run: its error says why
		}
		rf.confirming = true
		desc := "Run " + clean(rf.job.FullName)
		if p := rf.params(); len(p) > 0 {
			desc += " with " + itoa(len(p)) + " parameters"
		}
		m.confirm = &confirmDialog{prompt: desc + "?", action: confirmTrigger, nick: rf.nick}
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
	case f != nil && (f.def.Type == jenkins.ParamString || f.def.Type == jenkins.ParamText || f.def.Type == jenkins.ParamPassword):
		f.in.update(msg, m.ik)
	}
	return nil
}

func (rf *runForm) paste(msg tea.PasteMsg, ik inputKeys) {
	if rf.focus < len(rf.fields) {
		f := &rf.fields[rf.focus]
		switch f.def.Type {
		case jenkins.ParamString, jenkins.ParamText, jenkins.ParamPassword:
			f.in.update(msg, ik)
		}
	}
}

// trigger sends the build request exactly once.
func (m *Model) trigger() tea.Cmd {
	rf := m.run
	if rf == nil || rf.triggering || rf.job == nil {
		return nil
	}
	ig := m.find(rf.nick)
	if ig == nil || ig.api == nil {
		return nil
	}
	rf.triggering = true
	rf.confirming = false
	rf.err, rf.retry = "", false
	return triggerCmd(m.deps.Ctx, m.actionAPI(ig, rf.rerunOf), ig.cfg, rf.params())
}

func (m *Model) onTriggered(msg triggeredMsg) tea.Cmd {
	merged := msg.err != nil && jenkins.IsAlreadyQueued(msg.err)
	if merged {
		msg.err = nil // Jenkins merged the request with an identical queued one: follow that
	}
	if m.run != nil && m.run.nick == msg.nick {
		if msg.err != nil {
			m.deps.Log.Warn("trigger failed", "integration", msg.nick, "err", clean(msg.err.Error()))
			m.run.triggering = false
			m.run.err = "trigger failed: " + clean(msg.err.Error())
			m.run.retry = true
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
			if m.filter != 0 && filterStatuses[m.filter] != jenkins.StatusRunning {
				m.filter = 0
			}
			m.search.value = ""
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

func (m Model) runLines() []string {
	rf := m.run
	title := "run build"
	if rf.rerunOf > 0 {
		title = "re-run #" + itoa(rf.rerunOf)
	}
	if ig := m.find(rf.nick); ig != nil {
		title = clean(ig.cfg.Nickname) + " · " + title + " · " + clean(ig.cfg.Job)
	}
	lines := []string{m.header(title), ""}
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
	valW := max(10, m.width-labelW-8)
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
					c = m.st.Active.Render(c)
				}
				cs = append(cs, c)
			}
			val = "‹ " + strings.Join(cs, " ") + " ›"
		case jenkins.ParamString, jenkins.ParamText, jenkins.ParamPassword:
			val = f.in.view(valW, focused)
			if f.def.Type == jenkins.ParamPassword && f.in.value == "" && !focused {
				val = m.st.Subtle.Render("(Jenkins's default)")
			}
		default:
			val = m.st.Subtle.Render("(" + string(f.def.Type) + ": not settable here; Jenkins uses its default)")
		}
		name := cell(clean(f.def.Name), labelW)
		if focused {
			name = m.st.Focused.Render(name)
		}
		lines = append(lines, marker+name+"  "+val)
		if focused && f.def.Description != "" {
			lines = append(lines, "  "+strings.Repeat(" ", labelW+2)+m.st.Subtle.Render(clean(f.def.Description)))
		}
	}
	lines = append(lines, "")
	switch {
	case rf.err != "":
		// wrapped, not cut: Jenkins's refusal ends with what to do about it
		for _, l := range strings.Split(ansi.Wrap(rf.err, max(20, m.width-4), " "), "\n") {
			lines = append(lines, "  "+m.st.Err.Render(l))
		}
	case rf.triggering:
		lines = append(lines, "  "+spinnerFrames[m.spinFrame]+" triggering…")
	}
	for len(lines) < m.height-2 {
		lines = append(lines, "")
	}
	lines = lines[:m.height-2]
	k := m.keys
	if m.confirm != nil {
		return append(lines, m.toastLine(), m.helpBar([]key.Binding{k.Yes, k.No}))
	}
	if rf.job == nil || rf.err != "" && !rf.retry {
		// loading, or a job that cannot be run: only esc does anything
		return append(lines, m.toastLine(), m.helpBar([]key.Binding{k.Esc}))
	}
	if len(rf.fields) == 0 {
		// no fields to move between or toggle
		return append(lines, m.toastLine(), m.helpBar([]key.Binding{k.Submit, k.Esc}))
	}
	return append(lines, m.toastLine(), m.helpBar([]key.Binding{k.Submit, k.Esc, k.Next, k.Prev, k.Toggle}))
}
