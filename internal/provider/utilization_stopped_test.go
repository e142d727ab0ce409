package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestReadUtilizationStopped: a deployment stopped two days ago (StopDBInstance, StopDBCluster)
// has published no CloudWatch metrics since. rightsize_utilization says so, once per deployment,
// with the status RDS reports: its metrics without data or with low coverage are the stop's, not
// a wrong metric name or an instance that did not exist (the hint each "Metric Has No Data" gave,
// the only word of it), and the summaries cover the time it ran. A running deployment has no
// such warning.
func TestReadUtilizationStopped(t *testing.T) {
	now := utilizationAccNow()
	ctx := context.Background()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now.Add(-2 * 24 * time.Hour)})
	pd := sandboxServerData(srv)
	if _, err := pd.RDS.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := pd.RDS.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * 24 * time.Hour)
	stoppedDetails := func(diags diag.Diagnostics) (out []string) {
		for _, d := range diags {
			if d.Severity() == diag.SeverityWarning && d.Summary() == "Database Stopped" {
				out = append(out, d.Detail())
			}
		}
		return out
	}
	for _, tc := range []struct {
		instance, cluster, what string
		days                    int64
		noData                  bool // the whole window is after the stop
	}{
		{"mandible-prod", "", "DB instance", 1, true},
		{"", "sso-prod", "DB cluster", 1, true},
		{"mandible-prod", "", "DB instance", 4, false},
		{"", "sso-prod", "DB cluster", 4, false},
	} {
		id := tc.instance + tc.cluster
		m := utilizationReadModel(tc.instance, tc.cluster, tc.days, srv.Now())
		_, diags := readUtilization(ctx, pd, m, srv.Now())
		if diags.HasError() {
			t.Fatalf("%s, %d days: %v", id, tc.days, diags)
		}
		w := summaries(diags, diag.SeverityWarning)
		if tc.noData && w["Metric Has No Data"] == 0 || !tc.noData && w["Low Metric Coverage"] == 0 {
			t.Fatalf("%s, %d days: warnings %v: the test no longer reads a window with the stop in it", id, tc.days, w)
		}
		got := stoppedDetails(diags)
		if len(got) != 1 {
			t.Errorf("%s, %d days: %d \"Database Stopped\" warnings, want 1; warnings %v", id, tc.days, len(got), w)
			continue
		}
		for _, want := range []string{id, `status "stopped"`, tc.what, "publishes no CloudWatch metrics while stopped", "after 7 days"} {
			if !strings.Contains(got[0], want) {
				t.Errorf("%s, %d days: the warning does not say %q: %s", id, tc.days, want, got[0])
			}
		}
		for _, d := range diags {
			if d.Summary() == "Metric Has No Data" && (strings.Contains(d.Detail(), "Check the metric name") || !strings.Contains(d.Detail(), "stopped")) {
				t.Errorf("%s, %d days: a metric without data while stopped is blamed on something else: %s", id, tc.days, d.Detail())
				break
			}
		}
	}
	// Running deployments: no such warning.
	run := sandboxProviderData(t, "demo", now)
	for _, id := range [][2]string{{"mandible-prod", ""}, {"", "sso-prod"}} {
		_, diags := readUtilization(ctx, run, utilizationReadModel(id[0], id[1], 1, now), now)
		if got := stoppedDetails(diags); diags.HasError() || len(got) != 0 {
			t.Errorf("%s (running): %v", id, diags)
		}
	}
}
