package jenkins

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// How TailLog found the end of a log.
const (
	// TailMultipart: one streaming request with a negative start (Jenkins
	// 2.534+ answers progressiveText as multipart/form-data when asked, or
	// as text and a meta line with X-Streaming).
	TailMultipart = "multipart"
	// TailProbe: an older Jenkins. X-Text-Size of answers whose bodies were
	// not read told the log's length, then one request read the tail.
	TailProbe = "probe"
	// TailWhole: the log is no longer than the window: it was read whole.
	TailWhole = "whole"
)

// maxProbes bounds the requests that look for the end of a running log on a
// Jenkins without the multipart answer.
const maxProbes = 48

// LogTail is the end of a build's console log, read without downloading the
// rest where Jenkins allows it.
type LogTail struct {
	Text       []byte // cleaned (LF line ends, no console notes), from a line start
	From       int64  // stored offset (about) where Text starts: 0 is the whole log
	NextOffset int64  // follow with Log from here
	More       bool   // the build is still writing it
	Method     string // TailMultipart, TailProbe or TailWhole
	Requests   int    // requests it took
}

// TailLog reads about the last window bytes of a build's console log.
//
// Jenkins 2.534+ (Stapler's streaming mode, asked for with Accept:
// multipart/form-data) takes a negative start and answers the tail from its
// first line start: one request. An older Jenkins ignores the Accept header
// and fails a negative start (RandomAccessFile seek) or answers from 0; then
// the plain answer's X-Text-Size, read before its body, gives the length: for
// a finished log, of an answer from 0 (Jenkins reads the log once to answer;
// jeeves reads the headers only); for a running one, where each answer stops
// after 10000 lines, by probes (a start past the end is answered from 0,
// which shows as X-Text-Size below the start). Then one request from
// length-window reads the tail.
func (c *Client) TailLog(ctx context.Context, job string, number int, window int64) (LogTail, error) {
	if window <= 0 {
		window = 1 << 20
	}
	jp, cl, err := c.jobCall(job, "log", fmt.Sprintf("read the end of the log of build #%d of %q", number, job))
	if err != nil {
		return LogTail{}, err
	}
	cl.path = fmt.Sprintf("%s/%d/logText/progressiveText", jp, number)
	cl.notFound = fmt.Sprintf("build #%d of %q", number, job)
	cl.stream = true
	t := LogTail{}

	cl.query = "start=" + strconv.FormatInt(-window, 10)
	t.Requests++
	// Both ways Stapler's streaming mode has been asked for: Accept
	// multipart/form-data (text and meta parts), and X-Streaming (the text,
	// then the meta as a last JSON line; Stapler's LargeTextTest).
	resp, err := c.send(ctx, cl, http.Header{"Accept": {"multipart/form-data"}, "X-Streaming": {"true"}})
	if err != nil {
		return LogTail{}, err
	}
	mediaType, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case ok && mediaType == "multipart/form-data" && params["boundary"] != "":
		err := c.readMultipartTail(ctx, cl, resp, params["boundary"], window, &t)
		return t, err
	case ok && strings.EqualFold(resp.Header.Get("X-Streaming"), "true"):
		err := c.readStreamingTail(ctx, cl, resp, window, &t)
		return t, err
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return LogTail{}, c.statusError(cl, resp)
	}
	// A plain answer (the Accept header was ignored, the body may be the
	// whole log) or an error page for the negative start: look again.
	resp.body.Close()
	return c.probeTail(ctx, cl, window, t)
}

func (c *Client) readMultipartTail(ctx context.Context, cl *call, resp *response, boundary string, window int64, t *LogTail) error {
	defer resp.body.Close()
	mr := multipart.NewReader(resp.body, boundary)
	var meta streamMeta
	gotMeta := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return c.readError(ctx, cl, err)
		}
		switch p.FormName() {
		case "text":
			data, over, err := readTail(p, window+window/4)
			if err != nil {
				return c.readError(ctx, cl, err)
			}
			if over {
				data = dropPartialLine(data)
			}
			t.Text = CleanLog(data)
		case "meta":
			if err := json.NewDecoder(io.LimitReader(p, 1<<16)).Decode(&meta); err != nil {
				return &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, What: "the log's meta part is not JSON: " + c.clean(err.Error())}
			}
			gotMeta = true
		}
	}
	if !gotMeta {
		return &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, What: "the multipart log answer has no meta part"}
	}
	t.From, t.NextOffset, t.More, t.Method = meta.Start, meta.End, !meta.Completed, TailMultipart
	return nil
}

// streamMeta is the meta of a streaming answer.
type streamMeta struct {
	Completed bool  `json:"completed"`
	Start     int64 `json:"start"`
	End       int64 `json:"end"`
}

// readStreamingTail reads an X-Streaming answer: the text, then "\n" and
// the meta as one JSON line.
func (c *Client) readStreamingTail(ctx context.Context, cl *call, resp *response, window int64, t *LogTail) error {
	defer resp.body.Close()
	data, over, err := readTail(resp.body, window+window/4+(1<<16))
	if err != nil {
		return c.readError(ctx, cl, err)
	}
	i := bytes.LastIndexByte(data, '\n')
	var meta streamMeta
	if i < 0 || json.Unmarshal(data[i+1:], &meta) != nil {
		return &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, What: "the streaming log answer does not end with its meta line"}
	}
	data = data[:i]
	if over {
		data = dropPartialLine(data)
	}
	t.Text = CleanLog(data)
	t.From, t.NextOffset, t.More, t.Method = meta.Start, meta.End, !meta.Completed, TailMultipart
	return nil
}

// probeTail finds the end of a log through plain answers whose bodies are
// not read, then reads the tail.
func (c *Client) probeTail(ctx context.Context, cl *call, window int64, t LogTail) (LogTail, error) {
	size, more, whole, err := c.probeFirst(ctx, cl, window, &t)
	if err != nil {
		return LogTail{}, err
	}
	if whole != nil {
		// a log no longer than the window: the probe's answer was all of it
		t.Text, t.From, t.NextOffset, t.More, t.Method = whole, 0, size, more, TailWhole
		return t, nil
	}
	lo := size // a start known to be within the log
	if more {
		// Each answer stops after 10000 lines: find the end by doubling,
		// then halving. A start past the end is answered from 0, with an
		// X-Text-Size below the start.
		hi := int64(-1)
		for t.Requests < maxProbes && (hi < 0 || hi-lo > window/2) {
			p := max(lo*2, lo+window)
			if hi >= 0 {
				p = lo + (hi-lo)/2
			}
			s, m, err := c.probe(ctx, cl, p, &t)
			if err != nil {
				return LogTail{}, err
			}
			if s >= p {
				lo, more = s, m
				if !m {
					break // finished meanwhile: s is its length
				}
			} else {
				hi = p
			}
		}
	}
	start := max(0, lo-window)
	t.Method = TailProbe
	if start == 0 {
		t.Method = TailWhole
	}
	ch, err := c.logFrom(ctx, cl, start, window+window/4, &t)
	if err != nil {
		return LogTail{}, err
	}
	t.Text, t.From, t.NextOffset, t.More = ch.Text, start, ch.NextOffset, ch.More
	if start > 0 {
		// the answer starts mid-line
		if i := bytes.IndexByte(t.Text, '\n'); i >= 0 {
			t.Text = t.Text[i+1:]
			t.From += int64(i + 1)
		}
	}
	return t, nil
}

// probeFirst asks for the log from 0. When X-Text-Size shows it no longer
// than the window its body is read: all of the log when it is finished, or
// when it is running and the answer has fewer line ends than Stapler's cap
// (10000, a stored CRLF counting twice). Else only the headers are read.
func (c *Client) probeFirst(ctx context.Context, cl *call, window int64, t *LogTail) (size int64, more bool, whole []byte, err error) {
	cl.query = "start=0"
	t.Requests++
	resp, err := c.do(ctx, cl)
	if err != nil {
		return 0, false, nil, err
	}
	defer resp.body.Close()
	size, err = strconv.ParseInt(resp.Header.Get("X-Text-Size"), 10, 64)
	if err != nil || size < 0 {
		return 0, false, nil, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, What: "the log answer has no X-Text-Size header"}
	}
	more = strings.EqualFold(resp.Header.Get("X-More-Data"), "true")
	if size > window {
		return size, more, nil, nil
	}
	// CRLF line ends make the body up to twice the stored bytes; a running
	// log's answer that may have met the line cap is dropped once it shows.
	var data []byte
	buf := make([]byte, 32<<10)
	lines := 0
	for {
		n, rerr := resp.body.Read(buf)
		data = append(data, buf[:n]...)
		lines += bytes.Count(buf[:n], []byte("\n"))
		if int64(len(data)) > 2*window || (more && lines >= maxLinesRead/2) {
			return size, more, nil, nil
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, false, nil, c.readError(ctx, cl, rerr)
		}
	}
	return size, more, CleanLog(data), nil
}

// maxLinesRead is Stapler's LargeText.MAX_LINES_READ: a running log's plain
// answer stops after this many line ends.
const maxLinesRead = 10000

// probe asks for the log from start and reads only the headers: X-Text-Size
// and X-More-Data.
func (c *Client) probe(ctx context.Context, cl *call, start int64, t *LogTail) (int64, bool, error) {
	cl.query = "start=" + strconv.FormatInt(start, 10)
	t.Requests++
	resp, err := c.do(ctx, cl)
	if err != nil {
		return 0, false, err
	}
	resp.body.Close() // the body is not wanted: the connection goes
	v, err := strconv.ParseInt(resp.Header.Get("X-Text-Size"), 10, 64)
	if err != nil || v < 0 {
		return 0, false, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, What: "the log answer has no X-Text-Size header"}
	}
	return v, strings.EqualFold(resp.Header.Get("X-More-Data"), "true"), nil
}

// logFrom reads a plain answer from start, keeping at most the last max
// bytes (a longer body is read through and its start dropped).
func (c *Client) logFrom(ctx context.Context, cl *call, start, max int64, t *LogTail) (LogChunk, error) {
	cl.query = "start=" + strconv.FormatInt(start, 10)
	t.Requests++
	resp, err := c.do(ctx, cl)
	if err != nil {
		return LogChunk{}, err
	}
	defer resp.body.Close()
	data, over, err := readTail(resp.body, max)
	if err != nil {
		return LogChunk{}, c.readError(ctx, cl, err)
	}
	if over {
		data = dropPartialLine(data)
	}
	ch := LogChunk{More: strings.EqualFold(resp.Header.Get("X-More-Data"), "true"), Truncated: over}
	ch.NextOffset = start + int64(len(data))
	if v, err := strconv.ParseInt(resp.Header.Get("X-Text-Size"), 10, 64); err == nil && v >= 0 {
		ch.NextOffset = v
	}
	ch.Text = CleanLog(data)
	return ch, nil
}

// readTail reads r to its end keeping the last max bytes (in a buffer of
// twice that at most); over tells that bytes before them were dropped.
func readTail(r io.Reader, max int64) ([]byte, bool, error) {
	buf := make([]byte, 0, min(max, 64<<10))
	over := false
	chunk := make([]byte, 32<<10)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if int64(len(buf)) > 2*max {
			over = true
			buf = append(buf[:0], buf[int64(len(buf))-max:]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
	}
	if int64(len(buf)) > max {
		over = true
		buf = buf[int64(len(buf))-max:]
	}
	return buf, over, nil
}

func dropPartialLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// StageLog is what wfapi offers of one stage's log: the log of each of its
// steps, each cut to its last 10 KiB by the Pipeline Stage View plugin
// (FlowNodeLogExt.MAX_RETURN_CHARS).
type StageLog struct {
	Text  []byte // the steps' text, in order, cleaned
	Steps int    // steps with a log
	Cut   bool   // a step's log was longer than the plugin returns: Text is not all of it
}

type wireStageNode struct {
	StageFlowNodes []struct {
		ID    string `json:"id"`
		Links map[string]struct {
			Href string `json:"href"`
		} `json:"_links"`
	} `json:"stageFlowNodes"`
}

type wireNodeLog struct {
	Text    string `json:"text"`
	Length  int64  `json:"length"`
	HasMore bool   `json:"hasMore"`
}

// maxStageSteps bounds the requests one stage log takes.
const maxStageSteps = 50

// StageLog reads the log of one stage through wfapi: the stage node's
// describe lists its steps (stageFlowNodes), and each step with a log link
// has its log at execution/node/<id>/wfapi/log (HTML, as Jenkins renders it;
// tags are dropped). A stage's own node has no log.
func (c *Client) StageLog(ctx context.Context, job string, number int, stageID string) (StageLog, error) {
	jp, cl, err := c.jobCall(job, "wfapi", fmt.Sprintf("read the log of stage %s of build #%d of %q", stageID, number, job))
	if err != nil {
		return StageLog{}, err
	}
	if !validNodeID(stageID) {
		return StageLog{}, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorNotFound, What: fmt.Sprintf("%q is not a flow node id", stageID)}
	}
	cl.path = fmt.Sprintf("%s/%d/execution/node/%s/wfapi/describe", jp, number, stageID)
	cl.notFoundWhat = fmt.Sprintf("stage %s of build #%d of %q was not found", stageID, number, job)
	cl.notFoundHint = "the Pipeline Stage View plugin is missing, or the stage has not started"
	var d wireStageNode
	if err := c.getJSON(ctx, cl, &d); err != nil {
		return StageLog{}, err
	}
	var out StageLog
	var text bytes.Buffer
	for i, n := range d.StageFlowNodes {
		if i >= maxStageSteps {
			out.Cut = true
			break
		}
		if _, ok := n.Links["log"]; !ok || !validNodeID(n.ID) {
			continue
		}
		cl.path = fmt.Sprintf("%s/%d/execution/node/%s/wfapi/log", jp, number, n.ID)
		var l wireNodeLog
		if err := c.getJSON(ctx, cl, &l); err != nil {
			return StageLog{}, err
		}
		out.Steps++
		out.Cut = out.Cut || l.HasMore
		t := htmlText(l.Text)
		text.WriteString(t)
		if t != "" && !strings.HasSuffix(t, "\n") {
			text.WriteByte('\n')
		}
	}
	out.Text = CleanLog(text.Bytes())
	return out, nil
}

func validNodeID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

var htmlTagRe = regexp.MustCompile(`<[^>]*>`)

// htmlText turns Jenkins's HTML rendering of a log (console notes as
// <span>/<a> tags, text escaped) into text.
func htmlText(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = html.UnescapeString(htmlTagRe.ReplaceAllString(s, ""))
	}
	return s
}
