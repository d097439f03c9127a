// Package jenkins is jeeves's client for Jenkins's remote access API.
// It knows nothing about the UI.
package jenkins

import "time"

// Status is the brief's status vocabulary for a build.
type Status string

const (
	StatusSuccess  Status = "success"
	StatusFailure  Status = "failure"
	StatusUnstable Status = "unstable"
	StatusAborted  Status = "aborted"
	StatusNotBuilt Status = "not_built"
	StatusRunning  Status = "running"
	StatusQueued   Status = "queued" // a queue item that is not a build yet
	StatusUnknown  Status = "unknown"
)

// AllStatuses lists the statuses a build can have, in filter-bar order.
var AllStatuses = []Status{StatusSuccess, StatusFailure, StatusUnstable, StatusAborted, StatusNotBuilt, StatusRunning}

// JobKind tells what kind of item a job is.
type JobKind string

const (
	KindFreestyle   JobKind = "freestyle"
	KindPipeline    JobKind = "pipeline"
	KindMultibranch JobKind = "multibranch"
	KindFolder      JobKind = "folder"
	KindOther       JobKind = "other"
)

// ParamType is the type of a parameter definition.
type ParamType string

const (
	ParamString   ParamType = "string"
	ParamText     ParamType = "text"
	ParamBoolean  ParamType = "boolean"
	ParamChoice   ParamType = "choice"
	ParamPassword ParamType = "password"
	ParamFile     ParamType = "file"
	ParamRun      ParamType = "run"
	ParamOther    ParamType = "other"
)

// ParamDef is one parameter definition of a job.
type ParamDef struct {
	Name        string
	Type        ParamType
	Class       string // Jenkins _class, for types jeeves does not know
	Description string
	Default     string // booleans as "true"/"false"; empty for passwords
	Choices     []string
}

// Job is what jeeves knows about one job.
type Job struct {
	FullName    string
	Name        string
	DisplayName string
	URL         string
	Kind        JobKind
	Class       string
	Buildable   bool
	Disabled    bool
	Params      []ParamDef
	Children    []string // names of child jobs for folders and multibranch projects
	InQueue     bool
	LastBuild   int
	NextBuild   int
}

// Cause is why a build started.
type Cause struct {
	Class       string
	Description string // shortDescription, localized, for display only
	UserID      string
	UserName    string
}

// Param is one parameter value of a build. Password values are masked.
type Param struct {
	Name   string
	Value  string
	Masked bool // a password: Value is never the secret
}

// Artifact is one archived file of a build.
type Artifact struct {
	FileName     string
	RelativePath string
	Size         int64 // -1 when unknown
}

// TestSummary is the counts of Jenkins's JUnit test result action.
type TestSummary struct {
	Total, Failed, Skipped int
}

// Build is one build of a job.
type Build struct {
	Number            int
	Status            Status
	Building          bool
	Result            string // raw Jenkins result, may be set while building
	Started           time.Time
	Duration          time.Duration
	EstimatedDuration time.Duration // 0 when unknown
	URL               string        // rebuilt from the client's base URL
	QueueID           int64
	Causes            []Cause
	Params            []Param
	Artifacts         []Artifact
	Tests             *TestSummary // nil without a test result action
	DisplayName       string
	Description       string
}

// QueueItem is an item in Jenkins's build queue.
type QueueItem struct {
	ID           int64
	Why          string
	Blocked      bool
	Buildable    bool
	Cancelled    bool
	InQueueSince time.Time
	BuildNumber  int // 0 until it has an executable
	BuildURL     string
	Params       []Param
	Class        string
}

// Stage is one pipeline stage from wfapi/describe.
type Stage struct {
	ID       string
	Name     string
	Status   string
	Started  time.Time
	Duration time.Duration
}

// LogChunk is one progressive-text answer.
type LogChunk struct {
	Text       []byte
	NextOffset int64
	More       bool
	Truncated  bool // the answer was over MaxLogChunk: Text is its start, the rest was skipped
}

// WhoAmI describes the authenticated user and the server.
type WhoAmI struct {
	Name           string
	Anonymous      bool
	Authorities    []string
	JenkinsVersion string
}
