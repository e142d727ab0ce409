package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccSingleNodeRecommendation_unknownMigrationWindow: a 7-day window that ends 4 days ago,
// before the sandbox's 3 days of history start, has no projected CPU in any hour of the week, so
// migration_window is not known. Its weekday, start hour and loads are then null, not an empty
// weekday, hour 0 (midnight) and a load of 0% that a configuration scheduling the change (or an
// output interpolating them, as examples/demo's summary does) would take for a real, idle window;
// length_hours stays what was asked, and reason says why there is none. A window that is known
// has all of them (the demo test).
func TestAccSingleNodeRecommendation_unknownMigrationWindow(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.ShortHistory(), Now: now})
	mw := func(attr string) tfjsonpath.Path { return tfjsonpath.New("migration_window").AtMapKey(attr) }
	ds := "data.rightsize_single_node_recommendation.short"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "short" {
  db_cluster_identifier = "sso-prod"
  lookback_days         = 7
  end_time              = %q
}
`, now.Add(-4*24*time.Hour).Format(time.RFC3339))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, mw("known"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(ds, mw("weekday"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds, mw("start_hour_utc"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds, mw("expected_load"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds, mw("peak_load"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds, mw("length_hours"), knownvalue.Int64Exact(2)),
			},
			Check: resource.TestMatchResourceAttr(ds, "migration_window.reason", regexp.MustCompile(`no 2-hour window has data in every hour of the week`)),
		}},
	})
}

// TestAccSingleNodeRecommendation_longPeriodWindows: period_seconds above an hour (7200 here, which
// CloudWatch serves for any window) gives a datapoint every other hour, each standing for its two
// hours, as growth and cpu_credits count it. The hour-of-week profile the migration, backup and
// maintenance windows are chosen from counts it so too: with 14 days of complete data the
// migration window is known and the backup and maintenance windows have their load and a
// suggestion, as at the default period. Counted only in the hour it starts, every odd hour of the
// week had no data, and the windows were "not known" or null.
func TestAccSingleNodeRecommendation_longPeriodWindows(t *testing.T) {
	now := sandboxNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	ds := "data.rightsize_single_node_recommendation.mandible"
	at := func(obj, attr string) tfjsonpath.Path { return tfjsonpath.New(obj).AtMapKey(attr) }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 14
  period_seconds         = 7200
  end_time               = %q
}
`, now.Truncate(24*time.Hour).Format(time.RFC3339))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("period_seconds_used"), knownvalue.Int64Exact(7200)),
				statecheck.ExpectKnownValue(ds, at("migration_window", "known"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds, at("backup_window", "peak_cpu"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(ds, at("backup_window", "suggested"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(ds, at("maintenance_window", "peak_cpu"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(ds, at("maintenance_window", "suggested"), knownvalue.NotNull()),
			},
		}},
	})
}
