package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccNullElements_refused: a null element in a list or map attribute (tables =
// [var.extra_table] with the variable null) is refused at plan, naming the element and what to
// set it to; it reached the provider's code, which failed with "Value Conversion Error ... always
// an error in the provider" (rightsize_db_topology after its plan warning).
func TestAccNullElements_refused(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{Config: topologyConfig(srv, nil, body), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  force                  = true
  validation             = { tables = ["users", null] }
}
`, `(?s)Null List Element.*validation\.tables\[1\]\s+is\s+null.*remove\s+it\s+from\s+the\s+list,\s+or\s+set\s+it\s+to\s+a\s+table\s+name`),
			step(`
data "rightsize_utilization" "u" {
  db_instance_identifier = "mandible-prod"
  metrics                = ["CPUUtilization", null]
}
`, `(?s)Null List Element.*metrics\[1\]\s+is\s+null.*CPUUtilization`),
			step(`
data "rightsize_single_node_recommendation" "r" {
  db_instance_identifier  = "mandible-prod"
  target_instance_classes = [null]
}
`, `(?s)Null List Element.*target_instance_classes\[0\]\s+is\s+null.*db\.r6g\.large`),
			step(`
data "rightsize_postgres_stats" "s" {
  tables = [null]
}
`, `(?s)Null List Element.*tables\[0\]\s+is\s+null.*a\s+table\s+name`),
			step(`
data "rightsize_fleet" "f" {
  tags = { env = null }
}
`, `(?s)Null Map Value.*tags\["env"\]\s+is\s+null.*remove\s+the\s+key\s+"env"`),
		},
	})
}
