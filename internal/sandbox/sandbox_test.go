package sandbox

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// start starts a sandbox for a test and returns real SDK clients pointed at it.
func start(t testing.TB, opts Options) (*Server, *rds.Client, *cloudwatch.Client) {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "secret", ""), HTTPClient: sdkhttp.Wrap(nil)}
	rc := rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	cc := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	return srv, rc, cc
}

func TestDemoDescribeDBInstances(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if err != nil {
		t.Fatalf("DescribeDBInstances: %v", err)
	}
	if len(out.DBInstances) != 1 {
		t.Fatalf("got %d instances, want 1", len(out.DBInstances))
	}
	in := out.DBInstances[0]
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"DBInstanceIdentifier", aws.ToString(in.DBInstanceIdentifier), "mandible-prod"},
		{"DBInstanceClass", aws.ToString(in.DBInstanceClass), "db.t4g.large"},
		{"Engine", aws.ToString(in.Engine), "postgres"},
		{"EngineVersion", aws.ToString(in.EngineVersion), "15.7"},
		{"MultiAZ", aws.ToBool(in.MultiAZ), true},
		{"DBInstanceStatus", aws.ToString(in.DBInstanceStatus), "available"},
		{"AvailabilityZone", aws.ToString(in.AvailabilityZone), "us-east-1a"},
		{"SecondaryAvailabilityZone", aws.ToString(in.SecondaryAvailabilityZone), "us-east-1b"},
		{"AllocatedStorage", aws.ToInt32(in.AllocatedStorage), int32(100)},
		{"StorageType", aws.ToString(in.StorageType), "gp3"},
		{"DBInstanceArn", aws.ToString(in.DBInstanceArn), "arn:aws:rds:us-east-1:123456789012:db:mandible-prod"},
		{"PerformanceInsightsEnabled", aws.ToBool(in.PerformanceInsightsEnabled), true},
		{"MonitoringInterval", aws.ToInt32(in.MonitoringInterval), int32(60)},
		{"DBClusterIdentifier", in.DBClusterIdentifier == nil, true},
		{"Endpoint.Port", aws.ToInt32(in.Endpoint.Port), int32(5432)},
		{"DBParameterGroups", aws.ToString(in.DBParameterGroups[0].DBParameterGroupName), "default.postgres15"},
		{"InstanceCreateTime", aws.ToTime(in.InstanceCreateTime), ScenarioEpoch.Add(-DefaultHistory)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(aws.ToString(in.DbiResourceId)) != 29 || aws.ToString(in.DbiResourceId)[:3] != "db-" {
		t.Errorf("DbiResourceId = %q, want db- + 26 characters", aws.ToString(in.DbiResourceId))
	}
	if in.PendingModifiedValues == nil || in.PendingModifiedValues.MultiAZ != nil || in.PendingModifiedValues.DBInstanceClass != nil {
		t.Errorf("PendingModifiedValues = %+v, want present and empty", in.PendingModifiedValues)
	}

	all, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	if err != nil {
		t.Fatalf("DescribeDBInstances(all): %v", err)
	}
	var ids []string
	for _, in := range all.DBInstances {
		ids = append(ids, aws.ToString(in.DBInstanceIdentifier))
	}
	if want := []string{"mandible-prod", "sso-prod-instance-1", "sso-prod-instance-2"}; !equalStrings(ids, want) {
		t.Errorf("instances = %v, want %v", ids, want)
	}
	for _, in := range all.DBInstances[1:] {
		if aws.ToString(in.DBClusterIdentifier) != "sso-prod" || aws.ToString(in.Engine) != "aurora-postgresql" ||
			aws.ToString(in.DBInstanceClass) != "db.t4g.medium" || in.PromotionTier == nil || aws.ToBool(in.MultiAZ) {
			t.Errorf("aurora member %s: cluster %q engine %q class %q tier %v multiAZ %v", aws.ToString(in.DBInstanceIdentifier),
				aws.ToString(in.DBClusterIdentifier), aws.ToString(in.Engine), aws.ToString(in.DBInstanceClass), in.PromotionTier, aws.ToBool(in.MultiAZ))
		}
	}

	_, err = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("nope")})
	var nf *rdstypes.DBInstanceNotFoundFault
	if !errors.As(err, &nf) {
		t.Fatalf("DescribeDBInstances(nope) error = %v (%T), want *types.DBInstanceNotFoundFault", err, err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDemoDescribeDBClusters(t *testing.T) {
	_, rc, _ := start(t, Options{})
	out, err := rc.DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil {
		t.Fatalf("DescribeDBClusters: %v", err)
	}
	if len(out.DBClusters) != 1 {
		t.Fatalf("got %d clusters", len(out.DBClusters))
	}
	c := out.DBClusters[0]
	if aws.ToString(c.Engine) != "aurora-postgresql" || aws.ToString(c.EngineMode) != "provisioned" || aws.ToString(c.Status) != "available" ||
		c.ServerlessV2ScalingConfiguration != nil || !aws.ToBool(c.MultiAZ) {
		t.Errorf("cluster = engine %q mode %q status %q sv2 %v multiAZ %v", aws.ToString(c.Engine), aws.ToString(c.EngineMode),
			aws.ToString(c.Status), c.ServerlessV2ScalingConfiguration, aws.ToBool(c.MultiAZ))
	}
	if len(c.DBClusterMembers) != 2 {
		t.Fatalf("members = %d, want 2", len(c.DBClusterMembers))
	}
	writers := map[string]bool{}
	for _, m := range c.DBClusterMembers {
		writers[aws.ToString(m.DBInstanceIdentifier)] = aws.ToBool(m.IsClusterWriter)
	}
	if !writers["sso-prod-instance-1"] || writers["sso-prod-instance-2"] {
		t.Errorf("writer flags = %v, want instance-1 writer only", writers)
	}
	_, err = rc.DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("nope")})
	var nf *rdstypes.DBClusterNotFoundFault
	if !errors.As(err, &nf) {
		t.Fatalf("error = %v, want DBClusterNotFoundFault", err)
	}
}

func TestDemoGetMetricData(t *testing.T) {
	srv, _, cc := start(t, Options{})
	now := srv.Now()
	q := func(id, node, metric, stat string, period int32) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(node)}}},
			Period: aws.Int32(period), Stat: aws.String(stat)}}
	}
	out, err := cc.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-7 * 24 * time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			q("cpu", "mandible-prod", "CPUUtilization", "Average", 3600),
			q("mem", "sso-prod-instance-1", "FreeableMemory", "Minimum", 300),
			q("conn", "sso-prod-instance-2", "DatabaseConnections", "Maximum", 60),
		}})
	if err != nil {
		t.Fatalf("GetMetricData: %v", err)
	}
	if len(out.MetricDataResults) != 3 {
		t.Fatalf("results = %d", len(out.MetricDataResults))
	}
	cpu := out.MetricDataResults[0]
	if len(cpu.Values) != 7*24 || len(cpu.Timestamps) != 7*24 || cpu.StatusCode != cwtypes.StatusCodeComplete {
		t.Fatalf("cpu: %d values %d timestamps status %s, want 168", len(cpu.Values), len(cpu.Timestamps), cpu.StatusCode)
	}
	if !cpu.Timestamps[0].After(cpu.Timestamps[1]) {
		t.Errorf("default ScanBy should be TimestampDescending")
	}
	lo, hi := 100.0, 0.0
	for _, v := range cpu.Values {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo < 5 || hi > 40 || hi < 20 {
		t.Errorf("mandible hourly CPU range %.1f–%.1f, want within 5–40 with a daytime peak above 20", lo, hi)
	}
	for _, v := range out.MetricDataResults[1].Values {
		if v <= 0 || v >= 4*gib {
			t.Fatalf("FreeableMemory %v outside (0, 4 GiB)", v)
		}
	}
	conns := out.MetricDataResults[2]
	if len(conns.Values) != 7*24*60 {
		t.Errorf("1-minute connections: %d values, want %d", len(conns.Values), 7*24*60)
	}
	for _, v := range conns.Values {
		if v != float64(int64(v)) || v < 0 {
			t.Fatalf("connections %v not a non-negative integer", v)
		}
	}
	// Exactly what MetricValue reports.
	want, ok := srv.MetricValue("sso-prod-instance-2", "DatabaseConnections", conns.Timestamps[10])
	if !ok || want != conns.Values[10] {
		t.Errorf("MetricValue = %v,%v; GetMetricData = %v", want, ok, conns.Values[10])
	}
}

func TestSDKAttempt(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"attempt=1; max=3", 1},
		{"attempt=3; max=3", 3},
		{"attempt=2", 2},
		{"max=3; attempt=4; ttl=20261128T160000Z", 4},
		{"", 0},
		{"attempt=0; max=3", 0},
		{"attempt=x; max=3", 0},
		{"attempts=2", 0},
	} {
		h := http.Header{}
		if tc.header != "" {
			h.Set("Amz-Sdk-Request", tc.header)
		}
		if got := sdkAttempt(h); got != tc.want {
			t.Errorf("sdkAttempt(%q) = %d, want %d", tc.header, got, tc.want)
		}
	}
}

// The emulator has no authentication: Start refuses to listen anywhere but on a loopback address.
func TestStartLoopbackOnly(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "example.com:0"} {
		srv, err := Start(Options{Addr: addr})
		if err == nil {
			_ = srv.Close()
			t.Errorf("Start(%q) = nil error, want a refusal of a non-loopback address", addr)
		} else if !strings.Contains(err.Error(), "not a loopback address") {
			t.Errorf("Start(%q) = %v, want it to say the address is not a loopback address", addr, err)
		}
	}
	for _, addr := range []string{"", "127.0.0.1:0", "localhost:0"} {
		srv, err := Start(Options{Addr: addr})
		if err != nil {
			t.Errorf("Start(%q) = %v, want it to listen", addr, err)
			continue
		}
		_ = srv.Close()
	}
}
