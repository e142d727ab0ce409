package provider

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awscloudwatch "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

func combinedSetup(t *testing.T) (*sandbox.Server, *ProviderData, time.Time) {
	busy := sandbox.Workload{CPUBase: 5, CPUAmplitude: 12, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 0, NoiseStdDev: 0.5,
		Connections: 10, ConnectionsAmplitude: 700, ReadIOPS: 50, ReadIOPSAmplitude: 200, WriteIOPS: 50, WriteIOPSAmplitude: 3000, MemoryUsedGiB: 6}
	c := sandbox.AuroraPair("shop-prod", "db.r6g.large", busy, sandbox.IdleWorkload)
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	srv, err := sandbox.Start(sandbox.Options{Scenario: &sandbox.Scenario{Name: "revs", Seed: 11, Clusters: []sandbox.ClusterSpec{c}}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	creds := credentials.NewStaticCredentialsProvider("AKID", "secret", "")
	rdsC := rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)})
	cwC := awscloudwatch.New(awscloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)})
	return srv, &ProviderData{Region: "us-east-1", RDS: rdsC, CloudWatch: cwC}, srv.Now()
}

func keysOf[T any](m map[string]T) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// A user-restricted metrics list limits the combined view's read by role to those metrics too:
// one request for the pair's CPU per instance, one for it by role (with the readers' count).
func TestUtilizationCombinedUserMetrics(t *testing.T) {
	_, pd, now := combinedSetup(t)
	m := utilizationReadModel("", "shop-prod", 14, now)
	m.Metrics = types.ListValueMust(types.StringType, []attr.Value{types.StringValue("CPUUtilization")})
	_, diags := readUtilization(context.Background(), pd, m, now)
	if diags.HasError() {
		t.Fatal(diags)
	}
	t.Logf("metrics=%v requests_made=%d combined keys=%v", m.Metrics, m.RequestsMade.ValueInt64(), keysOf(m.Combined))
	if got := keysOf(m.Combined); m.RequestsMade.ValueInt64() != 2 || len(got) != 1 || got[0] != "cpu_percent" {
		t.Errorf("metrics = [CPUUtilization]: %d GetMetricData requests, combined %v; want 2 and [cpu_percent]", m.RequestsMade.ValueInt64(), got)
	}
}

// The combined view's read by role is throttled until the retries run out: the combined view
// falls back to the per-instance series, the other outputs stay, and requests_made counts the
// throttled attempts.
func TestUtilizationCombinedReadThrottled(t *testing.T) {
	srv, pd, now := combinedSetup(t)
	m := utilizationReadModel("", "shop-prod", 14, now)
	if _, d := readUtilization(context.Background(), pd, m, now); d.HasError() {
		t.Fatal(d)
	}
	total := m.RequestsMade.ValueInt64()
	hw := m.CPUHourOfWeek
	t.Logf("baseline: requests_made=%d cpu_hour_of_week len=%d pattern=%v", total, len(hw), m.Pattern != nil)
	first := int64(4) // 2 nodes x 10 metrics x 20,160 points, as utilization_data_source_test.go states
	seq := make([]sandbox.Fault, 0)
	for i := int64(0); i < first; i++ {
		seq = append(seq, sandbox.Fault{Kind: sandbox.FaultNone})
	}
	for i := 0; i < 40; i++ {
		seq = append(seq, sandbox.Fault{Kind: sandbox.FaultThrottling})
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "cloudwatch:GetMetricData", Sequence: seq})
	pd.CloudWatchMaxAttempts = 3
	m2 := utilizationReadModel("", "shop-prod", 14, now)
	_, d := readUtilization(context.Background(), pd, m2, now)
	for _, x := range d {
		t.Logf("diag %s: %s", x.Summary(), x.Detail())
	}
	t.Logf("throttled: requests_made=%d nodes=%d combined=%d cpu_hour_of_week len=%d pattern=%v", m2.RequestsMade.ValueInt64(), len(m2.Nodes), len(m2.Combined), len(m2.CPUHourOfWeek), m2.Pattern != nil)
	if m2.RequestsMade.ValueInt64() <= first {
		t.Errorf("requests_made %d counts none of the throttled attempts of the combined view's read", m2.RequestsMade.ValueInt64())
	}
	if len(m2.CPUHourOfWeek) != 168 || m2.Pattern == nil || len(m2.Combined) == 0 || len(m2.Nodes) != 2 {
		t.Errorf("with the by-role read throttled: cpu_hour_of_week %d values, pattern %v, combined %d keys, %d nodes",
			len(m2.CPUHourOfWeek), m2.Pattern != nil, len(m2.Combined), len(m2.Nodes))
	}
}
