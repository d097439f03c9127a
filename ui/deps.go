// Package ui is jeeves's Bubble Tea dashboard. It knows nothing about HTTP or
// SQL: everything it needs from the outside world comes through Deps.
package ui

import (
	"context"
	"log/slog"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/watch"
)

// Connector gives the Jenkins API for one integration.
type Connector = watch.Connector

// ResultsState says what is known about a build's parsed results.
type ResultsState = watch.ResultsState

// The states the dashboard tells apart (the engine's, which are the store's).
const (
	ResultsUnknown = watch.ResultsUnknown
	ResultsPending = watch.ResultsPending
	ResultsOK      = watch.ResultsOK
	ResultsEmpty   = watch.ResultsEmpty
	ResultsFailed  = watch.ResultsFailed
)

// BuildRecord is one build as the store knows it.
type BuildRecord = watch.BuildRecord

// Store is the part of the store the dashboard uses: the engine's part
// (builds and results) and the integrations added in the dashboard.
type Store interface {
	watch.Store
	// Integrations lists integrations added in the dashboard.
	Integrations(ctx context.Context) ([]config.Integration, error)
	SaveIntegration(ctx context.Context, in config.Integration) error
	DeleteIntegration(ctx context.Context, nickname string) error
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

// Trends computes an integration's history insights over its newest
// stored builds (all when limit <= 0). Called in a Cmd, never in Update.
type Trends interface {
	Trends(ctx context.Context, integration string, limit int) (insight.Trends, error)
}

// Browser opens URLs. Open reports false (and no error) when no browser can
// be opened here (SSH, no display), so the dashboard shows the URL instead.
type Browser interface {
	Open(ctx context.Context, url string) (bool, error)
}

// Deps is everything the dashboard talks to.
type Deps struct {
	// Engine polls Jenkins; several dashboards may share one (jeeves serve).
	// Nil: New makes one from Jenkins, Store, Clock, Log and the Options,
	// bound to Ctx. Call Model.Close when a dashboard on a shared engine ends.
	Engine   *watch.Engine
	Jenkins  Connector
	Store    Store
	Checker  Checker  // nil: add/edit saves without a test
	Snippets Snippets // nil: the snippet view says it is unavailable
	Browser  Browser  // nil: o shows the URL
	Actions  Actions  // nil: run, re-run and abort go through the integration's own client
	Trends   Trends   // nil: the trends screen says history is not available here
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
