package jenkins

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/jeeves-dev/jeeves/config"
)

// Defaults for Options.
const (
	DefaultTimeout     = 20 * time.Second
	DefaultMaxInFlight = 4
	// maxJSON caps every api/json answer: far above any tree= query jeeves
	// makes, low enough that a wrong URL serving a huge file cannot eat memory.
	maxJSON = 16 << 20
	// maxErrorBody is how much of an error page is read to find its title.
	maxErrorBody = 64 << 10
)

// Options configure a Client. BaseURL is required; the rest have defaults.
type Options struct {
	BaseURL   string        // Jenkins root, e.g. https://ci.example.com/jenkins
	Username  string        // Jenkins user id
	Token     config.Secret // API token (Basic auth password); zero for anonymous
	CAFile    string        // PEM bundle trusted in addition to the system roots
	Insecure  bool          // skip TLS verification (only when configured)
	Headers   map[string]string
	Timeout   time.Duration // per request (for streams: until headers, then between reads); default 20s
	UserAgent string        // default "jeeves/dev"
	// MaxInFlight caps concurrent requests to the server (scheme://host:port),
	// shared by every Client of that server in the process; default 4.
	MaxInFlight int
	// Getenv reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and lower-case
	// forms) when the client is made; default os.Getenv.
	Getenv func(string) string
	// Transport replaces the HTTP transport (tests only); proxy and TLS
	// options are then the transport's business.
	Transport http.RoundTripper
}

// Client talks to one Jenkins server with one user's credentials. It is safe
// for concurrent use. It implements API.
type Client struct {
	base      *url.URL
	baseStr   string
	user      string
	token     config.Secret
	headers   http.Header
	userAgent string
	timeout   time.Duration
	hc        *http.Client
	proxy     func(*url.URL) (*url.URL, error)
	sem       chan struct{}

	needCrumb atomic.Bool // the server refused a POST for want of a crumb
	crumbMu   sync.Mutex
	crumbName string
	crumb     string

	statsMu sync.Mutex
	stats   Stats

	probeMu   sync.Mutex
	probeWide map[string]bool // job -> the next probe lists the newest builds (concurrent, something runs)
}

var _ API = (*Client)(nil)

// New makes a client. It fails on a bad URL or an unreadable CA file; it does
// not contact the server.
func New(opts Options) (*Client, error) {
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:      base,
		baseStr:   base.String(),
		user:      opts.Username,
		token:     opts.Token,
		headers:   http.Header{},
		userAgent: opts.UserAgent,
		timeout:   opts.Timeout,
	}
	if c.userAgent == "" {
		c.userAgent = "jeeves/dev"
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	for k, v := range opts.Headers {
		if strings.ContainsAny(k+v, "\r\n") {
			return nil, fmt.Errorf("header %q: a header name or value cannot contain a line break", k)
		}
		c.headers.Set(k, v)
	}
	max := opts.MaxInFlight
	if max <= 0 {
		max = DefaultMaxInFlight
	}
	c.sem = serverSlots(base, max)

	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	pc := &httpproxy.Config{
		HTTPProxy:  firstEnv(getenv, "HTTP_PROXY", "http_proxy"),
		HTTPSProxy: firstEnv(getenv, "HTTPS_PROXY", "https_proxy"),
		NoProxy:    firstEnv(getenv, "NO_PROXY", "no_proxy"),
	}
	pf := pc.ProxyFunc()
	c.proxy = func(u *url.URL) (*url.URL, error) { return pf(u) }

	rt := opts.Transport
	if rt == nil {
		tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
		if opts.CAFile != "" {
			pool, err := loadCAFile(opts.CAFile)
			if err != nil {
				return nil, err
			}
			tlsConf.RootCAs = pool
		}
		if opts.Insecure {
			tlsConf.InsecureSkipVerify = true
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = func(r *http.Request) (*url.URL, error) { return c.proxy(r.URL) }
		tr.TLSClientConfig = tlsConf
		tr.DisableCompression = true // gzip is handled here so wire bytes can be counted
		tr.MaxIdleConnsPerHost = max
		tr.ResponseHeaderTimeout = 0
		tr.OnProxyConnectResponse = func(_ context.Context, proxyURL *url.URL, _ *http.Request, res *http.Response) error {
			if res.StatusCode != http.StatusOK {
				return &proxyError{proxy: proxyURL.Redacted(), status: res.Status}
			}
			return nil
		}
		rt = tr
	}
	jar, _ := cookiejar.New(nil) // never fails without options
	c.hc = &http.Client{
		Transport: rt,
		Jar:       jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			// POST actions answer 302 (stop) or 303 (trigger); following them
			// would turn them into GETs of HTML pages.
			if via[0].Method != http.MethodGet && via[0].Method != http.MethodHead {
				return http.ErrUseLastResponse
			}
			// GETs follow redirects on the same host only (http->https, a
			// trailing slash): the extra headers must not reach another host.
			if len(via) >= 5 || !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return c, nil
}

func firstEnv(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("no Jenkins url given")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("jenkins url %q is not a URL: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("jenkins url %q must start with https:// or http://", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("jenkins url %q has no host", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("jenkins url %s must not carry credentials: put the user in username and the token in token_env", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("jenkins url %q must be the root of Jenkins, without ?query or #fragment", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %v", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)", path)
	}
	return pool, nil
}

// serverSlots returns the in-flight limiter shared by all clients of one server.
var (
	slotsMu sync.Mutex
	slots   = map[string]chan struct{}{}
)

func serverSlots(base *url.URL, max int) chan struct{} {
	host := strings.ToLower(base.Host)
	if base.Port() == "" {
		if base.Scheme == "https" {
			host += ":443"
		} else {
			host += ":80"
		}
	}
	key := fmt.Sprintf("%s://%s/%d", base.Scheme, host, max)
	slotsMu.Lock()
	defer slotsMu.Unlock()
	s, ok := slots[key]
	if !ok {
		s = make(chan struct{}, max)
		slots[key] = s
	}
	return s
}

// BaseURL is the server's base URL without a trailing slash.
func (c *Client) BaseURL() string { return c.baseStr }

// Stats is request accounting, for benchmarks and the diagnostics screen.
type Stats struct {
	Requests  int64 // requests sent (a crumb retry counts twice)
	WireBytes int64 // response body bytes as received (compressed when the server gzips)
	BodyBytes int64 // response body bytes after decompression
	ByKind    map[string]KindStats
}

// KindStats is the accounting of one endpoint kind ("probe", "builds", ...).
type KindStats struct {
	Requests, WireBytes, BodyBytes int64
}

// Stats returns a copy of the accounting since the client was made or last reset.
func (c *Client) Stats() Stats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	s := c.stats
	s.ByKind = make(map[string]KindStats, len(c.stats.ByKind))
	for k, v := range c.stats.ByKind {
		s.ByKind[k] = v
	}
	return s
}

// ResetStats zeroes the accounting.
func (c *Client) ResetStats() {
	c.statsMu.Lock()
	c.stats = Stats{}
	c.statsMu.Unlock()
}

func (c *Client) count(kind string, reqs, wire, body int64) {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	if c.stats.ByKind == nil {
		c.stats.ByKind = map[string]KindStats{}
	}
	k := c.stats.ByKind[kind]
	k.Requests += reqs
	k.WireBytes += wire
	k.BodyBytes += body
	c.stats.ByKind[kind] = k
	c.stats.Requests += reqs
	c.stats.WireBytes += wire
	c.stats.BodyBytes += body
}

// call describes one request.
type call struct {
	kind     string     // accounting kind
	op       string     // for errors: what jeeves was doing
	method   string     // GET when empty
	path     string     // escaped path below the base URL, starting with "/"
	query    string     // raw query, without "?"
	form     url.Values // POST body (form-encoded), rebuilt for a retry
	stream   bool       // body is streamed to the caller: timeout covers headers, then idle reads
	notFound string     // what a 404 means, e.g. `job "a/b"`
	// notFoundWhat and notFoundHint replace the whole 404 message when the
	// thing missing is usually not a typo (no stages, no test report).
	notFoundWhat, notFoundHint string
}

// response is an answer whose body the caller must close.
type response struct {
	*http.Response
	body io.ReadCloser // decoded, counted, releasing the slot on Close
}

// send performs one request: in-flight slot, auth, headers, timeout, gzip,
// accounting. Non-2xx answers are returned, not turned into errors.
func (c *Client) send(ctx context.Context, cl *call, extra http.Header) (*response, error) {
	if err := ctx.Err(); err != nil {
		return nil, c.ctxError(cl.op, err)
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, c.ctxError(cl.op, ctx.Err())
	}
	release := sync.OnceFunc(func() { <-c.sem })

	rctx, cancel := context.WithCancel(ctx)
	var timedOut atomic.Bool
	timer := time.AfterFunc(c.timeout, func() { timedOut.Store(true); cancel() })
	fail := func(err error) (*response, error) {
		timer.Stop()
		cancel()
		release()
		return nil, err
	}

	method := cl.method
	if method == "" {
		method = http.MethodGet
	}
	u := c.baseStr + cl.path
	if cl.query != "" {
		u += "?" + cl.query
	}
	var body io.Reader
	if cl.form != nil {
		body = strings.NewReader(cl.form.Encode())
	}
	req, err := http.NewRequestWithContext(rctx, method, u, body)
	if err != nil {
		return fail(&Error{Op: cl.op, Server: c.baseStr, Kind: ErrorOther, What: "bad request: " + c.clean(err.Error()), Err: err})
	}
	for k, v := range c.headers {
		req.Header[k] = v
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	if c.user != "" || !c.token.IsZero() {
		req.SetBasicAuth(c.user, c.token.Reveal())
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept-Encoding", "gzip")
	if cl.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}

	proxy := ""
	if p, _ := c.proxy(req.URL); p != nil {
		proxy = p.Redacted()
	}
	c.count(cl.kind, 1, 0, 0)
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil && !timedOut.Load() {
			return fail(c.ctxError(cl.op, ctx.Err()))
		}
		return fail(c.transportError(cl.op, err, proxy, timedOut.Load()))
	}
	if timedOut.Load() {
		resp.Body.Close()
		return fail(c.transportError(cl.op, context.DeadlineExceeded, proxy, true))
	}

	wire := &countingReader{r: resp.Body}
	var rd io.Reader = wire
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(wire)
		if err != nil {
			// An empty body with a gzip header (HEAD-like answers, 201/302)
			// is not an error worth failing on.
			if errors.Is(err, io.EOF) {
				rd = bytes.NewReader(nil)
			} else {
				resp.Body.Close()
				return fail(&Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, Status: resp.StatusCode,
					What: "the answer claims gzip but is not", Err: err})
			}
		} else {
			rd = zr
		}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
	}
	decoded := &countingReader{r: rd}
	b := &body_{
		decoded: decoded,
		wire:    wire,
		raw:     resp.Body,
		onClose: func() {
			timer.Stop()
			cancel()
			release()
			c.count(cl.kind, 0, wire.n, decoded.n)
		},
	}
	if cl.stream {
		// From here the timeout is between reads, not for the whole body.
		timer.Stop()
		b.idle = c.timeout
		b.cancel = func() { timedOut.Store(true); cancel() }
		b.timedOut = &timedOut
		b.op = cl.op
		b.c = c
	}
	return &response{Response: resp, body: b}, nil
}

func (c *Client) ctxError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Op: op, Server: c.baseStr, Kind: ErrorTimeout, What: "gave up: the deadline passed", Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// countingReader counts bytes read.
type countingReader struct {
	r io.Reader
	n int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	return n, err
}

// body_ is a response body: decoded, counted, with an optional idle timeout,
// releasing the in-flight slot exactly once on Close.
type body_ struct {
	decoded  *countingReader
	wire     *countingReader
	raw      io.Closer
	onClose  func()
	once     sync.Once
	idle     time.Duration
	timer    *time.Timer
	cancel   func()
	timedOut *atomic.Bool
	op       string
	c        *Client
}

func (b *body_) Read(p []byte) (int, error) {
	if b.idle > 0 {
		if b.timer == nil {
			b.timer = time.AfterFunc(b.idle, b.cancel)
		} else {
			b.timer.Reset(b.idle)
		}
	}
	n, err := b.decoded.Read(p)
	if b.idle > 0 {
		b.timer.Stop()
	}
	if err != nil && err != io.EOF && b.timedOut != nil && b.timedOut.Load() {
		err = &Error{Op: b.op, Server: b.c.baseStr, Kind: ErrorTimeout,
			What: fmt.Sprintf("the download stalled for %s", b.idle), Hint: "Jenkins or the network may be overloaded", Err: err}
	}
	return n, err
}

func (b *body_) Close() error {
	var err error
	b.once.Do(func() {
		if b.timer != nil {
			b.timer.Stop()
		}
		err = b.raw.Close()
		b.onClose()
	})
	return err
}

// do sends a request and turns any non-2xx answer into an *Error; with crumb
// handling for POSTs. The caller closes the body.
func (c *Client) do(ctx context.Context, cl *call) (*response, error) {
	if cl.method != http.MethodPost {
		resp, err := c.send(ctx, cl, nil)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		return nil, c.statusError(cl, resp)
	}
	return c.post(ctx, cl)
}

// post sends a POST. API-token requests need no crumb (Jenkins 2.96+), so
// none is fetched until the server refuses one; then a crumb (with its
// session cookie, kept by the jar) is fetched, the POST retried once, and
// every later POST to this server carries a crumb.
func (c *Client) post(ctx context.Context, cl *call) (*response, error) {
	retried := false
	for {
		var extra http.Header
		if c.needCrumb.Load() {
			name, value, err := c.getCrumb(ctx, cl.op, false)
			if err != nil {
				return nil, err
			}
			if name != "" {
				extra = http.Header{}
				extra.Set(name, value)
			}
		}
		resp, err := c.send(ctx, cl, extra)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusForbidden {
			page := readErrorBody(resp)
			if isCrumbRefusal(page) {
				if retried {
					return nil, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorCrumb, Status: 403,
						What: "Jenkins refused the CSRF crumb", Title: c.clean(pageTitle(page)),
						Hint: "use an API token rather than a password, or check that a proxy keeps the JSESSIONID cookie"}
				}
				retried = true
				c.needCrumb.Store(true)
				if _, _, err := c.getCrumb(ctx, cl.op, true); err != nil {
					return nil, err
				}
				continue
			}
			return nil, c.statusErrorPage(cl, resp.Response, page)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 400 {
			return resp, nil
		}
		return nil, c.statusError(cl, resp)
	}
}

func isCrumbRefusal(page []byte) bool {
	return bytes.Contains(bytes.ToLower(page), []byte("no valid crumb"))
}

// getCrumb returns the crumb header, fetching it when missing or when fresh.
func (c *Client) getCrumb(ctx context.Context, op string, fresh bool) (string, string, error) {
	c.crumbMu.Lock()
	defer c.crumbMu.Unlock()
	if c.crumb != "" && !fresh {
		return c.crumbName, c.crumb, nil
	}
	var cr struct {
		Crumb             string `json:"crumb"`
		CrumbRequestField string `json:"crumbRequestField"`
	}
	err := c.getJSON(ctx, &call{kind: "crumb", op: op + " (fetching a CSRF crumb)", path: "/crumbIssuer/api/json",
		query: "tree=crumb,crumbRequestField", notFound: "the crumb issuer"}, &cr)
	if err != nil {
		if IsNotFound(err) {
			return "", "", &Error{Op: op, Server: c.baseStr, Kind: ErrorCrumb, Status: 403,
				What: "Jenkins asked for a CSRF crumb but has no crumb issuer", Hint: "use an API token rather than a password"}
		}
		return "", "", err
	}
	if cr.CrumbRequestField == "" {
		cr.CrumbRequestField = "Jenkins-Crumb"
	}
	c.crumbName, c.crumb = cr.CrumbRequestField, cr.Crumb
	return c.crumbName, c.crumb, nil
}

// getJSON GETs an api/json answer into v.
func (c *Client) getJSON(ctx context.Context, cl *call, v any) error {
	_, err := c.getJSONHeader(ctx, cl, v)
	return err
}

func (c *Client) getJSONHeader(ctx context.Context, cl *call, v any) (http.Header, error) {
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	defer resp.body.Close()
	if err := c.decodeJSON(ctx, cl, resp, v); err != nil {
		return nil, err
	}
	return resp.Header, nil
}

func (c *Client) decodeJSON(ctx context.Context, cl *call, resp *response, v any) error {
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if strings.Contains(ct, "html") {
		page, _ := io.ReadAll(io.LimitReader(resp.body, maxErrorBody))
		return &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, Status: resp.StatusCode,
			What: "expected JSON but got an HTML page", Title: c.clean(pageTitle(page)),
			Hint: "is url the root of Jenkins? a login front door may need headers"}
	}
	data, err := io.ReadAll(io.LimitReader(resp.body, maxJSON+1))
	if err != nil {
		return c.readError(ctx, cl, err)
	}
	if len(data) > maxJSON {
		return fmt.Errorf("%s on %s: the answer is over %d MiB: %w", cl.op, c.baseStr, maxJSON>>20, ErrTooLarge)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, Status: resp.StatusCode,
			What: "unreadable JSON: " + c.clean(err.Error()), Hint: "is url the root of Jenkins?", Err: err}
	}
	return nil
}

func (c *Client) readError(ctx context.Context, cl *call, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if ctx.Err() != nil {
		return c.ctxError(cl.op, ctx.Err())
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The per-request timer fired mid-body, or the caller gave up.
		return c.transportError(cl.op, context.DeadlineExceeded, "", true)
	}
	return c.transportError(cl.op, err, "", false)
}

// readErrorBody reads (a bounded part of) an error page and closes it.
func readErrorBody(resp *response) []byte {
	page, _ := io.ReadAll(io.LimitReader(resp.body, maxErrorBody))
	resp.body.Close()
	return page
}

func (c *Client) statusError(cl *call, resp *response) error {
	page := readErrorBody(resp)
	return c.statusErrorPage(cl, resp.Response, page)
}

// statusErrorPage maps a non-2xx answer to an *Error.
func (c *Client) statusErrorPage(cl *call, resp *http.Response, page []byte) error {
	e := &Error{Op: cl.op, Server: c.baseStr, Status: resp.StatusCode, Title: c.clean(pageTitle(page))}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.Kind = ErrorAuth
		if c.user == "" {
			e.What = "Jenkins wants credentials"
			e.Hint = "set username and an API token"
		} else {
			e.What = fmt.Sprintf("bad credentials for user %q", c.user)
			e.Hint = "check username and the API token (Jenkins: your name > Security > API Token)"
		}
	case http.StatusForbidden:
		as := resp.Header.Get("X-You-Are-Authenticated-As")
		perm := resp.Header.Get("X-Required-Permission")
		if as == "anonymous" || (as == "" && c.user == "" && c.token.IsZero()) {
			e.Kind = ErrorAnonymous
			e.What = "Jenkins treated the request as anonymous, which may not do this"
			e.Hint = "set username and an API token"
			if c.user != "" {
				e.Hint = "check the API token: Jenkins did not accept it as " + c.user
			}
		} else {
			e.Kind = ErrorForbidden
			who := c.user
			if as != "" {
				who = as
			}
			e.What = fmt.Sprintf("user %q may not do this", who)
			if perm != "" {
				e.What = fmt.Sprintf("user %q lacks the permission %s", who, c.clean(perm))
			}
			e.Hint = "ask a Jenkins admin for the permission"
		}
	case http.StatusNotFound:
		e.Kind = ErrorNotFound
		what := cl.notFound
		if what == "" {
			what = "the page"
		}
		e.What = what + " was not found"
		e.Hint = "check the name"
		if c.user != "" {
			e.Hint += fmt.Sprintf(", and that %q may see it", c.user)
		}
		if cl.notFoundWhat != "" {
			e.What, e.Hint = cl.notFoundWhat, cl.notFoundHint
		}
		e.Title = "" // Jenkins's 404 page says nothing more
	case http.StatusMethodNotAllowed:
		e.Kind = ErrorMethod
		e.What = "Jenkins refused the " + cl.methodName() + " request"
		if allow := resp.Header.Get("Allow"); allow != "" {
			e.What += " (allowed: " + c.clean(allow) + ")"
		}
	default:
		if resp.StatusCode >= 300 && resp.StatusCode < 400 && cl.methodName() == http.MethodGet {
			e.Kind = ErrorProtocol
			e.What = "Jenkins redirected instead of answering"
			if loc, err := resp.Location(); err == nil {
				e.What = "redirected to " + c.clean(loc.Redacted()) + " instead of answering"
			}
			e.Hint = "is url the root of Jenkins? a login front door may need headers"
			e.Title = ""
			break
		}
		if resp.StatusCode >= 500 {
			e.Kind = ErrorServer
			e.What = "Jenkins answered with a server error"
			if p, _ := c.proxy(c.base); p != nil && (resp.StatusCode == 502 || resp.StatusCode == 503 || resp.StatusCode == 504) {
				e.What = "the server or the proxy " + p.Redacted() + " failed"
			}
			e.Hint = "Jenkins may be restarting or overloaded; try again later"
		} else {
			e.Kind = ErrorStatus
			e.What = "unexpected answer"
		}
	}
	return e
}

func (cl *call) methodName() string {
	if cl.method == "" {
		return http.MethodGet
	}
	return cl.method
}
