package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSnippetCommandPrintsTheStage: the flags reach the generator and the
// output is the same stage the snippet package's golden file pins.
func TestSnippetCommandPrintsTheStage(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "snippet", "--tool", "newman", "--os", "linux",
		"--collection", "api/orders.postman_collection.json",
		"--environment", "api/local.postman_environment.json", "--lint", "api/openapi.yaml")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "snippet", "testdata", "golden", "newman-linux.groovy"))
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("output differs from snippet/testdata/golden/newman-linux.groovy:\n%s", out)
	}
}

// TestSnippetCommandDefaults: --tool defaults to postman-cli and --os to linux.
func TestSnippetCommandDefaults(t *testing.T) {
	code, out, _ := runCLI(t, nil, "snippet", "--collection", "orders.json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	want, _ := os.ReadFile(filepath.Join("..", "..", "snippet", "testdata", "golden", "defaults.groovy"))
	if out != string(want) {
		t.Errorf("output differs from snippet/testdata/golden/defaults.groovy:\n%s", out)
	}
	for _, s := range []string{"postman collection run orders.json", "sh '''", "withCredentials("} {
		if !strings.Contains(out, s) {
			t.Errorf("default stage lacks %q", s)
		}
	}
	code, out, _ = runCLI(t, nil, "snippet", "--collection", "orders.json", "--os", "windows", "--tool", "newman")
	if code != exitOK || !strings.Contains(out, "bat '''") || strings.Contains(out, "sh '") || !strings.Contains(out, "call newman run orders.json") {
		t.Errorf("--os windows --tool newman: exit %d\n%s", code, out)
	}
}

func TestSnippetCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"snippet"}, "jeeves snippet: collection is required: a path in the Jenkins workspace or a Postman collection UID\n"},
		{[]string{"snippet", "--collection", "c.json", "--tool", "jest"}, "jeeves snippet: --tool: unknown tool \"jest\" (choose postman-cli, newman)\n"},
		{[]string{"snippet", "--collection", "c.json", "--os", "solaris"}, "jeeves snippet: --os: unknown OS \"solaris\" (choose linux, macos, windows)\n"},
		{[]string{"snippet", "--collection", "c.json", "extra"}, "jeeves snippet: unexpected argument \"extra\" (see 'jeeves snippet --help')\n"},
		{[]string{"snippet", "--colection", "c.json"}, "jeeves snippet: flag provided but not defined: -colection (see 'jeeves snippet --help')\n"},
		{[]string{"snippet", "--collection", "50%.json", "--os", "windows"}, "jeeves snippet: collection \"50%.json\" must not contain \" or % on a Windows agent (cmd.exe cannot quote them)\n"},
	}
	for _, tc := range cases {
		code, out, errOut := runCLI(t, nil, tc.args...)
		errOut = oneJeevesPrefix(errOut)
		if code != exitUsage || out != "" || errOut != tc.want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

func TestSnippetCommandHelp(t *testing.T) {
	code, out, _ := runCLI(t, nil, "snippet", "--help")
	if code != exitOK || !strings.HasPrefix(out, "Usage: jeeves snippet --collection C [--environment E] [--lint SPEC] [--tool postman-cli|newman] [--os linux|macos|windows]\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	for _, s := range []string{"-collection", "-environment", "-lint", `collection runner: postman-cli|newman (default "postman-cli")`, `Jenkins agent OS: linux|macos|windows (default "linux")`} {
		if !strings.Contains(out, s) {
			t.Errorf("help lacks %q", s)
		}
	}
}

// oneJeevesPrefix folds "jeeves: jeeves snippet: ..." to "jeeves snippet: ...":
// a message that already names its command needs no second "jeeves: ".
func oneJeevesPrefix(s string) string {
	if rest, ok := strings.CutPrefix(s, "jeeves: jeeves "); ok {
		return "jeeves " + rest
	}
	return s
}
