package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// This file parses newman's JSON reporter output and the Postman CLI's JSON
// (native structure and --reporter-json-structure newman) in one streaming
// pass: the bodySkipper drops the response-body byte arrays before the
// decoder sees them, the top level and the run object are walked with
// json.Decoder.Token, and each execution / failure is decoded on its own into
// a small typed struct, so memory is bounded by the largest single
// execution without its body (or the collection tree), not by the report.

// skip is a JSON value that is read and dropped.
type skip struct{}

func (*skip) UnmarshalJSON([]byte) error { return nil }

// stringOrList accepts "a.b" or ["a","b"].
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = []string{v}
		return nil
	}
	var v []json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		return nil // tolerate odd shapes: no value
	}
	out := make([]string, 0, len(v))
	for _, e := range v {
		var str string
		if json.Unmarshal(e, &str) == nil {
			out = append(out, str)
		}
	}
	*s = out
	return nil
}

// flexString accepts a string, a number or anything else (as "").
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		*f = flexString(n.String())
	}
	return nil
}

// flexInt accepts a number or a numeric string; anything else is 0.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		if i, err := n.Int64(); err == nil {
			*f = flexInt(i)
		} else if fl, err := n.Float64(); err == nil && fl > -1e18 && fl < 1e18 {
			*f = flexInt(int64(fl))
		}
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			*f = flexInt(i)
		}
	}
	return nil
}

type pmURL struct {
	raw      string
	Protocol flexString   `json:"protocol"`
	Host     stringOrList `json:"host"`
	Port     flexString   `json:"port"`
	Path     stringOrList `json:"path"`
	Query    []struct {
		Key      *string `json:"key"`
		Value    *string `json:"value"`
		Disabled bool    `json:"disabled"`
	} `json:"query"`
}

func (u *pmURL) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &u.raw)
	}
	type plain pmURL
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return nil // tolerate: no URL
	}
	*u = pmURL(p)
	return nil
}

// String rebuilds the URL as newman prints it; query values whose key looks
// secret are masked.
func (u pmURL) String() string {
	if u.raw != "" {
		return maskRawURL(u.raw)
	}
	if len(u.Host) == 0 && len(u.Path) == 0 {
		return ""
	}
	var b strings.Builder
	if u.Protocol != "" {
		b.WriteString(string(u.Protocol))
		b.WriteString("://")
	}
	b.WriteString(strings.Join(u.Host, "."))
	if u.Port != "" {
		b.WriteString(":")
		b.WriteString(string(u.Port))
	}
	if len(u.Path) > 0 {
		b.WriteString("/")
		b.WriteString(strings.Join(u.Path, "/"))
	}
	sep := "?"
	for _, q := range u.Query {
		if q.Disabled || q.Key == nil {
			continue
		}
		b.WriteString(sep)
		sep = "&"
		b.WriteString(*q.Key)
		if q.Value != nil {
			b.WriteString("=")
			if sensitiveKey(*q.Key) && *q.Value != "" {
				b.WriteString(redacted)
			} else {
				b.WriteString(*q.Value)
			}
		}
	}
	return b.String()
}

const redacted = "****"

// maskRawURL hides a password in the userinfo and the values of query
// parameters whose names look secret, leaving the rest of the text as is.
func maskRawURL(raw string) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	if i := strings.Index(base, "://"); i >= 0 {
		auth := base[i+3:]
		if j := strings.IndexByte(auth, '/'); j >= 0 {
			auth = auth[:j]
		}
		if at := strings.LastIndexByte(auth, '@'); at >= 0 {
			if user, _, ok := strings.Cut(auth[:at], ":"); ok {
				base = base[:i+3] + user + ":" + redacted + base[i+3+at:]
			}
		}
	}
	if hasQuery {
		parts := strings.Split(query, "&")
		for i, kv := range parts {
			if k, v, ok := strings.Cut(kv, "="); ok && v != "" && sensitiveKey(k) {
				parts[i] = k + "=" + redacted
			}
		}
		base += "?" + strings.Join(parts, "&")
	}
	if hasFrag {
		base += "#" + frag
	}
	return base
}

// sensitiveKey says a variable or parameter name looks like it holds a secret.
func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"key", "token", "secret", "pass", "pwd", "auth", "credential", "signature", "sig", "session", "cookie", "bearer"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

type pmError struct {
	Name     flexString `json:"name"`
	Message  flexString `json:"message"`
	Code     flexString `json:"code"`
	Syscall  flexString `json:"syscall"`
	Address  flexString `json:"address"`
	Port     flexString `json:"port"`
	Hostname flexString `json:"hostname"`
	Source   flexString `json:"source"` // Postman CLI native errors[]: request | pre-request | post-response
}

// requestText is the message of a request error. JSON.stringify drops the
// message of node's errors in executions[].requestError, so it is rebuilt
// the way node builds it: "connect ECONNREFUSED 127.0.0.1:9".
func (e pmError) requestText() string {
	if e.Message != "" {
		return string(e.Message)
	}
	var parts []string
	if e.Syscall != "" {
		parts = append(parts, string(e.Syscall))
	}
	if e.Code != "" {
		parts = append(parts, string(e.Code))
	}
	switch {
	case e.Address != "" && e.Port != "":
		parts = append(parts, string(e.Address)+":"+string(e.Port))
	case e.Address != "":
		parts = append(parts, string(e.Address))
	case e.Hostname != "":
		parts = append(parts, string(e.Hostname))
	}
	if len(parts) == 0 {
		if e.Name != "" {
			return string(e.Name)
		}
		return "request error"
	}
	return strings.Join(parts, " ")
}

func (e pmError) scriptText() string {
	switch {
	case e.Name != "" && e.Message != "":
		return string(e.Name) + ": " + string(e.Message)
	case e.Message != "":
		return string(e.Message)
	case e.Name != "":
		return string(e.Name)
	}
	return "error"
}

type pmCursor struct {
	Iteration     flexInt    `json:"iteration"`
	Position      flexInt    `json:"position"`
	HTTPRequestID flexString `json:"httpRequestId"`
}

type pmRequest struct {
	ID     flexString `json:"id"`
	Name   flexString `json:"name"`
	URL    pmURL      `json:"url"`
	Method flexString `json:"method"`
}

type pmResponse struct {
	Code            flexInt `json:"code"`
	ResponseTime    flexInt `json:"responseTime"`
	DownloadedBytes *skip   `json:"downloadedBytes"`
}

// pmExecution is the union of a newman execution and a Postman CLI native one.
type pmExecution struct {
	// newman structure
	ID     flexString `json:"id"`
	Cursor *pmCursor  `json:"cursor"`
	Item   *struct {
		ID   flexString `json:"id"`
		Name flexString `json:"name"`
	} `json:"item"`
	Request      *pmRequest  `json:"request"`
	Response     *pmResponse `json:"response"`
	RequestError *pmError    `json:"requestError"`
	Assertions   []struct {
		Assertion flexString `json:"assertion"`
		Skipped   bool       `json:"skipped"`
		Error     *pmError   `json:"error"`
	} `json:"assertions"`
	TestScript       []struct{ Error *pmError } `json:"testScript"`
	PrerequestScript []struct{ Error *pmError } `json:"prerequestScript"`
	// Postman CLI native structure
	IterationCount  *flexInt   `json:"iterationCount"`
	RequestExecuted *pmRequest `json:"requestExecuted"`
	Tests           []struct {
		Name   flexString `json:"name"`
		Status flexString `json:"status"`
		Error  *pmError   `json:"error"`
	} `json:"tests"`
	Errors []pmError `json:"errors"`
}

type pmFailure struct {
	Error  *pmError   `json:"error"`
	At     flexString `json:"at"`
	Cursor *pmCursor  `json:"cursor"`
	Source *struct {
		ID   flexString `json:"id"`
		Name flexString `json:"name"`
	} `json:"source"`
}

// pmFailureWire reads parent only to learn its JSON type.
type pmFailureWire struct {
	pmFailure
	Parent parentKind `json:"parent"`
}

// parentKind records whether failures[].parent was an array (Postman CLI's
// newman structure) without keeping it.
type parentKind bool

func (p *parentKind) UnmarshalJSON(b []byte) error {
	*p = len(b) > 0 && b[0] == '['
	return nil
}

type pmItem struct {
	ID   flexString `json:"id"`
	Name flexString `json:"name"`
	Item []pmItem   `json:"item"`
}

type pmTracker struct {
	Total  flexInt `json:"total"`
	Failed flexInt `json:"failed"`
}

type pmStats struct {
	Iterations *pmTracker `json:"iterations"`
	Requests   *pmTracker `json:"requests"`
	Assertions *pmTracker `json:"assertions"`
	Responses  *skip      `json:"responses"` // Postman CLI only
}

type pmExecCount struct {
	Executed flexInt `json:"executed"`
	Errors   flexInt `json:"errors"`
	Failed   flexInt `json:"failed"`
	Skipped  flexInt `json:"skipped"`
}

type pmSummary struct {
	Iterations       *pmExecCount `json:"iterations"`
	ExecutedRequests *pmExecCount `json:"executedRequests"`
	Tests            *pmExecCount `json:"tests"`
}

type pmVar struct {
	Key   flexString `json:"key"`
	Value flexString `json:"value"`
	Type  flexString `json:"type"`
}

// execBuild is an execution being assembled.
type execBuild struct {
	Execution
	itemID    string
	reqID     string
	pos       int
	response  bool
	reqErr    string
	scriptErr []string
}

type pmParser struct {
	name       string
	native     bool // Postman CLI native structure seen
	cliHints   bool // Postman CLI's newman structure seen
	collName   string
	folders    map[string]string // item id -> folder path
	names      map[string]string // item id -> name
	secrets    []string
	execs      []*execBuild
	stats      *pmStats
	summary    *pmSummary
	started    int64
	completed  int64
	durationMS int64
	runError   string
	sawRun     bool
	failures   []pmFailure
}

func parsePostmanJSON(r io.Reader, name string) (Results, error) {
	p := &pmParser{name: name, folders: map[string]string{}, names: map[string]string{}}
	dec := json.NewDecoder(newBodySkipper(r))
	err := p.walk(dec)
	if err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			return Results{}, err
		}
		if !p.sawRun || (p.stats == nil && p.summary == nil && len(p.execs) == 0) {
			return Results{}, fmt.Errorf("not a readable newman/Postman CLI report: %s", jsonErrText(err))
		}
	}
	run := p.build()
	if err != nil {
		run.Partial = true
		run.PartialWhy = fmt.Sprintf("report is cut short or malformed (%s); %d executions read", jsonErrText(err), len(run.Executions))
	}
	return Results{Collections: []CollectionRun{run}}, nil
}

// jsonErrText makes decoder errors readable.
func jsonErrText(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of file"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// Not Go's "cannot unmarshal array into Go struct field pmExecution...":
		// say where, what was found and what was expected, in JSON's words.
		where := ""
		if te.Field != "" {
			where = fmt.Sprintf(" %q", te.Field)
		}
		// (te.Offset is not given: the streaming parsers decode one element
		// at a time, so it counts from that element, not from the file.)
		return fmt.Sprintf("unexpected JSON: field%s is %s, not %s", where, withArticle(te.Value), jsonKind(te.Type))
	}
	return err.Error()
}

// withArticle is "an array", "a string", "a number 1e400" for a decoder's Value.
func withArticle(v string) string {
	switch {
	case v == "":
		return "a value"
	case strings.HasPrefix(v, "number "):
		return "the " + v
	case strings.IndexByte("aeiou", v[0]) >= 0:
		return "an " + v
	}
	return "a " + v
}

// jsonKind names what a Go type reads from JSON.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "what was expected"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number in range"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number in range"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "what was expected"
}

// walkObject reads one JSON object key by key; field must consume the
// value of each key (decode it, or skip it).
func walkObject(dec *json.Decoder, field func(key string) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if err := field(key); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return fmt.Errorf("expected %q, found %v", string(d), t)
	}
	return nil
}

func (p *pmParser) walk(dec *json.Decoder) error {
	return walkObject(dec, func(key string) error {
		switch key {
		case "collection":
			var c struct {
				Info struct {
					Name flexString `json:"name"`
				} `json:"info"`
				Item []pmItem `json:"item"`
			}
			if err := dec.Decode(&c); err != nil {
				return err
			}
			p.collName = string(c.Info.Name)
			p.indexItems(c.Item, "")
		case "environment", "globals":
			// Values are read only to mask them wherever they leak into
			// URLs or messages; they are never exported.
			var s struct {
				Values []pmVar `json:"values"`
			}
			if err := dec.Decode(&s); err != nil {
				return err
			}
			for _, v := range s.Values {
				if (sensitiveKey(string(v.Key)) || v.Type == "secret") && len(v.Value) >= 4 {
					p.secrets = append(p.secrets, string(v.Value))
				}
			}
		case "run":
			p.sawRun = true
			if err := p.walkRun(dec); err != nil {
				return err
			}
		default:
			return dec.Decode(new(skip))
		}
		return nil
	})
}

func (p *pmParser) indexItems(items []pmItem, folder string) {
	for _, it := range items {
		if it.Item != nil { // a folder
			sub := string(it.Name)
			if folder != "" {
				sub = folder + "/" + sub
			}
			p.indexItems(it.Item, sub)
			continue
		}
		id := string(it.ID)
		if _, dup := p.folders[id]; !dup && id != "" {
			p.folders[id] = folder
			p.names[id] = string(it.Name)
		}
	}
}

func (p *pmParser) walkRun(dec *json.Decoder) error {
	return walkObject(dec, func(key string) error {
		switch key {
		case "stats":
			p.stats = &pmStats{}
			if err := dec.Decode(p.stats); err != nil {
				return err
			}
			if p.stats.Responses != nil {
				p.cliHints = true
			}
		case "timings":
			var tm struct {
				Started   *flexInt `json:"started"`
				Completed *flexInt `json:"completed"`
			}
			if err := dec.Decode(&tm); err != nil {
				return err
			}
			if tm.Started != nil {
				p.started = int64(*tm.Started)
			}
			if tm.Completed != nil {
				p.completed = int64(*tm.Completed)
			} else {
				p.cliHints = true // Postman CLI's newman structure has no completed
			}
		case "meta":
			p.native = true
			var m struct {
				CollectionName flexString `json:"collectionName"`
				Duration       *flexInt   `json:"duration"`
			}
			if err := dec.Decode(&m); err != nil {
				return err
			}
			p.collName = string(m.CollectionName)
			if m.Duration != nil {
				p.durationMS = int64(*m.Duration)
			}
		case "summary":
			p.native = true
			p.summary = &pmSummary{}
			if err := dec.Decode(p.summary); err != nil {
				return err
			}
		case "executions":
			if err := p.walkArray(dec, func() error {
				var e pmExecution
				if err := dec.Decode(&e); err != nil {
					return err
				}
				p.addExecution(&e)
				return nil
			}); err != nil {
				return err
			}
		case "failures":
			if err := p.walkArray(dec, func() error {
				var f pmFailureWire
				if err := dec.Decode(&f); err != nil {
					return err
				}
				if f.Parent {
					p.cliHints = true
				}
				p.failures = append(p.failures, f.pmFailure)
				return nil
			}); err != nil {
				return err
			}
		case "error", "runError":
			var e *pmError
			if err := dec.Decode(&e); err != nil {
				// an unexpected shape; record that the run reported an error
				p.runError = "the run reported an error"
				return nil
			}
			if e != nil {
				p.runError = e.scriptText()
			}
		default:
			return dec.Decode(new(skip))
		}
		return nil
	})
}

// walkArray calls each for every element of the array that comes next; a
// null is an empty array.
func (p *pmParser) walkArray(dec *json.Decoder, each func() error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if t != json.Delim('[') {
		return fmt.Errorf("expected an array, found %v", t)
	}
	for dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

func (p *pmParser) addExecution(e *pmExecution) {
	b := &execBuild{}
	if e.IterationCount != nil || e.RequestExecuted != nil { // native
		p.native = true
		if e.IterationCount != nil {
			b.Iteration = int(*e.IterationCount) + 1
		}
		if rq := e.RequestExecuted; rq != nil {
			b.itemID, b.Name = string(rq.ID), string(rq.Name)
			b.Method, b.URL = string(rq.Method), rq.URL.String()
		}
		for _, t := range e.Tests {
			a := Assertion{Name: string(t.Name)}
			switch strings.ToLower(string(t.Status)) {
			case "passed":
				a.Status = Passed
			case "skipped":
				a.Status = Skipped
			default:
				a.Status = Failed
			}
			if t.Error != nil {
				a.Message = string(t.Error.Message)
				if a.Status == Passed {
					a.Status = Failed
				}
			}
			b.Assertions = append(b.Assertions, a)
		}
		for _, er := range e.Errors {
			switch er.Source {
			case "request", "":
				b.reqErr = er.requestText()
			case "pre-request", "prerequest":
				b.scriptErr = append(b.scriptErr, "pre-request script: "+er.scriptText())
			default:
				b.scriptErr = append(b.scriptErr, "test script: "+er.scriptText())
			}
		}
	} else {
		if e.Cursor != nil {
			b.Iteration = int(e.Cursor.Iteration) + 1
			b.pos = int(e.Cursor.Position)
			b.reqID = string(e.Cursor.HTTPRequestID)
		}
		b.itemID = string(e.ID)
		if e.Item != nil {
			if e.Item.ID != "" {
				b.itemID = string(e.Item.ID)
			}
			b.Name = string(e.Item.Name)
		}
		if e.Request != nil {
			b.Method, b.URL = string(e.Request.Method), e.Request.URL.String()
		}
		if e.RequestError != nil {
			b.reqErr = e.RequestError.requestText()
		}
		for _, a := range e.Assertions {
			as := Assertion{Name: string(a.Assertion), Status: Passed}
			switch {
			case a.Skipped:
				as.Status = Skipped
			case a.Error != nil:
				as.Status = Failed
				as.Message = string(a.Error.Message)
				if as.Message == "" {
					as.Message = a.Error.scriptText()
				}
			}
			b.Assertions = append(b.Assertions, as)
		}
		for _, s := range e.PrerequestScript {
			if s.Error != nil {
				b.scriptErr = append(b.scriptErr, "pre-request script: "+s.Error.scriptText())
			}
		}
		for _, s := range e.TestScript {
			if s.Error != nil {
				b.scriptErr = append(b.scriptErr, "test script: "+s.Error.scriptText())
			}
		}
	}
	if e.Response != nil {
		b.response = true
		b.Code = int(e.Response.Code)
		b.ResponseMS = int64(e.Response.ResponseTime)
		if e.Response.DownloadedBytes != nil {
			p.cliHints = true
		}
	}
	p.execs = append(p.execs, b)
}

// mergeFailures keeps the request- and script-error messages of failures[]
// that the executions lack.
func (p *pmParser) mergeFailures() {
	byReq := map[string]*execBuild{}
	byPos := map[[2]int]*execBuild{}
	for _, b := range p.execs {
		if b.reqID != "" {
			byReq[b.reqID] = b
		}
		byPos[[2]int{b.Iteration, b.pos}] = b
	}
	for _, f := range p.failures {
		if f.Error == nil || f.Cursor == nil {
			continue
		}
		at := string(f.At)
		var b *execBuild
		if id := string(f.Cursor.HTTPRequestID); id != "" {
			b = byReq[id]
		}
		if b == nil {
			b = byPos[[2]int{int(f.Cursor.Iteration) + 1, int(f.Cursor.Position)}]
		}
		switch {
		case at == "request":
			msg := f.Error.requestText()
			if b == nil {
				nb := &execBuild{}
				nb.Iteration = int(f.Cursor.Iteration) + 1
				nb.pos = int(f.Cursor.Position)
				if f.Source != nil {
					nb.itemID, nb.Name = string(f.Source.ID), string(f.Source.Name)
				}
				nb.reqErr = msg
				p.execs = append(p.execs, nb)
				byPos[[2]int{nb.Iteration, nb.pos}] = nb
				continue
			}
			b.reqErr = msg // the failure has node's own message
		case strings.HasPrefix(at, "prerequest-script") || strings.HasPrefix(at, "test-script"):
			if b == nil {
				continue
			}
			label := "test script: "
			if strings.HasPrefix(at, "prerequest") {
				label = "pre-request script: "
			}
			msg := label + f.Error.scriptText()
			found := false
			for _, s := range b.scriptErr {
				if s == msg {
					found = true
				}
			}
			if !found {
				b.scriptErr = append(b.scriptErr, msg)
			}
		}
	}
}

func (p *pmParser) build() CollectionRun {
	p.mergeFailures()
	run := CollectionRun{Name: p.collName, Tool: ToolNewman, Artifact: p.name}
	if p.native || p.cliHints {
		run.Tool = ToolPostmanCLI
	}
	iterations := 0
	var req, asr Counts
	for _, b := range p.execs {
		if name, ok := p.names[b.itemID]; ok && b.Name == "" {
			b.Name = name
		}
		b.Folder = p.folders[b.itemID]
		var errs []string
		if b.reqErr != "" {
			errs = append(errs, b.reqErr)
		}
		errs = append(errs, b.scriptErr...)
		b.Error = strings.Join(errs, "\n")
		// A request skipped with pm.execution.skipRequest: nothing was sent.
		if !b.response && b.Error == "" && len(b.Assertions) == 0 {
			continue
		}
		e := b.Execution
		e.URL = p.mask(e.URL)
		e.Error = p.mask(e.Error)
		for i := range e.Assertions {
			e.Assertions[i].Message = p.mask(e.Assertions[i].Message)
		}
		run.Executions = append(run.Executions, e)
		iterations = max(iterations, e.Iteration)
		req.Total++
		if b.reqErr != "" {
			req.Failed++
		}
		for _, a := range e.Assertions {
			asr.Total++
			switch a.Status {
			case Failed:
				asr.Failed++
			case Skipped:
				asr.Skipped++
			}
		}
	}
	// The tools' own counters win: they count what the executions cannot
	// show (e.g. skipped requests in iterations, assertions of cut reports).
	if s := p.stats; s != nil {
		if s.Iterations != nil {
			iterations = int(s.Iterations.Total)
		}
		if s.Requests != nil {
			req = Counts{Total: int(s.Requests.Total), Failed: int(s.Requests.Failed)}
		}
		if s.Assertions != nil {
			// newman has no skipped counter; pm.test.skip is in the total.
			asr = Counts{Total: int(s.Assertions.Total), Failed: int(s.Assertions.Failed), Skipped: asr.Skipped}
		}
	}
	if s := p.summary; s != nil {
		if s.Iterations != nil {
			iterations = int(s.Iterations.Executed)
		}
		if s.ExecutedRequests != nil {
			req = Counts{Total: int(s.ExecutedRequests.Executed), Failed: int(s.ExecutedRequests.Errors)}
		}
		if s.Tests != nil {
			asr = Counts{Total: int(s.Tests.Executed), Failed: int(s.Tests.Failed), Skipped: int(s.Tests.Skipped)}
		}
	}
	run.Iterations, run.Requests, run.Assertions = iterations, req, asr
	if p.durationMS > 0 {
		run.DurationMS = p.durationMS
	} else if p.started > 0 && p.completed >= p.started {
		run.DurationMS = p.completed - p.started
	}
	if p.runError != "" {
		run.Partial = true
		run.PartialWhy = "the run was aborted: " + p.mask(p.runError)
	}
	return run
}

// mask hides environment/global values that look secret.
func (p *pmParser) mask(s string) string {
	for _, v := range p.secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}
