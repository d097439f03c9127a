package ui

import (
	"bytes"
	"strings"
)

// maxLogLines and maxLogBytes bound memory for endless logs; older lines
// are dropped.
const (
	maxLogLines = 50000
	maxLogBytes = 16 << 20
	// maxLineBytes cuts an unterminated line held while more text comes.
	maxLineBytes = 1 << 20
)

// logBuffer stores a console log's lines for the log view. The view reads
// them only through Len, Line and Dropped and feeds them only through write
// and end, so another storage (bounded by bytes, spilled to disk, split by
// pipeline stage) can replace this one without touching the view.
type logBuffer struct {
	keepSGR bool     // keep the server's colours (SGR) in the lines
	lines   []string // sanitized
	partial []byte   // an unterminated last line, raw
	dropped int      // lines dropped from the start to stay under maxLogLines and maxLogBytes
	bytes   int      // of the lines kept
	skipped int64    // stored bytes before the first line read: the log was read from its end
}

// write splits new text into lines (Jenkins's classic mode sends CRLF) and
// reports how many old lines it dropped from the start.
func (b *logBuffer) write(p []byte) (dropped int) {
	if len(p) == 0 {
		return 0
	}
	data := append(b.partial, p...)
	b.partial = nil
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(data[:i]), "\r")
		// a bare CR rewrites the line (progress bars): keep the last part
		if j := strings.LastIndexByte(line, '\r'); j >= 0 {
			line = line[j+1:]
		}
		l := cleanLog(line, b.keepSGR)
		b.lines = append(b.lines, l)
		b.bytes += len(l)
		data = data[i+1:]
	}
	if len(data) > maxLineBytes {
		// a "line" without end (a binary dump): cut it to keep memory bounded
		b.lines = append(b.lines, cleanLog(string(data[:maxLineBytes]), b.keepSGR))
		b.bytes += maxLineBytes
		data = nil
	}
	if len(data) > 0 {
		b.partial = append([]byte(nil), data...)
	}
	over := max(0, len(b.lines)-maxLogLines)
	if b.bytes > maxLogBytes {
		// drop down to 90%, so a steady stream copies the lines rarely
		left := b.bytes
		for over < len(b.lines) && left > maxLogBytes*9/10 {
			left -= len(b.lines[over])
			over++
		}
	}
	if over > 0 {
		for _, l := range b.lines[:over] {
			b.bytes -= len(l)
		}
		b.lines = append([]string(nil), b.lines[over:]...)
		b.dropped += over
		return over
	}
	return 0
}

// end is the end of the log: an unterminated last line becomes a line.
func (b *logBuffer) end() {
	if len(b.partial) > 0 {
		l := cleanLog(strings.TrimRight(string(b.partial), "\r"), b.keepSGR)
		b.lines = append(b.lines, l)
		b.bytes += len(l)
		b.partial = nil
	}
}

func (b *logBuffer) Len() int          { return len(b.lines) }
func (b *logBuffer) Line(i int) string { return b.lines[i] }
func (b *logBuffer) Dropped() int      { return b.dropped }
