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

// upsertBuild inserts or updates one polled build. A new row takes the
// results outcome already stored for it (results may be fetched before the
// build is ever listed).
const upsertBuild = `
INSERT INTO builds (integration, number, building, gone, data, results, seen_ms)
SELECT ?1, ?2, ?3, 0, ?4, r.info, ?5
FROM (SELECT 1) LEFT JOIN results r ON r.integration = ?1 AND r.number = ?2
WHERE true
ON CONFLICT (integration, number) DO UPDATE SET
	building = excluded.building, gone = 0, data = excluded.data, seen_ms = excluded.seen_ms`

// SaveBuilds records one poll of an integration's newest builds (newest
// first or in any order). Builds already stored are updated: status,
// result, times, URL, queue id and names are replaced; what a poll leaves
// out (nil causes, parameters, artifacts or tests) keeps its stored value. A stored build that is missing from the poll's number range
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
	return s.save(ctx, integration, builds, limit, true)
}

// UpdateBuilds records builds without concluding anything about the builds
// it does not list (none is marked gone): for lists that are not a job's
// newest builds, e.g. filtered by status.
func (s *Store) UpdateBuilds(ctx context.Context, integration string, builds []jenkins.Build) error {
	return s.save(ctx, integration, builds, 0, false)
}

func (s *Store) save(ctx context.Context, integration string, builds []jenkins.Build, limit int, markGone bool) error {
	if integration == "" {
		return fmt.Errorf("store: SaveBuilds needs an integration")
	}
	if len(builds) == 0 && (limit <= 0 || !markGone) {
		return nil
	}
	return retryBusy(ctx, func() error { return s.savePoll(ctx, integration, builds, limit, markGone) })
}

func (s *Store) savePoll(ctx context.Context, integration string, builds []jenkins.Build, limit int, markGone bool) error {
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
	partial := false
	for _, b := range builds {
		if b.Number > 0 && (lo == 0 || b.Number < lo) {
			lo = b.Number
		}
		hi = max(hi, b.Number)
		partial = partial || b.Causes == nil || b.Params == nil || b.Artifacts == nil || b.Tests == nil
	}
	// What the poll's tree left out keeps its stored value.
	var old map[int]jenkins.Build
	if partial && hi > 0 {
		if old, err = s.storedBuilds(ctx, tx, integration, lo, hi); err != nil {
			return err
		}
	}
	// Mark first, then the upserts below clear the mark of every build the
	// poll returned: what stays marked is what Jenkins no longer lists.
	switch {
	case !markGone:
	case limit > 0 && len(builds) < limit:
		// Jenkins listed all it has: everything else is gone.
		_, err = tx.ExecContext(ctx, `UPDATE builds SET gone = 1 WHERE integration = ? AND gone = 0`, integration)
	case hi > 0:
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
		if o, ok := old[b.Number]; ok {
			mergeBuild(&b, o)
		}
		if _, err := stmt.ExecContext(ctx, integration, b.Number, b.Building, encodeBuild(b), now); err != nil {
			return s.wrap("save builds", err)
		}
	}
	return s.wrap("save builds", tx.Commit())
}

// storedBuilds reads the stored builds numbered lo..hi.
func (s *Store) storedBuilds(ctx context.Context, tx *sql.Tx, integration string, lo, hi int) (map[int]jenkins.Build, error) {
	rows, err := tx.QueryContext(ctx, `SELECT number, data FROM builds WHERE integration = ? AND number BETWEEN ? AND ?`,
		integration, lo, hi)
	if err != nil {
		return nil, s.wrap("save builds", err)
	}
	defer rows.Close()
	out := map[int]jenkins.Build{}
	for rows.Next() {
		var n int
		var data sql.RawBytes
		if err := rows.Scan(&n, &data); err != nil {
			return nil, s.wrap("save builds", err)
		}
		var b jenkins.Build
		if decodeBuild(data, &b) == nil { // a damaged row is simply replaced
			out[n] = b
		}
	}
	return out, s.wrap("save builds", rows.Err())
}

const selectBuilds = `SELECT number, building, gone, data, results FROM builds WHERE integration = ?`

// Builds lists an integration's stored builds, newest first, at most limit
// (all when limit <= 0), with their result summaries.
func (s *Store) Builds(ctx context.Context, integration string, limit int) ([]BuildRecord, error) {
	if limit <= 0 {
		limit = -1
	}
	// Size the slice once: BuildRecords are big, and regrowing a slice of
	// thousands costs more than counting them.
	size := limit
	if limit < 0 || limit > 256 {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM builds WHERE integration = ?`, integration).Scan(&n); err != nil {
			return nil, s.wrap("read builds", err)
		}
		if limit < 0 || n < limit {
			size = n
		}
	}
	rows, err := s.db.QueryContext(ctx, selectBuilds+` ORDER BY number DESC LIMIT ?`, integration, limit)
	if err != nil {
		return nil, s.wrap("read builds", err)
	}
	defer rows.Close()
	out := make([]BuildRecord, 0, size)
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
	rows, err := s.db.QueryContext(ctx, selectBuilds+` AND number = ?`, integration, number)
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
	// RawBytes: decoded right away, so the driver's bytes need no copy.
	var data, results sql.RawBytes
	if err := rows.Scan(&r.Number, &r.Building, &r.Gone, &data, &results); err != nil {
		return r, s.wrap("read builds", err)
	}
	if err := decodeBuild(data, &r.Build); err != nil {
		return r, fmt.Errorf("store %s: build %d: %v", s.path, r.Number, err)
	}
	switch {
	case results != nil:
		ri, err := decodeResultInfo(results)
		if err != nil {
			return r, fmt.Errorf("store %s: build %d: result summary: %v", s.path, r.Number, err)
		}
		r.ResultsState, r.ResultsWhy, r.Collections, r.Governance = ri.state, ri.why, ri.cs, ri.gs
	case r.Building:
		r.ResultsState, r.ResultsWhy = ResultsPending, WhyRunning
	default:
		r.ResultsState = ResultsNone
	}
	return r, nil
}

// markGone records that Jenkins answered 404 for a build.
func (s *Store) markGone(ctx context.Context, integration string, number int) error {
	return retryBusy(ctx, func() error {
		_, err := s.db.ExecContext(ctx, `UPDATE builds SET gone = 1 WHERE integration = ? AND number = ?`, integration, number)
		return s.wrap("save builds", err)
	})
}
