package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestExampleServe(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Serve
	if !s.Set || s.Addr != ":2222" || s.AuthorizedKeys != "/etc/jeeves/authorized_keys" || s.IdleTimeout != 30*time.Minute ||
		s.MaxSessions != 50 || s.HostKey != "/var/lib/jeeves/ssh_host_ed25519_key" || s.AuditLog != "/var/lib/jeeves/audit.log" {
		t.Errorf("serve = %+v", s)
	}
	if len(s.Users) != 1 || s.Users[0] != (ServeUser{Key: "alice@laptop", Username: "alice", TokenEnv: "ALICE_JENKINS_TOKEN"}) {
		t.Errorf("users = %+v", s.Users)
	}
	data, _ := os.ReadFile(filepath.Join("..", "config.example.toml"))
	serve := string(data[strings.Index(string(data), "\n[serve]"):])
	for _, k := range serveKeys {
		re := regexp.MustCompile(`(?m)^#?\s*` + k + `\s*=|^\[\[serve\.` + k + `\]\]`)
		if !re.MatchString(serve) {
			t.Errorf("config.example.toml does not document [serve] key %q", k)
		}
	}
	user := serve[strings.Index(serve, "[[serve.user]]"):]
	for _, k := range serveUserKeys {
		if !regexp.MustCompile(`(?m)^#?\s*` + k + `\s*=`).MatchString(user) {
			t.Errorf("config.example.toml does not document [[serve.user]] key %q", k)
		}
	}
}

func TestServeDefaults(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Parse(filepath.Join(dir, "c.toml"), []byte("[serve]\nauthorized_keys = \"keys\"\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Serve
	if !s.Set || s.Addr != DefaultServeAddr || s.IdleTimeout != DefaultIdleTimeout || s.MaxSessions != DefaultMaxSessions ||
		s.AuthorizedKeys != filepath.Join(dir, "keys") || s.HostKey != "" || s.AuditLog != "" {
		t.Errorf("defaults: %+v", s)
	}
	cfg, err = Parse("c.toml", []byte(good), 0o600)
	if err != nil || cfg.Serve.Set {
		t.Errorf("no [serve] table: %+v %v", cfg.Serve, err)
	}
}

func TestServeUserIntegration(t *testing.T) {
	in := Integration{Nickname: "A", URL: "https://j", Username: "watcher", Token: NewSecret("tok"), Job: "a/b"}
	got := ServeUser{Key: "k", Username: "alice", TokenCmd: "pass alice"}.Integration(in)
	if got.Username != "alice" || got.TokenCmd != "pass alice" || got.TokenEnv != "" || !got.Token.IsZero() || got.URL != in.URL || got.Job != in.Job {
		t.Errorf("got %+v", got)
	}
}

const goodServe = `[serve]
authorized_keys = "keys"

[[serve.user]]
key = "alice@laptop"
username = "alice"
token_env = "ALICE"
`

func TestBadServeConfig(t *testing.T) {
	dir := t.TempDir()
	fp := "SHA256:" + strings.Repeat("a", 43)
	cases := []struct{ name, text, want string }{
		{"unknown serve key", "[serve]\nauthorized_key = \"k\"\n", `c.toml:2:1: unknown key "authorized_key" in [serve]; fix: did you mean "authorized_keys"?`},
		{"serve not a table", "serve = 1\n", `c.toml:1:1: serve must be a table, not an integer; fix: write it as a [serve] table`},
		{"idle timeout bad", "[serve]\nidle_timeout = \"soon\"\n", `c.toml:2:1: idle_timeout "soon" is not a valid duration; fix: use a number with a unit: "30s", "2m", "1h"`},
		{"idle timeout short", "[serve]\nidle_timeout = \"10s\"\n", `c.toml:2:1: idle_timeout "10s" is too short; fix: use at least "1m", e.g. idle_timeout = "30m"`},
		{"max sessions string", "[serve]\nmax_sessions = \"5\"\n", `c.toml:2:1: max_sessions must be an integer, not a string; fix: write max_sessions = 50 (unquoted)`},
		{"max sessions zero", "[serve]\n\nmax_sessions = 0\n", `c.toml:3:1: max_sessions 0 is out of range; fix: use a number from 1 to 10000`},
		{"addr empty", "[serve]\naddr = \"\"\n", `c.toml:2:1: addr is empty; fix: write addr = ":2222" (or "127.0.0.1:2222")`},
		{"path not string", "[serve]\nhost_key = 3\n", `c.toml:2:1: host_key must be a string, not an integer; fix: quote the value: host_key = "..."`},
		{"unknown user key", goodServe + "usrname = \"bob\"\n", `c.toml:8:1: unknown key "usrname" in [[serve.user]]; fix: did you mean "username"?`},
		{"user inline token", goodServe + "token = \"s3cret-value\"\n", `c.toml:8:1: a serve user's token cannot be written in the config; fix: use token_env = "ALICE_JENKINS_TOKEN" or token_cmd`},
		{"user no key", strings.Replace(goodServe, "key = \"alice@laptop\"\n", "", 1), `c.toml:4:1: serve user has no key; fix: add key = "SHA256:..." (ssh-keygen -lf KEY.pub) or the key's comment in authorized_keys`},
		{"user bad fingerprint", strings.Replace(goodServe, "alice@laptop", "SHA256:abc", 1), `c.toml:5:1: key "SHA256:abc" is not a SHA256 fingerprint; fix: copy it from ssh-keygen -lf KEY.pub (SHA256: and 43 characters)`},
		{"user no username", strings.Replace(goodServe, "username = \"alice\"\n", "", 1), `c.toml:4:1: serve user "alice@laptop" has no username; fix: add username = "their Jenkins user id"`},
		{"user no token", strings.Replace(goodServe, "token_env = \"ALICE\"\n", "", 1), `c.toml:4:1: serve user "alice@laptop" has no API token source; fix: add token_env = "ALICE_JENKINS_TOKEN" (or token_cmd): that user's own Jenkins token`},
		{"user two tokens", goodServe + "token_cmd = \"pass\"\n", `c.toml:8:1: serve user "alice@laptop" sets both token_env and token_cmd; fix: keep exactly one token source`},
		{"user twice", strings.Replace(goodServe, "alice@laptop", fp, 1) + "\n[[serve.user]]\nkey = \"" + fp + "\"\nusername = \"bob\"\ntoken_env = \"B\"\n", `c.toml:10:1: key "` + fp + `" is mapped twice; fix: map each key to one Jenkins user`},
		{"user not array", "[serve]\n[serve.user]\nkey = \"x\"\n", `c.toml:2:1: serve.user must be an array of tables; fix: write each one under its own [[serve.user]] header`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(filepath.Join(dir, "c.toml"), []byte(c.text), 0o600)
			if err == nil {
				t.Fatalf("no error for:\n%s", c.text)
			}
			got := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))
			if got != c.want {
				t.Errorf("error\n got: %s\nwant: %s", got, c.want)
			}
			if strings.Contains(got, "s3cret-value") {
				t.Errorf("error leaks the token: %s", got)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Line == 0 {
				t.Errorf("error has no position: %#v", err)
			}
		})
	}
}

// FuzzParseServe: any file gives a config or one positioned one-line error,
// never a panic, and never echoes an inline token.
func FuzzParseServe(f *testing.F) {
	f.Add(goodServe)
	f.Add(good + goodServe)
	f.Add("[serve]\nmax_sessions = 99999999999\nidle_timeout = \"-1m\"\n")
	f.Add("[serve]\n[[serve.user]]\nkey = \"SHA256:\"\ntoken = \"s3cret-value\"\n")
	f.Add("serve = [1, 2]\n")
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := Parse("c.toml", []byte(text), 0o600)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if strings.Contains(err.Error(), "s3cret-value") {
				t.Errorf("error leaks the token: %s", err)
			}
			return
		}
		if cfg.Serve.Set && (cfg.Serve.MaxSessions < 1 || cfg.Serve.IdleTimeout < time.Minute || cfg.Serve.Addr == "") {
			t.Errorf("invalid serve config accepted: %+v", cfg.Serve)
		}
		for _, u := range cfg.Serve.Users {
			if u.Key == "" || u.Username == "" || (u.TokenEnv == "") == (u.TokenCmd == "") {
				t.Errorf("invalid serve user accepted: %+v", u)
			}
		}
	})
}
