package jenkinstest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUnstablePipelineSaysSoWhileRunning(t *testing.T) {
	ck := newClock()
	s := New(nil, WithNow(ck.now))
	it := s.root.child("payments").child("api-tests")
	b := &build{job: it, number: 999, start: ck.now(), dur: 100 * time.Second, outcome: "UNSTABLE", causes: []cause{{short: "x"}}}
	if r := b.result(ck.now().Add(50 * time.Second)); r != nil {
		t.Fatalf("half-way: %v", r)
	}
	if r := b.result(ck.now().Add(90 * time.Second)); r != "UNSTABLE" || !b.building(ck.now().Add(90*time.Second)) {
		t.Fatalf("after the tests: %v", r)
	}
}

func TestFailedPipelineStages(t *testing.T) {
	f := newFixture(t, nil)
	var j struct {
		LastFailedBuild struct{ Number int }
	}
	f.json("/job/payments/job/api-tests/api/json?tree=lastFailedBuild[number]", &j)
	var run struct {
		Status string
		Stages []struct {
			Name, Status    string
			StartTimeMillis int64
		}
	}
	f.json(fmt.Sprintf("/job/payments/job/api-tests/%d/wfapi/describe", j.LastFailedBuild.Number), &run)
	got := []string{}
	for _, s := range run.Stages {
		got = append(got, s.Name+"="+s.Status)
	}
	want := "Checkout=SUCCESS,Install tools=SUCCESS,API tests=FAILED,API lint=NOT_EXECUTED,Publish reports=NOT_EXECUTED"
	if run.Status != "FAILED" || strings.Join(got, ",") != want {
		t.Fatalf("failed run: %s %v", run.Status, got)
	}
	log := f.get(fmt.Sprintf("/job/payments/job/api-tests/%d/consoleText", j.LastFailedBuild.Number)).body
	if !strings.Contains(log, "Stage \"API lint\" skipped due to earlier failure(s)") || !strings.HasSuffix(log, "Finished: FAILURE\n") || strings.Contains(log, "\r") {
		t.Fatalf("failed log tail: %q", log[len(log)-200:])
	}
}

func TestProgressiveTextEdges(t *testing.T) {
	f := newFixture(t, nil)
	p := "/job/orders-api/44/logText/progressiveText"
	all := f.get(p + "?start=0")
	size := all.header.Get("X-Text-Size")
	past := f.get(p + "?start=99999999")
	if past.body != all.body || past.header.Get("X-Text-Size") != size {
		t.Fatal("start past the end must serve from 0")
	}
	end := f.get(p + "?start=" + size)
	if end.body != "" || end.header.Get("X-Text-Size") != size || end.header.Get("X-More-Data") != "" {
		t.Fatalf("at the end of a finished log: %q %v", end.body, end.header)
	}
	// POSTed start (the npm client's way)
	r := f.do("POST", p, "admin", adminToken, strings.NewReader("start="+size))
	if r.code != 200 || r.body != "" {
		t.Fatalf("POST start: %d %q", r.code, r.body)
	}
}

// Example shows a test driving a simulated Jenkins in-process with a fake
// clock and faults.
func Example() {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	srv := New(DemoWorld(), WithNow(func() time.Time { return now }), WithTimeScale(0.01))
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	user, token := srv.Credentials()

	req, _ := http.NewRequest("GET", hs.URL+"/job/payments/job/api-tests/api/json?tree=lastCompletedBuild[number,result]", nil)
	req.SetBasicAuth(user, token)
	res, _ := http.DefaultClient.Do(req)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("X-Jenkins"))
	fmt.Println(string(body))

	srv.SetFaults(Faults{ErrorRate: 1})
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	fmt.Println(res.StatusCode, srv.Stats()["job"].Requests)
	// Output:
	// 200 2.541.1
	// {"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","lastCompletedBuild":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","number":129,"result":"SUCCESS"}}
	// 503 2
}

func TestWorldFileArtifactsRelativeToTheFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lint.json"), []byte(`[]`), 0o600); err != nil {
		t.Fatal(err)
	}
	world := filepath.Join(dir, "w.toml")
	os.WriteFile(world, []byte(`
[[user]]
id = "u"
tokens = ["t"]
[[job]]
path = "lint"
kind = "freestyle"
[job.history]
count = 1
outcomes = { SUCCESS = 1.0 }
[[job.artifact]]
path = "out/lint.json"
pass = "lint.json"
`), 0o600)
	w, err := LoadWorld(world)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, w)
	r := f.do("GET", "/job/lint/1/artifact/out/lint.json", "u", "t", nil)
	if r.code != 200 || r.body != "[]" {
		t.Fatalf("artifact from a file beside the world: %d %q", r.code, r.body)
	}
	if _, err := LoadWorld(filepath.Join(dir, "missing.toml")); err == nil {
		t.Fatal("missing world file must fail")
	}
}

func TestTimerBuilds(t *testing.T) {
	f := newFixture(t, nil)
	f.clock.add(31 * time.Minute) // orders-api: a timer every 15 minutes
	var j struct {
		Builds []struct {
			Number  int
			Actions []struct {
				Causes []struct{ ShortDescription string }
			}
		}
	}
	f.json("/job/orders-api/api/json?tree=builds[number,actions[causes[shortDescription]]]{0,3}", &j)
	if j.Builds[0].Number != 47 || j.Builds[1].Number != 46 || j.Builds[0].Actions[0].Causes[0].ShortDescription != "Started by timer" {
		t.Fatalf("timer builds: %+v", j.Builds)
	}
	var br struct {
		LastBuild struct {
			Number  int
			Actions []struct {
				Causes []struct{ ShortDescription string }
			}
		}
	}
	f.clock.add(10 * time.Minute)
	f.json("/job/gateway/job/PR-12/api/json?tree=lastBuild[number,actions[causes[shortDescription]]]", &br)
	if br.LastBuild.Number != 13 || br.LastBuild.Actions[0].Causes[0].ShortDescription != "Push event to branch PR-12" {
		t.Fatalf("branch push: %+v", br.LastBuild)
	}
}

func TestPrettyAndSession(t *testing.T) {
	f := newFixture(t, nil)
	r := f.get("/api/json?tree=useCrumbs&pretty=true")
	if r.body != "{\n  \"_class\": \"hudson.model.Hudson\",\n  \"useCrumbs\": true\n}" {
		t.Fatalf("pretty: %q", r.body)
	}
	// a restart (another start time) changes X-Jenkins-Session, the same one does not
	same := newFixture(t, nil)
	ck := newClock()
	ck.add(time.Hour)
	other := New(nil, WithNow(ck.now))
	if f.srv.sessionID != same.srv.sessionID || f.srv.sessionID == other.sessionID || r.header.Get("X-Jenkins-Session") != f.srv.sessionID {
		t.Fatalf("sessions %s %s %s", f.srv.sessionID, same.srv.sessionID, other.sessionID)
	}
}

func TestStageNodes(t *testing.T) {
	f := newFixture(t, nil)
	var d struct {
		Name, Status   string
		StageFlowNodes []struct{ ID, Status string }
	}
	f.json("/job/payments/job/api-tests/129/execution/node/20/wfapi/describe", &d)
	if d.Name != "API tests" || d.Status != "SUCCESS" || len(d.StageFlowNodes) != 1 {
		t.Fatalf("stage node: %+v", d)
	}
	var l struct {
		NodeID  string
		Text    string
		HasMore bool
	}
	// A stage's own node has no LogAction: no text (FlowNodeLogExt.create).
	f.json("/job/payments/job/api-tests/129/execution/node/20/wfapi/log", &l)
	if l.NodeID != "20" || l.Text != "" || l.HasMore {
		t.Fatalf("stage node log: %+v", l)
	}
	// Its step's log is the step's output, HTML-escaped.
	f.json("/job/payments/job/api-tests/129/execution/node/21/wfapi/log", &l)
	if l.NodeID != "21" || !strings.Contains(l.Text, "+ newman run collection.json") || strings.Contains(l.Text, "[Pipeline]") || l.HasMore {
		t.Fatalf("step log: %+v", l)
	}
	if r := f.get("/job/payments/job/api-tests/129/execution/node/99/wfapi/log"); r.code != 404 {
		t.Fatalf("unknown node: %d", r.code)
	}
}
