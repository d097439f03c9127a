package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/store"
)

// `jeeves results -i NICKNAME NUMBER [--json]`: one build's collection runs
// and governance results, from the store when known there, else fetched
// from Jenkins once and kept. results.go owns the command and its --file
// mode; it calls resultsBuildFlags before parsing and, when -i was given,
// the returned run.

// resultsBuild holds the flags of the -i mode.
type resultsBuild struct {
	nick      *string
	storeFlag *string
	cfgPath   *string
	offline   *bool
}

// resultsBuildFlags adds the -i mode's flags to the results command.
func resultsBuildFlags(fs *flagSet) *resultsBuild {
	return &resultsBuild{
		nick:      fs.String("i", "", "the integration's `nickname`: show the results of build NUMBER of its job"),
		storeFlag: fs.String("store", "", storeFlagHelp),
		cfgPath:   fs.String("config", "", "config `file` (default: $JEEVES_CONFIG, else ~/.config/jeeves/config.toml)"),
		offline:   fs.Bool("offline", false, "with -i: answer from the store alone, without asking Jenkins"),
	}
}

// wanted reports whether -i was given.
func (r *resultsBuild) wanted() bool { return *r.nick != "" }

// run shows the results of the build whose NUMBER is the positional
// argument (runResults has parsed the flags around it).
func (r *resultsBuild) run(e *env, args []string, asJSONFlag *bool, filesFlag *resFileFlags) error {
	asJSON, files := *asJSONFlag, *filesFlag
	if len(files) > 0 {
		return usageErr("jeeves results: give either -i NICKNAME NUMBER or --file REPORT, not both")
	}
	if len(args) != 1 {
		return usageErr("jeeves results: -i %s needs one build NUMBER (see 'jeeves results --help')", *r.nick)
	}
	number, err := strconv.Atoi(args[0])
	if err != nil || number < 1 {
		return usageErr("jeeves results: %q is not a build number", args[0])
	}
	cfg, err := loadConfig(e, *r.cfgPath)
	if err != nil {
		return err
	}
	in, st, err := findIntegrationWithStore(e, cfg, *r.nick, *r.storeFlag, nil)
	if st != nil {
		defer st.Close()
	}
	if err != nil {
		return err
	}
	if st == nil {
		if st, err = openStore(e, *r.storeFlag, *r.offline); err != nil {
			return err
		}
		defer st.Close()
	}
	ctx := e.ctx
	if err := bindStore(e, st, in); err != nil {
		return err
	}

	res, state, why, err := st.Results(ctx, in.Nickname, number)
	if err != nil {
		return failErr(err)
	}
	rec, recErr := st.Build(ctx, in.Nickname, number)
	b := rec.Build
	if state != store.ResultsStored && state != store.ResultsEmpty {
		if *r.offline {
			return failErr(fmt.Errorf("the store has no results for build #%d of %q yet: run without --offline", number, in.Nickname))
		}
		c, err := newClientEnv(ctx, in, e.getenv)
		if err != nil {
			return err
		}
		if b, err = c.Build(ctx, in.Job, number); err != nil {
			if jenkins.IsNotFound(err) {
				if msg, ok := noSuchBuild(ctx, c, in, number); ok {
					return usageErr("jeeves results: %s", msg)
				}
			}
			return clientErr(err)
		}
		if err := st.UpdateBuilds(ctx, in.Nickname, []jenkins.Build{b}); err != nil {
			return failErr(err)
		}
		res, state, why, err = store.FetchResults(ctx, c, st, in, b, store.FetchOptions{})
		if err != nil {
			return clientErr(err)
		}
	} else if recErr != nil {
		b = jenkins.Build{Number: number} // results fetched before the build was listed
	}

	status := string(b.Status)
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(newResultsJSON(in.Nickname, number, status, res.Collections, res.Governance)); err != nil {
			return err
		}
		if state != store.ResultsStored {
			fmt.Fprintf(e.stderr, "jeeves: note: build #%d has no results: %s\n", number, resultsWhy(state, why))
		}
		return nil
	}
	head := fmt.Sprintf("%s #%d", termtext.Clean(in.Nickname), number)
	if status != "" {
		head += "  " + statusLabel(b.Status)
	}
	if b.URL != "" {
		head += "  " + termtext.Clean(b.URL)
	}
	fmt.Fprintln(e.stdout, head)
	if state != store.ResultsStored {
		fmt.Fprintf(e.stdout, "No results: %s\n", resultsWhy(state, why))
		return nil
	}
	if why != "" {
		fmt.Fprintf(e.stdout, "Note: %s\n", termtext.Clean(why))
	}
	fmt.Fprintln(e.stdout)
	writeResultsText(e.stdout, res.Collections, res.Governance)
	return nil
}

// resultsWhy says why a build shows no results.
func resultsWhy(state store.ResultsState, why string) string {
	if why == "" {
		why = string(state)
	}
	return termtext.Clean(why)
}
