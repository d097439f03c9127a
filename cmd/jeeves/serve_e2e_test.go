package main

// End-to-end test of `jeeves serve`: the real binary serving, the real
// OpenSSH client (Debian's openssh-client) in tmux at 80x24 connecting.

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/jeeves-dev/jeeves/internal/tmuxtest"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// requireSSH skips without the OpenSSH client, except under CI=true (.ci/run
// installs openssh-client).
func requireSSH(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("ssh")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ssh (openssh-client) is not installed (CI=true): %v", err)
		}
		t.Skip("ssh (openssh-client) not installed; skipping the SSH end-to-end test")
	}
	return p
}

// writeClientKey writes an OpenSSH private key (0600) and returns its
// authorized_keys line with comment.
func writeClientKey(t testing.TB, path, comment string) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, comment)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sp))) + " " + comment
}

// servedJeeves is a running `jeeves serve`.
type servedJeeves struct {
	cmd    *exec.Cmd
	port   string
	stderr *syncWriter
	dir    string
	done   chan error
}

type syncWriter struct {
	b    strings.Builder
	lock chan struct{}
}

func newSyncWriter() *syncWriter { w := &syncWriter{lock: make(chan struct{}, 1)}; return w }
func (w *syncWriter) Write(p []byte) (int, error) {
	w.lock <- struct{}{}
	defer func() { <-w.lock }()
	return w.b.Write(p)
}
func (w *syncWriter) String() string {
	w.lock <- struct{}{}
	defer func() { <-w.lock }()
	return w.b.String()
}

var listenRE = regexp.MustCompile(`listening on 127\.0\.0\.1:(\d+), host key (SHA256:\S+);`)

// startServe runs the binary's serve on a free loopback port with dir's
// config (one integration on sim, the key at dir/id_ed25519 authorized).
func startServe(t testing.TB, bin, dir string, sim *jenkinstest.Server, extra string) *servedJeeves {
	t.Helper()
	return startServeJob(t, bin, dir, sim, "Payments API", "payments/api-tests", extra)
}

// startServeJob is startServe with the integration's nickname and job.
func startServeJob(t testing.TB, bin, dir string, sim *jenkinstest.Server, nick, job, extra string) *servedJeeves {
	t.Helper()
	line := writeClientKey(t, filepath.Join(dir, "id_ed25519"), "alice@laptop")
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	user, _ := sim.Credentials()
	cfg := fmt.Sprintf("refresh = \"15s\"\n\n[[integration]]\nnickname = %q\nurl = %q\nusername = %q\ntoken_env = \"JEEVES_E2E_TOKEN\"\njob = %q\n\n"+
		"[serve]\nauthorized_keys = \"authorized_keys\"\n%s", nick, sim.URL(), user, job, extra)
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	_, token := sim.Credentials()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--config", filepath.Join(dir, "config.toml"), "--store", filepath.Join(dir, "jeeves.db"))
	cmd.Env = append(os.Environ(), "JEEVES_E2E_TOKEN="+token, "XDG_STATE_HOME="+filepath.Join(dir, "state"), "JEEVES_CONFIG=", "JEEVES_STORE=")
	s := &servedJeeves{cmd: cmd, stderr: newSyncWriter(), dir: dir, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	first := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		l, _ := r.ReadString('\n')
		first <- l
		io.Copy(io.Discard, r)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case l := <-first:
		m := listenRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("first line %q; stderr %s", l, s.stderr.String())
		}
		s.port = m[1]
	case <-time.After(20 * time.Second):
		t.Fatalf("jeeves serve did not start; stderr %s", s.stderr.String())
	}
	return s
}

// sshArgs is the OpenSSH client command line for s, with the test's key.
func (s *servedJeeves) sshArgs(ssh string) []string {
	return []string{ssh, "-tt", "-p", s.port, "-i", filepath.Join(s.dir, "id_ed25519"),
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=" + filepath.Join(s.dir, "known_hosts"), "-o", "LogLevel=ERROR",
		"-F", "/dev/null", "alice@127.0.0.1"}
}

// TestServeE2EOpenSSH: the real ssh client at 80x24 sees the builds screen
// of the served dashboard, read-only for an unmapped key; q ends the
// session, not the server; SIGTERM ends the server cleanly with a message.
func TestServeE2EOpenSSH(t *testing.T) {
	tmuxtest.Require(t)
	ssh := requireSSH(t)
	bin := tmuxtest.Build(t, e2eRoot)
	sim := e2eSim(t, jenkinstest.DemoWorld())
	dir := t.TempDir()
	s := startServe(t, bin, dir, sim, "")
	env := []string{"TERM=xterm-256color", "LANG=C.UTF-8", "HOME=" + dir}

	tm := tmuxtest.Start(t, 80, 24, dir, env, s.sshArgs(ssh)...)
	screen := tm.WaitUntil("the builds screen", 20*time.Second, func(sc string) bool { return len(e2eRows(sc)) >= 3 })
	if !strings.Contains(screen, "Payments API") || !strings.Contains(screen, "read-only") {
		t.Fatalf("builds screen over ssh:\n%s", screen)
	}
	for i, l := range strings.Split(strings.TrimRight(screen, "\n"), "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Errorf("line %d is %d cells wide", i, w)
		}
	}
	tm.Keys("q")
	tm.WaitUntil("ssh exits", 10*time.Second, func(string) bool { return tm.Dead() })
	if s.cmd.ProcessState != nil {
		t.Fatalf("q ended the server: %s", s.stderr.String())
	}
	// the server takes the next session
	tm2 := tmuxtest.Start(t, 80, 24, dir, env, s.sshArgs(ssh)...)
	tm2.WaitUntil("the builds screen again", 20*time.Second, func(sc string) bool { return len(e2eRows(sc)) >= 3 })

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("jeeves serve after SIGTERM: %v; stderr %s", err, s.stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("jeeves serve did not exit after SIGTERM; stderr %s", s.stderr.String())
	}
	sc := tm2.WaitUntil("ssh exits on shutdown", 10*time.Second, func(string) bool { return tm2.Dead() })
	if !strings.Contains(sc, "jeeves serve: the server is shutting down") {
		t.Errorf("the client did not read the shutdown message:\n%s", sc)
	}
	log := s.stderr.String()
	for _, want := range []string{"session start", "session end", "shutting down"} {
		if !strings.Contains(log, want) {
			t.Errorf("server log lacks %q:\n%s", want, log)
		}
	}
	if _, token := sim.Credentials(); strings.Contains(log, token) {
		t.Error("the token reached the server log")
	}
	if fi, err := os.Stat(filepath.Join(dir, "state", "jeeves", "ssh_host_ed25519_key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key in the state dir: %v %v", fi, err)
	}
}

func TestServeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	noServe := filepath.Join(dir, "c.toml")
	os.WriteFile(noServe, []byte("[[integration]]\nurl = \"http://127.0.0.1:1\"\nusername = \"u\"\ntoken_env = \"T\"\njob = \"a\"\n"), 0o600)
	noKeys := filepath.Join(dir, "k.toml")
	os.WriteFile(noKeys, []byte("[[integration]]\nurl = \"http://127.0.0.1:1\"\nusername = \"u\"\ntoken_env = \"T\"\njob = \"a\"\n[serve]\nauthorized_keys = \"missing\"\n"), 0o600)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "extra"}, exitUsage, `jeeves serve: unexpected argument "extra"`},
		{[]string{"serve", "--adr", "x"}, exitUsage, "flag provided but not defined: -adr"},
		{[]string{"serve", "--config", noServe, "--store", filepath.Join(dir, "s.db")}, exitUsage, "has no [serve] table; fix: add one with authorized_keys"},
		{[]string{"serve", "--config", noKeys, "--store", filepath.Join(dir, "s.db")}, exitUsage, "jeeves serve: authorized_keys " + filepath.Join(dir, "missing") + ": no such file or directory"},
	}
	for _, c := range cases {
		var out, errb strings.Builder
		env := func(k string) string {
			if k == "XDG_STATE_HOME" {
				return filepath.Join(dir, "state")
			}
			return ""
		}
		code := run(t.Context(), c.args, &out, &errb, strings.NewReader(""), env)
		if code != c.code || !strings.Contains(errb.String(), c.want) || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q on one line", c.args, code, errb.String(), c.code, c.want)
		}
	}
	// a port in use: a connection error (3), one line, nothing left running
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	good := filepath.Join(dir, "g.toml")
	os.WriteFile(filepath.Join(dir, "ak"), []byte(writeClientKey(t, filepath.Join(dir, "id"), "a@b")+"\n"), 0o600)
	os.WriteFile(good, []byte("[[integration]]\nurl = \"http://127.0.0.1:1\"\nusername = \"u\"\ntoken_env = \"T\"\njob = \"a\"\n[serve]\nauthorized_keys = \"ak\"\n"), 0o600)
	var errb strings.Builder
	env := func(k string) string {
		if k == "XDG_STATE_HOME" {
			return filepath.Join(dir, "state")
		}
		return ""
	}
	code := run(t.Context(), []string{"serve", "--config", good, "--store", filepath.Join(dir, "s.db"), "--addr", ln.Addr().String()}, io.Discard, &errb, strings.NewReader(""), env)
	if code != exitConn || !strings.Contains(errb.String(), "jeeves serve: cannot listen on "+ln.Addr().String()+": bind: address already in use") || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("port in use: exit %d, stderr %q", code, errb.String())
	}
	var out strings.Builder
	if code := run(t.Context(), []string{"serve", "--help"}, &out, io.Discard, strings.NewReader(""), func(string) string { return "" }); code != 0 ||
		!strings.Contains(out.String(), "jeeves serve [--addr :2222] [--config FILE] [--store FILE]") {
		t.Errorf("--help: %d %q", code, out.String())
	}
}
