package insight

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jeeves-dev/jeeves/report"
)

// run builds results of one collection "C" from executions.
func run(ex ...report.Execution) report.Results {
	c := report.CollectionRun{Name: "C", Executions: ex}
	for _, e := range ex {
		for _, a := range e.Assertions {
			c.Assertions.Total++
			switch a.Status {
			case report.Failed:
				c.Assertions.Failed++
			case report.Skipped:
				c.Assertions.Skipped++
			}
		}
	}
	return report.Results{Collections: []report.CollectionRun{c}}
}

func ex(folder, name string, ms int64, as ...report.Assertion) report.Execution {
	return report.Execution{Folder: folder, Name: name, Method: "GET", Code: 200, ResponseMS: ms, Assertions: as}
}

func ok(name string) report.Assertion { return report.Assertion{Name: name, Status: report.Passed} }
func ko(name, msg string) report.Assertion {
	return report.Assertion{Name: name, Status: report.Failed, Message: msg}
}

// history makes builds from a pattern, newest first, numbered down from
// top: P the assertion passes, F it fails (message "boom #N"), - the build
// has no results, s it is skipped, x the request is not in the build.
func history(top int, pattern string) []Build {
	var bs []Build
	for i, c := range pattern {
		n := top - i
		b := Build{Number: n, HasResults: c != '-'}
		a := ok("works")
		switch c {
		case 'F':
			a = ko("works", "boom #"+itoa(n))
		case 's':
			a.Status = report.Skipped
		}
		if c == 'x' {
			b.Results = run(ex("f", "other", 10, ok("other")))
		} else if b.HasResults {
			b.Results = run(ex("f", "R", 10, a, ok("steady")))
		}
		bs = append(bs, b)
	}
	return bs
}

func itoa(n int) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestAssertionTrends(t *testing.T) {
	for _, tc := range []struct {
		name, pattern string
		kind, summary string
		since, streak int
		fixedIn, last int
		flips         int
		history       string
	}{
		{"failing", "FFFPPP", KindFailing, "failing since #8 (3 builds)", 8, 3, 0, 10, 1, "FFFPPP"},
		{"failing from the first build", "FF", KindFailing, "failing since #9 (2 builds)", 9, 2, 0, 10, 0, "FF"},
		{"a gap without results does not break the streak", "F-FP", KindFailing, "failing since #8 (2 builds)", 8, 2, 0, 10, 1, "F-FP"},
		{"skipped is not an observation", "FsFP", KindFailing, "failing since #8 (2 builds)", 8, 2, 0, 10, 1, "F-FP"},
		{"not run is not an observation", "FxFP", KindFailing, "failing since #8 (2 builds)", 8, 2, 0, 10, 1, "F-FP"},
		{"regression fixed", "PPPFFFFPP", KindFixed, "fixed in #8 (failed #4–#7, 4 builds)", 4, 4, 8, 7, 2, "PPPFFFFPP"},
		{"one failed build", "PFP", KindFixed, "fixed in #10 (failed #9, 1 build)", 9, 1, 10, 9, 2, "PFP"},
		{"failed at first, fixed since", "PPFF", KindFixed, "fixed in #9 (failed #7–#8, 2 builds)", 7, 2, 9, 8, 1, "PPFF"},
		{"flaky", "PFPPFPFP", KindFlaky, "flaky: flipped 6 times in 8 builds, last failed #9", 9, 1, 10, 9, 6, "PFPPFPFP"},
		{"flaky and failing now", "FPPFPF", KindFlaky, "flaky: flipped 4 times in 6 builds, last failed #10", 10, 1, 0, 10, 4, "FPPFPF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := Compute(history(10, tc.pattern), Options{})
			if len(tr.Assertions) != 1 {
				t.Fatalf("want 1 assertion trend (only 'works' fails), got %+v", tr.Assertions)
			}
			a := tr.Assertions[0]
			want := AssertionKey{"C", "f", "R", "works", 0}
			if a.AssertionKey != want {
				t.Errorf("key %+v, want %+v", a.AssertionKey, want)
			}
			got := []any{a.Kind, a.Summary, a.Since, a.Streak, a.FixedIn, a.LastFailed, a.Flips, a.History}
			exp := []any{tc.kind, tc.summary, tc.since, tc.streak, tc.fixedIn, tc.last, tc.flips, tc.history}
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("got  %v\nwant %v", got, exp)
			}
			if a.LastError != "boom #"+itoa(tc.last) {
				t.Errorf("last error %q, want the message of #%d", a.LastError, tc.last)
			}
		})
	}
}

func TestAssertionIdentity(t *testing.T) {
	// Iterations are kept apart; a duplicate name in one request fails when either fails;
	// another folder or collection is another assertion.
	b1 := run(
		report.Execution{Iteration: 1, Folder: "f", Name: "R", Assertions: []report.Assertion{ok("a"), ok("dup"), ko("dup", "second")}},
		report.Execution{Iteration: 2, Folder: "f", Name: "R", Assertions: []report.Assertion{ko("a", "it2")}},
		report.Execution{Iteration: 1, Folder: "g", Name: "R", Assertions: []report.Assertion{ok("a")}},
	)
	tr := Compute([]Build{{Number: 1, HasResults: true, Results: b1}}, Options{})
	var keys []string
	for _, a := range tr.Assertions {
		keys = append(keys, a.String()+" "+a.LastError)
	}
	want := []string{"C › f › R › a (iteration 2) it2", "C › f › R › dup second"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("got %q\nwant %q", keys, want)
	}
}

func TestRanking(t *testing.T) {
	mk := func(n int, failing ...string) Build {
		var as []report.Assertion
		for _, name := range []string{"fixed", "flaky", "long", "short"} {
			a := ok(name)
			for _, f := range failing {
				if f == name {
					a = ko(name, "x")
				}
			}
			as = append(as, a)
		}
		return Build{Number: n, HasResults: true, Results: run(ex("", "R", 1, as...))}
	}
	bs := []Build{ // newest first
		mk(8, "long", "short", "flaky"),
		mk(7, "long", "short"),
		mk(6, "long", "flaky"),
		mk(5, "long"),
		mk(4, "flaky", "fixed"),
		mk(3),
	}
	var got []string
	for _, a := range Compute(bs, Options{}).Assertions {
		got = append(got, a.Assertion+":"+a.Kind)
	}
	want := []string{"long:failing", "short:failing", "flaky:flaky", "fixed:fixed"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ranking %v, want %v", got, want)
	}
}

func TestPoints(t *testing.T) {
	res := run(ex("", "R", 1, ok("a"), ko("b", "x"), ok("c"), report.Assertion{Name: "s", Status: report.Skipped}))
	res.Governance = []report.GovernanceResult{{Definition: "api.yaml", Violations: []report.Violation{
		{Rule: "r1", Severity: report.SevError}, {Rule: "r2", Severity: report.SevWarning}, {Rule: "r3", Severity: report.SevWarning}, {Rule: "r4", Severity: report.SevInfo},
	}}}
	tr := Compute([]Build{
		{Number: 3, HasResults: true, Results: res},
		{Number: 2, Status: "aborted"},
		{Number: 1, HasResults: true, Results: report.Results{Collections: []report.CollectionRun{{Name: "empty"}}}},
	}, Options{})
	p := tr.Builds[0]
	if p.Number != 3 || p.Assertions != 4 || p.Failed != 1 || p.Skipped != 1 || p.PassRate == nil || *p.PassRate != 2.0/3.0 {
		t.Errorf("point %+v (rate %v)", p, p.PassRate)
	}
	if !p.HasLint || p.LintErrors != 1 || p.LintWarnings != 2 {
		t.Errorf("lint of %+v", p)
	}
	if q := tr.Builds[1]; q.HasResults || q.PassRate != nil || q.Status != "aborted" {
		t.Errorf("a build without results: %+v", q)
	}
	if q := tr.Builds[2]; !q.HasResults || q.PassRate != nil || q.HasLint {
		t.Errorf("a build without assertions or lint: %+v", q)
	}
}

func TestRequestTrends(t *testing.T) {
	// times are newest first: 5 recent, then the ones before
	mk := func(times map[string][]int64) []Build {
		n := 0
		for _, v := range times {
			n = max(n, len(v))
		}
		bs := make([]Build, n)
		for i := range bs {
			var exs []report.Execution
			for _, name := range []string{"creep", "jitter", "fast", "few", "faster", "notsent"} {
				v := times[name]
				if i < len(v) && v[i] >= 0 {
					e := ex("f", name, v[i], ok("a"))
					if name == "notsent" {
						e.Code, e.ResponseMS, e.Error = 0, 0, "ECONNREFUSED"
					}
					exs = append(exs, e)
				}
			}
			bs[i] = Build{Number: 100 - i, HasResults: true, Results: run(exs...)}
		}
		return bs
	}
	rep := func(v int64, n int) []int64 {
		s := make([]int64, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	times := map[string][]int64{
		"creep":   append([]int64{200, 190, 210, 180, 205}, rep(100, 20)...), // +100 ms, +100 %: flagged
		"jitter":  append([]int64{30, 31, 29, 30, 40}, rep(15, 20)...),       // +100 % but +15 ms: no
		"fast":    append([]int64{900, 950, 910, 920, 930}, rep(700, 20)...), // +210 ms, +30 %: no
		"few":     {500, 500, 500, 500, 500, 1, 1, 1, 1},                     // 4 samples before: not judged
		"faster":  append(rep(100, 5), rep(400, 20)...),                      // moved down: listed, not flagged
		"notsent": rep(0, 25),
	}
	// samples further back than the 20 before the recent 5 are ignored
	times["creep"] = append(times["creep"], rep(1000, 10)...)
	tr := Compute(mk(times), Options{})
	var got []string
	for _, r := range tr.Requests {
		got = append(got, r.Name+":"+itoa(int(r.RecentMS))+"/"+itoa(int(r.BeforeMS))+map[bool]string{true: " FLAG", false: ""}[r.Flagged])
	}
	want := []string{"creep:200/100 FLAG", "fast:920/700", "jitter:30/15", "faster:100/400"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	c := tr.Requests[0]
	if c.Method != "GET" || c.Folder != "f" || len(c.Samples) != 35 || c.Numbers[0] != 100 || c.Samples[0] != 200 || c.Growth != 1 {
		t.Errorf("creep trend %+v", c)
	}
}

func TestRequestMedianPerBuild(t *testing.T) {
	// several executions of one request in a build (iterations): their median is the build's sample
	var bs []Build
	for i := range 10 {
		bs = append(bs, Build{Number: 10 - i, HasResults: true, Results: run(
			report.Execution{Iteration: 1, Name: "R", Method: "GET", Code: 200, ResponseMS: 10},
			report.Execution{Iteration: 2, Name: "R", Method: "GET", Code: 200, ResponseMS: 30},
			report.Execution{Iteration: 3, Name: "R", Method: "GET", Code: 200, ResponseMS: 1000},
			report.Execution{Iteration: 1, Name: "R", Method: "POST", Code: 200, ResponseMS: 5},
		)})
	}
	tr := Compute(bs, Options{})
	if len(tr.Requests) != 2 {
		t.Fatalf("GET and POST are two requests: %+v", tr.Requests)
	}
	for _, r := range tr.Requests {
		if r.Method == "GET" && r.Samples[0] != 30 {
			t.Errorf("GET sample %d, want the median 30", r.Samples[0])
		}
	}
}

func lint(vs ...report.Violation) report.Results {
	return report.Results{Governance: []report.GovernanceResult{{Definition: "openapi.yaml", Violations: vs}}}
}

func v(rule, path string, sev report.Severity, line int) report.Violation {
	return report.Violation{Rule: rule, Path: path, Severity: sev, Line: line, Message: rule + " at " + path}
}

func TestLintChange(t *testing.T) {
	newest := lint(v("kept", "$.a", report.SevError, 40), v("added", "$.b", report.SevWarning, 1), v("raised", "$.c", report.SevError, 2))
	prev := lint(v("kept", "$.a", report.SevError, 12), v("raised", "$.c", report.SevWarning, 2), v("gone", "$.d", report.SevError, 3))
	tr := Compute([]Build{
		{Number: 5, HasResults: true, Results: newest},
		{Number: 4, HasResults: true, Results: run(ex("", "R", 1, ok("a")))}, // no lint in this build: skipped over
		{Number: 3},
		{Number: 2, HasResults: true, Results: prev},
		{Number: 1, HasResults: true, Results: lint()},
	}, Options{})
	l := tr.Lint
	if l.Newest != 5 || l.Previous != 2 {
		t.Fatalf("compared #%d with #%d, want #5 with #2", l.Newest, l.Previous)
	}
	var added, fixed []string
	for _, c := range l.Added {
		added = append(added, c.Rule+":"+string(c.Severity)+":"+string(c.Was))
	}
	for _, c := range l.Fixed {
		fixed = append(fixed, c.Rule)
	}
	if !reflect.DeepEqual(added, []string{"raised:error:warning", "added:warning:"}) || !reflect.DeepEqual(fixed, []string{"gone"}) {
		t.Errorf("added %v fixed %v", added, fixed)
	}
	if one := Compute([]Build{{Number: 1, HasResults: true, Results: newest}}, Options{}).Lint; one.Newest != 1 || one.Previous != 0 || one.Added != nil {
		t.Errorf("one linted build: %+v", one)
	}
}

func TestCompare(t *testing.T) {
	b := Build{Number: 7, HasResults: true, Results: run(ex("", "R", 1, ok("stays"), ko("fixed", "was broken"), ko("still", "old"), ok("breaks")))}
	b.Results.Governance = lint(v("kept", "$.a", report.SevError, 1), v("gone", "$.g", report.SevWarning, 1)).Governance
	for _, tc := range []struct {
		name      string
		a         report.Results
		newFail   []string
		fixed     []string
		still     []string
		newViol   []string
		fixedViol []string
		regressed bool
	}{
		{"no change", b.Results, nil, nil, []string{"fixed:failed:was broken", "still:failed:old"}, nil, nil, false},
		{"new failing and fixed",
			run(ex("", "R", 1, ok("stays"), ok("fixed"), ko("still", "new msg"), ko("breaks", "now"), ko("brand-new", "n"))),
			[]string{"brand-new:absent:n", "breaks:passed:now"}, []string{"fixed:failed:was broken"}, []string{"still:failed:new msg"},
			nil, []string{"kept", "gone"}, true},
		{"a new lint error regresses",
			append2(run(ex("", "R", 1, ok("stays"), ok("fixed"), ok("still"), ok("breaks"))), lint(v("kept", "$.a", report.SevError, 9), v("gone", "$.g", report.SevWarning, 1), v("new", "$.n", report.SevError, 2))),
			nil, []string{"fixed:failed:was broken", "still:failed:old"}, nil, []string{"new"}, nil, true},
		{"a new lint warning does not",
			append2(b.Results, lint(v("new", "$.n", report.SevWarning, 2))),
			nil, nil, []string{"fixed:failed:was broken", "still:failed:old"}, []string{"new"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Compare(Build{Number: 8, HasResults: true, Results: tc.a}, b)
			names := func(cs []AssertionChange) []string {
				var s []string
				for _, c := range cs {
					s = append(s, c.Assertion+":"+c.Was+":"+c.Message)
				}
				return s
			}
			rules := func(cs []ViolationChange) []string {
				var s []string
				for _, c := range cs {
					s = append(s, c.Rule)
				}
				return s
			}
			got := [][]string{names(d.NewFailing), names(d.Fixed), names(d.StillFailing), rules(d.NewViolations), rules(d.FixedViolations)}
			want := [][]string{tc.newFail, tc.fixed, tc.still, tc.newViol, tc.fixedViol}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
			if d.Regressed() != tc.regressed || d.A != 8 || d.B != 7 {
				t.Errorf("regressed %v (want %v), A %d B %d", d.Regressed(), tc.regressed, d.A, d.B)
			}
		})
	}
}

// append2 merges b's governance into a.
func append2(a, b report.Results) report.Results {
	a.Governance = append(append([]report.GovernanceResult(nil), a.Governance...), b.Governance...)
	if len(a.Governance) > 1 {
		// one definition: merge the violations
		var all []report.Violation
		for _, g := range a.Governance {
			all = append(all, g.Violations...)
		}
		a.Governance = lint(all...).Governance
	}
	return a
}

func TestCompareDeltas(t *testing.T) {
	a := Build{Number: 2, HasResults: true, Results: run(ex("", "R", 1, ko("x", ""), ko("y", ""), ok("z")))}
	b := Build{Number: 1, HasResults: true, Results: run(ex("", "R", 1, ko("x", ""), ok("y"), ok("z")))}
	if d := Compare(a, b); d.FailedDelta != 1 || d.LintDelta != 0 {
		t.Errorf("deltas %+v", d)
	}
	if s := (AssertionKey{"C", "a/b", "R", "n", 0}).String(); !strings.Contains(s, "a/b") {
		t.Errorf("key string %q", s)
	}
}

func TestFillMessages(t *testing.T) {
	full := history(10, "PFFP")
	full[0].Results.Governance = lint(v("added", "$.a", report.SevError, 1)).Governance
	full[1].Results.Governance = lint(v("fixed", "$.f", report.SevWarning, 1)).Governance
	// the same builds without messages, as the store's digests give them
	bare := make([]Build, len(full))
	for i, b := range full {
		bare[i] = b
		bare[i].Results = stripMessages(b.Results)
	}
	tr := Compute(bare, Options{})
	if tr.Assertions[0].LastError != "" || tr.Lint.Added[0].Message != "" {
		t.Fatal("messages without messages")
	}
	if got := tr.MessageBuilds(); !reflect.DeepEqual(got, []int{9, 10}) {
		t.Errorf("MessageBuilds = %v, want [9 10] (last failed #9; lint #10 against #9)", got)
	}
	m := map[int]report.Results{}
	for _, n := range tr.MessageBuilds() {
		m[n] = full[10-n].Results
	}
	tr.FillMessages(m)
	want := Compute(full, Options{})
	if !reflect.DeepEqual(tr, want) {
		t.Errorf("filled\n%+v\nwant\n%+v", tr, want)
	}
}

func stripMessages(res report.Results) report.Results {
	var out report.Results
	for _, c := range res.Collections {
		c.Executions = slicesClone(c.Executions)
		for i := range c.Executions {
			as := append([]report.Assertion(nil), c.Executions[i].Assertions...)
			for j := range as {
				as[j].Message = ""
			}
			c.Executions[i].Assertions = as
		}
		out.Collections = append(out.Collections, c)
	}
	for _, g := range res.Governance {
		vs := append([]report.Violation(nil), g.Violations...)
		for j := range vs {
			vs[j].Message = ""
		}
		g.Violations = vs
		out.Governance = append(out.Governance, g)
	}
	return out
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

func TestSparkline(t *testing.T) {
	vals := []float64{0, 0.5, 1, 2, -1}
	got := Sparkline(6, func(i int) (float64, bool) {
		if i == 5 {
			return 0, false
		}
		return vals[i], true
	}, 0, 1)
	if got != "▁▅██▁·" {
		t.Errorf("sparkline %q", got)
	}
	if got := Sparkline(2, func(int) (float64, bool) { return 3, true }, 3, 3); got != "▁▁" {
		t.Errorf("flat sparkline %q", got)
	}
}
