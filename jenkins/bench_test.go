package jenkins

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// pollServer answers the probe and build-list queries of a pipeline job with
// 100 builds the way Jenkins does: "_class" on every build, action, cause and
// parameter; "{}" for actions that export nothing; a password parameter
// without a value; the {M,N} ranges applied; gzip when asked (Stapler's
// getCompressedWriter). It refuses tree queries it does not know, so the
// benchmark cannot silently measure a different request than the client makes.
type benchBuild struct {
	head    string   // `{"_class":...,"actions":[`
	actions []string // every action the run has, before the range
	tail    string   // `],"building":...}`
}

type pollServer struct {
	t            testing.TB
	builds       []benchBuild // newest first
	probe        string
	probeRunning string
	identity     bool // never gzip, as behind a front door that strips compression
}

// realActions is what a real pipeline run carries after the queue's
// ParametersAction and CauseAction (metrics, git, libraries, flow graph...):
// with tree= pruning they come back as bare "_class" objects or "{}".
var realActions = []string{
	`{"_class":"jenkins.metrics.impl.TimeInQueueAction"}`, `{}`,
	`{"_class":"org.jenkinsci.plugins.workflow.libs.LibrariesAction"}`,
	`{"_class":"hudson.plugins.git.util.BuildData"}`, `{}`, `{}`,
	`{"_class":"org.jenkinsci.plugins.workflow.cps.EnvActionImpl"}`,
	`{"_class":"org.jenkinsci.plugins.workflow.job.views.FlowGraphAction"}`, `{}`,
	`{"_class":"org.jenkinsci.plugins.pipeline.modeldefinition.actions.RestartDeclarativePipelineAction"}`,
	`{"_class":"org.jenkinsci.plugins.displayurlapi.actions.RunDisplayAction"}`,
}

func newPollServer(t testing.TB, n int) *pollServer {
	s := &pollServer{t: t}
	results := []string{"SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "SUCCESS", "UNSTABLE", "SUCCESS", "ABORTED"}
	causes := []string{
		`{"_class":"hudson.model.Cause$UserIdCause","shortDescription":"Started by user Alice Example","userId":"alice","userName":"Alice Example"}`,
		`{"_class":"hudson.triggers.TimerTrigger$TimerTriggerCause","shortDescription":"Started by timer"}`,
		`{"_class":"hudson.triggers.SCMTrigger$SCMTriggerCause","shortDescription":"Started by an SCM change"}`,
	}
	for i := 0; i < n; i++ {
		num := 1000 - i
		building, result, dur := "false", `"`+results[i%len(results)]+`"`, strconv.Itoa(150000+i*731)
		if i == 0 {
			building, result, dur = "true", "null", "0"
		}
		actions := []string{
			`{"_class":"hudson.model.ParametersAction","parameters":[` +
				`{"_class":"hudson.model.StringParameterValue","name":"ENVIRONMENT","value":"staging"},` +
				`{"_class":"hudson.model.BooleanParameterValue","name":"RUN_LINT","value":true},` +
				`{"_class":"hudson.model.PasswordParameterValue","name":"API_KEY"}]}`,
			`{"_class":"hudson.model.CauseAction","causes":[` + causes[i%len(causes)] + `]}`,
		}
		s.builds = append(s.builds, benchBuild{
			head:    `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":[`,
			actions: append(actions, realActions...),
			tail: fmt.Sprintf(`],"building":%s,"duration":%s,"estimatedDuration":183422,"inProgress":%s,"number":%d,"queueId":%d,"result":%s,"timestamp":%d}`,
				building, dur, building, num, 40000+num, result, 1764200000000+int64(num)*600000),
		})
	}
	// the probe of a job that runs one build at a time (the usual case)
	s.probe = `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","concurrentBuild":false,"inQueue":false,` +
		`"lastBuild":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","building":true,"inProgress":true,"number":1000,"result":null},` +
		`"lastCompletedBuild":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","number":999},"queueItem":null}`
	// the probe of a concurrent job while something runs lists the newest builds
	s.probeRunning = `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","builds":[` +
		`{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","building":true,"inProgress":true,"number":1000}`
	for i := 1; i < 10; i++ {
		s.probeRunning += fmt.Sprintf(`,{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","building":false,"inProgress":false,"number":%d}`, 1000-i)
	}
	s.probeRunning += `],"concurrentBuild":true,"inQueue":false,"lastBuild":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","building":true,"inProgress":true,"number":1000,"result":null},` +
		`"lastCompletedBuild":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","number":999},"queueItem":null}`
	return s
}

var listTreeRe = regexp.MustCompile(`^(builds|allBuilds)\[(.*)\]\{0,(\d+)\}$`)

func (s *pollServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tree := r.URL.Query().Get("tree")
	var body string
	switch m := listTreeRe.FindStringSubmatch(tree); {
	case tree == treeProbe:
		body = s.probe
	case tree == treeProbeRunning:
		body = s.probeRunning
	case m != nil && m[2] == treeBuildList:
		n, _ := strconv.Atoi(m[3])
		// The client's actions range is applied as Jenkins applies it.
		am := regexp.MustCompile(`actions\[.*\]\{0,(\d+)\}$`).FindStringSubmatch(treeBuildList)
		keep, _ := strconv.Atoi(am[1])
		var parts []string
		for _, b := range s.builds[:min(n, len(s.builds))] {
			parts = append(parts, b.head+strings.Join(b.actions[:min(keep, len(b.actions))], ",")+b.tail)
		}
		body = `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","` + m[1] + `":[` + strings.Join(parts, ",") + `]}`
	default:
		s.t.Errorf("the benchmark server does not know tree=%s: update it with the client", tree)
		http.Error(w, "unknown tree", 500)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && !s.identity {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write([]byte(body))
		zw.Close()
		return
	}
	w.Write([]byte(body))
}

// TestPollBudget holds the poll to the product's budget: one request, and
// under 10 KB on the wire for the 50 builds a screen shows.
func TestPollBudget(t *testing.T) {
	c, _ := serve(t, newPollServer(t, 100))
	p, err := c.Probe(ctx(t), "payments/api-tests")
	if err != nil || p.LastBuild != 1000 || !p.LastBuilding || fmt.Sprint(p.Running) != "[1000]" {
		t.Fatalf("probe %+v %v", p, err)
	}
	probe := c.Stats()
	c.ResetStats()
	builds, err := c.Builds(ctx(t), "payments/api-tests", 50)
	if err != nil || len(builds) != 50 {
		t.Fatalf("%d builds, %v", len(builds), err)
	}
	// The list carries causes and parameters (passwords masked) from the same request.
	b := builds[3]
	if b.Number != 997 || b.Status != StatusFailure || len(b.Causes) != 1 || b.Causes[0].Description != "Started by user Alice Example" ||
		fmt.Sprint(b.Params) != "[{ENVIRONMENT staging false} {RUN_LINT true false} {API_KEY  true}]" || builds[0].Status != StatusRunning {
		t.Errorf("build %+v", b)
	}
	list := c.Stats()
	t.Logf("probe: %d request, %d B wire, %d B JSON; builds(50): %d request, %d B wire, %d B JSON",
		probe.Requests, probe.WireBytes, probe.BodyBytes, list.Requests, list.WireBytes, list.BodyBytes)
	if probe.Requests != 1 || probe.WireBytes >= 1024 {
		t.Errorf("probe: %+v", probe)
	}
	if list.Requests != 1 || list.WireBytes >= 10*1024 {
		t.Errorf("builds(50): %+v", list)
	}
}

// BenchmarkPoll measures one poll of a job with 100 builds: the probe a poll
// starts with, and the build list it fetches when the probe shows a change.
func BenchmarkPoll(b *testing.B) {
	for _, bc := range []struct {
		name string
		run  func(*Client) error
	}{
		{"probe", func(c *Client) error { _, err := c.Probe(b.Context(), "payments/api-tests"); return err }},
		{"builds50", func(c *Client) error { _, err := c.Builds(b.Context(), "payments/api-tests", 50); return err }},
		{"builds100", func(c *Client) error { _, err := c.Builds(b.Context(), "payments/api-tests", 100); return err }},
	} {
		for _, enc := range []string{"gzip", "identity"} {
			b.Run(bc.name+"/"+enc, func(b *testing.B) {
				srv := newPollServer(b, 100)
				srv.identity = enc == "identity"
				c, _ := serve(b, srv)
				b.ReportAllocs()
				c.ResetStats()
				for b.Loop() {
					if err := bc.run(c); err != nil {
						b.Fatal(err)
					}
				}
				s := c.Stats()
				n := float64(b.N)
				b.ReportMetric(float64(s.Requests)/n, "requests/poll")
				b.ReportMetric(float64(s.WireBytes)/n, "wire-B/poll")
				b.ReportMetric(float64(s.BodyBytes)/n, "json-B/poll")
			})
		}
	}
}
