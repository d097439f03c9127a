package ui

import "github.com/jeeves-dev/jeeves/internal/termtext"

// Terminal safety. Every string that comes from a server (job and build
// names, descriptions, causes, parameters, log lines, request names,
// assertion and lint messages, error texts) goes through clean or cleanLog
// before it reaches a View, so escape sequences that could clear the screen,
// move the cursor, set the title or write the clipboard never get through.

// clean returns s on one line without control characters or escape sequences.
func clean(s string) string { return termtext.Clean(s) }

// cleanLog returns one log line without control characters or escape
// sequences, keeping colour (SGR) sequences only when keepSGR is set.
func cleanLog(s string, keepSGR bool) string {
	if keepSGR {
		return termtext.CleanKeepSGR(s)
	}
	return termtext.CleanMultiline(s)
}
