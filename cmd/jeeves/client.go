package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// newClient makes the Jenkins client of an integration, resolving its token
// (token_env, token_cmd or inline) and reading the proxy settings from the
// process environment. Commands with an env use newClientEnv.
func newClient(ctx context.Context, in config.Integration) (*jenkins.Client, error) {
	return newClientEnv(ctx, in, os.Getenv)
}

// newClientEnv is newClient with the environment read through getenv (the
// token variable and HTTPS_PROXY/HTTP_PROXY/NO_PROXY), so tests need not
// touch the process environment. A token that cannot be resolved, or a bad
// url or ca_file, is a config error (exit 2).
func newClientEnv(ctx context.Context, in config.Integration, getenv func(string) string) (*jenkins.Client, error) {
	var token config.Secret
	if in.TokenSource() != config.TokenNone || in.Username != "" {
		t, err := in.ResolveTokenEnv(ctx, getenv)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: err}
		}
		token = t
	}
	c, err := jenkins.New(jenkins.Options{
		BaseURL:   in.URL,
		Username:  in.Username,
		Token:     token,
		CAFile:    in.CAFile,
		Insecure:  in.Insecure,
		Headers:   in.Headers,
		Timeout:   in.Timeout,
		UserAgent: "jeeves/" + version,
		Getenv:    getenv,
	})
	if err != nil {
		return nil, usageErr("integration %q: %v", in.Nickname, err)
	}
	return c, nil
}

// clientErr maps a jenkins error to the exit codes of the product brief:
// a job, build or file that is not there is a config error (2: the job name
// in the config is wrong, or the user may not see it); everything else that
// went wrong talking to Jenkins (connection, TLS, proxy, timeout, 401/403,
// server errors) is 3. An interrupted command also exits 3.
func clientErr(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	if jenkins.IsNotFound(err) {
		return &exitError{code: exitUsage, err: err}
	}
	if errors.Is(err, context.Canceled) {
		// Ctrl-C: say so in the user's words, not Go's "context canceled".
		return connErr(interrupted{err})
	}
	return connErr(err)
}

// interrupted is an error cut short by Ctrl-C (or SIGTERM); it reads
// "read builds of "x": interrupted" and still unwraps to the cause.
type interrupted struct{ err error }

func (i interrupted) Error() string {
	msg := i.err.Error()
	if cut, ok := strings.CutSuffix(msg, context.Canceled.Error()); ok {
		return cut + "interrupted"
	}
	return msg + " (interrupted)"
}
func (i interrupted) Unwrap() error { return i.err }

// noSuchBuild tells what a 404 for build n means: when Jenkins lists the
// job's builds, the job is there and lacks build n, and the message says so
// with the newest build; ok is false when the job itself cannot be listed
// (then the 404 is about the job, and its own message stands).
func noSuchBuild(ctx context.Context, api jenkins.API, in config.Integration, n int) (msg string, ok bool) {
	bs, err := api.Builds(ctx, in.Job, 1)
	if err != nil {
		return "", false
	}
	newest := "it has no builds yet"
	if len(bs) > 0 {
		newest = fmt.Sprintf("newest #%d", bs[0].Number)
	}
	return fmt.Sprintf("%s has no build #%d on Jenkins (%s)", termtext.Clean(in.Nickname), n, newest), true
}
