package provider

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccSingleNodeRecommendation_readerParameters: sso-prod's reader runs in a DB parameter group
// of its own without the writer's statement_timeout, and with more work_mem: its queries (reports
// with no time limit) would be cancelled after 30 s on the writer once it is removed. The
// recommendation and the fleet say so in a medium operations risk naming both values and their
// groups; mandible-prod (Multi-AZ) has no such risk.
func TestAccSingleNodeRecommendation_readerParameters(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	sc.ParameterGroups = append(sc.ParameterGroups,
		sandbox.ParameterGroupSpec{Name: "sso-writer", Parameters: map[string]string{"statement_timeout": "30000"}},
		sandbox.ParameterGroupSpec{Name: "sso-reporting", Parameters: map[string]string{"work_mem": "65536"}})
	for i := range sc.Clusters {
		if sc.Clusters[i].ID == "sso-prod" {
			sc.Clusters[i].Members[0].ParameterGroup, sc.Clusters[i].Members[1].ParameterGroup = "sso-writer", "sso-reporting"
		}
	}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	const want = "medium operations: The reader sso-prod-instance-2's queries move to the writer sso-prod-instance-1 and run under the writer's parameters, which differ: " +
		"statement_timeout 0 (no limit) on the reader (PostgreSQL's default), 30s (30000 ms) on the writer (DB parameter group sso-writer); " +
		"work_mem 64MB (65536 kB) on the reader (DB parameter group sso-reporting), default on the writer (PostgreSQL's default). " +
		"So a stricter limit on the writer cancels statements or ends sessions that ran on the reader"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 7
  period_seconds        = 3600
  end_time              = %[1]q
}

data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
}

data "rightsize_fleet" "f" {
  identifier_regex = "^sso-prod$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %[1]q
}
`, now.Format(time.RFC3339))),
			Check: func(s *terraform.State) error {
				for _, x := range []struct{ name, key, want string }{
					{"data.rightsize_single_node_recommendation.sso", "risks", want},
					{"data.rightsize_fleet.f", "clusters.0.risks", want},
					{"data.rightsize_single_node_recommendation.mandible", "risks", ""},
				} {
					a, err := fleetAttrs(s, x.name)
					if err != nil {
						return err
					}
					rs, err := risksWith(a, x.key)
					if err != nil {
						return err
					}
					var got []string
					for _, r := range rs {
						if strings.Contains(r, "run under the writer's parameters") {
							got = append(got, r)
						}
					}
					if (x.want == "") != (len(got) == 0) || x.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], x.want)) {
						return fmt.Errorf("%s: reader parameter risks %q, want one starting %q", x.name, got, x.want)
					}
				}
				return nil
			},
		}},
	})
}

// TestReadReaderParametersUnread: when RDS refuses to list the writer's parameter groups, neither
// what they set for max_connections and shared_buffers nor the parameters its Aurora reader runs
// with otherwise can be read, for one cause: the recommendation and the fleet give one warning
// that names both consequences and the permissions to allow, not one for each. A refusal of the
// reader's group alone is the reader's warning alone.
func TestReadReaderParametersUnread(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	sc.ParameterGroups = append(sc.ParameterGroups,
		sandbox.ParameterGroupSpec{Name: "sso-writer", Parameters: map[string]string{"statement_timeout": "30000"}},
		sandbox.ParameterGroupSpec{Name: "sso-reporting", Parameters: map[string]string{"work_mem": "65536"}},
		sandbox.ParameterGroupSpec{Name: "sso-cluster", Cluster: true, Parameters: map[string]string{"lock_timeout": "5000"}})
	for i := range sc.Clusters {
		if sc.Clusters[i].ID == "sso-prod" {
			sc.Clusters[i].ParameterGroup = "sso-cluster"
			sc.Clusters[i].Members[0].ParameterGroup, sc.Clusters[i].Members[1].ParameterGroup = "sso-writer", "sso-reporting"
		}
	}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	pd := sandboxServerData(srv)
	denied := func(op string) sandbox.Fault {
		return sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied",
			Message: "User: arn:aws:sts::123456789012:assumed-role/ci/plan is not authorized to perform: rds:" + op + " because no identity-based policy allows the rds:" + op + " action"}
	}
	vals := map[string]tftypes.Value{
		"lookback_days":  tftypes.NewValue(tftypes.Number, 7),
		"period_seconds": tftypes.NewValue(tftypes.Number, 3600),
		"end_time":       tftypes.NewValue(tftypes.String, now.Format(time.RFC3339)),
	}
	rec := maps.Clone(vals)
	rec["db_cluster_identifier"] = tftypes.NewValue(tftypes.String, "sso-prod")
	fleet := maps.Clone(vals)
	fleet["identifier_regex"] = tftypes.NewValue(tftypes.String, "^sso-prod$")
	// parameterWarnings are the warnings of diags about parameter groups, by summary.
	parameterWarnings := func(diags diag.Diagnostics) map[string]string {
		out := map[string]string{}
		for _, d := range diags.Warnings() {
			if strings.Contains(d.Summary(), "Parameter") {
				out[d.Summary()] = d.Detail()
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		faults []sandbox.FaultRule
		title  string   // the one warning
		want   []string // in its detail
		not    string   // not in its detail ("" for none)
	}{
		{"writer's DB parameter group refused", []sandbox.FaultRule{{Operation: "DescribeDBParameters", Rate: 1, RateFault: denied("DescribeDBParameters")}},
			"Parameter Groups Not Read", []string{"max_connections and shared_buffers", "rds:DescribeDBParameters because",
				"current_parameters", "the parameters its reader and writer run with (statement_timeout, work_mem and others", "were not compared",
				"Allow rds:DescribeDBParameters (and, for Aurora, rds:DescribeDBClusterParameters)"}, ""},
		{"DB cluster parameter group refused", []sandbox.FaultRule{{Operation: "DescribeDBClusterParameters", Rate: 1, RateFault: denied("DescribeDBClusterParameters")}},
			"Parameter Groups Not Read", []string{"max_connections and shared_buffers", "rds:DescribeDBClusterParameters because",
				"the parameters its reader and writer run with", "were not compared", "Allow rds:DescribeDBParameters (and, for Aurora, rds:DescribeDBClusterParameters)"}, ""},
		{"reader's group alone refused", []sandbox.FaultRule{{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{{Kind: sandbox.FaultNone}, denied("DescribeDBParameters")}}},
			"Reader Parameters Not Compared", []string{"were not compared", "Allow rds:DescribeDBParameters"}, ""},
		// Not a refusal (the reader's group gone between the listing and its read): nothing to allow.
		{"reader's group alone not found", []sandbox.FaultRule{{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{{Kind: sandbox.FaultNone},
			{Kind: sandbox.FaultError, Status: 404, Code: "DBParameterGroupNotFound", Message: "DBParameterGroup not found: sso-reporting"}}}},
			"Reader Parameters Not Compared", []string{"were not compared", "DBParameterGroupNotFound", "They are compared again on the next plan; or compare the groups yourself"}, "Allow"},
	} {
		for _, ds := range []struct {
			name string
			new  func() datasource.DataSource
			vals map[string]tftypes.Value
		}{{"recommendation", NewSingleNodeRecommendationDataSource, rec}, {"fleet", NewFleetDataSource, fleet}} {
			t.Run(tc.name+"/"+ds.name, func(t *testing.T) {
				srv.ClearFaults()
				for _, f := range tc.faults {
					srv.InjectFaults(f)
				}
				pd.Listings = inventory.NewSharedListings(pd.RDS, listingsTTL)
				diags := readDataSource(t, ds.new(), pd, ds.vals, nil)
				if diags.HasError() {
					t.Fatalf("read: %v", diags)
				}
				got := parameterWarnings(diags)
				if len(got) != 1 || got[tc.title] == "" {
					t.Fatalf("parameter warnings %q, want one, %q", got, tc.title)
				}
				if strings.Contains(got[tc.title], "sso-prod: sso-prod") {
					t.Errorf("%s names the deployment twice: %q", tc.title, got[tc.title])
				}
				for _, s := range tc.want {
					if !strings.Contains(got[tc.title], s) {
						t.Errorf("%s: %q does not say %q", tc.title, got[tc.title], s)
					}
				}
				if tc.not != "" && strings.Contains(got[tc.title], tc.not) {
					t.Errorf("%s: %q says %q", tc.title, got[tc.title], tc.not)
				}
			})
		}
	}
}
