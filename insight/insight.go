// Package insight computes history insights from a list of builds and their
// parsed results: the pass-rate series, assertions that failed (failing
// since, flaky, fixed), requests whose response time moved, lint counts and
// rules added or fixed, and a build-vs-build diff. It is pure: no IO, no UI.
//
// Identity across builds (README "History insights"):
//   - an assertion: collection name, folder path, request name, assertion
//     name and iteration (a collection that runs several iterations keeps
//     each apart);
//   - a request: collection name, folder path, request name and method;
//   - a lint violation: definition, rule and JSON path (not the line, which
//     moves when the file is edited).
package insight

import (
	"fmt"
	"strings"

	"github.com/jeeves-dev/jeeves/report"
)

// Build is one build as the insights see it. HasResults is false for a
// build whose results were never stored (running, aborted, no reports):
// such a build is a gap in every series, never a pass or a fail.
type Build struct {
	Number     int
	Status     string
	HasResults bool
	Results    report.Results
}

// AssertionKey identifies an assertion across builds.
type AssertionKey struct {
	Collection string `json:"collection"`
	Folder     string `json:"folder"`
	Request    string `json:"request"`
	Assertion  string `json:"assertion"`
	Iteration  int    `json:"iteration"`
}

// String is "Collection › folder › Request › assertion", with " (iteration N)"
// from the second iteration on (most collections run one).
func (k AssertionKey) String() string {
	parts := []string{k.Collection}
	if k.Folder != "" {
		parts = append(parts, k.Folder)
	}
	parts = append(parts, k.Request, k.Assertion)
	s := strings.Join(parts, " › ")
	if k.Iteration > 1 {
		s += fmt.Sprintf(" (iteration %d)", k.Iteration)
	}
	return s
}

func (k AssertionKey) less(o AssertionKey) int {
	return cmpStrings([]string{k.Collection, k.Folder, k.Request, k.Assertion}, []string{o.Collection, o.Folder, o.Request, o.Assertion}, k.Iteration, o.Iteration)
}

// RequestKey identifies a request across builds.
type RequestKey struct {
	Collection string `json:"collection"`
	Folder     string `json:"folder"`
	Name       string `json:"name"`
	Method     string `json:"method"`
}

// String is "METHOD Collection › folder › Name".
func (k RequestKey) String() string {
	parts := []string{k.Collection}
	if k.Folder != "" {
		parts = append(parts, k.Folder)
	}
	parts = append(parts, k.Name)
	return k.Method + " " + strings.Join(parts, " › ")
}

// ViolationKey identifies a lint violation across builds.
type ViolationKey struct {
	Definition string `json:"definition"`
	Rule       string `json:"rule"`
	Path       string `json:"path"`
}

func cmpStrings(a, b []string, ai, bi int) int {
	for i := range a {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return ai - bi
}

// outcome of one assertion in one build.
type outcome uint8

const (
	absent outcome = iota // not run in this build (or the build has no results)
	pass
	fail
)

// assertionOutcomes folds a build's assertions by identity. An identity that
// occurs more than once (two pm.test with one name) fails when any fails.
// Skipped assertions are not observations.
func assertionOutcomes(res report.Results, fn func(AssertionKey, outcome, string)) {
	for _, c := range res.Collections {
		for _, e := range c.Executions {
			for _, a := range e.Assertions {
				var o outcome
				switch a.Status {
				case report.Passed:
					o = pass
				case report.Failed:
					o = fail
				default:
					continue
				}
				fn(AssertionKey{c.Name, e.Folder, e.Name, a.Name, e.Iteration}, o, a.Message)
			}
		}
	}
}

type assertState struct {
	o   outcome
	msg string
}

func assertionMap(res report.Results) map[AssertionKey]assertState {
	m := make(map[AssertionKey]assertState)
	assertionOutcomes(res, func(k AssertionKey, o outcome, msg string) {
		cur, ok := m[k]
		if !ok || (o == fail && cur.o != fail) {
			m[k] = assertState{o, msg}
		}
	})
	return m
}

type violState struct {
	sev     report.Severity
	message string
	count   int
}

// severityRank orders severities, error first.
func severityRank(s report.Severity) int {
	switch s {
	case report.SevError:
		return 0
	case report.SevWarning:
		return 1
	case report.SevInfo:
		return 2
	case report.SevHint:
		return 3
	}
	return 4
}

func violationMap(res report.Results) map[ViolationKey]violState {
	m := make(map[ViolationKey]violState)
	for _, g := range res.Governance {
		for _, v := range g.Violations {
			k := ViolationKey{g.Definition, v.Rule, v.Path}
			cur, ok := m[k]
			if !ok {
				m[k] = violState{v.Severity, v.Message, 1}
				continue
			}
			cur.count++
			if severityRank(v.Severity) < severityRank(cur.sev) {
				cur.sev, cur.message = v.Severity, v.Message
			}
			m[k] = cur
		}
	}
	return m
}
