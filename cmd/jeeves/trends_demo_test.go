package main

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// demoScenario is the scenario demo/history.js made the demo's history with.
type demoScenario struct {
	Job     string `json:"job"`
	First   int    `json:"first"`
	Last    int    `json:"last"`
	Aborted []int  `json:"aborted"`
	Flaky   struct {
		Folder, Request, Assertion string
		Failed                     []int
	} `json:"flaky"`
	Regression struct {
		Folder, Request string
		Assertions      []string
		From, Fixed     int
	} `json:"regression"`
	Slower struct {
		Folder, Request, Method string
		From                    int
	} `json:"slower"`
	Lint []struct {
		From, Stage int
	} `json:"lint"`
}

func loadDemoScenario(t *testing.T) demoScenario {
	t.Helper()
	b, err := jenkinstest.DemoFile("history.json")
	if err != nil {
		t.Fatal(err)
	}
	var idx struct{ Scenario demoScenario }
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	return idx.Scenario
}

// The demo world's history is the one history.js made: trends and diff
// find its flaky test, its regression (the build that broke it and the one
// that fixed it), its slower request and its lint changes.
func TestTrendsAndDiffOnTheDemoHistory(t *testing.T) {
	sc := loadDemoScenario(t)
	s := newStoreSim(t)
	tr := trendsOf(t, s) // the newest 50 builds
	if n := len(tr.Builds); n != sc.Last-sc.First+1 || tr.Builds[0].Number != sc.Last || tr.Builds[n-1].Number != sc.First {
		t.Fatalf("trends read %d builds #%d–#%d, want the scenario's #%d–#%d", n, tr.Builds[n-1].Number, tr.Builds[0].Number, sc.First, sc.Last)
	}
	regressed := func(n int) bool { return n >= sc.Regression.From && n < sc.Regression.Fixed }
	for _, p := range tr.Builds {
		want := 0
		if slices.Contains(sc.Flaky.Failed, p.Number) {
			want++
		}
		if regressed(p.Number) {
			want += len(sc.Regression.Assertions)
		}
		noResults := slices.Contains(sc.Aborted, p.Number) || p.Number == sc.Last // the newest is still running
		if p.HasResults == noResults || (p.HasResults && p.Failed != want) {
			t.Errorf("#%d: has results %v, %d failed; want results %v, %d failed", p.Number, p.HasResults, p.Failed, !noResults, want)
		}
	}
	// the assertions: the flaky one and the regression's, nothing else
	got := map[string]insight.AssertionTrend{}
	for _, a := range tr.Assertions {
		got[a.Request+" › "+a.Assertion] = a
	}
	if len(got) != 1+len(sc.Regression.Assertions) {
		t.Errorf("%d assertions failed in the history, want %d: %+v", len(got), 1+len(sc.Regression.Assertions), tr.Assertions)
	}
	fl := got[sc.Flaky.Request+" › "+sc.Flaky.Assertion]
	if fl.Kind != insight.KindFlaky || fl.Folder != sc.Flaky.Folder || fl.LastFailed != slices.Max(sc.Flaky.Failed) ||
		fl.Failures != len(sc.Flaky.Failed) || fl.Flips != 2*len(sc.Flaky.Failed) || fl.LastError == "" {
		t.Errorf("the flaky assertion: %+v", fl)
	}
	for _, name := range sc.Regression.Assertions {
		a := got[sc.Regression.Request+" › "+name]
		if a.Kind != insight.KindFixed || a.Since != sc.Regression.From || a.FixedIn != sc.Regression.Fixed ||
			a.LastFailed != sc.Regression.Fixed-1 || a.Streak != sc.Regression.Fixed-sc.Regression.From || a.LastError == "" {
			t.Errorf("the regression's %q: %+v", name, a)
		}
	}
	// the slower request, and only it
	var flagged []string
	for _, r := range tr.Requests {
		if r.Flagged {
			flagged = append(flagged, r.Method+" "+r.Folder+" › "+r.Name)
		}
	}
	if want := []string{sc.Slower.Method + " " + sc.Slower.Folder + " › " + sc.Slower.Request}; !slices.Equal(flagged, want) {
		t.Errorf("slower requests %q, want %q", flagged, want)
	}
	// lint: the newest finished build made the last change
	lastStage := sc.Lint[len(sc.Lint)-1]
	if l := tr.Lint; l.Newest != sc.Last-1 || l.Previous != sc.Last-2 || (l.Newest == lastStage.From) != (len(l.Fixed) > 0) {
		t.Errorf("lint change %+v (the last lint change is at #%d)", l, lastStage.From)
	}

	// diff: the build that broke it, the one that fixed it, the lint changes
	names := func(cs []insight.AssertionChange) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Assertion)
		}
		sort.Strings(out)
		return out
	}
	want := slices.Clone(sc.Regression.Assertions)
	sort.Strings(want)
	br := diffOf(t, s, 1, strconv.Itoa(sc.Regression.From))
	if br.B != sc.Regression.From-1 || !slices.Equal(names(br.NewFailing), want) || !br.Regressed {
		t.Errorf("diff #%d (broke it): %+v", sc.Regression.From, br)
	}
	fx := diffOf(t, s, 0, strconv.Itoa(sc.Regression.Fixed), "--offline")
	var fixed []string
	for _, c := range fx.Fixed {
		if c.Request == sc.Regression.Request {
			fixed = append(fixed, c.Assertion)
		}
	}
	sort.Strings(fixed)
	if fx.B != sc.Regression.Fixed-1 || !slices.Equal(fixed, want) || len(fx.NewFailing) != 0 {
		t.Errorf("diff #%d (fixed it): %+v", sc.Regression.Fixed, fx)
	}
	for i, l := range sc.Lint[1:] {
		prevStage := sc.Lint[i]
		_ = prevStage
		d := diffOf(t, s, map[bool]int{true: 1, false: 0}[l.Stage == 1], strconv.Itoa(l.From), "--offline")
		switch l.Stage {
		case 1: // adds an operation without security: a new error
			var rules []string
			for _, v := range d.NewViolations {
				rules = append(rules, string(v.Severity)+" "+v.Rule+" "+v.Path)
			}
			if !slices.Contains(rules, "error operation-security-defined paths./orders/{id}/refund.post") || len(d.FixedViolations) != 0 {
				t.Errorf("diff #%d: new %q, fixed %+v", l.From, rules, d.FixedViolations)
			}
		default: // fixes only
			if len(d.FixedViolations) == 0 || len(d.NewViolations) != 0 {
				t.Errorf("diff #%d: new %+v, fixed %+v", l.From, d.NewViolations, d.FixedViolations)
			}
		}
	}
	// an aborted build is passed over for the default B
	ab := sc.Aborted[0]
	if d := diffOf(t, s, 0, strconv.Itoa(ab+1), "--offline"); d.B != ab-1 {
		t.Errorf("diff #%d compared with #%d, want #%d (#%d was aborted)", ab+1, d.B, ab-1, ab)
	}
}
