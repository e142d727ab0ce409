package provider

import (
	"fmt"
	"regexp"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// Two rightsize_db_topology resources on one DB instance in one configuration (a module
// instantiated twice, say), applied in parallel by terraform with the same guard prefix: each
// records its validation baseline, then both ask RDS for the same guard snapshot identifier. The
// one RDS answers "already exists" does not take the other's guard for its own: its apply fails as
// a concurrent run, having changed nothing, and the database is changed once, by the other.
func TestAccDBTopology_twoResourcesOneDatabase(t *testing.T) {
	var mu sync.Mutex
	arrived := 0
	both := make(chan struct{})
	srv, _ := topologySandbox(t, sandbox.Demo(), func(o *topology.Orchestrator) {
		o.OnStep = func(s topology.Step) error {
			if s == topology.StepBaseline { // both have looked for guard snapshots and found none
				mu.Lock()
				if arrived++; arrived == 2 {
					close(both)
				}
				mu.Unlock()
				<-both
			}
			return nil
		}
	})
	schema := seedTopologyTables(t)
	res := func(name string) string {
		return fmt.Sprintf(`
resource "rightsize_db_topology" %q {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  validation             = { tables = ["%s.users"] }
}
`, name, schema)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      topologyConfig(srv, acctest.HarnessPostgres(t), res("a")+res("b")),
			ExpectError: regexp.MustCompile(`(?s)rightsize-guard-mandible-prod-g1-to1\s+already\s+exists,\s+taken\s+by\s+another\s+run.*nothing\s+was\s+changed\s+by\s+this\s+apply`),
		}},
	})
	if calls := srv.Calls("ModifyDBInstance"); len(calls) != 1 {
		t.Errorf("%d ModifyDBInstance calls, want the one of the apply that took the guard snapshot", len(calls))
	}
	if n, err := srv.CheckGuarded("mandible-prod"); err != nil || n != 1 {
		t.Errorf("guarded calls: %d, %v; want 1", n, err)
	}
}
