package jenkinstest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"math"
	"strconv"
	"strings"
)

// junitReport is a JUnit XML file as Jenkins's junit plugin records it.
type junitReport struct {
	suites                          []junitSuite
	duration                        float64
	passCount, failCount, skipCount int
}

type junitSuite struct {
	name, id, timestamp string
	duration            float64
	stdout, stderr      string
	cases               []junitCase
}

type junitCase struct {
	className, name               string
	duration                      float64
	errorDetails, errorStackTrace string
	hasError                      bool
	skipped                       bool
	skippedMessage                string
}

type xmlSuites struct {
	XMLName xml.Name   `xml:""`
	Suites  []xmlSuite `xml:"testsuite"`
}

type xmlSuite struct {
	Name      string     `xml:"name,attr"`
	Package   string     `xml:"package,attr"`
	ID        string     `xml:"id,attr"`
	Timestamp string     `xml:"timestamp,attr"`
	Time      string     `xml:"time,attr"`
	SystemOut string     `xml:"system-out"`
	SystemErr string     `xml:"system-err"`
	Cases     []xmlCase  `xml:"testcase"`
	Errors    []xmlFail  `xml:"error"`
	Suites    []xmlSuite `xml:"testsuite"`
}

type xmlCase struct {
	Name      string   `xml:"name,attr"`
	ClassName string   `xml:"classname,attr"`
	Time      string   `xml:"time,attr"`
	Failure   *xmlFail `xml:"failure"`
	Error     *xmlFail `xml:"error"`
	Skipped   *xmlFail `xml:"skipped"`
}

type xmlFail struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// safeName is junit's TestObject.safe() (plugin 1422 and later).
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || strings.ContainsRune("/\\:?#%<> \"[]^`{|}", r) {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func parseSeconds(s string) float64 {
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), 64)
	if err != nil {
		return 0
	}
	return f
}

// parseJUnit reads a JUnit XML report (testsuites or a single testsuite).
func parseJUnit(data []byte) (*junitReport, error) {
	var root xmlSuites
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		return nil, err
	}
	var flat []xmlSuite
	var walk func(ss []xmlSuite)
	walk = func(ss []xmlSuite) {
		for _, s := range ss {
			flat = append(flat, s)
			walk(s.Suites)
		}
	}
	switch root.XMLName.Local {
	case "testsuites":
		walk(root.Suites)
	case "testsuite":
		var one xmlSuite
		if err := xml.Unmarshal(data, &one); err != nil {
			return nil, err
		}
		walk([]xmlSuite{one})
	default:
		return nil, errors.New("not a JUnit report")
	}
	rep := &junitReport{}
	for _, xs := range flat {
		if len(xs.Cases) == 0 && len(xs.Errors) == 0 {
			continue // junit keeps only suites with a testcase or an error
		}
		name := xs.Name
		if xs.Package != "" {
			name = xs.Package + "." + name
		}
		st := junitSuite{name: safeName(name), id: xs.ID, timestamp: xs.Timestamp, stdout: xs.SystemOut, stderr: xs.SystemErr}
		sum := 0.0
		for _, xc := range xs.Cases {
			c := junitCase{className: xc.ClassName, name: xc.Name, duration: parseSeconds(xc.Time)}
			if c.className == "" {
				c.className = name
			}
			if c.name == "" {
				c.name = "(?)"
			}
			f := xc.Failure
			if f == nil {
				f = xc.Error
			}
			if f != nil {
				c.hasError = true
				c.errorDetails = f.Message
				c.errorStackTrace = f.Text
			}
			if xc.Skipped != nil {
				c.skipped = true
				c.skippedMessage = xc.Skipped.Message
			}
			sum += c.duration
			switch {
			case c.skipped:
				rep.skipCount++
			case c.hasError:
				rep.failCount++
			default:
				rep.passCount++
			}
			st.cases = append(st.cases, c)
		}
		st.duration = sum
		if xs.Time != "" {
			st.duration = parseSeconds(xs.Time)
		}
		rep.duration += st.duration
		merged := false
		for i := range rep.suites {
			if rep.suites[i].name == st.name && rep.suites[i].id == st.id {
				rep.suites[i].cases = append(rep.suites[i].cases, st.cases...)
				rep.suites[i].duration += st.duration
				merged = true
			}
		}
		if !merged {
			rep.suites = append(rep.suites, st)
		}
	}
	return rep, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// obj is the report as /testReport/api/json exports it.
func (r *junitReport) obj() *obj {
	var suites []any
	for _, st := range r.suites {
		var cases []any
		for _, c := range st.cases {
			status := "PASSED"
			switch {
			case c.skipped:
				status = "SKIPPED"
			case c.hasError:
				status = "FAILED"
			}
			cases = append(cases, newObj("hudson.tasks.junit.CaseResult").
				add("testActions", []any{}).
				add("age", map[bool]int{true: 1, false: 0}[c.hasError]).
				add("className", c.className).
				add("duration", round3(c.duration)).
				add("errorDetails", nullable(c.errorDetails)).
				add("errorStackTrace", nullable(c.errorStackTrace)).
				add("failedSince", 0).
				add("name", c.name).
				add("skipped", c.skipped).
				add("skippedMessage", nullable(c.skippedMessage)).
				add("status", status).
				add("stderr", nil).
				add("stdout", nil))
		}
		suites = append(suites, newObj("hudson.tasks.junit.SuiteResult").
			addInline("cases", orEmpty(cases)).
			add("duration", round3(st.duration)).
			add("enclosingBlockNames", []any{}).
			add("enclosingBlocks", []any{}).
			add("id", nullable(st.id)).
			add("name", st.name).
			add("nodeId", nil).
			add("properties", newObj("")).
			add("stderr", nullable(strings.TrimSpace(st.stderr))).
			add("stdout", nullable(strings.TrimSpace(st.stdout))).
			add("timestamp", nullable(st.timestamp)))
	}
	return newObj("hudson.tasks.junit.TestResult").
		add("testActions", []any{}).
		add("duration", round3(r.duration)).
		add("empty", len(r.suites) == 0).
		add("failCount", r.failCount).
		add("passCount", r.passCount).
		add("skipCount", r.skipCount).
		addInline("suites", orEmpty(suites))
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
