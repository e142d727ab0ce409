// Package provider implements the rightsize Terraform provider: schemas,
// models, validators and diagnostics. It is the only package that imports
// terraform-plugin-*; the domain packages (analysis, cloudwatch, pgstats,
// topology, pricing) return plain Go values and wrapped errors.
package provider

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awserr"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/awspartition"
	cloudwatchcol "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
	rspricing "github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

var (
	_ provider.Provider                     = (*rightsizeProvider)(nil)
	_ provider.ProviderWithConfigValidators = (*rightsizeProvider)(nil)
	_ provider.ProviderWithValidateConfig   = (*rightsizeProvider)(nil)
)

// SSLModes are the libpq sslmode values the provider accepts.
var SSLModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// Defaults of the postgres block.
const (
	DefaultPostgresPort     = 5432
	DefaultPostgresDatabase = "postgres"
	DefaultPostgresSSLMode  = pgstats.DefaultSSLMode
	// rdsCABundleURL is where AWS publishes the CA bundle of every RDS and Aurora region.
	rdsCABundleURL                = pgstats.RDSCABundleURL
	DefaultConnectTimeoutSeconds  = 10
	DefaultStatementTimeoutMillis = 30000
	DefaultMaxRetries             = 5
	// listingsTTL is how long ProviderData.Listings keeps an answer: a plan's data sources are
	// read within minutes, and what they list (maintenance, blue/green deployments, ...) is not
	// expected to change meanwhile.
	listingsTTL                     = 10 * time.Minute
	defaultAssumeRoleSessionName    = "terraform-provider-rightsize"
	defaultAssumeRoleDurationSecond = 3600
)

// New returns a constructor of the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &rightsizeProvider{version: version} }
}

type rightsizeProvider struct {
	version string
}

// providerModel is the provider configuration.
type providerModel struct {
	Region     types.String     `tfsdk:"region"`
	Profile    types.String     `tfsdk:"profile"`
	AccessKey  types.String     `tfsdk:"access_key"`
	SecretKey  types.String     `tfsdk:"secret_key"`
	Token      types.String     `tfsdk:"token"`
	MaxRetries types.Int64      `tfsdk:"max_retries"`
	AssumeRole *assumeRoleModel `tfsdk:"assume_role"`
	Endpoints  *endpointsModel  `tfsdk:"endpoints"`
	Postgres   *postgresModel   `tfsdk:"postgres"`
	// InstanceClasses are classes the embedded catalog lacks (instanceClassModel).
	InstanceClasses types.List `tfsdk:"instance_classes"`
	// InstancePrices are prices of catalog classes in the region (instancePriceModel).
	InstancePrices types.List `tfsdk:"instance_prices"`
	// StoragePrices are storage prices per GB-month in the region (storagePricesModel).
	StoragePrices types.Object `tfsdk:"storage_prices"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.Int64  `tfsdk:"duration"`
}

type endpointsModel struct {
	RDS                    types.String `tfsdk:"rds"`
	CloudWatch             types.String `tfsdk:"cloudwatch"`
	ApplicationAutoScaling types.String `tfsdk:"application_autoscaling"`
	Pricing                types.String `tfsdk:"pricing"`
	STS                    types.String `tfsdk:"sts"`
}

// postgresModel is the provider-level postgres block; data sources that read
// PostgreSQL embed the same attributes to override it.
type postgresModel struct {
	Host             types.String `tfsdk:"host"`
	Port             types.Int64  `tfsdk:"port"`
	Database         types.String `tfsdk:"database"`
	Username         types.String `tfsdk:"username"`
	Password         types.String `tfsdk:"password"`
	SSLMode          types.String `tfsdk:"sslmode"`
	SSLRootCert      types.String `tfsdk:"sslrootcert"`
	ConnectTimeout   types.Int64  `tfsdk:"connect_timeout"`
	StatementTimeout types.Int64  `tfsdk:"statement_timeout"`
	IAMAuth          types.Bool   `tfsdk:"iam_auth"`
}

// ProviderData is what Configure hands to every data source and resource: the
// AWS clients built from one aws.Config, and the resolved PostgreSQL settings.
// No connection is opened here; PostgreSQL is dialled on first use.
type ProviderData struct {
	// Region is the AWS region the clients talk to; empty when none was
	// configured (an AWS-reading data source then reports it).
	Region    string
	AWSConfig aws.Config
	RDS       *rds.Client
	// Listings is RDS with its region-wide listings shared among the data sources of a plan
	// (inventory.SharedListings, for listingsTTL): a recommendation for each of a fleet's
	// deployments would list the region's events, maintenance, blue/green deployments,
	// reservations and proxies once each. Data sources read through it; the resource's own
	// checks before a change go to RDS.
	Listings   *inventory.SharedListings
	CloudWatch *cloudwatch.Client
	// AutoScaling reads Aurora Auto Scaling (Application Auto Scaling).
	AutoScaling *applicationautoscaling.Client
	Pricing     *pricing.Client
	Postgres    PostgresSettings
	// CloudWatchMaxAttempts is max_retries when it is set: the attempts of each GetMetricData
	// request, which the CloudWatch collector retries itself (cloudwatch.RetryPolicy); 0 when
	// not set (the collector's default).
	CloudWatchMaxAttempts int
	// Catalog is the embedded price and instance-class catalog with the provider configuration's
	// instance_classes (nil: the embedded one; ProviderData.catalog).
	Catalog *rspricing.Catalog
}

// PostgresSettings is a resolved PostgreSQL connection configuration, in libpq's order: provider
// block, then the connection service PGSERVICE names, then libpq environment variables, then
// defaults.
type PostgresSettings struct {
	Host     string
	Port     int
	Database string
	Username string
	Password string // secret: never log
	// SSLMode is the sslmode set (postgres.sslmode, else the service's, else PGSSLMODE), or empty
	// when none sets it: the connection then uses prefer, as libpq does (EffectiveSSLMode).
	SSLMode          string
	SSLRootCert      string
	ConnectTimeout   time.Duration
	StatementTimeout time.Duration
	IAMAuth          bool
	// Service is the connection service PGSERVICE names, read from its file (nil when PGSERVICE is
	// not set or the service cannot be read: envProblems["service"] then says why). pgx reads the
	// same file for the service's settings the fields above do not carry (pgConnConfig).
	Service *pgstats.Service
	// defaultRootCert is the root CA file pgx uses when SSLRootCert is empty
	// (pgstats.DefaultRootCert: ~/.postgresql/root.crt when it exists), "" when there is none: with
	// it, require is verify-ca (EffectiveSSLMode).
	defaultRootCert string
	// fromService names the attributes whose values above are the service's (by attribute:
	// "sslmode", "port", ...), for messages that say where a value comes from.
	fromService []string
	// Unknown names the attributes of the provider's postgres block (e.g.
	// "password") whose values are not known until apply: during plan, when
	// one depends on a resource not yet created. Their fields above hold
	// the service's or the environment's value or the default. PostgreSQL cannot be dialled
	// while one that the connection uses remains (pgConnConfig says which);
	// a data source's postgres attribute that sets one resolves it.
	Unknown []string
	// envProblems are invalid libpq environment variables (PGPORT, PGSSLMODE) and connection
	// service settings (port, sslmode, connect_timeout; by the attribute they stand for: "port",
	// "sslmode", "connect_timeout"), and a service PGSERVICE names that cannot be read ("service"),
	// that resolvePostgres did not report because no host is configured (Configured is false): the
	// provider then dials no PostgreSQL of its own, and a variable meant for another tool must not
	// fail its AWS-only use. A connection that would still take its value from one is refused
	// (pgConnConfig); a data source's postgres attribute that sets the attribute resolves it
	// (mergePostgres). Nothing resolves "service": pgx reads the service for every connection.
	envProblems map[string]string
}

// envProblemAttrs are the attributes of PostgresSettings.envProblems, in the block's order (the
// service first), which their errors follow.
var envProblemAttrs = []string{"service", "port", "sslmode", "connect_timeout"}

// Configured reports whether a PostgreSQL host is set: known, or in the
// provider's postgres block but not known until apply (see Unknown).
func (s PostgresSettings) Configured() bool {
	return s.Host != "" || slices.Contains(s.Unknown, "host")
}

// EffectiveSSLMode is the sslmode a connection with s uses (pgstats.EffectiveSSLMode): SSLMode,
// or prefer when it is not set; require with a root CA file, SSLRootCert or else the default
// ~/.postgresql/root.crt that pgx reads (rootCert), is verify-ca.
func (s PostgresSettings) EffectiveSSLMode() string {
	return pgstats.EffectiveSSLMode(s.SSLMode, s.rootCert())
}

// rootCert is the root CA file a connection with s uses: SSLRootCert, else the default one
// (defaultRootCert), "" for none.
func (s PostgresSettings) rootCert() string {
	return cmp.Or(s.SSLRootCert, s.defaultRootCert)
}

// String describes the connection without the password, for messages.
func (s PostgresSettings) String() string {
	return fmt.Sprintf("host=%s port=%d database=%s user=%s sslmode=%s", s.Host, s.Port, s.Database, s.Username, s.EffectiveSSLMode())
}

func (p *rightsizeProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "rightsize"
	resp.Version = p.version
}

func (p *rightsizeProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Measures whether a 2-node PostgreSQL cluster (an RDS Multi-AZ instance, or an Aurora " +
			"writer plus reader) would run on one node, and performs that change behind a verified snapshot. " +
			"AWS credentials come from the AWS SDK default chain (environment, shared config and credentials files, " +
			"`profile`, web identity, instance role) unless static keys are given.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				MarkdownDescription: "AWS region of the databases, e.g. `us-east-1`. Falls back to `AWS_REGION` / " +
					"`AWS_DEFAULT_REGION` and the shared config file. Needed only by data sources and resources that call AWS.",
				Optional: true,
				Validators: []validator.String{notBlank("remove it to use AWS_REGION, AWS_DEFAULT_REGION or the shared config file, or set it to a region such as us-east-1",
					stringvalidator.RegexMatches(regionPattern, "must be an AWS region name such as us-east-1"))},
			},
			"profile": schema.StringAttribute{
				MarkdownDescription: "Named profile of the shared AWS config and credentials files. Conflicts with `access_key`.",
				Optional:            true,
				Validators: []validator.String{notBlank("remove it to use the default credential chain, " +
					"or set it to the name of a profile in the shared config or credentials file")},
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "Static AWS access key ID. Prefer the default credential chain; requires `secret_key`; conflicts with `profile`. " +
					"An empty value is an error, not a fallback to the default credential chain: leave the attribute out for that.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{notBlank("remove it (with secret_key and token) to use the default credential chain, or set it to the access key ID")},
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "Static AWS secret access key. Requires `access_key`; must not be empty.",
				Optional:            true,
				Sensitive:           true,
				Validators: []validator.String{notBlank("set it to the secret access key of access_key, " +
					"or remove both (with token) to use the default credential chain")},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "Session token for temporary static credentials. Requires `access_key`. Empty or left out for long-term access keys " +
					"(an empty value, such as a variable defaulting to `\"\"`, means no session token: it changes no identity).",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{notBlankValidator{allowEmpty: true, remedy: "set it to the session token of the temporary credentials, or to \"\" (or leave it out) for long-term access keys"}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Maximum attempts of the AWS SDK's standard retryer per API call, "+
					"from 1 to 25. Defaults to `%d`, except for CloudWatch's GetMetricData: a fleet's read sends many of them "+
					"against CloudWatch's per-account rate, so each is tried up to %d times (within a 2-minute backoff budget) "+
					"unless `max_retries` is set.", DefaultMaxRetries, cloudwatchcol.DefaultMaxAttempts),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, 25)},
			},
			"instance_classes": instanceClassesAttribute(),
			"instance_prices":  instancePricesAttribute(),
			"storage_prices":   storagePricesAttribute(),
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume an IAM role (through STS) on top of the base credentials, which need `sts:AssumeRole` on it (and its trust policy must allow them); the role then needs the actions the data sources and resources name.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						MarkdownDescription: "ARN of the role to assume, `arn:aws:iam::<account>:role/<name>`. Required in this block.",
						Optional:            true,
						Validators: []validator.String{notBlank("set it to the ARN of the role to assume (arn:aws:iam::<account>:role/<name>), or remove the assume_role block",
							stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN such as arn:aws:iam::123456789012:role/rightsize"))},
					},
					"session_name": schema.StringAttribute{
						MarkdownDescription: fmt.Sprintf("Role session name. Defaults to `%s`.", defaultAssumeRoleSessionName),
						Optional:            true,
						Validators: []validator.String{notBlank("remove it to use the default session name "+defaultAssumeRoleSessionName+", or set it to a session name",
							stringvalidator.LengthBetween(2, 64))},
					},
					"external_id": schema.StringAttribute{
						MarkdownDescription: "External ID the role's trust policy requires, if any.",
						Optional:            true,
						Validators: []validator.String{notBlank("remove it when the role's trust policy requires no external ID, or set it to the external ID",
							stringvalidator.LengthBetween(2, 1224))},
					},
					"duration": schema.Int64Attribute{
						MarkdownDescription: fmt.Sprintf("Session duration in seconds, 900 to 43200. Defaults to `%d`.", defaultAssumeRoleDurationSecond),
						Optional:            true,
						Validators:          []validator.Int64{int64validator.Between(900, 43200)},
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Custom service endpoints, for emulators such as this project's sandbox, LocalStack or moto. " +
					"Each is a base URL such as `http://127.0.0.1:4566`.",
				Attributes: map[string]schema.Attribute{
					"rds":        endpointAttribute("Amazon RDS"),
					"cloudwatch": endpointAttribute("Amazon CloudWatch"),
					"application_autoscaling": endpointAttribute("Application Auto Scaling (read for Aurora Auto Scaling: " +
						"`application-autoscaling:DescribeScalableTargets`)"),
					"pricing": endpointAttribute("AWS Price List (pricing)", pricingEndpointNote),
					"sts":     endpointAttribute("AWS STS (used by `assume_role`)"),
				},
			},
			"postgres": schema.SingleNestedBlock{
				MarkdownDescription: "Default PostgreSQL connection for data sources and resources that read PostgreSQL statistics " +
					"or validate a change. Each attribute falls back to its libpq environment variable (`PGHOST`, `PGPORT`, " +
					"`PGDATABASE`, `PGUSER`, `PGPASSWORD`, `PGSSLMODE`, `PGSSLROOTCERT`); when `PGSERVICE` names a libpq connection " +
					"service, found as libpq finds it (in the file `PGSERVICEFILE` names, else `~/.pg_service.conf`, and when that file " +
					"does not define it in the system-wide `pg_service.conf` of the folder `PGSYSCONFDIR` names, which is not read " +
					"without `PGSYSCONFDIR`; the first that defines it gives the whole service), the service's `host`, `port`, `dbname`, " +
					"`user`, `password`, `sslmode`, `sslrootcert` and `connect_timeout` come before the environment variables and the " +
					"defaults, as in libpq (the attributes set here, or in a data source's `postgres` attribute, before the service), " +
					"and its other settings (such as `sslcert`, `sslkey`, `options` and `application_name`) apply too. The session's " +
					"`application_name` (in `pg_stat_activity`) is the service's, else `PGAPPNAME`, else `" + pgstats.DefaultApplicationName + "` " +
					"(libpq's `fallback_application_name`). An invalid `PGPORT` or `PGSSLMODE`, " +
					"an invalid `port`, `sslmode` or `connect_timeout` of the service, or a service that cannot be read fails the " +
					"configuration only when a host is set (here, in the service or in `PGHOST`), and otherwise only a data source's " +
					"connection that would take its value (one whose `postgres` attribute sets a host but not `port` or `sslmode`). " +
					"The connection is opened lazily, only when a " +
					"data source or resource needs it. The role needs `pg_monitor` (`GRANT pg_monitor TO rightsize;`). " +
					"To verify the server (so that the password or IAM token goes to no other), set `sslrootcert` to the CA bundle " +
					"(for RDS and Aurora, `global-bundle.pem` from AWS) and `sslmode` to `verify-full`; " +
					"configuration warns when `sslmode` is below `verify-ca` for a host that is not local.",
				Attributes: postgresProviderAttributes(),
			},
		},
	}
}

// hostConnectionStringSummary is the summary of the error for a PostgreSQL host that is a
// connection string (pgstats.HostIsConnectionString).
const hostConnectionStringSummary = "PostgreSQL Host Is a Connection String"

// hostConnectionStringDetail is the error for a PostgreSQL host, given by from (postgres.host,
// PGHOST), that is a connection string. It never repeats the value, which may hold a password.
func hostConnectionStringDetail(from string) string {
	return from + " is a connection string (a postgres:// or postgresql:// URI, user:password@host, or keyword=value settings), " +
		"not a host name; its value, which may hold a password, is not repeated here. Set host to the server's host name " +
		"or IP address alone, and port, database, username and password (or iam_auth) in their own attributes."
}

// hostNotConnectionString refuses a PostgreSQL host that is a connection string
// (pgstats.HostIsConnectionString), such as a DATABASE_URL, without repeating it: it may hold a
// password, and would otherwise be quoted by the connection's warnings and errors and logged.
type hostNotConnectionString struct{}

var _ validator.String = hostNotConnectionString{}

func (hostNotConnectionString) Description(context.Context) string {
	return "value must be a host name, IP address or Unix-domain socket directory, not a connection string"
}

func (v hostNotConnectionString) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (hostNotConnectionString) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !pgstats.HostIsConnectionString(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, hostConnectionStringSummary, hostConnectionStringDetail(req.Path.String()))
}

// notBlank returns a validator that rejects a string set to "" or to whitespace only, naming
// the attribute and, in remedy, what to do instead; then (the attribute's other validators,
// whose messages do not fit an empty value) run on values that are not blank. Null and unknown
// values (a variable during terraform validate) pass.
//
// An empty value, typically from an empty CI variable, must not read as "not set": an empty
// access_key or profile would then give way to the default credential chain (AWS_ACCESS_KEY_ID
// in the environment, an instance role) and the provider would act as an identity the
// configuration does not name.
func notBlank(remedy string, then ...validator.String) validator.String {
	return notBlankValidator{remedy: remedy, then: then}
}

type notBlankValidator struct {
	remedy string
	then   []validator.String
	// allowEmpty accepts "" (as not set) and refuses whitespace only: for a token, where an
	// empty value changes no identity.
	allowEmpty bool
	// title is the diagnostic's summary; "Empty Provider Attribute" when not set.
	title string
}

var _ validator.String = notBlankValidator{}

func (v notBlankValidator) Description(ctx context.Context) string {
	d := "value must not be empty or only whitespace"
	for _, t := range v.then {
		d += "; " + t.Description(ctx)
	}
	return d
}

func (v notBlankValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v notBlankValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := req.ConfigValue.ValueString(); strings.TrimSpace(s) == "" && !(v.allowEmpty && s == "") {
		what := "empty"
		if s != "" {
			what = "only whitespace"
		}
		title := v.title
		if title == "" {
			title = "Empty Provider Attribute"
		}
		resp.Diagnostics.AddAttributeError(req.Path, title,
			fmt.Sprintf("%s is set but %s: %s.", req.Path, what, v.remedy))
		return
	}
	for _, t := range v.then {
		t.ValidateString(ctx, req, resp)
	}
}

// pricingEndpointNote tells how endpoints.pricing picks the region Price List requests are signed
// for (priceListSigningRegion).
const pricingEndpointNote = "Requests are signed for the region its host names after `pricing` " +
	"(`api.pricing.<region>.<domain>`, or an interface VPC endpoint's `vpce-<id>.api.pricing.<region>.vpce.amazonaws.com`); " +
	"a host that names none (an emulator, a proxy) gets the provider's `region`. Without it, `use_pricing_api` asks the Price List " +
	"API of the partition of `region`: in `us-east-1` (aws), `cn-northwest-1` (aws-cn), `eusc-de-east-1` (aws-eusc); " +
	"GovCloud has none, so `use_pricing_api` is an error there."

func endpointAttribute(service string, more ...string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: strings.Join(append([]string{"Base URL of the " + service + " endpoint (`http://` or `https://`)."}, more...), " "),
		Optional:            true,
		Validators:          []validator.String{urlValidator{}},
	}
}

func postgresProviderAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"host": schema.StringAttribute{
			MarkdownDescription: "Host name or IP address of the PostgreSQL server (the writer endpoint for Aurora). Falls back to the connection service's `host` (`PGSERVICE`), then `PGHOST`.",
			Optional:            true,
			Validators: []validator.String{notBlank("remove it to use PGHOST, or set it to the PostgreSQL server's host name or address",
				hostNotConnectionString{})},
		},
		"port": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("TCP port, 1 to 65535. Falls back to the connection service's `port` (`PGSERVICE`), then `PGPORT`, then `%d`.", DefaultPostgresPort),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(1, 65535)},
		},
		"database": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("Database name. Falls back to the connection service's `dbname` (`PGSERVICE`), then `PGDATABASE`, then `%s`.", DefaultPostgresDatabase),
			Optional:            true,
			Validators:          []validator.String{notBlank("remove it to use PGDATABASE (else " + DefaultPostgresDatabase + "), or set it to the database name")},
		},
		"username": schema.StringAttribute{
			MarkdownDescription: "Role to connect as; it needs `pg_monitor`. Falls back to the connection service's `user` (`PGSERVICE`), then `PGUSER`, then to the operating system user " +
				"(`USER`), as libpq does: set it (or `PGUSER`) where that is not the role, as in CI, and with `iam_auth`, whose token is " +
				"built for this role.",
			Optional:   true,
			Validators: []validator.String{notBlank("remove it to use PGUSER, or set it to the role to connect as")},
		},
		"password": schema.StringAttribute{
			MarkdownDescription: "Password. Falls back to the connection service's `password` (`PGSERVICE`), then `PGPASSWORD`. Never logged. Not needed with `iam_auth`.",
			Optional:            true,
			Sensitive:           true,
		},
		"sslmode": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("libpq sslmode, one of %s. Falls back to the connection service's `sslmode` (`PGSERVICE`), then `PGSSLMODE`, then `%s` (libpq's default, also when "+
				"`sslrootcert` is set). `require` with a root CA file (`sslrootcert`, or else `~/.postgresql/root.crt` when it exists) behaves as `verify-ca`, as in libpq. Only `verify-ca` and `verify-full` verify the server's certificate: with `%s` a server that refuses "+
				"TLS (an impostor at the host's address: DNS spoofing, a hijacked address, a man in the middle) receives the "+
				"password or IAM token in cleartext, and with `require` one presenting any certificate receives it, so "+
				"configuration warns about a mode below `verify-ca` for a host that is not local (not `localhost`, a loopback "+
				"address or a Unix-domain socket). For RDS and Aurora set `sslmode = \"verify-full\"` and `sslrootcert` "+
				"to AWS's CA bundle.",
				markdownList(SSLModes), DefaultPostgresSSLMode, DefaultPostgresSSLMode),
			Optional:   true,
			Validators: []validator.String{stringvalidator.OneOf(SSLModes...)},
		},
		"sslrootcert": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("Path to the PEM file of CA certificates the server's certificate must chain to. "+
				"For RDS and Aurora, AWS's bundle of every commercial region's CAs, `global-bundle.pem` (%s; see \"Using SSL/TLS to encrypt "+
				"a connection to a DB instance or cluster\" in the Amazon RDS User Guide, whose certificate bundles by AWS Region "+
				"list GovCloud's and China's own bundles): the system's trusted roots do not hold the RDS CAs. Use it with `sslmode = \"verify-full\"` (with `sslmode = \"require\"` it is `verify-ca`; "+
				"without `sslmode` the connection stays `prefer`, which verifies nothing). "+
				"Falls back to the connection service's `sslrootcert` (`PGSERVICE`), then `PGSSLROOTCERT`, then `~/.postgresql/root.crt` "+
				"(`HOME`'s; on Windows `%%APPDATA%%\\postgresql\\root.crt`) when that file exists, as in libpq.", rdsCABundleURL),
			Optional: true,
		},
		"connect_timeout": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("Seconds to wait for a connection, 1 to 300. Falls back to the connection service's `connect_timeout` (`PGSERVICE`; "+
				"its `0` or less, libpq's wait indefinitely, keeps the default). Defaults to `%d`.", DefaultConnectTimeoutSeconds),
			Optional:   true,
			Validators: []validator.Int64{int64validator.Between(1, 300)},
		},
		"statement_timeout": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("Milliseconds each statistics query, and each row count of a topology `validation`, may run (`statement_timeout`), 100 to 3600000. Defaults to `%d`: raise it for the largest validated table.", DefaultStatementTimeoutMillis),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(100, 3600000)},
		},
		"iam_auth": schema.BoolAttribute{
			MarkdownDescription: "Authenticate with an RDS IAM authentication token built from the provider's AWS credentials " +
				"instead of a password (needs `rds-db:connect`). Defaults to `false`.",
			Optional: true,
		},
	}
}

func (p *rightsizeProvider) ConfigValidators(_ context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.Conflicting(path.MatchRoot("profile"), path.MatchRoot("access_key")),
		providervalidator.RequiredTogether(path.MatchRoot("access_key"), path.MatchRoot("secret_key")),
	}
}

// ValidateConfig checks what the attribute validators cannot: fields required
// inside optional blocks, and options that only make sense together.
func (p *rightsizeProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Token.ValueString() != "" && cfg.AccessKey.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing Access Key",
			"token is set without access_key: token is a session token for static credentials: set access_key and secret_key with it, or remove token.")
	}
	if cfg.AssumeRole != nil && cfg.AssumeRole.RoleARN.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("assume_role").AtName("role_arn"), "Missing Role ARN",
			"assume_role.role_arn is not set: the assume_role block needs role_arn (arn:aws:iam::<account>:role/<name>); set it or remove the block.")
	}
	if cfg.Postgres != nil {
		validatePostgresAuth(&resp.Diagnostics, path.Root("postgres"), cfg.Postgres.IAMAuth, cfg.Postgres.Password)
	}
	configuredCatalog(ctx, cfg.InstanceClasses, cfg.InstancePrices, cfg.StoragePrices, "", &resp.Diagnostics)
}

func (p *rightsizeProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The AWS clients are built here, so their settings must be known. The
	// postgres block's need not be: PostgreSQL is dialled only by what reads
	// it, which reports an unknown one (PostgresSettings.Unknown).
	for _, u := range unknownAttributes(cfg) {
		resp.Diagnostics.AddAttributeError(u, "Unknown Provider Configuration Value",
			fmt.Sprintf("The provider cannot be configured because %s is not known until apply. Set it to a value known at plan "+
				"time (a literal, variable or data source), or apply the resources it depends on first with -target.", u))
	}
	if resp.Diagnostics.HasError() {
		return
	}

	awsCfg, err := loadAWSConfig(ctx, cfg)
	if err != nil {
		what := "Building the AWS configuration from the provider block and the default credential chain failed"
		if title, hint, ok := awserr.Explain(err); ok { // a profile the shared files lack
			resp.Diagnostics.AddAttributeError(path.Root("profile"), title, hint+"\n\n"+what+": "+err.Error())
			return
		}
		resp.Diagnostics.AddError("Unable to Load AWS Configuration", what+": "+err.Error()+". Check profile, region and the shared config files.")
		return
	}

	pg, errs := resolvePostgres(cfg.Postgres, os.LookupEnv)
	appendDiagErrors(&resp.Diagnostics, errs)
	if resp.Diagnostics.HasError() {
		return
	}
	warnUnverifiedPostgres(&resp.Diagnostics, cfg.Postgres, pg)
	cat, complete := configuredCatalog(ctx, cfg.InstanceClasses, cfg.InstancePrices, cfg.StoragePrices, awsCfg.Region, &resp.Diagnostics)
	if !complete && !resp.Diagnostics.HasError() {
		resp.Diagnostics.AddError("Unknown Provider Configuration Value",
			"The provider cannot be configured because instance_classes, instance_prices or storage_prices is not known until apply. Set them to values known at plan time (literals or variables).")
	}
	if awsCfg.Region == "" && !resp.Diagnostics.HasError() {
		requireRegionForPrices(ctx, cfg, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	data := &ProviderData{
		Region:    awsCfg.Region,
		AWSConfig: awsCfg,
		Postgres:  pg,
		Catalog:   cat,
	}
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		data.CloudWatchMaxAttempts = int(cfg.MaxRetries.ValueInt64())
	}
	eps := cfg.Endpoints
	if eps == nil {
		eps = &endpointsModel{}
	}
	data.RDS = rds.NewFromConfig(awsCfg, func(o *rds.Options) { setEndpoint(&o.BaseEndpoint, eps.RDS) })
	data.Listings = inventory.NewSharedListings(data.RDS, listingsTTL)
	data.CloudWatch = cloudwatch.NewFromConfig(awsCfg, func(o *cloudwatch.Options) { setEndpoint(&o.BaseEndpoint, eps.CloudWatch) })
	data.AutoScaling = applicationautoscaling.NewFromConfig(awsCfg, func(o *applicationautoscaling.Options) {
		setEndpoint(&o.BaseEndpoint, eps.ApplicationAutoScaling)
	})
	data.Pricing = newPriceListClient(awsCfg, eps.Pricing)

	tflog.Debug(ctx, "configured rightsize provider", map[string]any{
		"region":            data.Region,
		"postgres_host":     pg.Host,
		"postgres_port":     pg.Port,
		"custom_endpoints":  !eps.RDS.IsNull() || !eps.CloudWatch.IsNull() || !eps.ApplicationAutoScaling.IsNull() || !eps.Pricing.IsNull() || !eps.STS.IsNull(),
		"assume_role":       cfg.AssumeRole != nil,
		"static_credential": !cfg.AccessKey.IsNull(),
	})
	resp.DataSourceData = data
	resp.ResourceData = data
}

// newPriceListClient returns the Price List client of use_pricing_api: in the region
// priceListSigningRegion picks for awsCfg's region and endpoint (endpoints.pricing). Where there
// is none (a partition without a Price List endpoint), every call fails with its
// *pricing.APIUnavailableError, which rightsize_rds_price reports when use_pricing_api is set.
func newPriceListClient(awsCfg aws.Config, endpoint types.String) *pricing.Client {
	region, err := priceListSigningRegion(awsCfg.Region, endpoint.ValueString())
	return pricing.NewFromConfig(awsCfg, func(o *pricing.Options) {
		setEndpoint(&o.BaseEndpoint, endpoint)
		if err != nil {
			o.EndpointResolverV2 = noPriceListEndpoint{err}
			return
		}
		o.Region = region
	})
}

// priceListRegions is the region of the Price List API endpoint of each partition that has one
// (aws-sdk-go-v2 service/pricing internal/endpoints; the aws partition also serves it from
// eu-central-1 and ap-south-1). aws-us-gov has none.
var priceListRegions = map[string]string{
	"aws":       "us-east-1",
	"aws-cn":    "cn-northwest-1", // api.pricing.cn-northwest-1.amazonaws.com.cn
	"aws-eusc":  "eusc-de-east-1", // api.pricing.eusc-de-east-1.amazonaws.eu
	"aws-iso":   "us-iso-east-1",
	"aws-iso-b": "us-isob-east-1",
	"aws-iso-e": "eu-isoe-west-1",
	"aws-iso-f": "us-isof-south-1",
}

// priceListSigningRegion returns the region the Price List client is configured with (which picks its
// endpoint and the region its requests are signed for), given the provider's region and
// endpoints.pricing (endpoint, "" when not set).
//
// Without endpoint, it is the Price List region of the partition of region (us-east-1 for aws, also
// when region is empty or of no partition, as the SDK resolves such regions in aws; cn-northwest-1
// for aws-cn; eusc-de-east-1 for aws-eusc; ...): credentials are valid in their own partition only.
// A partition without a Price List endpoint (aws-us-gov) is a *pricing.APIUnavailableError naming
// use_pricing_api.
//
// With endpoint, it is the region the endpoint's host names after "pricing" (or "pricing-fips"):
// api.pricing.<region>.<domain>, or an interface VPC endpoint's
// vpce-<id>.api.pricing.<region>.vpce.amazonaws.com. A host that names no region (an emulator's
// address, a proxy, a private alias) cannot tell which region it serves: the requests are then
// signed for the provider's region, as before.
func priceListSigningRegion(region, endpoint string) (string, error) {
	if endpoint != "" {
		if r := pricingEndpointRegion(endpoint); r != "" {
			return r, nil
		}
		return region, nil
	}
	partition := awspartition.Of(region)
	if r, ok := priceListRegions[partition]; ok {
		return r, nil
	}
	return "", &rspricing.APIUnavailableError{Reason: fmt.Sprintf("use_pricing_api: the AWS Price List API has no endpoint in partition %s, "+
		"the partition of the provider's region %s, so its credentials cannot ask it; remove use_pricing_api (the embedded catalog "+
		"then prices the regions it covers), or set endpoints.pricing to a Price List endpoint these credentials can call", partition, region)}
}

// pricingEndpointRegion returns the region a Price List endpoint URL names in its host after a
// "pricing" or "pricing-fips" label, or "" when it names none.
func pricingEndpointRegion(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	labels := strings.Split(strings.TrimSuffix(strings.ToLower(u.Hostname()), "."), ".")
	for i := 0; i+1 < len(labels); i++ {
		if (labels[i] == "pricing" || labels[i] == "pricing-fips") && regionPattern.MatchString(labels[i+1]) {
			return labels[i+1]
		}
	}
	return ""
}

// noPriceListEndpoint is the endpoint resolver of a Price List client whose partition has no Price
// List endpoint: it fails every call with err.
type noPriceListEndpoint struct{ err error }

func (n noPriceListEndpoint) ResolveEndpoint(context.Context, pricing.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return smithyendpoints.Endpoint{}, n.err
}

func setEndpoint(dst **string, v types.String) {
	if s := v.ValueString(); s != "" {
		*dst = aws.String(s)
	}
}

// newRetryer is the SDK's standard retryer with maxAttempts attempts per call and without its
// client-side retry quota. That quota (500 tokens, 5 a retry) is one per client, and the provider
// has one RDS client for every data source and resource of a plan: a fleet's worth of
// recommendations read at once (terraform reads 10 at a time) under RDS's account-wide Describe
// rate drained it in a few seconds, after which every throttled call failed at once with "retry
// quota exceeded" (raising max_retries drained it faster). Without it each call backs off and
// retries up to maxAttempts on its own, as terraform-provider-aws also configures the SDK. The
// retry mode the AWS configuration sets (AWS_RETRY_MODE, a profile's retry_mode) is kept:
// adaptive mode adds a client-side rate limit that follows throttling, on the same terms.
func newRetryer(mode aws.RetryMode, maxAttempts int) aws.Retryer {
	std := func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.RateLimiter = ratelimit.None
	}
	if mode == aws.RetryModeAdaptive {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) { o.StandardOptions = append(o.StandardOptions, std) })
	}
	return retry.NewStandard(std)
}

// loadAWSConfig builds the single aws.Config of the provider.
func loadAWSConfig(ctx context.Context, cfg providerModel) (aws.Config, error) {
	maxRetries := DefaultMaxRetries
	if !cfg.MaxRetries.IsNull() {
		maxRetries = int(cfg.MaxRetries.ValueInt64())
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryMaxAttempts(maxRetries),
	}
	if r := cfg.Region.ValueString(); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	// A profile or access key that is set is used whatever its value: notBlank rejects an empty
	// one, and one that got past it must fail here rather than give way to the default chain.
	if !cfg.Profile.IsNull() {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile.ValueString()))
	}
	if !cfg.AccessKey.IsNull() {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKey.ValueString(), cfg.SecretKey.ValueString(), cfg.Token.ValueString())))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	// The retryer carries max_retries itself; a RetryMaxAttempts left set would make each client
	// wrap it again (and hide its mode).
	mode := awsCfg.RetryMode
	awsCfg.Retryer = func() aws.Retryer { return newRetryer(mode, maxRetries) }
	awsCfg.RetryMaxAttempts = 0
	// The SDK's log lines (its retries) go to Terraform's log, with the request's fields.
	awsCfg.Logger, awsCfg.ClientLogMode = sdkLogger{}, awsClientLogMode
	// Every service client made from awsCfg sends through sdkhttp (a smithy-go/net/http race
	// otherwise closes a connection under a response now and then). The credential providers
	// LoadDefaultConfig built (IMDS, SSO) keep the SDK's own client and its timeouts.
	awsCfg.HTTPClient = sdkhttp.Wrap(awsCfg.HTTPClient)
	if ar := cfg.AssumeRole; ar != nil && !ar.RoleARN.IsNull() {
		stsClient := sts.NewFromConfig(awsCfg, func(o *sts.Options) {
			if cfg.Endpoints != nil {
				setEndpoint(&o.BaseEndpoint, cfg.Endpoints.STS)
			}
		})
		session := defaultAssumeRoleSessionName
		if s := ar.SessionName.ValueString(); s != "" {
			session = s
		}
		duration := time.Duration(defaultAssumeRoleDurationSecond) * time.Second
		if !ar.Duration.IsNull() {
			duration = time.Duration(ar.Duration.ValueInt64()) * time.Second
		}
		provider := stscreds.NewAssumeRoleProvider(stsClient, ar.RoleARN.ValueString(), func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = session
			o.Duration = duration
			if e := ar.ExternalID.ValueString(); e != "" {
				o.ExternalID = aws.String(e)
			}
		})
		awsCfg.Credentials = assumedRoleCache(provider)
	}
	return awsCfg, nil
}

// credentialsExpiryWindow is how long before they expire the assumed role's credentials are
// renewed: a topology change polls RDS for an hour or more, and credentials that expire between
// signing a request and RDS checking it fail that call (ExpiredToken), stopping the apply.
const credentialsExpiryWindow = 5 * time.Minute

// assumedRoleCache caches the credentials of p (an assumed role's) and renews them
// credentialsExpiryWindow before they expire.
func assumedRoleCache(p aws.CredentialsProvider) *aws.CredentialsCache {
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = credentialsExpiryWindow })
}

// lookupEnv is os.LookupEnv, injectable for tests.
type lookupEnv func(string) (string, bool)

// resolvePostgres merges the provider's postgres block with the connection service PGSERVICE
// names, the libpq environment variables and the defaults, in libpq's order: values in the block
// win, then the service's, then the environment's, then the defaults. A default of the provider's
// is not a parameter the user gave, so it never hides the service's (pgx reads the same service,
// but only for what the connection string leaves out, and the provider's connection string sets
// every field it resolves). Values not known yet are listed in Unknown and otherwise treated as
// unset.
func resolvePostgres(m *postgresModel, env lookupEnv) (PostgresSettings, []diagError) {
	if m == nil {
		m = &postgresModel{}
	}
	envStr := func(name string) string {
		v, _ := env(name)
		return v
	}
	var errs []diagError
	envErrs := map[string]diagError{} // by attribute: "service", "port", "sslmode", "connect_timeout"
	svc, err := pgstats.LookupService(envStr)
	if err != nil {
		envErrs["service"] = diagError{
			path:    path.Root("postgres"),
			summary: "Invalid PostgreSQL Connection Service",
			detail: fmt.Sprintf("PGSERVICE names a libpq connection service, which is read for every PostgreSQL connection, but it "+
				"cannot be used: %v. Fix PGSERVICE, PGSERVICEFILE (the user's service file; without it, ~/.pg_service.conf) or PGSYSCONFDIR "+
				"(the folder of the system-wide pg_service.conf, read when the user's file does not define the service), or unset PGSERVICE.", err),
		}
	}
	// serviceSets is the start of the error on a service's setting keyword whose value v cannot work.
	serviceSets := func(keyword, v string) string {
		return fmt.Sprintf("The connection service %q (PGSERVICE) in %s sets %s = %q", svc.Name, svc.File, keyword, v)
	}
	var fromService []string
	// pick returns the first that is set of block (attribute attr), the service's keyword and the
	// environment variable.
	pick := func(attr string, block types.String, keyword, variable string) string {
		if v := block.ValueString(); v != "" {
			return v
		}
		if v := svc.Get(keyword); v != "" {
			fromService = append(fromService, attr)
			return v
		}
		return envStr(variable)
	}
	s := PostgresSettings{
		Host:             pick("host", m.Host, "host", "PGHOST"),
		Database:         firstNonEmpty(pick("database", m.Database, "dbname", "PGDATABASE"), DefaultPostgresDatabase),
		Username:         pick("username", m.Username, "user", "PGUSER"),
		Password:         pick("password", m.Password, "password", "PGPASSWORD"),
		SSLMode:          pick("sslmode", m.SSLMode, "sslmode", "PGSSLMODE"),
		SSLRootCert:      pick("sslrootcert", m.SSLRootCert, "sslrootcert", "PGSSLROOTCERT"),
		ConnectTimeout:   time.Duration(DefaultConnectTimeoutSeconds) * time.Second,
		StatementTimeout: time.Duration(DefaultStatementTimeoutMillis) * time.Millisecond,
		IAMAuth:          m.IAMAuth.ValueBool(),
		Port:             DefaultPostgresPort,
		Service:          svc,
		Unknown:          unknownPostgresAttributes(m),
		defaultRootCert:  pgstats.DefaultRootCert(envStr),
	}
	switch {
	case !m.Port.IsNull() && !m.Port.IsUnknown():
		s.Port = int(m.Port.ValueInt64())
	case svc.Get("port") != "":
		port, ok := parsePort(svc.Get("port"))
		if !ok {
			envErrs["port"] = diagError{
				path:    path.Root("postgres").AtName("port"),
				summary: "Invalid PostgreSQL Connection Service Setting",
				detail:  serviceSets("port", svc.Get("port")) + ", which is not a port from 1 to 65535. Fix the service file or set postgres.port.",
			}
		} else {
			s.Port = port
			fromService = append(fromService, "port")
		}
	case envStr("PGPORT") != "":
		port, ok := parsePort(envStr("PGPORT"))
		if !ok {
			envErrs["port"] = diagError{
				path:    path.Root("postgres").AtName("port"),
				summary: "Invalid PGPORT",
				detail:  fmt.Sprintf("The environment variable PGPORT is %q, which is not a port from 1 to 65535. Fix PGPORT or set postgres.port.", envStr("PGPORT")),
			}
		} else {
			s.Port = port
		}
	}
	if pgstats.HostIsConnectionString(s.Host) {
		// Not repeated: a connection string may hold a password.
		from := "PGHOST"
		switch {
		case m.Host.ValueString() != "":
			from = "postgres.host"
		case slices.Contains(fromService, "host"):
			from = fmt.Sprintf("The host of the connection service %q (PGSERVICE)", svc.Name)
		}
		errs = append(errs, diagError{
			path:    path.Root("postgres").AtName("host"),
			summary: hostConnectionStringSummary,
			detail:  hostConnectionStringDetail(from),
		})
	}
	if s.SSLMode != "" && !validSSLMode(s.SSLMode) {
		e := diagError{
			path:    path.Root("postgres").AtName("sslmode"),
			summary: "Invalid PGSSLMODE",
			detail:  fmt.Sprintf("The environment variable PGSSLMODE is %q; it must be one of %s. Fix PGSSLMODE or set postgres.sslmode.", s.SSLMode, markdownList(SSLModes)),
		}
		if slices.Contains(fromService, "sslmode") {
			e.summary = "Invalid PostgreSQL Connection Service Setting"
			e.detail = serviceSets("sslmode", s.SSLMode) + fmt.Sprintf("; it must be one of %s. Fix the service file or set postgres.sslmode.", markdownList(SSLModes))
		}
		envErrs["sslmode"] = e
	}
	switch {
	case !m.ConnectTimeout.IsNull() && !m.ConnectTimeout.IsUnknown():
		s.ConnectTimeout = time.Duration(m.ConnectTimeout.ValueInt64()) * time.Second
	case svc.Get("connect_timeout") != "":
		// libpq's 0 or less (wait indefinitely) keeps the default: a plan never waits forever.
		switch secs, err := strconv.Atoi(svc.Get("connect_timeout")); {
		case err != nil:
			envErrs["connect_timeout"] = diagError{
				path:    path.Root("postgres").AtName("connect_timeout"),
				summary: "Invalid PostgreSQL Connection Service Setting",
				detail: serviceSets("connect_timeout", svc.Get("connect_timeout")) +
					", which is not a whole number of seconds. Fix the service file or set postgres.connect_timeout.",
			}
		case secs > 0:
			s.ConnectTimeout = time.Duration(secs) * time.Second
			fromService = append(fromService, "connect_timeout")
		}
	}
	s.fromService = fromService
	if !m.StatementTimeout.IsNull() && !m.StatementTimeout.IsUnknown() {
		s.StatementTimeout = time.Duration(m.StatementTimeout.ValueInt64()) * time.Millisecond
	}
	if s.Username == "" {
		s.Username = envStr("USER")
	}
	// An invalid PGPORT or PGSSLMODE, or service setting (the block's attributes are checked by their
	// validators), or a service that cannot be read, fails the configuration only when the provider's
	// connection would use it, that is when a host is configured; otherwise it waits for a
	// connection that takes it (envProblems).
	for _, attr := range envProblemAttrs {
		e, bad := envErrs[attr]
		switch {
		case !bad:
		case s.Configured():
			errs = append(errs, e)
		default:
			if s.envProblems == nil {
				s.envProblems = map[string]string{}
			}
			s.envProblems[attr] = e.detail
		}
	}
	return s, errs
}

// warnUnverifiedPostgres adds a warning on postgres.sslmode when the provider's PostgreSQL
// settings (pg, resolved from block m and the environment) are in use (a host is set) with an
// effective sslmode below verify-ca for a host that is not local (unverifiedPostgres): the server's
// identity is not verified, so the password or the RDS IAM token goes to whichever server answers
// at that address. Configure calls it, so it is said once per run, not by every data source; a
// data source whose postgres attribute overrides these settings judges its own
// (warnUnverifiedOverride). Nothing is dialled.
func warnUnverifiedPostgres(diags *diag.Diagnostics, m *postgresModel, pg PostgresSettings) {
	if !unverifiedPostgres(pg) {
		return
	}
	mode := pg.EffectiveSSLMode()
	var source string
	switch {
	case m != nil && m.SSLMode.ValueString() != "":
		source = fmt.Sprintf("postgres.sslmode is %q", mode)
	case slices.Contains(pg.fromService, "sslmode"):
		source = serviceSSLModeSource(pg)
	case pg.SSLMode != "":
		source = fmt.Sprintf("PGSSLMODE is %q", mode)
	default:
		source = fmt.Sprintf("sslmode is not set, so it is libpq's default %q", mode)
	}
	diags.AddAttributeWarning(path.Root("postgres").AtName("sslmode"), unverifiedPostgresSummary,
		unverifiedPostgresDetail(pg, "The provider's PostgreSQL connection", source, ""))
}

// parsePort reads a port given as text (PGPORT, a connection service's port): ok only for a whole
// number from 1 to 65535.
func parsePort(v string) (port int, ok bool) {
	port, err := strconv.Atoi(v)
	return port, err == nil && port >= 1 && port <= 65535
}

// serviceSSLModeSource says, for the warning of unverifiedPostgres, that pg's sslmode is its
// connection service's.
func serviceSSLModeSource(pg PostgresSettings) string {
	return fmt.Sprintf("sslmode is %q, from the connection service %q (PGSERVICE) in %s", pg.EffectiveSSLMode(), pg.Service.Name, pg.Service.File)
}

// unverifiedPostgresSummary is the summary of the warning of unverifiedPostgres.
const unverifiedPostgresSummary = "PostgreSQL Server Identity Not Verified"

// unverifiedPostgres reports whether a connection with pg would send its password or IAM token to
// a server whose identity it does not verify: a host is set (Configured) that is not local
// (localPostgresHost), with an effective sslmode below verify-ca. A host not known until apply is
// taken as remote (it comes from a resource, such as an RDS instance's address); an sslmode not
// known until apply, or an sslrootcert not known while sslmode is require or unset, is not judged.
func unverifiedPostgres(pg PostgresSettings) bool {
	unknown := func(a string) bool { return slices.Contains(pg.Unknown, a) }
	// An sslrootcert not known until apply decides the mode of "require" (verify-ca with one) and,
	// when it is "system" (the system's roots), of an unset sslmode (verify-full).
	if !pg.Configured() || unknown("sslmode") || ((pg.SSLMode == "require" || pg.SSLMode == "") && unknown("sslrootcert")) {
		return false
	}
	return !pgstats.VerifiesServer(pg.EffectiveSSLMode()) && (unknown("host") || !localPostgresHost(pg.Host))
}

// unverifiedPostgresDetail is the warning of unverifiedPostgres for pg: conn names the connection
// ("The provider's PostgreSQL connection"), source says where its sslmode comes from, and where
// (if not empty) says where to set sslmode and sslrootcert, after "Set ... " (the provider's
// postgres block when empty).
func unverifiedPostgresDetail(pg PostgresSettings, conn, source, where string) string {
	mode := pg.EffectiveSSLMode()
	host := fmt.Sprintf("%q", pg.Host)
	if slices.Contains(pg.Unknown, "host") {
		host = "the host postgres.host names (known after apply)"
	}
	secret := "password"
	if pg.IAMAuth {
		secret = "RDS IAM authentication token"
	}
	how := ", in cleartext if it refuses TLS"
	switch mode {
	case "disable":
		how = ", in cleartext"
	case "require":
		how = " over TLS, whatever certificate it presents"
	}
	detail := fmt.Sprintf("%s to %s does not verify the server's identity: %s, which does not check "+
		"the server's certificate against a trusted CA. Whichever server answers at that address (after DNS spoofing, a "+
		"hijacked address or a man in the middle) would receive the %s%s. ",
		conn, host, source, secret, how)
	if pg.SSLRootCert == "" && pg.defaultRootCert != "" {
		// require would have been verify-ca with it: this mode is disable, allow or prefer.
		return detail + fmt.Sprintf("The root CA file %s, which the connection reads when sslrootcert is not set (as libpq does), "+
			"is not used to check the server with sslmode %s. Set postgres.sslmode = \"verify-full\"%s to check the server's "+
			"certificate against it, and postgres.sslrootcert to the path of another CA bundle if it does not hold the CA that "+
			"signed the server's certificate: for RDS and Aurora, global-bundle.pem from AWS's documentation (%s).",
			pg.defaultRootCert, mode, where, rdsCABundleURL)
	}
	return detail + fmt.Sprintf("Set postgres.sslmode = \"verify-full\" and "+
		"postgres.sslrootcert%s to the path of the CA bundle that signed the server's certificate: for RDS and Aurora, "+
		"global-bundle.pem from AWS's documentation (%s).", where, rdsCABundleURL)
}

// localPostgresHost reports whether host is reached without crossing a network: a Unix-domain
// socket directory (an absolute path) or abstract socket (@name), localhost or a name under
// .localhost, or a loopback IP address (127.0.0.0/8, ::1).
func localPostgresHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	switch {
	case strings.HasPrefix(h, "/"), strings.HasPrefix(h, "@"), h == "localhost", strings.HasSuffix(h, ".localhost"):
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

func validSSLMode(m string) bool {
	for _, v := range SSLModes {
		if v == m {
			return true
		}
	}
	return false
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (p *rightsizeProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return dataSourceFactories
}

func (p *rightsizeProvider) Resources(_ context.Context) []func() resource.Resource {
	return resourceFactories
}
