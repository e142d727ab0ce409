package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccStoragePrices_provisioned: a Multi-AZ instance's Provisioned IOPS are billed for both
// copies, as its storage is, so one node saves half of them. In us-east-1 the catalog prices io1's
// storage and IOPS and gp3's IOPS above the included 12,000; storage_prices price gp3's
// throughput above the included 500 MiB/s, which the catalog does not; an out-of-range price is
// refused on its attribute.
func TestAccStoragePrices_provisioned(t *testing.T) {
	now := sandboxNow()
	w := sandbox.Workload{CPUBase: 10, CPUAmplitude: 5, Connections: 20}
	ledger := sandbox.MultiAZInstance("ledger", "db.m6g.large", w)
	ledger.StorageType, ledger.AllocatedStorage, ledger.Iops = "io1", 1000, 10000
	events := sandbox.MultiAZInstance("events", "db.m6g.large", w)
	events.AllocatedStorage, events.Iops, events.StorageThroughput = 500, 15000, 600
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: &sandbox.Scenario{Name: "piops", Instances: []sandbox.InstanceSpec{ledger, events}}, Now: now})
	body := fmt.Sprintf(`
data "rightsize_single_node_recommendation" "ledger" {
  db_instance_identifier = "ledger"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
  include_report         = false
}

data "rightsize_single_node_recommendation" "events" {
  db_instance_identifier = "events"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
  include_report         = false
}
`, now.Format(time.RFC3339))
	plain := acctest.ProviderConfig{Region: "us-east-1", Endpoint: srv.URL()}
	with := func(prices string) acctest.ProviderConfig {
		p := plain
		p.Extra = map[string]string{"storage_prices": prices}
		return p
	}
	savings := func(ledger, events string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			for name, want := range map[string]string{"ledger": ledger, "events": events} {
				a, err := fleetAttrs(s, "data.rightsize_single_node_recommendation."+name)
				if err != nil {
					return err
				}
				if a["storage_monthly_savings"] != want {
					return fmt.Errorf("%s: storage_monthly_savings %q, want %q", name, a["storage_monthly_savings"], want)
				}
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      with(`{ io1_iops = 20 }`).HCL() + body,
				ExpectError: regexp.MustCompile(`storage_prices:\s+20\s+USD\s+per\s+IOPS-month\s+of\s+io1_iops:\s+want\s+more\s+than\s+0,\s+at\s+most\s+10`),
			},
			{
				Config:      with(`{ gp3_throughput = -1 }`).HCL() + body,
				ExpectError: regexp.MustCompile(`storage_prices:\s+-1\s+USD\s+per\s+MiB/s-month\s+of\s+gp3_throughput`),
			},
			{
				// ledger: half of 1000 GB × $0.25 and 10000 IOPS × $0.20 a month (it was $0: io1
				// had no price, nor its IOPS). events: half of 500 GB × $0.23 and of the 3000 IOPS
				// above 12000 × $0.04 (it was $57.50, the storage alone); its 100 MiB/s above 500
				// are unpriced.
				Config: plain.HCL() + body,
				Check:  savings("1125", "117.5"),
			},
			{
				// The throughput priced: + 100 MiB/s × $0.08; io1's IOPS at the account's rate,
				// 1000 GB × $0.125 + 10000 × $0.065.
				Config: with(`{ gp3_throughput = 0.08, io1_iops = 0.065 }`).HCL() + body,
				Check:  savings("775", "125.5"),
			},
		},
	})
}

// TestStoragePricesRead: storage_prices' per-GB-month prices and provisioned prices are read into
// their maps; an unknown one (a module's value known only at apply) makes them incomplete.
func TestStoragePricesRead(t *testing.T) {
	attrTypes := storagePricesAttribute().GetType().(basetypes.ObjectType).AttrTypes
	obj := func(set map[string]attr.Value) basetypes.ObjectValue {
		vals := map[string]attr.Value{}
		for name := range attrTypes {
			vals[name] = basetypes.NewFloat64Null()
		}
		maps.Copy(vals, set)
		return basetypes.NewObjectValueMust(attrTypes, vals)
	}
	var diags diag.Diagnostics
	gb, pp, complete := storagePrices(context.Background(), obj(map[string]attr.Value{"io1": basetypes.NewFloat64Value(0.138), "io1_iops": basetypes.NewFloat64Value(0.11), "gp3_throughput": basetypes.NewFloat64Value(0.09)}), &diags)
	if diags.HasError() || !complete || fmt.Sprint(gb) != "map[io1:0.138]" || fmt.Sprint(pp) != "map[gp3_throughput:0.09 io1_iops:0.11]" {
		t.Errorf("prices: %v %v, complete %v, %v", gb, pp, complete, diags)
	}
	gb, pp, complete = storagePrices(context.Background(), obj(map[string]attr.Value{"gp3": basetypes.NewFloat64Value(0.1), "gp3_iops": basetypes.NewFloat64Unknown()}), &diags)
	if diags.HasError() || complete || len(pp) != 0 || len(gb) != 1 {
		t.Errorf("an unknown gp3_iops: %v %v, complete %v, %v", gb, pp, complete, diags)
	}
}

// TestAccInstancePrices_auroraIOOptimized: an account's Aurora I/O-Optimized rates are given as
// such (instance_prices' aurora_io_optimized) and price the I/O-Optimized cluster's instances,
// with no "× 1.3" in price_source; they had to be given as Aurora Standard rates divided by 1.3.
// One for a class Aurora does not offer is refused on the attribute.
func TestAccInstancePrices_auroraIOOptimized(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	for i := range sc.Clusters {
		if sc.Clusters[i].ID == "sso-prod" {
			sc.Clusters[i].StorageType = "aurora-iopt1"
		}
	}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	p := acctest.SandboxProvider(srv)
	with := func(prices string) string {
		q := p
		q.Extra = map[string]string{"instance_prices": prices}
		return q.HCL() + fmt.Sprintf(`
data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 14
  end_time              = %q
  include_report        = false
}
`, now.Format(time.RFC3339))
	}
	name := "data.rightsize_single_node_recommendation.sso"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      with(`[{ instance_class = "db.m6g.large", aurora_io_optimized = 0.2 }]`),
				ExpectError: regexp.MustCompile(`instance_prices\[0\]\s+\(db\.m6g\.large\):\s+Aurora\s+PostgreSQL\s+does\s+not\s+offer\s+db\.m6g\.large`),
			},
			{
				// Writer and reader on db.t4g.medium at $0.08 an hour: $116.80 a month, half saved.
				Config: with(`[{ instance_class = "db.t4g.medium", aurora_io_optimized = 0.08 }, { instance_class = "db.t4g.large", aurora_io_optimized = 0.16 }]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(name, tfjsonpath.New("current_monthly_cost"), knownvalue.Float64Exact(116.8)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("monthly_savings"), knownvalue.Float64Exact(58.4)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("price_source"), knownvalue.StringExact("provider-configuration")),
				},
			},
		},
	})
}
