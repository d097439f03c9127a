package jenkins

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Seeds live in testdata/fuzz/<FuzzName>/ (a real-shaped multipart tail,
// truncated and garbled ones).

// FuzzTailMultipart: whatever a server sends as a multipart log answer, the
// tail is an error or cleaned text within the window's bound, and never
// panics.
func FuzzTailMultipart(f *testing.F) {
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nline 1\r\nline 2\n\r\n--b\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{\"completed\":true,\"start\":10,\"end\":24}\r\n--b--\r\n"))
	var body atomic.Value
	c, _ := serve(f, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "multipart/form-data; boundary=b")
		w.Write(body.Load().([]byte))
	}))
	const window = 64
	f.Fuzz(func(t *testing.T, data []byte) {
		body.Store(data)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		tl, err := c.TailLog(ctx, "j", 1, window)
		if err != nil {
			return
		}
		if len(tl.Text) > window+window/4 || bytes.Contains(tl.Text, []byte("\r\n")) || tl.Method != TailMultipart {
			t.Fatalf("tail %q method %s", tl.Text, tl.Method)
		}
	})
}

// FuzzReadTail: the bytes kept are the input's last ones, at most max.
func FuzzReadTail(f *testing.F) {
	f.Add([]byte("a\nbb\nccc\n"), 4)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		if max <= 0 || max > 1<<16 {
			return
		}
		got, over, err := readTail(strings.NewReader(string(data)), int64(max))
		if err != nil || len(got) > max || over != (len(data) > max) || !bytes.HasSuffix(data, got) || (!over && len(got) != len(data)) {
			t.Fatalf("readTail(%d bytes, %d) = %d bytes, over %v, %v", len(data), max, len(got), over, err)
		}
	})
}
