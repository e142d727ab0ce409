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

// Concurrent mutations each write the state file: once they have all returned, the file holds
// the newest state (every point), not an older snapshot renamed over it.
func TestConcurrentStateFileWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	srv, _, _ := start(t, Options{StateFile: path})
	now := srv.Now()
	var wg sync.WaitGroup
	const goroutines, each = 8, 40
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := srv.PutMetric("Custom/X", "M", map[string]string{"g": string(rune('a' + g))}, "Count",
					MetricPoint{Time: now.Add(-time.Duration(i) * time.Minute), Value: float64(i)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
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
	if n != goroutines*each {
		t.Errorf("the state file holds %d points after every PutMetric returned, memory %d", n, goroutines*each)
	}
}
