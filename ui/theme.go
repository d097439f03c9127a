package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// theme.go is the only place colours and text styles are chosen. The
// palette uses the 16 basic ANSI colours, so it reads the same on a
// 16-colour terminal; with no colour (NO_COLOR, --no-color) every style
// keeps only bold/reverse/underline, and statuses read from glyph and word.

// Palette is the semantic colour set.
type Palette struct {
	Accent, Subtle, Success, Failure, Unstable, Aborted, NotBuilt, Running, Queued, Warn color.Color
}

func palette() Palette {
	return Palette{
		Accent:   lipgloss.Cyan,
		Subtle:   lipgloss.BrightBlack,
		Success:  lipgloss.Green,
		Failure:  lipgloss.Red,
		Unstable: lipgloss.Yellow,
		Aborted:  lipgloss.BrightBlack,
		NotBuilt: lipgloss.BrightBlack,
		Running:  lipgloss.Blue,
		Queued:   lipgloss.Magenta,
		Warn:     lipgloss.Yellow,
	}
}

// Styles are every style the views use.
type Styles struct {
	NoColor  bool
	Title    lipgloss.Style
	Header   lipgloss.Style // table header
	Subtle   lipgloss.Style
	Selected lipgloss.Style // cursor row
	Focused  lipgloss.Style // title of the focused panel
	Active   lipgloss.Style // active filter / selected choice
	Err      lipgloss.Style
	Warn     lipgloss.Style
	OK       lipgloss.Style
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	Match    lipgloss.Style // search match in the log
	Border   lipgloss.Style // panel separator
	Status   map[jenkins.Status]lipgloss.Style
	// statusCells are the styled status cells of the builds table, rendered
	// once (a key press redraws ~50 rows).
	statusCells map[jenkins.Status]string
	Severity    map[report.Severity]lipgloss.Style
	Assertion   map[report.AssertionStatus]lipgloss.Style
}

// NewStyles builds the styles; noColor drops every colour.
func NewStyles(noColor bool) Styles {
	p := palette()
	n := lipgloss.NewStyle()
	fg := func(c color.Color) lipgloss.Style {
		if noColor {
			return n
		}
		return n.Foreground(c)
	}
	s := Styles{
		NoColor:  noColor,
		Title:    fg(p.Accent).Bold(true),
		Header:   n.Bold(true),
		Subtle:   fg(p.Subtle),
		Selected: n.Reverse(true),
		Focused:  fg(p.Accent).Bold(true).Underline(true),
		Active:   fg(p.Accent).Bold(true).Reverse(true),
		Err:      fg(p.Failure).Bold(true),
		Warn:     fg(p.Warn),
		OK:       fg(p.Success),
		HelpKey:  fg(p.Accent).Bold(true),
		HelpDesc: fg(p.Subtle),
		Match:    n.Reverse(true).Bold(true),
		Border:   fg(p.Subtle),
		Status: map[jenkins.Status]lipgloss.Style{
			jenkins.StatusSuccess:  fg(p.Success),
			jenkins.StatusFailure:  fg(p.Failure).Bold(true),
			jenkins.StatusUnstable: fg(p.Unstable),
			jenkins.StatusAborted:  fg(p.Aborted),
			jenkins.StatusNotBuilt: fg(p.NotBuilt),
			jenkins.StatusRunning:  fg(p.Running).Bold(true),
			jenkins.StatusQueued:   fg(p.Queued),
			jenkins.StatusUnknown:  n,
		},
		Severity: map[report.Severity]lipgloss.Style{
			report.SevError:   fg(p.Failure).Bold(true),
			report.SevWarning: fg(p.Warn),
			report.SevInfo:    fg(p.Running),
			report.SevHint:    fg(p.Subtle),
		},
		Assertion: map[report.AssertionStatus]lipgloss.Style{
			report.Passed:  fg(p.Success),
			report.Failed:  fg(p.Failure).Bold(true),
			report.Skipped: fg(p.Subtle),
		},
	}
	s.statusCells = map[jenkins.Status]string{}
	for st, style := range s.Status {
		s.statusCells[st] = style.Render(cell(statusLabel(st), statusColWidth))
	}
	return s
}

// statusCell is the styled, padded status cell of the builds table.
func (st Styles) statusCell(s jenkins.Status) string {
	if c, ok := st.statusCells[s]; ok {
		return c
	}
	return st.status(s).Render(cell(statusLabel(s), statusColWidth))
}

// statusGlyph is the glyph of a status; with the word it reads without colour.
func statusGlyph(s jenkins.Status) string {
	switch s {
	case jenkins.StatusSuccess:
		return "✔"
	case jenkins.StatusFailure:
		return "✘"
	case jenkins.StatusUnstable:
		return "▲"
	case jenkins.StatusAborted:
		return "■"
	case jenkins.StatusNotBuilt:
		return "○"
	case jenkins.StatusRunning:
		return "▶"
	case jenkins.StatusQueued:
		return "…"
	}
	return "?"
}

// statusWord is the display word of a status.
func statusWord(s jenkins.Status) string {
	switch s {
	case jenkins.StatusNotBuilt:
		return "not built"
	case "":
		return "unknown"
	}
	return string(s)
}

// statusLabel is glyph and word, e.g. "✘ failure".
func statusLabel(s jenkins.Status) string { return statusGlyph(s) + " " + statusWord(s) }

func (st Styles) status(s jenkins.Status) lipgloss.Style {
	if x, ok := st.Status[s]; ok {
		return x
	}
	return lipgloss.NewStyle()
}

func assertionGlyph(s report.AssertionStatus) string {
	switch s {
	case report.Passed:
		return "✔"
	case report.Failed:
		return "✘"
	}
	return "–"
}

// spinnerFrames animate while a request is in flight (only then).
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// sgrReset ends the colours a log line kept from the server.
const sgrReset = "\x1b[m"
