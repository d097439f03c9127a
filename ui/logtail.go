package ui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// logtail.go: the log view starts at the end of the log (jenkins.TailLog),
// so a log of hundreds of MB shows its last screen after one small read,
// and a stage's log opens from wfapi or at the stage's start.

// tailWindow is how much of the end of a log the view reads first.
const tailWindow = 1 << 20

// logTailMsg is the end of a log.
type logTailMsg struct {
	gen  uint64
	tail jenkins.LogTail
	err  error
}

// stageLogMsg is a stage's log from wfapi.
type stageLogMsg struct {
	gen uint64
	log jenkins.StageLog
	err error
}

// tailOffset in a fetchLogMsg asks for the end of the log.
const tailOffset = -1

func tailLogCmd(ctx context.Context, api jenkins.API, in config.Integration, number int, gen uint64) tea.Cmd {
	return func() tea.Msg {
		// the end of an old Jenkins's log can take a few probes
		c, cancel := context.WithTimeout(ctx, 4*timeoutOf(in))
		defer cancel()
		t, err := api.TailLog(c, in.Job, number, tailWindow)
		return logTailMsg{gen: gen, tail: t, err: err}
	}
}

func stageLogCmd(ctx context.Context, api jenkins.API, in config.Integration, number int, stageID string, gen uint64) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, 2*timeoutOf(in))
		defer cancel()
		l, err := api.StageLog(c, in.Job, number, stageID)
		return stageLogMsg{gen: gen, log: l, err: err}
	}
}

// onTail takes the end of the log; without it (an error that may pass, an
// answer jeeves does not understand) the log is read from its start.
func (lv logView) onTail(msg logTailMsg) (logView, tea.Cmd) {
	if msg.err != nil {
		if jenkins.IsNotFound(msg.err) || jenkins.IsAuth(msg.err) {
			return lv.onChunk(logChunkMsg{gen: lv.gen, err: msg.err})
		}
		lv.err = ""
		return lv, emit(fetchLogMsg{nick: lv.nick, num: lv.num, offset: 0, gen: lv.gen})
	}
	lv.buf.skipped = msg.tail.From
	return lv.onChunk(logChunkMsg{gen: lv.gen, chunk: jenkins.LogChunk{Text: msg.tail.Text, NextOffset: msg.tail.NextOffset, More: msg.tail.More}})
}

// onStageLog shows a stage's log when wfapi has all of it; else the whole
// log, at the stage's start.
func (lv logView) onStageLog(msg stageLogMsg) (logView, tea.Cmd) {
	switch {
	case msg.err == nil && msg.log.Steps > 0 && !msg.log.Cut:
		lv.loading, lv.more, lv.stageOnly = false, false, true
		lv.buf.write(msg.log.Text)
		lv.buf.end()
		lv.top = 0
		lv.follow = false
		return lv, nil
	case msg.err == nil && msg.log.Cut:
		lv.stageNote = "the stage's log is longer than wfapi returns: the whole log, at the stage's start"
	case msg.err == nil:
		lv.stageNote = "wfapi has no log for this stage: the whole log, at the stage's start"
	default:
		lv.stageNote = "no stage log from wfapi (" + clean(msg.err.Error()) + "): the whole log, at the stage's start"
	}
	return lv, emit(fetchLogMsg{nick: lv.nick, num: lv.num, offset: tailOffset, gen: lv.gen})
}

// seekStage puts the stage's first line on top once it is among the lines
// read; it says so when it cannot be.
func (lv *logView) seekStage() {
	if lv.seek == "" {
		return
	}
	want := "[Pipeline] { (" + lv.seek + ")"
	for i := range lv.buf.Len() {
		if strings.HasPrefix(ansi.Strip(lv.buf.Line(i)), want) {
			lv.follow = false
			lv.top = i
			lv.clamp()
			lv.seek = ""
			return
		}
	}
	if lv.buf.skipped > 0 || lv.buf.Dropped() > 0 {
		lv.stageNote = "the stage starts before the part of the log kept (the first " + fmtBytes(lv.buf.skipped) + " were not read)"
		lv.seek = ""
	} else if !lv.more {
		lv.stageNote = "the stage's start is not in the log"
		lv.seek = ""
	}
}

// keptNote says what of the log the view holds, when not all of it.
func (b *logBuffer) keptNote() string {
	var parts []string
	if b.skipped > 0 {
		parts = append(parts, "the first "+fmtBytes(b.skipped)+" not read")
	}
	if b.dropped > 0 {
		parts = append(parts, itoa(b.dropped)+" older lines dropped")
	}
	return strings.Join(parts, ", ")
}

func fmtBytes(n int64) string {
	switch {
	case n >= 10<<30:
		return itoa(int(n>>30)) + " GB"
	case n >= 10<<20:
		return itoa(int(n>>20)) + " MB"
	case n >= 10<<10:
		return itoa(int(n>>10)) + " KB"
	}
	return itoa(int(n)) + " bytes"
}

// --- root side ---

// openStageLogMsg: the builds table asks for the log of one stage.
type openStageLogMsg struct {
	num   int
	stage jenkins.Stage
}

// openStageLog opens the log of one stage of build num.
func (m *Model) openStageLog(num int, st jenkins.Stage) tea.Cmd {
	ig, cmd := m.showLog(num)
	if ig == nil {
		return cmd
	}
	m.log.stage, m.log.seek = st.Name, st.Name
	if st.Status == "IN_PROGRESS" || st.Status == "PAUSED_PENDING_INPUT" {
		// still writing: the whole log follows it
		return tailLogCmd(m.deps.Ctx, ig.api, ig.cfg, num, m.gen)
	}
	return stageLogCmd(m.deps.Ctx, ig.api, ig.cfg, num, st.ID, m.gen)
}
