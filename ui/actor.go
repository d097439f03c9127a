package ui

import (
	"context"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// Actions sends the dashboard's actions. jeeves serve gives each SSH
// session its own: it sends them with the credentials of the Jenkins user
// the session's key is mapped to (so Jenkins's permissions and audit trail
// apply) and writes the server's audit log. Both run inside a tea.Cmd.
type Actions interface {
	// Trigger starts a build of in's job; rerunOf is the build whose
	// parameters the form started from (0 for a plain run).
	Trigger(ctx context.Context, in config.Integration, rerunOf int, params map[string]string) (queueID int64, err error)
	// Stop aborts a running build.
	Stop(ctx context.Context, in config.Integration, number int) error
}

// actionAPI is the API run, re-run and abort go through: the integration's
// own client, or, with Deps.Actions, that client with its two actions sent
// through Deps.Actions instead.
func (m *Model) actionAPI(ig *integ, rerunOf int) jenkins.API {
	if m.deps.Actions == nil || ig.api == nil {
		return ig.api
	}
	return actingAPI{API: ig.api, act: m.deps.Actions, in: ig.cfg, rerunOf: rerunOf}
}

type actingAPI struct {
	jenkins.API
	act     Actions
	in      config.Integration
	rerunOf int
}

func (a actingAPI) Trigger(ctx context.Context, _ string, params map[string]string) (int64, error) {
	return a.act.Trigger(ctx, a.in, a.rerunOf, params)
}

func (a actingAPI) Stop(ctx context.Context, _ string, number int) error {
	return a.act.Stop(ctx, a.in, number)
}
