package corpus

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestChild is run by TestAbsentCorpus in a child process.
func TestChild(t *testing.T) {
	if os.Getenv("CORPUS_CHILD") == "" {
		t.Skip("run by TestAbsentCorpus")
	}
	b := Read(t, "jenkins", "job.json")
	t.Logf("read %q", b)
}

// An absent corpus skips with one line naming it; under CI=true it fails; a
// present one is read.
func TestAbsentCorpus(t *testing.T) {
	present := t.TempDir()
	if err := os.MkdirAll(filepath.Join(present, "jenkins"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(present, "jenkins", "job.json"), []byte(`{"x":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(t.TempDir(), "none")
	cases := []struct {
		corpus, ci string
		fail       bool
		want       string
	}{
		{absent, "", false, "--- SKIP: TestChild"},
		{absent, "true", true, "(CI=true: the corpus must be present)"},
		{present, "true", false, `read "{\"x\":1}"`},
		{filepath.Join(present, "jenkins"), "", true, "corpus: open "}, // present without the file: fails
	}
	for _, c := range cases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.v")
		cmd.Env = append(os.Environ(), "CORPUS_CHILD=1", "JEEVES_CORPUS="+c.corpus, "CI="+c.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != c.fail || !strings.Contains(string(out), c.want) {
			t.Errorf("corpus %s CI=%q: err %v, output:\n%s\nwant %q", c.corpus, c.ci, err, out, c.want)
		}
		if !c.fail && c.corpus == absent && !strings.Contains(string(out), "external corpus ../shared/fixtures is absent (looked in "+absent+"): needed for ../shared/fixtures/jenkins/job.json") {
			t.Errorf("skip line: %s", out)
		}
	}
}
