package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// SetState keeps one piece of dashboard state (last integration, filter,
// expanded rows) under key. An empty value deletes the key.
func (s *Store) SetState(ctx context.Context, key, value string) error {
	return retryBusy(ctx, func() error {
		var err error
		if value == "" {
			_, err = s.db.ExecContext(ctx, `DELETE FROM state WHERE key = ?`, key)
		} else {
			_, err = s.db.ExecContext(ctx, `INSERT INTO state (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		}
		return s.wrap("save state", err)
	})
}

// State reads one piece of dashboard state; "" when it was never set.
func (s *Store) State(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM state WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, s.wrap("read state", err)
}

// BindJob records which Jenkins job (url and full name) the builds stored
// under integration belong to. Builds and results are keyed by nickname, so
// when the user points a nickname at another job or server, what is stored
// under it is of that other job: shown as, and reused for, the new job's
// builds of the same numbers, it would be wrong. BindJob then deletes it and
// reports true. A store without a record for integration (first use, or a
// store from before this record) keeps what it has.
func (s *Store) BindJob(ctx context.Context, integration, url, job string) (dropped bool, err error) {
	key := "job:" + integration
	want := strings.TrimRight(url, "/") + " " + job
	err = retryBusy(ctx, func() error {
		dropped = false
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return s.wrap("bind job", err)
		}
		defer tx.Rollback()
		var have string
		err = tx.QueryRowContext(ctx, `SELECT value FROM state WHERE key = ?`, key).Scan(&have)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return s.wrap("bind job", err)
		case have == want:
			return nil
		default:
			for _, q := range []string{
				`DELETE FROM builds WHERE integration = ?`,
				`DELETE FROM results WHERE integration = ?`,
				`DELETE FROM result_data WHERE integration = ?`,
				`DELETE FROM stages WHERE integration = ?`,
				`DELETE FROM result_digest WHERE integration = ?`,
			} {
				if _, err := tx.ExecContext(ctx, q, integration); err != nil {
					return s.wrap("bind job", err)
				}
			}
			dropped = true
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO state (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, want); err != nil {
			return s.wrap("bind job", err)
		}
		return s.wrap("bind job", tx.Commit())
	})
	return dropped, err
}
