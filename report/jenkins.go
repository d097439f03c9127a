package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Jenkins's /job/J/N/testReport/api/json, as the junit plugin exports it:
// {failCount, passCount, skipCount, suites[{id, name, duration, stderr,
// cases[{className, name, status, duration, errorDetails, errorStackTrace, skipped}]}]}
// or, for matrix/Maven builds, {childReports[{child, result{...same...}}]}.

type jCase struct {
	Name            flexString `json:"name"`
	Status          flexString `json:"status"`
	Duration        *float64   `json:"duration"`
	ErrorDetails    flexString `json:"errorDetails"`
	ErrorStackTrace flexString `json:"errorStackTrace"`
	Skipped         bool       `json:"skipped"`
}

type jSuite struct {
	Name     flexString `json:"name"`
	Duration *float64   `json:"duration"`
	Stderr   flexString `json:"stderr"`
	Cases    []jCase    `json:"cases"`
}

type jResult struct {
	Duration  *float64 `json:"duration"`
	FailCount *flexInt `json:"failCount"`
	PassCount *flexInt `json:"passCount"`
	SkipCount *flexInt `json:"skipCount"`
	// TotalCount is in the build's TestResultAction summary (no suites).
	TotalCount *flexInt `json:"totalCount"`
	Suites     []jSuite `json:"suites"`
}

type jReport struct {
	jResult
	ChildReports []struct {
		Result *jResult `json:"result"`
	} `json:"childReports"`
}

const jenkinsPartialWhy = "from Jenkins's JUnit test report, which keeps one result per assertion name and request " +
	"(the last iteration's): failures of earlier iterations, skipped tests, iterations and requests without assertions are lost"

func parseJenkins(r io.Reader, name string) (Results, error) {
	var rep jReport
	dec := json.NewDecoder(r)
	oddField := ""
	if err := dec.Decode(&rep); err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			return Results{}, err
		}
		var ute *json.UnmarshalTypeError
		if !errors.As(err, &ute) {
			return Results{}, fmt.Errorf("not a readable Jenkins test report: %s", jsonErrText(err))
		}
		if ute.Field == "" {
			return Results{}, errors.New("not a Jenkins test report: the JSON is not an object")
		}
		oddField = jsonField(ute.Field) // the rest was decoded; say what was not
	}
	results := []jResult{rep.jResult}
	for _, c := range rep.ChildReports {
		if c.Result != nil {
			results = append(results, *c.Result)
		}
	}
	if rep.Suites == nil && len(rep.ChildReports) == 0 && rep.PassCount == nil && rep.FailCount == nil && rep.TotalCount == nil {
		return Results{}, errors.New("not a Jenkins test report: no suites, childReports or counts")
	}

	run := CollectionRun{Name: "Jenkins test report", Tool: ToolJenkins, Artifact: name, Partial: true, PartialWhy: jenkinsPartialWhy}
	var gov *GovernanceResult
	var govFiles []string
	counted := false
	var pass, fail, skipc int
	for _, jr := range results {
		if jr.PassCount != nil || jr.FailCount != nil || jr.SkipCount != nil {
			if len(jr.Suites) > 0 || len(results) == 1 {
				counted = true
				pass += int(deref(jr.PassCount))
				fail += int(deref(jr.FailCount))
				skipc += int(deref(jr.SkipCount))
			}
		}
		if jr.Duration != nil {
			run.DurationMS += secondsFloatMS(*jr.Duration)
		}
		for _, s := range jr.Suites {
			sn := string(s.Name)
			if strings.HasPrefix(sn, "org.spectral.") {
				if gov == nil {
					gov = &GovernanceResult{Tool: ToolSpectral, Artifact: name, Partial: true, PartialWhy: spectralJUnitWhy +
						"; file paths are as Jenkins made them safe"}
				}
				file := strings.TrimPrefix(sn, "org.spectral.")
				govFiles = append(govFiles, file)
				for _, c := range s.Cases {
					st := strings.ToUpper(string(c.Status))
					if st == "FAILED" || st == "REGRESSION" {
						gov.Violations = append(gov.Violations, spectralCaseViolation(string(c.Name), string(c.ErrorDetails), string(c.ErrorStackTrace), file))
					}
				}
				continue
			}
			e := Execution{Name: sn}
			if s.Duration != nil {
				e.ResponseMS = secondsFloatMS(*s.Duration)
			}
			reqErr, scriptErrs := parseStderr(string(s.Stderr))
			var errs []string
			if reqErr != "" {
				errs = append(errs, reqErr)
				run.Requests.Failed++
			}
			e.Error = strings.Join(append(errs, scriptErrs...), "\n")
			for _, c := range s.Cases {
				a := Assertion{Name: string(c.Name)}
				switch strings.ToUpper(string(c.Status)) {
				case "PASSED", "FIXED":
					a.Status = Passed
				case "SKIPPED":
					a.Status = Skipped
				case "FAILED", "REGRESSION":
					a.Status = Failed
				default:
					a.Status = Passed
					if c.ErrorDetails != "" {
						a.Status = Failed
					}
				}
				if c.Skipped {
					a.Status = Skipped
				}
				if a.Status == Failed {
					a.Message = string(c.ErrorDetails)
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
			run.Requests.Total++
			run.Executions = append(run.Executions, e)
		}
	}
	if oddField != "" {
		why := fmt.Sprintf("field %q had an unexpected type and was skipped", oddField)
		run.PartialWhy = why + "; " + run.PartialWhy
		if gov != nil {
			gov.PartialWhy = why + "; " + gov.PartialWhy
		}
	}
	var res Results
	if len(run.Executions) > 0 || gov == nil {
		switch {
		case len(run.Executions) == 0 && rep.TotalCount != nil:
			// the build's TestResultAction summary: {failCount, skipCount, totalCount}
			run.Assertions = Counts{Total: int(*rep.TotalCount), Failed: int(deref(rep.FailCount)), Skipped: int(deref(rep.SkipCount))}
		case counted && gov == nil && pass+fail+skipc > run.Assertions.Total:
			// Jenkins's own counts cover cases a tree= query or a trimmed
			// report leaves out.
			run.Assertions = Counts{Total: pass + fail + skipc, Failed: fail, Skipped: skipc}
		}
		res.Collections = append(res.Collections, run)
	}
	if gov != nil {
		gov.Definition = rootDefinition(govFiles, name)
		res.Governance = append(res.Governance, *gov)
	}
	return res, nil
}

func deref(p *flexInt) flexInt {
	if p == nil {
		return 0
	}
	return *p
}

func secondsFloatMS(f float64) int64 {
	if math.IsNaN(f) || f < 0 || f > 1e12 {
		return 0
	}
	return int64(math.Round(f * 1000))
}

// jsonField drops the Go name of the embedded jResult from an
// UnmarshalTypeError's field path ("jResult.suites.cases" -> "suites.cases").
func jsonField(f string) string { return strings.TrimPrefix(f, "jResult.") }
