package snippet_test

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jeeves-dev/jeeves/snippet"
	"github.com/jeeves-dev/jeeves/snippet/snippettest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const uid = "12345678-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

var goldenCases = []struct {
	name string
	o    snippet.Options
}{
	{"newman-linux", snippet.Options{Tool: snippet.Newman, OS: snippet.Linux,
		Collection: "api/orders.postman_collection.json", Environment: "api/local.postman_environment.json", Lint: "api/openapi.yaml"}},
	{"newman-macos-collection-only", snippet.Options{Tool: snippet.Newman, OS: snippet.MacOS,
		Collection: "tests/Payments API.json"}},
	{"newman-linux-postman-uids", snippet.Options{Tool: snippet.Newman, OS: snippet.Linux,
		Collection: uid, Environment: "12345678-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}},
	{"newman-windows", snippet.Options{Tool: snippet.Newman, OS: snippet.Windows,
		Collection: `api\orders.postman_collection.json`, Environment: "api/local.postman_environment.json", Lint: "api/openapi.yaml"}},
	{"postman-cli-linux", snippet.Options{Tool: snippet.PostmanCLI, OS: snippet.Linux,
		Collection: "api/orders.postman_collection.json", Environment: "api/local.postman_environment.json", Lint: "api/openapi.yaml"}},
	{"postman-cli-macos-quoting", snippet.Options{Tool: snippet.PostmanCLI, OS: snippet.MacOS,
		Collection: "api/it's $HOME.json", Lint: `specs/a "b" \c.yaml`, CredentialsID: "team's postman key"}},
	{"postman-cli-windows", snippet.Options{Tool: snippet.PostmanCLI, OS: snippet.Windows,
		Collection: uid, Environment: `envs\staging & qa.json`, Lint: `specs\open api.yaml`}},
	{"defaults", snippet.Options{Collection: "orders.json"}},
}

// TestGenerateGolden pins the text of the stage for each tool and OS.
// Regenerate with: go test ./snippet -run Golden -update
func TestGenerateGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := snippet.Generate(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", tc.name+".groovy")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("stage differs from %s (run with -update if intended):\n%s", path, got)
			}
		})
	}
}

// TestStageStructure checks what every stage must do, whatever the options.
func TestStageStructure(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			text, err := snippet.Generate(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			st, err := snippettest.Parse(text)
			if err != nil {
				t.Fatalf("the stage does not read back: %v\n%s", err, text)
			}
			tool, os := tc.o.Tool, tc.o.OS
			if tool == "" {
				tool = snippet.PostmanCLI
			}
			if os == "" {
				os = snippet.Linux
			}
			wantKind := "sh"
			if os == snippet.Windows {
				wantKind = "bat"
			}
			dir, reports := snippet.Files(tc.o)
			if st.Archive != dir+"/**" || !st.AllowEmptyArchive {
				t.Errorf("archiveArtifacts %q (allowEmpty %v), want %q allowing empty", st.Archive, st.AllowEmptyArchive, dir+"/**")
			}
			if st.JUnit != dir+"/*-junit.xml" || !st.AllowEmptyResults {
				t.Errorf("junit %q (allowEmpty %v), want %q allowing empty results", st.JUnit, st.AllowEmptyResults, dir+"/*-junit.xml")
			}
			if len(st.PathAdds) != 1 || !strings.HasPrefix(st.PathAdds[0], "${env.WORKSPACE}") {
				t.Errorf("PATH additions %q, want the workspace's tools", st.PathAdds)
			}
			usesKey := false
			ranCollection := false
			for _, s := range st.Steps {
				if s.Kind != wantKind {
					t.Errorf("%s step on %s: %q", s.Kind, os, s.Script)
				}
				if strings.Contains(s.Script, snippet.APIKeyVariable) {
					usesKey = true
					if !s.WithCredentials {
						t.Errorf("step uses the API key outside withCredentials: %q", s.Script)
					}
				}
				for _, r := range reports {
					if strings.Contains(s.Script, r) || strings.Contains(s.Script, strings.ReplaceAll(r, "/", `\`)) {
						if !s.CatchError {
							t.Errorf("step writing %s is not inside catchError, so a failure would skip the rest: %q", r, s.Script)
						}
					}
				}
				if strings.Contains(s.Script, string(tool)+".json") && strings.Contains(s.Script, "junit") {
					ranCollection = true
				}
			}
			if !ranCollection {
				t.Errorf("no step runs the collection with JSON and JUnit reporters")
			}
			wantKey := tool == snippet.PostmanCLI || snippet.IsPostmanUID(tc.o.Collection) || snippet.IsPostmanUID(tc.o.Environment)
			if usesKey != wantKey || strings.Contains(text, "withCredentials") != wantKey {
				t.Errorf("uses the API key: %v, want %v", usesKey, wantKey)
			}
			if tc.o.Lint == "" && strings.Contains(text, "spectral") {
				t.Errorf("no lint asked, but the stage mentions spectral")
			}
		})
	}
}

// TestShellQuoting runs the generated sh quoting of awkward paths through a
// real shell: the collection argument must arrive unchanged.
func TestShellQuoting(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("sh not installed")
	}
	for _, path := range []string{
		"api/orders.json",
		"api/it's $HOME.json",
		`a "quoted" \back\slash.json`,
		"spaces  and `cmd` ;|&.json",
		"'''.json",
		"x'''",
	} {
		checkShellArg(t, path)
	}
}

// checkShellArg generates a newman stage for collection, takes its run step
// and has the shell print the arguments newman would get.
func checkShellArg(t *testing.T, collection string) {
	t.Helper()
	text, err := snippet.Generate(snippet.Options{Tool: snippet.Newman, Collection: collection})
	if err != nil {
		t.Fatalf("%q: %v", collection, err)
	}
	st, err := snippettest.Parse(text)
	if err != nil {
		t.Fatalf("%q: the stage does not read back: %v\n%s", collection, err, text)
	}
	var run string
	for _, s := range st.Steps {
		if strings.Contains(s.Script, "newman run ") {
			run = s.Script
		}
	}
	if run == "" {
		t.Fatalf("%q: no newman run step", collection)
	}
	script := strings.Replace(run, "newman run ", `printf '%s\n' `, 1)
	out, err := exec.Command("sh", "-c", script).Output()
	if err != nil {
		t.Fatalf("%q: %v", collection, err)
	}
	if first, _, _ := strings.Cut(string(out), "\n"); first != collection {
		t.Errorf("collection %q reaches newman as %q", collection, first)
	}
}

// FuzzGenerate: whatever the inputs, a stage that validates reads back as
// Groovy and passes the collection to the shell unchanged.
func FuzzGenerate(f *testing.F) {
	f.Add("api/orders.json", "env.json", "openapi.yaml", "newman", "linux")
	f.Add("it's.json", "", "", "postman-cli", "macos")
	f.Add(`a\b'''c`, "", `x"y`, "newman", "windows")
	f.Fuzz(func(t *testing.T, collection, environment, lint, tool, osName string) {
		o := snippet.Options{Tool: snippet.Tool(tool), OS: snippet.OS(osName),
			Collection: collection, Environment: environment, Lint: lint}
		text, err := snippet.Generate(o)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		st, err := snippettest.Parse(text)
		if err != nil {
			t.Fatalf("the stage does not read back: %v\n%s", err, text)
		}
		runs := 0
		for _, s := range st.Steps {
			if strings.Contains(s.Script, "newman run ") || strings.Contains(s.Script, "postman collection run ") {
				runs++
			}
		}
		if runs != 1 || st.Archive == "" || st.JUnit == "" {
			t.Fatalf("%d steps run the collection (want 1), archive %q, junit %q:\n%s", runs, st.Archive, st.JUnit, text)
		}
		if o.OS != snippet.Windows && o.Tool == snippet.Newman && collection == strings.TrimSpace(collection) {
			checkShellArg(t, collection)
		}
	})
}

// TestValidate gives every rejected input its one-line reason.
func TestValidate(t *testing.T) {
	cases := []struct {
		o    snippet.Options
		want string
	}{
		{snippet.Options{}, "collection is required: a path in the Jenkins workspace or a Postman collection UID"},
		{snippet.Options{Collection: "  "}, "collection is required: a path in the Jenkins workspace or a Postman collection UID"},
		{snippet.Options{Collection: "c.json", Tool: "jest"}, `unknown tool "jest" (choose postman-cli, newman)`},
		{snippet.Options{Collection: "c.json", OS: "bsd"}, `unknown OS "bsd" (choose linux, macos, windows)`},
		{snippet.Options{Collection: "c.json\nrm -rf /"}, "collection must not contain control characters or line breaks"},
		{snippet.Options{Collection: "c.json", Environment: "-e.json"}, `environment "-e.json" must not start with '-' (it would read as an option; write ./-e.json)`},
		{snippet.Options{Collection: "c.json", Lint: uid}, `lint "` + uid + `" looks like a Postman UID; Spectral needs the API definition's file path in the workspace`},
		{snippet.Options{Collection: "100%.json", OS: snippet.Windows}, `collection "100%.json" must not contain " or % on a Windows agent (cmd.exe cannot quote them)`},
		{snippet.Options{Collection: "c.json", CredentialsID: "a\tb"}, "credentials ID must not contain control characters or line breaks"},
	}
	for _, tc := range cases {
		err := tc.o.Validate()
		if err == nil || err.Error() != tc.want {
			t.Errorf("Validate(%+v) = %v, want %q", tc.o, err, tc.want)
		}
		if _, gerr := snippet.Generate(tc.o); gerr == nil || gerr.Error() != tc.want {
			t.Errorf("Generate(%+v) error = %v, want %q", tc.o, gerr, tc.want)
		}
	}
	if err := (snippet.Options{Collection: "100%.json", OS: snippet.Linux}).Validate(); err != nil {
		t.Errorf("%% is fine in sh: %v", err)
	}
}

// TestSpellingOfToolAndOS: names are case-insensitive and give the same stage.
func TestSpellingOfToolAndOS(t *testing.T) {
	a, err := snippet.Generate(snippet.Options{Tool: "Newman", OS: "WINDOWS", Collection: "c.json"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := snippet.Generate(snippet.Options{Tool: snippet.Newman, OS: snippet.Windows, Collection: "c.json"})
	if a != b || !strings.Contains(a, "call newman run c.json") {
		t.Errorf("Newman/WINDOWS gives another stage:\n%s", a)
	}
}

func TestParseToolAndOS(t *testing.T) {
	if tl, err := snippet.ParseTool("Newman"); err != nil || tl != snippet.Newman {
		t.Errorf("ParseTool(Newman) = %q, %v", tl, err)
	}
	if o, err := snippet.ParseOS("MACOS"); err != nil || o != snippet.MacOS {
		t.Errorf("ParseOS(MACOS) = %q, %v", o, err)
	}
	if _, err := snippet.ParseOS("win"); err == nil || err.Error() != `unknown OS "win" (choose linux, macos, windows)` {
		t.Errorf("ParseOS(win) error = %v", err)
	}
	var labels []string
	for _, tl := range snippet.Tools {
		labels = append(labels, tl.Label())
	}
	for _, o := range snippet.OSes {
		labels = append(labels, o.Label())
	}
	if got := strings.Join(labels, ","); got != "Postman CLI,newman,Linux,macOS,Windows" {
		t.Errorf("labels = %s", got)
	}
}
