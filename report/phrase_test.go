package report

import "testing"

func TestRequestsPhrase(t *testing.T) {
	ok := Execution{Assertions: []Assertion{{Status: Passed}, {Status: Skipped}}}
	bad := Execution{Assertions: []Assertion{{Status: Passed}, {Status: Failed}}}
	sendErr := Execution{Error: "connect ECONNREFUSED 127.0.0.1:9"}
	cases := []struct {
		run  CollectionRun
		want string
	}{
		{CollectionRun{Requests: Counts{Total: 2}, Executions: []Execution{ok, ok}}, "2 requests"},
		{CollectionRun{Requests: Counts{Total: 1}, Executions: []Execution{ok}}, "1 request"},
		{CollectionRun{Requests: Counts{Total: 1}, Executions: []Execution{bad}}, "1 request, 1 failing"},
		{CollectionRun{}, "0 requests"},
		{CollectionRun{Requests: Counts{Total: 3}, Executions: []Execution{ok, bad, bad}}, "3 requests, 2 failing"},
		{CollectionRun{Requests: Counts{Total: 3, Failed: 1}, Executions: []Execution{ok, bad, sendErr}}, "3 requests, 2 failing (1 not sent)"},
	}
	for _, c := range cases {
		if got := c.run.RequestsPhrase(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}
