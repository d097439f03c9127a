package main

import (
	"fmt"
	"strings"

	"github.com/jeeves-dev/jeeves/check"
	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
)

func init() {
	subcommands["check"] = subcommand{
		summary: "diagnose the config and the connection to Jenkins, step by step",
		run:     runCheck,
	}
}

// runCheck prints one line per step of each integration's diagnosis and
// exits 1 when a step failed (2 when the config file itself is unusable).
func runCheck(e *env) error {
	fs := newFlagSet(e, "jeeves check", "jeeves check [-i NICKNAME] [--config FILE]")
	nick := fs.String("i", "", "check only the integration with this `nickname` (default: all)")
	cfgPath := fs.String("config", "", "config `file` (default $JEEVES_CONFIG, else ~/.config/jeeves/config.toml)")
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves check: unexpected argument %q (see 'jeeves check --help')", fs.Arg(0))
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		fmt.Fprint(e.stdout, formatStep(check.Step{Name: "config", Status: check.Fail, Verdict: err.Error()}))
		return silentExit(exitUsage)
	}
	var targets []config.Integration
	if *nick != "" || len(cfg.Integrations) <= 1 {
		in, err := findIntegration(cfg, *nick)
		if err != nil {
			return err
		}
		targets = []config.Integration{in}
	} else {
		targets = cfg.Integrations
	}
	failed := false
	for i, in := range targets {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s: %s, job %q\n", termtext.Clean(in.Nickname), termtext.Clean(in.URL), termtext.Clean(in.Job))
		steps := check.Run(e.ctx, in, checkOptions(e), func(s check.Step) {
			fmt.Fprint(e.stdout, formatStep(s))
		})
		failed = failed || check.Failed(steps)
	}
	if e.ctx.Err() != nil {
		return failErr(fmt.Errorf("jeeves check: interrupted"))
	}
	if failed {
		return silentFail
	}
	return nil
}

func checkOptions(e *env) check.Options {
	return check.Options{Getenv: e.getenv, UserAgent: "jeeves/" + version}
}

// formatStep is one step's line: status word, step name, verdict, and the fix.
func formatStep(s check.Step) string {
	line := fmt.Sprintf("  %-4s  %-8s %s", s.Status, s.Name, s.Verdict)
	if s.Fix != "" {
		line += "; fix: " + s.Fix
	}
	return strings.TrimRight(line, " ") + "\n"
}

// silentExit exits with code without printing more (the output said why).
func silentExit(code int) error {
	return &exitError{code: code, err: fmt.Errorf("")}
}
