// Package store is jeeves's embedded SQLite store (pure Go, modernc.org/sqlite):
// integrations added in the dashboard, builds per integration (kept after
// Jenkins discards them), parsed results per finished build (fetched once,
// ever) and dashboard state. Several jeeves processes may share one file.
//
// It knows nothing about the UI.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// busyTimeout is how long a statement waits for another connection or
// process holding the write lock before it gives up. Writes here take
// milliseconds, so reaching it means something is badly stuck.
const busyTimeout = 15 * time.Second

// errUnreadable marks a store file the process may not read or write.
var errUnreadable = errors.New("permission denied")

// Store is an open store file. Its methods are safe for concurrent use.
type Store struct {
	db     *sql.DB
	path   string
	mu     sync.Mutex
	notice string

	running runningStages // running builds' stages shared by the dashboards on this store (stages.go)
}

// DefaultPath is where the store lives when no --store flag is given:
// $JEEVES_STORE, else $XDG_STATE_HOME/jeeves/jeeves.db, else
// ~/.local/state/jeeves/jeeves.db. getenv is os.Getenv in production.
func DefaultPath(getenv func(string) string) string {
	if p := getenv("JEEVES_STORE"); p != "" {
		return p
	}
	// The XDG spec says relative paths are invalid and must be ignored.
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "jeeves", "jeeves.db")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".local", "state", "jeeves", "jeeves.db")
}

// NewerSchemaError is returned by Open for a store written by a newer jeeves.
// The file is left untouched.
type NewerSchemaError struct {
	Path          string
	Version, Know int
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("store %s was written by a newer jeeves (schema version %d; this jeeves knows up to %d): upgrade jeeves, or use --store to pick another file", e.Path, e.Version, e.Know)
}

// Open opens (creating when missing) the store at path. The directory is
// created 0700 and the file 0600. A file that is not a readable store is
// moved aside with a timestamp and a fresh store is started; Notice then
// says so, once. A store from a newer schema is refused with a
// *NewerSchemaError and not modified.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: no path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store %s: %v", path, err)
	}
	// Another jeeves may be moving the same damaged file aside at the same
	// moment: only the file found damaged is moved, and a file that changed
	// in between is simply opened again.
	transient := 0 // retries while another jeeves creates the same fresh file
	for attempt := 0; ; attempt++ {
		var st *Store
		var before os.FileInfo
		err = prepareFile(abs)
		if err == nil {
			before, _ = os.Stat(abs)
			st, err = openDB(abs)
		}
		if err == nil {
			return st, nil
		}
		var newer *NewerSchemaError
		if errors.As(err, &newer) {
			return nil, err
		}
		now, serr := os.Stat(abs)
		if attempt < maxLook && before != nil && (serr != nil || !os.SameFile(before, now)) {
			continue // moved or replaced meanwhile: look again
		}
		if transient < maxTransient && isTransient(err) {
			// Another jeeves is creating the same fresh file: look again,
			// a little later each time (up to about 1.5 s in all).
			transient++
			attempt--
			time.Sleep(time.Duration(min(10*transient, 100)) * time.Millisecond)
			continue
		}
		if !isDamaged(err) {
			return nil, err
		}
		// The file is not a store we can read: keep it for the user, start
		// fresh. Under the lock, and only if it is still the file found
		// damaged: another jeeves may have moved it and started afresh.
		unlock, lerr := lockAside(abs)
		if lerr != nil {
			return nil, fmt.Errorf("store %s is unreadable (%s) and could not be moved aside: %v", abs, sqliteMessage(err), lerr)
		}
		now, serr = os.Stat(abs)
		if attempt < maxLook && (serr != nil || before != nil && !os.SameFile(before, now)) {
			unlock()
			continue
		}
		st, aerr := moveAsideAndOpen(abs, err)
		unlock()
		return st, aerr
	}
}

// isTransient reports whether opening failed because another jeeves is
// creating the same fresh file at that moment: switching it to WAL deletes
// its journal under us, a read can come short while it is written, and the
// migrations hold it busy (they take a while on a loaded machine).
func isTransient(err error) bool {
	c := sqliteCode(err)
	return isBusy(err) || c == sqlite3.SQLITE_IOERR_DELETE_NOENT || c == sqlite3.SQLITE_IOERR_SHORT_READ
}

// maxTransient bounds Open's retries while another jeeves creates the file;
// maxLook its looks at a file that another jeeves moved aside or replaced
// meanwhile (never moved aside itself: it is not the file found damaged).
const (
	maxTransient = 20
	maxLook      = 10
)

// moveAsideAndOpen moves the damaged store at path aside and opens a fresh
// one that tells the user so, once.
func moveAsideAndOpen(path string, why error) (*Store, error) {
	aside, err := moveAside(path, time.Now())
	if err != nil {
		return nil, fmt.Errorf("store %s is unreadable (%s) and could not be moved aside: %v", path, sqliteMessage(why), err)
	}
	var st *Store
	for transient := 0; ; transient++ {
		if err = prepareFile(path); err != nil {
			return nil, err
		}
		st, err = openDB(path)
		if err == nil {
			break
		}
		if transient >= maxTransient || !isTransient(err) {
			return nil, err
		}
		// others may open the fresh file while it is made
		time.Sleep(time.Duration(min(10*(transient+1), 100)) * time.Millisecond)
	}
	st.notice = fmt.Sprintf("the store %s could not be read (%s); it was moved to %s and a fresh store was started", path, sqliteMessage(why), aside)
	return st, nil
}

// Path is the store file's absolute path.
func (s *Store) Path() string { return s.path }

// Notice returns, once, a message for the user about something Open did on
// their behalf (a damaged store moved aside); "" when there is none.
func (s *Store) Notice() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.notice
	s.notice = ""
	return n
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// prepareFile creates the directory (0700) and the file (0600) so that
// SQLite never creates them with the process umask.
func prepareFile(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("store: create directory %s: %v", dir, err)
		}
		// MkdirAll honours the umask; the store's own directory is private.
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("store: %v", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return errUnreadable
		}
		return fmt.Errorf("store: %v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: %v", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		// It may hold tokens: never group- or world-readable.
		if err := f.Chmod(0o600); err != nil {
			return fmt.Errorf("store: %v", err)
		}
	}
	return nil
}

// dsn builds the connection string. The pragmas here change nothing in the
// file, so a refused (newer) store stays untouched; WAL is set after the
// version check.
func dsn(path string) string {
	u := url.URL{Scheme: "file", Path: path}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_txlock", "immediate") // writers queue on the lock instead of failing on upgrade
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	return u.String() + "?" + q.Encode()
}

func openDB(path string) (*Store, error) {
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("store %s: %v", path, err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	st := &Store{db: db, path: path}
	if err := st.setup(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return st, nil
}

// setup checks the schema version, turns WAL on and migrates forward.
func (s *Store) setup(ctx context.Context) error {
	// One connection for the checks and pragmas: page_size only sticks on
	// the connection that then writes the file's first page.
	c, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap("open", err)
	}
	defer c.Close()
	var v int
	if err := c.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return s.wrap("open", err)
	}
	if v > len(migrations) {
		return &NewerSchemaError{Path: s.path, Version: v, Know: len(migrations)}
	}
	// Reading the schema catches a damaged first page early.
	var n int
	if err := c.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return s.wrap("open", err)
	}
	if _, err := os.Stat(s.path + damagedSuffix); err == nil {
		// Marked damaged while in use: check the whole file this once.
		var res string
		if err := c.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
			return s.wrap("check", err)
		}
		if res != "ok" {
			return &Error{Path: s.path, Op: "check", Code: sqlite3.SQLITE_CORRUPT, msg: "database disk image is malformed (" + res + ")"}
		}
		os.Remove(s.path + damagedSuffix)
	}
	if v == 0 && n == 0 {
		// A new file: 8 KiB pages hold three stored results each where 4 KiB
		// pages hold one, which cuts the file by a third (BENCHMARKS.md).
		// Only possible before the first write and before WAL.
		if _, err := c.ExecContext(ctx, "PRAGMA page_size=8192"); err != nil {
			return s.wrap("open", err)
		}
	}
	var mode string
	if err := retryBusy(ctx, func() error {
		return c.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
	}); err != nil {
		return s.wrap("open", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("store %s: cannot use WAL mode (got %q); is it on a network file system?", s.path, mode)
	}
	if v == len(migrations) {
		return nil
	}
	return retryBusy(ctx, func() error { return s.migrate(ctx) })
}

// migrate applies the migrations the file lacks, in one transaction. It
// re-reads the version under the write lock: another process may have
// migrated meanwhile.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("migrate", err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return s.wrap("migrate", err)
	}
	if v > len(migrations) {
		return &NewerSchemaError{Path: s.path, Version: v, Know: len(migrations)}
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("store %s: migrate to schema version %d: %v", s.path, i+1, sqliteMessage(err))
		}
	}
	// PRAGMA takes no bound parameters; the value is our own integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version=%d", len(migrations))); err != nil {
		return s.wrap("migrate", err)
	}
	return s.wrap("migrate", tx.Commit())
}

// retryBusy retries f while SQLite reports the file busy. The busy timeout
// already waits inside SQLite; this covers the few places where SQLite
// returns SQLITE_BUSY without calling the busy handler (e.g. switching the
// journal mode while another process opens the file).
func retryBusy(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(busyTimeout)
	for delay := 5 * time.Millisecond; ; delay = min(delay*2, 200*time.Millisecond) {
		err := f()
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func isBusy(err error) bool {
	c := sqliteCode(err) & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// isDamaged tells whether err means the file is not a usable SQLite store.
func isDamaged(err error) bool {
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
		return true
	}
	return errors.Is(err, errUnreadable)
}

// sqliteMessage is the driver's message without its "(26)"-style codes.
// restartHint ends the message of damage found while in use.
const restartHint = "; restart jeeves to check the store and start a fresh one if need be"

func sqliteMessage(err error) string {
	if err == nil {
		return ""
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		msg := se.Error()
		if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
			msg = msg[:i]
		}
		return msg
	}
	var e *Error
	if errors.As(err, &e) {
		return strings.TrimSuffix(e.msg, restartHint) // the notice says what was done instead
	}
	return err.Error()
}

// wrap turns a driver error into one line naming the store.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		e := &Error{Path: s.path, Op: op, Code: se.Code(), msg: sqliteMessage(err)}
		if isDamaged(err) {
			// Found damaged while in use: leave a mark so that the next Open
			// checks the file and, if need be, moves it aside.
			if f, ferr := os.OpenFile(s.path+damagedSuffix, os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
				f.Close()
			}
			e.msg += restartHint
		}
		return e
	}
	return fmt.Errorf("store %s: %s: %w", s.path, op, err)
}

// damagedSuffix names the mark left next to a store found damaged in use.
const damagedSuffix = ".damaged"

// Error is a failure of the SQLite layer under the store.
type Error struct {
	Path string
	Op   string
	Code int // SQLite result code
	msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("store %s: %s: %s", e.Path, e.Op, e.msg)
}

// moveAside renames a damaged store (and its WAL) to
// NAME.unreadable-YYYYMMDDTHHMMSSZ and removes the shared-memory index.
func moveAside(path string, now time.Time) (string, error) {
	stamp := now.UTC().Format("20060102T150405Z")
	aside := path + ".unreadable-" + stamp
	for i := 2; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, os.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.unreadable-%s-%d", path, stamp, i)
	}
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	if _, err := os.Lstat(path + "-wal"); err == nil {
		if err := os.Rename(path+"-wal", aside+"-wal"); err != nil {
			return "", err
		}
	}
	os.Remove(path + "-shm")
	os.Remove(path + damagedSuffix)
	return aside, nil
}
