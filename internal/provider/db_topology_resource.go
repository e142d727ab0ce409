package provider

import (
	"context"
	"errors"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/aws"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/pgstats"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ resource.Resource                     = (*dbTopologyResource)(nil)
	_ resource.ResourceWithConfigure        = (*dbTopologyResource)(nil)
	_ resource.ResourceWithImportState      = (*dbTopologyResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*dbTopologyResource)(nil)
	_ resource.ResourceWithConfigValidators = (*dbTopologyResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*dbTopologyResource)(nil)
)

// Defaults of rightsize_db_topology.
const (
	defaultTopologyTimeout = 60 * time.Minute
	verdictConsolidate     = "consolidate"
	verdictInsufficient    = "insufficient-data"
)

// topologyNodeCounts are the allowed values of nodes.
var topologyNodeCounts = []int64{1, 2}

// maxGuardTags is how many guard.tags a configuration may set: RDS allows 50 tags per resource,
// and a guard snapshot carries up to about 30 of this provider's (the change's record, an Aurora
// reader's settings, the validation baseline's facts, and 3 added during the change).
const maxGuardTags = 15

// rdsTagCharacters says what rdsTagPattern accepts.
const rdsTagCharacters = "must contain only Unicode letters, digits, white space and _ . : / = + - @"

// topologyVerdicts are the verdicts rightsize_single_node_recommendation produces.
var topologyVerdicts = []string{"consolidate", "keep", "insufficient-data"}

var (
	// rdsTagPattern is the characters RDS accepts in a tag key or value (rdsTagCharacters).
	rdsTagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	// snapshotPrefixPattern is what guard.snapshot_identifier_prefix accepts.
	snapshotPrefixPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
	// tableNamePattern is what validation.tables accepts: table or schema.table, each part an
	// unquoted identifier (folded to lower case) or a double-quoted name of letters, digits, _, $
	// and - (kept as is), which topology.ParseTableName reads and a guard snapshot tag can record.
	tableNamePattern = regexp.MustCompile(`^(?:[A-Za-z_][A-Za-z0-9_$]*|"[A-Za-z0-9_$-]+")(?:\.(?:[A-Za-z_][A-Za-z0-9_$]*|"[A-Za-z0-9_$-]+"))?$`)
	// topologyObjectAs reads nested objects leniently (null or unknown fields stay zero).
	topologyObjectAs = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}
)

// tableNameLengthValidator refuses, at plan time, a validation table name tableNamePattern
// accepts but whose baseline a guard snapshot tag key cannot hold (topology.MaxTableNameLen):
// the apply would otherwise fail when it records the baseline.
type tableNameLengthValidator struct{}

var _ validator.String = tableNameLengthValidator{}

func (tableNameLengthValidator) Description(context.Context) string {
	return fmt.Sprintf("\"schema.table\" (schema public when not given, without quotes) must be at most %d characters", topology.MaxTableNameLen)
}

func (v tableNameLengthValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (tableNameLengthValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !tableNamePattern.MatchString(req.ConfigValue.ValueString()) {
		return // tableNamePattern's validator names the mistake
	}
	if _, _, err := topology.ParseTableName(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Validation Table", fmt.Sprintf("%s: %v.", req.Path, err))
	}
}

// orchestratorHook, when set, adjusts every orchestrator the resource builds. Only the
// provider's own acceptance tests set it (to poll on the sandbox's virtual clock).
var orchestratorHook func(*topology.Orchestrator)

// NewDBTopologyResource returns the rightsize_db_topology resource.
func NewDBTopologyResource() resource.Resource { return &dbTopologyResource{} }

type dbTopologyResource struct {
	data *ProviderData
}

type dbTopologyModel struct {
	ID                   types.String   `tfsdk:"id"`
	DBInstanceIdentifier types.String   `tfsdk:"db_instance_identifier"`
	DBClusterIdentifier  types.String   `tfsdk:"db_cluster_identifier"`
	Nodes                types.Int64    `tfsdk:"nodes"`
	Guard                types.Object   `tfsdk:"guard"`
	RequireVerdict       types.String   `tfsdk:"require_verdict"`
	Force                types.Bool     `tfsdk:"force"`
	ApplyImmediately     types.Bool     `tfsdk:"apply_immediately"`
	Validation           types.Object   `tfsdk:"validation"`
	RollbackOnFailure    types.Bool     `tfsdk:"rollback_on_failure"`
	RestoreOnDestroy     types.Bool     `tfsdk:"restore_on_destroy"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
	CurrentNodes         types.Int64    `tfsdk:"current_nodes"`
	MultiAZ              types.Bool     `tfsdk:"multi_az"`
	GuardSnapshotID      types.String   `tfsdk:"guard_snapshot_id"`
	GuardSnapshotARN     types.String   `tfsdk:"guard_snapshot_arn"`
	PreviousTopology     types.Object   `tfsdk:"previous_topology"`
	LastChange           types.Object   `tfsdk:"last_change"`
	Pending              types.Bool     `tfsdk:"pending"`
}

type guardModel struct {
	SnapshotIdentifierPrefix types.String `tfsdk:"snapshot_identifier_prefix"`
	Retain                   types.Bool   `tfsdk:"retain"`
	VerifyRestore            types.Bool   `tfsdk:"verify_restore"`
	Tags                     types.Map    `tfsdk:"tags"`
}

type validationModel struct {
	Tables       types.List `tfsdk:"tables"`
	CheckIndexes types.Bool `tfsdk:"check_indexes"`
}

type previousModel struct {
	Nodes   types.Int64  `tfsdk:"nodes"`
	MultiAZ types.Bool   `tfsdk:"multi_az"`
	Reader  types.Object `tfsdk:"reader"`
}

type readerModel struct {
	Identifier                   types.String `tfsdk:"identifier"`
	InstanceClass                types.String `tfsdk:"instance_class"`
	AvailabilityZone             types.String `tfsdk:"availability_zone"`
	PromotionTier                types.Int64  `tfsdk:"promotion_tier"`
	ParameterGroup               types.String `tfsdk:"parameter_group"`
	PerformanceInsights          types.Bool   `tfsdk:"performance_insights"`
	PerformanceInsightsKMSKeyID  types.String `tfsdk:"performance_insights_kms_key_id"`
	PerformanceInsightsRetention types.Int64  `tfsdk:"performance_insights_retention"`
	MonitoringInterval           types.Int64  `tfsdk:"monitoring_interval"`
	MonitoringRoleARN            types.String `tfsdk:"monitoring_role_arn"`
	PubliclyAccessible           types.Bool   `tfsdk:"publicly_accessible"`
	AutoMinorVersionUpgrade      types.Bool   `tfsdk:"auto_minor_version_upgrade"`
	CACertificate                types.String `tfsdk:"ca_certificate"`
	MaintenanceWindow            types.String `tfsdk:"maintenance_window"`
	Tags                         types.Map    `tfsdk:"tags"`
}

type lastChangeModel struct {
	Generation types.Int64  `tfsdk:"generation"`
	Time       types.String `tfsdk:"time"`
	Action     types.String `tfsdk:"action"`
	FromNodes  types.Int64  `tfsdk:"from_nodes"`
	ToNodes    types.Int64  `tfsdk:"to_nodes"`
}

var (
	guardAttrTypes = map[string]attr.Type{
		"snapshot_identifier_prefix": types.StringType, "retain": types.BoolType, "verify_restore": types.BoolType,
		"tags": types.MapType{ElemType: types.StringType},
	}
	validationAttrTypes = map[string]attr.Type{"tables": types.ListType{ElemType: types.StringType}, "check_indexes": types.BoolType}
	readerAttrTypes     = map[string]attr.Type{
		"identifier": types.StringType, "instance_class": types.StringType, "availability_zone": types.StringType,
		"promotion_tier": types.Int64Type, "parameter_group": types.StringType, "performance_insights": types.BoolType,
		"performance_insights_kms_key_id": types.StringType, "performance_insights_retention": types.Int64Type,
		"monitoring_interval": types.Int64Type, "monitoring_role_arn": types.StringType, "publicly_accessible": types.BoolType,
		"auto_minor_version_upgrade": types.BoolType, "ca_certificate": types.StringType,
		"maintenance_window": types.StringType, "tags": types.MapType{ElemType: types.StringType},
	}
	previousAttrTypes = map[string]attr.Type{
		"nodes": types.Int64Type, "multi_az": types.BoolType, "reader": types.ObjectType{AttrTypes: readerAttrTypes},
	}
	lastChangeAttrTypes = map[string]attr.Type{
		"generation": types.Int64Type, "time": types.StringType, "action": types.StringType,
		"from_nodes": types.Int64Type, "to_nodes": types.Int64Type,
	}
)

func defaultGuard() types.Object {
	return types.ObjectValueMust(guardAttrTypes, map[string]attr.Value{
		"snapshot_identifier_prefix": types.StringValue(topology.DefaultSnapshotPrefix),
		"retain":                     types.BoolValue(true), "verify_restore": types.BoolValue(false),
		"tags": types.MapNull(types.StringType),
	})
}

func (r *dbTopologyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_db_topology"
}

func (r *dbTopologyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	nodeValues := make([]string, len(topologyNodeCounts))
	for i, n := range topologyNodeCounts {
		nodeValues[i] = fmt.Sprint(n)
	}
	computedStr := func(d string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: d}
	}
	computedInt := func(d string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: d}
	}
	computedBool := func(d string) schema.BoolAttribute {
		return schema.BoolAttribute{Computed: true, MarkdownDescription: d}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Changes a 2-node PostgreSQL cluster to one node (or back) behind a verified guard snapshot: an RDS " +
			"Multi-AZ DB instance has Multi-AZ turned off (on), an Aurora PostgreSQL cluster has its reader deleted (recreated " +
			"from a record). The sequence is precheck → guard snapshot → verify → change → wait → validate → rollback on " +
			"failure; an interrupted apply resumes where it stopped when applied again. The plan shows a warning saying " +
			"exactly what apply will do.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "`instance:<db_instance_identifier>` or `cluster:<db_cluster_identifier>` (also the import identifier)."},
			"db_instance_identifier": schema.StringAttribute{Optional: true,
				PlanModifiers:       []planmodifier.String{replaceUnlessSameIdentifier()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 63), rdsIdentifierValidator{noun: "DB instance"}},
				MarkdownDescription: "Identifier of an RDS for PostgreSQL DB instance (2 nodes = Multi-AZ), not its ARN. Exactly one of `db_instance_identifier` and `db_cluster_identifier` is required; changing it to another database replaces the resource (a change of case only does not: RDS identifiers are not case-sensitive)."},
			"db_cluster_identifier": schema.StringAttribute{Optional: true,
				PlanModifiers:       []planmodifier.String{replaceUnlessSameIdentifier()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 63), rdsIdentifierValidator{noun: "DB cluster"}},
				MarkdownDescription: "Identifier of an Aurora PostgreSQL DB cluster with a writer and at most one reader (2 nodes = writer + reader). Serverless clusters and clusters with more than one reader are refused."},
			"nodes": schema.Int64Attribute{Required: true, Validators: []validator.Int64{int64validator.OneOf(topologyNodeCounts...)},
				MarkdownDescription: "Desired number of nodes: " + markdownList(nodeValues) + ". Refreshed from the real topology, so a change made outside Terraform shows as drift."},
			"guard": schema.SingleNestedAttribute{Optional: true, Computed: true, Default: objectdefault.StaticValue(defaultGuard()),
				MarkdownDescription: "The guard snapshot taken (and verified `available`) before any modification.",
				Attributes: map[string]schema.Attribute{
					"snapshot_identifier_prefix": schema.StringAttribute{Optional: true, Computed: true,
						Default:             stringdefault.StaticString(topology.DefaultSnapshotPrefix),
						Validators:          []validator.String{stringvalidator.LengthBetween(1, 100), stringvalidator.RegexMatches(snapshotPrefixPattern, "must start with a letter and contain only letters, digits and hyphens")},
						MarkdownDescription: "Prefix of the guard snapshot identifier `<prefix>-<identifier>-g<generation>-to<nodes>` (`-r<attempt>` is added to a retry's). An identifier longer than RDS allows (255 characters for a DB snapshot, 63 for an Aurora cluster snapshot) is shortened, ending in a hash of the whole. Defaults to `" + topology.DefaultSnapshotPrefix + "`."},
					"retain": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
						MarkdownDescription: "Keep the guard snapshot after a successful change (it is always kept after a failure, and after a change to one node of a DB instance, not a read replica, that keeps no automated backups, `BackupRetentionPeriod` 0, whose latest recovery point it then is, and its only one unless an AWS Backup plan takes others). Defaults to `true`."},
					"verify_restore": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "Before the change, restore the guard snapshot to a temporary DB instance, wait until it is available and delete it (DB instances only; adds the restore time to the apply). Defaults to `false`."},
					"tags": schema.MapAttribute{ElementType: types.StringType, Optional: true,
						Validators: []validator.Map{
							mapvalidator.SizeAtMost(maxGuardTags), noNullElements{"a tag value (\"\" for none)"},
							mapvalidator.KeysAre(characterLength{"key", 1, 128}, stringvalidator.RegexMatches(rdsTagPattern, rdsTagCharacters)),
							mapvalidator.ValueStringsAre(characterLength{"value", 0, 256}, stringvalidator.RegexMatches(rdsTagPattern, rdsTagCharacters)),
						},
						MarkdownDescription: fmt.Sprintf("Tags added to the guard snapshot and to `verify_restore`'s temporary DB instance: those an organisation's tag policy or service control policy requires on the snapshots and instances created (`aws:RequestTag` conditions on `rds:CreateDBSnapshot`, `rds:CreateDBClusterSnapshot`, `rds:RestoreDBInstanceFromDBSnapshot`, `rds:CreateDBInstance`), or that its cost allocation reads (guard snapshots are billed as backup storage). "+
							"An Aurora reader recreated (back to 2 nodes, `restore_on_destroy`, a rollback) gets those its own recorded tags lack, its own values kept: tagged before the policy, or not recorded, RDS would refuse it. "+
							"At most %d; RDS allows 50 tags per resource, and the guard snapshot carries this provider's `%s*` tags too (a recreated Aurora reader's own tags are recorded on it only where room is left). "+
							"An Aurora cluster's guard snapshot records its reader's settings too, so with `validation` it has room for at most %d less one per table (two with `check_indexes`): %d with %d tables and `check_indexes`; more are refused at plan. "+
							"Keys of 1 to 128 and values of up to 256 Unicode letters, digits, spaces and `_ . : / = + - @`, keys not starting with `aws:`, `rds:` or `%s`. They apply to the snapshots and instances later applies create; an existing guard snapshot keeps its tags.", maxGuardTags, topology.TagPrefix,
							topology.GuardTagsRoom(topology.KindCluster, 0), topology.GuardTagsRoom(topology.KindCluster, topology.ValidationFactTags(topology.MaxValidationTables, true)), topology.MaxValidationTables, topology.TagPrefix)},
				}},
			"require_verdict": schema.StringAttribute{Optional: true,
				Validators: []validator.String{stringvalidator.OneOf(topologyVerdicts...)},
				MarkdownDescription: "The `verdict` of `rightsize_single_node_recommendation` for this cluster (" + markdownList(topologyVerdicts) +
					"). When going to 1 node the plan fails unless it is `consolidate` (or `force = true`). Checked at plan time: a saved plan applied later is not checked again (see Saved plans). " +
					"Unset, no verdict is checked, and a plan going to 1 node warns that nothing gates it (unless `force = true`)."},
			"force": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Go to 1 node even when `require_verdict` is not `consolidate`. Defaults to `false`."},
			"apply_immediately": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Apply the Multi-AZ change now. When `false` it waits for the instance's maintenance window and `pending` is `true` until then (DB instances only); the first apply after the window validates the change and records it (with the rollback on failure). Setting it back to `true` while that change is still pending makes it now, as an update behind a new guard snapshot (so does a destroy with `restore_on_destroy` when the pending change is to two nodes). Defaults to `true`."},
			"validation": schema.SingleNestedAttribute{Optional: true,
				MarkdownDescription: "Checks through the provider's `postgres` connection: before the change the row counts (and index definitions) of `tables` are recorded; after it no rows may be lost, indexes must be unchanged and a `SELECT 1` must answer. Both times the connection must reach the primary: a server in recovery (a standby, an Aurora reader) is refused, before the change with nothing changed. A failure after the change triggers the rollback, but for a query the server stopped (its `statement_timeout` or `lock_timeout`): the apply then stops, and the next one validates again; a connection that fails, or a login refused for too many connections, is tried again after 5, 15 and 30 seconds first. Needs `SELECT` on the tables and `USAGE` on their schemas (or `pg_read_all_data`), and `BYPASSRLS` for a table with row-level security. Each query, a row count included, may run for the provider's `postgres.statement_timeout` (default 30 s).",
				Attributes: map[string]schema.Attribute{
					"tables": schema.ListAttribute{Required: true, ElementType: types.StringType,
						Validators: []validator.List{listvalidator.SizeBetween(1, topology.MaxValidationTables), noNullElements{"a table name"},
							listvalidator.ValueStringsAre(stringvalidator.RegexMatches(tableNamePattern,
								"must be \"table\" or \"schema.table\", each part an identifier, or a double-quoted name of letters, digits, _, $ and -"),
								tableNameLengthValidator{})},
						MarkdownDescription: fmt.Sprintf("Tables to compare, `table` (schema `public`) or `schema.table`; 1 to %d. "+
							"As in SQL and `rightsize_postgres_stats`, unquoted names fold to lower case and double quotes keep case: "+
							"`app.Users` is the table `users`, `app.\"Users\"` (in HCL `\"app.\\\"Users\\\"\"`) one created as `\"Users\"`. "+
							"A double-quoted name may hold letters, digits, `_`, `$` and `-`, and `schema.table` (with `public` when no schema is given, without quotes) at most %d characters (the guard snapshot's tags record it). "+
							"Choose tables nothing deletes from while the change runs (`users`, `messages`; not `sessions`, a table with retention deletes or one emptied by `ON DELETE CASCADE`): a count that drops fails validation and rolls the change back. "+
							"Each count reads the whole table (`count(*)`) on the primary, holding an `ACCESS SHARE` lock that DDL (and the queries queued behind it) waits for: choose tables that count in seconds.", topology.MaxValidationTables, topology.MaxTableNameLen)},
					"check_indexes": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "Also compare the index definitions of `tables`. Defaults to `false`."},
				}},
			"rollback_on_failure": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "On a validation failure, a change RDS reports failed, or one that has not begun when the timeout runs out, restore the previous topology (Multi-AZ back on, or the reader recreated), on a deadline of its own as long as the operation's timeout (at least 60 minutes). A change still in progress when the timeout runs out is not rolled back: the next apply waits for it and validates it. A change to 2 nodes that has given the database its two nodes (a validation failing after it) is not rolled back (that would take away the redundancy it restores): it fails, keeping them. Defaults to `true`."},
			"restore_on_destroy": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "On destroy, restore 2 nodes (guarded the same way), at once whatever `apply_immediately` says: once the resource is destroyed, no apply is left to validate and record a change the maintenance window makes. Defaults to `false`: destroy only removes the resource from the state. " +
					"A destroy (`terraform destroy`, the resource's block removed, or the destroy half of a replacement) reads it from the state, not the configuration, which Terraform does not give a destroy: set to `true` and not yet applied, the destroy only forgets the resource. Apply it first (an update that changes nothing on the database)."},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true,
				CreateDescription: "Time for the whole guarded change on create (a rollback then has as long again of its own). Defaults to `60m`.",
				UpdateDescription: "Time for the whole guarded change on update (a rollback then has as long again of its own). Defaults to `60m`.",
				DeleteDescription: "Time for the restore when `restore_on_destroy = true`. Defaults to `60m`."}),
			"current_nodes":      computedInt("Nodes the target has now (1 or 2). An Aurora reader being created counts, and so does a Multi-AZ change RDS is making for an apply of this resource that stopped after requesting it (the plan then shows an update that takes the database back)."),
			"multi_az":           computedBool("Whether the DB instance is Multi-AZ (clusters: whether it has a reader)."),
			"guard_snapshot_id":  computedStr("Identifier of the guard snapshot of the last change. After a validated change with `guard.retain = false` that snapshot is deleted (unless kept as the only recovery point, see `guard.retain`) and this still names it."),
			"guard_snapshot_arn": computedStr("ARN of the guard snapshot of the last change. After a validated change with `guard.retain = false` that snapshot is deleted (unless kept as the only recovery point, see `guard.retain`) and this still names it."),
			"pending":            computedBool("Whether a change waits for the maintenance window (`apply_immediately = false`), or was made in it and waits for the next apply to validate and record it (the plan then shows an update)."),
			// Computed objects are object attributes, not nested attributes: Terraform before 1.7
			// crashes generating configuration (plan -generate-config-out, for an import block) for a
			// resource with a computed-only nested attribute (hashicorp/terraform#34463).
			"previous_topology": schema.ObjectAttribute{Computed: true, AttributeTypes: previousAttrTypes,
				MarkdownDescription: "What is needed to restore the topology the last change replaced: " + markdownFields(previousFields) +
					" `reader` is the Aurora reader the last change removed (or created): " + markdownFields(readerFields) +
					" A plan that removes an Aurora reader already holds `reader.identifier` as the instance it removes, so that the apply of a saved plan cannot remove another (see Saved plans)."},
			"last_change": schema.ObjectAttribute{Computed: true, AttributeTypes: lastChangeAttrTypes,
				MarkdownDescription: "The last change this resource made: " + markdownFields(lastChangeFields)},
		},
	}
}

// previousFields, readerFields and lastChangeFields describe the attributes of the computed
// objects previous_topology, its reader, and last_change (previousAttrTypes, lastChangeAttrTypes).
var (
	previousFields = [][2]string{
		{"nodes", "nodes before the last change"},
		{"multi_az", "Multi-AZ before the last change"},
		{"reader", "the Aurora reader, below (null for an RDS instance)"},
	}
	readerFields = [][2]string{
		{"identifier", "DB instance identifier"},
		{"instance_class", "DB instance class"},
		{"availability_zone", "Availability Zone"},
		{"promotion_tier", "failover priority (0–15)"},
		{"parameter_group", "DB parameter group name"},
		{"performance_insights", "whether Performance Insights was on"},
		{"performance_insights_kms_key_id", "Performance Insights KMS key"},
		{"performance_insights_retention", "Performance Insights retention, in days"},
		{"monitoring_interval", "Enhanced Monitoring interval, in seconds (0 = off)"},
		{"monitoring_role_arn", "Enhanced Monitoring IAM role"},
		{"publicly_accessible", "whether it was publicly accessible"},
		{"auto_minor_version_upgrade", "whether minor version upgrades were automatic"},
		{"ca_certificate", "CA certificate identifier"},
		{"maintenance_window", "the reader's own preferred maintenance window (`ddd:hh24:mi-ddd:hh24:mi` UTC)"},
		{"tags", "the reader's resource tags (Aurora instances do not inherit the cluster's), but this provider's and AWS's: a recreated reader gets them back, " +
			"with `rightsize:managed-by` beside them where RDS's 50 tags leave room. " +
			"Null when they are not known (a change resumed from a guard snapshot that had no room for them among RDS's 50 tags, or from an earlier version's guard snapshot): " +
			"a reader recreated from such a record has none of its own, and the apply warns. (Earlier versions recorded a removal resumed after an interrupted apply as `{}`, " +
			"which cannot be told from a reader without tags: check such a reader's tags after going back to 2 nodes.)"},
	}
	lastChangeFields = [][2]string{
		{"generation", "change counter of this resource; part of the guard snapshot identifier, so a retried apply finds its snapshot"},
		{"time", "when the apply that made the change, or recorded it, ended (RFC 3339, UTC); null while the change waits for the maintenance window (`pending`), and after an import. " +
			"A change the maintenance window made is recorded by the next apply, so this is that apply's time, not the window's; " +
			"one whose apply failed and left it in place (a validation failure with `rollback_on_failure = false`, a failed rollback), " +
			"or whose apply's result was not saved, is recorded from its guard snapshot by the next refresh, so this is that refresh's time"},
		{"action", "what was done"},
		{"from_nodes", "nodes before"},
		{"to_nodes", "nodes after"},
	}
)

// markdownFields renders fields as "`name` (what it is); ..." ending with a full stop.
func markdownFields(fields [][2]string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fmt.Sprintf("`%s` (%s)", f[0], f[1])
	}
	return strings.Join(parts, "; ") + "."
}

func (r *dbTopologyResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("db_instance_identifier"), path.MatchRoot("db_cluster_identifier")),
	}
}

func (r *dbTopologyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m dbTopologyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateTimeouts(m.Timeouts, &resp.Diagnostics)
	validateGuardTags(m.guard(ctx, &resp.Diagnostics), &resp.Diagnostics)
	m.validateGuardTagRoom(ctx, &resp.Diagnostics)
	if m.DBClusterIdentifier.IsNull() || m.DBClusterIdentifier.IsUnknown() {
		return
	}
	if !m.ApplyImmediately.IsNull() && !m.ApplyImmediately.IsUnknown() && !m.ApplyImmediately.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("apply_immediately"), "Maintenance Window Not Available for Aurora",
			"Removing or adding an Aurora reader cannot wait for the maintenance window. Remove apply_immediately or set it to true.")
	}
	if g := m.guard(ctx, &resp.Diagnostics); g.VerifyRestore.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("guard").AtName("verify_restore"), "verify_restore Not Supported for Aurora",
			"verify_restore restores DB instance snapshots only; the guard of an Aurora cluster is a cluster snapshot. Remove verify_restore or set it to false.")
	}
}

// validateGuardTags refuses guard.tags keys with a prefix AWS reserves (aws:, rds:) or this
// provider's own (rightsize:, which its guard snapshots' records use), and values with one AWS
// reserves, whatever their case: RDS would refuse the guard snapshot's creation.
func validateGuardTags(g guardModel, diags *diag.Diagnostics) {
	if g.Tags.IsNull() || g.Tags.IsUnknown() {
		return
	}
	for k, v := range g.Tags.Elements() {
		at := path.Root("guard").AtName("tags").AtMapKey(k)
		for _, p := range []string{"aws:", "rds:", topology.TagPrefix} {
			if strings.HasPrefix(strings.ToLower(k), p) {
				who := "AWS"
				if p == topology.TagPrefix {
					who = "this provider (its guard snapshots' records)"
				}
				diags.AddAttributeError(at, "Reserved Tag Key", fmt.Sprintf("Tag key %q starts with %q, which %s reserves. Rename the key.", k, k[:len(p)], who))
			}
		}
		if s, ok := v.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
			if l := strings.ToLower(s.ValueString()); strings.HasPrefix(l, "aws:") || strings.HasPrefix(l, "rds:") {
				diags.AddAttributeError(at, "Reserved Tag Value", fmt.Sprintf("The value of tag %q starts with %q, which RDS refuses in a tag value. Change the value.", k, s.ValueString()[:4]))
			}
		}
	}
}

// validateGuardTagRoom refuses more guard.tags than the guard snapshot has room for beside this
// provider's own tags and the validation baseline's (topology.GuardTagsRoom): the Aurora reader's
// recorded settings and 10 validation tables with check_indexes leave fewer than maxGuardTags,
// and RDS would refuse the guard snapshot at apply.
func (m *dbTopologyModel) validateGuardTagRoom(ctx context.Context, diags *diag.Diagnostics) {
	g := m.guard(ctx, diags)
	if g.Tags.IsNull() || g.Tags.IsUnknown() || m.Validation.IsNull() || m.Validation.IsUnknown() {
		return
	}
	var vm validationModel
	if diags.Append(m.Validation.As(ctx, &vm, topologyObjectAs)...); diags.HasError() || vm.Tables.IsNull() || vm.Tables.IsUnknown() {
		return
	}
	kind, noun, own := topology.KindInstance, "a DB instance", "the change's record"
	if !m.DBClusterIdentifier.IsNull() {
		kind, noun, own = topology.KindCluster, "an Aurora cluster", "the change's record and the reader's settings"
	}
	tables := len(vm.Tables.Elements())
	facts := topology.ValidationFactTags(tables, !vm.CheckIndexes.IsUnknown() && vm.CheckIndexes.ValueBool())
	if room := max(0, topology.GuardTagsRoom(kind, facts)); len(g.Tags.Elements()) > room {
		diags.AddAttributeError(path.Root("guard").AtName("tags"), "Too Many Guard Tags", fmt.Sprintf(
			"guard.tags sets %d tags, but the guard snapshot of %s validated so has room for %d: RDS allows 50 tags per resource, and it carries this provider's own "+
				"(%s) and %d of the validation baseline (a row count for each of the %d validation.tables, and with check_indexes their index definitions). "+
				"Remove guard.tags, or validation tables, or set validation.check_indexes to false.",
			len(g.Tags.Elements()), noun, room, own, facts, tables))
	}
}

func (r *dbTopologyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	pd, ok := req.ProviderData.(*ProviderData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *ProviderData, got %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	r.data = pd
}

// ---- model helpers ----

// target is the database m changes, its identifier in lower case as RDS stores it (RDS matches
// identifiers without regard to case), so that guard snapshots' tags and names are the same
// whichever case the configuration uses.
func (m *dbTopologyModel) target() topology.Target {
	if id := m.DBClusterIdentifier.ValueString(); id != "" {
		return topology.Target{Kind: topology.KindCluster, Identifier: strings.ToLower(id)}
	}
	return topology.Target{Kind: topology.KindInstance, Identifier: strings.ToLower(m.DBInstanceIdentifier.ValueString())}
}

func (m *dbTopologyModel) guard(ctx context.Context, diags *diag.Diagnostics) guardModel {
	g := guardModel{SnapshotIdentifierPrefix: types.StringValue(topology.DefaultSnapshotPrefix), Retain: types.BoolValue(true), VerifyRestore: types.BoolValue(false)}
	if m.Guard.IsNull() || m.Guard.IsUnknown() {
		return g
	}
	diags.Append(m.Guard.As(ctx, &g, topologyObjectAs)...)
	if g.SnapshotIdentifierPrefix.IsNull() || g.SnapshotIdentifierPrefix.IsUnknown() {
		g.SnapshotIdentifierPrefix = types.StringValue(topology.DefaultSnapshotPrefix)
	}
	if g.Retain.IsNull() || g.Retain.IsUnknown() {
		g.Retain = types.BoolValue(true)
	}
	return g
}

func (m *dbTopologyModel) generation(ctx context.Context, diags *diag.Diagnostics) int64 {
	if m.LastChange.IsNull() || m.LastChange.IsUnknown() {
		return 0
	}
	var lc lastChangeModel
	diags.Append(m.LastChange.As(ctx, &lc, topologyObjectAs)...)
	return lc.Generation.ValueInt64()
}

func (m *dbTopologyModel) previous(ctx context.Context, diags *diag.Diagnostics) *topology.Previous {
	if m.PreviousTopology.IsNull() || m.PreviousTopology.IsUnknown() {
		return nil
	}
	var pm previousModel
	diags.Append(m.PreviousTopology.As(ctx, &pm, topologyObjectAs)...)
	p := &topology.Previous{Nodes: int(pm.Nodes.ValueInt64()), MultiAZ: pm.MultiAZ.ValueBool()}
	if !pm.Reader.IsNull() && !pm.Reader.IsUnknown() {
		var rm readerModel
		diags.Append(pm.Reader.As(ctx, &rm, topologyObjectAs)...)
		p.Reader = &topology.ReaderSpec{
			Identifier: rm.Identifier.ValueString(), Class: rm.InstanceClass.ValueString(),
			AvailabilityZone: rm.AvailabilityZone.ValueString(), PromotionTier: int32(rm.PromotionTier.ValueInt64()),
			ParameterGroup: rm.ParameterGroup.ValueString(), PerformanceInsights: rm.PerformanceInsights.ValueBool(),
			PerformanceInsightsKMSKeyID:  rm.PerformanceInsightsKMSKeyID.ValueString(),
			PerformanceInsightsRetention: int32(rm.PerformanceInsightsRetention.ValueInt64()),
			MonitoringInterval:           int32(rm.MonitoringInterval.ValueInt64()), MonitoringRoleARN: rm.MonitoringRoleARN.ValueString(),
			PubliclyAccessible: rm.PubliclyAccessible.ValueBool(), AutoMinorVersionUpgrade: rm.AutoMinorVersionUpgrade.ValueBool(),
			CACertificate: rm.CACertificate.ValueString(), MaintenanceWindow: rm.MaintenanceWindow.ValueString(),
		}
		if !rm.Tags.IsNull() && !rm.Tags.IsUnknown() {
			diags.Append(rm.Tags.ElementsAs(ctx, &p.Reader.Tags, false)...)
		} else {
			p.Reader.TagsUnrecorded = true
		}
	}
	return p
}

// tagValues are tags as Terraform string values (an empty map for none).
func tagValues(tags map[string]string) map[string]attr.Value {
	out := make(map[string]attr.Value, len(tags))
	for k, v := range tags {
		out[k] = types.StringValue(v)
	}
	return out
}

func previousObject(p topology.Previous) types.Object {
	reader := types.ObjectNull(readerAttrTypes)
	if rd := p.Reader; rd != nil {
		tags := types.MapNull(types.StringType)
		if !rd.TagsUnrecorded {
			tags = types.MapValueMust(types.StringType, tagValues(rd.Tags))
		}
		reader = types.ObjectValueMust(readerAttrTypes, map[string]attr.Value{
			"identifier": types.StringValue(rd.Identifier), "instance_class": types.StringValue(rd.Class),
			"availability_zone": types.StringValue(rd.AvailabilityZone), "promotion_tier": types.Int64Value(int64(rd.PromotionTier)),
			"parameter_group": types.StringValue(rd.ParameterGroup), "performance_insights": types.BoolValue(rd.PerformanceInsights),
			"performance_insights_kms_key_id": types.StringValue(rd.PerformanceInsightsKMSKeyID),
			"performance_insights_retention":  types.Int64Value(int64(rd.PerformanceInsightsRetention)),
			"monitoring_interval":             types.Int64Value(int64(rd.MonitoringInterval)), "monitoring_role_arn": types.StringValue(rd.MonitoringRoleARN),
			"publicly_accessible": types.BoolValue(rd.PubliclyAccessible), "auto_minor_version_upgrade": types.BoolValue(rd.AutoMinorVersionUpgrade),
			"ca_certificate": types.StringValue(rd.CACertificate), "maintenance_window": types.StringValue(rd.MaintenanceWindow),
			"tags": tags,
		})
	}
	return types.ObjectValueMust(previousAttrTypes, map[string]attr.Value{
		"nodes": types.Int64Value(int64(p.Nodes)), "multi_az": types.BoolValue(p.MultiAZ), "reader": reader,
	})
}

// request builds the orchestrator request for a change of m's target to nodes.
// ownPending says that the Multi-AZ change pending for the maintenance window is the one this
// resource's last apply deferred (deferredByLastApply), which a run not deferred makes now.
func (r *dbTopologyResource) request(ctx context.Context, m *dbTopologyModel, nodes int, gen int64, prev *topology.Previous, ownPending bool, diags *diag.Diagnostics) topology.Request {
	g := m.guard(ctx, diags)
	var tags map[string]string
	if !g.Tags.IsNull() && !g.Tags.IsUnknown() {
		diags.Append(g.Tags.ElementsAs(ctx, &tags, false)...)
	}
	req := topology.Request{
		Tags:   tags,
		Target: m.target(), Nodes: nodes, Generation: gen, Previous: prev, OwnPending: ownPending,
		SnapshotPrefix:       g.SnapshotIdentifierPrefix.ValueString(),
		DeleteGuardOnSuccess: !g.Retain.ValueBool(),
		VerifyRestore:        g.VerifyRestore.ValueBool(),
		// Not known until apply (a plan's preview only: apply has them), each is its default.
		DeferToMaintenanceWindow: !m.ApplyImmediately.IsNull() && !m.ApplyImmediately.IsUnknown() && !m.ApplyImmediately.ValueBool(),
		DisableRollback:          !m.RollbackOnFailure.IsNull() && !m.RollbackOnFailure.IsUnknown() && !m.RollbackOnFailure.ValueBool(),
	}
	if !m.Validation.IsNull() && !m.Validation.IsUnknown() {
		var vm validationModel
		diags.Append(m.Validation.As(ctx, &vm, topologyObjectAs)...)
		// During plan a table name may not be known yet (it comes from another resource): the
		// validator is then built without tables, for the plan's preview only; apply has them all.
		var tables []string
		if knownList(vm.Tables) {
			diags.Append(vm.Tables.ElementsAs(ctx, &tables, false)...)
		}
		pd := r.data
		if !slices.Contains(pd.Postgres.Unknown, "host") {
			req.ValidationHost = pd.Postgres.Host // not known until apply: not judged at plan
		}
		req.Validator = &topology.PGValidator{
			Tables: tables, CheckIndexes: vm.CheckIndexes.ValueBool(), StatementTimeout: pd.Postgres.StatementTimeout,
			Connect: func(ctx context.Context) (*pgx.Conn, error) {
				cc, err := pgConnConfig(ctx, pd, pd.Postgres)
				if err != nil {
					return nil, err
				}
				return pgstats.Connect(ctx, cc)
			},
		}
	}
	return req
}

// interruptKey keys the request's context (withOperationTimeout) in the operation's context.
type interruptKey struct{}

// withOperationTimeout is ctx with the operation's timeout, carrying ctx itself for the
// orchestrator's Interrupt: once the timeout has passed, the operation's context reports its
// deadline whatever happens next, but a rollback (which outlives it) still stops waiting on
// Terraform's stop (Ctrl-C), which cancels ctx.
func withOperationTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithValue(ctx, interruptKey{}, ctx), timeout)
}

// withTopologyLogFields is ctx with the fields every log line of a change of req carries, for a
// search of the log: the target ("instance:<id>" or "cluster:<id>"), the node count it goes to and
// the generation (the guard snapshot's g<generation> and rightsize:generation tag).
func withTopologyLogFields(ctx context.Context, req topology.Request) context.Context {
	return tflog.SetField(tflog.SetField(tflog.SetField(ctx,
		"rightsize_target", req.Target.String()),
		"rightsize_nodes", req.Nodes),
		"rightsize_generation", req.Generation)
}

func (r *dbTopologyResource) orchestrator(ctx context.Context) *topology.Orchestrator {
	o := &topology.Orchestrator{RDS: r.data.RDS, Logf: func(format string, args ...any) {
		tflog.Info(ctx, fmt.Sprintf(format, args...))
	}, Warnf: func(format string, args ...any) {
		tflog.Warn(ctx, fmt.Sprintf(format, args...))
	}}
	if ic, ok := ctx.Value(interruptKey{}).(context.Context); ok {
		o.Interrupt = ic
	}
	// A rollback runs on a deadline of its own, as long as the operation's timeout (the apply's
	// has usually run out when it starts): a database large enough to need a longer timeouts.<op>
	// needs as long to turn Multi-AZ on again.
	if dl, ok := ctx.Deadline(); ok {
		o.RollbackTimeout = max(topology.DefaultRollbackTimeout, time.Until(dl))
	}
	if r.data.AutoScaling != nil {
		o.AutoScaling = r.data.AutoScaling
	}
	if orchestratorHook != nil {
		orchestratorHook(o)
	}
	return o
}

// apply runs the change and writes the result into m.
// managed is true for an update (the resource is in the state), false for a create.
func (r *dbTopologyResource) apply(ctx context.Context, m *dbTopologyModel, nodes int, gen int64, prev *topology.Previous, ownPending, managed bool, diags *diag.Diagnostics) (ok bool, err error) {
	req := r.request(ctx, m, nodes, gen, prev, ownPending, diags)
	if diags.HasError() {
		return false, nil
	}
	req.ExpectedReader = plannedReader(m)
	ctx = withTopologyLogFields(ctx, req)
	res, err := r.orchestrator(ctx).Run(ctx, req)
	if err != nil {
		addTopologyError(diags, req, err, managed)
		return false, err
	}
	m.ID = types.StringValue(req.Target.String())
	m.Nodes = types.Int64Value(int64(nodes))
	m.CurrentNodes = types.Int64Value(int64(res.Nodes))
	m.MultiAZ = types.BoolValue(res.MultiAZ)
	m.Pending = types.BoolValue(res.Pending)
	m.GuardSnapshotID = types.StringValue(res.GuardSnapshotID)
	m.GuardSnapshotARN = types.StringValue(res.GuardSnapshotARN)
	m.PreviousTopology = previousObject(res.Previous)
	// The time the change is recorded: not yet while it waits for the maintenance window.
	recorded := types.StringValue(time.Now().UTC().Format(time.RFC3339))
	if res.Pending {
		recorded = types.StringNull()
	}
	m.LastChange = types.ObjectValueMust(lastChangeAttrTypes, map[string]attr.Value{
		"generation": types.Int64Value(gen), "time": recorded,
		"action": types.StringValue(res.Action), "from_nodes": types.Int64Value(int64(res.FromNodes)), "to_nodes": types.Int64Value(int64(nodes)),
	})
	if res.Validation != nil {
		tflog.Info(ctx, "rightsize_db_topology validation passed", map[string]any{"checks": strings.Join(res.Validation.Checked, "; ")})
		if nc := res.Validation.NotCompared; len(nc) > 0 {
			diags.AddAttributeWarning(path.Root("validation"), "Validation Not Compared",
				fmt.Sprintf("The change was validated against the baseline recorded on guard snapshot %s when the change began, which has nothing for: %s. "+
					"They were not compared: added to validation since the change began, or the change was begun by another apply "+
					"(another workspace, or another resource on the same database). Check them on %s yourself.",
					res.GuardSnapshotID, strings.Join(nc, ", "), req.Target.Noun()))
		}
	}
	warnReaderWithoutTags(diags, req.Target, res.ReaderWithoutTags)
	if res.ReaderParameterGroupReplaced != "" {
		diags.AddWarning("Reader Recreated With Another Parameter Group", fmt.Sprintf("Reader %s of %s was recreated %s "+
			"(deleted since the reader was removed, or of the engine version before a major upgrade). "+
			"If the reader needs settings of its own, give it a DB parameter group of the current engine version "+
			"(aws rds modify-db-instance --db-instance-identifier %s --db-parameter-group-name <group> --apply-immediately; it takes effect at the reader's next reboot).",
			res.Previous.Reader.Identifier, req.Target.Noun(), res.ReaderParameterGroupReplaced, res.Previous.Reader.Identifier))
	}
	if res.ReaderMonitoringDropped != "" {
		diags.AddWarning("Reader Recreated Without Enhanced Monitoring", fmt.Sprintf("Reader %s of %s was recreated %s"+
			": the role was deleted since the reader was removed, or RDS may no longer assume it. To turn it on again with a role RDS can assume "+
			"(trusting monitoring.rds.amazonaws.com, with the AmazonRDSEnhancedMonitoringRole policy): "+
			"aws rds modify-db-instance --db-instance-identifier %s --monitoring-interval <seconds> --monitoring-role-arn <role ARN> --apply-immediately.",
			res.Previous.Reader.Identifier, req.Target.Noun(), res.ReaderMonitoringDropped, res.Previous.Reader.Identifier))
	}
	if len(res.RestoreInstancesLeft) > 0 {
		diags.AddWarning("Temporary Restore Instance Left", fmt.Sprintf("An earlier apply's guard.verify_restore left temporary DB instance(s), restored from guard snapshots of this change "+
			"that are no longer used, which this apply could not remove: %s. Delete them once available "+
			"(aws rds delete-db-instance --db-instance-identifier <identifier> --skip-final-snapshot): they are billed as DB instances until deleted.",
			strings.Join(res.RestoreInstancesLeft, "; ")))
	}
	if res.SupersededGuardSnapshotID != "" {
		diags.AddWarning("Earlier Guard Snapshot Superseded", fmt.Sprintf("An earlier apply took guard snapshot %s and was interrupted before it changed %s. "+
			"A database is changed only behind a guard snapshot taken in the same apply, so this apply took %s. "+
			"%s is kept, tagged %s = %s; delete it when you no longer need it (it is billed as backup storage).",
			res.SupersededGuardSnapshotID, req.Target.Noun(), res.GuardSnapshotID, res.SupersededGuardSnapshotID, topology.TagOutcome, topology.OutcomeSuperseded))
	}
	if res.GuardSnapshotRetained {
		r.guardsAddUp(ctx, req.Target, res.GuardSnapshotID, diags)
	}
	if res.OutcomeTagError != "" {
		diags.AddWarning("Guard Snapshot Outcome Not Recorded", fmt.Sprintf("The change succeeded, but guard snapshot %[1]s could not be tagged %[2]s = %[3]s: %[4]s. "+
			"Its %[2]s tag still reads as a change under way: a guard snapshot never to delete, which a later apply or an import may take for an unfinished change. "+
			"Set the tag by hand (aws rds add-tags-to-resource --resource-name %[5]s --tags Key=%[2]s,Value=%[3]s), "+
			"after allowing the provider's credentials rds:AddTagsToResource if that was the cause.",
			res.GuardSnapshotID, topology.TagOutcome, topology.OutcomeCompleted, res.OutcomeTagError, res.GuardSnapshotARN))
	}
	switch {
	case !res.GuardSnapshotRetained:
		diags.AddWarning("Guard Snapshot Deleted", fmt.Sprintf("The change succeeded and guard snapshot %s was deleted (guard.retain = false).", res.GuardSnapshotID))
	case res.GuardDeleteError != "":
		diags.AddWarning("Guard Snapshot Not Deleted", fmt.Sprintf("The change succeeded, but guard snapshot %s could not be deleted as guard.retain = false asks: %s. "+
			"It is kept: delete it when you no longer need it (it is billed as backup storage), after allowing the provider's credentials rds:DeleteDBSnapshot or rds:DeleteDBClusterSnapshot if that was the cause.",
			res.GuardSnapshotID, res.GuardDeleteError))
	case res.GuardKeptNoBackups:
		diags.AddWarning("Guard Snapshot Kept", fmt.Sprintf("The change succeeded, and guard snapshot %s is kept although guard.retain = false: %s keeps no automated backups "+
			"(backup retention period 0), so the snapshot is the single node's latest recovery point, and its only one unless an AWS Backup plan takes others. Turn automated backups on, then delete it (it is billed as backup storage).",
			res.GuardSnapshotID, req.Target.Noun()))
	case req.DeleteGuardOnSuccess && res.Resumed && res.GuardSnapshotID != "":
		diags.AddWarning("Guard Snapshot Kept", fmt.Sprintf("The change was completed by an earlier apply, whose guard snapshot %s is kept whatever guard.retain says "+
			"(it may be a restore point kept on purpose): delete it when you no longer need it.", res.GuardSnapshotID))
	}
	return true, nil
}

// warnReaderWithoutTags warns, when reader is not empty, that the change or its rollback
// recreated that Aurora reader of target without its own tags, which were not recorded.
func warnReaderWithoutTags(diags *diag.Diagnostics, target topology.Target, reader string) {
	if reader == "" {
		return
	}
	diags.AddWarning("Reader Recreated Without Its Tags", fmt.Sprintf("Reader %[1]s of %[2]s was recreated from a record that did not hold its own tags "+
		"(a guard snapshot without room for them among RDS's 50 tags, or a record of an earlier provider version): it has none of its own, only guard.tags (if set) and %[3]s. "+
		"Aurora instances do not inherit the cluster's tags, so cost allocation, tag-based access and backup plans may not cover it: "+
		"tag it again (aws rds add-tags-to-resource --resource-name <its ARN> --tags Key=...,Value=...).",
		reader, target.Noun(), topology.TagManagedBy))
}

// validateTimeouts refuses a timeouts entry that is zero or negative: the change would stop
// before its first call (the framework's timeouts block checks only the duration's syntax).
func validateTimeouts(t timeouts.Value, diags *diag.Diagnostics) {
	if t.IsNull() || t.IsUnknown() {
		return
	}
	for _, op := range []string{"create", "update", "delete"} {
		v, ok := t.Attributes()[op].(types.String)
		if !ok || v.IsNull() || v.IsUnknown() {
			continue
		}
		if d, err := time.ParseDuration(v.ValueString()); err == nil && d <= 0 {
			diags.AddAttributeError(path.Root("timeouts").AtName(op), "Invalid Timeout",
				fmt.Sprintf("timeouts.%s is %q: it must be positive. A guarded change takes a snapshot and waits for RDS, "+
					"often 15 to 60 minutes; remove it for the default (%s) or set a longer duration such as \"90m\".", op, v.ValueString(), defaultTopologyTimeout))
		}
	}
}

// timeoutRanOut names timeouts.<op> when its deadline ended the change (err, the change's error,
// is a deadline's): the error before it says where the change stopped and what was undone.
func timeoutRanOut(err error, op string, timeout time.Duration, diags *diag.Diagnostics) {
	if !errors.Is(err, context.DeadlineExceeded) {
		return
	}
	diags.AddAttributeError(path.Root("timeouts").AtName(op), "Timeout Reached",
		fmt.Sprintf("timeouts.%s (%s) ran out before the change finished; the error above says where it stopped and what was undone. "+
			"A guarded change takes a snapshot and waits for RDS, often 15 to 60 minutes: raise timeouts.%s (the default is %s) and apply again.",
			op, timeout, op, defaultTopologyTimeout))
}

// unrefreshedHint is what to do when a managed database is already at the planned node count: the
// plan was applied after the database changed, or made from a state no refresh had brought up to
// date: made with -refresh=false, or after a refresh that kept the state's node count because it
// could not look for an unfinished change of this resource (Read: 'Unfinished Change Not Checked').
const unrefreshedHint = "It is not as the state records it (it changed since the plan was made, the plan was made with -refresh=false, " +
	"or the plan's refresh could not look for an unfinished change of this resource and kept the state's node count, as its warning " +
	"'Unfinished Change Not Checked' said): " + refreshAdvice

// refreshAdvice says how to plan from a state that records the database as it is.
const refreshAdvice = "run terraform plan again with its refresh (not -refresh=false), which records the database as it is, or terraform apply -refresh-only, and apply that plan."

// addTopologyError maps an orchestrator error to a diagnostic; managed says the resource is in
// the state already (an update or a destroy), so an import is not the remedy.
func addTopologyError(diags *diag.Diagnostics, req topology.Request, err error, managed bool) {
	idAttr := path.Root("db_instance_identifier")
	if req.Target.Kind == topology.KindCluster {
		idAttr = path.Root("db_cluster_identifier")
	}
	var (
		pe *topology.PrecheckError
		ce *topology.ChangeError
		mt *topology.MissingTablesError
	)
	if errors.As(err, &ce) {
		warnReaderWithoutTags(diags, req.Target, ce.ReaderWithoutTags)
	}
	switch {
	case topology.IsNotFound(err):
		diags.AddAttributeError(idAttr, "Database Not Found", fmt.Sprintf("%s. Check the identifier and the provider's region.", err))
	case errors.As(err, &mt) && !(ce != nil && ce.Changed):
		// Recording the baseline, before anything changed: the names may be wrong, or the
		// connection may reach another database than the one that holds the tables (the
		// default provider configuration's, where the resource needed its alias).
		diags.AddAttributeError(path.Root("validation").AtName("tables"), "Validation Tables Not Found", err.Error()+
			". If the tables are in another database, give this resource the provider configuration whose postgres block reaches "+
			"that database (one provider configuration per database: provider = rightsize.<alias>), and apply again.")
	case errors.As(err, &pe):
		at := idAttr
		switch pe.Reason {
		case topology.ReasonAlreadyAtTarget, topology.ReasonNodeCount:
			at = path.Root("nodes")
		case topology.ReasonValidationTarget:
			at = path.Root("validation")
		}
		hint := "Fix the cause above and apply again."
		switch {
		case pe.Reason == topology.ReasonAlreadyAtTarget && managed:
			// A saved plan applied after the database changed, or a plan made with -refresh=false
			// from a state that did not record it: a new plan's refresh records it.
			hint = unrefreshedHint
		case pe.Reason == topology.ReasonAlreadyAtTarget:
			hint = fmt.Sprintf("To manage it as it is, import it: terraform import <address> %s.", req.Target)
		case pe.Reason == topology.ReasonConcurrentRun:
			hint = "" // the refusal says what to do: let the other apply finish, then plan again
		}
		diags.AddAttributeError(at, "Topology Change Refused", strings.TrimSpace(err.Error()+". "+hint))
	case errors.As(err, &ce) && ce.RedundancyKept:
		diags.AddError("Topology Change Failed, Two Nodes Kept", err.Error()+".")
	case errors.As(err, &ce) && ce.RolledBack:
		diags.AddError("Topology Change Rolled Back", err.Error()+". The previous topology is restored; fix the cause and apply again.")
	case errors.As(err, &ce) && ce.RollbackInProgress && ce.RollbackRequested:
		diags.AddError("Topology Change Failed, Rollback Still In Progress", err.Error()+
			". RDS is still restoring the previous topology; applying again waits for it to finish and records the rollback.")
	case errors.As(err, &ce) && ce.RollbackInProgress && ce.RollbackUntagged:
		diags.AddError("Topology Change Failed, Rollback Not Begun", err.Error()+
			". The previous topology is not restored yet; applying again validates the change again and rolls it back if it still fails.")
	case errors.As(err, &ce) && ce.RollbackInProgress:
		diags.AddError("Topology Change Failed, Rollback Not Begun", err.Error()+
			". The previous topology is not restored yet; once the cause is fixed, applying again rolls the change back.")
	case errors.As(err, &ce) && ce.RollbackAttempted:
		next := "restore from the guard snapshot if needed (a restore loses what was written since it was taken)."
		if !ce.RestorePoint() {
			next = "no guard snapshot is available to restore from."
		}
		diags.AddError("Topology Change Failed and Rollback Failed", err.Error()+
			". The target may be in an intermediate state: check it in the RDS console; "+next)
	case errors.As(err, &ce) && (ce.Interrupted || ce.Resumable) && ce.Changed:
		diags.AddError("Topology Change Interrupted", err.Error()+". Nothing was rolled back; applying again resumes the change with the same guard snapshot.")
	case errors.As(err, &ce) && ce.RequestUnanswered:
		diags.AddError("Topology Change Interrupted", err.Error()+". Applying again finds out: if RDS began the change, it resumes it behind the same guard snapshot; "+
			"if not, it takes a new guard snapshot and makes the change (this one is then kept, tagged "+topology.TagOutcome+" = "+topology.OutcomeSuperseded+").")
	case errors.As(err, &ce) && (ce.Interrupted || ce.Resumable):
		diags.AddError("Topology Change Interrupted", err.Error()+". Nothing was changed yet; applying again takes a new guard snapshot and makes the change "+
			"(a database is changed only behind a guard snapshot taken in the same apply; if this apply took one, it is then kept, tagged "+topology.TagOutcome+" = "+topology.OutcomeSuperseded+").")
	default:
		addAWSError(diags, "Unable to Change Database Topology", "", err, "")
	}
}

// ---- CRUD ----

func (r *dbTopologyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan dbTopologyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultTopologyTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() || !r.checkVerdict(&plan, nil, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withOperationTimeout(ctx, timeout)
	defer cancel()
	if ok, err := r.apply(ctx, &plan, int(plan.Nodes.ValueInt64()), 1, nil, false, false, &resp.Diagnostics); !ok {
		timeoutRanOut(err, "create", timeout, &resp.Diagnostics)
		warnCreateNotInState(err, &plan, &resp.Diagnostics)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// warnCreateNotInState warns, after a create whose change may be under way and was cut short
// (interrupted, or stopped resumable), that the resource is not in the state: the next apply
// finds the change by its guard snapshot and resumes it, but terraform destroy has nothing to
// destroy, so restore_on_destroy cannot take the database back to two nodes until then.
func warnCreateNotInState(err error, plan *dbTopologyModel, diags *diag.Diagnostics) {
	var ce *topology.ChangeError
	if !errors.As(err, &ce) || !(ce.Interrupted || ce.Resumable) || !(ce.Changed || ce.RequestUnanswered) {
		return
	}
	back := fmt.Sprintf("apply nodes = %d", 3-plan.Nodes.ValueInt64())
	if plan.Nodes.ValueInt64() == 1 {
		back += " or destroy with restore_on_destroy = true"
	}
	diags.AddWarning("Resource Not Yet in the State",
		fmt.Sprintf("The change of %s to %d node(s) may be under way, but this resource is recorded in the state only when its create completes: "+
			"until then terraform destroy finds nothing to destroy, so it changes nothing (restore_on_destroy included). "+
			"Apply again to let the change finish (it resumes it); then, to go back to %d node(s), %s.",
			ce.Target.Noun(), plan.Nodes.ValueInt64(), 3-plan.Nodes.ValueInt64(), back))
}

func (r *dbTopologyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state dbTopologyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	target := state.target()
	topo, err := topology.DescribeTarget(ctx, r.data.RDS, target)
	if topology.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Database No Longer Exists",
			fmt.Sprintf("%s was not found (%v), so this resource is removed from the state and Terraform plans to create it again: that apply fails, changing nothing, unless the database exists again by then. "+
				"If the database was deleted on purpose, remove this resource from the configuration.", target.Noun(), err))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAWSError(&resp.Diagnostics, "Unable to Read Database Topology", "Reading "+target.Noun(), err, "")
		return
	}
	prior, priorPending, priorGuard := state.Nodes, state.Pending.ValueBool(), state.GuardSnapshotID.ValueString()
	// The state's pending change is one this resource deferred: waiting for the window
	// (deferredByLastApply), or made there and not yet validated (madeInWindow).
	ownDeferred := priorPending && lastChangeDeferredTo(&state, prior)
	refreshFromTopology(&state, topo)
	if priorPending && state.Nodes.Equal(prior) && !state.Pending.ValueBool() {
		// The maintenance window is making, or has made, the change pending until now. When
		// this resource deferred it, it stays pending until an apply has validated and recorded
		// it (ModifyPlan plans that update); the guard of the change says so. A pending change
		// made outside this resource has no such guard.
		gen := state.generation(ctx, &resp.Diagnostics)
		prefix := state.guard(ctx, &resp.Diagnostics).SnapshotIdentifierPrefix.ValueString()
		id, outcome, err := topology.DeferredGuardOutcome(ctx, r.data.RDS, prefix, target, gen, int(prior.ValueInt64()))
		if err != nil {
			tflog.Warn(ctx, "rightsize_db_topology: could not read the deferred change's guard snapshot", map[string]any{"error": err.Error()})
			outcome = topology.OutcomePending // keep it pending: the next apply looks again
		}
		// The deferred change's own guard (the state's; an earlier attempt of the same change
		// may remain) no longer exists.
		if err == nil && ownDeferred && gen > 0 && priorGuard != "" && !strings.EqualFold(id, priorGuard) {
			resp.Diagnostics.AddWarning("Deferred Change Made Without Its Guard Snapshot",
				fmt.Sprintf("The maintenance window changed %s to %d node(s), the change this resource deferred, but its guard snapshot (%s) no longer exists: "+
					"it was deleted, so the change cannot be validated against its baseline and there was no restore point taken for it. The state takes the change as made. "+
					"Check the database; never delete a guard snapshot tagged %s = pending-maintenance before its change is recorded.",
					target.Noun(), prior.ValueInt64(), priorGuard, topology.TagOutcome))
		}
		if err == nil && gen > 0 && outcome == topology.OutcomeRollingBack && lastChangeDeferredTo(&state, prior) {
			// The apply after the window found the change failed and did not finish its
			// rollback: the database is still at the change's node count.
			warnDeferredRollbackUnfinished(&resp.Diagnostics, target, prior.ValueInt64(), id, false)
		}
		// Pending until an apply validates and records the change, or finishes its rollback
		// (madeInWindow plans the update that resumes the change of that generation).
		state.Pending = types.BoolValue(gen > 0 && (outcome == topology.OutcomePending ||
			(outcome == topology.OutcomeRollingBack && lastChangeDeferredTo(&state, prior))))
	}
	if !prior.IsNull() && !prior.IsUnknown() && !state.Nodes.Equal(prior) {
		// Drift, or this resource's own change interrupted after it began? The guard snapshot of
		// the next generation tells: if it is still in progress, keep the old node count until an
		// apply (the next, or the one this refresh belongs to) resumes the change, validates it
		// and records it.
		gen := state.generation(ctx, &resp.Diagnostics) + 1
		prefix := state.guard(ctx, &resp.Diagnostics).SnapshotIdentifierPrefix.ValueString()
		observed := state.Nodes
		change, err := topology.GuardChange(ctx, r.data.RDS, prefix, target, gen, int(state.Nodes.ValueInt64()))
		var id, outcome string
		if change != nil {
			id, outcome = change.GuardID, change.Outcome
		}
		switch {
		case err != nil && topology.IsTransient(err):
			// Throttled, or failed by AWS, through the SDK's attempts: keep the state as it was,
			// so that the next refresh looks again. Taking the observed count would lose an
			// unfinished change of this resource for good: the next refresh finds the state at
			// the database's count and no longer looks for its guard (an empty plan, the change
			// never validated, its guard open). A listing refused for good (a permission) takes
			// the database as it is, as below.
			resp.Diagnostics.AddWarning("Unfinished Change Not Checked",
				fmt.Sprintf("%s is at, or going to, %d node(s), the state at %d, but looking for an unfinished change of this resource (its guard snapshots) failed: %v. "+
					"The state keeps nodes = %d until a refresh can tell a change of this resource (interrupted, or its rollback cut short) from one made outside it: refresh again (terraform plan, or terraform apply -refresh-only).",
					target.Noun(), observed.ValueInt64(), prior.ValueInt64(), err, prior.ValueInt64()))
			state.Nodes, state.Pending = prior, types.BoolValue(priorPending)
		case err != nil:
			tflog.Warn(ctx, "rightsize_db_topology: could not look for an unfinished change", map[string]any{"error": err.Error()})
		case outcome == topology.OutcomeRollingBack:
			resp.Diagnostics.AddWarning("Unfinished Topology Change",
				fmt.Sprintf("A change of %s to %d node(s) failed and its rollback was not finished: refused, interrupted or out of time (guard snapshot %s). The state keeps nodes = %d until an apply settles it: applying nodes = %d finishes the rollback and reports it; applying nodes = %d takes the database back behind a guard snapshot of its own.",
					target.Noun(), state.Nodes.ValueInt64(), id, prior.ValueInt64(), state.Nodes.ValueInt64(), prior.ValueInt64()))
			state.Nodes = prior
		case topology.Unfinished(outcome):
			resp.Diagnostics.AddWarning("Unfinished Topology Change",
				fmt.Sprintf("A change of %s to %d node(s) was interrupted after it began (guard snapshot %s). The state keeps nodes = %d until an apply finishes it: applying nodes = %d resumes the change behind that guard snapshot, waits for it, validates it and records it.",
					target.Noun(), state.Nodes.ValueInt64(), id, prior.ValueInt64(), state.Nodes.ValueInt64()))
			state.Nodes = prior
		}
		if state.Nodes.Equal(prior) && topo.Status == "modifying" && topo.PendingMultiAZ != nil {
			// RDS is making that change now (Multi-AZ still shows the old value): current_nodes
			// counts it as its target, as an Aurora reader being created counts, so that a plan of
			// the prior node count is not empty (notAtNodes) while the database moves away from
			// it, and its apply takes the database back behind a guard snapshot of its own.
			state.CurrentNodes = observed
		}
		if state.Nodes.Equal(prior) && state.Pending.ValueBool() && !priorPending {
			// A change of this resource to the observed count, deferred to the maintenance window
			// and unfinished (interrupted before its guard was tagged pending-maintenance), or
			// a lookup that failed: nodes keeps the state's count, which is not the one pending.
			// Pending, it read as a deferred change the window had made (madeInWindow), whose
			// update resumed the previous generation's change (refused, or failed on generation 0
			// after an import). current_nodes counts the pending change, as one under way, so
			// that a plan of the prior count is not empty (notAtNodes).
			state.Pending, state.CurrentNodes = types.BoolValue(false), observed
		}
		// Drift that no change of this resource accounts for: its next change to the observed
		// count neither under way (above) nor made by an apply whose state was lost, nor left
		// there by a failed rollback (whose apply said so).
		ownMade := topology.ChangeStood(outcome) || outcome == topology.OutcomePending
		if err == nil && change.Stood() && !state.Nodes.Equal(prior) && !state.Pending.ValueBool() && state.CurrentNodes.Equal(state.Nodes) {
			// That change stands on the database, but the state does not record it: its apply
			// failed and left it in place (rollback_on_failure = false, or a change to two nodes
			// that kept them; or its rollback failed), or its result was not saved. Record it as
			// a successful apply does, from its guard: what it replaced (an Aurora reader it
			// removed, for nodes = 2 to recreate), and its guard snapshot.
			recordStoodChange(&state, change, target)
		}
		if err == nil && !ownMade && !state.Nodes.Equal(prior) && priorPending {
			// Nor the rollback of the change this resource deferred (the state's generation,
			// pending until an apply validates it), by the apply whose validation failed after
			// the maintenance window made it: that apply kept the state as it was.
			deferredID, deferredOutcome, derr := topology.GuardOutcome(ctx, r.data.RDS, prefix, target, gen-1, int(prior.ValueInt64()))
			ownMade = derr != nil || deferredOutcome == topology.OutcomeRolledBack || deferredOutcome == topology.OutcomeRollingBack ||
				deferredOutcome == topology.OutcomeRollbackFailed
			if derr == nil && gen > 1 && deferredOutcome == topology.OutcomeRollingBack && topo.Nodes == int(prior.ValueInt64()) && lastChangeDeferredTo(&state, prior) {
				// That rollback is not finished: RDS accepted it and is restoring the count
				// before the change (or is about to), the database still at the change's. Keep
				// the change pending, as that apply left it, so that an apply of the same node
				// count resumes it and finishes the rollback (madeInWindow), as for an unfinished
				// rollback above. Back at the count before it, the rollback is RDS's done.
				// current_nodes is already the database's count (refreshFromTopology), prior.
				warnDeferredRollbackUnfinished(&resp.Diagnostics, target, prior.ValueInt64(), deferredID, true)
				state.Nodes, state.Pending = prior, types.BoolValue(true)
			}
		}
		if err == nil && !ownMade && !state.Nodes.Equal(prior) {
			resp.Diagnostics.AddWarning("Topology Changed Outside This Resource", changedOutside(target, prior.ValueInt64(), state.Nodes.ValueInt64(), state.Pending.ValueBool()))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// recordStoodChange records in m the change c of target that stands on the database (its guard
// says so: topology.EarlierChange.Stood) and m does not record, as apply records a change it made:
// the guard snapshot, previous_topology and last_change, timed now (when it is recorded).
func recordStoodChange(m *dbTopologyModel, c *topology.EarlierChange, target topology.Target) {
	m.GuardSnapshotID, m.GuardSnapshotARN = types.StringValue(c.GuardID), types.StringValue(c.GuardARN)
	m.PreviousTopology = previousObject(c.Previous(target))
	m.LastChange = types.ObjectValueMust(lastChangeAttrTypes, map[string]attr.Value{
		"generation": types.Int64Value(c.Generation), "time": types.StringValue(time.Now().UTC().Format(time.RFC3339)),
		"action":     types.StringValue(c.Action(target) + "; recorded by a refresh"),
		"from_nodes": types.Int64Value(int64(c.From)), "to_nodes": types.Int64Value(int64(c.To)),
	})
}

// lastChangeDeferredTo reports whether the state's last change is one this resource deferred to
// the maintenance window (its recorded action says so) and went to nodes.
func lastChangeDeferredTo(state *dbTopologyModel, nodes types.Int64) bool {
	if state.LastChange.IsNull() || state.LastChange.IsUnknown() {
		return false
	}
	attrs := state.LastChange.Attributes()
	to, ok := attrs["to_nodes"].(types.Int64)
	action, deferred := attrs["action"].(types.String)
	return ok && deferred && strings.Contains(action.ValueString(), topology.ScheduledAction) && !to.IsUnknown() && !to.IsNull() && to.Equal(nodes)
}

// warnDeferredRollbackUnfinished warns that the change of target to nodes this resource deferred,
// made in the maintenance window, failed its validation and that its rollback (guard snapshot
// guard, rolling-back) is unfinished, and says what applying each node count does.
// restoring says that RDS is restoring the node count before the change (the rollback's request
// accepted).
func warnDeferredRollbackUnfinished(diags *diag.Diagnostics, target topology.Target, nodes int64, guard string, restoring bool) {
	next := fmt.Sprintf("applying nodes = %d finishes the rollback and reports it; applying nodes = %d takes the database back behind a guard snapshot of its own.", nodes, 3-nodes)
	if restoring {
		next = fmt.Sprintf("RDS is restoring %d node(s): applying nodes = %d waits for it and records the rollback.", 3-nodes, nodes)
	}
	diags.AddWarning("Unfinished Topology Change",
		fmt.Sprintf("A change of %s to %d node(s), deferred to the maintenance window and made there, failed its validation and its rollback was not finished: "+
			"refused, interrupted or out of time (guard snapshot %s). The state keeps nodes = %d, pending, until an apply settles it: %s",
			target.Noun(), nodes, guard, nodes, next))
}

// changedOutside explains drift that no change of this resource accounts for: the database went
// from the state's node count to another, by hand or by another Terraform resource that manages
// the same database, which would undo this resource's change at every apply (and this resource
// its, each time behind a new guard snapshot) until one of them lets go.
func changedOutside(target topology.Target, was, now int64, pending bool) string {
	has := fmt.Sprintf("has %d node(s)", now)
	if pending {
		has = fmt.Sprintf("is set to go to %d node(s) in its next maintenance window", now)
	}
	turns := "turns Multi-AZ back on"
	if now < was {
		turns = "turns it off"
	}
	other := "an `aws_db_instance` (hashicorp/aws) with `multi_az = " + strconv.FormatBool(now == 2) + "` " + turns + ". " +
		"Leave Multi-AZ to this resource: add `lifecycle { ignore_changes = [multi_az] }` to the `aws_db_instance`"
	if target.Kind == topology.KindCluster {
		leave := "Leave the reader to this resource: take it out of the other resource's state and configuration (`terraform state rm <address>`, " +
			"or a `removed` block with `lifecycle { destroy = false }` in Terraform 1.7 or OpenTofu 1.10 and later)"
		other = "an `aws_rds_cluster_instance` (hashicorp/aws) that manages the reader creates it again whenever it is gone. " + leave +
			" (a reader Aurora Auto Scaling added when its policy scaled out is another matter: a sign that one node did not hold the load)"
		if now < was {
			other = "an `aws_rds_cluster_instance` (hashicorp/aws) taken out of the configuration deletes the reader it managed. " + leave
		}
	}
	back := "A plan whose nodes differ takes it back, behind a guard snapshot of its own."
	if target.Kind == topology.KindCluster && now > 2 {
		// More than one reader: the orchestrator refuses every change (precheckStatic), so no
		// plan takes it back.
		back = "Every apply is refused while the cluster has more than one reader (only a writer with at most one reader is supported): " +
			"remove the extra readers (DeleteDBInstance, or the `aws_rds_cluster_instance` that added one), then apply."
	}
	if pending {
		// The orchestrator refuses a change to the node count the database has while the
		// opposite change is pending (precheckOriginal).
		flag := "--no-multi-az"
		if was == 2 {
			flag = "--multi-az"
		}
		back = fmt.Sprintf("A plan of nodes = %d is refused while that change is pending: to keep %d node(s), revert it (aws rds modify-db-instance --db-instance-identifier %s %s --apply-immediately; "+
			"RDS then applies any other pending modification at once too), then apply.", was, was, target.Identifier, flag)
	}
	return fmt.Sprintf("The state had %s at %d node(s), and no change of this resource is under way, but it %s: it was changed outside this resource "+
		"(the console, the AWS CLI, or another Terraform resource). %s "+
		"If another resource in this configuration manages the same database, the two undo each other at every apply: %s.",
		target.Noun(), was, has, back, other)
}

// refreshFromTopology writes the observed topology into m. nodes follows reality (so a change
// made outside Terraform shows as drift), except that a change waiting for the maintenance
// window counts as its target.
func refreshFromTopology(m *dbTopologyModel, topo *topology.Topology) {
	nodes, pending := topo.Nodes, false
	if topo.PendingMultiAZ != nil && *topo.PendingMultiAZ != topo.MultiAZ && topo.Status != "modifying" {
		pending = true
		nodes = 1
		if *topo.PendingMultiAZ {
			nodes = 2
		}
	}
	if topo.Status == "modifying" && topo.PendingMultiAZ != nil {
		nodes = 1
		if *topo.PendingMultiAZ {
			nodes = 2
		}
	}
	m.ID = types.StringValue(topo.Target.String())
	m.Nodes = types.Int64Value(int64(nodes))
	m.CurrentNodes = types.Int64Value(int64(topo.Nodes))
	m.MultiAZ = types.BoolValue(topo.MultiAZ)
	m.Pending = types.BoolValue(pending)
	if m.GuardSnapshotID.IsUnknown() {
		m.GuardSnapshotID = types.StringNull()
	}
	if m.GuardSnapshotARN.IsUnknown() {
		m.GuardSnapshotARN = types.StringNull()
	}
	if m.PreviousTopology.IsUnknown() {
		m.PreviousTopology = types.ObjectNull(previousAttrTypes)
	}
	if m.LastChange.IsUnknown() {
		m.LastChange = types.ObjectNull(lastChangeAttrTypes)
	}
}

func (r *dbTopologyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state dbTopologyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	madeInWindow, redo := madeInWindow(&state), notAtNodes(&state)
	applyNow := plan.Nodes.Equal(state.Nodes) && !madeInWindow && makeDeferredNow(&state, &plan)
	if plan.Nodes.Equal(state.Nodes) && !madeInWindow && !redo && !applyNow {
		// Only settings changed: nothing to do on the database.
		copyComputed(&plan, &state)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultTopologyTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() || !r.checkVerdict(&plan, &state, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withOperationTimeout(ctx, timeout)
	defer cancel()
	gen := state.generation(ctx, &resp.Diagnostics) + 1
	prev := state.previous(ctx, &resp.Diagnostics)
	if madeInWindow && plan.Nodes.Equal(state.Nodes) {
		// Finish the deferred change of the last generation: the run resumes it behind its own
		// guard, validates it and records it.
		gen--
	}
	if ok, err := r.apply(ctx, &plan, int(plan.Nodes.ValueInt64()), gen, prev, applyNow, true, &resp.Diagnostics); !ok {
		timeoutRanOut(err, "update", timeout, &resp.Diagnostics)
		// A failed update keeps the prior state, but with this apply's guard settings once it
		// took a guard snapshot: a change it began (interrupted, or its rollback unfinished) is
		// guarded by snapshots named with this apply's prefix, by which the next Read and apply
		// find them. An update refused before that keeps the prior ones, which name an earlier
		// unfinished change's.
		if !plan.Guard.IsUnknown() && !plan.Guard.Equal(state.Guard) && r.guardTaken(ctx, &plan, gen) {
			state.Guard = plan.Guard
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// madeInWindow reports whether the state's change was deferred to the maintenance window and the
// window has made it (Read keeps pending = true until an apply validates and records it).
func madeInWindow(state *dbTopologyModel) bool {
	return state.Pending.ValueBool() && !state.CurrentNodes.IsUnknown() && state.CurrentNodes.Equal(state.Nodes)
}

// deferredByLastApply reports whether the state's Multi-AZ change, pending for the maintenance
// window, is the one this resource's last change deferred: the last change was deferred (its
// action) and went to the node count now pending (nodes, as Read refreshes it), which the database
// does not have yet. A change scheduled outside the resource after one of its changes completed
// was not deferred by it; an imported database has no last change. Decided from the state alone, so that a plan and
// the plan Terraform makes again at apply agree; the orchestrator confirms it from the change's
// guard (Request.OwnPending) before making the change, and refuses otherwise.
func deferredByLastApply(state *dbTopologyModel) bool {
	// The last change was deferred (its recorded action says so), not completed: a change of the
	// same direction scheduled outside after a completed one looks the same otherwise.
	return state.Pending.ValueBool() && lastChangeDeferredTo(state, state.Nodes) && !state.CurrentNodes.Equal(state.Nodes)
}

// makeDeferredNow reports whether plan wants now the change this resource deferred
// (deferredByLastApply): apply_immediately true while it is still pending. The update makes it
// behind a guard snapshot of its own (topology.Request.OwnPending), rather than only recording the
// setting.
func makeDeferredNow(state, plan *dbTopologyModel) bool {
	return deferredByLastApply(state) && !plan.ApplyImmediately.IsUnknown() && plan.ApplyImmediately.ValueBool()
}

// notAtNodes reports whether the database does not have the state's node count while nothing is
// pending: Read kept nodes at what the last apply left, because a change of this resource is
// unfinished (interrupted, or its rollback cut short). Planning the configured node count again
// then takes the database there, behind a guard snapshot of its own.
func notAtNodes(state *dbTopologyModel) bool {
	return !state.Pending.ValueBool() && !state.CurrentNodes.IsUnknown() && !state.CurrentNodes.IsNull() && !state.CurrentNodes.Equal(state.Nodes)
}

// knownList reports whether l and every element of it are known.
func knownList(l types.List) bool {
	if l.IsUnknown() {
		return false
	}
	for _, e := range l.Elements() {
		if e.IsUnknown() {
			return false
		}
	}
	return true
}

func copyComputed(dst, src *dbTopologyModel) {
	dst.ID, dst.CurrentNodes, dst.MultiAZ, dst.Pending = src.ID, src.CurrentNodes, src.MultiAZ, src.Pending
	dst.GuardSnapshotID, dst.GuardSnapshotARN = src.GuardSnapshotID, src.GuardSnapshotARN
	dst.PreviousTopology, dst.LastChange = src.PreviousTopology, src.LastChange
}

func (r *dbTopologyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state dbTopologyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !state.RestoreOnDestroy.ValueBool() {
		return // destroy forgets: the database stays as it is
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultTopologyTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withOperationTimeout(ctx, timeout)
	defer cancel()
	gen := state.generation(ctx, &resp.Diagnostics) + 1
	prev := state.previous(ctx, &resp.Diagnostics)
	topoReq := r.request(ctx, &state, 2, gen, prev, deferredByLastApply(&state), &resp.Diagnostics)
	topoReq.DeferToMaintenanceWindow = false
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withTopologyLogFields(ctx, topoReq)
	res, err := r.orchestrator(ctx).Run(ctx, topoReq)
	var pe *topology.PrecheckError
	switch {
	case err == nil:
		warnReaderWithoutTags(&resp.Diagnostics, topoReq.Target, res.ReaderWithoutTags)
	case topology.IsNotFound(err):
		resp.Diagnostics.AddWarning("Database Already Gone", fmt.Sprintf("restore_on_destroy: %v; nothing to restore.", err))
	case errors.As(err, &pe) && pe.Reason == topology.ReasonAlreadyAtTarget:
		// Already two nodes: nothing to restore.
	default:
		addTopologyError(&resp.Diagnostics, topoReq, err, true)
		timeoutRanOut(err, "delete", timeout, &resp.Diagnostics)
	}
}

func (r *dbTopologyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	target, err := topology.ParseTarget(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import Identifier", err.Error()+". Example: terraform import rightsize_db_topology.x instance:mandible-prod")
		return
	}
	// An identifier RDS would refuse (an ARN, a character it does not allow) is named as the
	// configuration's validator names it: such an import was made, and the Read after it found
	// no database, so that terraform said only "Cannot import non-existent remote object".
	_, written, _ := strings.Cut(req.ID, ":")
	written = strings.TrimSpace(written)
	noun := "DB instance"
	if target.Kind == topology.KindCluster {
		noun = "DB cluster"
	}
	problem := rdsIdentifierProblem(written, noun)
	if problem == "" && len(written) > 63 {
		problem = fmt.Sprintf("%q, longer than the 63 characters of an RDS identifier", written)
	}
	if problem != "" {
		resp.Diagnostics.AddError("Invalid Import Identifier",
			fmt.Sprintf("Import identifier %q: its identifier is %s. Example: terraform import rightsize_db_topology.x %s:mandible-prod", req.ID, problem, target.Kind))
		return
	}
	var topo *topology.Topology
	if r.data != nil {
		var err error
		topo, err = topology.DescribeTarget(ctx, r.data.RDS, target)
		switch {
		case topology.IsNotFound(err):
			// Said here: Terraform shows the Read's warning of a database not found after an
			// import only as "Cannot import non-existent remote object", without the hint
			// (a DB cluster's identifier imported as instance:<id>, say).
			resp.Diagnostics.AddError("Cannot Import Database Topology",
				fmt.Sprintf("%v. Check the identifier and the provider's region: import a DB instance as instance:<db-instance-identifier>, "+
					"an Aurora DB cluster as cluster:<db-cluster-identifier>.", err))
			return
		case err != nil:
			addAWSError(&resp.Diagnostics, "Unable to Read Database Topology", "Reading "+target.Noun(), err, "")
			return
		case topo.Instance != nil && aws.ToString(topo.Instance.DBClusterIdentifier) != "":
			// An Aurora cluster's instance is changed through its cluster, never alone: say so
			// now rather than at the first plan.
			cluster := aws.ToString(topo.Instance.DBClusterIdentifier)
			resp.Diagnostics.AddError("Invalid Import Identifier",
				fmt.Sprintf("DB instance %s is a member of DB cluster %s, whose node count this resource changes as a whole: "+
					"import it as cluster:%s (and configure db_cluster_identifier = %q).", target.Identifier, cluster, cluster, cluster))
			return
		case target.Kind == topology.KindCluster && topo.LiveMembers() > 2:
			// Every plan and apply of it would be refused (precheckStatic): say so now, not after
			// an import that records nodes = 3 or more.
			resp.Diagnostics.AddError("Cannot Import Database Topology",
				fmt.Sprintf("%s has %d instances: this resource manages an Aurora cluster of a writer and at most one reader (1 or 2 nodes). "+
					"Remove the extra readers first (the aws provider's aws_rds_cluster_instance, or DeleteDBInstance), then import it.", target.Noun(), topo.LiveMembers()))
			return
		}
	}
	m := dbTopologyModel{
		ID: types.StringValue(target.String()), DBInstanceIdentifier: types.StringNull(), DBClusterIdentifier: types.StringNull(),
		Nodes: types.Int64Unknown(), Guard: defaultGuard(), RequireVerdict: types.StringNull(), Force: types.BoolValue(false),
		ApplyImmediately: types.BoolValue(true), Validation: types.ObjectNull(validationAttrTypes),
		RollbackOnFailure: types.BoolValue(true), RestoreOnDestroy: types.BoolValue(false),
		Timeouts:     timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})},
		CurrentNodes: types.Int64Unknown(), MultiAZ: types.BoolUnknown(), Pending: types.BoolUnknown(),
		GuardSnapshotID: types.StringNull(), GuardSnapshotARN: types.StringNull(),
		PreviousTopology: types.ObjectNull(previousAttrTypes), LastChange: types.ObjectNull(lastChangeAttrTypes),
	}
	// The identifier attribute keeps the import identifier's case (target's is lower case, as RDS
	// stores it): a configuration written in that case then plans no change after the import.
	if !strings.EqualFold(written, target.Identifier) {
		written = target.Identifier
	}
	if target.Kind == topology.KindCluster {
		m.DBClusterIdentifier = types.StringValue(written)
	} else {
		m.DBInstanceIdentifier = types.StringValue(written)
	}
	if topo != nil && !r.takeOverEarlierChanges(ctx, topo, &m, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// takeOverEarlierChanges carries into an imported state what guard snapshots of the database
// record of earlier changes (made by a resource since removed from its state, or in another
// configuration), so that the imported resource neither takes an earlier change's guard for its
// own nor adopts an unfinished change as the database's topology:
//   - the generation: the next change uses one above every earlier change's, so its guard
//     snapshot is its own (an earlier rollback left tagged rolling-back would otherwise be
//     "finished" by the first change of the same generation and node count);
//   - the latest change (whose guard was taken last), when it is unfinished (its guard tagged
//     changing or rolling-back) and the database has, or is on its way to, the change's node
//     count, is taken over as the resource that made it would hold it: nodes is the starting
//     count and the generation the one before the change's, so the Read after the import warns
//     of it and the next apply resumes the change and validates it, or finishes its rollback;
//     not when the guard was taken under another name of a DB instance renamed since (its
//     guards are named with that one, which an apply under the new name does not look for): the
//     import then takes the database as it is and warns, saying how to finish the change.
//
// It returns false when the guard snapshots could not be read (an error is added: an import that
// could not look for them is not made).
func (r *dbTopologyResource) takeOverEarlierChanges(ctx context.Context, topo *topology.Topology, m *dbTopologyModel, diags *diag.Diagnostics) bool {
	target := topo.Target
	c, err := topology.LatestChange(ctx, r.data.RDS, target)
	if err != nil {
		diags.AddError("Unable to Read Guard Snapshots",
			fmt.Sprintf("Importing %s: looking for guard snapshots of earlier changes: %v. Allow the provider's credentials to describe the database's snapshots and list their tags, then import again.", target.Noun(), err))
		return false
	}
	if c == nil {
		return true
	}
	gen := c.MaxGeneration
	action := fmt.Sprintf("imported: guard snapshots of earlier changes use generations up to %d", c.MaxGeneration)
	renamed := c.GuardID != "" && !strings.EqualFold(c.Identifier, target.Identifier)
	if c.GuardID != "" {
		action += fmt.Sprintf("; the latest, %s, records a change from %d to %d nodes, outcome %q", c.GuardID, c.From, c.To, c.Outcome)
		if renamed {
			action += fmt.Sprintf(", taken when the instance was named %s", c.Identifier)
		}
	}
	switch {
	case !c.Open() || !topo.Toward(c.To):
	case renamed:
		// The instance was renamed after the change began: its guard snapshots keep the old name
		// (in their identifiers and target tag), while an apply of this resource names and finds
		// the change's guards by the identifier it manages. Taken over, the change would not be
		// found again: the refresh would take it for drift, or the next apply make it anew.
		detail := fmt.Sprintf("Guard snapshot %s records a change of %s from %d to %d node(s) that is unfinished (%s = %s), begun when the instance was named %s. "+
			"An apply finds a change's guard snapshots by the identifier they were named with, so the change cannot be resumed or rolled back under the name %s, "+
			"and the import takes the database as it is: nodes = %d. ",
			c.GuardID, target.Noun(), c.From, c.To, topology.TagOutcome, c.Outcome, c.Identifier, target.Identifier, topo.Nodes)
		// Renaming back needs the old name free: RDS refuses an existing instance's name ("You
		// cannot use an existing DB instance name when renaming an instance",
		// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RenameInstance.html), and
		// an import of that name would be the other instance's (one that replaced this one).
		other, err := topology.FindDBInstance(ctx, r.data.RDS, c.Identifier)
		var notFound *topology.NotFoundError
		switch {
		case err == nil && other != nil:
			detail += fmt.Sprintf("It cannot be renamed back to have this provider finish the change: another DB instance has the identifier %s now. "+
				"Check the database, finish or undo the change by hand if needed, then tag the guard snapshot %s %s = %s.",
				c.Identifier, c.GuardID, topology.TagOutcome, topology.OutcomeSuperseded)
		case err != nil && !errors.As(err, &notFound):
			// Whether the old name is free is not known: the advice to rename back holds only if it is.
			detail += fmt.Sprintf("Whether another DB instance has the identifier %s now could not be checked (%v). If none has, to have this provider finish the change "+
				"(validate it, or finish its rollback), rename the instance back to %s, import instance:%s instead and apply (rename it once the change is recorded). "+
				"If one has, or to keep the database as it is, check the database, finish or undo the change by hand if needed, then tag the guard snapshot %s %s = %s.",
				c.Identifier, err, c.Identifier, c.Identifier, c.GuardID, topology.TagOutcome, topology.OutcomeSuperseded)
		default:
			detail += fmt.Sprintf("To have this provider finish the change (validate it, or finish its rollback), "+
				"rename the instance back to %s, import instance:%s instead and apply (rename it once the change is recorded); "+
				"to keep the database as it is, tag the guard snapshot %s = %s.",
				c.Identifier, c.Identifier, topology.TagOutcome, topology.OutcomeSuperseded)
		}
		diags.AddWarning("Unfinished Topology Change Not Taken Over", detail)
	case c.Prefix == "":
		diags.AddWarning("Unfinished Topology Change Not Taken Over",
			fmt.Sprintf("Guard snapshot %s records a change of %s from %d to %d node(s) that is unfinished (%s = %s), but its identifier does not tell the prefix it was named with, so the import takes the database as it is: nodes = %d. "+
				"Put the database back to %d node(s) and apply, or keep it as it is and tag the guard snapshot %s = %s.",
				c.GuardID, target.Noun(), c.From, c.To, topology.TagOutcome, c.Outcome, topo.Nodes, c.From, topology.TagOutcome, topology.OutcomeSuperseded))
	default:
		gen = c.Generation - 1
		m.Nodes = types.Int64Value(int64(c.From))
		m.Guard = types.ObjectValueMust(guardAttrTypes, map[string]attr.Value{
			"snapshot_identifier_prefix": types.StringValue(c.Prefix), "retain": types.BoolValue(true), "verify_restore": types.BoolValue(false),
			"tags": types.MapNull(types.StringType),
		})
		action = fmt.Sprintf("imported: the change of generation %d (%d to %d nodes) is unfinished, guard snapshot %s (outcome %q)", c.Generation, c.From, c.To, c.GuardID, c.Outcome)
	}
	m.LastChange = types.ObjectValueMust(lastChangeAttrTypes, map[string]attr.Value{
		"generation": types.Int64Value(gen), "time": types.StringNull(), "action": types.StringValue(action),
		"from_nodes": types.Int64Null(), "to_nodes": types.Int64Null(),
	})
	return true
}

// ---- plan ----

// guardsWarnAt is how many guard snapshots of one database make an apply that keeps another one
// warn: they count toward RDS's quota of manual snapshots (100 per Region by default).
const guardsWarnAt = 10

// guardsAddUp warns, after a change that kept its guard snapshot (kept), when the database has
// guardsWarnAt guard snapshots or more, naming the oldest of those that may be deleted (never
// kept: the restore point of the change just made). Best effort: a listing that fails is only
// logged.
func (r *dbTopologyResource) guardsAddUp(ctx context.Context, target topology.Target, kept string, diags *diag.Diagnostics) {
	total, closed, err := topology.Guards(ctx, r.data.RDS, target)
	if err != nil {
		tflog.Warn(ctx, "rightsize_db_topology: could not count the guard snapshots", map[string]any{"error": err.Error()})
		return
	}
	if total < guardsWarnAt {
		return
	}
	closed = slices.DeleteFunc(closed, func(id string) bool { return strings.EqualFold(id, kept) })
	detail := fmt.Sprintf("%s has %d guard snapshots of this provider's (tagged %s = %s), kept by guard.retain = true. They are billed as backup storage and count toward RDS's quota of manual snapshots per Region (100 by default, shared with every other manual snapshot), at which changes are refused.",
		target.Noun(), total, topology.TagManagedBy, topology.ManagedByValue)
	if c := topology.ClosedGuardsText(target, closed); c != "" {
		detail += " " + strings.ToUpper(c[:1]) + c[1:] + "."
	}
	detail += " But " + topology.NeverDelete + "."
	diags.AddWarning("Guard Snapshots Add Up", detail)
}

// guardTaken reports whether a guard snapshot of the change of m's target to m's node count with
// generation gen exists under m's prefix (the failed update took one), asking RDS on a short
// deadline of its own (the apply's may be spent or cancelled); false when it cannot tell.
func (r *dbTopologyResource) guardTaken(ctx context.Context, m *dbTopologyModel, gen int64) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var d diag.Diagnostics
	prefix := m.guard(ctx, &d).SnapshotIdentifierPrefix.ValueString()
	id, _, err := topology.GuardOutcome(ctx, r.data.RDS, prefix, m.target(), gen, int(m.Nodes.ValueInt64()))
	if err != nil {
		tflog.Warn(ctx, "rightsize_db_topology: could not look for the failed update's guard snapshot", map[string]any{"error": err.Error()})
	}
	return err == nil && id != ""
}

// keepsUnfinishedPrefix refuses a plan that changes guard.snapshot_identifier_prefix while a
// change of the resource is unfinished: the guard snapshot of the state's next generation, named
// with the state's prefix, says the change was requested and neither recorded nor undone
// (changing, or rolling-back), and the database has or is heading to that change's node count
// (topology.Toward, as an import's takeover decides); or a deferred change waits for, or was made
// by, the maintenance window. The next apply finds that change's guard snapshot by the prefix it
// was named with, which the state holds (an import that took the change over sets it; a failed
// update that took a guard keeps its own).
func (r *dbTopologyResource) keepsUnfinishedPrefix(ctx context.Context, state, plan *dbTopologyModel, diags *diag.Diagnostics) bool {
	if plan.Guard.IsUnknown() {
		return true
	}
	var pg guardModel
	if !plan.Guard.IsNull() {
		diags.Append(plan.Guard.As(ctx, &pg, topologyObjectAs)...)
		if pg.SnapshotIdentifierPrefix.IsUnknown() {
			return true
		}
	}
	target := state.target()
	want := state.guard(ctx, diags).SnapshotIdentifierPrefix.ValueString()
	got := pg.SnapshotIdentifierPrefix.ValueString()
	// Prefixes that name the same snapshots (case, punctuation) are the same.
	if topology.GuardSnapshotID(got, target, 1, 1, 1) == topology.GuardSnapshotID(want, target, 1, 1, 1) {
		return true
	}
	what, wayOut := "", ""
	if madeInWindow(state) || deferredByLastApply(state) {
		what = "a change deferred to the maintenance window is not recorded yet"
	} else if r.data != nil {
		gen := state.generation(ctx, diags) + 1
		notChecked := func(err error) bool {
			diags.AddWarning("Unfinished Change Not Checked", fmt.Sprintf("guard.snapshot_identifier_prefix changes from %q, and looking for an unfinished change guarded with it failed: %v. "+
				"If an apply of this resource was interrupted or its rollback was not finished, keep the prefix %q until an apply has finished that change.", want, err, want))
			return true
		}
		for _, n := range topologyNodeCounts {
			id, outcome, err := topology.GuardOutcome(ctx, r.data.RDS, want, target, gen, int(n))
			if err != nil {
				return notChecked(err)
			}
			if outcome != topology.OutcomeChanging && outcome != topology.OutcomeRollingBack {
				continue
			}
			// Open, but is the database there? One back at the change's starting node count
			// (a refused rollback put back by hand, say), with nothing under way toward the
			// change, leaves no apply anything to finish by that guard.
			topo, err := topology.Describe(ctx, r.data.RDS, target)
			if err != nil {
				return notChecked(err)
			}
			if topo.Toward(int(n)) {
				what = fmt.Sprintf("guard snapshot %s is tagged %s = %s", id, topology.TagOutcome, outcome)
				wayOut = fmt.Sprintf(" To keep the database as it is instead (that change not validated, or failed and not rolled back), tag %s %s = %s.",
					id, topology.TagOutcome, topology.OutcomeSuperseded)
				break
			}
		}
	}
	if what == "" {
		return true
	}
	diags.AddAttributeError(path.Root("guard").AtName("snapshot_identifier_prefix"), "Guard Snapshot Prefix Changed During an Unfinished Change",
		fmt.Sprintf("A change of %s is unfinished (%s), and its guard snapshots are named with the prefix %q: the next apply finds them by it, to finish that change. "+
			"Set guard.snapshot_identifier_prefix = %q until an apply has finished the change, then change it.%s", target.Noun(), what, want, want, wayOut))
	return false
}

// toOneNode reports whether plan goes to 1 node from state (nil on create), which require_verdict
// gates.
func toOneNode(plan, state *dbTopologyModel) bool {
	return plan.Nodes.ValueInt64() == 1 && (state == nil || state.Nodes.ValueInt64() != 1)
}

// checkVerdict enforces require_verdict when going to 1 node (state is nil on create). During
// plan an unknown require_verdict or force is not judged: apply checks it once known.
func (r *dbTopologyResource) checkVerdict(plan, state *dbTopologyModel, diags *diag.Diagnostics) bool {
	if !toOneNode(plan, state) {
		return true
	}
	if plan.RequireVerdict.IsNull() || plan.RequireVerdict.IsUnknown() || plan.Force.IsUnknown() || plan.Force.ValueBool() {
		return true
	}
	if v := plan.RequireVerdict.ValueString(); v != verdictConsolidate {
		// Why, and where the recommendation says it: force is the way out only once that is read.
		why := "one node fails a check of its policy (a capacity limit with headroom, the decision score or the savings): its reasons " +
			"(the checks with passed = false) and its report_markdown say which. Keep nodes = 2, or set force = true to override the recommendation."
		if v == verdictInsufficient {
			why = "it had too little CloudWatch data in its window to judge: its reasons (the checks with passed = false, such as coverage " +
				"and lookback) say what is short. Check its end_time and lookback_days against the deployment's history (a window before " +
				"the deployment existed, or older than CloudWatch keeps, has no datapoints), or plan again once the deployment has run longer. " +
				"Keep nodes = 2 meanwhile; force = true would override the recommendation without that evidence."
		}
		diags.AddAttributeError(path.Root("require_verdict"), "Recommendation Does Not Support One Node",
			fmt.Sprintf("require_verdict is %q: the single-node recommendation for %s does not say %q, so going to 1 node is refused: %s",
				v, plan.target().Noun(), verdictConsolidate, why))
		return false
	}
	return true
}

func (r *dbTopologyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		r.modifyDestroyPlan(ctx, req, resp)
		return
	}
	var plan dbTopologyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.DBInstanceIdentifier.IsUnknown() || plan.DBClusterIdentifier.IsUnknown() {
		// An identifier not known until apply cannot be compared with the state's, so Terraform
		// replaces the resource (replaceUnlessSameIdentifier), even if it turns out the same: say
		// what that replacement's destroy does.
		if !req.State.Raw.IsNull() {
			var state dbTopologyModel
			resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
			if !resp.Diagnostics.HasError() {
				r.destroyWarning(ctx, &state, "Replacement", &resp.Diagnostics, fmt.Sprintf(
					"The identifier is not known until apply, so Terraform replaces this resource, even if it turns out to be %s again (set it from a value known at plan time to avoid that). ",
					state.target().Identifier))
			}
		}
		return
	}
	if plan.Nodes.IsUnknown() {
		return
	}
	var state *dbTopologyModel
	if !req.State.Raw.IsNull() {
		state = &dbTopologyModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	plan.ID = types.StringValue(plan.target().String())
	if state != nil && plan.target() != state.target() {
		// A changed identifier replaces the resource: its destroy restores the old database.
		// Terraform then plans the create half again with no prior state but shows only that
		// plan's errors, so this plan previews the create as that one makes it: a first
		// generation with no previous topology.
		r.destroyWarning(ctx, state, "Replacement", &resp.Diagnostics, "")
		state = nil
	}
	if state != nil && !r.keepsUnfinishedPrefix(ctx, state, &plan, &resp.Diagnostics) {
		return
	}
	same := state != nil && plan.Nodes.Equal(state.Nodes)
	finish := same && madeInWindow(state)
	redo := same && notAtNodes(state)
	applyNow := same && !finish && makeDeferredNow(state, &plan)
	if same && !finish && !redo && !applyNow {
		copyComputed(&plan, state)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	if finish || redo || applyNow {
		// The maintenance window made the deferred change (plan the update that validates and
		// records it), the database is not at the node count the state keeps (plan the change
		// that takes it there), or the deferred change is wanted now (plan making it now).
		copyComputed(&plan, state)
		plan.Pending, plan.LastChange = types.BoolUnknown(), types.ObjectUnknown(lastChangeAttrTypes)
		plan.GuardSnapshotID, plan.GuardSnapshotARN = types.StringUnknown(), types.StringUnknown()
		plan.CurrentNodes, plan.MultiAZ = types.Int64Unknown(), types.BoolUnknown()
		plan.PreviousTopology = types.ObjectUnknown(previousAttrTypes)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), plan.ID)...)
	if !r.checkVerdict(&plan, state, &resp.Diagnostics) {
		return
	}
	if toOneNode(&plan, state) && plan.RequireVerdict.IsNull() && !plan.Force.IsUnknown() && !plan.Force.ValueBool() {
		resp.Diagnostics.AddAttributeWarning(path.Root("require_verdict"), "No Recommendation Gates This Change",
			fmt.Sprintf("require_verdict is not set, so going to 1 node is not checked against the single-node recommendation for %s. "+
				"Set require_verdict = data.rightsize_single_node_recommendation.<name>.verdict (with allow_single_node = true on that data source, so that it still reads after the change), "+
				"or set force = true to go to 1 node without a recommendation.", plan.target().Noun()))
	}
	if r.data == nil {
		return
	}
	// An unknown validation (from another resource's output) may turn out null: it is judged at
	// apply, when Terraform plans the change again with it known.
	if !plan.Validation.IsNull() && !plan.Validation.IsUnknown() && !r.data.Postgres.Configured() {
		resp.Diagnostics.AddAttributeError(path.Root("validation"), "PostgreSQL Connection Needed for Validation",
			"validation connects to the database through the provider's postgres block (or PGHOST and the other libpq variables), but no host is configured. Configure it, or remove validation.")
		return
	}
	var gen int64 = 1
	var prev *topology.Previous
	if state != nil {
		gen = state.generation(ctx, &resp.Diagnostics) + 1
		prev = state.previous(ctx, &resp.Diagnostics)
		if finish {
			gen--
		}
	}
	topoReq := r.request(ctx, &plan, int(plan.Nodes.ValueInt64()), gen, prev, applyNow, &resp.Diagnostics)
	preview, err := r.orchestrator(ctx).Preview(ctx, topoReq)
	if err != nil {
		// Apply reads the target again, and fails if it still cannot.
		preview = topology.Preview{Unchecked: "reading " + topoReq.Target.Noun() + ": " + err.Error()}
	}
	if preview.Refusal != "" && preview.Unchecked == "" && (preview.RefusalReason == topology.ReasonWrongTarget ||
		(state == nil && topoReq.Nodes == 2 && preview.RefusalReason == topology.ReasonAlreadyAtTarget)) {
		// What the database is (an Aurora member, another engine), or a new resource asking for
		// the two nodes it has: nothing else in this apply changes that, so the apply would
		// refuse it just the same, and the plan fails now rather than pass for an apply that
		// cannot. Only warnings: a plan that could not check everything (the guard snapshots not
		// listed: apply may find an earlier change to record), a new resource at 1 node on a
		// database of one (the create half of a replacement whose destroy, restore_on_destroy,
		// gives it two), and what another resource of the apply may change (a read replica
		// promoted, a Serverless member's class).
		addTopologyError(&resp.Diagnostics, topoReq, &topology.PrecheckError{Target: topoReq.Target, Reason: preview.RefusalReason, Detail: preview.Refusal}, state != nil)
		return
	}
	title := "Database Topology Change Planned"
	switch {
	case preview.Refusal != "":
		title = "Database Topology Change Will Be Refused"
	case preview.Unchecked != "":
		title = "Database Topology Change Not Fully Checked"
	}
	summary := topology.PlanSummary(preview, topoReq)
	if unknown := unknownPreviewSettings(ctx, &plan, &resp.Diagnostics); len(unknown) > 0 && preview.Refusal == "" {
		assumed := "its default"
		if slices.Contains(unknown, "validation") {
			assumed += " (validation as not set)"
		}
		summary += fmt.Sprintf(" Not known until apply: %s. This preview takes each as %s; the apply follows the values they take.",
			strings.Join(unknown, ", "), assumed)
	}
	if state != nil && preview.RefusalReason == topology.ReasonAlreadyAtTarget && preview.Topology != nil &&
		!state.CurrentNodes.IsNull() && int64(preview.Topology.Nodes) != state.CurrentNodes.ValueInt64() {
		// A refresh records the database's node count (current_nodes): this plan's state
		// does not, so it was not refreshed (-refresh=false), and planning again the same way
		// plans the same refused change.
		summary += fmt.Sprintf(" The state records %s at %d node(s): this plan was made without refreshing it (terraform plan -refresh=false), or the database changed since; %s",
			topoReq.Target.Noun(), state.CurrentNodes.ValueInt64(), refreshAdvice)
	}
	resp.Diagnostics.AddWarning(title, summary)
	if removesReader(preview) && r.data.CloudWatch != nil {
		// What pages once the reader is gone: its CloudWatch alarms. A warning only.
		writer := ""
		if w := preview.Topology.Writer(); w != nil {
			writer = w.Identifier
		}
		warnReaderAlarms(ctx, r.data.CloudWatch, topoReq.Target.Identifier, writer, preview.Reader, &resp.Diagnostics)
	}
	if preview.Reader != "" {
		// The plan names the reader the change removes: previous_topology.reader.identifier is
		// planned as it, so that apply holds to it (plannedReader) and refuses to remove another.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("previous_topology"), plannedPrevious(preview.Reader))...)
	}
}

// unknownPreviewSettings names the settings of plan that the change's preview describes but whose
// values are not known until apply (from another resource's output): the preview takes each as
// its default.
func unknownPreviewSettings(ctx context.Context, plan *dbTopologyModel, diags *diag.Diagnostics) []string {
	var out []string
	add := func(name string, v attr.Value) {
		if v.IsUnknown() {
			out = append(out, name)
		}
	}
	add("apply_immediately", plan.ApplyImmediately)
	add("rollback_on_failure", plan.RollbackOnFailure)
	if plan.Guard.IsUnknown() {
		out = append(out, "guard")
	} else if !plan.Guard.IsNull() {
		var g guardModel
		diags.Append(plan.Guard.As(ctx, &g, topologyObjectAs)...)
		add("guard.snapshot_identifier_prefix", g.SnapshotIdentifierPrefix)
		add("guard.retain", g.Retain)
		add("guard.verify_restore", g.VerifyRestore)
	}
	if plan.Validation.IsUnknown() {
		out = append(out, "validation")
	} else if !plan.Validation.IsNull() {
		var v validationModel
		diags.Append(plan.Validation.As(ctx, &v, topologyObjectAs)...)
		add("validation.check_indexes", v.CheckIndexes)
	}
	return out
}

// plannedPrevious is previous_topology as a plan to remove the Aurora reader reader knows it:
// that reader's identifier, the rest known after apply.
func plannedPrevious(reader string) types.Object {
	rv := map[string]attr.Value{}
	for k, t := range readerAttrTypes {
		v, _ := t.ValueFromTerraform(context.Background(), tftypes.NewValue(t.TerraformType(context.Background()), tftypes.UnknownValue))
		rv[k] = v
	}
	rv["identifier"] = types.StringValue(reader)
	return types.ObjectValueMust(previousAttrTypes, map[string]attr.Value{
		"nodes": types.Int64Unknown(), "multi_az": types.BoolUnknown(),
		"reader": types.ObjectValueMust(readerAttrTypes, rv),
	})
}

// plannedReader is the reader identifier a plan's previous_topology holds (plannedPrevious); empty
// when the plan names none.
func plannedReader(m *dbTopologyModel) string {
	if m.PreviousTopology.IsNull() || m.PreviousTopology.IsUnknown() {
		return ""
	}
	rd, ok := m.PreviousTopology.Attributes()["reader"].(types.Object)
	if !ok || rd.IsNull() || rd.IsUnknown() {
		return ""
	}
	if id, ok := rd.Attributes()["identifier"].(types.String); ok && !id.IsUnknown() {
		return id.ValueString()
	}
	return ""
}

func (r *dbTopologyResource) modifyDestroyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state dbTopologyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.destroyWarning(ctx, &state, "Destroy", &resp.Diagnostics, "")
}

// destroyWarning adds the plan's warning for destroying state's resource (what = "Destroy", or
// "Replacement" when a changed identifier replaces it, whose destroy Terraform does not plan on
// its own) when restore_on_destroy will restore two nodes, or refuse to; why, if not empty, starts
// its detail (why the resource is replaced).
func (r *dbTopologyResource) destroyWarning(ctx context.Context, state *dbTopologyModel, what string, diags *diag.Diagnostics, why string) {
	if !state.RestoreOnDestroy.ValueBool() || (state.CurrentNodes.ValueInt64() == 2 && !state.Pending.ValueBool()) || r.data == nil {
		return
	}
	gen := state.generation(ctx, diags) + 1
	topoReq := r.request(ctx, state, 2, gen, state.previous(ctx, diags), deferredByLastApply(state), diags)
	topoReq.DeferToMaintenanceWindow = false
	preview, _ := r.orchestrator(ctx).Preview(ctx, topoReq)
	title := what + " Restores Two Nodes"
	if preview.Refusal != "" {
		title = what + " Will Be Refused"
	}
	diags.AddWarning(title, why+fmt.Sprintf("restore_on_destroy = true on %s. ", state.target().Noun())+topology.PlanSummary(preview, topoReq))
}
