package store

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

// A build is kept as one small binary blob, and so is the outcome of
// looking at its results: loading thousands of builds must stay far below
// the 50 ms the dashboard has to open, and per-column reads or JSON
// decoding would eat that. A blob starts with a format byte; then come
// uvarint-length-prefixed strings, zigzag varints, and for each optional
// part (causes, parameters, artifacts, tests, summaries) a 0/1 presence
// flag so that "not known" (nil) and "none" (empty) stay apart.

const codecV1 = 1

var errCodec = errors.New("malformed data")

type enc struct{ b []byte }

func (e *enc) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *enc) uint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }
func (e *enc) int(n int64)   { e.b = binary.AppendVarint(e.b, n) }
func (e *enc) flag(ok bool) {
	if ok {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// dec reads a blob converted to a string once, so that every decoded
// string is a substring of it: one allocation per blob, not per field.
type dec struct {
	s   string
	err error
}

func (d *dec) fail() {
	if d.err == nil {
		d.err = errCodec
	}
	d.s = ""
}

func (d *dec) uint() uint64 {
	var x uint64
	var shift uint
	for i := 0; i < len(d.s) && i < binary.MaxVarintLen64; i++ {
		c := d.s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflows 64 bits
			}
			d.s = d.s[i+1:]
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	d.fail()
	return 0
}

func (d *dec) int() int64 {
	ux := d.uint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (d *dec) flag() bool {
	switch d.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail()
	return false
}

func (d *dec) str() string {
	n := d.uint()
	if n > uint64(len(d.s)) {
		d.fail()
		return ""
	}
	v := d.s[:n]
	d.s = d.s[n:]
	return v
}

// count reads an item count, refusing counts the remaining bytes cannot hold.
func (d *dec) count() int {
	n := d.uint()
	if n > uint64(len(d.s)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *dec) start(b []byte) {
	d.err = nil
	if len(b) == 0 || b[0] != codecV1 {
		d.fail()
		return
	}
	d.s = string(b[1:])
}

// end checks that the whole blob was read.
func (d *dec) end() error {
	if d.err == nil && d.s != "" {
		d.err = errCodec
	}
	return d.err
}

// encodeBuild packs one build.
func encodeBuild(b jenkins.Build) []byte {
	e := enc{b: make([]byte, 0, 128+len(b.URL)+len(b.DisplayName)+len(b.Description))}
	e.b = append(e.b, codecV1)
	e.str(string(b.Status))
	e.str(b.Result)
	var started int64
	if !b.Started.IsZero() {
		started = b.Started.UnixMilli()
	}
	e.int(started)
	e.int(b.Duration.Milliseconds())
	e.int(b.EstimatedDuration.Milliseconds())
	e.str(b.URL)
	e.int(b.QueueID)
	e.str(b.DisplayName)
	e.str(b.Description)

	e.flag(b.Causes != nil)
	if b.Causes != nil {
		e.uint(uint64(len(b.Causes)))
		for _, c := range b.Causes {
			e.str(c.Class)
			e.str(c.Description)
			e.str(c.UserID)
			e.str(c.UserName)
		}
	}
	e.flag(b.Params != nil)
	if b.Params != nil {
		e.uint(uint64(len(b.Params)))
		for _, p := range b.Params {
			e.str(p.Name)
			e.flag(p.Masked) // a masked (password) value is what the client shows, never the secret
			e.str(p.Value)
		}
	}
	e.flag(b.Artifacts != nil)
	if b.Artifacts != nil {
		e.uint(uint64(len(b.Artifacts)))
		for _, a := range b.Artifacts {
			e.str(a.RelativePath)
			// FileName is almost always the last element of RelativePath: store it only when not.
			same := a.FileName == baseName(a.RelativePath)
			e.flag(!same)
			if !same {
				e.str(a.FileName)
			}
			e.int(a.Size)
		}
	}
	e.flag(b.Tests != nil)
	if b.Tests != nil {
		e.int(int64(b.Tests.Total))
		e.int(int64(b.Tests.Failed))
		e.int(int64(b.Tests.Skipped))
	}
	return e.b
}

// decodeBuild unpacks a blob from encodeBuild into b (Number and Building
// live in their own columns).
func decodeBuild(data []byte, b *jenkins.Build) error {
	var d dec
	d.start(data)
	b.Status = internStatus(d.str())
	b.Result = d.str()
	if ms := d.int(); ms != 0 {
		b.Started = time.UnixMilli(ms)
	}
	b.Duration = time.Duration(d.int()) * time.Millisecond
	b.EstimatedDuration = time.Duration(d.int()) * time.Millisecond
	b.URL = d.str()
	b.QueueID = d.int()
	b.DisplayName = d.str()
	b.Description = d.str()

	if d.flag() {
		b.Causes = make([]jenkins.Cause, d.count())
		for i := range b.Causes {
			b.Causes[i] = jenkins.Cause{Class: d.str(), Description: d.str(), UserID: d.str(), UserName: d.str()}
		}
	}
	if d.flag() {
		b.Params = make([]jenkins.Param, d.count())
		for i := range b.Params {
			b.Params[i] = jenkins.Param{Name: d.str(), Masked: d.flag(), Value: d.str()}
		}
	}
	if d.flag() {
		b.Artifacts = make([]jenkins.Artifact, d.count())
		for i := range b.Artifacts {
			a := &b.Artifacts[i]
			a.RelativePath = d.str()
			if d.flag() {
				a.FileName = d.str()
			} else {
				a.FileName = baseName(a.RelativePath)
			}
			a.Size = d.int()
		}
	}
	if d.flag() {
		b.Tests = &jenkins.TestSummary{Total: int(d.int()), Failed: int(d.int()), Skipped: int(d.int())}
	}
	return d.end()
}

// mergeBuild fills what a poll left out (nil) of nb from what was stored.
func mergeBuild(nb *jenkins.Build, old jenkins.Build) {
	if nb.Causes == nil {
		nb.Causes = old.Causes
	}
	if nb.Params == nil {
		nb.Params = old.Params
	}
	if nb.Artifacts == nil {
		nb.Artifacts = old.Artifacts
	}
	if nb.Tests == nil {
		nb.Tests = old.Tests
	}
}

// resultInfo is the outcome of looking at a build's results, as lists show it.
type resultInfo struct {
	state ResultsState
	why   string
	cs    *report.CollectionSummary
	gs    *report.GovernanceSummary
}

func encodeResultInfo(ri resultInfo) []byte {
	e := enc{b: make([]byte, 0, 32+len(ri.why))}
	e.b = append(e.b, codecV1)
	e.str(string(ri.state))
	e.str(ri.why)
	e.flag(ri.cs != nil)
	if cs := ri.cs; cs != nil {
		for _, n := range []int{cs.Runs, cs.Requests, cs.RequestsFailed, cs.Assertions, cs.AssertionsFailed} {
			e.int(int64(n))
		}
	}
	e.flag(ri.gs != nil)
	if gs := ri.gs; gs != nil {
		for _, n := range []int{gs.Definitions, gs.Error, gs.Warning, gs.Info, gs.Hint} {
			e.int(int64(n))
		}
	}
	return e.b
}

func decodeResultInfo(b []byte) (resultInfo, error) {
	var ri resultInfo
	var d dec
	d.start(b)
	ri.state = internState(d.str())
	ri.why = d.str()
	if d.flag() {
		ri.cs = &report.CollectionSummary{Runs: int(d.int()), Requests: int(d.int()), RequestsFailed: int(d.int()),
			Assertions: int(d.int()), AssertionsFailed: int(d.int())}
	}
	if d.flag() {
		ri.gs = &report.GovernanceSummary{Definitions: int(d.int()), Error: int(d.int()), Warning: int(d.int()),
			Info: int(d.int()), Hint: int(d.int())}
	}
	if err := d.end(); err != nil {
		return resultInfo{}, err
	}
	return ri, nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// internStatus returns the package constant for a known status, so a
// decoded build does not keep its whole blob alive through it.
func internStatus(s string) jenkins.Status {
	for _, st := range jenkins.AllStatuses {
		if string(st) == s {
			return st
		}
	}
	return jenkins.Status(s)
}

func internState(s string) ResultsState {
	for _, st := range []ResultsState{ResultsStored, ResultsEmpty, ResultsError, ResultsNone, ResultsPending} {
		if string(st) == s {
			return st
		}
	}
	return ResultsState(s)
}
