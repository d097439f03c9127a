package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jeeves-dev/jeeves/config"
)

// ErrNotFound is returned when a named record does not exist.
var ErrNotFound = errors.New("not found")

// SaveIntegration adds or replaces (by nickname) an integration added in
// the dashboard. Its token is kept as the user gave it: an env var name, a
// command, or the token itself, the last only in this 0600 file.
func (s *Store) SaveIntegration(ctx context.Context, in config.Integration) error {
	nick := strings.TrimSpace(in.Nickname)
	if nick == "" {
		return errors.New("store: an integration needs a nickname")
	}
	colls, _ := json.Marshal(nonNil(in.Collections))
	gov, _ := json.Marshal(nonNil(in.Governance))
	hdrs := in.Headers
	if hdrs == nil {
		hdrs = map[string]string{}
	}
	headers, _ := json.Marshal(hdrs)
	_, err := s.db.ExecContext(ctx, `
INSERT INTO integrations (nickname, url, username, token_env, token_cmd, token, job,
	collections, governance, ca_file, insecure, headers, timeout_ms, updated_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (nickname) DO UPDATE SET
	url = excluded.url, username = excluded.username, token_env = excluded.token_env,
	token_cmd = excluded.token_cmd, token = excluded.token, job = excluded.job,
	collections = excluded.collections, governance = excluded.governance,
	ca_file = excluded.ca_file, insecure = excluded.insecure, headers = excluded.headers,
	timeout_ms = excluded.timeout_ms, updated_ms = excluded.updated_ms`,
		nick, in.URL, in.Username, in.TokenEnv, in.TokenCmd, in.Token.Reveal(), in.Job,
		string(colls), string(gov), in.CAFile, in.Insecure, string(headers),
		in.Timeout.Milliseconds(), time.Now().UnixMilli())
	return s.wrap("save integration", err)
}

// Integrations lists the integrations added in the dashboard, oldest first,
// with Source "store".
func (s *Store) Integrations(ctx context.Context) ([]config.Integration, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT nickname, url, username, token_env, token_cmd, token, job, collections, governance,
	ca_file, insecure, headers, timeout_ms
FROM integrations ORDER BY rowid`)
	if err != nil {
		return nil, s.wrap("read integrations", err)
	}
	defer rows.Close()
	var out []config.Integration
	for rows.Next() {
		var in config.Integration
		var token, colls, gov, headers string
		var timeoutMS int64
		if err := rows.Scan(&in.Nickname, &in.URL, &in.Username, &in.TokenEnv, &in.TokenCmd, &token,
			&in.Job, &colls, &gov, &in.CAFile, &in.Insecure, &headers, &timeoutMS); err != nil {
			return nil, s.wrap("read integrations", err)
		}
		in.Token = config.NewSecret(token)
		if err := json.Unmarshal([]byte(colls), &in.Collections); err != nil {
			return nil, fmt.Errorf("store %s: integration %q: bad collections: %v", s.path, in.Nickname, err)
		}
		if err := json.Unmarshal([]byte(gov), &in.Governance); err != nil {
			return nil, fmt.Errorf("store %s: integration %q: bad governance: %v", s.path, in.Nickname, err)
		}
		if err := json.Unmarshal([]byte(headers), &in.Headers); err != nil {
			return nil, fmt.Errorf("store %s: integration %q: bad headers: %v", s.path, in.Nickname, err)
		}
		if len(in.Collections) == 0 {
			in.Collections = nil
		}
		if len(in.Governance) == 0 {
			in.Governance = nil
		}
		if len(in.Headers) == 0 {
			in.Headers = nil
		}
		in.Timeout = time.Duration(timeoutMS) * time.Millisecond
		in.Source = "store"
		out = append(out, in)
	}
	return out, s.wrap("read integrations", rows.Err())
}

// DeleteIntegration removes an integration added in the dashboard together
// with its build history and results. ErrNotFound when there is none.
func (s *Store) DeleteIntegration(ctx context.Context, nickname string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("delete integration", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM integrations WHERE nickname = ?`, nickname)
	if err != nil {
		return s.wrap("delete integration", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: integration %q: %w", nickname, ErrNotFound)
	}
	for _, q := range []string{
		`DELETE FROM builds WHERE integration = ?`,
		`DELETE FROM results WHERE integration = ?`,
		`DELETE FROM result_data WHERE integration = ?`,
		`DELETE FROM stages WHERE integration = ?`,
		`DELETE FROM result_digest WHERE integration = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, nickname); err != nil {
			return s.wrap("delete integration", err)
		}
	}
	return s.wrap("delete integration", tx.Commit())
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
