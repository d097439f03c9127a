package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/store"
)

// `jeeves trends` and `jeeves diff`: history insights (package insight)
// over the builds and results the store keeps. Online, the newest builds
// are listed and their results fetched through the store pipeline first,
// as `jeeves builds` does.

func init() {
	subcommands["trends"] = subcommand{
		summary: "history of an integration's builds: pass rate, failing/flaky/fixed assertions, slower requests, lint added and fixed",
		run:     runTrends,
	}
	subcommands["diff"] = subcommand{
		summary: "build A against build B (default: the completed build before A): new failures, fixes, lint; exit 1 on new failures or lint errors",
		run:     runDiff,
	}
}

// historyFlags are the flags trends and diff share.
type historyFlags struct {
	nick, cfgPath, storeFlag *string
	offline, asJSON          *bool
}

func addHistoryFlags(fs *flagSet) historyFlags {
	return historyFlags{
		nick:      fs.String("i", "", "the integration's `nickname` (default: the only one configured)"),
		cfgPath:   fs.String("config", "", "config `file` (default: $JEEVES_CONFIG, else ~/.config/jeeves/config.toml)"),
		storeFlag: fs.String("store", "", storeFlagHelp),
		offline:   fs.Bool("offline", false, "answer from the store alone, without asking Jenkins"),
		asJSON:    fs.Bool("json", false, "print JSON instead of text"),
	}
}

// open finds the integration and opens (and binds) its store.
func (h historyFlags) open(e *env) (config.Integration, *store.Store, error) {
	cfg, err := loadConfig(e, *h.cfgPath)
	if err != nil {
		return config.Integration{}, nil, err
	}
	var st *store.Store
	if *h.offline {
		if st, err = openStore(e, *h.storeFlag, true); err != nil {
			return config.Integration{}, nil, err
		}
	}
	in, st, err := findIntegrationWithStore(e, cfg, *h.nick, *h.storeFlag, st)
	if err != nil {
		if st != nil {
			st.Close()
		}
		return in, nil, err
	}
	if st == nil {
		if st, err = openStore(e, *h.storeFlag, false); err != nil {
			return in, nil, err
		}
	}
	if err := bindStore(e, st, in); err != nil {
		st.Close()
		return in, nil, err
	}
	return in, st, nil
}

// trendsJSON is `jeeves trends --json` (README "History insights").
type trendsJSON struct {
	Integration string `json:"integration"`
	Job         string `json:"job"`
	insight.Trends
}

func runTrends(e *env) error {
	fs := newFlagSet(e, "jeeves trends", "jeeves trends [-i NICKNAME] [--builds N | --all] [--offline] [--json]")
	h := addHistoryFlags(fs)
	n := fs.Int("builds", 50, "over the newest `N` builds")
	all := fs.Bool("all", false, "over every build the store has")
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves trends: unexpected argument %q (see 'jeeves trends --help')", fs.Arg(0))
	}
	if *n < 1 {
		return usageErr("jeeves trends: --builds must be 1 or more, not %d", *n)
	}
	limit := *n
	if *all {
		limit = 0
	}
	in, st, err := h.open(e)
	if err != nil {
		return err
	}
	defer st.Close()
	if !*h.offline {
		if err := refreshHistory(e, st, in, limit); err != nil {
			return err
		}
	}
	tr, info, err := st.Trends(e.ctx, in.Nickname, limit, insight.Options{})
	if err != nil {
		return failErr(err)
	}
	if info.Computed > 0 {
		fmt.Fprintf(e.stderr, "jeeves: note: %d builds' results were stored by an older jeeves; their history was computed from the full results once and saved\n", info.Computed)
	}
	if len(tr.Builds) == 0 {
		why := "run without --offline, or open the dashboard, to read its builds"
		if !*h.offline {
			why = "Jenkins lists none"
		}
		return failErr(fmt.Errorf("jeeves trends: no builds of %q in the store: %s", in.Nickname, why))
	}
	withResults := 0
	for _, p := range tr.Builds {
		if p.HasResults {
			withResults++
		}
	}
	if withResults == 0 {
		fmt.Fprintf(e.stderr, "jeeves: note: none of the %d builds read has results (no reports, or still running)\n", len(tr.Builds))
	}
	if *h.asJSON {
		out := trendsJSON{Integration: in.Nickname, Job: in.Job, Trends: tr}
		nonNilTrends(&out.Trends)
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	writeTrendsText(e.stdout, in, tr)
	return nil
}

// nonNilTrends makes empty lists [] in JSON, never null.
func nonNilTrends(t *insight.Trends) {
	if t.Assertions == nil {
		t.Assertions = []insight.AssertionTrend{}
	}
	if t.Requests == nil {
		t.Requests = []insight.RequestTrend{}
	}
	if t.Lint.Added == nil {
		t.Lint.Added = []insight.ViolationChange{}
	}
	if t.Lint.Fixed == nil {
		t.Lint.Fixed = []insight.ViolationChange{}
	}
}

// refreshHistory lists the newest builds (limit; all when 0) and fetches
// the results of the finished ones the store lacks, each build's once.
func refreshHistory(e *env, st *store.Store, in config.Integration, limit int) error {
	c, err := newClientEnv(e.ctx, in, e.getenv)
	if err != nil {
		return err
	}
	var builds []jenkins.Build
	if limit > 0 {
		builds, _, err = fetchBuilds(e.ctx, c, in.Job, nil, limit)
	} else {
		const page = 100
		for from := 0; ; from += page {
			var list []jenkins.Build
			if from == 0 {
				list, err = c.Builds(e.ctx, in.Job, page)
			} else {
				list, err = c.BuildsRange(e.ctx, in.Job, from, from+page)
			}
			builds = append(builds, list...)
			if err != nil || len(list) < page {
				break
			}
		}
	}
	if err != nil {
		return clientErr(err)
	}
	asked := limit
	if limit == 0 {
		asked = len(builds) + 1 // the whole history was listed
	}
	buildsResults(e, st, c, in, builds, true, asked)
	return nil
}

// writeTrendsText prints the trends for a terminal: 80 columns, no colour.
func writeTrendsText(w io.Writer, in config.Integration, tr insight.Trends) {
	pts := tr.Builds
	fmt.Fprintf(w, "%s (%s): %d builds, #%d–#%d\n", termtext.Clean(in.Nickname), termtext.Clean(in.Job),
		len(pts), pts[len(pts)-1].Number, pts[0].Number)
	tail := pts[:min(len(pts), 40)] // the sparklines fit 80 columns
	fmt.Fprintf(w, "             %s\n", spanLabel(tail[len(tail)-1].Number, tail[0].Number, len(tail)))
	rate, lint := insight.Sparklines(tail)
	newest := insight.NewestWithResults(pts) // where things stand (as the dashboard)
	fmt.Fprintf(w, "  pass rate  %s  %s\n", rate, passRateText(newest))
	fmt.Fprintf(w, "  lint E+W   %s  %s\n", lint, lintText(newest))
	fmt.Fprintln(w)
	with := 0
	for _, p := range pts {
		if p.HasResults {
			with++
		}
	}
	if with == 0 {
		// not "none failed": nothing was observed
		fmt.Fprintln(w, "No results in these builds: no assertions, requests or lint to compare")
		return
	}
	if len(tr.Assertions) == 0 {
		fmt.Fprintln(w, "Assertions: none failed in these builds")
	} else {
		fmt.Fprintln(w, "Assertions that failed")
		for _, a := range tr.Assertions {
			glyph := map[string]string{insight.KindFailing: "✘", insight.KindFlaky: "≈", insight.KindFixed: "✔"}[a.Kind]
			fmt.Fprintf(w, "  %s %s\n", glyph, termtext.Clean(a.AssertionKey.String()))
			fmt.Fprintf(w, "      %s\n", a.Summary)
			if a.LastError != "" {
				fmt.Fprintf(w, "      last error: %s\n", truncRunes(oneLine(termtext.Clean(a.LastError)), 62))
			}
		}
	}
	fmt.Fprintln(w)
	var slow []insight.RequestTrend
	for _, r := range tr.Requests {
		if r.Flagged {
			slow = append(slow, r)
		}
	}
	if len(slow) == 0 {
		fmt.Fprintln(w, "Requests: none got slower (newest 5 against the 20 before: +50% and +50 ms)")
	} else {
		fmt.Fprintln(w, "Requests that got slower (median of the newest 5 against the 20 before)")
		for _, r := range slow {
			fmt.Fprintf(w, "  %s\n", termtext.Clean(r.RequestKey.String()))
			hi := int64(0)
			n := min(len(r.Samples), 30)
			for _, s := range r.Samples[:n] {
				hi = max(hi, s)
			}
			fmt.Fprintf(w, "      %d ms → %d ms (+%d ms, +%.0f%%)  %s\n", r.BeforeMS, r.RecentMS, r.DeltaMS, r.Growth*100,
				insight.Sparkline(n, func(i int) (float64, bool) { return float64(r.Samples[n-1-i]), true }, 0, float64(hi)))
		}
	}
	fmt.Fprintln(w)
	switch l := tr.Lint; {
	case l.Newest == 0:
		fmt.Fprintln(w, "Lint: no build has lint results")
	case l.Previous == 0:
		fmt.Fprintf(w, "Lint: only #%d has lint results\n", l.Newest)
	case len(l.Added) == 0 && len(l.Fixed) == 0:
		fmt.Fprintf(w, "Lint: #%d has the violations #%d had\n", l.Newest, l.Previous)
	default:
		fmt.Fprintf(w, "Lint in #%d against #%d: %d added, %d fixed\n", l.Newest, l.Previous, len(l.Added), len(l.Fixed))
		writeViolationChanges(w, "+", l.Added)
		writeViolationChanges(w, "-", l.Fixed)
	}
}

func writeViolationChanges(w io.Writer, mark string, vs []insight.ViolationChange) {
	for _, v := range vs {
		sev := string(v.Severity)
		if v.Was != "" {
			sev += " (was " + string(v.Was) + ")"
		}
		fmt.Fprintf(w, "  %s %s %s  %s\n", mark, sev, termtext.Clean(v.Rule), termtext.Clean(v.Path))
		if v.Message != "" {
			fmt.Fprintf(w, "      %s\n", truncRunes(oneLine(termtext.Clean(v.Message)), 70))
		}
	}
}

func passRateText(p insight.Point) string {
	if p.PassRate == nil {
		if !p.HasResults {
			return fmt.Sprintf("#%d no results", p.Number)
		}
		return fmt.Sprintf("#%d no assertions", p.Number)
	}
	// builds' fraction (not failed of all, skipped ones too), so that both
	// commands give one number for one build; the rate is of those that ran
	s := fmt.Sprintf("#%d %d/%d", p.Number, p.Assertions-p.Failed, p.Assertions)
	if p.Failed > 0 {
		s += fmt.Sprintf(" ✘%d", p.Failed)
	}
	return s + fmt.Sprintf(" (%.0f%%)", math.Floor(*p.PassRate*100))
}

func lintText(p insight.Point) string {
	if !p.HasLint {
		return fmt.Sprintf("#%d no lint", p.Number)
	}
	return fmt.Sprintf("#%d %dE %dW", p.Number, p.LintErrors, p.LintWarnings)
}

// spanLabel is "#91 … #130" spread over a sparkline of width n.
func spanLabel(from, to, n int) string {
	l, r := fmt.Sprintf("#%d", from), fmt.Sprintf("#%d", to)
	if len(l)+len(r)+1 > n {
		return l + "–" + r // a few builds: the range, not a blank line
	}
	return l + strings.Repeat(" ", n-len(l)-len(r)) + r
}
