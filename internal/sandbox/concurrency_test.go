package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// The TestConcurrent tests run requests while the sandbox's state changes under them. make test
// also runs them with the race detector (scripts/test.sh), which is what finds a shared slice or
// map; the state-file test checks its result either way.

// PutMetric (and PutMetricData) while GetMetricData reads the same series.
func TestConcurrentPutMetricAndGetMetricData(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	dims := map[string]string{"DBInstanceIdentifier": "mandible-prod"}
	at := now.Add(-30 * time.Minute).Truncate(time.Minute)
	if err := srv.PutMetric("AWS/RDS", MetricCPUUtilization, dims, "Percent", MetricPoint{Time: at, Value: 50}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 200 {
			if err := srv.PutMetric("AWS/RDS", MetricCPUUtilization, dims, "Percent", MetricPoint{Time: at.Add(time.Duration(i%30) * time.Minute), Value: 90}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for range 50 {
			s, e := now.Add(-time.Hour), now
			if _, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &s, EndTime: &e,
				MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("a", "mandible-prod", "CPUUtilization", "Maximum", 60)}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
}

// The request log (GET /_sandbox/log) read while CloudWatch requests fill in their entries.
func TestConcurrentRequestLog(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if resp, err := http.Get(srv.URL() + "/_sandbox/log"); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		}
	}()
	for range 50 {
		s, e := now.Add(-time.Hour), now
		if _, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &s, EndTime: &e,
			MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("a", "mandible-prod", "CPUUtilization", "Maximum", 60)}}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

// Two mutations write the state file at once, the first one's write held up after its snapshot
// (persistPause) until the second has written (or 300 ms): once both have returned, the file holds
// the newer state, not the older snapshot renamed over it.
func TestConcurrentStateFileWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	srv, _, _ := start(t, Options{StateFile: path})
	now := srv.Now()
	firstIn, secondDone := make(chan struct{}), make(chan struct{})
	var once sync.Once
	persistPause = func() {
		first := false
		once.Do(func() { first = true })
		if first {
			close(firstIn)
			select {
			case <-secondDone:
			case <-time.After(300 * time.Millisecond): // the second write waits for this one
			}
		}
	}
	t.Cleanup(func() { persistPause = nil })
	put := func(i int) {
		if err := srv.PutMetric("Custom/X", "M", map[string]string{"k": "v"}, "Count", MetricPoint{Time: now.Add(-time.Duration(i) * time.Minute), Value: float64(i)}); err != nil {
			t.Error(err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); put(1) }()
	<-firstIn
	go func() { defer wg.Done(); put(2); close(secondDone) }()
	wg.Wait()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc stateDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("state file unreadable: %v", err)
	}
	n := 0
	for _, s := range doc.Puts {
		n += len(s.Points)
	}
	if n != 2 {
		t.Errorf("the state file holds %d points after both PutMetric calls returned, memory 2: an older snapshot was written last", n)
	}
}
