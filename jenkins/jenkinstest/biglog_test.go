package jenkinstest

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func bigWorld(t *testing.T, version string, logBytes int64) *World {
	t.Helper()
	w := DemoWorld()
	w.Version = version
	for i := range w.Jobs {
		if w.Jobs[i].Path == "payments/api-tests" {
			w.Jobs[i].LogBytes = logBytes
		}
	}
	return w
}

func TestFillerLine(t *testing.T) {
	for _, i := range []int64{0, 9, 123456788, 999999998} {
		l := FillerLine(i)
		if len(l) != fillerWidth-1 || !strings.HasPrefix(l, "step "+strconv.FormatInt(1e9+i+1, 10)[1:]+": ") {
			t.Fatalf("line %d: %q", i, l)
		}
	}
}

// A huge generated log streams through consoleText and progressiveText
// without the server holding it: the heap stays far below its size.
func TestHugeLogStreamsBounded(t *testing.T) {
	const size = 200 << 20
	f := newFixture(t, bigWorld(t, "2.541.1", size))
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	for _, path := range []string{"/job/payments/job/api-tests/129/consoleText", "/job/payments/job/api-tests/129/logText/progressiveText?start=0"} {
		req, _ := http.NewRequest("GET", f.hs.URL+path, nil)
		req.SetBasicAuth("admin", adminToken)
		res, err := f.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var peak uint64
		buf := make([]byte, 1<<20)
		var n int64
		var tail []byte
		for {
			k, err := res.Body.Read(buf)
			n += int64(k)
			if k > 0 {
				tail = append(tail[:0], buf[max(0, k-200):k]...)
			}
			if n%(32<<20) < int64(k) {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			if err != nil {
				break
			}
		}
		res.Body.Close()
		if n < size {
			t.Fatalf("%s: %d bytes, want over %d", path, n, size)
		}
		if !strings.Contains(string(tail), "Finished: ") {
			t.Fatalf("%s ends %q", path, tail)
		}
		if peak > before+64<<20 {
			t.Fatalf("%s: heap went from %d to %d MB", path, before>>20, peak>>20)
		}
		if path == "/job/payments/job/api-tests/129/logText/progressiveText?start=0" {
			if got, _ := strconv.ParseInt(res.Header.Get("X-Text-Size"), 10, 64); got < size {
				t.Fatalf("X-Text-Size %d", got)
			}
		}
	}
}

func TestProgressiveNegativeStart(t *testing.T) {
	// Before 2.534 the plain answer seeks to the negative offset and fails.
	f := newFixture(t, bigWorld(t, "2.479.3", 0))
	r := f.do("GET", "/job/payments/job/api-tests/129/logText/progressiveText?start=-100", "admin", adminToken, nil, "Accept", "multipart/form-data")
	if r.code != 500 || !strings.Contains(r.header.Get("Content-Type"), "html") {
		t.Fatalf("old Jenkins, negative start: %d %s", r.code, r.header.Get("Content-Type"))
	}
	// 2.534+: multipart tail from a line start.
	f = newFixture(t, bigWorld(t, "2.541.1", 0))
	full := f.get("/job/payments/job/api-tests/129/consoleText").body
	r = f.do("GET", "/job/payments/job/api-tests/129/logText/progressiveText?start=-100", "admin", adminToken, nil, "Accept", "multipart/form-data")
	mt, params, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if r.code != 200 || mt != "multipart/form-data" {
		t.Fatalf("new Jenkins: %d %s", r.code, mt)
	}
	mr := multipart.NewReader(strings.NewReader(r.body), params["boundary"])
	parts := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p)
		parts[p.FormName()] = string(b)
	}
	text := parts["text"]
	if text == "" || len(text) > 100 || !strings.HasSuffix(full, text) || !strings.HasSuffix(full[:len(full)-len(text)], "\n") {
		t.Fatalf("tail %q of %q", text, full[max(0, len(full)-200):])
	}
	if !strings.Contains(parts["meta"], `"completed":true`) || !strings.Contains(parts["meta"], `"startFromNewLine":true`) {
		t.Fatalf("meta %s", parts["meta"])
	}
	// Without the Accept header the answer is plain, as before.
	r = f.get("/job/payments/job/api-tests/129/logText/progressiveText?start=0")
	if r.header.Get("X-Text-Size") == "" || !strings.Contains(r.body, "\r\n") {
		t.Fatalf("plain answer: %v", r.header)
	}
}

// A running build's plain answer stops after 10000 lines (Stapler's
// MAX_LINES_READ); the next start continues.
func TestProgressiveLineCapWhileRunning(t *testing.T) {
	f := newFixture(t, bigWorld(t, "2.479.3", 20<<20))
	n := 130 // the running build
	var first resp
	for range 30 {
		first = f.get("/job/payments/job/api-tests/" + strconv.Itoa(n) + "/logText/progressiveText?start=0")
		if strings.Count(first.body, "\n") >= maxLinesRead {
			break
		}
		f.clock.add(10e9)
	}
	if first.header.Get("X-More-Data") != "true" || strings.Count(first.body, "\n") != maxLinesRead {
		t.Fatalf("running: more=%q, %d lines", first.header.Get("X-More-Data"), strings.Count(first.body, "\n"))
	}
	next := f.get("/job/payments/job/api-tests/" + strconv.Itoa(n) + "/logText/progressiveText?start=" + first.header.Get("X-Text-Size"))
	if !strings.HasPrefix(next.body, "step ") {
		t.Fatalf("next answer starts %q", next.body[:min(40, len(next.body))])
	}
}
