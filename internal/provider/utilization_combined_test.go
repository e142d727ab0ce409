package provider

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awscloudwatch "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/rightsizing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// TestUtilizationCombinedAfterFailover: an Aurora pair (same class) fails over mid-window.
// rightsize_utilization's "combined" view (documented as the analysis engine's single-node projection)
// is the projection the recommendation computes over the same window (both read the pair by role).
func TestUtilizationCombinedAfterFailover(t *testing.T) {
	busy := sandbox.Workload{CPUBase: 5, CPUAmplitude: 12, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 0, NoiseStdDev: 0.5,
		Connections: 10, ConnectionsAmplitude: 700, ReadIOPS: 50, ReadIOPSAmplitude: 200, WriteIOPS: 50, WriteIOPSAmplitude: 3000, MemoryUsedGiB: 6}
	c := sandbox.AuroraPair("shop-prod", "db.r6g.large", busy, sandbox.IdleWorkload)
	failover := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	end := failover.Add(48 * time.Hour)
	srv, err := sandbox.Start(sandbox.Options{Scenario: &sandbox.Scenario{Name: "failover", Seed: 11, Clusters: []sandbox.ClusterSpec{c}}, Now: failover})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	if _, err := rds.NewFromConfig(srv.AWSConfig()).FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String(c.ID)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(end.Sub(failover))
	creds := credentials.NewStaticCredentialsProvider("AKID", "secret", "")
	rdsC := rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)})
	cwC := awscloudwatch.New(awscloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)})
	cat, _ := pricing.Default()
	now := srv.Now()
	res, err := rightsizing.Recommend(ctx, rightsizing.Deps{RDS: rdsC, CloudWatch: cwC, Catalog: cat, Region: "us-east-1", Now: func() time.Time { return now }},
		rightsizing.Request{ClusterID: c.ID, Lookback: 4 * 24 * time.Hour, End: end, Policy: analysis.Policy{MinLookback: 4 * 24 * time.Hour}, TargetClasses: []string{"db.r6g.large"}})
	if err != nil {
		t.Fatal(err)
	}
	pd := &ProviderData{Region: "us-east-1", RDS: rdsC, CloudWatch: cwC}
	m := utilizationReadModel("", c.ID, 4, end)
	_, diags := readUtilization(ctx, pd, m, now)
	if diags.HasError() {
		t.Fatal(diags)
	}
	for _, d := range diags {
		t.Logf("diag %s: %s", d.Summary(), d.Detail())
	}
	gib := float64(1 << 30)
	pj := res.Recommendation.Projection
	t.Logf("recommendation projection: memory_used p99 %.2f GiB, iops p99 %.0f, cpu p99 %.1f", pj.MemoryUsed.P99/gib, pj.IOPS.P99, pj.CPU.P99)
	cm, ci, cc := m.Combined["memory_used_bytes"], m.Combined["iops"], m.Combined["cpu_percent"]
	t.Logf("utilization combined:      memory_used p99 %.2f GiB, iops p99 %.0f, cpu p99 %.1f", cm.P99.ValueFloat64()/gib, ci.P99.ValueFloat64(), cc.P99.ValueFloat64())
	if d := pj.MemoryUsed.P99 - cm.P99.ValueFloat64(); d > 0.5*gib || -d > 0.5*gib {
		t.Errorf("combined memory_used_bytes p99 %.2f GiB differs from the recommendation's projection %.2f GiB", cm.P99.ValueFloat64()/gib, pj.MemoryUsed.P99/gib)
	}
	if d := pj.IOPS.P99 - ci.P99.ValueFloat64(); d > 200 || -d > 200 {
		t.Errorf("combined iops p99 %.0f differs from the recommendation's projection %.0f", ci.P99.ValueFloat64(), pj.IOPS.P99)
	}
}

// An Aurora cluster of one instance (as rightsize_db_topology leaves sso-prod) has a combined
// view, its writer's own load as rightsize_single_node_recommendation projects it with
// allow_single_node, and no "Combined View Not Available" warning, which every plan after the
// change used to give.
func TestReadUtilization_oneInstanceAurora(t *testing.T) {
	sc := sandbox.Demo()
	sc.Clusters[0].Members = sc.Clusters[0].Members[:1]
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: utilizationAccNow()})
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", "")
	rdsC := rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)})
	cwC := awscloudwatch.New(awscloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)})
	now := srv.Now()
	m := utilizationReadModel("", "sso-prod", 14, now)
	m.EndTime = types.StringNull() // ending now, not pinned (a pinned window has a warning of its own)
	_, diags := readUtilization(ctx, &ProviderData{Region: "us-east-1", RDS: rdsC, CloudWatch: cwC}, m, now)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if w := summaries(diags, diag.SeverityWarning); len(w) != 0 {
		t.Errorf("warnings %v, want none", w)
	}
	cpu, ok := m.Combined["cpu_percent"]
	node := m.Nodes[0].Metrics["CPUUtilization"]
	if len(m.Nodes) != 1 || !ok || !(math.Abs(cpu.P99.ValueFloat64()-node.P99.ValueFloat64()) <= 0.05) {
		t.Errorf("combined cpu_percent %+v (present %t), want the one instance's CPU p99 %v", cpu, ok, node.P99)
	}
}
