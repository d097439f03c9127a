package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// logView follows one build's console log through progressive text. It
// knows the build by nickname and number; the root fetches the chunks it
// asks for (fetchLogMsg).
type logView struct {
	screenCtx
	nick    string
	num     int
	gen     uint64 // answers of another log view (or an old one) are dropped
	buf     logBuffer
	offset  int64
	more    bool
	loading bool
	follow  bool // stick to the bottom as lines arrive
	top     int
	err     string

	stage     string // the stage this view was opened for ("" the whole log)
	seek      string // a stage whose first line goes on top once read
	stageNote string // how the stage's log is shown, when not on its own
	stageOnly bool   // the text is the stage's log from wfapi

	searching bool
	search    field
	query     string
	matches   []int
	mi        int
}

// fetchLogMsg asks the root for the log from offset on.
type fetchLogMsg struct {
	nick   string
	num    int
	offset int64
	gen    uint64
}

func newLogView(c screenCtx, nick string, num int, gen uint64) logView {
	return logView{screenCtx: c, nick: nick, num: num, gen: gen, follow: true, loading: true, more: true,
		buf: logBuffer{keepSGR: !c.st.NoColor}}
}

func (lv *logView) SetSize(w, h int) {
	lv.screenCtx.SetSize(w, h)
	lv.clamp()
}

func (lv logView) Typing() bool { return lv.searching }

func (lv logView) Update(msg tea.Msg) (logView, tea.Cmd) {
	switch msg := msg.(type) {
	case logChunkMsg:
		if msg.gen != lv.gen {
			return lv, nil
		}
		return lv.onChunk(msg)
	case logTailMsg:
		if msg.gen != lv.gen {
			return lv, nil
		}
		return lv.onTail(msg)
	case stageLogMsg:
		if msg.gen != lv.gen {
			return lv, nil
		}
		return lv.onStageLog(msg)
	case logTickMsg:
		if msg.gen != lv.gen {
			return lv, nil
		}
		lv.loading = true
		return lv, emit(fetchLogMsg{nick: lv.nick, num: lv.num, offset: lv.offset, gen: lv.gen})
	case tea.PasteMsg:
		if lv.searching {
			lv.search.update(msg, lv.ik)
		}
	case tea.KeyPressMsg:
		return lv.onKey(msg)
	}
	return lv, nil
}

func (lv logView) onChunk(msg logChunkMsg) (logView, tea.Cmd) {
	lv.loading = false
	if msg.err != nil {
		lv.err = clean(msg.err.Error())
		if jenkins.IsNotFound(msg.err) || jenkins.IsAuth(msg.err) {
			lv.more = false // asking again cannot help
			return lv, nil
		}
		// keep trying while the build runs: Jenkins may be back
		return lv, lv.after(logEvery*2, logTickMsg{gen: lv.gen})
	}
	lv.err = ""
	if d := lv.buf.write(msg.chunk.Text); d > 0 {
		lv.top = max(0, lv.top-d)
	}
	if msg.chunk.NextOffset > lv.offset {
		lv.offset = msg.chunk.NextOffset
	}
	lv.more = msg.chunk.More
	if !lv.more {
		lv.buf.end()
	}
	if lv.query != "" {
		lv.findMatches()
	}
	if lv.follow {
		lv.top = max(0, lv.buf.Len()-lv.height)
	}
	lv.seekStage()
	if lv.more {
		return lv, lv.after(logEvery, logTickMsg{gen: lv.gen})
	}
	return lv, nil
}

func (lv *logView) findMatches() {
	lv.matches = lv.matches[:0]
	q := strings.ToLower(lv.query)
	for i := range lv.buf.Len() {
		if strings.Contains(strings.ToLower(ansi.Strip(lv.buf.Line(i))), q) {
			lv.matches = append(lv.matches, i)
		}
	}
	if lv.mi >= len(lv.matches) {
		lv.mi = 0
	}
}

func (lv *logView) clamp() {
	lv.top = max(0, min(lv.top, lv.buf.Len()-lv.height))
}

func (lv *logView) jumpTo(line int) {
	lv.follow = false
	lv.top = max(0, line-lv.height/2)
	lv.clamp()
}

func (lv logView) onKey(msg tea.KeyPressMsg) (logView, tea.Cmd) {
	k := lv.keys
	h := lv.height
	if lv.searching {
		switch {
		case key.Matches(msg, k.Esc):
			lv.searching = false
		case key.Matches(msg, k.Submit):
			lv.searching = false
			lv.query = lv.search.value
			lv.mi = 0
			lv.findMatches()
			if len(lv.matches) > 0 {
				// first match at or below the screen's top
				for i, n := range lv.matches {
					if n >= lv.top {
						lv.mi = i
						break
					}
				}
				lv.jumpTo(lv.matches[lv.mi])
			}
		default:
			lv.search.update(msg, lv.ik)
		}
		return lv, nil
	}
	n := lv.buf.Len()
	switch {
	case key.Matches(msg, k.Esc), key.Matches(msg, k.Log):
		return lv, emit(backMsg{})
	case key.Matches(msg, k.Up):
		lv.follow = false
		lv.top = max(0, lv.top-1)
	case key.Matches(msg, k.Down):
		lv.top++
		lv.clamp()
		lv.follow = lv.top >= n-h
	case key.Matches(msg, k.PageUp):
		lv.follow = false
		lv.top = max(0, lv.top-h)
	case key.Matches(msg, k.PageDown):
		lv.top += h
		lv.clamp()
		lv.follow = lv.top >= n-h
	case key.Matches(msg, k.Top):
		lv.follow = false
		lv.top = 0
	case key.Matches(msg, k.Bottom), key.Matches(msg, k.Follow):
		lv.follow = true
		lv.top = max(0, n-h)
	case key.Matches(msg, k.Search):
		lv.searching = true
		lv.search.value = lv.query
	case key.Matches(msg, k.SearchNext):
		if len(lv.matches) > 0 {
			lv.mi = (lv.mi + 1) % len(lv.matches)
			lv.jumpTo(lv.matches[lv.mi])
		}
	case key.Matches(msg, k.SearchPrev):
		if len(lv.matches) > 0 {
			lv.mi = (lv.mi - 1 + len(lv.matches)) % len(lv.matches)
			lv.jumpTo(lv.matches[lv.mi])
		}
	}
	return lv, nil
}

func (lv logView) Title() string {
	t := clean(lv.nick) + " · console #" + itoa(lv.num)
	if lv.stage != "" {
		t += " · stage " + clean(lv.stage)
	}
	return t
}

func (lv logView) Status() string {
	switch {
	case lv.err != "":
		return lv.st.Err.Render("error: " + lv.err)
	case lv.stageOnly:
		return lv.st.Subtle.Render("stage log (wfapi)")
	case lv.more && lv.follow:
		return lv.st.status("running").Render("following…")
	case lv.more:
		return "running (G follows)"
	}
	return lv.st.Subtle.Render("end of log")
}

func (lv logView) View() string {
	var lines []string
	end := min(lv.buf.Len(), lv.top+lv.height)
	q := strings.ToLower(lv.query)
	cur := -1
	if len(lv.matches) > 0 {
		cur = lv.matches[lv.mi]
	}
	for i := lv.top; i < end; i++ {
		l := lv.buf.Line(i)
		switch {
		case q != "" && i == cur:
			l = lv.st.Match.Render(cell(ansi.Strip(l), lv.width))
		case q != "" && strings.Contains(strings.ToLower(ansi.Strip(l)), q):
			l = lv.highlight(fit(ansi.Strip(l), lv.width), q)
		case width(l) > lv.width:
			l = ansi.Truncate(l, lv.width, "…")
		}
		if strings.Contains(l, "\x1b") {
			l += sgrReset // the server's colours end with the line
		}
		lines = append(lines, l)
	}
	if lv.buf.Len() == 0 {
		if lv.loading {
			lines = append(lines, lv.st.Subtle.Render("loading…"))
		} else {
			lines = append(lines, lv.st.Subtle.Render("(empty log)"))
		}
	}
	return strings.Join(lv.body(lines), "\n")
}

// Footer is the search field, the search's matches, or the line count.
func (lv logView) Footer() string {
	k := lv.keys
	switch {
	case lv.searching:
		return "/" + lv.search.view(lv.width-1, true)
	case lv.query != "":
		return lv.st.Warn.Render("/"+lv.query+" · "+lv.matchCount()) + "  " + lv.hints([]key.Binding{k.SearchNext, k.SearchPrev, k.Esc})
	}
	info := itoa(lv.buf.Len()) + " lines"
	if n := lv.buf.keptNote(); n != "" {
		info += " (" + n + ")"
	}
	if lv.stageNote != "" {
		return lv.st.Warn.Render(lv.stageNote) + "  " + lv.st.Subtle.Render(info)
	}
	return lv.st.Subtle.Render(info)
}

func (lv logView) ShortHelp() []key.Binding {
	k := lv.keys
	if lv.searching {
		// while the query is typed, letters go into it: only enter and esc act
		return []key.Binding{k.Submit, k.Esc}
	}
	return []key.Binding{k.Up, k.Down, k.Search, k.Bottom, k.Top, k.Esc, k.Help}
}

func (lv logView) FullHelp() [][]key.Binding {
	k := lv.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Search, k.SearchNext, k.SearchPrev, k.Follow}, {k.Esc, k.Help, k.Quit}}
}

// highlight marks every case-insensitive occurrence of q (lower case) in the
// plain line l.
func (lv logView) highlight(l, q string) string {
	var b strings.Builder
	low := strings.ToLower(l)
	for {
		i := strings.Index(low, q)
		if i < 0 || len(low) != len(l) { // lower-casing changed the length: no byte offsets
			b.WriteString(l)
			return b.String()
		}
		b.WriteString(l[:i])
		b.WriteString(lv.st.Match.Render(l[i : i+len(q)]))
		l, low = l[i+len(q):], low[i+len(q):]
	}
}

func (lv logView) matchCount() string {
	// a search covers the lines kept: say so when that is not the whole log
	where := ""
	if lv.buf.skipped > 0 || lv.buf.Dropped() > 0 {
		where = " in the last " + itoa(lv.buf.Len()) + " lines"
	}
	if len(lv.matches) == 0 {
		return "no match" + where
	}
	return itoa(lv.mi+1) + "/" + itoa(len(lv.matches)) + where
}

// --- root side: opening the log and fetching what it asks for ---

func (m *Model) openLog(num int) tea.Cmd {
	ig, cmd := m.showLog(num)
	if ig == nil {
		return cmd
	}
	return tailLogCmd(m.deps.Ctx, ig.api, ig.cfg, num, m.gen)
}

// showLog puts a fresh log view of build num of the integration on screen
// (m.log) and returns that integration; nil and the toast's timer when it
// is not connected (or nil, nil when there is no integration).
func (m *Model) showLog(num int) (*integ, tea.Cmd) {
	ig := m.cur()
	if ig == nil {
		return nil, nil
	}
	if ig.api == nil {
		m.setToast("not connected to "+ig.cfg.Nickname, true)
		return nil, m.toastTimer()
	}
	m.gen++
	lv := newLogView(m.ctx(), ig.cfg.Nickname, num, m.gen)
	m.log = &lv
	m.page = pageLog
	m.sizeScreens()
	return ig, nil
}

func (m *Model) onFetchLog(msg fetchLogMsg) tea.Cmd {
	if m.log == nil || m.log.gen != msg.gen {
		return nil // the log view was left
	}
	ig := m.find(msg.nick)
	if ig == nil || ig.api == nil {
		return nil
	}
	if msg.offset == tailOffset {
		return tailLogCmd(m.deps.Ctx, ig.api, ig.cfg, msg.num, msg.gen)
	}
	return logChunkCmd(m.deps.Ctx, ig.api, ig.cfg, msg.num, msg.offset, msg.gen)
}
