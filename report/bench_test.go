package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// writeNewmanReport writes a newman-shaped JSON report the way newman's json
// reporter does (JSON.stringify(summary, 0, 2): response bodies as Buffer
// byte arrays, one number per line) with n requests of bodySize bytes each.
// It allocates nothing per body byte, so allocation measurements around it
// are the parser's.
func writeNewmanReport(w io.Writer, n, bodySize int) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	fmt.Fprintf(bw, `{
  "collection": {
    "info": {"_postman_id": "0b6d7f0e", "name": "Huge", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "item": [
      {"name": "Big", "item": [
`)
	for i := 0; i < n; i++ {
		sep := ","
		if i == n-1 {
			sep = ""
		}
		fmt.Fprintf(bw, "        {\"id\": \"item-%d\", \"name\": \"Big %d\", \"request\": {\"url\": {\"host\": [\"{{baseUrl}}\"], \"path\": [\"big\"]}, \"method\": \"GET\"}, \"response\": []}%s\n", i, i, sep)
	}
	fmt.Fprintf(bw, `      ]}
    ]
  },
  "environment": {"id": "e", "name": "env", "values": [{"type": "any", "value": "not-a-real-key", "key": "apiKey"}]},
  "globals": {"id": "g", "values": []},
  "run": {
    "stats": {
      "iterations": {"total": 1, "pending": 0, "failed": 0},
      "requests": {"total": %d, "pending": 0, "failed": 0},
      "assertions": {"total": %d, "pending": 0, "failed": %d}
    },
    "timings": {"responseAverage": 10, "started": 1000, "completed": 9000},
    "executions": [
`, n, 2*n, n)
	body := []byte(`{"id":12345,"name":"user-12345","email":"user@example.org","tags":["a","b"]},`)
	line := make([]byte, 0, 32)
	for i := 0; i < n; i++ {
		fmt.Fprintf(bw, `      {
        "cursor": {"position": %d, "iteration": 0, "length": %d, "cycles": 1, "httpRequestId": "req-%d"},
        "item": {"id": "item-%d", "name": "Big %d", "request": {"url": {"host": ["{{baseUrl}}"], "path": ["big"]}, "method": "GET"}, "response": []},
        "request": {
          "url": {"protocol": "http", "port": "18080", "path": ["big"], "host": ["127", "0", "0", "1"], "query": [{"key": "kb", "value": "100"}], "variable": []},
          "header": [{"key": "x-api-key", "value": "not-a-real-key"}, {"key": "User-Agent", "value": "PostmanRuntime/7.39.1", "system": true}],
          "method": "GET"
        },
        "response": {
          "id": "resp-%d",
          "status": "OK",
          "code": 200,
          "header": [{"key": "Content-Type", "value": "application/json"}],
          "stream": {
            "type": "Buffer",
            "data": [
`, i, n, i, i, i, i)
		for j := 0; j < bodySize; j++ {
			line = append(line[:0], "              "...)
			line = strconv.AppendInt(line, int64(body[j%len(body)]), 10)
			if j < bodySize-1 {
				line = append(line, ',')
			}
			line = append(line, '\n')
			bw.Write(line)
		}
		sep := ","
		if i == n-1 {
			sep = ""
		}
		fmt.Fprintf(bw, `            ]
          },
          "cookie": [],
          "responseTime": %d,
          "responseSize": %d
        },
        "id": "item-%d",
        "assertions": [
          {"assertion": "Status code is 200", "skipped": false},
          {"assertion": "Array is not empty", "skipped": false, "error": {"name": "AssertionError", "index": 1, "test": "Array is not empty", "message": "expected 0 to be above 0", "stack": "AssertionError: x"}}
        ]
      }%s
`, 10+i%7, bodySize, i, sep)
	}
	fmt.Fprint(bw, `    ],
    "transfers": {"responseTotal": 0},
    "failures": [],
    "error": null
  }
}
`)
	return bw.Flush()
}

// fullNewman is the whole newman report as plain encoding/json structs, body
// bytes included: the baseline the streaming parser is measured against.
type fullNewman struct {
	Collection struct {
		Info struct {
			ID     string `json:"_postman_id"`
			Name   string `json:"name"`
			Schema string `json:"schema"`
		} `json:"info"`
		Item []fullItem `json:"item"`
	} `json:"collection"`
	Environment struct {
		Values []struct{ Key, Value, Type string } `json:"values"`
	} `json:"environment"`
	Run struct {
		Stats      map[string]struct{ Total, Pending, Failed int } `json:"stats"`
		Timings    map[string]float64                              `json:"timings"`
		Executions []struct {
			Cursor struct {
				Position, Iteration, Length, Cycles int
				HTTPRequestID                       string `json:"httpRequestId"`
			} `json:"cursor"`
			Item    fullItem `json:"item"`
			Request struct {
				URL struct {
					Protocol, Port string
					Path, Host     []string
					Query          []struct{ Key, Value string }
				} `json:"url"`
				Header []struct{ Key, Value string } `json:"header"`
				Method string                        `json:"method"`
			} `json:"request"`
			Response struct {
				ID, Status string
				Code       int
				Header     []struct{ Key, Value string }
				Stream     struct {
					Type string
					Data []byte
				}
				ResponseTime int `json:"responseTime"`
				ResponseSize int `json:"responseSize"`
			} `json:"response"`
			ID         string `json:"id"`
			Assertions []struct {
				Assertion string `json:"assertion"`
				Skipped   bool   `json:"skipped"`
				Error     *struct{ Name, Message, Stack string }
			} `json:"assertions"`
		} `json:"executions"`
		Failures []json.RawMessage `json:"failures"`
	} `json:"run"`
}

type fullItem struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Item    []fullItem      `json:"item"`
	Request json.RawMessage `json:"request"`
}

// peakHeap samples the live heap every 500µs until stop is called.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkHugeNewman parses a generated ~200 MB newman report (100 KiB
// responses) with the streaming parser and with encoding/json into full
// structs. Run: go test ./report -run '^$' -bench HugeNewman -benchtime 3x
func BenchmarkHugeNewman(b *testing.B) {
	path := filepath.Join(b.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	const requests, body = 110, 100 << 10
	if err := writeNewmanReport(f, requests, body); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)
	size := st.Size()
	b.Logf("report: %d requests x %d KiB bodies = %.0f MB", requests, body>>10, float64(size)/1e6)

	run := func(b *testing.B, parse func(io.Reader) error) {
		b.SetBytes(size)
		b.ReportAllocs()
		var peak uint64
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			runtime.GC()
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			stop := peakHeap()
			b.StartTimer()
			err = parse(f)
			b.StopTimer()
			peak = max(peak, stop())
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
	}
	b.Run("stream", func(b *testing.B) {
		run(b, func(r io.Reader) error {
			res, err := Parse(r, "huge.json", Options{})
			if err == nil && (res.Collections[0].Assertions.Total != 2*requests || len(res.Collections[0].Executions) != requests) {
				err = fmt.Errorf("wrong result: %+v", res.Collections[0].Assertions)
			}
			return err
		})
	})
	b.Run("encoding-json-full", func(b *testing.B) {
		run(b, func(r io.Reader) error {
			var full fullNewman
			err := json.NewDecoder(r).Decode(&full)
			if err == nil && len(full.Run.Executions[0].Response.Stream.Data) != body {
				err = fmt.Errorf("body not decoded")
			}
			return err
		})
	})
}

// Memory must not grow with body size: parsing the same run with 1 MiB
// bodies allocates about what it does with 1 KiB bodies.
func TestMemoryIndependentOfBodySize(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	alloc := func(body int) (uint64, int64) {
		pr, pw := io.Pipe()
		var n int64
		go func() { pw.CloseWithError(writeNewmanReport(pw, 8, body)) }()
		cr := &countReader{r: pr, n: &n}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, err := Parse(cr, "gen.json", Options{})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Collections[0].Executions) != 8 {
			t.Fatalf("executions = %d", len(res.Collections[0].Executions))
		}
		return after.TotalAlloc - before.TotalAlloc, n
	}
	small, smallSize := alloc(1 << 10)
	big, bigSize := alloc(1 << 20)
	t.Logf("1 KiB bodies: %d B report, %d B allocated; 1 MiB bodies: %d B report, %d B allocated", smallSize, small, bigSize, big)
	if big > small+(1<<20) {
		t.Errorf("allocations grow with body size: %d -> %d bytes for a %dx bigger report", small, big, bigSize/smallSize)
	}
}

type countReader struct {
	r io.Reader
	n *int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}
