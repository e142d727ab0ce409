package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the
// terraform binary that terraform-plugin-testing drives.
// The test build adds one data source, rightsize_test_probe, which exposes the
// provider's resolved (non-secret) configuration so tests can assert it.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"rightsize": providerserver.NewProtocol6WithError(&probeProvider{rightsizeProvider{version: "test"}}),
}

type probeProvider struct{ rightsizeProvider }

func (p *probeProvider) DataSources(ctx context.Context) []func() datasource.DataSource {
	return append(p.rightsizeProvider.DataSources(ctx), func() datasource.DataSource { return &probeDataSource{} })
}

// probeDataSource reports what Configure resolved, without touching AWS or PostgreSQL.
type probeDataSource struct{ data *ProviderData }

type probeModel struct {
	Region           types.String `tfsdk:"region"`
	PostgresHost     types.String `tfsdk:"postgres_host"`
	PostgresPort     types.Int64  `tfsdk:"postgres_port"`
	PostgresDatabase types.String `tfsdk:"postgres_database"`
	PostgresUser     types.String `tfsdk:"postgres_username"`
	// PostgresSSLMode is the sslmode a connection with the provider's settings uses.
	PostgresSSLMode types.String `tfsdk:"postgres_sslmode"`
	HasPassword     types.Bool   `tfsdk:"postgres_has_password"`
	// SDKHTTP is true when every AWS service client sends through sdkhttp.
	SDKHTTP types.Bool `tfsdk:"aws_clients_use_sdkhttp"`
}

func (d *probeDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_test_probe"
}

func (d *probeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dsschema.Schema{Attributes: map[string]dsschema.Attribute{
		"region":                  dsschema.StringAttribute{Computed: true},
		"postgres_host":           dsschema.StringAttribute{Computed: true},
		"postgres_port":           dsschema.Int64Attribute{Computed: true},
		"postgres_database":       dsschema.StringAttribute{Computed: true},
		"postgres_username":       dsschema.StringAttribute{Computed: true},
		"postgres_sslmode":        dsschema.StringAttribute{Computed: true},
		"postgres_has_password":   dsschema.BoolAttribute{Computed: true},
		"aws_clients_use_sdkhttp": dsschema.BoolAttribute{Computed: true},
	}}
}

func (d *probeDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerData(req.ProviderData, &resp.Diagnostics)
}

func (d *probeDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	pg := d.data.Postgres
	resp.Diagnostics.Append(resp.State.Set(ctx, probeModel{
		Region:           types.StringValue(d.data.Region),
		PostgresHost:     types.StringValue(pg.Host),
		PostgresPort:     types.Int64Value(int64(pg.Port)),
		PostgresDatabase: types.StringValue(pg.Database),
		PostgresUser:     types.StringValue(pg.Username),
		PostgresSSLMode:  types.StringValue(pg.EffectiveSSLMode()),
		HasPassword:      types.BoolValue(pg.Password != ""),
		SDKHTTP:          types.BoolValue(d.usesSDKHTTP()),
	})...)
}

// TestMain makes a missing harness loud under `make test`: acceptance tests
// are skipped by terraform-plugin-testing when TF_ACC is unset, which must
// not happen silently there.
func TestMain(m *testing.M) {
	if os.Getenv(acctest.EnvRequireHarness) != "" && os.Getenv(acctest.EnvAcc) == "" {
		println("RIGHTSIZE_REQUIRE_HARNESS is set but TF_ACC is not: acceptance tests would be skipped")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// usesSDKHTTP reports whether every AWS service client of the provider sends through sdkhttp.
func (d *probeDataSource) usesSDKHTTP() bool {
	for _, c := range []aws.HTTPClient{d.data.RDS.Options().HTTPClient, d.data.CloudWatch.Options().HTTPClient,
		d.data.AutoScaling.Options().HTTPClient, d.data.Pricing.Options().HTTPClient} {
		if _, ok := c.(*sdkhttp.Client); !ok {
			return false
		}
	}
	return true
}

// TestAccPostgresStatsDataSource_searchPathHijack: a role that may create objects in public (as
// PUBLIC could before PostgreSQL 15) plants pg_relation_size(oid) and pg_total_relation_size(oid),
// exact matches for oid arguments that beat the built-ins (regclass) on the default search_path.
// rightsize_postgres_stats must report the real sizes, not the planted functions' 777000777, and
// still find the unqualified table name on the search_path.
func TestAccPostgresStatsDataSource_searchPathHijack(t *testing.T) {
	acctest.PreCheck(t)
	const db = "rs_acc_pgs_hijack"
	pgsDatabase(t, db) // orders, with the unused non-unique index orders_note_unused
	pgsRole(t, "rs_acc_hijack_app")
	admin := pgsAdmin(t, db)
	pgsExec(t, admin,
		"GRANT CREATE ON SCHEMA public TO rs_acc_hijack_app",
		"SET ROLE rs_acc_hijack_app",
		"CREATE FUNCTION public.pg_relation_size(oid) RETURNS bigint LANGUAGE sql AS $f$ SELECT 777000777::bigint $f$",
		"CREATE FUNCTION public.pg_total_relation_size(oid) RETURNS bigint LANGUAGE sql AS $f$ SELECT 777000777::bigint $f$",
		"RESET ROLE",
	)
	t.Cleanup(func() { // the role owns them: drop them before the role
		pgsExec(t, pgsAdmin(t, db), "DROP FUNCTION IF EXISTS public.pg_relation_size(oid)", "DROP FUNCTION IF EXISTS public.pg_total_relation_size(oid)")
	})
	notPlanted := knownvalue.Int64Func(func(v int64) error {
		if v == 777000777 || v <= 0 {
			return fmt.Errorf("size %d: the statistics read ran a function rs_acc_hijack_app planted in public", v)
		}
		return nil
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pgsProvider(t, nil) + `
data "rightsize_postgres_stats" "t" {
  postgres = { database = "` + db + `" }
  tables   = ["orders"]
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.t",
					tfjsonpath.New("unused_indexes").AtSliceIndex(0).AtMapKey("size_bytes"), notPlanted),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.t",
					tfjsonpath.New("table_stats").AtSliceIndex(0).AtMapKey("schema"), knownvalue.StringExact("public")),
				statecheck.ExpectKnownValue("data.rightsize_postgres_stats.t",
					tfjsonpath.New("table_stats").AtSliceIndex(0).AtMapKey("size_bytes"), notPlanted),
			},
		}},
	})
}
