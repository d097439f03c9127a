package jenkinstest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

const seriesWorld = `
[[user]]
id = "u"
tokens = ["t"]
[[job]]
path = "api"
kind = "freestyle"
console_pass = "pass.txt"
[job.history]
series = "h/index.json"
count = 3
outcomes = { SUCCESS = 1.0 }
[[job.artifact]]
path = "out/newman.json"
pass = "pass.json"
`

// A series gives builds their own result, artifacts (gzipped or not) and
// console text; the builds it does not list use pass/fail as before.
func TestHistorySeries(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "h"), 0o700)
	files := map[string][]byte{
		"pass.json":       []byte(`"pass"`),
		"pass.txt":        []byte("generic console"),
		"h/two.json.gz":   gz(t, `"two"`),
		"h/two.txt":       []byte("console of two"),
		"h/index.json":    []byte(`{"builds":[{"number":2,"result":"UNSTABLE","console":"two.txt","artifacts":{"out/newman.json":"two.json.gz"}},{"number":3,"result":"ABORTED"}]}`),
		"w.toml":          []byte(seriesWorld),
		"bad/index.json":  []byte(`{"builds":[{"number":1,"result":"GREAT"}]}`),
		"bad2/index.json": []byte(`{"builds":[{"number":1,"result":"SUCCESS"},{"number":1,"result":"SUCCESS"}]}`),
	}
	for name, b := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w, err := LoadWorld(filepath.Join(dir, "w.toml"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, w)
	for _, c := range []struct{ path, want string }{
		{"/job/api/1/artifact/out/newman.json", `"pass"`},
		{"/job/api/2/artifact/out/newman.json", `"two"`},
		{"/job/api/2/api/json?tree=result", `"UNSTABLE"`},
		{"/job/api/3/api/json?tree=result", `"ABORTED"`},
		{"/job/api/2/consoleText", "console of two"},
		{"/job/api/1/consoleText", "generic console"},
	} {
		r := f.do("GET", c.path, "u", "t", nil)
		if r.code != 200 || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d %q, want %q", c.path, r.code, r.body, c.want)
		}
	}
	if r := f.do("GET", "/job/api/3/artifact/out/newman.json", "u", "t", nil); r.code != 404 {
		t.Errorf("an aborted build has no artifacts: %d", r.code)
	}
	for _, bad := range []struct{ dir, want string }{
		{"bad", `unknown result "GREAT"`},
		{"bad2", "given twice"},
		{"missing", "no such file"},
	} {
		p := filepath.Join(dir, bad.dir+".toml")
		os.WriteFile(p, []byte(strings.Replace(seriesWorld, "h/index.json", bad.dir+"/index.json", 1)), 0o600)
		if _, err := LoadWorld(p); err == nil || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), "history.series") {
			t.Errorf("%s: err %v, want %q", bad.dir, err, bad.want)
		}
	}
}
