package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

func init() {
	subcommands["sim"] = subcommand{summary: "run the simulated Jenkins (demo world or --world FILE)", run: runSim}
}

// runSim serves a simulated Jenkins until interrupted. Its first line of
// output names the URL and the demo credentials, so scripts can read it.
func runSim(e *env) error {
	fs := newFlagSet(e, "jeeves sim", "jeeves sim [--addr 127.0.0.1:8080] [--world FILE] [--time-scale F]")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	worldFile := fs.String("world", "", "world file (TOML, or JSON when it ends in .json); default: the built-in demo world")
	scale := fs.Float64("time-scale", 0, "multiply the duration of triggered builds and quiet periods (e.g. 0.1); default: the world's")
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves sim: unexpected argument %q (see 'jeeves sim --help')", fs.Arg(0))
	}
	if *scale < 0 || math.IsNaN(*scale) || math.IsInf(*scale, 0) { // flag parses "NaN" and "Inf"
		return usageErr("jeeves sim: --time-scale must be a positive number, e.g. 0.1")
	}
	w := jenkinstest.DemoWorld()
	if *worldFile != "" {
		var err error
		if w, err = jenkinstest.LoadWorld(*worldFile); err != nil {
			return usageErr("world file: %v", err)
		}
	}
	opts := []jenkinstest.Option{jenkinstest.WithAddr(*addr)}
	if *scale > 0 {
		opts = append(opts, jenkinstest.WithTimeScale(*scale))
	}
	srv := jenkinstest.New(w, opts...)
	if err := srv.Start(); err != nil {
		return connErr(fmt.Errorf("cannot listen on %s: %v", *addr, err))
	}
	defer srv.Close()
	fmt.Fprintf(e.stdout, "jeeves sim: Jenkins %s at %s/ %s\n", srv.Version(), srv.URL(), credentialsLine(w))
	<-e.ctx.Done()
	if err := srv.Err(); err != nil {
		return connErr(err)
	}
	return nil
}

// credentialsLine lists the simulated accounts. They are demo credentials
// from the world file, not secrets of a real server.
func credentialsLine(w *jenkinstest.World) string {
	var parts []string
	for _, u := range w.Users {
		p := "user " + u.ID
		if len(u.Tokens) > 0 {
			p += " token " + u.Tokens[0]
		}
		if u.Password != "" {
			p += " password " + u.Password
		}
		if u.ReadOnly {
			p += " (read-only)"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "(no users: anonymous access)"
	}
	return "(" + strings.Join(parts, "; ") + ")"
}
