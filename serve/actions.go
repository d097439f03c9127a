package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// errReadOnly is the answer to an action from a session whose key has no
// Jenkins user. The dashboard has those keys off; this is the second lock.
var errReadOnly = errors.New("read-only: your key has no Jenkins user")

// actor is a session's ui.Actions: it sends run, re-run and abort with the
// credentials of the Jenkins user the session's key is mapped to, and
// writes each one, with Jenkins's answer, to the audit log.
type actor struct {
	s  *Server
	se *session

	mu      sync.Mutex
	clients map[string]jenkins.API // by integration nickname
}

func (a *actor) api(ctx context.Context, in config.Integration) (jenkins.API, error) {
	if a.se.mapped == nil {
		return nil, errReadOnly
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.clients[in.Nickname]; ok {
		return c, nil
	}
	c, err := a.s.o.UserAPI(ctx, a.se.mapped.Integration(in))
	if err != nil {
		return nil, err
	}
	if a.clients == nil {
		a.clients = map[string]jenkins.API{}
	}
	a.clients[in.Nickname] = c
	return c, nil
}

func (a *actor) Trigger(ctx context.Context, in config.Integration, rerunOf int, params map[string]string) (int64, error) {
	action, build := "run", ""
	if rerunOf > 0 {
		action, build = "re-run", strconv.Itoa(rerunOf)
	}
	api, err := a.api(ctx, in)
	var id int64
	if err == nil {
		id, err = api.Trigger(ctx, in.Job, params)
	}
	answer := fmt.Sprintf("queued as item %d", id)
	if err != nil {
		answer = "error: " + err.Error()
		if jenkins.IsAlreadyQueued(err) {
			answer = "merged with an identical queued item: " + err.Error()
		}
	}
	a.s.audit.write(a.se, in, build, action, answer)
	return id, err
}

func (a *actor) Stop(ctx context.Context, in config.Integration, number int) error {
	api, err := a.api(ctx, in)
	if err == nil {
		err = api.Stop(ctx, in.Job, number)
	}
	answer := "abort requested"
	if err != nil {
		answer = "error: " + err.Error()
	}
	a.s.audit.write(a.se, in, strconv.Itoa(number), "abort", answer)
	return err
}

// auditLog is the server's audit log: one line per action, appended to a
// 0600 file. No token reaches it: the fields are the session's identity,
// the integration, job and build, and Jenkins's answer (whose errors never
// hold a token), each stripped of control characters.
type auditLog struct {
	mu    sync.Mutex
	f     *os.File
	log   *slog.Logger
	clock func() time.Time
}

func openAudit(path string, clock func() time.Time) (*auditLog, error) {
	if path == "" {
		return nil, errors.New("serve: no audit log path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("serve: audit log directory: %v", errText(err))
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("serve: audit log %s: %v", path, errText(err))
	}
	a := &auditLog{f: f, clock: clock}
	a.log = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, at slog.Attr) slog.Attr {
			switch at.Key {
			case slog.TimeKey:
				return slog.String("time", a.clock().UTC().Format(time.RFC3339))
			case slog.LevelKey, slog.MessageKey:
				return slog.Attr{} // every line is an action
			}
			return at
		},
	}))
	return a, nil
}

func (a *auditLog) write(se *session, in config.Integration, build, action, answer string) {
	if build == "" {
		build = "-"
	}
	jenkinsUser := ""
	if se.mapped != nil {
		jenkinsUser = se.mapped.Username
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.log.Info("",
		"ssh_user", se.user,
		"key", se.key.fingerprint,
		"jenkins_user", jenkinsUser,
		"integration", termtext.Clean(in.Nickname),
		"job", termtext.Clean(in.Job),
		"build", build,
		"action", action,
		"answer", termtext.Clean(answer),
	)
}

func (a *auditLog) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f != nil {
		a.f.Close()
		a.f = nil
	}
}
