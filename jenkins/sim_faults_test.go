package jenkins_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
)

// Our own client against the simulated Jenkins, under each fault mode the
// simulator can inject: what the client (and so the user) sees.

const simJob = "payments/api-tests"

func simClient(t *testing.T, timeout time.Duration) (*jenkinstest.Server, *jenkins.Client) {
	t.Helper()
	srv := jenkinstest.New(jenkinstest.DemoWorld(), jenkinstest.WithAddr("127.0.0.1:0"))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	user, tok := srv.Credentials()
	c, err := jenkins.New(jenkins.Options{BaseURL: srv.URL(), Username: user, Token: config.NewSecret(tok),
		Timeout: timeout, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestClientAgainstSimHealthy(t *testing.T) {
	_, c := simClient(t, 5*time.Second)
	ctx := context.Background()
	who, err := c.WhoAmI(ctx)
	if err != nil || who.Name == "" || who.JenkinsVersion == "" {
		t.Fatalf("whoami: %+v %v", who, err)
	}
	job, err := c.Job(ctx, simJob)
	if err != nil || job.Kind != jenkins.KindPipeline || len(job.Params) == 0 {
		t.Fatalf("job: %+v %v", job, err)
	}
	builds, err := c.Builds(ctx, simJob, 50)
	if err != nil || len(builds) != 50 {
		t.Fatalf("builds: %d %v", len(builds), err)
	}
	for i := 1; i < len(builds); i++ {
		if builds[i].Number >= builds[i-1].Number {
			t.Fatalf("builds not newest first at %d", i)
		}
	}
	p, err := c.Probe(ctx, simJob)
	if err != nil || p.LastBuild != builds[0].Number {
		t.Fatalf("probe %+v vs newest %d: %v", p, builds[0].Number, err)
	}
}

func TestClientSeesEachSimFault(t *testing.T) {
	ctx := context.Background()

	t.Run("latency beyond the timeout", func(t *testing.T) {
		srv, c := simClient(t, 200*time.Millisecond)
		srv.SetFaults(jenkinstest.Faults{Latency: jenkinstest.Duration(2 * time.Second)})
		start := time.Now()
		_, err := c.Probe(ctx, simJob)
		if jenkins.KindOf(err) != jenkins.ErrorTimeout || !jenkins.IsConn(err) {
			t.Fatalf("want a timeout, got kind %v: %v", jenkins.KindOf(err), err)
		}
		if time.Since(start) > 1500*time.Millisecond {
			t.Errorf("timeout not enforced: %v", time.Since(start))
		}
	})

	t.Run("5xx HTML pages", func(t *testing.T) {
		srv, c := simClient(t, 5*time.Second)
		srv.SetFaults(jenkinstest.Faults{ErrorRate: 1})
		_, err := c.Builds(ctx, simJob, 10)
		if jenkins.KindOf(err) != jenkins.ErrorServer || !jenkins.IsConn(err) {
			t.Fatalf("want a server error, got kind %v: %v", jenkins.KindOf(err), err)
		}
		if !strings.Contains(err.Error(), "HTTP 50") {
			t.Errorf("error does not say the status: %v", err)
		}
		srv.SetFaults(jenkinstest.Faults{})
		if _, err := c.Builds(ctx, simJob, 10); err != nil {
			t.Errorf("after the fault is gone: %v", err)
		}
	})

	t.Run("connection resets", func(t *testing.T) {
		srv, c := simClient(t, 5*time.Second)
		srv.SetFaults(jenkinstest.Faults{ResetRate: 1})
		_, err := c.Probe(ctx, simJob)
		if err == nil || !jenkins.IsConn(err) {
			t.Fatalf("want a connection error, got kind %v: %v", jenkins.KindOf(err), err)
		}
	})

	t.Run("truncated bodies", func(t *testing.T) {
		srv, c := simClient(t, 5*time.Second)
		srv.SetFaults(jenkinstest.Faults{TruncateRate: 1})
		builds, err := c.Builds(ctx, simJob, 50)
		if err == nil {
			t.Fatalf("a truncated list was accepted as %d builds", len(builds))
		}
		if len(builds) != 0 {
			t.Errorf("partial data returned with the error: %d builds", len(builds))
		}
	})

	t.Run("outage then recovery", func(t *testing.T) {
		srv, c := simClient(t, 2*time.Second)
		if err := srv.Outage(700 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		_, err := c.Probe(ctx, simJob)
		if jenkins.KindOf(err) != jenkins.ErrorConnect || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("during the outage: kind %v: %v", jenkins.KindOf(err), err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, err = c.Probe(ctx, simJob); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no recovery after the outage: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("credentials revoked", func(t *testing.T) {
		srv, c := simClient(t, 5*time.Second)
		srv.SetFaults(jenkinstest.Faults{RevokeAfter: 2})
		var err error
		for i := 0; i < 4 && err == nil; i++ {
			_, err = c.Probe(ctx, simJob)
		}
		if !jenkins.IsAuth(err) || jenkins.KindOf(err) != jenkins.ErrorAuth {
			t.Fatalf("want bad credentials, got kind %v: %v", jenkins.KindOf(err), err)
		}
		_, tok := srv.Credentials()
		if strings.Contains(err.Error(), tok) {
			t.Errorf("token in error: %v", err)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		srv, c := simClient(t, 10*time.Second)
		srv.SetFaults(jenkinstest.Faults{Latency: jenkinstest.Duration(3 * time.Second)})
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Probe(cctx, simJob)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		if time.Since(start) > time.Second {
			t.Errorf("cancel took %v", time.Since(start))
		}
	})
}
