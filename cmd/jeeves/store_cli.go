package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	rpt "github.com/jeeves-dev/jeeves/report"
	"github.com/jeeves-dev/jeeves/store"
)

// The store-backed parts of the commands: `builds` (results summaries,
// --offline) and `results -i NICKNAME NUMBER`.

const storeFlagHelp = "store `file` (default: $JEEVES_STORE, else $XDG_STATE_HOME/jeeves/jeeves.db)"

// storePathOf is the --store flag's value, else $JEEVES_STORE, else the XDG default.
func storePathOf(e *env, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return store.DefaultPath(e.getenv)
}

// openStore opens the store for a command and prints its one-time notice
// (a damaged store moved aside) on stderr. mustExist is for --offline: a
// store that is not there has nothing to answer with.
func openStore(e *env, flagValue string, mustExist bool) (*store.Store, error) {
	path := storePathOf(e, flagValue)
	if mustExist {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, failErr(fmt.Errorf("no store at %s yet: run the command once without --offline", path))
		}
	}
	st, err := store.Open(path)
	if err != nil {
		return nil, failErr(err)
	}
	if n := st.Notice(); n != "" {
		fmt.Fprintln(e.stderr, "jeeves: note: "+oneLine(n))
	}
	return st, nil
}

// bindStore ties the store's history of in to its job and server: when the
// config now points the nickname elsewhere, the old job's builds and results
// are dropped (with a note) instead of being shown as the new job's.
func bindStore(e *env, st *store.Store, in config.Integration) error {
	dropped, err := st.BindJob(e.ctx, in.Nickname, in.URL, in.Job)
	if err != nil {
		return failErr(err)
	}
	if dropped {
		fmt.Fprintf(e.stderr, "jeeves: note: %q now names job %q on %s; the builds stored for its previous job were dropped\n",
			termtext.Clean(in.Nickname), termtext.Clean(in.Job), termtext.Clean(in.URL))
	}
	return nil
}

// findIntegrationWithStore is findIntegration over the config's
// integrations and, when the nickname is not in the config, those added in
// the dashboard (kept in the store). st is opened on demand and returned.
func findIntegrationWithStore(e *env, cfg *config.Config, nickname, storeFlag string, st *store.Store) (config.Integration, *store.Store, error) {
	in, err := findIntegration(cfg, nickname)
	if err == nil {
		return in, st, nil
	}
	if st == nil {
		path := storePathOf(e, storeFlag)
		if _, serr := os.Stat(path); serr != nil {
			return in, nil, err // no store, nothing more to look in
		}
		var oerr error
		if st, oerr = openStore(e, storeFlag, true); oerr != nil {
			return in, nil, err
		}
	}
	added, serr := st.Integrations(e.ctx)
	if serr != nil || len(added) == 0 {
		return in, st, err
	}
	merged := *cfg
	merged.Integrations = append(append([]config.Integration{}, cfg.Integrations...), added...)
	in, err = findIntegration(&merged, nickname)
	return in, st, err
}

// buildsOffline answers `jeeves builds --offline` from the store alone.
func buildsOffline(e *env, st *store.Store, in config.Integration, want map[jenkins.Status]bool, limit int) ([]buildRow, error) {
	recs, err := st.Builds(e.ctx, in.Nickname, 0)
	if err != nil {
		return nil, failErr(err)
	}
	sums := map[int]store.BuildRecord{}
	var builds []jenkins.Build
	for _, r := range recs {
		if len(want) > 0 && !want[r.Status] {
			continue
		}
		builds = append(builds, r.Build)
		sums[r.Number] = r
		if len(builds) == limit {
			break
		}
	}
	return buildRows(in, builds, func(n int) (*rpt.CollectionSummary, *rpt.GovernanceSummary) {
		r := sums[n]
		return r.Collections, r.Governance
	}, buildsNow()), nil
}

// resultsWorkers is how many builds' results `jeeves builds` fetches at
// once (the client caps requests in flight per server anyway).
const resultsWorkers = 4

// buildsResults records a fresh build list in the store and fetches the
// results of its finished builds that the store does not have yet (each
// build's once, ever). It returns the summaries for buildRows. Problems are
// warnings: the list itself is already in hand. complete says the list is
// the job's newest builds (no status filter), so builds missing from it
// may be marked gone; asked is how many were asked for.
func buildsResults(e *env, st *store.Store, api jenkins.API, in config.Integration, builds []jenkins.Build, complete bool, asked int) func(int) (*rpt.CollectionSummary, *rpt.GovernanceSummary) {
	ctx := e.ctx
	var err error
	if complete {
		err = st.SavePoll(ctx, in.Nickname, builds, asked)
	} else {
		err = st.UpdateBuilds(ctx, in.Nickname, builds)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "jeeves: warning: "+oneLine(err.Error()))
		return nil
	}
	type sum struct {
		c *rpt.CollectionSummary
		g *rpt.GovernanceSummary
	}
	sums := map[int]sum{}
	recs, err := st.Builds(ctx, in.Nickname, 0)
	if err != nil {
		fmt.Fprintln(e.stderr, "jeeves: warning: "+oneLine(err.Error()))
	}
	known := map[int]bool{}
	for _, r := range recs {
		sums[r.Number] = sum{r.Collections, r.Governance}
		known[r.Number] = r.ResultsState == store.ResultsStored || r.ResultsState == store.ResultsEmpty
	}
	var todo []jenkins.Build
	for _, b := range builds {
		if !b.Building && !known[b.Number] {
			todo = append(todo, b)
		}
	}
	var (
		mu       sync.Mutex
		firstErr error
	)
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan jenkins.Build)
	var wg sync.WaitGroup
	for range min(resultsWorkers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				res, _, _, err := store.FetchResults(fctx, api, st, in, b, store.FetchOptions{})
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
						cancel() // Jenkins is likely failing for the rest too
					}
				} else {
					c, g := res.Summaries()
					sums[b.Number] = sum{c, g}
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, b := range todo {
		select {
		case work <- b:
		case <-fctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil && ctx.Err() == nil {
		fmt.Fprintf(e.stderr, "jeeves: warning: results not read for some builds: %s\n", oneLine(firstErr.Error()))
	}
	return func(n int) (*rpt.CollectionSummary, *rpt.GovernanceSummary) {
		s := sums[n]
		return s.c, s.g
	}
}
