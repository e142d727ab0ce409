package cloudwatch_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// naiveCollect is the approach the collector replaces: one GetMetricStatistics call per node × metric × window of
// 1,440 datapoints (the API's per-call limit), with the same concurrency. It returns the calls made and points read.
func naiveCollect(ctx context.Context, client *awscw.Client, nodes []cloudwatch.Node, metrics []cloudwatch.Metric,
	start, end time.Time, period time.Duration, concurrency int) (calls, points int64, err error) {
	type job struct {
		node   string
		metric string
		from   time.Time
		to     time.Time
	}
	jobs := make(chan job)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				out, err := client.GetMetricStatistics(ctx, &awscw.GetMetricStatisticsInput{
					Namespace:  aws.String(cloudwatch.DefaultNamespace),
					MetricName: aws.String(j.metric),
					Dimensions: []types.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(j.node)}},
					StartTime:  aws.Time(j.from), EndTime: aws.Time(j.to),
					Period:     aws.Int32(int32(period / time.Second)),
					Statistics: []types.Statistic{types.StatisticAverage},
				})
				atomic.AddInt64(&calls, 1)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("GetMetricStatistics %s %s: %w", j.metric, j.node, err)
					}
					mu.Unlock()
					continue
				}
				atomic.AddInt64(&points, int64(len(out.Datapoints)))
			}
		}()
	}
	window := 1440 * period
	for _, n := range nodes {
		for _, m := range metrics {
			for t := start; t.Before(end); t = t.Add(window) {
				jobs <- job{n.ID, m.Name, t, minTime(t.Add(window), end)}
			}
		}
	}
	close(jobs)
	wg.Wait()
	return calls, points, firstErr
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// BenchmarkFleetCollection compares, in the same run, collecting a 100-node fleet × the 10 default metrics × 14
// days (60 s period) from the in-process sandbox with the planned GetMetricData batches versus the naive
// GetMetricStatistics approach. It reports requests per collection (from the sandbox's request log, retries
// included) and datapoints read; ns/op is the time of one whole-fleet collection. In-process, time is dominated
// by the sandbox generating the same 16.8 M datapoints for both, so the times are close and noisy on a shared
// machine; the request count is the stable figure (against CloudWatch it is what throttling and quotas meter).
// The planned run also reports memory: retained-B/datapoint is the live heap the Result holds per datapoint (8 bytes
// of value, plus the shared timestamps), and peak-heap-MB the highest heap sampled during the collections, the
// in-process sandbox's allocations included. Run: go test -run '^$' -bench FleetCollection -benchtime 1x ./internal/cloudwatch/
func BenchmarkFleetCollection(b *testing.B) {
	const nodes, days = 100, 14
	sc := sandbox.Fleet(nodes)
	srv, client := startSandbox(b, sc)
	ns := scenarioNodes(sc)
	now := srv.Now()
	end := now.Truncate(time.Minute)
	start := end.Add(-days * 24 * time.Hour)

	b.Run("planned_GetMetricData", func(b *testing.B) {
		p, err := cloudwatch.NewPlan(cloudwatch.Request{Nodes: ns, Metrics: cloudwatch.DefaultMetrics, Start: start, End: end, Now: now})
		if err != nil {
			b.Fatal(err)
		}
		col := &cloudwatch.Collector{API: client, Concurrency: 4}
		var res *cloudwatch.Result
		before := heapAfterGC()
		peak := sampleHeapPeak()
		for b.Loop() {
			srv.ResetLog()
			res, err = col.Collect(context.Background(), p)
			if err != nil {
				b.Fatal(err)
			}
		}
		high := peak()
		pts := 0
		for _, s := range res.Series {
			pts += len(s.Series.Values)
		}
		retained := heapAfterGC() - before // the last Result, and the sandbox's request log
		b.ReportMetric(float64(len(srv.Calls("GetMetricData"))), "requests/op")
		b.ReportMetric(float64(pts), "datapoints/op")
		b.ReportMetric(float64(p.LowerBound), "lowerbound")
		b.ReportMetric(float64(retained)/float64(pts), "retained-B/datapoint")
		b.ReportMetric(float64(high-before)/(1<<20), "peak-heap-MB") // the in-process sandbox's allocations included
		runtime.KeepAlive(res)
	})
	b.Run("naive_GetMetricStatistics", func(b *testing.B) {
		// The naive client keeps the SDK's standard retryer (the collector does its own retries).
		naive := awscw.New(awscw.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
			Credentials: aws.NewCredentialsCache(staticCreds{}), Retryer: retry.NewStandard(), HTTPClient: sdkhttp.Wrap(nil)})
		var calls, pts int64
		for b.Loop() {
			var err error
			srv.ResetLog()
			calls, pts, err = naiveCollect(context.Background(), naive, ns, cloudwatch.DefaultMetrics, start, end, time.Minute, 4)
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(srv.Calls("GetMetricStatistics"))), "requests/op") // including SDK retries
		b.ReportMetric(float64(calls), "calls/op")
		b.ReportMetric(float64(pts), "datapoints/op")
	})
}

// heapAfterGC returns the bytes of live heap objects after a collection.
func heapAfterGC() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// sampleHeapPeak samples the bytes of heap objects every 5 ms until the returned function is called, which
// returns the highest sample.
func sampleHeapPeak() func() int64 {
	var high atomic.Int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > high.Load() {
				high.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return high.Load()
	}
}
