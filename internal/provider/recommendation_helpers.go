package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	rdsauth "github.com/aws/aws-sdk-go-v2/feature/rds/auth"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
)

// objectAsOptions lets optional nested attributes leave fields null.
var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// rfc3339Validator accepts RFC 3339 timestamps.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return "value must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z"
}
func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timestamp",
			fmt.Sprintf("%s is %q, which is not an RFC 3339 timestamp: use the form 2026-11-01T00:00:00Z.", req.Path, req.ConfigValue.ValueString()))
	}
}

// multipleOfValidator accepts integers that are multiples of n.
type multipleOfValidator struct{ n int64 }

func (v multipleOfValidator) Description(context.Context) string {
	return fmt.Sprintf("value must be a multiple of %d", v.n)
}
func (v multipleOfValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (v multipleOfValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if req.ConfigValue.ValueInt64()%v.n != 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Period",
			fmt.Sprintf("%s is %d, which is not a multiple of %d: CloudWatch periods for stored metrics are whole minutes (60, 300, 3600, ...).",
				req.Path, req.ConfigValue.ValueInt64(), v.n))
	}
}

// recPostgresModel overrides the provider's postgres settings attribute by attribute.
type recPostgresModel struct {
	Host        types.String `tfsdk:"host"`
	Port        types.Int64  `tfsdk:"port"`
	Database    types.String `tfsdk:"database"`
	Username    types.String `tfsdk:"username"`
	Password    types.String `tfsdk:"password"`
	SSLMode     types.String `tfsdk:"sslmode"`
	SSLRootCert types.String `tfsdk:"sslrootcert"`
	IAMAuth     types.Bool   `tfsdk:"iam_auth"`
}

// postgresOverrideAttributes is the schema of recPostgresModel.
func postgresOverrideAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"host": schema.StringAttribute{Optional: true, MarkdownDescription: "Host name or IP address (the writer endpoint). Defaults to the provider's.",
			Validators: []validator.String{notBlankValidator{title: "Empty PostgreSQL Attribute", remedy: "remove it to use the provider's, or set it to the PostgreSQL server's host name or address",
				then: []validator.String{hostNotConnectionString{}}}}},
		"port": schema.Int64Attribute{Optional: true, MarkdownDescription: "TCP port, 1 to 65535. Defaults to the provider's.",
			Validators: []validator.Int64{int64validator.Between(1, 65535)}},
		"database": schema.StringAttribute{Optional: true, MarkdownDescription: "Database name. Defaults to the provider's.",
			Validators: []validator.String{notBlankValidator{title: "Empty PostgreSQL Attribute", remedy: "remove it to use the provider's, or set it to the database name"}}},
		"username": schema.StringAttribute{Optional: true, MarkdownDescription: "Role with `pg_monitor`. Defaults to the provider's.",
			Validators: []validator.String{notBlankValidator{title: "Empty PostgreSQL Attribute", remedy: "remove it to use the provider's, or set it to the role to connect as"}}},
		"password": schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Password. Defaults to the provider's. " +
			"Under a provider whose `postgres.iam_auth` is `true`, set `iam_auth = false` beside it (a password with the provider's IAM authentication is an error). Never logged, " +
			"but stored in plain text in the Terraform state, as every data source argument is (`sensitive` only hides it from plan output). " +
			"Prefer the provider block's `postgres.password` (provider configuration is not stored in the state), `PGPASSWORD`, or `iam_auth`."},
		"sslmode": schema.StringAttribute{Optional: true, MarkdownDescription: fmt.Sprintf("libpq sslmode, one of %s. Defaults to the provider's.", markdownList(SSLModes)),
			Validators: []validator.String{stringvalidator.OneOf(SSLModes...)}},
		"sslrootcert": schema.StringAttribute{Optional: true, MarkdownDescription: "CA bundle path. Defaults to the provider's."},
		"iam_auth":    schema.BoolAttribute{Optional: true, MarkdownDescription: "Use an RDS IAM authentication token built from the provider's AWS credentials. Defaults to the provider's."},
	}
}

// mergePostgres applies the per-data-source override on the provider's
// settings. An attribute the override sets is no longer Unknown.
func mergePostgres(ctx context.Context, base PostgresSettings, override types.Object) (PostgresSettings, error) {
	s := base
	if override.IsNull() || override.IsUnknown() {
		return s, nil
	}
	var o recPostgresModel
	if d := override.As(ctx, &o, objectAsOptions); d.HasError() {
		return s, fmt.Errorf("reading the postgres attribute: %v", d)
	}
	if pgstats.HostIsConnectionString(o.Host.ValueString()) {
		return s, errors.New(hostConnectionStringDetail("postgres.host"))
	}
	var set []string
	str := func(name string, dst *string, v types.String) {
		if v.ValueString() != "" {
			*dst = v.ValueString()
			set = append(set, name)
		}
	}
	str("host", &s.Host, o.Host)
	if !o.Port.IsNull() && !o.Port.IsUnknown() {
		s.Port = int(o.Port.ValueInt64())
		set = append(set, "port")
	}
	str("database", &s.Database, o.Database)
	str("username", &s.Username, o.Username)
	str("password", &s.Password, o.Password)
	str("sslmode", &s.SSLMode, o.SSLMode)
	str("sslrootcert", &s.SSLRootCert, o.SSLRootCert)
	if !o.IAMAuth.IsNull() && !o.IAMAuth.IsUnknown() {
		s.IAMAuth = o.IAMAuth.ValueBool()
		set = append(set, "iam_auth")
	}
	s.Unknown = slices.DeleteFunc(slices.Clone(s.Unknown), func(a string) bool { return slices.Contains(set, a) })
	s.fromService = slices.DeleteFunc(slices.Clone(s.fromService), func(a string) bool { return slices.Contains(set, a) })
	if len(s.envProblems) > 0 {
		s.envProblems = maps.Clone(s.envProblems)
		maps.DeleteFunc(s.envProblems, func(a, _ string) bool { return slices.Contains(set, a) })
		if err := s.envProblem(); err != nil && s.Configured() {
			return s, err
		}
	}
	// A password of the data source's own under the provider's iam_auth = true would be replaced by
	// an RDS IAM token (pgConnConfig), which the server refuses as a wrong password for a right one.
	if slices.Contains(set, "password") && !slices.Contains(set, "iam_auth") && s.IAMAuth {
		return s, errors.New(overridePasswordUnderIAMAuth)
	}
	return s, nil
}

// envProblem is the error of the invalid environment variables a connection with s would take
// its port or sslmode from (PostgresSettings.envProblems), nil when there is none.
func (s PostgresSettings) envProblem() error {
	var msgs []string
	for _, a := range envProblemAttrs {
		if m, ok := s.envProblems[a]; ok {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, " "))
}

// overridePasswordUnderIAMAuth is mergePostgres's error for a data source's postgres.password
// under the provider's postgres.iam_auth = true.
const overridePasswordUnderIAMAuth = "this data source's postgres.password is set, but the provider's postgres.iam_auth is true, " +
	"which sends an RDS IAM authentication token in place of a password: set iam_auth = false in this data source's postgres " +
	"attribute to connect with the password, or remove password to connect with IAM authentication"

// warnUnverifiedOverride adds unverifiedPostgres's warning for the connection of a data source
// whose postgres attribute (override) is set: the provider's settings base merged with it
// (mergePostgres), as the data source connects. Without override the settings are the
// provider's, which Configure judged (warnUnverifiedPostgres); with it, the same connection (host
// and effective sslmode) is not warned of again. The warning is on postgres.sslmode when the
// attribute sets it, else on postgres.host when it sets that, else on postgres. An override that
// cannot be read is not judged: the read reports it.
func warnUnverifiedOverride(ctx context.Context, diags *diag.Diagnostics, base PostgresSettings, override types.Object) {
	if override.IsNull() || override.IsUnknown() {
		return
	}
	var o recPostgresModel
	if d := override.As(ctx, &o, objectAsOptions); d.HasError() {
		return
	}
	s, err := mergePostgres(ctx, base, override)
	if err != nil || !unverifiedPostgres(s) {
		return
	}
	hostUnknown := func(p PostgresSettings) bool { return slices.Contains(p.Unknown, "host") }
	if unverifiedPostgres(base) && base.Host == s.Host && hostUnknown(base) == hostUnknown(s) && base.EffectiveSSLMode() == s.EffectiveSSLMode() {
		return // the provider's warning says it
	}
	mode := s.EffectiveSSLMode()
	at := path.Root("postgres")
	var source string
	switch {
	case o.SSLMode.ValueString() != "":
		at = at.AtName("sslmode")
		source = fmt.Sprintf("this data source's postgres.sslmode is %q", mode)
	case slices.Contains(s.fromService, "sslmode"):
		source = serviceSSLModeSource(s)
	case s.SSLMode != "":
		source = fmt.Sprintf("sslmode is %q, from the provider's postgres.sslmode or PGSSLMODE", mode)
	default:
		source = fmt.Sprintf("sslmode is not set, so it is libpq's default %q", mode)
	}
	if o.SSLMode.ValueString() == "" && o.Host.ValueString() != "" {
		at = at.AtName("host")
	}
	diags.AddAttributeWarning(at, unverifiedPostgresSummary, unverifiedPostgresDetail(s, "This data source's PostgreSQL connection", source,
		" (in this data source's postgres attribute, or in the provider's postgres block)"))
}

// unknownPostgresError is pgConnConfig's error when the provider's postgres
// block has attributes the connection needs that are not known until apply.
type unknownPostgresError struct{ attrs []string }

func (e *unknownPostgresError) Error() string {
	names := make([]string, len(e.attrs))
	for i, a := range e.attrs {
		names[i] = "postgres." + a
	}
	verb := "is"
	if len(names) > 1 {
		verb = "are"
	}
	override := ", set it in this data source's postgres attribute"
	if slices.Contains(e.attrs, "connect_timeout") || slices.Contains(e.attrs, "statement_timeout") {
		override = "" // the data sources' postgres attribute has no timeouts
	}
	return fmt.Sprintf("the provider's %s %s not known until apply (it depends on a resource not yet created), so PostgreSQL "+
		"cannot be read during plan: set it to a value known at plan time (a literal, variable or data source)%s, "+
		"add depends_on = [<the resource it comes from>] to this data source so that Terraform reads it during the apply, "+
		"or apply the resources it depends on first with -target",
		strings.Join(names, ", "), verb, override)
}

// unknownForConnection is what of s.Unknown a connection with s would use: all
// of it, except the password when the connection authenticates with IAM.
func (s PostgresSettings) unknownForConnection() []string {
	return slices.DeleteFunc(slices.Clone(s.Unknown), func(a string) bool {
		return a == "password" && s.IAMAuth && !slices.Contains(s.Unknown, "iam_auth")
	})
}

// validatePostgresAuth adds an error on block's password when it is set together with
// iam_auth = true, which builds an RDS IAM token in place of the password. Values not yet
// known are not judged. block is the provider's postgres block, or a data source's postgres
// attribute (see validatePostgresOverride).
func validatePostgresAuth(diags *diag.Diagnostics, block path.Path, iamAuth types.Bool, password types.String) {
	if iamAuth.ValueBool() && !password.IsNull() && !password.IsUnknown() {
		diags.AddAttributeError(block.AtName("password"), "Conflicting PostgreSQL Authentication",
			fmt.Sprintf("%s is set together with %s = true, which builds an RDS IAM token in place of the password: remove password or set iam_auth = false.",
				block.AtName("password"), block.AtName("iam_auth")))
	}
}

// validatePostgresOverride checks the postgres attribute (recPostgresModel) of a data source's
// configuration, for its ValidateConfig: see validatePostgresAuth.
func validatePostgresOverride(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var pg types.Object
	diags.Append(config.GetAttribute(ctx, path.Root("postgres"), &pg)...)
	if diags.HasError() || pg.IsNull() || pg.IsUnknown() {
		return
	}
	var o recPostgresModel
	diags.Append(pg.As(ctx, &o, objectAsOptions)...)
	if diags.HasError() {
		return
	}
	validatePostgresAuth(diags, path.Root("postgres"), o.IAMAuth, o.Password)
}

// pgConnConfig turns settings into a pgstats connection config, building an
// RDS IAM token when iam_auth is on.
func pgConnConfig(ctx context.Context, pd *ProviderData, s PostgresSettings) (pgstats.ConnConfig, error) {
	if u := s.unknownForConnection(); len(u) > 0 {
		return pgstats.ConnConfig{}, &unknownPostgresError{attrs: u}
	}
	if !s.Configured() {
		return pgstats.ConnConfig{}, fmt.Errorf("no PostgreSQL host is configured: set host in the provider's postgres block, in this data source's postgres attribute, in the connection service PGSERVICE names, or PGHOST")
	}
	if err := s.envProblem(); err != nil {
		return pgstats.ConnConfig{}, err
	}
	cc := pgstats.ConnConfig{
		Host: s.Host, Port: s.Port, Database: s.Database, User: s.Username, Password: s.Password,
		SSLMode: s.SSLMode, SSLRootCert: s.SSLRootCert, ConnectTimeout: s.ConnectTimeout,
	}
	if s.Service != nil {
		// pgx reads the service's other settings (sslcert, options, ...) from the file resolved here.
		cc.Service, cc.ServiceFile = s.Service.Name, s.Service.File
	}
	if s.IAMAuth {
		if pd == nil || pd.AWSConfig.Credentials == nil || pd.Region == "" {
			return cc, fmt.Errorf("iam_auth needs AWS credentials and a region in the provider configuration")
		}
		tok, err := rdsauth.BuildAuthToken(ctx, fmt.Sprintf("%s:%d", s.Host, s.Port), pd.Region, s.Username, pd.AWSConfig.Credentials)
		if err != nil {
			return cc, fmt.Errorf("building the RDS IAM authentication token for %s@%s:%d: %w", s.Username, s.Host, s.Port, err)
		}
		cc.Password = tok
	}
	return cc, nil
}

// factsNode names the node whose PostgreSQL facts a recommendation needs: the one that stays, the
// writer, or, for a DB instance that is a read replica, the replica itself (in recovery, as
// every replica is). RDS answers whether InstanceID is a replica; empty for an Aurora cluster.
type factsNode struct {
	RDS        inventory.RDSAPI
	InstanceID string
}

// replicaSource is the source of the DB instance when it is a read replica (a DB instance, or a
// Multi-AZ DB cluster: ReadReplicaSourceDBClusterIdentifier), "" otherwise. known is false when
// RDS finds no such instance (a mistyped identifier): the recommendation then reports that on the
// identifier, so the facts are not judged. Any other error of RDS's is returned: the facts are not
// taken unjudged.
func (n factsNode) replicaSource(ctx context.Context) (source string, known bool, err error) {
	if n.InstanceID == "" || n.RDS == nil {
		return "", true, nil
	}
	out, err := n.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: &n.InstanceID})
	var nf *rdstypes.DBInstanceNotFoundFault
	if errors.As(err, &nf) || (err == nil && len(out.DBInstances) == 0) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("describing DB instance %s, to tell whether it is a read replica whose facts are its own: %w", n.InstanceID, err)
	}
	in := out.DBInstances[0]
	for _, src := range []*string{in.ReadReplicaSourceDBInstanceIdentifier, in.ReadReplicaSourceDBClusterIdentifier} {
		if src != nil && *src != "" {
			return *src, true, nil
		}
	}
	return "", true, nil
}

// readPostgresFacts reads the facts the analysis uses: max_connections,
// connections in use, the connected database's cache hit ratio and TPS. They must be node's: a
// server in recovery is refused unless node is a read replica, and a read replica's are refused
// from a server not in recovery (its source).
func readPostgresFacts(ctx context.Context, pd *ProviderData, override types.Object, node factsNode) (*analysis.PostgresFacts, []string, error) {
	if pd == nil {
		return nil, nil, fmt.Errorf("the provider is not configured")
	}
	s, err := mergePostgres(ctx, pd.Postgres, override)
	if err != nil {
		return nil, nil, err
	}
	cc, err := pgConnConfig(ctx, pd, s)
	if err != nil {
		return nil, nil, err
	}
	conn, err := pgstats.Connect(ctx, cc)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	// Only counters and settings are needed: no catalog or disk walks, which on a large catalog
	// could hit the statement timeout and lose every fact, and no statement statistics, whose
	// read takes every entry's text and warns when pg_stat_statements is missing.
	st, err := pgstats.Collect(ctx, conn, pgstats.Options{StatementTimeout: s.StatementTimeout, SkipCatalogScans: true, SkipStatements: true})
	if err != nil {
		return nil, nil, fmt.Errorf("reading PostgreSQL statistics from %s: %w", s, err)
	}
	// Another node's cache hit ratio and connections (an Aurora reader's, a replica's, or a
	// replica's source's) are not those of the node that stays: taken for them, they invent or hide
	// a risk.
	source, known, err := node.replicaSource(ctx)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !known: // the recommendation reports RDS's error on the identifier
	case st.Server.InRecovery && source == "":
		return nil, nil, fmt.Errorf("%s is a hot standby (pg_is_in_recovery() is true), not the writer: its cache hit ratio and "+
			"connections are not the facts of the node that stays; point host at the writer (for Aurora the cluster endpoint, "+
			"not the reader endpoint; for RDS the instance's endpoint, not a read replica's)", s)
	case !st.Server.InRecovery && source != "":
		return nil, nil, fmt.Errorf("%s is not in recovery, but DB instance %s is a read replica of %s: its facts are the replica's "+
			"own; point host at %s's endpoint", s, node.InstanceID, source, node.InstanceID)
	}
	return factsFrom(st), st.Warnings, nil
}

// factsFrom turns statistics into the analysis' PostgreSQL facts. The cache hit ratio and TPS are
// the whole server's, not the connection's database's (which defaults to the idle maintenance
// database "postgres"): blocks hit and read, and transactions per second, summed over every
// database, as one node serves them all.
//
// The connection count is a fact only for a role with the privileges of pg_read_all_stats: to
// another role PostgreSQL hides other sessions' backend types, so other roles' parallel,
// autovacuum and WAL sender workers (which take no max_connections slot) would count as clients.
// Without it the projection's peak (CloudWatch's DatabaseConnections) stands alone.
//
// The reserved connections are the slots of max_connections the connection statistics leave out of
// those ordinary roles can use (pgstats' Connections.Available): superuser_reserved_connections,
// reserved_connections and RDS's rds.rds_superuser_reserved_connections.
func factsFrom(st *pgstats.Stats) *analysis.PostgresFacts {
	f := &analysis.PostgresFacts{MaxConnections: st.Connections.MaxConnections}
	if cn := st.Connections; cn.MaxConnections > 0 && cn.Available > 0 && cn.Available < cn.MaxConnections {
		f.ReservedConnections = cn.MaxConnections - cn.Available // not the clients': superusers' and reserved roles'
	}
	for _, sl := range st.Replication.Slots {
		if !sl.Temporary { // a session's own, dropped when it ends: no consumer to strand
			f.ReplicationSlots = append(f.ReplicationSlots, analysis.ReplicationSlot{Name: sl.Name, Logical: sl.Type == "logical",
				Plugin: sl.Plugin, Active: sl.Active, WALStatus: sl.WALStatus, RetainedBytes: sl.RetainedBytes})
		}
	}
	if st.Server.CanReadAllStats {
		f.PeakConnections = st.Connections.Total + 1 // counting the collector's own session
	}
	var hit, read int64
	since, known := time.Time{}, true // the earliest reset of the counters summed; unknown if one never was
	for _, db := range st.Databases {
		hit, read = hit+db.BlksHit, read+db.BlksRead
		if db.BlksHit+db.BlksRead > 0 {
			known = known && !db.StatsReset.IsZero()
			if since.IsZero() || db.StatsReset.Before(since) {
				since = db.StatsReset
			}
		}
		if !math.IsNaN(db.TransactionsPerSecond) {
			f.TPS += db.TransactionsPerSecond
		}
	}
	if hit+read > 0 {
		f.CacheHitRatio = float64(hit) / float64(hit+read)
		if known {
			f.CountersSince = since
		}
	}
	return f
}
