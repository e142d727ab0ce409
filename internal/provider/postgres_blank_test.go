package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccPostgres_blankValuesRefused: a postgres host, database or username of only whitespace
// (or empty) is refused at validation, naming the attribute and what to do, in the provider's
// block and in a data source's postgres attribute. A host " " passed: a rightsize_db_topology
// validation planned and failed at apply ("host is empty", naming no attribute), and a data
// source failed its read the same way.
func TestAccPostgres_blankValuesRefused(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	const topo = `
resource "rightsize_db_topology" "m" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  force                  = true
  validation             = { tables = ["users"] }
}
`
	step := func(pg map[string]string, body, want string) resource.TestStep {
		return resource.TestStep{Config: topologyConfig(srv, pg, body), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(map[string]string{"host": `" "`}, topo,
				`(?s)Empty Provider Attribute.*postgres\.host\s+is\s+set\s+but\s+only\s+whitespace:\s+remove\s+it\s+to\s+use\s+PGHOST`),
			step(map[string]string{"host": `"127.0.0.1"`, "database": `""`}, topo,
				`(?s)Empty Provider Attribute.*postgres\.database\s+is\s+set\s+but\s+empty:\s+remove\s+it\s+to\s+use\s+PGDATABASE`),
			step(map[string]string{"host": `"127.0.0.1"`, "username": `"\t"`}, topo,
				`(?s)Empty Provider Attribute.*postgres\.username\s+is\s+set\s+but\s+only\s+whitespace:\s+remove\s+it\s+to\s+use\s+PGUSER`),
			step(nil, `
data "rightsize_postgres_stats" "s" {
  postgres = { host = " " }
}
`, `(?s)Empty PostgreSQL Attribute.*postgres\.host\s+is\s+set\s+but\s+only\s+whitespace:\s+remove\s+it\s+to\s+use\s+the\s+provider's`),
			step(nil, `
data "rightsize_single_node_recommendation" "r" {
  db_instance_identifier = "mandible-prod"
  postgres               = { host = "127.0.0.1", database = "" }
}
`, `(?s)Empty PostgreSQL Attribute.*postgres\.database\s+is\s+set\s+but\s+empty`),
		},
	})
}
