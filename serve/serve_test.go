package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
	"github.com/jeeves-dev/jeeves/ui"
)

// testWorld is a Jenkins with a watching account that may only read, two
// people who may build, and one job with a long running build.
func testWorld() *jenkinstest.World {
	return &jenkinstest.World{
		Seed: 7,
		Users: []jenkinstest.User{
			{ID: "watcher", FullName: "Dashboard Watcher", Tokens: []string{"watcher-token-0000"}, ReadOnly: true},
			{ID: "alice", FullName: "Alice Example", Tokens: []string{"alice-token-0000"}},
			{ID: "bob", FullName: "Bob Example", Tokens: []string{"bob-token-0000"}},
		},
		Jobs: []jenkinstest.JobDef{{
			Path: "payments/api-tests", Kind: "freestyle", Concurrent: true,
			QuietPeriod: jenkinstest.Duration(time.Second),
			Params:      []jenkinstest.ParamDef{{Name: "BRANCH", Type: "string", Default: "main"}},
			History: jenkinstest.History{Count: 12, Days: 2, Running: 1,
				Duration: [2]jenkinstest.Duration{jenkinstest.Duration(time.Hour), jenkinstest.Duration(2 * time.Hour)}},
			Behaviour: jenkinstest.Behaviour{Duration: [2]jenkinstest.Duration{jenkinstest.Duration(time.Hour), jenkinstest.Duration(time.Hour)}},
		}},
	}
}

// keyPair is a client key: its signer and its authorized_keys line.
type keyPair struct {
	signer gossh.Signer
	line   string
}

func newKey(t testing.TB, comment string) keyPair {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
	if comment != "" {
		line += " " + comment
	}
	return keyPair{signer: s, line: line}
}

// rig is a running server against the simulated Jenkins.
type rig struct {
	t      testing.TB
	sim    *jenkinstest.Server
	srv    *Server
	addr   string
	dir    string
	logBuf *syncBuffer
	cancel context.CancelFunc
	done   chan error
	keys   map[string]keyPair // alice (mapped by comment), bob (mapped by fingerprint), carol (not mapped)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// watchConnector makes each integration's own (watching) client.
type watchConnector struct{}

func (watchConnector) API(in config.Integration) (jenkins.API, error) {
	return jenkins.New(jenkins.Options{BaseURL: in.URL, Username: in.Username, Token: in.Token, Timeout: 5 * time.Second})
}

func newRig(t testing.TB, edit func(*Options)) *rig {
	t.Helper()
	sim := jenkinstest.New(testWorld(), jenkinstest.WithAddr("127.0.0.1:0"), jenkinstest.WithTimeScale(0.01))
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	dir := t.TempDir()
	r := &rig{t: t, sim: sim, dir: dir, logBuf: &syncBuffer{}, keys: map[string]keyPair{
		"alice": newKey(t, "alice@laptop"),
		"bob":   newKey(t, "bob@desk"),
		"carol": newKey(t, "carol@laptop"),
	}}
	var ak strings.Builder
	ak.WriteString("# the team\n\n")
	for _, n := range []string{"alice", "bob", "carol"} {
		ak.WriteString(r.keys[n].line + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(ak.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ALICE_TOKEN": "alice-token-0000", "BOB_TOKEN": "bob-token-0000"}
	in := config.Integration{Nickname: "Payments API", URL: sim.URL(), Username: "watcher", Token: config.NewSecret("watcher-token-0000"),
		Job: "payments/api-tests", Source: "config", Timeout: 5 * time.Second}
	o := Options{
		Serve: config.Serve{Set: true, Addr: "127.0.0.1:0", AuthorizedKeys: filepath.Join(dir, "authorized_keys"),
			HostKey: filepath.Join(dir, "state", "ssh_host_ed25519_key"), AuditLog: filepath.Join(dir, "state", "audit.log"),
			IdleTimeout: time.Hour, MaxSessions: 60,
			Users: []config.ServeUser{
				{Key: "alice@laptop", Username: "alice", TokenEnv: "ALICE_TOKEN"},
				{Key: gossh.FingerprintSHA256(r.keys["bob"].signer.PublicKey()), Username: "bob", TokenEnv: "BOB_TOKEN"},
			}},
		Integrations: []config.Integration{in},
		Refresh:      2 * time.Second,
		Deps:         ui.Deps{Jenkins: watchConnector{}},
		UserAPI: func(ctx context.Context, in config.Integration) (jenkins.API, error) {
			tok, err := in.ResolveTokenEnv(ctx, func(k string) string { return env[k] })
			if err != nil {
				return nil, err
			}
			return jenkins.New(jenkins.Options{BaseURL: in.URL, Username: in.Username, Token: tok, Timeout: 5 * time.Second})
		},
		Log:           slog.New(slog.NewTextHandler(r.logBuf, nil)),
		ShutdownGrace: 2 * time.Second,
	}
	if edit != nil {
		edit(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.srv, r.addr = srv, ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(r.stop)
	return r
}

func (r *rig) stop() {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("Serve: %v", err)
		}
		r.done <- nil // a later stop returns at once
	case <-time.After(10 * time.Second):
		r.t.Error("Serve did not return after its context ended")
	}
}

func (r *rig) audit() string {
	b, _ := os.ReadFile(r.srv.o.Serve.AuditLog)
	return string(b)
}

// client is one SSH session with a terminal.
type client struct {
	t    testing.TB
	conn *gossh.Client
	sess *gossh.Session
	in   io.WriteCloser
	out  *syncBuffer
	errs *syncBuffer
	wait chan error
}

func dial(t testing.TB, addr string, kp keyPair) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            "tester",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(kp.signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
}

func (r *rig) connect(name string, w, h int, env map[string]string) *client {
	r.t.Helper()
	conn, err := dial(r.t, r.addr, r.keys[name])
	if err != nil {
		r.t.Fatalf("%s: dial: %v", name, err)
	}
	c := openSession(r.t, conn, w, h, env)
	r.t.Cleanup(func() { conn.Close() })
	return c
}

func openSession(t testing.TB, conn *gossh.Client, w, h int, env map[string]string) *client {
	t.Helper()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	term := "xterm-256color"
	for k, v := range env {
		if k == "TERM" { // the terminal type of the pty request
			term = v
			continue
		}
		if err := sess.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.RequestPty(term, h, w, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, conn: conn, sess: sess, out: &syncBuffer{}, errs: &syncBuffer{}, wait: make(chan error, 1)}
	sess.Stdout, sess.Stderr = c.out, c.errs
	if c.in, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { c.wait <- sess.Wait() }()
	return c
}

// screen is what the session printed, without escape sequences.
func (c *client) screen() string { return ansi.Strip(c.out.String()) }

func (c *client) waitFor(what string, d time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(c.screen(), what) || strings.Contains(c.errs.String(), what) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("%q did not appear within %s; screen:\n%s\nstderr: %s", what, d, tail(c.screen(), 3000), c.errs.String())
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (c *client) send(keys string) {
	c.t.Helper()
	if _, err := c.in.Write([]byte(keys)); err != nil {
		c.t.Fatalf("send %q: %v", keys, err)
	}
}

// ended waits for the session to end and returns its exit error.
func (c *client) ended(d time.Duration) error {
	c.t.Helper()
	select {
	case err := <-c.wait:
		return err
	case <-time.After(d):
		c.t.Fatalf("session still open after %s; screen:\n%s", d, tail(c.screen(), 2000))
		return nil
	}
}

// mark returns a function reporting what was printed since the mark.
func (c *client) mark() func() string {
	n := len(c.out.String())
	return func() string { return ansi.Strip(c.out.String()[n:]) }
}

func waitUntil(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s", what, d)
}

func (r *rig) requests(kind string) int { return r.sim.Stats()[kind].Requests }

// An unknown key is refused at the handshake, with one line in the server
// log; there is no password or keyboard-interactive way in.
func TestUnknownKeyRefused(t *testing.T) {
	r := newRig(t, nil)
	stranger := newKey(t, "mallory@evil")
	if _, err := dial(t, r.addr, stranger); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("unknown key: err = %v, want a refused handshake", err)
	}
	fp := gossh.FingerprintSHA256(stranger.signer.PublicKey())
	var refused []string
	for _, l := range strings.Split(r.logBuf.String(), "\n") {
		if strings.Contains(l, fp) {
			refused = append(refused, l)
		}
	}
	if len(refused) == 0 || !strings.Contains(refused[0], "key refused: not in authorized_keys") || !strings.Contains(refused[0], "ssh_user=tester") {
		t.Fatalf("no refusal line for %s in the log:\n%s", fp, r.logBuf.String())
	}
	for _, auth := range []gossh.AuthMethod{
		gossh.Password("alice-token-0000"),
		gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return []string{"x"}, nil }),
	} {
		_, err := gossh.Dial("tcp", r.addr, &gossh.ClientConfig{User: "alice", Auth: []gossh.AuthMethod{auth},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
		if err == nil {
			t.Fatal("a password or keyboard-interactive login was accepted")
		}
	}
	if n := r.srv.Sessions(); n != 0 {
		t.Fatalf("%d sessions after refusals", n)
	}
}

// A key without a Jenkins user watches, but cannot trigger or abort: the
// simulator sees no POST, and the hint bar and help say why.
func TestReadOnlyKeyCannotAct(t *testing.T) {
	r := newRig(t, nil)
	c := r.connect("carol", 120, 40, nil)
	c.waitFor("Payments API", 10*time.Second)
	c.waitFor("#12", 10*time.Second)
	c.waitFor("read-only: your key has no Jenkins user", 5*time.Second)
	c.send("b") // run
	c.send("B") // re-run
	c.send("x") // abort (the cursor is on the running #12)
	c.send("y") // a confirm, were there one
	c.send("a") // add integration
	c.send("?")
	c.waitFor("read-only: your key has no Jenkins user; run, re-run and abort are off", 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if n := r.requests("trigger") + r.requests("stop"); n != 0 {
		t.Fatalf("the simulator saw %d POSTs from a read-only session", n)
	}
	if strings.Contains(c.screen(), "Abort build") || strings.Contains(c.screen(), "Run payments") {
		t.Fatalf("a read-only session opened an action:\n%s", tail(c.screen(), 2000))
	}
	if a := r.audit(); a != "" {
		t.Fatalf("audit log has lines for a session that did nothing: %s", a)
	}
	// the second lock: the session's Actions refuses even if reached
	se := &session{user: "carol", key: keyEntry{fingerprint: "SHA256:x"}}
	act := &actor{s: r.srv, se: se}
	if _, err := act.Trigger(context.Background(), r.srv.o.Integrations[0], 0, nil); err != errReadOnly {
		t.Fatalf("read-only actor Trigger: %v", err)
	}
	if n := r.requests("trigger"); n != 0 {
		t.Fatalf("read-only actor reached Jenkins: %d triggers", n)
	}
	if a := r.audit(); !strings.Contains(a, "action=run") || !strings.Contains(a, `answer="error: read-only: your key has no Jenkins user"`) {
		t.Fatalf("refused action not audited: %q", a)
	}
}

// A mapped key triggers a build with its Jenkins user's own credentials:
// the simulator records that user as the build's cause, the audit log has
// the line, and no token is anywhere in it.
func TestMappedKeyTriggersAsItsUser(t *testing.T) {
	r := newRig(t, nil)
	for _, who := range []string{"alice", "bob"} { // alice by comment, bob by fingerprint
		t.Run(who, func(t *testing.T) {
			before := r.requests("trigger")
			c := r.connect(who, 120, 40, nil)
			c.waitFor("#12", 10*time.Second)
			if strings.Contains(c.screen(), "read-only") {
				t.Fatalf("a mapped key is read-only:\n%s", tail(c.screen(), 1500))
			}
			c.send("b")
			c.waitFor("BRANCH  main", 5*time.Second)
			c.send("\r")
			c.waitFor("with 1 parameters?", 5*time.Second)
			c.send("y")
			waitUntil(t, 5*time.Second, "trigger reaches the simulator", func() bool { return r.requests("trigger") == before+1 })
			waitUntil(t, 5*time.Second, "audit line", func() bool { return strings.Contains(r.audit(), "jenkins_user="+who) })
			line := ""
			for _, l := range strings.Split(r.audit(), "\n") {
				if strings.Contains(l, "jenkins_user="+who) {
					line = l
				}
			}
			fp := gossh.FingerprintSHA256(r.keys[who].signer.PublicKey())
			for _, want := range []string{"time=20", "ssh_user=tester", "key=" + fp, `integration="Payments API"`, "job=payments/api-tests",
				"build=-", "action=run", `answer="queued as item `} {
				if !strings.Contains(line, want) {
					t.Errorf("audit line lacks %q: %s", want, line)
				}
			}
			// the build the queue item became was started by this user
			cl, _ := jenkins.New(jenkins.Options{BaseURL: r.sim.URL(), Username: "alice", Token: config.NewSecret("alice-token-0000")})
			var got jenkins.Build
			waitUntil(t, 10*time.Second, "the triggered build starts", func() bool {
				bs, err := cl.Builds(context.Background(), "payments/api-tests", 3)
				if err != nil || len(bs) == 0 {
					return false
				}
				b, err := cl.Build(context.Background(), "payments/api-tests", bs[0].Number)
				if err != nil || len(b.Causes) == 0 || b.Causes[0].UserID == "" || b.Number <= 12 {
					return false
				}
				got = b
				return b.Causes[0].UserID == who
			})
			if got.Causes[0].UserID != who {
				t.Fatalf("build #%d started by %q, want %q", got.Number, got.Causes[0].UserID, who)
			}
		})
	}
	for _, tok := range []string{"alice-token-0000", "bob-token-0000", "watcher-token-0000"} {
		if strings.Contains(r.audit(), tok) || strings.Contains(r.logBuf.String(), tok) {
			t.Errorf("a token reached the audit or server log")
		}
	}
}

// Abort by a mapped key is audited with the build and Jenkins's answer.
func TestMappedKeyAbortAudited(t *testing.T) {
	r := newRig(t, nil)
	c := r.connect("alice", 120, 40, nil)
	c.waitFor("#12", 10*time.Second)
	c.send("x")
	c.waitFor("Abort build #12?", 5*time.Second)
	c.send("y")
	waitUntil(t, 5*time.Second, "stop reaches the simulator", func() bool { return r.requests("stop") == 1 })
	waitUntil(t, 5*time.Second, "audit line", func() bool { return strings.Contains(r.audit(), "action=abort") })
	if a := r.audit(); !strings.Contains(a, "build=12") || !strings.Contains(a, `answer="abort requested"`) || !strings.Contains(a, "jenkins_user=alice") {
		t.Fatalf("abort audit: %s", a)
	}
}

// The server refuses a session over max_sessions with a message the client
// reads, and takes one again when a place is free.
func TestMaxSessions(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Serve.MaxSessions = 2 })
	a := r.connect("alice", 80, 24, nil)
	b := r.connect("carol", 80, 24, nil)
	a.waitFor("Payments API", 10*time.Second)
	b.waitFor("Payments API", 10*time.Second)
	c := r.connect("bob", 80, 24, nil)
	err := c.ended(5 * time.Second)
	if ee, ok := err.(*gossh.ExitError); !ok || ee.ExitStatus() != 1 {
		t.Errorf("refused session exit: %v, want status 1", err)
	}
	if !strings.Contains(c.errs.String(), "jeeves serve: the server is full (2 sessions, the most it takes); try again later") {
		t.Fatalf("refused client read %q", c.errs.String())
	}
	a.send("q")
	a.ended(5 * time.Second)
	waitUntil(t, 5*time.Second, "a place frees", func() bool { return r.srv.Sessions() == 1 })
	d := r.connect("bob", 80, 24, nil)
	d.waitFor("Payments API", 10*time.Second)
}

// An idle session is closed with a message; the server goes on.
func TestIdleSessionClosed(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Serve.IdleTimeout = 800 * time.Millisecond })
	c := r.connect("alice", 80, 24, nil)
	c.waitFor("Payments API", 10*time.Second)
	if err := c.ended(10 * time.Second); err != nil {
		t.Errorf("idle session exit: %v", err)
	}
	if !strings.Contains(c.screen(), "jeeves serve: no key pressed for 800ms: session closed") {
		t.Fatalf("no idle message:\n%s", tail(c.screen(), 500))
	}
	d := r.connect("bob", 80, 24, nil)
	d.waitFor("Payments API", 10*time.Second)
}

// q ends the session, not the server; a command or no terminal is refused.
func TestQuitEndsSessionOnly(t *testing.T) {
	r := newRig(t, nil)
	c := r.connect("alice", 80, 24, nil)
	c.waitFor("Payments API", 10*time.Second)
	c.send("q")
	if err := c.ended(5 * time.Second); err != nil {
		t.Errorf("q: session exit %v", err)
	}
	d := r.connect("alice", 80, 24, nil)
	d.waitFor("Payments API", 10*time.Second)

	conn, err := dial(t, r.addr, r.keys["bob"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A command is refused with the same one line whether or not a pty
	// was asked for (ssh host ls, then ssh -t host ls).
	for _, pty := range []bool{false, true} {
		sess, _ := conn.NewSession()
		if pty {
			_ = sess.RequestPty("xterm", 24, 80, nil)
		}
		out, err := sess.CombinedOutput("cat /etc/passwd")
		want := "jeeves serve: no commands here, only the dashboard; connect without a command\r\n"
		if err == nil || string(out) != want {
			t.Fatalf("a command (pty %v): %v %q, want %q", pty, err, out, want)
		}
	}
	// No command and no terminal: told to ask for one.
	sess, _ := conn.NewSession()
	var errb bytes.Buffer
	sess.Stderr = &errb
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	err = sess.Wait()
	if ee, ok := err.(*gossh.ExitError); !ok || ee.ExitStatus() != 1 || !strings.Contains(errb.String(), "the dashboard needs a terminal; connect with ssh -t") {
		t.Fatalf("a shell without a terminal: %v %q, want status 1 and the terminal message", err, errb.String())
	}
}

// Each session has its own size and colour profile: NO_COLOR from the
// client gives a session without colour while another one keeps colour.
func TestPerSessionSizeAndColour(t *testing.T) {
	r := newRig(t, nil)
	col := r.connect("alice", 120, 40, nil)
	plain := r.connect("bob", 80, 24, map[string]string{"NO_COLOR": "1"})
	col.waitFor("#12", 10*time.Second)
	plain.waitFor("#12", 10*time.Second)
	hasColour := func(s string) bool { return strings.Contains(s, "\x1b[38;") || strings.Contains(s, "\x1b[3") }
	if !hasColour(col.out.String()) {
		t.Error("the colour session has no colour")
	}
	if strings.Contains(plain.out.String(), "\x1b[38;") || strings.Contains(plain.out.String(), "\x1b[48;") {
		t.Error("the NO_COLOR session has colour")
	}
	// widths: the wide session shows the integrations panel on the left
	if !strings.Contains(col.screen(), "Integrations") && !strings.Contains(col.screen(), "INTEGRATIONS") {
		t.Logf("wide screen:\n%s", tail(col.screen(), 1500))
	}
	// a resize to 10x5 says too small; the other session goes on
	m := plain.mark()
	if err := plain.sess.WindowChange(5, 10); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "too small", func() bool { return strings.Contains(m(), "terminal") })
	mc := col.mark()
	col.send("?")
	waitUntil(t, 5*time.Second, "the other session answers", func() bool { return strings.Contains(mc(), "keys") })
	if err := plain.sess.WindowChange(24, 80); err != nil {
		t.Fatal(err)
	}
	m = plain.mark()
	waitUntil(t, 5*time.Second, "back to the builds", func() bool { return strings.Contains(m(), "#12") })
}

// An abrupt disconnect, a key flood and a 10x5 terminal in other sessions
// leave a session working and the polling going; 50 sessions at once too.
func TestRobustness(t *testing.T) {
	if testing.Short() {
		t.Skip("50 sessions")
	}
	r := newRig(t, nil)
	watch := r.connect("alice", 100, 30, nil)
	watch.waitFor("#12", 10*time.Second)

	// abrupt disconnect: the TCP connection dropped mid-session
	gone := r.connect("bob", 80, 24, nil)
	gone.waitFor("#12", 10*time.Second)
	gone.conn.Conn.Close()
	// key flood: 20000 keys as fast as the connection takes them
	flood := r.connect("carol", 80, 24, nil)
	flood.waitFor("#12", 10*time.Second)
	go func() {
		keys := strings.Repeat("jkjkfFjk/x\x1b", 2000)
		for i := 0; i < len(keys); i += 500 {
			if _, err := flood.in.Write([]byte(keys[i : i+500])); err != nil {
				return
			}
		}
	}()
	// tiny terminal
	tiny := r.connect("carol", 10, 5, nil)
	_ = tiny
	// 50 sessions
	var many []*client
	for i := 0; i < 50; i++ {
		name := []string{"alice", "bob", "carol"}[i%3]
		many = append(many, r.connect(name, 80, 24, nil))
	}
	for _, c := range many {
		c.waitFor("Payments API", 30*time.Second)
	}
	waitUntil(t, 10*time.Second, "the dropped session is gone", func() bool { return r.srv.Sessions() <= 53 })
	// the watching session still answers a key at once, and polling goes on
	probes := r.requests("job") + r.requests("builds")
	m := watch.mark()
	watch.send("?")
	waitUntil(t, 5*time.Second, "the watching session answers", func() bool { return strings.Contains(m(), "keys") })
	watch.send("?")
	waitUntil(t, 15*time.Second, "polling goes on", func() bool { return r.requests("job")+r.requests("builds") > probes })
	for _, c := range many {
		c.conn.Close()
	}
	waitUntil(t, 10*time.Second, "sessions close", func() bool { return r.srv.Sessions() <= 3 })
}

// SIGTERM (the context ending) closes every session with a message and
// Serve returns nil.
func TestShutdownClosesSessions(t *testing.T) {
	r := newRig(t, nil)
	a := r.connect("alice", 80, 24, nil)
	b := r.connect("carol", 80, 24, nil)
	a.waitFor("Payments API", 10*time.Second)
	b.waitFor("Payments API", 10*time.Second)
	r.cancel()
	for _, c := range []*client{a, b} {
		c.ended(5 * time.Second)
		if !strings.Contains(c.screen(), "jeeves serve: the server is shutting down") {
			t.Errorf("no shutdown message:\n%s", tail(c.screen(), 400))
		}
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
		r.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := dial(t, r.addr, r.keys["alice"]); err == nil {
		t.Fatal("the server still accepts connections")
	}
}

// The host key is made on first start (0600) and the same key is used after
// a restart; a key others can read is refused.
func TestHostKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "jeeves", "ssh_host_ed25519_key")
	s1, err := hostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v, %v", fi.Mode(), err)
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode %v", di.Mode())
	}
	s2, err := hostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if gossh.FingerprintSHA256(s1.PublicKey()) != gossh.FingerprintSHA256(s2.PublicKey()) {
		t.Fatal("the host key changed across restarts")
	}
	os.Chmod(path, 0o644)
	if _, err := hostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a readable host key: %v", err)
	}
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte("not a key"), 0o600)
	if _, err := hostKey(path); err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("a broken host key: %v", err)
	}
}

// The server presents the same host key to clients after a restart.
func TestHostKeyKeptAcrossRestarts(t *testing.T) {
	var seen []string
	r := newRig(t, nil)
	hk := r.srv.o.Serve.HostKey
	grab := func(addr string) string {
		var fp string
		conn, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(r.keys["alice"].signer)},
			HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { fp = gossh.FingerprintSHA256(k); return nil }, Timeout: 5 * time.Second})
		if err == nil {
			conn.Close()
		}
		return fp
	}
	seen = append(seen, grab(r.addr))
	r.stop()
	r2 := newRig(t, func(o *Options) { o.Serve.HostKey = hk })
	seen = append(seen, grab(r2.addr))
	if seen[0] == "" || seen[0] != seen[1] {
		t.Fatalf("host keys %v", seen)
	}
}

func TestAuthorizedKeysErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ak")
	if _, err := loadAuthorizedKeys(p); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: %v", err)
	}
	k := newKey(t, "ok@x")
	os.WriteFile(p, []byte(k.line+"\nssh-ed25519 notbase64 broken\n"), 0o600)
	if _, err := loadAuthorizedKeys(p); err == nil || !strings.Contains(err.Error(), p+":2: not a public key") {
		t.Fatalf("bad line: %v", err)
	}
	// a key added to the file is let in without a restart
	os.WriteFile(p, []byte(k.line+"\n"), 0o600)
	a, err := loadAuthorizedKeys(p)
	if err != nil {
		t.Fatal(err)
	}
	k2 := newKey(t, "new@x")
	if _, ok := a.lookup(k2.signer.PublicKey()); ok {
		t.Fatal("unknown key found")
	}
	os.WriteFile(p, []byte(k.line+"\n"+k2.line+"\n"), 0o600)
	e, ok := a.lookup(k2.signer.PublicKey())
	if !ok || e.comment != "new@x" || e.fingerprint != gossh.FingerprintSHA256(k2.signer.PublicKey()) {
		t.Fatalf("added key: %+v %v", e, ok)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Options{UserAPI: func(context.Context, config.Integration) (jenkins.API, error) { return nil, nil }}); err == nil ||
		!strings.Contains(err.Error(), "no authorized_keys") {
		t.Fatalf("no authorized_keys: %v", err)
	}
}

// Every session watches through the one engine: ten sessions make one
// build list request, not ten, and fewer probes than sessions.
func TestSessionsShareOnePoller(t *testing.T) {
	r := newRig(t, nil)
	var cs []*client
	for i := 0; i < 10; i++ {
		c := r.connect([]string{"alice", "bob", "carol"}[i%3], 80+i, 24, nil)
		cs = append(cs, c)
	}
	for _, c := range cs {
		c.waitFor("#12", 10*time.Second)
	}
	st := r.sim.Stats()
	if st["builds"].Requests != 1 || st["job"].Requests >= len(cs) {
		t.Fatalf("10 sessions made %d list and %d probe requests; one poller makes 1 list and a probe per interval", st["builds"].Requests, st["job"].Requests)
	}
}

// The colour profile is each session's: a 16-colour terminal gets the 16
// ANSI colours (the palette's), NO_COLOR and a dumb terminal none, at the
// same time on one server.
func TestColourProfilePerTerminal(t *testing.T) {
	r := newRig(t, nil)
	c16 := r.connect("alice", 120, 40, map[string]string{"TERM": "xterm"})
	dumb := r.connect("bob", 120, 40, map[string]string{"TERM": "dumb"})
	none := r.connect("carol", 120, 40, map[string]string{"TERM": "xterm-256color", "NO_COLOR": "1"})
	for _, c := range []*client{c16, dumb, none} {
		c.waitFor("#12", 10*time.Second)
	}
	sgr := regexp.MustCompile(`\x1b\[([0-9;:]*)m`)
	kinds := func(out string) (ansi16, extended bool) {
		for _, m := range sgr.FindAllStringSubmatch(out, -1) {
			for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
				switch {
				case p == "38" || p == "48":
					extended = true
				case len(p) == 2 && (p[0] == '3' || p[0] == '4' || p[0] == '9') && p[1] != '8' && p[1] != '9':
					ansi16 = true
				}
			}
		}
		return
	}
	if a, x := kinds(c16.out.String()); !a || x {
		t.Errorf("TERM=xterm: 16 colours %v, 256/true colours %v; want only the 16", a, x)
	}
	for name, c := range map[string]*client{"NO_COLOR": none, "TERM=dumb": dumb} {
		if a, x := kinds(c.out.String()); a || x {
			t.Errorf("%s: colours in the output (16: %v, more: %v)", name, a, x)
		}
	}
}

// A re-run is audited as such, with the build it re-runs; a mapped user's
// token that cannot be resolved is an audited error, never a request.
func TestActorAuditsRerunAndTokenErrors(t *testing.T) {
	r := newRig(t, nil)
	in := r.srv.o.Integrations[0]
	alice := &session{user: "alice", key: keyEntry{fingerprint: "SHA256:a"}, mapped: &r.srv.o.Serve.Users[0]}
	act := &actor{s: r.srv, se: alice}
	if _, err := act.Trigger(context.Background(), in, 11, map[string]string{"BRANCH": "main"}); err != nil {
		t.Fatal(err)
	}
	if a := r.audit(); !strings.Contains(a, "build=11 action=re-run") || !strings.Contains(a, "jenkins_user=alice") {
		t.Fatalf("re-run audit: %s", a)
	}
	nobody := config.ServeUser{Key: "x", Username: "dave", TokenEnv: "DAVE_TOKEN"}
	dave := &actor{s: r.srv, se: &session{user: "dave", key: keyEntry{fingerprint: "SHA256:d"}, mapped: &nobody}}
	before := r.requests("stop")
	if err := dave.Stop(context.Background(), in, 12); err == nil || !strings.Contains(err.Error(), "DAVE_TOKEN is empty") {
		t.Fatalf("unresolvable token: %v", err)
	}
	if r.requests("stop") != before {
		t.Fatal("a stop was sent without the user's token")
	}
	if a := r.audit(); !strings.Contains(a, "jenkins_user=dave") || !strings.Contains(a, "build=12 action=abort") || !strings.Contains(a, "DAVE_TOKEN is empty") {
		t.Fatalf("token error audit: %s", a)
	}
}

// A mapped user whose token variable is not set is named at start.
func TestWarnsAboutUnsetUserToken(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Getenv = func(k string) string { return map[string]string{"BOB_TOKEN": "b"}[k] } })
	log := r.logBuf.String()
	if !strings.Contains(log, "token variable is empty or not set") || !strings.Contains(log, "token_env=ALICE_TOKEN") || strings.Contains(log, "token_env=BOB_TOKEN") {
		t.Fatalf("start log: %s", log)
	}
}

// Each session has its own filter: one session filtering its builds does
// not change what another shows.
func TestSessionsHaveTheirOwnFilter(t *testing.T) {
	r := newRig(t, nil)
	a := r.connect("alice", 120, 40, nil)
	b := r.connect("bob", 120, 40, nil)
	a.waitFor("#12", 10*time.Second)
	b.waitFor("#12", 10*time.Second)
	ma := a.mark()
	a.send("f") // the first status filter: success only, the running #12 leaves a's table
	waitUntil(t, 5*time.Second, "a filters", func() bool { return strings.Contains(ma(), "success") })
	// a full frame of each: help and back
	redraw := func(c *client) string {
		m := c.mark()
		c.send("?")
		waitUntil(t, 5*time.Second, "help", func() bool { return strings.Contains(m(), "keys") })
		m = c.mark()
		c.send("\x1b")
		waitUntil(t, 5*time.Second, "back", func() bool { return strings.Contains(m(), "#11") })
		time.Sleep(200 * time.Millisecond)
		return m()
	}
	if s := redraw(b); !strings.Contains(s, "running") {
		t.Fatalf("b lost the running build after a's filter:\n%s", s)
	}
	if s := redraw(a); strings.Contains(s, "▶ running") {
		t.Fatalf("a's filter did not hold:\n%s", s)
	}
}

// blockingWriter never returns from Write until released: a client that
// stopped reading, so the SSH window fills and the server's writes block.
type blockingWriter struct{ release chan struct{} }

func (w blockingWriter) Write(p []byte) (int, error) { <-w.release; return len(p), nil }

// A client that stops reading (its SSH window fills, so the server's writes
// to it block and its dashboard stops taking keys) does not hold up another
// session, and is closed as idle. (Should its last writes never return,
// session.end closes the channel under them after endGrace.)
func TestStalledClientIsClosed(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Serve.IdleTimeout = 3 * time.Second })
	watch := r.connect("alice", 80, 24, nil)
	watch.waitFor("#12", 10*time.Second)

	conn, err := dial(t, r.addr, r.keys["bob"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sess, _ := conn.NewSession()
	bw := blockingWriter{release: make(chan struct{})}
	defer close(bw.release)
	sess.Stdout, sess.Stderr = bw, bw
	if err := sess.RequestPty("xterm", 100, 300, nil); err != nil { // big frames
		t.Fatal(err)
	}
	in, _ := sess.StdinPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "two sessions", func() bool { return r.srv.Sessions() == 2 })
	// full redraws until the window (2 MB) is full and the server's writes block
	go func() {
		for end := time.Now().Add(8 * time.Second); time.Now().Before(end); {
			if _, err := in.Write([]byte("?")); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// the watching session keeps working meanwhile
	m := watch.mark()
	watch.send("?")
	waitUntil(t, 5*time.Second, "the other session answers", func() bool { return strings.Contains(m(), "keys") })
	watch.send("\x1b")
	ended := `msg="session end" session=2 `
	waitUntil(t, 3*time.Second+endGrace+10*time.Second, "the stalled session is closed", func() bool {
		return strings.Contains(r.logBuf.String(), ended)
	})
}
