package snippettest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Files of the end-to-end workspace, relative to it (as a user would type them).
const (
	Collection  = "api/orders.postman_collection.json"
	Environment = "api/local.postman_environment.json"
	Definition  = "api/openapi.yaml"
)

// dir is this package's directory; the test data sits beside it in ../testdata.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// NPMDir is the directory with package.json and package-lock.json of the
// tools the end-to-end tests run (newman, Spectral); `npm ci` there installs them.
func NPMDir() string { return filepath.Join(dir(), "..", "testdata", "npm") }

// Tools returns the node_modules directory of NPMDir with newman and
// Spectral installed. When they are missing the test is skipped, or fails
// when the environment has CI=true (CI installs them).
func Tools(t testing.TB) string {
	t.Helper()
	nm := filepath.Join(NPMDir(), "node_modules")
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node"
	}
	for _, bin := range []string{"newman", "spectral"} {
		if _, err := os.Stat(filepath.Join(nm, ".bin", bin)); err != nil && missing == "" {
			missing = bin
		}
	}
	if missing != "" {
		msg := missing + " not installed (run `npm ci` in " + NPMDir() + ")"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return nm
}

// Workspace makes a Jenkins-like workspace in a temporary directory: the
// collection, environment (its baseUrl pointing at baseURL) and OpenAPI
// definition under api/, and .jeeves-tools/node_modules linked to the tools
// installed from NPMDir, so the stage's install step finds them in place.
func Workspace(t testing.TB, baseURL, nodeModules string) string {
	t.Helper()
	ws := t.TempDir()
	src := filepath.Join(dir(), "..", "testdata", "e2e")
	for _, f := range []string{Collection, Environment, Definition} {
		b, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if f == Environment {
			b = []byte(strings.ReplaceAll(string(b), "http://127.0.0.1:{{PORT}}", baseURL))
		}
		dst := filepath.Join(ws, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tools := filepath.Join(ws, ".jeeves-tools")
	if err := os.Mkdir(tools, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(nodeModules, filepath.Join(tools, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return ws
}

// OrdersAPI is the loopback server the collection runs against. Its answers
// make the collection's 4 requests give 9 assertions of which 3 fail:
// /orders lists two orders where the collection expects three, and
// /orders/42 does not exist (status and id assertions fail).
func OrdersAPI(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /orders", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, []map[string]int{{"id": 1}, {"id": 2}})
	})
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusNotFound, map[string]string{"error": "no order " + r.PathValue("id")})
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/orders/3")
		reply(w, http.StatusCreated, map[string]int{"id": 3})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
