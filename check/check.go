// Package check diagnoses one integration's connection to Jenkins step by
// step: config, proxy, DNS, TCP connect, TLS, authentication, Jenkins
// version, the job and its kind, build permission and CSRF crumbs. Each
// step ends with a verdict and, when something is wrong, a fix. It is used
// by `jeeves check` and by the dashboard's add/edit form. It knows nothing
// about the UI.
package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/internal/termtext"
	"github.com/jeeves-dev/jeeves/jenkins"
	"golang.org/x/net/http/httpproxy"
)

// Status is how a step ended.
type Status int

const (
	Pass Status = iota // fine
	Warn               // works, but worth attention
	Fail               // broken: jeeves cannot work this way
	Skip               // not checked, because an earlier step failed or it does not apply
)

// String is the status word as `jeeves check` prints it.
func (s Status) String() string {
	switch s {
	case Pass:
		return "ok"
	case Warn:
		return "warn"
	case Fail:
		return "FAIL"
	}
	return "skip"
}

// Step is one finished step.
type Step struct {
	Name    string // one of Names
	Status  Status
	Verdict string // what was found, one line
	Fix     string // what to do about it; empty when nothing is needed
}

// OK reports whether the step did not fail (a warning or a skip is OK).
func (s Step) OK() bool { return s.Status != Fail }

// Names lists the steps in the order Run reports them.
var Names = []string{"config", "proxy", "dns", "connect", "tls", "auth", "version", "job", "build", "crumb"}

// Client is what the steps after the network ones need of Jenkins;
// *jenkins.Client has it.
type Client interface {
	WhoAmI(ctx context.Context) (jenkins.WhoAmI, error)
	Job(ctx context.Context, job string) (jenkins.Job, error)
	ProbeBuild(ctx context.Context, job string, parameterized bool) (jenkins.BuildAccess, error)
}

// Options tune Run. The zero value works.
type Options struct {
	// Getenv reads the token's environment variable and the proxy variables
	// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); default os.Getenv.
	Getenv func(string) string
	// Timeout bounds each network step; default the integration's timeout, else 10s.
	Timeout time.Duration
	// Now is the clock certificate expiry is measured against; default time.Now.
	Now func() time.Time
	// UserAgent of the Jenkins requests; default "jeeves/dev".
	UserAgent string
	// NewClient makes the Jenkins client; default jenkins.New with the
	// integration's settings and the resolved token.
	NewClient func(in config.Integration, token config.Secret) (Client, error)
}

// ExpiryWarning is how close to its expiry a certificate draws a warning.
const ExpiryWarning = 14 * 24 * time.Hour

// Run checks in and reports every step, in the order of Names, to emit as
// soon as it ends (emit may be nil). After a step that leaves nothing more to
// check (bad config, no connection, refused TLS or credentials, no job) the
// remaining steps are reported as skipped. It returns all the steps.
func Run(ctx context.Context, in config.Integration, o Options, emit func(Step)) []Step {
	r := &runner{in: in, o: o.withDefaults(in)}
	var steps []Step
	report := func(s Step) {
		s.Verdict, s.Fix = clean(s.Verdict), clean(s.Fix)
		steps = append(steps, s)
		if emit != nil {
			emit(s)
		}
	}
	for i, name := range Names {
		if ctx.Err() != nil {
			report(Step{Name: name, Status: Skip, Verdict: "not checked: interrupted"})
			continue
		}
		s := r.step(ctx, name)
		if ctx.Err() != nil {
			// Ctrl-C during the step: its error ("context canceled") is
			// not a verdict on Jenkins.
			report(Step{Name: name, Status: Skip, Verdict: "not checked: interrupted"})
			continue
		}
		s.Name = name
		report(s)
		if r.stop != "" {
			for _, rest := range Names[i+1:] {
				report(Step{Name: rest, Status: Skip, Verdict: "not checked: " + r.stop})
			}
			break
		}
	}
	return steps
}

// Failed reports whether any step failed.
func Failed(steps []Step) bool {
	for _, s := range steps {
		if !s.OK() {
			return true
		}
	}
	return false
}

func (o Options) withDefaults(in config.Integration) Options {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Timeout <= 0 {
		o.Timeout = in.Timeout
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.UserAgent == "" {
		o.UserAgent = "jeeves/dev"
	}
	if o.NewClient == nil {
		getenv, timeout, ua := o.Getenv, o.Timeout, o.UserAgent
		o.NewClient = func(in config.Integration, token config.Secret) (Client, error) {
			return jenkins.New(jenkins.Options{BaseURL: in.URL, Username: in.Username, Token: token,
				CAFile: in.CAFile, Insecure: in.Insecure, Headers: in.Headers, Timeout: timeout,
				UserAgent: ua, Getenv: getenv})
		}
	}
	return o
}

// runner carries what one step learns for the next.
type runner struct {
	in   config.Integration
	o    Options
	stop string // set when the remaining steps cannot run; says why

	base     *url.URL
	token    config.Secret
	proxy    *url.URL // nil: direct
	dialHost string   // host the TCP connection goes to (Jenkins or the proxy)
	dialPort string
	addrs    []string // resolved addresses of dialHost
	client   Client
	who      jenkins.WhoAmI
	job      jenkins.Job
	access   *jenkins.BuildAccess
	probeErr error
}

func (r *runner) step(ctx context.Context, name string) Step {
	switch name {
	case "config":
		return r.config(ctx)
	case "proxy":
		return r.proxyStep()
	case "dns":
		return r.dns(ctx)
	case "connect":
		return r.connect(ctx)
	case "tls":
		return r.tls(ctx)
	case "auth":
		return r.auth(ctx)
	case "version":
		return r.version()
	case "job":
		return r.jobStep(ctx)
	case "build":
		return r.build(ctx)
	case "crumb":
		return r.crumb()
	}
	return Step{Status: Skip, Verdict: "unknown step"}
}

// timeout gives a network step its own deadline.
func (r *runner) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.o.Timeout)
}

func (r *runner) config(ctx context.Context) Step {
	in := r.in
	fail := func(verdict, fix string) Step {
		r.stop = "the integration's settings are not usable"
		return Step{Status: Fail, Verdict: verdict, Fix: fix}
	}
	u, err := url.Parse(strings.TrimSpace(in.URL))
	switch {
	case strings.TrimSpace(in.URL) == "":
		return fail("no Jenkins url", "set url to the root of Jenkins, e.g. https://jenkins.example.com")
	case err != nil:
		return fail(fmt.Sprintf("url %q is not a URL", in.URL), "set url to the root of Jenkins, e.g. https://jenkins.example.com")
	case u.Scheme != "http" && u.Scheme != "https":
		return fail(fmt.Sprintf("url %q does not start with https:// or http://", in.URL), "write the url with its scheme, e.g. https://"+strings.TrimPrefix(in.URL, "//"))
	case u.Host == "" || u.Hostname() == "":
		return fail(fmt.Sprintf("url %q has no host", in.URL), "set url to the root of Jenkins, e.g. https://jenkins.example.com")
	case u.User != nil:
		return fail(fmt.Sprintf("url %s carries credentials", u.Redacted()), "put the user in username and the token in token_env, and remove them from url")
	}
	r.base = u
	if strings.TrimSpace(in.Job) == "" {
		return fail("no job set", "set job to the job's full name through folders, e.g. team/api-tests")
	}
	if _, err := jenkins.JobPath(in.Job); err != nil {
		return fail(fmt.Sprintf("job %q: %v", in.Job, err), "set job to the job's full name through folders, e.g. team/api-tests")
	}
	if in.CAFile != "" {
		pem, err := os.ReadFile(in.CAFile)
		if err != nil {
			return fail(fmt.Sprintf("ca_file cannot be read: %v", err), "point ca_file at the PEM bundle of your CA")
		}
		if !strings.Contains(string(pem), "-----BEGIN CERTIFICATE-----") {
			return fail(fmt.Sprintf("ca_file %s holds no PEM certificate", in.CAFile), "point ca_file at a PEM file (-----BEGIN CERTIFICATE-----)")
		}
	}
	var notes []string
	switch in.TokenSource() {
	case config.TokenNone:
		if in.Username != "" {
			return fail(fmt.Sprintf("username %q but no API token source", in.Username),
				"set token_env (or token_cmd, or token in a 0600 file) to the user's Jenkins API token")
		}
		notes = append(notes, "no credentials: jeeves will be anonymous")
	default:
		ctx, cancel := r.timeout(ctx)
		tok, err := in.ResolveTokenEnv(ctx, r.o.Getenv)
		cancel()
		if err != nil {
			msg, fix, _ := strings.Cut(err.Error(), "; fix: ")
			return fail(msg, fix)
		}
		r.token = tok
		switch in.TokenSource() {
		case config.TokenFromEnv:
			notes = append(notes, "token from $"+in.TokenEnv)
		case config.TokenFromCmd:
			notes = append(notes, "token from token_cmd")
		case config.TokenInline:
			notes = append(notes, "token from the file")
		}
		if in.Username == "" {
			return fail("an API token but no username", "set username to the Jenkins user the token belongs to")
		}
	}
	r.client, err = r.o.NewClient(in, r.token)
	if err != nil {
		return fail(err.Error(), "fix the setting it names")
	}
	verdict := fmt.Sprintf("url %s, job %q", u.Redacted(), in.Job)
	if len(notes) > 0 {
		verdict += "; " + strings.Join(notes, "; ")
	}
	if in.TokenSource() == config.TokenNone {
		return Step{Status: Warn, Verdict: verdict, Fix: "set username and token_env to see what anonymous users cannot, and to start builds"}
	}
	return Step{Status: Pass, Verdict: verdict}
}

func (r *runner) proxyStep() Step {
	cfg := &httpproxy.Config{
		HTTPProxy:  firstEnv(r.o.Getenv, "HTTP_PROXY", "http_proxy"),
		HTTPSProxy: firstEnv(r.o.Getenv, "HTTPS_PROXY", "https_proxy"),
		NoProxy:    firstEnv(r.o.Getenv, "NO_PROXY", "no_proxy"),
	}
	variable := "HTTPS_PROXY"
	if r.base.Scheme == "http" {
		variable = "HTTP_PROXY"
	}
	r.dialHost, r.dialPort = r.base.Hostname(), port(r.base)
	p, err := cfg.ProxyFunc()(r.base)
	if err != nil {
		r.stop = "the proxy setting is not usable"
		return Step{Status: Fail, Verdict: fmt.Sprintf("%s is not a usable proxy URL: %v", variable, err),
			Fix: "set " + variable + " to http://host:port, or unset it to connect directly"}
	}
	if p == nil {
		if isLoopback(r.base.Hostname()) {
			return Step{Status: Pass, Verdict: "none: requests to this machine never go through a proxy"}
		}
		set := cfg.HTTPSProxy
		if r.base.Scheme == "http" {
			set = cfg.HTTPProxy
		}
		if set != "" {
			return Step{Status: Pass, Verdict: fmt.Sprintf("none: %s is bypassed by NO_PROXY, so jeeves connects directly", r.base.Hostname())}
		}
		return Step{Status: Pass, Verdict: "none: jeeves connects directly (no " + variable + " set)"}
	}
	r.proxy = p
	r.dialHost, r.dialPort = p.Hostname(), port(p)
	return Step{Status: Pass, Verdict: fmt.Sprintf("%s from %s (NO_PROXY does not exclude %s)", p.Redacted(), variable, r.base.Hostname())}
}

func (r *runner) dns(ctx context.Context) Step {
	what := r.dialHost
	if r.proxy != nil {
		what = "the proxy host " + r.dialHost
	}
	if ip := net.ParseIP(r.dialHost); ip != nil {
		r.addrs = []string{ip.String()}
		return Step{Status: Pass, Verdict: r.dialHost + " is an IP address: nothing to look up"}
	}
	ctx, cancel := r.timeout(ctx)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, r.dialHost)
	if err != nil || len(addrs) == 0 {
		r.stop = "the host name does not resolve"
		why := "no such host"
		var de *net.DNSError
		switch {
		case errors.As(err, &de) && de.IsTimeout:
			why = "the DNS server did not answer in time"
		case errors.As(err, &de) && !de.IsNotFound:
			why = de.Err
		}
		fix := "check the host in url for a typo; inside a corporate network you may need HTTPS_PROXY"
		if r.proxy != nil {
			fix = "check the proxy host in HTTPS_PROXY/HTTP_PROXY"
		}
		return Step{Status: Fail, Verdict: fmt.Sprintf("cannot resolve %s: %s", what, why), Fix: fix}
	}
	r.addrs = addrs
	shown := addrs
	if len(shown) > 3 {
		shown = append(shown[:3:3], "…")
	}
	return Step{Status: Pass, Verdict: fmt.Sprintf("%s resolves to %s", what, strings.Join(shown, ", "))}
}

func (r *runner) connect(ctx context.Context) Step {
	target := net.JoinHostPort(r.dialHost, r.dialPort)
	what := target
	if r.proxy != nil {
		what = "the proxy " + target
	}
	ctx, cancel := r.timeout(ctx)
	defer cancel()
	start := time.Now()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		r.stop = "no TCP connection"
		fix := "check the port in url and that Jenkins is running; a firewall may be in the way"
		if r.proxy != nil {
			fix = "check the proxy address in HTTPS_PROXY/HTTP_PROXY, or NO_PROXY to go direct"
		}
		switch {
		case isRefused(err):
			return Step{Status: Fail, Verdict: fmt.Sprintf("connection to %s refused: nothing listens there", what), Fix: fix}
		case ctx.Err() != nil || isTimeout(err):
			return Step{Status: Fail, Verdict: fmt.Sprintf("no answer from %s within %s: the packets are probably dropped", what, r.o.Timeout),
				Fix: "a firewall may drop the traffic; inside a corporate network you may need HTTPS_PROXY"}
		}
		return Step{Status: Fail, Verdict: fmt.Sprintf("cannot connect to %s: %s", what, jenkins.RootCause(err)), Fix: fix}
	}
	conn.Close()
	return Step{Status: Pass, Verdict: fmt.Sprintf("TCP connection to %s in %s", what, roundDuration(time.Since(start)))}
}

func (r *runner) auth(ctx context.Context) Step {
	ctx, cancel := r.timeout(ctx)
	defer cancel()
	who, err := r.client.WhoAmI(ctx)
	user := r.in.Username
	if err != nil {
		r.stop = "Jenkins did not accept the request"
		switch jenkins.KindOf(err) {
		case jenkins.ErrorAuth:
			return Step{Status: Fail,
				Verdict: fmt.Sprintf("401: Jenkins rejected the credentials of %q (a 401 means the username or token is wrong, not a missing permission)", user),
				Fix:     "check username, and make a new API token in Jenkins (your name > Security > API Token); a password is not an API token"}
		case jenkins.ErrorAnonymous, jenkins.ErrorForbidden:
			return Step{Status: Fail,
				Verdict: "403: Jenkins refused even /whoAmI (a 403 means it did not let this user, or anonymous, read anything)",
				Fix:     "check that the token belongs to username; ask a Jenkins admin for Overall/Read"}
		case jenkins.ErrorNotFound:
			return Step{Status: Fail, Verdict: "Jenkins's /whoAmI is not at this url (404)",
				Fix: "set url to the root of Jenkins, including a path such as /jenkins if it has one"}
		}
		return Step{Status: Fail, Verdict: "cannot ask Jenkins who we are: " + err.Error(), Fix: "see the steps above; check url"}
	}
	r.who = who
	switch {
	case who.Anonymous && user != "":
		r.stop = "Jenkins treats jeeves as anonymous"
		return Step{Status: Fail, Verdict: fmt.Sprintf("Jenkins treats the requests as anonymous, not as %q", user),
			Fix: "a front door may strip the Authorization header, or security is off; check headers and the url"}
	case who.Anonymous:
		return Step{Status: Warn, Verdict: "anonymous: no credentials were sent",
			Fix: "set username and token_env to use your Jenkins permissions"}
	case user != "" && !strings.EqualFold(who.Name, user):
		return Step{Status: Warn, Verdict: fmt.Sprintf("authenticated as %q, not %q", who.Name, user),
			Fix: "the token belongs to another user; set username to " + who.Name}
	}
	return Step{Status: Pass, Verdict: fmt.Sprintf("authenticated as %q", who.Name)}
}

func (r *runner) version() Step {
	v := r.who.JenkinsVersion
	if v == "" {
		return Step{Status: Warn, Verdict: "the server did not say its Jenkins version (no X-Jenkins header)",
			Fix: "check that url is Jenkins's root; a front door may strip the header"}
	}
	return Step{Status: Pass, Verdict: "Jenkins " + v}
}

func (r *runner) jobStep(ctx context.Context) Step {
	ctx, cancel := r.timeout(ctx)
	defer cancel()
	job, err := r.client.Job(ctx, r.in.Job)
	name := r.in.Job
	user := r.who.Name
	if err != nil {
		r.stop = "the job cannot be read"
		switch jenkins.KindOf(err) {
		case jenkins.ErrorNotFound:
			return Step{Status: Fail,
				Verdict: fmt.Sprintf("no job %q that %s can see (404: it does not exist, or %s lacks Job/Read on it)", name, who(user), who(user)),
				Fix:     "set job to the full name through folders (e.g. team/api-tests; a branch is project/branch with / in the branch written %2F)"}
		case jenkins.ErrorForbidden, jenkins.ErrorAnonymous:
			return Step{Status: Fail,
				Verdict: fmt.Sprintf("403: Jenkins knows %s but refuses to show job %q (a 403 is a missing permission, not bad credentials)", who(user), name),
				Fix:     "ask a Jenkins admin for Overall/Read and Job/Read"}
		}
		return Step{Status: Fail, Verdict: "cannot read the job: " + err.Error()}
	}
	r.job = job
	switch job.Kind {
	case jenkins.KindFolder, jenkins.KindMultibranch:
		r.stop = fmt.Sprintf("%q is a %s, not a job", name, job.Kind)
		kind := "a folder"
		if job.Kind == jenkins.KindMultibranch {
			kind = "a multibranch project"
		}
		verdict := fmt.Sprintf("%q is %s, not a job", name, kind)
		fix := "set job to a job inside it"
		if len(job.Children) > 0 {
			kids := job.Children
			if len(kids) > 5 {
				kids = append(kids[:5:5], "…")
			}
			verdict += "; it holds " + strings.Join(kids, ", ")
			fix = fmt.Sprintf("set job to one of them, e.g. %q", strings.TrimSuffix(name, "/")+"/"+job.Children[0])
		}
		return Step{Status: Fail, Verdict: verdict, Fix: fix}
	}
	kind := string(job.Kind)
	if job.Kind == jenkins.KindOther {
		kind = "job (" + job.Class + ")"
	} else {
		kind += " job"
	}
	verdict := fmt.Sprintf("%q is a %s", name, kind)
	if n := len(job.Params); n > 0 {
		names := make([]string, 0, n)
		for _, p := range job.Params {
			names = append(names, p.Name)
		}
		verdict += fmt.Sprintf(" with %d parameter%s (%s)", n, plural(n), strings.Join(names, ", "))
	} else {
		verdict += " without parameters"
	}
	if job.Disabled || !job.Buildable {
		return Step{Status: Warn, Verdict: verdict + "; it is disabled, so builds cannot start", Fix: "enable the job in Jenkins to run builds"}
	}
	return Step{Status: Pass, Verdict: verdict}
}

func (r *runner) build(ctx context.Context) Step {
	if r.job.Disabled || !r.job.Buildable {
		return Step{Status: Skip, Verdict: "not checked: the job is disabled"}
	}
	ctx, cancel := r.timeout(ctx)
	defer cancel()
	acc, err := r.client.ProbeBuild(ctx, r.in.Job, len(r.job.Params) > 0)
	if err != nil {
		r.probeErr = err
		if jenkins.KindOf(err) == jenkins.ErrorCrumb {
			return Step{Status: Skip, Verdict: "not checked: Jenkins refused the CSRF crumb (see crumb)"}
		}
		return Step{Status: Fail, Verdict: "cannot tell: " + err.Error()}
	}
	r.access = &acc
	user := who(r.who.Name)
	if !acc.CanBuild {
		why := "403: Jenkins knows " + user + " but it lacks Job/Build"
		if jenkins.KindOf(acc.Denied) == jenkins.ErrorAnonymous {
			why = "403: Jenkins treated the request as anonymous"
		}
		return Step{Status: Warn, Verdict: fmt.Sprintf("%s may not start builds (%s); run, re-run and abort will not work", user, why),
			Fix: "ask a Jenkins admin for Job/Build on " + strconvQuote(r.in.Job) + " if you want to run builds from jeeves"}
	}
	if acc.QueuedID > 0 {
		return Step{Status: Warn, Verdict: fmt.Sprintf("%s may start builds, but Jenkins queued one for the harmless probe (queue item %d, now cancelled)", user, acc.QueuedID),
			Fix: "look at the job's queue in Jenkins"}
	}
	return Step{Status: Pass, Verdict: fmt.Sprintf("%s may start builds of %q", user, r.in.Job)}
}

func (r *runner) crumb() Step {
	if r.access == nil {
		if jenkins.KindOf(r.probeErr) == jenkins.ErrorCrumb {
			return Step{Status: Fail, Verdict: "Jenkins wants a CSRF crumb on POST and refused the one jeeves fetched: " + r.probeErr.Error(),
				Fix: "use an API token rather than a password; a proxy may be dropping the JSESSIONID cookie"}
		}
		return Step{Status: Skip, Verdict: "not checked: no POST was made"}
	}
	if r.access.CrumbNeeded {
		return Step{Status: Warn, Verdict: "needed: Jenkins wants a CSRF crumb on POST (as with a password rather than an API token); jeeves fetches one with its session cookie",
			Fix: "use an API token instead of a password: tokens need no crumb"}
	}
	return Step{Status: Pass, Verdict: "not needed: Jenkins accepted a POST without one (API tokens are exempt)"}
}

func who(name string) string {
	if name == "" || name == "anonymous" {
		return "anonymous"
	}
	return strconvQuote(name)
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func firstEnv(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	case d < time.Second:
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

// clean makes server-derived text safe and one line.
func clean(s string) string { return strings.Join(strings.Fields(termtext.Clean(s)), " ") }
