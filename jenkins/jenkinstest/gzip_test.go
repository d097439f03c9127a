package jenkinstest

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

func TestGzipLikeStapler(t *testing.T) {
	srv := New(DemoWorld())
	srv.Start()
	defer srv.Close()
	user, tok := srv.Credentials()
	get := func(path, enc string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.URL()+path, nil)
		req.SetBasicAuth(user, tok)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		// a bare transport does not add or undo gzip when we set the header ourselves
		resp, err := (&http.Transport{}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	path := "/job/payments/job/api-tests/api/json?tree=builds[number,result,building]{0,50}"
	plainResp, plain := get(path, "")
	if plainResp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("gzip without Accept-Encoding")
	}
	gzResp, gz := get(path, "gzip, deflate")
	if gzResp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip for a client that accepts it: %v", gzResp.Header)
	}
	zr, err := gzip.NewReader(bytesReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unz, _ := io.ReadAll(zr)
	var a, b any
	if json.Unmarshal(plain, &a) != nil || json.Unmarshal(unz, &b) != nil {
		t.Fatalf("bodies are not JSON")
	}
	if string(unz) != string(plain) {
		t.Errorf("gzip body differs from the plain one")
	}
	if len(gz) >= len(plain)/2 {
		t.Errorf("gzip did not shrink the list: %d vs %d bytes", len(gz), len(plain))
	}
	st := srv.Stats()["builds"]
	if st.Bytes <= 0 {
		t.Logf("stats: %+v", srv.Stats())
	}
	// error pages are not compressed
	resp, _ := get("/job/nope/api/json", "gzip")
	if resp.StatusCode != 404 || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("404: status %d encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}

type byteReader struct {
	b []byte
}

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func bytesReader(b []byte) io.Reader { return &byteReader{b} }
