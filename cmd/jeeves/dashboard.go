package main

import "flag"

// runDashboard runs the interactive dashboard. Until the dashboard exists it
// only answers --help.
func runDashboard(e *env) error {
	fs := newFlagSet(e, "jeeves", "jeeves [--config FILE] [--store FILE] [--readonly] [--no-color] [--demo]")
	fs.help = func() { printUsage(e.stdout) }
	if err := fs.parse(e.args); err != nil {
		return err
	}
	return usageErr("the dashboard is not built yet; see 'jeeves --help' for the commands that work")
}

var _ = flag.ErrHelp
