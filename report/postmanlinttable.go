package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/jeeves-dev/jeeves/internal/termtext"
)

// Postman CLI `postman api lint` output: the only form that command has is a
// text table (Postman CLI 1.34.0, postman-entities/api/formatters/
// tableFormatter.js), per API:
//
//	API DETAILS
//	Name: Orders API
//	Type: OpenAPI 3.0
//	Language: yaml
//
//	Validation Type: Governance
//	┌──────┬──────────┬─────────────┬──────┐
//	│ Range│ Severity │ Description │ Path │
//	├──────┼──────────┼─────────────┼──────┤
//	│ 10:9 │ ERROR    │ text cut at │ a.b  │
//	│      │          │  the width  │      │
//	└──────┴──────────┴─────────────┴──────┘
//
//	✖ 4 problems (2 errors, 1 warnings, 0 infos, 1 hints)
//
// or "No issues found.". Cells wrap at a fixed width without regard to words,
// so a cell's lines are joined as they are; colours (ANSI) are stripped.
// Range is the 1-based "line:column", or "file -> line:column".

var pmTableSummaryRE = regexp.MustCompile(`(\d+) problems? \((\d+) errors?, (\d+) warnings?, (\d+) infos?, (\d+) hints?\)`)

// detectPostmanLintTable: the CLI's API DETAILS header with a result table
// or the clean run's line.
func detectPostmanLintTable(head []byte) bool {
	return bytes.Contains(head, []byte("API DETAILS")) &&
		(bytes.Contains(head, []byte("Validation Type:")) || bytes.Contains(head, []byte("No issues found.")))
}

type pmTableAPI struct {
	g       GovernanceResult
	name    string
	files   []string
	counted int // the summary line's total; -1 when absent
	clean   bool
	odd     int
}

func parsePostmanLintTable(r io.Reader, name string) (Results, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var apis []*pmTableAPI
	var cur *pmTableAPI
	category := ""
	var cells []strings.Builder
	inRow := false
	found := false // a result table, summary or "No issues found." was read
	flush := func() {
		if !inRow || cur == nil {
			inRow = false
			return
		}
		inRow = false
		txt := make([]string, len(cells))
		for i := range cells {
			txt[i] = strings.Join(strings.Fields(cells[i].String()), " ")
			cells[i].Reset()
		}
		v := Violation{Rule: category, Message: txt[2], Path: txt[3]}
		rng := txt[0]
		if f, rest, ok := strings.Cut(rng, " -> "); ok {
			v.File, rng = f, rest
		}
		v.Line, v.Column = lineCol(rng)
		sev, ok := postmanLintSeverity(txt[1])
		if !ok {
			cur.odd++
		}
		v.Severity = sev
		if v.File != "" && !strings.HasPrefix(v.File, "Component: ") && !containsStr(cur.files, v.File) {
			cur.files = append(cur.files, v.File)
		}
		cur.g.Violations = append(cur.g.Violations, v)
	}
	for sc.Scan() {
		t := strings.TrimSpace(termtext.Clean(sc.Text()))
		switch {
		case t == "API DETAILS":
			flush()
			cur = &pmTableAPI{g: GovernanceResult{Tool: ToolPostmanCLI, Artifact: name}, counted: -1}
			apis = append(apis, cur)
			category = ""
		case cur == nil:
			// notices before the first API
		case strings.HasPrefix(t, "Name:") && cur.name == "" && len(cur.g.Violations) == 0 && !inRow:
			cur.name = strings.TrimSpace(strings.TrimPrefix(t, "Name:"))
		case strings.HasPrefix(t, "Validation Type:"):
			flush()
			category = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(t, "Validation Type:")))
			found = true
		case strings.HasPrefix(t, "│"):
			parts := strings.Split(t, "│")
			if len(parts) != 6 || parts[5] != "" { // │a│b│c│d│
				cur.odd++
				continue
			}
			parts = parts[1:5]
			if strings.TrimSpace(parts[0]) == "Range" && strings.TrimSpace(parts[1]) == "Severity" {
				found = true
				continue
			}
			if cells == nil {
				cells = make([]strings.Builder, 4)
			}
			for i, p := range parts {
				cells[i].WriteString(cellText(p))
			}
			inRow = true
		case strings.HasPrefix(t, "├") || strings.HasPrefix(t, "└") || strings.HasPrefix(t, "┌"):
			flush()
		case t == "No issues found.":
			flush()
			cur.clean = true
			found = true
		default:
			if m := pmTableSummaryRE.FindStringSubmatch(t); m != nil {
				flush()
				cur.counted, _ = strconv.Atoi(m[1])
				found = true
			}
		}
	}
	flush()
	scanErr := sc.Err()
	if !found {
		if scanErr != nil {
			return Results{}, fmt.Errorf("not readable Postman CLI lint output: %v", scanErr)
		}
		return Results{}, fmt.Errorf("not readable Postman CLI lint output: no results table")
	}
	var res Results
	for i, a := range apis {
		g := a.g
		switch {
		case len(a.files) > 0:
			g.Definition = rootDefinition(a.files, name)
		case a.name != "":
			g.Definition = a.name
		default:
			g.Definition = path.Base(name)
		}
		var why []string
		if scanErr != nil && i == len(apis)-1 {
			why = append(why, fmt.Sprintf("report is cut short (%v); %d results read", scanErr, len(g.Violations)))
		}
		if a.counted >= 0 && a.counted != len(g.Violations) {
			why = append(why, fmt.Sprintf("the CLI counted %d problems, %d were read", a.counted, len(g.Violations)))
		}
		if a.counted < 0 && !a.clean && scanErr == nil {
			why = append(why, fmt.Sprintf("no summary line: the output may be cut short; %d results read", len(g.Violations)))
		}
		if a.odd > 0 {
			why = append(why, fmt.Sprintf("%d results had an unreadable shape or severity (unknown severities shown as warning)", a.odd))
		}
		if len(why) > 0 {
			g.Partial, g.PartialWhy = true, strings.Join(why, "; ")
		}
		res.Governance = append(res.Governance, g)
	}
	return res, nil
}

// cellText is a table cell's text without the one space of padding on each
// side (a wrapped cell's lines are cut at the width, spaces included).
func cellText(p string) string {
	p = strings.TrimPrefix(p, " ")
	if strings.HasSuffix(p, " ") {
		p = p[:len(p)-1]
	}
	return p
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
