package insight

import "strings"

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
