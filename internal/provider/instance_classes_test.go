package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// r8gClass is an instance_classes element describing db.r8g.large (which the catalog, of
// AWS's 2023-06 tables, lacks), priced in us-east-1.
const r8gClass = `{
    name       = "db.r8g.large"
    vcpu       = 2
    memory_gib = 16
    aurora     = true
    ebs_baseline_iops     = 3600
    network_baseline_gbps = 0.937
    aurora_local_storage_gib = 32
    hourly_usd = { single_az = 0.2, multi_az = 0.4, aurora = 0.23 }
  }`

// TestAccInstanceClasses: a Multi-AZ instance on db.r8g.large, a class newer than the catalog,
// cannot be analysed (the error says to describe it in instance_classes); described there, with
// its prices, the recommendation and the fleet analyse it on that class, with the savings from
// those prices, and rightsize_rds_price gives them, as the configuration's.
func TestAccInstanceClasses(t *testing.T) {
	now := sandboxNow()
	chat := sandbox.MultiAZInstance("chat", "db.r8g.large", sandbox.Workload{CPUBase: 10, CPUAmplitude: 10, Connections: 20})
	sso := sandbox.AuroraPair("sso", "db.r8g.large", sandbox.Workload{CPUBase: 10, CPUAmplitude: 10, Connections: 20}, sandbox.Workload{CPUBase: 5, Connections: 5})
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: &sandbox.Scenario{Name: "r8g", Instances: []sandbox.InstanceSpec{chat},
		Clusters: []sandbox.ClusterSpec{sso}}, Now: now})
	body := fmt.Sprintf(`
data "rightsize_single_node_recommendation" "chat" {
  db_instance_identifier = "chat"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
}

data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso"
  lookback_days         = 7
  period_seconds        = 3600
  end_time              = %[1]q
}

data "rightsize_fleet" "f" {
  identifier_regex = "^chat$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %[1]q
}
`, now.Format(time.RFC3339))
	price := `
data "rightsize_utilization" "chat" {
  db_instance_identifier = "chat"
  lookback_days          = 7
}

data "rightsize_rds_price" "r8g" {
  instance_class = "db.r8g.large"
  engine         = "rds-postgresql"
  deployment     = "multi-az"
}
`
	described := acctest.SandboxProvider(srv)
	described.Extra = map[string]string{"instance_classes": "[" + r8gClass + "]"}
	num := func(a map[string]string, k string) float64 {
		v, err := strconv.ParseFloat(a[k], 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.SandboxProvider(srv).HCL() + body,
				ExpectError: regexp.MustCompile(`"db\.r8g\.large"\s+is\s+not\s+in\s+the\s+catalog[\s\S]*instance_classes`),
			},
			{
				Config: described.HCL() + body + price,
				Check: func(s *terraform.State) error {
					a, err := fleetAttrs(s, "data.rightsize_single_node_recommendation.chat")
					if err != nil {
						return err
					}
					// Multi-AZ at $0.40/h, one db.r8g.large at $0.20/h: $146/month on the instances,
					// plus the standby's storage (us-east-1 prices it).
					cur, saved, storage := num(a, "current_monthly_cost"), num(a, "monthly_savings"), num(a, "storage_monthly_savings")
					if a["recommended_instance_class"] != "db.r8g.large" || !(cur >= 292+storage) || !(math.Abs(saved-storage-146) < 0.01) || !(storage > 0) {
						return fmt.Errorf("recommendation: class %s, current %s, savings %s (storage %s); want db.r8g.large, $292 + storage, $146 + storage",
							a["recommended_instance_class"], a["current_monthly_cost"], a["monthly_savings"], a["storage_monthly_savings"])
					}
					// The configured network baseline is checked (a class without one has no network check).
					checks := map[string]string{}
					for i := 0; a[fmt.Sprintf("reasons.%d.check", i)] != ""; i++ {
						checks[a[fmt.Sprintf("reasons.%d.check", i)]] = a[fmt.Sprintf("reasons.%d.message", i)]
					}
					if !strings.Contains(checks["network_p99_with_headroom"], "of the baseline of db.r8g.large") {
						return fmt.Errorf("recommendation checks %v, want the IOPS and network checks against the configured baselines", checks)
					}
					// Aurora: the reader's $0.23/h is saved, $167.90/month.
					au, err := fleetAttrs(s, "data.rightsize_single_node_recommendation.sso")
					if err != nil {
						return err
					}
					if au["recommended_instance_class"] != "db.r8g.large" || au["current_monthly_cost"] != "335.8" || au["monthly_savings"] != "167.9" {
						return fmt.Errorf("Aurora: class %s, current %s, savings %s; want db.r8g.large, 335.8, 167.9", au["recommended_instance_class"], au["current_monthly_cost"], au["monthly_savings"])
					}
					// The configured local storage is checked (a class without it has no local_storage check).
					auChecks := map[string]string{}
					for i := 0; au[fmt.Sprintf("reasons.%d.check", i)] != ""; i++ {
						auChecks[au[fmt.Sprintf("reasons.%d.check", i)]] = au[fmt.Sprintf("reasons.%d.message", i)]
					}
					if !strings.Contains(auChecks["local_storage"], "of the 32 GiB of db.r8g.large") {
						return fmt.Errorf("Aurora checks %v, want the local storage checked against the configured 32 GiB", auChecks)
					}
					f, err := fleetAttrs(s, "data.rightsize_fleet.f")
					if err != nil {
						return err
					}
					if f["clusters.#"] != "1" || f["clusters.0.instance_class"] != "db.r8g.large" || f["clusters.0.verdict"] != a["verdict"] || f["clusters.0.monthly_savings"] != a["monthly_savings"] {
						return fmt.Errorf("fleet: %s clusters, class %s, verdict %s, savings %s", f["clusters.#"], f["clusters.0.instance_class"], f["clusters.0.verdict"], f["clusters.0.monthly_savings"])
					}
					u, err := fleetAttrs(s, "data.rightsize_utilization.chat")
					if err != nil {
						return err
					}
					if u["nodes.0.vcpu"] != "2" || u["nodes.0.memory_gib"] != "16" {
						return fmt.Errorf("utilization: node capacity %s vCPU, %s GiB; want the configured 2 and 16", u["nodes.0.vcpu"], u["nodes.0.memory_gib"])
					}
					p, err := fleetAttrs(s, "data.rightsize_rds_price.r8g")
					if err != nil {
						return err
					}
					if p["hourly_usd"] != "0.4" || p["source"] != "provider-configuration" || p["source_date"] != "" || p["vcpu"] != "2" || p["memory_gib"] != "16" || !strings.Contains(p["note"], "instance_classes") {
						return fmt.Errorf("rds_price: %v", p)
					}
					return nil
				},
			},
		},
	})
}

// TestAccInstanceClasses_invalid: instance_classes that cannot describe a class are refused at
// plan, on the attribute, saying what to change.
func TestAccInstanceClasses_invalid(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "empty", Now: sandboxNow()})
	step := func(classes, want string) resource.TestStep {
		p := acctest.SandboxProvider(srv)
		p.Extra = map[string]string{"instance_classes": classes}
		return resource.TestStep{
			Config:      p.HCL() + `data "rightsize_rds_price" "p" {` + "\n" + `instance_class = "db.r6g.large"` + "\n" + `engine = "rds-postgresql"` + "\n" + `deployment = "single-az"` + "\n}\n",
			ExpectError: regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(want), " ", `\s+`)),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`[{ name = "db.r6g.large", vcpu = 2, memory_gib = 16 }]`, "instance_classes[0] (db.r6g.large): db.r6g.large is in the provider's catalog already"),
			step(`[{ name = "db.t4g.4xlarge", vcpu = 16, memory_gib = 64 }]`, "is a burstable class"),
			step(`[{ name = "r8g.large", vcpu = 2, memory_gib = 16 }]`, "is not an RDS DB instance class name"),
			step(`[{ name = "db.r8g.large", vcpu = 0, memory_gib = 16 }]`, "0 vCPUs: want 1 to 512"),
			step(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16384000 }]`, "want more than 0, at most 32768"),
			step(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, hourly_usd = { aurora = 0.2 } }]`, "set aurora = true, or remove the price"),
			step(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, hourly_usd = { multi_az = -1 } }]`, "-1 USD per hour: want 0 (unknown) to 1000"),
			step(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, network_baseline_gbps = 2000 }]`, "2000 Gbps: want 0 (unknown) to 1000"),
			step(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, ebs_baseline_iops = -5 }]`, "-5: want 0 (unknown) or more"),
			step(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, aurora_local_storage_gib = 32 }]`, "local storage for a class Aurora PostgreSQL does not offer: set aurora = true, or remove it"),
			step(`[`+r8gClass+`, `+r8gClass+`]`, "instance_classes[1] describes db.r8g.large, as instance_classes[0] does: keep one"),
		},
	})
}

// TestCustomClassesPaths: a refused instance_classes element's diagnostic is on the attribute it
// names (the list index and the nested attribute), and an element with an unknown value is left
// for Configure (complete false), not refused.
func TestCustomClassesPaths(t *testing.T) {
	hourlyType := map[string]attr.Type{"single_az": types.Float64Type, "multi_az": types.Float64Type, "aurora": types.Float64Type, "aurora_io_optimized": types.Float64Type}
	elemType := map[string]attr.Type{"name": types.StringType, "vcpu": types.Int64Type, "memory_gib": types.Float64Type, "aurora": types.BoolType,
		"ebs_baseline_iops": types.Float64Type, "network_baseline_gbps": types.Float64Type, "aurora_local_storage_gib": types.Float64Type,
		"hourly_usd": types.ObjectType{AttrTypes: hourlyType}}
	elem := func(name string, vcpu attr.Value, aurora bool, auroraUSD float64, localGiB ...float64) attr.Value {
		return types.ObjectValueMust(elemType, map[string]attr.Value{
			"name": types.StringValue(name), "vcpu": vcpu, "memory_gib": types.Float64Value(16), "aurora": types.BoolValue(aurora),
			"ebs_baseline_iops": types.Float64Null(), "network_baseline_gbps": types.Float64Null(), "aurora_local_storage_gib": types.Float64Value(append(localGiB, 0)[0]),
			"hourly_usd": types.ObjectValueMust(hourlyType, map[string]attr.Value{
				"single_az": types.Float64Null(), "multi_az": types.Float64Null(), "aurora": types.Float64Value(auroraUSD), "aurora_io_optimized": types.Float64Null()}),
		})
	}
	// ioOptimized is an element with an Aurora I/O-Optimized price (and no other).
	ioOptimized := func(name string, aurora bool, usd attr.Value) attr.Value {
		return types.ObjectValueMust(elemType, map[string]attr.Value{
			"name": types.StringValue(name), "vcpu": types.Int64Value(2), "memory_gib": types.Float64Value(16), "aurora": types.BoolValue(aurora),
			"ebs_baseline_iops": types.Float64Null(), "network_baseline_gbps": types.Float64Null(), "aurora_local_storage_gib": types.Float64Null(),
			"hourly_usd": types.ObjectValueMust(hourlyType, map[string]attr.Value{
				"single_az": types.Float64Null(), "multi_az": types.Float64Null(), "aurora": types.Float64Null(), "aurora_io_optimized": usd}),
		})
	}
	list := func(vs ...attr.Value) types.List {
		return types.ListValueMust(types.ObjectType{AttrTypes: elemType}, vs)
	}
	for _, tc := range []struct {
		name     string
		list     types.List
		want     string // the path of the one error; "" for none
		complete bool
		classes  int
	}{
		{"valid", list(elem("db.r8g.large", types.Int64Value(2), true, 0.2), elem("db.m8g.large", types.Int64Value(2), false, 0)), "", true, 2},
		{"vcpu", list(elem("db.r8g.large", types.Int64Value(2), true, 0), elem("db.m8g.large", types.Int64Value(0), false, 0)), "instance_classes[1].vcpu", true, 1},
		{"aurora price", list(elem("db.r8g.large", types.Int64Value(2), false, 0.2)), "instance_classes[0].hourly_usd.aurora", true, 0},
		{"I/O-Optimized price", list(ioOptimized("db.r8g.large", true, types.Float64Value(0.3))), "", true, 1},
		{"I/O-Optimized price without Aurora", list(ioOptimized("db.r8g.large", false, types.Float64Value(0.3))), "instance_classes[0].hourly_usd.aurora_io_optimized", true, 0},
		{"I/O-Optimized price unknown", list(ioOptimized("db.r8g.large", true, types.Float64Unknown())), "", false, 0},
		{"aurora local storage", list(elem("db.r8g.large", types.Int64Value(2), false, 0, 32)), "instance_classes[0].aurora_local_storage_gib", true, 0},
		{"duplicate", list(elem("db.r8g.large", types.Int64Value(2), true, 0), elem("db.r8g.large", types.Int64Value(4), true, 0)), "instance_classes[1].name", true, 1},
		{"unknown", list(elem("db.r8g.large", types.Int64Unknown(), true, 0)), "", false, 0},
		{"null", types.ListNull(types.ObjectType{AttrTypes: elemType}), "", true, 0},
	} {
		var diags diag.Diagnostics
		got, complete := customClasses(context.Background(), tc.list, &diags)
		var paths []string
		for _, d := range diags.Errors() {
			if pd, ok := d.(diag.DiagnosticWithPath); ok {
				paths = append(paths, pd.Path().String())
			} else {
				paths = append(paths, "(no path) "+d.Detail())
			}
		}
		if want := []string{tc.want}; tc.want == "" && len(paths) != 0 || tc.want != "" && fmt.Sprint(paths) != fmt.Sprint(want) ||
			complete != tc.complete || len(got) != tc.classes {
			t.Errorf("%s: errors at %v, complete %v, %d classes; want %q, %v, %d", tc.name, paths, complete, len(got), tc.want, tc.complete, tc.classes)
		}
	}
}

// TestAccInstancePrices: in ap-northeast-1, a region the catalog does not price, a Multi-AZ
// instance's recommendation has no costs or savings; with its class priced in instance_prices,
// the recommendation and the fleet have them, from those prices (source provider-configuration),
// and so does rightsize_rds_price; with its storage type priced in storage_prices, the savings
// count the standby's storage. Refused prices are diagnosed at plan on the attribute.
func TestAccInstancePrices(t *testing.T) {
	now := sandboxNow()
	chat := sandbox.MultiAZInstance("chat", "db.t4g.large", sandbox.Workload{CPUBase: 10, CPUAmplitude: 10, Connections: 20})
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: &sandbox.Scenario{Name: "tokyo", Region: "ap-northeast-1", Instances: []sandbox.InstanceSpec{chat}}, Now: now})
	body := fmt.Sprintf(`
data "rightsize_single_node_recommendation" "chat" {
  db_instance_identifier = "chat"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
}

data "rightsize_fleet" "f" {
  identifier_regex = "^chat$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %[1]q
}
`, now.Format(time.RFC3339))
	price := `
data "rightsize_rds_price" "t4g" {
  instance_class = "db.t4g.large"
  engine         = "rds-postgresql"
  deployment     = "multi-az"
}
`
	plain := acctest.ProviderConfig{Region: "ap-northeast-1", Endpoint: srv.URL()}
	priced := plain
	priced.Extra = map[string]string{"instance_prices": `[{ instance_class = "db.t4g.large", single_az = 0.1, multi_az = 0.2 }]`,
		"storage_prices": `{ gp3 = 0.138 }`}
	bad := func(prices, want string) resource.TestStep {
		p := plain
		p.Extra = map[string]string{"instance_prices": prices}
		return resource.TestStep{Config: p.HCL() + price, ExpectError: regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(want), " ", `\s+`))}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Refusals first: they leave no state for the destroy after the last step.
			bad(`[{ instance_class = "db.x9.large", single_az = 1 }]`, `instance_prices[0] (db.x9.large): "db.x9.large" is not a class of the provider's catalog`),
			{
				Config: func() string {
					p := plain
					p.Extra = map[string]string{"storage_prices": `{ gp3 = 115 }`}
					return p.HCL() + price
				}(),
				ExpectError: regexp.MustCompile(`storage_prices:\s+115\s+USD\s+per\s+GB-month\s+of\s+gp3:\s+want\s+more\s+than\s+0,\s+at\s+most\s+10`),
			},
			bad(`[{ instance_class = "db.t4g.large" }]`, "give at least one of single_az, multi_az, aurora and aurora_io_optimized"),
			bad(`[{ instance_class = "db.m6g.large", aurora = 0.3 }]`, "Aurora PostgreSQL does not offer db.m6g.large"),
			bad(`[{ instance_class = "db.t4g.large", single_az = 1 }, { instance_class = "db.t4g.large", multi_az = 2 }]`, "instance_prices[1] prices db.t4g.large, as instance_prices[0] does: keep one"),
			{
				Config: func() string {
					p := plain
					p.Extra = map[string]string{"instance_classes": "[" + r8gClass + "]", "instance_prices": `[{ instance_class = "db.r8g.large", single_az = 1 }]`}
					return p.HCL() + price
				}(),
				ExpectError: regexp.MustCompile(`db\.r8g\.large\s+is\s+described\s+in\s+instance_classes:\s+give\s+its\s+prices\s+there`),
			},
			{
				Config: plain.HCL() + body,
				Check: func(s *terraform.State) error {
					a, err := fleetAttrs(s, "data.rightsize_single_node_recommendation.chat")
					if err != nil {
						return err
					}
					if a["monthly_savings"] != "" || a["current_monthly_cost"] != "" || a["price_source"] != "unknown" {
						return fmt.Errorf("unpriced region: savings %q, current %q, source %q; want none", a["monthly_savings"], a["current_monthly_cost"], a["price_source"])
					}
					if a["savings_target_met"] != "false" || a["savings_target_status"] != "unknown" {
						return fmt.Errorf("unpriced region: savings_target_met %q, savings_target_status %q; want false (a gate holds back) and unknown", a["savings_target_met"], a["savings_target_status"])
					}
					if f, err := fleetAttrs(s, "data.rightsize_fleet.f"); err != nil || f["clusters.0.price_source"] != "unknown" {
						return fmt.Errorf("unpriced region: fleet price_source %q (%w), want unknown", f["clusters.0.price_source"], err)
					}
					return nil
				},
			},
			{
				Config: priced.HCL() + body + price,
				Check: func(s *terraform.State) error {
					a, err := fleetAttrs(s, "data.rightsize_single_node_recommendation.chat")
					if err != nil {
						return err
					}
					// $0.20/h Multi-AZ, $0.10/h on one node: $73 a month; and the 100 GiB of gp3 at
					// $0.138 per GB-month, billed twice on Multi-AZ: $27.60 now, $13.80 on one node.
					if a["current_monthly_cost"] != "173.6" || a["monthly_savings"] != "86.8" || a["storage_monthly_savings"] != "13.8" ||
						a["recommended_instance_class"] != "db.t4g.large" || a["price_source"] != "provider-configuration" {
						return fmt.Errorf("recommendation: current %s, savings %s (storage %s), class %s, source %q; want 173.6, 86.8 (13.8), db.t4g.large, provider-configuration",
							a["current_monthly_cost"], a["monthly_savings"], a["storage_monthly_savings"], a["recommended_instance_class"], a["price_source"])
					}
					f, err := fleetAttrs(s, "data.rightsize_fleet.f")
					if err != nil {
						return err
					}
					if f["clusters.0.monthly_savings"] != "86.8" || f["clusters.0.price_source"] != "provider-configuration" {
						return fmt.Errorf("fleet savings %q from %q, want 86.8 from provider-configuration", f["clusters.0.monthly_savings"], f["clusters.0.price_source"])
					}
					p, err := fleetAttrs(s, "data.rightsize_rds_price.t4g")
					if err != nil {
						return err
					}
					if p["hourly_usd"] != "0.2" || p["source"] != "provider-configuration" || p["region"] != "ap-northeast-1" || !strings.Contains(p["note"], "instance_prices") {
						return fmt.Errorf("rds_price: %v", p)
					}
					return nil
				},
			},
		},
	})
}

// TestPriceOverridesPaths: a refused instance_prices element's diagnostic is on the attribute it
// names; an unknown value leaves the element for Configure.
func TestPriceOverridesPaths(t *testing.T) {
	elemType := map[string]attr.Type{"instance_class": types.StringType, "single_az": types.Float64Type, "multi_az": types.Float64Type, "aurora": types.Float64Type,
		"aurora_io_optimized": types.Float64Type}
	elem := func(class string, single, aurora attr.Value, ioOptimized ...attr.Value) attr.Value {
		return types.ObjectValueMust(elemType, map[string]attr.Value{"instance_class": types.StringValue(class), "single_az": single,
			"multi_az": types.Float64Null(), "aurora": aurora, "aurora_io_optimized": append(ioOptimized, types.Float64Null())[0]})
	}
	list := func(vs ...attr.Value) types.List {
		return types.ListValueMust(types.ObjectType{AttrTypes: elemType}, vs)
	}
	cat, err := (*ProviderData)(nil).catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		list     types.List
		want     string
		complete bool
		n        int
	}{
		{"valid", list(elem("db.r6g.large", types.Float64Value(0.3), types.Float64Null())), "", true, 1},
		{"class", list(elem("db.r6g.large", types.Float64Value(0.3), types.Float64Null()), elem("db.q1.large", types.Float64Value(1), types.Float64Null())), "instance_prices[1].instance_class", true, 1},
		{"aurora", list(elem("db.m6g.large", types.Float64Null(), types.Float64Value(0.2))), "instance_prices[0].aurora", true, 0},
		{"none", list(elem("db.m6g.large", types.Float64Null(), types.Float64Null())), "instance_prices[0].single_az", true, 0},
		{"duplicate", list(elem("db.r6g.large", types.Float64Value(0.3), types.Float64Null()), elem("db.r6g.large", types.Float64Value(0.4), types.Float64Null())), "instance_prices[1].instance_class", true, 1},
		{"unknown", list(elem("db.r6g.large", types.Float64Unknown(), types.Float64Null())), "", false, 0},
		{"I/O-Optimized alone", list(elem("db.r6g.large", types.Float64Null(), types.Float64Null(), types.Float64Value(0.3))), "", true, 1},
		{"I/O-Optimized without Aurora", list(elem("db.m6g.large", types.Float64Null(), types.Float64Null(), types.Float64Value(0.3))), "instance_prices[0].aurora_io_optimized", true, 0},
		{"I/O-Optimized out of range", list(elem("db.r6g.large", types.Float64Null(), types.Float64Null(), types.Float64Value(-1))), "instance_prices[0].aurora_io_optimized", true, 0},
		{"I/O-Optimized unknown", list(elem("db.r6g.large", types.Float64Null(), types.Float64Null(), types.Float64Unknown())), "", false, 0},
	} {
		var diags diag.Diagnostics
		got, complete := priceOverrides(context.Background(), tc.list, cat, &diags)
		var paths []string
		for _, d := range diags.Errors() {
			if pd, ok := d.(diag.DiagnosticWithPath); ok {
				paths = append(paths, pd.Path().String())
			}
		}
		if tc.want == "" && len(diags.Errors()) != 0 || tc.want != "" && fmt.Sprint(paths) != fmt.Sprint([]string{tc.want}) || complete != tc.complete || len(got) != tc.n {
			t.Errorf("%s: errors at %v (%v), complete %v, %d prices; want %q, %v, %d", tc.name, paths, diags.Errors(), complete, len(got), tc.want, tc.complete, tc.n)
		}
	}
}

// TestAccInstanceClasses_auroraFalse: a class instance_classes describe with aurora = false (the
// default) is one Aurora PostgreSQL does not offer. An Aurora cluster running on it is refused,
// saying to set aurora = true (it was analysed without a price and without a target class, with
// only a 'Current Price Unknown' warning), and the fleet skips it with that reason; as a target of
// an Aurora cluster the error names instance_classes' aurora, not the catalog's Aurora families.
func TestAccInstanceClasses_auroraFalse(t *testing.T) {
	now := sandboxNow()
	w := sandbox.Workload{CPUBase: 10, CPUAmplitude: 10, Connections: 20}
	sso := sandbox.AuroraPair("sso", "db.r8g.large", w, sandbox.Workload{CPUBase: 5, Connections: 5})
	old := sandbox.AuroraPair("old", "db.r6g.large", w, sandbox.Workload{CPUBase: 5, Connections: 5})
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: &sandbox.Scenario{Name: "r8g-aurora", Clusters: []sandbox.ClusterSpec{sso, old}}, Now: now})
	p := acctest.SandboxProvider(srv)
	p.Extra = map[string]string{"instance_classes": `[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, hourly_usd = { single_az = 0.2, multi_az = 0.4 } }]`}
	rec := func(id, extra string) string {
		return p.HCL() + fmt.Sprintf(`
data "rightsize_single_node_recommendation" "x" {
  db_cluster_identifier = %q
  lookback_days         = 7
  period_seconds        = 3600
  end_time              = %q
  %s
}
`, id, now.Format(time.RFC3339), extra)
	}
	words := func(s string) *regexp.Regexp {
		return regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      rec("sso", ""),
				ExpectError: words("the instances of Aurora cluster sso run on db.r8g.large, which the provider's instance_classes describe with aurora = false (the default), as a class Aurora PostgreSQL does not offer: set aurora = true for it there"),
			},
			{
				Config:      rec("old", `target_instance_classes = ["db.r8g.large"]`),
				ExpectError: words("db.r8g.large is described by the provider's instance_classes with aurora = false, as a class Aurora PostgreSQL does not offer: if it does, set aurora = true there"),
			},
			{
				Config: p.HCL() + fmt.Sprintf(`
data "rightsize_fleet" "f" {
  identifier_regex = "^(sso|old)$"
  lookback_days    = 7
  period_seconds   = 3600
  end_time         = %q
}
`, now.Format(time.RFC3339)),
				Check: func(s *terraform.State) error {
					f, err := fleetAttrs(s, "data.rightsize_fleet.f")
					if err != nil {
						return err
					}
					if f["clusters.#"] != "1" || f["clusters.0.identifier"] != "old" || f["skipped.#"] != "1" || f["skipped.0.identifier"] != "sso" ||
						!strings.HasPrefix(f["skipped.0.reason"], "the instances of Aurora cluster sso run on db.r8g.large, which the provider's instance_classes describe with aurora = false") {
						return fmt.Errorf("fleet: %s clusters (%s), skipped %s: %s %q", f["clusters.#"], f["clusters.0.identifier"], f["skipped.#"], f["skipped.0.identifier"], f["skipped.0.reason"])
					}
					return nil
				},
			},
		},
	})
}

// TestAccInstanceClasses_noRegion: instance_classes' prices are in the provider's region; with no
// region configured anywhere they could price nothing (rightsize_rds_price, given a region, said
// "with prices in  only"), so a price is refused on the attribute, saying to set region; without
// prices the classes' capacities still serve.
func TestAccInstanceClasses_noRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	provider := func(classes string, more ...string) string {
		return `
provider "rightsize" {
  access_key = "AKIDSANDBOX"
  secret_key = "sandbox-secret"
  instance_classes = ` + classes + "\n" + strings.Join(more, "\n") + `
}

data "rightsize_rds_price" "p" {
  instance_class = "db.r6g.large"
  engine         = "rds-postgresql"
  deployment     = "single-az"
  region         = "us-east-1"
}
`
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, hourly_usd = { multi_az = 0.4 } }]`),
				ExpectError: regexp.MustCompile(`(?s)Missing AWS Region.*instance_classes\[0\]\s+\(db\.r8g\.large\):\s+its\s+prices\s+are\s+in\s+the\s+provider's\s+region,\s+and\s+none\s+is\s+configured:` +
					`\s+set\s+region\s+in\s+the\s+provider\s+block`),
			},
			{
				Config:      provider(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, aurora = true, hourly_usd = { aurora_io_optimized = 0.4 } }]`),
				ExpectError: regexp.MustCompile(`(?s)Missing AWS Region.*instance_classes\[0\]\s+\(db\.r8g\.large\):\s+its\s+prices\s+are\s+in\s+the\s+provider's\s+region`),
			},
			{
				Config:      provider(`[]`, `instance_prices = [{ instance_class = "db.r6g.large", single_az = 0.2 }]`),
				ExpectError: regexp.MustCompile(`(?s)Missing AWS Region.*instance_prices\s+are\s+the\s+provider's\s+region's\s+prices,\s+and\s+none\s+is\s+configured`),
			},
			{
				Config:      provider(`[]`, `storage_prices = { gp3 = 0.1 }`),
				ExpectError: regexp.MustCompile(`(?s)Missing AWS Region.*storage_prices\s+are\s+the\s+provider's\s+region's\s+prices,\s+and\s+none\s+is\s+configured`),
			},
			{
				Config:      provider(`[]`, `storage_prices = { gp3_iops = 0.02 }`),
				ExpectError: regexp.MustCompile(`(?s)Missing AWS Region.*storage_prices\s+are\s+the\s+provider's\s+region's\s+prices,\s+and\s+none\s+is\s+configured`),
			},
			{
				Config: provider(`[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16 }]`),
				Check:  resource.TestCheckResourceAttr("data.rightsize_rds_price.p", "source", "catalog"),
			},
			// No price at all (an empty object, as a module passing var.storage_prices = {} writes
			// it, or null prices) needs no region, as an empty instance_prices does not: it was
			// refused with 'Missing AWS Region'.
			{
				Config: provider(`[]`, `instance_prices = []`, `storage_prices = {}`),
				Check:  resource.TestCheckResourceAttr("data.rightsize_rds_price.p", "source", "catalog"),
			},
			{
				Config: provider(`[]`, `storage_prices = { gp3 = null }`),
				Check:  resource.TestCheckResourceAttr("data.rightsize_rds_price.p", "source", "catalog"),
			},
		},
	})
}

// TestAccInstanceClasses_rdsPrice: rightsize_rds_price of a class instance_classes describe
// without a price for the deployment asked is refused on instance_class, saying to give it in
// hourly_usd (it was refused on region, saying "Use a covered region or class"); one they say
// Aurora does not offer says to set aurora = true; another region says to leave region out.
func TestAccInstanceClasses_rdsPrice(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "empty", Now: sandboxNow()})
	p := acctest.SandboxProvider(srv)
	p.Extra = map[string]string{"instance_classes": `[{ name = "db.m7i.xlarge", vcpu = 4, memory_gib = 16, hourly_usd = { single_az = 0.3 } }]`}
	step := func(engine, deployment, region, want string) resource.TestStep {
		r := ""
		if region != "" {
			r = fmt.Sprintf("region = %q", region)
		}
		return resource.TestStep{
			Config: p.HCL() + fmt.Sprintf(`
data "rightsize_rds_price" "p" {
  instance_class = "db.m7i.xlarge"
  engine         = %q
  deployment     = %q
  %s
}
`, engine, deployment, r),
			ExpectError: regexp.MustCompile(`(?s)Price Not Available.*` + strings.ReplaceAll(regexp.QuoteMeta(want), " ", `\s+`)),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("rds-postgresql", "multi-az", "", `instance_class = "db.m7i.xlarge" `+
				`no rds-postgresql multi-az price for db.m7i.xlarge in region us-east-1: the provider configuration's instance_classes give no price for it. `+
				`Give it in the class's hourly_usd in the provider configuration's instance_classes, or set use_pricing_api = true to ask the AWS Price List API.`),
			step("aurora-postgresql", "single-az", "", `instance_class = "db.m7i.xlarge" `+
				`no aurora-postgresql single-az price for db.m7i.xlarge in region us-east-1: the provider configuration's instance_classes say Aurora PostgreSQL does not offer it `+
				`(aurora = false). If it does, set aurora = true for it in the provider configuration's instance_classes, with hourly_usd.aurora, its price.`),
			step("rds-postgresql", "single-az", "eu-west-1", `region = "eu-west-1" `+
				`no rds-postgresql single-az price for db.m7i.xlarge in region eu-west-1: the provider configuration's instance_classes describe it, with prices in us-east-1 only. `+
				`Leave region out to price it in the provider's region, or set use_pricing_api = true to ask the AWS Price List API.`),
		},
	})
}

// TestAccInstancePrices_unknown: a price not known until apply (another resource's output) is
// refused at configure time on its own attribute, named, as the provider's other unknown
// attributes are. It was one error on the provider block naming 'instance_classes,
// instance_prices or storage_prices' whichever it was.
func TestAccInstancePrices_unknown(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "empty", Now: sandboxNow()})
	p := acctest.SandboxProvider(srv)
	step := func(attr, value, want string) resource.TestStep {
		q := p
		q.Extra = map[string]string{attr: value}
		return resource.TestStep{
			Config: q.HCL() + `
resource "terraform_data" "t" {
  input = 0.2
}

data "rightsize_rds_price" "p" {
  instance_class = "db.r6g.large"
  engine         = "rds-postgresql"
  deployment     = "single-az"
}
`,
			ExpectError: regexp.MustCompile(`Unknown Provider Configuration Value(?s).*because\s+` + regexp.QuoteMeta(want) + `\s+is\s+not\s+known\s+until\s+apply`),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("instance_prices", `[{ instance_class = "db.r6g.large", multi_az = 0.4 }, { instance_class = "db.r6g.xlarge", single_az = terraform_data.t.output }]`, "instance_prices[1].single_az"),
			step("storage_prices", `{ gp3 = terraform_data.t.output }`, "storage_prices.gp3"),
			step("instance_classes", `[{ name = "db.r8g.large", vcpu = 2, memory_gib = 16, hourly_usd = { single_az = terraform_data.t.output } }]`, "instance_classes[0].hourly_usd.single_az"),
		},
	})
}

// TestAccInstancePrices_negotiated: a negotiated Multi-AZ rate for the class a deployment runs on,
// in a region the catalog prices (us-east-1), prices today's deployment; the single node's
// classes keep the catalog's list prices, and price_source names both (it named the
// configuration's alone).
func TestAccInstancePrices_negotiated(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	p := acctest.SandboxProvider(srv)
	p.Extra = map[string]string{"instance_prices": `[{ instance_class = "db.t4g.large", multi_az = 0.2 }]`}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.HCL() + fmt.Sprintf(`
data "rightsize_single_node_recommendation" "m" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %q
}
`, now.Format(time.RFC3339)),
			Check: func(s *terraform.State) error {
				a, err := fleetAttrs(s, "data.rightsize_single_node_recommendation.m")
				if err != nil {
					return err
				}
				list, err := (*ProviderData)(nil).catalog()
				if err != nil {
					return err
				}
				single, err := list.Price("db.t4g.large", "rds-postgresql", "single-az", "us-east-1")
				if err != nil {
					return err
				}
				// $0.20/h Multi-AZ (146 a month) and 100 GiB of gp3 at the catalog's $0.115, twice (23).
				if a["current_monthly_cost"] != "169" || !regexp.MustCompile(`^provider-configuration and catalog 2024-\d\d-\d\d$`).MatchString(a["price_source"]) {
					return fmt.Errorf("current %s, source %q; want 169, provider-configuration and catalog <date>", a["current_monthly_cost"], a["price_source"])
				}
				for i := 0; a[fmt.Sprintf("class_options.%d.instance_class", i)] != ""; i++ {
					if a[fmt.Sprintf("class_options.%d.instance_class", i)] == "db.t4g.large" {
						if got := a[fmt.Sprintf("class_options.%d.monthly_cost", i)]; got != fmt.Sprint(single.MonthlyUSD) {
							return fmt.Errorf("db.t4g.large's option costs %s, want the catalog's Single-AZ %v", got, single.MonthlyUSD)
						}
						return nil
					}
				}
				return fmt.Errorf("no class option for db.t4g.large")
			},
		}},
	})
}
