package sandbox

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// benchmarkGetMetricData pages through GetMetricData for `queries` queries
// (spread over the demo nodes and metrics) over 28 days at `period` seconds,
// with the real SDK client. It reports datapoints and pages per operation.
func benchmarkGetMetricData(b *testing.B, queries int, period int32) {
	srv, _, cc := start(b, Options{Scenario: Fleet(100)})
	nodes := sortedKeys(srv.st.Nodes)
	metrics := []string{MetricCPUUtilization, MetricFreeableMemory, MetricDatabaseConnections, MetricReadIOPS, MetricWriteIOPS}
	var qs []cwtypes.MetricDataQuery
	for i := 0; i < queries; i++ {
		qs = append(qs, rdsQuery(fmt.Sprintf("q%d", i), nodes[i%len(nodes)], metrics[(i/len(nodes))%len(metrics)], "Average", period))
	}
	now := srv.Now()
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-28 * 24 * time.Hour)), EndTime: &now, MetricDataQueries: qs}
	ctx := context.Background()
	b.ResetTimer()
	var points, pages int
	for i := 0; i < b.N; i++ {
		points, pages = 0, 0
		p := cloudwatch.NewGetMetricDataPaginator(cc, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			pages++
			for _, r := range out.MetricDataResults {
				points += len(r.Values)
			}
		}
	}
	b.ReportMetric(float64(points), "datapoints/op")
	b.ReportMetric(float64(pages), "pages/op")
}

// BenchmarkGetMetricData500x28d1m is the figure: 500 queries × 28 days
// at 1-minute resolution (1-minute data is kept 15 days, so 500 × 21,600
// datapoints over 108 pages).
func BenchmarkGetMetricData500x28d1m(b *testing.B) { benchmarkGetMetricData(b, 500, 60) }

// BenchmarkGetMetricData500x28d5m: 500 queries × 28 days at 5 minutes.
func BenchmarkGetMetricData500x28d5m(b *testing.B) { benchmarkGetMetricData(b, 500, 300) }

// BenchmarkGetMetricData10x14d1m: a typical provider call (10 queries, 14 days, 1 minute).
func BenchmarkGetMetricData10x14d1m(b *testing.B) { benchmarkGetMetricData(b, 10, 60) }

// BenchmarkGetMetricData50x28d5m: 50 queries × 28 days at 5 minutes (one page).
func BenchmarkGetMetricData50x28d5m(b *testing.B) { benchmarkGetMetricData(b, 50, 300) }

// BenchmarkGetMetricDataServerOnly500x28d1m measures the sandbox's share of
// BenchmarkGetMetricData500x28d1m: the same pages computed in-process, without
// HTTP, CBOR or the SDK.
func BenchmarkGetMetricDataServerOnly500x28d1m(b *testing.B) {
	srv, _, _ := start(b, Options{Scenario: Fleet(100)})
	nodes := sortedKeys(srv.st.Nodes)
	var qs []cwQuery
	for i := 0; i < 500; i++ {
		qs = append(qs, cwQuery{Id: fmt.Sprintf("q%d", i), MetricStat: &cwMetricStat{Metric: cwMetric{Namespace: "AWS/RDS", MetricName: MetricCPUUtilization,
			Dimensions: []cwDimension{{"DBInstanceIdentifier", nodes[i%len(nodes)]}}}, Period: 60, Stat: "Average"}})
	}
	now := srv.Now()
	b.ResetTimer()
	points := 0
	for i := 0; i < b.N; i++ {
		points = 0
		in := &getMetricDataIn{MetricDataQueries: qs, StartTime: now.Add(-28 * 24 * time.Hour), EndTime: now}
		for {
			srv.mu.RLock()
			out, e := srv.getMetricData(in, now)
			srv.mu.RUnlock()
			if e != nil {
				b.Fatal(e.Message)
			}
			o := out.(*getMetricDataOut)
			for _, r := range o.MetricDataResults {
				points += len(r.Values)
			}
			if o.NextToken == "" {
				break
			}
			in.NextToken = o.NextToken
		}
	}
	b.ReportMetric(float64(points), "datapoints/op")
}
