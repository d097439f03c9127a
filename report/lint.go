package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Spectral JSON (--format json): an array of
// {code, path[], message, severity 0-3, range{start{line,character}} 0-based, source}.

type spRange struct {
	Start struct {
		Line      *flexInt `json:"line"`
		Character *flexInt `json:"character"`
	} `json:"start"`
}

type spResult struct {
	Code     flexString   `json:"code"`
	Path     []flexString `json:"path"`
	Message  flexString   `json:"message"`
	Severity *flexInt     `json:"severity"`
	Range    *spRange     `json:"range"`
	Source   flexString   `json:"source"`
}

func spectralSeverity(n int64) (Severity, bool) {
	switch n {
	case 0:
		return SevError, true
	case 1:
		return SevWarning, true
	case 2:
		return SevInfo, true
	case 3:
		return SevHint, true
	}
	return SevWarning, false
}

func parseSpectral(r io.Reader, name string) (Results, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '['); err != nil {
		return Results{}, fmt.Errorf("not Spectral JSON: %s", jsonErrText(err))
	}
	g := GovernanceResult{Tool: ToolSpectral, Artifact: name}
	var files []string
	seenFile := map[string]bool{}
	odd := 0
	var cut error
	for dec.More() {
		var sr spResult
		if err := dec.Decode(&sr); err != nil {
			var tl *TooLargeError
			if errors.As(err, &tl) {
				return Results{}, err
			}
			var ute *json.UnmarshalTypeError
			if errors.As(err, &ute) {
				odd++
				continue
			}
			cut = err
			break
		}
		v := Violation{Rule: string(sr.Code), Message: string(sr.Message), File: string(sr.Source)}
		parts := make([]string, len(sr.Path))
		for i, p := range sr.Path {
			parts[i] = string(p)
		}
		v.Path = strings.Join(parts, ".")
		sev, ok := SevWarning, false
		if sr.Severity != nil {
			sev, ok = spectralSeverity(int64(*sr.Severity))
		}
		if !ok {
			odd++
		}
		v.Severity = sev
		if sr.Range != nil {
			if l := sr.Range.Start.Line; l != nil && *l >= 0 {
				v.Line = int(*l) + 1 // Spectral JSON is 0-based
			}
			if c := sr.Range.Start.Character; c != nil && *c >= 0 {
				v.Column = int(*c) + 1
			}
		}
		if v.File != "" && !seenFile[v.File] {
			seenFile[v.File] = true
			files = append(files, v.File)
		}
		g.Violations = append(g.Violations, v)
	}
	if cut == nil {
		if _, err := dec.Token(); err != nil {
			cut = err
		}
	}
	g.Definition = rootDefinition(files, name)
	var why []string
	if cut != nil {
		if len(g.Violations) == 0 && odd == 0 {
			return Results{}, fmt.Errorf("not readable Spectral JSON: %s", jsonErrText(cut))
		}
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

// SARIF 2.1.0: runs[]{tool.driver{name,rules[]}, artifacts[], results[]{level,
// message.text, ruleId, ruleIndex, locations[].physicalLocation{artifactLocation.uri, region}}}.

type sarifLog struct {
	Version flexString `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  flexString `json:"name"`
				Rules []struct {
					ID flexString `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Artifacts []struct {
			Location struct {
				URI flexString `json:"uri"`
			} `json:"location"`
		} `json:"artifacts"`
		Results []struct {
			Level   flexString `json:"level"`
			Message struct {
				Text flexString `json:"text"`
			} `json:"message"`
			RuleID    flexString `json:"ruleId"`
			RuleIndex *flexInt   `json:"ruleIndex"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI flexString `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   flexInt `json:"startLine"`
						StartColumn flexInt `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

const sarifPartialWhy = "from SARIF, which has no JSON paths and maps both info and hint to note (shown as info)"

func parseSARIF(r io.Reader, name string) (Results, error) {
	var log sarifLog
	oddField := ""
	if err := json.NewDecoder(r).Decode(&log); err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			return Results{}, err
		}
		var ute *json.UnmarshalTypeError
		switch {
		case !errors.As(err, &ute):
			return Results{}, fmt.Errorf("not readable SARIF: %s", jsonErrText(err))
		case ute.Field == "":
			return Results{}, errors.New("not SARIF: the JSON is not an object")
		}
		oddField = jsonField(ute.Field) // the rest was decoded; say what was not
	}
	if log.Runs == nil {
		return Results{}, errors.New("not SARIF: no runs")
	}
	var res Results
	for _, run := range log.Runs {
		g := GovernanceResult{Tool: ToolSARIF, Artifact: name, Partial: true, PartialWhy: sarifPartialWhy}
		if strings.EqualFold(string(run.Tool.Driver.Name), "spectral") {
			g.Tool = ToolSpectral
		}
		var files []string
		for _, a := range run.Artifacts {
			files = append(files, string(a.Location.URI))
		}
		for _, sr := range run.Results {
			v := Violation{Rule: string(sr.RuleID), Message: string(sr.Message.Text)}
			if v.Rule == "" && sr.RuleIndex != nil {
				if i := int(*sr.RuleIndex); i >= 0 && i < len(run.Tool.Driver.Rules) {
					v.Rule = string(run.Tool.Driver.Rules[i].ID)
				}
			}
			switch strings.ToLower(string(sr.Level)) {
			case "error":
				v.Severity = SevError
			case "note":
				v.Severity = SevInfo
			case "none":
				v.Severity = SevHint
			default: // "warning", and SARIF's default when level is absent
				v.Severity = SevWarning
			}
			if len(sr.Locations) > 0 {
				pl := sr.Locations[0].PhysicalLocation
				v.File = string(pl.ArtifactLocation.URI)
				if pl.Region.StartLine > 0 {
					v.Line = int(pl.Region.StartLine)
					v.Column = max(int(pl.Region.StartColumn), 1)
				}
				if len(files) == 0 && v.File != "" {
					files = append(files, v.File)
				}
			}
			g.Violations = append(g.Violations, v)
		}
		if len(run.Artifacts) > 0 && files[0] != "" {
			g.Definition = files[0] // the linted document comes first
		} else {
			g.Definition = rootDefinition(files, name)
		}
		if oddField != "" {
			g.PartialWhy = fmt.Sprintf("field %q had an unexpected type and was skipped; %s", oddField, g.PartialWhy)
		}
		res.Governance = append(res.Governance, g)
	}
	return res, nil
}
