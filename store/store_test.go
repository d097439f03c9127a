package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "state", "jeeves", "jeeves.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"xdg", map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/a"}, "/x/state/jeeves/jeeves.db"},
		{"home", map[string]string{"HOME": "/home/a"}, "/home/a/.local/state/jeeves/jeeves.db"},
		{"relative xdg is ignored", map[string]string{"XDG_STATE_HOME": "state", "HOME": "/home/a"}, "/home/a/.local/state/jeeves/jeeves.db"},
		{"JEEVES_STORE wins", map[string]string{"JEEVES_STORE": "/tmp/j.db", "XDG_STATE_HOME": "/x"}, "/tmp/j.db"},
	}
	for _, c := range cases {
		if got := DefaultPath(env(c.env)); got != c.want {
			t.Errorf("%s: DefaultPath = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestOpenCreatesPrivateFileInWALMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "jeeves")
	path := filepath.Join(dir, "jeeves.db")
	old := setUmask(0o022)
	defer setUmask(old)
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetState(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("directory mode = %o, want 700", got)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(name), err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode = %o, want 600", filepath.Base(name), got)
		}
	}
	var mode string
	if err := st.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var v int
	if err := st.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(migrations) {
		t.Errorf("user_version = %d (%v), want %d", v, err, len(migrations))
	}
	var timeout int
	if err := st.db.QueryRow("PRAGMA busy_timeout").Scan(&timeout); err != nil || timeout != int(busyTimeout.Milliseconds()) {
		t.Errorf("busy_timeout = %d (%v), want %d", timeout, err, busyTimeout.Milliseconds())
	}
	if n := st.Notice(); n != "" {
		t.Errorf("fresh store has a notice: %q", n)
	}
}

func TestOpenTightensAGroupReadableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jeeves.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	fi, _ := os.Stat(path)
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode = %o, want 600", got)
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jeeves.db")
	ctx := context.Background()
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetState(ctx, "last", "Payments API"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.State(ctx, "last"); err != nil || v != "Payments API" {
		t.Fatalf("State after reopen = %q, %v", v, err)
	}
}

func TestMigrateForwardFromVersionZeroTables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jeeves.db")
	// A file at version 0 that already has some unrelated table: migrating adds ours.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE other(x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('integrations','builds','results','result_data','state','other')`).Scan(&n); err != nil || n != 6 {
		t.Fatalf("tables = %d (%v), want 6", n, err)
	}
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestNewerSchemaIsRefusedAndUntouched(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jeeves.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetState(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	future := len(migrations) + 3
	if _, err := st.db.Exec("PRAGMA user_version = " + itoa(future)); err != nil {
		t.Fatal(err)
	}
	st.Close() // checkpoints the WAL into the file
	before := fileHash(t, path)
	infoBefore, _ := os.Stat(path)

	_, err = Open(path)
	var newer *NewerSchemaError
	if !errors.As(err, &newer) {
		t.Fatalf("Open = %v, want *NewerSchemaError", err)
	}
	if newer.Version != future || newer.Know != len(migrations) {
		t.Errorf("error versions = %d/%d, want %d/%d", newer.Version, newer.Know, future, len(migrations))
	}
	msg := err.Error()
	for _, want := range []string{path, "newer jeeves", "upgrade jeeves"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message is not one line: %q", msg)
	}
	if fileHash(t, path) != before {
		t.Error("the newer store's file was modified")
	}
	infoAfter, _ := os.Stat(path)
	if !infoAfter.ModTime().Equal(infoBefore.ModTime()) {
		t.Error("the newer store's file was written to")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "unreadable") {
			t.Errorf("a newer store was moved aside: %s", e.Name())
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func asideFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".unreadable-") && !strings.HasSuffix(e.Name(), "-wal") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

func TestGarbageFileIsMovedAsideWithNotice(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jeeves.db")
	garbage := bytes.Repeat([]byte("this is not a database, just garbage\x00\xff"), 300)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(path)
	if err != nil {
		t.Fatalf("Open of a garbage file failed: %v", err)
	}
	defer st.Close()
	aside := asideFiles(t, dir)
	if len(aside) != 1 {
		t.Fatalf("moved-aside files = %v, want one", aside)
	}
	if !strings.HasPrefix(filepath.Base(aside[0]), "jeeves.db.unreadable-"+time.Now().UTC().Format("20060102T")) {
		t.Errorf("aside name %q lacks the timestamp", filepath.Base(aside[0]))
	}
	got, _ := os.ReadFile(aside[0])
	if !bytes.Equal(got, garbage) {
		t.Error("the moved-aside file does not hold the original bytes")
	}
	n := st.Notice()
	for _, want := range []string{path, aside[0], "fresh store", "not a database"} {
		if !strings.Contains(n, want) {
			t.Errorf("notice %q lacks %q", n, want)
		}
	}
	if strings.Count(n, path) != 2 { // the path, and the aside path that starts with it
		t.Errorf("notice repeats itself: %q", n)
	}
	if again := st.Notice(); again != "" {
		t.Errorf("second Notice = %q, want empty (told once)", again)
	}
	// The fresh store works.
	ctx := context.Background()
	if err := st.SetState(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.State(ctx, "a"); v != "b" {
		t.Errorf("State = %q", v)
	}
}

func TestDamagedSchemaPageIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jeeves.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.SetState(context.Background(), "k", "v")
	st.Close()
	// Keep the 100-byte header (it still says "SQLite format 3") and wreck
	// the rest of page 1, where the schema lives.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 3000), 100); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, err = Open(path)
	if err != nil {
		t.Fatalf("Open of a damaged store failed: %v", err)
	}
	defer st.Close()
	if len(asideFiles(t, dir)) != 1 {
		t.Error("damaged store was not moved aside")
	}
	if n := st.Notice(); !strings.Contains(n, "moved to") {
		t.Errorf("notice = %q", n)
	}
	if v, err := st.State(context.Background(), "k"); err != nil || v != "" {
		t.Errorf("fresh store State = %q, %v; want empty", v, err)
	}
}

func TestUnreadableFileIsMovedAside(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file; cannot make one unreadable")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "jeeves.db")
	if err := os.WriteFile(path, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if len(asideFiles(t, dir)) != 1 {
		t.Error("unreadable store was not moved aside")
	}
	if n := st.Notice(); !strings.Contains(n, "permission denied") {
		t.Errorf("notice = %q", n)
	}
}

func TestStateRoundTrip(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	if v, err := st.State(ctx, "filter"); err != nil || v != "" {
		t.Fatalf("unset State = %q, %v", v, err)
	}
	for _, v := range []string{"failure", "running"} {
		if err := st.SetState(ctx, "filter", v); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.State(ctx, "filter"); got != v {
			t.Errorf("State = %q, want %q", got, v)
		}
	}
	if err := st.SetState(ctx, "filter", ""); err != nil {
		t.Fatal(err)
	}
	var n int
	st.db.QueryRow("SELECT count(*) FROM state").Scan(&n)
	if n != 0 {
		t.Errorf("empty value left %d rows", n)
	}
}

// Damage found while the store is in use (not at open) is reported as an
// error, and the next Open checks the file and moves it aside.
func TestDamageFoundInUseIsHandledAtNextOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jeeves.db")
	ctx := context.Background()
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var poll []jenkins.Build
	for n := 2000; n >= 1; n-- {
		poll = append(poll, build(n))
	}
	if err := st.SaveBuilds(ctx, "p", poll); err != nil {
		t.Fatal(err)
	}
	st.Close()
	fi, _ := os.Stat(path)
	// Wreck everything after the first two pages: the schema still reads.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt(bytes.Repeat([]byte{0xA5}, int(fi.Size())-8192), 8192)
	f.Close()

	st, err = Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	_, err = st.Builds(ctx, "p", 0)
	if err == nil || !strings.Contains(err.Error(), "restart jeeves") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Builds on a damaged store: %v", err)
	}
	st.Close()
	if _, err := os.Stat(path + damagedSuffix); err != nil {
		t.Fatalf("no damage mark: %v", err)
	}
	st, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	if n := st.Notice(); !strings.Contains(n, "moved to") {
		t.Errorf("notice = %q", n)
	}
	if len(asideFiles(t, dir)) != 1 {
		t.Error("damaged store not moved aside")
	}
	if _, err := os.Stat(path + damagedSuffix); err == nil {
		t.Error("damage mark left behind")
	}
	if list, err := st.Builds(ctx, "p", 0); err != nil || len(list) != 0 {
		t.Errorf("fresh store: %d builds, %v", len(list), err)
	}
}

// A mark on a healthy store (e.g. a passing glitch) is checked and cleared.
func TestDamageMarkOnAHealthyStoreIsCleared(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jeeves.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.SetState(context.Background(), "k", "v")
	st.Close()
	os.WriteFile(path+damagedSuffix, nil, 0o600)
	st, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, _ := st.State(context.Background(), "k"); v != "v" || st.Notice() != "" || len(asideFiles(t, dir)) != 0 {
		t.Errorf("healthy store was not kept: %q", v)
	}
	if _, err := os.Stat(path + damagedSuffix); err == nil {
		t.Error("mark not cleared")
	}
}

func TestNewStoreUses8KiBPages(t *testing.T) {
	st := openTemp(t)
	var ps int
	if err := st.db.QueryRow("PRAGMA page_size").Scan(&ps); err != nil || ps != 8192 {
		t.Errorf("page_size = %d (%v), want 8192", ps, err)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my state ?#%20 dir")
	path := filepath.Join(dir, "jee ves?.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetState(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the store is not at the path given: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "jee ves?.db" {
			t.Errorf("stray file %q", e.Name())
		}
	}
}

// Several jeeves finding the same damaged file at once: it is moved aside
// once, and all of them end up on the one fresh store.
func TestDamagedFileOpenedByManyAtOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jeeves.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("garbage!"), 2000), 0o600); err != nil {
		t.Fatal(err)
	}
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(path)
		}()
	}
	wg.Wait()
	notices := 0
	for i := range n {
		if errs[i] != nil {
			var se *Error
			errors.As(errs[i], &se)
			t.Fatalf("Open %d: %v (code %d)", i, errs[i], se.Code)
		}
		defer stores[i].Close()
		if stores[i].Notice() != "" {
			notices++
		}
	}
	if a := asideFiles(t, dir); len(a) != 1 || notices != 1 {
		t.Errorf("moved aside %d times, %d notices; want 1 and 1", len(a), notices)
	}
	ctx := context.Background()
	if err := stores[0].SetState(ctx, "k", "shared"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		if v, err := stores[i].State(ctx, "k"); err != nil || v != "shared" {
			t.Errorf("store %d sees %q, %v: not the same fresh file", i, v, err)
		}
	}
}
