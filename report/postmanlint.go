package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Postman CLI lint JSON: what `postman spec lint <file|id> --output json`
// prints (Postman CLI 1.34.0, postman-entities/spec/formatters/jsonFormatter.js):
//
//	{"violations": [{"file": "...", "line number": "18", "path": "paths./orders.get",
//	  "severity": "ERROR|WARNING|INFO|HINT", "issue": "message",
//	  "issue type": "Syntax|Governance"}]}
//
// "line number" is the 1-based start line as a string; there is no column and
// no rule name. Postman's docs document the command, `--output json|csv` and
// the four severities only; README.md ("Postman CLI lint results") says which
// fields come from where. The other names some third-party parsers use
// ("message", "line", "column", "rule", "code", "WARN") are accepted too.
// `postman api lint` (the older command) prints only a table, not this.

type pmLintViolation struct {
	File       flexString `json:"file"`
	LineNumber flexString `json:"line number"`
	Line       flexString `json:"line"`
	Column     *flexInt   `json:"column"`
	Path       flexString `json:"path"`
	Severity   flexString `json:"severity"`
	Issue      flexString `json:"issue"`
	Message    flexString `json:"message"`
	IssueType  flexString `json:"issue type"`
	Rule       flexString `json:"rule"`
	Code       flexString `json:"code"`
}

func postmanLintSeverity(s string) (Severity, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "ERROR":
		return SevError, true
	case "WARNING", "WARN":
		return SevWarning, true
	case "INFO", "INFORMATION":
		return SevInfo, true
	case "HINT":
		return SevHint, true
	}
	return SevWarning, false
}

// lineCol reads "18", "18:5" (the table's Range) or "file -> 18:5".
func lineCol(s string) (line, col int) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "-> "); i >= 0 {
		s = s[i+3:]
	}
	l, c, _ := strings.Cut(s, ":")
	if n, err := strconv.Atoi(strings.TrimSpace(l)); err == nil && n > 0 {
		line = n
		if m, err := strconv.Atoi(strings.TrimSpace(c)); err == nil && m > 0 {
			col = m
		}
	}
	return line, col
}

// postmanLintStart is where the JSON starts: the CLI prints it on stdout,
// where a notice may come first, so a line that starts with '{' after other
// text is accepted. -1: not found.
func postmanLintStart(head []byte) int {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) > 0 && t[0] == '{' {
		return len(head) - len(t)
	}
	if i := bytes.Index(head, []byte("\n{")); i >= 0 {
		return i + 1
	}
	return -1
}

// detectPostmanLint: an object whose "violations" is an array of objects
// with the Postman CLI's keys, or empty (a clean lint).
func detectPostmanLint(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := expectDelim(dec, '{'); err != nil {
		return false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		if t != "violations" {
			if skipValue(dec) != nil {
				return false
			}
			continue
		}
		if expectDelim(dec, '[') != nil {
			return false
		}
		if !dec.More() {
			t, err := dec.Token()
			return err == nil && t == json.Delim(']')
		}
		if expectDelim(dec, '{') != nil {
			return false
		}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return false
			}
			switch t {
			case "issue type", "line number", "issue":
				return true
			}
			if skipValue(dec) != nil {
				return false
			}
		}
		return false
	}
	return false
}

func parsePostmanLint(r io.Reader, name string) (Results, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, HeadSize)
	}
	head, _ := br.Peek(HeadSize)
	if start := postmanLintStart(head); start > 0 {
		_, _ = br.Discard(start)
	}
	dec := json.NewDecoder(br)
	g := GovernanceResult{Tool: ToolPostmanCLI, Artifact: name}
	var files []string
	seenFile := map[string]bool{}
	odd := 0
	found := false
	var cut error
	err := walkObject(dec, func(key string) error {
		if key != "violations" || found {
			return skipValue(dec)
		}
		found = true
		if err := expectDelim(dec, '['); err != nil {
			return err
		}
		for dec.More() {
			var pv pmLintViolation
			if err := dec.Decode(&pv); err != nil {
				var ute *json.UnmarshalTypeError
				if errors.As(err, &ute) {
					odd++
					continue
				}
				return err
			}
			v := Violation{Message: string(pv.Issue), Path: string(pv.Path), File: string(pv.File)}
			if v.Message == "" {
				v.Message = string(pv.Message)
			}
			// The JSON names the check's kind (Syntax, Governance), not its rule.
			v.Rule = string(pv.Rule)
			if v.Rule == "" {
				v.Rule = string(pv.Code)
			}
			if v.Rule == "" {
				v.Rule = strings.ToLower(strings.TrimSpace(string(pv.IssueType)))
			}
			ln := string(pv.LineNumber)
			if ln == "" {
				ln = string(pv.Line)
			}
			v.Line, v.Column = lineCol(ln)
			if pv.Column != nil && *pv.Column > 0 && v.Line > 0 {
				v.Column = int(*pv.Column)
			}
			sev, ok := postmanLintSeverity(string(pv.Severity))
			if !ok {
				odd++
			}
			v.Severity = sev
			// "Component: NAME" is a component library's file, not the definition
			if v.File != "" && !seenFile[v.File] && !strings.HasPrefix(v.File, "Component: ") {
				seenFile[v.File] = true
				files = append(files, v.File)
			}
			g.Violations = append(g.Violations, v)
		}
		return expectDelim(dec, ']')
	})
	if err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			return Results{}, err
		}
		cut = err
	}
	if cut == nil && !found {
		return Results{}, errors.New("not readable Postman CLI lint JSON: no \"violations\"")
	}
	if cut != nil && len(g.Violations) == 0 && odd == 0 {
		return Results{}, fmt.Errorf("not readable Postman CLI lint JSON: %s", jsonErrText(cut))
	}
	g.Definition = rootDefinition(files, name)
	var why []string
	if cut != nil {
		why = append(why, fmt.Sprintf("report is cut short or malformed (%s); %d results read", jsonErrText(cut), len(g.Violations)))
	}
	if odd > 0 {
		why = append(why, fmt.Sprintf("%d results had an unreadable shape or severity (unknown severities shown as warning)", odd))
	}
	if len(why) > 0 {
		g.Partial, g.PartialWhy = true, strings.Join(why, "; ")
	}
	return Results{Governance: []GovernanceResult{g}}, nil
}
