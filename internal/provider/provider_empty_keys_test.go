package provider

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// credProbeProviderFactories serve the provider with one more data source,
// rightsize_test_credentials, which reports the access key ID (never the secret) of the
// credentials the provider's AWS configuration resolves to: which identity its AWS calls would
// use. Resolving static or environment credentials calls nothing.
var credProbeProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"rightsize": providerserver.NewProtocol6WithError(&credProbeProvider{rightsizeProvider{version: "test"}}),
}

type credProbeProvider struct{ rightsizeProvider }

func (p *credProbeProvider) DataSources(ctx context.Context) []func() datasource.DataSource {
	return append(p.rightsizeProvider.DataSources(ctx), func() datasource.DataSource { return &credProbeDataSource{} })
}

type credProbeDataSource struct{ data *ProviderData }

func (d *credProbeDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_test_credentials"
}

func (d *credProbeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dsschema.Schema{Attributes: map[string]dsschema.Attribute{
		"access_key_id": dsschema.StringAttribute{Computed: true},
	}}
}

func (d *credProbeDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerData(req.ProviderData, &resp.Diagnostics)
}

func (d *credProbeDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	creds, err := d.data.AWSConfig.Credentials.Retrieve(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Credentials Not Resolved", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("access_key_id"), types.StringValue(creds.AccessKeyID))...)
}

// envKeyID is the access key ID of the default credential chain in these tests: the environment's.
const envKeyID = "AKIAENVIRONMENTCHAIN"

// hermeticAWSEnv leaves the default credential chain with the environment's static keys only:
// no shared config or credentials file, profile, web identity, container or instance role.
func hermeticAWSEnv(t *testing.T) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": envKeyID, "AWS_SECRET_ACCESS_KEY": "environment-secret", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
		"AWS_ROLE_ARN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
	} {
		t.Setenv(k, v)
	}
}

// words turns a phrase into a regexp that matches it across terraform's line wrapping.
func words(phrase string) string {
	parts := strings.Fields(phrase)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, `\s+`)
}

// An empty or whitespace-only access_key, secret_key, profile, region or assume_role
// attribute (an empty CI variable, typically) is an error naming the attribute and what to do,
// never "not set".
func TestAccProvider_emptyValues(t *testing.T) {
	hermeticAWSEnv(t)
	keys := "region = \"us-east-1\"\naccess_key = \"AKIDCONFIG\"\nsecret_key = \"config-secret\"\n"
	cases := []struct {
		name, config, want string
	}{
		{"empty access_key", "region = \"us-east-1\"\naccess_key = \"\"\nsecret_key = \"config-secret\"",
			words("access_key is set but empty: remove it (with secret_key and token) to use the default credential chain, or set it to the access key ID")},
		{"whitespace access_key", "region = \"us-east-1\"\naccess_key = \" \\t\"\nsecret_key = \"config-secret\"",
			words("access_key is set but only whitespace")},
		{"empty secret_key", "region = \"us-east-1\"\naccess_key = \"AKIDCONFIG\"\nsecret_key = \"\"",
			words("secret_key is set but empty: set it to the secret access key of access_key")},
		{"both empty", "region = \"us-east-1\"\naccess_key = \"\"\nsecret_key = \"\"", `(?s)` + words("access_key is set but empty") + `.*` + words("secret_key is set but empty") +
			`|(?s)` + words("secret_key is set but empty") + `.*` + words("access_key is set but empty")},
		{"whitespace token", keys + "token = \" \\t\"", words("token is set but only whitespace")},
		{"empty profile", "region = \"us-east-1\"\nprofile = \"\"", words("profile is set but empty: remove it to use the default credential chain")},
		{"whitespace profile", "region = \"us-east-1\"\nprofile = \"  \"", words("profile is set but only whitespace")},
		{"empty region", `region = ""`, words("region is set but empty: remove it to use AWS_REGION")},
		{"empty role_arn", keys + "assume_role {\n  role_arn = \"\"\n}", words("assume_role.role_arn is set but empty: set it to the ARN of the role to assume")},
		{"empty session_name", keys + "assume_role {\n  role_arn = \"arn:aws:iam::123456789012:role/rightsize\"\n  session_name = \"\"\n}",
			words("assume_role.session_name is set but empty")},
		{"empty external_id", keys + "assume_role {\n  role_arn = \"arn:aws:iam::123456789012:role/rightsize\"\n  external_id = \"\"\n}",
			words("assume_role.external_id is set but empty")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: credProbeProviderFactories,
				Steps: []resource.TestStep{{
					Config:      "provider \"rightsize\" {\n" + tc.config + "\n}\ndata \"rightsize_test_credentials\" \"c\" {}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// With AWS_ACCESS_KEY_ID in the environment, access_key = "" (a literal, or a variable an empty
// CI variable sets) is an error, not the environment's identity; the same configuration without
// access_key uses the environment's keys, and with keys uses them. Variables are not known during
// terraform's validate walk: the validators let an unknown value through.
func TestAccProvider_emptyAccessKeyNoEnvFallback(t *testing.T) {
	hermeticAWSEnv(t)
	const probe = "data \"rightsize_test_credentials\" \"c\" {}\n"
	keyID := func(id string) []statecheck.StateCheck {
		return []statecheck.StateCheck{statecheck.ExpectKnownValue("data.rightsize_test_credentials.c", tfjsonpath.New("access_key_id"), knownvalue.StringExact(id))}
	}
	viaVars := `
variable "ak" {
  type      = string
  sensitive = true
}
variable "sk" {
  type      = string
  sensitive = true
}
provider "rightsize" {
  region     = "us-east-1"
  access_key = var.ak
  secret_key = var.sk
}
` + probe
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: credProbeProviderFactories,
		Steps: []resource.TestStep{
			{ // the default chain: the environment's keys
				Config:            "provider \"rightsize\" {\n  region = \"us-east-1\"\n}\n" + probe,
				ConfigStateChecks: keyID(envKeyID),
			},
			{
				Config:      "provider \"rightsize\" {\n  region     = \"us-east-1\"\n  access_key = \"\"\n  secret_key = \"\"\n}\n" + probe,
				ExpectError: regexp.MustCompile(words("access_key is set but empty")),
			},
			{
				Config:      "provider \"rightsize\" {\n  region     = \"us-east-1\"\n  access_key = \"\"\n  secret_key = \"config-secret\"\n}\n" + probe,
				ExpectError: regexp.MustCompile(words("access_key is set but empty")),
			},
			{ // empty CI variables
				PreConfig:   func() { t.Setenv("TF_VAR_ak", ""); t.Setenv("TF_VAR_sk", "") },
				Config:      viaVars,
				ExpectError: regexp.MustCompile(words("access_key is set but empty")),
			},
			{ // the key set, its secret empty: refused at plan, not at the first AWS call
				PreConfig:   func() { t.Setenv("TF_VAR_ak", "AKIDFROMVARIABLE"); t.Setenv("TF_VAR_sk", "") },
				Config:      viaVars,
				ExpectError: regexp.MustCompile(words("secret_key is set but empty")),
			},
			{ // set: the configuration's identity, not the environment's
				PreConfig:         func() { t.Setenv("TF_VAR_ak", "AKIDFROMVARIABLE"); t.Setenv("TF_VAR_sk", "variable-secret") },
				Config:            viaVars,
				ConfigStateChecks: keyID("AKIDFROMVARIABLE"),
			},
		},
	})
}

// Values not known at validation (a variable during terraform validate, an attribute of another
// resource) pass the validators: the provider's ValidateProviderConfig, through the protocol
// server, reports nothing for them; the same attributes set to "" are errors on their paths.
func TestValidateProviderConfig_unknownAndEmpty(t *testing.T) {
	ctx := context.Background()
	p := &rightsizeProvider{version: "test"}
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	arType := typ.AttributeTypes["assume_role"].(tftypes.Object)
	config := func(top, assumeRole map[string]any) *tfprotov6.DynamicValue {
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		for k, v := range top {
			vals[k] = tftypes.NewValue(tftypes.String, v)
		}
		if assumeRole != nil {
			ar := map[string]tftypes.Value{}
			for name, at := range arType.AttributeTypes {
				ar[name] = tftypes.NewValue(at, nil)
			}
			for k, v := range assumeRole {
				ar[k] = tftypes.NewValue(tftypes.String, v)
			}
			vals["assume_role"] = tftypes.NewValue(arType, ar)
		}
		dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
		if err != nil {
			t.Fatal(err)
		}
		return &dv
	}
	server, err := providerserver.NewProtocol6WithError(p)()
	if err != nil {
		t.Fatal(err)
	}
	validate := func(dv *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
		resp, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: dv})
		if err != nil {
			t.Fatal(err)
		}
		var errs []*tfprotov6.Diagnostic
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				errs = append(errs, d)
			}
		}
		return errs
	}
	u := tftypes.UnknownValue
	for name, dv := range map[string]*tfprotov6.DynamicValue{
		"static keys":  config(map[string]any{"region": u, "access_key": u, "secret_key": u, "token": u}, nil),
		"profile":      config(map[string]any{"region": "us-east-1", "profile": u}, nil),
		"assume_role":  config(map[string]any{"region": "us-east-1"}, map[string]any{"role_arn": u, "session_name": u, "external_id": u}),
		"known values": config(map[string]any{"region": "us-east-1", "access_key": "AKIDCONFIG", "secret_key": "s", "token": "t"}, nil),
		// An empty token is no session token (long-term keys): it changes no identity.
		"empty token": config(map[string]any{"region": "us-east-1", "access_key": "AKIDCONFIG", "secret_key": "s", "token": ""}, nil),
	} {
		if errs := validate(dv); len(errs) != 0 {
			t.Errorf("%s: %d errors, want none: %s: %s", name, len(errs), errs[0].Summary, errs[0].Detail)
		}
	}
	for attr, dv := range map[string]*tfprotov6.DynamicValue{
		"access_key":               config(map[string]any{"access_key": "", "secret_key": "s"}, nil),
		"secret_key":               config(map[string]any{"access_key": "AKIDCONFIG", "secret_key": "\n"}, nil),
		"profile":                  config(map[string]any{"profile": ""}, nil),
		"region":                   config(map[string]any{"region": " "}, nil),
		"assume_role.role_arn":     config(nil, map[string]any{"role_arn": ""}),
		"assume_role.session_name": config(nil, map[string]any{"role_arn": "arn:aws:iam::123456789012:role/r", "session_name": ""}),
	} {
		errs := validate(dv)
		if len(errs) != 1 {
			t.Errorf("%s empty: %d errors, want 1: %v", attr, len(errs), errs)
			continue
		}
		want := tftypes.NewAttributePath()
		for _, step := range strings.Split(attr, ".") {
			want = want.WithAttributeName(step)
		}
		if d := errs[0]; d.Summary != "Empty Provider Attribute" || !strings.HasPrefix(d.Detail, attr+" is set but ") || !d.Attribute.Equal(want) {
			t.Errorf("%s empty: %s: %s (on %v)", attr, d.Summary, d.Detail, d.Attribute)
		}
	}
}
