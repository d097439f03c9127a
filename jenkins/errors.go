package jenkins

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
)

// ErrTooLarge is wrapped by every error that says a response was bigger than
// the cap the caller allowed. Test with errors.Is(err, ErrTooLarge).
var ErrTooLarge = errors.New("response larger than the allowed size")

// ErrorKind says what went wrong in terms a user can act on.
type ErrorKind int

const (
	ErrorOther         ErrorKind = iota
	ErrorAuth                    // 401: the username or API token is wrong
	ErrorForbidden               // 403: authenticated, but lacking a permission
	ErrorAnonymous               // 403: Jenkins treated the request as anonymous
	ErrorCrumb                   // 403: the CSRF crumb was refused even after a fresh one
	ErrorNotFound                // 404: no such job, build, queue item or file (or not visible to the user)
	ErrorTLS                     // certificate or handshake failure
	ErrorProxy                   // the HTTP(S) proxy refused or failed
	ErrorTimeout                 // no answer within the timeout
	ErrorConnect                 // DNS, connection refused or reset
	ErrorServer                  // 5xx from Jenkins or a front door
	ErrorStatus                  // any other unexpected status
	ErrorProtocol                // an answer that is not what Jenkins sends (HTML instead of JSON, bad JSON)
	ErrorAlreadyQueued           // 303 on buildWithParameters: an identical item is already queued (QueueID says which)
	ErrorBadRequest              // 400 on a trigger: parameters do not fit the job
	ErrorMethod                  // 405: Jenkins refused the method
	ErrorNotBuildable            // 409: the job is disabled or cannot be built
	ErrorNoQueueItem             // a trigger was accepted without a queue item to follow
	ErrorCancelled               // a followed queue item was cancelled
)

// Error is every failure the client reports. Its message is one line, says
// what jeeves was doing, what happened and what to do; it never contains the
// token. Server text in it (page titles) is stripped of control characters.
type Error struct {
	Kind    ErrorKind
	Op      string // what jeeves was doing, e.g. `read builds of "a/b"`
	Server  string // the base URL
	Status  int    // HTTP status; 0 when no answer came
	Title   string // the <title> (or short text) of Jenkins's error page
	What    string // what happened, in words
	Hint    string // what to do
	QueueID int64  // for ErrorAlreadyQueued: the existing queue item
	Err     error  // the underlying cause, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		if e.Server != "" {
			b.WriteString(" on ")
			b.WriteString(e.Server)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.What)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Title != "" {
			fmt.Fprintf(&b, " %q", e.Title)
		}
		b.WriteString(")")
	} else if e.Title != "" {
		fmt.Fprintf(&b, " (%q)", e.Title)
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return oneLine(b.String())
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of a client error, ErrorOther for anything else.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrorOther
}

// IsAuth reports whether err is an authentication or permission failure
// (401, 403 including a refused crumb): the fix is the credentials or the
// user's permissions in Jenkins.
func IsAuth(err error) bool {
	switch KindOf(err) {
	case ErrorAuth, ErrorForbidden, ErrorAnonymous, ErrorCrumb:
		return true
	}
	return false
}

// IsNotFound reports whether Jenkins answered 404 (no such job, build, queue
// item, test report or file, or one the user may not see).
func IsNotFound(err error) bool { return KindOf(err) == ErrorNotFound }

// IsConn reports whether err means Jenkins could not be reached or is not
// working: DNS, connect, TLS, proxy, timeout, a 5xx outage, or an answer
// that is not Jenkins's.
func IsConn(err error) bool {
	switch KindOf(err) {
	case ErrorTLS, ErrorProxy, ErrorTimeout, ErrorConnect, ErrorServer, ErrorProtocol:
		return true
	}
	return false
}

// IsAlreadyQueued reports a 303 from buildWithParameters; the error's QueueID
// (and Trigger's returned id) is the item already waiting.
func IsAlreadyQueued(err error) bool { return KindOf(err) == ErrorAlreadyQueued }

// IsNotBuildable reports a 409: the job is disabled or cannot be built.
func IsNotBuildable(err error) bool { return KindOf(err) == ErrorNotBuildable }

// IsCancelled reports that a followed queue item was cancelled.
func IsCancelled(err error) bool { return KindOf(err) == ErrorCancelled }

// transportError turns an error from the HTTP round trip (no response) into
// an *Error. proxy is the proxy used for the request, "" for none.
func (c *Client) transportError(op string, err error, proxy string, timeout bool) error {
	e := &Error{Op: op, Server: c.baseStr, Err: err}
	host := c.base.Host
	var (
		pe        *proxyError
		unknownCA x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostErr   x509.HostnameError
		recErr    tls.RecordHeaderError
		verifyErr *tls.CertificateVerificationError
		dnsErr    *net.DNSError
		opErr     *net.OpError
		alert     tls.AlertError
	)
	switch {
	case errors.As(err, &pe):
		e.Kind = ErrorProxy
		e.What = fmt.Sprintf("the proxy %s refused to connect to %s: %s", pe.proxy, host, pe.status)
		e.Hint = "check HTTPS_PROXY/NO_PROXY and the proxy's rules"
	case errors.As(err, &unknownCA):
		e.Kind = ErrorTLS
		e.What = fmt.Sprintf("TLS: the certificate of %s is signed by an unknown authority", host)
		e.Hint = "set ca_file to the PEM bundle of your CA (or insecure = true to skip verification)"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		e.Kind = ErrorTLS
		e.What = fmt.Sprintf("TLS: the certificate of %s expired", host)
		if invalid.Cert != nil {
			e.What += " on " + invalid.Cert.NotAfter.UTC().Format("2006-01-02")
		}
		e.Hint = "ask the Jenkins admins to renew it (insecure = true skips verification)"
	case errors.As(err, &hostErr):
		e.Kind = ErrorTLS
		e.What = fmt.Sprintf("TLS: the certificate is not valid for %s", hostErr.Host)
		if hostErr.Certificate != nil {
			names := hostErr.Certificate.DNSNames
			if len(names) > 3 {
				names = append(names[:3:3], "…")
			}
			if len(names) > 0 {
				e.What += " (it is for " + strings.Join(names, ", ") + ")"
			}
		}
		e.Hint = "use the host name the certificate names in url"
	case errors.As(err, &invalid), errors.As(err, &verifyErr):
		e.Kind = ErrorTLS
		e.What = fmt.Sprintf("TLS: the certificate of %s was rejected: %s", host, RootCause(err))
		e.Hint = "check ca_file (insecure = true skips verification)"
	case errors.As(err, &recErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		e.Kind = ErrorTLS
		e.What = fmt.Sprintf("TLS: %s did not answer with TLS", host)
		e.Hint = "is the url http:// rather than https://?"
	case errors.As(err, &alert):
		e.Kind = ErrorTLS
		e.What = fmt.Sprintf("TLS handshake with %s failed: %s", host, RootCause(err))
		e.Hint = "check the url and the server's TLS setup"
	case timeout || errors.Is(err, context.DeadlineExceeded) || isNetTimeout(err):
		e.Kind = ErrorTimeout
		e.What = fmt.Sprintf("no answer from %s within %s", host, c.timeout)
		if proxy != "" {
			e.What += " through the proxy " + proxy
		}
		e.Hint = "Jenkins may be overloaded or unreachable; raise timeout if it is just slow"
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		e.Kind = ErrorProxy
		e.What = fmt.Sprintf("cannot reach the proxy %s: %s", proxy, RootCause(err))
		e.Hint = "check HTTPS_PROXY/HTTP_PROXY, or NO_PROXY to go direct"
	case errors.As(err, &dnsErr):
		e.Kind = ErrorConnect
		if proxy != "" && dnsErr.Name != c.base.Hostname() {
			e.Kind = ErrorProxy
			e.What = fmt.Sprintf("cannot resolve the proxy host %s", dnsErr.Name)
			e.Hint = "check HTTPS_PROXY/HTTP_PROXY"
			break
		}
		e.What = fmt.Sprintf("cannot resolve the host %s", dnsErr.Name)
		e.Hint = "check url in the config"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind = ErrorConnect
		e.What = fmt.Sprintf("connection to %s refused", host)
		if proxy != "" {
			e.Kind = ErrorProxy
			e.What = fmt.Sprintf("connection to the proxy %s refused", proxy)
		}
		e.Hint = "check the url and that Jenkins is running"
	case proxy != "" && strings.HasPrefix(c.base.Scheme, "https") && !errors.As(err, &opErr):
		e.Kind = ErrorProxy
		e.What = fmt.Sprintf("the proxy %s failed: %s", proxy, RootCause(err))
		e.Hint = "check HTTPS_PROXY/NO_PROXY"
	default:
		e.Kind = ErrorConnect
		e.What = fmt.Sprintf("cannot talk to %s: %s", host, RootCause(err))
		e.Hint = "check the url and the network"
	}
	e.What = c.clean(e.What)
	return e
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// RootCause returns the innermost error's text, which is the part worth
// showing (the outer layers repeat the URL).
func RootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// proxyError is returned from Transport.OnProxyConnectResponse when the proxy
// answers CONNECT with anything but 200.
type proxyError struct {
	proxy  string
	status string
}

func (e *proxyError) Error() string { return "proxy " + e.proxy + " answered " + e.status }

// oneLine folds whitespace (including newlines) to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
