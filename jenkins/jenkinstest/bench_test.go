package jenkinstest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchServe measures the server answering one request in-process (no
// network): the cost the simulator adds to a client's tests and benchmarks.
func benchServe(b *testing.B, path string) {
	srv := New(nil, WithNow(newClock().now))
	h := srv.Handler()
	req := httptest.NewRequest("GET", path, nil)
	req.SetBasicAuth("admin", adminToken)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
		n = rec.Body.Len()
	}
	b.SetBytes(int64(n))
}

func BenchmarkServeBuildsPoll(b *testing.B) {
	benchServe(b, "/job/payments/job/api-tests/api/json?tree=builds[number,result,building,inProgress,timestamp,duration,estimatedDuration,queueId]{0,20}")
}

func BenchmarkServeJobDepth1(b *testing.B) {
	benchServe(b, "/job/payments/job/api-tests/api/json?depth=1")
}

func BenchmarkServeAllBuilds(b *testing.B) {
	benchServe(b, "/job/payments/job/api-tests/api/json?tree=allBuilds[number,result,actions[causes[shortDescription],parameters[name,value]]]")
}

func BenchmarkServeProgressiveText(b *testing.B) {
	benchServe(b, "/job/payments/job/api-tests/129/logText/progressiveText?start=0")
}

func BenchmarkServeTestReport(b *testing.B) {
	benchServe(b, "/job/payments/job/api-tests/129/testReport/api/json")
}

func BenchmarkNewDemoServer(b *testing.B) {
	w := DemoWorld()
	b.ReportAllocs()
	for b.Loop() {
		New(w, WithNow(newClock().now))
	}
}
