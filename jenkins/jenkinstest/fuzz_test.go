package jenkinstest

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func sampleObj() *obj {
	build := func(n int) *obj {
		return newObj("hudson.model.FreeStyleBuild").addv("number", visHigh, n).addv("url", visName, "u/").add("result", "SUCCESS")
	}
	var builds []any
	for i := range 5 {
		builds = append(builds, build(5-i))
	}
	return newObj("hudson.model.FreeStyleProject").
		addv("name", visName, "j").
		add("builds", builds).
		addv("allBuilds", treeOnly, func() any { return builds }).
		add("lastBuild", build(5)).
		add("property", []any{newObj("p").addv("parameterDefinitions", visHigh, []any{newObj("d").add("name", "X").add("choices", []any{"a", "b"})})}).
		addInline("inline", []any{newObj("i").add("deep", newObj("z").add("v", 1))})
}

// FuzzParseTree checks that any tree= expression either fails cleanly or
// selects valid JSON.
func FuzzParseTree(f *testing.F) {
	for _, s := range []string{"jobs[name,url,color]", "builds[number]{0,10}", "allBuilds[number]{100,}", "a[b[c[d]]]", "*", "x{3}", "jobs{,2}", "a,b,c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tree string) {
		body, err := renderAPI(sampleObj(), tree, true, "")
		if err != nil {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("tree %q gave invalid JSON %s", tree, body)
		}
	})
}

func TestTreeGrammar(t *testing.T) {
	cases := map[string]string{
		"name":                         `{"_class":"hudson.model.FreeStyleProject","name":"j"}`,
		"builds[number]{1,3}":          `{"_class":"hudson.model.FreeStyleProject","builds":[{"_class":"hudson.model.FreeStyleBuild","number":4},{"_class":"hudson.model.FreeStyleBuild","number":3}]}`,
		"builds[number]{3}":            `{"_class":"hudson.model.FreeStyleProject","builds":[{"_class":"hudson.model.FreeStyleBuild","number":2}]}`,
		"builds[number]{,1}":           `{"_class":"hudson.model.FreeStyleProject","builds":[{"_class":"hudson.model.FreeStyleBuild","number":5}]}`,
		"builds[number]{4,}":           `{"_class":"hudson.model.FreeStyleProject","builds":[{"_class":"hudson.model.FreeStyleBuild","number":1}]}`,
		"builds[number]{9,12}":         `{"_class":"hudson.model.FreeStyleProject","builds":[]}`,
		"allBuilds[result]{0,1}":       `{"_class":"hudson.model.FreeStyleProject","allBuilds":[{"_class":"hudson.model.FreeStyleBuild","result":"SUCCESS"}]}`,
		" name , lastBuild [ number ]": `{"_class":"hudson.model.FreeStyleProject","name":"j","lastBuild":{"_class":"hudson.model.FreeStyleBuild","number":5}}`,
		"property[*[name]]":            `{"_class":"hudson.model.FreeStyleProject","property":[{"_class":"p","parameterDefinitions":[{"_class":"d","name":"X"}]}]}`,
	}
	for tree, want := range cases {
		got, err := renderAPI(sampleObj(), tree, true, "")
		if err != nil || string(got) != want {
			t.Errorf("tree=%q:\n got %s (%v)\nwant %s", tree, got, err, want)
		}
	}
	// depth: inline values do not count as a level
	got, _ := renderAPI(sampleObj(), "", false, "0")
	want := `{"_class":"hudson.model.FreeStyleProject","name":"j","builds":[{"_class":"hudson.model.FreeStyleBuild","number":5,"url":"u/"},{"_class":"hudson.model.FreeStyleBuild","number":4,"url":"u/"},{"_class":"hudson.model.FreeStyleBuild","number":3,"url":"u/"},{"_class":"hudson.model.FreeStyleBuild","number":2,"url":"u/"},{"_class":"hudson.model.FreeStyleBuild","number":1,"url":"u/"}],"lastBuild":{"_class":"hudson.model.FreeStyleBuild","number":5,"url":"u/"},"property":[{"_class":"p","parameterDefinitions":[{"_class":"d"}]}],"inline":[{"_class":"i","deep":{"_class":"z"}}]}`
	if string(got) != want {
		t.Errorf("depth 0:\n got %s\nwant %s", got, want)
	}
}

// FuzzParseJUnit checks that the JUnit reader never panics and that what it
// accepts renders as valid JSON with consistent counts.
func FuzzParseJUnit(f *testing.F) {
	for _, n := range []string{"newman-fail.xml", "postman-cli-pass.xml"} {
		b, err := DemoFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<testsuite name="s" package="org.spectral"><testcase name="" classname="a.b"><skipped message="m"/></testcase><error message="e"/></testsuite>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := parseJUnit(data)
		if err != nil {
			return
		}
		n := 0
		for _, s := range rep.suites {
			n += len(s.cases)
		}
		if n != rep.passCount+rep.failCount+rep.skipCount {
			t.Fatalf("counts %d+%d+%d for %d cases", rep.passCount, rep.failCount, rep.skipCount, n)
		}
		body, err := renderAPI(rep.obj(), "", false, "")
		if err != nil || !json.Valid(body) {
			t.Fatalf("invalid JSON: %v", err)
		}
	})
}

func TestJUnitAsJenkinsRecordsIt(t *testing.T) {
	b, _ := DemoFile("newman-fail.xml")
	rep, err := parseJUnit(b)
	if err != nil {
		t.Fatal(err)
	}
	if rep.failCount != 9 || rep.passCount != 16 || rep.skipCount != 0 {
		t.Fatalf("counts: fail %d pass %d skip %d", rep.failCount, rep.passCount, rep.skipCount)
	}
	var names []string
	for _, s := range rep.suites {
		names = append(names, s.name)
	}
	// suite names are made safe (junit >= 1422): "Orders / Admin / Delete order" -> underscores
	found := false
	for _, n := range names {
		if n == "Orders___Admin___Delete_order" {
			found = true
		}
	}
	if !found {
		t.Fatalf("safe suite names: %v", names)
	}
	rep2, err := parseJUnit([]byte(`<testsuite name="s" package="org.spectral"><testcase name="" classname="a.b"><skipped message="m"/></testcase></testsuite><!-- -->`))
	if err != nil || rep2.suites[0].name != "org.spectral.s" || rep2.suites[0].cases[0].name != "(?)" || rep2.skipCount != 1 {
		t.Fatalf("single suite: %+v %v", rep2, err)
	}
	rep3, _ := parseJUnit([]byte(`<testsuites><testsuite name="empty"><system-err>ECONNREFUSED</system-err></testsuite></testsuites>`))
	if len(rep3.suites) != 0 {
		t.Fatal("a suite without testcase or error must be dropped")
	}
}

// FuzzParseWorld checks that a world file either fails with an error or
// makes a server that answers: New never panics on an accepted world.
func FuzzParseWorld(f *testing.F) {
	demo, err := demoFS.ReadFile("demo/world.toml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo, false)
	f.Add([]byte(`{"seed":1,"users":[{"id":"u","tokens":["t"]}],"jobs":[{"path":"a/b","kind":"freestyle","history":{"count":3,"running":1}}]}`), true)
	f.Add([]byte("[[job]]\npath = \"m\"\nkind = \"multibranch\"\nbranches = [\"\", \".\", \"a/b\"]\n[job.history]\ncount = 5\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		w, err := ParseWorld(data, isJSON)
		if err != nil {
			return
		}
		s := New(w, WithNow(newClock().now))
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api/json?tree=jobs[name,color,builds[number,result]{0,5},jobs[name,lastBuild[number]]]", nil)
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 403 {
			t.Fatalf("root: %d", rec.Code)
		}
	})
}
