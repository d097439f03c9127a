package check

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins"
)

func (r *runner) tls(ctx context.Context) Step {
	host := r.base.Hostname()
	if r.base.Scheme == "http" {
		if isLoopback(host) {
			return Step{Status: Pass, Verdict: "not used: http:// to this machine"}
		}
		return Step{Status: Warn, Verdict: "not used: the url is http://, so the API token crosses the network unencrypted",
			Fix: "use https:// if Jenkins offers it"}
	}
	ctx, cancel := r.timeout(ctx)
	defer cancel()
	roots, err := r.roots()
	if err != nil {
		r.stop = "the CA file is not usable"
		return Step{Status: Fail, Verdict: err.Error(), Fix: "point ca_file at a PEM bundle"}
	}
	conn, err := r.dialTarget(ctx)
	if err != nil {
		r.stop = "no connection for TLS"
		var pr *proxyRefusal
		if errors.As(err, &pr) {
			fix := "check the proxy's rules for " + r.base.Host
			if pr.code == http.StatusProxyAuthRequired {
				fix = "the proxy wants credentials: HTTPS_PROXY=http://user:password@proxy:port"
			}
			return Step{Status: Fail, Verdict: fmt.Sprintf("the proxy %s refused to open a tunnel to %s: %s", r.proxy.Redacted(), r.base.Host, pr.status), Fix: fix}
		}
		return Step{Status: Fail, Verdict: "cannot open a connection for TLS: " + jenkins.RootCause(err)}
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Handshake without Go's verification, then verify here, so every
	// problem can be named with the certificate in hand.
	tc := tls.Client(conn, &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		r.stop = "no TLS session"
		fix := "check that url is https:// on a port that speaks TLS"
		var rh tls.RecordHeaderError
		if errors.As(err, &rh) {
			return Step{Status: Fail, Verdict: fmt.Sprintf("%s does not speak TLS on port %s", r.base.Host, port(r.base)),
				Fix: "is the url http:// rather than https://, or the port wrong?"}
		}
		return Step{Status: Fail, Verdict: fmt.Sprintf("TLS handshake with %s failed: %s", r.base.Host, jenkins.RootCause(err)), Fix: fix}
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		r.stop = "no certificate"
		return Step{Status: Fail, Verdict: r.base.Host + " sent no certificate"}
	}
	leaf := certs[0]
	now := r.o.Now()
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: now})
	finding, fix := describeVerifyError(verr, leaf, host, now, r.in.CAFile)
	if verr != nil {
		if r.in.Insecure {
			return Step{Status: Warn, Verdict: "verification is off (insecure = true), and it would fail: " + finding,
				Fix: "fix the certificate problem and remove insecure"}
		}
		r.stop = "the certificate is not trusted"
		return Step{Status: Fail, Verdict: finding, Fix: fix}
	}
	left := leaf.NotAfter.Sub(now)
	verdict := fmt.Sprintf("certificate for %s verified (issued by %s), valid until %s (%d days)",
		host, issuerName(leaf), leaf.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
	if r.in.Insecure {
		return Step{Status: Warn, Verdict: verdict + "; but verification is off (insecure = true)",
			Fix: "remove insecure: the certificate verifies"}
	}
	if left < ExpiryWarning {
		return Step{Status: Warn, Verdict: verdict + ": it expires soon",
			Fix: "ask the Jenkins admins to renew it before " + leaf.NotAfter.UTC().Format("2006-01-02")}
	}
	return Step{Status: Pass, Verdict: verdict}
}

// describeVerifyError names a certificate problem and its fix.
func describeVerifyError(err error, leaf *x509.Certificate, host string, now time.Time, caFile string) (string, string) {
	if err == nil {
		return "", ""
	}
	var (
		ua  x509.UnknownAuthorityError
		inv x509.CertificateInvalidError
		he  x509.HostnameError
	)
	switch {
	case errors.As(err, &he):
		names := leaf.DNSNames
		for _, ip := range leaf.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) > 4 {
			names = append(names[:4:4], "…")
		}
		list := "no host names"
		if len(names) > 0 {
			list = strings.Join(names, ", ")
		}
		fix := "set url to a host name the certificate names"
		if len(leaf.DNSNames) > 0 {
			fix = fmt.Sprintf("set url to a host name the certificate names, e.g. https://%s", leaf.DNSNames[0])
		}
		return fmt.Sprintf("the certificate is for %s, not %s", list, host), fix
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		c := inv.Cert
		if c == nil {
			c = leaf
		}
		if now.Before(c.NotBefore) {
			return fmt.Sprintf("the certificate of %s is not valid before %s (is this machine's clock right?)", host, c.NotBefore.UTC().Format("2006-01-02 15:04 MST")),
				"check the clock, or ask the Jenkins admins about the certificate"
		}
		return fmt.Sprintf("the certificate of %s expired on %s", host, c.NotAfter.UTC().Format("2006-01-02")),
			"ask the Jenkins admins to renew it"
	case errors.As(err, &ua):
		self := ""
		if leaf.Issuer.String() == leaf.Subject.String() {
			self = ", self-signed"
		}
		v := fmt.Sprintf("the certificate of %s is signed by an unknown authority (issuer %s%s)", host, issuerName(leaf), self)
		if caFile != "" {
			return v + "; ca_file does not hold it", "set ca_file to the PEM bundle of the CA that issued it (" + issuerName(leaf) + ")"
		}
		return v, "set ca_file to the PEM bundle of your CA (" + issuerName(leaf) + "); the Jenkins admins or your IT can give it"
	}
	return fmt.Sprintf("the certificate of %s was rejected: %s", host, err), "check ca_file and the certificate"
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return fmt.Sprintf("%q", c.Issuer.CommonName)
	}
	if len(c.Issuer.Organization) > 0 {
		return fmt.Sprintf("%q", c.Issuer.Organization[0])
	}
	return fmt.Sprintf("%q", c.Issuer.String())
}

// roots are the system roots plus the integration's CA file.
func (r *runner) roots() (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if r.in.CAFile == "" {
		return pool, nil
	}
	pem, err := os.ReadFile(r.in.CAFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file cannot be read: %v", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s holds no usable PEM certificate", r.in.CAFile)
	}
	return pool, nil
}

// proxyRefusal is a proxy's non-200 answer to CONNECT.
type proxyRefusal struct {
	code   int
	status string
}

func (e *proxyRefusal) Error() string { return "proxy answered " + e.status }

// dialTarget opens a TCP connection to Jenkins, through the proxy's CONNECT
// tunnel when one is in use.
func (r *runner) dialTarget(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	target := net.JoinHostPort(r.base.Hostname(), port(r.base))
	if r.proxy == nil {
		return d.DialContext(ctx, "tcp", target)
	}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(r.dialHost, r.dialPort))
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if r.proxy.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: r.proxy.Hostname(), MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS to the proxy: %w", err)
		}
		conn = tc
	}
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if u := r.proxy.User; u != nil {
		pw, _ := u.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)) + "\r\n"
	}
	if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
		conn.Close()
		return nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("the proxy's answer to CONNECT: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, &proxyRefusal{code: resp.StatusCode, status: resp.Status}
	}
	if br.Buffered() > 0 {
		conn.Close()
		return nil, errors.New("the proxy sent data before the TLS handshake")
	}
	conn.SetDeadline(time.Time{})
	return conn, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
