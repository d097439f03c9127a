package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// buildsTable is the builds of the selected integration: a filter bar, a
// column header and rows that expand down to assertions and violations,
// with a status filter (f, F) and a search (/). It shows the integration's
// latest snapshot from the engine (ig, read only) and acts through intents:
// openLogMsg, openRunMsg, askAbortMsg, openURLMsg, wantOlderMsg, toastMsg.
// The rows are built in table.go and drawn in tableview.go.
type buildsTable struct {
	screenCtx
	ig     *jobData  // the selected integration's; nil when there is none
	job    string    // its job's full name
	now    time.Time // the root's clock at the last message
	active bool      // the table has the focus (not the integrations panel)

	filter    int // index into filterStatuses
	search    field
	searching bool
	rows      []row
	cursor    int
	offset    int
	expanded  map[string]bool // by row key
	counts    map[jenkins.Status]int
	total     int
	deltas    map[int]cellDelta   // each build against the previous one with results (delta.go)
	marks     map[int]*buildMarks // NEW/FIXED of expanded builds whose previous build is loaded
	reveal    *revealAt           // an assertion to expand down to once its build's results are in (trends' enter)
}

// revealAt is an assertion of a build the table is to show.
type revealAt struct {
	num int
	key insight.AssertionKey
}

// Intents of the builds table.
type (
	openLogMsg       struct{ num int }     // the console log of build num
	openRunMsg       struct{ rerunOf int } // the run form; rerunOf 0 for a plain run
	askAbortMsg      struct{ num int }     // confirm, then abort, build num
	openURLMsg       struct{ url string }  // open the build's page in a browser
	wantOlderMsg     struct{}              // the cursor reached the last row: older builds, please
	expandedBuildMsg struct{}              // a build opened: its results load (spinner)
)

func newBuildsTable(c screenCtx) buildsTable {
	return buildsTable{screenCtx: c, active: true, expanded: map[string]bool{}, counts: map[jenkins.Status]int{}}
}

// the names the row code (table.go, tableview.go) reads
func (t buildsTable) cur() *jobData       { return t.ig }
func (t buildsTable) mainWidth() int      { return t.width }
func (t buildsTable) searchQuery() string { return t.search.value }
func (t buildsTable) Typing() bool        { return t.searching }
func (t buildsTable) Title() string       { return "" } // the root's header names the integration

// tableHeight is the number of rows on screen: the body less the filter
// bar and the column header.
func (t buildsTable) tableHeight() int { return max(0, t.height-2) }

func (t *buildsTable) SetSize(w, h int) {
	t.screenCtx.SetSize(w, h)
	t.clampScroll()
}

// show puts integration ig's latest snapshot on screen.
func (t *buildsTable) show(ig *integ) {
	t.ig, t.job = nil, ""
	if ig != nil {
		t.ig, t.job = &ig.jobData, ig.cfg.Job
	}
	t.rebuild()
}

// switchTo shows another integration from its top, nothing expanded
// (expansion keys are build numbers: not another job's).
func (t *buildsTable) switchTo(ig *integ) {
	t.cursor, t.offset, t.reveal = 0, 0, nil
	clear(t.expanded)
	t.show(ig)
}

func (t buildsTable) Update(msg tea.Msg) (buildsTable, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if t.searching {
			t.search.update(msg, t.ik)
			t.rebuild()
		}
	case tea.KeyPressMsg:
		if t.searching {
			return t.onSearchKey(msg)
		}
		return t.onKey(msg)
	}
	return t, nil
}

func (t buildsTable) onSearchKey(msg tea.KeyPressMsg) (buildsTable, tea.Cmd) {
	switch {
	case key.Matches(msg, t.keys.Esc):
		t.searching = false
		t.search.value = ""
		t.rebuild()
	case key.Matches(msg, t.keys.Submit):
		t.searching = false
		t.rebuild()
	case key.Matches(msg, t.keys.Up, t.keys.Down) && msg.Text == "":
		t.searching = false
		return t.onKey(msg)
	default:
		if t.search.update(msg, t.ik) {
			t.cursor = 0
			t.rebuild()
		}
	}
	return t, nil
}

func (t buildsTable) onKey(msg tea.KeyPressMsg) (buildsTable, tea.Cmd) {
	k := t.keys
	page := max(1, t.tableHeight()-1)
	switch {
	case key.Matches(msg, k.Up):
		t.moveCursor(-1)
	case key.Matches(msg, k.Down):
		t.moveCursor(1)
	case key.Matches(msg, k.PageUp):
		t.moveCursor(-page)
	case key.Matches(msg, k.PageDown):
		t.moveCursor(page)
	case key.Matches(msg, k.Top):
		t.moveCursor(-len(t.rows))
	case key.Matches(msg, k.Bottom):
		t.moveCursor(len(t.rows))
	case key.Matches(msg, k.Expand):
		return t.expand()
	case key.Matches(msg, k.Collapse):
		t.collapse()
		return t, nil
	case key.Matches(msg, k.Esc):
		if t.search.value != "" {
			t.search.value = ""
			t.rebuild()
		}
		return t, nil
	case key.Matches(msg, k.Filter):
		// the next status that has builds: the bar hides the empty ones, so
		// stopping on one would show an empty list for a status not on the bar
		for i := 1; i <= len(filterStatuses); i++ {
			n := (t.filter + i) % len(filterStatuses)
			if n == 0 || t.counts[filterStatuses[n]] > 0 {
				t.filter = n
				break
			}
		}
		t.rebuild()
	case key.Matches(msg, k.FilterReset):
		t.filter = 0
		t.rebuild()
	case key.Matches(msg, k.Search):
		t.searching = true
		return t, nil
	case t.onQueueRow() && key.Matches(msg, k.Log, k.Rerun, k.Open, k.Copy):
		// these act on a build, and a queued item is not one yet
		return t, emit(toastMsg{text: "still queued: no build yet, so no log, page or parameters", isErr: true})
	case key.Matches(msg, k.Log):
		if st, ok := t.selectedStage(); ok {
			return t, emit(openStageLogMsg{num: t.rows[t.cursor].num, stage: st})
		}
		if r := t.selectedRecord(); r != nil {
			return t, emit(openLogMsg{num: r.Number})
		}
		return t, nil
	case key.Matches(msg, k.Trends):
		return t, emit(openTrendsMsg{})
	case key.Matches(msg, k.Run):
		return t, emit(openRunMsg{})
	case key.Matches(msg, k.Rerun):
		if r := t.selectedRecord(); r != nil {
			return t, emit(openRunMsg{rerunOf: r.Number})
		}
		return t, nil
	case key.Matches(msg, k.Abort):
		r := t.selectedRecord()
		if r == nil || !r.Building {
			return t, emit(toastMsg{text: "select a running build to abort", isErr: true})
		}
		return t, emit(askAbortMsg{num: r.Number})
	case key.Matches(msg, k.Open):
		if u := t.selectedURL(); u != "" {
			return t, emit(openURLMsg{url: u})
		}
		return t, nil
	case key.Matches(msg, k.Copy):
		u := t.selectedURL()
		if u == "" {
			return t, nil
		}
		return t, tea.Batch(tea.SetClipboard(u), emit(toastMsg{text: "copied " + u}))
	default:
		return t, nil
	}
	if t.ig != nil && len(t.rows) > 0 && t.cursor == len(t.rows)-1 {
		return t, emit(wantOlderMsg{}) // like gh-dash's next page
	}
	return t, nil
}

func (t *buildsTable) moveCursor(d int) {
	t.cursor = max(0, min(len(t.rows)-1, t.cursor+d))
	t.clampScroll()
}

// clampScroll keeps the cursor inside the visible window.
func (t *buildsTable) clampScroll() {
	h := t.tableHeight()
	if t.cursor >= len(t.rows) {
		t.cursor = max(0, len(t.rows)-1)
	}
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if h > 0 && t.cursor >= t.offset+h {
		t.offset = t.cursor - h + 1
	}
	if t.offset > max(0, len(t.rows)-h) {
		t.offset = max(0, len(t.rows)-h)
	}
	if t.offset < 0 {
		t.offset = 0
	}
}

func (t buildsTable) expand() (buildsTable, tea.Cmd) {
	if t.cursor >= len(t.rows) {
		return t, nil
	}
	r := t.rows[t.cursor]
	if !t.expandable(r) {
		return t, nil
	}
	if t.expanded[r.key] {
		if r.kind == rowBuild || r.kind == rowExecution || r.kind == rowCollection || r.kind == rowGovernance {
			delete(t.expanded, r.key) // enter toggles
			t.rebuild()
		}
		return t, nil
	}
	t.expanded[r.key] = true
	t.rebuild()
	// an expanded build's results are loaded whole by the engine
	return t, emit(expandedBuildMsg{})
}

func (t *buildsTable) collapse() {
	if t.cursor >= len(t.rows) {
		return
	}
	r := t.rows[t.cursor]
	if t.expanded[r.key] {
		delete(t.expanded, r.key)
		t.rebuild()
		return
	}
	if p := t.parentRow(t.cursor); p >= 0 {
		t.cursor = p
		delete(t.expanded, t.rows[p].key)
		t.rebuild()
	}
}

// onQueueRow reports whether the cursor is on a queued item.
func (t buildsTable) onQueueRow() bool {
	return t.ig != nil && t.cursor < len(t.rows) && t.rows[t.cursor].kind == rowQueue
}

// selectedRecord is the build under the cursor (or the build a detail line belongs to).
func (t buildsTable) selectedRecord() *BuildRecord {
	if t.ig == nil || t.cursor >= len(t.rows) {
		return nil
	}
	r := t.rows[t.cursor]
	if r.kind == rowQueue {
		return nil
	}
	return t.ig.rowRecord(r)
}

// selectedURL is the URL of the selected build.
func (t buildsTable) selectedURL() string {
	if r := t.selectedRecord(); r != nil {
		return r.URL
	}
	return ""
}

// selectBuild moves the cursor to build n; false when it is not listed.
func (t *buildsTable) selectBuild(n int) bool {
	for i := range t.rows {
		if t.rows[i].kind == rowBuild && t.rows[i].num == n {
			t.cursor = i
			t.clampScroll()
			return true
		}
	}
	return false
}

// showNewBuild makes a build just started visible: no search, and a
// status filter only when it is "running".
func (t *buildsTable) showNewBuild() {
	if t.filter != 0 && filterStatuses[t.filter] != jenkins.StatusRunning {
		t.filter = 0
	}
	t.search.value = ""
}

// onScreenBuilds lists the builds of rows on screen.
func (t buildsTable) onScreenBuilds() []*BuildRecord {
	if t.ig == nil {
		return nil
	}
	var out []*BuildRecord
	end := min(len(t.rows), t.offset+t.tableHeight())
	for i := t.offset; i < end; i++ {
		if t.rows[i].kind == rowBuild {
			if r := t.ig.rowRecord(t.rows[i]); r != nil {
				out = append(out, r)
			}
		}
	}
	return out
}

// expandedBuilds are the numbers of the expanded builds.
func (t buildsTable) expandedBuilds() []int {
	var ex []int
	for k, open := range t.expanded {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "b")); open && err == nil && strings.HasPrefix(k, "b") {
			ex = append(ex, n)
		}
	}
	return ex
}

// atEnd reports whether the cursor is on the last row.
func (t buildsTable) atEnd() bool { return len(t.rows) > 0 && t.cursor >= len(t.rows)-1 }

// View is the filter bar, the column header and the rows on screen.
func (t buildsTable) View() string { return strings.Join(t.viewLines(), "\n") }

// viewLines is View as lines: the root lays them beside the integrations
// panel without joining and splitting 10 KB a key press.
func (t buildsTable) viewLines() []string {
	lines := make([]string, 0, t.height)
	lines = append(append(lines, t.filterBar(), t.tableHeader()), t.tableRows()...)
	return t.body(lines)
}

// Footer is the full text of the selected line: the build's absolute
// start, cause and parameters, or a detail line unclipped.
func (t buildsTable) Footer() string {
	ig := t.ig
	if ig == nil || t.cursor >= len(t.rows) || !t.active {
		return ""
	}
	r := t.rows[t.cursor]
	switch r.kind {
	case rowQueue:
		q := &ig.queue[r.num]
		return t.st.Subtle.Render(fmt.Sprintf("queue item %d since %s: %s", q.ID, q.InQueueSince.Format("2006-01-02 15:04:05"), clean(q.Why)))
	case rowBuild:
		rec := ig.rowRecord(r)
		if rec == nil {
			return ""
		}
		parts := []string{"#" + itoa(rec.Number)}
		if !rec.Started.IsZero() {
			parts = append(parts, "started "+rec.Started.Local().Format("2006-01-02 15:04:05"))
		}
		for _, c := range rec.Causes {
			parts = append(parts, clean(c.Description))
		}
		if p := fmtParams(rec.Params); p != "" {
			parts = append(parts, p)
		}
		if rec.ResultsState != ResultsOK && rec.ResultsWhy != "" && !rec.Building {
			parts = append(parts, "results: "+rec.ResultsWhy)
		}
		return t.st.Subtle.Render(strings.Join(parts, " · "))
	}
	return t.st.Subtle.Render(strings.TrimSpace(t.detailText(ig, r)))
}

// ShortHelp: the table's own keys; the root adds its global ones.
func (t buildsTable) ShortHelp() []key.Binding {
	k := t.keys
	if t.searching {
		return []key.Binding{k.Submit, k.Esc}
	}
	// only keys that act on the selected row: c needs a build (a queued item
	// has no log yet), x a running one. The bar drops hints from its end, so
	// on a running build x abort comes before t trend: at 80 columns the
	// trends give way, not the abort
	hints := []key.Binding{k.Expand, k.Filter, k.Search}
	r := t.selectedRecord()
	if r != nil && !t.onQueueRow() {
		hints = append(hints, k.Log)
	}
	hints = append(hints, k.Run)
	if r != nil && r.Building {
		hints = append(hints, k.Abort)
	}
	return append(hints, k.Trends)
}

func (t buildsTable) FullHelp() [][]key.Binding {
	k := t.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Tab},
		{k.Expand, k.Collapse, k.Filter, k.FilterReset, k.Search, k.Esc},
		{k.Log, k.Run, k.Rerun, k.Abort, k.Open, k.Copy, k.Trends, k.Refresh},
	}
}

// showAssertion selects build num, expands it and, once its results are in
// (now or with a later snapshot), expands down to assertion key and selects
// it. False when the build is not listed.
func (t *buildsTable) showAssertion(num int, key insight.AssertionKey) bool {
	t.filter, t.search.value, t.searching = 0, "", false
	t.rebuild()
	if !t.selectBuild(num) {
		return false
	}
	t.expanded[buildKey(num)] = true
	t.reveal = &revealAt{num: num, key: key}
	t.rebuild()
	return true
}

// applyReveal expands down to the assertion to reveal when its build's
// results are there (rebuild calls it).
func (t *buildsTable) applyReveal() {
	p := t.reveal
	if p == nil || t.ig == nil {
		return
	}
	res, ok := t.ig.results[p.num]
	if !ok {
		return // not loaded yet: a later snapshot brings them
	}
	t.reveal = nil
	for ci, c := range res.Collections {
		if c.Name != p.key.Collection {
			continue
		}
		for ei, e := range c.Executions {
			if e.Folder != p.key.Folder || e.Name != p.key.Request || e.Iteration != p.key.Iteration && p.key.Iteration != 0 {
				continue
			}
			for ai, a := range e.Assertions {
				if a.Name != p.key.Assertion {
					continue
				}
				t.expanded[collKey(p.num, ci)] = true
				t.expanded[execKey(p.num, ci, ei)] = true
				t.rebuild()
				want := fmt.Sprintf("%s/a%d", execKey(p.num, ci, ei), ai)
				for i := range t.rows {
					if t.rows[i].key == want {
						t.cursor = i
						// the build's line stays in view above it when it fits
						t.offset = max(0, min(t.offset, i-1))
						t.clampScroll()
						return
					}
				}
				return
			}
		}
	}
}
