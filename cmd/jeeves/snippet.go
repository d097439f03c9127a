package main

import (
	"fmt"
	"strings"

	"github.com/jeeves-dev/jeeves/snippet"
)

func init() {
	subcommands["snippet"] = subcommand{
		summary: "print a Jenkinsfile stage that runs a collection and a lint, with reports jeeves finds",
		run:     runSnippet,
	}
}

// runSnippet prints the pipeline stage for the chosen tool, files and agent OS.
func runSnippet(e *env) error {
	fs := newFlagSet(e, "jeeves snippet",
		"jeeves snippet --collection C [--environment E] [--lint SPEC] [--tool postman-cli|newman] [--os linux|macos|windows]")
	var o snippet.Options
	var tool, osName string
	fs.StringVar(&o.Collection, "collection", "", "collection file in the Jenkins workspace, or a Postman collection UID (required)")
	fs.StringVar(&o.Environment, "environment", "", "environment file in the workspace, or a Postman environment UID")
	fs.StringVar(&o.Lint, "lint", "", "API definition to lint with Spectral (a file in the workspace)")
	fs.StringVar(&tool, "tool", string(snippet.Tools[0]), "collection runner: "+choices(snippet.Tools))
	fs.StringVar(&osName, "os", string(snippet.OSes[0]), "Jenkins agent OS: "+choices(snippet.OSes))
	if err := fs.parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("jeeves snippet: unexpected argument %q (see 'jeeves snippet --help')", fs.Arg(0))
	}
	var err error
	if o.Tool, err = snippet.ParseTool(tool); err != nil {
		return usageErr("jeeves snippet: --tool: %v", err)
	}
	if o.OS, err = snippet.ParseOS(osName); err != nil {
		return usageErr("jeeves snippet: --os: %v", err)
	}
	text, err := snippet.Generate(o)
	if err != nil {
		return usageErr("jeeves snippet: %v", err)
	}
	_, err = fmt.Fprint(e.stdout, text)
	return err
}

// choices joins a list of names with "|", as usage lines spell them.
func choices[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, "|")
}
