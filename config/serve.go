package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Serve is the [serve] table: the SSH server of `jeeves serve`. Paths are
// absolute (relative ones are taken relative to the config file); empty
// paths mean the defaults in the state directory, chosen by the server.
type Serve struct {
	Set            bool   // the file has a [serve] table
	Addr           string // listen address; default ":2222"
	AuthorizedKeys string // authorized_keys-format file of the keys that may enter
	HostKey        string // the server's private host key; generated on first start
	AuditLog       string // one line per run, re-run and abort
	IdleTimeout    time.Duration
	MaxSessions    int
	Users          []ServeUser
}

// Defaults of the [serve] table.
const (
	DefaultServeAddr   = ":2222"
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxSessions = 50
)

// ServeUser maps an SSH key to a Jenkins user, whose own token sends that
// key's run, re-run and abort.
type ServeUser struct {
	Key      string // "SHA256:..." fingerprint, or the comment of the key's authorized_keys line
	Username string // Jenkins user id
	TokenEnv string
	TokenCmd string
}

// Integration is in with this user's credentials in place of its own:
// the same server and job, the user's name and token source.
func (u ServeUser) Integration(in Integration) Integration {
	in.Username = u.Username
	in.TokenEnv, in.TokenCmd, in.Token = u.TokenEnv, u.TokenCmd, Secret{}
	return in
}

var serveKeys = []string{"addr", "authorized_keys", "host_key", "audit_log", "idle_timeout", "max_sessions", "user"}

var serveUserKeys = []string{"key", "username", "token_env", "token_cmd"}

func (v *validator) serve(raw any) (Serve, error) {
	s := Serve{Set: true, Addr: DefaultServeAddr, IdleTimeout: DefaultIdleTimeout, MaxSessions: DefaultMaxSessions}
	m, ok := raw.(map[string]any)
	if !ok {
		return s, v.errAt("serve", "serve must be a table, not "+tomlType(raw), "write it as a [serve] table")
	}
	if err := v.unknownKeys("serve", m, serveKeys); err != nil {
		return s, err
	}
	var err error
	getStr := func(k string, dst *string) {
		if err != nil {
			return
		}
		if val, ok := m[k]; ok {
			*dst, err = v.str("serve."+k, val)
		}
	}
	getStr("addr", &s.Addr)
	getStr("authorized_keys", &s.AuthorizedKeys)
	getStr("host_key", &s.HostKey)
	getStr("audit_log", &s.AuditLog)
	if err != nil {
		return s, err
	}
	if strings.TrimSpace(s.Addr) == "" {
		return s, v.errAt("serve.addr", "addr is empty", `write addr = ":2222" (or "127.0.0.1:2222")`)
	}
	for _, p := range []*string{&s.AuthorizedKeys, &s.HostKey, &s.AuditLog} {
		if *p != "" {
			*p = expandHome(*p)
			if !filepath.IsAbs(*p) {
				*p = filepath.Join(v.dir, *p)
			}
		}
	}
	if val, ok := m["idle_timeout"]; ok {
		if s.IdleTimeout, err = v.duration("serve.idle_timeout", val); err != nil {
			return s, err
		}
		if s.IdleTimeout < time.Minute {
			return s, v.errAt("serve.idle_timeout", fmt.Sprintf("idle_timeout %q is too short", s.IdleTimeout), `use at least "1m", e.g. idle_timeout = "30m"`)
		}
	}
	if val, ok := m["max_sessions"]; ok {
		n, ok := val.(int64)
		if !ok {
			return s, v.errAt("serve.max_sessions", "max_sessions must be an integer, not "+tomlType(val), "write max_sessions = 50 (unquoted)")
		}
		if n < 1 || n > 10000 {
			return s, v.errAt("serve.max_sessions", fmt.Sprintf("max_sessions %d is out of range", n), "use a number from 1 to 10000")
		}
		s.MaxSessions = int(n)
	}
	if ru, ok := m["user"]; ok {
		list, ok := ru.([]map[string]any)
		if !ok {
			return s, v.errAt("serve.user", "serve.user must be an array of tables", "write each one under its own [[serve.user]] header")
		}
		seen := map[string]bool{}
		for i, um := range list {
			u, err := v.serveUser(i, um)
			if err != nil {
				return s, err
			}
			if seen[u.Key] {
				return s, v.errAt(fmt.Sprintf("serve.user[%d].key", i), fmt.Sprintf("key %q is mapped twice", u.Key), "map each key to one Jenkins user")
			}
			seen[u.Key] = true
			s.Users = append(s.Users, u)
		}
	}
	return s, nil
}

func (v *validator) serveUser(i int, m map[string]any) (ServeUser, error) {
	p := fmt.Sprintf("serve.user[%d]", i)
	var u ServeUser
	if _, ok := m["token"]; ok {
		return u, v.errAt(p+".token", "a serve user's token cannot be written in the config", `use token_env = "ALICE_JENKINS_TOKEN" or token_cmd`)
	}
	if err := v.unknownKeys(p, m, serveUserKeys); err != nil {
		return u, err
	}
	var err error
	for k, dst := range map[string]*string{"key": &u.Key, "username": &u.Username, "token_env": &u.TokenEnv, "token_cmd": &u.TokenCmd} {
		if val, ok := m[k]; ok && err == nil {
			*dst, err = v.str(p+"."+k, val)
		}
	}
	if err != nil {
		return u, err
	}
	u.Key = strings.TrimSpace(u.Key)
	switch {
	case u.Key == "":
		return u, v.errAt(p, "serve user has no key", `add key = "SHA256:..." (ssh-keygen -lf KEY.pub) or the key's comment in authorized_keys`)
	case strings.HasPrefix(u.Key, "SHA256:") && len(u.Key) != len("SHA256:")+43:
		return u, v.errAt(p+".key", fmt.Sprintf("key %q is not a SHA256 fingerprint", u.Key), "copy it from ssh-keygen -lf KEY.pub (SHA256: and 43 characters)")
	case u.Username == "":
		return u, v.errAt(p, fmt.Sprintf("serve user %q has no username", u.Key), `add username = "their Jenkins user id"`)
	case u.TokenEnv != "" && u.TokenCmd != "":
		return u, v.errAt(p+".token_cmd", fmt.Sprintf("serve user %q sets both token_env and token_cmd", u.Key), "keep exactly one token source")
	case u.TokenEnv == "" && u.TokenCmd == "":
		return u, v.errAt(p, fmt.Sprintf("serve user %q has no API token source", u.Key), `add token_env = "ALICE_JENKINS_TOKEN" (or token_cmd): that user's own Jenkins token`)
	}
	return u, nil
}
