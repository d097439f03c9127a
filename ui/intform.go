package ui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
)

// intForm adds or edits an integration. Submitting runs the connection test
// (reach, TLS, auth, job exists, build permission), shown line by line; it
// saves only when every step passed. The root runs the test and the save
// it asks for (checkIntegrationMsg, saveIntegrationMsg) and hands it their
// answers (checkStepMsg, checkDoneMsg, integrationSavedMsg).
type intForm struct {
	screenCtx
	editing string // nickname being edited; "" adds
	old     config.Integration
	taken   []string // nicknames of the other integrations
	canTest bool     // a connection test exists; else enter saves at once
	fields  []field
	labels  []string
	focus   int
	gen     uint64 // the test's answers carry it: an old form's are dropped
	testing bool
	steps   []CheckStep
	err     string
	saving  bool
}

// checkIntegrationMsg asks the root to test the form's integration.
type checkIntegrationMsg struct {
	in  config.Integration
	gen uint64
}

// saveIntegrationMsg asks the root to save it.
type saveIntegrationMsg struct {
	in      config.Integration
	replace string
	fresh   bool
}

const (
	ifNick = iota
	ifURL
	ifUser
	ifToken
	ifJob
)

// newIntForm is the form to add an integration (edit nil) or edit one;
// taken are the nicknames in use, gen a generation no other form had.
func newIntForm(c screenCtx, edit *config.Integration, taken []string, canTest bool, gen uint64) intForm {
	f := intForm{
		screenCtx: c,
		labels:    []string{"Nickname", "Jenkins URL", "Username", "API token", "Job (a/b/c)"},
		fields:    make([]field, 5),
		taken:     taken,
		canTest:   canTest,
		gen:       gen,
	}
	f.fields[ifToken].masked = true
	if edit != nil {
		f.editing = edit.Nickname
		f.old = *edit
		f.fields[ifNick].value = edit.Nickname
		f.fields[ifURL].value = edit.URL
		f.fields[ifUser].value = edit.Username
		f.fields[ifJob].value = edit.Job
		f.labels[ifToken] = "API token (empty keeps it)"
	}
	return f
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

func (f *intForm) validate() string {
	in := f.integration()
	switch {
	case in.Nickname == "":
		return "a nickname is required"
	case !strings.HasPrefix(in.URL, "http://") && !strings.HasPrefix(in.URL, "https://"):
		return "the Jenkins URL must start with http:// or https://"
	case in.Job == "":
		return "the job's full name is required"
	}
	if in.Nickname != f.editing && slices.Contains(f.taken, in.Nickname) {
		return "an integration named " + in.Nickname + " exists already"
	}
	return ""
}

func (f intForm) Typing() bool     { return true } // q and ? are typed into the fields
func (f intForm) Statusless() bool { return true } // a long connection test needs every line

// save is the intent to save the form's integration.
func (f *intForm) save() tea.Cmd {
	f.saving = true
	in := f.integration()
	return emit(saveIntegrationMsg{in: in, replace: f.editing, fresh: f.otherJob(in)})
}

func (f intForm) Update(msg tea.Msg) (intForm, tea.Cmd) {
	switch msg := msg.(type) {
	case checkStepMsg:
		if msg.gen != f.gen || !f.testing {
			return f, nil
		}
		s := msg.step
		s.Name, s.Detail = clean(s.Name), clean(s.Detail)
		f.steps = append(f.steps, s)
		return f, nextCheckCmd(msg.next, msg.gen)
	case checkDoneMsg:
		if msg.gen != f.gen || !f.testing {
			return f, nil
		}
		return f.onCheckDone(msg)
	case integrationSavedMsg:
		if msg.err != nil {
			f.saving = false
			f.err = "save failed: " + clean(msg.err.Error())
		}
	case spinFrameMsg:
		f.spin = msg.frame
	case tea.PasteMsg:
		f.fields[f.focus].update(msg, f.ik)
	case tea.KeyPressMsg:
		return f.onKey(msg)
	}
	return f, nil
}

func (f intForm) onKey(msg tea.KeyPressMsg) (intForm, tea.Cmd) {
	k := f.keys
	if key.Matches(msg, k.Esc) {
		return f, emit(backMsg{}) // a test still running is ignored: its form is gone
	}
	if f.testing || f.saving {
		return f, nil
	}
	switch {
	case key.Matches(msg, k.Next):
		f.focus = (f.focus + 1) % len(f.fields)
	case key.Matches(msg, k.Prev):
		f.focus = (f.focus - 1 + len(f.fields)) % len(f.fields)
	case key.Matches(msg, k.Submit):
		if f.focus < len(f.fields)-1 {
			f.focus++
			return f, nil
		}
		if e := f.validate(); e != "" {
			f.err = e
			return f, nil
		}
		f.err = ""
		f.steps = nil
		if !f.canTest {
			return f, f.save()
		}
		f.testing = true
		f.gen++ // the answers of an earlier test of this form are dropped
		return f, emit(checkIntegrationMsg{in: f.integration(), gen: f.gen})
	default:
		f.fields[f.focus].update(msg, f.ik)
	}
	return f, nil
}

func (f intForm) onCheckDone(msg checkDoneMsg) (intForm, tea.Cmd) {
	f.testing = false
	if msg.err != nil {
		f.err = "connection test: " + clean(msg.err.Error())
		return f, nil
	}
	for _, s := range f.steps {
		if !s.OK && !s.Skip {
			f.err = "not saved: fix the failed step and press enter again"
			return f, nil
		}
	}
	if len(f.steps) == 0 {
		f.err = "the connection test reported nothing"
		return f, nil
	}
	return f, f.save()
}

func (f intForm) Title() string {
	if f.editing != "" {
		return "edit " + clean(f.editing)
	}
	return "add integration"
}

func (f intForm) View() string {
	lines := []string{""}
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
			name = f.st.Focused.Render(name)
		}
		lines = append(lines, marker+name+"  "+f.fields[i].view(f.width-labelW-6, focused))
	}
	lines = append(lines, "")
	if f.err != "" {
		// above the steps, so a long connection test cannot push it off a small screen
		lines = append(lines, "  "+f.st.Err.Render(f.err))
	}
	if len(f.steps) > 0 || f.testing {
		lines = append(lines, "  "+f.st.Header.Render("Connection test"))
	}
	for _, s := range f.steps {
		g, st := "✔", f.st.OK
		switch {
		case s.Skip:
			g, st = "–", f.st.Subtle
		case s.Warn:
			g, st = "!", f.st.Warn
		case !s.OK:
			g, st = "✘", f.st.Err
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
		wrapped := strings.Split(ansi.Wrap(s.Detail, max(20, f.width-width(head)), " "), "\n")
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
		lines = append(lines, "  "+f.spinner()+" testing…")
	case f.saving:
		lines = append(lines, "  saving…")
	}
	return strings.Join(f.body(lines), "\n")
}

func (f intForm) ShortHelp() []key.Binding {
	k := f.keys
	switch {
	case f.testing || f.saving:
		return []key.Binding{k.Esc} // other keys wait for the test
	case f.focus < len(f.fields)-1:
		// enter moves to the next field until the last one
		return []key.Binding{k.Next, k.Prev, k.Esc}
	}
	sub := key.NewBinding(key.WithKeys(k.Submit.Keys()...), key.WithHelp(k.Submit.Help().Key, "test & save"))
	return []key.Binding{sub, k.Esc, k.Next, k.Prev}
}

func (f intForm) FullHelp() [][]key.Binding {
	k := f.keys
	return [][]key.Binding{{k.Next, k.Prev, k.Submit, k.Esc}}
}

// --- root side: opening the form, its test and save, and their answers ---

func (m *Model) openIntForm(ig *integ) tea.Cmd {
	if ig == nil && !m.keys.Add.Enabled() || ig != nil && !m.keys.Edit.Enabled() {
		return nil
	}
	var edit *config.Integration
	if ig != nil {
		if ig.cfg.Source != "store" {
			m.setToast(notEditable(ig.cfg, "edit"), true)
			return m.toastTimer()
		}
		in := ig.cfg
		edit = &in
	}
	var taken []string
	for _, o := range m.ints {
		taken = append(taken, o.cfg.Nickname)
	}
	m.gen += 1 << 32 // room for the form's own test generations
	f := newIntForm(m.ctx(), edit, taken, m.deps.Checker != nil, m.gen)
	m.intForm = &f
	m.page = pageIntegration
	m.sizeScreens()
	return nil
}

func (m *Model) onCheckIntegration(msg checkIntegrationMsg) tea.Cmd {
	if m.intForm == nil || m.deps.Checker == nil {
		return nil
	}
	return tea.Batch(checkCmd(m.deps.Ctx, m.deps.Checker, msg.in, msg.gen), m.startSpinner())
}

func (m *Model) onSaveIntegration(msg saveIntegrationMsg) tea.Cmd {
	if m.intForm == nil {
		return nil
	}
	return saveIntegrationCmd(m.deps.Ctx, m.deps.Store, msg.in, msg.replace, msg.fresh)
}

func (m *Model) onIntegrationSaved(msg integrationSavedMsg) tea.Cmd {
	if msg.err != nil {
		if m.intForm != nil {
			f, _ := m.intForm.Update(msg) // the form says why
			m.intForm = &f
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
