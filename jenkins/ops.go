package jenkins

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// tree= queries. Each asks for exactly what jeeves shows, because every
// name costs bytes per build and Jenkins adds "_class" to every object.
const (
	// treeBuildList is one row of the builds table. Causes and parameters
	// come from the first actions only: Jenkins puts the queue item's
	// ParametersAction and CauseAction first, and the {0,5} range keeps
	// builds with dozens of plugin actions from bloating the poll.
	treeBuildList = "number,building,inProgress,result,timestamp,duration,estimatedDuration,queueId," +
		"actions[causes[shortDescription,userId,userName],parameters[name,value]]{0,5}"
	treeBuild = "number,building,inProgress,result,timestamp,duration,estimatedDuration,queueId,displayName,description," +
		"actions[causes[shortDescription,userId,userName],parameters[name,value],failCount,skipCount,totalCount,urlName]," +
		"artifacts[fileName,relativePath]"
	// treeProbe detects a change of a job without listing builds: the newest
	// build, the newest finished one, the queue. treeProbeRunning also lists
	// the newest builds' running flags, asked for only when the job runs
	// builds concurrently and something runs (then a build other than the
	// newest may finish unseen by lastBuild and lastCompletedBuild).
	treeProbe        = "lastBuild[number,building,inProgress,result],lastCompletedBuild[number],inQueue,queueItem[id],concurrentBuild"
	treeProbeRunning = treeProbe + ",builds[number,building,inProgress]{0,10}"
	treeJob          = "name,fullName,displayName,url,buildable,disabled,color,inQueue,nextBuildNumber,lastBuild[number]," +
		"property[parameterDefinitions[name,type,description,defaultParameterValue[value],choices]],jobs[name]{0,1000}"
	treeQueueItem = "id,why,blocked,buildable,cancelled,inQueueSince,executable[number,url],actions[parameters[name,value]],task[name,url]"
	treeQueue     = "items[" + treeQueueItem + "]"
	// treeTestReport leaves out stdout/stderr, which can be megabytes per case.
	treeTestReportResult = "duration,empty,failCount,passCount,skipCount,suites[name,id,duration,timestamp,enclosingBlockNames," +
		"cases[className,name,status,duration,skipped,skippedMessage,errorDetails,errorStackTrace,age,failedSince]]"
	treeTestReport = treeTestReportResult + ",totalCount,childReports[child[number,url],result[" + treeTestReportResult + "]]"
	// MaxLogChunk caps one progressive-text answer held in memory.
	MaxLogChunk = 8 << 20
)

func treeQuery(tree string) string { return url.Values{"tree": {tree}}.Encode() }

func (c *Client) jobCall(job, kind, op string) (string, *call, error) {
	jp, err := JobPath(job)
	if err != nil {
		return "", nil, &Error{Op: op, Server: c.baseStr, Kind: ErrorNotFound, What: err.Error()}
	}
	return jp, &call{kind: kind, op: op, notFound: fmt.Sprintf("job %q", job)}, nil
}

// WhoAmI reports the authenticated user and the Jenkins version (X-Jenkins).
// /whoAmI is readable anonymously, so it tests reach, TLS and credentials.
func (c *Client) WhoAmI(ctx context.Context) (WhoAmI, error) {
	var w struct {
		Name        string `json:"name"`
		Anonymous   bool   `json:"anonymous"`
		Authorities []string
	}
	h, err := c.getJSONHeader(ctx, &call{kind: "whoami", op: "ask Jenkins who we are", path: "/whoAmI/api/json",
		query: treeQuery("name,anonymous,authorities"), notFound: "/whoAmI (is url the root of Jenkins?)"}, &w)
	if err != nil {
		return WhoAmI{}, err
	}
	return WhoAmI{Name: w.Name, Anonymous: w.Anonymous, Authorities: w.Authorities, JenkinsVersion: h.Get("X-Jenkins")}, nil
}

// Job reads a job by full name: kind, buildable, disabled, parameter
// definitions (password defaults are never kept), children of containers.
func (c *Client) Job(ctx context.Context, job string) (Job, error) {
	jp, cl, err := c.jobCall(job, "job", fmt.Sprintf("read job %q", job))
	if err != nil {
		return Job{}, err
	}
	cl.path, cl.query = jp+"/api/json", treeQuery(treeJob)
	var w wireJob
	if err := c.getJSON(ctx, cl, &w); err != nil {
		return Job{}, err
	}
	return w.toJob(job, c.baseStr+jp+"/"), nil
}

// Probe is one cheap request: the newest build, whether the job is queued,
// and which of the newest builds still run.
func (c *Client) Probe(ctx context.Context, job string) (Probe, error) {
	jp, cl, err := c.jobCall(job, "probe", fmt.Sprintf("poll job %q", job))
	if err != nil {
		return Probe{}, err
	}
	c.probeMu.Lock()
	wide := c.probeWide[job]
	c.probeMu.Unlock()
	tree := treeProbe
	if wide {
		tree = treeProbeRunning
	}
	cl.path, cl.query = jp+"/api/json", treeQuery(tree)
	var w struct {
		LastBuild     *wireBuild `json:"lastBuild"`
		LastCompleted *struct {
			Number int `json:"number"`
		} `json:"lastCompletedBuild"`
		InQueue   bool `json:"inQueue"`
		QueueItem *struct {
			ID int64 `json:"id"`
		} `json:"queueItem"`
		Concurrent bool        `json:"concurrentBuild"`
		Builds     []wireBuild `json:"builds"`
	}
	h, err := c.getJSONHeader(ctx, cl, &w)
	if err != nil {
		return Probe{}, err
	}
	p := Probe{InQueue: w.InQueue, Concurrent: w.Concurrent, JenkinsSession: h.Get("X-Jenkins-Session")}
	if w.LastBuild != nil {
		p.LastBuild = w.LastBuild.Number
		p.LastBuilding = w.LastBuild.Building || w.LastBuild.InProgress
		if w.LastBuild.Result != nil {
			p.LastResult = *w.LastBuild.Result
		}
	}
	if w.LastCompleted != nil {
		p.LastCompleted = w.LastCompleted.Number
	}
	if w.QueueItem != nil && w.QueueItem.ID > 0 {
		p.QueueIDs = []int64{w.QueueItem.ID}
		p.InQueue = true
	}
	for _, b := range w.Builds {
		if b.Building || b.InProgress {
			p.Running = append(p.Running, b.Number)
		}
	}
	if !wide && p.LastBuilding {
		p.Running = []int{p.LastBuild} // one build at a time: the newest is the one running
	}
	c.probeMu.Lock()
	if c.probeWide == nil {
		c.probeWide = map[string]bool{}
	}
	c.probeWide[job] = w.Concurrent && len(p.Running) > 0
	c.probeMu.Unlock()
	return p, nil
}

// Builds lists the newest limit builds, newest first, in one request:
// `builds` up to 100 (Jenkins's cap), `allBuilds` beyond. limit <= 0 means
// all of `builds`.
func (c *Client) Builds(ctx context.Context, job string, limit int) ([]Build, error) {
	jp, cl, err := c.jobCall(job, "builds", fmt.Sprintf("read builds of %q", job))
	if err != nil {
		return nil, err
	}
	var tree string
	switch {
	case limit <= 0:
		tree = "builds[" + treeBuildList + "]"
	case limit <= 100:
		tree = fmt.Sprintf("builds[%s]{0,%d}", treeBuildList, limit)
	default:
		tree = fmt.Sprintf("allBuilds[%s]{0,%d}", treeBuildList, limit)
	}
	cl.path, cl.query = jp+"/api/json", treeQuery(tree)
	return c.buildList(ctx, jp, cl)
}

// BuildsRange lists builds by index range [from, to) of allBuilds, newest
// first: the pages beyond the newest 100.
func (c *Client) BuildsRange(ctx context.Context, job string, from, to int) ([]Build, error) {
	jp, cl, err := c.jobCall(job, "builds", fmt.Sprintf("read builds %d-%d of %q", from, to, job))
	if err != nil {
		return nil, err
	}
	if from < 0 || to <= from {
		return nil, fmt.Errorf("%s: bad range [%d,%d)", cl.op, from, to)
	}
	cl.path, cl.query = jp+"/api/json", treeQuery(fmt.Sprintf("allBuilds[%s]{%d,%d}", treeBuildList, from, to))
	return c.buildList(ctx, jp, cl)
}

func (c *Client) buildList(ctx context.Context, jp string, cl *call) ([]Build, error) {
	var w struct {
		Builds    []wireBuild `json:"builds"`
		AllBuilds []wireBuild `json:"allBuilds"`
	}
	if err := c.getJSON(ctx, cl, &w); err != nil {
		return nil, err
	}
	list := w.Builds
	if w.AllBuilds != nil {
		list = w.AllBuilds
	}
	out := make([]Build, 0, len(list))
	for i := range list {
		out = append(out, list[i].toBuild(c.buildURL(jp, list[i].Number)))
	}
	return out, nil
}

// Build reads one build whole: status, causes, parameters (passwords
// masked), artifacts, test counts, queue id, estimated duration.
func (c *Client) Build(ctx context.Context, job string, number int) (Build, error) {
	jp, cl, err := c.jobCall(job, "build", fmt.Sprintf("read build #%d of %q", number, job))
	if err != nil {
		return Build{}, err
	}
	cl.path, cl.query = fmt.Sprintf("%s/%d/api/json", jp, number), treeQuery(treeBuild)
	cl.notFound = fmt.Sprintf("build #%d of %q", number, job)
	var w wireBuild
	if err := c.getJSON(ctx, cl, &w); err != nil {
		return Build{}, err
	}
	return w.toBuild(c.buildURL(jp, number)), nil
}

var queueLocRe = regexp.MustCompile(`/queue/item/(\d+)/?$`)

// Trigger starts a build and returns its queue item id (from Location).
// Without params it POSTs /build, falling back to /buildWithParameters (the
// job's defaults) when Jenkins says the job is parameterized; with params it
// POSTs them form-encoded to /buildWithParameters. A 303 (an identical item
// is already queued) returns that item's id with an error for which
// IsAlreadyQueued is true.
func (c *Client) Trigger(ctx context.Context, job string, params map[string]string) (int64, error) {
	jp, cl, err := c.jobCall(job, "trigger", fmt.Sprintf("start a build of %q", job))
	if err != nil {
		return 0, err
	}
	cl.method = http.MethodPost
	if len(params) == 0 {
		cl.path = jp + "/build"
		id, err := c.trigger(ctx, cl, false)
		if KindOf(err) != ErrorBadRequest {
			return id, err
		}
		cl.path, cl.form = jp+"/buildWithParameters", url.Values{}
		return c.trigger(ctx, cl, true)
	}
	cl.path, cl.form = jp+"/buildWithParameters", url.Values{}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cl.form.Set(k, params[k])
	}
	return c.trigger(ctx, cl, true)
}

func (c *Client) trigger(ctx context.Context, cl *call, withParams bool) (int64, error) {
	resp, err := c.do(ctx, cl)
	if err != nil {
		if e, ok := err.(*Error); ok {
			switch e.Status {
			case http.StatusBadRequest:
				e.Kind = ErrorBadRequest
				if withParams {
					e.What = "Jenkins refused the parameters"
					e.Hint = "check names and choices against the job's parameters (a job without parameters takes none)"
				} else {
					e.What = "Jenkins refused a build without parameters"
				}
			case http.StatusConflict:
				e.Kind = ErrorNotBuildable
				e.What = "the job is disabled or cannot be built"
				e.Hint = "enable it in Jenkins"
			case http.StatusMethodNotAllowed:
				e.Hint = "a proxy or front door may be rewriting the POST"
			}
		}
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.body, maxErrorBody))
	resp.body.Close()
	loc := resp.Header.Get("Location")
	var id int64
	if m := queueLocRe.FindStringSubmatch(loc); m != nil {
		id, _ = strconv.ParseInt(m[1], 10, 64)
	}
	switch {
	case resp.StatusCode == http.StatusSeeOther && id > 0:
		return id, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorAlreadyQueued, Status: resp.StatusCode, QueueID: id,
			What: fmt.Sprintf("an identical build is already queued as item %d", id), Hint: "follow that item, or change a parameter"}
	case id > 0:
		return id, nil
	case resp.StatusCode >= 300:
		return 0, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorNoQueueItem, Status: resp.StatusCode,
			What: "Jenkins accepted the request but named no queue item (the queue may have refused it)", Hint: "look at the job in Jenkins"}
	}
	return 0, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorNoQueueItem, Status: resp.StatusCode,
		What: "Jenkins answered without a queue item Location", Hint: "is a front door stripping the Location header?"}
}

// QueueItem reads one queue item. Items that left the queue stay readable
// about 5 minutes; after that IsNotFound is true (use BuildByQueueID).
func (c *Client) QueueItem(ctx context.Context, id int64) (QueueItem, error) {
	cl := &call{kind: "queue", op: fmt.Sprintf("read queue item %d", id), path: fmt.Sprintf("/queue/item/%d/api/json", id),
		query: treeQuery(treeQueueItem), notFound: fmt.Sprintf("queue item %d", id)}
	var w wireQueueItem
	if err := c.getJSON(ctx, cl, &w); err != nil {
		return QueueItem{}, err
	}
	return c.toQueueItem(&w), nil
}

// JobQueue lists the queue items of one job.
func (c *Client) JobQueue(ctx context.Context, job string) ([]QueueItem, error) {
	want, err := JobPath(job)
	if err != nil {
		return nil, err
	}
	wantSegs := pathSegments(want)
	cl := &call{kind: "queue", op: fmt.Sprintf("read the queue for %q", job), path: "/queue/api/json", query: treeQuery(treeQueue), notFound: "the queue"}
	var w struct {
		Items []wireQueueItem `json:"items"`
	}
	if err := c.getJSON(ctx, cl, &w); err != nil {
		return nil, err
	}
	var out []QueueItem
	for i := range w.Items {
		it := &w.Items[i]
		if it.Task == nil || it.Task.URL == "" {
			continue
		}
		u, err := url.Parse(it.Task.URL)
		if err != nil {
			continue
		}
		if hasSuffix(pathSegments(u.EscapedPath()), wantSegs) {
			out = append(out, c.toQueueItem(it))
		}
	}
	return out, nil
}

// pathSegments splits an escaped path into unescaped segments, so two
// spellings of the same name (%20 or +, upper or lower hex) compare equal.
func pathSegments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s == "" {
			continue
		}
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		out = append(out, s)
	}
	return out
}

func hasSuffix(have, want []string) bool {
	if len(want) == 0 || len(have) < len(want) {
		return false
	}
	off := len(have) - len(want)
	for i := range want {
		if have[off+i] != want[i] {
			return false
		}
	}
	return true
}

// WaitForBuild follows a queue item until it has a build (returned in
// BuildNumber) or is cancelled (an error for which IsCancelled is true),
// polling every pollEvery (default 1s). Jenkins forgets items about 5
// minutes after they leave the queue: on IsNotFound, use BuildByQueueID.
func (c *Client) WaitForBuild(ctx context.Context, queueID int64, pollEvery time.Duration) (QueueItem, error) {
	if pollEvery <= 0 {
		pollEvery = time.Second
	}
	for {
		it, err := c.QueueItem(ctx, queueID)
		if err != nil {
			return it, err
		}
		if it.BuildNumber > 0 {
			return it, nil
		}
		if it.Cancelled {
			return it, &Error{Op: fmt.Sprintf("follow queue item %d", queueID), Server: c.baseStr, Kind: ErrorCancelled,
				What: "the queued build was cancelled before it started"}
		}
		t := time.NewTimer(pollEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return it, c.ctxError(fmt.Sprintf("follow queue item %d", queueID), ctx.Err())
		case <-t.C:
		}
	}
}

// BuildByQueueID finds the build a queue item became, among the newest 100,
// for when the item has expired from the queue. IsNotFound when none matches.
func (c *Client) BuildByQueueID(ctx context.Context, job string, queueID int64) (int, error) {
	jp, cl, err := c.jobCall(job, "builds", fmt.Sprintf("find the build of queue item %d in %q", queueID, job))
	if err != nil {
		return 0, err
	}
	cl.path, cl.query = jp+"/api/json", treeQuery("builds[number,queueId]{0,100}")
	var w struct {
		Builds []wireBuild `json:"builds"`
	}
	if err := c.getJSON(ctx, cl, &w); err != nil {
		return 0, err
	}
	for _, b := range w.Builds {
		if b.QueueID == queueID {
			return b.Number, nil
		}
	}
	return 0, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorNotFound, What: fmt.Sprintf("no build of the newest 100 came from queue item %d", queueID)}
}

// Stop aborts a running build. Jenkins answers 302 (also when nothing ran);
// the redirect is not followed.
func (c *Client) Stop(ctx context.Context, job string, number int) error {
	jp, cl, err := c.jobCall(job, "stop", fmt.Sprintf("stop build #%d of %q", number, job))
	if err != nil {
		return err
	}
	cl.method, cl.path = http.MethodPost, fmt.Sprintf("%s/%d/stop", jp, number)
	cl.notFound = fmt.Sprintf("build #%d of %q", number, job)
	resp, err := c.do(ctx, cl)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.body, maxErrorBody))
	return resp.body.Close()
}

// Log reads progressive console text from byte offset start. NextOffset is
// Jenkins's X-Text-Size (an offset in the raw log, not start+len(Text)); More
// is X-More-Data. CRLF line ends (classic mode) become LF and hidden console
// notes are removed. An answer over MaxLogChunk is cut and Truncated set.
func (c *Client) Log(ctx context.Context, job string, number int, start int64) (LogChunk, error) {
	jp, cl, err := c.jobCall(job, "log", fmt.Sprintf("read the log of build #%d of %q", number, job))
	if err != nil {
		return LogChunk{}, err
	}
	if start < 0 {
		start = 0
	}
	cl.path, cl.query = fmt.Sprintf("%s/%d/logText/progressiveText", jp, number), "start="+strconv.FormatInt(start, 10)
	cl.notFound = fmt.Sprintf("build #%d of %q", number, job)
	cl.stream = true
	resp, err := c.do(ctx, cl)
	if err != nil {
		return LogChunk{}, err
	}
	defer resp.body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.body, MaxLogChunk+1))
	if err != nil {
		return LogChunk{}, c.readError(ctx, cl, err)
	}
	ch := LogChunk{More: strings.EqualFold(resp.Header.Get("X-More-Data"), "true")}
	if len(data) > MaxLogChunk {
		data = data[:MaxLogChunk]
		ch.Truncated = true
	}
	ch.NextOffset = start + int64(len(data))
	if v, err := strconv.ParseInt(resp.Header.Get("X-Text-Size"), 10, 64); err == nil && v >= 0 {
		ch.NextOffset = v
	}
	ch.Text = CleanLog(data)
	return ch, nil
}

var consoleNoteRe = regexp.MustCompile("\x1b\\[8mha:[^\x1b]*\x1b\\[0m")

// CleanLog turns CRLF into LF and drops Jenkins's hidden console notes
// (ESC[8mha:...ESC[0m). Colour sequences stay: the display strips or renders them.
func CleanLog(b []byte) []byte {
	if bytes.Contains(b, []byte("\x1b[8mha:")) {
		b = consoleNoteRe.ReplaceAll(b, nil)
	}
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}

// Artifact streams one archived file. The stream fails with an error
// wrapping ErrTooLarge if the file is over maxBytes (at once when Jenkins
// says its length). Close it: it holds one of the server's request slots.
func (c *Client) Artifact(ctx context.Context, job string, number int, relativePath string, maxBytes int64) (io.ReadCloser, error) {
	jp, cl, err := c.jobCall(job, "artifact", fmt.Sprintf("download %s of build #%d of %q", relativePath, number, job))
	if err != nil {
		return nil, err
	}
	rel, err := escapePath(relativePath)
	if err != nil {
		return nil, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorNotFound, What: err.Error()}
	}
	cl.path = fmt.Sprintf("%s/%d/artifact/%s", jp, number, rel)
	cl.notFound = fmt.Sprintf("artifact %q of build #%d", relativePath, number)
	cl.stream = true
	return c.capped(ctx, cl, maxBytes, false)
}

// TestReport streams /testReport/api/json (without per-case stdout/stderr,
// which can be huge). A build without test results gives IsNotFound.
func (c *Client) TestReport(ctx context.Context, job string, number int, maxBytes int64) (io.ReadCloser, error) {
	jp, cl, err := c.jobCall(job, "testreport", fmt.Sprintf("read the test report of build #%d of %q", number, job))
	if err != nil {
		return nil, err
	}
	cl.path, cl.query = fmt.Sprintf("%s/%d/testReport/api/json", jp, number), treeQuery(treeTestReport)
	cl.notFoundWhat = fmt.Sprintf("build #%d of %q has no test report", number, job)
	cl.notFoundHint = "the build published no JUnit results (or does not exist)"
	cl.stream = true
	return c.capped(ctx, cl, maxBytes, true)
}

func (c *Client) capped(ctx context.Context, cl *call, maxBytes int64, wantJSON bool) (io.ReadCloser, error) {
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	if wantJSON {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if strings.Contains(ct, "html") {
			page := readErrorBody(resp)
			return nil, &Error{Op: cl.op, Server: c.baseStr, Kind: ErrorProtocol, Status: resp.StatusCode,
				What: "expected JSON but got an HTML page", Title: c.clean(pageTitle(page))}
		}
	}
	if maxBytes > 0 && resp.ContentLength > maxBytes {
		resp.body.Close()
		return nil, fmt.Errorf("%s on %s: it is %d bytes, over the cap of %d: %w", cl.op, c.baseStr, resp.ContentLength, maxBytes, ErrTooLarge)
	}
	return &cappedReader{body: resp.body, left: maxBytes, max: maxBytes, op: cl.op, server: c.baseStr}, nil
}

// cappedReader fails with ErrTooLarge once more than max bytes arrive.
type cappedReader struct {
	body   io.ReadCloser
	left   int64
	max    int64
	op     string
	server string
}

func (r *cappedReader) Read(p []byte) (int, error) {
	if r.max <= 0 {
		return r.body.Read(p)
	}
	if r.left <= 0 {
		// One more byte tells "exactly max" from "over max".
		var one [1]byte
		n, err := r.body.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%s on %s: over the cap of %d bytes: %w", r.op, r.server, r.max, ErrTooLarge)
		}
		return 0, err
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.body.Read(p)
	r.left -= int64(n)
	return n, err
}

func (r *cappedReader) Close() error { return r.body.Close() }

// Stages reads wfapi/describe of a pipeline build. Statuses are wfapi's:
// SUCCESS, FAILED, UNSTABLE, ABORTED, IN_PROGRESS, PAUSED_PENDING_INPUT,
// NOT_EXECUTED. A freestyle build gives IsNotFound.
func (c *Client) Stages(ctx context.Context, job string, number int) ([]Stage, error) {
	jp, cl, err := c.jobCall(job, "stages", fmt.Sprintf("read the stages of build #%d of %q", number, job))
	if err != nil {
		return nil, err
	}
	cl.path = fmt.Sprintf("%s/%d/wfapi/describe", jp, number)
	cl.notFoundWhat = fmt.Sprintf("build #%d of %q has no pipeline stages", number, job)
	cl.notFoundHint = "it is not a Pipeline build, the Pipeline Stage View plugin is missing, or the build does not exist"
	var w wireRun
	if err := c.getJSON(ctx, cl, &w); err != nil {
		return nil, err
	}
	return w.toStages(), nil
}
