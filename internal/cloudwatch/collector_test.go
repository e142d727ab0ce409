package cloudwatch_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// startSandbox starts the in-process AWS emulator with scenario sc and returns it with a real CloudWatch client
// pointed at it. The client's own retries are off so that every attempt shows in the sandbox's request log.
func startSandbox(t testing.TB, sc *sandbox.Scenario) (*sandbox.Server, *awscw.Client) {
	t.Helper()
	srv, err := sandbox.Start(sandbox.Options{Scenario: sc})
	if err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, newClient(srv.URL())
}

func newClient(url string) *awscw.Client {
	return awscw.New(awscw.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  aws.NewCredentialsCache(staticCreds{}),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkhttp.Wrap(nil),
	})
}

type staticCreds struct{}

func (staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKIDSANDBOX", SecretAccessKey: "sandbox-secret", Source: "test"}, nil
}

// scenarioNodes lists every DB instance of a scenario as a collector node.
func scenarioNodes(sc *sandbox.Scenario) []cloudwatch.Node {
	var out []cloudwatch.Node
	for _, c := range sc.Clusters {
		for _, m := range c.Members {
			out = append(out, cloudwatch.Node{ID: m.ID})
		}
	}
	for _, in := range sc.Instances {
		out = append(out, cloudwatch.Node{ID: in.ID})
	}
	return out
}

// recordingSleep records backoff delays instead of sleeping.
type recordingSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (r *recordingSleep) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delays = append(r.delays, d)
	return ctx.Err()
}

func (r *recordingSleep) total() (int, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sum time.Duration
	for _, d := range r.delays {
		sum += d
	}
	return len(r.delays), sum
}

func plan(t testing.TB, srv *sandbox.Server, nodes []cloudwatch.Node, metrics []cloudwatch.Metric, days int, period time.Duration) *cloudwatch.Plan {
	t.Helper()
	now := srv.Now()
	end := now.Truncate(time.Minute)
	p, err := cloudwatch.NewPlan(cloudwatch.Request{Nodes: nodes, Metrics: metrics, Now: now, Period: period,
		Start: end.Add(-time.Duration(days) * 24 * time.Hour), End: end})
	if err != nil {
		t.Fatalf("planning: %v", err)
	}
	return p
}

// TestCollectRequestCountAtLowerBound: for 1, 2, 10 and 100 nodes × the default metrics × 14 and 28 days, the
// sandbox's request log shows exactly the lower-bound number of distinct GetMetricData calls (and at most one
// transport retry), and the data is complete.
func TestCollectRequestCountAtLowerBound(t *testing.T) {
	cases := []struct {
		nodes, days, want int
	}{
		{1, 14, 2}, {2, 14, 4}, {10, 14, 20}, {100, 14, 200},
		{1, 28, 1}, {2, 28, 2}, {10, 28, 8}, {100, 28, 80},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%dnodes_%ddays", tc.nodes, tc.days), func(t *testing.T) {
			if testing.Short() && tc.nodes == 100 {
				t.Skip("100-node collection skipped in -short mode; run without -short")
			}
			sc := sandbox.Fleet(tc.nodes)
			srv, client := startSandbox(t, sc)
			nodes := scenarioNodes(sc)
			if len(nodes) != tc.nodes {
				t.Fatalf("scenario has %d nodes, want %d", len(nodes), tc.nodes)
			}
			p := plan(t, srv, nodes, cloudwatch.DefaultMetrics, tc.days, 0)
			if p.LowerBound != tc.want || len(p.Batches) != tc.want {
				t.Fatalf("plan: %d batches, lower bound %d, want %d", len(p.Batches), p.LowerBound, tc.want)
			}
			col := &cloudwatch.Collector{API: client, Concurrency: 4}
			res, err := col.Collect(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			// A response lost on its way (aws-sdk-go-v2 issue 2737, about one call in 20,000 here) is sent
			// again: the collector counts it as a retry and the sandbox logs the same call twice. One such
			// retry is allowed; every other call must be one of the lower bound's.
			if got, distinct := len(srv.Calls("GetMetricData")), srv.Distinct("GetMetricData"); distinct != tc.want || got != res.Calls {
				t.Errorf("sandbox logged %d GetMetricData calls (%d distinct), want the lower bound %d; the collector counted %d", got, distinct, tc.want, res.Calls)
			}
			if res.Pages != tc.want || res.Calls != res.Pages+res.Retries || res.Retries > 1 {
				t.Errorf("result counters: calls %d pages %d retries %d", res.Calls, res.Pages, res.Retries)
			}
			if len(res.Series) != tc.nodes*len(cloudwatch.DefaultMetrics) {
				t.Fatalf("%d series", len(res.Series))
			}
			for _, n := range nodes {
				s, ok := res.Find(n.ID, "CPUUtilization", "Average")
				if !ok {
					t.Fatalf("no CPU series for %s", n.ID)
				}
				if len(s.Timestamps) != s.Expected() {
					t.Errorf("%s CPU: %d of %d datapoints", n.ID, len(s.Timestamps), s.Expected())
				}
				if err := s.Validate(); err != nil {
					t.Errorf("%s CPU: %v", n.ID, err)
				}
			}
		})
	}
}

// TestCollectMatchesAcrossPackings checks that the data does not depend on how it was packed and paged: the
// same series collected (a) in the planned batches and (b) with tiny pages are identical, and the series keeps
// the sandbox's values (CPU within [0.2, 100]; connections integral).
func TestCollectMatchesAcrossPackings(t *testing.T) {
	sc := sandbox.Demo()
	srv, client := startSandbox(t, sc)
	nodes := scenarioNodes(sc)
	p := plan(t, srv, nodes, cloudwatch.DefaultMetrics, 2, 0)
	a, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	b, err := (&cloudwatch.Collector{API: client, Concurrency: 2, MaxDatapointsPerPage: 5000}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if b.Pages <= len(p.Batches) {
		t.Errorf("MaxDatapoints 5000: %d pages for %d batches, want NextToken paging", b.Pages, len(p.Batches))
	}
	if got := len(srv.Calls("GetMetricData")); got != b.Calls {
		t.Errorf("sandbox logged %d calls, collector counted %d", got, b.Calls)
	}
	// Distinct tokens: a page whose response was lost in transit is retried
	// with the same token (and counted in Calls, not in Pages).
	tokens := map[string]bool{}
	for _, e := range srv.Calls("GetMetricData") {
		if tok := e.Params["NextToken"]; tok != "" {
			tokens[tok] = true
		}
	}
	if len(tokens) != b.Pages-len(p.Batches) {
		t.Errorf("%d distinct NextTokens were sent, want %d", len(tokens), b.Pages-len(p.Batches))
	}
	for i := range a.Series {
		sa, sb := a.Series[i].Series, b.Series[i].Series
		if len(sa.Values) != len(sb.Values) {
			t.Fatalf("%s: %d vs %d points", a.Series[i].Ref, len(sa.Values), len(sb.Values))
		}
		for j := range sa.Values {
			if !sa.Timestamps[j].Equal(sb.Timestamps[j]) || sa.Values[j] != sb.Values[j] {
				t.Fatalf("%s differs at %d", a.Series[i].Ref, j)
			}
		}
	}
	cpu, _ := a.Find("mandible-prod", "CPUUtilization", "Average")
	if cpu.Unit != "Percent" || cpu.Period != time.Minute || len(cpu.Values) != 2*1440 {
		t.Fatalf("mandible CPU: unit %q period %v %d points", cpu.Unit, cpu.Period, len(cpu.Values))
	}
	for _, v := range cpu.Values {
		if v < 0.2 || v > 100 {
			t.Fatalf("CPU value %v out of range", v)
		}
	}
	conns, _ := a.Find("mandible-prod", "DatabaseConnections", "Average")
	for _, v := range conns.Values {
		if v != math.Round(v) {
			t.Fatalf("connections value %v not integral", v)
		}
	}
}

// TestCollectSharesTimestamps: series with the same datapoint times share one timestamp slice, without spare
// capacity; series with other times (a node that missed other minutes) keep their own, and every series has
// the timestamps it has when its node is collected alone.
func TestCollectSharesTimestamps(t *testing.T) {
	t.Run("gap-free", func(t *testing.T) {
		sc := sandbox.Demo()
		srv, client := startSandbox(t, sc)
		res, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), plan(t, srv, scenarioNodes(sc), cloudwatch.DefaultMetrics, 2, 0))
		if err != nil {
			t.Fatal(err)
		}
		distinct := map[*time.Time]int{}
		for _, ns := range res.Series {
			s := ns.Series
			if len(s.Timestamps) == 0 {
				continue // a metric the node does not publish
			}
			distinct[&s.Timestamps[0]]++
			if cap(s.Timestamps) != len(s.Timestamps) || len(s.Timestamps) != s.Expected() {
				t.Errorf("%s: %d timestamps (cap %d), want %d and no spare capacity", ns.Ref, len(s.Timestamps), cap(s.Timestamps), s.Expected())
			}
		}
		if len(distinct) != 1 {
			t.Errorf("complete series over one window use %d timestamp slices, want 1", len(distinct))
		}
	})
	t.Run("holes", func(t *testing.T) {
		sc := sandbox.Holes()
		srv, client := startSandbox(t, sc)
		nodes := scenarioNodes(sc)
		res, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), plan(t, srv, nodes, cloudwatch.DefaultMetrics, 2, 0))
		if err != nil {
			t.Fatal(err)
		}
		owner := map[*time.Time]string{} // slice → the node whose series use it
		for _, n := range nodes {
			alone, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), plan(t, srv, []cloudwatch.Node{n}, cloudwatch.DefaultMetrics, 2, 0))
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range alone.Series {
				m, want := a.Ref.Metric, a.Series
				got, _ := res.Find(n.ID, m.Name, a.Ref.Stat)
				if !slices.EqualFunc(got.Timestamps, want.Timestamps, time.Time.Equal) || !slices.Equal(got.Values, want.Values) {
					t.Fatalf("%s %s: %d datapoints in the fleet, %d collected alone, or other times or values",
						n.ID, m.Name, len(got.Timestamps), len(want.Timestamps))
				}
				if len(got.Timestamps) == 0 {
					continue
				}
				if len(got.Timestamps) == got.Expected() {
					t.Errorf("%s %s: no datapoint missing; the holes scenario should leave some out", n.ID, m.Name)
				}
				if o, ok := owner[&got.Timestamps[0]]; ok && o != n.ID {
					t.Errorf("%s %s shares its timestamps with %s, which missed other minutes", n.ID, m.Name, o)
				}
				owner[&got.Timestamps[0]] = n.ID
			}
		}
		if len(owner) != len(nodes) {
			t.Errorf("%d timestamp slices for %d nodes, want one per node (each misses its own minutes)", len(owner), len(nodes))
		}
	})
}

// TestCollectMatchesRawGetMetricData compares every collected series with the same query sent alone through the
// SDK over the whole window: the datapoints in the window, in time order, without NaN values. With a 1-minute
// period the datapoints lie on the plan's period grid (the slot path); with a 7-minute period the sandbox's
// datapoints (aligned to the Unix epoch) lie 60 s off the plan's grid (aligned to Go's zero time), which takes the
// path that sorts the datapoints. Every result also repeats its last datapoint with another value (dupAPI): the
// first one must be kept.
func TestCollectMatchesRawGetMetricData(t *testing.T) {
	sc := sandbox.Holes()
	srv, client := startSandbox(t, sc)
	nodes := scenarioNodes(sc)
	for _, period := range []time.Duration{time.Minute, 7 * time.Minute} {
		p := plan(t, srv, nodes, cloudwatch.DefaultMetrics, 14, period)
		dup := &dupAPI{next: client}
		res, err := (&cloudwatch.Collector{API: dup}).Collect(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if dup.repeated.Load() == 0 {
			t.Fatalf("period %v: no datapoint was repeated", period)
		}
		offGrid, points := 0, 0
		for _, ns := range res.Series {
			want := rawSeries(t, client, p, ns.Ref)
			got := ns.Series
			if !slices.EqualFunc(got.Timestamps, want.Timestamps, time.Time.Equal) || !slices.Equal(got.Values, want.Values) {
				t.Fatalf("period %v, %s: collected %d datapoints, the raw query %d, or other times or values",
					period, ns.Ref, len(got.Timestamps), len(want.Timestamps))
			}
			for _, ts := range got.Timestamps {
				if ts.Sub(p.Start)%period != 0 {
					offGrid++
				}
			}
			points += len(got.Timestamps)
		}
		if points == 0 || (period == time.Minute) != (offGrid == 0) {
			t.Errorf("period %v: %d of %d datapoints off the plan's grid; the test no longer covers the path it names", period, offGrid, points)
		}
	}
}

// dupAPI delegates to the real client and repeats the last datapoint of each result, with the value plus 1000, as
// a page that overlapped an earlier one would.
type dupAPI struct {
	next     cloudwatch.API
	repeated atomic.Int64
}

func (a *dupAPI) GetMetricData(ctx context.Context, in *awscw.GetMetricDataInput, opts ...func(*awscw.Options)) (*awscw.GetMetricDataOutput, error) {
	out, err := a.next.GetMetricData(ctx, in, opts...)
	if err == nil {
		for i := range out.MetricDataResults {
			r := &out.MetricDataResults[i]
			if n := len(r.Timestamps); n > 0 {
				r.Timestamps, r.Values = append(r.Timestamps, r.Timestamps[n-1]), append(r.Values, r.Values[n-1]+1000)
				a.repeated.Add(1)
			}
		}
	}
	return out, err
}

// rawSeries fetches one plan series with a single paginated GetMetricData query over the plan's window.
func rawSeries(t *testing.T, client *awscw.Client, p *cloudwatch.Plan, ref cloudwatch.SeriesRef) analysis.Series {
	t.Helper()
	dims := []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(ref.Node.ID)}}
	if len(ref.Node.Dimensions) > 0 {
		dims = nil
		for _, d := range ref.Node.Dimensions {
			dims = append(dims, cwtypes.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
		}
	}
	in := &awscw.GetMetricDataInput{StartTime: aws.Time(p.Start), EndTime: aws.Time(p.End), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("raw"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(p.Namespace), MetricName: aws.String(ref.Metric.Name), Dimensions: dims},
			Period: aws.Int32(int32(p.Period / time.Second)), Stat: aws.String(ref.Stat)}}}}
	s := analysis.Series{Timestamps: []time.Time{}, Values: []float64{}}
	for pg := awscw.NewGetMetricDataPaginator(client, in); pg.HasMorePages(); {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatalf("raw query for %s: %v", ref, err)
		}
		for _, r := range out.MetricDataResults {
			for i, ts := range r.Timestamps {
				if v := r.Values[i]; !math.IsNaN(v) && !ts.Before(p.Start) && ts.Before(p.End) {
					s.Timestamps, s.Values = append(s.Timestamps, ts.UTC()), append(s.Values, v)
				}
			}
		}
	}
	return s
}

// TestCollectPerNodeStats: a node with its own statistic (Node.Stats) is collected with it, beside a node of the
// same dimensions read with the Request's: the demo Aurora cluster's READER role read with Average for every
// Aurora metric, plus the SampleCount of its DatabaseConnections under its own ID, in the plan's lower bound of
// requests. Each series equals a raw GetMetricData query of its own statistic, and the SampleCount is the
// reader-minutes of each 5-minute period (one reader: 5).
func TestCollectPerNodeStats(t *testing.T) {
	sc := sandbox.Demo()
	srv, client := startSandbox(t, sc)
	role := []cloudwatch.Dimension{{Name: "DBClusterIdentifier", Value: "sso-prod"}, {Name: "Role", Value: "READER"}}
	conns := cloudwatch.Metric{Name: "DatabaseConnections", Unit: "Count"}
	nodes := []cloudwatch.Node{
		{ID: "sso-prod/READER", Dimensions: role, Metrics: cloudwatch.AuroraMetrics},
		{ID: "sso-prod/READER/count", Dimensions: role, Metrics: []cloudwatch.Metric{conns}, Stats: []string{"SampleCount"}},
		{ID: "mandible-prod", Metrics: cloudwatch.DefaultMetrics},
	}
	p := plan(t, srv, nodes, nil, 7, 5*time.Minute)
	if n := 2*len(cloudwatch.DefaultMetrics) + 1; len(p.Series) != n || p.LowerBound != cloudwatch.LowerBound(n, p.PointsPerSeries) {
		t.Fatalf("plan: %d series, lower bound %d, want %d series", len(p.Series), p.LowerBound, n)
	}
	srv.ResetLog()
	res, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if distinct := srv.Distinct("GetMetricData"); distinct != p.LowerBound {
		t.Errorf("%d distinct GetMetricData calls, want the lower bound %d", distinct, p.LowerBound)
	}
	for _, ns := range res.Series {
		want := rawSeries(t, client, p, ns.Ref)
		if got := ns.Series; !slices.EqualFunc(got.Timestamps, want.Timestamps, time.Time.Equal) || !slices.Equal(got.Values, want.Values) {
			t.Fatalf("%s: collected %d datapoints, the raw query %d, or other times or values", ns.Ref, len(got.Timestamps), len(want.Timestamps))
		}
	}
	cnt, ok := res.Find("sso-prod/READER/count", "DatabaseConnections", "SampleCount")
	if !ok || len(cnt.Values) != p.PointsPerSeries {
		t.Fatalf("the READER SampleCount: found %v, %d points, want %d", ok, len(cnt.Values), p.PointsPerSeries)
	}
	for i, v := range cnt.Values {
		if v != 5 {
			t.Fatalf("the READER SampleCount at %s = %v, want 5 (one reader, 5 minutes)", cnt.Timestamps[i].Format(time.RFC3339), v)
		}
	}
	avg, ok := res.Find("sso-prod/READER", "DatabaseConnections", "Average")
	if !ok || len(avg.Values) != p.PointsPerSeries || slices.Equal(avg.Values, cnt.Values) {
		t.Errorf("the READER Average: found %v, %d points, want %d other than the SampleCount", ok, len(avg.Values), p.PointsPerSeries)
	}
	for _, k := range []struct{ node, stat string }{{"sso-prod/READER/count", "Average"}, {"sso-prod/READER", "SampleCount"}, {"mandible-prod", "SampleCount"}} {
		if _, ok := res.Find(k.node, "DatabaseConnections", k.stat); ok {
			t.Errorf("%s DatabaseConnections %s found: it was not planned", k.node, k.stat)
		}
	}
}

// TestCollectGapsForMissingData: the `short` scenario has 3 days of history, so a 14-day window has gaps (absent
// timestamps), and a metric the node does not publish is an empty series, not an error.
func TestCollectGapsForMissingData(t *testing.T) {
	sc := sandbox.ShortHistory()
	srv, client := startSandbox(t, sc)
	p := plan(t, srv, []cloudwatch.Node{{ID: "mandible-prod"}}, cloudwatch.DefaultMetrics, 14, 0)
	res, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	cpu, _ := res.Find("mandible-prod", "CPUUtilization", "Average")
	if n := len(cpu.Timestamps); n == 0 || n > 3*1440 || n >= cpu.Expected() {
		t.Errorf("CPU has %d of %d points, want about 3 days", n, cpu.Expected())
	}
	if err := cpu.Validate(); err != nil {
		t.Error(err)
	}
	if first := cpu.Timestamps[0]; first.Before(srv.Now().Add(-3*24*time.Hour - time.Minute)) {
		t.Errorf("first datapoint %v is before the 3-day history", first)
	}
	lag, ok := res.Find("mandible-prod", "ReplicaLag", "Average")
	if !ok || len(lag.Values) != 0 {
		t.Errorf("ReplicaLag of a Multi-AZ instance: ok %v, %d points, want an empty series", ok, len(lag.Values))
	}
}

// TestCollectRetriesThrottling: with half of all GetMetricData calls throttled, collection still succeeds within
// the retry budget, without sleeping for real, and returns the same data as an unthrottled run.
func TestCollectRetriesThrottling(t *testing.T) {
	sc := sandbox.Fleet(10)
	srv, client := startSandbox(t, sc)
	p := plan(t, srv, scenarioNodes(sc), cloudwatch.DefaultMetrics, 14, 0)
	clean, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	srv.SetErrorRate("GetMetricData", 0.5, sandbox.FaultThrottling)
	rec := &recordingSleep{}
	col := &cloudwatch.Collector{API: client, Concurrency: 4, Sleep: rec.sleep,
		Retry: cloudwatch.RetryPolicy{MaxAttempts: 30, Budget: 5 * time.Minute}}
	res, err := col.Collect(context.Background(), p)
	if err != nil {
		t.Fatalf("collect with 50%% throttling: %v", err)
	}
	calls := srv.Calls("GetMetricData")
	throttled := 0
	for _, e := range calls {
		if e.ErrorCode == "Throttling" {
			throttled++
		}
	}
	if throttled == 0 || throttled != res.Retries || len(calls) != res.Calls || res.Calls != len(p.Batches)+res.Retries {
		t.Errorf("log: %d calls, %d throttled; result: %d calls, %d retries, %d batches", len(calls), throttled, res.Calls, res.Retries, len(p.Batches))
	}
	n, slept := rec.total()
	if n != res.Retries || slept != res.Slept || slept <= 0 {
		t.Errorf("recorded %d sleeps (%v), result says %d retries (%v)", n, slept, res.Retries, res.Slept)
	}
	for i := range clean.Series {
		if len(clean.Series[i].Series.Values) != len(res.Series[i].Series.Values) {
			t.Fatalf("%s: %d points throttled vs %d clean", clean.Series[i].Ref, len(res.Series[i].Series.Values), len(clean.Series[i].Series.Values))
		}
	}
	t.Logf("50%% throttling: %d batches took %d calls (%d throttled), %v of virtual backoff", len(p.Batches), res.Calls, throttled, res.Slept)
}

func TestCollectRetries5xx(t *testing.T) {
	srv, client := startSandbox(t, sandbox.Demo())
	p := plan(t, srv, []cloudwatch.Node{{ID: "mandible-prod"}}, cloudwatch.DefaultMetrics[:3], 1, 0)
	srv.InjectSequence("GetMetricData", sandbox.FaultHTTP500, sandbox.FaultHTTP500)
	rec := &recordingSleep{}
	res, err := (&cloudwatch.Collector{API: client, Sleep: rec.sleep, Jitter: func() float64 { return 0 }}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Calls != 3 || res.Retries != 2 || len(srv.Calls("GetMetricData")) != 3 {
		t.Errorf("calls %d retries %d logged %d", res.Calls, res.Retries, len(srv.Calls("GetMetricData")))
	}
	// Zero jitter: delays are half of 100 ms, 200 ms.
	if len(rec.delays) != 2 || rec.delays[0] != 50*time.Millisecond || rec.delays[1] != 100*time.Millisecond {
		t.Errorf("backoff delays %v", rec.delays)
	}
}

// TestCollectPermanentErrors: a non-retryable error and an exhausted retry budget both fail with an error that
// names the metric and the node.
func TestCollectPermanentErrors(t *testing.T) {
	srv, client := startSandbox(t, sandbox.Demo())
	metrics := []cloudwatch.Metric{{Name: "CPUUtilization", Unit: "Percent"}}
	p := plan(t, srv, []cloudwatch.Node{{ID: "sso-prod-instance-1"}}, metrics, 1, 0)

	srv.InjectFaults(sandbox.FaultRule{Operation: "GetMetricData", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 400, Code: "InvalidParameterValue", Message: "bad dimension"}}})
	_, err := (&cloudwatch.Collector{API: client}).Collect(context.Background(), p)
	var be *cloudwatch.BatchError
	if !errors.As(err, &be) || be.Throttled || be.Attempts != 1 {
		t.Fatalf("want a non-throttled *BatchError after 1 attempt, got %v", err)
	}
	for _, want := range []string{"CPUUtilization", "sso-prod-instance-1", "InvalidParameterValue"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}

	srv.ClearFaults()
	srv.ResetLog()
	srv.SetErrorRate("GetMetricData", 1, sandbox.FaultThrottling)
	rec := &recordingSleep{}
	_, err = (&cloudwatch.Collector{API: client, Sleep: rec.sleep, Retry: cloudwatch.RetryPolicy{MaxAttempts: 4}}).Collect(context.Background(), p)
	if !errors.As(err, &be) || !be.Throttled || be.Attempts != 4 {
		t.Fatalf("want a throttled *BatchError after 4 attempts, got %v", err)
	}
	if !strings.Contains(err.Error(), "CPUUtilization") || !strings.Contains(err.Error(), "sso-prod-instance-1") || !cloudwatch.Retryable(be.Err) {
		t.Errorf("error %q", err)
	}
	if got := len(srv.Calls("GetMetricData")); got != 4 {
		t.Errorf("%d calls logged, want 4", got)
	}

	// A small time budget stops retrying before MaxAttempts.
	srv.ResetLog()
	_, err = (&cloudwatch.Collector{API: client, Sleep: rec.sleep, Jitter: func() float64 { return 0 },
		Retry: cloudwatch.RetryPolicy{MaxAttempts: 50, BaseDelay: time.Second, MaxDelay: time.Second, Budget: 2 * time.Second}}).Collect(context.Background(), p)
	if !errors.As(err, &be) || !be.Throttled || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("want budget exhaustion, got %v", err)
	}
	if got := len(srv.Calls("GetMetricData")); got != 5 { // 4 half-second sleeps fit in 2 s
		t.Errorf("%d calls within a 2 s budget of 0.5 s sleeps, want 5", got)
	}
}

func TestCollectCancelled(t *testing.T) {
	srv, client := startSandbox(t, sandbox.Demo())
	p := plan(t, srv, scenarioNodes(srv.Scenario()), cloudwatch.DefaultMetrics, 1, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&cloudwatch.Collector{API: client}).Collect(ctx, p); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if _, err := (&cloudwatch.Collector{}).Collect(context.Background(), p); err == nil {
		t.Error("collector without API accepted")
	}
}

// The consumer-side interface is satisfied by the real client.
var _ cloudwatch.API = (*awscw.Client)(nil)

// inflightAPI delegates to the real client and records the most calls in flight at once.
type inflightAPI struct {
	next cloudwatch.API
	mu   sync.Mutex
	cur  int
	peak int
}

func (a *inflightAPI) GetMetricData(ctx context.Context, in *awscw.GetMetricDataInput, opts ...func(*awscw.Options)) (*awscw.GetMetricDataOutput, error) {
	a.mu.Lock()
	a.cur++
	a.peak = max(a.peak, a.cur)
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.cur--
		a.mu.Unlock()
	}()
	return a.next.GetMetricData(ctx, in, opts...)
}

func TestCollectBoundedConcurrency(t *testing.T) {
	sc := sandbox.Fleet(10)
	srv, client := startSandbox(t, sc)
	p := plan(t, srv, scenarioNodes(sc), cloudwatch.DefaultMetrics, 14, 0)
	api := &inflightAPI{next: client}
	if _, err := (&cloudwatch.Collector{API: api, Concurrency: 3}).Collect(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if api.peak > 3 || api.peak < 1 {
		t.Errorf("peak in-flight GetMetricData calls %d, want 1..3", api.peak)
	}
	t.Logf("%d batches, peak %d in flight (limit 3)", len(p.Batches), api.peak)
}

// TestCollectTransportErrors: a connection reset mid-request is retried; a refused connection (nothing listening)
// fails at once, naming the metric and node.
func TestCollectTransportErrors(t *testing.T) {
	srv, client := startSandbox(t, sandbox.Demo())
	p := plan(t, srv, []cloudwatch.Node{{ID: "mandible-prod"}}, cloudwatch.DefaultMetrics[:2], 1, 0)
	srv.InjectSequence("GetMetricData", sandbox.FaultConnReset)
	rec := &recordingSleep{}
	res, err := (&cloudwatch.Collector{API: client, Sleep: rec.sleep}).Collect(context.Background(), p)
	if err != nil {
		t.Fatalf("after a connection reset: %v", err)
	}
	if res.Retries != 1 || len(srv.Calls("GetMetricData")) != 2 {
		t.Errorf("retries %d, logged calls %d; want 1 and 2", res.Retries, len(srv.Calls("GetMetricData")))
	}

	url := srv.URL()
	_ = srv.Close()
	res, err = (&cloudwatch.Collector{API: newClient(url), Sleep: rec.sleep}).Collect(context.Background(), p)
	var be *cloudwatch.BatchError
	if !errors.As(err, &be) || be.Attempts != 1 || res.Retries != 0 || !strings.Contains(err.Error(), "mandible-prod") {
		t.Errorf("refused connection: %v (retries %d)", err, res.Retries)
	}
}
