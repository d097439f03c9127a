package store

import (
	"context"
	"database/sql"
	"errors"
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
