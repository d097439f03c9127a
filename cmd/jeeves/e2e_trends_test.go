package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/internal/tmuxtest"
)

// TestE2EDemoTrendsFindsTheRegression: `jeeves --demo` in a real terminal at
// 80x24. t opens the trends of Payments API; they name the build where the
// demo's regression started (the one history.js broke it in), and enter on
// it shows the failed assertion in the table, in the build where it last
// failed; esc from a second visit goes back.
func TestE2EDemoTrendsFindsTheRegression(t *testing.T) {
	tmuxtest.Require(t)
	t.Parallel()
	sc := loadDemoScenario(t)
	bin := tmuxtest.Build(t, e2eRoot)
	dir := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "JEEVES_CONFIG=", "JEEVES_STORE=", "NO_COLOR=", "LANG=C.UTF-8"}
	d := tmuxtest.Start(t, 80, 24, dir, env, bin, "--demo")
	// the dashboard is up: at 80 columns its hint bar offers t trend on a
	// finished build, and x abort in its place on a running one (the demo's
	// newest, selected at start); t works on either
	d.WaitUntil("x abort or t trend in the hint bar", 30*time.Second, func(s string) bool {
		ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
		bar := ls[len(ls)-1]
		return strings.Contains(bar, "c log") && (strings.Contains(bar, "x abort") != strings.Contains(bar, "t trend"))
	})

	d.Keys("t")
	fixed := regexp.MustCompile(`fixed in #(\d+) \(failed #(\d+)–#(\d+), (\d+) builds\)`)
	// the trends fill in as the engine reads the results of their 50 builds
	s := d.WaitUntil("the regression's whole span", 60*time.Second, func(s string) bool {
		m := fixed.FindStringSubmatch(s)
		return m != nil && strings.Contains(s, "50 builds") && m[2] == strconv.Itoa(sc.Regression.From)
	})
	m := fixed.FindStringSubmatch(s)
	if m[1] != strconv.Itoa(sc.Regression.Fixed) || m[3] != strconv.Itoa(sc.Regression.Fixed-1) {
		t.Fatalf("the trends say %q; the demo broke it in #%d and fixed it in #%d:\n%s", m[0], sc.Regression.From, sc.Regression.Fixed, s)
	}
	if !strings.Contains(s, "flaky: flipped") || !strings.Contains(s, "Requests that got slower") {
		t.Errorf("the flaky test or the slower request is missing:\n%s", s)
	}
	for _, l := range strings.Split(s, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("a line of %d columns: %q", n, l)
		}
	}

	// select the regression's first assertion and show it where it last failed
	d.Keys("j", "Enter")
	last := "#" + strconv.Itoa(sc.Regression.Fixed-1)
	s = d.WaitUntil("the table expanded down to the assertion", 20*time.Second, func(s string) bool {
		return strings.Contains(s, "▾ "+last) && strings.Contains(s, "Create order") && strings.Contains(s, "✘ "+sc.Regression.Assertions[1])
	})
	if strings.Contains(s, "Assertions that failed") {
		t.Fatalf("still on the trends screen:\n%s", s)
	}

	// esc leaves a second visit
	d.Keys("t")
	d.WaitFor("Assertions that failed", 20*time.Second)
	d.Keys("Escape")
	d.WaitUntil("the builds table again", 10*time.Second, func(s string) bool {
		return !strings.Contains(s, "Assertions that failed") && strings.Contains(s, "▾ "+last)
	})
}
