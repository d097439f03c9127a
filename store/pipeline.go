package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// DefaultMaxBytes caps each downloaded report when FetchOptions.MaxBytes is 0.
const DefaultMaxBytes int64 = 256 << 20

// DefaultMaxFiles caps how many artifacts one build's fetch downloads when
// FetchOptions.MaxFiles is 0.
const DefaultMaxFiles = 25

// FetchOptions tune FetchResults.
type FetchOptions struct {
	MaxBytes int64 // per artifact (and the test report); 0: DefaultMaxBytes
	MaxFiles int   // candidates downloaded per build; 0: DefaultMaxFiles
}

// Reasons a finished build has no results, beside WhyRunning and
// WhyNoArtifacts (results.go).
const (
	WhyBuildGone  = "the build is no longer on Jenkins"
	whyUnreadable = "report unreadable: "
)

// FetchResults gives a build's parsed results: from the store when they
// are known there (no request at all), else from Jenkins, and then stores
// them, so that each finished build is fetched once, ever.
//
// A running build is not looked at (pending, WhyRunning): it is looked at
// again once a poll sees it finished. Otherwise the build's artifacts are
// listed (b.Artifacts, or one api.Build when the build at hand came from a
// list without them), report candidates are picked (the integration's
// globs when set, else by extension .json/.xml/.sarif, then by content),
// each is downloaded as a capped stream and parsed with report.Parse, and
// Jenkins's testReport is used when JUnit was published and no artifact
// gave collection runs. The outcome is stored: results (why may then note
// skipped files), or empty with why (no matching artifacts, report
// unreadable: ...). A failure that may pass (network, Jenkins down,
// cancelled) is recorded as ResultsError and returned as the error; the next
// call tries again.
func FetchResults(ctx context.Context, api jenkins.API, st *Store, in config.Integration, b jenkins.Build, opts FetchOptions) (report.Results, ResultsState, string, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxFiles <= 0 {
		opts.MaxFiles = DefaultMaxFiles
	}
	nick := in.Nickname
	res, state, why, err := st.Results(ctx, nick, b.Number)
	if err != nil {
		return report.Results{}, "", "", err
	}
	switch state {
	case ResultsStored, ResultsEmpty:
		return res, state, why, nil
	}
	if b.Building {
		return report.Results{}, ResultsPending, WhyRunning, nil
	}

	f := fetcher{api: api, in: in, opts: opts}
	res, why, err = f.fetch(ctx, b)
	if err != nil {
		if ctx.Err() != nil {
			return report.Results{}, ResultsError, err.Error(), err
		}
		if errors.Is(err, errStillRunning) {
			return report.Results{}, ResultsPending, WhyRunning, nil
		}
		msg := err.Error()
		if serr := st.SaveResultsError(ctx, nick, b.Number, msg); serr != nil {
			return report.Results{}, ResultsError, msg, errors.Join(err, serr)
		}
		return report.Results{}, ResultsError, msg, err
	}
	if f.gone {
		if err := st.markGone(ctx, nick, b.Number); err != nil {
			return report.Results{}, "", "", err
		}
	}
	if f.full != nil {
		// Keep the artifacts and test counts learned on the way.
		if err := st.SaveBuilds(ctx, nick, []jenkins.Build{*f.full}); err != nil {
			return report.Results{}, "", "", err
		}
	}
	if err := st.SaveResults(ctx, nick, b.Number, res, why); err != nil {
		return report.Results{}, "", "", err
	}
	if len(res.Collections) == 0 && len(res.Governance) == 0 {
		return report.Results{}, ResultsEmpty, why, nil
	}
	return res, ResultsStored, why, nil
}

var errStillRunning = errors.New("still running")

type fetcher struct {
	api  jenkins.API
	in   config.Integration
	opts FetchOptions
	full *jenkins.Build // the build read whole, when it had to be
	gone bool           // Jenkins no longer has the build
}

// fetch looks at one finished build. It returns what was found and, when
// nothing was, why; an error only for failures that may pass.
func (f *fetcher) fetch(ctx context.Context, b jenkins.Build) (report.Results, string, error) {
	job := f.in.Job
	if b.Artifacts == nil && b.Tests == nil {
		// A build from the list poll: its artifacts were not asked for.
		full, err := f.api.Build(ctx, job, b.Number)
		if err != nil {
			if jenkins.IsNotFound(err) {
				f.gone = true
				return report.Results{}, WhyBuildGone, nil
			}
			return report.Results{}, "", err
		}
		if full.Building {
			return report.Results{}, "", errStillRunning
		}
		f.full = &full
		b = full
	}

	var notes, unreadable []string
	var got []found // results per source, in artifact order
	cands, skipped := f.candidates(b.Artifacts)
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("looked at the first %d of %d candidate artifacts", len(cands), len(cands)+skipped))
	}
	for _, c := range cands {
		res, note, err := f.artifact(ctx, b.Number, c)
		switch {
		case err != nil:
			return report.Results{}, "", err
		case note != "":
			notes = append(notes, note)
		case res == nil:
			// not a report
		case res.err != "":
			unreadable = append(unreadable, res.err)
		default:
			got = append(got, *res)
		}
	}
	out := merge(got)

	// JUnit published in Jenkins and no artifact gave collection runs:
	// Jenkins's own test report is the next best thing.
	if b.Tests != nil && len(out.Collections) == 0 {
		tr, note, err := f.testReport(ctx, b.Number)
		switch {
		case err != nil:
			return report.Results{}, "", err
		case note != "":
			notes = append(notes, note)
		case tr != nil && tr.err != "":
			unreadable = append(unreadable, tr.err)
		case tr != nil:
			if len(out.Collections) == 0 {
				out.Collections = tr.res.Collections
			}
			if len(out.Governance) == 0 {
				out.Governance = tr.res.Governance
			}
		}
	}
	if len(out.Collections) > 0 || len(out.Governance) > 0 {
		if len(unreadable) > 0 {
			notes = append(notes, whyUnreadable+strings.Join(unreadable, "; "))
		}
		return out, strings.Join(notes, "; "), nil
	}
	switch {
	case len(unreadable) > 0:
		return report.Results{}, whyUnreadable + strings.Join(unreadable, "; "), nil
	case len(notes) > 0:
		return report.Results{}, WhyNoArtifacts + " (" + strings.Join(notes, "; ") + ")", nil
	}
	return report.Results{}, WhyNoArtifacts, nil
}

// candidate is an artifact worth downloading, and which kinds of results
// to keep from it.
type candidate struct {
	jenkins.Artifact
	collections, governance bool
}

func (f *fetcher) autoGovernance() bool { return len(f.in.Governance) == 0 }

// candidates picks the artifacts that may be reports. With globs for a
// kind, the files they match give that kind; for a kind without globs the
// other artifacts are tried by extension (.json, .xml, .sarif), content
// deciding later. Likely reports come first; skipped counts what the
// MaxFiles cap left out.
func (f *fetcher) candidates(arts []jenkins.Artifact) (out []candidate, skipped int) {
	autoColl, autoGov := len(f.in.Collections) == 0, len(f.in.Governance) == 0
	for _, a := range arts {
		c := candidate{Artifact: a}
		c.collections = matchAny(f.in.Collections, a.RelativePath)
		c.governance = matchAny(f.in.Governance, a.RelativePath)
		if !c.collections && !c.governance && (autoColl || autoGov) && reportExt(a.RelativePath) {
			c.collections, c.governance = autoColl, autoGov
		}
		if c.collections || c.governance {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return likeliness(out[i].RelativePath) > likeliness(out[j].RelativePath) })
	if len(out) > f.opts.MaxFiles {
		skipped = len(out) - f.opts.MaxFiles
		out = out[:f.opts.MaxFiles]
	}
	return out, skipped
}

func reportExt(p string) bool {
	if strings.Contains("/"+p, "/node_modules/") {
		return false // archived dependencies, never reports
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".json", ".xml", ".sarif":
		return true
	}
	return false
}

// likeliness orders candidates so the cap drops the unlikely ones.
func likeliness(p string) int {
	l := strings.ToLower(p)
	n := 0
	for _, w := range []string{"newman", "postman", "spectral", "lint", "sarif", "junit", "report", "collection", "test"} {
		if strings.Contains(l, w) {
			n++
		}
	}
	return n
}

// matchAny matches a relative path against globs: path.Match syntax, "**"
// for any number of directories, and a glob without "/" matching the file
// name in any directory.
func matchAny(globs []string, rel string) bool {
	for _, g := range globs {
		g = strings.TrimPrefix(strings.TrimSpace(g), "./")
		if g == "" {
			continue
		}
		if !strings.Contains(g, "/") {
			if ok, _ := path.Match(g, path.Base(rel)); ok {
				return true
			}
			continue
		}
		if globMatch(strings.Split(g, "/"), strings.Split(rel, "/")) {
			return true
		}
	}
	return false
}

func globMatch(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(segs); i++ {
				if globMatch(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// found is what one source gave: results, or why it was unreadable.
type found struct {
	res report.Results
	err string
}

// artifact downloads and parses one candidate. It returns nil for a file
// that is not a report, a note for one that was skipped (too large, gone),
// and an error only for failures that may pass.
func (f *fetcher) artifact(ctx context.Context, number int, c candidate) (*found, string, error) {
	rc, err := f.api.Artifact(ctx, f.in.Job, number, c.RelativePath, f.opts.MaxBytes)
	if err != nil {
		switch {
		case jenkins.IsNotFound(err):
			return nil, c.RelativePath + ": gone from Jenkins", nil
		case errors.Is(err, jenkins.ErrTooLarge):
			return nil, f.tooLarge(c.RelativePath), nil
		}
		return nil, "", err
	}
	defer rc.Close()
	src := &streamErr{r: rc}
	br := bufio.NewReaderSize(src, report.HeadSize)
	head, _ := br.Peek(report.HeadSize)
	if src.err != nil {
		note, err := f.streamNote(c.RelativePath, src.err)
		return nil, note, err
	}
	if report.Detect(head, c.RelativePath) == report.KindUnknown {
		return nil, "", nil // by content, not a report
	}
	res, err := report.Parse(br, c.RelativePath, report.Options{MaxBytes: f.opts.MaxBytes})
	if src.err != nil {
		note, err := f.streamNote(c.RelativePath, src.err)
		return nil, note, err
	}
	var tl *report.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, f.tooLarge(c.RelativePath), nil
	case ctx.Err() != nil:
		return nil, "", ctx.Err()
	case err != nil:
		return &found{err: oneLine(err.Error())}, "", nil
	}
	if !c.collections {
		res.Collections = nil
	}
	if !c.governance {
		res.Governance = nil
	}
	if len(res.Collections) == 0 && len(res.Governance) == 0 {
		return nil, "", nil
	}
	return &found{res: res}, "", nil
}

// streamNote sorts a download that failed mid-way: too large is a note,
// anything else may pass and is returned as the error.
func (f *fetcher) streamNote(name string, err error) (string, error) {
	var tl *report.TooLargeError
	if errors.Is(err, jenkins.ErrTooLarge) || errors.As(err, &tl) {
		return f.tooLarge(name), nil
	}
	return "", fmt.Errorf("download %s: %w", name, err)
}

func (f *fetcher) tooLarge(name string) string {
	n := f.opts.MaxBytes
	size := fmt.Sprintf("%d bytes", n)
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		size = fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		size = fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%s: larger than the %s cap", name, size)
}

// testReport reads Jenkins's JUnit test report of the build.
func (f *fetcher) testReport(ctx context.Context, number int) (*found, string, error) {
	const name = "testReport"
	rc, err := f.api.TestReport(ctx, f.in.Job, number, f.opts.MaxBytes)
	if err != nil {
		switch {
		case jenkins.IsNotFound(err):
			return nil, "", nil
		case errors.Is(err, jenkins.ErrTooLarge):
			return nil, f.tooLarge(name), nil
		}
		return nil, "", err
	}
	defer rc.Close()
	src := &streamErr{r: rc}
	res, err := report.ParseJenkinsTestReport(src, name, report.Options{MaxBytes: f.opts.MaxBytes})
	if src.err != nil {
		note, err := f.streamNote(name, src.err)
		return nil, note, err
	}
	var tl *report.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, f.tooLarge(name), nil
	case ctx.Err() != nil:
		return nil, "", ctx.Err()
	case err != nil:
		return &found{err: oneLine(err.Error())}, "", nil
	}
	if !f.autoGovernance() {
		res.Governance = nil
	}
	return &found{res: res}, "", nil
}

// streamErr remembers the first error other than EOF its reader returned:
// the stream's own failure, as opposed to the report's content.
type streamErr struct {
	r   io.Reader
	err error
}

func (s *streamErr) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// merge joins the results of several files of one build. The same run is
// often archived twice, e.g. newman JSON and JUnit XML, or Spectral JSON and
// SARIF: a partial form (JUnit, SARIF) is dropped when a complete one of
// the same collection (by name) or definition (by file name) exists.
func merge(got []found) report.Results {
	full := map[string]bool{}
	fullDefs := map[string]bool{}
	for _, g := range got {
		for _, c := range g.res.Collections {
			if !c.Partial {
				full[strings.ToLower(c.Name)] = true
			}
		}
		for _, d := range g.res.Governance {
			if !d.Partial {
				fullDefs[strings.ToLower(path.Base(d.Definition))] = true
			}
		}
	}
	out := report.Results{Collections: []report.CollectionRun{}, Governance: []report.GovernanceResult{}}
	for _, g := range got {
		for _, c := range g.res.Collections {
			if c.Partial && full[strings.ToLower(c.Name)] {
				continue
			}
			out.Collections = append(out.Collections, c)
		}
		for _, d := range g.res.Governance {
			if d.Partial && fullDefs[strings.ToLower(path.Base(d.Definition))] {
				continue
			}
			out.Governance = append(out.Governance, d)
		}
	}
	return out
}

// oneLine folds a message onto one line, without terminal control
// sequences (it may quote a report's content).
func oneLine(s string) string {
	return strings.Join(strings.Fields(termtext.Clean(s)), " ")
}
