package jenkinstest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// World describes a simulated Jenkins: its users, jobs, history, artifacts,
// build behaviour and faults. It is read from a TOML or JSON world file
// (LoadWorld) or taken from DemoWorld. demo/world.toml, the demo world
// itself, shows every key. JSON uses the json names below (users, jobs,
// params, artifacts in the plural).
type World struct {
	Seed          int64    `toml:"seed" json:"seed"`
	Version       string   `toml:"version" json:"version"`               // X-Jenkins; default 2.541.1
	AnonymousRead bool     `toml:"anonymous_read" json:"anonymous_read"` // anonymous may read (not build)
	StrictCrumbs  bool     `toml:"strict_crumbs" json:"strict_crumbs"`   // every POST needs crumb + session cookie
	NoCrumbs      bool     `toml:"no_crumbs" json:"no_crumbs"`           // CSRF protection off: crumbIssuer 404
	Executors     int      `toml:"executors" json:"executors"`           // built-in node executors; default 4
	TimeScale     float64  `toml:"time_scale" json:"time_scale"`         // multiplies triggered builds' durations and quiet periods; default 1
	Users         []User   `toml:"user" json:"users"`
	Jobs          []JobDef `toml:"job" json:"jobs"`
	Faults        Faults   `toml:"faults" json:"faults"`

	dir string // directory of the world file, for relative artifact paths
}

// User is a Jenkins account.
type User struct {
	ID       string   `toml:"id" json:"id"`
	FullName string   `toml:"name" json:"name"`
	Password string   `toml:"password" json:"password"` // password auth (needs crumbs for POST)
	Tokens   []string `toml:"tokens" json:"tokens"`     // API tokens (crumb-exempt)
	ReadOnly bool     `toml:"read_only" json:"read_only"`
}

// JobDef is one item: a folder, freestyle job, pipeline or multibranch project.
type JobDef struct {
	Path        string     `toml:"path" json:"path"` // full name "a/b/c"; missing parent folders are created
	Kind        string     `toml:"kind" json:"kind"` // folder, freestyle, pipeline, multibranch
	DisplayName string     `toml:"display_name" json:"display_name"`
	Description string     `toml:"description" json:"description"`
	Disabled    bool       `toml:"disabled" json:"disabled"`
	Concurrent  bool       `toml:"concurrent" json:"concurrent"`
	QuietPeriod Duration   `toml:"quiet_period" json:"quiet_period"` // default 5s (scaled)
	Readers     []string   `toml:"readers" json:"readers"`           // when set only these users see it (others: 404)
	Branches    []string   `toml:"branches" json:"branches"`         // multibranch: branch/PR names (raw, e.g. "feature/login")
	Params      []ParamDef `toml:"param" json:"params"`
	History     History    `toml:"history" json:"history"`
	Behaviour   Behaviour  `toml:"behaviour" json:"behaviour"`
	Artifacts   []Artifact `toml:"artifact" json:"artifacts"`
	Stages      []string   `toml:"stages" json:"stages"`             // pipeline stage names
	ConsolePass string     `toml:"console_pass" json:"console_pass"` // test tool output in the log of passing builds (source like Artifact.Pass)
	ConsoleFail string     `toml:"console_fail" json:"console_fail"` // and of unstable or failed ones
	// LogBytes adds about this many bytes of generated lines to each build's
	// console log, written during its test step (a huge log for tests and
	// benchmarks; generated on the fly, never held in memory).
	LogBytes int64 `toml:"log_bytes" json:"log_bytes"`
}

// ParamDef is a parameter definition.
type ParamDef struct {
	Name        string   `toml:"name" json:"name"`
	Type        string   `toml:"type" json:"type"` // string, text, boolean, choice, password, file, run
	Default     string   `toml:"default" json:"default"`
	Description string   `toml:"description" json:"description"`
	Choices     []string `toml:"choices" json:"choices"`
	Project     string   `toml:"project" json:"project"` // run parameters
}

// History is the builds a job already has when the server starts.
type History struct {
	// Series names a JSON index (demo/history.js writes one) that gives some
	// of these builds their result, artifacts and console text build by
	// build: a history that changes over time. A source like Artifact.Pass.
	Series   string             `toml:"series" json:"series"`
	Count    int                `toml:"count" json:"count"`
	Days     int                `toml:"days" json:"days"`         // spread over this many days before now
	Running  int                `toml:"running" json:"running"`   // the newest N are still running
	Queued   int                `toml:"queued" json:"queued"`     // N more wait in the queue (blocked when the job is not concurrent)
	Duration [2]Duration        `toml:"duration" json:"duration"` // min, max
	Outcomes map[string]float64 `toml:"outcomes" json:"outcomes"` // SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT weights
}

// Behaviour is how builds triggered while the server runs behave.
type Behaviour struct {
	Duration [2]Duration        `toml:"duration" json:"duration"` // before time_scale
	Outcomes map[string]float64 `toml:"outcomes" json:"outcomes"`
	Every    Duration           `toml:"every" json:"every"` // a timer (or, for branches, a push) queues a build this often (not scaled)
}

// Artifact is an archived file of the job's builds. Pass is used for
// successful builds, Fail for unstable or failed ones (Pass when empty).
// Sources are "demo:NAME" (the built-in demo reports) or file paths relative
// to the world file. JUnit marks a JUnit XML file that feeds testReport.
type Artifact struct {
	Path  string `toml:"path" json:"path"`
	Pass  string `toml:"pass" json:"pass"`
	Fail  string `toml:"fail" json:"fail"`
	JUnit bool   `toml:"junit" json:"junit"`
}

// Faults are injected failures. They can come from the world file and be
// changed at run time with Server.SetFaults.
type Faults struct {
	Latency      Duration `toml:"latency" json:"latency"`             // added to every answer
	ErrorRate    float64  `toml:"error_rate" json:"error_rate"`       // fraction answered with a 5xx HTML page
	ResetRate    float64  `toml:"reset_rate" json:"reset_rate"`       // fraction whose connection is reset
	TruncateRate float64  `toml:"truncate_rate" json:"truncate_rate"` // fraction whose body is cut short
	OutageAfter  Duration `toml:"outage_after" json:"outage_after"`   // world file: outage starts this long after Start
	OutageFor    Duration `toml:"outage_for" json:"outage_for"`       // and lasts this long (connections refused)
	RevokeAfter  int      `toml:"revoke_after" json:"revoke_after"`   // credentials stop working after N authenticated requests
}

// Duration is a time.Duration written as "1m30s" in world files.
type Duration time.Duration

// D is the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// UnmarshalText parses Go duration syntax.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes Go duration syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// LoadWorld reads a world file: TOML, or JSON when the name ends in .json.
func LoadWorld(path string) (*World, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	w, err := ParseWorld(b, strings.HasSuffix(strings.ToLower(path), ".json"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w.dir = filepath.Dir(path)
	if err := w.checkSeries(false); err != nil {
		return nil, err
	}
	return w, nil
}

// checkSeries reads each job's history series (only the demo's when
// onlyDemo: a world parsed without a file has no directory for the others),
// so that a bad one is an error here, not a panic of New.
func (w *World) checkSeries(onlyDemo bool) error {
	for i := range w.Jobs {
		src := w.Jobs[i].History.Series
		if src == "" || onlyDemo && !strings.HasPrefix(src, "demo:") {
			continue
		}
		s := &Server{world: w, cache: map[string][]byte{}}
		if _, err := s.loadSeries(src); err != nil {
			return fmt.Errorf("job %q: history.series: %v", w.Jobs[i].Path, err)
		}
	}
	return nil
}

// ParseWorld parses a world description (TOML, or JSON when isJSON).
func ParseWorld(b []byte, isJSON bool) (*World, error) {
	w := &World{}
	if isJSON {
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(w); err != nil {
			return nil, err
		}
	} else {
		md, err := toml.Decode(string(b), w)
		if err != nil {
			return nil, err
		}
		if und := md.Undecoded(); len(und) > 0 {
			return nil, fmt.Errorf("unknown key %q", und[0].String())
		}
	}
	if err := w.validate(); err != nil {
		return nil, err
	}
	if err := w.checkSeries(true); err != nil {
		return nil, err
	}
	return w, nil
}

var paramTypes = map[string]bool{"string": true, "text": true, "boolean": true, "choice": true, "password": true, "file": true, "run": true}
var jobKinds = map[string]bool{"folder": true, "freestyle": true, "pipeline": true, "multibranch": true}
var outcomeNames = map[string]bool{"SUCCESS": true, "UNSTABLE": true, "FAILURE": true, "ABORTED": true, "NOT_BUILT": true}

func (w *World) validate() error {
	seen := map[string]bool{}
	for _, u := range w.Users {
		if u.ID == "" {
			return fmt.Errorf("a user has no id")
		}
		if seen[u.ID] {
			return fmt.Errorf("user %q defined twice", u.ID)
		}
		seen[u.ID] = true
	}
	paths := map[string]bool{}
	total := 0
	for _, j := range w.Jobs {
		total += j.History.Count
	}
	if total > 50000 {
		return fmt.Errorf("history adds up to %d builds; at most 50000", total)
	}
	for _, j := range w.Jobs {
		if j.Path == "" || strings.HasPrefix(j.Path, "/") || strings.HasSuffix(j.Path, "/") || strings.Contains(j.Path, "//") {
			return fmt.Errorf("job path %q: want a full name like folder/job", j.Path)
		}
		if !jobKinds[j.Kind] {
			return fmt.Errorf("job %q: kind %q is not folder, freestyle, pipeline or multibranch", j.Path, j.Kind)
		}
		if paths[j.Path] {
			return fmt.Errorf("job %q defined twice", j.Path)
		}
		paths[j.Path] = true
		for _, p := range j.Params {
			if !paramTypes[p.Type] {
				return fmt.Errorf("job %q: parameter %q has unknown type %q", j.Path, p.Name, p.Type)
			}
			if p.Type == "choice" && len(p.Choices) == 0 {
				return fmt.Errorf("job %q: choice parameter %q has no choices", j.Path, p.Name)
			}
		}
		for _, m := range []map[string]float64{j.History.Outcomes, j.Behaviour.Outcomes} {
			for k, v := range m {
				if !outcomeNames[k] || v < 0 {
					return fmt.Errorf("job %q: outcome %q=%v (want SUCCESS, UNSTABLE, FAILURE, ABORTED or NOT_BUILT with a weight >= 0)", j.Path, k, v)
				}
			}
		}
		parts := strings.Split(j.Path, "/")
		for i := 1; i < len(parts); i++ {
			prefix := strings.Join(parts[:i], "/")
			for _, o := range w.Jobs {
				if o.Path == prefix && o.Kind != "folder" {
					return fmt.Errorf("job %q: %q is a %s, not a folder", j.Path, prefix, o.Kind)
				}
			}
		}
		h := j.History
		if h.Count < 0 || h.Count > 10000 || h.Running < 0 || h.Running > 100 || h.Queued < 0 || h.Queued > 1000 || h.Days < 0 || h.Days > 3650 {
			return fmt.Errorf("job %q: history wants 0-10000 builds over 0-3650 days, 0-100 running, 0-1000 queued", j.Path)
		}
		for _, d := range []Duration{h.Duration[0], h.Duration[1], j.Behaviour.Duration[0], j.Behaviour.Duration[1], j.QuietPeriod} {
			if d < 0 || d.D() > 24*time.Hour {
				return fmt.Errorf("job %q: durations must be between 0 and 24h", j.Path)
			}
		}
		if e := j.Behaviour.Every.D(); e != 0 && (e < time.Second || e > 365*24*time.Hour) {
			return fmt.Errorf("job %q: behaviour.every must be at least 1s", j.Path)
		}
		if j.Kind == "multibranch" && len(j.Branches) == 0 {
			return fmt.Errorf("job %q: a multibranch project needs branches", j.Path)
		}
		if j.History.Running > j.History.Count {
			return fmt.Errorf("job %q: history.running %d exceeds history.count %d", j.Path, j.History.Running, j.History.Count)
		}
	}
	if w.Executors < 0 || w.Executors > 1000 || w.TimeScale < 0 || w.Faults.Latency < 0 || w.Faults.OutageAfter < 0 || w.Faults.OutageFor < 0 || w.Faults.RevokeAfter < 0 {
		return fmt.Errorf("executors, time_scale and fault durations must not be negative (executors at most 1000)")
	}
	for _, r := range []float64{w.Faults.ErrorRate, w.Faults.ResetRate, w.Faults.TruncateRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("fault rates must be between 0 and 1")
		}
	}
	return nil
}
