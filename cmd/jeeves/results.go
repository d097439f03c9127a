package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jeeves-dev/jeeves/internal/termtext"
	rpt "github.com/jeeves-dev/jeeves/report"
)

func init() {
	subcommands["results"] = subcommand{
		summary: "collection runs and governance results of one build (-i NICKNAME NUMBER) or of report files (--file)",
		run:     runResults,
	}
}

// resFileFlags is a repeatable --file.
type resFileFlags []string

func (f *resFileFlags) String() string { return strings.Join(*f, ",") }
func (f *resFileFlags) Set(v string) error {
	if v == "" {
		return errors.New("give a report file's path")
	}
	*f = append(*f, v)
	return nil
}

// resultsJSON is the `results --json` shape of the product brief, spelled
// out here (not the report model's tags) so the output keeps exactly that
// shape: requests {total, failed}, assertions {total, failed, skipped} always
// present, no nulls. "partial"/"partial_why" appear only on a result whose
// source lost information (JUnit, SARIF, a cut-short report). For report
// files there is no build: integration is "", number 0 and status "".
type resultsJSON struct {
	Integration string          `json:"integration"`
	Number      int             `json:"number"`
	Status      string          `json:"status"`
	Collections []resCollection `json:"collections"`
	Governance  []resGovernance `json:"governance"`
}

type resCollection struct {
	Name       string `json:"name"`
	Tool       string `json:"tool"`
	Artifact   string `json:"artifact"`
	Iterations int    `json:"iterations"`
	Requests   struct {
		Total  int `json:"total"`
		Failed int `json:"failed"`
	} `json:"requests"`
	Assertions struct {
		Total   int `json:"total"`
		Failed  int `json:"failed"`
		Skipped int `json:"skipped"`
	} `json:"assertions"`
	DurationMS int64          `json:"duration_ms"`
	Executions []resExecution `json:"executions"`
	Partial    bool           `json:"partial,omitempty"`
	PartialWhy string         `json:"partial_why,omitempty"`
}

type resExecution struct {
	Iteration  int            `json:"iteration"`
	Folder     string         `json:"folder"`
	Name       string         `json:"name"`
	Method     string         `json:"method"`
	URL        string         `json:"url"`
	Code       int            `json:"code"`
	ResponseMS int64          `json:"response_ms"`
	Error      string         `json:"error"`
	Assertions []resAssertion `json:"assertions"`
}

type resAssertion struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

type resGovernance struct {
	Definition string         `json:"definition"`
	Tool       string         `json:"tool"`
	Artifact   string         `json:"artifact"`
	Violations []resViolation `json:"violations"`
	Partial    bool           `json:"partial,omitempty"`
	PartialWhy string         `json:"partial_why,omitempty"`
}

type resViolation struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Path     string `json:"path"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

// newResultsJSON converts parsed results to the --json shape.
func newResultsJSON(integration string, number int, status string, runs []rpt.CollectionRun, gov []rpt.GovernanceResult) resultsJSON {
	out := resultsJSON{Integration: integration, Number: number, Status: status,
		Collections: []resCollection{}, Governance: []resGovernance{}}
	for _, r := range runs {
		c := resCollection{Name: r.Name, Tool: string(r.Tool), Artifact: r.Artifact, Iterations: r.Iterations,
			DurationMS: r.DurationMS, Executions: []resExecution{}, Partial: r.Partial, PartialWhy: r.PartialWhy}
		c.Requests.Total, c.Requests.Failed = r.Requests.Total, r.Requests.Failed
		c.Assertions.Total, c.Assertions.Failed, c.Assertions.Skipped = r.Assertions.Total, r.Assertions.Failed, r.Assertions.Skipped
		for _, x := range r.Executions {
			e := resExecution{Iteration: x.Iteration, Folder: x.Folder, Name: x.Name, Method: x.Method, URL: x.URL,
				Code: x.Code, ResponseMS: x.ResponseMS, Error: x.Error, Assertions: []resAssertion{}}
			for _, a := range x.Assertions {
				e.Assertions = append(e.Assertions, resAssertion{Name: a.Name, Status: string(a.Status), Message: a.Message})
			}
			c.Executions = append(c.Executions, e)
		}
		out.Collections = append(out.Collections, c)
	}
	for _, g := range gov {
		og := resGovernance{Definition: g.Definition, Tool: string(g.Tool), Artifact: g.Artifact,
			Violations: []resViolation{}, Partial: g.Partial, PartialWhy: g.PartialWhy}
		for _, v := range g.Violations {
			og.Violations = append(og.Violations, resViolation{Rule: v.Rule, Severity: string(v.Severity), Message: v.Message,
				Path: v.Path, File: v.File, Line: v.Line, Column: v.Column})
		}
		out.Governance = append(out.Governance, og)
	}
	return out
}

func runResults(e *env) error {
	fs := newFlagSet(e, "jeeves results", "jeeves results -i NICKNAME NUMBER [--json] | jeeves results --file REPORT [--file REPORT]... [--json]")
	var files resFileFlags
	fs.Var(&files, "file", "a report `file`: newman or Postman CLI JSON, JUnit XML, Jenkins testReport JSON, Spectral JSON, SARIF, Postman CLI lint JSON or table (repeatable; the format is detected from the content)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	build := resultsBuildFlags(fs) // -i NICKNAME NUMBER: results_build.go
	if err := fs.parse(e.args); err != nil {
		return err
	}
	// Flags may come after the build NUMBER in either order
	// (`-i NICK 42 --json`, `42 -i NICK`): parse what follows each
	// positional argument again.
	var args []string
	for rest := fs.Args(); len(rest) > 0; rest = fs.Args() {
		args = append(args, rest[0])
		if err := fs.parse(rest[1:]); err != nil {
			return err
		}
	}
	if build.wanted() {
		return build.run(e, args, asJSON, &files)
	}
	if len(args) > 0 {
		if _, err := strconv.Atoi(args[0]); err == nil && len(files) == 0 {
			return usageErr("jeeves results: build %s of which integration? give -i NICKNAME %s", args[0], args[0])
		}
		return usageErr("jeeves results: unexpected argument %q; give report files with --file", args[0])
	}
	if len(files) == 0 {
		return usageErr("jeeves results: give -i NICKNAME NUMBER, or --file REPORT (see 'jeeves results --help')")
	}
	var runs []rpt.CollectionRun
	var gov []rpt.GovernanceResult
	for _, name := range files {
		res, err := parseReportFile(name)
		if err != nil {
			return err
		}
		runs = append(runs, res.Collections...)
		gov = append(gov, res.Governance...)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(newResultsJSON("", 0, "", runs, gov))
	}
	writeResultsText(e.stdout, runs, gov)
	return nil
}

func parseReportFile(name string) (rpt.Results, error) {
	f, err := os.Open(name)
	if err != nil {
		return rpt.Results{}, usageErr("jeeves results: %v", err)
	}
	defer f.Close()
	res, err := rpt.Parse(f, name, rpt.Options{})
	if err != nil {
		return rpt.Results{}, usageErr("jeeves results: %v", err)
	}
	return res, nil
}

// resText makes report text one clean line for the terminal.
func resText(s string) string { return termtext.Clean(s) }

// resWriteLines writes report text that may span lines, each line cleaned
// and indented.
func resWriteLines(w io.Writer, indent, s string) {
	for _, line := range strings.Split(termtext.CleanMultiline(s), "\n") {
		fmt.Fprintf(w, "%s%s\n", indent, line)
	}
}

// writeResultsText prints a tree: collection runs -> requests (failed first)
// -> assertions and errors; governance results -> definition -> violations
// grouped by severity.
func writeResultsText(w io.Writer, runs []rpt.CollectionRun, gov []rpt.GovernanceResult) {
	for i, r := range runs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeRunText(w, r)
	}
	for i, g := range gov {
		if i > 0 || len(runs) > 0 {
			fmt.Fprintln(w)
		}
		writeGovernanceText(w, g)
	}
}

func resPlural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func resDuration(ms int64) string {
	switch {
	case ms >= 60_000:
		return fmt.Sprintf("%dm%02ds", ms/60_000, ms%60_000/1000)
	case ms >= 1000:
		return fmt.Sprintf("%.1fs", float64(ms)/1000)
	}
	return fmt.Sprintf("%d ms", ms)
}

func resExecFailed(x rpt.Execution) bool {
	if x.Error != "" {
		return true
	}
	for _, a := range x.Assertions {
		if a.Status == rpt.Failed {
			return true
		}
	}
	return false
}

func writeRunText(w io.Writer, r rpt.CollectionRun) {
	name := r.Name
	if name == "" {
		name = "(unnamed collection)"
	}
	fmt.Fprintf(w, "Collection run: %s  [%s, %s]\n", resText(name), resText(string(r.Tool)), resText(r.Artifact))
	parts := []string{}
	if r.Iterations > 0 {
		parts = append(parts, resPlural(r.Iterations, "iteration", "iterations"))
	}
	parts = append(parts, r.RequestsPhrase())
	a := fmt.Sprintf("assertions %d, %d failed", r.Assertions.Total, r.Assertions.Failed)
	if r.Assertions.Skipped > 0 {
		a += fmt.Sprintf(", %d skipped", r.Assertions.Skipped)
	}
	parts = append(parts, a)
	if r.DurationMS > 0 {
		parts = append(parts, resDuration(r.DurationMS))
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(parts, " · "))
	if r.Partial {
		fmt.Fprintf(w, "  partial: %s\n", resText(r.PartialWhy))
	}
	execs := make([]rpt.Execution, len(r.Executions))
	copy(execs, r.Executions)
	sort.SliceStable(execs, func(i, j int) bool { return resExecFailed(execs[i]) && !resExecFailed(execs[j]) })
	for _, x := range execs {
		writeExecText(w, x)
	}
}

func writeExecText(w io.Writer, x rpt.Execution) {
	failed := resExecFailed(x)
	glyph := "✓"
	if failed {
		glyph = "✗"
	}
	title := x.Name
	if x.Folder != "" {
		title = x.Folder + "/" + x.Name
	}
	fields := []string{resText(title)}
	if x.Iteration > 0 {
		fields = append(fields, fmt.Sprintf("iteration %d", x.Iteration))
	}
	if x.Method != "" || x.URL != "" {
		fields = append(fields, strings.TrimSpace(resText(x.Method)+" "+resText(x.URL)))
	}
	if x.Code > 0 {
		fields = append(fields, fmt.Sprintf("%d", x.Code))
	}
	if x.ResponseMS > 0 {
		fields = append(fields, resDuration(x.ResponseMS))
	}
	if !failed {
		var passed, skipped int
		for _, a := range x.Assertions {
			if a.Status == rpt.Skipped {
				skipped++
			} else {
				passed++
			}
		}
		s := resPlural(passed, "assertion passed", "assertions passed")
		if skipped > 0 {
			s += fmt.Sprintf(", %d skipped", skipped)
		}
		fields = append(fields, s)
		fmt.Fprintf(w, "  %s %s\n", glyph, strings.Join(fields, " · "))
		return
	}
	fmt.Fprintf(w, "  %s %s\n", glyph, strings.Join(fields, " · "))
	if x.Error != "" {
		lines := strings.Split(termtext.CleanMultiline(x.Error), "\n")
		fmt.Fprintf(w, "      error: %s\n", lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "             %s\n", l)
		}
	}
	// failed assertions first, then the rest in order
	as := make([]rpt.Assertion, len(x.Assertions))
	copy(as, x.Assertions)
	sort.SliceStable(as, func(i, j int) bool { return as[i].Status == rpt.Failed && as[j].Status != rpt.Failed })
	for _, a := range as {
		switch a.Status {
		case rpt.Failed:
			fmt.Fprintf(w, "      ✗ %s\n", resText(a.Name))
			if a.Message != "" {
				resWriteLines(w, "          ", a.Message)
			}
		case rpt.Skipped:
			fmt.Fprintf(w, "      - %s (skipped)\n", resText(a.Name))
		default:
			fmt.Fprintf(w, "      ✓ %s\n", resText(a.Name))
		}
	}
}

var resSeverityOrder = []rpt.Severity{rpt.SevError, rpt.SevWarning, rpt.SevInfo, rpt.SevHint}

func writeGovernanceText(w io.Writer, g rpt.GovernanceResult) {
	fmt.Fprintf(w, "API definition: %s  [%s, %s]\n", resText(g.Definition), resText(string(g.Tool)), resText(g.Artifact))
	bySev := map[rpt.Severity][]rpt.Violation{}
	for _, v := range g.Violations {
		bySev[v.Severity] = append(bySev[v.Severity], v)
	}
	counts := []string{
		resPlural(len(bySev[rpt.SevError]), "error", "errors"),
		resPlural(len(bySev[rpt.SevWarning]), "warning", "warnings"),
		resPlural(len(bySev[rpt.SevInfo]), "info", "infos"),
		resPlural(len(bySev[rpt.SevHint]), "hint", "hints"),
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(counts, " · "))
	if g.Partial {
		fmt.Fprintf(w, "  partial: %s\n", resText(g.PartialWhy))
	}
	if len(g.Violations) == 0 {
		fmt.Fprintln(w, "  no violations")
		return
	}
	dir := path.Dir(g.Definition)
	for _, sev := range resSeverityOrder {
		vs := bySev[sev]
		if len(vs) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s (%d)\n", sev, len(vs))
		for _, v := range vs {
			loc := v.File
			if dir != "." && dir != "/" && strings.HasPrefix(loc, dir+"/") {
				loc = strings.TrimPrefix(loc, dir+"/")
			}
			if v.Line > 0 {
				if loc != "" {
					loc += ":"
				}
				loc += fmt.Sprintf("%d", v.Line)
				if v.Column > 0 { // the Postman CLI's lint JSON has no column
					loc += fmt.Sprintf(":%d", v.Column)
				}
			}
			fields := []string{}
			if loc != "" {
				fields = append(fields, resText(loc))
			}
			fields = append(fields, resText(v.Rule))
			if v.Path != "" {
				fields = append(fields, resText(v.Path))
			}
			fmt.Fprintf(w, "    %s\n", strings.Join(fields, "  "))
			resWriteLines(w, "        ", v.Message)
		}
	}
}
