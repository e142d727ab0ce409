package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// globalDatabaseScenario is the demo scenario with sso-prod the primary cluster of Aurora global
// database sso-global, and two secondary clusters of other global databases (whose primaries are
// in other regions): west-dr, with two readers, and east-dr, with one.
func globalDatabaseScenario() *sandbox.Scenario {
	sc := sandbox.Demo()
	sc.Clusters[0].GlobalCluster = "sso-global"
	west := sandbox.AuroraPair("west-dr", "db.t4g.medium", sandbox.DemoSSOReaderWorkload, sandbox.DemoSSOReaderWorkload)
	west.GlobalCluster, west.GlobalSecondary = "west-global", true
	east := sandbox.AuroraPair("east-dr", "db.t4g.medium", sandbox.DemoSSOReaderWorkload, sandbox.DemoSSOReaderWorkload)
	east.Members = east.Members[:1]
	east.GlobalCluster, east.GlobalSecondary = "east-global", true
	sc.Clusters = append(sc.Clusters, west, east)
	return sc
}

// TestAccGlobalDatabase_secondaryRefused: the primary cluster of an Aurora global database is
// analysed with the global database in its redundancy risk and reliability evidence; a secondary cluster of an Aurora global database (no
// writer, its instances all readers) is not recommended on: the recommendation (allow_single_node
// or not, one reader or two) and the fleet say it is a secondary cluster of that global database
// and what to do. The recommendation said "the cluster has no writer instance; set
// allow_single_node = true to go on", and with it "no writer instance"; the fleet skipped it as
// having no writer.
func TestAccGlobalDatabase_secondaryRefused(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: globalDatabaseScenario(), Now: now})
	want := func(global string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)secondary\s+cluster\s+of\s+Aurora\s+global\s+database\s+` + global + `.*Analyse\s+the\s+primary\s+cluster.*switchover-global-cluster.*--target-db-cluster-identifier\s+arn:aws:rds:us-east-1:123456789012:cluster:[a-z]+-dr\)` +
			`.*switchover\s+or\s+failover\s+of\s+the\s+global\s+database\s+still\s+in\s+progress.*describe-global-clusters\s+--global-cluster-identifier\s+` + global + `\s+shows\s+its\s+FailoverState\),\s+wait`)
	}
	step := func(body, global string) resource.TestStep {
		return resource.TestStep{Config: recommendationConfig(srv, body), ExpectError: want(global)}
	}
	end := now.Format(time.RFC3339)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`data "rightsize_single_node_recommendation" "x" { db_cluster_identifier = "west-dr" }`, "west-global"),
			step(`data "rightsize_single_node_recommendation" "x" { db_cluster_identifier = "east-dr" }`, "east-global"),
			step(`data "rightsize_single_node_recommendation" "x" {
  db_cluster_identifier = "east-dr"
  allow_single_node     = true
}`, "east-global"),
			{
				// The primary cluster is analysed: its risks and decision matrix say what the global
				// database's secondary regions offer in place of the reader, and what they do not.
				Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 7
  period_seconds        = 3600
  end_time              = %q
}
`, end)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchTypeSetElemNestedAttrs("data.rightsize_single_node_recommendation.sso", "risks.*", map[string]*regexp.Regexp{
						"category": regexp.MustCompile(`^redundancy$`), "severity": regexp.MustCompile(`^medium$`),
						"description": regexp.MustCompile(`^No reader to promote in the primary region.*primary of Aurora global database sso-global.*does not fail over to them by itself.*FailoverGlobalCluster`),
					}),
					resource.TestMatchTypeSetElemNestedAttrs("data.rightsize_single_node_recommendation.sso", "decision_matrix.*", map[string]*regexp.Regexp{
						"criterion": regexp.MustCompile(`^reliability$`),
						"evidence":  regexp.MustCompile(`primary cluster of Aurora global database sso-global: its secondary regions remain for disaster recovery`),
					}),
				),
			},
			{
				Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_fleet" "all" {
  lookback_days  = 7
  period_seconds = 3600
  end_time       = %q
}
`, end)),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkFleetIdentifiers("data.rightsize_fleet.all", "sso-prod", "mandible-prod"),
					resource.TestMatchTypeSetElemNestedAttrs("data.rightsize_fleet.all", "skipped.*", map[string]*regexp.Regexp{
						"identifier": regexp.MustCompile(`^west-dr$`), "reason": want("west-global"),
					}),
					resource.TestMatchTypeSetElemNestedAttrs("data.rightsize_fleet.all", "skipped.*", map[string]*regexp.Regexp{
						"identifier": regexp.MustCompile(`^east-dr$`), "reason": want("east-global"),
					}),
				),
			},
		},
	})
}

// TestReadUtilizationGlobalSecondary: the utilization of a secondary cluster of an Aurora global
// database measures its readers and warns, naming the global database, that they are not a
// 2-node cluster's and what to measure instead, with no combined view (it measured them as a
// 2-node cluster, its combined view failing with "0 writer nodes: exactly one is required"); the
// primary cluster gets no such warning, and its combined view.
func TestReadUtilizationGlobalSecondary(t *testing.T) {
	now := utilizationAccNow()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: globalDatabaseScenario(), Now: now})
	pd := sandboxServerData(srv)
	const title = "Secondary Cluster of an Aurora Global Database"
	for _, tc := range []struct {
		cluster string
		warned  bool
	}{{"west-dr", true}, {"east-dr", true}, {"sso-prod", false}} {
		m := utilizationReadModel("", tc.cluster, 14, now)
		res, diags := readUtilization(context.Background(), pd, m, now)
		if diags.HasError() || res == nil {
			t.Fatalf("%s: %v", tc.cluster, diags)
		}
		if combined := len(m.Combined) != 0 || m.CPUHourOfWeek != nil; combined == tc.warned || summaries(diags, diag.SeverityWarning)["Combined View Not Available"] != 0 {
			t.Errorf("%s: combined view %v (want one: %t), or its failure's warning: %v", tc.cluster, m.Combined, !tc.warned, diags)
		}
		warned := false
		for _, d := range diags {
			if d.Severity() == diag.SeverityWarning && d.Summary() == title {
				warned = true
				if global := strings.Split(tc.cluster, "-")[0] + "-global"; !strings.Contains(d.Detail(), "Aurora global database "+global) ||
					!strings.Contains(d.Detail(), "Measure the primary cluster") {
					t.Errorf("%s: warning %q does not name %s or what to measure", tc.cluster, d.Detail(), global)
				}
			}
		}
		if warned != tc.warned {
			t.Errorf("%s: warned %t, want %t: %v", tc.cluster, warned, tc.warned, diags)
		}
	}
}
