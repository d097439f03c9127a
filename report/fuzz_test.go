package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// Each parser is fuzzed from the seed corpus in testdata/fuzz/<FuzzName>/:
// whatever the bytes, it returns a result or a one-line error, never panics,
// and a result is well-formed.

func checkParsed(t *testing.T, res Results, err error) {
	t.Helper()
	if err != nil {
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("error is not one line: %q", err)
		}
		return
	}
	res = res.normalized()
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("results do not marshal: %v", err)
	}
	for _, c := range res.Collections {
		if c.Partial && c.PartialWhy == "" {
			t.Fatal("partial without a reason")
		}
		for _, e := range c.Executions {
			for _, a := range e.Assertions {
				if a.Status != Passed && a.Status != Failed && a.Status != Skipped {
					t.Fatalf("assertion status %q", a.Status)
				}
			}
		}
	}
	for _, g := range res.Governance {
		if g.Partial && g.PartialWhy == "" {
			t.Fatal("partial without a reason")
		}
		for _, v := range g.Violations {
			switch v.Severity {
			case SevError, SevWarning, SevInfo, SevHint:
			default:
				t.Fatalf("severity %q", v.Severity)
			}
		}
	}
}

func fuzzParser(f *testing.F, parse func(io.Reader, string) (Results, error)) {
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := parse(bytes.NewReader(b), "fuzz")
		checkParsed(t, res, err)
		// and through detection, with a size cap
		res, err = Parse(bytes.NewReader(b), "fuzz", Options{MaxBytes: 1 << 20})
		checkParsed(t, res, err)
	})
}

func FuzzNewmanJSON(f *testing.F)     { fuzzParser(f, parsePostmanJSON) }
func FuzzPostmanCLIJSON(f *testing.F) { fuzzParser(f, parsePostmanJSON) }
func FuzzJUnitXML(f *testing.F)       { fuzzParser(f, parseJUnit) }
func FuzzJenkinsTestReport(f *testing.F) {
	fuzzParser(f, func(r io.Reader, name string) (Results, error) { return ParseJenkinsTestReport(r, name, Options{}) })
}
func FuzzSpectralJSON(f *testing.F)     { fuzzParser(f, parseSpectral) }
func FuzzSARIF(f *testing.F)            { fuzzParser(f, parseSARIF) }
func FuzzPostmanLintJSON(f *testing.F)  { fuzzParser(f, parsePostmanLint) }
func FuzzPostmanLintTable(f *testing.F) { fuzzParser(f, parsePostmanLintTable) }

func FuzzDetect(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte, name string) {
		switch k := Detect(b, name); k {
		case KindUnknown, KindNewmanJSON, KindPostmanCLIJSON, KindJUnitXML, KindJenkinsTests, KindSpectralJSON, KindSARIF, KindPostmanLintJSON, KindPostmanLintTable:
		default:
			t.Fatalf("kind %q", k)
		}
	})
}

// The skipper keeps valid JSON valid and does not depend on read boundaries.
func FuzzBodySkipper(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		whole, err := io.ReadAll(newBodySkipper(bytes.NewReader(b)))
		if err != nil {
			t.Fatal(err)
		}
		bytewise, err := io.ReadAll(newBodySkipper(iotest.OneByteReader(bytes.NewReader(b))))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole, bytewise) {
			t.Fatalf("read boundaries change the output: %q vs %q", whole, bytewise)
		}
		if len(whole) > len(b) {
			t.Fatal("output grew")
		}
		if json.Valid(b) && !json.Valid(whole) {
			t.Fatalf("valid JSON %q became invalid %q", b, whole)
		}
	})
}
