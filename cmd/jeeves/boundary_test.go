package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestLayerBoundaries fails when a package other than ui/, cmd/ and serve/
// (the SSH server) depends on charm.land (directly or not), in particular
// the polling engine watch/, or when ui/ talks HTTP or SQL or runs programs
// itself.
func TestLayerBoundaries(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "../../...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(out)
	const mod = "github.com/jeeves-dev/jeeves/"
	seen := 0
	sawEngine := false
	for {
		var p struct {
			ImportPath    string
			Imports, Deps []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		rel := strings.TrimPrefix(p.ImportPath, mod)
		if rel == "watch" {
			sawEngine = true
		}
		if rel == "ui" || strings.HasPrefix(rel, "ui/") || strings.HasPrefix(rel, "cmd/") || rel == "serve" {
			if rel == "ui" || strings.HasPrefix(rel, "ui/") {
				for _, imp := range p.Imports {
					if imp == "net/http" || imp == "database/sql" || imp == "os/exec" {
						t.Errorf("%s imports %s directly; go through the jenkins, store or watch packages (or Deps)", rel, imp)
					}
				}
			}
			continue
		}
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "charm.land/") || strings.HasPrefix(d, "github.com/charmbracelet/") {
				t.Errorf("%s depends on %s; only ui/, cmd/ and serve/ may use charm packages", rel, d)
				break
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !sawEngine {
		t.Error("go list did not list the engine package watch")
	}
	if seen < 4 {
		t.Fatalf("go list saw only %d packages", seen)
	}
}
