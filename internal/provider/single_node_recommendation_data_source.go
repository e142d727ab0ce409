package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/paramgroups"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/rightsizing"
)

var (
	_ datasource.DataSourceWithConfigure        = (*singleNodeRecommendationDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*singleNodeRecommendationDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig   = (*singleNodeRecommendationDataSource)(nil)
)

// Defaults of the recommendation inputs.
const (
	DefaultLookbackDays         = 14
	MaxLookbackDays             = 455
	DefaultMigrationWindowHours = 2
)

// NewSingleNodeRecommendationDataSource is the rightsize_single_node_recommendation data source.
func NewSingleNodeRecommendationDataSource() datasource.DataSource {
	return &singleNodeRecommendationDataSource{}
}

type singleNodeRecommendationDataSource struct {
	data *ProviderData
}

type recommendationModel struct {
	DBInstanceIdentifier  types.String `tfsdk:"db_instance_identifier"`
	DBClusterIdentifier   types.String `tfsdk:"db_cluster_identifier"`
	LookbackDays          types.Int64  `tfsdk:"lookback_days"`
	PeakLookbackDays      types.Int64  `tfsdk:"peak_lookback_days"`
	EndTime               types.String `tfsdk:"end_time"`
	PeriodSeconds         types.Int64  `tfsdk:"period_seconds"`
	UseProviderPostgres   types.Bool   `tfsdk:"use_provider_postgres"`
	Postgres              types.Object `tfsdk:"postgres"`
	Policy                types.Object `tfsdk:"policy"`
	TargetInstanceClasses types.List   `tfsdk:"target_instance_classes"`
	SavingsTarget         types.Object `tfsdk:"savings_target"`
	MigrationWindowHours  types.Int64  `tfsdk:"migration_window_hours"`
	AllowSingleNode       types.Bool   `tfsdk:"allow_single_node"`
	AlreadySingleNode     types.Bool   `tfsdk:"already_single_node"`
	IncludeReport         types.Bool   `tfsdk:"include_report"`

	ID                    types.String  `tfsdk:"id"`
	Topology              types.String  `tfsdk:"topology"`
	Engine                types.String  `tfsdk:"engine"`
	Nodes                 types.List    `tfsdk:"nodes"`
	Verdict               types.String  `tfsdk:"verdict"`
	SingleNodeSufficient  types.Bool    `tfsdk:"single_node_sufficient"`
	Confidence            types.Float64 `tfsdk:"confidence"`
	Reasons               types.List    `tfsdk:"reasons"`
	WorkloadPattern       types.String  `tfsdk:"workload_pattern"`
	Projected             types.List    `tfsdk:"projected"`
	ProjectedCPUP95       types.Float64 `tfsdk:"projected_cpu_p95"`
	ProjectedCPUP99       types.Float64 `tfsdk:"projected_cpu_p99"`
	Risks                 types.List    `tfsdk:"risks"`
	Growth                types.List    `tfsdk:"growth"`
	EarlierPeak           types.Object  `tfsdk:"earlier_peak"`
	ReaderAlarms          types.List    `tfsdk:"reader_alarms"`
	DecisionMatrix        types.List    `tfsdk:"decision_matrix"`
	DecisionScore         types.Float64 `tfsdk:"decision_score"`
	CurrentMonthlyCost    types.Float64 `tfsdk:"current_monthly_cost"`
	ProposedMonthlyCost   types.Float64 `tfsdk:"proposed_monthly_cost"`
	MonthlySavings        types.Float64 `tfsdk:"monthly_savings"`
	AnnualSavings         types.Float64 `tfsdk:"annual_savings"`
	StorageMonthlySavings types.Float64 `tfsdk:"storage_monthly_savings"`
	SavingsTargetMet      types.Bool    `tfsdk:"savings_target_met"`
	SavingsTargetStatus   types.String  `tfsdk:"savings_target_status"`
	PriceSource           types.String  `tfsdk:"price_source"`
	RecommendedClass      types.String  `tfsdk:"recommended_instance_class"`
	ClassOptions          types.List    `tfsdk:"class_options"`
	RecommendedParameters types.Map     `tfsdk:"recommended_parameters"`
	PendingRebootParams   types.List    `tfsdk:"pending_reboot_parameters"`
	CurrentGroup          types.String  `tfsdk:"current_parameter_group"`
	CurrentParameters     types.Map     `tfsdk:"current_parameters"`
	CurrentStaticParams   types.List    `tfsdk:"current_static_parameters"`
	MigrationWindow       types.Object  `tfsdk:"migration_window"`
	BackupWindow          types.Object  `tfsdk:"backup_window"`
	MaintenanceWindow     types.Object  `tfsdk:"maintenance_window"`
	PendingMaintenance    types.List    `tfsdk:"pending_maintenance"`
	RecentFailovers       types.List    `tfsdk:"recent_failovers"`
	CPUCredits            types.Object  `tfsdk:"cpu_credits"`
	RollbackTriggers      types.List    `tfsdk:"rollback_triggers"`
	PrometheusRulesYAML   types.String  `tfsdk:"prometheus_rules_yaml"`
	ReportMarkdown        types.String  `tfsdk:"report_markdown"`
	ChartsSVG             types.Map     `tfsdk:"charts_svg"`
	InfracostUsageYAML    types.String  `tfsdk:"infracost_usage_yaml"`
	WindowStart           types.String  `tfsdk:"window_start"`
	WindowEnd             types.String  `tfsdk:"window_end"`
	PeriodUsed            types.Int64   `tfsdk:"period_seconds_used"`
	RequestsMade          types.Int64   `tfsdk:"requests_made"`
	TrafficScore          types.Float64 `tfsdk:"traffic_score"`
}

type policyModel struct {
	HeadroomPercent             types.Float64 `tfsdk:"headroom_percent"`
	AlertThresholdPercent       types.Float64 `tfsdk:"alert_threshold_percent"`
	MemoryThresholdPercent      types.Float64 `tfsdk:"memory_threshold_percent"`
	ConnectionsThresholdPercent types.Float64 `tfsdk:"connections_threshold_percent"`
	MinCoverage                 types.Float64 `tfsdk:"min_coverage"`
	MinLookbackDays             types.Int64   `tfsdk:"min_lookback_days"`
	MinDecisionScore            types.Float64 `tfsdk:"min_decision_score"`
	WeightPerformance           types.Float64 `tfsdk:"weight_performance"`
	WeightCost                  types.Float64 `tfsdk:"weight_cost"`
	WeightReliability           types.Float64 `tfsdk:"weight_reliability"`
	WeightOperations            types.Float64 `tfsdk:"weight_operations"`
}

type savingsTargetModel struct {
	MinMonthly types.Float64 `tfsdk:"min_monthly_usd"`
	MaxMonthly types.Float64 `tfsdk:"max_monthly_usd"`
}

// Object types of the computed nested lists.
var (
	recNodeType = map[string]attr.Type{
		"id": types.StringType, "role": types.StringType, "instance_class": types.StringType,
		"vcpu": types.Float64Type, "memory_gib": types.Float64Type, "cpu_p99": types.Float64Type,
		"cpu_pattern": types.StringType,
	}
	recReasonType = map[string]attr.Type{
		"check": types.StringType, "node": types.StringType, "metric": types.StringType, "value": types.Float64Type,
		"comparison": types.StringType, "limit": types.Float64Type, "unit": types.StringType, "passed": types.BoolType,
		"message": types.StringType,
	}
	recProjectedType = map[string]attr.Type{
		"metric": types.StringType, "unit": types.StringType, "p50": types.Float64Type, "p95": types.Float64Type,
		"p99": types.Float64Type, "max": types.Float64Type, "limit": types.Float64Type,
	}
	recRiskType        = map[string]attr.Type{"category": types.StringType, "severity": types.StringType, "description": types.StringType}
	recEarlierPeakType = map[string]attr.Type{
		"start": types.StringType, "end": types.StringType, "hours": types.Int64Type, "busiest_hour": types.StringType,
		"projected_cpu": types.Float64Type, "lookback_busiest_hour": types.StringType, "lookback_projected_cpu": types.Float64Type,
	}
	recGrowthType = map[string]attr.Type{
		"metric": types.StringType, "unit": types.StringType, "per_month": types.Float64Type, "z": types.Float64Type,
		"days": types.Int64Type, "pairs": types.Int64Type, "growing": types.BoolType, "level": types.Float64Type,
		"days_to_limit": types.Float64Type,
	}
	recReaderAlarmType = map[string]attr.Type{
		"alarm_name": types.StringType, "namespace": types.StringType, "metric_name": types.StringType, "metric_math": types.BoolType,
		"other_metrics": types.BoolType, "state": types.StringType, "treat_missing_data": types.StringType, "state_after": types.StringType,
		"actions_enabled": types.BoolType, "pages": types.BoolType,
		"composite_alarms": types.ListType{ElemType: types.ObjectType{AttrTypes: recCompositeAlarmType}},
	}
	recCompositeAlarmType = map[string]attr.Type{"alarm_name": types.StringType, "pages": types.BoolType}
	recMatrixType         = map[string]attr.Type{
		"criterion": types.StringType, "score": types.Float64Type, "weight": types.Float64Type, "evidence": types.StringType,
	}
	recOptionType = map[string]attr.Type{
		"rank": types.Int64Type, "instance_class": types.StringType, "fits": types.BoolType,
		"projected_cpu_p99": types.Float64Type, "projected_memory_p99": types.Float64Type,
		"failed_checks": types.ListType{ElemType: types.StringType}, "monthly_cost": types.Float64Type,
		"monthly_savings": types.Float64Type,
	}
	recWindowType = map[string]attr.Type{
		"known": types.BoolType, "weekday": types.StringType, "start_hour_utc": types.Int64Type,
		"length_hours": types.Int64Type, "expected_load": types.Float64Type, "peak_load": types.Float64Type,
		"reason": types.StringType,
	}
	recScheduledType = map[string]attr.Type{
		"window": types.StringType, "peak_cpu": types.Float64Type, "suggested": types.StringType, "suggested_peak_cpu": types.Float64Type,
	}
	recPendingType = map[string]attr.Type{
		"resource": types.StringType, "action": types.StringType, "description": types.StringType,
		"auto_applied_after": types.StringType, "forced_apply_date": types.StringType, "current_apply_date": types.StringType,
		"opt_in_status": types.StringType,
	}
	recEventType = map[string]attr.Type{
		"time": types.StringType, "source": types.StringType, "category": types.StringType, "message": types.StringType,
		"incident": types.BoolType,
	}
	recCreditsType = map[string]attr.Type{
		"instance_class": types.StringType, "baseline_percent": types.Float64Type, "peak_24h_mean_percent": types.Float64Type,
		"min_balance_percent": types.Float64Type, "depleted_hours": types.Int64Type, "surplus_vcpu_hours_per_month": types.Float64Type,
		"surplus_monthly_cost": types.Float64Type, "current_surplus_vcpu_hours_per_month": types.Float64Type,
	}
	recAlarmType = map[string]attr.Type{
		"alarm_name": types.StringType, "namespace": types.StringType, "metric_name": types.StringType,
		"dimensions": types.MapType{ElemType: types.StringType}, "statistic": types.StringType,
		"period": types.Int64Type, "evaluation_periods": types.Int64Type, "datapoints_to_alarm": types.Int64Type,
		"comparison_operator": types.StringType, "threshold": types.Float64Type, "unit": types.StringType,
		"treat_missing_data": types.StringType, "alarm_description": types.StringType, "severity": types.StringType,
	}
)

func (d *singleNodeRecommendationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_single_node_recommendation"
}

// identifierAttributes are the shared "exactly one of" inputs.
func identifierAttributes(what string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"db_instance_identifier": schema.StringAttribute{
			MarkdownDescription: "Identifier (or ARN) of an RDS for PostgreSQL Multi-AZ DB instance to " + what + ". Exactly one of `db_instance_identifier` and `db_cluster_identifier` is required.",
			Optional:            true,
			Validators:          []validator.String{rdsIdentifierValidator{noun: "DB instance", acceptARN: true}},
		},
		"db_cluster_identifier": schema.StringAttribute{
			MarkdownDescription: "Identifier (or ARN) of an Aurora PostgreSQL DB cluster (one writer and one reader) to " + what + ".",
			Optional:            true,
			Validators:          []validator.String{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}},
		},
	}
}

func (d *singleNodeRecommendationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	dp := analysis.DefaultPolicy()
	attrs := identifierAttributes("analyse")
	for k, v := range map[string]schema.Attribute{
		"lookback_days": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("Days of CloudWatch history to analyse, 1 to %d. Defaults to `%d`. Windows over 15 days use 5-minute datapoints, over 63 days hourly ones (CloudWatch retention). "+
				"When an instance's class changed inside the window (RDS event \"Finished applying modification to DB instance class.\", kept 14 days), "+
				"the analysis starts at the change, with a warning: CloudWatch measured CPU and memory before it on the old class.", MaxLookbackDays, DefaultLookbackDays),
			Optional:   true,
			Validators: []validator.Int64{int64validator.Between(1, MaxLookbackDays)},
		},
		"peak_lookback_days": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("Days of hourly CPU history, ending at the window's end, in which to look for an hour busier than the lookback's (`earlier_peak`): "+
				"a month end, a sale or last year's season that `lookback_days` does not reach. More than `lookback_days`, up to %d (CloudWatch keeps hourly data 455 days; "+
				"an older start is cut there). One more `GetMetricData` read of `CPUUtilization` (by role on Aurora) at a 1-hour period for the days before the window; "+
				"an Aurora cluster that `rightsize_db_topology` took to one node before the window is read with the reader its guard snapshot records, when it had it in those days. "+
				"Not set (the default) or 0 reads none.", MaxLookbackDays),
			Optional:   true,
			Validators: []validator.Int64{int64validator.Between(0, MaxLookbackDays)},
		},
		"end_time": schema.StringAttribute{
			MarkdownDescription: "End of the analysed window, RFC 3339 (e.g. `2026-11-01T00:00:00Z`). Defaults to now, truncated to the period. Set it, with `period_seconds`, to make plans reproducible: with the period left to default, it is chosen from the window's age, and once CloudWatch's datapoints of that period expire for the window's start (1-minute ones after 15 days, 5-minute ones after 63) the same window is read at a coarser period and the figures and rollback alarms change (a warning gives the date).",
			Optional:            true,
			Validators:          []validator.String{rfc3339Validator{}},
		},
		"period_seconds": schema.Int64Attribute{
			MarkdownDescription: "Datapoint period in seconds, a multiple of 60 from 60 to 86400 (a day); for a window starting more than 15 days ago a multiple of 300, more than 63 days ago a multiple of 3600 (CloudWatch returns no datapoints at other periods). Defaults to the finest period CloudWatch serves for the whole window (60, 300 or 3600).",
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(60, 86400), multipleOfValidator{60}},
		},
		"use_provider_postgres": schema.BoolAttribute{
			MarkdownDescription: "Add PostgreSQL facts (max_connections and the slots of it reserved for superusers and reserved roles, connections in use, cache hit ratio, TPS, replication slots) read over the provider's `postgres` connection. Defaults to `false`. The connections check compares the peak with the slots clients can take: `max_connections` less `superuser_reserved_connections`, `reserved_connections` (PostgreSQL 16+) and, on RDS and Aurora, `rds.rds_superuser_reserved_connections`. The cache hit ratio and TPS are cumulative since the statistics were last reset (a bulk load or dump since then counts too); connections in use count only for a role with `pg_monitor` (or `pg_read_all_stats`): to another role PostgreSQL hides which sessions are other roles' background workers, so the count is left out and CloudWatch's DatabaseConnections stands alone. Setting `postgres` also reads them (it overrides the connection): `false` together with `postgres` is an error.",
			Optional:            true,
		},
		"postgres": schema.SingleNestedAttribute{
			MarkdownDescription: "PostgreSQL connection to read facts from: the node that stays, the writer endpoint (or, for a DB instance that is a read replica, the replica's own; another node, such as an Aurora reader or a replica's source, is refused), overriding the provider's `postgres` block attribute by attribute. Setting it enables the PostgreSQL facts (it conflicts with `use_provider_postgres = false`). `password` conflicts with `iam_auth = true`.",
			Optional:            true,
			Attributes:          postgresOverrideAttributes(),
		},
		"policy": schema.SingleNestedAttribute{
			MarkdownDescription: "Thresholds of the verdict. Every field is optional: one left unset takes its default (the seed's: 20% headroom, 40% alert threshold), one set is used as given, `0` included where its range allows it (`headroom_percent = 0` adds no headroom; a weight of `0` leaves its criterion out of the score). The four weights must not all be `0`.",
			Optional:            true,
			Attributes: map[string]schema.Attribute{
				"headroom_percent": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.Between(0, 1000)},
					MarkdownDescription: fmt.Sprintf("Growth headroom added to the projected load before it is compared with a limit, in percent. Defaults to `%g`.", dp.HeadroomPercent)},
				"alert_threshold_percent": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.Between(1, 100)},
					MarkdownDescription: fmt.Sprintf("Limit for projected p99 CPU (and IOPS and network where the baseline is known: IOPS the class's EBS baseline or its volume's, whichever is lower, on RDS) plus headroom, in percent of capacity. Defaults to `%g`.", dp.AlertThresholdPercent)},
				"memory_threshold_percent": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.Between(1, 100)},
					MarkdownDescription: fmt.Sprintf("Limit for projected memory in use plus headroom, in percent of the class memory; on Aurora, for the memory in use outside the buffer cache, in percent of what the class's buffer cache (Aurora's default `shared_buffers`, about two thirds of the memory, or the one the parameter group sets) leaves. Defaults to `%g`.", dp.MemoryThresholdPercent)},
				"connections_threshold_percent": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.Between(1, 100)},
					MarkdownDescription: fmt.Sprintf("Limit for projected peak connections plus headroom, in percent of max_connections (the server's when PostgreSQL facts are read, less the slots it reserves for superusers and reserved roles, which clients cannot take; else what the writer's parameter group sets, when it sets it). Defaults to `%g`.", dp.ConnectionsThresholdPercent)},
				"min_coverage": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.Between(0.01, 1)},
					MarkdownDescription: fmt.Sprintf("Fraction of expected datapoints each required metric must have, 0.01 to 1. Defaults to `%g`.", dp.MinCoverage)},
				"min_lookback_days": schema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.Between(1, MaxLookbackDays)},
					MarkdownDescription: fmt.Sprintf("Shortest history accepted for a verdict, in days; no longer than `lookback_days` (a longer one could only give `insufficient-data`, and is refused). Defaults to `%d` (one weekly cycle).", int(dp.MinLookback/(24*time.Hour)))},
				"min_decision_score": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.Between(0, 10)},
					MarkdownDescription: fmt.Sprintf("Weighted decision-matrix score (0–10) needed to consolidate once every threshold passes. Defaults to `%g`.", dp.MinDecisionScore)},
				"weight_performance": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.AtLeast(0)},
					MarkdownDescription: fmt.Sprintf("Decision-matrix weight of performance impact. Defaults to `%g`.", dp.Weights.Performance)},
				"weight_cost": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.AtLeast(0)},
					MarkdownDescription: fmt.Sprintf("Decision-matrix weight of cost savings. Defaults to `%g`.", dp.Weights.Cost)},
				"weight_reliability": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.AtLeast(0)},
					MarkdownDescription: fmt.Sprintf("Decision-matrix weight of reliability. Defaults to `%g`.", dp.Weights.Reliability)},
				"weight_operations": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.AtLeast(0)},
					MarkdownDescription: fmt.Sprintf("Decision-matrix weight of operational complexity. Defaults to `%g`.", dp.Weights.Operations)},
			},
		},
		"target_instance_classes": schema.ListAttribute{
			MarkdownDescription: "Instance classes the single node may use, e.g. `[\"db.t4g.large\", \"db.r6g.large\"]`. Defaults to the writer's class and the other sizes of its family that have a single-node price (in a region the catalog does not price, those the provider's `instance_prices` give one): a warning names the sizes left out for want of one. Listed here, a class is considered with or without a price.",
			Optional:            true,
			ElementType:         types.StringType,
			Validators:          []validator.List{listvalidator.SizeBetween(1, 50), listvalidator.UniqueValues(), noNullElements{"an instance class such as db.r6g.large"}},
		},
		"savings_target": schema.SingleNestedAttribute{
			MarkdownDescription: "Monthly savings range sought, in USD. Defaults to 50–100 (the seed's target). `min_monthly_usd = 0` with `max_monthly_usd = 0` is a target any saving meets in full.",
			Optional:            true,
			Attributes: map[string]schema.Attribute{
				"min_monthly_usd": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.AtLeast(0)},
					MarkdownDescription: "Lower end of the range, USD/month. Defaults to `50`."},
				"max_monthly_usd": schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.AtLeast(0)},
					MarkdownDescription: "Upper end of the range, USD/month. Defaults to `100`."},
			},
		},
		"allow_single_node": schema.BoolAttribute{
			MarkdownDescription: "Analyse a deployment that already runs one node (after `rightsize_db_topology` took it to `nodes = 1`) " +
				"instead of failing with \"nothing to consolidate\": the verdict then says whether the single node still holds its load " +
				"within the policy, and costs compare it with the 2-node form of the same class (the savings already realised). " +
				"Set it in configurations that manage the change, so the plan after it stays valid. Defaults to `false`.",
			Optional: true,
		},
		"include_report": schema.BoolAttribute{
			MarkdownDescription: "Render `report_markdown` and `charts_svg`. They are most of what the data source stores in the Terraform state, and in " +
				"every plan file: 95 to 120 KB of some 115 to 140 KB per deployment (the charts 80 to 100 KB, the report 17 to 21 KB). " +
				"Set it to `false` where they are not used (a `for_each` over a fleet feeding cost modules and alarms): both are then " +
				"null, and every other attribute is the same. Defaults to `true`.",
			Optional: true,
		},
		"migration_window_hours": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("Length of the migration window to find in the hour-of-week profile, 1 to 24 hours. Defaults to `%d`.", DefaultMigrationWindowHours),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(1, 24)},
		},
	} {
		attrs[k] = v
	}
	for k, v := range recommendationComputedAttributes() {
		attrs[k] = v
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Decides whether a 2-node PostgreSQL deployment (an RDS Multi-AZ instance, or an Aurora writer plus one reader) " +
			"would run on a single node: CloudWatch utilization projected onto one node, PostgreSQL facts, the seed's policy " +
			"(20% headroom, 40% alert threshold), a decision matrix, savings from the embedded price catalog, tuned parameters, " +
			"rollback alarms, a migration window and a report with charts. Needs `rds:DescribeDBInstances`, " +
			"`rds:DescribeDBClusters` and `cloudwatch:GetMetricData` (and, for the alarms on an Aurora reader, `cloudwatch:DescribeAlarms`).",
		Attributes: attrs,
	}
}

func recommendationComputedAttributes() map[string]schema.Attribute {
	str := func(desc string) schema.Attribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	num := func(desc string) schema.Attribute {
		return schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
	}
	list := func(desc string, t map[string]attr.Type, descs map[string]string) schema.Attribute {
		nested := map[string]schema.Attribute{}
		for name, at := range t {
			nested[name] = computedAttr(at, descs[name])
		}
		return schema.ListNestedAttribute{Computed: true, MarkdownDescription: desc, NestedObject: schema.NestedAttributeObject{Attributes: nested}}
	}
	object := func(desc string, t map[string]attr.Type, descs map[string]string) schema.Attribute {
		nested := map[string]schema.Attribute{}
		for name, at := range t {
			nested[name] = computedAttr(at, descs[name])
		}
		return schema.SingleNestedAttribute{Computed: true, MarkdownDescription: desc, Attributes: nested}
	}
	return map[string]schema.Attribute{
		"id": str("The analysed identifier."),
		"already_single_node": schema.BoolAttribute{Computed: true,
			MarkdownDescription: "Whether the deployment already runs one node (only with `allow_single_node`)."},
		"topology": str("`multi-az` (RDS Multi-AZ DB instance) or `aurora` (Aurora writer + reader)."),
		"engine":   str("Engine and version, e.g. `aurora-postgresql 15.4`."),
		"nodes": list("Nodes of the deployment as measured.", recNodeType, map[string]string{
			"id": "DB instance identifier (the Multi-AZ standby is `<id>-standby`).", "role": "`writer`, `reader` or `standby`.",
			"instance_class": "DB instance class.", "vcpu": "vCPUs of the class.", "memory_gib": "Memory of the class, GiB.",
			"cpu_p99": "p99 of CPUUtilization, percent (null without data). For an Aurora reader measured by role, the total across the readers the cluster had, in percent of one instance of its class: above 100 while it had more than one reader.", "cpu_pattern": "Workload pattern of the node's CPU.",
		}),
		"verdict":                str("`consolidate`, `keep` or `insufficient-data`. `consolidate` means the writer's own class holds the single node (check `writer_class_fits`), since `rightsize_db_topology` removes a node without resizing the writer: when only a larger class would, the verdict is `keep` and `recommended_instance_class` names the class to resize the writer to first."),
		"single_node_sufficient": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether `verdict` is `consolidate`."},
		"confidence":             num("Confidence in the verdict, 0 to 1: data quality (the lowest coverage of a required metric, and the lookback, the span of the data present, from its first datapoint to the window's end, up to 28 days) times a margin term from 0.5 to 1. For `consolidate` the margin is the distance of the nearest check below its limit; for `keep` it is how far the failing checks miss their limits (the largest relative overshoot of a failing capacity check, or of `decision_score` or `monthly_savings` when those decide), so passing checks do not lower it. For `insufficient-data`, data quality times the lookback over `policy.min_lookback_days` (at most 1)."),
		"reasons": list("Every threshold checked, with its value and limit.", recReasonType, map[string]string{
			"check": "Stable identifier of the check: coverage and lookback checks, then the single node's (`cpu_p99_with_headroom`, `memory_p99_with_headroom`, `iops_p99_with_headroom`, `network_p99_with_headroom`, `connections_peak_with_headroom`, `local_storage` on Aurora, `cpu_credits` for burstable classes), `reader_estimate` (points where an estimate stood in for a reader's missing datapoint, at most 1 − `min_coverage`), `class_fits` (candidate classes that pass, at least 1), `writer_class_fits` (the writer's own class holds the single node; made when some class fits), `decision_score` and `monthly_savings` (above 0 when priced: a single node that saves nothing is no reason to give up the second).", "node": "Node the value belongs to; empty for projected values.",
			"metric": "Metric or projected quantity.", "value": "Measured or projected value.", "comparison": "How value must relate to limit to pass: `<=`, `>=`, `>` (`monthly_savings`) or `==` (`writer_class_fits`, whose value is 1 when the class fits and 0 when not).",
			"limit": "The limit.", "unit": "Unit of value and limit.", "passed": "Whether the check passed.", "message": "The check in words.",
		}),
		"workload_pattern": str("Pattern of the projected single-node CPU: `steady`, `daily-cycle`, `weekly-cycle`, `spiky` or `insufficient-data`, as `rightsize_utilization`'s `pattern.pattern`."),
		"projected": list("Projected single-node utilization (p50/p95/p99/max).", recProjectedType, map[string]string{
			"metric": "`cpu`, `memory`, `iops`, `connections` or `network`. `memory` is the memory in use (the class's memory less `FreeableMemory`, plus the reader's connections on Aurora) in percent of the class's memory; on Aurora (also a one-instance cluster), the memory in use outside the buffer cache (less the class's `shared_buffers`: Aurora's default, or the one the parameter group sets), in percent of what the cache leaves.", "unit": "`percent`, `count/second`, `count` or `bytes/second`.",
			"p50": "Median.", "p95": "95th percentile.", "p99": "99th percentile.", "max": "Maximum.", "limit": "Limit the p99 plus headroom is compared with (null when capacity is unknown).",
		}),
		"projected_cpu_p95": num("Projected single-node CPU p95, percent of the writer's vCPUs."),
		"projected_cpu_p99": num("Projected single-node CPU p99, percent of the writer's vCPUs."),
		"risks":             list("Risks of running on one node.", recRiskType, riskDescriptions),
		"earlier_peak": object("With `peak_lookback_days`: the busiest hour the single node would have carried in the days before the lookback, against the lookback's busiest hour, "+
			"both hourly means of the projected CPU (the writer's plus the reader's scaled by its vCPUs, as `projected` adds them) in percent of `recommended_instance_class`'s vCPUs. "+
			"More than the policy's headroom above the lookback's, and with headroom at least half of `alert_threshold_percent`, is a `high-traffic` risk (`high` when that hour alone, with headroom, is above `alert_threshold_percent`). "+
			"Hours without the writer's data are left out; a reader without data in an hour adds nothing, so a peak can only be understated by them. "+
			"An Aurora reader that `rightsize_db_topology` removed before the window counts until its removal (its guard snapshot records it; in the hour of the removal for the minutes it reported). The earlier CPU from before an instance class change RDS still lists (14 days of events) is left out, with a warning; "+
			"CPU measured on a class changed earlier than that is taken as on today's (overstated after an upsize, understated after a downsize). "+
			"Null without `peak_lookback_days`, or when CloudWatch has no earlier data.", recEarlierPeakType, map[string]string{
			"start": "Start of the first earlier hour with data, RFC 3339.", "end": "End of the last earlier hour with data, RFC 3339.",
			"hours": "Earlier hours with data.", "busiest_hour": "Start of the busiest earlier hour, RFC 3339.",
			"projected_cpu": "Projected CPU in that hour, percent.", "lookback_busiest_hour": "Start of the lookback's busiest hour, RFC 3339 (null when not projected).",
			"lookback_projected_cpu": "Projected CPU in the lookback's busiest hour, percent (null when not projected).",
		}),
		"growth": list("Trend of the projected single-node load over the lookback, on `recommended_instance_class`: for `cpu` and `iops`, the busiest hour of each UTC day "+
			"(days with at least 20 hours of data, a datapoint of a `period_seconds` over 3600 counting for its period, not cut by the start or end of the data: a window that does not end at midnight UTC loses its first and last days), compared weekday to weekday (Seasonal Kendall test and slope: a weekly cycle is not taken for a trend). "+
			"A rise is reported when `z` ≥ 1.96 over at least 21 days; its `days_to_limit` within a year makes a `capacity` risk (`high` within 30 days, `medium` within 90). "+
			"On a burstable class, when the `cpu_credits` check is made, a last entry, `cpu_credits`: the daily mean of the projected CPU by the same rules, against the class's CPU credit baseline; its `days_to_limit` within a year makes a `burst` risk with the same bands (past the baseline the node pays for surplus CPU credits, a cost before it is a capacity problem, and `cpu_credits` fails). "+
			"Linear: a one-off step up within the window (a release, a new job), a quiet first week (holidays) or a busy last one (month-end) also reads as growth.", recGrowthType, map[string]string{
			"metric": "`cpu` (percent of the recommended class's vCPUs), `iops` (ReadIOPS + WriteIOPS) or `cpu_credits` (the CPU, percent of the recommended class's vCPUs, against its CPU credit baseline; burstable classes only).", "unit": "`percent` or `count/second`.",
			"per_month": "Change of the daily busiest hour (for `cpu_credits`, the daily mean) per 30 days (the median of the same-weekday pairs' changes per day × 30), in `unit`; null when no weekday has two days with a value (`pairs` 0, as with under 8 days).",
			"z":         "Seasonal Kendall statistic (continuity- and tie-corrected): positive for a rising load; null when `pairs` is 0.",
			"days":      "UTC days with a daily value.", "pairs": "Same-weekday pairs of days compared.",
			"growing": "Whether a rise is reported: `z` ≥ 1.96, `per_month` above 0 and `days` at least 21 (with two weeks, one change of level between them always reads as a trend), and the rise does not rest on one week: with the first 7 days of data left out, and again with the last 7, `z` is still at least 1 and the slope positive.",
			"level":   "The projected p99 the capacity check judges, in `unit`; for `cpu_credits`, the projected CPU's highest 24-hour mean, which the `cpu_credits` check judges.",
			"days_to_limit": "When `growing`, the days from the end of the window until `level`, rising at `per_month` (linearly), with the policy's headroom, reaches the check's limit (0: there already): for `cpu` and `iops` `alert_threshold_percent` (of the vCPUs; of the class's baseline IOPS), for `cpu_credits` the class's CPU credit baseline; " +
				"null when not growing, or for `iops` when the class's baseline IOPS is not known.",
		}),
		"reader_alarms": list("The CloudWatch metric alarms that watch the reader a 2-node Aurora cluster's consolidation removes (its `AWS/RDS` metrics by `DBInstanceIdentifier`, the cluster's `Role = READER` series or its `AuroraReplicaLag`, and the `AuroraReplicaLagMaximum` and `AuroraReplicaLagMinimum` the writer publishes about its replicas, directly or through metric math), which receive no data once it is gone (`risks` names them too, with what to do). "+
			"Empty when none does, and for a Multi-AZ instance or a cluster already of one node (no metric stops); null when they could not be listed (`cloudwatch:DescribeAlarms`; see the warnings).", recReaderAlarmType, map[string]string{
			"alarm_name": "The alarm's name.", "namespace": "Namespace of the reader's metric it watches (`AWS/RDS`).",
			"metric_name": "The reader's metric it watches (the first, for metric math).", "metric_math": "Whether that metric is one of the alarm's metric-math `Metrics`.",
			"other_metrics": "Whether its metric math also reads metrics that go on (the writer's, say): then whether it loses its data depends on its expression (`r + w` has no value without `r`; `SUM`, `MAX` or `FILL` keep one), `state_after` is what it reads if it does, and `pages` is false.",
			"state":         "The alarm's state now: `OK`, `ALARM` or `INSUFFICIENT_DATA`.", "treat_missing_data": "Its `TreatMissingData`; `missing` when not set (CloudWatch's default).",
			"state_after":     "The state it reads once the reader's metrics stop: `ALARM` (`breaching`), `OK` (`notBreaching`), its state now (`ignore`), else `INSUFFICIENT_DATA`.",
			"actions_enabled": "Its `ActionsEnabled`.", "pages": "Whether it goes into `ALARM` then and runs alarm actions (it pages); false with `other_metrics`, whose paging depends on its expression (`risks` says it may page).",
			"composite_alarms": "The composite alarms that page or may page through it once the reader's metrics stop: whose `AlarmRule` reads it in `ALARM()`, `OK()` or `INSUFFICIENT_DATA()` (by name or ARN), directly or through other composite alarms, with alarm actions enabled and not in `ALARM` already; each with `alarm_name` and `pages`: true when its rule (and every rule down to this alarm) is `ALARM(x)` or an `OR` of `ALARM()` terms and this alarm goes to `ALARM` (it pages), false when it may page as its rule decides (`AND`, `NOT`, `OK()`, `INSUFFICIENT_DATA()`, `TRUE`, `FALSE`, or `other_metrics`). Rules are read, not evaluated; `AT_LEAST()` is not read.",
		}),
		"decision_matrix": list("The seed's decision matrix: performance impact, cost savings, reliability, operational complexity.", recMatrixType, map[string]string{
			"criterion": "Criterion.", "score": "0 (against consolidating) to 10 (for).", "weight": "Weight.", "evidence": "Why.",
		}),
		"decision_score":             num("Weighted decision-matrix score, 0 to 10."),
		"current_monthly_cost":       num("What the deployment costs per month today, or for one already on one node (`already_single_node`) what its 2-node form would cost (Multi-AZ; an Aurora cluster's writer and the reader `rightsize_db_topology` removed last, of the class its guard snapshot records, else a second instance of the writer's class), so that `monthly_savings` are the savings realised (730 h, on-demand, catalog price, plus the surplus CPU credits of burstable nodes where their price is known, a Multi-AZ instance's storage where priced, its Provisioned IOPS and provisioned gp3 IOPS and throughput included (see `storage_monthly_savings`), and RDS Extended Support on every instance's vCPUs, the Multi-AZ standby and Aurora readers included, when its PostgreSQL major version is past the end of standard support today (whatever window was read; the provider's table has the dates of PostgreSQL 11–13, and for a later version no longer supported by the PostgreSQL community it asks RDS, `rds:DescribeDBMajorEngineVersions`, with a warning when that fails and one when the charge starts within a year): $0.100 per vCPU-hour in years 1–2 and $0.200 in year 3 in us-east-1, AWS's price as quoted in 2026; other regions unpriced, with a warning), USD; null when unpriced. A stopped deployment is priced as if it ran the whole month (see the warnings)."),
		"proposed_monthly_cost":      num("What the single node on `recommended_instance_class` costs per month (with its surplus CPU credits where priced, see `cpu_credits`, its storage, where priced, when `storage_monthly_savings` is set, and RDS Extended Support on its class's vCPUs when `current_monthly_cost` carries it), USD; null when unpriced. The current class is priced, not one a pending modification will change it to (see the warnings)."),
		"storage_monthly_savings":    num("What the change saves on storage per month, USD, included in `monthly_savings`: RDS bills a Multi-AZ instance's allocated storage, Provisioned IOPS (io1, io2) and the IOPS and throughput gp3 provisions above what it includes at twice the Single-AZ rate, so turning Multi-AZ off halves each. Each is counted where the catalog (in us-east-1: gp2, gp3, io1 and magnetic storage, io1's and gp3's IOPS) or the provider's `storage_prices` price it, and a warning names what is left out. Null for Aurora (the cluster volume stays) and when none of it is priced."),
		"monthly_savings":            num("`current_monthly_cost - proposed_monthly_cost`, USD (negative when the class that fits costs more than today's two nodes, or than the 2-node form of a deployment already on one node); null when unpriced."),
		"annual_savings":             num("`monthly_savings × 12`, USD; null when unpriced."),
		"savings_target_met":         schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether monthly savings reach `savings_target.min_monthly_usd`; `false`, not null, when they are not known (`savings_target_status = \"unknown\"`), so that a condition gating a change on it holds back."},
		"savings_target_status":      str("`below`, `within` or `above` the savings target range, or `unknown`."),
		"price_source":               str("Where the prices of `current_monthly_cost` and `class_options` came from (a Multi-AZ instance's storage, which they include, as well as the instances): `catalog <date>` (the embedded, dated catalog; an estimate; `catalog <oldest> to <newest>` when the prices used were taken on different days, as the catalog's Aurora rows were) or `provider-configuration` (the provider's `instance_prices`, `instance_classes` or `storage_prices`), or both, the current price's first, joined by ` and ` (`provider-configuration and catalog 2024-08-09`: the configuration prices some classes or deployments, the catalog the others, so the ranking compares rates of both), then `extended-support-rates <YYYY-MM>` when the prices include RDS Extended Support's per-vCPU rate (the embedded list rates, dated by the newest source quoting them), followed by how they were adjusted when they were (an Aurora I/O-Optimized cluster: `(Aurora I/O-Optimized: the catalog's Aurora Standard prices × 1.3)`, or `the Aurora Standard prices × 1.3` when the configuration gives some of them, followed by `, where the provider configuration gives no aurora_io_optimized price` when it gives some classes' I/O-Optimized prices; nothing when it gives all the I/O-Optimized prices used), or `unknown` when nothing is priced."),
		"recommended_instance_class": str("Class the single node should run: the cheapest candidate that fits (every capacity check, its local storage on Aurora and its CPU credits when burstable pass with headroom), which may cost more than the writer's class; the writer's class when none fits (the verdict is then `keep`)."),
		"class_options": list("Candidate classes ranked: fitting first, then by price.", recOptionType, map[string]string{
			"rank": "1 = best.", "instance_class": "Class.", "fits": "Whether every capacity check passes on it.",
			"projected_cpu_p99": "Projected CPU p99 on this class, percent.", "projected_memory_p99": "Projected memory in use p99 on this class, percent of its memory; on Aurora the memory in use outside the buffer cache, percent of what this class's buffer cache leaves of its memory.",
			"failed_checks": "Checks that fail on this class: `reasons` check names, plus `burstable_class` (a burstable class offered for a fixed-performance one), `local_storage` (Aurora: the projected local storage use at its peak, with headroom, exceeds the class's local storage), `cpu_credits` (a burstable class whose baseline the projected CPU, with headroom, exceeds as a mean over some 24 hours) and `no_data`.", "monthly_cost": "Single-node monthly price, USD, with RDS Extended Support on the class's vCPUs when `current_monthly_cost` carries it (null when unpriced).",
			"monthly_savings": "Savings versus today, USD/month, as `monthly_savings` would be with this class recommended: the instance hours, the storage the change saves (`storage_monthly_savings`) and the surplus CPU credits of burstable nodes where priced (today's nodes' against what this class would pay, see `cpu_credits`); null when unpriced.",
		}),
		"recommended_parameters": schema.MapAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "PostgreSQL settings for the single node (pgtune-style, in RDS parameter group units), e.g. `shared_buffers`, `work_mem`, `max_connections`. `shared_buffers` and `effective_cache_size` are parameter formulas on `DBInstanceClassMemory`, the memory RDS leaves to the database (less than the class's, by more on small classes), so that they also follow the class if the instance is resized: on RDS a quarter (`{DBInstanceClassMemory/32768}`, RDS's default) and three quarters (`{DBInstanceClassMemory*3/32768}`) of it in 8 kB pages; on Aurora, Aurora's default formula for both (`SUM({DBInstanceClassMemory/12038},-50003)`: Aurora has no double buffering), or the `shared_buffers` the parameter group sets where it fits the class (the memory check judges the node with that cache), and the WAL and checkpoint settings and `effective_io_concurrency` are left out (Aurora does not take them in an instance parameter group). `wal_buffers` is left out on both: PostgreSQL's default sizes it at 1/32 of `shared_buffers` up to one WAL segment, 64 MB on RDS, above pgtune's 16 MB, and it is static. `max_connections` is never below what the node keeps: what the writer's DB parameter group sets (or, on Aurora, its DB cluster parameter group; read with `rds:DescribeDBParameters` and `rds:DescribeDBClusterParameters`, RDS's default groups excepted), a number or a formula evaluated on `recommended_instance_class`; else the server's `max_connections` when PostgreSQL facts are read (RDS's default on `recommended_instance_class` when the server's looks like the default of the writer's class and that class differs); else RDS's default on the class, `LEAST({DBInstanceClassMemory/9531392},5000)`. It is recommended when the projected peak with headroom, within `policy.connections_threshold_percent`, needs more (where RDS's default is kept, more than 60% of it on the class's memory, the least it may be on the smaller `DBInstanceClassMemory`: then at least that default), and otherwise as the kept value when that is above RDS's default (a new parameter group, as `examples/parameter-group` makes, would have the default: a cut). Otherwise, and with no peak known, it is left out: an existing group keeps its value, a new one RDS's default; the peak is of CloudWatch averages, idle slots cost little, and a limit cut to just above that peak would refuse connections in the next burst, after a reboot to apply it. A group's value the provider does not evaluate (a formula of another variable, or `IF`), or groups it could not read, are warnings, and the server's value or RDS's default stands in; a group's value that gives `recommended_instance_class` less than 1 (which PostgreSQL refuses to start with) is a high `capacity` risk, and `max_connections` is then recommended. `work_mem` is sized against the `max_connections` in effect, and, as pgtune, divided by half the workers per gather (`max_parallel_workers_per_gather`, rounded up): each worker of a parallel query takes its own. `maintenance_work_mem` is a sixteenth of the memory, at most 8 GB; on Aurora a sixteenth of what the buffer cache leaves of it, in whole MB, at least 64 MB (351 MB on db.r6g.large, not 1 GB on top of a 10.5 GB cache: each autovacuum worker can take it), as `work_mem` is sized there. On RDS, `max_wal_size` is a quarter of the writer's lowest `FreeStorageSpace` in the window, rounded down to a power of two between 256 MB and 8 GB, and `min_wal_size` a quarter of that (128 MB to 2 GB): WAL between checkpoints takes the same storage as the data, and a full volume stops the instance; without `FreeStorageSpace` datapoints both are left out. Static parameters are listed in `pending_reboot_parameters`."},
		"pending_reboot_parameters": schema.ListAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "The names in `recommended_parameters` that PostgreSQL reads only at server start (`pg_settings.context` `postmaster`: `shared_buffers`, `max_connections`, `max_worker_processes`), sorted. RDS calls them static: a DB parameter group takes them only with `apply_method = \"pending-reboot\"` (RDS refuses `immediate` for them), and the instance runs with the old values until it is rebooted. The others are dynamic: changed in a group the instance already uses, they apply at once; a group newly associated with the instance applies all its parameters only at the next reboot."},
		"current_parameter_group": str("The writer's DB parameter group (null when RDS did not say)."),
		"current_parameters": schema.MapAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "Every parameter a user set in `current_parameter_group` (`rds:DescribeDBParameters` with source `user`), by name: " +
				"what a new DB parameter group that replaces it must carry over, or the instance loses them at the next reboot " +
				"(`rds.logical_replication`, `shared_preload_libraries`, `rds.force_ssl`, logging, timeouts: a logical replication slot with `wal_level` back below `logical` keeps PostgreSQL from starting). " +
				"`examples/parameter-group` merges them under `recommended_parameters`, which win where both set a parameter. Empty for RDS's default groups (`default.*`, which set nothing a user chose); null when the group could not be read (a warning says why). " +
				"On Aurora the DB cluster parameter group stays with the cluster and is not listed. Once a group built from this list is the writer's, this lists that group: a parameter dropped from the recommendation since stays in it until removed by hand."},
		"current_static_parameters": schema.ListAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "The names in `current_parameters` RDS calls static (`ApplyType` `static`: read at server start; a group takes them only with `apply_method = \"pending-reboot\"`), sorted; null when `current_parameters` is."},
		"migration_window": schema.SingleNestedAttribute{Computed: true, MarkdownDescription: "Lowest-load window of `migration_window_hours` in the hour-of-week CPU profile (UTC), clear of the backup window (Multi-AZ) and the maintenance window, both where they are and where `windows` suggests moving them, and of an Aurora cluster's own maintenance window (when no window avoids them all, clear of the current ones; `reason` says which it avoids).",
			Attributes: map[string]schema.Attribute{
				"known":          schema.BoolAttribute{Computed: true, MarkdownDescription: "False when no window of `migration_window_hours` has projected CPU in every one of its hours of the week (`reason` says so); `weekday`, `start_hour_utc`, `expected_load` and `peak_load` are then null."},
				"weekday":        schema.StringAttribute{Computed: true, MarkdownDescription: "`Sunday` … `Saturday`; null when not `known`."},
				"start_hour_utc": schema.Int64Attribute{Computed: true, MarkdownDescription: "Start hour, 0–23 UTC; null when not `known`."},
				"length_hours":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Length, hours."},
				"expected_load":  schema.Float64Attribute{Computed: true, MarkdownDescription: "Mean projected CPU over the window, percent; null when not `known`."},
				"peak_load":      schema.Float64Attribute{Computed: true, MarkdownDescription: "Highest hour's projected CPU in the window, percent; null when not `known`."},
				"reason":         schema.StringAttribute{Computed: true, MarkdownDescription: "How the window was chosen (and which windows it avoids), or why none is known."},
			}},
		"backup_window": object("The automated backup window (daily, UTC) and the projected single-node CPU in it. "+
			"On RDS Multi-AZ the backups are taken from the standby; on one node they are taken from the instance, and I/O can pause briefly as each starts. "+
			"`suggested` is a value for `aws_db_instance.backup_window`: the current window, or 30 minutes from the start of the hour of the day whose busiest day is quietest. "+
			"Aurora's backups are continuous and leave the instances alone: nothing is suggested.", recScheduledType, map[string]string{
			"window":             "The backup window as RDS reports it (`hh24:mi-hh24:mi`); null when unknown (or in a form not read: see `warnings`).",
			"peak_cpu":           "Highest hourly mean of the projected CPU, percent, in the hours of the week the window touches; null when not every one has data.",
			"suggested":          "Where the window should be (`hh24:mi-hh24:mi`): the current one when it is within 5 points of CPU of the quietest, else a quieter one; null for Aurora and when no hour of the day has data on every day.",
			"suggested_peak_cpu": "The suggested hour's projected CPU on its busiest day, percent.",
		}),
		"maintenance_window": object("The weekly maintenance window (UTC; for Aurora the writer instance's) and the projected single-node CPU in it. "+
			"With two nodes, an OS update or hardware maintenance costs a failover; on one node it takes the database offline while it runs. "+
			"`suggested`, never overlapping `backup_window.suggested`, is the current window or 30 minutes in the quietest hour of the week: a value for `aws_db_instance.maintenance_window` "+
			"(or the writer's `aws_rds_cluster_instance.preferred_maintenance_window`). `migration_window` avoids both windows.", recScheduledType, map[string]string{
			"window":             "The maintenance window as RDS reports it (`ddd:hh24:mi-ddd:hh24:mi`); null when unknown.",
			"peak_cpu":           "Highest hourly mean of the projected CPU, percent, in the hours the window touches; null when not every one has data.",
			"suggested":          "Where the window should be (`ddd:hh24:mi-ddd:hh24:mi`): the current one when it is within 5 points of CPU of the quietest and clear of `backup_window.suggested`, else a quieter one; null unless every hour of the week has data.",
			"suggested_peak_cpu": "The suggested hour's mean projected CPU, percent.",
		}),
		"pending_maintenance": list("Maintenance actions RDS has pending for the deployment's instances and (Aurora) cluster (rds:DescribePendingMaintenanceActions). "+
			"An OS update (`system-update`, `os-upgrade`) or `hardware-maintenance` pending on the writer is also listed in `risks`: apply it before the change, while the other node can take over.", recPendingType, map[string]string{
			"resource": "The DB instance or cluster identifier.", "action": "`system-update`, `os-upgrade`, `hardware-maintenance`, `db-upgrade`, `ca-certificate-rotation`, ...",
			"description":        "RDS's description of the action.",
			"auto_applied_after": "RFC 3339: RDS applies the action in the first maintenance window after this date; null when not set.",
			"forced_apply_date":  "RFC 3339: RDS applies the action on this date, whatever the window; null when not set.",
			"current_apply_date": "RFC 3339: when RDS will apply it, given the opt-in and the dates above; null when not scheduled.",
			"opt_in_status":      "`immediate`, `next-maintenance`, or null when not opted in.",
		}),
		"recent_failovers": list("The deployment's failover and failure events of the last 14 days, oldest first (rds:DescribeEvents, categories `failover` and `failure`; RDS keeps events for 14 days). "+
			"Each that is an `incident` is a `redundancy` risk: the second node took over, and on one node the same incident would have been downtime.", recEventType, map[string]string{
			"time": "RFC 3339.", "source": "The DB instance or (Aurora) cluster identifier.", "category": "`failover` or `failure`.", "message": "RDS's message.",
			"incident": "Whether the event shows a node going down or the other taking over, and so counts as a risk. RDS also files under these categories events that show neither, listed with `false`: an Enhanced Monitoring or credentials configuration error, a requested failover RDS did not attempt (RDS-EVENT-0034), an Aurora failover that failed (RDS-EVENT-0069), and the like.",
		}),
		"cpu_credits": schema.SingleNestedAttribute{Computed: true,
			MarkdownDescription: "CPU credits of the single node when `recommended_instance_class` is burstable (db.t3, db.t4g); null otherwise. " +
				"RDS and Aurora run these classes in unlimited mode: they earn credits at their baseline, spend them at their CPU utilization, and pay for the surplus credits spent beyond 24 hours of earnings. " +
				"The account is simulated hour by hour over the projected CPU, in its steady state (the window starts with the balance it leaves behind).",
			Attributes: map[string]schema.Attribute{
				"instance_class":        schema.StringAttribute{Computed: true, MarkdownDescription: "The class simulated."},
				"baseline_percent":      schema.Float64Attribute{Computed: true, MarkdownDescription: "Its baseline utilization per vCPU, percent (20 for db.t4g.medium)."},
				"peak_24h_mean_percent": schema.Float64Attribute{Computed: true, MarkdownDescription: "Highest mean projected CPU over 24 consecutive hours, percent (null for a window under 24 hours). Above the baseline, the node pays for surplus credits."},
				"min_balance_percent":   schema.Float64Attribute{Computed: true, MarkdownDescription: "Lowest accrued credit balance, percent of its 24-hour limit."},
				"depleted_hours":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Hours that ended with no accrued credits (bursting on surplus credits)."},
				"surplus_vcpu_hours_per_month": schema.Float64Attribute{Computed: true,
					MarkdownDescription: "Surplus credits the single node would pay for, vCPU-hours per 730-hour month."},
				"surplus_monthly_cost": schema.Float64Attribute{Computed: true,
					MarkdownDescription: "Those in USD per month, included in `proposed_monthly_cost`; null when the credit price is unknown (the catalog has RDS's $0.075 per vCPU-hour, none for Aurora)."},
				"current_surplus_vcpu_hours_per_month": schema.Float64Attribute{Computed: true,
					MarkdownDescription: "Surplus credits the burstable nodes pay for today, each on its own CPU, vCPU-hours per month (included in `current_monthly_cost` when priced)."},
			}},
		"rollback_triggers": list("CloudWatch alarm specs derived from the baseline, usable with `aws_cloudwatch_metric_alarm`, sized for `recommended_instance_class` (CPU rescaled to its vCPUs, memory to its RAM; `rightsize_db_topology` does not change the class: when the single node keeps another, resize it, or read the thresholds with that in mind). "+
			"The last, `rightsize-availability-<instance>`, fires when the node publishes no CPUUtilization in 3 of 5 minutes (`SampleCount < 1`, missing data breaching): a node that is down publishes nothing, which leaves every other alarm without data, and on one node nothing fails over (planned reboots and maintenance fire it too). When one fires after the change: on Aurora, the reader's work moved onto the writer, and adding the reader back (`nodes = 2`) takes its reads again where the applications use the reader endpoint; on Multi-AZ, the standby served nothing, so the alarm means the load grew beyond the baseline, which a larger class answers (putting the standby back restores failover, not capacity, and creating it adds I/O and write latency to the busy instance).", recAlarmType, map[string]string{
			"alarm_name": "Alarm name.", "namespace": "`AWS/RDS`.", "metric_name": "Metric.", "dimensions": "Dimensions: `DBInstanceIdentifier` of the single node; on Aurora, for the metrics Aurora publishes by role (CPU, memory, connections, IOPS, local storage), `DBClusterIdentifier` and `Role = WRITER`, which AWS advises for Aurora alarms as they follow the writer across a failover.",
			"statistic": "Statistic.", "period": "Period, seconds.", "evaluation_periods": "Evaluation periods.",
			"datapoints_to_alarm": "Datapoints to alarm.", "comparison_operator": "CloudWatch comparison operator.",
			"threshold": "Threshold, in the metric's unit.", "unit": "Unit RDS documents for the metric, which `threshold` is in. Do not pass it to `aws_cloudwatch_metric_alarm`: CloudWatch recommends omitting the unit, as one that does not match the published unit leaves the alarm in INSUFFICIENT_DATA.", "treat_missing_data": "Missing-data treatment: `missing`, or `breaching` for the availability alarm.", "severity": "`critical` (page on call), or `warning` for a cost rather than an outage (surplus CPU credits charged): route it elsewhere.",
			"alarm_description": "What the alarm means.",
		}),
		"prometheus_rules_yaml": str("The rollback triggers as Prometheus alerting rules (YAML), for the metric and label names of [prometheus/cloudwatch_exporter](https://github.com/prometheus/cloudwatch_exporter) (`aws_rds_<metric>_<statistic>{dbinstance_identifier=\"...\"}`, or `{dbcluster_identifier=\"...\",role=\"WRITER\"}` for Aurora's role metrics: export them with those dimensions); other exporters, such as YACE, name them differently. Run the exporter with `set_timestamp: false`: by default it stamps each sample `delay_seconds` (600 s) in the past, outside Prometheus' 5-minute lookback, and no rule ever sees a value (the file's opening comment says so too). A rule on a `Sum` (one datapoint per period) fires at once."),
		"report_markdown":       str("A Markdown report of the analysis. Null when `include_report` is `false`."),
		"charts_svg": schema.MapAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "SVG charts by file name (CPU, memory and IOPS per node with threshold lines; an hour-of-week heat map). Each is an image with a title and a description of its figures for screen readers (`role=\"img\"`, `<title>`, `<desc>`), which `report_markdown` gives too: the title as the image's alt text, the description below it. Null when `include_report` is `false`."},
		"infracost_usage_yaml": str("An Infracost usage file for the deployment's resources from measured usage."),
		"window_start":         str("Start of the analysed window, RFC 3339."),
		"window_end":           str("End of the analysed window, RFC 3339."),
		"period_seconds_used":  schema.Int64Attribute{Computed: true, MarkdownDescription: "Datapoint period used, seconds."},
		"requests_made":        schema.Int64Attribute{Computed: true, MarkdownDescription: "GetMetricData calls made: the lower bound for the window's metrics (or one call above it, for the few window shapes whose whole time segments cannot fill every request), plus one with `peak_lookback_days` (its read of the CPU before the window), and each call sent again after a failure (throttling, a server error)."},
		"traffic_score":        num("Mean busy vCPUs of the projected single node: one of the four measures (with IOPS, connections and network) whose ranks order `rightsize_fleet.phase_order`, lowest traffic first."),
	}
}

// computedAttr builds a computed attribute of type t.
func computedAttr(t attr.Type, desc string) schema.Attribute {
	switch t {
	case types.StringType:
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	case types.Float64Type:
		return schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
	case types.Int64Type:
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	case types.BoolType:
		return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	}
	switch tt := t.(type) {
	case types.ListType:
		return schema.ListAttribute{Computed: true, ElementType: tt.ElemType, MarkdownDescription: desc}
	case types.MapType:
		return schema.MapAttribute{Computed: true, ElementType: tt.ElemType, MarkdownDescription: desc}
	}
	panic(fmt.Sprintf("computedAttr: unsupported type %s", t))
}

func (d *singleNodeRecommendationDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("db_instance_identifier"), path.MatchRoot("db_cluster_identifier")),
	}
}

// ValidateConfig rejects a postgres password given together with iam_auth (as
// rightsize_postgres_stats does), and use_provider_postgres = false together
// with postgres, which would read PostgreSQL all the same.
func (d *singleNodeRecommendationDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validatePostgresOverride(ctx, req.Config, &resp.Diagnostics)
	var use types.Bool
	var pg types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("use_provider_postgres"), &use)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("postgres"), &pg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !use.IsNull() && !use.IsUnknown() && !use.ValueBool() && !pg.IsNull() && !pg.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("use_provider_postgres"), "Conflicting PostgreSQL Settings",
			"use_provider_postgres = false turns the PostgreSQL facts off, but postgres is set, which reads them: "+
				"remove postgres to leave PostgreSQL alone, or remove use_provider_postgres (or set it to true) to read it.")
	}
	validateRecommendationInputs(ctx, req.Config, &resp.Diagnostics)
}

// validateRecommendationInputs checks, as soon as they are known (terraform validate), what
// recommendationRequest refuses at read time without reading AWS, for the recommendation and the
// fleet: peak_lookback_days and policy.min_lookback_days against lookback_days, the policy, and
// the savings target. A read deferred to apply by another unknown input would otherwise refuse
// them only then. A policy or target with an unknown field is left to the read.
func validateRecommendationInputs(ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) {
	var (
		peak, lookback types.Int64
		pol, target    types.Object
		got            diag.Diagnostics
	)
	got.Append(cfg.GetAttribute(ctx, path.Root("peak_lookback_days"), &peak)...)
	got.Append(cfg.GetAttribute(ctx, path.Root("lookback_days"), &lookback)...)
	got.Append(cfg.GetAttribute(ctx, path.Root("policy"), &pol)...)
	got.Append(cfg.GetAttribute(ctx, path.Root("savings_target"), &target)...)
	if diags.Append(got...); got.HasError() {
		return
	}
	if !peak.IsUnknown() && !lookback.IsUnknown() {
		checkPeakLookback(peak, lookback, diags)
	}
	if !pol.IsNull() && fullyKnown(pol) {
		_, minDays := policyOf(ctx, pol, diags)
		checkMinLookback(minDays, lookback, diags)
	}
	if !target.IsNull() && fullyKnown(target) {
		savingsTargetOf(ctx, target, diags)
	}
}

// policyOf reads the policy attribute (known, not null) into the analysis policy, refusing on
// it a policy that weighs nothing or that analysis.Policy.Validate refuses; it also returns
// min_lookback_days, for checkMinLookback. An unknown field takes its default.
func policyOf(ctx context.Context, obj types.Object, diags *diag.Diagnostics) (analysis.Policy, types.Int64) {
	var p policyModel
	if d := obj.As(ctx, &p, objectAsOptions); d.HasError() {
		diags.Append(d...)
		return analysis.Policy{}, types.Int64Null()
	}
	pol := p.policy()
	if pol.Weights == (analysis.DecisionWeights{}) {
		diags.AddAttributeError(path.Root("policy"), "Invalid Policy",
			"policy sets weight_performance, weight_cost, weight_reliability and weight_operations all to 0, which leaves the "+
				"decision matrix nothing to weigh: set at least one above 0 (a weight left unset takes its default).")
	} else if err := pol.Validate(); err != nil {
		diags.AddAttributeError(path.Root("policy"), "Invalid Policy", err.Error())
	}
	return pol, p.MinLookbackDays
}

// savingsTargetOf reads the savings_target attribute (known, not null), refusing a maximum
// below the minimum; a bound left unset takes its default.
func savingsTargetOf(ctx context.Context, obj types.Object, diags *diag.Diagnostics) analysis.SavingsTarget {
	var st savingsTargetModel
	if d := obj.As(ctx, &st, objectAsOptions); d.HasError() {
		diags.Append(d...)
		return analysis.SavingsTarget{}
	}
	t := analysis.DefaultSavingsTarget()
	if !st.MinMonthly.IsNull() {
		t.MinMonthlyUSD = st.MinMonthly.ValueFloat64()
	}
	if !st.MaxMonthly.IsNull() {
		t.MaxMonthlyUSD = st.MaxMonthly.ValueFloat64()
	}
	if t.MaxMonthlyUSD < t.MinMonthlyUSD {
		diags.AddAttributeError(path.Root("savings_target").AtName("max_monthly_usd"), "Invalid Savings Target",
			fmt.Sprintf("savings_target.max_monthly_usd (%g) is below min_monthly_usd (%g): raise the maximum or lower the minimum.",
				t.MaxMonthlyUSD, t.MinMonthlyUSD))
	}
	if t == (analysis.SavingsTarget{}) {
		// The analysis reads a zero target as its default: $0–0 has its own value.
		t = analysis.AnySavingsTarget()
	}
	return t
}

// fullyKnown reports whether an object attribute is known down to its fields.
func fullyKnown(obj types.Object) bool {
	if obj.IsUnknown() {
		return false
	}
	for _, v := range obj.Attributes() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// checkMinLookback refuses, on its attribute, a policy.min_lookback_days set above lookback_days
// (or its default): the data can never span more than the window, so the verdict could only be
// insufficient-data.
func checkMinLookback(minDays, lookback types.Int64, diags *diag.Diagnostics) {
	if minDays.IsNull() || minDays.IsUnknown() || lookback.IsUnknown() {
		return
	}
	v, l := minDays.ValueInt64(), int64OrDefault(lookback, DefaultLookbackDays)
	if v <= l {
		return
	}
	diags.AddAttributeError(path.Root("policy").AtName("min_lookback_days"), "Minimum Lookback Longer Than the Lookback",
		fmt.Sprintf("policy.min_lookback_days = %d asks for more history than lookback_days (%d) reads, so the verdict could only be insufficient-data: "+
			"set lookback_days to at least %d, or lower policy.min_lookback_days.", v, l, v))
}

// checkPeakLookback refuses, on its attribute, a peak_lookback_days set (above 0) but no longer
// than lookback_days (or its default); it reports whether the two are consistent.
func checkPeakLookback(peak, lookback types.Int64, diags *diag.Diagnostics) bool {
	v, l := peak.ValueInt64(), int64OrDefault(lookback, DefaultLookbackDays)
	if v <= 0 || v > l {
		return true
	}
	diags.AddAttributeError(path.Root("peak_lookback_days"), "Peak Lookback Not Longer Than the Lookback",
		fmt.Sprintf("peak_lookback_days = %d reaches no further back than lookback_days (%d): set it above lookback_days to look for a busier hour before the window, or remove it.", v, l))
	return false
}

func (d *singleNodeRecommendationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerData(req.ProviderData, &resp.Diagnostics)
}

func (d *singleNodeRecommendationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m recommendationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	deps, ok := recommendationDeps(d.data, &resp.Diagnostics)
	if !ok {
		return
	}
	rreq, ok := recommendationRequest(ctx, &m, &resp.Diagnostics)
	if !ok {
		return
	}
	if m.UseProviderPostgres.ValueBool() || !m.Postgres.IsNull() {
		warnUnverifiedOverride(ctx, &resp.Diagnostics, d.data.Postgres, m.Postgres)
		facts, warns, err := readPostgresFacts(ctx, d.data, m.Postgres, factsNode{RDS: deps.RDS, InstanceID: rreq.InstanceID})
		if err != nil {
			at := path.Root("postgres")
			if m.Postgres.IsNull() {
				at = path.Root("use_provider_postgres")
			}
			summary := "Unable to Read PostgreSQL Facts"
			var unknown *unknownPostgresError
			if errors.As(err, &unknown) {
				summary = "PostgreSQL Connection Not Known Until Apply"
			}
			resp.Diagnostics.AddAttributeError(at, summary, err.Error())
			return
		}
		for _, w := range warns {
			resp.Diagnostics.AddWarning("PostgreSQL Statistics Incomplete", w)
		}
		rreq.Postgres = facts
	}

	res, err := rightsizing.Recommend(ctx, deps, rreq)
	if err != nil {
		idPath := path.Root("db_instance_identifier")
		if rreq.ClusterID != "" {
			idPath = path.Root("db_cluster_identifier")
		}
		addRecommendationError(&resp.Diagnostics, idPath, err)
		return
	}
	logRecommendation(ctx, res)
	for _, w := range res.Warnings {
		resp.Diagnostics.AddWarning(w.Title, w.Text)
	}
	resp.Diagnostics.Append(fillRecommendation(ctx, &m, res)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// recommendationDeps builds the dependencies from the provider data.
func recommendationDeps(pd *ProviderData, diags *diag.Diagnostics) (rightsizing.Deps, bool) {
	if !requireAWS(pd, diags) {
		return rightsizing.Deps{}, false
	}
	cat, err := pd.catalog()
	if err != nil {
		diags.AddError("Unable to Load Price Catalog", err.Error()+". Please report this issue to the provider developers.")
		return rightsizing.Deps{}, false
	}
	d := rightsizing.Deps{RDS: pd.Listings, CloudWatch: pd.CloudWatch, Catalog: cat, Region: pd.Region,
		CloudWatchRetry: cw.RetryPolicy{MaxAttempts: pd.CloudWatchMaxAttempts}}
	if pd.AutoScaling != nil {
		d.AutoScaling = pd.AutoScaling
	}
	if pd.CloudWatch != nil {
		d.Alarms = pd.CloudWatch
	}
	return d, true
}

// skipRender reports whether include_report = false leaves report_markdown and charts_svg out
// (null, not rendered).
func (m *recommendationModel) skipRender() bool {
	return !m.IncludeReport.IsNull() && !m.IncludeReport.ValueBool()
}

// recommendationRequest turns the inputs into a rightsizing.Request.
func recommendationRequest(ctx context.Context, m *recommendationModel, diags *diag.Diagnostics) (rightsizing.Request, bool) {
	r := rightsizing.Request{
		InstanceID:           m.DBInstanceIdentifier.ValueString(),
		ClusterID:            m.DBClusterIdentifier.ValueString(),
		Lookback:             time.Duration(int64OrDefault(m.LookbackDays, DefaultLookbackDays)) * 24 * time.Hour,
		Period:               time.Duration(m.PeriodSeconds.ValueInt64()) * time.Second,
		MigrationWindowHours: int(int64OrDefault(m.MigrationWindowHours, DefaultMigrationWindowHours)),
		AllowSingleNode:      m.AllowSingleNode.ValueBool(),
		SkipRender:           m.skipRender(),
	}
	if v := m.PeakLookbackDays.ValueInt64(); v > 0 {
		r.PeakLookback = time.Duration(v) * 24 * time.Hour
		if !checkPeakLookback(m.PeakLookbackDays, m.LookbackDays, diags) {
			return r, false
		}
	}
	if s := m.EndTime.ValueString(); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			diags.AddAttributeError(path.Root("end_time"), "Invalid End Time", fmt.Sprintf("end_time %q is not RFC 3339 (e.g. 2026-11-01T00:00:00Z): %v", s, err))
			return r, false
		}
		r.End = t.UTC()
	}
	if !m.Policy.IsNull() && !m.Policy.IsUnknown() {
		var minDays types.Int64
		r.Policy, minDays = policyOf(ctx, m.Policy, diags)
		checkMinLookback(minDays, m.LookbackDays, diags)
	}
	if !m.SavingsTarget.IsNull() && !m.SavingsTarget.IsUnknown() {
		r.SavingsTarget = savingsTargetOf(ctx, m.SavingsTarget, diags)
	}
	if !m.TargetInstanceClasses.IsNull() && !m.TargetInstanceClasses.IsUnknown() {
		diags.Append(m.TargetInstanceClasses.ElementsAs(ctx, &r.TargetClasses, false)...)
	}
	return r, !diags.HasError()
}

// policy is the analysis policy p sets: DefaultPolicy with each field p sets,
// 0 included, in place of its default, taken exactly (analysis.Policy.Exact).
func (p policyModel) policy() analysis.Policy {
	pol := analysis.DefaultPolicy()
	pol.Exact = true
	for _, f := range []struct {
		dst *float64
		v   types.Float64
	}{
		{&pol.HeadroomPercent, p.HeadroomPercent},
		{&pol.AlertThresholdPercent, p.AlertThresholdPercent},
		{&pol.MemoryThresholdPercent, p.MemoryThresholdPercent},
		{&pol.ConnectionsThresholdPercent, p.ConnectionsThresholdPercent},
		{&pol.MinCoverage, p.MinCoverage},
		{&pol.MinDecisionScore, p.MinDecisionScore},
		{&pol.Weights.Performance, p.WeightPerformance},
		{&pol.Weights.Cost, p.WeightCost},
		{&pol.Weights.Reliability, p.WeightReliability},
		{&pol.Weights.Operations, p.WeightOperations},
	} {
		if !f.v.IsNull() && !f.v.IsUnknown() {
			*f.dst = f.v.ValueFloat64()
		}
	}
	if v := p.MinLookbackDays; !v.IsNull() && !v.IsUnknown() {
		pol.MinLookback = time.Duration(v.ValueInt64()) * 24 * time.Hour
	}
	return pol
}

// addRecommendationError maps domain errors to diagnostics on the right
// attribute; idPath is the identifier attribute the user set (discovery
// errors go there).
func addRecommendationError(diags *diag.Diagnostics, idPath path.Path, err error) {
	if addDiscoverError(diags, idPath, err, supportedForConsolidation) {
		return
	}
	var ie *rightsizing.InputError
	switch {
	case errors.As(err, &ie):
		p := path.Root(ie.Field)
		switch ie.Field {
		case "lookback_days", "end_time", "target_instance_classes", "period_seconds":
			diags.AddAttributeError(p, "Invalid Recommendation Input", err.Error())
		default:
			diags.AddError("Invalid Recommendation Input", err.Error())
		}
	default:
		addAWSError(diags, "Unable to Compute Recommendation", "", err, "")
	}
}

// fillRecommendation writes the computed attributes.
func fillRecommendation(ctx context.Context, m *recommendationModel, res rightsizing.Result) diag.Diagnostics {
	var diags diag.Diagnostics
	rec := res.Recommendation
	c := res.Cluster
	m.ID = types.StringValue(c.Identifier)
	m.AlreadySingleNode = types.BoolValue(res.AlreadySingleNode)
	m.Topology = types.StringValue(string(c.Kind))
	m.Engine = types.StringValue(c.Engine + " " + c.EngineVersion)
	m.Verdict = types.StringValue(string(rec.Verdict))
	m.SingleNodeSufficient = types.BoolValue(rec.SingleNodeSufficient)
	m.Confidence = floatValue(rec.Confidence)
	m.WorkloadPattern = types.StringValue(string(rec.Pattern.Pattern))
	m.DecisionScore = floatValue(round2(rec.Matrix.Total))
	m.RecommendedClass = types.StringValue(rec.RecommendedClass)
	m.PrometheusRulesYAML = types.StringValue(rec.PrometheusRules)
	m.ReportMarkdown = types.StringValue(rec.ReportMarkdown)
	if m.skipRender() {
		m.ReportMarkdown = types.StringNull()
	}
	m.InfracostUsageYAML = types.StringValue(res.InfracostUsageYAML)
	m.WindowStart = types.StringValue(rec.Start.UTC().Format(time.RFC3339))
	m.WindowEnd = types.StringValue(rec.End.UTC().Format(time.RFC3339))
	m.PeriodUsed = types.Int64Value(int64(res.Period / time.Second))
	m.RequestsMade = types.Int64Value(int64(res.RequestsMade))
	m.TrafficScore = floatValue(round2(rec.Traffic.BusyVCPU))
	m.ProjectedCPUP95 = floatValue(round2(rec.Projection.CPU.P95))
	m.ProjectedCPUP99 = floatValue(round2(rec.Projection.CPU.P99))

	cost := rec.Cost
	nullUnless := func(ok bool, v float64) types.Float64 {
		if !ok {
			return types.Float64Null()
		}
		return floatValue(v)
	}
	m.CurrentMonthlyCost = nullUnless(cost.CurrentMonthlyUSD > 0, cost.CurrentMonthlyUSD)
	m.ProposedMonthlyCost = nullUnless(cost.ProposedMonthlyUSD > 0, cost.ProposedMonthlyUSD)
	m.MonthlySavings = nullUnless(cost.Known, cost.MonthlySavingsUSD)
	m.AnnualSavings = nullUnless(cost.Known, cost.AnnualSavingsUSD)
	m.StorageMonthlySavings = nullUnless(cost.CurrentStorageUSD > 0, round2(cost.CurrentStorageUSD-cost.ProposedStorageUSD))
	m.SavingsTargetMet = types.BoolValue(cost.TargetMet)
	m.SavingsTargetStatus = types.StringValue(cost.TargetStatus)
	m.PriceSource = types.StringValue(cmp.Or(res.PriceSource(), "unknown"))

	var nodes []attr.Value
	for _, n := range rec.Nodes {
		cpu := types.Float64Null()
		if s, ok := n.Summary(analysis.MetricCPU); ok && s.Count > 0 {
			cpu = floatValue(round2(s.P99))
		}
		nodes = append(nodes, mustObject(recNodeType, map[string]attr.Value{
			"id": types.StringValue(n.ID), "role": types.StringValue(string(n.Role)), "instance_class": types.StringValue(n.Class.Name),
			"vcpu": floatValue(n.Class.VCPU), "memory_gib": floatValue(n.Class.MemoryGiB), "cpu_p99": cpu,
			"cpu_pattern": types.StringValue(string(n.CPUPattern.Pattern)),
		}, &diags))
	}
	m.Nodes = mustList(recNodeType, nodes, &diags)

	var reasons []attr.Value
	for _, r := range rec.Reasons {
		reasons = append(reasons, mustObject(recReasonType, map[string]attr.Value{
			"check": types.StringValue(r.Check), "node": types.StringValue(r.Node), "metric": types.StringValue(r.Metric),
			"value": floatValue(round4(r.Value)), "comparison": types.StringValue(r.Comparison), "limit": floatValue(round4(r.Limit)),
			"unit": types.StringValue(r.Unit), "passed": types.BoolValue(r.Passed), "message": types.StringValue(r.Message),
		}, &diags))
	}
	m.Reasons = mustList(recReasonType, reasons, &diags)

	var projected []attr.Value
	for _, u := range rec.Projected {
		projected = append(projected, mustObject(recProjectedType, map[string]attr.Value{
			"metric": types.StringValue(u.Metric), "unit": types.StringValue(u.Unit), "p50": floatValue(round4(u.P50)),
			"p95": floatValue(round4(u.P95)), "p99": floatValue(round4(u.P99)), "max": floatValue(round4(u.Max)), "limit": floatValue(round4(u.Limit)),
		}, &diags))
	}
	m.Projected = mustList(recProjectedType, projected, &diags)

	m.Risks = riskList(rec.Risks, &diags)
	var growth []attr.Value
	for _, g := range rec.Growth {
		growth = append(growth, mustObject(recGrowthType, map[string]attr.Value{
			"metric": types.StringValue(g.Metric), "unit": types.StringValue(g.Unit), "per_month": floatValue(round4(g.PerMonth)),
			"z": floatValue(round4(g.Z)), "days": types.Int64Value(int64(g.Days)), "pairs": types.Int64Value(int64(g.Pairs)),
			"growing": types.BoolValue(g.Growing), "level": floatValue(round4(g.Level)), "days_to_limit": floatValue(round2(g.DaysToLimit)),
		}, &diags))
	}
	m.Growth = mustList(recGrowthType, growth, &diags)
	m.EarlierPeak = types.ObjectNull(recEarlierPeakType)
	if e := rec.EarlierPeak; e != nil {
		m.EarlierPeak = mustObject(recEarlierPeakType, map[string]attr.Value{
			"start": timeOrNull(e.Start), "end": timeOrNull(e.End), "hours": types.Int64Value(int64(e.Hours)),
			"busiest_hour": timeOrNull(e.PeakTime), "projected_cpu": floatValue(round2(e.PeakCPU)),
			"lookback_busiest_hour": timeOrNull(e.LookbackPeakTime), "lookback_projected_cpu": floatValue(round2(e.LookbackPeakCPU)),
		}, &diags)
	}
	m.ReaderAlarms = types.ListNull(types.ObjectType{AttrTypes: recReaderAlarmType})
	if res.ReaderAlarmsChecked {
		alarms := []attr.Value{}
		for _, a := range res.ReaderAlarms {
			missing := a.TreatMissingData
			if missing == "" {
				missing = analysis.MissingDataMissing
			}
			alarms = append(alarms, mustObject(recReaderAlarmType, map[string]attr.Value{
				"alarm_name": types.StringValue(a.Name), "namespace": types.StringValue(a.Namespace), "metric_name": types.StringValue(a.Metric),
				"metric_math": types.BoolValue(a.MetricMath), "other_metrics": types.BoolValue(a.OtherMetrics), "state": types.StringValue(a.State), "treat_missing_data": types.StringValue(missing),
				"state_after": types.StringValue(a.After()), "actions_enabled": types.BoolValue(a.ActionsEnabled), "pages": types.BoolValue(a.Pages()),
				"composite_alarms": compositeAlarmList(a, &diags),
			}, &diags))
		}
		m.ReaderAlarms = mustList(recReaderAlarmType, alarms, &diags)
	}

	var rows []attr.Value
	for _, r := range rec.Matrix.Rows {
		rows = append(rows, mustObject(recMatrixType, map[string]attr.Value{
			"criterion": types.StringValue(r.Criterion), "score": floatValue(round2(r.Score)), "weight": floatValue(r.Weight),
			"evidence": types.StringValue(r.Evidence),
		}, &diags))
	}
	m.DecisionMatrix = mustList(recMatrixType, rows, &diags)

	var options []attr.Value
	for _, o := range rec.Options {
		failed := make([]attr.Value, 0, len(o.Failed))
		for _, f := range o.Failed {
			failed = append(failed, types.StringValue(f))
		}
		options = append(options, mustObject(recOptionType, map[string]attr.Value{
			"rank": types.Int64Value(int64(o.Rank)), "instance_class": types.StringValue(o.Class.Name), "fits": types.BoolValue(o.Fits),
			"projected_cpu_p99": floatValue(round2(o.CPUP99)), "projected_memory_p99": floatValue(round2(o.MemoryP99)),
			"failed_checks":   types.ListValueMust(types.StringType, failed),
			"monthly_cost":    nullUnless(o.MonthlyUSD > 0, o.MonthlyUSD),
			"monthly_savings": nullUnless(o.MonthlyUSD > 0 && cost.CurrentMonthlyUSD > 0, o.MonthlySavingsUSD),
		}, &diags))
	}
	m.ClassOptions = mustList(recOptionType, options, &diags)

	params := map[string]attr.Value{}
	var reboot []attr.Value
	for _, k := range slices.Sorted(maps.Keys(rec.Parameters)) {
		params[k] = types.StringValue(rec.Parameters[k])
		if analysis.NeedsReboot(k) {
			reboot = append(reboot, types.StringValue(k))
		}
	}
	m.RecommendedParameters = types.MapValueMust(types.StringType, params)
	m.PendingRebootParams = types.ListValueMust(types.StringType, reboot)
	m.CurrentGroup, m.CurrentParameters, m.CurrentStaticParams = currentGroupParameters(c)

	// A window not known has no weekday, hour or load: null, not "", 0 (midnight) and 0%, which
	// a configuration scheduling the change would take for a real, idle window.
	w := rec.MigrationWindow
	weekday, hour, expected, peak := types.StringNull(), types.Int64Null(), types.Float64Null(), types.Float64Null()
	if w.Known {
		weekday, hour = types.StringValue(w.Weekday), types.Int64Value(int64(w.StartHourUTC))
		expected, peak = floatValue(round2(w.ExpectedLoad)), floatValue(round2(w.PeakLoad))
	}
	m.MigrationWindow = mustObject(recWindowType, map[string]attr.Value{
		"known": types.BoolValue(w.Known), "weekday": weekday, "start_hour_utc": hour,
		"length_hours": types.Int64Value(int64(w.LengthHours)), "expected_load": expected,
		"peak_load": peak, "reason": types.StringValue(w.Reason),
	}, &diags)

	wa := rec.Windows
	scheduled := func(cur analysis.WindowLoad, sugg string, load float64) types.Object {
		return mustObject(recScheduledType, map[string]attr.Value{
			"window": stringOrNull(cur.Window), "peak_cpu": floatValue(round2(cur.PeakLoad)),
			"suggested": stringOrNull(sugg), "suggested_peak_cpu": floatValue(round2(load)),
		}, &diags)
	}
	m.BackupWindow = scheduled(wa.Backup, wa.SuggestedBackupWindow, wa.SuggestedBackupLoad)
	m.MaintenanceWindow = scheduled(wa.Maintenance, wa.SuggestedMaintenanceWindow, wa.SuggestedMaintenanceLoad)
	var pending []attr.Value
	for _, a := range wa.Pending {
		pending = append(pending, mustObject(recPendingType, map[string]attr.Value{
			"resource": types.StringValue(a.Resource), "action": types.StringValue(a.Action), "description": stringOrNull(a.Description),
			"auto_applied_after": timeOrNull(a.AutoAppliedAfter), "forced_apply_date": timeOrNull(a.ForcedApply),
			"current_apply_date": timeOrNull(a.CurrentApply), "opt_in_status": stringOrNull(a.OptIn),
		}, &diags))
	}
	m.PendingMaintenance = mustList(recPendingType, pending, &diags)
	var events []attr.Value
	for _, e := range res.Cluster.Events {
		events = append(events, mustObject(recEventType, map[string]attr.Value{
			"time": timeOrNull(e.Time), "source": types.StringValue(e.Source), "category": types.StringValue(e.Category),
			"message": types.StringValue(e.Message), "incident": types.BoolValue(e.Incident()),
		}, &diags))
	}
	m.RecentFailovers = mustList(recEventType, events, &diags)

	m.CPUCredits = types.ObjectNull(recCreditsType)
	if cr := rec.CPUCredits; cr != nil {
		m.CPUCredits = mustObject(recCreditsType, map[string]attr.Value{
			"instance_class": types.StringValue(cr.Class), "baseline_percent": floatValue(cr.BaselinePercent),
			"peak_24h_mean_percent": floatValue(round2(cr.Peak24hMeanPercent)), "min_balance_percent": floatValue(round2(cr.MinBalancePercent())),
			"depleted_hours": types.Int64Value(int64(cr.DepletedHours)), "surplus_vcpu_hours_per_month": floatValue(cost.ProposedCreditVCPUHours),
			"surplus_monthly_cost":                 nullUnless(cost.CreditUSDPerVCPUHour > 0, cost.ProposedCreditsUSD),
			"current_surplus_vcpu_hours_per_month": floatValue(cost.CurrentCreditVCPUHours),
		}, &diags)
	}

	var alarms []attr.Value
	for _, a := range rec.RollbackTriggers {
		dims := map[string]attr.Value{}
		for k, v := range a.Dimensions {
			dims[k] = types.StringValue(v)
		}
		alarms = append(alarms, mustObject(recAlarmType, map[string]attr.Value{
			"alarm_name": types.StringValue(a.Name), "namespace": types.StringValue(a.Namespace), "metric_name": types.StringValue(a.MetricName),
			"dimensions": types.MapValueMust(types.StringType, dims), "statistic": types.StringValue(a.Statistic),
			"period": types.Int64Value(int64(a.PeriodSeconds)), "evaluation_periods": types.Int64Value(int64(a.EvaluationPeriods)),
			"datapoints_to_alarm": types.Int64Value(int64(a.DatapointsToAlarm)), "comparison_operator": types.StringValue(a.ComparisonOperator),
			"threshold": floatValue(round4(a.Threshold)), "unit": types.StringValue(a.Unit), "treat_missing_data": types.StringValue(a.TreatMissingData),
			"alarm_description": types.StringValue(a.Description), "severity": types.StringValue(a.Severity),
		}, &diags))
	}
	m.RollbackTriggers = mustList(recAlarmType, alarms, &diags)

	charts := map[string]attr.Value{}
	names := make([]string, 0, len(rec.Charts))
	for k := range rec.Charts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		charts[k] = types.StringValue(rec.Charts[k])
	}
	m.ChartsSVG = types.MapValueMust(types.StringType, charts)
	if m.skipRender() {
		m.ChartsSVG = types.MapNull(types.StringType)
	}
	_ = ctx
	return diags
}

func mustObject(t map[string]attr.Type, v map[string]attr.Value, diags *diag.Diagnostics) types.Object {
	o, d := types.ObjectValue(t, v)
	diags.Append(d...)
	return o
}

func mustList(t map[string]attr.Type, vs []attr.Value, diags *diag.Diagnostics) types.List {
	if vs == nil {
		vs = []attr.Value{}
	}
	l, d := types.ListValue(types.ObjectType{AttrTypes: t}, vs)
	diags.Append(d...)
	return l
}

// stringOrNull is s, or null when empty.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// timeOrNull is t in RFC 3339 (UTC, with fractional seconds only when it has them), or null
// when zero.
func timeOrNull(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339Nano))
}

// floatValue maps NaN and ±Inf, which Terraform state cannot hold, to null.
func floatValue(v float64) types.Float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return types.Float64Null()
	}
	return types.Float64Value(v)
}

func round2(v float64) float64 { return roundTo(v, 100) }
func round4(v float64) float64 { return roundTo(v, 10000) }

func roundTo(v, f float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	return math.Round(v*f) / f
}

func int64OrDefault(v types.Int64, def int64) int64 {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueInt64()
}

// riskDescriptions document the attributes of a risk (recRiskType), for the recommendation's and
// each fleet entry's risks.
var riskDescriptions = map[string]string{
	"category": "`redundancy`, `failure` (among them, with PostgreSQL facts, which only `rightsize_single_node_recommendation` reads, the writer's logical replication slots: the change-data-capture consumers and subscribers they feed stop with a failure of the one node, `medium` on an RDS instance, whose recovery by a restore is a new instance at an earlier point, with the slots only as the backup saved them, where the consumers start over with new slots and a new initial copy of the tables, `low` on Aurora, where only the outage grows; a lost slot, `wal_status` `lost`, is no risk), `backup` (`high` for an RDS instance that keeps no automated backups, `BackupRetentionPeriod` 0, or has a retention of 0 pending: on one node there is no point-in-time restore; without them it names the instance's latest snapshot in the region, manual or an AWS Backup plan's, and its age when listed (the writes a failure would lose, whatever `end_time` says), or says there is none, read with `rds:DescribeDBSnapshots`, a warning when that fails), `high-traffic`, `capacity` (among them, with PostgreSQL facts (`rightsize_single_node_recommendation`'s), the WAL replication slots no consumer is connected to keep from being removed: `medium` on an RDS instance when it is at least a tenth of the writer's lowest `FreeStorageSpace`, else `low`, and those with a consumer connected, `medium`, each one keeping at least that tenth on an RDS instance (a consumer behind, or, for a logical slot, a long-running transaction); temporary slots, a session's own, are left out), `burst`, `connections`, `operations` (what would undo the change or strand clients: custom endpoints, RDS Proxy read-only endpoints, Aurora Auto Scaling, blue/green deployments, read replicas that a raised `max_connections` or `max_worker_processes` would stall; and the CloudWatch alarms on an Aurora reader, which receive no data once it is removed; and the parameters an Aurora reader's groups set otherwise than the writer's, such as `statement_timeout` and `work_mem`, under which its queries then run: `medium` when a limit is stricter on the writer) or `cost` (reserved DB instances the change would leave idle, of today's class family or the recommended class's, so the savings shown at on-demand prices overstate the change's).",
	"severity": "`high`, `medium` or `low`.", "description": "The risk and its mitigation.",
}

// riskList is rs as a list of recRiskType objects.
func riskList(rs []analysis.Risk, diags *diag.Diagnostics) types.List {
	var risks []attr.Value
	for _, r := range rs {
		risks = append(risks, mustObject(recRiskType, map[string]attr.Value{
			"category": types.StringValue(r.Category), "severity": types.StringValue(r.Severity), "description": types.StringValue(r.Description),
		}, diags))
	}
	return mustList(recRiskType, risks, diags)
}

// currentGroupParameters are the current_parameter_group, current_parameters and
// current_static_parameters of c: its writer's DB parameter group and every parameter a user set
// there (inventory.AttachParameterGroups). The parameters are empty for RDS's default groups, and
// null when that group was not read (the recommendation's "Parameter Groups Not Read" warning says
// so; an Aurora cluster's DB cluster parameter group not read leaves them known) or the writer
// names none.
func currentGroupParameters(c inventory.Cluster) (types.String, types.Map, types.List) {
	w, ok := c.Writer()
	if !ok || w.ParameterGroup == "" {
		return types.StringNull(), types.MapNull(types.StringType), types.ListNull(types.StringType)
	}
	group := types.StringValue(w.ParameterGroup)
	if c.WriterGroupParameters == nil && !paramgroups.IsDefault(w.ParameterGroup) {
		return group, types.MapNull(types.StringType), types.ListNull(types.StringType)
	}
	values := map[string]attr.Value{}
	static := []attr.Value{}
	for _, p := range c.WriterGroupParameters { // sorted by name
		values[p.Name] = types.StringValue(p.Value)
		if p.Static {
			static = append(static, types.StringValue(p.Name))
		}
	}
	return group, types.MapValueMust(types.StringType, values), types.ListValueMust(types.StringType, static)
}

// logRecommendation logs the decision trail of res at DEBUG: the verdict and confidence, the
// checks that failed (each its message, with the numbers) and the high risks, so that the log of
// a plan tells why a change was gated or refused without the state or the outputs.
func logRecommendation(ctx context.Context, res rightsizing.Result) {
	rec := res.Recommendation
	var failed, high []string
	for _, r := range rec.Reasons {
		if !r.Passed {
			failed = append(failed, r.Check+": "+r.Message)
		}
	}
	for _, r := range rec.Risks {
		if r.Severity == "high" {
			high = append(high, r.Category+": "+r.Description)
		}
	}
	tflog.Debug(ctx, "single-node recommendation", map[string]any{
		"rightsize_deployment": res.Name, "verdict": string(rec.Verdict), "confidence": rec.Confidence,
		"checks_total": len(rec.Reasons), "failed_checks": strings.Join(failed, "; "), "high_risks": strings.Join(high, "; "),
		"warnings": len(res.Warnings), "cloudwatch_requests": res.RequestsMade, "cloudwatch_retries": res.Retries,
	})
}
