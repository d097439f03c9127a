package jenkins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every test here serves a real captured Jenkins answer from
// ../shared/fixtures/jenkins (see PROVENANCE.md there) through an httptest
// server to a real Client, and checks concrete values from it.

func TestFixtureJobInfoParams(t *testing.T) {
	c, srv := serve(t, jsonAt(t, "/job/fish/api/json", fixture(t, "cdancy-jenkins-rest/job-info.json")))
	j, err := c.Job(ctx(t), "fish")
	if err != nil {
		t.Fatal(err)
	}
	// The definitions appear in both actions and property; only property counts.
	want := []ParamDef{
		{Name: "bear", Type: ParamBoolean, Class: "BooleanParameterDefinition", Description: "some bear", Default: "true"},
		{Name: "fish", Type: ParamString, Class: "StringParameterDefinition", Description: "some fish", Default: "salmon"},
	}
	if !reflect.DeepEqual(j.Params, want) {
		t.Errorf("params = %+v\nwant %+v", j.Params, want)
	}
	if j.Kind != KindFreestyle || !j.Buildable || j.Disabled || !j.InQueue || j.LastBuild != 7 || j.NextBuild != 8 {
		t.Errorf("job = %+v", j)
	}
	if j.FullName != "fish" || j.URL != srv.URL+"/job/fish/" {
		t.Errorf("full name %q url %q", j.FullName, j.URL)
	}
}

func TestFixtureChoiceParams(t *testing.T) {
	c, srv := serve(t, jsonAt(t, "/job/ExtensibleChoiceParameter/api/json",
		fixture(t, "mcmics-jenkins-control-plugin/JobWithExtensibleChoiceParameter.json")))
	j, err := c.Job(ctx(t), "ExtensibleChoiceParameter")
	if err != nil {
		t.Fatal(err)
	}
	want := []ParamDef{
		{Name: "ExtensibleChoice", Type: ParamChoice, Default: "Test", Choices: []string{"Test", "Foo", "Bar"},
			Class: "jp.ikedam.jenkins.plugins.extensible_choice_parameter.ExtensibleChoiceParameterDefinition"},
		{Name: "SimpleChoice", Type: ParamChoice, Default: "Hello", Choices: []string{"Hello", "World"},
			Class: "hudson.model.ChoiceParameterDefinition"},
	}
	if !reflect.DeepEqual(j.Params, want) {
		t.Errorf("params = %+v\nwant %+v", j.Params, want)
	}
	// The answer's url is view-relative on another host; jeeves rebuilds it.
	if j.URL != srv.URL+"/job/ExtensibleChoiceParameter/" {
		t.Errorf("url = %q", j.URL)
	}
	if j.Kind != KindFreestyle || j.Class != "hudson.model.FreeStyleProject" || j.LastBuild != 0 || j.Disabled {
		t.Errorf("job = %+v", j)
	}
}

func TestFixtureEveryParamType(t *testing.T) {
	var root struct{ Jobs []json.RawMessage }
	fixtureJSON(t, "mcmics-jenkins-control-plugin/JsonRequestManager_loadJobManyParameters.json", &root)
	c, _ := serve(t, jsonAt(t, "/job/DummyProject/api/json", root.Jobs[0]))
	j, err := c.Job(ctx(t), "DummyProject")
	if err != nil {
		t.Fatal(err)
	}
	want := []ParamDef{
		{Name: "runIntegrationTest", Type: ParamBoolean, Class: "BooleanParameterDefinition", Default: "true"},
		{Name: "environment", Type: ParamChoice, Class: "ChoiceParameterDefinition", Default: "itg", Choices: []string{"itg", "prp", "prd", "bench"}},
		{Name: "tag", Type: ParamString, Class: "StringParameterDefinition"},
		{Name: "pass", Type: ParamPassword, Class: "PasswordParameterDefinition"},
		{Name: "file", Type: ParamFile, Class: "FileParameterDefinition"},
		{Name: "parameterWithNullAsDefaultValue", Type: ParamText, Class: "TextParameterDefinition"},
		{Name: "runner", Type: ParamRun, Class: "RunParameterDefinition"},
		{Name: "tag", Type: ParamOther, Class: "ListSubversionTagsParameterDefinition"},
	}
	if !reflect.DeepEqual(j.Params, want) {
		t.Errorf("params = %+v\nwant %+v", j.Params, want)
	}
	if j.Kind != KindFreestyle || j.LastBuild != 26 || j.DisplayName != "Dummy Project" {
		t.Errorf("job = %+v", j)
	}
}

func TestFixtureNeverBuiltAndDisabled(t *testing.T) {
	for _, tc := range []struct {
		file                string
		buildable, disabled bool
	}{
		{"silas-node-jenkins/jobGet.json", true, false},
		{"silas-node-jenkins/jobGetDisabled.json", false, true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			name := "test-ff52154b-ceb3-4b21-af1b-a4d48159a48f"
			body := fixture(t, tc.file)
			c, _ := serve(t, jsonAt(t, "/job/"+name+"/api/json", body))
			j, err := c.Job(ctx(t), name)
			if err != nil {
				t.Fatal(err)
			}
			if j.Buildable != tc.buildable || j.Disabled != tc.disabled || j.LastBuild != 0 || j.NextBuild != 1 || len(j.Params) != 0 || j.Kind != KindFreestyle {
				t.Errorf("job = %+v", j)
			}
			p, err := c.Probe(ctx(t), name)
			if err != nil {
				t.Fatal(err)
			}
			if p.LastBuild != 0 || p.LastBuilding || p.InQueue || len(p.Running) != 0 {
				t.Errorf("probe = %+v", p)
			}
			builds, err := c.Builds(ctx(t), name, 50)
			if err != nil || len(builds) != 0 {
				t.Errorf("builds = %v, %v", builds, err)
			}
		})
	}
}

func TestFixtureJobInFolderWithSpace(t *testing.T) {
	body := fixture(t, "mcmics-jenkins-control-plugin/JsonRequestManager_loadJob_Jenkins2.json")
	c, srv := serve(t, jsonAt(t, "/job/Parent/job/Simple%20Jenkins%20Test/api/json", body))
	j, err := c.Job(ctx(t), "Parent/Simple Jenkins Test")
	if err != nil {
		t.Fatal(err)
	}
	if j.FullName != "Parent/Simple Jenkins Test" || j.Name != "Simple Jenkins Test" || j.LastBuild != 25 ||
		j.URL != srv.URL+"/job/Parent/job/Simple%20Jenkins%20Test/" {
		t.Errorf("job = %+v", j)
	}
	p, err := c.Probe(ctx(t), "Parent/Simple Jenkins Test")
	if err != nil {
		t.Fatal(err)
	}
	if p.LastBuild != 25 || p.LastResult != "UNSTABLE" || p.LastBuilding {
		t.Errorf("probe = %+v", p)
	}
}

func TestFixtureProbeLastBuilds(t *testing.T) {
	body := fixture(t, "mcmics-jenkins-control-plugin/JsonRequestManager_loadJobWithAllLastBuilds.json")
	c, _ := serve(t, jsonAt(t, "/job/config-provider-model/api/json", body))
	p, err := c.Probe(ctx(t), "config-provider-model")
	if err != nil {
		t.Fatal(err)
	}
	if p.LastBuild != 8 || p.LastResult != "SUCCESS" || p.LastBuilding || p.InQueue {
		t.Errorf("probe = %+v", p)
	}
}

func TestFixtureRootListingJobs(t *testing.T) {
	// A root listing's job objects have the shape of a job answer: probe each.
	var root struct{ Jobs []json.RawMessage }
	fixtureJSON(t, "mcmics-jenkins-control-plugin/bugWithEmptyHealthReportAndNullLastBuild.json", &root)
	want := []struct {
		name      string
		last      int
		disabled  bool
		buildable bool
	}{{"abris", 80, false, true}, {"php-template", 0, true, false}, {"zfImageFilter", 14, false, true}}
	if len(root.Jobs) != len(want) {
		t.Fatalf("%d jobs", len(root.Jobs))
	}
	for i, w := range want {
		c, _ := serve(t, jsonAt(t, "/job/"+w.name+"/api/json", root.Jobs[i]))
		j, err := c.Job(ctx(t), w.name)
		if err != nil {
			t.Fatal(err)
		}
		if j.LastBuild != w.last || j.Disabled != w.disabled || j.Buildable != w.buildable {
			t.Errorf("%s: %+v", w.name, j)
		}
	}
}

func TestFixtureKindsFromClass(t *testing.T) {
	var root struct {
		Jobs []struct {
			Class string `json:"_class"`
			Name  string
			Color *string
		}
	}
	fixtureJSON(t, "cdancy-jenkins-rest/jobsInRootFolder.json", &root)
	want := map[string]JobKind{
		"Test Tool":                KindOther,
		"Test MultiBranch Project": KindMultibranch,
		"Test Folder":              KindFolder,
		"Test Docker Slave":        KindOther,
		"Test Free Style":          KindFreestyle,
		"Test Workflow Job":        KindPipeline,
	}
	for _, j := range root.Jobs {
		if got := kindOf(j.Class, false, j.Color != nil); got != want[j.Name] {
			t.Errorf("%s (%s): kind %s, want %s", j.Name, j.Class, got, want[j.Name])
		}
	}
	if len(root.Jobs) != len(want) {
		t.Errorf("%d jobs", len(root.Jobs))
	}
}

func TestFixtureFolderChildren(t *testing.T) {
	c, _ := serve(t, jsonAt(t, "/job/Jenkins/api/json", fixture(t, "cdancy-jenkins-rest/jobsInJenkinsFolder.json")))
	j, err := c.Job(ctx(t), "Jenkins")
	if err != nil {
		t.Fatal(err)
	}
	if j.Kind != KindFolder || !reflect.DeepEqual(j.Children, []string{"Test Project"}) || j.Buildable {
		t.Errorf("job = %+v", j)
	}
}

func TestFixtureBuilds(t *testing.T) {
	started := time.UnixMilli(1461091892486)
	cause := []Cause{{Description: "Started by user anonymous", UserName: "anonymous"}}
	for _, tc := range []struct {
		file   string
		params []Param
		causes []Cause
		arts   int
	}{
		{"cdancy-jenkins-rest/build-info.json", []Param{{Name: "bear", Value: "true"}, {Name: "fish", Value: "salmon"}}, cause, 1},
		{"cdancy-jenkins-rest/build-info-git-commit.json", []Param{{Name: "bear", Value: "true"}, {Name: "fish", Value: "salmon"}}, cause, 1},
		// "null" is a string value here, and "" an empty one: both kept as sent.
		{"cdancy-jenkins-rest/build-info-empty-and-null-params.json", []Param{{Name: "bear", Value: "null"}, {Name: "fish", Value: ""}}, cause, 1},
		{"cdancy-jenkins-rest/build-info-no-params.json", nil,
			[]Cause{{Class: "hudson.model.Cause$UserIdCause", Description: "Started by user anonymous", UserName: "anonymous"}}, 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			c, srv := serve(t, jsonAt(t, "/job/fish/10/api/json", fixture(t, tc.file)))
			b, err := c.Build(ctx(t), "fish", 10)
			if err != nil {
				t.Fatal(err)
			}
			if b.Number != 10 || b.Status != StatusSuccess || b.Building || b.Result != "SUCCESS" || !b.Started.Equal(started) ||
				b.Duration != 60750*time.Millisecond || b.EstimatedDuration != 60258*time.Millisecond || b.QueueID != 73 ||
				b.DisplayName != "#10" || b.URL != srv.URL+"/job/fish/10/" || b.Tests != nil {
				t.Errorf("build = %+v", b)
			}
			if !reflect.DeepEqual(b.Params, tc.params) {
				t.Errorf("params = %+v, want %+v", b.Params, tc.params)
			}
			if !reflect.DeepEqual(b.Causes, tc.causes) {
				t.Errorf("causes = %+v, want %+v", b.Causes, tc.causes)
			}
			if len(b.Artifacts) != tc.arts || (tc.arts == 1 && b.Artifacts[0] != Artifact{FileName: "fish.txt", RelativePath: "fish.txt", Size: -1}) {
				t.Errorf("artifacts = %+v", b.Artifacts)
			}
		})
	}
}

func TestFixtureOldBuild(t *testing.T) {
	// 2014 server: no _class, a timestamp-style id.
	job := "test-7ea39228-5841-4a0f-b83c-1d971713f9c6"
	c, _ := serve(t, jsonAt(t, "/job/"+job+"/1/api/json", fixture(t, "silas-node-jenkins/buildGet.json")))
	b, err := c.Build(ctx(t), job, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b.Number != 1 || b.Status != StatusSuccess || b.Duration != 11*time.Millisecond || !b.Started.Equal(time.UnixMilli(1406265317652)) ||
		len(b.Causes) != 1 || b.Causes[0].Description != "Started by user anonymous" || len(b.Artifacts) != 0 {
		t.Errorf("build = %+v", b)
	}
}

func TestFixtureLastBuildStatuses(t *testing.T) {
	// 423 real jobs, including builds that run with a result already set.
	var root struct {
		Jobs []struct {
			Name      string
			LastBuild *wireBuild
		}
	}
	fixtureJSON(t, "mcmics-jenkins-control-plugin/JsonRequestManager_loadDataFor105.json", &root)
	counts := map[Status]int{}
	var runningWithResult []string
	none := 0
	for _, j := range root.Jobs {
		if j.LastBuild == nil {
			none++
			continue
		}
		b := j.LastBuild.toBuild("")
		counts[b.Status]++
		if b.Status == StatusRunning && b.Result == "SUCCESS" {
			runningWithResult = append(runningWithResult, fmt.Sprintf("%s#%d", j.Name, b.Number))
		}
	}
	want := map[Status]int{StatusSuccess: 165, StatusUnstable: 67, StatusFailure: 51, StatusAborted: 17, StatusRunning: 13}
	if !reflect.DeepEqual(counts, want) || none != 110 || len(root.Jobs) != 423 {
		t.Errorf("counts = %v (none %d of %d), want %v", counts, none, len(root.Jobs), want)
	}
	wantRun := []string{"emms-3-2-5-pg#118", "emms-3-2-5-ss#197", "emms-3-2-6-oracle-rac#18", "emms-3-2-6-pg#17", "emms-3-2-6-ss#21"}
	if !reflect.DeepEqual(runningWithResult, wantRun) {
		t.Errorf("running with result SUCCESS: %v", runningWithResult)
	}
}

func TestFixtureQueueItems(t *testing.T) {
	for _, tc := range []struct {
		file  string
		id    int64
		want  QueueItem
		build string // BuildURL path
	}{
		{"cdancy-jenkins-rest/queueItemPending.json", 143, QueueItem{ID: 143, Blocked: true, Why: "Build #9 is already in progress (ETA:15 sec)",
			InQueueSince: time.UnixMilli(1524074568030), Params: []Param{{Name: "a", Value: "4"}}, Class: "hudson.model.Queue$BlockedItem"}, ""},
		{"cdancy-jenkins-rest/queueItemRunning.json", 143, QueueItem{ID: 143, BuildNumber: 14,
			InQueueSince: time.UnixMilli(1524074837590), Params: []Param{{Name: "a", Value: "4"}}, Class: "hudson.model.Queue$LeftItem"}, "/job/test/14/"},
		{"cdancy-jenkins-rest/queueItemCancelled.json", 143, QueueItem{ID: 143, Cancelled: true,
			InQueueSince: time.UnixMilli(1524074568030), Params: []Param{{Name: "a", Value: "4"}}, Class: "hudson.model.Queue$LeftItem"}, ""},
		{"cdancy-jenkins-rest/queueItemMultipleParameters.json", 143, QueueItem{ID: 143, BuildNumber: 14, InQueueSince: time.UnixMilli(1524074837590),
			Params: []Param{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}, {Name: "c", Value: "3"}}, Class: "hudson.model.Queue$LeftItem"}, "/job/test/14/"},
		// The "params" text says b= but the ParametersAction (what jeeves reads) says 2.
		{"cdancy-jenkins-rest/queueItemEmptyParameterValue.json", 143, QueueItem{ID: 143, BuildNumber: 14, InQueueSince: time.UnixMilli(1524074837590),
			Params: []Param{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}, {Name: "c", Value: "3"}}, Class: "hudson.model.Queue$LeftItem"}, "/job/test/14/"},
		// 2014: no _class, no cancelled field.
		{"silas-node-jenkins/queueItem.json", 130, QueueItem{ID: 130, BuildNumber: 28, InQueueSince: time.UnixMilli(1406363479853)},
			"/job/test-job-b7ef0845-6515-444c-96a1-d2266d5e0f18/28/"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			c, srv := serve(t, jsonAt(t, fmt.Sprintf("/queue/item/%d/api/json", tc.id), fixture(t, tc.file)))
			got, err := c.QueueItem(ctx(t), tc.id)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if tc.build != "" {
				want.BuildURL = srv.URL + tc.build
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("item = %+v\nwant   %+v", got, want)
			}
		})
	}
}

func TestFixtureWaitForBuild(t *testing.T) {
	// Blocked, then blocked, then left with a build: WaitForBuild returns #14.
	answers := [][]byte{
		fixture(t, "cdancy-jenkins-rest/queueItemPending.json"),
		fixture(t, "cdancy-jenkins-rest/queueItemPending.json"),
		fixture(t, "cdancy-jenkins-rest/queueItemRunning.json"),
	}
	n := 0
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(answers[min(n, len(answers)-1)])
		n++
	}))
	it, err := c.WaitForBuild(ctx(t), 143, time.Millisecond)
	if err != nil || it.BuildNumber != 14 || n != 3 {
		t.Fatalf("item %+v, err %v after %d polls", it, err, n)
	}

	c2, _ := serve(t, jsonAt(t, "/queue/item/143/api/json", fixture(t, "cdancy-jenkins-rest/queueItemCancelled.json")))
	_, err = c2.WaitForBuild(ctx(t), 143, time.Millisecond)
	if !IsCancelled(err) || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err = %v", err)
	}
}

func TestFixtureJobQueue(t *testing.T) {
	c, _ := serve(t, jsonAt(t, "/queue/api/json", fixture(t, "cdancy-jenkins-rest/queue.json")))
	items, err := c.JobQueue(ctx(t), "chicken")
	if err != nil {
		t.Fatal(err)
	}
	want := []QueueItem{{ID: 7, Buildable: true, Why: "Waiting for next available executor", InQueueSince: time.UnixMilli(1460738557584),
		Params: []Param{{Name: "feet", Value: "false"}}}}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("items = %+v", items)
	}
	items, err = c.JobQueue(ctx(t), "Freestyle")
	if err != nil || len(items) != 1 || items[0].ID != 6 || items[0].Params[0] != (Param{Name: "fish", Value: "bear"}) {
		t.Errorf("items = %+v, %v", items, err)
	}
	if items, _ := c.JobQueue(ctx(t), "chick"); len(items) != 0 {
		t.Errorf("a job name prefix matched: %+v", items)
	}

	c2, _ := serve(t, jsonAt(t, "/queue/api/json", fixture(t, "silas-node-jenkins/queueList.json")))
	items, err = c2.JobQueue(ctx(t), "test-job-b7ef0845-6515-444c-96a1-d2266d5e0f18")
	if err != nil || len(items) != 1 || items[0].ID != 130 || !items[0].Buildable {
		t.Errorf("items = %+v, %v", items, err)
	}
}

func TestFixtureTestReport(t *testing.T) {
	body := fixture(t, "silas-node-jenkins/testReportGet.json")
	var gotTree string
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotTree = r.URL.Query().Get("tree")
		jsonAt(t, "/job/matrix/3/testReport/api/json", body).ServeHTTP(w, r)
	}))
	rc, err := c.TestReport(ctx(t), "matrix", 3, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("report differs (%v)", err)
	}
	var rep struct {
		SkipCount, TotalCount int
		ChildReports          []struct {
			Result struct{ PassCount, SkipCount int }
		}
	}
	json.Unmarshal(got, &rep)
	if rep.SkipCount != 25 || rep.TotalCount != 149 || rep.ChildReports[0].Result.PassCount != 107 {
		t.Errorf("report = %+v", rep)
	}
	if !strings.Contains(gotTree, "childReports[") || strings.Contains(gotTree, "stdout") {
		t.Errorf("tree = %q", gotTree)
	}
	// Over the cap: the stream fails with ErrTooLarge.
	rc, err = c.TestReport(ctx(t), "matrix", 3, 100)
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if !errorsIsTooLarge(err) {
		t.Errorf("err = %v", err)
	}
}

func TestFixtureStages(t *testing.T) {
	type stage struct {
		name, status string
		ms           int64
		started      int64
	}
	for _, tc := range []struct {
		file   string
		job    string
		number int
		first  []stage
	}{
		{"cdancy-jenkins-rest/workflow.json", "Test Workflow", 16, []stage{{"Build", "SUCCESS", 5228, 1413461275770}, {"Test", "SUCCESS", 4994, 1413461280998}, {"Deploy", "PAUSED_PENDING_INPUT", 7, 1413461285992}}},
		{"jenkinsci-pipeline-stage-view-plugin/03_rest_api_runs.json", "cd", 3, []stage{{"Build", "SUCCESS", 3065, 1411556423000}, {"Test", "SUCCESS", 2695, 1411556426065}, {"Deploy", "IN_PROGRESS", 824, 1411556428760}}},
		{"jenkinsci-pipeline-stage-view-plugin/03_rest_api_runs_checkpoint_rerun.json", "cd", 2, []stage{{"Dev", "NOT_EXECUTED", 0, 0}, {"QA", "NOT_EXECUTED", 0, 0}, {"Staging", "NOT_EXECUTED", 0, 0}, {"Production", "SUCCESS", 600, 1414318300705}}},
		{"jenkinsci-pipeline-stage-view-plugin/04_rest_api_runs_failed.json", "cd", 3, []stage{{"Dev", "SUCCESS", 3018, 1414318349991}, {"QA", "SUCCESS", 35788, 1414318353009}, {"Staging", "FAILED", 300, 1414318388797}}},
		{"jenkinsci-pipeline-stage-view-plugin/06_rest_api_runs.json", "cd", 7, []stage{{"Dev", "SUCCESS", 18, 1416600275028}, {"QA", "SUCCESS", 16358, 1416600275046}, {"Staging", "SUCCESS", 19876, 1416600291404}, {"Production", "SUCCESS", 64, 1416600311280}}},
		{"jenkinsci-pipeline-stage-view-plugin/07_rest_api_runs_in_progress.json", "cd", 1, []stage{{"Staging", "SUCCESS", 10247, 1414318278045}, {"Production", "IN_PROGRESS", 629, 1414318288292}}},
		{"jenkinsci-pipeline-stage-view-plugin/08_rest_api_unstable_run.json", "cd", 1, []stage{{"Staging", "UNSTABLE", 10247, 1414318278045}, {"Production", "UNSTABLE", 629, 1414318288292}}},
		{"cdancy-jenkins-rest/runHistory.json", "Test Workflow", 15, []stage{{"Build", "SUCCESS", 6754, 1413459910289}, {"Test", "SUCCESS", 4998, 1413459917043}, {"Deploy", "SUCCESS", 15029, 1413459922041}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			// wfapi/runs files hold several RunExt: serve the one named #N as
			// that build's wfapi/describe.
			raw := bytes.TrimSpace(fixture(t, tc.file))
			var runs []json.RawMessage
			if raw[0] == '[' {
				json.Unmarshal(raw, &runs)
			} else {
				runs = []json.RawMessage{raw}
			}
			var body []byte
			for _, r := range runs {
				var head struct{ Name string }
				json.Unmarshal(r, &head)
				if head.Name == fmt.Sprintf("#%d", tc.number) {
					body = r
				}
			}
			if body == nil {
				t.Fatalf("no run #%d in %s", tc.number, tc.file)
			}
			jp, _ := JobPath(tc.job)
			c, _ := serve(t, jsonAt(t, fmt.Sprintf("%s/%d/wfapi/describe", jp, tc.number), body))
			got, err := c.Stages(ctx(t), tc.job, tc.number)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.first) {
				t.Fatalf("%d stages: %+v", len(got), got)
			}
			for i, w := range tc.first {
				g := got[i]
				if g.Name != w.name || g.Status != w.status || g.Duration != time.Duration(w.ms)*time.Millisecond ||
					(w.started == 0) != g.Started.IsZero() || (w.started != 0 && !g.Started.Equal(time.UnixMilli(w.started))) {
					t.Errorf("stage %d = %+v, want %+v", i, g, w)
				}
			}
			if tc.number == 16 && (got[0].ID != "5" || got[2].ID != "10") {
				t.Errorf("stage ids %q %q", got[0].ID, got[2].ID)
			}
		})
	}
}

func TestFixtureProgressiveText(t *testing.T) {
	lf := fixture(t, "cdancy-jenkins-rest/progressive-text.txt")
	// Classic progressiveText turns \n into \r\n; the fixture was stored with LF.
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/job/DevTest/1/logText/progressiveText" || r.URL.Query().Get("start") != "0" {
			t.Errorf("request %s", r.URL)
		}
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.Header().Set("X-Text-Size", fmt.Sprint(len(lf)))
		w.Write(crlf)
	}))
	ch, err := c.Log(ctx(t), "DevTest", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ch.Text, lf) || ch.More || ch.NextOffset != int64(len(lf)) {
		t.Errorf("chunk = %q more=%v next=%d", ch.Text, ch.More, ch.NextOffset)
	}
	if !bytes.HasSuffix(ch.Text, []byte("Finished: SUCCESS")) {
		t.Errorf("text = %q", ch.Text)
	}
}

func TestFixtureLogHeaders(t *testing.T) {
	// A real log answer: X-Text-Size 14193 for a 6664-byte CRLF body.
	var m struct {
		Response struct {
			Body    string
			Headers map[string]string
		}
	}
	fixtureJSON(t, "elastic-apm-pipeline-library/blue_rest_organizations_jenkins_pipelines_it_getbuildinfojsonfiles_abort_runs_1_log-8af6681b-d3a1-4a7e-9a4f-217d6ff17541.json", &m)
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range m.Response.Headers {
			w.Header().Set(k, v)
		}
		io.WriteString(w, m.Response.Body)
	}))
	ch, err := c.Log(ctx(t), "it/getBuildInfoJsonFiles/abort", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ch.NextOffset != 14193 || ch.More || bytes.Contains(ch.Text, []byte("\r")) {
		t.Errorf("next=%d more=%v cr=%v", ch.NextOffset, ch.More, bytes.Contains(ch.Text, []byte("\r")))
	}
	if len(ch.Text) != len(m.Response.Body)-137 || !bytes.HasSuffix(ch.Text, []byte("Timeout has been exceeded\nFinished: ABORTED\n")) ||
		!bytes.HasPrefix(ch.Text, []byte("Started by user unknown or anonymous\nRunning in Durability level: MAX_SURVIVABILITY\n")) {
		t.Errorf("text (%d bytes) ends %q", len(ch.Text), ch.Text[max(0, len(ch.Text)-60):])
	}
}

func TestFixtureConsoleTexts(t *testing.T) {
	for _, tc := range []struct{ file, last string }{
		{"silas-node-jenkins/consoleText.txt", "Finished: SUCCESS"},
		{"cdancy-jenkins-rest/build-consoleText.txt", "Finished: SUCCESS"},
	} {
		body := fixture(t, tc.file)
		c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Text-Size", fmt.Sprint(len(body)))
			w.Header().Set("X-More-Data", "true")
			w.Write(bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n")))
		}))
		ch, err := c.Log(ctx(t), "job", 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(ch.Text), "\n"), "\n")
		if lines[len(lines)-1] != tc.last || !ch.More || ch.NextOffset != int64(len(body)) || len(ch.Text) != len(body) {
			t.Errorf("%s: last line %q more=%v next=%d", tc.file, lines[len(lines)-1], ch.More, ch.NextOffset)
		}
	}
}

func TestFixtureNotFoundPage(t *testing.T) {
	var m struct {
		Response struct {
			Status  int
			Headers map[string]string
		}
	}
	fixtureJSON(t, "elastic-apm-pipeline-library/mapping-job-it-job-getBuildInfoJsonFiles-job-abort-1-cobertura-api-json-QPHoF.json", &m)
	page := fixture(t, "elastic-apm-pipeline-library/body-job-it-job-getBuildInfoJsonFiles-job-abort-1-cobertura-api-json-QPHoF.txt")
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range m.Response.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(m.Response.Status)
		w.Write(page)
	}))
	_, err := c.Build(ctx(t), "it/getBuildInfoJsonFiles/abort", 1)
	if !IsNotFound(err) || IsConn(err) || IsAuth(err) {
		t.Fatalf("err = %v", err)
	}
	want := `read build #1 of "it/getBuildInfoJsonFiles/abort" on ` + c.BaseURL() +
		`: build #1 of "it/getBuildInfoJsonFiles/abort" was not found (HTTP 404); check the name, and that "alice" may see it`
	if err.Error() != want {
		t.Errorf("err  = %s\nwant = %s", err, want)
	}
	if got := pageTitle(page); strings.TrimSpace(got) != "Not found" {
		t.Errorf("page text = %q", got)
	}
}

func TestFixtureRealHeaders(t *testing.T) {
	var m struct {
		Response struct{ Headers map[string]string }
	}
	fixtureJSON(t, "elastic-apm-pipeline-library/mapping-blue-rest-organizations-jenkins-pipelines-it-getBuildInfoJsonFiles-cobertura-runs-1-VgsWI.json", &m)
	c, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range m.Response.Headers {
			w.Header().Set(k, v)
		}
		switch r.URL.Path {
		case "/whoAmI/api/json":
			io.WriteString(w, `{"_class":"hudson.security.WhoAmI","anonymous":false,"authenticated":true,"authorities":["authenticated"],"name":"alice"}`)
		default:
			io.WriteString(w, `{"_class":"hudson.model.FreeStyleProject","lastBuild":{"_class":"hudson.model.FreeStyleBuild","building":true,"inProgress":true,"number":3,"result":null},"inQueue":false,"queueItem":null,"builds":[{"_class":"hudson.model.FreeStyleBuild","building":true,"inProgress":true,"number":3},{"_class":"hudson.model.FreeStyleBuild","building":false,"inProgress":false,"number":2}]}`)
		}
	}))
	who, err := c.WhoAmI(ctx(t))
	if err != nil || who.JenkinsVersion != "2.289" || who.Name != "alice" || who.Anonymous || !reflect.DeepEqual(who.Authorities, []string{"authenticated"}) {
		t.Errorf("whoami = %+v, %v", who, err)
	}
	p, err := c.Probe(ctx(t), "it")
	if err != nil || p.JenkinsSession != "6f05bffd" || p.LastBuild != 3 || !p.LastBuilding || !reflect.DeepEqual(p.Running, []int{3}) {
		t.Errorf("probe = %+v, %v", p, err)
	}
}
