package store

import (
	"encoding/binary"
	"errors"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// A build's causes, parameters and artifacts are kept as small binary
// blobs: loading thousands of builds must stay far below the 50 ms the
// dashboard has to open, and JSON decoding alone would eat that. Each blob
// starts with a format byte, then a uvarint count, then per item its
// fields as uvarint-length-prefixed strings (and flags/sizes as varints).

const codecV1 = 1

var errCodec = errors.New("malformed build data")

type enc struct{ b []byte }

func (e *enc) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *enc) uint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }
func (e *enc) int(n int64)   { e.b = binary.AppendVarint(e.b, n) }

type dec struct {
	b   []byte
	err error
}

func (d *dec) uint() uint64 {
	if d.err != nil {
		return 0
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.err = errCodec
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *dec) int() int64 {
	if d.err != nil {
		return 0
	}
	n, k := binary.Varint(d.b)
	if k <= 0 {
		d.err = errCodec
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *dec) str() string {
	n := d.uint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errCodec
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// count reads an item count, refusing counts the remaining bytes cannot hold.
func (d *dec) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.err = errCodec
		return 0
	}
	return int(n)
}

func (d *dec) start(b []byte) {
	d.b, d.err = b, nil
	if len(b) == 0 || b[0] != codecV1 {
		d.err = errCodec
		return
	}
	d.b = b[1:]
}

// encodeCauses returns nil for a nil slice (not known) and a blob otherwise.
func encodeCauses(cs []jenkins.Cause) []byte {
	if cs == nil {
		return nil
	}
	e := enc{b: []byte{codecV1}}
	e.uint(uint64(len(cs)))
	for _, c := range cs {
		e.str(c.Class)
		e.str(c.Description)
		e.str(c.UserID)
		e.str(c.UserName)
	}
	return e.b
}

func decodeCauses(b []byte) ([]jenkins.Cause, error) {
	if b == nil {
		return nil, nil
	}
	var d dec
	d.start(b)
	n := d.count()
	out := make([]jenkins.Cause, n)
	for i := range out {
		out[i] = jenkins.Cause{Class: d.str(), Description: d.str(), UserID: d.str(), UserName: d.str()}
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}

func encodeParams(ps []jenkins.Param) []byte {
	if ps == nil {
		return nil
	}
	e := enc{b: []byte{codecV1}}
	e.uint(uint64(len(ps)))
	for _, p := range ps {
		e.str(p.Name)
		// A masked (password) value is already what the client shows, never the secret.
		if p.Masked {
			e.uint(1)
		} else {
			e.uint(0)
		}
		e.str(p.Value)
	}
	return e.b
}

func decodeParams(b []byte) ([]jenkins.Param, error) {
	if b == nil {
		return nil, nil
	}
	var d dec
	d.start(b)
	n := d.count()
	out := make([]jenkins.Param, n)
	for i := range out {
		out[i].Name = d.str()
		out[i].Masked = d.uint() == 1
		out[i].Value = d.str()
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}

func encodeArtifacts(as []jenkins.Artifact) []byte {
	if as == nil {
		return nil
	}
	e := enc{b: []byte{codecV1}}
	e.uint(uint64(len(as)))
	for _, a := range as {
		e.str(a.RelativePath)
		// FileName is almost always the last element of RelativePath: store it only when not.
		if a.FileName == baseName(a.RelativePath) {
			e.uint(0)
		} else {
			e.uint(1)
			e.str(a.FileName)
		}
		e.int(a.Size)
	}
	return e.b
}

func decodeArtifacts(b []byte) ([]jenkins.Artifact, error) {
	if b == nil {
		return nil, nil
	}
	var d dec
	d.start(b)
	n := d.count()
	out := make([]jenkins.Artifact, n)
	for i := range out {
		out[i].RelativePath = d.str()
		if d.uint() == 1 {
			out[i].FileName = d.str()
		} else {
			out[i].FileName = baseName(out[i].RelativePath)
		}
		out[i].Size = d.int()
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
