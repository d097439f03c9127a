// Package serve is `jeeves serve`: the dashboard served over SSH (on
// charm.land/wish/v2 and its Bubble Tea middleware), so a team reaches it
// with `ssh -p 2222 jumphost` and Jenkins sees one poller whatever the
// number of sessions.
//
// Each SSH session gets its own ui.Model (its own size, colour profile,
// selection, filter and expanded rows); every session shares the server's
// store and engine. Who may enter is an authorized_keys file; who may act
// is the [[serve.user]] mapping of a key to a Jenkins user, whose own token
// sends that session's run, re-run and abort. Every action is a line in the
// audit log.
package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	charmlog "charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/ui"
	"github.com/jeeves-dev/jeeves/watch"
)

// Options is what the server needs from the command that starts it.
type Options struct {
	Serve        config.Serve // the validated [serve] table; HostKey and AuditLog already defaulted
	Integrations []config.Integration
	Refresh      time.Duration

	// Deps are shared by every session: Jenkins (watching through each
	// integration's own token), Store, Snippets, Clock, and the Engine
	// (nil: New makes one over Jenkins and Store, so Jenkins sees one poller
	// whatever the number of sessions). Per-session fields (Ctx, Actions,
	// Log, Browser, Checker) are set by the server.
	Deps ui.Deps
	// UserAPI makes a Jenkins client for in as given (serve passes in with
	// a mapped user's name and token source in place of the integration's).
	// It may run token_cmd: it is only called inside a tea.Cmd.
	UserAPI func(ctx context.Context, in config.Integration) (jenkins.API, error)

	// Getenv reads the environment, to warn at start about a mapped user's
	// token_env that is not set (nil: no check).
	Getenv func(string) string

	// Log is the server log (one line per refused key, session start and
	// end, shutdown). Default: discard.
	Log *slog.Logger
	// FPS caps each session's redraws (default 15).
	FPS int
	// Title of the dashboard (default "jeeves").
	Title string
	// ShutdownGrace bounds how long SIGTERM waits for sessions to close
	// (default 5s).
	ShutdownGrace time.Duration
}

// Server is a running `jeeves serve`.
type Server struct {
	o      Options
	log    *slog.Logger
	keys   *authorizedKeys
	audit  *auditLog
	srv    *ssh.Server
	hostFP string

	engine     *watch.Engine
	stopEngine context.CancelFunc // the engine New made; nil when given

	mu       sync.Mutex
	sessions map[*session]struct{}
	closing  bool
	nextID   atomic.Uint64
}

// session is one connected SSH session.
type session struct {
	id      uint64
	user    string
	key     keyEntry
	mapped  *config.ServeUser
	remote  string
	start   time.Time
	prog    atomic.Pointer[tea.Program]
	model   *ui.Model    // the session's dashboard, closed (unsubscribed) when the session ends
	lastIn  atomic.Int64 // unix nanos of the last key, paste or mouse input
	reason  atomic.Pointer[string]
	sshSess ssh.Session
}

// end quits the session's dashboard with a reason the client reads. A
// client that stopped reading (its window full) could hold the dashboard's
// last writes forever: after a grace period the channel is closed under it.
func (s *session) end(reason string) {
	if !s.reason.CompareAndSwap(nil, &reason) {
		return
	}
	if p := s.prog.Load(); p != nil {
		// never blocks the caller (it may hold the server's lock): Quit
		// waits for the dashboard's event loop, which a client that stopped
		// reading can hold up
		go p.Quit()
	}
	if s.sshSess != nil {
		time.AfterFunc(endGrace, func() { _ = s.sshSess.Close() })
	}
}

// endGrace is how long a session told to end may take to say goodbye.
const endGrace = 5 * time.Second

// New checks the options, reads the authorized keys, makes (or reads) the
// host key and opens the audit log. It listens nowhere yet.
func New(o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	quietWishLog.Do(func() { charmlog.SetDefault(charmlog.New(wishLogFilter{os.Stderr})) })
	if o.FPS <= 0 {
		o.FPS = 15
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 5 * time.Second
	}
	if o.Serve.MaxSessions <= 0 {
		o.Serve.MaxSessions = config.DefaultMaxSessions
	}
	if o.Serve.IdleTimeout <= 0 {
		o.Serve.IdleTimeout = config.DefaultIdleTimeout
	}
	if o.Deps.Clock == nil {
		o.Deps.Clock = time.Now
	}
	if o.Serve.AuthorizedKeys == "" {
		return nil, errors.New(`serve: no authorized_keys file in the [serve] table; fix: add authorized_keys = "/etc/jeeves/authorized_keys" (see config.example.toml)`)
	}
	if o.UserAPI == nil {
		return nil, errors.New("serve: no UserAPI")
	}
	keys, err := loadAuthorizedKeys(o.Serve.AuthorizedKeys)
	if err != nil {
		return nil, err
	}
	s := &Server{o: o, log: o.Log, keys: keys, sessions: map[*session]struct{}{}}
	for _, u := range o.Serve.Users {
		if !keys.knows(u.Key) {
			s.log.Warn("a [[serve.user]] key matches no key in authorized_keys", "key", u.Key, "file", o.Serve.AuthorizedKeys)
		}
		if u.TokenEnv != "" && o.Getenv != nil && strings.TrimSpace(o.Getenv(u.TokenEnv)) == "" {
			s.log.Warn("a [[serve.user]] token variable is empty or not set: that user's run, re-run and abort will fail",
				"key", u.Key, "username", u.Username, "token_env", u.TokenEnv)
		}
	}
	signer, err := hostKey(o.Serve.HostKey)
	if err != nil {
		return nil, err
	}
	s.hostFP = gossh.FingerprintSHA256(signer.PublicKey())
	if s.audit, err = openAudit(o.Serve.AuditLog, o.Deps.Clock); err != nil {
		return nil, err
	}
	s.engine = o.Deps.Engine
	if s.engine == nil {
		var st watch.Store
		if o.Deps.Store != nil {
			st = o.Deps.Store
		}
		ctx, cancel := context.WithCancel(context.Background())
		s.engine = watch.New(ctx, watch.Config{Connector: o.Deps.Jenkins, Store: st, Refresh: o.Refresh, Clock: o.Deps.Clock,
			Log: o.Log.With("part", "engine")})
		s.stopEngine = cancel
	}
	s.srv, err = wish.NewServer(
		wish.WithAddress(o.Serve.Addr),
		wish.WithVersion("jeeves"),
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		wish.WithPublicKeyAuth(s.allowKey),
		// an emulated terminal: the session's bytes go to the dashboard as
		// they come (no pty per session), and window changes reach it
		ssh.EmulatePty(),
		func(srv *ssh.Server) error {
			srv.HandshakeTimeout = 20 * time.Second
			// a backstop for a client gone without a word (no FIN, no
			// keepalives): no byte either way for longer than the idle
			// timeout; a live dashboard is closed by closeIdle before
			srv.IdleTimeout = o.Serve.IdleTimeout + time.Minute
			// no password, no keyboard-interactive: only the public key handler is set
			srv.PasswordHandler, srv.KeyboardInteractiveHandler = nil, nil
			return nil
		},
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program),
			s.gate, // runs first: refuses what must not reach the dashboard
		),
	)
	if err != nil {
		s.audit.Close()
		s.closeEngine()
		return nil, fmt.Errorf("serve: %v", err)
	}
	return s, nil
}

// allowKey is the public key check: a key of the authorized_keys file, or
// a one-line refusal in the server log.
func (s *Server) allowKey(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	if _, ok := s.keys.lookup(key); ok {
		return true
	}
	s.log.Warn("key refused: not in authorized_keys", "ssh_user", termtext.Clean(ctx.User()), "key", fp,
		"remote", remoteString(ctx.RemoteAddr()), "file", s.o.Serve.AuthorizedKeys)
	return false
}

func remoteString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// gate ends sessions that must not reach the dashboard: no terminal, a
// command, a full server, a shutdown. The refused client reads why.
func (s *Server) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		refuse := func(msg string) {
			fmt.Fprint(sess.Stderr(), "jeeves serve: "+msg+"\r\n")
			_ = sess.Exit(1)
		}
		// A command is refused first, pty or not: asking for one with -t
		// would only earn a second refusal.
		if len(sess.Command()) > 0 {
			refuse("no commands here, only the dashboard; connect without a command")
			return
		}
		if _, _, ok := sess.Pty(); !ok {
			refuse("the dashboard needs a terminal; connect with ssh -t")
			return
		}
		entry, ok := s.keys.lookup(sess.PublicKey())
		if !ok { // removed from the file since the handshake
			refuse("your key is not authorized")
			return
		}
		se := &session{id: s.nextID.Add(1), user: termtext.Clean(sess.User()), key: entry, remote: remoteString(sess.RemoteAddr()),
			start: s.o.Deps.Clock(), sshSess: sess}
		se.mapped = s.mapUser(entry)
		se.lastIn.Store(time.Now().UnixNano())
		s.mu.Lock()
		switch {
		case s.closing:
			s.mu.Unlock()
			refuse("the server is shutting down; try again in a minute")
			return
		case len(s.sessions) >= s.o.Serve.MaxSessions:
			n := len(s.sessions)
			s.mu.Unlock()
			s.log.Warn("session refused: server full", "ssh_user", se.user, "key", entry.fingerprint, "sessions", n)
			refuse(fmt.Sprintf("the server is full (%d sessions, the most it takes); try again later", n))
			return
		}
		s.sessions[se] = struct{}{}
		s.mu.Unlock()
		jenkinsUser := ""
		if se.mapped != nil {
			jenkinsUser = se.mapped.Username
		}
		s.log.Info("session start", "session", se.id, "ssh_user", se.user, "key", entry.fingerprint, "comment", entry.comment,
			"jenkins_user", jenkinsUser, "remote", se.remote)
		sess.Context().SetValue(sessionKey{}, se)
		defer func() {
			s.mu.Lock()
			delete(s.sessions, se)
			s.mu.Unlock()
			why := "client left"
			if r := se.reason.Load(); r != nil {
				why = *r
			}
			s.log.Info("session end", "session", se.id, "ssh_user", se.user, "key", entry.fingerprint,
				"duration", s.o.Deps.Clock().Sub(se.start).Round(time.Second).String(), "why", why)
		}()
		next(sess)
		if se.model != nil {
			se.model.Close() // the engine stops polling what no session watches
		}
		if r := se.reason.Load(); r != nil {
			// after the dashboard's last frame (it left the alternate screen)
			fmt.Fprint(sess, "\r\njeeves serve: "+*r+"\r\n")
		}
	}
}

type sessionKey struct{}

var quietWishLog sync.Once

// wishLogFilter drops the Bubble Tea middleware's "program was killed"
// line, which is every session that ends by a disconnect or a shutdown.
type wishLogFilter struct{ w io.Writer }

func (f wishLogFilter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("program was killed")) {
		return len(p), nil
	}
	return f.w.Write(p)
}

// mapUser finds the Jenkins user of a key: by fingerprint, else by the
// comment of its authorized_keys line.
func (s *Server) mapUser(e keyEntry) *config.ServeUser {
	for i, u := range s.o.Serve.Users {
		if u.Key == e.fingerprint {
			return &s.o.Serve.Users[i]
		}
	}
	for i, u := range s.o.Serve.Users {
		if e.comment != "" && u.Key == e.comment {
			return &s.o.Serve.Users[i]
		}
	}
	return nil
}

// program makes the session's dashboard: its own model over the shared
// store (and engine), its own actions.
func (s *Server) program(sess ssh.Session) *tea.Program {
	se, _ := sess.Context().Value(sessionKey{}).(*session)
	if se == nil {
		return nil
	}
	env := map[string]string{}
	for _, kv := range sess.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	deps := s.o.Deps
	deps.Engine = s.engine
	deps.Ctx = sess.Context()
	deps.Browser = nil // o shows the URL: the browser is on the laptop, not here
	deps.Checker = nil
	deps.Log = s.log.With("session", se.id, "ssh_user", se.user)
	opts := ui.Options{
		Integrations:       s.o.Integrations,
		Refresh:            s.o.Refresh,
		NoIntegrationEdits: true,
		NoColor:            env["NO_COLOR"] != "",
		Title:              s.o.Title,
		StateKey:           "dashboard:ssh:" + se.user + ":" + se.key.fingerprint,
	}
	act := &actor{s: s, se: se}
	deps.Actions = act
	if se.mapped == nil {
		opts.ReadOnly = true
		opts.ReadOnlyWhy = "your key has no Jenkins user"
	}
	popts := []tea.ProgramOption{
		tea.WithContext(sess.Context()),
		tea.WithFPS(s.o.FPS),
		tea.WithoutSignalHandler(), // SIGTERM is the server's, not each session's
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg.(type) {
			case tea.KeyPressMsg, tea.PasteMsg, tea.MouseClickMsg, tea.MouseWheelMsg:
				se.lastIn.Store(time.Now().UnixNano())
			}
			return msg
		}),
	}
	popts = append(popts, bm.MakeOptions(sess)...)
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	m := ui.New(deps, opts)
	se.model = &m
	p := tea.NewProgram(m, popts...)
	se.prog.Store(p)
	if se.reason.Load() != nil { // told to end (shutdown) before its dashboard existed
		go p.Quit()
	}
	return p
}

// HostKeyFingerprint is the SHA256 fingerprint of the server's host key,
// for users to check on their first connection.
func (s *Server) HostKeyFingerprint() string { return s.hostFP }

// Sessions is the number of connected sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Serve accepts sessions on ln until ctx ends, then closes every session
// with a message and returns nil. Other errors are the listener's.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	defer s.audit.Close()
	defer s.closeEngine()
	done := make(chan error, 1)
	sl := &startedListener{Listener: ln, started: make(chan struct{})}
	go func() { done <- s.srv.Serve(sl) }()
	idle := time.NewTicker(min(s.o.Serve.IdleTimeout/4, 10*time.Second))
	defer idle.Stop()
	s.log.Info("serving", "addr", ln.Addr().String(), "integrations", len(s.o.Integrations),
		"max_sessions", s.o.Serve.MaxSessions, "idle_timeout", s.o.Serve.IdleTimeout.String())
	for {
		select {
		case err := <-done:
			if errors.Is(err, ssh.ErrServerClosed) {
				return nil
			}
			return fmt.Errorf("serve: %v", err)
		case <-idle.C:
			s.closeIdle()
		case <-ctx.Done():
			// the ssh server's Shutdown must not race its Serve starting up
			// (a WaitGroup Add against Wait): wait until it accepts
			select {
			case <-sl.started:
			case err := <-done:
				done <- err
			}
			s.shutdown()
			<-done
			return nil
		}
	}
}

// startedListener tells when the server first waits for a connection.
type startedListener struct {
	net.Listener
	once    sync.Once
	started chan struct{}
}

func (l *startedListener) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.started) })
	return l.Listener.Accept()
}

// closeEngine stops the engine New made and waits for its goroutines.
func (s *Server) closeEngine() {
	if s.stopEngine != nil {
		s.stopEngine()
		s.engine.Wait()
	}
}

// closeIdle ends the sessions without input for longer than the idle timeout.
func (s *Server) closeIdle() {
	limit := time.Now().Add(-s.o.Serve.IdleTimeout).UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	for se := range s.sessions {
		if se.lastIn.Load() < limit {
			se.end(fmt.Sprintf("no key pressed for %s: session closed (the server's idle_timeout)", s.o.Serve.IdleTimeout))
		}
	}
}

// shutdown tells every session why it ends, waits a little for them to
// close and then closes what is left.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closing = true
	n := len(s.sessions)
	for se := range s.sessions {
		se.end("the server is shutting down")
	}
	s.mu.Unlock()
	s.log.Info("shutting down", "sessions", n)
	ctx, cancel := context.WithTimeout(context.Background(), s.o.ShutdownGrace)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.log.Warn("sessions still open after the grace period: closed", "grace", s.o.ShutdownGrace.String())
		_ = s.srv.Close()
	}
}

// ListenAndServe listens on the [serve] addr and serves until ctx ends.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.o.Serve.Addr)
	if err != nil {
		return fmt.Errorf("serve: cannot listen on %s: %v", s.o.Serve.Addr, errText(err))
	}
	return s.Serve(ctx, ln)
}

func errText(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
