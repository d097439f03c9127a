// Package config loads and validates jeeves's TOML configuration.
// It knows nothing about the UI.
package config

import "time"

// DefaultRefresh is the base poll interval when the file sets none.
const DefaultRefresh = 15 * time.Second

// Config is the whole, validated configuration.
type Config struct {
	Path         string // the file it came from; empty when there was none
	Refresh      time.Duration
	Integrations []Integration
	Serve        Serve    // the [serve] table of `jeeves serve`
	Warnings     []string // non-fatal findings (e.g. a token in a group-readable file)
}

// TokenSource says where an integration's token comes from.
type TokenSource string

const (
	TokenFromEnv TokenSource = "env"
	TokenFromCmd TokenSource = "cmd"
	TokenInline  TokenSource = "inline"
	TokenNone    TokenSource = ""
)

// Integration is one API linked to one Jenkins job.
type Integration struct {
	Nickname    string
	URL         string // base URL of Jenkins, without trailing slash
	Username    string
	TokenEnv    string
	TokenCmd    string
	Token       Secret // inline token, only from a 0600 file or the store
	Job         string // full name through folders: a/b/c
	Collections []string
	Governance  []string
	CAFile      string
	Insecure    bool
	Headers     map[string]string
	Timeout     time.Duration // per request; default 20s
	Source      string        // "config" or "store"
}

// Source of the token, for display (never the token).
func (i Integration) TokenSource() TokenSource {
	switch {
	case i.TokenEnv != "":
		return TokenFromEnv
	case i.TokenCmd != "":
		return TokenFromCmd
	case !i.Token.IsZero():
		return TokenInline
	}
	return TokenNone
}
