package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "config.example.toml"))
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	if cfg.Refresh != 15*time.Second {
		t.Errorf("refresh = %v, want 15s", cfg.Refresh)
	}
	if len(cfg.Integrations) != 1 {
		t.Fatalf("integrations = %d, want 1", len(cfg.Integrations))
	}
	in := cfg.Integrations[0]
	want := Integration{Nickname: "Payments API", URL: "https://jenkins.example.com", Username: "alice",
		TokenEnv: "JENKINS_TOKEN", Job: "payments/api-tests", Collections: []string{"newman/*.json"},
		Governance: []string{"lint/*.sarif"}, Timeout: 20 * time.Second, Source: "config",
		Headers: map[string]string{"X-Forwarded-User": "alice"}}
	if fmt.Sprintf("%#v", in.Headers) != fmt.Sprintf("%#v", want.Headers) || in.Nickname != want.Nickname ||
		in.URL != want.URL || in.Username != want.Username || in.TokenEnv != want.TokenEnv || in.Job != want.Job ||
		strings.Join(in.Collections, ",") != "newman/*.json" || strings.Join(in.Governance, ",") != "lint/*.sarif" ||
		in.Timeout != want.Timeout || in.Insecure || in.CAFile != "" {
		t.Errorf("got %+v", in)
	}
	// every documented key is one the loader knows, and every known key is documented
	data, _ := os.ReadFile(filepath.Join("..", "config.example.toml"))
	for _, k := range append(append([]string{}, topKeys...), integrationKeys...) {
		re := regexp.MustCompile(`(?m)^#?\s*` + k + `\s*=|\[\[?` + k + `\]\]?`)
		if !re.Match(data) {
			t.Errorf("config.example.toml does not document key %q", k)
		}
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse("c.toml", []byte("[[integration]]\nurl = \"http://j:8080/\"\nusername = \"u\"\ntoken_env = \"T\"\njob = \"a/b\"\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	in := cfg.Integrations[0]
	if cfg.Refresh != DefaultRefresh || in.Nickname != "a/b" || in.URL != "http://j:8080" || in.Timeout != 20*time.Second {
		t.Errorf("defaults: refresh %v nickname %q url %q timeout %v", cfg.Refresh, in.Nickname, in.URL, in.Timeout)
	}
}

const good = `[[integration]]
nickname = "A"
url = "https://j.example.com"
username = "alice"
token_env = "T"
job = "a/b"
`

func TestBadConfig(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, text, want string
	}{
		{"syntax", "refresh = \n", `c.toml:1:11: TOML syntax error: expected value but found '\n' instead; fix: put a value after '=': strings in double quotes, e.g. key = "value"`},
		{"unknown top key", "refresh = \"15s\"\nrefersh = \"1m\"\n", `c.toml:2:1: unknown key "refersh" at the top level; fix: did you mean "refresh"?`},
		{"unknown integration key", good + "  usrname = \"bob\"\n", `c.toml:7:3: unknown key "usrname" in [[integration]]; fix: did you mean "username"?`},
		{"integrations typo", "[[integrations]]\nurl = \"x\"\n", `c.toml:1:1: unknown key "integrations" at the top level; fix: did you mean "integration"?`},
		{"wrong type", strings.Replace(good, `username = "alice"`, `username = 42`, 1), `c.toml:4:1: username must be a string, not an integer; fix: quote the value: username = "..."`},
		{"wrong type bool", good + "insecure = \"yes\"\n", `c.toml:7:1: insecure must be true or false, not a string; fix: write insecure = true (unquoted) or remove it`},
		{"wrong type list", good + "collections = \"a/*.json\"\n", `c.toml:7:1: collections must be an array of strings, not a string; fix: put it in brackets: collections = ["..."]`},
		{"bad duration", "refresh = \"15 seconds\"\n", `c.toml:1:1: refresh "15 seconds" is not a valid duration; fix: use a number with a unit: "30s", "2m", "1h"`},
		{"duration not string", "refresh = 15\n", `c.toml:1:1: refresh must be a duration string, not an integer; fix: write it with a unit, e.g. refresh = "15s"`},
		{"bad timeout", good + "timeout = \"soon\"\n", `c.toml:7:1: timeout "soon" is not a valid duration; fix: use a number with a unit: "30s", "2m", "1h"`},
		{"missing url", strings.Replace(good, "url = \"https://j.example.com\"\n", "", 1), `c.toml:1:1: integration "A" has no url; fix: add url = "https://jenkins.example.com"`},
		{"missing username", strings.Replace(good, "username = \"alice\"\n", "", 1), `c.toml:1:1: integration "A" has no username; fix: add username = "your Jenkins user id"`},
		{"missing job", strings.Replace(good, "job = \"a/b\"\n", "", 1), `c.toml:1:1: integration "A" has no job; fix: add job = "folder/job" (the job's full name through folders)`},
		{"two token sources", good + "token = \"s3cret-value\"\n", `c.toml:7:1: integration "A" sets both token_env and token; fix: keep exactly one token source`},
		{"no token source", strings.Replace(good, "token_env = \"T\"\n", "", 1), `c.toml:1:1: integration "A" has no API token source; fix: add token_env = "JENKINS_TOKEN" (or token_cmd, or token in a 0600 file)`},
		{"url not http", strings.Replace(good, "https://j.example.com", "ftp://j.example.com", 1), `c.toml:3:1: url "ftp://j.example.com" is not an http(s) URL; fix: write the Jenkins address with its scheme, e.g. "https://jenkins.example.com"`},
		{"url no scheme", strings.Replace(good, "https://j.example.com", "j.example.com", 1), `c.toml:3:1: url "j.example.com" is not an http(s) URL; fix: write the Jenkins address with its scheme, e.g. "https://jenkins.example.com"`},
		{"empty job segment", strings.Replace(good, `job = "a/b"`, `job = "a//b"`, 1), `c.toml:6:1: job "a//b" has an empty segment; fix: write the full name through folders without empty parts, e.g. "payments/api-tests"`},
		{"trailing job segment", strings.Replace(good, `job = "a/b"`, `job = "a/b/"`, 1), `c.toml:6:1: job "a/b/" has an empty segment; fix: write the full name through folders without empty parts, e.g. "payments/api-tests"`},
		{"duplicate nickname", good + "\n" + strings.Replace(good, `nickname = "A"`, `nickname = "a"`, 1), `c.toml:9:1: duplicate nickname "a" (also used by an earlier integration); fix: give each integration its own nickname`},
		{"missing ca_file", good + "ca_file = \"nope.pem\"\n", `c.toml:7:1: ca_file "nope.pem": no such file or directory; fix: point it at a readable PEM bundle or remove it`},
		{"byte order mark", "\ufeff" + strings.Replace(good, "url = \"https://j.example.com\"\n", "", 1), `c.toml:1:1: integration "A" has no url; fix: add url = "https://jenkins.example.com"`},
		{"byte order mark unknown key", "\ufeffrefersh = \"1m\"\n", `c.toml:1:1: unknown key "refersh" at the top level; fix: did you mean "refresh"?`},
		{"auth header", good + "headers = { Authorization = \"Basic x\" }\n", `c.toml:7:1: the Authorization header is set by jeeves from username and token; fix: remove it from headers`},
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
			if strings.Contains(got, "\n") {
				t.Errorf("error is not one line: %q", got)
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

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("want ErrNotExist, got %v", err)
	}
}

func TestInlineTokenPermissions(t *testing.T) {
	dir := t.TempDir()
	text := strings.Replace(good, `token_env = "T"`, `token = "s3cret-value"`, 1)
	for _, c := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o640, true}, {0o644, true}} {
		p := filepath.Join(dir, fmt.Sprintf("c%o.toml", c.mode))
		if err := os.WriteFile(p, []byte(text), c.mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, c.mode)
		cfg, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(cfg.Warnings) > 0; got != c.warn {
			t.Errorf("mode %o: warning %v, want %v (%v)", c.mode, got, c.warn, cfg.Warnings)
		}
		if c.warn && !strings.Contains(cfg.Warnings[0], "chmod 600") {
			t.Errorf("warning has no fix: %s", cfg.Warnings[0])
		}
		if tok, _ := cfg.Integrations[0].ResolveToken(context.Background()); tok.Reveal() != "s3cret-value" {
			t.Errorf("inline token not resolved")
		}
	}
}

func TestResolveToken(t *testing.T) {
	ctx := context.Background()
	env := func(k string) string {
		if k == "JT" {
			return " tok-from-env\n"
		}
		return ""
	}
	in := Integration{Nickname: "A", TokenEnv: "JT"}
	if s, err := in.ResolveTokenEnv(ctx, env); err != nil || s.Reveal() != "tok-from-env" {
		t.Errorf("env: %q %v", s.Reveal(), err)
	}
	in = Integration{Nickname: "A", TokenEnv: "MISSING"}
	if _, err := in.ResolveTokenEnv(ctx, env); err == nil || !strings.Contains(err.Error(), "MISSING is empty or not set") {
		t.Errorf("missing env: %v", err)
	}
	in = Integration{Nickname: "A", TokenCmd: "printf 'tok-from-cmd\\nsecond line'"}
	if s, err := in.ResolveTokenEnv(ctx, env); err != nil || s.Reveal() != "tok-from-cmd" {
		t.Errorf("cmd: %q %v", s.Reveal(), err)
	}
	in = Integration{Nickname: "A", TokenCmd: "echo leaked-output-s3cret; echo more >&2; exit 3"}
	_, err := in.ResolveTokenEnv(ctx, env)
	if err == nil || !strings.Contains(err.Error(), "exited with status 3") || strings.Contains(err.Error(), "leaked-output") {
		t.Errorf("failing cmd: %v", err)
	}
	// Ctrl-C while the command runs says so (it was "exited with status -1").
	cctx, cancelCmd := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancelCmd)
	in = Integration{Nickname: "A", TokenCmd: "sleep 5"}
	if _, err := in.ResolveTokenEnv(cctx, env); err == nil || err.Error() != `integration "A": token_cmd was interrupted` {
		t.Errorf("interrupted cmd: %v", err)
	}
	old := TokenCmdTimeout
	TokenCmdTimeout = 200 * time.Millisecond
	defer func() { TokenCmdTimeout = old }()
	in = Integration{Nickname: "A", TokenCmd: "sleep 5"}
	start := time.Now()
	_, err = in.ResolveTokenEnv(ctx, env)
	if err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("slow cmd: %v", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("token_cmd timeout not enforced: %v", time.Since(start))
	}
}

// TestSecretRedaction covers every printing path a token could take.
func TestSecretRedaction(t *testing.T) {
	const tok = "11aa22bb33cc-s3cret"
	s := NewSecret(tok)
	in := Integration{Nickname: "A", Token: s}
	var outputs []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outputs = append(outputs, fmt.Sprintf(f, s), fmt.Sprintf(f, in), fmt.Sprintf(f, &in))
	}
	outputs = append(outputs, s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintln(s, in))
	for _, v := range []any{s, in, &in, map[string]Secret{"t": s}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(b))
	}
	if b, err := s.MarshalText(); err == nil {
		outputs = append(outputs, string(b))
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("x", "token", s, "integration", in, "any", any(s))
		l.Info("y", slog.Any("tok", s), slog.Group("g", "t", s))
	}
	outputs = append(outputs, buf.String())
	err := fmt.Errorf("wrapped: %v / %w", s, errors.New(s.String()))
	outputs = append(outputs, err.Error())
	for _, o := range outputs {
		if strings.Contains(o, tok) || strings.Contains(o, fmt.Sprintf("%x", tok)) {
			t.Errorf("token leaked: %s", o)
		}
	}
	if !strings.Contains(fmt.Sprint(s), "[redacted]") {
		t.Errorf("redaction marker missing: %s", fmt.Sprint(s))
	}
	if s.Reveal() != tok {
		t.Errorf("Reveal lost the token")
	}
}

func TestDefaultPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/a"}
	get := func(k string) string { return env[k] }
	if p := DefaultPath(get); p != "/home/a/.config/jeeves/config.toml" {
		t.Errorf("home: %s", p)
	}
	env["XDG_CONFIG_HOME"] = "/x"
	if p := DefaultPath(get); p != "/x/jeeves/config.toml" {
		t.Errorf("xdg: %s", p)
	}
	env["JEEVES_CONFIG"] = "/j.toml"
	if p := DefaultPath(get); p != "/j.toml" {
		t.Errorf("env: %s", p)
	}
}
