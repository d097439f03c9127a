package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// BenchmarkKeyPress10kBuilds: one key press (Update + View) with 10,000
// builds loaded at 200x50. Target: under 2 ms.
func BenchmarkKeyPress10kBuilds(b *testing.B) {
	h, apis, _ := newHarness(b, Options{Limit: 10000})
	var many []jenkins.Build
	for n := 10000; n > 0; n-- {
		st := jenkins.StatusSuccess
		if n%7 == 0 {
			st = jenkins.StatusFailure
		}
		bd := mkBuild(n, st, time.Duration(10001-n)*time.Minute, time.Minute)
		bd.Params = []jenkins.Param{{Name: "ENV", Value: "staging"}, {Name: "BRANCH", Value: "feature/x"}}
		many = append(many, bd)
	}
	apis["Payments API"].builds = many
	h.start(200, 50)
	if len(h.m.table.rows) != 10000 {
		b.Fatalf("%d rows", len(h.m.table.rows))
	}
	m := h.m
	down, up := keyMsg("j"), keyMsg("k")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if (i/40)%2 == 1 {
			k = up
		}
		mm, _ := m.Update(k)
		m = mm.(Model)
		if v := m.View(); len(v.Content) == 0 {
			b.Fatal("empty view")
		}
	}
}

// BenchmarkFilterKey10kBuilds: `f` (re-filters all 10,000 builds) + View.
func BenchmarkFilterKey10kBuilds(b *testing.B) {
	h, apis, _ := newHarness(b, Options{Limit: 10000})
	var many []jenkins.Build
	for n := 10000; n > 0; n-- {
		st := jenkins.StatusSuccess
		if n%7 == 0 {
			st = jenkins.StatusFailure
		}
		many = append(many, mkBuild(n, st, time.Duration(10001-n)*time.Minute, time.Minute))
	}
	apis["Payments API"].builds = many
	h.start(200, 50)
	if len(h.m.table.rows) != 10000 {
		b.Fatalf("%d rows", len(h.m.table.rows))
	}
	m := h.m
	f := keyMsg("f")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mm, _ := m.Update(f)
		m = mm.(Model)
		if v := m.View(); !strings.Contains(v.Content, "All") {
			b.Fatal("no filter bar")
		}
	}
	_ = tea.KeyPressMsg{}
}
