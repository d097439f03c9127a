package ui

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// checkGolden compares the plain screen with testdata/<test>/<name>.golden and
// asserts the frame invariant: no line wider than w, at most h lines.
func checkGolden(t *testing.T, name, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines, screen has %d", name, len(lines), h)
	}
	for i, l := range lines {
		if sw := ansi.StringWidth(l); sw > w {
			t.Errorf("%s: line %d is %d cells wide, screen is %d: %q", name, i+1, sw, w, ansi.Strip(l))
		}
	}
	plain := ansi.Strip(screen)
	path := filepath.Join("testdata", t.Name(), name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(plain), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if string(want) != plain {
		t.Errorf("%s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, plain, want)
	}
}

// checkGoldenANSI keeps the styled screen, one quoted line per line, so a
// theme change shows in review.
func checkGoldenANSI(t *testing.T, name, screen string) {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(screen, "\n") {
		b.WriteString(strconv.Quote(l))
		b.WriteByte('\n')
	}
	path := filepath.Join("testdata", t.Name(), name+".ansi.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if string(want) != b.String() {
		t.Errorf("%s: styled screen differs from %s", name, path)
	}
}
