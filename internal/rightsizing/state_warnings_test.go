package rightsizing

import (
	"context"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

const lifecycleDisabled = "open-source-rds-extended-support-disabled"

// withVersion returns the demo scenario with mandible-prod and sso-prod at the given engine
// versions and lifecycle ("" leaves RDS's default).
func withVersion(instanceVersion, clusterVersion, lifecycle string) *sandbox.Scenario {
	sc := sandbox.Demo()
	sc.Instances[0].EngineVersion, sc.Instances[0].EngineLifecycleSupport = instanceVersion, lifecycle
	sc.Clusters[0].EngineVersion, sc.Clusters[0].EngineLifecycleSupport = clusterVersion, lifecycle
	return sc
}

// recommendBoth recommends mandible-prod (Multi-AZ db.t4g.large) and sso-prod (Aurora pair of
// db.t4g.medium) with d over 14 days ending at end (zero: now).
func recommendBoth(t *testing.T, d Deps, end time.Time) (multiAZ, aurora Result) {
	t.Helper()
	var err error
	multiAZ, err = Recommend(context.Background(), d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour, End: end})
	if err != nil {
		t.Fatal(err)
	}
	aurora, err = Recommend(context.Background(), d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour, End: end})
	if err != nil {
		t.Fatal(err)
	}
	return multiAZ, aurora
}

func warningWith(ws []string, parts ...string) (string, bool) {
	for _, w := range ws {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(w, p)
		}
		if all {
			return w, true
		}
	}
	return "", false
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }

// checkSurcharge checks that es is base plus RDS Extended Support at $0.10 per vCPU-hour: $292 a
// month for the 2 × 2 vCPUs of today's two nodes (a Multi-AZ db.t4g.large's primary and standby,
// or two Aurora db.t4g.medium instances) and $146 for the single node, on a 2-vCPU class again.
func checkSurcharge(t *testing.T, name string, base, es Result) {
	t.Helper()
	b, e := base.Recommendation.Cost, es.Recommendation.Cost
	if !b.Known || !e.Known {
		t.Fatalf("%s: unpriced: %+v / %+v", name, b, e)
	}
	if !near(e.CurrentMonthlyUSD, b.CurrentMonthlyUSD+292) {
		t.Errorf("%s: current cost %.2f, want %.2f + 292.00 (2 vCPU × 2 nodes × $0.10 × 730 h)", name, e.CurrentMonthlyUSD, b.CurrentMonthlyUSD)
	}
	if !near(es.CurrentHourlyUSD, base.CurrentHourlyUSD+0.4) {
		t.Errorf("%s: current hourly %.4f, want %.4f + 0.40", name, es.CurrentHourlyUSD, base.CurrentHourlyUSD)
	}
	vcpu := map[string]float64{"db.t4g.medium": 2, "db.t4g.large": 2, "db.t4g.xlarge": 4}[e.ProposedClass]
	if e.ProposedClass != b.ProposedClass || vcpu != 2 {
		t.Fatalf("%s: proposed %s with Extended Support, %s without", name, e.ProposedClass, b.ProposedClass)
	}
	if !near(e.ProposedMonthlyUSD, b.ProposedMonthlyUSD+146) {
		t.Errorf("%s: proposed %.2f, want %.2f + 146.00 (2 vCPU × $0.10 × 730 h)", name, e.ProposedMonthlyUSD, b.ProposedMonthlyUSD)
	}
	if !near(e.MonthlySavingsUSD, b.MonthlySavingsUSD+146) {
		t.Errorf("%s: savings %.2f, want %.2f + 146.00", name, e.MonthlySavingsUSD, b.MonthlySavingsUSD)
	}
	for i, o := range es.Recommendation.Options {
		bo := base.Recommendation.Options[i]
		if o.Class.Name != bo.Class.Name || !near(o.MonthlyUSD, bo.MonthlyUSD+o.Class.VCPU*73) {
			t.Errorf("%s: option %s %.2f, want %s %.2f + %.0f vCPU × $73", name, o.Class.Name, o.MonthlyUSD, bo.Class.Name, bo.MonthlyUSD, o.Class.VCPU)
		}
	}
}

// TestRecommend_extendedSupport: PostgreSQL 12 is on RDS Extended Support at the test date
// (since 2025-03-01, $0.10 per vCPU-hour in us-east-1 in years 1-2), billed on the Multi-AZ
// standby and the Aurora reader too: the current cost carries it for both nodes and each
// single-node option for its class, so the savings grow by the standby's or reader's share.
// PostgreSQL 15 is unchanged.
func TestRecommend_extendedSupport(t *testing.T) {
	d15, _ := deps(t, withVersion("15.7", "15.4", ""), testNow)
	d12, _ := deps(t, withVersion("12.19", "12.22", ""), testNow)
	m15, a15 := recommendBoth(t, d15, time.Time{})
	m12, a12 := recommendBoth(t, d12, time.Time{})
	checkSurcharge(t, "mandible-prod", m15, m12)
	checkSurcharge(t, "sso-prod", a15, a12)
	// The figures: mandible-prod's Multi-AZ db.t4g.large ($0.258/h, catalog 2024-08-09) and 100 GiB
	// of gp3 at $0.23 per GB-month, Multi-AZ ($0.115 Single-AZ); sso-prod's two db.t4g.medium
	// ($0.073/h each); plus $0.10 × 2 vCPU × 730 h = $146 per instance.
	for _, tc := range []struct {
		res                        Result
		current, proposed, savings float64
	}{
		{m12, 188.34 + 23 + 292, 94.17 + 11.5 + 146, 94.17 + 11.5 + 146},
		{a12, 106.58 + 292, 53.29 + 146, 53.29 + 146},
	} {
		c := tc.res.Recommendation.Cost
		if !near(c.CurrentMonthlyUSD, tc.current) || !near(c.ProposedMonthlyUSD, tc.proposed) || !near(c.MonthlySavingsUSD, tc.savings) {
			t.Errorf("%s on PostgreSQL 12: current %.2f proposed %.2f savings %.2f, want %.2f %.2f %.2f", tc.res.Name,
				c.CurrentMonthlyUSD, c.ProposedMonthlyUSD, c.MonthlySavingsUSD, tc.current, tc.proposed, tc.savings)
		}
	}
	for _, r := range []Result{m12, a12} {
		w, ok := warningWith(r.WarningTexts(), r.Name, "PostgreSQL 12", "RDS Extended Support since 2025-03-01", "$0.100 per vCPU-hour in us-east-1",
			"$292.00 a month for its 4 vCPUs", "Upgrading to a PostgreSQL major version in RDS standard support removes the charge")
		if !ok {
			t.Errorf("%s: no Extended Support warning naming the version, date, rate, amount and the upgrade: %q", r.Name, r.WarningTexts())
		}
		t.Logf("%s: %s", r.Name, w)
	}
	for _, r := range []Result{m15, a15} {
		if w, ok := warningWith(r.WarningTexts(), "Extended Support"); ok {
			t.Errorf("%s on PostgreSQL 15: %s", r.Name, w)
		}
	}
	// The prices include the Extended Support rate, whose source is named after the catalog's.
	for i, r := range []Result{m12, a12, m15, a15} {
		got, want := r.PriceSource(), regexp.MustCompile(`^catalog 2024-[0-9-]+( to 2024-[0-9-]+)?( \(.*\))?$`)
		if i < 2 {
			want = regexp.MustCompile(`^catalog 2024-[0-9-]+( to 2024-[0-9-]+)? and extended-support-rates 20\d\d-\d\d( \(.*\))?$`)
		}
		if !want.MatchString(got) || !strings.Contains(r.Recommendation.ReportMarkdown, got) {
			t.Errorf("%s: price source %q, want %s, in the report too", r.Name, got, want)
		}
	}
	// The fleet prices each deployment the same way.
	fleet, err := inventory.ListFleet(context.Background(), d12.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RecommendFleet(context.Background(), d12, fleet, Request{Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		want := map[string]float64{"mandible-prod": m12.Recommendation.Cost.CurrentMonthlyUSD, "sso-prod": a12.Recommendation.Cost.CurrentMonthlyUSD}[r.Name]
		if r.Recommendation.Cost.CurrentMonthlyUSD != want {
			t.Errorf("fleet %s: current %.2f, want %.2f", r.Name, r.Recommendation.Cost.CurrentMonthlyUSD, want)
		}
	}
}

// TestRecommend_extendedSupportToday: PostgreSQL 13 goes on Extended Support on 2026-03-01. On
// 2026-03-04 a recommendation carries the charge, whether its window ends now or ended on
// 2026-02-28 (the costs are today's); on 2026-02-28 it does not; a deployment created with
// EngineLifecycleSupport open-source-rds-extended-support-disabled is not billed it.
func TestRecommend_extendedSupportToday(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	before := time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)
	d15, _ := deps(t, withVersion("15.7", "15.4", ""), now)
	d13, _ := deps(t, withVersion("13.15", "13.16", ""), now)
	dOff, _ := deps(t, withVersion("13.15", "13.16", lifecycleDisabled), now)
	m15, a15 := recommendBoth(t, d15, time.Time{})
	m13, a13 := recommendBoth(t, d13, time.Time{})
	checkSurcharge(t, "mandible-prod 13", m15, m13)
	checkSurcharge(t, "sso-prod 13", a15, a13)
	if _, ok := warningWith(m13.WarningTexts(), "PostgreSQL 13", "since 2026-03-01"); !ok {
		t.Errorf("no Extended Support warning for PostgreSQL 13: %q", m13.WarningTexts())
	}
	mOff, aOff := recommendBoth(t, dOff, time.Time{})
	for _, pair := range [][2]Result{{m15, mOff}, {a15, aOff}} {
		if pair[1].Recommendation.Cost != pair[0].Recommendation.Cost {
			t.Errorf("%s with Extended Support disabled: cost %+v, want that of PostgreSQL 15 %+v", pair[1].Name, pair[1].Recommendation.Cost, pair[0].Recommendation.Cost)
		}
		if w, ok := warningWith(pair[1].WarningTexts(), "Extended Support"); ok {
			t.Errorf("%s with Extended Support disabled: %s", pair[1].Name, w)
		}
	}
	// The costs are today's: a window that ended before Extended Support began does not
	// leave out the charge AWS bills now.
	m13b, _ := recommendBoth(t, d13, before)
	if m13b.Recommendation.Cost.CurrentMonthlyUSD != m13.Recommendation.Cost.CurrentMonthlyUSD {
		t.Errorf("window ending %s: current cost %v, want today's %v (Extended Support billed since 2026-03-01)",
			before, m13b.Recommendation.Cost.CurrentMonthlyUSD, m13.Recommendation.Cost.CurrentMonthlyUSD)
	}
	if _, ok := warningWith(m13b.WarningTexts(), "PostgreSQL 13", "since 2026-03-01"); !ok {
		t.Errorf("window ending %s: no Extended Support warning: %q", before, m13b.WarningTexts())
	}
	// Before 2026-03-01, PostgreSQL 13 is not charged.
	dEarly, _ := deps(t, withVersion("13.15", "13.16", ""), before)
	d15Early, _ := deps(t, withVersion("15.7", "15.4", ""), before)
	mEarly, _ := recommendBoth(t, dEarly, time.Time{})
	m15Early, _ := recommendBoth(t, d15Early, time.Time{})
	if mEarly.Recommendation.Cost != m15Early.Recommendation.Cost {
		t.Errorf("on %s, before PostgreSQL 13's Extended Support: cost %+v, want %+v", before, mEarly.Recommendation.Cost, m15Early.Recommendation.Cost)
	}
}

// TestRecommend_extendedSupportFromRDS: PostgreSQL 14 is not in the provider's Extended Support
// table; once the community no longer supports it (2026-09-30), the recommendation asks RDS
// (DescribeDBMajorEngineVersions; the sandbox's calendar: Extended Support from 2027-03-01).
// Before that date the costs are today's, with a warning of the charge to come; from it the
// charge is priced as for a version in the table. A version still in community support, or not
// enrolled, is not asked about; a refused call leaves the costs as they are and says so.
func TestRecommend_extendedSupportFromRDS(t *testing.T) {
	after := time.Date(2027, 4, 1, 12, 0, 0, 0, time.UTC)
	calls := func(srv *sandbox.Server) int { return srv.Counts()["DescribeDBMajorEngineVersions"] }

	d15, srv15 := deps(t, withVersion("15.7", "15.4", ""), after)
	d14, srv14 := deps(t, withVersion("14.12", "14.13", ""), after)
	m15, a15 := recommendBoth(t, d15, time.Time{})
	m14, a14 := recommendBoth(t, d14, time.Time{})
	checkSurcharge(t, "mandible-prod 14", m15, m14)
	checkSurcharge(t, "sso-prod 14", a15, a14)
	for _, r := range []Result{m14, a14} {
		if _, ok := warningWith(r.WarningTexts(), r.Name, "PostgreSQL 14", "since 2027-03-01 (RDS's date)", "year 1"); !ok {
			t.Errorf("%s on PostgreSQL 14 in April 2027: no Extended Support warning: %q", r.Name, r.WarningTexts())
		}
	}
	if n := calls(srv15); n != 0 {
		t.Errorf("PostgreSQL 15 (community support until 2027-10-13): %d DescribeDBMajorEngineVersions calls, want none", n)
	}
	if n := calls(srv14); n != 2 { // one per recommendation, each for its own engine
		t.Errorf("PostgreSQL 14: %d DescribeDBMajorEngineVersions calls, want 2", n)
	}

	// November 2026: past the community's support, before RDS's: today's costs, and the date.
	d14n, _ := deps(t, withVersion("14.12", "14.13", ""), testNow)
	d15n, _ := deps(t, withVersion("15.7", "15.4", ""), testNow)
	m14n, a14n := recommendBoth(t, d14n, time.Time{})
	m15n, a15n := recommendBoth(t, d15n, time.Time{})
	for _, pair := range [][2]Result{{m15n, m14n}, {a15n, a14n}} {
		base, r := pair[0], pair[1]
		if r.Recommendation.Cost != base.Recommendation.Cost {
			t.Errorf("%s on PostgreSQL 14 in November 2026: cost %+v, want that of PostgreSQL 15 %+v", r.Name, r.Recommendation.Cost, base.Recommendation.Cost)
		}
		if _, ok := warningWith(r.WarningTexts(), r.Name, "PostgreSQL 14", "standard support ends on 2027-02-28 (RDS's date)", "from 2027-03-01",
			"$292.00 a month on today's 4 vCPUs", "leave it out", "Upgrading"); !ok {
			t.Errorf("%s on PostgreSQL 14 in November 2026: no warning of the charge to come: %q", r.Name, r.WarningTexts())
		}
		if w, ok := warningWith(base.WarningTexts(), "Extended Support"); ok {
			t.Errorf("%s on PostgreSQL 15: %s", base.Name, w)
		}
	}

	// Not enrolled: nothing asked, nothing charged.
	dOff, srvOff := deps(t, withVersion("14.12", "14.13", lifecycleDisabled), after)
	mOff, aOff := recommendBoth(t, dOff, time.Time{})
	for _, pair := range [][2]Result{{m15, mOff}, {a15, aOff}} {
		if pair[1].Recommendation.Cost != pair[0].Recommendation.Cost {
			t.Errorf("%s on PostgreSQL 14, not enrolled: cost %+v, want %+v", pair[1].Name, pair[1].Recommendation.Cost, pair[0].Recommendation.Cost)
		}
	}
	if n := calls(srvOff); n != 0 {
		t.Errorf("not enrolled: %d DescribeDBMajorEngineVersions calls, want none", n)
	}

	// Refused: today's costs without the charge, and a warning naming the permission.
	dDenied, srvDenied := deps(t, withVersion("14.12", "14.13", ""), after)
	srvDenied.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBMajorEngineVersions", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	mDenied, aDenied := recommendBoth(t, dDenied, time.Time{})
	for _, pair := range [][2]Result{{m15, mDenied}, {a15, aDenied}} {
		base, r := pair[0], pair[1]
		if r.Recommendation.Cost != base.Recommendation.Cost {
			t.Errorf("%s, dates refused: cost %+v, want %+v", r.Name, r.Recommendation.Cost, base.Recommendation.Cost)
		}
		if _, ok := warningWith(r.WarningTexts(), r.Name, "PostgreSQL 14 (engine version 14.1", "no longer supports", "AccessDenied",
			"leave that charge out", "Allow rds:DescribeDBMajorEngineVersions"); !ok {
			t.Errorf("%s, dates refused: no warning: %q", r.Name, r.WarningTexts())
		}
	}

	// Not listed by RDS (not a permission): the warning does not ask for one.
	sc := withVersion("14.12", "14.13", "")
	sc.MajorEngineVersions = []sandbox.MajorEngineVersionSpec{{Engine: "postgres", Major: "15",
		StandardStart: time.Date(2022, 10, 13, 0, 0, 0, 0, time.UTC), StandardEnd: time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)}}
	dUnlisted, _ := deps(t, sc, after)
	mUnlisted, _ := recommendBoth(t, dUnlisted, time.Time{})
	if w, ok := warningWith(mUnlisted.WarningTexts(), "does not list that major version", "read again on the next plan"); !ok || strings.Contains(w, "Allow rds:") {
		t.Errorf("dates not listed: warning %q (found %t), want one without a permission to grant", w, ok)
	}
}

// TestRecommend_extendedSupportOtherRegion: outside us-east-1 the Extended Support rate is not
// known: the costs are those of PostgreSQL 15, and a warning says the charge applies unpriced.
func TestRecommend_extendedSupportOtherRegion(t *testing.T) {
	run := func(instanceVersion, clusterVersion string) (Result, Result) {
		sc := withVersion(instanceVersion, clusterVersion, "")
		sc.Region = "eu-west-1"
		srv, err := sandbox.Start(sandbox.Options{Scenario: sc, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		cat, err := pricing.Default()
		if err != nil {
			t.Fatal(err)
		}
		d := Deps{RDS: rds.NewFromConfig(srv.AWSConfig()), CloudWatch: cloudwatch.NewFromConfig(srv.AWSConfig()),
			AutoScaling: applicationautoscaling.NewFromConfig(srv.AWSConfig()), Catalog: cat, Region: "eu-west-1",
			Now: func() time.Time { return testNow }}
		return recommendBoth(t, d, time.Time{})
	}
	m15, a15 := run("15.7", "15.4")
	m12, a12 := run("12.19", "12.22")
	for _, pair := range [][2]Result{{m15, m12}, {a15, a12}} {
		base, es := pair[0], pair[1]
		if !es.Recommendation.Cost.Known || es.Recommendation.Cost != base.Recommendation.Cost {
			t.Errorf("%s in eu-west-1: cost %+v, want that of PostgreSQL 15 %+v", es.Name, es.Recommendation.Cost, base.Recommendation.Cost)
		}
		if _, ok := warningWith(es.WarningTexts(), es.Name, "PostgreSQL 12", "RDS Extended Support since 2025-03-01", "not priced here",
			"us-east-1 only", "leave it out", "Upgrading"); !ok {
			t.Errorf("%s in eu-west-1: no warning that Extended Support applies unpriced: %q", es.Name, es.WarningTexts())
		}
	}
}

// TestRecommend_stopped: a deployment stopped two days ago (StopDBInstance, StopDBCluster) has
// published no metrics since; the recommendation, and the fleet's, warn that it is stopped, that
// the metrics cover only the time it ran and that the savings assume it runs the whole month.
func TestRecommend_stopped(t *testing.T) {
	ctx := context.Background()
	d, srv := deps(t, sandbox.Demo(), testNow.Add(-2*24*time.Hour))
	r := d.RDS.(*rds.Client)
	if _, err := r.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * 24 * time.Hour)
	d.Now = srv.Now
	m, a := recommendBoth(t, d, time.Time{})
	fleet, err := inventory.ListFleet(ctx, d.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RecommendFleet(ctx, d, fleet, Request{Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range append([]Result{m, a}, rs...) {
		what := map[string]string{"mandible-prod": "DB instance", "sso-prod": "DB cluster"}[res.Name]
		w, ok := warningWith(res.WarningTexts(), res.Name+" is stopped", `status "stopped"`, "stopped "+what+" for its storage only",
			"no CloudWatch metrics while stopped", "the metrics cover only the time it ran", "assume it runs the whole month", "after 7 days")
		if !ok {
			t.Errorf("%s (stopped): no warning saying so: %q", res.Name, res.WarningTexts())
		}
		t.Logf("%s: verdict %s: %s", res.Name, res.Recommendation.Verdict, w)
	}
	// Running deployments have no such warning.
	d2, _ := deps(t, sandbox.Demo(), testNow)
	m2, a2 := recommendBoth(t, d2, time.Time{})
	for _, res := range []Result{m2, a2} {
		if w, ok := warningWith(res.WarningTexts(), "stopped"); ok {
			t.Errorf("%s (running): %s", res.Name, w)
		}
	}
}

// TestRecommend_pendingModifications: a class change requested without ApplyImmediately waits
// for the maintenance window in PendingModifiedValues; the recommendation still sizes and prices
// the current class, and says so, naming the pending class and that rightsize_db_topology refuses
// a change meanwhile. A pending storage change is named too.
func TestRecommend_pendingModifications(t *testing.T) {
	ctx := context.Background()
	d, _ := deps(t, sandbox.Demo(), testNow)
	before, beforeA := recommendBoth(t, d, time.Time{})
	r := d.RDS.(*rds.Client)
	if _, err := r.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		DBInstanceClass: aws.String("db.t4g.xlarge"), AllocatedStorage: aws.Int32(200), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2"),
		DBInstanceClass: aws.String("db.t4g.large"), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	m, a := recommendBoth(t, d, time.Time{})
	if m.Recommendation.Cost != before.Recommendation.Cost || a.Recommendation.Cost != beforeA.Recommendation.Cost {
		t.Errorf("the costs changed with a pending modification: %+v → %+v", before.Recommendation.Cost, m.Recommendation.Cost)
	}
	for _, tc := range []struct {
		res   Result
		parts []string
	}{
		{m, []string{"instance class of mandible-prod from db.t4g.large to db.t4g.xlarge is pending", "costs of mandible-prod are for mandible-prod's current class db.t4g.large, not db.t4g.xlarge",
			"rightsize_db_topology refuses to change the deployment while modifications are pending"}},
		{m, []string{"storage change of mandible-prod to 200 GiB allocated (now 100 GiB) is pending", "rightsize_db_topology refuses"}},
		{a, []string{"instance class of sso-prod-instance-2 from db.t4g.medium to db.t4g.large is pending", "costs of sso-prod are for sso-prod-instance-2's current class db.t4g.medium, not db.t4g.large",
			"rightsize_db_topology refuses"}},
	} {
		if _, ok := warningWith(tc.res.WarningTexts(), tc.parts...); !ok {
			t.Errorf("%s: no warning with %q: %q", tc.res.Name, tc.parts, tc.res.WarningTexts())
		}
	}
	if w, ok := warningWith(beforeA.WarningTexts(), "pending ("); ok {
		t.Errorf("before any modification: %s", w)
	}
}

// TestRecommend_pendingMultiAZ: a change of a Multi-AZ instance to Single-AZ requested without
// ApplyImmediately waits for the maintenance window in PendingModifiedValues.MultiAZ: the
// instance is going to one node by itself. The recommendation still measures and prices its two
// nodes, and says so; without the pending change it says nothing of the kind.
func TestRecommend_pendingMultiAZ(t *testing.T) {
	ctx := context.Background()
	d, _ := deps(t, sandbox.Demo(), testNow)
	before, _ := recommendBoth(t, d, time.Time{})
	if w, ok := warningWith(before.WarningTexts(), "to Single-AZ is pending"); ok {
		t.Errorf("before any modification: %s", w)
	}
	r := d.RDS.(*rds.Client)
	if _, err := r.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	m, _ := recommendBoth(t, d, time.Time{})
	if m.Recommendation.Cost != before.Recommendation.Cost || m.Recommendation.Verdict != before.Recommendation.Verdict {
		t.Errorf("the verdict or costs changed with a pending Multi-AZ change: %s %+v → %s %+v",
			before.Recommendation.Verdict, before.Recommendation.Cost, m.Recommendation.Verdict, m.Recommendation.Cost)
	}
	parts := []string{"a change of mandible-prod to Single-AZ is pending (requested without ApplyImmediately", "going to one node by itself",
		"measures and prices the two nodes it runs today"}
	if _, ok := warningWith(m.WarningTexts(), parts...); !ok {
		t.Errorf("no warning with %q: %q", parts, m.WarningTexts())
	}
}

// TestRecommend_beingDeleted: a Multi-AZ instance being deleted, and an Aurora cluster whose
// reader is, are going away, or to one node, by themselves: the recommendation says so (the fleet
// skips them); before the deletions it says nothing of the kind.
func TestRecommend_beingDeleted(t *testing.T) {
	ctx := context.Background()
	d, _ := deps(t, sandbox.Demo(), testNow)
	m0, a0 := recommendBoth(t, d, time.Time{})
	for _, res := range []Result{m0, a0} {
		if w, ok := warningWith(res.WarningTexts(), "being deleted"); ok {
			t.Errorf("%s before any deletion: %s", res.Name, w)
		}
	}
	r := d.RDS.(*rds.Client)
	for _, id := range []string{"mandible-prod", "sso-prod-instance-2"} {
		if _, err := r.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
			t.Fatalf("deleting %s: %v", id, err)
		}
	}
	m, a := recommendBoth(t, d, time.Time{})
	for _, tc := range []struct {
		res   Result
		parts []string
	}{
		{m, []string{"mandible-prod: the DB instance is being deleted (status", "it is going away"}},
		{a, []string{"sso-prod: its reader sso-prod-instance-2 is being deleted (status", "the cluster is going to one node by itself"}},
	} {
		if _, ok := warningWith(tc.res.WarningTexts(), tc.parts...); !ok {
			t.Errorf("%s: no warning with %q: %q", tc.res.Name, tc.parts, tc.res.WarningTexts())
		}
	}
}
