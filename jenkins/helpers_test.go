package jenkins

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/corpus"
)

const testToken = "11aa22bb33cc44dd55ee66ff77889900"

// fixture reads a captured Jenkins answer from the external corpus
// (../shared/fixtures/jenkins); absent, the test skips (CI=true: fails).
func fixture(t testing.TB, rel string) []byte {
	t.Helper()
	return corpus.Read(t, "jenkins", rel)
}

// fixtureJSON decodes a fixture into v.
func fixtureJSON(t testing.TB, rel string, v any) {
	t.Helper()
	if err := json.Unmarshal(fixture(t, rel), v); err != nil {
		t.Fatalf("fixture %s: %v", rel, err)
	}
}

// serve makes a test server and a client for it with a user and token.
func serve(t testing.TB, h http.Handler, mod ...func(*Options)) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := Options{BaseURL: srv.URL, Username: "alice", Token: config.NewSecret(testToken), Getenv: noEnv, Timeout: 5 * time.Second}
	for _, m := range mod {
		m(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func noEnv(string) string { return "" }

// jsonAt answers path with body as Jenkins does (JSON, X-Jenkins headers).
func jsonAt(t testing.TB, path string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != path {
			t.Errorf("request for %q, want %q", r.URL.EscapedPath(), path)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Header().Set("X-Jenkins", "2.289")
		w.Write(body)
	})
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func errorsIsTooLarge(err error) bool { return errors.Is(err, ErrTooLarge) }
