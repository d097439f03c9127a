package jenkins_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// A world with one pipeline whose builds have a generated log of logBytes,
// the newest still running, on a Jenkins of the given version, with a clock
// the test moves.
func bigLogWorld(t testing.TB, version string, logBytes int64) (*jenkinstest.Server, *jenkins.Client, *fakeClock) {
	t.Helper()
	w, err := jenkinstest.ParseWorld([]byte(fmt.Sprintf(`
seed = 7
version = %q
[[user]]
id = "alice"
tokens = ["t0k"]
[[job]]
path = "big"
kind = "pipeline"
stages = ["Checkout", "API tests", "Publish reports"]
log_bytes = %d
  [job.history]
  count = 3
  days = 1
  running = 1
  duration = ["10m", "10m"]
  outcomes = { SUCCESS = 1.0 }
[[job]]
path = "free"
kind = "freestyle"
  [job.history]
  count = 1
  days = 1
`, version, logBytes)), false)
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	srv := jenkinstest.New(w, jenkinstest.WithNow(clk.now))
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	c, err := jenkins.New(jenkins.Options{BaseURL: hs.URL, Username: "alice", Token: config.NewSecret("t0k"),
		Timeout: 30 * time.Second, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clk
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// builds returns the numbers of the finished and the running build.
func bigBuilds(t testing.TB, c *jenkins.Client) (finished, running int) {
	t.Helper()
	bs, err := c.Builds(context.Background(), "big", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Building && running == 0 {
			running = b.Number
		}
		if !b.Building && finished == 0 {
			finished = b.Number
		}
	}
	if finished == 0 || running == 0 {
		t.Fatalf("want a finished and a running build: %+v", bs)
	}
	return finished, running
}

func checkTail(t *testing.T, tl jenkins.LogTail, window int64) {
	t.Helper()
	if int64(len(tl.Text)) > window+window/4 || len(tl.Text) < int(window/4) {
		t.Fatalf("tail of %d bytes for a window of %d", len(tl.Text), window)
	}
	if !strings.HasPrefix(string(tl.Text), "step ") {
		t.Fatalf("tail does not start at a line start: %q", tl.Text[:min(80, len(tl.Text))])
	}
	if bytes.Contains(tl.Text, []byte("\r")) || bytes.Contains(tl.Text, []byte("\x1b[8m")) {
		t.Fatal("tail not cleaned")
	}
}

func TestTailLogMultipartFinished(t *testing.T) {
	const size, window = 30 << 20, 256 << 10
	_, c, _ := bigLogWorld(t, "2.541.1", size)
	fin, _ := bigBuilds(t, c)
	c.ResetStats()
	tl, err := c.TailLog(tctx(t), "big", fin, window)
	if err != nil {
		t.Fatal(err)
	}
	if tl.Method != jenkins.TailMultipart || tl.Requests != 1 || tl.More {
		t.Fatalf("method %s, %d requests, more %v", tl.Method, tl.Requests, tl.More)
	}
	text := string(tl.Text)
	if !strings.HasSuffix(text, "Finished: SUCCESS\n") || !strings.Contains(text, jenkinstest.FillerLine(size/100-1)+"\n") {
		t.Fatalf("not the end of the log: ...%q", text[max(0, len(text)-300):])
	}
	if tl.From < size-window || tl.NextOffset < size {
		t.Fatalf("from %d next %d for a log of about %d", tl.From, tl.NextOffset, size)
	}
	// Nothing after the end: following from NextOffset gives no text.
	ch, err := c.Log(tctx(t), "big", fin, tl.NextOffset)
	if err != nil || len(ch.Text) != 0 || ch.More {
		t.Fatalf("follow after the end: %q more=%v %v", ch.Text, ch.More, err)
	}
	if st := c.Stats(); st.BodyBytes > 2*window {
		t.Fatalf("read %d bytes for a tail of %d", st.BodyBytes, window)
	}
}

func TestTailLogProbeFinished(t *testing.T) {
	const size, window = 30 << 20, 256 << 10
	_, c, _ := bigLogWorld(t, "2.479.3", size)
	fin, _ := bigBuilds(t, c)
	c.ResetStats()
	tl, err := c.TailLog(tctx(t), "big", fin, window)
	if err != nil {
		t.Fatal(err)
	}
	// the multipart ask fails (negative seek), one probe from 0 tells the
	// length, one answer reads the tail
	if tl.Method != jenkins.TailProbe || tl.Requests != 3 || tl.More {
		t.Fatalf("method %s, %d requests, more %v", tl.Method, tl.Requests, tl.More)
	}
	checkTail(t, tl, window)
	if !strings.HasSuffix(string(tl.Text), "Finished: SUCCESS\n") {
		t.Fatal("not the end of the log")
	}
	// The probe's body was not read: bytes received are about the window
	// (the connection is closed under the server's writes, some arrive).
	if st := c.Stats(); st.BodyBytes > 4*window {
		t.Fatalf("read %d bytes for a tail of %d", st.BodyBytes, window)
	}
}

func TestTailLogRunningThenFollow(t *testing.T) {
	for _, version := range []string{"2.541.1", "2.479.3"} {
		t.Run(version, func(t *testing.T) {
			const size, window = 40 << 20, 128 << 10
			_, c, clk := bigLogWorld(t, version, size)
			_, run := bigBuilds(t, c)
			// put the running build well into its generated lines
			for range 20 {
				tl, err := c.TailLog(tctx(t), "big", run, window)
				if err != nil {
					t.Fatal(err)
				}
				if tl.From > 1<<20 {
					break
				}
				clk.add(time.Minute)
			}
			tl, err := c.TailLog(tctx(t), "big", run, window)
			if err != nil {
				t.Fatal(err)
			}
			if !tl.More || tl.From < 1<<20 {
				t.Fatalf("running build: more=%v from=%d method=%s", tl.More, tl.From, tl.Method)
			}
			if version == "2.479.3" && tl.Requests > 40 {
				t.Fatalf("%d requests to find the end", tl.Requests)
			}
			checkTail(t, tl, window)
			last := lastLine(tl.Text)
			// The build writes on; following from NextOffset continues right
			// after the last line read.
			clk.add(2 * time.Second)
			ch, err := c.Log(tctx(t), "big", run, tl.NextOffset)
			if err != nil || !ch.More || len(ch.Text) == 0 {
				t.Fatalf("follow: %d bytes more=%v %v", len(ch.Text), ch.More, err)
			}
			var n int64
			if _, err := fmt.Sscanf(last, "step %d:", &n); err != nil {
				t.Fatalf("last line %q: %v", last, err)
			}
			if want := jenkinstest.FillerLine(n); !strings.HasPrefix(string(ch.Text), want+"\n") {
				t.Fatalf("follow starts %q, want %q", ch.Text[:min(60, len(ch.Text))], want)
			}
		})
	}
}

func lastLine(b []byte) string {
	s := strings.TrimSuffix(string(b), "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func TestTailLogSmallLogWhole(t *testing.T) {
	for _, version := range []string{"2.541.1", "2.479.3"} {
		t.Run(version, func(t *testing.T) {
			_, c, _ := bigLogWorld(t, version, 0)
			fin, _ := bigBuilds(t, c)
			tl, err := c.TailLog(tctx(t), "big", fin, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := c.Log(tctx(t), "big", fin, 0)
			if err != nil {
				t.Fatal(err)
			}
			// 2.534+: the tail ask; older: the failed ask, then one answer from 0
			if want := map[string]int{"2.541.1": 1, "2.479.3": 2}[version]; tl.Requests != want {
				t.Fatalf("%d requests for a small log, want %d", tl.Requests, want)
			}
			if tl.From != 0 || string(tl.Text) != string(whole.Text) || tl.NextOffset != whole.NextOffset {
				t.Fatalf("small log: from %d, %d vs %d bytes, next %d vs %d", tl.From, len(tl.Text), len(whole.Text), tl.NextOffset, whole.NextOffset)
			}
		})
	}
}

func TestTailLogMissingBuild(t *testing.T) {
	_, c, _ := bigLogWorld(t, "2.541.1", 0)
	_, err := c.TailLog(tctx(t), "big", 999, 1<<20)
	if !jenkins.IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
}

func TestStageLogFromSteps(t *testing.T) {
	_, c, _ := bigLogWorld(t, "2.541.1", 0)
	fin, _ := bigBuilds(t, c)
	stages, err := c.Stages(tctx(t), "big", fin)
	if err != nil || len(stages) != 3 {
		t.Fatalf("stages: %+v %v", stages, err)
	}
	sl, err := c.StageLog(tctx(t), "big", fin, stages[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if sl.Steps != 1 || sl.Cut || !strings.Contains(string(sl.Text), "+ newman run collection.json") || strings.Contains(string(sl.Text), "[Pipeline]") {
		t.Fatalf("stage log: %+v %q", sl, sl.Text)
	}
	if _, err := c.StageLog(tctx(t), "big", fin, "../x"); !jenkins.IsNotFound(err) {
		t.Fatalf("bad node id: %v", err)
	}
}

func TestStageLogCutWhenHuge(t *testing.T) {
	_, c, _ := bigLogWorld(t, "2.541.1", 5<<20)
	fin, _ := bigBuilds(t, c)
	stages, err := c.Stages(tctx(t), "big", fin)
	if err != nil {
		t.Fatal(err)
	}
	sl, err := c.StageLog(tctx(t), "big", fin, stages[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !sl.Cut || len(sl.Text) > 11<<10 {
		t.Fatalf("huge step: cut=%v, %d bytes", sl.Cut, len(sl.Text))
	}
}

func TestStagesFreestyleNotFound(t *testing.T) {
	_, c, _ := bigLogWorld(t, "2.541.1", 0)
	_, err := c.Stages(tctx(t), "free", 1)
	if !jenkins.IsNotFound(err) {
		t.Fatalf("freestyle stages: want not found, got %v", err)
	}
}

func tctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// BenchmarkTailLog500MB: the end of a 500 MB log through the real client
// against the simulator: requests, bytes received and CPU (of the whole
// process, simulator included) per tail.
func BenchmarkTailLog500MB(b *testing.B) {
	const size, window = 500 << 20, 1 << 20
	for _, tc := range []struct {
		name, version string
		running       bool
	}{{"multipart-finished", "2.541.1", false}, {"probe-finished", "2.479.3", false}, {"multipart-running", "2.541.1", true}, {"probe-running", "2.479.3", true}} {
		b.Run(tc.name, func(b *testing.B) {
			_, c, clk := bigLogWorld(b, tc.version, size)
			fin, run := bigBuilds(b, c)
			n := fin
			if tc.running {
				n = run
				clk.add(4 * time.Minute) // well into its generated lines
			}
			c.ResetStats()
			cpu0 := cpuTime()
			b.ResetTimer()
			var tl jenkins.LogTail
			for range b.N {
				var err error
				if tl, err = c.TailLog(context.Background(), "big", n, window); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			st := c.Stats()
			b.ReportMetric(float64(st.Requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(st.BodyBytes)/float64(b.N), "bytes-received/op")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "ms-CPU/op")
			if tl.From < size/2 {
				b.Fatalf("tail from %d", tl.From)
			}
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The other shape of Stapler's streaming answer (request and response
// header X-Streaming: the text, then the meta as a last JSON line, as
// Stapler's LargeTextTest expects for start=-8 of "Hello\nWorld!").
func TestTailLogXStreamingAnswer(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Streaming") != "true" || r.FormValue("start") != "-8" {
			http.Error(w, "want the streaming ask", http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Streaming", "true")
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		fmt.Fprint(w, "World!\n{\"completed\":true,\"startFromNewLine\":true,\"start\":6,\"end\":12}")
	}))
	defer hs.Close()
	c, err := jenkins.New(jenkins.Options{BaseURL: hs.URL, Username: "alice", Token: config.NewSecret("t"), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := c.TailLog(tctx(t), "j", 1, 8)
	if err != nil {
		t.Fatal(err)
	}
	if string(tl.Text) != "World!" || tl.From != 6 || tl.NextOffset != 12 || tl.More || tl.Requests != 1 {
		t.Fatalf("%+v", tl)
	}
}
