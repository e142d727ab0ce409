package provider

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

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
	PostgresSSLMode  types.String `tfsdk:"postgres_sslmode"`
	HasPassword      types.Bool   `tfsdk:"postgres_has_password"`
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
		PostgresSSLMode:  types.StringValue(pg.SSLMode),
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
