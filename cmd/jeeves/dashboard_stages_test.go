package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jeeves-dev/jeeves/config"
	"github.com/jeeves-dev/jeeves/jenkins/jenkinstest"
	"github.com/jeeves-dev/jeeves/store"
	"github.com/jeeves-dev/jeeves/ui"
)

// The dashboard's store gives the ui its stages: a finished build's from
// Jenkins once, then from the store.
func TestDashboardStoreFetchesStagesOnce(t *testing.T) {
	srv := e2eSim(t, jenkinstest.DemoWorld())
	c := e2eClient(t, srv)
	st, err := store.Open(filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ss ui.StageStore = storeAdapter{st}
	ctx := context.Background()
	in := config.Integration{Nickname: "pay", URL: srv.URL(), Job: "payments/api-tests"}
	b, err := c.Build(ctx, in.Job, 129)
	if err != nil || b.Building {
		t.Fatalf("#129: %+v %v", b, err)
	}
	srv.ResetStats()
	for i := range 3 {
		got, err := ss.FetchStages(ctx, c, in, b)
		if err != nil || len(got.List) != 5 || !got.Final {
			t.Fatalf("fetch %d: %+v %v", i, got, err)
		}
	}
	if n := srv.Stats()["wfapi"].Requests; n != 1 {
		t.Fatalf("%d wfapi requests for three fetches of a finished build, want 1", n)
	}
}
