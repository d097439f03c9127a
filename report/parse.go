package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// DefaultMaxBytes is the artifact size cap used when Options.MaxBytes is 0.
const DefaultMaxBytes int64 = 1 << 30 // 1 GiB

// HeadSize is how many leading bytes Detect needs to tell formats apart.
const HeadSize = 64 << 10

// Options tune parsing.
type Options struct {
	// MaxBytes caps how much of an artifact is read; larger artifacts give a
	// *TooLargeError. 0 means DefaultMaxBytes; negative means no cap.
	MaxBytes int64
}

func (o Options) max() int64 {
	if o.MaxBytes == 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// TooLargeError says an artifact is over the configured cap.
type TooLargeError struct {
	Name  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: report is larger than the %s cap", e.Name, humanBytes(e.Limit))
}

// ErrUnknownFormat is returned (wrapped) when content matches no known report format.
var ErrUnknownFormat = errors.New("not a known report (newman or Postman CLI JSON, JUnit XML, Jenkins testReport JSON, Spectral JSON, SARIF, Postman CLI lint JSON or table)")

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// capReader returns *TooLargeError once more than limit bytes were read.
type capReader struct {
	r     io.Reader
	left  int64
	limit int64
	name  string
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Probe: is there anything beyond the cap?
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, &TooLargeError{Name: c.name, Limit: c.limit}
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func capped(r io.Reader, name string, opts Options) io.Reader {
	if m := opts.max(); m > 0 {
		return &capReader{r: r, left: m, limit: m, name: name}
	}
	return r
}

// errRecorder remembers the first error, other than io.EOF, that the source
// returned: the size cap, a cancelled context, a dropped connection. Such a
// failure is the stream's, not the report's, and is returned as is rather
// than turned into a "cut short" partial result.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// sourceErr returns the stream's own failure, if any, for name.
func (e *errRecorder) sourceErr(name string) error {
	if e.err == nil {
		return nil
	}
	var tl *TooLargeError
	if errors.As(e.err, &tl) {
		return tl
	}
	return fmt.Errorf("%s: reading the report: %w", name, e.err)
}

// Parse reads one report, detects its format from the content (name is only
// a hint, and is recorded as the results' Artifact) and parses it.
func Parse(r io.Reader, name string, opts Options) (Results, error) {
	src := &errRecorder{r: capped(r, name, opts)}
	br := bufio.NewReaderSize(src, HeadSize)
	head, err := br.Peek(HeadSize)
	if serr := src.sourceErr(name); serr != nil {
		return Results{}, serr
	}
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return Results{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return Results{}, fmt.Errorf("%s: report is empty", name)
	}
	var res Results
	switch k := Detect(head, name); k {
	case KindNewmanJSON, KindPostmanCLIJSON:
		res, err = parsePostmanJSON(br, name)
	case KindJUnitXML:
		res, err = parseJUnit(br, name)
	case KindJenkinsTests:
		res, err = parseJenkins(br, name)
	case KindSpectralJSON:
		res, err = parseSpectral(br, name)
	case KindSARIF:
		res, err = parseSARIF(br, name)
	case KindPostmanLintJSON:
		res, err = parsePostmanLint(br, name)
	case KindPostmanLintTable:
		res, err = parsePostmanLintTable(br, name)
	default:
		return Results{}, fmt.Errorf("%s: %w", name, ErrUnknownFormat)
	}
	if serr := src.sourceErr(name); serr != nil {
		return Results{}, serr
	}
	if err != nil {
		return Results{}, fmt.Errorf("%s: %w", name, err)
	}
	return res.normalized(), nil
}

// ParseJenkinsTestReport parses Jenkins's /job/J/N/testReport/api/json (plain
// or aggregated with childReports). name is recorded as the Artifact.
func ParseJenkinsTestReport(r io.Reader, name string, opts Options) (Results, error) {
	src := &errRecorder{r: capped(r, name, opts)}
	res, err := parseJenkins(bufio.NewReader(src), name)
	if serr := src.sourceErr(name); serr != nil {
		return Results{}, serr
	}
	if err != nil {
		return Results{}, fmt.Errorf("%s: %w", name, err)
	}
	return res.normalized(), nil
}

// normalized makes every slice non-nil so JSON output never has nulls.
func (r Results) normalized() Results {
	if r.Collections == nil {
		r.Collections = []CollectionRun{}
	}
	if r.Governance == nil {
		r.Governance = []GovernanceResult{}
	}
	for i := range r.Collections {
		c := &r.Collections[i]
		if c.Executions == nil {
			c.Executions = []Execution{}
		}
		for j := range c.Executions {
			if c.Executions[j].Assertions == nil {
				c.Executions[j].Assertions = []Assertion{}
			}
		}
	}
	for i := range r.Governance {
		if r.Governance[i].Violations == nil {
			r.Governance[i].Violations = []Violation{}
		}
	}
	return r
}

// Detect tells a report's kind from its first bytes (up to HeadSize); name
// (a file name or path) is used only when the content alone is not enough.
func Detect(head []byte, name string) Kind {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	ext := strings.ToLower(path.Ext(name))
	if len(trimmed) == 0 {
		return KindUnknown
	}
	switch trimmed[0] {
	case '<':
		if bytes.Contains(head, []byte("<testsuites")) || bytes.Contains(head, []byte("<testsuite")) {
			return KindJUnitXML
		}
		return KindUnknown
	case '[':
		return detectArray(trimmed)
	case '{':
		if k := detectObject(trimmed, ext); k != KindUnknown {
			return k
		}
		if detectPostmanLint(trimmed) {
			return KindPostmanLintJSON
		}
		return KindUnknown
	}
	// The Postman CLI prints its lint JSON on stdout, perhaps after a notice.
	if start := postmanLintStart(head); start > 0 && detectPostmanLint(head[start:]) {
		return KindPostmanLintJSON
	}
	if detectPostmanLintTable(head) {
		return KindPostmanLintTable
	}
	return KindUnknown
}

// detectArray: Spectral JSON is an array of {code, message, severity, range...}.
func detectArray(b []byte) Kind {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // '['
		return KindUnknown
	}
	if !dec.More() {
		if t, err := dec.Token(); err == nil && t == json.Delim(']') {
			return KindSpectralJSON // a clean run: []
		}
		return KindUnknown
	}
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return KindUnknown
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return KindUnknown
		}
		switch t {
		case "code", "severity", "range":
			return KindSpectralJSON
		}
		if skipValue(dec) != nil {
			return KindUnknown
		}
	}
	return KindUnknown
}

// detectObject walks the top-level keys (and run's keys) visible in the head.
func detectObject(b []byte, ext string) Kind {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return KindUnknown
	}
	keys := map[string]bool{}
	runKeys := map[string]bool{}
	var class, version string
	decide := func() Kind {
		switch {
		case keys["runs"] && (keys["version"] || keys["$schema"]) || strings.HasPrefix(version, "2.1"):
			return KindSARIF
		case keys["collection"] || runKeys["stats"] || runKeys["failures"]:
			return KindNewmanJSON
		case runKeys["meta"] || runKeys["summary"]:
			return KindPostmanCLIJSON
		case strings.HasPrefix(class, "hudson.tasks.junit.") || strings.HasPrefix(class, "hudson.tasks.test.") ||
			keys["suites"] || keys["childReports"] || keys["passCount"] && keys["failCount"]:
			return KindJenkinsTests
		}
		return KindUnknown
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		k, _ := t.(string)
		keys[k] = true
		switch k {
		case "_class":
			_ = dec.Decode(&class)
			continue
		case "version":
			var v any
			_ = dec.Decode(&v)
			version, _ = v.(string)
			continue
		case "collection", "suites", "childReports":
			// decisive enough
			return decide()
		case "run":
			if t, err := dec.Token(); err != nil || t != json.Delim('{') {
				return decide()
			}
			for dec.More() {
				t, err := dec.Token()
				if err != nil {
					return decide()
				}
				rk, _ := t.(string)
				runKeys[rk] = true
				if kd := decide(); kd != KindUnknown {
					return kd
				}
				if skipValue(dec) != nil {
					return decide()
				}
			}
			_, _ = dec.Token()
			continue
		}
		if kd := decide(); kd == KindSARIF {
			return kd
		}
		if skipValue(dec) != nil {
			break
		}
	}
	if kd := decide(); kd != KindUnknown {
		return kd
	}
	if ext == ".sarif" && keys["runs"] {
		return KindSARIF
	}
	return KindUnknown
}

// skipValue consumes the next JSON value from dec without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
