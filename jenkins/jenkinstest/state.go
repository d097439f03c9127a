package jenkinstest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// item is a folder, job, multibranch project or branch job.
type item struct {
	name       string // the item name as Jenkins keeps it (branch names already %2F-encoded)
	parent     *item  // nil for top-level items
	kind       string // folder, freestyle, pipeline, multibranch
	def        *JobDef
	display    string
	children   []*item
	builds     []*build // ascending by number
	nextNumber int
	branch     bool // a multibranch project's branch job
}

func (it *item) fullName() string {
	if it.parent == nil {
		return it.name
	}
	return it.parent.fullName() + "/" + it.name
}

func (it *item) fullDisplayName() string {
	if it.parent == nil {
		return it.displayName()
	}
	return it.parent.fullDisplayName() + " » " + it.displayName()
}

func (it *item) displayName() string {
	if it.display != "" {
		return it.display
	}
	if it.branch {
		if n, err := url.PathUnescape(it.name); err == nil {
			return n
		}
	}
	return it.name
}

// path is the item's URL path below the root, e.g. "job/a/job/b/".
func (it *item) path() string {
	p := "job/" + url.PathEscape(it.name) + "/"
	if it.parent != nil {
		return it.parent.path() + p
	}
	return p
}

func (it *item) buildable() bool {
	return (it.kind == "freestyle" || it.kind == "pipeline") && !it.def.Disabled
}

func (it *item) isJob() bool { return it.kind == "freestyle" || it.kind == "pipeline" }

func (it *item) child(name string) *item {
	for _, c := range it.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (it *item) build(n int) *build {
	i := sort.Search(len(it.builds), func(i int) bool { return it.builds[i].number >= n })
	if i < len(it.builds) && it.builds[i].number == n {
		return it.builds[i]
	}
	return nil
}

// encodeBranch encodes a branch name as branch-api's NameEncoder does.
func encodeBranch(s string) string {
	if s == "" {
		return "%00"
	}
	if s == "." {
		return "%2E"
	}
	if s == ".." {
		return "%2E%2E"
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '%':
			b.WriteString("%25")
		case '/':
			b.WriteString("%2F")
		case '#':
			b.WriteString("%23")
		case '?':
			b.WriteString("%3F")
		case '[':
			b.WriteString("%5B")
		case ']':
			b.WriteString("%5D")
		case '\\':
			b.WriteString("%5C")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

type cause struct {
	class, short, userID, userName string
}

type paramValue struct {
	name, typ, value string
}

type logLine struct {
	at   time.Duration
	text string
}

// build is one run of a job.
type build struct {
	job       *item
	number    int
	queueID   int64
	start     time.Time
	dur       time.Duration // planned duration
	abortedAt time.Time     // set by stop
	abortedBy string
	outcome   string // final result when not aborted
	causes    []cause
	params    []paramValue
	log       []logLine
	stages    []stagePlan
	srv       *Server      // plans the log and stages on first use
	series    *seriesBuild // this build's own reports (History.Series); nil: Pass/Fail
	planned   bool
	// A job with log_bytes gets generated filler lines after log line
	// fillAt, spread over [fillFrom, fillTo): a huge log that is never held
	// in memory (see storedLog).
	fillAt           int
	fillLines        int64
	fillFrom, fillTo time.Duration
}

// plan makes the build's console log and stage plan, once, when first
// needed: a world with thousands of builds costs nothing until read.
func (b *build) plan() {
	if !b.planned {
		b.planned = true
		b.srv.planLog(b)
	}
}

type stagePlan struct {
	name     string
	from, to time.Duration // offsets into the build
}

func (b *build) end() time.Time {
	if !b.abortedAt.IsZero() {
		return b.abortedAt
	}
	return b.start.Add(b.dur)
}

func (b *build) building(now time.Time) bool { return now.Before(b.end()) }

// result is the exported result: null while running, except that an
// unstable pipeline already says UNSTABLE once its tests are done (as
// currentBuild.result does).
func (b *build) result(now time.Time) any {
	if b.building(now) {
		if b.outcome == "UNSTABLE" && b.job.kind == "pipeline" && now.Sub(b.start) > b.dur*8/10 {
			return "UNSTABLE"
		}
		return nil
	}
	if !b.abortedAt.IsZero() {
		return "ABORTED"
	}
	return b.outcome
}

func (b *build) finalResult(now time.Time) string {
	if r, ok := b.result(now).(string); ok && !b.building(now) {
		return r
	}
	return ""
}

// hasReports tells whether the build archived its reports.
func (b *build) hasReports(now time.Time) bool {
	r := b.finalResult(now)
	return r == "SUCCESS" || r == "UNSTABLE" || r == "FAILURE"
}

func (b *build) passed() bool { return b.outcome == "SUCCESS" }

var consoleNote = regexp.MustCompile("\x1b\\[8mha:[^\x1b]*\x1b\\[0m")

// rawLog is the log as Jenkins stores it (with hidden console notes) at time
// now, and whether it is complete. A generated huge log is not held whole:
// use logAt.
func (b *build) rawLog(now time.Time) (string, bool) {
	lg := b.logAt(now)
	if lg.filler > 0 {
		panic("jenkinstest: rawLog of a generated log")
	}
	return lg.head + lg.tail, lg.complete
}

// newRand is a deterministic generator for one purpose of one object.
func newRand(seed int64, parts ...any) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprint(h, seed)
	for _, p := range parts {
		fmt.Fprint(h, "|", p)
	}
	return rand.New(rand.NewPCG(h.Sum64(), uint64(seed)))
}

func pickOutcome(r *rand.Rand, weights map[string]float64) string {
	if len(weights) == 0 {
		return "SUCCESS"
	}
	names := make([]string, 0, len(weights))
	total := 0.0
	for k, v := range weights {
		names = append(names, k)
		total += v
	}
	sort.Strings(names)
	if total <= 0 {
		return "SUCCESS"
	}
	x := r.Float64() * total
	for _, n := range names {
		x -= weights[n]
		if x < 0 {
			return n
		}
	}
	return names[len(names)-1]
}

func randDuration(r *rand.Rand, rng [2]Duration, def [2]time.Duration) time.Duration {
	lo, hi := rng[0].D(), rng[1].D()
	if lo <= 0 && hi <= 0 {
		lo, hi = def[0], def[1]
	}
	if hi < lo {
		hi = lo
	}
	if hi == lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

var defaultStages = []string{"Checkout", "Install tools", "API tests", "API lint", "Publish reports"}

// planLog writes the console log and stage plan of a build.
func (s *Server) planLog(b *build) {
	it := b.job
	r := newRand(s.world.Seed, "log", it.fullName(), b.number)
	var lines []logLine
	add := func(at time.Duration, text string) { lines = append(lines, logLine{at, text}) }
	c := b.causes[0]
	// Jenkins hides a serialized console note before the cause line.
	add(0, "\x1b[8mha:////4"+fmt.Sprintf("%016x", r.Uint64())+"AAAA=\x1b[0m"+c.short)
	ws := "/var/jenkins_home/workspace/" + strings.ReplaceAll(it.fullName(), "/", "_")
	d := b.dur
	if it.kind == "freestyle" {
		add(d/50, "Running as SYSTEM")
		add(d/40, "Building in workspace "+ws)
		add(d/20, "[api-tests] $ /bin/sh -xe /tmp/jenkins"+fmt.Sprint(r.IntN(1e9))+".sh")
		s.testLines(b, &lines, d/10, d*8/10)
		add(d*85/100, "Archiving artifacts")
		add(d*9/10, "Recording test results")
		add(d, "Finished: "+b.outcome)
		b.log = lines
		return
	}
	stages := it.def.Stages
	if len(stages) == 0 {
		stages = defaultStages
	}
	add(d/100, "[Pipeline] Start of Pipeline")
	add(d/80, "[Pipeline] node")
	add(d/60, "Running on Jenkins in "+ws)
	add(d/50, "[Pipeline] {")
	// Stage k runs over [from, to); the test stage gets the most time.
	weights := make([]float64, len(stages))
	total := 0.0
	for i, st := range stages {
		weights[i] = 1
		if strings.Contains(strings.ToLower(st), "test") {
			weights[i] = 4
		}
		total += weights[i]
	}
	span := d * 9 / 10
	at := d / 20
	failedStage := -1
	if b.outcome == "FAILURE" {
		for i, st := range stages {
			if strings.Contains(strings.ToLower(st), "test") {
				failedStage = i
			}
		}
		if failedStage < 0 {
			failedStage = len(stages) - 1
		}
	}
	for i, st := range stages {
		length := time.Duration(float64(span) * weights[i] / total)
		from, to := at, at+length
		b.stages = append(b.stages, stagePlan{name: st, from: from, to: to})
		add(from, "[Pipeline] stage")
		add(from+length/50, "[Pipeline] { ("+st+")")
		lower := strings.ToLower(st)
		switch {
		case failedStage >= 0 && i > failedStage:
			add(from+length/20, "Stage \""+st+"\" skipped due to earlier failure(s)")
		case strings.Contains(lower, "checkout"):
			add(from+length/5, "The recommended git tool is: NONE")
			add(from+length/3, "Cloning repository https://git.example.com/api/"+strings.ReplaceAll(it.fullName(), "/", "-")+".git")
			add(from+length*2/3, fmt.Sprintf("Checking out Revision %040x (origin/main)", r.Uint64()))
		case strings.Contains(lower, "install"):
			add(from+length/5, "+ npm ci")
			add(from+length*3/4, fmt.Sprintf("added %d packages in %ds", 150+r.IntN(200), 3+r.IntN(20)))
		case strings.Contains(lower, "test"):
			s.testLines(b, &lines, from+length/20, to-length/20)
		case strings.Contains(lower, "lint"):
			add(from+length/5, "+ npx spectral lint openapi.yaml --ruleset .spectral.yaml -f json -o reports/spectral.json -f sarif -o reports/spectral.sarif")
			add(from+length*3/4, "Spectral finished; results written to reports/")
		case strings.Contains(lower, "publish"):
			add(from+length/5, "[Pipeline] archiveArtifacts")
			add(from+length/3, "Archiving artifacts")
			add(from+length/2, "[Pipeline] junit")
			add(from+length*2/3, "Recording test results")
		}
		add(to-length/50, "[Pipeline] }")
		add(to, "[Pipeline] // stage")
		at = to
	}
	add(d*96/100, "[Pipeline] }")
	add(d*97/100, "[Pipeline] // node")
	add(d*98/100, "[Pipeline] End of Pipeline")
	if b.outcome == "FAILURE" {
		add(d*99/100, "ERROR: script returned exit code 1")
	}
	add(d, "Finished: "+b.outcome)
	b.log = lines
}

// testLines adds the test tool's console output, spread over [from, to).
func (s *Server) testLines(b *build, lines *[]logLine, from, to time.Duration) {
	src := b.job.def.ConsolePass
	if !b.passed() && b.job.def.ConsoleFail != "" {
		src = b.job.def.ConsoleFail
	}
	if b.series != nil && b.series.Console != "" {
		src = b.series.Console
	}
	*lines = append(*lines, logLine{from, "+ newman run collection.json -e environment.json -r cli,json,junit --reporter-json-export reports/newman.json --reporter-junit-export reports/newman.xml"})
	if n := b.job.def.LogBytes / fillerWidth; n > 0 {
		b.fillAt, b.fillLines, b.fillFrom, b.fillTo = len(*lines), n, from, to
	}
	var text []string
	if src != "" {
		if data, err := s.source(src); err == nil {
			text = strings.Split(strings.TrimRight(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"), "\n")
		}
	}
	if len(text) == 0 {
		text = []string{"running API tests", "done"}
	}
	for i, t := range text {
		at := from + (to-from)*time.Duration(i+1)/time.Duration(len(text)+1)
		*lines = append(*lines, logLine{at, t})
	}
}

// stageStatus is the wfapi status of a stage at time now.
func (b *build) stageStatus(i int, now time.Time) (status string, started bool) {
	b.plan()
	st := b.stages[i]
	elapsed := now.Sub(b.start)
	aborted := !b.abortedAt.IsZero() && !now.Before(b.abortedAt)
	if aborted {
		elapsed = b.abortedAt.Sub(b.start)
	}
	if elapsed < st.from {
		if aborted || !b.building(now) {
			return "NOT_EXECUTED", false
		}
		return "", false
	}
	if elapsed < st.to {
		if aborted {
			return "ABORTED", true
		}
		return "IN_PROGRESS", true
	}
	lower := strings.ToLower(st.name)
	if strings.Contains(lower, "test") {
		switch b.outcome {
		case "FAILURE":
			return "FAILED", true
		case "UNSTABLE":
			return "UNSTABLE", true
		}
	}
	if b.outcome == "FAILURE" {
		// stages after the failed one were skipped
		for j := 0; j < i; j++ {
			if strings.Contains(strings.ToLower(b.stages[j].name), "test") {
				return "NOT_EXECUTED", true
			}
		}
	}
	return "SUCCESS", true
}

// queueItem is an entry of the build queue, or one that left it.
type queueItem struct {
	id       int64
	job      *item
	params   []paramValue
	causes   []cause
	since    time.Time // entered the queue
	readyAt  time.Time // end of the quiet period
	left     time.Time // zero while queued
	cancel   bool
	build    *build
	paramKey string
}

// advance moves the simulation to now: queue items whose quiet period is
// over start as builds when the job is free and an executor is available.
// Everything is computed from timestamps, so results depend only on the
// clock. It steps from event to event (an item gets ready, a build ends).
func (s *Server) advance(now time.Time) {
	s.fireTimers(now)
	var waiting []*queueItem
	for _, q := range s.queue {
		if q.left.IsZero() {
			waiting = append(waiting, q)
		}
	}
	if len(waiting) > 0 {
		// Buildable items start in the order they entered the queue.
		sort.SliceStable(waiting, func(i, j int) bool {
			if !waiting[i].since.Equal(waiting[j].since) {
				return waiting[i].since.Before(waiting[j].since)
			}
			return waiting[i].id < waiting[j].id
		})
		t := waiting[0].readyAt
		for _, q := range waiting {
			if q.readyAt.Before(t) {
				t = q.readyAt
			}
		}
		var active []*build // builds that may still be running at t or later
		for _, b := range s.allBuilds {
			if b.end().After(t) {
				active = append(active, b)
			}
		}
		for range 1_000_000 {
			if t.After(now) || len(waiting) == 0 {
				break
			}
			var running []*build
			for _, b := range active {
				if !b.start.After(t) && b.end().After(t) {
					running = append(running, b)
				}
			}
			rest := waiting[:0]
			blocked := false
			for _, q := range waiting {
				if q.readyAt.After(t) {
					rest = append(rest, q)
					continue
				}
				busy := len(running) >= s.executors
				if !busy && !q.job.def.Concurrent {
					for _, b := range running {
						busy = busy || b.job == q.job
					}
				}
				if busy {
					blocked = true
					rest = append(rest, q)
					continue
				}
				b := s.startBuild(q, t)
				running = append(running, b)
				active = append(active, b)
			}
			waiting = rest
			next := time.Time{}
			for _, q := range waiting {
				if q.readyAt.After(t) && (next.IsZero() || q.readyAt.Before(next)) {
					next = q.readyAt
				}
			}
			if blocked {
				for _, b := range running {
					if next.IsZero() || b.end().Before(next) {
						next = b.end()
					}
				}
			}
			if next.IsZero() {
				break
			}
			t = next
		}
	}
	// Left items are kept five minutes.
	keep := s.queue[:0]
	for _, q := range s.queue {
		if q.left.IsZero() || now.Sub(q.left) < 5*time.Minute {
			keep = append(keep, q)
		}
	}
	s.queue = keep
}

func (s *Server) runningAt(t time.Time) []*build {
	var out []*build
	for _, b := range s.allBuilds {
		if !b.start.After(t) && b.end().After(t) {
			out = append(out, b)
		}
	}
	return out
}

func (s *Server) startBuild(q *queueItem, at time.Time) *build {
	it := q.job
	n := it.nextNumber
	it.nextNumber++
	r := newRand(s.world.Seed, "run", it.fullName(), n)
	def := it.def
	outcomes := def.Behaviour.Outcomes
	if len(outcomes) == 0 {
		outcomes = def.History.Outcomes
	}
	dur := randDuration(r, def.Behaviour.Duration, [2]time.Duration{20 * time.Second, 60 * time.Second})
	dur = time.Duration(float64(dur) * s.scale)
	if dur <= 0 {
		dur = time.Millisecond
	}
	b := &build{job: it, number: n, queueID: q.id, start: at, dur: dur, outcome: pickOutcome(r, outcomes), causes: q.causes, params: q.params}
	if b.outcome == "ABORTED" {
		b.outcome = "SUCCESS" // aborts come from stop requests, not from chance
	}
	b.srv = s
	it.builds = append(it.builds, b)
	s.allBuilds = append(s.allBuilds, b)
	q.left = at
	q.build = b
	return b
}

// queueState describes a queued item at time now.
func (s *Server) queueState(q *queueItem, now time.Time) (class, why string, blocked, buildable bool) {
	if !q.left.IsZero() {
		return "hudson.model.Queue$LeftItem", "", false, false
	}
	if now.Before(q.readyAt) {
		return "hudson.model.Queue$WaitingItem", fmt.Sprintf("In the quiet period. Expires in %.1f sec", q.readyAt.Sub(now).Seconds()), false, false
	}
	if !q.job.def.Concurrent {
		for _, b := range q.job.builds {
			if b.building(now) {
				return "hudson.model.Queue$BlockedItem", fmt.Sprintf("Build #%d is already in progress (ETA:%s)", b.number, timeSpan(b.end().Sub(now))), true, false
			}
		}
	}
	return "hudson.model.Queue$BuildableItem", "Waiting for next available executor", false, true
}

// populate builds the item tree and the history from the world.
func (s *Server) populate() error {
	s.root = &item{kind: "folder", def: &JobDef{}}
	for i := range s.world.Jobs {
		def := &s.world.Jobs[i]
		parts := strings.Split(def.Path, "/")
		parent := s.root
		for _, p := range parts[:len(parts)-1] {
			c := parent.child(p)
			if c == nil {
				c = &item{name: p, kind: "folder", def: &JobDef{Kind: "folder"}}
				if parent != s.root {
					c.parent = parent
				}
				parent.children = append(parent.children, c)
			}
			if c.kind != "folder" {
				return fmt.Errorf("job %q: %q is a %s, not a folder", def.Path, c.fullName(), c.kind)
			}
			parent = c
		}
		name := parts[len(parts)-1]
		if existing := parent.child(name); existing != nil {
			if existing.kind == "folder" && def.Kind == "folder" {
				existing.def, existing.display = def, def.DisplayName
				continue
			}
			return fmt.Errorf("job %q is defined twice", def.Path)
		}
		it := &item{name: name, kind: def.Kind, def: def, display: def.DisplayName, nextNumber: 1}
		if parent != s.root {
			it.parent = parent
		}
		parent.children = append(parent.children, it)
		if def.Kind == "multibranch" {
			for _, br := range def.Branches {
				it.children = append(it.children, &item{name: encodeBranch(br), parent: it, kind: "pipeline", def: def, branch: true, nextNumber: 1})
			}
		}
	}
	var sortItems func(it *item)
	sortItems = func(it *item) {
		sort.Slice(it.children, func(i, j int) bool {
			return strings.ToLower(it.children[i].name) < strings.ToLower(it.children[j].name)
		})
		for _, c := range it.children {
			sortItems(c)
		}
	}
	sortItems(s.root)
	s.series = map[*JobDef]map[int]*seriesBuild{}
	for i := range s.world.Jobs {
		def := &s.world.Jobs[i]
		if def.History.Series == "" {
			continue
		}
		m, err := s.loadSeries(def.History.Series)
		if err != nil {
			return fmt.Errorf("job %q: history.series: %v", def.Path, err)
		}
		s.series[def] = m
	}
	var walk func(it *item)
	walk = func(it *item) {
		if it.isJob() {
			s.makeHistory(it)
		}
		for _, c := range it.children {
			walk(c)
		}
	}
	walk(s.root)
	var timers func(it *item)
	timers = func(it *item) {
		if it.isJob() && it.buildable() && it.def.Behaviour.Every > 0 {
			s.nextTimer[it] = s.start.Add(it.def.Behaviour.Every.D())
		}
		for _, c := range it.children {
			timers(c)
		}
	}
	timers(s.root)
	sort.SliceStable(s.allBuilds, func(i, j int) bool { return s.allBuilds[i].start.Before(s.allBuilds[j].start) })
	// Queue ids grow with time: history builds first, then waiting items,
	// then whatever is triggered.
	for i, b := range s.allBuilds {
		b.queueID = int64(i + 1)
	}
	s.nextQueue = int64(len(s.allBuilds))
	for _, q := range s.queue {
		s.nextQueue++
		q.id = s.nextQueue
	}
	return nil
}

// makeHistory creates a job's past builds, ending at the server's start time.
func (s *Server) makeHistory(it *item) {
	h := it.def.History
	n := h.Count
	if it.branch {
		// branches get a share of the project's history, main the most
		idx := 0
		for i, br := range it.def.Branches {
			if encodeBranch(br) == it.name {
				idx = i
			}
		}
		n = n / (idx + 1)
		if idx > 0 && n > 12 {
			n = 12
		}
	}
	if n == 0 {
		return
	}
	days := h.Days
	if days <= 0 {
		days = 21
	}
	span := time.Duration(days) * 24 * time.Hour
	now := s.start
	running := h.Running
	if it.branch && it.name != encodeBranch(it.def.Branches[0]) {
		running = 0
	}
	if running > n {
		running = n
	}
	spacing := span / time.Duration(n)
	for i := 1; i <= n; i++ {
		r := newRand(s.world.Seed, "hist", it.fullName(), i)
		dur := randDuration(r, h.Duration, [2]time.Duration{45 * time.Second, 3 * time.Minute})
		var start time.Time
		outcome := pickOutcome(r, h.Outcomes)
		if i > n-running {
			// still running: started a fraction of its duration ago
			frac := 0.15 + 0.5*r.Float64()
			start = now.Add(-time.Duration(frac * float64(dur)))
			if outcome == "ABORTED" || outcome == "NOT_BUILT" {
				outcome = "SUCCESS"
			}
		} else {
			jitter := time.Duration((r.Float64() - 0.5) * 0.6 * float64(spacing))
			start = now.Add(-span + time.Duration(i-1)*spacing + jitter).Truncate(time.Second)
			if limit := now.Add(-dur - time.Duration(n-i+running)*time.Minute); start.After(limit) {
				start = limit
			}
		}
		var sb *seriesBuild
		if !it.branch {
			sb = s.series[it.def][i]
		}
		if sb != nil {
			outcome = sb.Result // the series says how this build went
			if i > n-running && outcome == "ABORTED" {
				outcome = "SUCCESS"
			}
		}
		b := &build{job: it, number: i, start: start, dur: dur, outcome: outcome, causes: []cause{s.historyCause(it, r)}, params: s.defaultParams(it, r), series: sb}
		if outcome == "ABORTED" {
			b.outcome = "SUCCESS"
			b.abortedAt = start.Add(dur / 2)
			b.abortedBy = s.firstUserName()
		}
		if outcome == "NOT_BUILT" {
			b.dur = 2 * time.Second
		}
		b.srv = s
		it.builds = append(it.builds, b)
		s.allBuilds = append(s.allBuilds, b)
	}
	it.nextNumber = n + 1
	if !it.branch || it.name == encodeBranch(it.def.Branches[0]) {
		for k := 0; k < h.Queued; k++ {
			r := newRand(s.world.Seed, "queued", it.fullName(), k)
			since := now.Add(-time.Duration(1+r.IntN(4)) * time.Second) // after the newest running build started
			s.queue = append(s.queue, &queueItem{job: it, since: since, readyAt: since.Add(5 * time.Second),
				causes: []cause{{class: "hudson.triggers.TimerTrigger$TimerTriggerCause", short: "Started by timer"}}, params: s.defaultParams(it, r),
				paramKey: fmt.Sprint("history-", k)})
		}
	}
}

func (s *Server) firstUserName() string {
	if len(s.world.Users) > 0 {
		return s.world.Users[0].displayName()
	}
	return "anonymous"
}

func (u User) displayName() string {
	if u.FullName != "" {
		return u.FullName
	}
	return u.ID
}

func (s *Server) historyCause(it *item, r *rand.Rand) cause {
	if it.branch {
		if r.IntN(3) == 0 {
			return cause{class: "jenkins.branch.BranchIndexingCause", short: "Branch indexing"}
		}
		return cause{class: "jenkins.branch.BranchEventCause", short: "Push event to branch " + it.displayName()}
	}
	switch x := r.IntN(10); {
	case x < 4:
		return cause{class: "hudson.triggers.TimerTrigger$TimerTriggerCause", short: "Started by timer"}
	case x < 7 && len(s.world.Users) > 0:
		u := s.world.Users[r.IntN(len(s.world.Users))]
		return cause{class: "hudson.model.Cause$UserIdCause", short: "Started by user " + u.displayName(), userID: u.ID, userName: u.displayName()}
	default:
		return cause{class: "hudson.triggers.SCMTrigger$SCMTriggerCause", short: "Started by an SCM change"}
	}
}

// defaultParams are the parameter values of a history build: defaults, with
// choices varied.
func (s *Server) defaultParams(it *item, r *rand.Rand) []paramValue {
	var out []paramValue
	for _, p := range it.def.Params {
		v := p.Default
		switch p.Type {
		case "choice":
			v = p.Choices[0]
			if r.IntN(4) == 0 {
				v = p.Choices[r.IntN(len(p.Choices))]
			}
		case "boolean":
			if v == "" {
				v = "false"
			}
		case "file":
			continue
		}
		out = append(out, paramValue{name: p.Name, typ: p.Type, value: v})
	}
	return out
}

// timeSpan formats a duration as Jenkins's Util.getTimeSpanString does.
func timeSpan(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%d hr %d min", d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%d min %d sec", d/time.Minute, (d%time.Minute)/time.Second)
	case d >= time.Second:
		return fmt.Sprintf("%d sec", d/time.Second)
	default:
		return fmt.Sprintf("%d ms", d/time.Millisecond)
	}
}

// fireTimers queues the builds that jobs with behaviour.every started on
// their own between the last request and now.
func (s *Server) fireTimers(now time.Time) {
	for range 10000 {
		var it *item
		var next time.Time
		for j, t := range s.nextTimer {
			if t.After(now) {
				continue
			}
			if it == nil || t.Before(next) || (t.Equal(next) && j.fullName() < it.fullName()) {
				it, next = j, t
			}
		}
		if it == nil {
			return
		}
		c := cause{class: "hudson.triggers.TimerTrigger$TimerTriggerCause", short: "Started by timer"}
		if it.branch {
			c = cause{class: "jenkins.branch.BranchEventCause", short: "Push event to branch " + it.displayName()}
		}
		r := newRand(s.world.Seed, "timer", it.fullName(), next.UnixNano())
		s.nextQueue++
		s.queue = append(s.queue, &queueItem{id: s.nextQueue, job: it, since: next, readyAt: next.Add(s.quietPeriod(it)),
			causes: []cause{c}, params: s.defaultParams(it, r), paramKey: fmt.Sprint("timer-", next.UnixNano())})
		s.nextTimer[it] = next.Add(it.def.Behaviour.Every.D())
	}
}

// quietPeriod is the job's quiet period, scaled.
func (s *Server) quietPeriod(it *item) time.Duration {
	if it.def.QuietPeriod > 0 {
		return time.Duration(float64(it.def.QuietPeriod.D()) * s.scale)
	}
	return time.Duration(float64(5*time.Second) * s.scale)
}
