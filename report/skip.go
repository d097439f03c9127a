package report

import (
	"bytes"
	"io"
)

// bodySkipper is a streaming filter in front of a json.Decoder. newman and the
// Postman CLI write every response body as {"type":"Buffer","data":[123,34,...]},
// one number per line, so a report is ~18 bytes of JSON per body byte. The
// filter drops the numeric contents of every array that is the value of a
// "data" key ("data": [1,2,3] becomes "data": []), byte by byte, without ever
// holding more than the caller's read buffer. Nothing the parsers read lives
// under a "data" key, so the decoder sees the same report minus the bodies.
//
// Only digits, signs, dots, exponents, commas and whitespace are dropped; the
// first other byte ends skipping and is passed through, so for any input the
// output is the input with a (possibly empty) run of leading numbers removed
// from such arrays: valid JSON stays valid JSON.
type bodySkipper struct {
	r     io.Reader
	state int
	match int  // bytes of `data` matched so far in the current string
	ok    bool // current string still matches `data`
}

const (
	skNormal    = iota // outside any string
	skString           // inside a string
	skEscape           // after a backslash inside a string
	skAfterKey         // after the string "data": expecting ':' (or whitespace)
	skAfterColo        // after "data": expecting '[' (or whitespace)
	skSkip             // inside a "data" array, dropping numbers
)

// skippable is the set of bytes dropped inside a "data" array.
var skippable = func() (t [256]bool) {
	for _, c := range []byte("0123456789,+-.eE \t\r\n") {
		t[c] = true
	}
	return t
}()

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func newBodySkipper(r io.Reader) *bodySkipper { return &bodySkipper{r: r} }

func (s *bodySkipper) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		w := s.filter(p[:n])
		if w > 0 || err != nil {
			return w, err
		}
	}
}

// filter rewrites buf in place and returns the number of bytes kept.
func (s *bodySkipper) filter(buf []byte) int {
	w, i, n := 0, 0, len(buf)
	for i < n {
		switch s.state {
		case skNormal:
			j := bytes.IndexByte(buf[i:], '"')
			if j < 0 {
				w += copy(buf[w:], buf[i:])
				return w
			}
			j += i + 1 // include the quote
			w += copy(buf[w:], buf[i:j])
			i = j
			s.state, s.match, s.ok = skString, 0, true
		case skString:
			start := i
			for i < n {
				c := buf[i]
				if c == '"' || c == '\\' {
					break
				}
				if s.ok {
					if s.match < 4 && c == "data"[s.match] {
						s.match++
					} else {
						s.ok = false
					}
				}
				i++
			}
			w += copy(buf[w:], buf[start:i])
			if i == n {
				return w
			}
			c := buf[i]
			buf[w] = c
			w++
			i++
			if c == '\\' {
				s.ok = false
				s.state = skEscape
			} else if s.ok && s.match == 4 {
				s.state = skAfterKey
			} else {
				s.state = skNormal
			}
		case skEscape:
			buf[w] = buf[i]
			w++
			i++
			s.state = skString
		case skAfterKey, skAfterColo:
			c := buf[i]
			switch {
			case isSpace(c):
			case c == ':' && s.state == skAfterKey:
				s.state = skAfterColo
			case c == '[' && s.state == skAfterColo:
				s.state = skSkip
			default:
				s.state = skNormal
				continue // reprocess c in the normal state
			}
			buf[w] = c
			w++
			i++
		case skSkip:
			for i < n && skippable[buf[i]] {
				i++
			}
			if i < n {
				s.state = skNormal // ']' or anything else is passed through
			}
		}
	}
	return w
}
