package main

import (
	"context"
	"encoding/json"
	"fmt"
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

// Poll intervals of `jeeves run`; tests shorten them.
var (
	runQueuePoll = time.Second
	runBuildPoll = 2 * time.Second
)

// runRetries is how many polls in a row may fail to reach Jenkins before
// `run` gives up following.
const runRetries = 5

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
	fs := newFlagSet(e, "jeeves run", "jeeves run -i NICKNAME [-p KEY=VALUE]... [--wait] [--json] [--config FILE] [--store FILE]")
	nick := fs.String("i", "", "the integration's `nickname` (default: the only one configured)")
	var params paramFlags
	fs.Var(&params, "p", "a build parameter `KEY=VALUE` (repeatable); the others keep the job's defaults")
	wait := fs.Bool("wait", false, "follow the build to its end; exit 0 only if it succeeded")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	cfgPath := fs.String("config", "", "config `file` (default: $JEEVES_CONFIG, else ~/.config/jeeves/config.toml)")
	storePath := fs.String("store", "", "store `file` that keeps the results --wait reads (default: $JEEVES_STORE, else ~/.local/state/jeeves/jeeves.db)")
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves run: unexpected argument %q; give parameters with -p KEY=VALUE", fs.Arg(0))
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

	number, err := followQueue(e, c, in.Job, id)
	if err != nil {
		return err
	}
	b, err := pollBuild(e, c, in.Job, number)
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
		if err := runSleep(e.ctx, runBuildPoll); err != nil {
			return stoppedFollowing(e, fmt.Sprintf("build #%d; it keeps running: %s", number, out.URL))
		}
		if b, err = pollBuild(e, c, in.Job, number); err != nil {
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

// followQueue waits for the queue item to become a build and returns its
// number. An item that expired from the queue is found among the builds.
func followQueue(e *env, c *jenkins.Client, job string, id int64) (int, error) {
	failures := 0
	for {
		it, err := c.QueueItem(e.ctx, id)
		switch {
		case err == nil:
			failures = 0
			if it.BuildNumber > 0 {
				return it.BuildNumber, nil
			}
			if it.Cancelled {
				return 0, failErr(fmt.Errorf("queue item %d was cancelled before its build started", id))
			}
		case jenkins.IsNotFound(err):
			n, ferr := c.BuildByQueueID(e.ctx, job, id)
			if ferr == nil {
				return n, nil
			}
			return 0, clientErr(fmt.Errorf("queue item %d is gone and no recent build of %q came from it: %w", id, job, ferr))
		case e.ctx.Err() != nil:
			return 0, stoppedFollowing(e, fmt.Sprintf("queue item %d; it stays queued", id))
		case jenkins.IsConn(err) && failures < runRetries:
			failures++
		default:
			return 0, clientErr(err)
		}
		if err := runSleep(e.ctx, runQueuePoll); err != nil {
			return 0, stoppedFollowing(e, fmt.Sprintf("queue item %d; it stays queued", id))
		}
	}
}

// pollBuild reads the build, riding out a few failed polls.
func pollBuild(e *env, c *jenkins.Client, job string, number int) (jenkins.Build, error) {
	for failures := 0; ; failures++ {
		b, err := c.Build(e.ctx, job, number)
		switch {
		case err == nil:
			return b, nil
		case e.ctx.Err() != nil:
			return b, stoppedFollowing(e, fmt.Sprintf("build #%d; it keeps running", number))
		case !jenkins.IsConn(err) || failures >= runRetries:
			return b, clientErr(err)
		}
		if err := runSleep(e.ctx, runBuildPoll); err != nil {
			return b, stoppedFollowing(e, fmt.Sprintf("build #%d; it keeps running", number))
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
