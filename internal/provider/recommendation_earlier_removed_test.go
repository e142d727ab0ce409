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

// TestAccSingleNodeRecommendation_earlierPeakRemovedReader: rightsize_db_topology takes an Aurora
// pair (db.r6g.large) to one node; 15 days later the recommendation (allow_single_node, a 14-day
// window entirely after the removal, peak_lookback_days = 60) looks at the days before the window,
// when the cluster still had its reader, which carried a surge 38 to 40 days before the removal (its
// load four times as heavy for a weekday). The earlier read reads the cluster with the reader the guard
// snapshot records, by role as before the removal, so earlier_peak is the surge's hour, the
// writer's hourly mean plus the reader's (the sandbox's own values), and a high high-traffic risk:
// it read the writer alone, and its busiest hour was the writer's after the removal, no risk. One
// GetMetricData request more than without peak_lookback_days.
func TestAccSingleNodeRecommendation_earlierPeakRemovedReader(t *testing.T) {
	start := sandboxNow().Add(-16 * 24 * time.Hour) // the sandbox's clock: the removal; 15 days on, still before now
	surgeFrom := start.Add(-40 * 24 * time.Hour).Truncate(24 * time.Hour)
	// A weekday whatever the day the test runs: both workloads run at 0.7 on weekends, where the
	// surge's hour projects to 28.9% CPU, with the 20% headroom under the 40% alert threshold (a
	// medium risk); on a weekday 34%, above it. 40 days before the removal was 56 before the run,
	// the same weekday: the test failed on Saturdays and Sundays (UTC).
	for surgeFrom.Weekday() == time.Saturday || surgeFrom.Weekday() == time.Sunday {
		surgeFrom = surgeFrom.Add(24 * time.Hour)
	}
	reader := sandbox.DemoSSOReaderWorkload
	reader.NoiseStdDev, reader.SpikesPerWeek = 0, 0
	reader.Surges = []sandbox.Surge{{From: surgeFrom, To: surgeFrom.Add(24 * time.Hour), Factor: 4}}
	writer := sandbox.DemoSSOWriterWorkload
	writer.NoiseStdDev, writer.SpikesPerWeek = 0, 0
	sc := &sandbox.Scenario{Name: "earlier-removed", Seed: 3, History: 90 * 24 * time.Hour,
		Clusters: []sandbox.ClusterSpec{sandbox.AuroraPair("peak-prod", "db.r6g.large", writer, reader)}}
	srv, _ := topologySandboxWith(t, sandbox.Options{Scenario: sc, Now: start}, nil)
	end := start.Add(15 * 24 * time.Hour)
	config := func(extra string) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "peak" {
  db_cluster_identifier = "peak-prod"
  nodes                 = 1
}
%s`, extra))
	}
	recommendation := func(peak string) string {
		return config(fmt.Sprintf(`
data "rightsize_single_node_recommendation" "peak" {
  db_cluster_identifier   = "peak-prod"
  allow_single_node       = true
  end_time                = %q
  target_instance_classes = ["db.r6g.large"]
  %s
}
`, end.Format(time.RFC3339), peak))
	}
	const ds = "data.rightsize_single_node_recommendation.peak"
	var withPeak string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config(""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("rightsize_db_topology.peak", tfjsonpath.New("current_nodes"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue("rightsize_db_topology.peak", tfjsonpath.New("previous_topology").AtMapKey("reader").AtMapKey("identifier"),
					knownvalue.StringExact("peak-prod-instance-2")),
			},
		}, {
			PreConfig: func() { srv.Advance(15 * 24 * time.Hour) },
			Config:    recommendation("peak_lookback_days = 60"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("already_single_node"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("earlier_peak").AtMapKey("start"),
					knownvalue.StringExact(end.Add(-60*24*time.Hour).Format(time.RFC3339))),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("earlier_peak").AtMapKey("end"),
					knownvalue.StringExact(end.Add(-14*24*time.Hour).Format(time.RFC3339))),
			},
			Check: func(s *terraform.State) error {
				a := s.RootModule().Resources[ds].Primary.Attributes
				withPeak = a["requests_made"]
				busiest, err := time.Parse(time.RFC3339, a["earlier_peak.busiest_hour"])
				if err != nil {
					return err
				}
				if busiest.Before(surgeFrom) || !busiest.Before(surgeFrom.Add(24*time.Hour)) {
					return fmt.Errorf("earlier_peak.busiest_hour %s is not in the reader's surge from %s", busiest, surgeFrom)
				}
				var w, r float64
				for m := range 60 {
					at := busiest.Add(time.Duration(m) * time.Minute)
					wv, ok1 := srv.MetricValue("peak-prod-instance-1", sandbox.MetricCPUUtilization, at)
					rv, ok2 := srv.MetricValue("peak-prod-instance-2", sandbox.MetricCPUUtilization, at)
					if !ok1 || !ok2 {
						return fmt.Errorf("no CPU at %s", at)
					}
					w, r = w+wv/60, r+rv/60
				}
				peak, _ := strconv.ParseFloat(a["earlier_peak.projected_cpu"], 64)
				if math.Abs(peak-(w+r)) > 0.01 || r < 15 {
					return fmt.Errorf("earlier_peak.projected_cpu %v, want the writer's %.3f + the reader's %.3f", peak, w, r)
				}
				for i := 0; ; i++ {
					desc, ok := a[fmt.Sprintf("risks.%d.description", i)]
					if !ok {
						return fmt.Errorf("no risk of the earlier peak")
					}
					if regexp.MustCompile(`^Busier before the lookback: the single node on db\.r6g\.large would have carried [0-9.]+% CPU`).MatchString(desc) {
						if a[fmt.Sprintf("risks.%d.severity", i)] != "high" || a[fmt.Sprintf("risks.%d.category", i)] != "high-traffic" {
							return fmt.Errorf("earlier peak risk %s/%s, want high-traffic/high", a[fmt.Sprintf("risks.%d.category", i)], a[fmt.Sprintf("risks.%d.severity", i)])
						}
						return nil
					}
				}
			},
		}, {
			Config: recommendation(""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("earlier_peak"), knownvalue.Null()),
			},
			Check: func(s *terraform.State) error {
				without := s.RootModule().Resources[ds].Primary.Attributes["requests_made"]
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
