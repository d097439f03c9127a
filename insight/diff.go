package insight

import (
	"slices"

	"github.com/jeeves-dev/jeeves/report"
)

// Diff is build A against build B (usually the completed build before it).
type Diff struct {
	A int `json:"a"`
	B int `json:"b"`
	// NewFailing fail in A and did not fail in B (Was: "passed", or "absent"
	// when B did not run them); Fixed failed in B and pass in A.
	NewFailing   []AssertionChange `json:"new_failing"`
	Fixed        []AssertionChange `json:"fixed"`
	StillFailing []AssertionChange `json:"still_failing"`
	// NewViolations are in A and not in B (or more severe in A);
	// FixedViolations were in B and are gone in A.
	NewViolations   []ViolationChange `json:"new_violations"`
	FixedViolations []ViolationChange `json:"fixed_violations"`
	// FailedDelta and LintDelta are A's failed assertions and lint errors+warnings minus B's.
	FailedDelta int `json:"failed_delta"`
	LintDelta   int `json:"lint_delta"`
}

// AssertionChange is one assertion in a diff; Message is its error in the
// build where it failed (A for new and still failing, B for fixed).
type AssertionChange struct {
	AssertionKey
	Was     string `json:"was"`
	Message string `json:"message"`
}

// Regressed tells whether A has new failing assertions or new lint errors
// against B: what `jeeves diff` exits 1 for.
func (d Diff) Regressed() bool {
	if len(d.NewFailing) > 0 {
		return true
	}
	for _, v := range d.NewViolations {
		if v.Severity == report.SevError {
			return true
		}
	}
	return false
}

// Compare diffs build a against build b.
func Compare(a, b Build) Diff {
	d := Diff{A: a.Number, B: b.Number}
	ma, mb := assertionMap(a.Results), assertionMap(b.Results)
	for k, s := range ma {
		old, ok := mb[k]
		switch {
		case s.o == fail && !ok:
			d.NewFailing = append(d.NewFailing, AssertionChange{k, "absent", s.msg})
		case s.o == fail && old.o == pass:
			d.NewFailing = append(d.NewFailing, AssertionChange{k, "passed", s.msg})
		case s.o == fail:
			d.StillFailing = append(d.StillFailing, AssertionChange{k, "failed", s.msg})
		case s.o == pass && ok && old.o == fail:
			d.Fixed = append(d.Fixed, AssertionChange{k, "failed", old.msg})
		}
	}
	for _, l := range []*[]AssertionChange{&d.NewFailing, &d.Fixed, &d.StillFailing} {
		slices.SortFunc(*l, func(x, y AssertionChange) int { return x.AssertionKey.less(y.AssertionKey) })
	}
	d.NewViolations, d.FixedViolations = violationChanges(a.Results, b.Results)
	var pa, pb Point
	fillPoint(&pa, a.Results)
	fillPoint(&pb, b.Results)
	d.FailedDelta = pa.Failed - pb.Failed
	d.LintDelta = pa.LintErrors + pa.LintWarnings - pb.LintErrors - pb.LintWarnings
	return d
}
