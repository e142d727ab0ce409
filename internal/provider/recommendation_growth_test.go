package provider

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// growingWorkload is a Multi-AZ writer whose load grows by a quarter every 30 days: its busy
// hours at about 22% CPU four weeks ago, 27% now.
var growingWorkload = sandbox.Workload{
	CPUBase: 6, CPUAmplitude: 16, PeakHourUTC: 14, Sharpness: 1.5, WeekendFactor: 0.5, NoiseStdDev: 1,
	Connections: 30, ConnectionsAmplitude: 20, ReadIOPS: 100, ReadIOPSAmplitude: 300, WriteIOPS: 50, WriteIOPSAmplitude: 100,
	MemoryUsedGiB: 3, StorageUsedGiB: 40, GrowthPerMonth: 0.25,
}

// The trend of the projected load reaches the recommendation's `growth` and, for a load that
// would reach its limit within a year, its risks; a flat load is measured and not reported.
func TestAccSingleNodeRecommendation_growth(t *testing.T) {
	// The window ends at noon UTC whatever the hour the test runs: its first and last days are
	// half days, which give no daily value (a day the start or end of the data cuts), and 27
	// whole days remain. When the window ended at the hour the test ran, the day count depended
	// on that hour.
	now := time.Now().UTC().Truncate(24 * time.Hour).Add(-12 * time.Hour)
	flat := growingWorkload
	flat.GrowthPerMonth = 0
	sc := &sandbox.Scenario{Name: "growth", Seed: 11, Instances: []sandbox.InstanceSpec{
		sandbox.MultiAZInstance("growing-db", "db.m6g.large", growingWorkload),
		sandbox.MultiAZInstance("flat-db", "db.m6g.large", flat),
	}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	end := now.Format(time.RFC3339)
	ds := "data.rightsize_single_node_recommendation."
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "growing" {
  db_instance_identifier  = "growing-db"
  end_time                = %[1]q
  lookback_days           = 28
  target_instance_classes = ["db.m6g.large"]
}
data "rightsize_single_node_recommendation" "flat" {
  db_instance_identifier  = "flat-db"
  end_time                = %[1]q
  lookback_days           = 28
  target_instance_classes = ["db.m6g.large"]
}
`, end)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds+"growing", tfjsonpath.New("growth").AtSliceIndex(0).AtMapKey("metric"), knownvalue.StringExact("cpu")),
				statecheck.ExpectKnownValue(ds+"growing", tfjsonpath.New("growth").AtSliceIndex(0).AtMapKey("growing"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds+"growing", tfjsonpath.New("growth").AtSliceIndex(0).AtMapKey("days"), knownvalue.Int64Exact(27)),
				statecheck.ExpectKnownValue(ds+"growing", tfjsonpath.New("growth").AtSliceIndex(1).AtMapKey("metric"), knownvalue.StringExact("iops")),
				statecheck.ExpectKnownValue(ds+"growing", tfjsonpath.New("growth").AtSliceIndex(1).AtMapKey("growing"), knownvalue.Bool(true)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkGrowth(ds+"growing", 16*0.25*0.5, 22*0.25*1.5),
				resource.TestMatchResourceAttr(ds+"growing", "report_markdown", regexp.MustCompile(`\| cpu \| percent \| [0-9.]+ \| [0-9.]+ \| 27 \| \d+ \| about \d+ days \|`)),
				resource.TestCheckResourceAttr(ds+"flat", "growth.#", "2"),
				checkFlatGrowth(ds+"flat", ds+"growing"),
				checkNoGrowthRisk(ds+"flat"),
			),
		}},
	})
}

// checkGrowth asserts name's cpu growth rises by [lo, hi] points a month, its days_to_limit is
// what level, per_month and the default policy (20% headroom, 40% limit) make it, and a
// capacity risk says so.
func checkGrowth(name string, lo, hi float64) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		a := rs.Primary.Attributes
		f := func(k string) float64 {
			v, _ := strconv.ParseFloat(a["growth.0."+k], 64)
			return v
		}
		per, level, days := f("per_month"), f("level"), f("days_to_limit")
		if per < lo || per > hi {
			return fmt.Errorf("%s growth.0.per_month = %v, want %v–%v", name, per, lo, hi)
		}
		want := (40/1.2 - level) / (per / 30)
		if d := days - want; d < -0.5 || d > 0.5 || days <= 0 {
			return fmt.Errorf("%s growth.0.days_to_limit = %v, want about %v (level %v, per_month %v)", name, days, want, level, per)
		}
		for i := 0; ; i++ {
			desc, ok := a[fmt.Sprintf("risks.%d.description", i)]
			if !ok {
				return fmt.Errorf("%s has no growth risk", name)
			}
			if regexp.MustCompile(`^Growing load: the projected CPU on db\.m6g\.large, at the busiest hour of each day, rose by [0-9.]+ points .* with or without its standby`).MatchString(desc) {
				if a[fmt.Sprintf("risks.%d.category", i)] != "capacity" {
					return fmt.Errorf("growth risk category %q", a[fmt.Sprintf("risks.%d.category", i)])
				}
				return nil
			}
		}
	}
}

// checkFlatGrowth asserts that the flat load's trend, cpu and iops, is a fifth of the growing load's
// or less either way, and reaches no limit within a year. Whether `growing` is set on it is the
// chance of the test statistic on the workload's noise (Z ≥ 1.96), not asserted: with the window's
// end moved back a day at a time over 28 days (a scratch clock shift), 2 ends of 28 set it, once for
// cpu (0.21 points a month, Z 2.41, the limit in 1,538 days) and once for iops (6.0 a second a
// month, Z 2.14), where the growing load rises by 2 to 8 points a month; the test failed on those days.
func checkFlatGrowth(flat, growing string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		f, g := s.RootModule().Resources[flat].Primary.Attributes, s.RootModule().Resources[growing].Primary.Attributes
		for i, metric := range []string{"cpu", "iops"} {
			k := func(a map[string]string, key string) string { return a[fmt.Sprintf("growth.%d.%s", i, key)] }
			if k(f, "metric") != metric || k(g, "metric") != metric {
				return fmt.Errorf("growth.%d is %q and %q, want %s", i, k(f, "metric"), k(g, "metric"), metric)
			}
			fp, err1 := strconv.ParseFloat(k(f, "per_month"), 64)
			gp, err2 := strconv.ParseFloat(k(g, "per_month"), 64)
			if err1 != nil || err2 != nil || !(math.Abs(fp) <= gp/5) {
				return fmt.Errorf("%s %s per_month %q against the growing load's %q: want a fifth of it or less", flat, metric, k(f, "per_month"), k(g, "per_month"))
			}
			if d := k(f, "days_to_limit"); d != "" {
				if v, err := strconv.ParseFloat(d, 64); err != nil || v <= 365 {
					return fmt.Errorf("%s %s days_to_limit %s: want none, or over a year", flat, metric, d)
				}
			}
		}
		return nil
	}
}

// checkNoGrowthRisk asserts name has no growth risk.
func checkNoGrowthRisk(name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a := s.RootModule().Resources[name].Primary.Attributes
		for i := 0; ; i++ {
			desc, ok := a[fmt.Sprintf("risks.%d.description", i)]
			if !ok {
				return nil
			}
			if regexp.MustCompile(`^Growing load`).MatchString(desc) {
				return fmt.Errorf("%s has a growth risk: %s", name, desc)
			}
		}
	}
}

// peak_lookback_days reads the hourly CPU of the days before the window: a two-day surge 60–66
// days ago, three times the load, is the single node's busiest earlier hour and a high-traffic
// risk; without the attribute nothing is read (earlier_peak null, one request fewer); a peak
// lookback no longer than the lookback is refused on its attribute.
func TestAccSingleNodeRecommendation_earlierPeak(t *testing.T) {
	now := sandboxNow()
	w := growingWorkload
	w.GrowthPerMonth = 0
	// The surge is a Tuesday and a Wednesday (UTC) whatever the day the test runs: the workload's
	// weekends run at half the load, and a surge on one (it was 60 to 58 days before the hour the
	// test ran) peaked at 1.9 times the lookback's busiest hour, not about 3.
	from := now.Add(-60 * 24 * time.Hour).Truncate(24 * time.Hour)
	for from.Weekday() != time.Tuesday {
		from = from.Add(-24 * time.Hour)
	}
	to := from.Add(48 * time.Hour)
	w.Surges = []sandbox.Surge{{From: from, To: to, Factor: 3}}
	sc := &sandbox.Scenario{Name: "surge", Seed: 12, History: 120 * 24 * time.Hour,
		Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("surge-db", "db.m6g.large", w)}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	end := now.Format(time.RFC3339)
	ds := "data.rightsize_single_node_recommendation."
	config := func(extra string) string {
		return recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "surge" {
  db_instance_identifier  = "surge-db"
  end_time                = %q
  target_instance_classes = ["db.m6g.large"]
  %s
}
`, end, extra))
	}
	var withPeak, without string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// First: the configuration of the last step is that of the post-test destroy, which
			// validates it.
			Config:      config("peak_lookback_days = 14"),
			ExpectError: regexp.MustCompile(`(?s)peak_lookback_days.*peak_lookback_days = 14 reaches no further back than\s+lookback_days \(14\)`),
		}, {
			Config: config("peak_lookback_days = 90"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds+"surge", tfjsonpath.New("earlier_peak").AtMapKey("start"),
					knownvalue.StringExact(now.Add(-90*24*time.Hour).Format(time.RFC3339))),
				statecheck.ExpectKnownValue(ds+"surge", tfjsonpath.New("earlier_peak").AtMapKey("end"),
					knownvalue.StringExact(now.Add(-14*24*time.Hour).Format(time.RFC3339))),
				statecheck.ExpectKnownValue(ds+"surge", tfjsonpath.New("earlier_peak").AtMapKey("hours"), knownvalue.Int64Exact(76*24)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				func(s *terraform.State) error {
					a := s.RootModule().Resources[ds+"surge"].Primary.Attributes
					withPeak = a["requests_made"]
					busiest, err := time.Parse(time.RFC3339, a["earlier_peak.busiest_hour"])
					if err != nil {
						return err
					}
					if busiest.Before(from) || !busiest.Before(to) {
						return fmt.Errorf("earlier_peak.busiest_hour %s is not in the surge", busiest)
					}
					peak, _ := strconv.ParseFloat(a["earlier_peak.projected_cpu"], 64)
					look, _ := strconv.ParseFloat(a["earlier_peak.lookback_projected_cpu"], 64)
					if look < 15 || peak < 2.5*look {
						return fmt.Errorf("earlier_peak.projected_cpu %v, lookback's %v: want about three times it", peak, look)
					}
					for i := 0; ; i++ {
						desc, ok := a[fmt.Sprintf("risks.%d.description", i)]
						if !ok {
							return fmt.Errorf("no risk of the earlier peak")
						}
						if regexp.MustCompile(`^Busier before the lookback: the single node on db\.m6g\.large would have carried [0-9.]+% CPU in the busiest hour of the 76 days before it`).MatchString(desc) {
							if a[fmt.Sprintf("risks.%d.severity", i)] != "high" || a[fmt.Sprintf("risks.%d.category", i)] != "high-traffic" {
								return fmt.Errorf("earlier peak risk %s/%s, want high-traffic/high", a[fmt.Sprintf("risks.%d.category", i)], a[fmt.Sprintf("risks.%d.severity", i)])
							}
							return nil
						}
					}
				},
				resource.TestMatchResourceAttr(ds+"surge", "report_markdown", regexp.MustCompile(`Before the lookback \(\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d UTC, 1824 hours with data\)`)),
			),
		}, {
			Config: config(""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds+"surge", tfjsonpath.New("earlier_peak"), knownvalue.Null()),
			},
			Check: func(s *terraform.State) error {
				without = s.RootModule().Resources[ds+"surge"].Primary.Attributes["requests_made"]
				w, _ := strconv.Atoi(withPeak)
				o, _ := strconv.Atoi(without)
				if w != o+1 {
					return fmt.Errorf("requests_made %s with peak_lookback_days, %s without: want one more", withPeak, without)
				}
				return nil
			},
		}},
	})
}

// TestAccSingleNodeRecommendation_peakLookbackValidate: a peak_lookback_days no longer than
// lookback_days is refused when the configuration is validated, not only when the data source is
// read: with the identifier known only after apply (the read deferred), the plan was accepted and
// the mistake surfaced at apply. Both known: refused at plan; lookback_days unknown: not judged.
func TestAccSingleNodeRecommendation_peakLookbackValidate(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: sandboxNow()})
	config := func(attrs string) string {
		return recommendationConfig(srv, fmt.Sprintf(`
resource "terraform_data" "later" {
  input = { id = "sso-prod", days = 30 }
}
data "rightsize_single_node_recommendation" "sso" {
  db_instance_identifier = terraform_data.later.output.id
  %s
}
`, attrs))
	}
	refused := regexp.MustCompile(`(?s)Peak Lookback Not Longer Than the Lookback.*peak_lookback_days = (10|30) reaches no\s+further back than lookback_days \((14|30)\)`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("peak_lookback_days = 10"), PlanOnly: true, ExpectError: refused},
			{Config: config("lookback_days = 30\n  peak_lookback_days = 30"), PlanOnly: true, ExpectError: refused},
			// The policy and the savings target likewise (validateRecommendationInputs).
			{Config: config("policy = {\n weight_performance = 0\n weight_cost = 0\n weight_reliability = 0\n weight_operations = 0\n }"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Policy.*weight_operations\s+all\s+to\s+0`)},
			{Config: config("savings_target = { max_monthly_usd = 10 }"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Savings Target.*max_monthly_usd \(10\) is below\s+min_monthly_usd \(50\)`)},
			{Config: config("lookback_days = terraform_data.later.output.days\n  peak_lookback_days = 20"), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}

// A growing load with a shallow daily cycle on a burstable class (the reference Multi-AZ
// db.t4g.large, a 30% CPU credit baseline): `growth` has a last entry, cpu_credits, the daily
// mean against that baseline, which it reaches in about 55 days where the p99 reaches the alert
// threshold in 130, and a medium burst risk says when. Before it, the growth was the p99's alone.
func TestAccSingleNodeRecommendation_growthCredits(t *testing.T) {
	now := time.Now().UTC().Truncate(24 * time.Hour).Add(-12 * time.Hour)
	w := growingWorkload
	w.CPUBase, w.CPUAmplitude, w.GrowthPerMonth = 18, 4, 0.1
	sc := &sandbox.Scenario{Name: "growth-credits", Seed: 11, Instances: []sandbox.InstanceSpec{
		sandbox.MultiAZInstance("burst-db", "db.t4g.large", w),
	}}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	ds := "data.rightsize_single_node_recommendation.burst"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "burst" {
  db_instance_identifier  = "burst-db"
  end_time                = %q
  lookback_days           = 28
  target_instance_classes = ["db.t4g.large"]
}
`, now.Format(time.RFC3339))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("recommended_instance_class"), knownvalue.StringExact("db.t4g.large")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("growth").AtSliceIndex(0).AtMapKey("metric"), knownvalue.StringExact("cpu")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("growth").AtSliceIndex(2).AtMapKey("metric"), knownvalue.StringExact("cpu_credits")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("growth").AtSliceIndex(2).AtMapKey("unit"), knownvalue.StringExact("percent")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("growth").AtSliceIndex(2).AtMapKey("growing"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("growth").AtSliceIndex(2).AtMapKey("days"), knownvalue.Int64Exact(27)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(ds, "growth.#", "3"),
				func(s *terraform.State) error {
					a := s.RootModule().Resources[ds].Primary.Attributes
					f := func(k string) float64 {
						v, _ := strconv.ParseFloat(a[k], 64)
						return v
					}
					per, level, days, cpuDays := f("growth.2.per_month"), f("growth.2.level"), f("growth.2.days_to_limit"), f("growth.0.days_to_limit")
					t.Logf("cpu_credits: %v a month, level %v, %v days; cpu: %v days", per, level, days, cpuDays)
					if want := (30/1.2 - level) / (per / 30); days <= 0 || days-want < -0.5 || days-want > 0.5 {
						return fmt.Errorf("growth.2.days_to_limit = %v, want about %v (level %v, per_month %v)", days, want, level, per)
					}
					if days <= 30 || days > 90 || a["growth.0.days_to_limit"] == "" || cpuDays < 2*days {
						return fmt.Errorf("growth.2.days_to_limit = %v, growth.0's %v: want the baseline in 31 to 90 days, before half the p99's days", days, cpuDays)
					}
					for i := 0; ; i++ {
						desc, ok := a[fmt.Sprintf("risks.%d.description", i)]
						if !ok {
							return fmt.Errorf("no credit growth risk")
						}
						if regexp.MustCompile(`^Growing load against the CPU credit baseline: the projected CPU on db\.t4g\.large, its mean over each day, rose by [0-9.]+ points .* reaches the 30% CPU credit baseline of db\.t4g\.large in about ` +
							strconv.Itoa(int(math.Ceil(days))) + ` days, .* pays for surplus CPU credits, and the cpu_credits check fails; the writer carries this load with or without its standby`).MatchString(desc) {
							if c, sev := a[fmt.Sprintf("risks.%d.category", i)], a[fmt.Sprintf("risks.%d.severity", i)]; c != "burst" || sev != "medium" {
								return fmt.Errorf("credit growth risk %s/%s, want burst/medium", c, sev)
							}
							return nil
						}
					}
				},
				resource.TestMatchResourceAttr(ds, "report_markdown", regexp.MustCompile(`\| cpu_credits \| percent \| [0-9.]+ \| [0-9.]+ \| 27 \| \d+ \| about \d+ days \|`)),
			),
		}},
	})
}
