package rightsizing

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// lateMetrics are res's warnings titled LateMetricsTitle.
func lateMetrics(res Result) []string {
	var out []string
	for _, w := range res.Warnings {
		if w.Title == LateMetricsTitle {
			out = append(out, w.Text)
		}
	}
	return out
}

// TestRecommend_renamedInstance: a DB instance renamed (ModifyDBInstance NewDBInstanceIdentifier)
// 3 days ago has its metrics of the 11 days before under its earlier identifier, which the
// recommendation of its identifier today does not read: the recommendation says why the coverage
// is low (its metrics start 11 days into the window, though the instance is older than the
// window), the fleet's as well, and, for a window before the rename, why it has none. The deployments never renamed
// (the Aurora cluster, the instance before its rename) and an instance created in the window
// (its metrics start when it was created) have no such warning.
func TestRecommend_renamedInstance(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	d.Now = srv.Now
	ctx := context.Background()
	rc := d.RDS.(*rds.Client)
	recommend := func(req Request) Result {
		t.Helper()
		req.Lookback = 14 * 24 * time.Hour
		res, err := Recommend(ctx, d, req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, req := range []Request{{InstanceID: "mandible-prod"}, {ClusterID: "sso-prod"}} {
		if ws := lateMetrics(recommend(req)); len(ws) != 0 {
			t.Errorf("%s%s, never renamed: %q, want no late-metrics warning", req.InstanceID, req.ClusterID, ws)
		}
	}

	renamedAt := srv.Now()
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		NewDBInstanceIdentifier: aws.String("mandible-v2"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(3 * 24 * time.Hour)
	res := recommend(Request{InstanceID: "mandible-v2"})
	ws := lateMetrics(res)
	if len(ws) != 1 || !strings.Contains(ws[0], "DB instance mandible-v2 under that identifier from "+renamedAt.Format("2006-01-02T15")) ||
		!strings.Contains(ws[0], "11 days of the window have no datapoints") || !strings.Contains(ws[0], "if mandible-v2 was renamed") {
		t.Errorf("mandible-v2, renamed 3 days ago: %q, want one warning that its metrics start at the rename, 11 days into the window, and why", ws)
	}
	if v := res.Recommendation.Verdict; v == "" {
		t.Errorf("mandible-v2: no verdict")
	}

	// The fleet's recommendation, of one collection across the deployments, says the same.
	cs, err := inventory.ListFleet(ctx, rc, inventory.FleetFilter{IdentifierRegex: regexp.MustCompile(`^(mandible-v2|sso-prod)$`)})
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := RecommendFleet(ctx, d, cs, Request{Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range fleet {
		ws := lateMetrics(r)
		if renamed := r.Cluster.Identifier == "mandible-v2"; renamed && (len(ws) != 1 || !strings.Contains(ws[0], "11 days of the window have no datapoints")) || !renamed && len(ws) != 0 {
			t.Errorf("fleet's %s: %q", r.Cluster.Identifier, ws)
		}
	}
	if len(fleet) != 2 {
		t.Errorf("fleet: %d recommendations, want mandible-v2's and sso-prod's", len(fleet))
	}

	// A window that ends before the rename: nothing under the identifier of today.
	res = recommend(Request{InstanceID: "mandible-v2", End: renamedAt.Add(-24 * time.Hour)})
	if ws := lateMetrics(res); len(ws) != 1 || !strings.Contains(ws[0], "CloudWatch has no metrics of DB instance mandible-v2 under that identifier") {
		t.Errorf("mandible-v2 before its rename: %q, want one warning that it has no metrics under that identifier", ws)
	}
	if v := res.Recommendation.Verdict; v != analysis.VerdictInsufficient {
		t.Errorf("mandible-v2 before its rename: verdict %s, want %s", v, analysis.VerdictInsufficient)
	}

	// Created in the window: its metrics start when it was, which is no reason for a warning.
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-new"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t4g.large"), AllocatedStorage: aws.Int32(100), MultiAZ: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(5 * 24 * time.Hour)
	if ws := lateMetrics(recommend(Request{InstanceID: "mandible-new"})); len(ws) != 0 {
		t.Errorf("mandible-new, created 5 days ago: %q, want no late-metrics warning", ws)
	}
}

// TestMetricsStartLate: the note's bounds. Metrics may start up to max(2 periods, 6 hours) after
// the window's start or the instance's creation, whichever is later, without one; an instance
// without metrics is noted when created that long before the window's end and not stopped.
func TestMetricsStartLate(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(14 * 24 * time.Hour)
	old := start.Add(-30 * 24 * time.Hour)
	from := func(first time.Time) []analysis.Series {
		return []analysis.Series{{Metric: analysis.MetricCPU, Period: time.Minute}, {Metric: analysis.MetricFreeableMemory, Timestamps: []time.Time{first.Add(time.Hour), first}}}
	}
	running := inventory.Cluster{Status: "available"}
	for _, tc := range []struct {
		name   string
		c      inventory.Cluster
		n      inventory.Node
		ss     []analysis.Series
		period time.Duration
		want   string // a part of the note; "" for none
	}{
		{"from the window's start", running, inventory.Node{ID: "a", Created: old}, from(start), time.Minute, ""},
		{"6 hours late", running, inventory.Node{ID: "a", Created: old}, from(start.Add(6 * time.Hour)), time.Minute, ""},
		{"6 hours and a minute late", running, inventory.Node{ID: "a", Created: old}, from(start.Add(6*time.Hour + time.Minute)), time.Minute,
			"from 2026-10-01T06:01:00Z only, though the instance was created 2026-09-01T00:00:00Z and the window starts 2026-10-01T00:00:00Z: 6 hours of the window"},
		{"2 periods of a day late", running, inventory.Node{ID: "a", Created: old}, from(start.Add(48 * time.Hour)), 24 * time.Hour, ""},
		{"3 periods of a day late", running, inventory.Node{ID: "a", Created: old}, from(start.Add(72 * time.Hour)), 24 * time.Hour, "3 days of the window"},
		{"created in the window", running, inventory.Node{ID: "a", Created: start.Add(48 * time.Hour)}, from(start.Add(52 * time.Hour)), time.Minute, ""},
		{"created in the window, late after it", running, inventory.Node{ID: "a", Created: start.Add(48 * time.Hour)}, from(start.Add(80 * time.Hour)), time.Minute,
			"1 day 8 hours of the window"},
		{"creation unknown", running, inventory.Node{ID: "a"}, from(start.Add(80 * time.Hour)), time.Minute, ""},
		{"standby", running, inventory.Node{ID: "a-standby", Virtual: true, Created: old}, nil, time.Minute, ""},
		{"none", running, inventory.Node{ID: "a", Created: old}, from(time.Time{})[:1], time.Minute, "CloudWatch has no metrics of DB instance a under that identifier in 2026-10-01T00:00:00Z..2026-10-15T00:00:00Z"},
		{"none, stopped", inventory.Cluster{Status: "stopped"}, inventory.Node{ID: "a", Created: old}, from(time.Time{})[:1], time.Minute, ""},
		{"none, created just before the end", running, inventory.Node{ID: "a", Created: end.Add(-time.Hour)}, from(time.Time{})[:1], time.Minute, ""},
	} {
		got := MetricsStartLate(tc.c, tc.n, tc.ss, start, end, tc.period)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestRecommend_windowBeforeCreation: an end_time pinned before the deployment was created (a
// year off, say) gives a window CloudWatch has nothing of: the recommendation says so and what to
// do, where it gave insufficient-data with no warning; a window after the creation has no such
// warning.
func TestRecommend_windowBeforeCreation(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	d.Now = srv.Now
	ctx := context.Background()
	rc := d.RDS.(*rds.Client)
	for _, req := range []Request{{InstanceID: "mandible-prod"}, {ClusterID: "sso-prod"}} {
		name := req.InstanceID + req.ClusterID
		id := req.InstanceID
		if id == "" {
			id = "sso-prod-instance-1"
		}
		out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil || len(out.DBInstances) != 1 || out.DBInstances[0].InstanceCreateTime == nil {
			t.Fatalf("%s: creation time: %v", id, err)
		}
		created := *out.DBInstances[0].InstanceCreateTime
		req.Lookback = 7 * 24 * time.Hour
		now, err := Recommend(ctx, d, req)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := warningWith(now.WarningTexts(), "ends before"); ok {
			t.Errorf("%s, window ending now: %s", name, w)
		}
		req.End = created.Add(-30 * 24 * time.Hour).Truncate(time.Hour)
		before, err := Recommend(ctx, d, req)
		if err != nil {
			t.Fatal(err)
		}
		parts := []string{"ends before " + name + " existed (its first instance was created " + created.UTC().Format(time.RFC3339),
			"the verdict is insufficient-data", "Move end_time later"}
		if _, ok := warningWith(before.WarningTexts(), parts...); !ok || before.Recommendation.Verdict != analysis.VerdictInsufficient {
			t.Errorf("%s, window a month before its creation: verdict %s, warnings %q, want insufficient-data and one with %q",
				name, before.Recommendation.Verdict, before.WarningTexts(), parts)
		}
	}
}

// TestRecommend_windowBeforeCreationEarlierHolder: a DB instance that took the identifier of an
// earlier one (that one renamed away, or deleted, and this one renamed to it) has CloudWatch
// metrics under the identifier from before it was created: the earlier instance's, which the
// recommendation reads and judges. A window ending before its creation is then not empty and
// its verdict is no insufficient-data: the warning must not say it is, but whose metrics they are.
func TestRecommend_windowBeforeCreationEarlierHolder(t *testing.T) {
	d, srv := deps(t, sandbox.Demo(), testNow)
	d.Now = srv.Now
	ctx := context.Background()
	rc := d.RDS.(*rds.Client)
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-next"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t4g.large"), AllocatedStorage: aws.Int32(100), MultiAZ: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(24 * time.Hour)
	for _, rename := range [][2]string{{"mandible-prod", "mandible-old"}, {"mandible-next", "mandible-prod"}} {
		if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(rename[0]),
			NewDBInstanceIdentifier: aws.String(rename[1]), ApplyImmediately: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		srv.Advance(time.Hour)
	}
	out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	if err != nil || len(out.DBInstances) != 1 || out.DBInstances[0].InstanceCreateTime == nil {
		t.Fatalf("mandible-prod's creation time: %v", err)
	}
	created := *out.DBInstances[0].InstanceCreateTime
	res, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 7 * 24 * time.Hour, End: created.Add(-2 * 24 * time.Hour).Truncate(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Recommendation.Verdict == analysis.VerdictInsufficient {
		t.Fatalf("verdict %s: the earlier holder's metrics were not read; warnings %q", res.Recommendation.Verdict, res.WarningTexts())
	}
	w, ok := warningWith(res.WarningTexts(), "ends before")
	if !ok {
		t.Fatalf("no warning that the window ends before mandible-prod was created: %q", res.WarningTexts())
	}
	if strings.Contains(w, "insufficient-data") || strings.Contains(w, "no metrics") || !strings.Contains(w, "earlier") {
		t.Errorf("verdict %s, warning %q: want one saying the metrics are an earlier instance's, not that there are none", res.Recommendation.Verdict, w)
	}
}
