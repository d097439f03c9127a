package serve

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// keyEntry is one key of the authorized_keys file.
type keyEntry struct {
	key         gossh.PublicKey
	fingerprint string // SHA256:...
	comment     string
}

// authorizedKeys is the authorized_keys file, read again when it changes
// (so a key added or removed takes effect at the next login, no restart).
type authorizedKeys struct {
	path string

	mu      sync.Mutex
	mtime   time.Time
	size    int64
	entries []keyEntry
}

func loadAuthorizedKeys(path string) (*authorizedKeys, error) {
	a := &authorizedKeys{path: path}
	if err := a.reload(); err != nil {
		return nil, err
	}
	return a, nil
}

// reload reads the file when its size or time changed. Called with a.mu
// held, or before a is shared.
func (a *authorizedKeys) reload() error {
	fi, err := os.Stat(a.path)
	if err != nil {
		return fmt.Errorf("serve: authorized_keys %s: %v; fix: create it with one public key a line (as ~/.ssh/authorized_keys)", a.path, errText(err))
	}
	if fi.ModTime().Equal(a.mtime) && fi.Size() == a.size && a.entries != nil {
		return nil
	}
	data, err := os.ReadFile(a.path)
	if err != nil {
		return fmt.Errorf("serve: authorized_keys %s: %v", a.path, errText(err))
	}
	entries, err := parseAuthorizedKeys(a.path, data)
	if err != nil {
		return err
	}
	a.entries, a.mtime, a.size = entries, fi.ModTime(), fi.Size()
	return nil
}

// parseAuthorizedKeys reads OpenSSH authorized_keys text: one key a line,
// blank lines and # comments skipped. A line that is no key is an error
// naming the line, so a typo does not lock a user out silently.
func parseAuthorizedKeys(path string, data []byte) ([]keyEntry, error) {
	entries := []keyEntry{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		pk, comment, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("serve: %s:%d: not a public key (%v); fix: one key a line as in ~/.ssh/authorized_keys, e.g. ssh-ed25519 AAAA... alice@laptop", path, i+1, err)
		}
		entries = append(entries, keyEntry{key: pk, fingerprint: gossh.FingerprintSHA256(pk), comment: strings.TrimSpace(comment)})
	}
	return entries, nil
}

// lookup finds a key in the file (re-read when it changed; when it cannot
// be read now, the keys read last still hold).
func (a *authorizedKeys) lookup(k ssh.PublicKey) (keyEntry, bool) {
	if k == nil {
		return keyEntry{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_ = a.reload()
	for _, e := range a.entries {
		if ssh.KeysEqual(e.key, k) {
			return e, true
		}
	}
	return keyEntry{}, false
}

// knows reports whether a [[serve.user]] key (fingerprint or comment)
// names a key of the file.
func (a *authorizedKeys) knows(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.entries {
		if e.fingerprint == key || e.comment == key {
			return true
		}
	}
	return false
}

// hostKey reads the server's host key, generating an ed25519 key (mode
// 0600, its directory 0700) when the file does not exist yet. A key that
// others may read is refused, as OpenSSH refuses it.
func hostKey(path string) (gossh.Signer, error) {
	if path == "" {
		return nil, errors.New("serve: no host key path")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if data, err = generateHostKey(path); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("serve: host key %s: %v", path, errText(err))
	}
	// (Windows reports no Unix permission bits: its ACLs are not checked here)
	if fi, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("serve: host key %s is readable by group or others (mode %04o); fix: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("serve: host key %s: %v; fix: remove the file to have a new key generated", path, err)
	}
	return signer, nil
}

func generateHostKey(path string) ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("serve: generate host key: %v", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "jeeves serve host key")
	if err != nil {
		return nil, fmt.Errorf("serve: generate host key: %v", err)
	}
	data := pem.EncodeToMemory(block)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("serve: host key directory: %v", errText(err))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("serve: write host key %s: %v", path, errText(err))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("serve: write host key %s: %v", path, errText(err))
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("serve: write host key %s: %v", path, errText(err))
	}
	return data, nil
}
