package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/jeeves-dev/jeeves/config"
)

// loadConfig loads the config from path (the --config flag), else from
// $JEEVES_CONFIG or the XDG default. A missing default file is an empty
// config; a missing explicit file, or any invalid file, is a usage error
// (exit 2). Warnings go to stderr.
func loadConfig(e *env, path string) (*config.Config, error) {
	explicit := path != "" || e.getenv("JEEVES_CONFIG") != ""
	if path == "" {
		path = config.DefaultPath(e.getenv)
	}
	cfg, err := config.Load(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return &config.Config{Refresh: config.DefaultRefresh, Path: path}, nil
		}
		return nil, &exitError{code: exitUsage, err: err}
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(e.stderr, "jeeves: warning: "+w)
	}
	return cfg, nil
}

// findIntegration picks the integration named by nickname (case-insensitive);
// with no nickname, the only one. Errors list the choices.
func findIntegration(cfg *config.Config, nickname string) (config.Integration, error) {
	names := make([]string, 0, len(cfg.Integrations))
	for _, in := range cfg.Integrations {
		names = append(names, fmt.Sprintf("%q", in.Nickname))
	}
	if len(cfg.Integrations) == 0 {
		where := "the config file"
		if cfg.Path != "" {
			where = cfg.Path
			if _, err := os.Stat(cfg.Path); errors.Is(err, fs.ErrNotExist) {
				return config.Integration{}, usageErr("no integrations configured: there is no config file at %s; fix: create it with an [[integration]] (see config.example.toml), or pass --config FILE or set JEEVES_CONFIG", cfg.Path)
			}
		}
		return config.Integration{}, usageErr("no integrations configured in %s; fix: add an [[integration]] (see config.example.toml) or pass --config", where)
	}
	if nickname == "" {
		if len(cfg.Integrations) == 1 {
			return cfg.Integrations[0], nil
		}
		return config.Integration{}, usageErr("several integrations are configured; choose one with -i: %s", strings.Join(names, ", "))
	}
	for _, in := range cfg.Integrations {
		if strings.EqualFold(in.Nickname, nickname) {
			return in, nil
		}
	}
	return config.Integration{}, usageErr("no integration named %q; configured: %s", nickname, strings.Join(names, ", "))
}
