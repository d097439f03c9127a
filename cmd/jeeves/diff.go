package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/store"
)

// diffLookBack bounds how far back diff looks for the build to compare with.
const diffLookBack = 100

// diffJSON is `jeeves diff --json` (README "History insights").
type diffJSON struct {
	Integration string `json:"integration"`
	Job         string `json:"job"`
	Regressed   bool   `json:"regressed"`
	insight.Diff
}

func runDiff(e *env) error {
	fs := newFlagSet(e, "jeeves diff", "jeeves diff [-i NICKNAME] A [B] [--offline] [--json]\n\n"+
		"Build A against build B; B defaults to the newest finished build before A that has results.\n"+
		"Exits 1 when A has new failing assertions or new lint errors against B, 0 otherwise.")
	h := addHistoryFlags(fs)
	if err := fs.parse(e.args); err != nil {
		return err
	}
	// Flags may come after the build numbers (`diff -i NICK 42 --json`).
	var args []string
	for rest := fs.Args(); len(rest) > 0; rest = fs.Args() {
		args = append(args, rest[0])
		if err := fs.parse(rest[1:]); err != nil {
			return err
		}
	}
	if len(args) < 1 || len(args) > 2 {
		return usageErr("jeeves diff: give build A, and optionally build B to compare it with (see 'jeeves diff --help')")
	}
	var nums []int
	for _, a := range args {
		n, err := strconv.Atoi(a)
		if err != nil || n < 1 {
			return usageErr("jeeves diff: %q is not a build number", a)
		}
		nums = append(nums, n)
	}
	if len(nums) == 2 && nums[0] == nums[1] {
		return usageErr("jeeves diff: build #%d against itself", nums[0])
	}
	in, st, err := h.open(e)
	if err != nil {
		return err
	}
	defer st.Close()
	r := &diffReader{e: e, st: st, in: in, offline: *h.offline}
	a, err := r.results(nums[0])
	if err != nil {
		return err
	}
	var b insight.Build
	if len(nums) == 2 {
		if b, err = r.results(nums[1]); err != nil {
			return err
		}
	} else if b, err = r.previous(nums[0]); err != nil {
		return err
	}
	d := insight.Compare(a, b)
	if *h.asJSON {
		out := diffJSON{Integration: in.Nickname, Job: in.Job, Regressed: d.Regressed(), Diff: d}
		for _, l := range []*[]insight.AssertionChange{&out.NewFailing, &out.Fixed, &out.StillFailing} {
			if *l == nil {
				*l = []insight.AssertionChange{}
			}
		}
		for _, l := range []*[]insight.ViolationChange{&out.NewViolations, &out.FixedViolations} {
			if *l == nil {
				*l = []insight.ViolationChange{}
			}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		writeDiffText(e.stdout, in, a, b, d)
	}
	if d.Regressed() {
		return silentFail
	}
	return nil
}

// diffReader reads builds' full results from the store, fetching them from
// Jenkins through the results pipeline when the store lacks them.
type diffReader struct {
	e       *env
	st      *store.Store
	in      config.Integration
	offline bool
	api     jenkins.API
}

var errNoResults = errors.New("no results")

// results reads build n; a build unknown or without results is a usage error.
func (r *diffReader) results(n int) (insight.Build, error) {
	b, err := r.read(n)
	if errors.Is(err, store.ErrNotFound) && !r.offline && r.api != nil {
		if msg, ok := noSuchBuild(r.e.ctx, r.api, r.in, n); ok {
			return b, usageErr("jeeves diff: %s", msg)
		}
	}
	if errors.Is(err, errNoResults) || errors.Is(err, store.ErrNotFound) {
		return b, &exitError{code: exitUsage, err: fmt.Errorf("jeeves diff: %v", err)}
	}
	return b, err
}

func (r *diffReader) read(n int) (insight.Build, error) {
	ctx := r.e.ctx
	res, state, why, err := r.st.Results(ctx, r.in.Nickname, n)
	if err != nil {
		return insight.Build{}, failErr(err)
	}
	rec, recErr := r.st.Build(ctx, r.in.Nickname, n)
	if state != store.ResultsStored && state != store.ResultsEmpty && !r.offline {
		if r.api == nil {
			if r.api, err = newClientEnv(ctx, r.in, r.e.getenv); err != nil {
				return insight.Build{}, err
			}
		}
		jb, err := r.api.Build(ctx, r.in.Job, n)
		if jenkins.IsNotFound(err) {
			return insight.Build{}, fmt.Errorf("build #%d of %q: %w (Jenkins has no such build)", n, r.in.Nickname, store.ErrNotFound)
		}
		if err != nil {
			return insight.Build{}, clientErr(err)
		}
		if err := r.st.UpdateBuilds(ctx, r.in.Nickname, []jenkins.Build{jb}); err != nil {
			return insight.Build{}, failErr(err)
		}
		rec.Build, recErr = jb, nil
		if res, state, why, err = store.FetchResults(ctx, r.api, r.st, r.in, jb, store.FetchOptions{}); err != nil {
			return insight.Build{}, clientErr(err)
		}
	}
	if state != store.ResultsStored {
		if recErr != nil && state == store.ResultsNone {
			where := "the store"
			if !r.offline {
				where = "Jenkins"
			}
			return insight.Build{}, fmt.Errorf("build #%d of %q: %w (not in %s)", n, r.in.Nickname, store.ErrNotFound, where)
		}
		if state == store.ResultsNone && r.offline {
			why = "not read yet: run without --offline"
		}
		return insight.Build{Number: n}, fmt.Errorf("build #%d of %q has %w: %s", n, r.in.Nickname, errNoResults, resultsWhy(state, why))
	}
	return insight.Build{Number: n, Status: string(rec.Status), HasResults: true, Results: res}, nil
}

// previous finds the newest build before n that finished with results.
func (r *diffReader) previous(n int) (insight.Build, error) {
	if n == 1 {
		return insight.Build{}, usageErr("jeeves diff: #1 is the job's first build: nothing before it to compare with")
	}
	for m := n - 1; m >= 1 && m >= n-diffLookBack; m-- {
		b, err := r.read(m)
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, errNoResults) && !errors.Is(err, store.ErrNotFound) {
			return b, err
		}
	}
	return insight.Build{}, usageErr("jeeves diff: no build before #%d of %q has results to compare with (looked back %d builds)", n, r.in.Nickname, min(n-1, diffLookBack))
}

func writeDiffText(w io.Writer, in config.Integration, a, b insight.Build, d insight.Diff) {
	fmt.Fprintf(w, "%s (%s): #%d against #%d\n", termtext.Clean(in.Nickname), termtext.Clean(in.Job), d.A, d.B)
	ca, _ := a.Results.Summaries()
	cb, _ := b.Results.Summaries()
	if ca != nil || cb != nil {
		fmt.Fprintf(w, "  tests  #%d %s   #%d %s\n", d.A, collectionsCell(ca), d.B, collectionsCell(cb))
	}
	_, ga := a.Results.Summaries()
	_, gb := b.Results.Summaries()
	if ga != nil || gb != nil {
		fmt.Fprintf(w, "  lint   #%d %s   #%d %s\n", d.A, governanceCell(ga), d.B, governanceCell(gb))
	}
	section := func(title string, cs []insight.AssertionChange) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d)\n", title, len(cs))
		for _, c := range cs {
			fmt.Fprintf(w, "  %s\n", termtext.Clean(c.AssertionKey.String()))
			if c.Message != "" {
				fmt.Fprintf(w, "      %s\n", truncRunes(oneLine(termtext.Clean(c.Message)), 70))
			}
		}
	}
	section("NEW failing", d.NewFailing)
	section("FIXED", d.Fixed)
	if n := len(d.StillFailing); n > 0 {
		fmt.Fprintf(w, "\nStill failing: %d\n", n)
	}
	if len(d.NewViolations) > 0 {
		fmt.Fprintf(w, "\nNEW lint violations (%d)\n", len(d.NewViolations))
		writeViolationChanges(w, "+", d.NewViolations)
	}
	if len(d.FixedViolations) > 0 {
		fmt.Fprintf(w, "\nFixed lint violations (%d)\n", len(d.FixedViolations))
		writeViolationChanges(w, "-", d.FixedViolations)
	}
	if len(d.NewFailing)+len(d.Fixed)+len(d.NewViolations)+len(d.FixedViolations) == 0 {
		fmt.Fprintln(w, "\nNo change in assertions or lint violations.")
	}
	if d.Regressed() {
		fmt.Fprintf(w, "\n#%d regressed against #%d.\n", d.A, d.B)
	}
}
