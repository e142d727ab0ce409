package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

func rdsQuery(id, node, metric, stat string, period int32) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(node)}}},
		Period: aws.Int32(period), Stat: aws.String(stat)}}
}

func TestGetMetricDataStatsAgree(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	start, end := now.Add(-2*time.Hour), now
	var qs []cwtypes.MetricDataQuery
	for i, st := range []string{"Average", "Sum", "Minimum", "Maximum", "SampleCount", "p50", "p99", "p99.9"} {
		qs = append(qs, rdsQuery(fmt.Sprintf("q%d", i), "mandible-prod", "CPUUtilization", st, 300))
	}
	qs = append(qs, rdsQuery("raw", "mandible-prod", "CPUUtilization", "Average", 60))
	out, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &end,
		MetricDataQueries: qs, ScanBy: cwtypes.ScanByTimestampAscending})
	if err != nil {
		t.Fatal(err)
	}
	r := map[string]cwtypes.MetricDataResult{}
	for _, x := range out.MetricDataResults {
		r[aws.ToString(x.Id)] = x
	}
	raw := r["raw"].Values
	if len(raw) != 120 {
		t.Fatalf("raw points %d, want 120", len(raw))
	}
	if !r["raw"].Timestamps[0].Before(r["raw"].Timestamps[1]) || !r["raw"].Timestamps[0].Equal(start) {
		t.Errorf("ascending timestamps should start at %v: %v", start, r["raw"].Timestamps[:2])
	}
	for b := 0; b < 24; b++ {
		win := raw[b*5 : b*5+5]
		sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
		for _, v := range win {
			sum, lo, hi = sum+v, math.Min(lo, v), math.Max(hi, v)
		}
		checks := map[string]float64{"q0": sum / 5, "q1": sum, "q2": lo, "q3": hi, "q4": 5, "q6": hi, "q7": hi}
		for id, want := range checks {
			if got := r[id].Values[b]; math.Abs(got-want) > 1e-9 {
				t.Fatalf("bucket %d %s = %v, want %v", b, id, got, want)
			}
		}
		if p50 := r["q5"].Values[b]; p50 < lo || p50 > hi {
			t.Fatalf("p50 %v outside [%v,%v]", p50, lo, hi)
		}
	}
}

func TestGetMetricDataPagingAndLimits(t *testing.T) {
	srv, _, cc := start(t, Options{Scenario: Fleet(10)})
	ctx := context.Background()
	now := srv.Now()
	start := now.Add(-14 * 24 * time.Hour)
	// 10 nodes × 14 days × 1440 = 201,600 points: 2 pages at 100,800.
	var qs []cwtypes.MetricDataQuery
	for _, id := range sortedKeys(srv.st.Nodes) {
		qs = append(qs, rdsQuery("n_"+fmt.Sprint(len(qs)), id, "CPUUtilization", "Maximum", 60))
	}
	if len(qs) != 10 {
		t.Fatalf("fleet-10 has %d nodes", len(qs))
	}
	in := &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &now, MetricDataQueries: qs}
	p := cloudwatch.NewGetMetricDataPaginator(cc, in)
	perID := map[string]int{}
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pages++; pages > 100 {
			t.Fatal("over 100 pages: NextToken does not advance")
		}
		n := 0
		for _, r := range out.MetricDataResults {
			n += len(r.Values)
			perID[aws.ToString(r.Id)] += len(r.Values)
			if len(r.Values) != len(r.Timestamps) {
				t.Fatal("values/timestamps length mismatch")
			}
		}
		if n > MaxMetricDataPoints {
			t.Fatalf("page with %d datapoints", n)
		}
	}
	if pages != 2 {
		t.Errorf("pages = %d, want 2", pages)
	}
	for id, n := range perID {
		if n != 14*1440 {
			t.Errorf("%s: %d points, want %d", id, n, 14*1440)
		}
	}
	// 501 queries: validation error.
	var many []cwtypes.MetricDataQuery
	for i := 0; i < 501; i++ {
		many = append(many, rdsQuery(fmt.Sprintf("m%d", i), "fleet-c000-instance-1", "CPUUtilization", "Average", 300))
	}
	_, err := cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &now, MetricDataQueries: many})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("501 queries: %v", err)
	}
	// Bad period: typed InvalidParameterValueException.
	_, err = cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &now,
		MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("a", "x", "CPUUtilization", "Average", 61)}})
	var ipv *cwtypes.InvalidParameterValueException
	if !errors.As(err, &ipv) || apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("period 61: %v (%T)", err, err)
	}
	// Bad NextToken.
	_, err = cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &now, NextToken: aws.String("garbage"),
		MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("a", "x", "CPUUtilization", "Average", 60)}})
	var bad *cwtypes.InvalidNextToken
	if !errors.As(err, &bad) {
		t.Fatalf("bad token: %v (%T)", err, err)
	}
}

func TestGetMetricDataRetentionAndEmpty(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	start := now.Add(-28 * 24 * time.Hour)
	out, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &now,
		MetricDataQueries: []cwtypes.MetricDataQuery{
			rdsQuery("min1", "sso-prod-instance-1", "CPUUtilization", "Average", 60),
			rdsQuery("min5", "sso-prod-instance-1", "CPUUtilization", "Average", 300),
			rdsQuery("none", "no-such-db", "CPUUtilization", "Average", 300),
			rdsQuery("nostor", "sso-prod-instance-1", "FreeStorageSpace", "Average", 300),
		}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.MetricDataResults
	if n := len(r[0].Values); n != 15*1440 {
		t.Errorf("1-minute points over 28 days: %d, want 15 days' worth (%d)", n, 15*1440)
	}
	if n := len(r[1].Values); n != 28*288 {
		t.Errorf("5-minute points: %d, want %d", n, 28*288)
	}
	for _, x := range r[2:] {
		if x.Values == nil || len(x.Values) != 0 || x.StatusCode != cwtypes.StatusCodeComplete {
			t.Errorf("%s: want an empty, non-nil, Complete result; got %v %v", aws.ToString(x.Id), x.Values, x.StatusCode)
		}
	}
}

func TestPutMetricDataRoundTrip(t *testing.T) {
	srv, _, cc := start(t, Options{})
	ctx := context.Background()
	now := srv.Now()
	dims := []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("chat")}}
	// > 10 KiB so the SDK gzips the body.
	var data []cwtypes.MetricDatum
	for i := 0; i < 600; i++ {
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("Latency"), Dimensions: dims,
			Timestamp: aws.Time(now.Add(-time.Duration(i) * time.Minute)), Value: aws.Float64(float64(i)), Unit: cwtypes.StandardUnitMilliseconds})
	}
	data = append(data,
		cwtypes.MetricDatum{MetricName: aws.String("Hist"), Timestamp: aws.Time(now.Add(-90 * time.Second)), Values: []float64{1, 2, 1e100}, Counts: []float64{3, 1, 1}},
		cwtypes.MetricDatum{MetricName: aws.String("Set"), Timestamp: aws.Time(now.Add(-90 * time.Second)), StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(4), Sum: aws.Float64(10), Minimum: aws.Float64(1), Maximum: aws.Float64(4)}},
	)
	if _, err := cc.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Rightsize/Test"), MetricData: data}); err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
	if l := srv.Calls("PutMetricData"); len(l) != 1 || l[0].Status != 200 {
		t.Fatalf("log %+v", l)
	}
	start := now.Add(-20 * time.Minute)
	stat := func(name, st string, d []cwtypes.Dimension) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(fmt.Sprintf("q_%s_%s", name, st[:1])), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{
			Namespace: aws.String("Rightsize/Test"), MetricName: aws.String(name), Dimensions: d}, Period: aws.Int32(600), Stat: aws.String(st)}}
	}
	out, err := cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &now, MetricDataQueries: []cwtypes.MetricDataQuery{
		stat("Latency", "Sum", dims), stat("Hist", "SampleCount", nil), stat("Hist", "Maximum", nil), stat("Set", "Average", nil), stat("Latency", "Average", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.MetricDataResults
	// descending: bucket [now-10m, now) holds i=1..10 (i=0 is at now, outside [start,end)).
	if len(r[0].Values) != 2 || r[0].Values[0] != 55 || r[0].Values[1] != 155 {
		t.Errorf("Latency sums %v, want [55 155]", r[0].Values)
	}
	if len(r[1].Values) != 1 || r[1].Values[0] != 5 || r[2].Values[0] != 1e100 {
		t.Errorf("Hist: count %v max %v", r[1].Values, r[2].Values)
	}
	if len(r[3].Values) != 1 || r[3].Values[0] != 2.5 {
		t.Errorf("Set average %v", r[3].Values)
	}
	if len(r[4].Values) != 0 {
		t.Errorf("dimensions must match exactly: %v", r[4].Values)
	}
	// NaN, Inf, AWS/ namespace, Value+Values, mismatched counts: typed errors.
	bad := []cloudwatch.PutMetricDataInput{
		{Namespace: aws.String("X"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(math.NaN())}}},
		{Namespace: aws.String("X"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(math.Inf(1))}}},
		{Namespace: aws.String("X"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1e200)}}},
		{Namespace: aws.String("AWS/RDS"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}},
		{Namespace: aws.String("X"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Values: []float64{1, 2}, Counts: []float64{1}}}},
		{Namespace: aws.String("X"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1), Timestamp: aws.Time(now.Add(-15 * 24 * time.Hour))}}},
	}
	for i, in := range bad {
		_, err := cc.PutMetricData(ctx, &in)
		var ipv *cwtypes.InvalidParameterValueException
		if !errors.As(err, &ipv) {
			t.Errorf("bad put %d: %v (%T), want InvalidParameterValueException", i, err, err)
		}
	}
	_, err = cc.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("X"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1), Values: []float64{1}}}})
	var ipc *cwtypes.InvalidParameterCombinationException
	if !errors.As(err, &ipc) {
		t.Errorf("Value+Values: %v", err)
	}
}

func TestGetMetricStatistics(t *testing.T) {
	srv, _, cc := start(t, Options{})
	ctx := context.Background()
	now := srv.Now()
	dims := []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String("mandible-prod")}}
	start := now.Add(-24 * time.Hour)
	out, err := cc.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
		Dimensions: dims, StartTime: &start, EndTime: &now, Period: aws.Int32(3600),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticAverage, cwtypes.StatisticMaximum, cwtypes.StatisticSampleCount}, ExtendedStatistics: []string{"p95"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) != 24 || aws.ToString(out.Label) != "CPUUtilization" {
		t.Fatalf("%d datapoints label %q", len(out.Datapoints), aws.ToString(out.Label))
	}
	for _, d := range out.Datapoints {
		if aws.ToFloat64(d.SampleCount) != 60 || d.Unit != cwtypes.StandardUnitPercent || d.Sum != nil ||
			aws.ToFloat64(d.Average) > aws.ToFloat64(d.Maximum) || d.ExtendedStatistics["p95"] > aws.ToFloat64(d.Maximum) || d.ExtendedStatistics["p95"] <= 0 {
			t.Fatalf("datapoint %+v", d)
		}
	}
	// 1,441 datapoints requested: InvalidParameterCombination.
	s2 := now.Add(-1441 * time.Minute)
	_, err = cc.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
		Dimensions: dims, StartTime: &s2, EndTime: &now, Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticAverage}})
	var ipc *cwtypes.InvalidParameterCombinationException
	if !errors.As(err, &ipc) {
		t.Fatalf("1441 points: %v (%T)", err, err)
	}
	s3 := now.Add(-1440 * time.Minute)
	out, err = cc.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
		Dimensions: dims, StartTime: &s3, EndTime: &now, Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticMinimum}})
	if err != nil || len(out.Datapoints) != 1440 {
		t.Fatalf("1440 points: %v, %d", err, len(out.Datapoints))
	}
}

func TestListMetrics(t *testing.T) {
	_, _, cc := start(t, Options{Scenario: Fleet(100)})
	ctx := context.Background()
	p := cloudwatch.NewListMetricsPaginator(cc, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization")})
	n, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Metrics)
		pages++
	}
	// 100 instances + 2 roles per Aurora cluster
	if n < 100 || pages != 1 {
		t.Errorf("CPUUtilization metrics %d in %d pages", n, pages)
	}
	p = cloudwatch.NewListMetricsPaginator(cc, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/RDS")})
	all, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Metrics) > 500 {
			t.Fatalf("page of %d", len(out.Metrics))
		}
		all += len(out.Metrics)
		pages++
	}
	if all < 1700 || pages < 4 {
		t.Errorf("all metrics %d in %d pages", all, pages)
	}
	out, err := cc.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String("fleet-i001")}}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range out.Metrics {
		names[aws.ToString(m.MetricName)] = true
	}
	if !names["FreeStorageSpace"] || !names["CPUUtilization"] || names["AuroraReplicaLag"] {
		t.Errorf("fleet-i001 metrics: %v", names)
	}
}

func TestPutMetricOnTopOfGenerated(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	at := now.Add(-10 * time.Minute).Truncate(time.Minute)
	base, _ := srv.MetricValue("mandible-prod", MetricCPUUtilization, at)
	if err := srv.PutMetric("AWS/RDS", MetricCPUUtilization, map[string]string{"DBInstanceIdentifier": "mandible-prod"}, "Percent", MetricPoint{Time: at, Value: 97}); err != nil {
		t.Fatal(err)
	}
	out, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &at, EndTime: aws.Time(at.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("mx", "mandible-prod", "CPUUtilization", "Maximum", 60), rdsQuery("avg", "mandible-prod", "CPUUtilization", "Average", 60)}})
	if err != nil {
		t.Fatal(err)
	}
	if v := out.MetricDataResults[0].Values; len(v) != 1 || v[0] != 97 {
		t.Errorf("max %v, want [97]", v)
	}
	if v := out.MetricDataResults[1].Values; len(v) != 1 || math.Abs(v[0]-(base+97)/2) > 1e-9 {
		t.Errorf("avg %v, want %v", v, (base+97)/2)
	}
	if err := srv.PutMetric("AWS/RDS", "X", nil, "", MetricPoint{Time: at, Value: math.NaN()}); err == nil {
		t.Error("NaN accepted")
	}
}

func TestGetMetricDataRoleDimensionsAndFractionalTimes(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	start := now.Add(-30*time.Minute + 500*time.Millisecond) // fractional seconds on the wire
	role := func(id, r string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("DBClusterIdentifier"), Value: aws.String("sso-prod")}, {Name: aws.String("Role"), Value: aws.String(r)}}},
			Period: aws.Int32(60), Stat: aws.String("Average")}}
	}
	out, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: aws.Time(now.Add(-time.Nanosecond)),
		MetricDataQueries: []cwtypes.MetricDataQuery{role("w", "WRITER"), role("r", "READER"), rdsQuery("i1", "sso-prod-instance-1", "CPUUtilization", "Average", 60)}})
	if err != nil {
		t.Fatal(err)
	}
	if l := srv.Calls("GetMetricData"); len(l) != 1 || l[0].Params["Dimensions"] != "DBClusterIdentifier=sso-prod,DBInstanceIdentifier=sso-prod-instance-1,Role=READER,Role=WRITER" ||
		l[0].Params["MetricNames"] != "CPUUtilization" || l[0].Params["Queries"] != "3" {
		t.Errorf("log params %v", l)
	}
	w, r, i1 := out.MetricDataResults[0], out.MetricDataResults[1], out.MetricDataResults[2]
	if len(w.Values) != 30 || fmt.Sprint(w.Values) != fmt.Sprint(i1.Values) || fmt.Sprint(r.Values) == fmt.Sprint(w.Values) {
		t.Errorf("WRITER role should be instance-1: %d values", len(w.Values))
	}
	for _, ts := range w.Timestamps {
		if ts.Second() != 0 || ts.Nanosecond() != 0 {
			t.Fatalf("timestamp %v not on a period boundary", ts)
		}
	}
}

func TestClusterLevelAggregate(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	start := now.Add(-10 * time.Minute)
	cq := func(id, stat string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("DBClusterIdentifier"), Value: aws.String("sso-prod")}}}, Period: aws.Int32(60), Stat: aws.String(stat)}}
	}
	out, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &now,
		MetricDataQueries: []cwtypes.MetricDataQuery{cq("avg", "Average"), cq("mx", "Maximum"), cq("n", "SampleCount")}})
	if err != nil {
		t.Fatal(err)
	}
	for i, ts := range out.MetricDataResults[0].Timestamps {
		a, _ := srv.MetricValue("sso-prod-instance-1", MetricCPUUtilization, ts)
		b, _ := srv.MetricValue("sso-prod-instance-2", MetricCPUUtilization, ts)
		if got := out.MetricDataResults[0].Values[i]; math.Abs(got-(a+b)/2) > 1e-9 {
			t.Errorf("cluster average %v, want %v", got, (a+b)/2)
		}
		if got := out.MetricDataResults[1].Values[i]; got != math.Max(a, b) {
			t.Errorf("cluster max %v", got)
		}
		if got := out.MetricDataResults[2].Values[i]; got != 2 {
			t.Errorf("cluster sample count %v", got)
		}
	}
	if len(out.MetricDataResults[0].Timestamps) != 10 {
		t.Errorf("%d points", len(out.MetricDataResults[0].Timestamps))
	}
}

// TestFreeLocalStorage: provisioned Aurora instances publish FreeLocalStorage
// (twice the class memory less 2% for logs, less the temporary files of the
// workload's peak and of the nodes an instance absorbed), served over
// GetMetricData; RDS instances and Aurora Serverless v2 do not.
func TestFreeLocalStorage(t *testing.T) {
	reader := DemoSSOReaderWorkload
	reader.TempPeakGiB = 20
	sc := &Scenario{Name: "temp", Seed: 9, Clusters: []ClusterSpec{AuroraPair("tmp-prod", "db.r6g.large", DemoSSOWriterWorkload, reader)},
		Instances: []InstanceSpec{MultiAZInstance("rds-db", "db.r6g.large", DemoMandibleWorkload)}}
	srv, rc, cc := start(t, Options{Scenario: sc})
	now := srv.Now().Truncate(time.Minute)
	from := now.Add(-7 * 24 * time.Hour)
	out, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &from, EndTime: &now,
		MetricDataQueries: []cwtypes.MetricDataQuery{
			rdsQuery("w", "tmp-prod-instance-1", MetricFreeLocalStorage, "Average", 300),
			rdsQuery("r", "tmp-prod-instance-2", MetricFreeLocalStorage, "Average", 300),
			rdsQuery("rds", "rds-db", MetricFreeLocalStorage, "Average", 300),
		}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.MetricDataResults
	logsOnly := math.Round(0.98 * 32 * gib) // db.r6g.large: 16 GiB memory, 32 GiB local storage (whole bytes)
	if n := len(r[0].Values); n != 7*288 || slices.Min(r[0].Values) != logsOnly || slices.Max(r[0].Values) != logsOnly {
		t.Errorf("writer (no temporary files): %d points in [%v, %v] GiB, want %d at %v", n,
			slices.Min(r[0].Values)/gib, slices.Max(r[0].Values)/gib, 7*288, logsOnly/gib)
	}
	lo, hi := slices.Min(r[1].Values), slices.Max(r[1].Values)
	if len(r[1].Values) != 7*288 || lo > logsOnly-15*gib || lo < logsOnly-1.2*20*gib || hi > logsOnly || hi < logsOnly-2*gib {
		t.Errorf("reader (20 GiB of temporary files at its peak): %d points in [%.2f, %.2f] GiB, logs only %.2f",
			len(r[1].Values), lo/gib, hi/gib, logsOnly/gib)
	}
	if len(r[2].Values) != 0 {
		t.Errorf("an RDS instance published FreeLocalStorage: %d points", len(r[2].Values))
	}
	// Once the reader is deleted, its temporary files land on the writer (the emulated absorption).
	if _, err := rc.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("tmp-prod-instance-2")}); err != nil {
		t.Fatal(err)
	}
	from = srv.Now()
	to := srv.Advance(48 * time.Hour).Truncate(time.Minute)
	out, err = cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: &from, EndTime: &to,
		MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("w", "tmp-prod-instance-1", MetricFreeLocalStorage, "Average", 300)}})
	if err != nil {
		t.Fatal(err)
	}
	if v := out.MetricDataResults[0].Values; len(v) < 500 || slices.Min(v) > logsOnly-15*gib || slices.Max(v) > logsOnly {
		t.Errorf("writer after the reader's deletion: %d points, lowest %.2f GiB; want the reader's 20 GiB at its peak", len(v), slices.Min(v)/gib)
	}

	sls, _, _ := start(t, Options{Scenario: ServerlessV2()})
	if v, ok := sls.MetricValue("sls-prod-instance-1", MetricFreeLocalStorage, sls.Now().Add(-time.Hour)); ok {
		t.Errorf("Aurora Serverless v2 published FreeLocalStorage %v", v)
	}
}

// A failover changes the roles from its time on, not over the metrics' history: the
// DBClusterIdentifier+Role series are the old writer's instance series before it and the new
// writer's after, the writer's load moves with the role (the WRITER series goes on as if nothing
// had happened), each instance keeps its own datapoints from before, and AuroraReplicaLag is
// published by whichever instance is the reader at the time.
func TestFailoverKeepsRoleHistory(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	srv, rc, cc := start(t, Options{Scenario: Demo(), Now: t0})
	refSrv, _, ref := start(t, Options{Scenario: Demo(), Now: t0}) // the same cluster, never failed over
	ctx := context.Background()
	q := func(id, metric string, dims ...string) cwtypes.MetricDataQuery {
		var ds []cwtypes.Dimension
		for i := 0; i < len(dims); i += 2 {
			ds = append(ds, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
		}
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"),
			MetricName: aws.String(metric), Dimensions: ds}, Period: aws.Int32(60), Stat: aws.String("Average")}}
	}
	const w1, w2 = "sso-prod-instance-1", "sso-prod-instance-2"
	queries := []cwtypes.MetricDataQuery{
		q("i1", "WriteIOPS", "DBInstanceIdentifier", w1), q("i2", "WriteIOPS", "DBInstanceIdentifier", w2),
		q("w", "WriteIOPS", "DBClusterIdentifier", "sso-prod", "Role", "WRITER"), q("r", "WriteIOPS", "DBClusterIdentifier", "sso-prod", "Role", "READER"),
		q("lag1", "AuroraReplicaLag", "DBInstanceIdentifier", w1), q("lag2", "AuroraReplicaLag", "DBInstanceIdentifier", w2),
		q("wlag", "AuroraReplicaLag", "DBClusterIdentifier", "sso-prod", "Role", "WRITER"),
	}
	get := func(c *cloudwatch.Client, from, to time.Time) map[string][]float64 {
		t.Helper()
		out, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: &from, EndTime: &to, MetricDataQueries: queries,
			ScanBy: cwtypes.ScanByTimestampAscending})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string][]float64{}
		for _, r := range out.MetricDataResults {
			m[aws.ToString(r.Id)] = r.Values
		}
		return m
	}
	before := get(cc, t0.Add(-time.Hour), t0)
	if _, err := rc.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Hour)
	refSrv.Advance(time.Hour)
	past, after := get(cc, t0.Add(-time.Hour), t0), get(cc, t0, t0.Add(time.Hour))
	want := get(ref, t0, t0.Add(time.Hour)) // what the writer and the reader would have published

	for _, id := range []string{"i1", "i2", "w", "r", "lag1", "lag2", "wlag"} {
		if !slices.Equal(past[id], before[id]) {
			t.Errorf("%s before the failover changed: %v… now %v…", id, head(before[id]), head(past[id]))
		}
	}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{
		{"WRITER before the failover = instance-1", past["w"], past["i1"]},
		{"READER before the failover = instance-2", past["r"], past["i2"]},
		{"WRITER after the failover = instance-2", after["w"], after["i2"]},
		{"READER after the failover = instance-1", after["r"], after["i1"]},
		{"WRITER after the failover = the writer's load without one", after["w"], want["w"]},
		{"READER after the failover = the reader's load without one", after["r"], want["r"]},
		{"instance-1's lag after the failover = the reader's", after["lag1"], want["lag2"]},
	} {
		if len(c.got) != 60 || !slices.Equal(c.got, c.want) {
			t.Errorf("%s: %d values %v…, want %d %v…", c.name, len(c.got), head(c.got), len(c.want), head(c.want))
		}
	}
	// The writer was busier than the reader; the instances swap loads at the failover.
	if !(mean(past["i1"]) > 2*mean(past["i2"]) && mean(after["i2"]) > 2*mean(after["i1"])) {
		t.Errorf("WriteIOPS means: instance-1 %.1f then %.1f, instance-2 %.1f then %.1f", mean(past["i1"]), mean(after["i1"]), mean(past["i2"]), mean(after["i2"]))
	}
	// AuroraReplicaLag: instance-2 publishes it while a reader, instance-1 from the failover on; never the writer.
	if len(past["lag1"]) != 0 || len(past["lag2"]) != 60 || len(after["lag1"]) != 60 || len(after["lag2"]) != 0 || len(past["wlag"])+len(after["wlag"]) != 0 {
		t.Errorf("AuroraReplicaLag points: instance-1 %d then %d, instance-2 %d then %d, WRITER %d then %d",
			len(past["lag1"]), len(after["lag1"]), len(past["lag2"]), len(after["lag2"]), len(past["wlag"]), len(after["wlag"]))
	}
}

func head(v []float64) []float64 { return v[:min(3, len(v))] }

// TestGetMetricDataMessageFaults: FaultQueryMessage adds its message to the results of the
// queries of its metric and dimension only, FaultRequestMessage to the answer's top-level
// Messages; the data is served as without them, and the messages reach the SDK's types.
func TestGetMetricDataMessageFaults(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	start, end := now.Add(-time.Hour), now
	in := &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &end, ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{
			rdsQuery("cpu", "mandible-prod", "CPUUtilization", "Average", 60),
			rdsQuery("mem", "mandible-prod", "FreeableMemory", "Average", 60),
			rdsQuery("other", "sso-prod-instance-1", "CPUUtilization", "Average", 60),
		}}
	clean, err := cc.GetMetricData(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFaults(FaultRule{Operation: "GetMetricData", Sequence: []Fault{
		{Kind: FaultQueryMessage, Dimension: "DBInstanceIdentifier=mandible-prod", Metric: "CPUUtilization", Code: "ArithmeticError", Message: "Division by zero"},
		{Kind: FaultRequestMessage},
	}})
	msgs := func(out *cloudwatch.GetMetricDataOutput) map[string][]string {
		got := map[string][]string{}
		for _, m := range out.Messages {
			got[""] = append(got[""], aws.ToString(m.Code)+" "+aws.ToString(m.Value))
		}
		for _, r := range out.MetricDataResults {
			for _, m := range r.Messages {
				got[aws.ToString(r.Id)] = append(got[aws.ToString(r.Id)], aws.ToString(m.Code)+" "+aws.ToString(m.Value))
			}
		}
		return got
	}
	for i, want := range []map[string][]string{
		{"cpu": {"ArithmeticError Division by zero"}},
		{"": {"MaxMetricsExceeded Maximum number of allowed metrics exceeded"}},
		{},
	} {
		out, err := cc.GetMetricData(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if got := msgs(out); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("call %d: messages %v, want %v", i+1, got, want)
		}
		for j, r := range out.MetricDataResults {
			if c := clean.MetricDataResults[j]; r.StatusCode != c.StatusCode || !slices.Equal(r.Values, c.Values) {
				t.Errorf("call %d: %s: %s with %d values, want %s with %d as without the fault", i+1, aws.ToString(r.Id), r.StatusCode, len(r.Values), c.StatusCode, len(c.Values))
			}
		}
	}
	if log := srv.Log(); log[len(log)-3].Fault != string(FaultQueryMessage) || log[len(log)-2].Fault != string(FaultRequestMessage) {
		t.Errorf("log faults %q, %q", log[len(log)-3].Fault, log[len(log)-2].Fault)
	}
}
