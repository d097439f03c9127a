package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	rpt "github.com/jeeves-dev/jeeves/report"
	"github.com/jeeves-dev/jeeves/store"
)

func init() {
	subcommands["builds"] = subcommand{
		summary: "list the builds of an integration's job (a table, or --json)",
		run:     runBuilds,
	}
}

// buildsNow is the clock of `jeeves builds` (elapsed time of running builds).
var buildsNow = time.Now

// buildsScanCap bounds how far back a --status filter looks for matches.
const buildsScanCap = 1000

func runBuilds(e *env) error {
	fs := newFlagSet(e, "jeeves builds", "jeeves builds [-i NICKNAME] [--status S,S] [--limit N] [--offline] [--json]")
	nick := fs.String("i", "", "the integration's `nickname` (default: the only one configured)")
	statusList := fs.String("status", "", "only builds with these `statuses`, comma-separated: "+statusNames())
	limit := fs.Int("limit", 50, "show at most `N` builds, newest first")
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	cfgPath := fs.String("config", "", "config `file` (default: $JEEVES_CONFIG, else ~/.config/jeeves/config.toml)")
	offline := fs.Bool("offline", false, "answer from the store alone, without asking Jenkins")
	storeFlag := fs.String("store", "", storeFlagHelp)
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves builds: unexpected argument %q (see 'jeeves builds --help')", fs.Arg(0))
	}
	if *limit < 1 {
		return usageErr("jeeves builds: --limit must be 1 or more, not %d", *limit)
	}
	want, err := parseStatuses(*statusList)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	var st *store.Store
	if *offline {
		if st, err = openStore(e, *storeFlag, true); err != nil {
			return err
		}
	}
	in, st, err := findIntegrationWithStore(e, cfg, *nick, *storeFlag, st)
	if st != nil {
		defer st.Close()
	}
	if err != nil {
		return err
	}
	if *offline {
		if err := bindStore(e, st, in); err != nil {
			return err
		}
		rows, err := buildsOffline(e, st, in, want, *limit)
		if err != nil {
			return err
		}
		return printBuilds(e, in, rows, *asJSON)
	}
	c, err := newClientEnv(e.ctx, in, e.getenv)
	if err != nil {
		return err
	}
	builds, capped, err := fetchBuilds(e.ctx, c, in.Job, want, *limit)
	if err != nil {
		return clientErr(err)
	}
	if capped {
		fmt.Fprintf(e.stderr, "jeeves: note: looked through the newest %d builds only\n", buildsScanCap)
	}
	// The store fills collections and governance: each finished build's
	// results are fetched once, ever.
	var summaries summaryFunc
	if st == nil {
		if st, err = openStore(e, *storeFlag, false); err != nil {
			fmt.Fprintln(e.stderr, "jeeves: warning: no results summaries: "+oneLine(err.Error()))
		} else {
			defer st.Close()
		}
	}
	if st != nil {
		if err := bindStore(e, st, in); err != nil {
			return err
		}
		summaries = buildsResults(e, st, c, in, builds, len(want) == 0, *limit)
	}
	rows := buildRows(in, builds, summaries, buildsNow())
	return printBuilds(e, in, rows, *asJSON)
}

// printBuilds writes rows as JSON or as the table.
func printBuilds(e *env, in config.Integration, rows []buildRow, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	writeBuildsTable(e.stdout, in, rows)
	return nil
}

func statusNames() string {
	names := make([]string, len(jenkins.AllStatuses))
	for i, s := range jenkins.AllStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ",")
}

// parseStatuses reads --status: comma-separated status names.
func parseStatuses(list string) (map[jenkins.Status]bool, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	want := map[jenkins.Status]bool{}
	for _, s := range strings.Split(list, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		ok := false
		for _, known := range jenkins.AllStatuses {
			if string(known) == s {
				ok = true
			}
		}
		if !ok {
			return nil, usageErr("jeeves builds: unknown status %q in --status; use %s", s, statusNames())
		}
		want[jenkins.Status(s)] = true
	}
	return want, nil
}

// fetchBuilds lists the newest limit builds; with a status filter it pages
// back (100 builds a request) until limit builds match, the job's history
// ends, or buildsScanCap builds were looked at (capped is then true).
func fetchBuilds(ctx context.Context, c jenkins.API, job string, want map[jenkins.Status]bool, limit int) (out []jenkins.Build, capped bool, err error) {
	if len(want) == 0 {
		out, err = c.Builds(ctx, job, limit)
		if len(out) > limit {
			out = out[:limit]
		}
		return out, false, err
	}
	const page = 100
	for from := 0; from < buildsScanCap; from += page {
		var list []jenkins.Build
		if from == 0 {
			list, err = c.Builds(ctx, job, page)
		} else {
			list, err = c.BuildsRange(ctx, job, from, from+page)
		}
		if err != nil {
			return nil, false, err
		}
		for _, b := range list {
			if want[b.Status] {
				out = append(out, b)
				if len(out) == limit {
					return out, false, nil
				}
			}
		}
		if len(list) < page {
			return out, false, nil
		}
	}
	return out, true, nil
}

// buildRow is one element of `jeeves builds --json`, exactly the product
// brief's fields.
type buildRow struct {
	Integration string                 `json:"integration"`
	Job         string                 `json:"job"`
	Number      int                    `json:"number"`
	Status      jenkins.Status         `json:"status"`
	Building    bool                   `json:"building"`
	Started     *string                `json:"started"` // RFC 3339, UTC; null when unknown
	DurationMS  int64                  `json:"duration_ms"`
	EstimatedMS *int64                 `json:"estimated_ms"` // null when Jenkins has no estimate
	URL         string                 `json:"url"`
	Cause       *string                `json:"cause"` // null when the list did not say
	Parameters  map[string]string      `json:"parameters"`
	Collections *rpt.CollectionSummary `json:"collections"`
	Governance  *rpt.GovernanceSummary `json:"governance"`
}

// summaryFunc gives the list summaries of a build's parsed results (nil
// when unknown). The results pipeline (store) supplies it; nil means none.
type summaryFunc func(number int) (*rpt.CollectionSummary, *rpt.GovernanceSummary)

// buildRows turns builds into JSON rows, newest first. Running builds get
// their elapsed time as duration (Jenkins says 0 while they run).
func buildRows(in config.Integration, builds []jenkins.Build, summaries summaryFunc, now time.Time) []buildRow {
	rows := make([]buildRow, 0, len(builds))
	for _, b := range builds {
		r := buildRow{
			Integration: in.Nickname,
			Job:         in.Job,
			Number:      b.Number,
			Status:      b.Status,
			Building:    b.Building,
			DurationMS:  b.Duration.Milliseconds(),
			URL:         b.URL,
			Parameters:  map[string]string{},
		}
		if !b.Started.IsZero() {
			s := b.Started.UTC().Format(time.RFC3339)
			r.Started = &s
			if b.Building && now.After(b.Started) {
				r.DurationMS = now.Sub(b.Started).Milliseconds()
			}
		}
		if b.EstimatedDuration > 0 {
			ms := b.EstimatedDuration.Milliseconds()
			r.EstimatedMS = &ms
		}
		if c := causeText(b.Causes); c != "" {
			r.Cause = &c
		}
		for _, p := range b.Params {
			r.Parameters[p.Name] = p.Display()
		}
		if summaries != nil {
			r.Collections, r.Governance = summaries(b.Number)
		}
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Number > rows[j].Number })
	return rows
}

// causeText joins the distinct cause descriptions of a build.
func causeText(causes []jenkins.Cause) string {
	var parts []string
	seen := map[string]bool{}
	for _, c := range causes {
		d := strings.TrimSpace(c.Description)
		if d == "" && c.UserName != "" {
			d = "Started by user " + c.UserName
		}
		if d != "" && !seen[d] {
			seen[d] = true
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, "; ")
}

// writeBuildsTable prints rows as a table that reads without colour: every
// status has a glyph and a word, all server text is cleaned of control codes.
func writeBuildsTable(w io.Writer, in config.Integration, rows []buildRow) {
	if len(rows) == 0 {
		fmt.Fprintf(w, "%s (%s): no builds\n", termtext.Clean(in.Nickname), termtext.Clean(in.Job))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSTATUS\tSTARTED\tDURATION\tCAUSE\tCOLLECTIONS\tGOVERNANCE")
	for _, r := range rows {
		started := "-"
		if r.Started != nil {
			t, _ := time.Parse(time.RFC3339, *r.Started)
			started = t.Local().Format("2006-01-02 15:04")
		}
		dur := fmtDuration(time.Duration(r.DurationMS) * time.Millisecond)
		if r.Building && r.EstimatedMS != nil {
			dur += " of ~" + fmtDuration(time.Duration(*r.EstimatedMS)*time.Millisecond)
		}
		cause := "-"
		if r.Cause != nil {
			cause = truncRunes(termtext.Clean(*r.Cause), 40)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Number, statusLabel(r.Status), started, dur, cause,
			collectionsCell(r.Collections), governanceCell(r.Governance))
	}
	tw.Flush()
}

// statusLabel is a status's glyph and word (the dashboard's glyphs).
func statusLabel(s jenkins.Status) string {
	glyph := map[jenkins.Status]string{
		jenkins.StatusSuccess: "✔", jenkins.StatusFailure: "✘", jenkins.StatusUnstable: "▲",
		jenkins.StatusAborted: "■", jenkins.StatusNotBuilt: "○", jenkins.StatusRunning: "▶",
	}[s]
	if glyph == "" {
		return "? unknown"
	}
	if s == jenkins.StatusNotBuilt {
		return glyph + " not built"
	}
	return glyph + " " + string(s)
}

// collectionsCell is "61/64 ✘3": assertions passed of total, and failed.
func collectionsCell(c *rpt.CollectionSummary) string {
	if c == nil {
		return "-"
	}
	s := fmt.Sprintf("%d/%d", c.Assertions-c.AssertionsFailed, c.Assertions)
	if c.AssertionsFailed > 0 {
		s += fmt.Sprintf(" ✘%d", c.AssertionsFailed)
	}
	return s
}

// governanceCell is "7E 16W" (zero counts left out).
func governanceCell(g *rpt.GovernanceSummary) string {
	if g == nil {
		return "-"
	}
	var parts []string
	for _, p := range []struct {
		n int
		s string
	}{{g.Error, "E"}, {g.Warning, "W"}, {g.Info, "I"}, {g.Hint, "H"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d%s", p.n, p.s))
		}
	}
	if len(parts) == 0 {
		return "✔ clean"
	}
	return strings.Join(parts, " ")
}

// fmtDuration is a short duration: 850ms, 42s, 3m05s, 1h02m.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func truncRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
