package provider

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// sandboxNow is the sandbox clock used by acceptance tests: the current hour,
// so that CloudWatch retention on the provider's side (real time) and the
// sandbox's side agree.
func sandboxNow() time.Time { return time.Now().UTC().Truncate(time.Hour) }

func recommendationConfig(srv *sandbox.Server, body string) string {
	return acctest.SandboxProvider(srv).HCL() + body
}

func TestAccSingleNodeRecommendation_demo(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	end := now.Format(time.RFC3339)
	ds := "data.rightsize_single_node_recommendation."
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, demoRecommendationsHCL(end, 28)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("verdict"), knownvalue.StringExact("consolidate")),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("topology"), knownvalue.StringExact("aurora")),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("single_node_sufficient"), knownvalue.Bool(true)),
				// Aurora db.t4g.medium reader at the catalog's us-east-1 price: 0.073 $/h × 730 h.
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("monthly_savings"), knownvalue.Float64Exact(53.29)),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("savings_target_status"), knownvalue.StringExact("within")),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("period_seconds_used"), knownvalue.Int64Exact(60)),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("verdict"), knownvalue.StringExact("consolidate")),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("topology"), knownvalue.StringExact("multi-az")),
				// db.t4g.large Multi-AZ 0.258 $/h → Single-AZ 0.129 $/h: 0.129 × 730 = 94.17, plus its 100 GiB of
				// gp3 storage, billed at $0.23 per GB-month under Multi-AZ and $0.115 without: 11.50.
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("monthly_savings"), knownvalue.Float64Exact(105.67)),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("storage_monthly_savings"), knownvalue.Float64Exact(11.5)),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("storage_monthly_savings"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("period_seconds_used"), knownvalue.Int64Exact(300)),
				// Both run burstable classes within their baselines: the credits are simulated, nothing is charged.
				// RDS has a surplus credit price (so a zero cost); Aurora has none (null).
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("cpu_credits").AtMapKey("baseline_percent"), knownvalue.Float64Exact(20)),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("cpu_credits").AtMapKey("surplus_vcpu_hours_per_month"), knownvalue.Float64Exact(0)),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("cpu_credits").AtMapKey("surplus_monthly_cost"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("cpu_credits").AtMapKey("min_balance_percent"), knownvalue.Float64Exact(100)),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("cpu_credits").AtMapKey("instance_class"), knownvalue.StringExact("db.t4g.large")),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("cpu_credits").AtMapKey("baseline_percent"), knownvalue.Float64Exact(30)),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("cpu_credits").AtMapKey("surplus_monthly_cost"), knownvalue.Float64Exact(0)),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("cpu_credits").AtMapKey("depleted_hours"), knownvalue.Int64Exact(0)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrSet(ds+"sso", "report_markdown"),
				resource.TestCheckResourceAttrSet(ds+"sso", "charts_svg.%"),
				resource.TestCheckResourceAttrSet(ds+"sso", "rollback_triggers.0.threshold"),
				resource.TestCheckResourceAttrSet(ds+"sso", "recommended_parameters.shared_buffers"),
				resource.TestCheckResourceAttr(ds+"sso", "migration_window.known", "true"),
				resource.TestCheckResourceAttr(ds+"sso", "nodes.#", "2"),
				resource.TestCheckResourceAttr(ds+"mandible", "nodes.#", "2"),
				resource.TestCheckResourceAttr(ds+"mandible", "nodes.1.role", "standby"),
				checkProjectedCPU(ds+"sso", 5, 30),
				checkProjectedCPU(ds+"mandible", 10, 40),
				resource.TestMatchResourceAttr(ds+"sso", "infracost_usage_yaml", regexp.MustCompile(`aws_rds_cluster\.sso_prod:\n\s+read_requests_per_sec: \d+`)),
				resource.TestMatchResourceAttr(ds+"mandible", "infracost_usage_yaml", regexp.MustCompile(`aws_db_instance\.mandible_prod:\n\s+monthly_standard_io_requests: \d+`)),
			),
		}, {
			// The same inputs plan again without changes (deterministic outputs).
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %[1]q
}
output "verdict" { value = data.rightsize_single_node_recommendation.sso.verdict }
output "report"  { value = sha256(data.rightsize_single_node_recommendation.sso.report_markdown) }
`, end)),
		}, {
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %[1]q
}
output "verdict" { value = data.rightsize_single_node_recommendation.sso.verdict }
output "report"  { value = sha256(data.rightsize_single_node_recommendation.sso.report_markdown) }
`, end)),
			PlanOnly: true,
		}},
	})
}

// checkProjectedCPU asserts the projected CPU p99 lies within [lo, hi] percent.
func checkProjectedCPU(name string, lo, hi float64) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		var v float64
		if _, err := fmt.Sscanf(rs.Primary.Attributes["projected_cpu_p99"], "%g", &v); err != nil {
			return fmt.Errorf("%s projected_cpu_p99 = %q: %w", name, rs.Primary.Attributes["projected_cpu_p99"], err)
		}
		if v < lo || v > hi {
			return fmt.Errorf("%s projected_cpu_p99 = %g, want within [%g, %g]", name, v, lo, hi)
		}
		return nil
	}
}

func TestAccSingleNodeRecommendation_keepAndInsufficient(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Busy()
	short := sandbox.ShortHistory()
	for i := range short.Clusters {
		short.Clusters[i].ID = "short-" + short.Clusters[i].ID
		for j := range short.Clusters[i].Members {
			short.Clusters[i].Members[j].ID = "short-" + short.Clusters[i].Members[j].ID
		}
	}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	shortSrv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.ShortHistory(), Now: now})
	end := now.Format(time.RFC3339)
	ds := "data.rightsize_single_node_recommendation."
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "busy" {
  db_cluster_identifier   = "busy-prod"
  end_time                = %q
  target_instance_classes = ["db.r6g.large"] # its own class: a larger one would fit, at a higher price
}
`, end)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds+"busy", tfjsonpath.New("verdict"), knownvalue.StringExact("keep")),
				statecheck.ExpectKnownValue(ds+"busy", tfjsonpath.New("single_node_sufficient"), knownvalue.Bool(false)),
			},
			Check: checkFailedReason(ds+"busy", "cpu"),
		}, {
			Config: recommendationConfig(shortSrv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "short" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 3
  end_time              = %q
}
`, end)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds+"short", tfjsonpath.New("verdict"), knownvalue.StringExact("insufficient-data")),
			},
		}},
	})
}

// checkFailedReason asserts a failed reason whose check mentions want.
func checkFailedReason(name, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		a := rs.Primary.Attributes
		for i := 0; ; i++ {
			check, ok := a[fmt.Sprintf("reasons.%d.check", i)]
			if !ok {
				return fmt.Errorf("%s has no failed reason mentioning %q", name, want)
			}
			if a[fmt.Sprintf("reasons.%d.passed", i)] == "false" && strings.Contains(check, want) {
				if !strings.Contains(strings.ToLower(a[fmt.Sprintf("reasons.%d.message", i)]), "cpu") {
					return fmt.Errorf("reason %s message does not name the CPU: %q", check, a[fmt.Sprintf("reasons.%d.message", i)])
				}
				return nil
			}
		}
	}
}

// What would undo the change or strand clients reaches the data source's risks through the
// provider's own clients: Aurora Auto Scaling (Application Auto Scaling) and an RDS Proxy
// read-only endpoint (RDS) in front of sso-prod.
func TestAccSingleNodeRecommendation_operationsRisks(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	acctest.AddReplicaScaling(t, srv, "sso-prod", 1, 2)
	acctest.AddProxy(t, srv, "sso-proxy", "sso-prod", "", map[string]rdstypes.DBProxyEndpointTargetRole{"sso-ro": rdstypes.DBProxyEndpointTargetRoleReadOnly})
	name := "data.rightsize_single_node_recommendation.sso"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: ssoRecommendationConfig(srv, now),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestMatchTypeSetElemNestedAttrs(name, "risks.*", map[string]*regexp.Regexp{
					"category": regexp.MustCompile(`^operations$`), "severity": regexp.MustCompile(`^high$`),
					"description": regexp.MustCompile(`^Aurora Auto Scaling keeps 1 to 2 reader\(s\) \(minimum 1\)`)}),
				resource.TestMatchTypeSetElemNestedAttrs(name, "risks.*", map[string]*regexp.Regexp{
					"category": regexp.MustCompile(`^operations$`), "severity": regexp.MustCompile(`^high$`),
					"description": regexp.MustCompile(`^RDS Proxy endpoint sso-ro \(read-only endpoint of RDS Proxy sso-proxy\)`)}),
			),
		}},
	})
}

// ssoRecommendationConfig is the recommendation for sso-prod over 14 days to now, named
// data.rightsize_single_node_recommendation.sso.
func ssoRecommendationConfig(srv *sandbox.Server, now time.Time) string {
	return recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %q
}
`, now.Format(time.RFC3339)))
}

// An Aurora I/O-Optimized cluster's instances cost 30% more than the catalog's Aurora Standard
// prices: the savings and the price source say so. Each instance is 0.073 $/h × 1.3 = 0.0949 $/h:
// 138.55 a month for two, 69.28 for one (each rounded to the cent), so the savings are 69.27.
func TestAccSingleNodeRecommendation_auroraIOOptimized(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	for i := range sc.Clusters {
		if sc.Clusters[i].ID == "sso-prod" {
			sc.Clusters[i].StorageType = "aurora-iopt1"
		}
	}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	name := "data.rightsize_single_node_recommendation.sso"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: ssoRecommendationConfig(srv, now),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(name, tfjsonpath.New("monthly_savings"), knownvalue.Float64Exact(69.27)),
				statecheck.ExpectKnownValue(name, tfjsonpath.New("current_monthly_cost"), knownvalue.Float64Exact(138.55)),
				statecheck.ExpectKnownValue(name, tfjsonpath.New("price_source"), knownvalue.StringRegexp(
					regexp.MustCompile(`^catalog \d{4}-\d{2}-\d{2}( to \d{4}-\d{2}-\d{2})? \(Aurora I/O-Optimized: the catalog's Aurora Standard prices × 1\.3\)$`))),
			},
		}},
	})
}

// The windows, pending maintenance and failovers through terraform: mandible-prod's backup and
// maintenance windows sit in its weekday peak, so quieter ones are suggested (in RDS's formats,
// ready for aws_db_instance); sso-prod (Aurora) gets no backup suggestion and lists its three
// pending actions; both failed over an hour ago, which each lists, with a redundancy risk.
func TestAccSingleNodeRecommendation_windows(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: acctest.DemoMaintenance(), Now: now})
	// An event RDS files as a failure that shows no node at work: listed (before the failover, at
	// the same time, in the order RDS gives), not counted.
	emMessage := "Amazon RDS has been unable to configure enhanced monitoring on your instance: mandible-prod and this feature has been disabled."
	if !srv.RecordEvent("mandible-prod", emMessage, "failure") {
		t.Fatal("recording an event for mandible-prod")
	}
	failedOver := acctest.FailOver(t, srv).Format(time.RFC3339)
	end := now.Format(time.RFC3339)
	ds := "data.rightsize_single_node_recommendation."
	rfc3339 := knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, demoRecommendationsHCL(end, 14)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("backup_window").AtMapKey("window"), knownvalue.StringExact("13:00-13:30")),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("backup_window").AtMapKey("suggested"),
					knownvalue.StringRegexp(regexp.MustCompile(`^(0\d|1[01]|1[4-9]|2\d):00-\d{2}:30$`))), // not 12:00 or 13:00, in the peak
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("maintenance_window").AtMapKey("window"), knownvalue.StringExact("tue:14:00-tue:14:30")),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("maintenance_window").AtMapKey("suggested"),
					knownvalue.StringRegexp(regexp.MustCompile(`^(sun|mon|tue|wed|thu|fri|sat):\d{2}:[03]0-(sun|mon|tue|wed|thu|fri|sat):\d{2}:[03]0$`))),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("pending_maintenance"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"resource": knownvalue.StringExact("mandible-prod"), "action": knownvalue.StringExact("system-update"),
						"description":        knownvalue.StringExact("New Operating System update is available"),
						"auto_applied_after": rfc3339, "forced_apply_date": knownvalue.Null(), "current_apply_date": rfc3339,
						"opt_in_status": knownvalue.Null(),
					}),
				})),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("backup_window").AtMapKey("window"), knownvalue.StringExact("07:00-07:30")),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("backup_window").AtMapKey("suggested"), knownvalue.Null()),
				// The failover made sso-prod-instance-2 the writer: its maintenance window is the default.
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("maintenance_window").AtMapKey("window"), knownvalue.StringExact("sun:05:00-sun:05:30")),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("pending_maintenance"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue(ds+"mandible", tfjsonpath.New("recent_failovers"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"time": knownvalue.StringExact(failedOver), "source": knownvalue.StringExact("mandible-prod"),
						"category": knownvalue.StringExact("failure"), "message": knownvalue.StringExact(emMessage),
						"incident": knownvalue.Bool(false),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"time": knownvalue.StringExact(failedOver), "source": knownvalue.StringExact("mandible-prod"),
						"category": knownvalue.StringExact("failover"), "message": knownvalue.StringExact("Multi-AZ instance failover started."),
						"incident": knownvalue.Bool(true),
					}),
				})),
				statecheck.ExpectKnownValue(ds+"sso", tfjsonpath.New("recent_failovers"), knownvalue.ListSizeExact(2)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkLess(ds+"mandible", "backup_window.suggested_peak_cpu", "backup_window.peak_cpu"),
				checkLess(ds+"mandible", "maintenance_window.suggested_peak_cpu", "maintenance_window.peak_cpu"),
				resource.TestMatchResourceAttr(ds+"mandible", "migration_window.reason", regexp.MustCompile(`outside 13:00-13:30 and tue:14:00-tue:14:30 and \d{2}:\d{2}-\d{2}:\d{2} and [a-z]{3}:\d{2}:\d{2}-[a-z]{3}:\d{2}:\d{2} UTC$`)),
				resource.TestMatchResourceAttr(ds+"mandible", "report_markdown", regexp.MustCompile(`\| backup \(daily\) \| 13:00-13:30 \| [\d.]+% \| \d{2}:00-\d{2}:30 \| [\d.]+% \|`)),
				resource.TestCheckTypeSetElemNestedAttrs(ds+"mandible", "risks.*", map[string]string{"category": "failure", "severity": "medium"}),
				resource.TestMatchResourceAttr(ds+"sso", "report_markdown", regexp.MustCompile(`\*\*medium\*\* \(redundancy\): 1 failover in the RDS events of the last 14 days`)),
				// One failover, named alone as the latest: the Enhanced Monitoring event is no incident.
				resource.TestMatchResourceAttr(ds+"mandible", "report_markdown", regexp.MustCompile(`\*\*medium\*\* \(redundancy\): 1 failover in the RDS events of the last 14 days \(the latest: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC mandible-prod: Multi-AZ instance failover started\.\)`)),
				resource.TestMatchResourceAttr(ds+"sso", "report_markdown", regexp.MustCompile(`- system-update on sso-prod-instance-2, not scheduled: applied when you opt in`)),
			),
		}},
	})
}

// checkLess asserts that attribute a of name is a number below attribute b.
func checkLess(name, a, b string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		va, errA := strconv.ParseFloat(rs.Primary.Attributes[a], 64)
		vb, errB := strconv.ParseFloat(rs.Primary.Attributes[b], 64)
		if errA != nil || errB != nil || !(va < vb) {
			return fmt.Errorf("%s: %s = %q is not below %s = %q", name, a, rs.Primary.Attributes[a], b, rs.Primary.Attributes[b])
		}
		return nil
	}
}

func TestAccSingleNodeRecommendation_errors(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	for _, extra := range []*sandbox.Scenario{sandbox.SingleAZ(), sandbox.MySQL(), sandbox.ThreeNodeAurora(), sandbox.MultiAZDBCluster()} {
		sc.Clusters = append(sc.Clusters, extra.Clusters...)
		sc.Instances = append(sc.Instances, extra.Instances...)
	}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	cases := []struct{ body, want string }{
		{`db_instance_identifier = "solo-db"`, `(?s)already Single-AZ.*nothing to\s+consolidate;\s+set\s+allow_single_node\s+=\s+true\s+to\s+go\s+on`},
		{`db_instance_identifier = "shop-mysql"`, `engine "mysql" is not supported`},
		{`db_cluster_identifier = "tri-prod"`, `has 3 instances`},
		{`db_cluster_identifier = "orders-prod"`, `(?s)it is a Multi-AZ DB cluster.*not supported`},
		{`db_instance_identifier = "orders-prod-instance-1"`, `(?s)member of DB cluster\s+"orders-prod".*db_cluster_identifier`},
		{`db_instance_identifier = "nope"`, `(?s)DB Deployment Not Found.*DB instance "nope" not found`},
		{`db_instance_identifier = "sso-prod"`, `(?s)DB Deployment Not Found.*sso-prod is a DB\s+cluster: name it with\s+db_cluster_identifier`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `db_cluster_identifier = "sso-prod"`, `(?s)Invalid Attribute Combination`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `end_time = "yesterday"`, `(?s)end_time.*not an RFC 3339`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `lookback_days = 500`, `(?s)lookback_days.*between 1 and 455`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `period_seconds = 90`, `(?s)period_seconds.*multiple of 60`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `period_seconds = 172800`, `(?s)period_seconds.*between\s+60\s+and\s+86400`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `lookback_days = 20` + "\n" + `period_seconds = 360`, `(?s)Invalid Recommendation Input.*period_seconds.*multiple of 300 s`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `target_instance_classes = ["db.x9.huge"]`, `(?s)target_instance_classes`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `end_time = "2099-01-01T00:00:00Z"`, `(?s)end_time.*in the future`},
		// A minimum lookback the window can never meet: the verdict could only be insufficient-data.
		{`db_instance_identifier = "mandible-prod"` + "\n" + `policy = { min_lookback_days = 20 }`,
			`(?s)Minimum Lookback Longer Than the Lookback.*min_lookback_days = 20.*more history than lookback_days\s+\(14\)`},
		{`db_instance_identifier = "mandible-prod"` + "\n" + `lookback_days = 28` + "\n" + `policy = { min_lookback_days = 28 }` + "\n" + `end_time = "2099-01-01T00:00:00Z"`,
			`(?s)end_time.*in the future`}, // 28 of 28 is no error: the next check speaks
		// A window out of CloudWatch's retention because end_time is long past: the error is on
		// end_time (its line quoted), and says to move it or shorten lookback_days.
		{`db_instance_identifier = "mandible-prod"` + "\n" + `lookback_days = 200` + "\n" + `end_time = "` + now.Add(-300*24*time.Hour).UTC().Format(time.RFC3339) + `"`,
			`(?s)Invalid Recommendation Input.*end_time = "\d{4}.*455\s+days.*lookback_days\s+\(200\s+days\)\s+before\s+end_time.*move\s+end_time\s+later\s+or\s+shorten\s+lookback_days`},
		// As rightsize_postgres_stats: the IAM token replaces the password.
		{`db_instance_identifier = "mandible-prod"` + "\n" + `postgres = {` + "\n" + `password = "pw"` + "\n" + `iam_auth = true` + "\n}",
			`(?s)Conflicting PostgreSQL Authentication.*postgres\.password\s+is\s+set\s+together\s+with\s+postgres\.iam_auth`},
		// false cannot turn off the facts that postgres turns on.
		{`db_instance_identifier = "mandible-prod"` + "\n" + `use_provider_postgres = false` + "\n" + `postgres = { host = "127.0.0.1" }`,
			`(?s)Conflicting PostgreSQL Settings.*use_provider_postgres\s+=\s+false\s+turns\s+the\s+PostgreSQL\s+facts\s+off`},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      recommendationConfig(srv, "data \"rightsize_single_node_recommendation\" \"x\" {\n"+tc.body+"\n}\n"),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// reasonAttr is field of the reason whose check is check, from a's flatmap state.
func reasonAttr(a map[string]string, check, field string) (string, error) {
	for i := 0; ; i++ {
		c, ok := a[fmt.Sprintf("reasons.%d.check", i)]
		if !ok {
			return "", fmt.Errorf("no reason %s", check)
		}
		if c == check {
			return a[fmt.Sprintf("reasons.%d.%s", i, field)], nil
		}
	}
}

// A policy field set to 0 is 0 and one left unset takes its own default: weight_cost alone leaves
// the other three weights at theirs; headroom_percent = 0 compares the raw p99 with the limit;
// min_decision_score = 0 is a limit of 0; a savings target of 0–0 is met by any saving; all four
// weights 0 are refused.
func TestAccSingleNodeRecommendation_policy(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	end := now.Format(time.RFC3339)
	ds := "data.rightsize_single_node_recommendation."
	weight := func(name string, row int, want float64) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(ds+name, tfjsonpath.New("decision_matrix").AtSliceIndex(row).AtMapKey("weight"), knownvalue.Float64Exact(want))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// Refused when validated: first, since the destroy after the test validates the last config.
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "none" {
  db_cluster_identifier = "sso-prod"
  end_time              = %q
  policy = {
    weight_performance = 0
    weight_cost        = 0
    weight_reliability = 0
    weight_operations  = 0
  }
}
`, end)),
			ExpectError: regexp.MustCompile(`(?s)Invalid Policy.*weight_operations\s+all\s+to\s+0.*set\s+at\s+least\s+one\s+above\s+0`),
		}, {
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "dflt" {
  db_cluster_identifier = "sso-prod"
  end_time              = %[1]q
}
data "rightsize_single_node_recommendation" "cost" {
  db_cluster_identifier = "sso-prod"
  end_time              = %[1]q
  policy                = { weight_cost = 0.5 }
}
data "rightsize_single_node_recommendation" "zero" {
  db_cluster_identifier = "sso-prod"
  end_time              = %[1]q
  policy = {
    headroom_percent   = 0
    min_decision_score = 0
  }
  savings_target = {
    min_monthly_usd = 0
    max_monthly_usd = 0
  }
}
`, end)),
			ConfigStateChecks: []statecheck.StateCheck{
				// Rows: performance, cost, reliability, operations.
				weight("cost", 0, 0.35), weight("cost", 1, 0.5), weight("cost", 2, 0.25), weight("cost", 3, 0.15),
				weight("dflt", 1, 0.25),
				statecheck.ExpectKnownValue(ds+"dflt", tfjsonpath.New("savings_target_status"), knownvalue.StringExact("within")),
				statecheck.ExpectKnownValue(ds+"zero", tfjsonpath.New("savings_target_status"), knownvalue.StringExact("above")),
				statecheck.ExpectKnownValue(ds+"zero", tfjsonpath.New("savings_target_met"), knownvalue.Bool(true)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				// The score is the mean of the matrix under the weights it shows.
				outCheck(ds+"cost", func(a map[string]string) error {
					var sum, ws float64
					for i := 0; i < 4; i++ {
						sc, err1 := strconv.ParseFloat(a[fmt.Sprintf("decision_matrix.%d.score", i)], 64)
						w, err2 := strconv.ParseFloat(a[fmt.Sprintf("decision_matrix.%d.weight", i)], 64)
						if err1 != nil || err2 != nil {
							return fmt.Errorf("decision_matrix.%d: score %q, weight %q", i, a[fmt.Sprintf("decision_matrix.%d.score", i)], a[fmt.Sprintf("decision_matrix.%d.weight", i)])
						}
						sum, ws = sum+sc*w, ws+w
					}
					got, err := strconv.ParseFloat(a["decision_score"], 64)
					if err != nil || math.Abs(got-sum/ws) > 0.011 {
						return fmt.Errorf("decision_score %q, want %.2f", a["decision_score"], sum/ws)
					}
					return nil
				}),
				// No headroom: the value compared with the limit is the projected p99 itself.
				outCheck(ds+"zero", func(a map[string]string) error {
					v, err := reasonAttr(a, "cpu_p99_with_headroom", "value")
					if err != nil {
						return err
					}
					var p99 string
					for i := 0; a[fmt.Sprintf("projected.%d.metric", i)] != ""; i++ {
						if a[fmt.Sprintf("projected.%d.metric", i)] == "cpu" {
							p99 = a[fmt.Sprintf("projected.%d.p99", i)]
						}
					}
					fv, err1 := strconv.ParseFloat(v, 64)
					fp, err2 := strconv.ParseFloat(p99, 64)
					if err1 != nil || err2 != nil || math.Abs(fv-fp) > 0.005 { // the reason's value is rounded to 0.01
						return fmt.Errorf("cpu_p99_with_headroom value %q, want the projected CPU p99 %q", v, p99)
					}
					if lim, err := reasonAttr(a, "decision_score", "limit"); err != nil {
						return err
					} else if lim != "0" {
						return fmt.Errorf("decision_score limit %q, want 0", lim)
					}
					return nil
				}),
				outCheck(ds+"dflt", func(a map[string]string) error {
					if lim, err := reasonAttr(a, "decision_score", "limit"); err != nil {
						return err
					} else if lim != "5" {
						return fmt.Errorf("default decision_score limit %q, want 5", lim)
					}
					return nil
				}),
			),
		}},
	})
}

// demoRecommendationsHCL declares rightsize_single_node_recommendation "mandible" and "sso" for
// the demo's two deployments, up to end (RFC 3339): sso over 14 days, mandible over
// mandibleDays.
func demoRecommendationsHCL(end string, mandibleDays int) string {
	return fmt.Sprintf(`
data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = %[2]d
  end_time               = %[1]q
}
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %[1]q
}
`, end, mandibleDays)
}
