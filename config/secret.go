package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Secret holds an API token. Every printing path renders it redacted:
// String, GoString, %v, %+v, %#v, %s, %q, JSON, text marshalling and slog.
// Use Reveal only where the token must go on the wire.
type Secret struct {
	v string
}

const redacted = "[redacted]"

// NewSecret wraps a token.
func NewSecret(s string) Secret { return Secret{v: s} }

// Reveal returns the token itself. Only the HTTP client and the store call it.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether no token is set.
func (s Secret) IsZero() bool { return s.v == "" }

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// Format covers every fmt verb, including %#v and %x.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", redacted)
	default:
		fmt.Fprint(f, redacted)
	}
}

func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
