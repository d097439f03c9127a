package insight

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/jeeves-dev/jeeves/report"
)

// Options tune the trends; the zero value means the defaults.
type Options struct {
	Recent     int     // response time: builds in the recent window (default 5)
	Before     int     // and in the window before it (default 20)
	MinBefore  int     // fewer earlier samples than this: not judged (default 5)
	MinGrowth  float64 // flagged when recent ≥ before × (1+MinGrowth) (default 0.5)
	MinDeltaMS int64   // and recent − before ≥ MinDeltaMS (default 50)
	FlakyFlips int     // this many pass↔fail changes or more make an assertion flaky (default 3)
}

func (o Options) withDefaults() Options {
	if o.Recent <= 0 {
		o.Recent = 5
	}
	if o.Before <= 0 {
		o.Before = 20
	}
	if o.MinBefore <= 0 {
		o.MinBefore = 5
	}
	if o.MinGrowth <= 0 {
		o.MinGrowth = 0.5
	}
	if o.MinDeltaMS <= 0 {
		o.MinDeltaMS = 50
	}
	if o.FlakyFlips <= 0 {
		o.FlakyFlips = 3
	}
	return o
}

// Trends is what the history of a list of builds shows.
type Trends struct {
	Builds     []Point          `json:"builds"`     // newest first, one per build given
	Assertions []AssertionTrend `json:"assertions"` // every assertion that failed in any build, ranked
	Requests   []RequestTrend   `json:"requests"`   // requests with enough samples, flagged (slower) first
	Lint       LintChange       `json:"lint"`       // rules added and fixed in the newest linted build
}

// Point is one build in the series.
type Point struct {
	Number     int    `json:"number"`
	Status     string `json:"status,omitempty"`
	HasResults bool   `json:"has_results"`
	// Assertions counts as the tools report them, summed over collection runs.
	Assertions int `json:"assertions"`
	Failed     int `json:"assertions_failed"`
	Skipped    int `json:"assertions_skipped"`
	// PassRate is passed / (total − skipped); nil when the build ran no assertion.
	PassRate *float64 `json:"pass_rate"`
	// Lint counts; HasLint is false when the build has no governance result.
	HasLint      bool `json:"has_lint"`
	LintErrors   int  `json:"lint_errors"`
	LintWarnings int  `json:"lint_warnings"`
}

// Kinds of assertion trend.
const (
	KindFailing = "failing" // fails in the newest build that ran it
	KindFlaky   = "flaky"   // flipped between pass and fail FlakyFlips times or more
	KindFixed   = "fixed"   // failed, then passed in every later build that ran it
)

// AssertionTrend is one assertion that failed in at least one build.
type AssertionTrend struct {
	AssertionKey
	Kind     string `json:"kind"`
	Summary  string `json:"summary"`  // "failing since #112 (4 builds)", "flaky: flipped 6 times in 50 builds, last failed #127", "fixed in #116 (failed #112–#115, 4 builds)"
	Since    int    `json:"since"`    // failing: first build of the current failing streak; fixed: first build of the last one
	Streak   int    `json:"streak"`   // builds in that streak (that ran the assertion)
	FixedIn  int    `json:"fixed_in"` // fixed: the build that passed again (0 otherwise)
	Flips    int    `json:"flips"`    // pass↔fail changes over the builds that ran it
	Observed int    `json:"observed"` // builds that ran it (passed or failed)
	Failures int    `json:"failures"` // builds in which it failed
	// LastFailed is the newest build in which it failed, LastError its message there.
	LastFailed int    `json:"last_failed"`
	LastError  string `json:"last_error"`
	// History is one character per build given, newest first: F failed, P passed, - not run.
	History string `json:"history"`
}

// RequestTrend is one request's response time over the builds.
type RequestTrend struct {
	RequestKey
	RecentMS int64   `json:"recent_ms"` // median of the newest Recent samples
	BeforeMS int64   `json:"before_ms"` // median of up to Before samples before those
	DeltaMS  int64   `json:"delta_ms"`  // RecentMS − BeforeMS
	Growth   float64 `json:"growth"`    // DeltaMS / BeforeMS (0 when BeforeMS is 0)
	Flagged  bool    `json:"flagged"`   // grew by ≥ MinGrowth and ≥ MinDeltaMS
	// Samples are the per-build response times, newest first, one per build
	// that sent the request (the median of its executions in that build).
	Samples []int64 `json:"samples_ms"`
	Numbers []int   `json:"numbers"` // the builds of Samples
}

// LintChange compares the newest build with governance results to the one before it.
type LintChange struct {
	Newest   int               `json:"newest"`   // 0: no build has governance results
	Previous int               `json:"previous"` // 0: only one has
	Added    []ViolationChange `json:"added"`
	Fixed    []ViolationChange `json:"fixed"`
}

// ViolationChange is a violation that appeared or went away. Was is the
// severity it had before when only its severity rose ("" when it is new).
type ViolationChange struct {
	ViolationKey
	Severity report.Severity `json:"severity"`
	Message  string          `json:"message"`
	Was      report.Severity `json:"was,omitempty"`
}

type assertAcc struct {
	key  AssertionKey
	hist []byte // per build, newest first
	msgs []string
	fail bool
}

// Compute computes the trends of builds, given newest first.
func Compute(builds []Build, opt Options) Trends {
	opt = opt.withDefaults()
	t := Trends{Builds: make([]Point, len(builds))}
	accs := map[AssertionKey]*assertAcc{}
	type reqAcc struct {
		key     RequestKey
		samples []int64
		numbers []int
	}
	reqs := map[RequestKey]*reqAcc{}
	var per []int64
	for i, b := range builds {
		p := Point{Number: b.Number, Status: b.Status, HasResults: b.HasResults}
		if b.HasResults {
			fillPoint(&p, b.Results)
			assertionOutcomes(b.Results, func(k AssertionKey, o outcome, msg string) {
				a := accs[k]
				if a == nil {
					a = &assertAcc{key: k, hist: make([]byte, len(builds)), msgs: make([]string, len(builds))}
					accs[k] = a
				}
				if o == fail {
					a.fail = true
					if a.hist[i] != byte(fail) {
						a.msgs[i] = msg
					}
				}
				if a.hist[i] != byte(fail) {
					a.hist[i] = byte(o)
				}
			})
			// response times: the median of the request's executions in this build
			seen := map[RequestKey][]int64{}
			for _, c := range b.Results.Collections {
				for _, e := range c.Executions {
					if e.ResponseMS <= 0 && (e.Error != "" || e.Code == 0) {
						continue // not sent
					}
					k := RequestKey{c.Name, e.Folder, e.Name, e.Method}
					seen[k] = append(seen[k], e.ResponseMS)
				}
			}
			for k, v := range seen {
				r := reqs[k]
				if r == nil {
					r = &reqAcc{key: k}
					reqs[k] = r
				}
				per = append(per[:0], v...)
				r.samples = append(r.samples, median(per))
				r.numbers = append(r.numbers, b.Number)
			}
		}
		t.Builds[i] = p
	}
	for _, a := range accs {
		if a.fail {
			t.Assertions = append(t.Assertions, classify(a, builds, opt))
		}
	}
	slices.SortFunc(t.Assertions, rankAssertions)
	for _, r := range reqs {
		if len(r.samples) < opt.Recent+opt.MinBefore {
			continue
		}
		rt := RequestTrend{RequestKey: r.key, Samples: r.samples, Numbers: r.numbers}
		rt.RecentMS = median(slices.Clone(r.samples[:opt.Recent]))
		rt.BeforeMS = median(slices.Clone(r.samples[opt.Recent:min(len(r.samples), opt.Recent+opt.Before)]))
		rt.DeltaMS = rt.RecentMS - rt.BeforeMS
		if rt.BeforeMS > 0 {
			rt.Growth = float64(rt.DeltaMS) / float64(rt.BeforeMS)
		}
		rt.Flagged = rt.DeltaMS >= opt.MinDeltaMS && float64(rt.RecentMS) >= float64(rt.BeforeMS)*(1+opt.MinGrowth)
		t.Requests = append(t.Requests, rt)
	}
	slices.SortFunc(t.Requests, func(a, b RequestTrend) int {
		if a.Flagged != b.Flagged {
			if a.Flagged {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.DeltaMS, a.DeltaMS); c != 0 {
			return c
		}
		return cmpStrings([]string{a.Collection, a.Folder, a.Name, a.Method}, []string{b.Collection, b.Folder, b.Name, b.Method}, 0, 0)
	})
	t.Lint = lintChange(builds)
	return t
}

func fillPoint(p *Point, res report.Results) {
	for _, c := range res.Collections {
		p.Assertions += c.Assertions.Total
		p.Failed += c.Assertions.Failed
		p.Skipped += c.Assertions.Skipped
	}
	if den := p.Assertions - p.Skipped; den > 0 {
		r := float64(den-p.Failed) / float64(den)
		r = max(0, r)
		p.PassRate = &r
	}
	if len(res.Governance) > 0 {
		p.HasLint = true
		for _, g := range res.Governance {
			for _, v := range g.Violations {
				switch v.Severity {
				case report.SevError:
					p.LintErrors++
				case report.SevWarning:
					p.LintWarnings++
				}
			}
		}
	}
}

// classify turns an assertion's history into its trend.
func classify(a *assertAcc, builds []Build, opt Options) AssertionTrend {
	t := AssertionTrend{AssertionKey: a.key}
	hist := make([]byte, len(a.hist))
	var prev outcome // chronological walk: oldest to newest
	for i := len(a.hist) - 1; i >= 0; i-- {
		o := outcome(a.hist[i])
		switch o {
		case pass:
			hist[i] = 'P'
		case fail:
			hist[i] = 'F'
		default:
			hist[i] = '-'
			continue
		}
		t.Observed++
		if o == fail {
			t.Failures++
		}
		if prev != absent && prev != o {
			t.Flips++
		}
		prev = o
	}
	t.History = string(hist)
	// newest first: the newest observation, the last failure and its streak
	newest := absent
	for i, c := range a.hist {
		o := outcome(c)
		if o == absent {
			continue
		}
		if newest == absent {
			newest = o
		}
		if o == fail && t.LastFailed == 0 {
			t.LastFailed, t.LastError = builds[i].Number, a.msgs[i]
			// the streak of failures ending here, going back in time
			for j := i; j < len(a.hist); j++ {
				oj := outcome(a.hist[j])
				if oj == absent {
					continue
				}
				if oj != fail {
					break
				}
				t.Since = builds[j].Number
				t.Streak++
			}
			// the build that passed after it (fixed)
			for j := i - 1; j >= 0; j-- {
				if outcome(a.hist[j]) == pass {
					t.FixedIn = builds[j].Number
					break
				}
			}
		}
	}
	switch {
	case t.Flips >= opt.FlakyFlips:
		t.Kind = KindFlaky
		t.Summary = fmt.Sprintf("flaky: flipped %d times in %d builds, last failed #%d", t.Flips, t.Observed, t.LastFailed)
		if newest == fail {
			t.FixedIn = 0
		}
	case newest == fail:
		t.Kind = KindFailing
		t.FixedIn = 0
		t.Summary = fmt.Sprintf("failing since #%d (%s)", t.Since, plural(t.Streak, "build"))
	default:
		t.Kind = KindFixed
		span := fmt.Sprintf("#%d", t.Since)
		if t.Since != t.LastFailed {
			span = fmt.Sprintf("#%d–#%d", t.Since, t.LastFailed)
		}
		t.Summary = fmt.Sprintf("fixed in #%d (failed %s, %s)", t.FixedIn, span, plural(t.Streak, "build"))
	}
	return t
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func kindRank(k string) int {
	switch k {
	case KindFailing:
		return 0
	case KindFlaky:
		return 1
	}
	return 2
}

// rankAssertions: failing first (longest streak first), then flaky (most
// flips first), then fixed (most recently failed first); ties by identity.
func rankAssertions(a, b AssertionTrend) int {
	if c := cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)); c != 0 {
		return c
	}
	var c int
	switch a.Kind {
	case KindFailing:
		c = cmp.Or(cmp.Compare(b.Streak, a.Streak), cmp.Compare(b.Since, a.Since))
	case KindFlaky:
		c = cmp.Or(cmp.Compare(b.Flips, a.Flips), cmp.Compare(b.LastFailed, a.LastFailed))
	default:
		c = cmp.Compare(b.LastFailed, a.LastFailed)
	}
	if c != 0 {
		return c
	}
	return a.AssertionKey.less(b.AssertionKey)
}

// lintChange compares the two newest builds that have governance results.
func lintChange(builds []Build) LintChange {
	var lc LintChange
	var newest, prev *Build
	for i := range builds {
		if !builds[i].HasResults || len(builds[i].Results.Governance) == 0 {
			continue
		}
		if newest == nil {
			newest = &builds[i]
		} else {
			prev = &builds[i]
			break
		}
	}
	if newest == nil {
		return lc
	}
	lc.Newest = newest.Number
	if prev == nil {
		return lc
	}
	lc.Previous = prev.Number
	lc.Added, lc.Fixed = violationChanges(newest.Results, prev.Results)
	return lc
}

// violationChanges lists what is new in a against b (or more severe), and
// what b had that a has not.
func violationChanges(a, b report.Results) (added, fixed []ViolationChange) {
	va, vb := violationMap(a), violationMap(b)
	for k, s := range va {
		old, ok := vb[k]
		switch {
		case !ok:
			added = append(added, ViolationChange{ViolationKey: k, Severity: s.sev, Message: s.message})
		case severityRank(s.sev) < severityRank(old.sev):
			added = append(added, ViolationChange{ViolationKey: k, Severity: s.sev, Message: s.message, Was: old.sev})
		}
	}
	for k, s := range vb {
		if _, ok := va[k]; !ok {
			fixed = append(fixed, ViolationChange{ViolationKey: k, Severity: s.sev, Message: s.message})
		}
	}
	sortViolations(added)
	sortViolations(fixed)
	return added, fixed
}

func sortViolations(v []ViolationChange) {
	slices.SortFunc(v, func(a, b ViolationChange) int {
		if c := cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)); c != 0 {
			return c
		}
		return cmpStrings([]string{a.Definition, a.Rule, a.Path}, []string{b.Definition, b.Rule, b.Path}, 0, 0)
	})
}

// median of v (reordered in place); 0 for none. An even count takes the
// lower middle, so that the result is always a measured value.
func median(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// MessageBuilds lists the builds whose full results FillMessages reads:
// the build each assertion last failed in and the two builds the lint
// change compares. Results without messages (the store's history digests)
// give the trends no error messages until then.
func (t Trends) MessageBuilds() []int {
	var out []int
	for _, a := range t.Assertions {
		out = append(out, a.LastFailed)
	}
	if t.Lint.Previous != 0 {
		out = append(out, t.Lint.Newest, t.Lint.Previous)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// FillMessages sets the assertions' last errors and the lint changes'
// messages from the full results of the builds MessageBuilds names. A
// build missing from full leaves its messages as they are.
func (t *Trends) FillMessages(full map[int]report.Results) {
	msgs := map[int]map[AssertionKey]assertState{}
	for i := range t.Assertions {
		a := &t.Assertions[i]
		res, ok := full[a.LastFailed]
		if !ok {
			continue
		}
		m := msgs[a.LastFailed]
		if m == nil {
			m = assertionMap(res)
			msgs[a.LastFailed] = m
		}
		if s, ok := m[a.AssertionKey]; ok && s.o == fail {
			a.LastError = s.msg
		}
	}
	fill := func(vs []ViolationChange, n int) {
		res, ok := full[n]
		if !ok {
			return
		}
		m := violationMap(res)
		for i := range vs {
			if s, ok := m[vs[i].ViolationKey]; ok {
				vs[i].Message = s.message
			}
		}
	}
	fill(t.Lint.Added, t.Lint.Newest)
	fill(t.Lint.Fixed, t.Lint.Previous)
}
