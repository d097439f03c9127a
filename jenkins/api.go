package jenkins

import (
	"context"
	"io"
)

// API is what the rest of jeeves (store pipeline, dashboard, commands) uses
// of a Jenkins server. *Client implements it against a real server; tests
// may use the simulated Jenkins in jenkins/jenkinstest behind a real *Client.
type API interface {
	// BaseURL is the server's base URL without a trailing slash.
	BaseURL() string
	// WhoAmI reports the authenticated user and the Jenkins version (X-Jenkins).
	WhoAmI(ctx context.Context) (WhoAmI, error)
	// Job reads a job by full name ("a/b/c"): kind, buildable, parameters.
	Job(ctx context.Context, job string) (Job, error)
	// Probe is the small change-detection request a poll starts with.
	Probe(ctx context.Context, job string) (Probe, error)
	// Builds lists the newest `limit` builds (limit <= 100 uses builds, more uses allBuilds), newest first,
	// in one request; limit <= 0 means all of `builds` (Jenkins caps it at 100).
	Builds(ctx context.Context, job string, limit int) ([]Build, error)
	// BuildsRange lists builds by index range [from, to) through allBuilds{from,to}, newest first.
	BuildsRange(ctx context.Context, job string, from, to int) ([]Build, error)
	// Build reads one build whole: causes, parameters (passwords masked), artifacts, tests.
	Build(ctx context.Context, job string, number int) (Build, error)
	// Trigger starts a build (buildWithParameters when params is non-nil or the job
	// has parameters) and returns the queue item id from Location.
	Trigger(ctx context.Context, job string, params map[string]string) (int64, error)
	// QueueItem reads one queue item.
	QueueItem(ctx context.Context, id int64) (QueueItem, error)
	// JobQueue lists queue items that belong to the job.
	JobQueue(ctx context.Context, job string) ([]QueueItem, error)
	// Stop aborts a running build.
	Stop(ctx context.Context, job string, number int) error
	// Log reads progressive console text from byte offset start. Use NextOffset (X-Text-Size) as
	// the next start; if it is below start, Jenkins served the log from 0 (start was past its end).
	Log(ctx context.Context, job string, number int, start int64) (LogChunk, error)
	// Artifact streams one artifact; reading past maxBytes fails with ErrTooLarge.
	Artifact(ctx context.Context, job string, number int, relativePath string, maxBytes int64) (io.ReadCloser, error)
	// TestReport streams /testReport/api/json (raw JSON for the report package);
	// a build without one gives an error for which IsNotFound is true.
	TestReport(ctx context.Context, job string, number int, maxBytes int64) (io.ReadCloser, error)
	// Stages reads wfapi/describe of a pipeline build.
	Stages(ctx context.Context, job string, number int) ([]Stage, error)
	// StageLog reads one stage's log through wfapi (its steps' logs, each cut
	// to its last 10 KiB by the plugin: Cut tells).
	StageLog(ctx context.Context, job string, number int, stageID string) (StageLog, error)
	// TailLog reads about the last window bytes of the console log without
	// downloading the rest where Jenkins allows it; follow with Log from NextOffset.
	TailLog(ctx context.Context, job string, number int, window int64) (LogTail, error)
}

// Probe is what one cheap poll learns about a job: enough to tell whether
// the build list changed.
type Probe struct {
	LastBuild    int    // number of the newest build, 0 when none
	LastBuilding bool   // whether the newest build is still running
	LastResult   string // raw result of the newest build
	// LastCompleted is the number of the newest finished build (0: none).
	LastCompleted int
	InQueue       bool
	// Running holds the numbers of builds still running among the newest
	// few: of a job that runs one build at a time, the newest when it runs
	// (the probe lists the newest builds only for a concurrent job while
	// something runs).
	Running    []int
	Concurrent bool // the job may run builds concurrently
	QueueIDs   []int64
	// JenkinsSession is X-Jenkins-Session: it changes when Jenkins restarts
	// (queue ids from before are then gone).
	JenkinsSession string
}
