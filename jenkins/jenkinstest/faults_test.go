package jenkinstest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// started runs a demo server on a loopback port, as `jeeves sim` does.
func started(t *testing.T, w *World) *Server {
	t.Helper()
	srv := New(w, WithNow(newClock().now))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// fetch is what an HTTP client sees for GET path.
func fetch(t *testing.T, c *http.Client, srv *Server, path string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL()+path, nil)
	req.SetBasicAuth("admin", adminToken)
	res, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

func freshClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestFaultLatency(t *testing.T) {
	srv := started(t, nil)
	srv.SetFaults(Faults{Latency: Duration(3 * time.Second)})
	// A client with a shorter timeout gives up: that is what it sees.
	c := &http.Client{Timeout: 100 * time.Millisecond}
	_, _, err := fetch(t, c, srv, "/api/json")
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	srv.SetFaults(Faults{})
	if res, _, err := fetch(t, c, srv, "/api/json"); err != nil || res.StatusCode != 200 {
		t.Fatalf("after clearing faults: %v", err)
	}
}

func TestFaultServerErrors(t *testing.T) {
	srv := started(t, nil)
	srv.SetFaults(Faults{ErrorRate: 1})
	seen := map[int]bool{}
	for range 12 {
		res, body, err := fetch(t, freshClient(), srv, "/api/json")
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode < 500 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<html>") && !strings.Contains(string(body), "<!DOCTYPE html>") {
			t.Fatalf("want a 5xx HTML page, got %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		seen[res.StatusCode] = true
	}
	if len(seen) < 2 {
		t.Fatalf("5xx codes seen: %v", seen)
	}
	// a fraction: about half of 200 requests fail, deterministically for the seed
	srv.SetFaults(Faults{ErrorRate: 0.5})
	fails := 0
	for range 200 {
		res, _, err := fetch(t, http.DefaultClient, srv, "/whoAmI/api/json")
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode >= 500 {
			fails++
		}
	}
	if fails < 70 || fails > 130 {
		t.Fatalf("error_rate 0.5 failed %d of 200", fails)
	}
}

func TestFaultConnectionReset(t *testing.T) {
	srv := started(t, nil)
	srv.SetFaults(Faults{ResetRate: 1})
	_, _, err := fetch(t, freshClient(), srv, "/api/json")
	if err == nil {
		t.Fatal("want a connection error")
	}
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("want connection reset or EOF, got %v", err)
	}
}

func TestFaultTruncatedBody(t *testing.T) {
	srv := started(t, nil)
	srv.SetFaults(Faults{TruncateRate: 1})
	res, body, err := fetch(t, freshClient(), srv, "/job/payments/job/api-tests/api/json")
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("want unexpected EOF while reading the body, got %v", err)
	}
	if res.StatusCode != 200 || res.ContentLength <= int64(len(body)) || len(body) == 0 {
		t.Fatalf("status %d, content-length %d, got %d bytes", res.StatusCode, res.ContentLength, len(body))
	}
}

func TestFaultOutage(t *testing.T) {
	srv := started(t, nil)
	u := srv.URL()
	if err := srv.Outage(300 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	_, _, err := fetch(t, freshClient(), srv, "/api/json")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("during the outage want connection refused, got %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Down() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	res, _, err := fetch(t, freshClient(), srv, "/api/json")
	if err != nil || res.StatusCode != 200 || srv.URL() != u {
		t.Fatalf("after the outage: %v (url %s, was %s)", err, srv.URL(), u)
	}
	// scheduled from faults (as a world file does)
	srv.SetFaults(Faults{OutageAfter: Duration(0), OutageFor: Duration(300 * time.Millisecond)})
	deadline = time.Now().Add(5 * time.Second)
	for !srv.Down() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if _, _, err := fetch(t, freshClient(), srv, "/api/json"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("scheduled outage: want connection refused, got %v", err)
	}
	if err := srv.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestFaultCredentialsRevoked(t *testing.T) {
	srv := started(t, nil)
	srv.SetFaults(Faults{RevokeAfter: 3})
	for i := range 3 {
		if res, _, err := fetch(t, http.DefaultClient, srv, "/whoAmI/api/json"); err != nil || res.StatusCode != 200 {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	res, body, err := fetch(t, http.DefaultClient, srv, "/whoAmI/api/json")
	if err != nil || res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" || !strings.Contains(string(body), "Invalid password/token") {
		t.Fatalf("after revocation: %v %d", err, res.StatusCode)
	}
}

func TestFaultsFromWorldFile(t *testing.T) {
	w, err := ParseWorld([]byte("[[user]]\nid = \"admin\"\ntokens = [\""+adminToken+"\"]\n[faults]\nerror_rate = 1.0\nlatency = \"1ms\"\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	srv := started(t, w)
	res, _, err := fetch(t, http.DefaultClient, srv, "/api/json")
	if err != nil || res.StatusCode < 500 {
		t.Fatalf("world-file faults: %v", err)
	}
}

func TestStats(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.ResetStats()
	f.get("/api/json?tree=jobs[name]")
	f.get("/job/payments/job/api-tests/api/json?tree=builds[number]{0,10}")
	f.get("/job/payments/job/api-tests/129/api/json")
	f.get("/job/payments/job/api-tests/129/logText/progressiveText?start=0")
	art := f.get("/job/payments/job/api-tests/129/artifact/reports/newman.json")
	f.get("/job/payments/job/api-tests/129/testReport/api/json")
	st := f.srv.Stats()
	for _, k := range []string{"root", "builds", "build", "log", "artifact", "testReport"} {
		if st[k].Requests != 1 || st[k].Bytes == 0 {
			t.Errorf("stats[%s] = %+v", k, st[k])
		}
	}
	if st["artifact"].Bytes != int64(len(art.body)) {
		t.Errorf("artifact bytes %d, body %d", st["artifact"].Bytes, len(art.body))
	}
}

func TestCloseStopsServing(t *testing.T) {
	srv := New(nil)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	u := srv.URL()
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", u+"/api/json", nil)
	if _, err := freshClient().Do(req); err == nil {
		t.Fatal("closed server still answers")
	}
}

// An outage from the world file (outage_after, outage_for) starts by itself
// after Start, on the same port, and ends.
func TestOutageFromWorldFile(t *testing.T) {
	w, err := ParseWorld([]byte("[[user]]\nid = \"admin\"\ntokens = [\""+adminToken+"\"]\n[faults]\noutage_after = \"200ms\"\noutage_for = \"300ms\"\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(w, WithNow(newClock().now))
	done := make(chan error, 1)
	go func() { done <- srv.Start() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
	case <-time.After(5 * time.Second):
		t.Fatal("Start did not return (deadlocked scheduling the outage?)")
	}
	u := srv.URL()
	if res, _, err := fetch(t, freshClient(), srv, "/api/json"); err != nil || res.StatusCode != 200 {
		t.Fatalf("before the outage: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !srv.Down() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if _, _, err := fetch(t, freshClient(), srv, "/api/json"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("during the outage want connection refused, got %v", err)
	}
	for srv.Down() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if res, _, err := fetch(t, freshClient(), srv, "/api/json"); err != nil || res.StatusCode != 200 || srv.URL() != u {
		t.Fatalf("after the outage: %v (url %s, was %s)", err, srv.URL(), u)
	}
}
