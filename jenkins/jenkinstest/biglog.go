package jenkinstest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// fillerWidth is the stored length of one generated log line, LF included.
const fillerWidth = 100

// maxLinesRead is Stapler's LargeText.MAX_LINES_READ: a plain progressiveText
// answer for a log still being written stops after this many line ends.
const maxLinesRead = 10000

// storedLog is a build's console log as Jenkins stores it at one moment
// (console notes included): head, then filler generated lines, then tail. It
// is immutable, so handlers stream it after the server's lock is released.
type storedLog struct {
	head     string
	filler   int64 // generated lines
	tail     string
	complete bool
}

// Len is the stored length in bytes.
func (l *storedLog) Len() int64 {
	return int64(len(l.head)) + l.filler*fillerWidth + int64(len(l.tail))
}

// fillerLine writes generated line i (fillerWidth bytes, LF last) into p.
func fillerLine(p []byte, i int64) {
	p = append(p[:0:fillerWidth], "step 000000000: processed 512 records in 3 ms, batch "...)
	for k, n := 13, i+1; k >= 5; k-- {
		p[k] = byte('0' + n%10)
		n /= 10
	}
	p = strconv.AppendInt(p, i%997, 10)
	p = append(p, " ok "...)
	for len(p) < fillerWidth-1 {
		p = append(p, '.')
	}
	p = append(p, '\n')
}

// FillerLine is generated line i (0-based) of a job with log_bytes, without
// its line end: what tests expect to find in a huge log.
func FillerLine(i int64) string {
	var b [fillerWidth]byte
	fillerLine(b[:], i)
	return string(b[:fillerWidth-1])
}

// ReadAt reads stored bytes from off.
func (l *storedLog) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	hl, fl := int64(len(l.head)), l.filler*fillerWidth
	var line [fillerWidth]byte
	for n < len(p) {
		o := off + int64(n)
		switch {
		case o < hl:
			n += copy(p[n:], l.head[o:])
		case o < hl+fl:
			f := o - hl
			fillerLine(line[:], f/fillerWidth)
			n += copy(p[n:], line[f%fillerWidth:])
		case o < hl+fl+int64(len(l.tail)):
			n += copy(p[n:], l.tail[o-hl-fl:])
		default:
			return n, io.EOF
		}
	}
	return n, nil
}

// logAt is the stored log at time now.
func (b *build) logAt(now time.Time) *storedLog {
	b.plan()
	elapsed := now.Sub(b.start)
	aborted := !b.abortedAt.IsZero() && !now.Before(b.abortedAt)
	limit := elapsed
	if aborted {
		limit = b.abortedAt.Sub(b.start)
	}
	var head, tail strings.Builder
	lg := &storedLog{}
	for i, l := range b.log {
		if l.at > limit {
			break
		}
		sb := &head
		if b.fillLines > 0 && i >= b.fillAt {
			sb = &tail
		}
		sb.WriteString(l.text)
		sb.WriteByte('\n')
	}
	if b.fillLines > 0 && limit >= b.fillFrom {
		lg.filler = b.fillLines
		if limit < b.fillTo {
			lg.filler = int64(float64(b.fillLines) * float64(limit-b.fillFrom) / float64(b.fillTo-b.fillFrom))
		}
	}
	if aborted {
		who := b.abortedBy
		if who == "" {
			who = "anonymous"
		}
		tail.WriteString("Aborted by " + who + "\n")
		tail.WriteString("Finished: ABORTED\n")
		lg.complete = true
	} else {
		lg.complete = !b.building(now)
	}
	lg.head, lg.tail = head.String(), tail.String()
	return lg
}

// linesEnd is where a plain answer for an open log from start stops: after
// at most max line ends (CR or LF, as Stapler's TailMark counts them), at the
// last one.
func (l *storedLog) linesEnd(start int64, max int) int64 {
	r := bufio.NewReaderSize(io.NewSectionReader(l, start, l.Len()-start), 64<<10)
	end, pos, seen := start, start, 0
	for seen < max {
		c, err := r.ReadByte()
		if err != nil {
			break
		}
		pos++
		if c == '\n' || c == '\r' {
			seen++
			end = pos
		}
	}
	return end
}

// lineStartAfter is the first line start at or after off.
func (l *storedLog) lineStartAfter(off int64) int64 {
	if off <= 0 {
		return 0
	}
	var one [1]byte
	if _, err := l.ReadAt(one[:], off-1); err == nil && one[0] == '\n' {
		return off
	}
	r := bufio.NewReader(io.NewSectionReader(l, off, l.Len()-off))
	pos := off
	for {
		c, err := r.ReadByte()
		if err != nil {
			return l.Len()
		}
		pos++
		if c == '\n' {
			return pos
		}
	}
}

// writeText writes stored bytes [from, to) with console notes removed; crlf
// turns a lone LF into CRLF, as Stapler's LineEndNormalizingWriter does in the
// classic plain answer.
func (l *storedLog) writeText(w io.Writer, from, to int64, crlf bool) {
	bw := bufio.NewWriterSize(w, 64<<10)
	r := bufio.NewReaderSize(io.NewSectionReader(l, from, to-from), 64<<10)
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 {
			if bytes.Contains(line, []byte("\x1b[8mha:")) {
				line = consoleNote.ReplaceAll(line, nil)
			}
			if crlf && line[len(line)-1] == '\n' && (len(line) < 2 || line[len(line)-2] != '\r') {
				bw.Write(line[:len(line)-1])
				bw.WriteString("\r\n")
			} else if _, werr := bw.Write(line); werr != nil {
				return
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			break
		}
	}
	bw.Flush()
}

// streamingLogs tells whether the claimed version answers progressiveText as
// multipart when asked (Stapler #722, Jenkins 2.534 and later).
func (s *Server) streamingLogs() bool {
	parts := strings.SplitN(s.Version(), ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, _ := strconv.Atoi(parts[0])
	minor, _ := strconv.Atoi(parts[1])
	return major > 2 || (major == 2 && minor >= 534)
}

// progressive answers logText/progressiveText as Jenkins does.
//
// Plain (classic) answer: X-Text-Size is where the answer stopped in the
// stored log (console notes included); X-More-Data only while the build runs;
// lone LF sent as CRLF; for a running build at most maxLinesRead lines; a
// start past the end is answered from 0 ("rolled over"); a negative start
// fails as Stapler's RandomAccessFile seek does (an error page).
//
// Multipart answer (Accept: multipart/form-data, Jenkins 2.534+): a "text"
// part (notes stripped, stored line ends) and a "meta" part
// {completed,start,end}; a negative start asks for the tail, from its first
// line start (startFromNewLine).
func (s *Server) progressive(q *req, b *build) {
	lg := b.logAt(q.now)
	size := lg.Len()
	start, _ := strconv.ParseInt(q.r.FormValue("start"), 10, 64) // query or form body (the npm client POSTs it)
	h := q.w.Header()
	if s.streamingLogs() && strings.Contains(q.r.Header.Get("Accept"), "multipart/form-data") {
		fromNewLine := false
		switch {
		case start < 0:
			if size+start > 0 {
				start = lg.lineStartAfter(size + start)
				fromNewLine = true
			} else {
				start = 0
			}
		case start > size:
			start = 0
		}
		mw := multipart.NewWriter(q.w)
		h.Set("Content-Type", "multipart/form-data; boundary="+mw.Boundary())
		meta := map[string]any{"completed": lg.complete, "start": start, "end": size}
		if fromNewLine {
			meta["startFromNewLine"] = true
		}
		q.after = func() {
			pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="text"`},
				"Content-Type": {"text/plain;charset=UTF-8"}})
			if err != nil {
				return
			}
			lg.writeText(pw, start, size, false)
			pw, err = mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="meta"`},
				"Content-Type": {"application/json;charset=UTF-8"}})
			if err != nil {
				return
			}
			json.NewEncoder(pw).Encode(meta)
			mw.Close()
		}
		return
	}
	if start < 0 {
		errorPage(q.w, http.StatusInternalServerError, "Oops!", "java.io.IOException: Negative seek offset")
		return
	}
	if start > size {
		start = 0
	}
	end := size
	if !lg.complete {
		end = lg.linesEnd(start, maxLinesRead)
	}
	h.Set("Content-Type", "text/plain;charset=utf-8")
	h.Set("X-Text-Size", strconv.FormatInt(end, 10))
	if !lg.complete {
		h.Set("X-More-Data", "true")
	}
	q.after = func() { lg.writeText(q.w, start, end, true) }
}
