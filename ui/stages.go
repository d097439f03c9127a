package ui

import (
	"context"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// stages.go: pipeline stages in the expanded build and the running build's
// current stage in the table, from wfapi/describe (one small request). A
// finished build's stages come from the store once it has them.

// BuildStages are a build's pipeline stages.
type BuildStages struct {
	List  []jenkins.Stage
	None  bool   // Jenkins has none for the build: Why says why
	Why   string //
	Final bool   // the build had finished: they will not change
}

// StageStore is what a Store may offer for stages: a finished build's from
// the store, else from Jenkins and then stored (cmd/jeeves's store does).
// Without it the dashboard asks Jenkins each time it needs them.
type StageStore interface {
	FetchStages(ctx context.Context, api jenkins.API, in config.Integration, b jenkins.Build) (BuildStages, error)
}

// whyNoStages is what a 404 from wfapi means, when the store does not say.
const whyNoStages = "not a Pipeline, or no Pipeline Stage View plugin (wfapi)"

// stageEvery is how often a running build's stages are asked for.
const stageEvery = 10 * time.Second

// maxRunningStages bounds the running builds whose stages are followed.
const maxRunningStages = 3

// stageCache is one integration's stages.
type stageCache struct {
	byNum    map[int]stageEntry
	inFlight map[int]bool
	// none: a running build had no stages (404): the job has none here, so
	// running builds are not asked again.
	none bool
}

type stageEntry struct {
	BuildStages
	at  time.Time
	err string
}

type stagesMsg struct {
	nick string
	num  int
	st   BuildStages
	err  error
	at   time.Time
}

func (ig *jobData) stageCache() *stageCache {
	if ig.stages == nil {
		ig.stages = &stageCache{byNum: map[int]stageEntry{}, inFlight: map[int]bool{}}
	}
	return ig.stages
}

// wantStages asks for the stages the table shows: expanded builds' (once,
// when finished) and running builds' (every stageEvery).
func (m *Model) wantStages() tea.Cmd {
	ig := m.cur()
	if ig == nil || ig.api == nil {
		return nil
	}
	sc := ig.stageCache()
	var cmds []tea.Cmd
	running := 0
	for i := range ig.records {
		r := &ig.records[i]
		e, have := sc.byNum[r.Number]
		want := false
		switch {
		case sc.inFlight[r.Number]:
		case r.Building && running < maxRunningStages && !sc.none:
			running++
			want = !have || m.now.Sub(e.at) >= stageEvery
		case r.Building:
		case m.table.expanded[buildKey(r.Number)]:
			// finished: asked until an answer (not an error) is final
			want = !have || (!e.Final && (e.err == "" || m.now.Sub(e.at) >= stageEvery))
		}
		if want {
			sc.inFlight[r.Number] = true
			cmds = append(cmds, stagesCmd(m.deps.Ctx, m.deps.Store, ig.api, ig.cfg, r.Build, m.now))
		}
	}
	return tea.Batch(cmds...)
}

func stagesCmd(ctx context.Context, st Store, api jenkins.API, in config.Integration, b jenkins.Build, at time.Time) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, timeoutOf(in))
		defer cancel()
		msg := stagesMsg{nick: in.Nickname, num: b.Number, at: at}
		if ss, ok := st.(StageStore); ok {
			msg.st, msg.err = ss.FetchStages(c, api, in, b)
			return msg
		}
		list, err := api.Stages(c, in.Job, b.Number)
		switch {
		case jenkins.IsNotFound(err):
			msg.st = BuildStages{None: true, Why: whyNoStages, Final: !b.Building}
		case err != nil:
			msg.err = err
		default:
			msg.st = BuildStages{List: list, Final: !b.Building}
		}
		return msg
	}
}

func (m *Model) onStages(msg stagesMsg) tea.Cmd {
	ig := m.find(msg.nick)
	if ig == nil {
		return nil
	}
	sc := ig.stageCache()
	delete(sc.inFlight, msg.num)
	e := stageEntry{BuildStages: msg.st, at: msg.at}
	if msg.err != nil {
		e = sc.byNum[msg.num] // keep what was known
		e.at, e.err = msg.at, clean(msg.err.Error())
	}
	sc.byNum[msg.num] = e
	if _, r := ig.record(msg.num); r != nil && r.Building && msg.err == nil && msg.st.None {
		sc.none = true
	}
	if ig == m.cur() {
		m.rebuild()
	}
	return nil
}

// stagesOf is what is known of build n's stages.
func (ig *jobData) stagesOf(n int) (stageEntry, bool) {
	if ig.stages == nil {
		return stageEntry{}, false
	}
	e, ok := ig.stages.byNum[n]
	return e, ok
}

// currentStage is the running build's stage now running, for the table.
func (ig *jobData) currentStage(r *BuildRecord) string {
	e, ok := ig.stagesOf(r.Number)
	if !ok || !r.Building {
		return ""
	}
	for i := len(e.List) - 1; i >= 0; i-- {
		switch e.List[i].Status {
		case "IN_PROGRESS", "PAUSED_PENDING_INPUT":
			return e.List[i].Name
		}
	}
	return ""
}

func stageKey(num, si int) string { return buildKey(num) + "/s" + strconv.Itoa(si) }

// appendStages adds the stage lines of an expanded build, after its results.
func (t *buildsTable) appendStages(ig *jobData, r *BuildRecord, ri int) {
	n := r.Number
	e, ok := ig.stagesOf(n)
	switch {
	case !ok && e.err == "":
		return // asked for; the results' note says the build is loading
	case e.None:
		t.rows = append(t.rows, row{kind: rowNote, num: n, ri: ri, depth: 1, key: buildKey(n) + "/stages", note: "no pipeline stages: " + clean(e.Why)})
		return
	case len(e.List) == 0 && e.err != "":
		t.rows = append(t.rows, row{kind: rowNote, num: n, ri: ri, depth: 1, key: buildKey(n) + "/stages", note: "stages: " + e.err})
		return
	}
	for si := range e.List {
		t.rows = append(t.rows, row{kind: rowStage, num: n, ri: ri, ci: si, depth: 1, key: stageKey(n, si)})
	}
}

// wfapi's stage statuses as the dashboard's.
func stageStatus(s string) (jenkins.Status, string) {
	switch s {
	case "SUCCESS":
		return jenkins.StatusSuccess, "success"
	case "FAILED":
		return jenkins.StatusFailure, "failed"
	case "UNSTABLE":
		return jenkins.StatusUnstable, "unstable"
	case "ABORTED":
		return jenkins.StatusAborted, "aborted"
	case "NOT_EXECUTED":
		return jenkins.StatusNotBuilt, "skipped"
	case "IN_PROGRESS":
		return jenkins.StatusRunning, "running"
	case "PAUSED_PENDING_INPUT":
		return jenkins.StatusQueued, "waiting"
	}
	return jenkins.StatusUnknown, "unknown"
}

// stageText is a stage line: glyph and word, name, duration (elapsed while
// it runs).
func (t buildsTable) stageText(ig *jobData, r row) string {
	e, _ := ig.stagesOf(r.num)
	if r.ci >= len(e.List) {
		return ""
	}
	s := e.List[r.ci]
	st, word := stageStatus(s.Status)
	dur := fmtDur(s.Duration)
	switch {
	case st == jenkins.StatusRunning && !s.Started.IsZero():
		dur = fmtDur(t.now.Sub(s.Started)) + " so far"
	case st == jenkins.StatusNotBuilt:
		dur = ""
	}
	return statusGlyph(st) + " " + cell(word, 8) + " " + cell(clean(s.Name), 24) + " " + dur
}

func (t buildsTable) styleStage(ig *jobData, r row, s string) string {
	e, _ := ig.stagesOf(r.num)
	if r.ci >= len(e.List) {
		return s
	}
	st, _ := stageStatus(e.List[r.ci].Status)
	return t.st.status(st).Render(s)
}

// selectedStage is the stage under the cursor, if the cursor is on one.
func (t buildsTable) selectedStage() (jenkins.Stage, bool) {
	if t.ig == nil || t.cursor >= len(t.rows) || t.rows[t.cursor].kind != rowStage {
		return jenkins.Stage{}, false
	}
	r := t.rows[t.cursor]
	e, _ := t.ig.stagesOf(r.num)
	if r.ci >= len(e.List) {
		return jenkins.Stage{}, false
	}
	return e.List[r.ci], true
}
