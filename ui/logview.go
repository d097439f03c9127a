package ui

import (
	"bytes"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// maxLogLines bounds memory for endless logs; older lines are dropped.
const maxLogLines = 50000

// logView follows one build's console log through progressive text.
type logView struct {
	nick    string
	num     int
	gen     uint64
	lines   []string // sanitized; SGR kept unless no colour
	partial []byte   // an unterminated last line, raw
	offset  int64
	more    bool
	loading bool
	follow  bool // stick to the bottom as lines arrive
	top     int
	err     string
	dropped int

	searching bool
	search    field
	query     string
	matches   []int
	mi        int
}

func (m Model) logHeight() int { return max(1, m.height-3) }

func (m *Model) openLog() tea.Cmd {
	ig := m.cur()
	r := m.selectedRecord()
	if ig == nil || r == nil {
		return nil
	}
	if ig.api == nil {
		m.setToast("not connected to "+ig.cfg.Nickname, true)
		return m.toastTimer()
	}
	gen := uint64(1)
	if m.log != nil {
		gen = m.log.gen + 1
	}
	m.log = &logView{nick: ig.cfg.Nickname, num: r.Number, gen: gen, follow: true, loading: true, more: true}
	m.page = pageLog
	return logChunkCmd(m.deps.Ctx, ig.api, ig.cfg, r.Number, 0, gen)
}

func (m *Model) closeLog() {
	if m.log != nil {
		m.log.gen++ // answers still on their way are dropped
	}
	m.page = pageMain
}

func (m *Model) onLogChunk(msg logChunkMsg) tea.Cmd {
	lv := m.log
	if lv == nil || msg.gen != lv.gen || m.page != pageLog {
		return nil
	}
	lv.loading = false
	if msg.err != nil {
		lv.err = clean(msg.err.Error())
		if jenkins.IsNotFound(msg.err) || jenkins.IsAuth(msg.err) {
			lv.more = false // asking again cannot help
			return nil
		}
		// keep trying while the build runs: Jenkins may be back
		return m.after(logEvery*2, logTickMsg{gen: lv.gen})
	}
	lv.err = ""
	lv.appendText(msg.chunk.Text, !m.opts.NoColor)
	if msg.chunk.NextOffset > lv.offset {
		lv.offset = msg.chunk.NextOffset
	}
	lv.more = msg.chunk.More
	if !lv.more && len(lv.partial) > 0 {
		lv.lines = append(lv.lines, cleanLog(strings.TrimRight(string(lv.partial), "\r"), !m.opts.NoColor))
		lv.partial = nil
	}
	if lv.query != "" {
		lv.findMatches()
	}
	if lv.follow {
		lv.top = max(0, len(lv.lines)-m.logHeight())
	}
	if lv.more {
		return m.after(logEvery, logTickMsg{gen: lv.gen})
	}
	return nil
}

func (m *Model) onLogTick(msg logTickMsg) tea.Cmd {
	lv := m.log
	if lv == nil || msg.gen != lv.gen || m.page != pageLog {
		return nil
	}
	ig := m.find(lv.nick)
	if ig == nil || ig.api == nil {
		return nil
	}
	lv.loading = true
	return logChunkCmd(m.deps.Ctx, ig.api, ig.cfg, lv.num, lv.offset, lv.gen)
}

// appendText splits new text into lines; Jenkins's classic mode sends CRLF.
func (lv *logView) appendText(b []byte, keepSGR bool) {
	if len(b) == 0 {
		return
	}
	data := append(lv.partial, b...)
	lv.partial = nil
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(data[:i]), "\r")
		// a bare CR rewrites the line (progress bars): keep the last part
		if j := strings.LastIndexByte(line, '\r'); j >= 0 {
			line = line[j+1:]
		}
		lv.lines = append(lv.lines, cleanLog(line, keepSGR))
		data = data[i+1:]
	}
	if len(data) > 0 {
		lv.partial = append([]byte(nil), data...)
	}
	if over := len(lv.lines) - maxLogLines; over > 0 {
		lv.lines = append([]string(nil), lv.lines[over:]...)
		lv.dropped += over
		lv.top = max(0, lv.top-over)
	}
}

func (lv *logView) findMatches() {
	lv.matches = lv.matches[:0]
	q := strings.ToLower(lv.query)
	for i, l := range lv.lines {
		if strings.Contains(strings.ToLower(ansi.Strip(l)), q) {
			lv.matches = append(lv.matches, i)
		}
	}
	if lv.mi >= len(lv.matches) {
		lv.mi = 0
	}
}

func (lv *logView) clamp(h int) {
	lv.top = max(0, min(lv.top, len(lv.lines)-h))
}

func (lv *logView) jumpTo(line, h int) {
	lv.follow = false
	lv.top = max(0, line-h/2)
	lv.clamp(h)
}

func (m *Model) onLogKey(msg tea.KeyPressMsg) tea.Cmd {
	lv := m.log
	k := m.keys
	h := m.logHeight()
	if lv.searching {
		switch {
		case key.Matches(msg, k.Esc):
			lv.searching = false
		case key.Matches(msg, m.keys.Submit):
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
				lv.jumpTo(lv.matches[lv.mi], h)
			}
		default:
			lv.search.update(msg, m.ik)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Esc), key.Matches(msg, k.Log):
		m.closeLog()
		return tea.Batch(m.wantResultsCur(), m.startClock())
	case key.Matches(msg, k.Help):
		m.help = true
	case key.Matches(msg, k.Up):
		lv.follow = false
		lv.top = max(0, lv.top-1)
	case key.Matches(msg, k.Down):
		lv.top++
		lv.clamp(h)
		lv.follow = lv.top >= len(lv.lines)-h
	case key.Matches(msg, k.PageUp):
		lv.follow = false
		lv.top = max(0, lv.top-h)
	case key.Matches(msg, k.PageDown):
		lv.top += h
		lv.clamp(h)
		lv.follow = lv.top >= len(lv.lines)-h
	case key.Matches(msg, k.Top):
		lv.follow = false
		lv.top = 0
	case key.Matches(msg, k.Bottom), key.Matches(msg, k.Follow):
		lv.follow = true
		lv.top = max(0, len(lv.lines)-h)
	case key.Matches(msg, k.Search):
		lv.searching = true
		lv.search.value = lv.query
	case key.Matches(msg, k.SearchNext):
		if len(lv.matches) > 0 {
			lv.mi = (lv.mi + 1) % len(lv.matches)
			lv.jumpTo(lv.matches[lv.mi], h)
		}
	case key.Matches(msg, k.SearchPrev):
		if len(lv.matches) > 0 {
			lv.mi = (lv.mi - 1 + len(lv.matches)) % len(lv.matches)
			lv.jumpTo(lv.matches[lv.mi], h)
		}
	}
	return nil
}

func (m Model) logLines() []string {
	lv := m.log
	ig := m.find(lv.nick)
	title := "console #" + itoa(lv.num)
	if ig != nil {
		title = clean(ig.cfg.Nickname) + " · " + title
	}
	state := ""
	switch {
	case lv.err != "":
		state = m.st.Err.Render("error: " + lv.err)
	case lv.more && lv.follow:
		state = m.st.status("running").Render("following…")
	case lv.more:
		state = "running (G follows)"
	default:
		state = m.st.Subtle.Render("end of log")
	}
	lines := []string{spread(m.st.Title.Render("jeeves")+" "+title, state, m.width)}
	h := m.logHeight()
	end := min(len(lv.lines), lv.top+h)
	q := strings.ToLower(lv.query)
	cur := -1
	if len(lv.matches) > 0 {
		cur = lv.matches[lv.mi]
	}
	for i := lv.top; i < end; i++ {
		l := lv.lines[i]
		switch {
		case q != "" && i == cur:
			l = m.st.Match.Render(cell(ansi.Strip(l), m.width))
		case q != "" && strings.Contains(strings.ToLower(ansi.Strip(l)), q):
			l = m.highlight(fit(ansi.Strip(l), m.width), q)
		case width(l) > m.width:
			l = ansi.Truncate(l, m.width, "…")
		}
		if strings.Contains(l, "\x1b") {
			l += sgrReset // the server's colours end with the line
		}
		lines = append(lines, l)
	}
	if len(lv.lines) == 0 {
		if lv.loading {
			lines = append(lines, m.st.Subtle.Render("loading…"))
		} else {
			lines = append(lines, m.st.Subtle.Render("(empty log)"))
		}
	}
	for len(lines) < h+1 {
		lines = append(lines, "")
	}
	var foot string
	switch {
	case lv.searching:
		foot = "/" + lv.search.view(m.width-1, true)
	case lv.query != "":
		foot = m.st.Warn.Render("/"+lv.query+" · "+matchCount(lv)) + "  " + m.helpBar([]key.Binding{m.keys.SearchNext, m.keys.SearchPrev, m.keys.Esc})
	default:
		info := itoa(len(lv.lines)) + " lines"
		if lv.dropped > 0 {
			info += " (" + itoa(lv.dropped) + " dropped)"
		}
		foot = m.st.Subtle.Render(info)
	}
	if lv.searching {
		// while the query is typed, letters go into it: only enter and esc act
		return append(lines, foot, m.helpBar([]key.Binding{m.keys.Submit, m.keys.Esc}))
	}
	return append(lines, foot, m.helpBar([]key.Binding{m.keys.Up, m.keys.Down, m.keys.Search, m.keys.Bottom, m.keys.Top, m.keys.Esc, m.keys.Help}))
}

// highlight marks every case-insensitive occurrence of q (lower case) in the
// plain line l.
func (m Model) highlight(l, q string) string {
	var b strings.Builder
	low := strings.ToLower(l)
	for {
		i := strings.Index(low, q)
		if i < 0 || len(low) != len(l) { // lower-casing changed the length: no byte offsets
			b.WriteString(l)
			return b.String()
		}
		b.WriteString(l[:i])
		b.WriteString(m.st.Match.Render(l[i : i+len(q)]))
		l, low = l[i+len(q):], low[i+len(q):]
	}
}

func matchCount(lv *logView) string {
	if len(lv.matches) == 0 {
		return "no match"
	}
	return itoa(lv.mi+1) + "/" + itoa(len(lv.matches))
}
