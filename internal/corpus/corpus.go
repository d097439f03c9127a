// Package corpus finds the external corpus of captured Jenkins responses and
// real tool outputs that some tests check jeeves against: ../shared/fixtures
// beside the repository root (or $JEEVES_CORPUS). It is not part of the repository and is absent
// on a user's clone, so tests that need it skip with one line naming what is
// missing; under CI=true (which provides the corpus) a missing corpus fails.
//
// Only tests that check jeeves against that corpus use this package. Data
// jeeves's own tests need lives in the repository (see
// jenkins/jenkinstest/demo/regen.sh and report/testdata).
package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// root is $JEEVES_CORPUS when set, else <repo>/../shared/fixtures, the
// repository root being the nearest directory above the working directory
// with a go.mod.
func root() (string, error) {
	rootOnce.Do(func() {
		if d := os.Getenv("JEEVES_CORPUS"); d != "" {
			rootDir, rootErr = filepath.Abs(d)
			return
		}
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			up := filepath.Dir(dir)
			if up == dir {
				rootErr = errors.New("no go.mod above the working directory")
				return
			}
			dir = up
		}
		rootDir = filepath.Join(filepath.Dir(dir), "shared", "fixtures")
	})
	return rootDir, rootErr
}

// Available reports whether the corpus is present, and where it is looked for.
func Available() (string, bool) {
	r, err := root()
	if err != nil {
		return "", false
	}
	st, err := os.Stat(r)
	return r, err == nil && st.IsDir()
}

// Path returns the corpus file or directory parts (e.g. "jenkins",
// "cdancy-jenkins-rest", "job-info.json"). When the corpus is absent the
// test skips with one line saying so, or fails under CI=true. A corpus that
// is present but lacks the file is not skipped: the caller's read fails.
func Path(t testing.TB, parts ...string) string {
	t.Helper()
	r, ok := Available()
	if !ok {
		what := filepath.Join(append([]string{"../shared/fixtures"}, parts...)...)
		msg := fmt.Sprintf("external corpus ../shared/fixtures is absent (looked in %s): needed for %s", r, what)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: the corpus must be present)")
		}
		t.Skip(msg)
	}
	return filepath.Join(append([]string{r}, parts...)...)
}

// Read returns the contents of the corpus file parts, skipping or failing as
// Path does when the corpus is absent, and failing when the file is missing.
func Read(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(t, parts...))
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	return b
}
