package ui

import (
	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
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

// (polling: engineMsg in poll.go)

// stateLoadedMsg: the dashboard state kept in the store ("" when none).
type stateLoadedMsg struct {
	value string
	err   error
}

// stateSavedMsg: the dashboard state was written (or not).
type stateSavedMsg struct{ err error }

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
