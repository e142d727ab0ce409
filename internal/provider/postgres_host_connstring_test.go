package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// hostSecret is the password inside the connection strings given as a host below.
const hostSecret = "S3cretInHost-8f2a"

// TestResolvePostgres_hostConnectionString: a PGHOST (or postgres.host) that is a connection
// string, such as a DATABASE_URL, is an error on postgres.host that does not repeat it: it may
// hold a password.
func TestResolvePostgres_hostConnectionString(t *testing.T) {
	uri := "postgresql://rightsize:" + hostSecret + "@db.example.internal:5432/chat"
	for name, env := range map[string]map[string]string{
		"PGHOST uri":      {"PGHOST": uri},
		"PGHOST userinfo": {"PGHOST": "rightsize:" + hostSecret + "@db.example.internal"},
		"PGHOST keywords": {"PGHOST": "host=db.example.internal password=" + hostSecret},
	} {
		t.Run(name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			_, errs := resolvePostgres(nil, lookup)
			if len(errs) != 1 || errs[0].path.String() != "postgres.host" {
				t.Fatalf("want one error on postgres.host, got %+v", errs)
			}
			if e := errs[0]; strings.Contains(e.summary+e.detail, hostSecret) || !strings.Contains(e.detail, "PGHOST is a connection string") {
				t.Fatalf("error repeats the connection string or does not say what is wrong: %s: %s", e.summary, e.detail)
			}
		})
	}
}

// TestAccPostgres_hostConnectionString: a connection string given as the provider's postgres.host
// or a data source's postgres.host (a DATABASE_URL pasted in, with its password) is refused on the
// attribute, saying what to set instead, and no diagnostic repeats it. Before, the provider's
// "PostgreSQL Server Identity Not Verified" warning quoted it at every plan, the data source's
// connection error quoted it twice ("connecting to PostgreSQL at postgresql://rightsize:<password>@...
// lookup postgresql://rightsize:<password>@...: no such host"), and its DEBUG log line (postgres_host)
// logged it.
func TestAccPostgres_hostConnectionString(t *testing.T) {
	uri := "postgresql://rightsize:" + hostSecret + "@db.example.internal:5432/chat"
	noSecret := func(err error) error {
		if err != nil && strings.Contains(err.Error(), hostSecret) {
			return fmt.Errorf("the diagnostics repeat the connection string's password: %w", err)
		}
		return err
	}
	step := func(config, want string) resource.TestStep {
		return resource.TestStep{Config: config, PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		ErrorCheck:               noSecret,
		Steps: []resource.TestStep{
			step(fmt.Sprintf(`provider "rightsize" {
  region = "us-east-1"
  postgres {
    host     = %q
    username = "rightsize"
    sslmode  = "disable"
  }
}
data "rightsize_postgres_stats" "s" {}
`, uri), `(?s)postgres\.host.*connection\s+string.*Set\s+host\s+to\s+the\s+server's\s+host\s+name`),
			step(fmt.Sprintf(`provider "rightsize" {
  region = "us-east-1"
}
data "rightsize_postgres_stats" "s" {
  postgres = { host = %q, username = "rightsize", sslmode = "disable" }
}
`, "rightsize:"+hostSecret+"@db.example.internal"), `(?s)postgres\.host.*connection\s+string`),
		},
	})
}
