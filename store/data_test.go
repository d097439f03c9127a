package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/report"
)

func TestIntegrationsRoundTrip(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	if got, err := st.Integrations(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store Integrations = %v, %v", got, err)
	}
	ins := []config.Integration{
		{Nickname: "Payments API", URL: "https://jenkins.example.com", Username: "alice", TokenEnv: "JENKINS_TOKEN",
			Job: "payments/api-tests", Collections: []string{"newman/*.json"}, Governance: []string{"lint/*.sarif"},
			CAFile: "/etc/ca.pem", Headers: map[string]string{"X-Forwarded-User": "alice"}, Timeout: 30 * time.Second},
		{Nickname: "Orders", URL: "https://ci.example.org", Username: "bob", TokenCmd: "pass show jenkins",
			Job: "orders/feature%2Flogin", Insecure: true},
		{Nickname: "Inline", URL: "http://127.0.0.1:8080", Username: "carol", Token: config.NewSecret("11aa22bb33cc"), Job: "api"},
	}
	for _, in := range ins {
		if err := st.SaveIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Integrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d integrations", len(got))
	}
	for i, want := range ins {
		want.Source = "store"
		g := got[i]
		if g.Token.Reveal() != want.Token.Reveal() {
			t.Errorf("%s: token not kept as given", want.Nickname)
		}
		g.Token, want.Token = config.Secret{}, config.Secret{}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("integration %d:\n got %+v\nwant %+v", i, g, want)
		}
	}
	if got[0].TokenSource() != config.TokenFromEnv || got[1].TokenSource() != config.TokenFromCmd || got[2].TokenSource() != config.TokenInline {
		t.Error("token sources not kept")
	}

	// The inline token lives in its own column only.
	rows, err := st.db.Query(`SELECT nickname, url, username, token_env, token_cmd, job, collections, governance, ca_file, headers FROM integrations`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var f [10]string
		rows.Scan(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9])
		if strings.Contains(strings.Join(f[:], "|"), "11aa22bb33cc") {
			t.Errorf("token found outside the token column: %v", f)
		}
	}
	rows.Close()

	// Saving by the same nickname replaces, keeping the order.
	edited := ins[0]
	edited.Job = "payments/api-tests-v2"
	edited.TokenEnv, edited.Token = "", config.NewSecret("new-token")
	if err := st.SaveIntegration(ctx, edited); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Integrations(ctx)
	if len(got) != 3 || got[0].Nickname != "Payments API" || got[0].Job != "payments/api-tests-v2" ||
		got[0].Token.Reveal() != "new-token" || got[0].TokenEnv != "" {
		t.Errorf("after edit: %+v", got[0])
	}

	if err := st.SaveIntegration(ctx, config.Integration{Nickname: "  "}); err == nil {
		t.Error("an integration without a nickname was saved")
	}

	// Delete takes its history with it.
	if err := st.SaveBuilds(ctx, "Orders", []jenkins.Build{{Number: 1, Status: jenkins.StatusSuccess}}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResults(ctx, "Orders", 1, sampleResults(), ""); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteIntegration(ctx, "Orders"); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Integrations(ctx)
	if len(got) != 2 || got[0].Nickname != "Payments API" || got[1].Nickname != "Inline" {
		t.Errorf("after delete: %v", got)
	}
	if bs, _ := st.Builds(ctx, "Orders", 0); len(bs) != 0 {
		t.Errorf("deleted integration kept %d builds", len(bs))
	}
	if _, state, _, _ := st.Results(ctx, "Orders", 1); state != ResultsNone {
		t.Errorf("deleted integration kept results: %s", state)
	}
	if err := st.DeleteIntegration(ctx, "Orders"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete = %v, want ErrNotFound", err)
	}
}

var t0 = time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC)

func build(n int) jenkins.Build {
	return jenkins.Build{
		Number: n, Status: jenkins.StatusSuccess, Result: "SUCCESS",
		Started: t0.Add(time.Duration(n) * time.Minute), Duration: 95 * time.Second, EstimatedDuration: 100 * time.Second,
		URL: "https://jenkins.example.com/job/payments/job/api-tests/" + itoa(n) + "/", QueueID: int64(1000 + n),
		Causes: []jenkins.Cause{{Class: "hudson.model.Cause$UserIdCause", Description: "Started by user Alice", UserID: "alice", UserName: "Alice"}},
		Params: []jenkins.Param{{Name: "ENV", Value: "staging"}, {Name: "API_KEY", Value: "", Masked: true}},
		Artifacts: []jenkins.Artifact{
			{FileName: "newman.json", RelativePath: "reports/newman.json", Size: 268000},
			{FileName: "odd name.xml", RelativePath: "reports/junit.xml", Size: -1},
		},
		Tests:       &jenkins.TestSummary{Total: 33, Failed: 7, Skipped: 1},
		DisplayName: "#" + itoa(n), Description: "nightly",
	}
}

func numbers(rs []BuildRecord) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Number)
	}
	return out
}

func goneNumbers(rs []BuildRecord) []int {
	var out []int
	for _, r := range rs {
		if r.Gone {
			out = append(out, r.Number)
		}
	}
	return out
}

func TestBuildsRoundTripNewestFirst(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	in := []jenkins.Build{build(3), build(5), build(4)}
	running := jenkins.Build{Number: 6, Status: jenkins.StatusRunning, Building: true, Result: "UNSTABLE",
		Started: t0.Add(time.Hour), Params: []jenkins.Param{}, Causes: []jenkins.Cause{}}
	in = append(in, running)
	if err := st.SaveBuilds(ctx, "Payments API", in); err != nil {
		t.Fatal(err)
	}
	got, err := st.Builds(ctx, "Payments API", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(numbers(got), []int{6, 5, 4, 3}) {
		t.Fatalf("numbers = %v, want 6 5 4 3", numbers(got))
	}
	want5 := build(5)
	g5 := got[1].Build
	if !g5.Started.Equal(want5.Started) {
		t.Errorf("started = %v, want %v", g5.Started, want5.Started)
	}
	g5.Started = want5.Started
	if !reflect.DeepEqual(g5, want5) {
		t.Errorf("build 5:\n got %+v\nwant %+v", g5, want5)
	}
	if got[1].ResultsState != ResultsNone || got[1].Gone || got[1].Collections != nil || got[1].Governance != nil {
		t.Errorf("fresh build record = %+v", got[1])
	}
	r6 := got[0]
	if !r6.Building || r6.Result != "UNSTABLE" || r6.ResultsState != ResultsPending || r6.ResultsWhy != WhyRunning {
		t.Errorf("running build = %+v", r6)
	}
	if r6.Params == nil || len(r6.Params) != 0 || r6.Artifacts != nil || r6.Tests != nil {
		t.Errorf("empty vs unknown lost: params %#v artifacts %#v tests %v", r6.Params, r6.Artifacts, r6.Tests)
	}
	if lim, _ := st.Builds(ctx, "Payments API", 2); !reflect.DeepEqual(numbers(lim), []int{6, 5}) {
		t.Errorf("limit 2 = %v", numbers(lim))
	}
	if other, _ := st.Builds(ctx, "Other", 0); len(other) != 0 {
		t.Errorf("another integration sees %d builds", len(other))
	}
	one, err := st.Build(ctx, "Payments API", 4)
	if err != nil || one.Number != 4 || one.DisplayName != "#4" {
		t.Errorf("Build(4) = %+v, %v", one.Build, err)
	}
	if _, err := st.Build(ctx, "Payments API", 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("Build(99) err = %v", err)
	}
}

func TestSaveBuildsUpdatesAndKeepsWhatAPollLeavesOut(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	b := build(7)
	b.Building, b.Status, b.Duration = true, jenkins.StatusRunning, 0
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{b}); err != nil {
		t.Fatal(err)
	}
	// The next poll's tree has no artifacts, causes, params or tests: keep them.
	done := jenkins.Build{Number: 7, Status: jenkins.StatusFailure, Result: "FAILURE", Started: b.Started, Duration: 2 * time.Minute, URL: b.URL}
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{done}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Build(ctx, "p", 7)
	if err != nil {
		t.Fatal(err)
	}
	if got.Building || got.Status != jenkins.StatusFailure || got.Duration != 2*time.Minute {
		t.Errorf("not updated: %+v", got.Build)
	}
	if len(got.Artifacts) != 2 || len(got.Causes) != 1 || len(got.Params) != 2 || got.Tests == nil {
		t.Errorf("poll without details lost them: %+v", got.Build)
	}
	if got.ResultsState != ResultsNone {
		t.Errorf("finished build state = %s, want none", got.ResultsState)
	}
}

func TestBuildsMissingFromAPollAreMarkedGone(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	var first []jenkins.Build
	for n := 20; n >= 1; n-- {
		first = append(first, build(n))
	}
	if err := st.SavePoll(ctx, "p", first, 50); err != nil {
		t.Fatal(err)
	}
	// Poll of the newest 5: builds 11..15 but not 13 (deleted). 1..10 are
	// outside the window and stay; 16..20 stay too (the poll's window is
	// [11, 15]: builds above it are only missing if the list is complete).
	window := []jenkins.Build{build(15), build(14), build(12), build(11)}
	if err := st.SavePoll(ctx, "p", window, 4); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Builds(ctx, "p", 0)
	if len(got) != 20 {
		t.Fatalf("kept %d builds, want 20", len(got))
	}
	if g := goneNumbers(got); !reflect.DeepEqual(g, []int{13}) {
		t.Errorf("gone = %v, want [13]", g)
	}
	// Retention discarded everything below 18, Jenkins lists 18..21 only,
	// fewer than asked: the poll saw the whole job.
	full := []jenkins.Build{build(21), build(20), build(19), build(18)}
	if err := st.SavePoll(ctx, "p", full, 10); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Builds(ctx, "p", 0)
	if len(got) != 21 {
		t.Fatalf("kept %d builds, want 21", len(got))
	}
	want := []int{17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	if g := goneNumbers(got); !reflect.DeepEqual(g, want) {
		t.Errorf("gone = %v, want %v", g, want)
	}
	// A build that shows up again (e.g. a second poll window) is no longer gone.
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{build(13)}); err != nil {
		t.Fatal(err)
	}
	if r, _ := st.Build(ctx, "p", 13); r.Gone {
		t.Error("build 13 still gone after it was listed again")
	}
	// SaveBuilds without a limit never marks outside its window.
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{build(21)}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{20, 19, 18} {
		if r, _ := st.Build(ctx, "p", n); r.Gone {
			t.Errorf("build %d marked gone by a one-build poll", n)
		}
	}
	// An empty but complete answer: Jenkins has no builds left at all.
	if err := st.SavePoll(ctx, "p", nil, 10); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Builds(ctx, "p", 0)
	if g := goneNumbers(got); len(g) != 21 {
		t.Errorf("after an empty complete poll %d of 21 gone", len(g))
	}
}

func sampleResults() report.Results {
	return report.Results{
		Collections: []report.CollectionRun{{
			Name: "Payments", Tool: report.ToolNewman, Artifact: "reports/newman.json", Iterations: 2,
			Requests: report.Counts{Total: 23, Failed: 2}, Assertions: report.Counts{Total: 64, Failed: 13, Skipped: 2},
			DurationMS: 4100,
			Executions: []report.Execution{{Iteration: 1, Folder: "Users/Admin", Name: "Delete user", Method: "DELETE",
				URL: "http://127.0.0.1:3000/users/9", Code: 404, ResponseMS: 35,
				Assertions: []report.Assertion{{Name: "Status code is 204", Status: report.Failed, Message: "expected 404 to equal 204"}}}},
		}},
		Governance: []report.GovernanceResult{{
			Definition: "openapi.yaml", Tool: report.ToolSpectral, Artifact: "lint/spectral.json",
			Violations: []report.Violation{
				{Rule: "operation-security-defined", Severity: report.SevError, Message: "security must not be empty", Path: "paths./orders.get.security", File: "openapi.yaml", Line: 18, Column: 16},
				{Rule: "info-contact", Severity: report.SevWarning, Message: "Info object must have contact", File: "openapi.yaml", Line: 2, Column: 6},
				{Rule: "x", Severity: report.SevHint, Message: "hint", File: "openapi.yaml", Line: 1, Column: 1},
			},
		}},
	}
}

func TestResultsStoredOnceWithSummaries(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{build(1), build(2), build(3)}); err != nil {
		t.Fatal(err)
	}
	res := sampleResults()
	if err := st.SaveResults(ctx, "p", 2, res, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResults(ctx, "p", 1, report.Results{}, WhyNoArtifacts); err != nil {
		t.Fatal(err)
	}
	got, state, why, err := st.Results(ctx, "p", 2)
	if err != nil || state != ResultsStored || why != "" {
		t.Fatalf("Results(2) = %s %q %v", state, why, err)
	}
	if !reflect.DeepEqual(got, res) {
		t.Errorf("results changed in the store:\n got %+v\nwant %+v", got, res)
	}
	_, state, why, _ = st.Results(ctx, "p", 1)
	if state != ResultsEmpty || why != WhyNoArtifacts {
		t.Errorf("Results(1) = %s %q", state, why)
	}
	_, state, _, _ = st.Results(ctx, "p", 3)
	if state != ResultsNone {
		t.Errorf("Results(3) = %s, want none", state)
	}
	_, state, _, _ = st.Results(ctx, "p", 99)
	if state != ResultsNone {
		t.Errorf("Results(unknown build) = %s, want none", state)
	}

	list, _ := st.Builds(ctx, "p", 0)
	b2, b1 := list[1], list[2]
	wantC := &report.CollectionSummary{Runs: 1, Requests: 23, RequestsFailed: 2, Assertions: 64, AssertionsFailed: 13}
	wantG := &report.GovernanceSummary{Definitions: 1, Error: 1, Warning: 1, Hint: 1}
	if b2.ResultsState != ResultsStored || !reflect.DeepEqual(b2.Collections, wantC) || !reflect.DeepEqual(b2.Governance, wantG) {
		t.Errorf("build 2 summaries = %s %+v %+v", b2.ResultsState, b2.Collections, b2.Governance)
	}
	if b1.ResultsState != ResultsEmpty || b1.ResultsWhy != WhyNoArtifacts || b1.Collections != nil || b1.Governance != nil {
		t.Errorf("build 1 = %s %q %v %v", b1.ResultsState, b1.ResultsWhy, b1.Collections, b1.Governance)
	}

	// Only governance: collections summary stays nil.
	govOnly := report.Results{Governance: res.Governance}
	if err := st.SaveResults(ctx, "p", 3, govOnly, ""); err != nil {
		t.Fatal(err)
	}
	b3, _ := st.Build(ctx, "p", 3)
	if b3.Collections != nil || b3.Governance == nil || b3.Governance.Error != 1 {
		t.Errorf("governance-only summaries = %v %v", b3.Collections, b3.Governance)
	}
}

func TestResultsErrorIsRetryableAndNeverHidesStored(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	st.SaveBuilds(ctx, "p", []jenkins.Build{build(1)})
	if err := st.SaveResultsError(ctx, "p", 1, "connection refused"); err != nil {
		t.Fatal(err)
	}
	_, state, why, _ := st.Results(ctx, "p", 1)
	if state != ResultsError || why != "connection refused" {
		t.Errorf("after error: %s %q", state, why)
	}
	if err := st.SaveResults(ctx, "p", 1, sampleResults(), ""); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResultsError(ctx, "p", 1, "timeout"); err != nil {
		t.Fatal(err)
	}
	res, state, _, _ := st.Results(ctx, "p", 1)
	if state != ResultsStored || len(res.Collections) != 1 {
		t.Errorf("an error replaced stored results: %s", state)
	}
}

func TestResultsPendingForRunningBuild(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	st.SaveBuilds(ctx, "p", []jenkins.Build{{Number: 9, Building: true, Status: jenkins.StatusRunning}})
	_, state, why, err := st.Results(ctx, "p", 9)
	if err != nil || state != ResultsPending || why != WhyRunning {
		t.Errorf("running build Results = %s %q %v", state, why, err)
	}
}

func TestCodecRoundTripAndTruncation(t *testing.T) {
	in := build(12)
	in.Artifacts = append(in.Artifacts, jenkins.Artifact{FileName: "x", RelativePath: "a/b/c.json", Size: 7})
	blob := encodeBuild(in)
	var got jenkins.Build
	if err := decodeBuild(blob, &got); err != nil {
		t.Fatal(err)
	}
	got.Number = in.Number
	if !got.Started.Equal(in.Started) {
		t.Errorf("started = %v", got.Started)
	}
	got.Started = in.Started
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	for i := 0; i < len(blob); i++ {
		var b jenkins.Build
		if err := decodeBuild(blob[:i], &b); err == nil {
			t.Errorf("decodeBuild of %d/%d bytes succeeded", i, len(blob))
		}
	}
	if err := decodeBuild(append(blob[:len(blob):len(blob)], 0), &got); err == nil {
		t.Error("trailing bytes accepted")
	}
	// A huge count in a short blob must fail, not allocate.
	var b jenkins.Build
	huge := []byte{codecV1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}
	if err := decodeBuild(huge, &b); err == nil {
		t.Error("a count larger than the data was accepted")
	}
	ri := resultInfo{state: ResultsEmpty, why: WhyNoArtifacts, gs: &report.GovernanceSummary{Definitions: 1, Error: 2}}
	gotRI, err := decodeResultInfo(encodeResultInfo(ri))
	if err != nil || !reflect.DeepEqual(gotRI, ri) {
		t.Errorf("result info round trip = %+v, %v", gotRI, err)
	}
}

// `jeeves results -i X N` may fetch a build's results before any poll
// listed it; the list must show them once it does.
func TestResultsSavedBeforeTheBuildIsListed(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	if err := st.SaveResults(ctx, "p", 4, sampleResults(), ""); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResults(ctx, "p", 3, report.Results{}, WhyNoArtifacts); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{build(4), build(3), build(2)}); err != nil {
		t.Fatal(err)
	}
	list, err := st.Builds(ctx, "p", 0)
	if err != nil {
		t.Fatal(err)
	}
	if list[0].ResultsState != ResultsStored || list[0].Collections == nil || list[0].Collections.AssertionsFailed != 13 {
		t.Errorf("build 4 = %s %+v", list[0].ResultsState, list[0].Collections)
	}
	if list[1].ResultsState != ResultsEmpty || list[1].ResultsWhy != WhyNoArtifacts {
		t.Errorf("build 3 = %s %q", list[1].ResultsState, list[1].ResultsWhy)
	}
	if list[2].ResultsState != ResultsNone {
		t.Errorf("build 2 = %s", list[2].ResultsState)
	}
	// A later poll does not lose them.
	if err := st.SaveBuilds(ctx, "p", []jenkins.Build{build(4)}); err != nil {
		t.Fatal(err)
	}
	if b, _ := st.Build(ctx, "p", 4); b.ResultsState != ResultsStored || b.Governance == nil {
		t.Errorf("after another poll build 4 = %s %+v", b.ResultsState, b.Governance)
	}
}

func TestUpdateBuildsMarksNothingGone(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	st.SaveBuilds(ctx, "p", []jenkins.Build{build(5), build(4), build(3), build(2), build(1)})
	// A status-filtered list: 5 and 2 only. 3 and 4 are not gone.
	if err := st.UpdateBuilds(ctx, "p", []jenkins.Build{build(5), build(2)}); err != nil {
		t.Fatal(err)
	}
	list, _ := st.Builds(ctx, "p", 0)
	if g := goneNumbers(list); len(g) != 0 {
		t.Errorf("gone = %v, want none", g)
	}
}

// FuzzDecodeBuild: whatever bytes a damaged store holds, decoding returns
// an error or a build, never panics or allocates beyond the data's size.
func FuzzDecodeBuild(f *testing.F) {
	f.Add(encodeBuild(build(7)))
	f.Add(encodeBuild(jenkins.Build{Number: 1, Building: true, Params: []jenkins.Param{}}))
	f.Add([]byte{codecV1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var b jenkins.Build
		if err := decodeBuild(data, &b); err != nil {
			return
		}
		// What decodes must survive a round trip unchanged.
		var again jenkins.Build
		if err := decodeBuild(encodeBuild(b), &again); err != nil || !reflect.DeepEqual(again, b) {
			t.Errorf("round trip: %v\n got %+v\nwant %+v", err, again, b)
		}
	})
}

func FuzzDecodeResultInfo(f *testing.F) {
	f.Add(encodeResultInfo(resultInfo{state: ResultsStored, cs: &report.CollectionSummary{Runs: 1, Assertions: 64, AssertionsFailed: 13}}))
	f.Add(encodeResultInfo(resultInfo{state: ResultsEmpty, why: WhyNoArtifacts}))
	f.Fuzz(func(t *testing.T, data []byte) {
		ri, err := decodeResultInfo(data)
		if err != nil {
			return
		}
		again, err := decodeResultInfo(encodeResultInfo(ri))
		if err != nil || !reflect.DeepEqual(again, ri) {
			t.Errorf("round trip: %v\n got %+v\nwant %+v", err, again, ri)
		}
	})
}

// A nickname pointed at another job (or server) in the config must not show
// the old job's builds, nor reuse their results for the new job's builds of
// the same numbers: BindJob drops them. The same job keeps its history, and
// other integrations keep theirs.
func TestBindJobDropsHistoryOfAnotherJob(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	seed := func(nick string) {
		t.Helper()
		if err := st.SaveBuilds(ctx, nick, []jenkins.Build{build(40)}); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveResults(ctx, nick, 40, sampleResults(), ""); err != nil {
			t.Fatal(err)
		}
	}
	seed("gw")
	seed("other")
	steps := []struct {
		url, job    string
		wantDropped bool
		wantBuilds  int
	}{
		{"https://j.example.com/", "gateway/main", false, 1}, // no record yet: keeps what is there
		{"https://j.example.com", "gateway/main", false, 1},  // same job (trailing slash aside)
		{"https://j.example.com", "orders-api", true, 0},     // re-pointed: the old job's builds go
		{"https://j.example.com", "orders-api", false, 0},
		{"https://other.example.com", "orders-api", true, 0}, // another server
	}
	for i, s := range steps {
		dropped, err := st.BindJob(ctx, "gw", s.url, s.job)
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := st.Builds(ctx, "gw", 0)
		if dropped != s.wantDropped || len(recs) != s.wantBuilds {
			t.Errorf("step %d (%s %s): dropped %v, %d builds; want %v, %d", i, s.url, s.job, dropped, len(recs), s.wantDropped, s.wantBuilds)
		}
		if i == 2 {
			if _, state, _, _ := st.Results(ctx, "gw", 40); state == ResultsStored {
				t.Errorf("the old job's results of #40 are still stored for gw")
			}
		}
	}
	if recs, _ := st.Builds(ctx, "other", 0); len(recs) != 1 {
		t.Errorf("another integration lost its builds: %d", len(recs))
	}
	if _, state, _, _ := st.Results(ctx, "other", 40); state != ResultsStored {
		t.Errorf("another integration lost its results: %s", state)
	}
}
