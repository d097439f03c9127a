package store

import (
	"context"
	"fmt"

	"github.com/jeeves-dev/jeeves/insight"
	"github.com/jeeves-dev/jeeves/report"
)

// A digest is what the history insights read of one build's results,
// packed like the builds (codec.go) behind a table of the distinct strings
// it uses: an assertion name repeated over iterations, a folder over its
// requests, a rule over its paths are stored once. Reading the history of a
// thousand builds decodes these, never the deflated JSON of the full
// results (BENCHMARKS.md, BenchmarkHistory).
//
// It keeps: per collection run its name and assertion counts; per
// execution its iteration, folder, name, method, status code, response
// time and error; per assertion its name and status; per governance result
// its definition; per violation its rule, severity and JSON path. Not kept:
// messages (they were most of a digest's bytes: the few a history shows are
// read from those builds' full results, insight.Trends.FillMessages), URLs,
// artifacts, tools, durations, files, lines and columns. Uncompressed:
// inflating a thousand digests cost more than the rest of reading them.

const digestV1 = 1

type strTable struct {
	idx  map[string]uint64
	list []string
}

func (t *strTable) id(s string) uint64 {
	if s == "" {
		return 0
	}
	if i, ok := t.idx[s]; ok {
		return i
	}
	t.list = append(t.list, s)
	i := uint64(len(t.list))
	t.idx[s] = i
	return i
}

func encodeDigest(res report.Results) []byte {
	t := strTable{idx: map[string]uint64{}}
	var body enc
	body.uint(uint64(len(res.Collections)))
	for _, c := range res.Collections {
		body.uint(t.id(c.Name))
		body.int(int64(c.Assertions.Total))
		body.int(int64(c.Assertions.Failed))
		body.int(int64(c.Assertions.Skipped))
		body.uint(uint64(len(c.Executions)))
		for _, e := range c.Executions {
			body.int(int64(e.Iteration))
			body.uint(t.id(e.Folder))
			body.uint(t.id(e.Name))
			body.uint(t.id(e.Method))
			body.int(int64(e.Code))
			body.int(e.ResponseMS)
			body.uint(t.id(e.Error))
			body.uint(uint64(len(e.Assertions)))
			for _, a := range e.Assertions {
				body.uint(t.id(a.Name))
				body.uint(t.id(string(a.Status)))
			}
		}
	}
	body.uint(uint64(len(res.Governance)))
	for _, g := range res.Governance {
		body.uint(t.id(g.Definition))
		body.uint(uint64(len(g.Violations)))
		for _, v := range g.Violations {
			body.uint(t.id(v.Rule))
			body.uint(t.id(string(v.Severity)))
			body.uint(t.id(v.Path))
		}
	}
	e := enc{b: make([]byte, 0, len(body.b)+64*len(t.list))}
	e.b = append(e.b, digestV1)
	e.uint(uint64(len(t.list)))
	for _, s := range t.list {
		e.str(s)
	}
	e.b = append(e.b, body.b...)
	return e.b
}

// interned keeps the strings every digest repeats from pinning one blob.
var interned = map[string]string{}

func init() {
	for _, s := range []string{string(report.Passed), string(report.Failed), string(report.Skipped),
		string(report.SevError), string(report.SevWarning), string(report.SevInfo), string(report.SevHint),
		"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"} {
		interned[s] = s
	}
}

func decodeDigest(b []byte) (report.Results, error) {
	var res report.Results
	if len(b) == 0 || b[0] != digestV1 {
		return res, fmt.Errorf("history digest: unknown format")
	}
	d := dec{s: string(b[1:])}
	n := d.count()
	strs := make([]string, n+1)
	for i := 1; i <= n; i++ {
		s := d.str()
		if v, ok := interned[s]; ok {
			s = v
		}
		strs[i] = s
	}
	str := func() string {
		i := d.uint()
		if i >= uint64(len(strs)) {
			d.fail()
			return ""
		}
		return strs[i]
	}
	if nc := d.count(); nc > 0 {
		res.Collections = make([]report.CollectionRun, nc)
		for ci := range res.Collections {
			c := &res.Collections[ci]
			c.Name = str()
			c.Assertions = report.Counts{Total: int(d.int()), Failed: int(d.int()), Skipped: int(d.int())}
			c.Executions = make([]report.Execution, d.count())
			for ei := range c.Executions {
				e := &c.Executions[ei]
				e.Iteration = int(d.int())
				e.Folder, e.Name, e.Method = str(), str(), str()
				e.Code = int(d.int())
				e.ResponseMS = d.int()
				e.Error = str()
				if na := d.count(); na > 0 {
					e.Assertions = make([]report.Assertion, na)
					for ai := range e.Assertions {
						a := &e.Assertions[ai]
						a.Name = str()
						a.Status = report.AssertionStatus(str())
					}
				}
			}
		}
	}
	if ng := d.count(); ng > 0 {
		res.Governance = make([]report.GovernanceResult, ng)
		for gi := range res.Governance {
			g := &res.Governance[gi]
			g.Definition = str()
			g.Violations = make([]report.Violation, d.count())
			for vi := range g.Violations {
				v := &g.Violations[vi]
				v.Rule = str()
				v.Severity = report.Severity(str())
				v.Path = str()
			}
		}
	}
	if err := d.end(); err != nil {
		return report.Results{}, fmt.Errorf("history digest: %v", err)
	}
	return res, nil
}

// HistoryBuild is a stored build with what the history insights read of
// its results: Results is set when ResultsState is ResultsStored, and holds
// only what a digest keeps (see above).
type HistoryBuild struct {
	BuildRecord
	Results report.Results
}

// HistoryInfo says how History got what it returned.
type HistoryInfo struct {
	// Computed counts builds whose results were stored by a jeeves from
	// before the history digests (schema version 2 or older): their digest was
	// computed from the full results this once, and saved.
	Computed int
}

// History reads an integration's newest stored builds (all when limit <=
// 0), newest first, each with its results' digest.
func (s *Store) History(ctx context.Context, integration string, limit int) ([]HistoryBuild, HistoryInfo, error) {
	var info HistoryInfo
	recs, err := s.Builds(ctx, integration, limit)
	if err != nil || len(recs) == 0 {
		return nil, info, err
	}
	out := make([]HistoryBuild, len(recs))
	at := make(map[int]int, len(recs))
	for i, r := range recs {
		out[i].BuildRecord = r
		at[r.Number] = i
	}
	lo, hi := recs[len(recs)-1].Number, recs[0].Number
	rows, err := s.db.QueryContext(ctx, `SELECT number, data FROM result_digest WHERE integration = ? AND number BETWEEN ? AND ?`,
		integration, lo, hi)
	if err != nil {
		return nil, info, s.wrap("read history", err)
	}
	have := make([]bool, len(recs))
	for rows.Next() {
		var n int
		var data []byte
		if err := rows.Scan(&n, &data); err != nil {
			rows.Close()
			return nil, info, s.wrap("read history", err)
		}
		i, ok := at[n]
		if !ok || out[i].ResultsState != ResultsStored {
			continue
		}
		res, err := decodeDigest(data)
		if err != nil {
			rows.Close()
			return nil, info, fmt.Errorf("store %s: results of %s #%d: %v", s.path, integration, n, err)
		}
		out[i].Results = res
		have[i] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, info, s.wrap("read history", err)
	}
	for i := range out {
		if have[i] || out[i].ResultsState != ResultsStored {
			continue
		}
		// Stored before digests existed: compute it from the full results, once.
		res, state, _, err := s.Results(ctx, integration, out[i].Number)
		if err != nil {
			return nil, info, err
		}
		if state != ResultsStored {
			continue
		}
		digest := encodeDigest(res)
		if out[i].Results, err = decodeDigest(digest); err != nil {
			return nil, info, err
		}
		info.Computed++
		if err := retryBusy(ctx, func() error {
			_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO result_digest (integration, number, data)
SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM result_data WHERE integration = ?1 AND number = ?2)`, integration, out[i].Number, digest)
			return err
		}); err != nil {
			return nil, info, s.wrap("save history", err)
		}
	}
	return out, info, nil
}

// Trends computes the history insights of an integration's newest stored
// builds (all when limit <= 0), with the messages read from the full
// results of the few builds they name.
func (s *Store) Trends(ctx context.Context, integration string, limit int, opt insight.Options) (insight.Trends, HistoryInfo, error) {
	hist, info, err := s.History(ctx, integration, limit)
	if err != nil {
		return insight.Trends{}, info, err
	}
	builds := make([]insight.Build, len(hist))
	for i, h := range hist {
		builds[i] = insight.Build{Number: h.Number, Status: string(h.Status), HasResults: h.ResultsState == ResultsStored, Results: h.Results}
	}
	tr := insight.Compute(builds, opt)
	full := map[int]report.Results{}
	for _, n := range tr.MessageBuilds() {
		res, state, _, err := s.Results(ctx, integration, n)
		if err != nil {
			return insight.Trends{}, info, err
		}
		if state == ResultsStored {
			full[n] = res
		}
	}
	tr.FillMessages(full)
	return tr, info, nil
}
