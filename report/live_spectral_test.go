package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestLiveSpectral lints the demo's spec (jenkins/jenkinstest/demo) with real Spectral 6.16.3 (npm ci
// in testdata/npm) and checks the JSON and SARIF it writes against Spectral's
// own stylish output: the summary counts and every finding's line:column,
// severity and rule.
func TestLiveSpectral(t *testing.T) {
	bin, _ := filepath.Abs(filepath.Join("testdata", "npm", "node_modules", ".bin", "spectral"))
	if _, err := os.Stat(bin); err != nil {
		msg := "spectral not installed (run: cd report/testdata/npm && npm ci)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	specDir, _ := filepath.Abs(filepath.Join("..", "jenkins", "jenkinstest", "demo"))
	dir := t.TempDir()
	jsonOut, sarifOut := filepath.Join(dir, "lint.json"), filepath.Join(dir, "lint.sarif")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	spectral := func(args ...string) []byte {
		cmd := exec.CommandContext(ctx, bin, append([]string{"lint", "openapi.yaml", "--ruleset", ".spectral.yaml"}, args...)...)
		cmd.Dir = specDir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // 1: errors found
				t.Fatalf("spectral %v: %v\n%s", args, err, out.String())
			}
		}
		return out.Bytes()
	}
	stylish := spectral("--format", "stylish")
	spectral("-f", "json", "-f", "sarif", "-o.json", jsonOut, "-o.sarif", sarifOut)

	sum := regexp.MustCompile(`(\d+) problems \((\d+) errors?, (\d+) warnings?, (\d+) infos?, (\d+) hints?\)`).FindSubmatch(stylish)
	if sum == nil {
		t.Fatalf("no summary in stylish output:\n%s", stylish)
	}
	n := func(i int) int { v, _ := strconv.Atoi(string(sum[i])); return v }
	want := GovernanceSummary{Definitions: 1, Error: n(2), Warning: n(3), Info: n(4), Hint: n(5)}

	res := parseFile(t, jsonOut)
	_, gs := res.Summaries()
	if *gs != want || len(res.Governance[0].Violations) != n(1) {
		t.Errorf("JSON: %+v, %d results; spectral printed %s", *gs, len(res.Governance[0].Violations), sum[0])
	}
	wantDef := filepath.Join(specDir, "openapi.yaml")
	if real, err := filepath.EvalSymlinks(wantDef); err == nil {
		wantDef = real // spectral reports the resolved path when a parent is a symlink
	}
	if def := res.Governance[0].Definition; def != wantDef && def != filepath.Join(specDir, "openapi.yaml") {
		t.Errorf("definition = %q", def)
	}
	// every stylish line " 18:16  error  rule  message  path" is a violation with the same position
	type key struct {
		line, col int
		sev       Severity
		rule      string
	}
	have := map[key]int{}
	for _, v := range res.Governance[0].Violations {
		have[key{v.Line, v.Column, v.Severity, v.Rule}]++
	}
	sevs := map[string]Severity{"error": SevError, "warning": SevWarning, "information": SevInfo, "hint": SevHint}
	lines := regexp.MustCompile(`(?m)^\s*(\d+):(\d+)\s+(error|warning|information|hint)\s+(\S+)`).FindAllSubmatch(stylish, -1)
	if len(lines) != n(1) {
		t.Fatalf("%d stylish findings, summary says %d", len(lines), n(1))
	}
	for _, m := range lines {
		l, _ := strconv.Atoi(string(m[1]))
		c, _ := strconv.Atoi(string(m[2]))
		k := key{l, c, sevs[string(m[3])], string(m[4])}
		if have[k] == 0 {
			t.Errorf("stylish %s has no matching violation", m[0])
		}
		have[k]--
	}

	res = parseFile(t, sarifOut)
	_, gs = res.Summaries()
	if *gs != (GovernanceSummary{Definitions: 1, Error: want.Error, Warning: want.Warning, Info: want.Info + want.Hint}) {
		t.Errorf("SARIF: %+v; spectral printed %s", *gs, sum[0])
	}
}
