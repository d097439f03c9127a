package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
)

// intForm adds or edits an integration. Submitting runs the connection test
// (reach, TLS, auth, job exists, build permission), shown line by line; it
// saves only when every step passed.
type intForm struct {
	editing string // nickname being edited; "" adds
	old     config.Integration
	fields  []field
	labels  []string
	focus   int
	gen     uint64
	testing bool
	steps   []CheckStep
	err     string
	saving  bool
}

const (
	ifNick = iota
	ifURL
	ifUser
	ifToken
	ifJob
)

func (m *Model) openIntForm(ig *integ) tea.Cmd {
	if ig == nil && !m.keys.Add.Enabled() || ig != nil && !m.keys.Edit.Enabled() {
		return nil
	}
	f := &intForm{
		labels: []string{"Nickname", "Jenkins URL", "Username", "API token", "Job (a/b/c)"},
		fields: make([]field, 5),
	}
	f.fields[ifToken].masked = true
	if m.intForm != nil {
		f.gen = m.intForm.gen + 1
	}
	if ig != nil {
		if ig.cfg.Source != "store" {
			m.setToast(notEditable(ig.cfg, "edit"), true)
			return m.toastTimer()
		}
		f.editing = ig.cfg.Nickname
		f.old = ig.cfg
		f.fields[ifNick].value = ig.cfg.Nickname
		f.fields[ifURL].value = ig.cfg.URL
		f.fields[ifUser].value = ig.cfg.Username
		f.fields[ifJob].value = ig.cfg.Job
		f.labels[ifToken] = "API token (empty keeps it)"
	}
	m.intForm = f
	m.page = pageIntegration
	return nil
}

// integration is the form's values as an integration.
func (f *intForm) integration() config.Integration {
	in := f.old
	in.Nickname = strings.TrimSpace(f.fields[ifNick].value)
	in.URL = strings.TrimRight(strings.TrimSpace(f.fields[ifURL].value), "/")
	in.Username = strings.TrimSpace(f.fields[ifUser].value)
	in.Job = strings.Trim(strings.TrimSpace(f.fields[ifJob].value), "/")
	if t := f.fields[ifToken].value; t != "" {
		in.Token = config.NewSecret(t)
		in.TokenEnv, in.TokenCmd = "", ""
	}
	in.Source = "store"
	return in
}

// otherJob reports whether an edit points the integration at another server
// or job, so the builds it knows are not this job's.
func (f *intForm) otherJob(in config.Integration) bool {
	return f.editing != "" && (in.URL != strings.TrimRight(f.old.URL, "/") || in.Job != strings.Trim(f.old.Job, "/"))
}

func (f *intForm) validate(m *Model) string {
	in := f.integration()
	switch {
	case in.Nickname == "":
		return "a nickname is required"
	case !strings.HasPrefix(in.URL, "http://") && !strings.HasPrefix(in.URL, "https://"):
		return "the Jenkins URL must start with http:// or https://"
	case in.Job == "":
		return "the job's full name is required"
	}
	if in.Nickname != f.editing && m.find(in.Nickname) != nil {
		return "an integration named " + in.Nickname + " exists already"
	}
	return ""
}

func (m *Model) onIntKey(msg tea.KeyPressMsg) tea.Cmd {
	f := m.intForm
	k := m.keys
	if key.Matches(msg, k.Esc) {
		f.gen++ // a test still running is ignored
		m.intForm = nil
		m.page = pageMain
		return nil
	}
	if f.testing || f.saving {
		return nil
	}
	switch {
	case key.Matches(msg, k.Next):
		f.focus = (f.focus + 1) % len(f.fields)
	case key.Matches(msg, k.Prev):
		f.focus = (f.focus - 1 + len(f.fields)) % len(f.fields)
	case key.Matches(msg, k.Submit):
		if f.focus < len(f.fields)-1 {
			f.focus++
			return nil
		}
		if e := f.validate(m); e != "" {
			f.err = e
			return nil
		}
		f.err = ""
		f.steps = nil
		in := f.integration()
		if m.deps.Checker == nil {
			f.saving = true
			return saveIntegrationCmd(m.deps.Ctx, m.deps.Store, in, f.editing, f.otherJob(in))
		}
		f.testing = true
		f.gen++
		return tea.Batch(checkCmd(m.deps.Ctx, m.deps.Checker, in, f.gen), m.startSpinner())
	default:
		f.fields[f.focus].update(msg, m.ik)
	}
	return nil
}

func (f *intForm) paste(msg tea.PasteMsg, ik inputKeys) { f.fields[f.focus].update(msg, ik) }

func (m *Model) onCheckStep(msg checkStepMsg) tea.Cmd {
	f := m.intForm
	if f == nil || msg.gen != f.gen {
		return nil
	}
	s := msg.step
	s.Name, s.Detail = clean(s.Name), clean(s.Detail)
	f.steps = append(f.steps, s)
	return nextCheckCmd(msg.next, msg.gen)
}

func (m *Model) onCheckDone(msg checkDoneMsg) tea.Cmd {
	f := m.intForm
	if f == nil || msg.gen != f.gen {
		return nil
	}
	f.testing = false
	if msg.err != nil {
		f.err = "connection test: " + clean(msg.err.Error())
		return nil
	}
	for _, s := range f.steps {
		if !s.OK && !s.Skip {
			f.err = "not saved: fix the failed step and press enter again"
			return nil
		}
	}
	if len(f.steps) == 0 {
		f.err = "the connection test reported nothing"
		return nil
	}
	f.saving = true
	in := f.integration()
	return saveIntegrationCmd(m.deps.Ctx, m.deps.Store, in, f.editing, f.otherJob(in))
}

func (m *Model) onIntegrationSaved(msg integrationSavedMsg) tea.Cmd {
	f := m.intForm
	if msg.err != nil {
		if f != nil {
			f.saving = false
			f.err = "save failed: " + clean(msg.err.Error())
		}
		return nil
	}
	m.intForm = nil
	m.page = pageMain
	in := msg.in
	m.deps.Log.Info("integration saved", "integration", in.Nickname, "url", in.URL, "job", in.Job, "replaces", msg.replace)
	// the engine starts a changed server or job over and reconnects
	// other changes; the screen shows the new settings at once
	var ig *integ
	if msg.replace != "" {
		ig = m.find(msg.replace)
	}
	switch {
	case ig != nil && (msg.fresh || msg.replace != in.Nickname):
		fresh := newInteg(in) // another job: none of the builds, results or queue are its
		for i := range m.ints {
			if m.ints[i] == ig {
				m.ints[i] = fresh
			}
		}
		ig = fresh
	case ig != nil:
		ig.cfg = in
	default:
		ig = newInteg(in)
		m.ints = append(m.ints, ig)
	}
	for i := range m.ints {
		if m.ints[i] == ig {
			m.sel = i
		}
	}
	m.setToast("saved "+in.Nickname, false)
	return tea.Batch(m.watchCmd(), m.selectIntegration(m.sel), m.toastTimer())
}

func (m *Model) onIntegrationDeleted(msg integrationDeletedMsg) tea.Cmd {
	if msg.err != nil {
		m.setToast("delete failed: "+clean(msg.err.Error()), true)
		return m.toastTimer()
	}
	m.deps.Log.Info("integration deleted", "integration", msg.nick)
	for i, ig := range m.ints {
		if ig.cfg.Nickname == msg.nick {
			m.ints = append(m.ints[:i:i], m.ints[i+1:]...)
			break
		}
	}
	m.sel = max(0, min(m.sel, len(m.ints)-1))
	m.setToast("deleted "+msg.nick, false)
	return tea.Batch(m.watchCmd(), m.selectIntegration(m.sel), m.toastTimer())
}

func (m Model) intFormLines() []string {
	f := m.intForm
	title := "add integration"
	if f.editing != "" {
		title = "edit " + clean(f.editing)
	}
	lines := []string{m.header(title), ""}
	labelW := 0
	for _, l := range f.labels {
		labelW = max(labelW, len([]rune(l)))
	}
	for i, l := range f.labels {
		focused := i == f.focus && !f.testing && !f.saving
		marker := "  "
		name := cell(l, labelW)
		if focused {
			marker = "› "
			name = m.st.Focused.Render(name)
		}
		lines = append(lines, marker+name+"  "+f.fields[i].view(m.width-labelW-6, focused))
	}
	lines = append(lines, "")
	if f.err != "" {
		// above the steps, so a long connection test cannot push it off a small screen
		lines = append(lines, "  "+m.st.Err.Render(f.err))
	}
	if len(f.steps) > 0 || f.testing {
		lines = append(lines, "  "+m.st.Header.Render("Connection test"))
	}
	for _, s := range f.steps {
		g, st := "✔", m.st.OK
		switch {
		case s.Skip:
			g, st = "–", m.st.Subtle
		case s.Warn:
			g, st = "!", m.st.Warn
		case !s.OK:
			g, st = "✘", m.st.Err
		}
		head := "  " + g + " " + s.Name + "  "
		if s.OK || s.Skip || s.Detail == "" {
			l := "  " + st.Render(g+" "+s.Name)
			if s.Detail != "" {
				l += "  " + s.Detail
			}
			lines = append(lines, l)
			continue
		}
		// a failed step's verdict and fix are wrapped, not cut: they say what to do
		indent := strings.Repeat(" ", width(head))
		wrapped := strings.Split(ansi.Wrap(s.Detail, max(20, m.width-width(head)), " "), "\n")
		for i, w := range wrapped {
			if i == 0 {
				lines = append(lines, "  "+st.Render(g+" "+s.Name)+"  "+w)
			} else {
				lines = append(lines, indent+w)
			}
		}
	}
	switch {
	case f.testing:
		lines = append(lines, "  "+spinnerFrames[m.spinFrame]+" testing…")
	case f.saving:
		lines = append(lines, "  saving…")
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	lines = lines[:m.height-1]
	k := m.keys
	sub := key.NewBinding(key.WithKeys(k.Submit.Keys()...), key.WithHelp(k.Submit.Help().Key, "test & save"))
	if f.testing || f.saving {
		return append(lines, m.helpBar([]key.Binding{k.Esc})) // other keys wait for the test
	}
	if f.focus < len(f.fields)-1 {
		// enter moves to the next field until the last one
		return append(lines, m.helpBar([]key.Binding{k.Next, k.Prev, k.Esc}))
	}
	return append(lines, m.helpBar([]key.Binding{sub, k.Esc, k.Next, k.Prev}))
}
