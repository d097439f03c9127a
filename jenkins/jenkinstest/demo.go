package jenkinstest

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

//go:embed demo/world.toml demo/reports
var demoFS embed.FS

// DemoWorld is the built-in demo: a parameterized pipeline in a folder, a
// freestyle job, a multibranch project with branches that need double
// encoding, and a disabled job, with four weeks of history and real newman,
// Postman CLI and Spectral reports as artifacts.
func DemoWorld() *World {
	b, err := demoFS.ReadFile("demo/world.toml")
	if err != nil {
		panic(err)
	}
	w, err := ParseWorld(b, false)
	if err != nil {
		panic("jenkinstest: demo world: " + err.Error())
	}
	return w
}

// DemoFile returns one of the demo reports by name (e.g. "newman-fail.json").
func DemoFile(name string) ([]byte, error) {
	return demoFS.ReadFile("demo/reports/" + name)
}

// source reads an artifact source: "demo:NAME" or a path relative to the
// world file. Results are cached.
func (s *Server) source(src string) ([]byte, error) {
	if b, ok := s.cache[src]; ok {
		return b, nil
	}
	var b []byte
	var err error
	if name, ok := strings.CutPrefix(src, "demo:"); ok {
		if strings.Contains(name, "/") {
			return nil, errors.New("bad demo file name")
		}
		b, err = DemoFile(name)
	} else {
		p := src
		if !filepath.IsAbs(p) {
			p = filepath.Join(s.world.dir, p)
		}
		b, err = os.ReadFile(p)
	}
	if err != nil {
		return nil, fmt.Errorf("artifact source %s: %w", src, err)
	}
	if strings.HasSuffix(src, ".gz") {
		if b, err = gunzip(src, b); err != nil {
			return nil, fmt.Errorf("artifact source %w", err)
		}
	}
	s.cache[src] = b
	return b, nil
}
