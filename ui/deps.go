// Package ui is jeeves's Bubble Tea dashboard. It knows nothing about HTTP or
// SQL: everything it needs from the outside world comes through Deps.
package ui

import (
	"context"
	"log/slog"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// Connector gives the Jenkins API for one integration.
type Connector interface {
	API(in config.Integration) (jenkins.API, error)
}

// ResultsState says what is known about a build's parsed results.
type ResultsState string

// The states the dashboard tells apart; other values are shown as they are.
// The values are the store's (store.ResultsState), so the wiring converts
// them as they are.
const (
	ResultsUnknown ResultsState = "none"    // not looked at yet
	ResultsPending ResultsState = "pending" // the build still runs
	ResultsOK      ResultsState = "stored"  // parsed results are known
	ResultsEmpty   ResultsState = "empty"   // looked, nothing found; the why says why
	ResultsFailed  ResultsState = "error"   // looking failed; tried again later
)

// unknown reports whether the results still need looking at.
func (s ResultsState) unknown() bool {
	return s == "" || s == ResultsUnknown || s == ResultsPending
}

// BuildRecord is one build as the store knows it.
type BuildRecord struct {
	jenkins.Build
	Gone         bool // no longer on the server (kept by the store)
	Collections  *report.CollectionSummary
	Governance   *report.GovernanceSummary
	ResultsState ResultsState
	ResultsWhy   string
}

// Store is the part of the store the dashboard uses.
type Store interface {
	// Integrations lists integrations added in the dashboard.
	Integrations(ctx context.Context) ([]config.Integration, error)
	SaveIntegration(ctx context.Context, in config.Integration) error
	DeleteIntegration(ctx context.Context, nickname string) error
	// SaveBuilds records builds fresh from a poll that asked for the newest
	// `limit`; when fewer came back, stored builds the poll did not return
	// are gone from Jenkins (kept in the store, marked gone).
	SaveBuilds(ctx context.Context, integration string, builds []jenkins.Build, limit int) error
	// Builds lists the known builds of an integration, newest first.
	Builds(ctx context.Context, integration string, limit int) ([]BuildRecord, error)
	// FetchResults gives a build's parsed results: from the store when known,
	// else fetched from the server, parsed and stored.
	FetchResults(ctx context.Context, api jenkins.API, in config.Integration, b jenkins.Build) (report.Results, ResultsState, string, error)
}

// CheckStep is one line of a connection test.
type CheckStep struct {
	Name   string // reach, TLS, auth, job, build permission
	OK     bool
	Warn   bool // works, but worth attention
	Skip   bool // not run because an earlier step failed
	Detail string
}

// Checker runs a connection test, reporting each step as it finishes.
type Checker interface {
	Check(ctx context.Context, in config.Integration, step func(CheckStep)) error
}

// SnippetOptions are the choices of the pipeline snippet view.
type SnippetOptions struct {
	Tool        string // postman-cli or newman
	Collection  string
	Environment string
	Lint        string
	OS          string // linux, macos or windows
}

// Snippets renders the Jenkinsfile stage for the snippet view.
type Snippets interface {
	Snippet(o SnippetOptions) (string, error)
}

// Browser opens URLs. Open reports false (and no error) when no browser can
// be opened here (SSH, no display), so the dashboard shows the URL instead.
type Browser interface {
	Open(ctx context.Context, url string) (bool, error)
}

// Deps is everything the dashboard talks to.
type Deps struct {
	Jenkins  Connector
	Store    Store
	Checker  Checker  // nil: add/edit saves without a test
	Snippets Snippets // nil: the snippet view says it is unavailable
	Browser  Browser  // nil: o shows the URL
	Actions  Actions  // nil: run, re-run and abort go through the integration's own client
	Clock    func() time.Time
	Ctx      context.Context
	Log      *slog.Logger // nil: nothing is logged
}

// Options are the dashboard's settings.
type Options struct {
	Integrations       []config.Integration // from the config file
	Refresh            time.Duration        // base poll interval
	ReadOnly           bool
	ReadOnlyWhy        string // said in the hint bar and help when ReadOnly, e.g. "your key has no Jenkins user"
	NoIntegrationEdits bool   // add, edit and delete of integrations are off (jeeves serve)
	StateKey           string // the store key of the dashboard's state (default "dashboard"); jeeves serve keeps one per SSH user
	NoColor            bool
	Limit              int // builds fetched per poll (default 50)
	StoreLimit         int // builds read from the store at start (default 500)
	Title              string
	// Notice is shown once at start until the next message: the store was
	// moved aside, the config file has warnings.
	Notice string
}
