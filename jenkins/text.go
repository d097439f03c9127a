package jenkins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jeeves-dev/jeeves/internal/termtext"
)

// JobPath turns a job's full name "a/b/c" into the URL path
// "/job/a/job/b/job/c" (escaped, without a trailing slash). Every name is
// percent-encoded as one path segment, so a multibranch branch whose Jenkins
// name is already encoded ("feature%2Fx") becomes "feature%252Fx", as in
// Jenkins's own URLs; spaces and non-ASCII names are encoded as UTF-8.
func JobPath(fullName string) (string, error) {
	name := strings.Trim(strings.TrimSpace(fullName), "/")
	if name == "" {
		return "", fmt.Errorf("no job name given")
	}
	var b strings.Builder
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("job %q: %q is not a job name (use the full name through folders, like a/b/c)", fullName, seg)
		}
		b.WriteString("/job/")
		b.WriteString(escapeSegment(seg))
	}
	return b.String(), nil
}

// escapeSegment percent-encodes everything but RFC 3986 unreserved characters,
// so no character can be read as a path, parameter (";") or query delimiter.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// escapePath escapes a relative file path ("dir/a b.json") segment by segment.
func escapePath(rel string) (string, error) {
	rel = strings.TrimLeft(rel, "/")
	if rel == "" {
		return "", fmt.Errorf("no file path given")
	}
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		if p == "" || p == "." || p == ".." {
			return "", fmt.Errorf("artifact path %q is not a relative path", rel)
		}
		parts[i] = escapeSegment(p)
	}
	return strings.Join(parts, "/"), nil
}

var (
	titleRe  = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	scriptRe = regexp.MustCompile(`(?is)<(script|style|head)[^>]*>.*?</(script|style|head)>`)
	tagRe    = regexp.MustCompile(`(?s)<[^>]*>`)
)

// pageTitle finds what an error page says: its <title>, else for a small
// page its visible text, else a JSON "message".
func pageTitle(page []byte) string {
	if m := titleRe.FindSubmatch(page); m != nil {
		return html.UnescapeString(string(m[1]))
	}
	trimmed := bytes.TrimSpace(page)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var j struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(trimmed, &j) == nil && j.Message != "" {
			return j.Message
		}
	}
	if len(trimmed) > 0 && len(trimmed) <= 4096 && bytes.Contains(trimmed, []byte("<")) {
		text := scriptRe.ReplaceAll(trimmed, nil)
		text = tagRe.ReplaceAll(text, []byte(" "))
		return html.UnescapeString(string(text))
	}
	return ""
}

// clean makes server or error text safe for one line of output: no control
// characters or escape sequences, no token, no more than 200 characters.
func (c *Client) clean(s string) string {
	s = termtext.Clean(s)
	if tok := c.token.Reveal(); len(tok) >= 4 {
		s = strings.ReplaceAll(s, tok, "[redacted]")
	}
	s = oneLine(s)
	if utf8.RuneCountInString(s) > 200 {
		r := []rune(s)
		s = string(r[:199]) + "…"
	}
	return s
}
