package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Error is a configuration problem at a position in a file.
type Error struct {
	File string
	Line int // 1-based; 0 when the problem is the file as a whole
	Col  int // 1-based
	Msg  string
	Fix  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Fix != "" {
		b.WriteString("; fix: ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// DefaultPath is where the config lives when --config is not given:
// $JEEVES_CONFIG, else $XDG_CONFIG_HOME/jeeves/config.toml, else
// ~/.config/jeeves/config.toml.
func DefaultPath(getenv func(string) string) string {
	if p := getenv("JEEVES_CONFIG"); p != "" {
		return p
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "jeeves", "config.toml")
	}
	home := getenv("HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = h
		}
	}
	return filepath.Join(home, ".config", "jeeves", "config.toml")
}

// Load reads and validates the config file at path. A missing file gives an
// error for which errors.Is(err, fs.ErrNotExist) is true.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such config file; fix: create it (see config.example.toml) or pass --config: %w", path, fs.ErrNotExist)
		}
		return nil, &Error{File: path, Msg: "cannot read config: " + errText(err), Fix: "check the path and its permissions"}
	}
	var mode fs.FileMode
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	return Parse(path, data, mode)
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse validates config text as if read from file (mode is the file's
// permission bits, used to warn about readable inline tokens; 0 skips it).
func Parse(file string, data []byte, mode fs.FileMode) (*Config, error) {
	var raw map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: file, Line: pe.Position.Line, Col: max(pe.Position.Col, 1),
				Msg: "TOML syntax error: " + pe.Message, Fix: syntaxFix(pe)}
		}
		return nil, &Error{File: file, Msg: "TOML syntax error: " + err.Error(), Fix: "check the file against config.example.toml"}
	}
	v := &validator{file: file, pos: indexPositions(data), dir: filepath.Dir(file)}
	cfg, err := v.config(raw)
	if err != nil {
		return nil, err
	}
	cfg.Path = file
	if mode != 0 && mode&0o077 != 0 {
		for _, in := range cfg.Integrations {
			if !in.Token.IsZero() {
				cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("%s: holds an API token but is readable by group or others (mode %04o); fix: chmod 600 %s", file, mode, file))
				break
			}
		}
	}
	return cfg, nil
}

func syntaxFix(pe toml.ParseError) string {
	m := pe.Message
	switch {
	case strings.Contains(m, "expected value") || strings.Contains(m, "unexpected") && strings.Contains(m, "value"):
		return `put a value after '=': strings in double quotes, e.g. key = "value"`
	case strings.Contains(m, "already been defined") || strings.Contains(m, "redefin"):
		return "remove the duplicate key or table"
	case strings.Contains(m, "unexpected EOF") || strings.Contains(m, "unterminated") || strings.Contains(m, "newline"):
		return "close the string, array or table that is still open"
	}
	return "check the file against config.example.toml"
}

// keyPos is where a key starts in the file.
type keyPos struct{ line, col int }

// indexPositions maps dotted key paths ("refresh", "integration[1].url") to
// their positions, by a light scan of the TOML text. Table headers are keyed
// by their path too ("integration[1]").
func indexPositions(data []byte) map[string]keyPos {
	pos := map[string]keyPos{}
	prefix := ""
	counts := map[string]int{}
	// A UTF-8 byte order mark (Windows editors write one) is not part of the
	// first line's text: TOML ignores it, so must the positions.
	lines := strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\n")
	inMulti := "" // the delimiter of an open multi-line string
	for i, line := range lines {
		ln := i + 1
		if inMulti != "" {
			if strings.Contains(line, inMulti) {
				inMulti = ""
			}
			continue
		}
		trim := strings.TrimLeft(line, " \t")
		col := len(line) - len(trim) + 1
		switch {
		case trim == "" || strings.HasPrefix(trim, "#"):
			continue
		case strings.HasPrefix(trim, "[["):
			end := strings.Index(trim, "]]")
			if end < 0 {
				continue
			}
			name := normKey(trim[2:end])
			idx := counts[name]
			counts[name]++
			prefix = fmt.Sprintf("%s[%d]", name, idx)
			pos[prefix] = keyPos{ln, col}
			continue
		case strings.HasPrefix(trim, "["):
			end := strings.Index(trim, "]")
			if end < 0 {
				continue
			}
			prefix = normKey(trim[1:end])
			pos[prefix] = keyPos{ln, col}
			continue
		}
		eq := keyEnd(trim)
		if eq < 0 {
			continue
		}
		key := normKey(trim[:eq])
		full := key
		if prefix != "" {
			full = prefix + "." + key
		}
		if _, seen := pos[full]; !seen {
			pos[full] = keyPos{ln, col}
		}
		rest := trim[eq+1:]
		for _, d := range []string{`"""`, `'''`} {
			if strings.Count(rest, d) == 1 {
				inMulti = d
			}
		}
	}
	return pos
}

// keyEnd finds the '=' that ends a key, skipping quoted key parts.
func keyEnd(s string) int {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '=':
			return i
		}
	}
	return -1
}

// normKey turns `a . "b c"` into `a.b c`.
func normKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		p = strings.Trim(p, `"'`)
		parts[i] = p
	}
	return strings.Join(parts, ".")
}

type validator struct {
	file string
	dir  string
	pos  map[string]keyPos
}

func (v *validator) errAt(key, msg, fix string) error {
	p, ok := v.pos[key]
	if !ok {
		p, ok = v.pos[key+"[0]"] // an array table header
	}
	for !ok && key != "" {
		// fall back to the enclosing table
		i := strings.LastIndexAny(key, ".")
		if i < 0 {
			break
		}
		key = key[:i]
		p, ok = v.pos[key]
	}
	return &Error{File: v.file, Line: p.line, Col: max(p.col, 1), Msg: msg, Fix: fix}
}

var topKeys = []string{"refresh", "integration", "serve"}

var integrationKeys = []string{"nickname", "url", "username", "token_env", "token_cmd", "token", "job",
	"collections", "governance", "ca_file", "insecure", "headers", "timeout"}

func (v *validator) config(raw map[string]any) (*Config, error) {
	cfg := &Config{Refresh: DefaultRefresh}
	if err := v.unknownKeys("", raw, topKeys); err != nil {
		return nil, err
	}
	if r, ok := raw["refresh"]; ok {
		d, err := v.duration("refresh", r)
		if err != nil {
			return nil, err
		}
		if d < time.Second {
			return nil, v.errAt("refresh", fmt.Sprintf("refresh %q is too short", d), `use at least "1s", e.g. refresh = "15s"`)
		}
		cfg.Refresh = d
	}
	if ri, ok := raw["integration"]; ok {
		list, ok := ri.([]map[string]any)
		if !ok {
			return nil, v.errAt("integration", "integration must be an array of tables", "write each one under its own [[integration]] header")
		}
		seen := map[string]string{}
		for i, m := range list {
			in, err := v.integration(i, m)
			if err != nil {
				return nil, err
			}
			k := strings.ToLower(in.Nickname)
			if _, dup := seen[k]; dup {
				return nil, v.errAt(fmt.Sprintf("integration[%d].nickname", i),
					fmt.Sprintf("duplicate nickname %q (also used by an earlier integration)", in.Nickname),
					"give each integration its own nickname")
			}
			seen[k] = in.Nickname
			cfg.Integrations = append(cfg.Integrations, in)
		}
	}
	if rs, ok := raw["serve"]; ok {
		s, err := v.serve(rs)
		if err != nil {
			return nil, err
		}
		cfg.Serve = s
	}
	return cfg, nil
}

func (v *validator) unknownKeys(prefix string, m map[string]any, known []string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { // report the first one in the file
		pa, pb := v.pos[join(prefix, keys[a])], v.pos[join(prefix, keys[b])]
		if pa.line != pb.line {
			return pa.line < pb.line
		}
		return keys[a] < keys[b]
	})
	for _, k := range keys {
		if contains(known, k) {
			continue
		}
		fix := "remove it; known keys: " + strings.Join(known, ", ")
		if s := nearest(k, known); s != "" {
			fix = fmt.Sprintf("did you mean %q?", s)
		}
		where := "at the top level"
		switch {
		case strings.HasPrefix(prefix, "serve.user"):
			where = "in [[serve.user]]"
		case prefix == "serve":
			where = "in [serve]"
		case prefix != "":
			where = "in [[integration]]"
		}
		return v.errAt(join(prefix, k), fmt.Sprintf("unknown key %q %s", k, where), fix)
	}
	return nil
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *validator) str(key string, val any) (string, error) {
	s, ok := val.(string)
	if !ok {
		return "", v.errAt(key, fmt.Sprintf("%s must be a string, not %s", lastPart(key), tomlType(val)), fmt.Sprintf(`quote the value: %s = "..."`, lastPart(key)))
	}
	return s, nil
}

func (v *validator) strList(key string, val any) ([]string, error) {
	arr, ok := val.([]any)
	if !ok {
		if _, isStr := val.(string); isStr {
			return nil, v.errAt(key, fmt.Sprintf("%s must be an array of strings, not a string", lastPart(key)), fmt.Sprintf(`put it in brackets: %s = ["..."]`, lastPart(key)))
		}
		return nil, v.errAt(key, fmt.Sprintf("%s must be an array of strings, not %s", lastPart(key), tomlType(val)), fmt.Sprintf(`write %s = ["pattern/*.json"]`, lastPart(key)))
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, v.errAt(key, fmt.Sprintf("%s must hold only strings, found %s", lastPart(key), tomlType(x)), "quote every pattern")
		}
		out = append(out, s)
	}
	return out, nil
}

func (v *validator) duration(key string, val any) (time.Duration, error) {
	s, ok := val.(string)
	if !ok {
		return 0, v.errAt(key, fmt.Sprintf("%s must be a duration string, not %s", lastPart(key), tomlType(val)), fmt.Sprintf(`write it with a unit, e.g. %s = "15s"`, lastPart(key)))
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, v.errAt(key, fmt.Sprintf("%s %q is not a valid duration", lastPart(key), s), `use a number with a unit: "30s", "2m", "1h"`)
	}
	return d, nil
}

func lastPart(key string) string {
	if i := strings.LastIndex(key, "."); i >= 0 {
		return key[i+1:]
	}
	return key
}

func tomlType(val any) string {
	switch val.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date-time"
	}
	return fmt.Sprintf("%T", val)
}

func (v *validator) integration(i int, m map[string]any) (Integration, error) {
	p := fmt.Sprintf("integration[%d]", i)
	in := Integration{Source: "config", Timeout: 20 * time.Second}
	if err := v.unknownKeys(p, m, integrationKeys); err != nil {
		return in, err
	}
	var err error
	getStr := func(k string, dst *string) {
		if err != nil {
			return
		}
		if val, ok := m[k]; ok {
			*dst, err = v.str(p+"."+k, val)
		}
	}
	getStr("nickname", &in.Nickname)
	getStr("url", &in.URL)
	getStr("username", &in.Username)
	getStr("token_env", &in.TokenEnv)
	getStr("token_cmd", &in.TokenCmd)
	var tok string
	getStr("token", &tok)
	getStr("job", &in.Job)
	getStr("ca_file", &in.CAFile)
	if err != nil {
		return in, err
	}
	in.Token = NewSecret(tok)
	if val, ok := m["collections"]; ok {
		if in.Collections, err = v.strList(p+".collections", val); err != nil {
			return in, err
		}
	}
	if val, ok := m["governance"]; ok {
		if in.Governance, err = v.strList(p+".governance", val); err != nil {
			return in, err
		}
	}
	if val, ok := m["insecure"]; ok {
		b, ok := val.(bool)
		if !ok {
			return in, v.errAt(p+".insecure", "insecure must be true or false, not "+tomlType(val), "write insecure = true (unquoted) or remove it")
		}
		in.Insecure = b
	}
	if val, ok := m["timeout"]; ok {
		if in.Timeout, err = v.duration(p+".timeout", val); err != nil {
			return in, err
		}
	}
	if val, ok := m["headers"]; ok {
		hm, ok := val.(map[string]any)
		if !ok {
			return in, v.errAt(p+".headers", "headers must be a table of strings, not "+tomlType(val), `write headers = { "X-Header" = "value" }`)
		}
		in.Headers = map[string]string{}
		for k, hv := range hm {
			s, ok := hv.(string)
			if !ok {
				return in, v.errAt(p+".headers", fmt.Sprintf("header %q must be a string, not %s", k, tomlType(hv)), "quote the header value")
			}
			if strings.ContainsAny(k, "\r\n: ") || strings.ContainsAny(s, "\r\n") || k == "" {
				return in, v.errAt(p+".headers", fmt.Sprintf("header %q is not a valid HTTP header", k), "use a plain header name and a one-line value")
			}
			if strings.EqualFold(k, "Authorization") {
				return in, v.errAt(p+".headers", "the Authorization header is set by jeeves from username and token", "remove it from headers")
			}
			in.Headers[k] = s
		}
	}
	return in, v.check(p, m, &in)
}

func (v *validator) check(p string, m map[string]any, in *Integration) error {
	name := in.Nickname
	if name == "" {
		name = in.Job
	}
	label := "integration"
	if name != "" {
		label = fmt.Sprintf("integration %q", name)
	}
	if in.URL == "" {
		return v.errAt(p, label+" has no url", `add url = "https://jenkins.example.com"`)
	}
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return v.errAt(p+".url", fmt.Sprintf("url %q is not an http(s) URL", in.URL), `write the Jenkins address with its scheme, e.g. "https://jenkins.example.com"`)
	}
	if u.User != nil {
		return v.errAt(p+".url", "url must not contain credentials", "put the user in username and the token in token_env, token_cmd or token")
	}
	in.URL = strings.TrimRight(in.URL, "/")
	if in.Username == "" {
		return v.errAt(p, label+" has no username", `add username = "your Jenkins user id"`)
	}
	if in.Job == "" {
		return v.errAt(p, label+" has no job", `add job = "folder/job" (the job's full name through folders)`)
	}
	job := strings.Trim(in.Job, "/")
	if strings.HasPrefix(job, "job/") || strings.Contains(job, "/job/") {
		return v.errAt(p+".job", fmt.Sprintf("job %q looks like a URL path", in.Job), `write the full name without "job/": "a/b/c"`)
	}
	for _, seg := range strings.Split(in.Job, "/") {
		if strings.TrimSpace(seg) == "" {
			return v.errAt(p+".job", fmt.Sprintf("job %q has an empty segment", in.Job), `write the full name through folders without empty parts, e.g. "payments/api-tests"`)
		}
	}
	if in.Nickname == "" {
		in.Nickname = in.Job
	}
	n := 0
	var srcs []string
	for _, k := range []string{"token_env", "token_cmd", "token"} {
		if _, ok := m[k]; ok {
			n++
			srcs = append(srcs, k)
		}
	}
	if n > 1 {
		return v.errAt(p+"."+srcs[1], fmt.Sprintf("%s sets both %s and %s", label, srcs[0], srcs[1]), "keep exactly one token source")
	}
	if n == 0 {
		return v.errAt(p, label+" has no API token source", `add token_env = "JENKINS_TOKEN" (or token_cmd, or token in a 0600 file)`)
	}
	if in.CAFile != "" {
		f := expandHome(in.CAFile)
		if !filepath.IsAbs(f) {
			f = filepath.Join(v.dir, f)
		}
		if _, err := os.Stat(f); err != nil {
			return v.errAt(p+".ca_file", fmt.Sprintf("ca_file %q: %s", in.CAFile, errText(err)), "point it at a readable PEM bundle or remove it")
		}
		in.CAFile = f
	}
	return nil
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, p[2:])
		}
	}
	return p
}

// nearest returns the known key closest to k, if it is close enough to be a typo.
func nearest(k string, known []string) string {
	best, bestD := "", 1<<30
	for _, c := range known {
		d := levenshtein(strings.ToLower(k), c)
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(k) > 8 {
		limit = 3
	}
	if bestD <= limit || strings.HasPrefix(best, k) || strings.HasPrefix(k, best) {
		return best
	}
	return ""
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// TokenCmdTimeout bounds how long token_cmd may run.
var TokenCmdTimeout = 10 * time.Second

// ResolveToken returns the integration's API token from its source. Errors
// never contain the token or the command's output.
func (i Integration) ResolveToken(ctx context.Context) (Secret, error) {
	return i.resolveToken(ctx, os.Getenv)
}

// ResolveTokenEnv is ResolveToken with an explicit environment lookup.
func (i Integration) ResolveTokenEnv(ctx context.Context, getenv func(string) string) (Secret, error) {
	return i.resolveToken(ctx, getenv)
}

func (i Integration) resolveToken(ctx context.Context, getenv func(string) string) (Secret, error) {
	switch {
	case i.TokenEnv != "":
		t := strings.TrimSpace(getenv(i.TokenEnv))
		if t == "" {
			return Secret{}, fmt.Errorf("integration %q: environment variable %s is empty or not set; fix: export %s=<your Jenkins API token>", i.Nickname, i.TokenEnv, i.TokenEnv)
		}
		return NewSecret(t), nil
	case i.TokenCmd != "":
		ctx, cancel := context.WithTimeout(ctx, TokenCmdTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", "-c", i.TokenCmd)
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = nil // never echoed: it may hold the secret
		cmd.WaitDelay = time.Second
		err := cmd.Run()
		if ctx.Err() == context.DeadlineExceeded {
			return Secret{}, fmt.Errorf("integration %q: token_cmd did not finish within %s; fix: make the command non-interactive (its output is not shown)", i.Nickname, TokenCmdTimeout)
		}
		if ctx.Err() != nil { // Ctrl-C: not "exited with status -1"
			return Secret{}, fmt.Errorf("integration %q: token_cmd was interrupted", i.Nickname)
		}
		if err != nil {
			code := "it failed to start"
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = fmt.Sprintf("it exited with status %d", ee.ExitCode())
			}
			return Secret{}, fmt.Errorf("integration %q: token_cmd failed: %s; fix: run the command yourself to see why (its output is not shown here)", i.Nickname, code)
		}
		t := strings.TrimSpace(strings.SplitN(out.String(), "\n", 2)[0])
		if t == "" {
			return Secret{}, fmt.Errorf("integration %q: token_cmd printed nothing; fix: make it print the token on its first line", i.Nickname)
		}
		return NewSecret(t), nil
	case !i.Token.IsZero():
		return i.Token, nil
	}
	return Secret{}, fmt.Errorf("integration %q has no API token source; fix: set token_env, token_cmd or token", i.Nickname)
}
