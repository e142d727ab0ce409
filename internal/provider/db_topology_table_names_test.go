package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// The schema of validation.tables accepts what the validator reads (topology.ParseTableName)
// as rightsize_postgres_stats reads it: double-quoted names included, so "\"Mixed\"" in HCL;
// it refuses what a guard snapshot tag could not record.
func TestDBTopologyTablesSchema(t *testing.T) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewDBTopologyResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	tables := resp.Schema.Attributes["validation"].(schema.SingleNestedAttribute).Attributes["tables"].(schema.ListAttribute)
	validate := func(name string) error {
		req := validator.ListRequest{Path: path.Root("validation").AtName("tables"), ConfigValue: types.ListValueMust(types.StringType, []attr.Value{types.StringValue(name)})}
		var vresp validator.ListResponse
		for _, v := range tables.Validators {
			v.ValidateList(ctx, req, &vresp)
		}
		if vresp.Diagnostics.HasError() {
			return fmt.Errorf("%s", vresp.Diagnostics.Errors()[0].Detail())
		}
		return nil
	}
	for _, name := range []string{`"Mixed"`, `users`, `Users`, `app.Users`, `app."Users"`, `"App"."Order-Lines"`, `"2026"`, `orders$2026`, `"a$b"`, `_t.x`} {
		if err := validate(name); err != nil {
			t.Errorf("schema refuses %s: %v", name, err)
		}
		if _, _, err := topology.ParseTableName(name); err != nil {
			t.Errorf("the schema accepts %s, which the validator refuses: %v", name, err)
		}
	}
	for _, name := range []string{`"a.b"`, `"a""b"`, `"with space"`, `"a=b"`, `""`, `"Mixed`, `Mixed"`, `a.b.c`, `1abc`, `a-b`, ` users`, `"x"y`, `app.`} {
		if err := validate(name); err == nil || !strings.Contains(err.Error(), "double-quoted name of letters, digits, _, $ and -") {
			t.Errorf("schema accepts %s (%v)", name, err)
		}
	}
	// A name whose baseline a guard snapshot tag key cannot hold is refused at plan time, not
	// when the apply records the baseline (found by topology's FuzzParseTableName).
	long := `"` + strings.Repeat("s", 63) + `"."` + strings.Repeat("t", 63) + `"`
	if err := validate(long); err == nil || !strings.Contains(err.Error(), "more than the 111 a validation baseline can record") {
		t.Errorf("schema accepts %s (%v)", long, err)
	}
	if err := validate(strings.Repeat("s", 63) + "." + strings.Repeat("t", topology.MaxTableNameLen-64)); err != nil {
		t.Errorf("schema refuses a name of %d characters: %v", topology.MaxTableNameLen, err)
	}
	if err := validate(strings.Repeat("t", topology.MaxTableNameLen-len("public."))); err != nil {
		t.Errorf("schema refuses a table in public of %d characters with its schema: %v", topology.MaxTableNameLen, err)
	}
	if err := validate(strings.Repeat("t", topology.MaxTableNameLen-len("public.")+1)); err == nil {
		t.Errorf("schema accepts a table in public of %d characters with its schema", topology.MaxTableNameLen+1)
	}
	if d := tables.MarkdownDescription; !strings.Contains(d, "unquoted names fold to lower case and double quotes keep case") {
		t.Errorf("description: %s", d)
	}
}

// Through terraform and the sandbox: validation.tables = ["<schema>.Users", "<schema>.\"Mixed\""]
// plans and applies, Users finding users (recorded under the key users always had) and "Mixed"
// the table created as "Mixed"; before the fix the apply failed with "validation table
// <schema>.Users does not exist".
func TestAccDBTopology_mixedCaseTables(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	schemaName := seedTopologyTables(t)
	conn, err := pgx.Connect(context.Background(), acctest.PGDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	mixed := pgx.Identifier{schemaName, "Mixed"}.Sanitize()
	for _, q := range []string{"CREATE TABLE " + mixed + " (id int PRIMARY KEY)", "INSERT INTO " + mixed + " SELECT generate_series(1, 7)"} {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(context.Background())
	cfg := topologyConfig(srv, acctest.HarnessPostgres(t), fmt.Sprintf(`
resource "rightsize_db_topology" "mandible" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  require_verdict        = "consolidate"
  validation = {
    tables        = ["%[1]s.Users", "%[1]s.\"Mixed\""]
    check_indexes = true
  }
}
`, schemaName))
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: cfg,
			Check: tfresource.ComposeAggregateTestCheckFunc(
				checkGuardedLog(srv, "mandible-prod", 1),
				func(*terraform.State) error {
					out, err := api.DescribeDBSnapshots(context.Background(), &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("rightsize-guard-mandible-prod-g1-to1")})
					if err != nil {
						return fmt.Errorf("describing the guard snapshot: %w", err)
					}
					if len(out.DBSnapshots) != 1 {
						return fmt.Errorf("%d guard snapshots, want 1", len(out.DBSnapshots))
					}
					tags := map[string]string{}
					for _, tg := range out.DBSnapshots[0].TagList {
						tags[*tg.Key] = *tg.Value
					}
					for key, want := range map[string]string{
						topology.TagPrefix + "v:rows:" + schemaName + ".users": "100",
						topology.TagPrefix + "v:rows:" + schemaName + ".Mixed": "7",
					} {
						if tags[key] != want {
							return fmt.Errorf("guard tag %s = %q, want %q (tags %v)", key, tags[key], want, tags)
						}
					}
					return nil
				},
			),
		}},
	})
}
