// Package jenkinstest is a simulated Jenkins controller: the remote access
// API (tree/depth filtering, jobs, folders, multibranch projects, the queue,
// builds with progressive console text, artifacts, test reports, wfapi),
// Basic auth with API tokens, CSRF crumbs bound to a session, and injectable
// faults. It serves in-process (Handler, for httptest) or on a port (Start),
// and behind `jeeves sim`. It is a server: it does not use jeeves's client.
package jenkinstest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a simulated Jenkins.
type Server struct {
	world     *World
	now       func() time.Time
	scale     float64
	executors int
	addr      string

	mu        sync.Mutex // guards everything below
	start     time.Time
	root      *item
	allBuilds []*build
	queue     []*queueItem
	nextQueue int64
	sessions  map[string]string // session id -> user id ("" anonymous)
	faults    Faults
	faultRand *mrand.Rand
	authCount int
	statsMu   sync.Mutex // guards stats (taken alone, never with mu)
	stats     map[string]*Stat
	cache     map[string][]byte // artifact sources
	series    map[*JobDef]map[int]*seriesBuild
	reports   map[string]*junitReport
	nextTimer map[*item]time.Time // when each job's timer next queues a build

	cookieName string
	sessionID  string // X-Jenkins-Session

	lmu      sync.Mutex // guards the listener
	hs       *http.Server
	ln       net.Listener
	url      string
	conns    map[net.Conn]struct{}
	down     bool
	closed   bool
	timers   []*time.Timer
	serveErr chan error
}

// Option configures a Server.
type Option func(*Server)

// WithNow sets the clock. Tests pass a fake clock for deterministic output;
// history ends at the clock's time when New runs.
func WithNow(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithTimeScale multiplies the duration of builds triggered while the server
// runs, and quiet periods (e.g. 0.01 makes a 30 s build take 0.3 s).
func WithTimeScale(f float64) Option { return func(s *Server) { s.scale = f } }

// WithAddr sets the address Start listens on (default 127.0.0.1:0).
func WithAddr(addr string) Option { return func(s *Server) { s.addr = addr } }

// Stat is the request accounting of one kind of endpoint.
type Stat struct {
	Requests int   // requests received (counted on arrival, faulted ones too)
	Bytes    int64 // response body bytes written (counted before they are sent)
}

// New makes a simulated Jenkins for the world (DemoWorld when nil).
// It panics if the world is inconsistent; LoadWorld and ParseWorld check it.
func New(w *World, opts ...Option) *Server {
	if w == nil {
		w = DemoWorld()
	}
	s := &Server{world: w, now: time.Now, addr: "127.0.0.1:0", sessions: map[string]string{}, stats: map[string]*Stat{},
		cache: map[string][]byte{}, reports: map[string]*junitReport{}, conns: map[net.Conn]struct{}{}, nextTimer: map[*item]time.Time{}}
	s.scale = w.TimeScale
	for _, o := range opts {
		o(s)
	}
	if s.scale <= 0 {
		s.scale = 1
	}
	s.executors = w.Executors
	if s.executors <= 0 {
		s.executors = 4
	}
	if err := w.validate(); err != nil {
		panic("jenkinstest: " + err.Error())
	}
	s.start = s.now()
	h := sha256.Sum256([]byte(fmt.Sprint("session", w.Seed)))
	s.cookieName = "JSESSIONID." + hex.EncodeToString(h[:4])
	// X-Jenkins-Session changes when the controller restarts: here, with the
	// start time (deterministic for a fake clock).
	hs := sha256.Sum256([]byte(fmt.Sprint("instance", w.Seed, s.start.UnixNano())))
	s.sessionID = hex.EncodeToString(hs[:4])
	s.faults = w.Faults
	s.faultRand = newRand(w.Seed, "faults")
	if err := s.populate(); err != nil {
		panic("jenkinstest: " + err.Error())
	}
	return s
}

// Version is the Jenkins version the server claims (X-Jenkins).
func (s *Server) Version() string {
	if s.world.Version != "" {
		return s.world.Version
	}
	return "2.541.1"
}

// Handler is the server as an http.Handler (for httptest.NewServer). Outages
// need Start, which owns the listener.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Start listens on the configured address and serves in the background.
func (s *Server) Start() error {
	s.lmu.Lock()
	if s.hs != nil {
		s.lmu.Unlock()
		return errors.New("jenkinstest: already started")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.lmu.Unlock()
		return err
	}
	s.ln = ln
	s.addr = ln.Addr().String()
	s.url = "http://" + s.addr
	s.hs = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ConnState: s.connState}
	s.serveErr = make(chan error, 1)
	go s.serve(ln)
	s.lmu.Unlock()
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	s.scheduleOutage(f) // takes lmu itself: a world file's outage used to deadlock Start here
	return nil
}

func (s *Server) serve(ln net.Listener) {
	err := s.hs.Serve(ln)
	if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		select {
		case s.serveErr <- err:
		default:
		}
	}
}

func (s *Server) connState(c net.Conn, st http.ConnState) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	switch st {
	case http.StateNew:
		s.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	}
}

// URL is the base URL after Start ("" before).
func (s *Server) URL() string {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	return s.url
}

// Close stops serving and cancels pending outage timers.
func (s *Server) Close() error {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	for _, t := range s.timers {
		t.Stop()
	}
	s.timers = nil
	if s.hs == nil {
		return nil
	}
	err := s.hs.Close()
	if s.ln != nil {
		s.ln.Close()
	}
	s.down = true
	s.closed = true
	return err
}

// Outage makes the server refuse connections for d: it closes the listener
// and open connections, then listens again on the same port.
func (s *Server) Outage(d time.Duration) error {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if s.hs == nil {
		return errors.New("jenkinstest: Outage needs Start")
	}
	if s.down || s.closed {
		return nil
	}
	s.down = true
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.timers = append(s.timers, time.AfterFunc(d, func() { s.recover() }))
	return nil
}

func (s *Server) recover() {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if !s.down || s.hs == nil || s.closed {
		return
	}
	var ln net.Listener
	var err error
	for range 50 { // the port may linger briefly
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		select {
		case s.serveErr <- err:
		default:
		}
		return
	}
	s.ln = ln
	s.down = false
	go s.serve(ln)
}

// Down reports whether an outage is in progress.
func (s *Server) Down() bool {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	return s.down
}

// Err returns a serving error (e.g. the port could not be re-opened after an
// outage), or nil.
func (s *Server) Err() error {
	select {
	case err := <-s.serveErr:
		return err
	default:
		return nil
	}
}

// SetFaults replaces the injected faults. An outage (OutageFor > 0) starts
// OutageAfter from now.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.authCount = 0
	s.mu.Unlock()
	s.lmu.Lock()
	started := s.hs != nil
	s.lmu.Unlock()
	if started {
		s.scheduleOutage(f)
	}
}

func (s *Server) scheduleOutage(f Faults) {
	if f.OutageFor <= 0 {
		return
	}
	t := time.AfterFunc(f.OutageAfter.D(), func() { _ = s.Outage(f.OutageFor.D()) })
	s.lmu.Lock()
	s.timers = append(s.timers, t)
	s.lmu.Unlock()
}

// Stats returns request counts and response bytes by endpoint kind
// (root, job, builds, build, log, console, artifact, testReport, wfapi,
// queue, trigger, stop, crumb, whoAmI, computer, other).
func (s *Server) Stats() map[string]Stat {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := make(map[string]Stat, len(s.stats))
	for k, v := range s.stats {
		out[k] = *v
	}
	return out
}

// ResetStats clears the request accounting.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	s.stats = map[string]*Stat{}
	s.statsMu.Unlock()
}

// Credentials returns the first user's id and API token, for demos and tests.
func (s *Server) Credentials() (user, token string) {
	for _, u := range s.world.Users {
		if len(u.Tokens) > 0 {
			return u.ID, u.Tokens[0]
		}
	}
	return "", ""
}

// World is the world the server was made from.
func (s *Server) World() *World { return s.world }

// countingWriter counts response body bytes into the server's stats as it
// writes, so they are counted before the client can have read them.
type countingWriter struct {
	http.ResponseWriter
	s      *Server
	kind   string
	n      int64
	status int
}

func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = 200
	}
	c.s.addBytes(c.kind, int64(len(b)))
	c.n += int64(len(b))
	return c.ResponseWriter.Write(b)
}

func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) stat(kind string) *Stat {
	st := s.stats[kind]
	if st == nil {
		st = &Stat{}
		s.stats[kind] = st
	}
	return st
}

// countRequest counts a request when it arrives, before it is answered.
func (s *Server) countRequest(kind string) {
	s.statsMu.Lock()
	s.stat(kind).Requests++
	s.statsMu.Unlock()
}

func (s *Server) addBytes(kind string, n int64) {
	s.statsMu.Lock()
	s.stat(kind).Bytes += n
	s.statsMu.Unlock()
}

// kindOf classifies a request path for accounting.
func kindOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/" || p == "/api/json":
		return "root"
	case strings.HasPrefix(p, "/crumbIssuer"):
		return "crumb"
	case strings.HasPrefix(p, "/whoAmI") || strings.HasPrefix(p, "/me/") || strings.HasPrefix(p, "/user/"):
		return "whoAmI"
	case strings.HasPrefix(p, "/queue"):
		return "queue"
	case strings.HasPrefix(p, "/computer"):
		return "computer"
	case !strings.HasPrefix(p, "/job/"):
		return "other"
	case strings.Contains(p, "/logText/"):
		return "log"
	case strings.HasSuffix(p, "/consoleText"):
		return "console"
	case strings.Contains(p, "/artifact/"):
		return "artifact"
	case strings.Contains(p, "/testReport/"):
		return "testReport"
	case strings.Contains(p, "/wfapi/"):
		return "wfapi"
	case strings.HasSuffix(p, "/build") || strings.HasSuffix(p, "/buildWithParameters"):
		return "trigger"
	case strings.HasSuffix(p, "/stop") || strings.HasSuffix(p, "/term") || strings.HasSuffix(p, "/kill"):
		return "stop"
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	// /job/x/.../N/api/json is a build
	if len(segs) >= 3 && segs[len(segs)-1] == "json" && segs[len(segs)-2] == "api" {
		prev := segs[len(segs)-3]
		if _, err := strconv.Atoi(prev); err == nil || strings.HasPrefix(prev, "last") {
			if len(segs) >= 4 && segs[len(segs)-4] != "job" {
				return "build"
			}
		}
		if strings.Contains(r.URL.Query().Get("tree"), "builds") {
			return "builds"
		}
	}
	return "job"
}

// faultDecision is what the fault injector does with one request.
type faultDecision struct {
	latency  time.Duration
	status   int // 5xx answer
	reset    bool
	truncate bool
}

func (s *Server) decideFaults() faultDecision {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	d := faultDecision{latency: f.Latency.D()}
	if f.ResetRate > 0 && s.faultRand.Float64() < f.ResetRate {
		d.reset = true
		return d
	}
	if f.ErrorRate > 0 && s.faultRand.Float64() < f.ErrorRate {
		d.status = []int{500, 502, 503}[s.faultRand.IntN(3)]
		return d
	}
	if f.TruncateRate > 0 && s.faultRand.Float64() < f.TruncateRate {
		d.truncate = true
	}
	return d
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	kind := kindOf(r)
	s.countRequest(kind)
	cw := &countingWriter{ResponseWriter: w, s: s, kind: kind}
	fd := s.decideFaults()
	if fd.latency > 0 {
		t := time.NewTimer(fd.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch {
	case fd.reset:
		resetConn(w)
		return
	case fd.status != 0:
		s.setHeaders(cw)
		errorPage(cw, fd.status, http.StatusText(fd.status), "The server is temporarily unable to service your request.")
		return
	case fd.truncate:
		rec := httptest.NewRecorder()
		s.route(rec, r)
		writeTruncated(w, rec, cw)
		return
	}
	if wantsGzip(r) {
		gw := &gzipWriter{ResponseWriter: cw}
		s.route(gw, r)
		gw.close()
		return
	}
	s.route(cw, r)
}

// resetConn hijacks the connection and closes it with a TCP RST.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// writeTruncated sends the recorded answer's headers with its full
// Content-Length but only half the body, then closes the connection.
func writeTruncated(w http.ResponseWriter, rec *httptest.ResponseRecorder, cw *countingWriter) {
	body := rec.Body.Bytes()
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	bw := bufio.NewWriter(conn)
	if brw != nil {
		bw = brw.Writer
	}
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Connection", "close")
	h.Del("Transfer-Encoding")
	_ = h.Write(bw)
	bw.WriteString("\r\n")
	half := body[:len(body)/2]
	cw.s.addBytes(cw.kind, int64(len(half)))
	bw.Write(half)
	bw.Flush()
}

// errorPage writes an HTML error page like Jenkins's.
func errorPage(w http.ResponseWriter, code int, title, msg string) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache,no-store,must-revalidate")
	w.WriteHeader(code)
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html><html><head resURL=\"/static/sim\" data-rooturl=\"\"><title>%s [Jenkins]</title></head>", htmlEscape(title))
	fmt.Fprintf(&b, "<body><div id=\"main-panel\"><h1>%s</h1><p>%s</p></div></body></html>\n", htmlEscape(title), htmlEscape(msg))
	w.Write(b.Bytes())
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	return r.Replace(s)
}

// notFound is Jenkins's 404 page.
func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte("<html><head><meta http-equiv='refresh' content='1;url=..'/><script>window.location.replace('..');</script></head>" +
		"<body style='background-color:white; color:white;'>\n\nNot found\n\n</body></html>\n"))
}

func (s *Server) setHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-Jenkins", s.Version())
	h.Set("X-Jenkins-Session", s.sessionID)
	h.Set("X-Hudson", "1.395")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "sameorigin")
	h.Set("Server", "Jetty(12.0.22)")
}

// caller is who made a request.
type caller struct {
	user     *User // nil = anonymous
	apiToken bool  // authenticated with an API token (CSRF-exempt)
}

func (c caller) id() string {
	if c.user == nil {
		return "anonymous"
	}
	return c.user.ID
}

// authenticate reads Basic credentials. ok is false when they are wrong
// (the caller must answer 401).
func (s *Server) authenticate(r *http.Request) (caller, string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return caller{}, "", true
	}
	name, secret, ok := r.BasicAuth()
	if !ok {
		return caller{}, "", false
	}
	s.mu.Lock()
	s.authCount++
	revoked := s.faults.RevokeAfter > 0 && s.authCount > s.faults.RevokeAfter
	s.mu.Unlock()
	if revoked {
		return caller{}, name, false
	}
	for i := range s.world.Users {
		u := &s.world.Users[i]
		if u.ID != name {
			continue
		}
		for _, t := range u.Tokens {
			if t != "" && t == secret {
				return caller{user: u, apiToken: true}, name, true
			}
		}
		if u.Password != "" && u.Password == secret {
			return caller{user: u}, name, true
		}
	}
	return caller{}, name, false
}

// session returns the request's session id, creating one (and its cookie)
// when create is set.
func (s *Server) session(w http.ResponseWriter, r *http.Request, c caller, create bool) string {
	if ck, err := r.Cookie(s.cookieName); err == nil {
		s.mu.Lock()
		_, ok := s.sessions[ck.Value]
		s.mu.Unlock()
		if ok {
			return ck.Value
		}
	}
	if !create {
		return ""
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	sid := "node0" + hex.EncodeToString(b[:])
	s.mu.Lock()
	if len(s.sessions) > 10000 { // clients that fetch a crumb per POST
		s.sessions = map[string]string{}
	}
	s.sessions[sid] = c.id()
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: s.cookieName, Value: sid, Path: "/", HttpOnly: true})
	return sid
}

func (s *Server) crumb(userID, sid string) string {
	h := sha256.Sum256([]byte(userID + ";" + sid + ";" + strconv.FormatInt(s.world.Seed, 10) + ";crumb-salt"))
	return hex.EncodeToString(h[:])
}

// checkCrumb applies Jenkins's CSRF rules to a POST.
func (s *Server) checkCrumb(r *http.Request, c caller) bool {
	if s.world.NoCrumbs {
		return true
	}
	if c.apiToken && !s.world.StrictCrumbs {
		return true
	}
	got := r.Header.Get("Jenkins-Crumb")
	if got == "" {
		got = r.FormValue("Jenkins-Crumb")
	}
	ck, err := r.Cookie(s.cookieName)
	if err != nil || got == "" {
		return false
	}
	s.mu.Lock()
	owner, ok := s.sessions[ck.Value]
	s.mu.Unlock()
	return ok && owner == c.id() && got == s.crumb(c.id(), ck.Value)
}
