package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// format.go: pure formatters. Time comes in as `now`; nothing reads a clock.

func itoa(n int) string { return strconv.Itoa(n) }

// fmtDur renders a duration compactly: 45s, 1m05s, 12m, 2h05m.
func fmtDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 3600:
		return fmt.Sprintf("%dm", s/60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	}
}

// fmtAgo renders how long ago t was: 12s ago, 3m ago, 2h ago, 4d ago.
func fmtAgo(now, t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		// not to the second: a column that changes every second redraws every second
		return "<1m ago"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	default:
		return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
	}
}

// fmtAge renders the age of data coarsely (it must not change every second,
// or an idle screen would redraw every second).
func fmtAge(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm old", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh old", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd old", int(d/(24*time.Hour)))
}

// fmtProgress is a running build's elapsed time against Jenkins's estimate.
func fmtProgress(now time.Time, b *jenkins.Build) string {
	el := now.Sub(b.Started)
	if b.Started.IsZero() {
		el = 0
	}
	if b.EstimatedDuration <= 0 {
		return fmtDur(el)
	}
	return fmtDur(el) + "/~" + fmtDur(b.EstimatedDuration)
}

// fmtCollections is the collections cell: passed/total assertions and the failed count.
func fmtCollections(c *report.CollectionSummary) string {
	if c == nil {
		return "–"
	}
	s := fmt.Sprintf("%d/%d", c.Assertions-c.AssertionsFailed, c.Assertions)
	if c.AssertionsFailed > 0 {
		s += " ✘" + itoa(c.AssertionsFailed)
	} else if c.RequestsFailed > 0 {
		s += " ✘" + itoa(c.RequestsFailed) + "r"
	}
	return s
}

// fmtGovernance is the governance cell: 7E 16W (info and hints when no more).
func fmtGovernance(g *report.GovernanceSummary) string {
	if g == nil {
		return "–"
	}
	var parts []string
	if g.Error > 0 {
		parts = append(parts, itoa(g.Error)+"E")
	}
	if g.Warning > 0 {
		parts = append(parts, itoa(g.Warning)+"W")
	}
	if len(parts) == 0 && g.Info > 0 {
		parts = append(parts, itoa(g.Info)+"I")
	}
	if len(parts) == 0 && g.Hint > 0 {
		parts = append(parts, itoa(g.Hint)+"H")
	}
	if len(parts) == 0 {
		return "✔ 0"
	}
	return strings.Join(parts, " ")
}

// fmtCause is the short cause of a build.
func fmtCause(b *jenkins.Build) string {
	if len(b.Causes) == 0 {
		return ""
	}
	c := b.Causes[0]
	if c.UserName != "" {
		return "by " + clean(c.UserName)
	}
	return clean(c.Description)
}

// fmtParams renders parameters as K=V, passwords masked.
func fmtParams(ps []jenkins.Param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(clean(p.Name))
		b.WriteString("=")
		if p.Masked {
			b.WriteString("••••")
		} else {
			b.WriteString(clean(p.Value))
		}
	}
	return b.String()
}

// width is the display width of s. Plain ASCII, SGR sequences and the
// dashboard's own glyphs are counted directly; anything else (server text in
// other scripts, wide or combining characters) goes through
// ansi.StringWidth's grapheme segmentation.
func width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x7e:
			n++
			i++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			i = j + 1
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowGlyph(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// narrowGlyph reports the one-cell symbols the dashboard itself draws.
func narrowGlyph(r rune) bool {
	switch r {
	case '▸', '▾', '✔', '✘', '▲', '■', '○', '▶', '…', '–', '·', '│', '›', '‹', '•', '█', '─', '↑', '↓', '←', '→',
		'⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏':
		return true
	}
	return false
}

// cell fits s into exactly w cells: truncated with … or padded with spaces.
func cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = width(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// cellRight is cell aligned right.
func cellRight(s string, w int) string {
	sw := width(s)
	if sw >= w {
		return cell(s, w)
	}
	return strings.Repeat(" ", w-sw) + s
}

// fit truncates a (possibly styled) line to w cells.
func fit(s string, w int) string {
	if len(s) <= w {
		return s // no string of n bytes is wider than n cells
	}
	if width(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// spread puts left and right on one line of w cells. When both do not fit,
// the left part keeps at least half the line and the right part is cut.
func spread(left, right string, w int) string {
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if lw+rw+1 > w {
		keepL := min(lw, max(w/2, w-rw-1))
		left = fit(left, keepL)
		lw = ansi.StringWidth(left)
		right = fit(right, max(0, w-lw-1))
		rw = ansi.StringWidth(right)
	}
	return left + strings.Repeat(" ", max(1, w-lw-rw)) + right
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// toastErr is an error for a one-line toast that already says what failed
// ("abort #46 failed: …"): a Jenkins error without its operation and server,
// so what happened and what to do fit on the line.
func toastErr(err error) string {
	var je *jenkins.Error
	if errors.As(err, &je) {
		short := *je
		short.Op, short.Server = "", ""
		return clean(short.Error())
	}
	return clean(err.Error())
}
