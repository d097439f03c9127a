// Package termtext makes server-provided text safe to put on a terminal:
// job and build names, causes, parameters, log lines, request names,
// assertion and lint messages.
package termtext

import (
	"strings"
	"unicode/utf8"
)

// Clean returns s with every terminal control and escape sequence removed:
// ESC sequences (CSI, OSC, DCS, SOS, PM, APC and two-byte escapes), C0 and C1
// control characters and DEL. Tabs become a space; newlines and carriage
// returns become a space too, so the result is one line. Invalid UTF-8 bytes
// become U+FFFD.
func Clean(s string) string {
	return clean(s, false, false)
}

// CleanMultiline is Clean but keeps '\n' (and drops '\r').
func CleanMultiline(s string) string {
	return clean(s, true, false)
}

// CleanKeepSGR is CleanMultiline that keeps colour/style sequences (SGR:
// ESC [ digits/semicolons m), which cannot move the cursor, clear the screen,
// set the title or touch the clipboard. Use it for console logs rendered in
// colour.
func CleanKeepSGR(s string) string {
	return clean(s, true, true)
}

// IsClean reports whether Clean(s) == s, cheaply.
func IsClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			return clean(s, false, false) == s
		}
	}
	return true
}

func clean(s string, keepNL, keepSGR bool) string {
	if !keepNL && IsCleanASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b: // ESC
			n, sgr := escLen(s[i:])
			if keepSGR && sgr {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		case c == '\n':
			if keepNL {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case c == '\t':
			b.WriteByte(' ')
		case c == '\r':
			if !keepNL {
				b.WriteByte(' ')
			}
		case c < 0x20 || c == 0x7f:
			// drop other C0 controls and DEL
		case c < 0x80:
			b.WriteByte(c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b.WriteRune(utf8.RuneError)
			case r >= 0x80 && r <= 0x9f:
				// C1 controls: 0x9b is a CSI introducer on some terminals; drop
				// it and the sequence it would start.
				if r == 0x9b || r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f {
					n := c1SeqLen(s[i+size:], r)
					i += size + n
					continue
				}
			case r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
				// line/paragraph separators and bidi overrides can reorder or
				// break the screen; drop them
			default:
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		i++
	}
	return b.String()
}

// IsCleanASCII reports whether s is printable ASCII only.
func IsCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// escLen returns the length of the escape sequence at the start of s (which
// begins with ESC) and whether it is a plain SGR sequence.
func escLen(s string) (int, bool) {
	if len(s) < 2 {
		return len(s), false
	}
	switch s[1] {
	case '[': // CSI: parameters 0x30-0x3f, intermediates 0x20-0x2f, final 0x40-0x7e
		j := 2
		for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
			j++
		}
		params := s[2:j]
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
			sgr := s[j] == 'm' && j == 2+len(params) && onlyDigitsSemis(params)
			return j + 1, sgr
		}
		return j, false // unterminated: drop what we saw
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST
		for j := 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1, false
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2, false
			}
		}
		return len(s), false
	default:
		// two-byte (or with intermediates) escape: ESC [0x20-0x2f]* final
		j := 1
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) {
			j++
		}
		return j, false
	}
}

func onlyDigitsSemis(p string) bool {
	for i := 0; i < len(p); i++ {
		if (p[i] < '0' || p[i] > '9') && p[i] != ';' {
			return false
		}
	}
	return true
}

// c1SeqLen is the length of the body of a sequence started by an 8-bit C1
// introducer r (already consumed).
func c1SeqLen(s string, r rune) int {
	if r == 0x9b { // CSI
		j := 0
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
			j++
		}
		if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
			j++
		}
		return j
	}
	// string sequences end at BEL, ESC \ or the 8-bit ST (0xc2 0x9c)
	for j := 0; j < len(s); j++ {
		if s[j] == 0x07 {
			return j + 1
		}
		if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
			return j + 2
		}
		if s[j] == 0xc2 && j+1 < len(s) && s[j+1] == 0x9c {
			return j + 2
		}
	}
	return len(s)
}
