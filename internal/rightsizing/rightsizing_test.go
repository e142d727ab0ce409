package rightsizing

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// deps starts a sandbox with sc at now and returns real SDK clients on it.
func deps(t testing.TB, sc *sandbox.Scenario, now time.Time) (Deps, *sandbox.Server) {
	t.Helper()
	srv, err := sandbox.Start(sandbox.Options{Scenario: sc, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	creds := credentials.NewStaticCredentialsProvider("AKID", "secret", "")
	cat, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	return Deps{
		RDS:         rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)}),
		CloudWatch:  cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)}),
		AutoScaling: applicationautoscaling.NewFromConfig(srv.AWSConfig()),
		Catalog:     cat,
		Region:      "us-east-1",
		Now:         func() time.Time { return now },
	}, srv
}

var testNow = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

func TestRecommend_demo(t *testing.T) {
	d, _ := deps(t, sandbox.Demo(), testNow)
	for _, tc := range []struct {
		instance, cluster string
		lookback          time.Duration
		savings           float64
		storage           [2]float64 // USD per month now and after
	}{
		// The Aurora reader's instance; the cluster volume stays.
		{cluster: "sso-prod", lookback: 14 * 24 * time.Hour, savings: 53.29},
		// The Multi-AZ instance ($94.17) and half its 100 GiB of gp3 storage, billed twice at
		// $0.115 per GB-month under Multi-AZ ($23.00 → $11.50).
		{instance: "mandible-prod", lookback: 28 * 24 * time.Hour, savings: 105.67, storage: [2]float64{23, 11.5}},
	} {
		res, err := Recommend(context.Background(), d, Request{InstanceID: tc.instance, ClusterID: tc.cluster, Lookback: tc.lookback})
		if err != nil {
			t.Fatal(err)
		}
		rec := res.Recommendation
		for _, r := range rec.Reasons {
			t.Logf("%s %s: %s", tc.instance+tc.cluster, map[bool]string{true: "PASS", false: "FAIL"}[r.Passed], r.Message)
		}
		if rec.Verdict != analysis.VerdictConsolidate {
			t.Errorf("%s%s verdict = %s, want consolidate", tc.instance, tc.cluster, rec.Verdict)
		}
		if rec.Cost.MonthlySavingsUSD != tc.savings {
			t.Errorf("%s%s savings = %v, want %v", tc.instance, tc.cluster, rec.Cost.MonthlySavingsUSD, tc.savings)
		}
		if got := [2]float64{rec.Cost.CurrentStorageUSD, rec.Cost.ProposedStorageUSD}; got != tc.storage {
			t.Errorf("%s%s storage = %v, want %v", tc.instance, tc.cluster, got, tc.storage)
		}
		// A response lost on its way (aws-sdk-go-v2 issue 2737) is resent: one such retry is allowed.
		if res.RequestsMade-res.Retries != res.LowerBound || res.Retries > 1 {
			t.Errorf("requests made %d (%d retried), lower bound %d", res.RequestsMade, res.Retries, res.LowerBound)
		}
		// Replication lag is measured by the metric the deployment publishes: AuroraReplicaLag
		// (milliseconds) on the Aurora reader, ReplicaLag (which a Multi-AZ writer does not publish) on RDS.
		for _, n := range rec.Nodes {
			if n.Role == analysis.RoleStandby {
				continue // publishes nothing
			}
			aurora, hasAurora := n.Summary(analysis.MetricAuroraReplicaLag)
			_, hasRDS := n.Summary(analysis.MetricReplicaLag)
			switch {
			case tc.cluster == "" && (hasAurora || !hasRDS):
				t.Errorf("%s: AuroraReplicaLag collected %v, ReplicaLag %v; want ReplicaLag only", n.ID, hasAurora, hasRDS)
			case tc.cluster != "" && (hasRDS || !hasAurora):
				t.Errorf("%s: AuroraReplicaLag collected %v, ReplicaLag %v; want AuroraReplicaLag only", n.ID, hasAurora, hasRDS)
			case n.Role == analysis.RoleReader && (aurora.Count == 0 || aurora.Unit != "Milliseconds" || !(aurora.P99 > 2 && aurora.P99 < 1000)):
				t.Errorf("%s: AuroraReplicaLag %+v, want the reader's lag in milliseconds", n.ID, aurora)
			}
			// Storage likewise: FreeLocalStorage on Aurora, FreeStorageSpace on RDS.
			local, hasLocal := n.Summary(analysis.MetricFreeLocalStorage)
			_, hasSpace := n.Summary(analysis.MetricFreeStorageSpace)
			if aur := tc.cluster != ""; hasLocal != aur || hasSpace == aur || (aur && local.Count == 0) {
				t.Errorf("%s: FreeLocalStorage collected %v (%d points), FreeStorageSpace %v", n.ID, hasLocal, local.Count, hasSpace)
			}
		}
		// sso-prod's temporary files are negligible: its projected local storage use is its logs.
		if used := rec.Projection.LocalStorageUsed; tc.cluster != "" && !(used.Count > 0 && used.Max < 1<<30) {
			t.Errorf("sso-prod: projected local storage use %d points, max %v bytes; want under 1 GiB", used.Count, used.Max)
		}
		for _, r := range rec.Risks {
			if strings.Contains(r.Description, "local storage") {
				t.Errorf("%s%s: unexpected risk %q", tc.instance, tc.cluster, r.Description)
			}
		}
		// Both run burstable classes (db.t4g.medium: 20% baseline per vCPU; db.t4g.large: 30%) well within
		// their baselines: their CPU credits are simulated, and nothing is charged before or after.
		cr := rec.CPUCredits
		wantBase, wantNodes := 30.0, 1
		if tc.cluster != "" {
			wantBase, wantNodes = 20, 2
		}
		if cr == nil || cr.BaselinePercent != wantBase || cr.SurplusChargedVCPUHours != 0 || !(cr.Peak24hMeanPercent < wantBase/1.2) {
			t.Errorf("%s%s: single-node credits %+v; want a %v%% baseline, no surplus", tc.instance, tc.cluster, cr, wantBase)
		}
		if len(rec.NodeCPUCredits) != wantNodes || rec.Cost.CurrentCreditVCPUHours != 0 || rec.Cost.ProposedCreditVCPUHours != 0 {
			t.Errorf("%s%s: node credits %+v, cost credits %v / %v; want %d nodes, none charged", tc.instance, tc.cluster,
				rec.NodeCPUCredits, rec.Cost.CurrentCreditVCPUHours, rec.Cost.ProposedCreditVCPUHours, wantNodes)
		}
		burst := burstRisks(rec)
		if len(burst) != 1 || burst[0].Severity != "low" {
			t.Errorf("%s%s: burst risks %+v, want one low", tc.instance, tc.cluster, burst)
		}
		// Rollback alarms on the credits: the balance below 20% of its 24-hour limit (576 credits on
		// db.t4g.medium, 864 on db.t4g.large), and any surplus charged.
		wantThr := map[float64]float64{20: 115, 30: 173}[wantBase]
		var credit []string
		for _, a := range rec.RollbackTriggers {
			switch a.MetricName {
			case analysis.MetricCPUCreditBalance:
				credit = append(credit, fmt.Sprintf("balance<%v", a.Threshold))
			case analysis.MetricCPUSurplusCreditsCharged:
				credit = append(credit, fmt.Sprintf("charged>%v", a.Threshold))
			}
		}
		if want := []string{fmt.Sprintf("balance<%v", wantThr), "charged>0"}; !slices.Equal(credit, want) {
			t.Errorf("%s%s: credit alarms %v, want %v", tc.instance, tc.cluster, credit, want)
		}
	}
}

// TestRecommend_localStorageRunsOut: an Aurora db.t4g.medium pair (8.13 GiB
// of local storage each, by the catalog) whose writer and reader each fill
// part of it with temporary files at the same hours. Together they would
// not fit on one node: the recommendation carries a high capacity risk,
// from the series collected over the real SDK.
func TestRecommend_localStorageRunsOut(t *testing.T) {
	w, r := sandbox.IdleWorkload, sandbox.IdleWorkload
	w.TempPeakGiB, r.TempPeakGiB = 2, 7
	sc := &sandbox.Scenario{Name: "temp", Seed: 3, Clusters: []sandbox.ClusterSpec{sandbox.AuroraPair("temp-prod", "db.t4g.medium", w, r)}}
	// Only its own class as candidate: a larger one would fit (and be recommended).
	_, res := recommendScenario(t, sc, Request{ClusterID: "temp-prod", Lookback: 14 * 24 * time.Hour, TargetClasses: []string{"db.t4g.medium"}})
	rec := res.Recommendation
	if rec.Verdict != analysis.VerdictKeep {
		t.Errorf("verdict %s, want keep: the only candidate runs out of local storage", rec.Verdict)
	}
	// The writer keeps 2% of the sandbox's 8 GiB for logs; at the shared peak its own 2 GiB and the reader's
	// 7 GiB of temporary files come on top (with noise of 5% standard deviation), against the catalog's 8.13 GiB.
	used := rec.Projection.LocalStorageUsed
	if used.Count == 0 || used.Max < 8.5*(1<<30) || used.Max > 11*(1<<30) {
		t.Fatalf("projected local storage use: %d points, max %.2f GiB; want 8.5–11 GiB", used.Count, used.Max/(1<<30))
	}
	var found []analysis.Risk
	for _, r := range rec.Risks {
		if strings.Contains(r.Description, "local storage") {
			found = append(found, r)
		}
	}
	if len(found) != 1 || found[0].Severity != "high" || !strings.Contains(found[0].Description, "8.13 GiB local storage of db.t4g.medium") {
		t.Errorf("local storage risks %+v, want one high risk naming db.t4g.medium's 8.13 GiB", found)
	}
	if !strings.Contains(rec.ReportMarkdown, "Projected local storage runs out") {
		t.Error("the report does not carry the local storage risk")
	}
	// The rollback alarm sits at its floor, 5% of the class's local storage, and watches the
	// cluster's writer by role (which follows it across a failover), not the instance.
	var alarms []analysis.AlarmSpec
	for _, a := range rec.RollbackTriggers {
		if a.MetricName == analysis.MetricFreeLocalStorage {
			alarms = append(alarms, a)
		}
	}
	if want := math.Round(0.05*8.13*(1<<10)) * (1 << 20); len(alarms) != 1 || alarms[0].Threshold != want || !maps.Equal(alarms[0].Dimensions, map[string]string{"DBClusterIdentifier": "temp-prod", "Role": "WRITER"}) {
		t.Errorf("FreeLocalStorage alarms %+v, want one on temp-prod's WRITER role below %v bytes", alarms, want)
	}
}

// TestRecommend_surplusCredits: an RDS db.t4g.medium Multi-AZ instance running above its 20% baseline
// pays for surplus CPU credits at the catalog's $0.075 per vCPU-hour, before and after (the writer's
// load does not change), so the savings are the instance price and the storage alone; the risk prices
// the surplus.
func TestRecommend_surplusCredits(t *testing.T) {
	w := sandbox.IdleWorkload
	w.CPUBase, w.CPUAmplitude = 24, 8
	sc := &sandbox.Scenario{Name: "credits", Seed: 5, Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("hot-prod", "db.t4g.medium", w)}}
	d, res := recommendScenario(t, sc, Request{InstanceID: "hot-prod", Lookback: 14 * 24 * time.Hour, TargetClasses: []string{"db.t4g.medium"}})
	rec := res.Recommendation
	cr := rec.CPUCredits
	// A cosine from 24% to 32% averages 28%: 8 points over the baseline on 2 vCPUs, 0.16 vCPU-hours an hour,
	// about 117 a month.
	if cr == nil || cr.SurplusVCPUHoursPerMonth < 100 || cr.SurplusVCPUHoursPerMonth > 130 {
		t.Fatalf("single-node credits %+v; want about 117 vCPU-hours of surplus a month", cr)
	}
	c := rec.Cost
	if c.CurrentCreditVCPUHours != c.ProposedCreditVCPUHours || c.CurrentCreditsUSD != round2(c.CurrentCreditVCPUHours*0.075) ||
		c.ProposedCreditsUSD != c.CurrentCreditsUSD {
		t.Errorf("cost credits %v / %v vCPU-h, $%v / $%v; want the same before and after, at $0.075", c.CurrentCreditVCPUHours,
			c.ProposedCreditVCPUHours, c.CurrentCreditsUSD, c.ProposedCreditsUSD)
	}
	// The instance prices and the storage make the savings: Multi-AZ now, Single-AZ after (100 GiB of
	// gp3, $23.00 a month under Multi-AZ, $11.50 without).
	single, err := d.Catalog.Price("db.t4g.medium", pricing.EngineRDSPostgres, pricing.SingleAZ, d.Region)
	if err != nil {
		t.Fatal(err)
	}
	now, after := round2(res.CurrentHourlyUSD*730+23), round2(single.HourlyUSD*730+11.5)
	if c.CurrentStorageUSD != 23 || c.ProposedStorageUSD != 11.5 || c.CurrentMonthlyUSD != round2(now+c.CurrentCreditsUSD) ||
		c.ProposedMonthlyUSD != round2(after+c.ProposedCreditsUSD) || c.MonthlySavingsUSD != round2(now-after) {
		t.Errorf("now $%v, after $%v, savings $%v, storage $%v/$%v; want $%v, $%v (with credits and storage), savings $%v", c.CurrentMonthlyUSD, c.ProposedMonthlyUSD,
			c.MonthlySavingsUSD, c.CurrentStorageUSD, c.ProposedStorageUSD, round2(now+c.CurrentCreditsUSD), round2(after+c.ProposedCreditsUSD), round2(now-after))
	}
	burst := burstRisks(rec)
	if len(burst) != 1 || burst[0].Severity != "high" || !strings.Contains(burst[0].Description, "at $0.075 per vCPU-hour") {
		t.Errorf("burst risks %+v; want one high risk priced at $0.075 per vCPU-hour", burst)
	}
	if !strings.Contains(rec.ReportMarkdown, "| hot-prod (today) | db.t4g.medium | 20.0 |") {
		t.Errorf("the report lacks the node's CPU credits:\n%s", rec.ReportMarkdown)
	}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// TestRecommend_surplusCreditsAurora: an Aurora pair on db.t4g.medium whose nodes each stay within the 20%
// baseline, but whose combined load would not. The catalog has no Aurora credit price: the surplus is
// reported in vCPU-hours, not priced, and the Infracost usage file carries it for Infracost to price.
func TestRecommend_surplusCreditsAurora(t *testing.T) {
	w := sandbox.IdleWorkload
	w.CPUBase, w.CPUAmplitude = 12, 4
	sc := &sandbox.Scenario{Name: "credits-aurora", Seed: 6, Clusters: []sandbox.ClusterSpec{sandbox.AuroraPair("warm-prod", "db.t4g.medium", w, w)}}
	_, res := recommendScenario(t, sc, Request{ClusterID: "warm-prod", Lookback: 14 * 24 * time.Hour})
	rec := res.Recommendation
	// Each node averages 14%, within its baseline; together 28%: 8 points over it on 2 vCPUs, about 117
	// vCPU-hours a month.
	for _, n := range rec.NodeCPUCredits {
		if n.SurplusVCPUHoursPerMonth != 0 {
			t.Errorf("%s pays for %v vCPU-hours of surplus today, want none", n.Node, n.SurplusVCPUHoursPerMonth)
		}
	}
	cr := rec.CPUCredits
	if cr == nil || cr.SurplusVCPUHoursPerMonth < 100 || cr.SurplusVCPUHoursPerMonth > 130 {
		t.Fatalf("single-node credits %+v; want about 117 vCPU-hours of surplus a month", cr)
	}
	if c := rec.Cost; c.CreditUSDPerVCPUHour != 0 || c.ProposedCreditsUSD != 0 || c.ProposedCreditVCPUHours != round2(cr.SurplusVCPUHoursPerMonth) {
		t.Errorf("cost %+v: want the surplus in vCPU-hours, unpriced", c)
	}
	want := fmt.Sprintf("  aws_rds_cluster_instance.warm_prod_instance_1:\n    monthly_cpu_credit_hrs: %d # surplus CPU credits on db.t4g.medium",
		int64(math.Round(cr.SurplusVCPUHoursPerMonth/2)))
	if !strings.Contains(res.InfracostUsageYAML, want) || !strings.Contains(res.InfracostUsageYAML, "    vcpu_count: 2\n") {
		t.Errorf("Infracost usage lacks the writer's CPU credit hours (%q):\n%s", want, res.InfracostUsageYAML)
	}
	burst := burstRisks(rec)
	if len(burst) != 1 || burst[0].Severity != "high" || strings.Contains(burst[0].Description, "$") {
		t.Errorf("burst risks %+v; want one high risk without a price", burst)
	}
}

func TestCapacity(t *testing.T) {
	if g, ok := sustainedGbps("12.5"); !ok || g != 12.5 {
		t.Errorf("sustainedGbps(12.5) = %v %v", g, ok)
	}
	for _, s := range []string{"Up to 10", "", "n/a", "0"} {
		if _, ok := sustainedGbps(s); ok {
			t.Errorf("sustainedGbps(%q) taken as sustained", s)
		}
	}
	cat, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		class     string
		vcpu, mem float64
		network   bool    // a sustained network baseline is known
		local     float64 // Aurora local storage, GiB
	}{
		{"db.t4g.medium", 2, 4, true, 8.13}, // EC2 baseline of the burstable class
		{"db.r6g.16xlarge", 64, 512, true, 1008},
		{"db.m6g.large", 2, 8, true, 0}, // not offered on Aurora
	} {
		ic, err := cat.Class(tc.class)
		if err != nil {
			t.Fatal(err)
		}
		c := Capacity(ic)
		if c.Name != tc.class || c.VCPU != tc.vcpu || c.MemoryGiB != tc.mem || (c.NetworkBaselineBytesPerSec > 0) != tc.network || c.BaselineIOPS <= 0 ||
			c.LocalStorageGiB != tc.local {
			t.Errorf("Capacity(%s) = %+v", tc.class, c)
		}
	}
}

// burstRisks returns the risks of category burst.
func burstRisks(rec analysis.Recommendation) []analysis.Risk {
	var out []analysis.Risk
	for _, r := range rec.Risks {
		if r.Category == "burst" {
			out = append(out, r)
		}
	}
	return out
}

// recommendScenario serves sc from a sandbox and recommends for req over the real SDK.
func recommendScenario(t *testing.T, sc *sandbox.Scenario, req Request) (Deps, Result) {
	t.Helper()
	d, _ := deps(t, sc, testNow)
	res, err := Recommend(context.Background(), d, req)
	if err != nil {
		t.Fatal(err)
	}
	return d, res
}

// operationsRisks are the recommendation's risks of category operations.
func operationsRisks(res Result) []analysis.Risk { return risksOf(res, "operations") }

// risksOf are the recommendation's risks of the category.
func risksOf(res Result, category string) []analysis.Risk {
	var rs []analysis.Risk
	for _, r := range res.Recommendation.Risks {
		if r.Category == category {
			rs = append(rs, r)
		}
	}
	return rs
}

// A custom endpoint of sso-prod that routes only to its reader is a high operations risk of the
// single node; when the endpoints cannot be listed, the recommendation says so and goes on.
func TestRecommend_customEndpoints(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	if _, err := d.RDS.(*rds.Client).CreateDBClusterEndpoint(ctx, &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String("sso-prod"),
		DBClusterEndpointIdentifier: aws.String("reporting"), EndpointType: aws.String("READER")}); err != nil {
		t.Fatal(err)
	}
	req := Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour}
	res, err := Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	ops := operationsRisks(res)
	if len(ops) != 1 || ops[0].Severity != "high" || !strings.HasPrefix(ops[0].Description, "Custom endpoint reporting (type READER) routes to no instance") {
		t.Fatalf("operations risks %+v", ops)
	}
	if res.Recommendation.Verdict != analysis.VerdictConsolidate || len(res.WarningTexts()) != 0 {
		t.Fatalf("verdict %s, warnings %v", res.Recommendation.Verdict, res.WarningTexts())
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBClusterEndpoints", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	res, err = Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.WarningTexts()) != 1 || !strings.HasPrefix(res.WarningTexts()[0], "custom endpoints not checked: listing custom endpoints (rds:DescribeDBClusterEndpoints): ") {
		t.Fatalf("warnings %v", res.WarningTexts())
	}
	if ops := operationsRisks(res); len(ops) != 0 {
		t.Fatalf("risks from unread endpoints: %+v", ops)
	}
}

// A read-only endpoint of an RDS Proxy in front of sso-prod is a high operations risk of the
// single node; when the proxy endpoints cannot be listed, the recommendation says so and goes on.
func TestRecommend_proxyEndpoints(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	acctest.AddProxy(t, srv, "sso-proxy", "sso-prod", "", map[string]rdstypes.DBProxyEndpointTargetRole{
		"sso-ro": rdstypes.DBProxyEndpointTargetRoleReadOnly, "sso-rw": rdstypes.DBProxyEndpointTargetRoleReadWrite})
	req := Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour}
	res, err := Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	ops := operationsRisks(res)
	if len(ops) != 1 || ops[0].Severity != "high" || !strings.HasPrefix(ops[0].Description, "RDS Proxy endpoint sso-ro (read-only endpoint of RDS Proxy sso-proxy) routes to the cluster's readers only") {
		t.Fatalf("operations risks %+v", ops)
	}
	if len(res.WarningTexts()) != 0 {
		t.Fatalf("warnings %v", res.WarningTexts())
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBProxyTargets", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	if res, err = Recommend(ctx, d, req); err != nil {
		t.Fatal(err)
	}
	if len(res.WarningTexts()) != 1 || !strings.HasPrefix(res.WarningTexts()[0], "RDS Proxy endpoints not checked: listing the targets of RDS Proxy sso-proxy (rds:DescribeDBProxyTargets): ") {
		t.Fatalf("warnings %v", res.WarningTexts())
	}
	if ops := operationsRisks(res); len(ops) != 0 {
		t.Fatalf("risks from unread proxies: %+v", ops)
	}
	// A Multi-AZ instance behind a proxy: nothing to check, no warning.
	if res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour}); err != nil || len(res.WarningTexts()) != 0 {
		t.Fatalf("mandible-prod: %v %v", err, res.WarningTexts())
	}
}

// Aurora Auto Scaling of sso-prod with a minimum of one reader is a high operations risk of the
// single node; when it cannot be read, or there is no client to read it, the recommendation
// says so and goes on. A Multi-AZ instance has nothing to check.
func TestRecommend_autoScaling(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	acctest.AddReplicaScaling(t, srv, "sso-prod", 1, 2)
	req := Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour}
	res, err := Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	ops := operationsRisks(res)
	if len(ops) != 1 || ops[0].Severity != "high" || !strings.HasPrefix(ops[0].Description, "Aurora Auto Scaling keeps 1 to 2 reader(s) (minimum 1)") || len(res.WarningTexts()) != 0 {
		t.Fatalf("operations risks %+v, warnings %v", ops, res.WarningTexts())
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeScalableTargets", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "AccessDeniedException", Message: "not authorized"}})
	if res, err = Recommend(ctx, d, req); err != nil {
		t.Fatal(err)
	}
	if len(res.WarningTexts()) != 1 || !strings.HasPrefix(res.WarningTexts()[0], "Aurora Auto Scaling not checked: listing Aurora Auto Scaling targets (application-autoscaling:DescribeScalableTargets): ") ||
		len(operationsRisks(res)) != 0 {
		t.Fatalf("denied: warnings %v, risks %+v", res.WarningTexts(), operationsRisks(res))
	}
	srv.ClearFaults()
	d.AutoScaling = nil
	if res, err = Recommend(ctx, d, req); err != nil || len(res.WarningTexts()) != 1 || res.WarningTexts()[0] != "Aurora Auto Scaling not checked: no Application Auto Scaling client" {
		t.Fatalf("no client: %v %v", err, res.WarningTexts())
	}
	if res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour}); err != nil || len(res.WarningTexts()) != 0 {
		t.Fatalf("mandible-prod: %v %v", err, res.WarningTexts())
	}
}

// A blue/green deployment whose source is the database is a high operations risk of the single
// node, for a Multi-AZ instance and an Aurora cluster alike; a deployment of another database is
// not; when the deployments cannot be listed, the recommendation says so and goes on.
func TestRecommend_blueGreen(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	id := acctest.AddBlueGreen(t, srv, "pg16-upgrade", "", "mandible-prod")
	chat := Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour}
	res, err := Recommend(ctx, d, chat)
	if err != nil {
		t.Fatal(err)
	}
	ops := operationsRisks(res)
	if len(ops) != 1 || ops[0].Severity != "high" || len(res.WarningTexts()) != 0 ||
		!strings.HasPrefix(ops[0].Description, "The database is the blue (source) database of blue/green deployment "+id+" (pg16-upgrade), status ") ||
		!strings.Contains(ops[0].Description, "green database arn:aws:rds:") {
		t.Fatalf("operations risks %+v, warnings %v", ops, res.WarningTexts())
	}
	sso := Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour}
	if res, err = Recommend(ctx, d, sso); err != nil || len(operationsRisks(res)) != 0 || len(res.WarningTexts()) != 0 {
		t.Fatalf("sso-prod, another database's deployment: %v %+v %v", err, operationsRisks(res), res.WarningTexts())
	}
	acctest.AddBlueGreen(t, srv, "sso-upgrade", "sso-prod", "")
	if res, err = Recommend(ctx, d, sso); err != nil || len(operationsRisks(res)) != 1 ||
		!strings.Contains(operationsRisks(res)[0].Description, "(sso-upgrade)") {
		t.Fatalf("sso-prod: %v %+v", err, operationsRisks(res))
	}
	// The green copy itself: a recommendation for it says what it is.
	green, err := d.RDS.(*rds.Client).DescribeBlueGreenDeployments(ctx, &rds.DescribeBlueGreenDeploymentsInput{BlueGreenDeploymentIdentifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(green.BlueGreenDeployments[0].Target)
	res, err = Recommend(ctx, d, Request{InstanceID: arn[strings.LastIndex(arn, ":")+1:], Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.WarningTexts(), func(w string) bool {
		return strings.HasPrefix(w, "the database is the green database of blue/green deployment "+id+" (pg16-upgrade), status ") &&
			strings.HasSuffix(w, ":db:mandible-prod, which it replaces at switchover; its metrics cover only its time as a copy")
	}) || len(operationsRisks(res)) != 0 {
		t.Fatalf("green copy: warnings %v, risks %+v", res.WarningTexts(), operationsRisks(res))
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeBlueGreenDeployments", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	if res, err = Recommend(ctx, d, chat); err != nil {
		t.Fatal(err)
	}
	if len(res.WarningTexts()) != 1 || !strings.HasPrefix(res.WarningTexts()[0], "blue/green deployments not checked: listing blue/green deployments (rds:DescribeBlueGreenDeployments): ") ||
		len(operationsRisks(res)) != 0 {
		t.Fatalf("denied: warnings %v, risks %+v", res.WarningTexts(), operationsRisks(res))
	}
}

// The region's reservations of each deployment's engine and family are a cost risk: medium for
// mandible-prod, whose Multi-AZ db.t4g.large a Multi-AZ reservation covers whole; low for
// sso-prod, whose two db.t4g.medium instances an Aurora reservation covers half of. When they
// cannot be listed, the recommendation says so and goes on.
func TestRecommend_reservations(t *testing.T) {
	sc := sandbox.Demo()
	sc.Reservations = []sandbox.ReservationSpec{
		{Class: "db.t4g.large", ProductDescription: "postgresql", MultiAZ: true, Count: 1, Years: 1, OfferingType: "All Upfront", StartAgo: 100 * 24 * time.Hour},
		{Class: "db.t4g.medium", ProductDescription: "aurora-postgresql", Count: 1, Years: 3, OfferingType: "All Upfront", StartAgo: 100 * 24 * time.Hour},
		{Class: "db.r6g.large", ProductDescription: "postgresql", Count: 2, Years: 1, OfferingType: "All Upfront", StartAgo: 100 * 24 * time.Hour},
	}
	d, srv := deps(t, sc, testNow)
	ctx := context.Background()
	for _, c := range []struct {
		req      Request
		severity string
		want     string
	}{
		{Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour}, "medium",
			" (1 × db.t4g.large Multi-AZ, until 2027-"},
		// One db.t4g.medium reservation for the Aurora pair: the single node still uses all of it, so
		// the savings are real and there is no risk.
		{Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour}, "", ""},
	} {
		res, err := Recommend(ctx, d, c.req)
		if err != nil {
			t.Fatal(err)
		}
		// The reservations' risk (the demo's sso-prod reader, in another AZ than its writer, also
		// has a cross-AZ data transfer one).
		cost := slices.DeleteFunc(risksOf(res, "cost"), func(r analysis.Risk) bool {
			return strings.HasPrefix(r.Description, "Cross-AZ data transfer")
		})
		if c.severity == "" {
			if len(cost) != 0 || len(res.WarningTexts()) != 0 {
				t.Fatalf("%s: cost risks %+v, warnings %v; want none", res.Cluster.Identifier, cost, res.WarningTexts())
			}
		} else if len(cost) != 1 || cost[0].Severity != c.severity || !strings.HasPrefix(cost[0].Description, "Reserved DB instances of the db.t4g family for ") ||
			!strings.Contains(cost[0].Description, c.want) || len(res.WarningTexts()) != 0 {
			t.Fatalf("%s: cost risks %+v, warnings %v", res.Cluster.Identifier, cost, res.WarningTexts())
		}
		if res.Recommendation.Cost.MonthlySavingsUSD <= 0 {
			t.Errorf("%s: the savings stay at on-demand prices: %+v", res.Cluster.Identifier, res.Recommendation.Cost)
		}
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeReservedDBInstances", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	res, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.WarningTexts()) != 1 || !strings.HasPrefix(res.WarningTexts()[0], "reserved DB instances not checked (the savings assume on-demand prices): listing reserved DB instances (rds:DescribeReservedDBInstances): ") ||
		len(risksOf(res, "cost")) != 0 {
		t.Fatalf("denied: warnings %v, risks %+v", res.WarningTexts(), risksOf(res, "cost"))
	}
}

// The recommendation reads the deployment's windows and pending maintenance: mandible-prod's
// backup and maintenance windows sit in its weekday peak, so quieter ones are suggested, the
// migration window keeps out of them, and the OS update pending on it is a risk; sso-prod
// (Aurora) gets no backup suggestion, and of its pending actions only the writer's OS update is a
// risk (the reader goes; an engine upgrade costs downtime with two nodes too). A denied listing
// is a warning; a window in a form the analysis does not read is left out with a warning.
func TestRecommend_windows(t *testing.T) {
	d, srv := deps(t, acctest.DemoMaintenance(), testNow)
	ctx := context.Background()
	res, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	wa := res.Recommendation.Windows
	if wa.Backup.Window != "13:00-13:30" || !wa.Backup.Known || wa.Maintenance.Window != "tue:14:00-tue:14:30" || !wa.Maintenance.Known ||
		wa.SuggestedBackupWindow == "" || !(wa.SuggestedBackupLoad < wa.Backup.PeakLoad) ||
		wa.SuggestedMaintenanceWindow == "" || !(wa.SuggestedMaintenanceLoad < wa.Maintenance.PeakLoad) || len(wa.Pending) != 1 {
		t.Fatalf("mandible-prod windows %+v", wa)
	}
	if mw := res.Recommendation.MigrationWindow; !strings.HasSuffix(mw.Reason, "outside 13:00-13:30 and tue:14:00-tue:14:30 and "+
		wa.SuggestedBackupWindow+" and "+wa.SuggestedMaintenanceWindow+" UTC") {
		t.Errorf("migration window %+v", mw)
	}
	var pending []string
	for _, r := range risksOf(res, "failure") {
		if strings.HasPrefix(r.Description, "Pending maintenance ") {
			pending = append(pending, r.Severity+" "+r.Description)
		}
	}
	if len(pending) != 1 || !strings.HasPrefix(pending[0], "medium Pending maintenance system-update on mandible-prod (New Operating System update is available), scheduled for ") {
		t.Errorf("mandible-prod pending maintenance risks %q", pending)
	}
	if b := risksOf(res, "backup"); len(b) != 1 || !strings.Contains(b[0].Description, "the daily backup window 13:00-13:30 UTC") ||
		!strings.Contains(b[0].Description, "the quietest is "+wa.SuggestedBackupWindow) {
		t.Errorf("mandible-prod backup risks %+v", b)
	}
	if len(res.WarningTexts()) != 0 {
		t.Errorf("warnings %v", res.WarningTexts())
	}

	res, err = Recommend(ctx, d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	wa = res.Recommendation.Windows
	if wa.Backup.Window != "07:00-07:30" || wa.SuggestedBackupWindow != "" || wa.Maintenance.Window != "wed:03:00-wed:03:30" || len(wa.Pending) != 3 {
		t.Fatalf("sso-prod windows %+v", wa)
	}
	pending = nil
	for _, r := range risksOf(res, "failure") {
		if strings.HasPrefix(r.Description, "Pending maintenance ") {
			pending = append(pending, r.Description)
		}
	}
	if len(pending) != 1 || !strings.HasPrefix(pending[0], "Pending maintenance system-update on sso-prod-instance-1, not scheduled: applied when you opt in: with a reader") {
		t.Errorf("sso-prod pending maintenance risks %q", pending)
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribePendingMaintenanceActions", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.WarningTexts()) != 1 || !strings.HasPrefix(res.WarningTexts()[0], "pending maintenance not checked: listing pending maintenance actions (rds:DescribePendingMaintenanceActions): ") ||
		res.Recommendation.Windows.Pending != nil || res.Recommendation.Windows.Backup.Window != "13:00-13:30" {
		t.Fatalf("denied: warnings %v, windows %+v", res.WarningTexts(), res.Recommendation.Windows)
	}

	var in analysis.ClusterInput
	warns := setWindowsAndEvents(&in, inventory.Cluster{BackupWindow: "3am", MaintenanceWindow: "sun:05:00-sun:05:30"})
	if in.BackupWindow != "" || in.MaintenanceWindow != "sun:05:00-sun:05:30" || len(warns) != 1 ||
		!strings.HasPrefix(warns[0].Text, `the backup window is left out: analysis: backup window "3am": `) {
		t.Errorf("unreadable window: %+v, warnings %q", in, warns)
	}
}

// Failovers of the last 14 days are a redundancy risk of each recommendation; a denied listing is
// a warning.
func TestRecommend_failovers(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	acctest.FailOver(t, srv)
	d.Now = srv.Now
	ctx := context.Background()
	for _, c := range []struct {
		req  Request
		want string
	}{
		{Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour}, "1 failover in the RDS events of the last 14 days (the latest: "},
		{Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour}, "1 failover in the RDS events of the last 14 days (the latest: "},
	} {
		res, err := Recommend(ctx, d, c.req)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, r := range risksOf(res, "redundancy") {
			found = found || strings.HasPrefix(r.Description, c.want)
		}
		if !found || len(res.WarningTexts()) != 0 {
			t.Errorf("%s: redundancy risks %+v, warnings %v", res.Cluster.Identifier, risksOf(res, "redundancy"), res.WarningTexts())
		}
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeEvents", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	res, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.WarningTexts()) != 1 || !strings.HasPrefix(res.WarningTexts()[0], "failovers not checked: listing the failover, failure and configuration change events of the last 14 days (rds:DescribeEvents): ") {
		t.Fatalf("denied: warnings %v", res.WarningTexts())
	}
}

// The window's edges: a period CloudWatch cannot serve for the window's start is an input error on
// period_seconds; a 455-day lookback ending now (not on the hour) plans without an error, its
// start at CloudWatch's retention edge; a window past 15 days warns that its datapoints are
// period averages.
func TestRecommend_windowEdges(t *testing.T) {
	d, _ := deps(t, sandbox.Demo(), testNow.Add(17*time.Minute+30*time.Second))
	ctx := context.Background()
	_, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 20 * 24 * time.Hour, Period: 360 * time.Second})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "period_seconds" || !strings.Contains(ie.Reason, "multiple of 300 s") {
		t.Fatalf("360 s over 20 days: %v, want an input error on period_seconds", err)
	}
	res, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 455 * 24 * time.Hour})
	if err != nil || res.Period != time.Hour {
		t.Fatalf("455 days: period %v, %v", res.Period, err)
	}
	res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 20 * 24 * time.Hour})
	if err != nil || !slices.ContainsFunc(res.WarningTexts(), func(w string) bool { return strings.Contains(w, "300-second averages") }) {
		t.Fatalf("20 days: warnings %q, %v", res.WarningTexts(), err)
	}
	// One warning, titled by its issue, says why the period is coarser and what that costs (not a
	// second one saying the datapoints are averages again), the lookback in days, as lookback_days
	// gives it, and the period in seconds, as period_seconds does: not as Go durations (480h0m0s,
	// 5m0s).
	want := []Warning{{"Coarser Period Forced by Retention", "the window starts 2026-10-13T12:15:00Z, more than 15 days ago, and CloudWatch keeps 1-minute data 15 days " +
		"(a lookback of 20 days ending 2026-11-02T12:15:00Z), so the datapoints are 300-second averages: spikes shorter than that are averaged away, " +
		"so p99 and max understate 1-minute peaks (a window starting within the last 15 days, lookback_days 14 or less with end_time near now, gets 1-minute data)"}}
	if !slices.Equal(res.Warnings, want) {
		t.Errorf("20 days: warnings %q, want %q", res.Warnings, want)
	}
	// A lookback of 14 days whose end_time lies 2 days back starts more than 15 days ago: the
	// warning names the start, not the lookback, as the cause.
	res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour, End: testNow.Add(-48 * time.Hour), Period: 0})
	if err != nil || res.Period != 5*time.Minute || !slices.ContainsFunc(res.Warnings, func(w Warning) bool {
		return w.Title == "Coarser Period Forced by Retention" && strings.HasPrefix(w.Text, "the window starts 2026-10-17T12:00:00Z, more than 15 days ago") &&
			strings.Contains(w.Text, "(a lookback of 14 days ending 2026-10-31T12:00:00Z)")
	}) {
		t.Errorf("14 days ending 2 days back: period %v, warnings %q, %v", res.Period, res.Warnings, err)
	}
	// A period set coarser than CloudWatch's finest keeps the warning of the averages' peaks.
	res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 7 * 24 * time.Hour, Period: 300 * time.Second})
	want = []Warning{{"Peaks Averaged Over the Period", "datapoints are 300-second averages: spikes shorter than that are averaged away, " +
		"so p99 and max understate 1-minute peaks (a 60-second period, available for a window starting within 15 days, keeps them)"}}
	if err != nil || !slices.Equal(res.Warnings, want) {
		t.Errorf("7 days at 300 s: warnings %q, %v, want %q", res.Warnings, err, want)
	}
}

func TestLookbackText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		28 * 24 * time.Hour:              "28 days",
		24 * time.Hour:                   "1 day",
		36 * time.Hour:                   "1 day 12 hours",
		25 * time.Hour:                   "1 day 1 hour",
		6 * time.Hour:                    "6 hours",
		14*24*time.Hour + 90*time.Minute: "14 days 1.5 hours",
	} {
		if got := lookbackText(d); got != want {
			t.Errorf("lookbackText(%v) = %q, want %q", d, got, want)
		}
	}
}
