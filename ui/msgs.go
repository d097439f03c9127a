package ui

import (
	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// Every message carries the identity of its request (integration nickname,
// build number, generation) so late answers are dropped or applied to the
// right place.

// --- store ---

// storeIntegrationsMsg: the integrations added in the dashboard.
type storeIntegrationsMsg struct {
	ints []config.Integration
	err  error
}

// storeBuildsMsg: the builds the store knows, read before any request.
type storeBuildsMsg struct {
	nick    string
	records []BuildRecord
	err     error
}

// --- polling ---

// connectedMsg: a Jenkins client for an integration (or why there is none).
type connectedMsg struct {
	nick string
	api  jenkins.API
	err  error
}

// pollTickMsg: time to poll an integration; seq drops superseded ticks.
type pollTickMsg struct {
	nick string
	seq  uint64
}

// probedMsg: the small change-detection answer.
type probedMsg struct {
	nick  string
	probe jenkins.Probe
	err   error
}

// buildsLoadedMsg: the full list (and queue) after a change.
// stateLoadedMsg: the dashboard state kept in the store ("" when none).
type stateLoadedMsg struct {
	value string
	err   error
}

// stateSavedMsg: the dashboard state was written (or not).
type stateSavedMsg struct{ err error }

// olderBuildsMsg: a page of builds older than those the poll lists.
type olderBuildsMsg struct {
	nick    string
	from    int // the index asked from
	asked   int
	builds  []jenkins.Build
	err     error
	saveErr error
}

type buildsLoadedMsg struct {
	nick    string
	builds  []jenkins.Build
	queue   []jenkins.QueueItem
	err     error
	saveErr error
}

// resultsLoadedMsg: one build's parsed results.
type resultsLoadedMsg struct {
	nick    string
	number  int
	results report.Results
	state   ResultsState
	why     string
	err     error
}

// --- animation ---

type spinTickMsg struct{}
type clockTickMsg struct{}

// toastClearMsg clears the status line toast seq.
type toastClearMsg struct{ seq uint64 }

// --- actions ---

type jobLoadedMsg struct {
	nick string
	job  jenkins.Job
	err  error
}

type triggeredMsg struct {
	nick    string
	queueID int64
	err     error
}

type followTickMsg struct {
	nick string
	id   int64
}

type queueItemMsg struct {
	nick string
	item jenkins.QueueItem
	err  error
}

type abortedMsg struct {
	nick   string
	number int
	err    error
}

type openedMsg struct {
	url    string
	opened bool
	err    error
}

// --- console log ---

type logChunkMsg struct {
	gen   uint64
	chunk jenkins.LogChunk
	err   error
}

type logTickMsg struct{ gen uint64 }

// --- integrations form ---

type checkStepMsg struct {
	gen  uint64
	step CheckStep
	next <-chan checkEvent
}

type checkDoneMsg struct {
	gen uint64
	err error
}

type checkEvent struct {
	step *CheckStep
	err  error
	done bool
}

type integrationSavedMsg struct {
	in      config.Integration
	replace string // nickname it replaces (edit)
	fresh   bool   // the edit points it at another server or job: its builds start over
	err     error
}

type integrationDeletedMsg struct {
	nick string
	err  error
}
