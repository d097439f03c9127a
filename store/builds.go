package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// ResultsState says where a build's results stand.
type ResultsState string

const (
	ResultsNone    ResultsState = "none"    // not looked at yet
	ResultsPending ResultsState = "pending" // the build is still running; looked at when it finishes
	ResultsStored  ResultsState = "stored"  // parsed results are stored
	ResultsEmpty   ResultsState = "empty"   // looked, nothing found; the why says why
	ResultsError   ResultsState = "error"   // looking failed (e.g. the network); tried again later
)

// BuildRecord is a build as the store knows it.
type BuildRecord struct {
	jenkins.Build
	// Gone means Jenkins no longer lists the build (discarded by retention or deleted).
	Gone         bool
	Collections  *report.CollectionSummary // nil: no collection runs (or not looked at yet)
	Governance   *report.GovernanceSummary // nil: no governance results (or not looked at yet)
	ResultsState ResultsState
	ResultsWhy   string
}

const upsertBuild = `
INSERT INTO builds (integration, number, status, building, result, started_ms, duration_ms,
	estimated_ms, url, queue_id, display_name, description, causes, params, artifacts,
	tests_total, tests_failed, tests_skipped, gone, seen_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
ON CONFLICT (integration, number) DO UPDATE SET
	status = excluded.status, building = excluded.building, result = excluded.result,
	started_ms = excluded.started_ms, duration_ms = excluded.duration_ms,
	estimated_ms = excluded.estimated_ms,
	url = CASE WHEN excluded.url = '' THEN builds.url ELSE excluded.url END,
	queue_id = CASE WHEN excluded.queue_id = 0 THEN builds.queue_id ELSE excluded.queue_id END,
	display_name = excluded.display_name, description = excluded.description,
	causes = coalesce(excluded.causes, builds.causes),
	params = coalesce(excluded.params, builds.params),
	artifacts = coalesce(excluded.artifacts, builds.artifacts),
	tests_total = coalesce(excluded.tests_total, builds.tests_total),
	tests_failed = coalesce(excluded.tests_failed, builds.tests_failed),
	tests_skipped = coalesce(excluded.tests_skipped, builds.tests_skipped),
	gone = 0, seen_ms = excluded.seen_ms`

// SaveBuilds records one poll of an integration's newest builds (newest
// first or in any order). Builds already stored are updated; what a poll
// leaves out (nil causes, parameters, artifacts or tests) keeps its stored
// value. A stored build that is missing from the poll's number range
// [oldest polled, newest polled] has been deleted in Jenkins and is marked
// gone; builds older than the range are left alone, since the poll did not
// look at them (SavePoll knows more).
func (s *Store) SaveBuilds(ctx context.Context, integration string, builds []jenkins.Build) error {
	return s.SavePoll(ctx, integration, builds, 0)
}

// SavePoll is SaveBuilds for a poll that asked Jenkins for its newest
// `limit` builds. When Jenkins returned fewer than limit, the poll saw the
// job's whole history, so every stored build it did not return is gone
// (discarded by retention, or deleted). limit <= 0 means unknown.
func (s *Store) SavePoll(ctx context.Context, integration string, builds []jenkins.Build, limit int) error {
	if integration == "" {
		return fmt.Errorf("store: SaveBuilds needs an integration")
	}
	if len(builds) == 0 && limit <= 0 {
		return nil
	}
	return retryBusy(ctx, func() error { return s.savePoll(ctx, integration, builds, limit) })
}

func (s *Store) savePoll(ctx context.Context, integration string, builds []jenkins.Build, limit int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("save builds", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, upsertBuild)
	if err != nil {
		return s.wrap("save builds", err)
	}
	defer stmt.Close()
	lo, hi := 0, 0
	for _, b := range builds {
		if b.Number > 0 && (lo == 0 || b.Number < lo) {
			lo = b.Number
		}
		hi = max(hi, b.Number)
	}
	// Mark first, then the upserts below clear the mark of every build the
	// poll returned: what stays marked is what Jenkins no longer lists.
	if limit > 0 && len(builds) < limit {
		// Jenkins listed all it has: everything else is gone.
		_, err = tx.ExecContext(ctx, `UPDATE builds SET gone = 1 WHERE integration = ? AND gone = 0`, integration)
	} else if hi > 0 {
		_, err = tx.ExecContext(ctx, `UPDATE builds SET gone = 1
WHERE integration = ? AND number BETWEEN ? AND ? AND gone = 0`, integration, lo, hi)
	}
	if err != nil {
		return s.wrap("save builds", err)
	}
	now := time.Now().UnixMilli()
	for _, b := range builds {
		if b.Number <= 0 {
			continue
		}
		var tt, tf, ts any
		if b.Tests != nil {
			tt, tf, ts = b.Tests.Total, b.Tests.Failed, b.Tests.Skipped
		}
		var started int64
		if !b.Started.IsZero() {
			started = b.Started.UnixMilli()
		}
		if _, err := stmt.ExecContext(ctx, integration, b.Number, string(b.Status), b.Building, b.Result,
			started, b.Duration.Milliseconds(), b.EstimatedDuration.Milliseconds(), b.URL, b.QueueID,
			b.DisplayName, b.Description, blobOrNil(encodeCauses(b.Causes)), blobOrNil(encodeParams(b.Params)),
			blobOrNil(encodeArtifacts(b.Artifacts)), tt, tf, ts, now); err != nil {
			return s.wrap("save builds", err)
		}
	}
	return s.wrap("save builds", tx.Commit())
}

// blobOrNil keeps a nil slice NULL in SQL (database/sql would store an
// empty blob for a typed nil []byte).
func blobOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

const selectBuilds = `
SELECT b.number, b.status, b.building, b.result, b.started_ms, b.duration_ms, b.estimated_ms,
	b.url, b.queue_id, b.display_name, b.description, b.causes, b.params, b.artifacts,
	b.tests_total, b.tests_failed, b.tests_skipped, b.gone,
	r.state, r.why,
	r.c_runs, r.c_requests, r.c_requests_failed, r.c_assertions, r.c_assertions_failed,
	r.g_definitions, r.g_error, r.g_warning, r.g_info, r.g_hint
FROM builds b LEFT JOIN results r ON r.integration = b.integration AND r.number = b.number
WHERE b.integration = ?`

// Builds lists an integration's stored builds, newest first, at most limit
// (all when limit <= 0), with their result summaries.
func (s *Store) Builds(ctx context.Context, integration string, limit int) ([]BuildRecord, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, selectBuilds+` ORDER BY b.number DESC LIMIT ?`, integration, limit)
	if err != nil {
		return nil, s.wrap("read builds", err)
	}
	defer rows.Close()
	out := make([]BuildRecord, 0, min(max(limit, 64), 4096))
	for rows.Next() {
		r, err := s.scanBuild(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, s.wrap("read builds", rows.Err())
}

// Build reads one stored build; ErrNotFound when the store has none.
func (s *Store) Build(ctx context.Context, integration string, number int) (BuildRecord, error) {
	rows, err := s.db.QueryContext(ctx, selectBuilds+` AND b.number = ?`, integration, number)
	if err != nil {
		return BuildRecord{}, s.wrap("read build", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return BuildRecord{}, s.wrap("read build", err)
		}
		return BuildRecord{}, fmt.Errorf("store: build %s #%d: %w", integration, number, ErrNotFound)
	}
	return s.scanBuild(rows)
}

func (s *Store) scanBuild(rows *sql.Rows) (BuildRecord, error) {
	var r BuildRecord
	var status string
	var started, dur, est int64
	var causes, params, artifacts []byte
	var tt, tf, ts sql.NullInt64
	var state, why sql.NullString
	var c [5]sql.NullInt64
	var g [5]sql.NullInt64
	b := &r.Build
	if err := rows.Scan(&b.Number, &status, &b.Building, &b.Result, &started, &dur, &est,
		&b.URL, &b.QueueID, &b.DisplayName, &b.Description, &causes, &params, &artifacts,
		&tt, &tf, &ts, &r.Gone, &state, &why,
		&c[0], &c[1], &c[2], &c[3], &c[4], &g[0], &g[1], &g[2], &g[3], &g[4]); err != nil {
		return r, s.wrap("read builds", err)
	}
	b.Status = jenkins.Status(status)
	if started != 0 {
		b.Started = time.UnixMilli(started)
	}
	b.Duration = time.Duration(dur) * time.Millisecond
	b.EstimatedDuration = time.Duration(est) * time.Millisecond
	var err error
	if b.Causes, err = decodeCauses(causes); err != nil {
		return r, fmt.Errorf("store %s: build %d: causes: %v", s.path, b.Number, err)
	}
	if b.Params, err = decodeParams(params); err != nil {
		return r, fmt.Errorf("store %s: build %d: parameters: %v", s.path, b.Number, err)
	}
	if b.Artifacts, err = decodeArtifacts(artifacts); err != nil {
		return r, fmt.Errorf("store %s: build %d: artifacts: %v", s.path, b.Number, err)
	}
	if tt.Valid {
		b.Tests = &jenkins.TestSummary{Total: int(tt.Int64), Failed: int(tf.Int64), Skipped: int(ts.Int64)}
	}
	switch {
	case state.Valid:
		r.ResultsState, r.ResultsWhy = ResultsState(state.String), why.String
	case b.Building:
		r.ResultsState, r.ResultsWhy = ResultsPending, WhyRunning
	default:
		r.ResultsState = ResultsNone
	}
	if c[0].Valid {
		r.Collections = &report.CollectionSummary{Runs: int(c[0].Int64), Requests: int(c[1].Int64),
			RequestsFailed: int(c[2].Int64), Assertions: int(c[3].Int64), AssertionsFailed: int(c[4].Int64)}
	}
	if g[0].Valid {
		r.Governance = &report.GovernanceSummary{Definitions: int(g[0].Int64), Error: int(g[1].Int64),
			Warning: int(g[2].Int64), Info: int(g[3].Int64), Hint: int(g[4].Int64)}
	}
	return r, nil
}
