package jenkins

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The wire types mirror Jenkins's JSON as far as jeeves reads it. Pointers
// mark fields whose absence matters (old servers omit _class, inProgress,
// disabled, cancelled). They decode both tree= answers and full answers.

type wireBuild struct {
	Class             string         `json:"_class"`
	Number            int            `json:"number"`
	Building          bool           `json:"building"`
	InProgress        bool           `json:"inProgress"`
	Result            *string        `json:"result"`
	Timestamp         int64          `json:"timestamp"`
	Duration          int64          `json:"duration"`
	EstimatedDuration *int64         `json:"estimatedDuration"`
	QueueID           int64          `json:"queueId"`
	DisplayName       string         `json:"displayName"`
	Description       *string        `json:"description"`
	Actions           []wireAction   `json:"actions"`
	Artifacts         []wireArtifact `json:"artifacts"`
}

type wireAction struct {
	Class      string      `json:"_class"`
	Causes     []wireCause `json:"causes"`
	Parameters []wireParam `json:"parameters"`
	FailCount  *int        `json:"failCount"`
	SkipCount  *int        `json:"skipCount"`
	TotalCount *int        `json:"totalCount"`
	URLName    string      `json:"urlName"`
}

type wireCause struct {
	Class            string  `json:"_class"`
	ShortDescription string  `json:"shortDescription"`
	UserID           *string `json:"userId"`
	UserName         *string `json:"userName"`
}

type wireParam struct {
	Class string          `json:"_class"`
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

type wireArtifact struct {
	FileName     string `json:"fileName"`
	RelativePath string `json:"relativePath"`
}

// StatusOf maps Jenkins's running flags and result to jeeves's status. A
// running build is StatusRunning whatever its result says: result can be
// set (UNSTABLE, even SUCCESS) while the build still runs.
func StatusOf(running bool, result string) Status {
	if running {
		return StatusRunning
	}
	switch result {
	case "SUCCESS":
		return StatusSuccess
	case "FAILURE":
		return StatusFailure
	case "UNSTABLE":
		return StatusUnstable
	case "ABORTED":
		return StatusAborted
	case "NOT_BUILT":
		return StatusNotBuilt
	}
	return StatusUnknown
}

// buildURL is the browser URL of a build, rebuilt from the base URL (the
// server's own url fields may name another host or a view).
func (c *Client) buildURL(jobPath string, number int) string {
	return c.baseStr + jobPath + "/" + strconv.Itoa(number) + "/"
}

func (w *wireBuild) toBuild(url string) Build {
	result := ""
	if w.Result != nil {
		result = *w.Result
	}
	running := w.Building || w.InProgress
	b := Build{
		Number:      w.Number,
		Status:      StatusOf(running, result),
		Building:    running,
		Result:      result,
		Started:     msTime(w.Timestamp),
		Duration:    time.Duration(w.Duration) * time.Millisecond,
		URL:         url,
		QueueID:     w.QueueID,
		DisplayName: w.DisplayName,
	}
	if w.EstimatedDuration != nil && *w.EstimatedDuration > 0 {
		b.EstimatedDuration = time.Duration(*w.EstimatedDuration) * time.Millisecond
	}
	if w.Description != nil {
		b.Description = *w.Description
	}
	b.Causes, b.Params, b.Tests = decodeActions(w.Actions)
	for _, a := range w.Artifacts {
		b.Artifacts = append(b.Artifacts, Artifact{FileName: a.FileName, RelativePath: a.RelativePath, Size: -1})
	}
	return b
}

// decodeActions picks causes, parameters and test counts out of a build's
// (or queue item's) actions, matching on _class where present and on the
// fields themselves for servers that predate _class.
func decodeActions(actions []wireAction) ([]Cause, []Param, *TestSummary) {
	var (
		causes []Cause
		params []Param
		tests  *TestSummary
	)
	for _, a := range actions {
		for _, c := range a.Causes {
			cause := Cause{Class: c.Class, Description: c.ShortDescription}
			if c.UserID != nil {
				cause.UserID = *c.UserID
			}
			if c.UserName != nil {
				cause.UserName = *c.UserName
			}
			causes = append(causes, cause)
		}
		for _, p := range a.Parameters {
			params = append(params, decodeParam(p))
		}
		if a.TotalCount != nil && (a.URLName == "testReport" || strings.Contains(a.Class, "TestResult") || a.Class == "") {
			t := &TestSummary{Total: *a.TotalCount}
			if a.FailCount != nil {
				t.Failed = *a.FailCount
			}
			if a.SkipCount != nil {
				t.Skipped = *a.SkipCount
			}
			tests = t
		}
	}
	return causes, params, tests
}

// decodeParam turns a parameter value into text. Password values are never
// kept, even if a server sent one.
func decodeParam(p wireParam) Param {
	if strings.Contains(p.Class, "PasswordParameterValue") {
		return Param{Name: p.Name, Masked: true}
	}
	return Param{Name: p.Name, Value: rawText(p.Value)}
}

// rawText renders a JSON scalar as text: strings as they are, booleans as
// "true"/"false", numbers as written, null and objects as "".
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	case 't', 'f':
		return string(raw)
	case 'n', '{', '[':
		return ""
	}
	return string(raw) // a number
}

func msTime(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// MaskedValue is how a password parameter is displayed.
const MaskedValue = "********"

// Display is the parameter's value for display: MaskedValue for passwords.
func (p Param) Display() string {
	if p.Masked {
		return MaskedValue
	}
	return p.Value
}

type wireJob struct {
	Class           string                `json:"_class"`
	Name            string                `json:"name"`
	FullName        string                `json:"fullName"`
	DisplayName     string                `json:"displayName"`
	URL             string                `json:"url"`
	Color           *string               `json:"color"`
	Buildable       *bool                 `json:"buildable"`
	Disabled        *bool                 `json:"disabled"`
	InQueue         bool                  `json:"inQueue"`
	NextBuildNumber int                   `json:"nextBuildNumber"`
	LastBuild       *struct{ Number int } `json:"lastBuild"`
	Property        []wireProperty        `json:"property"`
	Jobs            *[]struct {
		Name string `json:"name"`
	} `json:"jobs"`
}

type wireProperty struct {
	Class                string         `json:"_class"`
	ParameterDefinitions []wireParamDef `json:"parameterDefinitions"`
}

type wireParamDef struct {
	Class                 string  `json:"_class"`
	Name                  string  `json:"name"`
	Type                  string  `json:"type"`
	Description           *string `json:"description"`
	DefaultParameterValue *struct {
		Value json.RawMessage `json:"value"`
	} `json:"defaultParameterValue"`
	Choices []string `json:"choices"`
}

// kindOf tells a job's kind from its _class, or for servers without _class
// from its fields: containers have jobs, buildable jobs have a color.
func kindOf(class string, hasJobs, hasColor bool) JobKind {
	switch class {
	case "hudson.model.FreeStyleProject":
		return KindFreestyle
	case "org.jenkinsci.plugins.workflow.job.WorkflowJob":
		return KindPipeline
	case "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject":
		return KindMultibranch
	case "com.cloudbees.hudson.plugins.folder.Folder", "jenkins.branch.OrganizationFolder":
		return KindFolder
	case "":
		switch {
		case hasJobs:
			return KindFolder
		case hasColor:
			return KindFreestyle
		}
		return KindOther
	}
	switch {
	case strings.Contains(class, "MultiBranchProject"):
		return KindMultibranch
	case hasJobs:
		return KindFolder
	}
	return KindOther
}

func (w *wireJob) toJob(fullName, url string) Job {
	j := Job{
		FullName:    w.FullName,
		Name:        w.Name,
		DisplayName: w.DisplayName,
		URL:         url,
		Class:       w.Class,
		Kind:        kindOf(w.Class, w.Jobs != nil, w.Color != nil),
		InQueue:     w.InQueue,
		NextBuild:   w.NextBuildNumber,
	}
	if j.FullName == "" {
		j.FullName = strings.Trim(fullName, "/")
	}
	if w.LastBuild != nil {
		j.LastBuild = w.LastBuild.Number
	}
	if w.Buildable != nil {
		j.Buildable = *w.Buildable
	}
	switch {
	case w.Disabled != nil:
		j.Disabled = *w.Disabled
	case w.Color != nil:
		j.Disabled = strings.HasPrefix(*w.Color, "disabled")
	}
	if w.Jobs != nil {
		for _, c := range *w.Jobs {
			j.Children = append(j.Children, c.Name)
		}
	}
	for _, p := range w.Property {
		for _, d := range p.ParameterDefinitions {
			j.Params = append(j.Params, d.toParamDef())
		}
	}
	return j
}

// paramTypes maps a definition's class or type name to its ParamType.
var paramTypes = map[string]ParamType{
	"StringParameterDefinition":   ParamString,
	"TextParameterDefinition":     ParamText,
	"BooleanParameterDefinition":  ParamBoolean,
	"ChoiceParameterDefinition":   ParamChoice,
	"PasswordParameterDefinition": ParamPassword,
	"FileParameterDefinition":     ParamFile,
	"RunParameterDefinition":      ParamRun,
}

func (d *wireParamDef) toParamDef() ParamDef {
	pd := ParamDef{Name: d.Name, Class: d.Class, Type: ParamOther}
	short := d.Type
	if d.Class != "" {
		short = d.Class[strings.LastIndexAny(d.Class, ".$")+1:]
	}
	if t, ok := paramTypes[short]; ok {
		pd.Type = t
	} else if t, ok := paramTypes[d.Type]; ok {
		pd.Type = t
	} else if len(d.Choices) > 0 {
		pd.Type = ParamChoice // plugin choice types (extensible choice, ...) list their choices the same way
	}
	if pd.Class == "" {
		pd.Class = d.Type
	}
	if d.Description != nil {
		pd.Description = *d.Description
	}
	if d.DefaultParameterValue != nil && pd.Type != ParamPassword {
		pd.Default = rawText(d.DefaultParameterValue.Value)
	}
	if pd.Type == ParamChoice {
		pd.Choices = d.Choices
		if pd.Default == "" && len(d.Choices) > 0 {
			pd.Default = d.Choices[0] // Jenkins's default for a choice is its first entry
		}
	}
	return pd
}

type wireQueueItem struct {
	Class        string  `json:"_class"`
	ID           int64   `json:"id"`
	Why          *string `json:"why"`
	Blocked      bool    `json:"blocked"`
	Buildable    bool    `json:"buildable"`
	Cancelled    bool    `json:"cancelled"`
	InQueueSince int64   `json:"inQueueSince"`
	Executable   *struct {
		Number int    `json:"number"`
		URL    string `json:"url"`
	} `json:"executable"`
	Actions []wireAction `json:"actions"`
	Task    *struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"task"`
}

func (c *Client) toQueueItem(w *wireQueueItem) QueueItem {
	q := QueueItem{
		ID:           w.ID,
		Blocked:      w.Blocked,
		Buildable:    w.Buildable,
		Cancelled:    w.Cancelled,
		InQueueSince: msTime(w.InQueueSince),
		Class:        w.Class,
	}
	if w.Why != nil {
		q.Why = *w.Why
	}
	if w.Executable != nil && w.Executable.Number > 0 {
		q.BuildNumber = w.Executable.Number
		q.BuildURL = c.rebase(w.Executable.URL)
	}
	_, q.Params, _ = decodeActions(w.Actions)
	return q
}

// rebase moves a URL from a Jenkins answer onto the client's base URL: the
// server's configured root may be another host or scheme. The path from the
// first /job/ or /queue/ on is kept.
func (c *Client) rebase(u string) string {
	if u == "" {
		return ""
	}
	for _, marker := range []string{"/job/", "/queue/"} {
		if i := strings.Index(u, marker); i >= 0 {
			return c.baseStr + u[i:]
		}
	}
	return u
}

type wireStage struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	StartTimeMillis int64  `json:"startTimeMillis"`
	DurationMillis  int64  `json:"durationMillis"`
}

type wireRun struct {
	Status string      `json:"status"`
	Stages []wireStage `json:"stages"`
}

func (w *wireRun) toStages() []Stage {
	out := make([]Stage, 0, len(w.Stages))
	for _, s := range w.Stages {
		out = append(out, Stage{
			ID:       s.ID,
			Name:     s.Name,
			Status:   s.Status,
			Started:  msTime(s.StartTimeMillis),
			Duration: time.Duration(s.DurationMillis) * time.Millisecond,
		})
	}
	return out
}
