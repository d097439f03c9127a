package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/jeeves-dev/jeeves/internal/tmuxtest"
)

// benchSession is one idle SSH session on the builds screen, its output
// counted.
type benchSession struct {
	conn *gossh.Client
	sess *gossh.Session
	mu   sync.Mutex
	tail []byte // the last output, to tell when the builds screen is on it
	n    atomic.Int64
}

func (b *benchSession) Write(p []byte) (int, error) {
	b.n.Add(int64(len(p)))
	b.mu.Lock()
	b.tail = append(b.tail, p...)
	if len(b.tail) > 64<<10 {
		b.tail = b.tail[len(b.tail)-32<<10:]
	}
	b.mu.Unlock()
	return len(p), nil
}

func (b *benchSession) shows(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Contains(ansi.Strip(string(b.tail)), s)
}

func benchConnect(tb testing.TB, addr string, signer gossh.Signer) *benchSession {
	tb.Helper()
	conn, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "bench", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 20 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	sess, err := conn.NewSession()
	if err != nil {
		tb.Fatal(err)
	}
	bs := &benchSession{conn: conn, sess: sess}
	sess.Stdout, sess.Stderr = bs, bs
	if err := sess.RequestPty("xterm-256color", 40, 120, nil); err != nil {
		tb.Fatal(err)
	}
	if _, err := sess.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		tb.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !bs.shows("running") {
		if time.Now().After(deadline) {
			tb.Fatalf("session did not show the running build:\n%s", ansi.Strip(string(bs.tail)))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return bs
}

// BenchmarkServeIdleSessions measures one `jeeves serve` (the real binary)
// with 1, then 5, then 20 idle sessions on the builds screen of a job with
// one running build: the Jenkins requests of an idle minute (the same
// whatever the number of sessions: they share one engine), the server's CPU
// in that minute (and per session) and its resident memory (and the growth
// per extra session). The SSH clients run in the test process, so the
// server's numbers are its own. Run it with
// go test ./cmd/jeeves -run '^$' -bench ServeIdleSessions -benchtime 1x
func BenchmarkServeIdleSessions(b *testing.B) {
	bin := tmuxtest.Build(b, e2eRoot)
	for range b.N {
		sim := e2eSim(b, e2eIdleWorld(b))
		dir := b.TempDir()
		s := startServeJob(b, bin, dir, sim, e2eIdleNick, e2eIdleJob, "")
		key, err := os.ReadFile(filepath.Join(dir, "id_ed25519"))
		if err != nil {
			b.Fatal(err)
		}
		signer, err := gossh.ParsePrivateKey(key)
		if err != nil {
			b.Fatal(err)
		}
		addr := "127.0.0.1:" + s.port
		pid := s.cmd.Process.Pid
		var sessions []*benchSession
		var rss1 float64
		for _, n := range []int{1, 5, 20} {
			for len(sessions) < n {
				sessions = append(sessions, benchConnect(b, addr, signer))
			}
			time.Sleep(3 * time.Second) // the frames of the new sessions, their results reads
			sim.ResetStats()
			var out0 int64
			for _, bs := range sessions {
				out0 += bs.n.Load()
			}
			cpu0, _, err := tmuxtest.ProcStats(pid)
			if err != nil {
				b.Fatal(err)
			}
			time.Sleep(time.Minute)
			cpu1, rss, err := tmuxtest.ProcStats(pid)
			if err != nil {
				b.Fatal(err)
			}
			reqs := 0
			for _, st := range sim.Stats() {
				reqs += st.Requests
			}
			var out int64
			for _, bs := range sessions {
				out += bs.n.Load()
				if !bs.shows("running") {
					b.Fatalf("a session no longer shows the running build")
				}
			}
			out -= out0
			cpu := (cpu1 - cpu0).Seconds()
			mb := float64(rss) / (1 << 20)
			perSession := 0.0
			if n == 1 {
				rss1 = mb
			} else {
				perSession = (mb - rss1) / float64(n-1)
			}
			b.Logf("%2d idle sessions: %d Jenkins requests/min (%s), server %.2f s CPU/min (%.3f s per session), %.1f MB resident (%.2f MB per extra session), %d B/min to all terminals",
				n, reqs, e2eStatsLine(sim), cpu, cpu/float64(n), mb, perSession, out)
			b.ReportMetric(float64(reqs), "requests/min-"+strconv.Itoa(n))
			b.ReportMetric(cpu, "cpu-s/min-"+strconv.Itoa(n))
			b.ReportMetric(mb, "rss-MB-"+strconv.Itoa(n))
			if n > 1 {
				b.ReportMetric(perSession, "MB/extra-session-"+strconv.Itoa(n))
			}
		}
		b.ReportMetric(0, "ns/op")
		for _, bs := range sessions {
			bs.conn.Close()
		}
	}
}
