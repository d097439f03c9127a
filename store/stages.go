package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
)

// WhyNoStages is why a build has no stages when Jenkins's wfapi answered 404.
const WhyNoStages = "not a Pipeline, or no Pipeline Stage View plugin (wfapi)"

// Stages are a build's pipeline stages as jeeves knows them.
type Stages struct {
	List      []jenkins.Stage
	None      bool   // Jenkins has none for the build (Why says why)
	Why       string // set with None
	FromStore bool   // read from the store, no request made
	Final     bool   // the build had finished: the list will not change
}

type wireStoredStage struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	StartMs int64  `json:"start_ms,omitempty"`
	DurMs   int64  `json:"dur_ms"`
}

// SaveStages stores a finished build's stages (none with why when Jenkins
// has none). Saving again replaces what was there.
func (s *Store) SaveStages(ctx context.Context, integration string, number int, stages []jenkins.Stage, none bool, why string) error {
	state := "stored"
	if none {
		state, stages = "none", nil
	}
	ws := make([]wireStoredStage, 0, len(stages))
	for _, st := range stages {
		w := wireStoredStage{ID: st.ID, Name: st.Name, Status: st.Status, DurMs: st.Duration.Milliseconds()}
		if !st.Started.IsZero() {
			w.StartMs = st.Started.UnixMilli()
		}
		ws = append(ws, w)
	}
	data, err := json.Marshal(ws)
	if err != nil {
		return fmt.Errorf("store: encode stages of %s #%d: %v", integration, number, err)
	}
	return retryBusy(ctx, func() error {
		_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO stages (integration, number, state, why, data, saved_ms)
VALUES (?, ?, ?, ?, ?, ?)`, integration, number, state, why, data, time.Now().UnixMilli())
		return s.wrap("save stages", err)
	})
}

// StoredStages reads a build's stored stages; ok is false when none are stored.
func (s *Store) StoredStages(ctx context.Context, integration string, number int) (st Stages, ok bool, err error) {
	var state, why string
	var data []byte
	err = s.db.QueryRowContext(ctx, `SELECT state, why, data FROM stages WHERE integration = ? AND number = ?`,
		integration, number).Scan(&state, &why, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return Stages{}, false, nil
	}
	if err != nil {
		return Stages{}, false, s.wrap("read stages", err)
	}
	st = Stages{FromStore: true, Final: true}
	if state == "none" {
		st.None, st.Why = true, why
		return st, true, nil
	}
	var ws []wireStoredStage
	if err := json.Unmarshal(data, &ws); err != nil {
		return Stages{}, false, fmt.Errorf("store: stages of %s #%d are unreadable: %v", integration, number, err)
	}
	for _, w := range ws {
		js := jenkins.Stage{ID: w.ID, Name: w.Name, Status: w.Status, Duration: time.Duration(w.DurMs) * time.Millisecond}
		if w.StartMs > 0 {
			js.Started = time.UnixMilli(w.StartMs)
		}
		st.List = append(st.List, js)
	}
	return st, true, nil
}

// FetchStages gives a build's pipeline stages: from the store when known
// there (no request), else from Jenkins's wfapi/describe. A finished
// build's answer is stored, so its stages are fetched once, ever; a running
// build's are asked for each time (they change). A 404 (not a Pipeline, or
// no Pipeline Stage View plugin) is an answer, not an error: None with why,
// stored for a finished build. Other failures are returned and not stored.
func FetchStages(ctx context.Context, api jenkins.API, st *Store, in config.Integration, b jenkins.Build) (Stages, error) {
	if st != nil && !b.Building {
		got, ok, err := st.StoredStages(ctx, in.Nickname, b.Number)
		if err != nil || ok {
			return got, err
		}
	}
	ask := func() (Stages, error) {
		list, err := api.Stages(ctx, in.Job, b.Number)
		if err != nil {
			if !jenkins.IsNotFound(err) {
				return Stages{}, err
			}
			return Stages{None: true, Why: WhyNoStages}, nil
		}
		return Stages{List: list}, nil
	}
	if b.Building {
		if st == nil {
			return ask()
		}
		return st.running.get(ctx, in.Nickname+"#"+strconv.Itoa(b.Number), ask)
	}
	out, err := ask()
	if err != nil {
		return Stages{}, err
	}
	list := out.List
	for _, s := range list {
		switch s.Status {
		case "IN_PROGRESS", "PAUSED_PENDING_INPUT":
			return out, nil // Jenkins has not caught up with the build's end: ask again later
		}
	}
	out.Final = true
	if st != nil {
		if err := st.SaveStages(ctx, in.Nickname, b.Number, out.List, out.None, out.Why); err != nil {
			return out, err
		}
	}
	return out, nil
}

// RunningStagesTTL is how long a running build's stages, once asked, answer
// every asker on the same store: Jenkins sees at most one wfapi request per
// running build per TTL, whatever the number of askers. The watch engine
// (one per process, jeeves serve's sessions share it) asks once per poll of
// the integration on screen; the TTL is below its fastest poll (5 s) so
// that each poll gets fresh stages and only asks at the same moment are
// merged (at 8 s, polls 7.5 s apart had every other one answered from here).
const RunningStagesTTL = 4 * time.Second

// runningStages shares running builds' stages among the store's users, one
// request in flight per build.
type runningStages struct {
	mu     sync.Mutex
	recent map[string]*askedStages
}

type askedStages struct {
	done chan struct{} // closed when the answer is in
	at   time.Time
	st   Stages
	err  error
}

func (a *askedStages) fresh() bool {
	select {
	case <-a.done:
		return a.err == nil && time.Since(a.at) < RunningStagesTTL
	default:
		return true // in flight: wait for it
	}
}

func (r *runningStages) get(ctx context.Context, key string, ask func() (Stages, error)) (Stages, error) {
	r.mu.Lock()
	if r.recent == nil {
		r.recent = map[string]*askedStages{}
	}
	if a := r.recent[key]; a != nil && a.fresh() {
		r.mu.Unlock()
		select {
		case <-a.done:
			return a.st, a.err
		case <-ctx.Done():
			return Stages{}, ctx.Err()
		}
	}
	for k, a := range r.recent {
		if !a.fresh() {
			delete(r.recent, k)
		}
	}
	a := &askedStages{done: make(chan struct{})}
	r.recent[key] = a
	r.mu.Unlock()
	a.st, a.err = ask()
	a.at = time.Now()
	close(a.done)
	return a.st, a.err
}
