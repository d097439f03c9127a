package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	rpt "github.com/jeeves-dev/jeeves/report"
	"github.com/jeeves-dev/jeeves/store"
)

func init() {
	subcommands["run"] = subcommand{
		summary: "start a build of an integration's job (-p KEY=VALUE), optionally --wait for its result",
		run:     runRun,
	}
}

// Poll intervals of `jeeves run`, and the longest wait between two tries
// while Jenkins cannot be reached; tests shorten them.
var (
	runQueuePoll  = time.Second
	runBuildPoll  = 2 * time.Second
	runBackoffMax = 30 * time.Second
)

// runDefaultTimeout is how long `run` follows a queue item and its build
// (through restarts of Jenkins and dropped connections) unless --timeout says.
const runDefaultTimeout = 6 * time.Hour

// paramFlags is a repeatable -p KEY=VALUE, in the order given.
type paramFlags struct {
	keys []string
	vals map[string]string
}

func (p *paramFlags) String() string { return strings.Join(p.keys, ",") }

func (p *paramFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	if p.vals == nil {
		p.vals = map[string]string{}
	}
	if _, dup := p.vals[k]; dup {
		return fmt.Errorf("parameter %s given twice", k)
	}
	p.keys = append(p.keys, k)
	p.vals[k] = v
	return nil
}

// runJSON is what `run --json` prints.
type runJSON struct {
	Integration string                 `json:"integration"`
	Job         string                 `json:"job"`
	QueueID     int64                  `json:"queue_id"`
	QueueURL    string                 `json:"queue_url"`
	Number      int                    `json:"number"`
	URL         string                 `json:"url"`
	Status      jenkins.Status         `json:"status"`
	Building    bool                   `json:"building"`
	DurationMS  int64                  `json:"duration_ms"`
	Collections *rpt.CollectionSummary `json:"collections"`
	Governance  *rpt.GovernanceSummary `json:"governance"`
	ResultsNote string                 `json:"results_note,omitempty"`
}

func runRun(e *env) error {
	fs := newFlagSet(e, "jeeves run", "jeeves run -i NICKNAME [-p KEY=VALUE]... [--wait [--timeout 6h]] [--json] [--config FILE] [--store FILE]")
	nick := fs.String("i", "", "the integration's `nickname` (default: the only one configured)")
	var params paramFlags
	fs.Var(&params, "p", "a build parameter `KEY=VALUE` (repeatable); the others keep the job's defaults")
	wait := fs.Bool("wait", false, "follow the build to its end; exit 0 only if it succeeded")
	timeout := fs.Duration("timeout", runDefaultTimeout, "how long to follow the queue item and the build, waiting (with backoff, up to 30s\n"+
		"between tries) through Jenkins restarts and dropped connections; one line says when\n"+
		"the connection drops, one when it is back. At the deadline: exit 3 if Jenkins is still\n"+
		"unreachable, else 1 (the build keeps running)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	cfgPath := fs.String("config", "", "config `file` (default: $JEEVES_CONFIG, else ~/.config/jeeves/config.toml)")
	storePath := fs.String("store", "", "store `file` that keeps the results --wait reads (default: $JEEVES_STORE, else $XDG_STATE_HOME/jeeves/jeeves.db)")
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves run: unexpected argument %q; give parameters with -p KEY=VALUE", fs.Arg(0))
	}
	if *timeout <= 0 {
		return usageErr("jeeves run: --timeout must be more than 0, e.g. 6h or 90m")
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	in, err := findIntegration(cfg, *nick)
	if err != nil {
		return err
	}
	c, err := newClientEnv(e.ctx, in, e.getenv)
	if err != nil {
		return err
	}
	job, err := c.Job(e.ctx, in.Job)
	if err != nil {
		return clientErr(err)
	}
	if err := runnable(in, job); err != nil {
		return err
	}
	values, err := checkParams(in.Job, job.Params, params)
	if err != nil {
		return err
	}

	out := runJSON{Integration: in.Nickname, Job: in.Job}
	id, err := c.Trigger(e.ctx, in.Job, values)
	note := ""
	if jenkins.IsAlreadyQueued(err) {
		note = " (an identical build was already queued; following it)"
		err = nil
	}
	if err != nil {
		return triggerErr(err)
	}
	out.QueueID, out.QueueURL = id, fmt.Sprintf("%s/queue/item/%d/", c.BaseURL(), id)
	if !*asJSON {
		fmt.Fprintf(e.stdout, "queued: %s%s\n", out.QueueURL, note)
	}

	f := &follower{e: e, notes: e.stdout, timeout: *timeout, deadline: time.Now().Add(*timeout)}
	if *asJSON {
		f.notes = e.stderr // stdout is the one JSON object
	}
	number, err := f.followQueue(c, in.Job, id)
	if err != nil {
		return err
	}
	b, err := f.pollBuild(c, in.Job, number)
	if err != nil {
		return err
	}
	setBuild(&out, b)
	if !*asJSON {
		fmt.Fprintf(e.stdout, "build:  %s\n", termtext.Clean(out.URL))
	}
	if !*wait {
		if *asJSON {
			return runWriteJSON(e, out)
		}
		return nil
	}

	for b.Building {
		if err := f.sleep(runBuildPoll, fmt.Sprintf("build #%d; it keeps running: %s", number, termtext.Clean(out.URL))); err != nil {
			return err
		}
		if b, err = f.pollBuild(c, in.Job, number); err != nil {
			return err
		}
	}
	setBuild(&out, b)
	res, why := buildResults(e.ctx, e, *storePath, in, c, b)
	out.Collections, out.Governance = res.Summaries()
	out.ResultsNote = why
	if *asJSON {
		if err := runWriteJSON(e, out); err != nil {
			return err
		}
	} else {
		writeRunResult(e, out)
	}
	if b.Status != jenkins.StatusSuccess {
		return failErr(fmt.Errorf("build #%d of %q finished %s", number, in.Job, b.Status))
	}
	return nil
}

// runnable refuses jobs that cannot take a build before anything is sent.
func runnable(in config.Integration, job jenkins.Job) error {
	switch job.Kind {
	case jenkins.KindFolder, jenkins.KindMultibranch:
		kind := "a folder"
		if job.Kind == jenkins.KindMultibranch {
			kind = "a multibranch project"
		}
		hint := "set job to a job inside it"
		if len(job.Children) > 0 {
			hint = fmt.Sprintf("set job to one of its jobs, e.g. %q", strings.TrimSuffix(in.Job, "/")+"/"+job.Children[0])
		}
		return usageErr("jeeves run: %q is %s, not a job; fix: %s in the config", in.Job, kind, termtext.Clean(hint))
	}
	if job.Disabled || !job.Buildable {
		return usageErr("jeeves run: %q is disabled in Jenkins, so it cannot build; fix: enable it", in.Job)
	}
	return nil
}

// checkParams validates -p values against the job's parameter definitions
// and returns what to send (nil: none given, the job's defaults apply).
func checkParams(jobName string, defs []jenkins.ParamDef, p paramFlags) (map[string]string, error) {
	if len(p.keys) == 0 {
		return nil, nil
	}
	if len(defs) == 0 {
		return nil, usageErr("jeeves run: %q takes no parameters, but -p %s was given", jobName, p.keys[0])
	}
	byName := map[string]jenkins.ParamDef{}
	names := make([]string, 0, len(defs))
	for _, d := range defs {
		byName[d.Name] = d
		names = append(names, describeParam(d))
	}
	out := map[string]string{}
	for _, k := range p.keys {
		v := p.vals[k]
		d, ok := byName[k]
		if !ok {
			hint := ""
			for _, d := range defs {
				if strings.EqualFold(d.Name, k) {
					hint = fmt.Sprintf(" (did you mean %s?)", termtext.Clean(d.Name))
				}
			}
			return nil, usageErr("jeeves run: unknown parameter %q for %q%s; its parameters: %s", k, jobName, hint, strings.Join(names, ", "))
		}
		switch d.Type {
		case jenkins.ParamChoice:
			if !runContains(d.Choices, v) {
				return nil, usageErr("jeeves run: parameter %s: %q is not one of its choices; allowed: %s", termtext.Clean(k), v, strings.Join(runCleanAll(d.Choices), ", "))
			}
		case jenkins.ParamBoolean:
			switch strings.ToLower(v) {
			case "true", "false":
				v = strings.ToLower(v)
			default:
				return nil, usageErr("jeeves run: parameter %s is a boolean: %q must be true or false", termtext.Clean(k), v)
			}
		case jenkins.ParamFile:
			return nil, usageErr("jeeves run: parameter %s is a file parameter, which -p cannot upload; start this build in Jenkins", termtext.Clean(k))
		}
		out[k] = v
	}
	return out, nil
}

// describeParam is "NAME (type: choices)" for error messages. Names and
// choices come from Jenkins, so they are cleaned of control sequences.
func describeParam(d jenkins.ParamDef) string {
	d.Name = termtext.Clean(d.Name)
	switch d.Type {
	case jenkins.ParamChoice:
		return fmt.Sprintf("%s (choice: %s)", d.Name, strings.Join(runCleanAll(d.Choices), "|"))
	case jenkins.ParamBoolean:
		return d.Name + " (true|false)"
	case jenkins.ParamOther:
		return d.Name
	}
	return fmt.Sprintf("%s (%s)", d.Name, d.Type)
}

func runCleanAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = termtext.Clean(s)
	}
	return out
}

func runContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// triggerErr maps a refused trigger: a 400 (parameters) or 409 (disabled)
// is the caller's to fix (2); the rest as any client error.
func triggerErr(err error) error {
	switch jenkins.KindOf(err) {
	case jenkins.ErrorBadRequest, jenkins.ErrorNotBuildable:
		return &exitError{code: exitUsage, err: err}
	}
	return clientErr(err)
}

// follower polls Jenkins for `run` until a deadline, waiting with backoff
// while Jenkins cannot be reached (a restart, a dropped connection, a 5xx
// from a proxy in front of it). It says once when the connection drops and
// once when it is back.
type follower struct {
	e        *env
	notes    io.Writer // where the drop/back lines go
	timeout  time.Duration
	deadline time.Time

	down      bool      // the last poll failed to reach Jenkins
	downSince time.Time // when the first of those failed
	backoff   time.Duration
	lastErr   error
}

// ok records a poll that reached Jenkins.
func (f *follower) ok() {
	if f.down {
		fmt.Fprintf(f.notes, "connection to Jenkins is back after %s\n", time.Since(f.downSince).Round(time.Second))
	}
	f.down, f.backoff, f.lastErr = false, 0, nil
}

// unreachable records a poll that could not reach Jenkins and waits before
// the next try: the poll interval, doubling to runBackoffMax. At the
// deadline it gives up with a connection error (exit 3).
func (f *follower) unreachable(err error, poll time.Duration, what string) error {
	if !f.down {
		f.down, f.downSince = true, time.Now()
		fmt.Fprintf(f.notes, "connection to Jenkins lost (%s); retrying until %s (--timeout %s)\n",
			termtext.Clean(err.Error()), f.deadline.Format("15:04:05"), f.timeout)
	}
	f.lastErr = err
	switch {
	case f.backoff == 0:
		f.backoff = poll
	case f.backoff < runBackoffMax:
		f.backoff = min(2*f.backoff, runBackoffMax)
	}
	return f.sleep(f.backoff, what)
}

// sleep waits d, or until the deadline or an interrupt, which end following.
func (f *follower) sleep(d time.Duration, what string) error {
	left := time.Until(f.deadline)
	if left <= 0 {
		return f.expired(what)
	}
	if err := runSleep(f.e.ctx, min(d, left)); err != nil {
		return stoppedFollowing(f.e, what)
	}
	if d >= left {
		return f.expired(what)
	}
	return nil
}

// expired is the end at the deadline: still unreachable is a connection
// error (3); reachable but not done is an unknown outcome (1).
func (f *follower) expired(what string) error {
	if f.down {
		return connErr(fmt.Errorf("gave up after --timeout %s: Jenkins unreachable for %s: %w",
			f.timeout, time.Since(f.downSince).Round(time.Second), f.lastErr))
	}
	return failErr(fmt.Errorf("--timeout %s reached: stopped following %s", f.timeout, what))
}

// followQueue waits for the queue item to become a build and returns its
// number. An item that expired from the queue is found among the builds.
func (f *follower) followQueue(c *jenkins.Client, job string, id int64) (int, error) {
	e := f.e
	what := fmt.Sprintf("queue item %d; it stays queued", id)
	for {
		it, err := c.QueueItem(e.ctx, id)
		switch {
		case err == nil:
			f.ok()
			if it.BuildNumber > 0 {
				return it.BuildNumber, nil
			}
			if it.Cancelled {
				return 0, failErr(fmt.Errorf("queue item %d was cancelled before its build started", id))
			}
		case jenkins.IsNotFound(err):
			n, ferr := c.BuildByQueueID(e.ctx, job, id)
			if ferr == nil {
				f.ok()
				return n, nil
			}
			if e.ctx.Err() == nil && jenkins.IsConn(ferr) {
				if err := f.unreachable(ferr, runQueuePoll, what); err != nil {
					return 0, err
				}
				continue
			}
			return 0, clientErr(fmt.Errorf("queue item %d is gone and no recent build of %q came from it: %w", id, job, ferr))
		case e.ctx.Err() != nil:
			return 0, stoppedFollowing(e, what)
		case jenkins.IsConn(err):
			if err := f.unreachable(err, runQueuePoll, what); err != nil {
				return 0, err
			}
			continue
		default:
			return 0, clientErr(err)
		}
		if err := f.sleep(runQueuePoll, what); err != nil {
			return 0, err
		}
	}
}

// pollBuild reads the build, waiting through connection failures.
func (f *follower) pollBuild(c *jenkins.Client, job string, number int) (jenkins.Build, error) {
	what := fmt.Sprintf("build #%d; it keeps running", number)
	for {
		b, err := c.Build(f.e.ctx, job, number)
		switch {
		case err == nil:
			f.ok()
			return b, nil
		case f.e.ctx.Err() != nil:
			return b, stoppedFollowing(f.e, what)
		case jenkins.IsNotFound(err):
			// it was there (the queue gave its number): deleted, or lost by
			// a Jenkins restarted without it; not a mistyped name (2)
			return b, failErr(fmt.Errorf("build #%d of %q is gone from Jenkins (deleted, or lost in a restart): its result is unknown", number, job))
		case !jenkins.IsConn(err):
			return b, clientErr(err)
		}
		if err := f.unreachable(err, runBuildPoll, what); err != nil {
			return b, err
		}
	}
}

// stoppedFollowing is the exit of an interrupted run: nothing is aborted in
// Jenkins, and the outcome is unknown, so it is not a success (1).
func stoppedFollowing(e *env, what string) error {
	return failErr(fmt.Errorf("interrupted: stopped following %s", what))
}

func runSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func setBuild(out *runJSON, b jenkins.Build) {
	out.Number, out.URL, out.Status, out.Building = b.Number, b.URL, b.Status, b.Building
	out.DurationMS = b.Duration.Milliseconds()
}

func runWriteJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeRunResult prints the end of `run --wait`: result, then the
// collection and governance summaries.
func writeRunResult(e *env, out runJSON) {
	fmt.Fprintf(e.stdout, "result: %s after %s\n", out.Status, time.Duration(out.DurationMS)*time.Millisecond)
	switch cs := out.Collections; {
	case cs != nil:
		// requests_failed is the tool's count of requests it could not send
		fmt.Fprintf(e.stdout, "collections: %d %s, %d %s (%d not sent), %d %s (%d failed)\n",
			cs.Runs, runPlural(cs.Runs, "run", "runs"), cs.Requests, runPlural(cs.Requests, "request", "requests"), cs.RequestsFailed,
			cs.Assertions, runPlural(cs.Assertions, "assertion", "assertions"), cs.AssertionsFailed)
	default:
		fmt.Fprintln(e.stdout, "collections: none")
	}
	switch gs := out.Governance; {
	case gs != nil:
		fmt.Fprintf(e.stdout, "governance: %d %s, %d %s, %d %s, %d %s, %d %s\n",
			gs.Definitions, runPlural(gs.Definitions, "definition", "definitions"),
			gs.Error, runPlural(gs.Error, "error", "errors"), gs.Warning, runPlural(gs.Warning, "warning", "warnings"),
			gs.Info, runPlural(gs.Info, "info", "infos"), gs.Hint, runPlural(gs.Hint, "hint", "hints"))
	default:
		fmt.Fprintln(e.stdout, "governance: none")
	}
	if out.ResultsNote != "" {
		fmt.Fprintf(e.stdout, "note: %s\n", termtext.Clean(out.ResultsNote))
	}
}

func runPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// buildResults reads the finished build's collection runs and governance
// results through the store (so each build is fetched once, ever, and the
// dashboard sees them too), and says why there are none when that is so.
func buildResults(ctx context.Context, e *env, storePath string, in config.Integration, c *jenkins.Client, b jenkins.Build) (rpt.Results, string) {
	if storePath == "" {
		storePath = store.DefaultPath(e.getenv)
	}
	st, err := store.Open(storePath)
	if err != nil {
		return rpt.Results{}, fmt.Sprintf("results not read: store %s: %v", storePath, err)
	}
	defer st.Close()
	if err := bindStore(e, st, in); err != nil {
		return rpt.Results{}, "results not read: " + err.Error()
	}
	res, _, why, err := store.FetchResults(ctx, c, st, in, b, store.FetchOptions{})
	if err != nil {
		return rpt.Results{}, "results not read: " + err.Error()
	}
	return res, why
}
