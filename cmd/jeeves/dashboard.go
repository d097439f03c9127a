package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/jeeves-dev/jeeves/check"
	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
	jreport "github.com/jeeves-dev/jeeves/report"
	"github.com/jeeves-dev/jeeves/snippet"
	"github.com/jeeves-dev/jeeves/store"
	"github.com/jeeves-dev/jeeves/ui"
)

func startCPUProfile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// runDashboard runs the interactive dashboard.
func runDashboard(e *env) error {
	fs := newFlagSet(e, "jeeves", "jeeves [--config FILE] [--store FILE] [--readonly] [--no-color] [--demo]")
	fs.help = func() { printUsage(e.stdout) }
	cfgPath := fs.String("config", "", "config file (default $JEEVES_CONFIG or $XDG_CONFIG_HOME/jeeves/config.toml)")
	storePath := fs.String("store", "", "store file (default $JEEVES_STORE or $XDG_STATE_HOME/jeeves/jeeves.db)")
	readonly := fs.Bool("readonly", false, "hide run, re-run, abort, add, edit and delete")
	noColor := fs.Bool("no-color", false, "no colours (also when NO_COLOR is set)")
	demo := fs.Bool("demo", false, "run on the built-in simulated Jenkins, with a temporary store and no config")
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves: unexpected argument %q (see 'jeeves --help')", fs.Arg(0))
	}
	in, out, ok := terminal(e)
	if !ok {
		return usageErr("the dashboard needs a terminal; for plain output use 'jeeves builds' or 'jeeves results'")
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()

	opts := ui.Options{ReadOnly: *readonly, NoColor: *noColor || e.getenv("NO_COLOR") != ""}
	var st *store.Store
	var notices []string
	if *demo {
		if *cfgPath != "" || *storePath != "" {
			return usageErr("jeeves --demo takes no --config or --store: it uses a temporary store")
		}
		srv, dir, ints, err := startDemo()
		if err != nil {
			return err
		}
		defer srv.Close()
		defer os.RemoveAll(dir)
		if st, err = store.Open(filepath.Join(dir, "jeeves.db")); err != nil {
			return failErr(err)
		}
		opts.Integrations = ints
		opts.Refresh = 10 * time.Second
		opts.Title = "jeeves demo"
	} else {
		cfg, err := loadConfig(e, *cfgPath)
		if err != nil {
			return err
		}
		path := *storePath
		if path == "" {
			path = store.DefaultPath(e.getenv)
		}
		if st, err = store.Open(path); err != nil {
			return failErr(err) // store errors name the file
		}
		opts.Integrations = cfg.Integrations
		opts.Refresh = cfg.Refresh
		notices = append(notices, cfg.Warnings...)
	}
	defer st.Close()
	if n := st.Notice(); n != "" {
		notices = append([]string{n}, notices...)
	}
	bound, err := bindJobs(ctx, st, opts.Integrations)
	if err != nil {
		return failErr(err)
	}
	notices = append(notices, bound...)
	opts.Notice = strings.Join(notices, "; ")

	logger, closeLog := openDashboardLog(e.getenv, *demo, st.Path())
	defer closeLog()

	deps := ui.Deps{
		Jenkins:  connector{ctx: ctx, getenv: e.getenv},
		Store:    storeAdapter{st},
		Trends:   trendsAdapter{st},
		Browser:  browser{getenv: e.getenv},
		Checker:  formChecker{getenv: e.getenv},
		Snippets: snippets{},
		Clock:    time.Now,
		Ctx:      ctx,
		Log:      logger,
	}
	// BenchmarkIdleMinute, CPU a minute by frame rate (budget 0.3 s): with a
	// build running for minutes 60 fps 0.56 s, 30 fps 0.36 s, 20 fps 0.25 s,
	// 10 fps 0.14 s; with one started seconds ago (its time redrawn each
	// second) 20 fps 0.31-0.34 s, 15 fps 0.25-0.28 s.
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithFPS(dashboardFPS)}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	// One P unless the user says otherwise: an idle dashboard is a chain of
	// small wake-ups (15 frames a second, polls, snapshots), and with more
	// Ps each one also wakes a spinning thread to look for work: -0.05 s CPU
	// an idle minute (BENCHMARKS.md, issue 11). Report parsing streams in
	// one goroutine per build anyway.
	if e.getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	// JEEVES_CPUPROFILE=FILE writes a CPU profile of the whole run (for
	// BENCHMARKS.md's idle measurements: go tool pprof -top jeeves FILE)
	if path := e.getenv("JEEVES_CPUPROFILE"); path != "" {
		if stop, err := startCPUProfile(path); err == nil {
			defer stop()
		} else {
			logger.Warn("no CPU profile", "err", err)
		}
	}
	_, err = tea.NewProgram(ui.New(deps, opts), popts...).Run()
	cancel()
	if err != nil && !errors.Is(err, context.Canceled) {
		return failErr(fmt.Errorf("dashboard: %v", err))
	}
	return nil
}

// bindJobs drops the history stored under a nickname the config now points
// at another job (it is that job's, not this one's) before anything shows
// it, and says so in one notice each.
func bindJobs(ctx context.Context, st *store.Store, ints []config.Integration) ([]string, error) {
	var notices []string
	for _, in := range ints {
		bctx, bcancel := context.WithTimeout(ctx, 5*time.Second)
		dropped, err := st.BindJob(bctx, in.Nickname, in.URL, in.Job)
		bcancel()
		if err != nil {
			return nil, err
		}
		if dropped {
			notices = append(notices, fmt.Sprintf("%s now names job %s; the builds stored for its previous job were dropped",
				termtext.Clean(in.Nickname), termtext.Clean(in.Job)))
		}
	}
	return notices, nil
}

// maxLogSize is where the dashboard log is rotated (to jeeves.log.1) at start.
const maxLogSize = 4 << 20

// openDashboardLog opens the dashboard's log: $XDG_STATE_HOME/jeeves/jeeves.log
// (the demo: beside its temporary store), mode 0600. Nothing in it is a
// token. Without a writable file the dashboard runs without a log.
func openDashboardLog(getenv func(string) string, demo bool, storePath string) (*slog.Logger, func()) {
	dir := filepath.Dir(store.DefaultPath(func(k string) string {
		if k == "JEEVES_STORE" {
			return "" // the log lives in the state directory, wherever the store is
		}
		return getenv(k)
	}))
	if demo {
		dir = filepath.Dir(storePath)
	}
	path := filepath.Join(dir, "jeeves.log")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return slog.New(slog.DiscardHandler), func() {}
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogSize {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return slog.New(slog.DiscardHandler), func() {}
	}
	l := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}))
	l.Info("dashboard started", "version", version, "demo", demo)
	return l, func() { l.Info("dashboard stopped"); f.Close() }
}

// terminal returns the dashboard's input and output when both are terminals.
func terminal(e *env) (*os.File, *os.File, bool) {
	in, ok1 := e.stdin.(*os.File)
	out, ok2 := e.stdout.(*os.File)
	if !ok1 || !ok2 || !term.IsTerminal(in.Fd()) || !term.IsTerminal(out.Fd()) {
		return nil, nil, false
	}
	return in, out, true
}

// startDemo starts the simulated Jenkins on a free loopback port and a
// temporary directory for the store, and returns the demo integrations.
func startDemo() (*jenkinstest.Server, string, []config.Integration, error) {
	w := jenkinstest.DemoWorld()
	srv := jenkinstest.New(w, jenkinstest.WithAddr("127.0.0.1:0"))
	if err := srv.Start(); err != nil {
		return nil, "", nil, connErr(fmt.Errorf("demo: cannot start the simulated Jenkins: %v", err))
	}
	dir, err := os.MkdirTemp("", "jeeves-demo-")
	if err != nil {
		srv.Close()
		return nil, "", nil, failErr(fmt.Errorf("demo: %v", err))
	}
	user, token := srv.Credentials()
	mk := func(nick, job string) config.Integration {
		return config.Integration{Nickname: nick, URL: srv.URL(), Username: user, Token: config.NewSecret(token),
			Job: job, Source: "demo", Timeout: 10 * time.Second}
	}
	ints := []config.Integration{
		mk("Payments API", "payments/api-tests"),
		mk("Orders API", "orders-api"),
		mk("Legacy smoke", "payments/legacy-smoke"),
		mk("Gateway main", "gateway/main"),
	}
	return srv, dir, ints, nil
}

// connector makes a Jenkins client per integration, resolving its token.
type connector struct {
	ctx    context.Context
	getenv func(string) string
}

func (c connector) API(in config.Integration) (jenkins.API, error) {
	return newClientEnv(c.ctx, in, c.getenv)
}

// trendsAdapter gives the dashboard the history insights of the store.
type trendsAdapter struct{ st *store.Store }

func (a trendsAdapter) Trends(ctx context.Context, integration string, limit int) (insight.Trends, error) {
	tr, _, err := a.st.Trends(ctx, integration, limit, insight.Options{})
	return tr, err
}

// storeAdapter gives the dashboard the store's records in its own types.
type storeAdapter struct{ st *store.Store }

func (a storeAdapter) Integrations(ctx context.Context) ([]config.Integration, error) {
	return a.st.Integrations(ctx)
}
func (a storeAdapter) SaveIntegration(ctx context.Context, in config.Integration) error {
	if err := a.st.SaveIntegration(ctx, in); err != nil {
		return err
	}
	// the form already dropped the old job's history on a job change; record
	// the new binding so the next command does not drop (and report) it again
	_, err := a.st.BindJob(ctx, in.Nickname, in.URL, in.Job)
	return err
}
func (a storeAdapter) DeleteIntegration(ctx context.Context, nick string) error {
	return a.st.DeleteIntegration(ctx, nick)
}
func (a storeAdapter) SaveBuilds(ctx context.Context, nick string, bs []jenkins.Build, limit int) error {
	return a.st.SavePoll(ctx, nick, bs, limit)
}
func (a storeAdapter) State(ctx context.Context, key string) (string, error) {
	return a.st.State(ctx, key)
}
func (a storeAdapter) SetState(ctx context.Context, key, value string) error {
	return a.st.SetState(ctx, key, value)
}
func (a storeAdapter) Builds(ctx context.Context, nick string, limit int) ([]ui.BuildRecord, error) {
	recs, err := a.st.Builds(ctx, nick, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ui.BuildRecord, len(recs))
	for i, r := range recs {
		out[i] = ui.BuildRecord{Build: r.Build, Gone: r.Gone, Collections: r.Collections, Governance: r.Governance,
			ResultsState: ui.ResultsState(r.ResultsState), ResultsWhy: r.ResultsWhy}
	}
	return out, nil
}

// FetchResults runs the store's results pipeline: from the store when the
// results are known there, else fetched, parsed and stored once.
func (a storeAdapter) FetchResults(ctx context.Context, api jenkins.API, in config.Integration, b jenkins.Build) (jreport.Results, ui.ResultsState, string, error) {
	res, state, why, err := store.FetchResults(ctx, api, a.st, in, b, store.FetchOptions{})
	return res, ui.ResultsState(state), why, err
}

// FetchStages gives a build's pipeline stages: a finished build's from the
// store once they are there (fetched once, ever), else from wfapi.
func (a storeAdapter) FetchStages(ctx context.Context, api jenkins.API, in config.Integration, b jenkins.Build) (ui.BuildStages, error) {
	st, err := store.FetchStages(ctx, api, a.st, in, b)
	return ui.BuildStages{List: st.List, None: st.None, Why: st.Why, Final: st.Final}, err
}

// browser opens URLs with $BROWSER, else the platform opener. Over SSH or
// without a display it opens nothing, so the dashboard shows the URL.
type browser struct{ getenv func(string) string }

func (b browser) Open(ctx context.Context, u string) (bool, error) {
	if b.getenv("SSH_CONNECTION") != "" || b.getenv("SSH_TTY") != "" {
		return false, nil
	}
	var argv []string
	if br := b.getenv("BROWSER"); br != "" {
		first := strings.Split(br, string(os.PathListSeparator))[0]
		argv = append(strings.Fields(first), u)
	} else {
		switch runtime.GOOS {
		case "darwin":
			argv = []string{"open", u}
		case "windows":
			argv = []string{"rundll32", "url.dll,FileProtocolHandler", u}
		default:
			if b.getenv("DISPLAY") == "" && b.getenv("WAYLAND_DISPLAY") == "" {
				return false, nil
			}
			argv = []string{"xdg-open", u}
		}
	}
	if len(argv) < 2 {
		return false, nil
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return false, nil
	}
	cmd := exec.Command(path, argv[1:]...) // stdin/stdout/stderr: /dev/null, never the TUI's terminal
	if err := cmd.Start(); err != nil {
		return false, err
	}
	go cmd.Wait()
	return true, nil
}

// checker runs the connection test of the add/edit form, step by step.
type formChecker struct{ getenv func(string) string }

func (c formChecker) Check(ctx context.Context, in config.Integration, step func(ui.CheckStep)) error {
	check.Run(ctx, in, check.Options{Getenv: c.getenv, UserAgent: "jeeves/" + version}, func(s check.Step) {
		d := s.Verdict
		if s.Fix != "" {
			d += "; fix: " + s.Fix
		}
		step(ui.CheckStep{Name: s.Name, OK: s.OK(), Warn: s.Status == check.Warn, Skip: s.Status == check.Skip, Detail: d})
	})
	return nil
}

// snippets renders the pipeline snippet view's stage.
type snippets struct{}

func (snippets) Snippet(o ui.SnippetOptions) (string, error) {
	return snippet.Generate(snippet.Options{Tool: snippet.Tool(o.Tool), Collection: o.Collection,
		Environment: o.Environment, Lint: o.Lint, OS: snippet.OS(o.OS)})
}

// dashboardFPS caps redraws. Bubble Tea's renderer wakes up this often even
// when nothing changed, so a lower rate is most of an idle dashboard's CPU;
// 15 frames a second still answers a key within 67 ms.
const dashboardFPS = 15
