package jenkins

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
)

// Seeds live in testdata/fuzz/<FuzzName>/ (real build JSON, error pages, job names).

// FuzzDecodeBuild: any JSON a server sends decodes without panicking, a
// running build is never reported finished, and no password value survives.
func FuzzDecodeBuild(f *testing.F) {
	f.Add([]byte(`{"number":1,"building":true,"result":"SUCCESS","actions":[{"parameters":[{"_class":"hudson.model.PasswordParameterValue","name":"P","value":"s3cret"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var w wireBuild
		if json.Unmarshal(data, &w) != nil {
			return
		}
		b := w.toBuild("u")
		if (b.Status == StatusRunning) != (w.Building || w.InProgress) || b.Building != (b.Status == StatusRunning) {
			t.Fatalf("status %s for building=%v inProgress=%v", b.Status, w.Building, w.InProgress)
		}
		for _, p := range b.Params {
			if p.Masked && p.Value != "" {
				t.Fatalf("password value kept: %+v", p)
			}
		}
		if b.EstimatedDuration < 0 {
			t.Fatalf("negative estimate %v", b.EstimatedDuration)
		}
	})
}

// FuzzErrorPageTitle: whatever page a server sends, the text jeeves puts in
// an error is one clean line without the token.
func FuzzErrorPageTitle(f *testing.F) {
	f.Add([]byte("<html><head><title>Error 403 No valid crumb was included in the request</title></head></html>"))
	c := &Client{token: config.NewSecret(testToken)}
	f.Fuzz(func(t *testing.T, page []byte) {
		got := c.clean(pageTitle(append(page, testToken...)))
		if !termtext.IsClean(got) || strings.Contains(got, testToken) || utf8.RuneCountInString(got) > 200 || strings.Contains(got, "  ") {
			t.Fatalf("unclean title %q", got)
		}
	})
}

// FuzzJobPath: an accepted name becomes a path of only safe characters, and
// Jenkins (unescaping each segment once) sees exactly the names given.
func FuzzJobPath(f *testing.F) {
	f.Add("orders/feature%2Flogin")
	f.Fuzz(func(t *testing.T, name string) {
		p, err := JobPath(name)
		if err != nil {
			return
		}
		for _, r := range p {
			if !(r == '/' || r == '%' || r == '-' || r == '.' || r == '_' || r == '~' || r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')) {
				t.Fatalf("%q -> %q has %q", name, p, r)
			}
		}
		var got []string
		for _, seg := range strings.Split(strings.TrimPrefix(p, "/job/"), "/job/") {
			u, err := url.PathUnescape(seg)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, u)
		}
		if strings.Join(got, "/") != strings.Trim(strings.TrimSpace(name), "/") {
			t.Fatalf("%q -> %q -> %q", name, p, got)
		}
	})
}
