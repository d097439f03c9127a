package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/serve"
	"github.com/jeeves-dev/jeeves/store"
	"github.com/jeeves-dev/jeeves/ui"
)

func init() {
	subcommands["serve"] = subcommand{summary: "serve the dashboard over SSH to a team, one poller for all (README: For teams)", run: runServe}
}

// runServe serves the dashboard over SSH until SIGTERM or Ctrl-C. Its first
// line of output names the address and the host key's fingerprint; the
// server log (refused keys, sessions) goes to stderr.
func runServe(e *env) error {
	fs := newFlagSet(e, "jeeves serve", "jeeves serve [--addr :2222] [--config FILE] [--store FILE]")
	addr := fs.String("addr", "", "address to listen on (default: [serve] addr in the config, else :2222)")
	cfgPath := fs.String("config", "", "config file with a [serve] table (default $JEEVES_CONFIG or $XDG_CONFIG_HOME/jeeves/config.toml)")
	storePath := fs.String("store", "", "store file shared by every session (default $JEEVES_STORE or $XDG_STATE_HOME/jeeves/jeeves.db)")
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves serve: unexpected argument %q (see 'jeeves serve --help')", fs.Arg(0))
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	if !cfg.Serve.Set {
		return usageErr("jeeves serve: %s has no [serve] table; fix: add one with authorized_keys (see config.example.toml)", cfg.Path)
	}
	if len(cfg.Integrations) == 0 {
		return usageErr("jeeves serve: no integrations configured in %s; fix: add an [[integration]] (see config.example.toml)", cfg.Path)
	}
	sc := cfg.Serve
	if *addr != "" {
		sc.Addr = *addr
	}
	stateDir := filepath.Dir(store.DefaultPath(func(k string) string {
		if k == "JEEVES_STORE" {
			return "" // the state directory, wherever the store is
		}
		return e.getenv(k)
	}))
	if sc.HostKey == "" {
		sc.HostKey = filepath.Join(stateDir, "ssh_host_ed25519_key")
	}
	if sc.AuditLog == "" {
		sc.AuditLog = filepath.Join(stateDir, "audit.log")
	}
	path := *storePath
	if path == "" {
		path = store.DefaultPath(e.getenv)
	}
	st, err := store.Open(path)
	if err != nil {
		return failErr(err)
	}
	defer st.Close()
	notices, err := bindJobs(e.ctx, st, cfg.Integrations)
	if err != nil {
		return failErr(err)
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	for _, n := range notices {
		logger.Info(n)
	}
	srv, err := serve.New(serve.Options{
		Serve:        sc,
		Integrations: cfg.Integrations,
		Refresh:      cfg.Refresh,
		Deps: ui.Deps{
			Jenkins:  connector{ctx: e.ctx, getenv: e.getenv},
			Store:    storeAdapter{st},
			Trends:   trendsAdapter{st}, // read-only: every session may look
			Snippets: snippets{},
			Clock:    time.Now,
		},
		UserAPI: func(ctx context.Context, in config.Integration) (jenkins.API, error) {
			return newClientEnv(ctx, in, e.getenv)
		},
		Getenv: e.getenv,
		Log:    logger,
		FPS:    dashboardFPS,
		Title:  "jeeves",
	})
	if err != nil {
		return usageErr("jeeves serve: %s", strings.TrimPrefix(err.Error(), "serve: "))
	}
	ln, err := net.Listen("tcp", sc.Addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
		return connErr(fmt.Errorf("jeeves serve: cannot listen on %s: %v", sc.Addr, err))
	}
	port := "2222"
	if _, p, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		port = p
	}
	fmt.Fprintf(e.stdout, "jeeves serve: listening on %s, host key %s; connect with: ssh -p %s THIS-HOST\n", ln.Addr(), srv.HostKeyFingerprint(), port)
	if err := srv.Serve(e.ctx, ln); err != nil {
		return connErr(err)
	}
	return nil
}
