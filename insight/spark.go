package insight

import (
	"math"
	"strings"
)

// sparkBlocks are the eight heights of a sparkline; a gap is a middle dot.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values (oldest first) as block characters scaled between
// lo and hi; a NaN or a missing value (ok false) is a gap ('·'). Values
// outside [lo, hi] are clamped. With hi <= lo every value is the lowest block.
func Sparkline(n int, value func(i int) (v float64, ok bool), lo, hi float64) string {
	var b strings.Builder
	for i := range n {
		v, ok := value(i)
		if !ok || v != v {
			b.WriteRune('·')
			continue
		}
		k := 0
		if hi > lo {
			f := (v - lo) / (hi - lo)
			f = min(max(f, 0), 1)
			k = int(f*float64(len(sparkBlocks)-1) + 0.5)
		}
		b.WriteRune(sparkBlocks[k])
	}
	return b.String()
}

// Sparklines draws the pass rate and the lint errors+warnings of tail
// (newest first) as two sparklines of len(tail) cells, oldest on the left,
// each scaled between the lowest and highest value shown so that a dip
// reads.
func Sparklines(tail []Point) (rate, lint string) {
	n := len(tail)
	at := func(i int) Point { return tail[n-1-i] }
	loRate, hiLint, loLint := 1.0, 0, math.MaxInt
	for _, p := range tail {
		if p.PassRate != nil {
			loRate = min(loRate, *p.PassRate)
		}
		if p.HasLint {
			hiLint = max(hiLint, p.LintErrors+p.LintWarnings)
			loLint = min(loLint, p.LintErrors+p.LintWarnings)
		}
	}
	if loRate == 1 {
		loRate = 0
	}
	if loLint >= hiLint {
		loLint = 0
	}
	rate = Sparkline(n, func(i int) (float64, bool) {
		p := at(i)
		if p.PassRate == nil {
			return 0, false
		}
		return *p.PassRate, true
	}, loRate, 1)
	lint = Sparkline(n, func(i int) (float64, bool) {
		p := at(i)
		return float64(p.LintErrors + p.LintWarnings), p.HasLint
	}, float64(loLint), float64(hiLint))
	return rate, lint
}

// NewestWithResults is the newest of pts (newest first) that has results,
// which says where things stand; pts[0] when none has any.
func NewestWithResults(pts []Point) Point {
	for _, p := range pts {
		if p.HasResults {
			return p
		}
	}
	return pts[0]
}
