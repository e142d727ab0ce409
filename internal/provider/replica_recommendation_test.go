package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccSingleNodeRecommendation_multiAZReplica: mandible-prod, Multi-AZ, has a Multi-AZ read
// replica. The replica's redundancy risk and reliability evidence say no data is lost (its source
// has it) and that, promoted, it is a Single-AZ primary; they said a restore from snapshot loses
// up to 5 minutes of data, as for a primary. The source's name the replica it could promote.
func TestAccSingleNodeRecommendation_multiAZReplica(t *testing.T) {
	now := sandboxNow()
	sc := sandbox.Demo()
	replica := sandbox.MultiAZInstance("mandible-replica", "db.t4g.large", sandbox.DemoMandibleWorkload)
	replica.ReadReplicaOf = "mandible-prod"
	sc.Instances = append(sc.Instances, replica)
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc, Now: now})
	ds := "data.rightsize_single_node_recommendation."
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: recommendationConfig(srv, fmt.Sprintf(`
data "rightsize_single_node_recommendation" "replica" {
  db_instance_identifier = "mandible-replica"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
}

data "rightsize_single_node_recommendation" "source" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 7
  period_seconds         = 3600
  end_time               = %[1]q
}
`, now.Format(time.RFC3339))),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestMatchTypeSetElemNestedAttrs(ds+"replica", "risks.*", map[string]*regexp.Regexp{
					"category":    regexp.MustCompile(`^redundancy$`),
					"description": regexp.MustCompile(`^No hot standby: mandible-replica is a read replica of mandible-prod.*no data is lost.*promoted it becomes a Single-AZ primary`),
				}),
				resource.TestMatchTypeSetElemNestedAttrs(ds+"replica", "decision_matrix.*", map[string]*regexp.Regexp{
					"criterion": regexp.MustCompile(`^reliability$`),
					"evidence":  regexp.MustCompile(`^read replica of mandible-prod: .*\(no data lost\)`),
				}),
				resource.TestMatchTypeSetElemNestedAttrs(ds+"source", "risks.*", map[string]*regexp.Regexp{
					"category":    regexp.MustCompile(`^redundancy$`),
					"description": regexp.MustCompile(`^No hot standby: .*or promoting read replica mandible-replica by hand`),
				}),
			),
		}},
	})
}
