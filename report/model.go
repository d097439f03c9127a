// Package report parses API-test and API-lint reports (newman, Postman CLI,
// JUnit, Jenkins testReport, Spectral, SARIF, Postman CLI lint) into one results model.
// It knows nothing about the UI.
package report

import "fmt"

// Tool names a report producer.
type Tool string

const (
	ToolNewman     Tool = "newman"
	ToolPostmanCLI Tool = "postman-cli"
	ToolJUnit      Tool = "junit"
	ToolJenkins    Tool = "jenkins-testreport"
	ToolSpectral   Tool = "spectral"
	ToolSARIF      Tool = "sarif"
)

// Kind is a detected report format.
type Kind string

const (
	KindUnknown        Kind = ""
	KindNewmanJSON     Kind = "newman-json"
	KindPostmanCLIJSON Kind = "postman-cli-json"
	KindJUnitXML       Kind = "junit-xml"
	KindJenkinsTests   Kind = "jenkins-testreport"
	KindSpectralJSON   Kind = "spectral-json"
	KindSARIF          Kind = "sarif"
	// KindPostmanLintJSON is `postman spec lint --output json`.
	KindPostmanLintJSON Kind = "postman-lint-json"
	// KindPostmanLintTable is `postman api lint`'s text table.
	KindPostmanLintTable Kind = "postman-lint-table"
)

// Results is everything parsed for one build (or a set of files).
type Results struct {
	Collections []CollectionRun    `json:"collections"`
	Governance  []GovernanceResult `json:"governance"`
}

// Counts is a total/failed(/skipped) pair.
type Counts struct {
	Total   int `json:"total"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped,omitempty"`
}

// CollectionRun is one Postman collection executed in a build.
type CollectionRun struct {
	Name       string      `json:"name"`
	Tool       Tool        `json:"tool"`
	Artifact   string      `json:"artifact"`
	Iterations int         `json:"iterations"`
	Requests   Counts      `json:"requests"`
	Assertions Counts      `json:"assertions"`
	DurationMS int64       `json:"duration_ms"` // 0 when the source does not record it (Postman CLI)
	Executions []Execution `json:"executions"`
	// Partial says the source lost information (JUnit, truncation); PartialWhy says what.
	Partial    bool   `json:"partial,omitempty"`
	PartialWhy string `json:"partial_why,omitempty"`
}

// Execution is one request sent during a run.
// Iteration is 1-based (as newman prints it); 0 when the source does not say
// (JUnit, Jenkins testReport). Error holds the request error and any
// pre-request / test script errors, one per line.
type Execution struct {
	Iteration  int         `json:"iteration"`
	Folder     string      `json:"folder"` // "a/b" path of folders in the collection
	Name       string      `json:"name"`
	Method     string      `json:"method"`
	URL        string      `json:"url"`
	Code       int         `json:"code"`
	ResponseMS int64       `json:"response_ms"`
	Error      string      `json:"error"`
	Assertions []Assertion `json:"assertions"`
}

// AssertionStatus is passed, failed or skipped.
type AssertionStatus string

const (
	Passed  AssertionStatus = "passed"
	Failed  AssertionStatus = "failed"
	Skipped AssertionStatus = "skipped"
)

// Assertion is one pm.test result.
type Assertion struct {
	Name    string          `json:"name"`
	Status  AssertionStatus `json:"status"`
	Message string          `json:"message"`
}

// Severity of a lint violation.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
	SevInfo    Severity = "info"
	SevHint    Severity = "hint"
)

// GovernanceResult is one API definition linted in a build.
type GovernanceResult struct {
	Definition string      `json:"definition"`
	Tool       Tool        `json:"tool"`
	Artifact   string      `json:"artifact"`
	Violations []Violation `json:"violations"`
	Partial    bool        `json:"partial,omitempty"`
	PartialWhy string      `json:"partial_why,omitempty"`
}

// Violation is one rule violation; Line and Column are 1-based.
type Violation struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Path     string   `json:"path"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
}

// CollectionSummary is the short form used in build lists.
type CollectionSummary struct {
	Runs             int `json:"runs"`
	Requests         int `json:"requests"`
	RequestsFailed   int `json:"requests_failed"`
	Assertions       int `json:"assertions"`
	AssertionsFailed int `json:"assertions_failed"`
}

// GovernanceSummary is the short form used in build lists.
type GovernanceSummary struct {
	Definitions int `json:"definitions"`
	Error       int `json:"error"`
	Warning     int `json:"warning"`
	Info        int `json:"info"`
	Hint        int `json:"hint"`
}

// Summaries returns the list-view summaries; nil when there is nothing of that kind.
func (r Results) Summaries() (*CollectionSummary, *GovernanceSummary) {
	var cs *CollectionSummary
	if len(r.Collections) > 0 {
		cs = &CollectionSummary{}
		for _, c := range r.Collections {
			cs.Runs++
			cs.Requests += c.Requests.Total
			cs.RequestsFailed += c.Requests.Failed
			cs.Assertions += c.Assertions.Total
			cs.AssertionsFailed += c.Assertions.Failed
		}
	}
	var gs *GovernanceSummary
	if len(r.Governance) > 0 {
		gs = &GovernanceSummary{}
		for _, g := range r.Governance {
			gs.Definitions++
			for _, v := range g.Violations {
				switch v.Severity {
				case SevError:
					gs.Error++
				case SevWarning:
					gs.Warning++
				case SevInfo:
					gs.Info++
				case SevHint:
					gs.Hint++
				}
			}
		}
	}
	return cs, gs
}

// FailingRequests counts the executions that failed an assertion or had a
// request or script error. Requests.Failed is the tool's own number, which
// for newman counts only requests that could not be sent.
func (c CollectionRun) FailingRequests() int {
	n := 0
	for i := range c.Executions {
		e := &c.Executions[i]
		failed := e.Error != ""
		for _, a := range e.Assertions {
			if a.Status == Failed {
				failed = true
				break
			}
		}
		if failed {
			n++
		}
	}
	return n
}

// RequestsPhrase says how many requests ran and how many failed, naming
// send errors apart when the tool counted them: "8 requests, 5 failing"
// or "8 requests, 5 failing (1 not sent)".
func (c CollectionRun) RequestsPhrase() string {
	s := fmt.Sprintf("%d requests", c.Requests.Total)
	if c.Requests.Total == 1 {
		s = "1 request"
	}
	if f := c.FailingRequests(); f > 0 || c.Requests.Failed > 0 {
		s += fmt.Sprintf(", %d failing", max(f, c.Requests.Failed))
		if c.Requests.Failed > 0 {
			s += fmt.Sprintf(" (%d not sent)", c.Requests.Failed)
		}
	}
	return s
}
