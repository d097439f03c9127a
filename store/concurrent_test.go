package store

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/jenkins"
)

// writerLoad is what one writer does: polls of 20 builds that overlap the
// previous poll, results for each finished build, dashboard state, reads.
func writerLoad(ctx context.Context, st *Store, integration string, rounds int) error {
	for r := 1; r <= rounds; r++ {
		var poll []jenkins.Build
		for n := r + 19; n >= r; n-- {
			b := build(n)
			if n == r+19 {
				b.Building, b.Status = true, jenkins.StatusRunning
			}
			poll = append(poll, b)
		}
		if err := st.SavePoll(ctx, integration, poll, 20); err != nil {
			return fmt.Errorf("round %d SavePoll: %w", r, err)
		}
		if err := st.SaveResults(ctx, integration, r, sampleResults(), ""); err != nil {
			return fmt.Errorf("round %d SaveResults: %w", r, err)
		}
		if err := st.SetState(ctx, "last:"+integration, strconv.Itoa(r)); err != nil {
			return fmt.Errorf("round %d SetState: %w", r, err)
		}
		list, err := st.Builds(ctx, integration, 50)
		if err != nil {
			return fmt.Errorf("round %d Builds: %w", r, err)
		}
		if len(list) == 0 || list[0].Number != r+19 {
			return fmt.Errorf("round %d: newest build %v, want %d", r, numbers(list), r+19)
		}
		if _, _, _, err := st.Results(ctx, integration, r); err != nil {
			return fmt.Errorf("round %d Results: %w", r, err)
		}
	}
	return nil
}

func checkWriter(t *testing.T, st *Store, integration string, rounds int) {
	t.Helper()
	ctx := context.Background()
	list, err := st.Builds(ctx, integration, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != rounds+19 {
		t.Errorf("%s: %d builds, want %d", integration, len(list), rounds+19)
	}
	stored := 0
	for _, b := range list {
		if b.ResultsState == ResultsStored {
			stored++
		}
	}
	if stored != rounds {
		t.Errorf("%s: %d builds with results, want %d", integration, stored, rounds)
	}
	if v, _ := st.State(ctx, "last:"+integration); v != strconv.Itoa(rounds) {
		t.Errorf("%s: state = %q, want %d", integration, v, rounds)
	}
}

func TestTwoStoresOnOneFileWriteAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jeeves.db")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const rounds = 25
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i, st := range []*Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := writerLoad(ctx, st, fmt.Sprintf("integration-%d", i), rounds); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range 4 {
		checkWriter(t, a, fmt.Sprintf("integration-%d", i), rounds)
	}
}

// TestMain lets the test binary act as a second jeeves process.
func TestMain(m *testing.M) {
	if path := os.Getenv("JEEVES_STORE_TEST_WRITER"); path != "" {
		os.Exit(runWriterProcess(path, os.Getenv("JEEVES_STORE_TEST_NAME")))
	}
	os.Exit(m.Run())
}

func runWriterProcess(path, name string) int {
	st, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	defer st.Close()
	if err := writerLoad(context.Background(), st, name, processRounds); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

const processRounds = 40

func TestTwoProcessesWriteAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jeeves.db")
	// Both processes also race to create and migrate the fresh file.
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "JEEVES_STORE_TEST_WRITER="+path, fmt.Sprintf("JEEVES_STORE_TEST_NAME=process-%d", i))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		outs = append(outs, out)
	}
	// And this process writes too.
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := writerLoad(context.Background(), st, "process-parent", processRounds); err != nil {
		t.Error(err)
	}
	for i, cmd := range cmds {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("writer process %d: %v: %s", i, err, outs[i].String())
			}
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			t.Fatalf("writer process %d hung", i)
		}
		if strings.Contains(outs[i].String(), "locked") {
			t.Errorf("writer process %d saw a lock error: %s", i, outs[i].String())
		}
	}
	checkWriter(t, st, "process-parent", processRounds)
	checkWriter(t, st, "process-0", processRounds)
	checkWriter(t, st, "process-1", processRounds)
	var ok string
	if err := st.db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check = %q, %v", ok, err)
	}
}
