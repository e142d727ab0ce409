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
	"github.com/dbrightsize/terraform-provider-rightsize/internal/rightsizing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestReadUtilizationRenamed: rightsize_utilization of a DB instance renamed 3 days ago
// (ModifyDBInstance NewDBInstanceIdentifier, through the real SDK) finds its metrics under the
// identifier of today from the rename on only, CloudWatch keeping the 11 days before under the
// earlier one: besides each metric's low coverage, a warning gives the reason, once for the
// instance. Before the rename, the instance had no such warning.
func TestReadUtilizationRenamed(t *testing.T) {
	now := utilizationAccNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	pd := sandboxServerData(srv)
	ctx := context.Background()
	read := func(id string) diag.Diagnostics {
		t.Helper()
		_, diags := readUtilization(ctx, pd, utilizationReadModel(id, "", 14, srv.Now()), srv.Now())
		if diags.HasError() {
			t.Fatalf("%s: %v", id, diags)
		}
		return diags
	}
	if w := summaries(read("mandible-prod"), diag.SeverityWarning); w[rightsizing.LateMetricsTitle] != 0 || w["Low Metric Coverage"] != 0 {
		t.Errorf("mandible-prod, never renamed: warnings %v", w)
	}
	if _, err := rds.NewFromConfig(srv.AWSConfig()).ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		NewDBInstanceIdentifier: aws.String("mandible-v2"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(3 * 24 * time.Hour)
	diags := read("mandible-v2")
	w := summaries(diags, diag.SeverityWarning)
	var detail string
	for _, d := range diags {
		if d.Summary() == rightsizing.LateMetricsTitle {
			detail = d.Detail()
		}
	}
	if w[rightsizing.LateMetricsTitle] != 1 || w["Low Metric Coverage"] == 0 || !strings.Contains(detail, "DB instance mandible-v2 under that identifier from") ||
		!strings.Contains(detail, "11 days of the window have no datapoints") || !strings.Contains(detail, "if mandible-v2 was renamed") {
		t.Errorf("mandible-v2, renamed 3 days ago: warnings %v, %q", w, detail)
	}
}

// TestReadUtilizationLateMetricsListed: the late-metrics warning rests on metrics every running
// instance publishes (the default list less replication lag), not on a listed metric the instance
// does not publish: mandible-prod, never renamed, with only ReplicaLag (a writer's) or
// FreeLocalStorage (Aurora's) listed has no datapoints of them, which "Metric Has No Data" says
// with its reason, and no late-metrics warning claiming a rename or a stop. Listed with
// CPUUtilization, the late-metrics warning of a renamed instance stays.
func TestReadUtilizationLateMetricsListed(t *testing.T) {
	now := utilizationAccNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	pd := sandboxServerData(srv)
	ctx := context.Background()
	read := func(id string, metrics ...string) map[string]int {
		t.Helper()
		m := utilizationReadModel(id, "", 14, srv.Now())
		m.Metrics = stringList(metrics)
		_, diags := readUtilization(ctx, pd, m, srv.Now())
		if diags.HasError() {
			t.Fatalf("%s %v: %v", id, metrics, diags)
		}
		return summaries(diags, diag.SeverityWarning)
	}
	for _, metric := range []string{"ReplicaLag", "FreeLocalStorage"} {
		if w := read("mandible-prod", metric); w[rightsizing.LateMetricsTitle] != 0 || w["Metric Has No Data"] != 1 {
			t.Errorf("mandible-prod, only %s listed: warnings %v; want Metric Has No Data alone", metric, w)
		}
	}
	if _, err := rds.NewFromConfig(srv.AWSConfig()).ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		NewDBInstanceIdentifier: aws.String("mandible-v2"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(3 * 24 * time.Hour)
	if w := read("mandible-v2", "ReplicaLag", "CPUUtilization"); w[rightsizing.LateMetricsTitle] != 1 {
		t.Errorf("mandible-v2, renamed 3 days ago, CPUUtilization listed: warnings %v; want the late-metrics warning", w)
	}
	if w := read("mandible-v2", "ReplicaLag"); w[rightsizing.LateMetricsTitle] != 0 {
		t.Errorf("mandible-v2, only ReplicaLag listed: warnings %v; want no late-metrics warning (no metric it always publishes was read)", w)
	}
}
