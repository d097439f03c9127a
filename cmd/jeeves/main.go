// Command jeeves is a keyboard-driven terminal dashboard for Jenkins builds
// and the API tests and API lint checks that run inside them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes, as the product brief specifies.
const (
	exitOK    = 0 // ok
	exitFail  = 1 // the build (run --wait) or a check did not succeed
	exitUsage = 2 // usage or config error
	exitConn  = 3 // connection or authentication error
)

// exitError carries an exit code with a one-line message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}
func connErr(err error) error { return &exitError{code: exitConn, err: err} }
func failErr(err error) error { return &exitError{code: exitFail, err: err} }

// silentFail exits 1 without printing anything more (the command already said why).
var silentFail = &exitError{code: exitFail, err: errors.New("")}

// env is what a subcommand gets: streams, args and the process context.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	stdin  io.Reader
	args   []string
	getenv func(string) string
}

// subcommand is one `jeeves NAME` command.
type subcommand struct {
	summary string
	run     func(e *env) error
}

// subcommands is filled by init functions in the files that implement them;
// a subcommand is registered only once it works.
var subcommands = map[string]subcommand{}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Stdin, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes jeeves with args and returns the exit code. Tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, stdin io.Reader, getenv func(string) string) int {
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, stdin: stdin, args: args, getenv: getenv}
	var err error
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name := args[0]
		sc, ok := subcommands[name]
		if !ok {
			if name == "help" {
				printUsage(stdout)
				return exitOK
			}
			err = usageErr("unknown command %q (run 'jeeves --help' for the list)", name)
		} else {
			e.args = args[1:]
			out := &outWriter{w: stdout}
			e.stdout = out
			err = sc.run(e)
			if err == nil && out.err != nil {
				// Output that did not reach its file (disk full, closed
				// stdout) is not a success a script may rely on.
				err = fmt.Errorf("%s: output not written: %v", name, out.err)
			}
		}
	} else {
		err = runDashboard(e)
	}
	return report(err, stderr)
}

// outWriter remembers the first error writing a command's output (text
// output is written line by line, and its errors were not checked).
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

// report prints err as one line and maps it to an exit code.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code := exitUsage
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	msg := oneLine(err.Error())
	if msg != "" {
		if !strings.HasPrefix(msg, "jeeves") { // "jeeves run: ..." already says who speaks
			msg = "jeeves: " + msg
		}
		fmt.Fprintln(stderr, msg)
	}
	return code
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// flagSet is a flag.FlagSet whose help goes to stdout only on -h/--help and
// whose errors are one-line usage errors.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// newFlagSet makes a flag set for the command line `usage`.
func newFlagSet(e *env, name, usage string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	f := &flagSet{FlagSet: fs}
	f.help = func() {
		fmt.Fprintf(e.stdout, "Usage: %s\n\nFlags:\n", usage)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return f
}

// parse parses args; -h prints help and returns flag.ErrHelp.
func (f *flagSet) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.help()
			return flag.ErrHelp
		}
		return usageErr("%s: %v (see '%s --help')", f.Name(), err, f.Name())
	}
	return nil
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "jeeves: a terminal dashboard for Jenkins builds, their API tests and API lint checks")
	fmt.Fprintln(w, "\nUsage:")
	fmt.Fprintln(w, "  jeeves [--config FILE] [--store FILE] [--readonly] [--no-color]   the dashboard")
	fmt.Fprintln(w, "  jeeves --demo                                                      the dashboard on a built-in simulated Jenkins")
	fmt.Fprintln(w, "  jeeves COMMAND [flags]                                             see 'jeeves COMMAND --help'")
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Fprintln(w, "\nCommands:")
		for _, n := range names {
			fmt.Fprintf(w, "  %-9s %s\n", n, subcommands[n].summary)
		}
	}
	fmt.Fprintln(w, "\nExit codes: 0 ok; 1 a build or check did not succeed; 2 usage or config error; 3 connection or authentication error.")
}
