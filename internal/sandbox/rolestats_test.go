package sandbox

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// TestRoleReaderStatistics: the {DBClusterIdentifier, Role=READER} series aggregates every reader
// of the cluster, each of its 1-minute values a sample, as CloudWatch aggregates a dimension over
// several instances ("aggregate metrics for all READER instances that belong to a cluster"): per
// period, SampleCount is the number of reader-minutes, Sum their total, Minimum and Maximum the
// lowest and highest reader, Average Sum / SampleCount. Readers come and go inside the window (a
// fourth reader is added, as Aurora Auto Scaling would at a peak, then it and the third are deleted), and the WRITER series
// keeps one sample a minute.
func TestRoleReaderStatistics(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	c := AuroraPair("ro-prod", "db.r6g.large", IdleWorkload, BusyReaderWorkload)
	c.Members = append(c.Members, InstanceSpec{ID: "ro-prod-instance-3", Class: "db.r6g.large", Workload: BusyReaderWorkload})
	srv, rc, cc := start(t, Options{Scenario: &Scenario{Name: "readers", Seed: 7, Clusters: []ClusterSpec{c}}, Now: t0})
	ctx := context.Background()
	del := func(id string) {
		t.Helper()
		if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	// Two readers until t0+9m (instance-4 is created at t0), three until instance-3 is gone at t0+36m,
	// two until instance-4 is gone at t0+66m, then one.
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("ro-prod-instance-4"), DBClusterIdentifier: aws.String("ro-prod"),
		DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(30 * time.Minute)
	del("ro-prod-instance-3")
	srv.Advance(30 * time.Minute)
	del("ro-prod-instance-4")
	srv.Advance(60 * time.Minute)
	from, to := t0.Add(-time.Hour), t0.Add(2*time.Hour)
	readers := []string{"ro-prod-instance-2", "ro-prod-instance-3", "ro-prod-instance-4"}
	stats := []string{"Average", "Sum", "SampleCount", "Minimum", "Maximum"}

	for _, metric := range []string{MetricDatabaseConnections, MetricReadIOPS, MetricCPUUtilization, MetricFreeLocalStorage, MetricAuroraReplicaLag} {
		for _, period := range []int32{60, 300} {
			var qs []cwtypes.MetricDataQuery
			for i, st := range stats {
				for _, role := range []string{"READER", "WRITER"} {
					qs = append(qs, cwtypes.MetricDataQuery{Id: aws.String(fmt.Sprintf("%s%d", strings.ToLower(role[:1]), i)), MetricStat: &cwtypes.MetricStat{
						Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric), Dimensions: []cwtypes.Dimension{
							{Name: aws.String("DBClusterIdentifier"), Value: aws.String("ro-prod")}, {Name: aws.String("Role"), Value: aws.String(role)}}},
						Period: aws.Int32(period), Stat: aws.String(st)}})
				}
			}
			out, err := cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: &from, EndTime: &to, MetricDataQueries: qs,
				ScanBy: cwtypes.ScanByTimestampAscending})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]cwtypes.MetricDataResult{}
			for _, r := range out.MetricDataResults {
				got[aws.ToString(r.Id)] = r
			}
			points := int(to.Sub(from) / (time.Duration(period) * time.Second))
			counts := map[float64]int{} // readers per minute seen, for the check that the window saw 1, 2 and 3
			for i, r := range got {
				if len(r.Values) != points && !(metric == MetricAuroraReplicaLag && i[0] == 'w') {
					t.Fatalf("%s %s period %d: %d points, want %d", metric, i, period, len(r.Values), points)
				}
			}
			for b := 0; b < points; b++ {
				bt := from.Add(time.Duration(b) * time.Duration(period) * time.Second)
				n, sum, lo, hi := 0.0, 0.0, math.Inf(1), math.Inf(-1)
				for m := bt; m.Before(bt.Add(time.Duration(period) * time.Second)); m = m.Add(time.Minute) {
					perMinute := 0.0
					for _, id := range readers {
						if v, ok := srv.MetricValue(id, metric, m); ok {
							n, sum, lo, hi, perMinute = n+1, sum+v, math.Min(lo, v), math.Max(hi, v), perMinute+1
						}
					}
					counts[perMinute]++
				}
				want := []float64{sum / n, sum, n, lo, hi}
				for i := range stats {
					r := got[fmt.Sprintf("r%d", i)]
					if !r.Timestamps[b].Equal(bt) || math.Abs(r.Values[b]-want[i]) > 1e-6*math.Max(1, math.Abs(want[i])) {
						t.Fatalf("%s READER %s period %d at %s: %v, want %v (from %v reader-minutes)", metric, stats[i], period, r.Timestamps[b].Format(time.RFC3339), r.Values[b], want[i], n)
					}
				}
				if metric != MetricAuroraReplicaLag {
					if w := got["w2"]; w.Values[b] != float64(period/60) {
						t.Fatalf("%s WRITER SampleCount period %d at %s: %v, want %d (one instance, once a minute)", metric, period, bt.Format(time.RFC3339), w.Values[b], period/60)
					}
				}
			}
			if counts[1] == 0 || counts[2] == 0 || counts[3] == 0 {
				t.Errorf("%s period %d: minutes by readers reporting %v, want some with 1, 2 and 3", metric, period, counts)
			}
		}
	}
}
