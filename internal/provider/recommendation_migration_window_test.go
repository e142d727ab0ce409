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
