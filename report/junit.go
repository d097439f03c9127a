package report

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// JUnit XML as newman and the Postman CLI write it (one <testsuite> per
// request, one <testcase> per distinct assertion name) and as Spectral writes
// it (package="org.spectral", one <testcase> per violation at or above
// --fail-severity). Other JUnit is read like newman's.

type xFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

type xCase struct {
	Name      string    `xml:"name,attr"`
	Classname string    `xml:"classname,attr"`
	Time      string    `xml:"time,attr"`
	Failure   *xFailure `xml:"failure"`
	Error     *xFailure `xml:"error"`
	Skipped   *struct{} `xml:"skipped"`
}

type xSuite struct {
	Name      string  `xml:"name,attr"`
	ID        string  `xml:"id,attr"`
	Package   string  `xml:"package,attr"`
	Failures  string  `xml:"failures,attr"`
	Time      string  `xml:"time,attr"`
	SystemErr string  `xml:"system-err"`
	Cases     []xCase `xml:"testcase"`
}

const junitPartialWhy = "from JUnit, which keeps one result per assertion name and request (the last iteration's): " +
	"failures of earlier iterations, skipped tests, iterations and requests without assertions are lost"

const spectralJUnitWhy = "from Spectral JUnit, which lists only violations at or above --fail-severity and not their severity (shown as error)"

func parseJUnit(r io.Reader, name string) (Results, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	var suites []xSuite
	var collName, collTime string
	sawRoot := false
	for {
		t, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tl *TooLargeError
			if errors.As(err, &tl) {
				return Results{}, err
			}
			if !sawRoot {
				return Results{}, fmt.Errorf("not readable JUnit XML: %v", err)
			}
			res := junitResults(suites, collName, collTime, name)
			why := fmt.Sprintf("report is cut short or malformed (%v)", err)
			for i := range res.Collections {
				res.Collections[i].Partial = true
				res.Collections[i].PartialWhy = why + "; " + res.Collections[i].PartialWhy
			}
			for i := range res.Governance {
				res.Governance[i].Partial = true
				res.Governance[i].PartialWhy = why + "; " + res.Governance[i].PartialWhy
			}
			if len(res.Collections) == 0 && len(res.Governance) == 0 {
				return Results{}, fmt.Errorf("not readable JUnit XML: %v", err)
			}
			return res, nil
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "testsuites":
			if !sawRoot {
				for _, a := range se.Attr {
					switch a.Name.Local {
					case "name":
						collName = a.Value
					case "time":
						collTime = a.Value
					}
				}
			}
			sawRoot = true
		case "testsuite":
			sawRoot = true
			var s xSuite
			if err := dec.DecodeElement(&s, &se); err != nil {
				var tl *TooLargeError
				if errors.As(err, &tl) {
					return Results{}, err
				}
				if len(suites) == 0 {
					return Results{}, fmt.Errorf("not readable JUnit XML: %v", err)
				}
				res := junitResults(suites, collName, collTime, name)
				for i := range res.Collections {
					res.Collections[i].Partial = true
					res.Collections[i].PartialWhy = fmt.Sprintf("report is cut short or malformed (%v); %s", err, res.Collections[i].PartialWhy)
				}
				return res, nil
			}
			suites = append(suites, s)
		default:
			if !sawRoot {
				return Results{}, fmt.Errorf("not JUnit XML: root element is <%s>", se.Name.Local)
			}
		}
	}
	if !sawRoot {
		return Results{}, errors.New("not JUnit XML: no <testsuites> or <testsuite>")
	}
	return junitResults(suites, collName, collTime, name), nil
}

func junitResults(suites []xSuite, collName, collTime, artifact string) Results {
	var res Results
	var api []xSuite
	var lint []xSuite
	for _, s := range suites {
		if s.Package == "org.spectral" {
			lint = append(lint, s)
		} else {
			api = append(api, s)
		}
	}
	if len(lint) > 0 {
		g := GovernanceResult{Tool: ToolSpectral, Artifact: artifact, Partial: true, PartialWhy: spectralJUnitWhy}
		var files []string
		for _, s := range lint {
			files = append(files, s.Name)
			for _, c := range s.Cases {
				f := c.Failure
				if f == nil {
					f = c.Error
				}
				if f == nil {
					continue
				}
				g.Violations = append(g.Violations, spectralCaseViolation(c.Name, f.Message, f.Text, s.Name))
			}
		}
		g.Definition = rootDefinition(files, artifact)
		res.Governance = append(res.Governance, g)
	}
	if len(api) > 0 || len(lint) == 0 {
		run := CollectionRun{Name: collName, Tool: ToolJUnit, Artifact: artifact, Partial: true}
		if run.Name == "" {
			run.Name = strings.TrimSuffix(path.Base(artifact), path.Ext(artifact))
		}
		run.DurationMS = secondsToMS(collTime)
		suiteFailures := 0
		for _, s := range api {
			e := Execution{ResponseMS: secondsToMS(s.Time)}
			e.Folder, e.Name = splitSuiteName(s.Name)
			reqErr, scriptErrs := parseStderr(s.SystemErr)
			var errs []string
			if reqErr != "" {
				errs = append(errs, reqErr)
				run.Requests.Failed++
			}
			e.Error = strings.Join(append(errs, scriptErrs...), "\n")
			for _, c := range s.Cases {
				a := Assertion{Name: c.Name, Status: Passed}
				switch {
				case c.Failure != nil:
					a.Status, a.Message = Failed, c.Failure.Message
				case c.Error != nil:
					a.Status, a.Message = Failed, c.Error.Message
				case c.Skipped != nil:
					a.Status = Skipped
				}
				e.Assertions = append(e.Assertions, a)
				run.Assertions.Total++
				switch a.Status {
				case Failed:
					run.Assertions.Failed++
				case Skipped:
					run.Assertions.Skipped++
				}
			}
			if n, err := strconv.Atoi(s.Failures); err == nil && n > 0 {
				suiteFailures += n
			}
			run.Requests.Total++
			run.Executions = append(run.Executions, e)
		}
		run.PartialWhy = junitPartialWhy
		if suiteFailures > run.Assertions.Failed {
			run.PartialWhy += fmt.Sprintf(" (the suites count %d failed assertions over all iterations)", suiteFailures)
		}
		res.Collections = append(res.Collections, run)
	}
	return res
}

// splitSuiteName turns newman's "Folder / Sub / Request" into ("Folder/Sub", "Request").
func splitSuiteName(s string) (folder, name string) {
	parts := strings.Split(s, " / ")
	return strings.Join(parts[:len(parts)-1], "/"), parts[len(parts)-1]
}

func secondsToMS(s string) int64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e12 {
		return 0
	}
	return int64(math.Round(f * 1000))
}

// parseStderr reads newman's suite <system-err> (Jenkins: suite stderr):
//
//	Iteration: 0
//	RequestError: Error: connect ECONNREFUSED 127.0.0.1:9
//	    at TCPConnectWrap...
//	---
//	testScriptError: notDefinedHelper is not defined
//	---
//
// and returns the distinct request error and script errors.
func parseStderr(s string) (reqErr string, scriptErrs []string) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	seen := map[string]bool{}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		var label, msg string
		switch {
		case strings.HasPrefix(line, "RequestError: "):
			msg = strings.TrimPrefix(strings.TrimPrefix(line, "RequestError: "), "Error: ")
			if reqErr == "" {
				reqErr = msg
			}
			continue
		case strings.HasPrefix(line, "testScriptError: "):
			label, msg = "test script: ", strings.TrimPrefix(line, "testScriptError: ")
		case strings.HasPrefix(line, "prerequestScriptError: "):
			label, msg = "pre-request script: ", strings.TrimPrefix(line, "prerequestScriptError: ")
		default:
			continue
		}
		// continuation lines of a multi-line message, up to the separator or a stack
		for i+1 < len(lines) {
			next := lines[i+1]
			if next == "---" || next == "" || strings.HasPrefix(strings.TrimSpace(next), "at ") ||
				strings.HasPrefix(next, "Iteration: ") || strings.Contains(next, "Error: ") {
				break
			}
			msg += "\n" + next
			i++
		}
		if !seen[label+msg] {
			seen[label+msg] = true
			scriptErrs = append(scriptErrs, label+msg)
		}
	}
	return reqErr, scriptErrs
}

var spectralLineCol = regexp.MustCompile(`^\s*line (\d+), col (\d+),`)

// spectralCaseViolation reads one Spectral JUnit testcase:
// name "org.spectral.CODE(#/json/pointer)", text "line 18, col 16, MESSAGE (CODE) at path #/...".
func spectralCaseViolation(caseName, message, text, file string) Violation {
	v := Violation{Severity: SevError, Message: message, File: file}
	n := strings.TrimPrefix(caseName, "org.spectral.")
	if i := strings.Index(n, "(#"); i >= 0 {
		v.Rule = n[:i]
		v.Path = pointerToPath(strings.TrimSuffix(n[i+1:], ")"))
	} else {
		v.Rule = n
	}
	if m := spectralLineCol.FindStringSubmatch(text); m != nil {
		v.Line, _ = strconv.Atoi(m[1])
		v.Column, _ = strconv.Atoi(m[2])
	}
	return v
}

// pointerToPath turns "#/paths/~1orders/get" into "paths./orders.get", the
// dotted form Spectral's stylish output uses.
func pointerToPath(p string) string {
	p = strings.TrimPrefix(p, "#")
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return ""
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if u, err := urlUnescape(s); err == nil {
			s = u
		}
		s = strings.ReplaceAll(s, "~1", "/")
		s = strings.ReplaceAll(s, "~0", "~")
		parts[i] = s
	}
	return strings.Join(parts, ".")
}

func urlUnescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", err
			}
			b.WriteByte(byte(v))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

// rootDefinition picks the linted definition among the files results are in:
// the one nearest the root (a $ref'd file usually sits in a subfolder).
func rootDefinition(files []string, artifact string) string {
	best := ""
	for _, f := range files {
		if f == "" {
			continue
		}
		if best == "" || strings.Count(f, "/") < strings.Count(best, "/") {
			best = f
		}
	}
	if best == "" {
		return path.Base(artifact)
	}
	return best
}
