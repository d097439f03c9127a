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
	"sync"
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
	var data, digest []byte
	if state == ResultsStored {
		var err error
		if data, err = encodeResults(res); err != nil {
			return fmt.Errorf("store: encode results of %s #%d: %v", integration, number, err)
		}
		digest = encodeDigest(res)
	}
	cs, gs := res.Summaries()
	return retryBusy(ctx, func() error { return s.saveResults(ctx, integration, number, state, why, cs, gs, data, digest) })
}

// SaveResultsError records that looking at a build failed for a reason that
// may pass (the network, Jenkins down). Unlike empty, an error state is
// looked at again by FetchResults. It never replaces stored results.
func (s *Store) SaveResultsError(ctx context.Context, integration string, number int, why string) error {
	info := encodeResultInfo(resultInfo{state: ResultsError, why: why})
	return retryBusy(ctx, func() error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return s.wrap("save results", err)
		}
		defer tx.Rollback()
		var state string
		err = tx.QueryRowContext(ctx, `SELECT state FROM results WHERE integration = ? AND number = ?`,
			integration, number).Scan(&state)
		if err == nil && state != string(ResultsError) {
			return nil // what was found stays
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.wrap("save results", err)
		}
		if err := s.putResultInfo(ctx, tx, integration, number, ResultsError, info); err != nil {
			return err
		}
		return s.wrap("save results", tx.Commit())
	})
}

func (s *Store) putResultInfo(ctx context.Context, tx *sql.Tx, integration string, number int, state ResultsState, info []byte) error {
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO results (integration, number, state, info, saved_ms)
VALUES (?, ?, ?, ?, ?)`, integration, number, string(state), info, time.Now().UnixMilli()); err != nil {
		return s.wrap("save results", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE builds SET results = ? WHERE integration = ? AND number = ?`,
		info, integration, number); err != nil {
		return s.wrap("save results", err)
	}
	return nil
}

func (s *Store) saveResults(ctx context.Context, integration string, number int, state ResultsState, why string,
	cs *report.CollectionSummary, gs *report.GovernanceSummary, data, digest []byte) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("save results", err)
	}
	defer tx.Rollback()
	info := encodeResultInfo(resultInfo{state: state, why: why, cs: cs, gs: gs})
	if err := s.putResultInfo(ctx, tx, integration, number, state, info); err != nil {
		return err
	}
	if data != nil {
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO result_data (integration, number, encoding, data)
VALUES (?, ?, ?, ?)`, integration, number, encJSONDeflate, data)
		if err == nil {
			_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO result_digest (integration, number, data)
VALUES (?, ?, ?)`, integration, number, digest)
		}
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM result_data WHERE integration = ? AND number = ?`, integration, number)
		if err == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM result_digest WHERE integration = ? AND number = ?`, integration, number)
		}
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
	var info []byte
	err := s.db.QueryRowContext(ctx, `SELECT info FROM results WHERE integration = ? AND number = ?`,
		integration, number).Scan(&info)
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
	ri, err := decodeResultInfo(info)
	if err != nil {
		return report.Results{}, "", "", fmt.Errorf("store %s: results of %s #%d: %v", s.path, integration, number, err)
	}
	if ri.state != ResultsStored {
		return report.Results{}, ri.state, ri.why, nil
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
	return res, ResultsStored, ri.why, nil
}

// flateWriters reuses compressors: each one allocates about 1 MB.
var flateWriters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return zw
}}

func encodeResults(res report.Results) ([]byte, error) {
	var buf bytes.Buffer
	zw := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(zw)
	zw.Reset(&buf)
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
