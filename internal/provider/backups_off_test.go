package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// risksWith lists the risks under key (a list attribute of attributes a, "risks" or
// "clusters.0.risks") as "severity category: description".
func risksWith(a map[string]string, key string) ([]string, error) {
	n, err := fleetListLen(a, key)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, n)
	for i := range n {
		k := fmt.Sprintf("%s.%d.", key, i)
		out = append(out, a[k+"severity"]+" "+a[k+"category"]+": "+a[k+"description"])
	}
	return out, nil
}

// demoWithRetention is the demo scenario with mandible-prod's BackupRetentionPeriod set to days.
func demoWithRetention(days int32) *sandbox.Scenario {
	sc := sandbox.Demo()
	for i := range sc.Instances {
		if sc.Instances[i].ID == "mandible-prod" {
			sc.Instances[i].BackupRetentionPeriod = aws.Int32(days)
		}
	}
	return sc
}

// The plan of mandible-prod's change to 1 node says there is no point-in-time restore when it
// keeps no automated backups (it promised "point-in-time or the guard snapshot"), read from RDS
// by the plan's describe calls; with 7 days it keeps the promise.
func TestModifyPlan_backupsOff(t *testing.T) {
	for _, days := range []int32{0, 7} {
		_, api := topologySandbox(t, demoWithRetention(days), nil)
		r, empty := directTopologyResource(t, api)
		diags := directModifyPlan(t, r, empty, nil, mandibleModel(1, 2, false, lastChangeObject(1, "created", 2, 2)))
		if diags.HasError() {
			t.Fatalf("%d days: ModifyPlan: %v", days, diags)
		}
		w, ok := warningDetail(diags, "Database Topology Change Planned")
		off := strings.Contains(w, "Automated backups are off (backup retention period 0): there is no point-in-time restore")
		if !ok || off != (days == 0) || strings.Contains(w, "point-in-time or the guard snapshot") == (days == 0) {
			t.Errorf("%d days of automated backups: plan warning %q (found %t)", days, w, ok)
		}
	}
}

// TestAccSingleNodeRecommendation_backupsOff: mandible-prod keeps no automated backups
// (BackupRetentionPeriod 0). On one node it would have no point-in-time restore, so the
// recommendation and the fleet raise a high backup risk asking to turn them on before the
// change, and the redundancy risk and the reliability evidence name a snapshot's restore;
// they promised a point-in-time restore losing up to 5 minutes. Once a retention of 7 days is
// pending (ModifyDBInstance without ApplyImmediately), the risk asks to apply it. Both times it
// names the latest snapshot, the recovery point left, and its age: mandible-prod's own, taken
// before it was renamed (it was mandible-2024 then), not the newer one of mandible-old, which was
// called mandible-prod when it was taken. sso-prod, an Aurora cluster (1 day), has none of it.
func TestAccSingleNodeRecommendation_backupsOff(t *testing.T) {
	now := sandboxNow()
	sc := demoWithRetention(0)
	for i := range sc.Instances {
		if sc.Instances[i].ID == "mandible-prod" {
			sc.Instances[i].Snapshots = []sandbox.SnapshotSpec{{ID: "mandible-weekly", Type: "manual", Ago: 5 * 24 * time.Hour, TakenAs: "mandible-2024"}}
		}
	}
	old := sandbox.MultiAZInstance("mandible-old", "db.t4g.large", sandbox.IdleWorkload)
	old.Snapshots = []sandbox.SnapshotSpec{{ID: "mandible-old-last", Type: "manual", Ago: 24 * time.Hour, TakenAs: "mandible-prod"}}
	sc.Instances = append(sc.Instances, old)
	// The latest snapshot, the recovery point the single node has left (rds:DescribeDBSnapshots).
	latest := "Its latest in this region is manual snapshot mandible-weekly, taken " + now.Add(-5*24*time.Hour).Format("2006-01-02 15:04") +
		" UTC, 5.0 days old when listed"
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	config := recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
}

data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 7
  period_seconds        = 3600
  end_time              = %[1]q
}

data "rightsize_fleet" "f" {
  identifier_regex = "^mandible-prod$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %[1]q
}
`, now.Format(time.RFC3339)))
	check := func(action string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			for _, x := range []struct{ name, key string }{
				{"data.rightsize_single_node_recommendation.mandible", "risks"},
				{"data.rightsize_fleet.f", "clusters.0.risks"},
			} {
				a, err := fleetAttrs(s, x.name)
				if err != nil {
					return err
				}
				rs, err := risksWith(a, x.key)
				if err != nil {
					return err
				}
				var backup, redundancy []string
				for _, r := range rs {
					switch {
					case strings.HasPrefix(r, "high backup: "):
						backup = append(backup, r)
					case strings.HasPrefix(r, "medium redundancy: No hot standby"):
						redundancy = append(redundancy, r)
					}
				}
				if len(backup) != 1 || !strings.HasPrefix(backup[0], "high backup: Automated backups are off (backup retention period 0): on one node there is no point-in-time restore") ||
					!strings.Contains(backup[0], action) || !strings.Contains(backup[0], latest) {
					return fmt.Errorf("%s: high backup risks %q, want one saying %q and %q", x.name, backup, action, latest)
				}
				if len(redundancy) != 1 || !strings.Contains(redundancy[0], "recovery is a restore of the latest snapshot") || strings.Contains(redundancy[0], "up to about 5 minutes") {
					return fmt.Errorf("%s: redundancy risks %q, want a snapshot's restore", x.name, redundancy)
				}
			}
			a, err := fleetAttrs(s, "data.rightsize_single_node_recommendation.mandible")
			if err != nil {
				return err
			}
			for i := range 4 {
				k := fmt.Sprintf("decision_matrix.%d.", i)
				if a[k+"criterion"] == "reliability" && !strings.Contains(a[k+"evidence"], "recovery becomes a restore of the latest snapshot (automated backups are off: no point-in-time restore)") {
					return fmt.Errorf("reliability evidence %q", a[k+"evidence"])
				}
			}
			a, err = fleetAttrs(s, "data.rightsize_single_node_recommendation.sso")
			if err != nil {
				return err
			}
			rs, err := risksWith(a, "risks")
			if err != nil {
				return err
			}
			for _, r := range rs {
				if strings.Contains(r, "Automated backups are off") || strings.Contains(r, "latest snapshot") {
					return fmt.Errorf("sso-prod: risk %q", r)
				}
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: check("Turn them on (a backup retention period of 1 to 35 days) before the change")},
			{
				PreConfig: func() {
					if _, err := rds.NewFromConfig(srv.AWSConfig()).ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{
						DBInstanceIdentifier: aws.String("mandible-prod"), BackupRetentionPeriod: aws.Int32(7)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check:  check("A backup retention period of 7 days is pending: apply it"),
			},
		},
	})
}

// TestAccDBTopology_retainFalseWithoutBackups: mandible-prod keeps no automated backups, so once
// it is Single-AZ its guard snapshot is its only recovery point: the change to 1 node keeps it
// although guard.retain = false (it was deleted, leaving the single node with no restore point
// at all). The change back to 2 nodes deletes its own guard as asked: the standby is back.
func TestAccDBTopology_retainFalseWithoutBackups(t *testing.T) {
	srv, api := topologySandbox(t, demoWithRetention(0), nil)
	cfg := func(nodes int) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "mandible" {
  db_instance_identifier = "mandible-prod"
  nodes                  = %d
  force                  = true
  guard = {
    retain = false
  }
}
`, nodes))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(1),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "mandible-prod", 1),
					checkGuardCount(api, false, "mandible-prod", "rightsize-guard-", 1),
				),
			},
			{
				Config: cfg(2),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "mandible-prod", 2),
					checkGuardCount(api, false, "mandible-prod", "rightsize-guard-", 1),
				),
			},
		},
	})
}

// TestReadSnapshotsUnread: when RDS refuses to list the snapshots of mandible-prod, which keeps no
// automated backups, the recommendation and the fleet warn 'Snapshots Not Listed' naming it once,
// as "mandible-prod: ...", the form the fleet's warnings take (it said "mandible-prod:
// mandible-prod keeps no automated backups ..." in rightsize_fleet), and what to allow.
func TestReadSnapshotsUnread(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: demoWithRetention(0), Now: now})
	pd := sandboxServerData(srv)
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBSnapshots", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied",
		Message: "User: arn:aws:sts::123456789012:assumed-role/ci/plan is not authorized to perform: rds:DescribeDBSnapshots"}})
	vals := map[string]tftypes.Value{
		"lookback_days":  tftypes.NewValue(tftypes.Number, 7),
		"period_seconds": tftypes.NewValue(tftypes.Number, 3600),
		"end_time":       tftypes.NewValue(tftypes.String, now.Format(time.RFC3339)),
	}
	rec := maps.Clone(vals)
	rec["db_instance_identifier"] = tftypes.NewValue(tftypes.String, "mandible-prod")
	fleet := maps.Clone(vals)
	fleet["identifier_regex"] = tftypes.NewValue(tftypes.String, "^mandible-prod$")
	for _, ds := range []struct {
		name string
		new  func() datasource.DataSource
		vals map[string]tftypes.Value
	}{{"recommendation", NewSingleNodeRecommendationDataSource, rec}, {"fleet", NewFleetDataSource, fleet}} {
		t.Run(ds.name, func(t *testing.T) {
			pd.Listings = inventory.NewSharedListings(pd.RDS, listingsTTL)
			diags := readDataSource(t, ds.new(), pd, ds.vals, nil)
			if diags.HasError() {
				t.Fatalf("read: %v", diags)
			}
			var got []string
			for _, d := range diags.Warnings() {
				if d.Summary() == "Snapshots Not Listed" {
					got = append(got, d.Detail())
				}
			}
			if len(got) != 1 || !strings.HasPrefix(got[0], "mandible-prod: it keeps no automated backups (backup retention period 0)") ||
				strings.Count(got[0], "mandible-prod") != 2 || !strings.Contains(got[0], "Allow rds:DescribeDBSnapshots") {
				t.Errorf("Snapshots Not Listed warnings %q, want one naming mandible-prod once before the text (and once in the refusal)", got)
			}
		})
	}
}
