package store

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jeeves-dev/jeeves/report"
)

// Reasons a finished build has no results, as the dashboard shows them.
const (
	WhyRunning     = "still running"
	WhyNoArtifacts = "no matching artifacts"
	WhyNoReports   = "no reports found" // artifacts matched, but none was a report jeeves reads
)

const encJSONDeflate = "json+deflate"

// SaveResults stores what looking at a finished build found. With any
// collection run or governance result the state is stored; with none it is
// empty and why says why (e.g. WhyNoArtifacts, "report unreadable: ...").
// For stored results why may carry notes (a skipped artifact). Saving again
// replaces what was there.
func (s *Store) SaveResults(ctx context.Context, integration string, number int, res report.Results, why string) error {
	state := ResultsStored
	if len(res.Collections) == 0 && len(res.Governance) == 0 {
		state = ResultsEmpty
		if why == "" {
			why = WhyNoReports
		}
	}
	var data []byte
	if state == ResultsStored {
		var err error
		if data, err = encodeResults(res); err != nil {
			return fmt.Errorf("store: encode results of %s #%d: %v", integration, number, err)
		}
	}
	cs, gs := res.Summaries()
	return retryBusy(ctx, func() error { return s.saveResults(ctx, integration, number, state, why, cs, gs, data) })
}

// SaveResultsError records that looking at a build failed for a reason that
// may pass (the network, Jenkins down). Unlike empty, an error state is
// looked at again by FetchResults. It never replaces stored results.
func (s *Store) SaveResultsError(ctx context.Context, integration string, number int, why string) error {
	return retryBusy(ctx, func() error {
		_, err := s.db.ExecContext(ctx, `
INSERT INTO results (integration, number, state, why, saved_ms) VALUES (?, ?, 'error', ?, ?)
ON CONFLICT (integration, number) DO UPDATE SET why = excluded.why, saved_ms = excluded.saved_ms
WHERE results.state = 'error'`, integration, number, why, time.Now().UnixMilli())
		return s.wrap("save results", err)
	})
}

func (s *Store) saveResults(ctx context.Context, integration string, number int, state ResultsState, why string,
	cs *report.CollectionSummary, gs *report.GovernanceSummary, data []byte) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("save results", err)
	}
	defer tx.Rollback()
	var c [5]any
	if cs != nil {
		c = [5]any{cs.Runs, cs.Requests, cs.RequestsFailed, cs.Assertions, cs.AssertionsFailed}
	}
	var g [5]any
	if gs != nil {
		g = [5]any{gs.Definitions, gs.Error, gs.Warning, gs.Info, gs.Hint}
	}
	if _, err := tx.ExecContext(ctx, `
INSERT OR REPLACE INTO results (integration, number, state, why,
	c_runs, c_requests, c_requests_failed, c_assertions, c_assertions_failed,
	g_definitions, g_error, g_warning, g_info, g_hint, saved_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		integration, number, string(state), why, c[0], c[1], c[2], c[3], c[4],
		g[0], g[1], g[2], g[3], g[4], time.Now().UnixMilli()); err != nil {
		return s.wrap("save results", err)
	}
	if data != nil {
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO result_data (integration, number, encoding, data)
VALUES (?, ?, ?, ?)`, integration, number, encJSONDeflate, data)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM result_data WHERE integration = ? AND number = ?`, integration, number)
	}
	if err != nil {
		return s.wrap("save results", err)
	}
	return s.wrap("save results", tx.Commit())
}

// Results reads a build's results and where they stand. Without a stored
// outcome the state is pending for a build the store knows is running, and
// none otherwise.
func (s *Store) Results(ctx context.Context, integration string, number int) (report.Results, ResultsState, string, error) {
	var state, why string
	err := s.db.QueryRowContext(ctx, `SELECT state, why FROM results WHERE integration = ? AND number = ?`,
		integration, number).Scan(&state, &why)
	if errors.Is(err, sql.ErrNoRows) {
		var building bool
		err := s.db.QueryRowContext(ctx, `SELECT building FROM builds WHERE integration = ? AND number = ?`,
			integration, number).Scan(&building)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return report.Results{}, ResultsNone, "", nil
		case err != nil:
			return report.Results{}, "", "", s.wrap("read results", err)
		case building:
			return report.Results{}, ResultsPending, WhyRunning, nil
		}
		return report.Results{}, ResultsNone, "", nil
	}
	if err != nil {
		return report.Results{}, "", "", s.wrap("read results", err)
	}
	if ResultsState(state) != ResultsStored {
		return report.Results{}, ResultsState(state), why, nil
	}
	var enc string
	var data []byte
	if err := s.db.QueryRowContext(ctx, `SELECT encoding, data FROM result_data WHERE integration = ? AND number = ?`,
		integration, number).Scan(&enc, &data); err != nil {
		return report.Results{}, "", "", s.wrap("read results", err)
	}
	res, err := decodeResults(enc, data)
	if err != nil {
		return report.Results{}, "", "", fmt.Errorf("store %s: results of %s #%d: %v", s.path, integration, number, err)
	}
	return res, ResultsStored, why, nil
}

func encodeResults(res report.Results) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(zw).Encode(res); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeResults(enc string, data []byte) (report.Results, error) {
	var res report.Results
	if enc != encJSONDeflate {
		return res, fmt.Errorf("unknown encoding %q", enc)
	}
	zr := flate.NewReader(bytes.NewReader(data))
	defer zr.Close()
	if err := json.NewDecoder(zr).Decode(&res); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return res, errors.New("truncated data")
		}
		return res, err
	}
	return res, nil
}
