package ui

import (
	"strconv"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/watch"
)

// stages.go: pipeline stages in the expanded build and the running build's
// current stage in the table. The engine (package watch) asks for them
// (wfapi/describe, one small request): a running build's with each poll of
// the integration on screen, a finished build's once it is expanded (from
// the store once it has them); the dashboard reads them from the snapshot.

// BuildStages are a build's pipeline stages.
type BuildStages = watch.Stages

// StageStore is what a Store may offer for stages: a finished build's from
// the store, else from Jenkins and then stored (cmd/jeeves's store does).
// Without it the engine asks Jenkins each time it needs them.
type StageStore = watch.StageStore

// stagesOf is what is known of build n's stages.
func (ig *jobData) stagesOf(n int) (BuildStages, bool) {
	e, ok := ig.stages[n]
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
	case !ok:
		return // asked for; the results' note says the build is loading
	case e.None:
		t.rows = append(t.rows, row{kind: rowNote, num: n, ri: ri, depth: 1, key: buildKey(n) + "/stages", note: "no pipeline stages: " + clean(e.Why)})
		return
	case len(e.List) == 0 && e.Err != "":
		t.rows = append(t.rows, row{kind: rowNote, num: n, ri: ri, depth: 1, key: buildKey(n) + "/stages", note: "stages: " + clean(e.Err)})
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
