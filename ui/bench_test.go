package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jeeves-dev/jeeves/config"
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

// BenchmarkKeyPress20Integrations: twenty integrations of 50 builds each
// (issue 11) at 120x40; "builds" moves the cursor in the builds table,
// "switch" moves between integrations in the panel (rebuilding the rows of
// the one shown and telling the engine). Update + View; target under 2 ms.
func BenchmarkKeyPress20Integrations(b *testing.B) {
	for _, tc := range []struct {
		name     string
		panel    bool
		down, up string
	}{{"builds", false, "j", "k"}, {"switch", true, "j", "k"}} {
		b.Run(tc.name, func(b *testing.B) {
			apis, st := newFakes()
			var ints []config.Integration
			for i := range 20 {
				nick := fmt.Sprintf("Service %02d", i+1)
				var bs []jenkins.Build
				for n := 50; n > 0; n-- {
					s := jenkins.StatusSuccess
					if n%5 == 0 {
						s = jenkins.StatusFailure
					}
					bs = append(bs, mkBuild(n, s, time.Duration(51-n)*time.Hour, time.Minute))
				}
				apis[nick] = &fakeAPI{base: "http://jenkins.test", builds: bs}
				ints = append(ints, config.Integration{Nickname: nick, URL: "http://jenkins.test", Job: fmt.Sprintf("svc-%02d", i+1), Source: "config"})
			}
			h := newHarnessWith(b, Deps{Jenkins: apis, Store: st, Clock: func() time.Time { return t0 }}, Options{Integrations: ints})
			h.start(120, 40)
			for _, ig := range h.m.ints {
				if len(ig.records) != 50 {
					b.Fatalf("%s: %d builds", ig.cfg.Nickname, len(ig.records))
				}
			}
			if tc.panel {
				h.key("tab")
			}
			m := h.m
			down, up := keyMsg(tc.down), keyMsg(tc.up)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := down
				if (i/10)%2 == 1 {
					k = up
				}
				mm, _ := m.Update(k)
				m = mm.(Model)
				if v := m.View(); len(v.Content) == 0 {
					b.Fatal("empty view")
				}
			}
		})
	}
}
