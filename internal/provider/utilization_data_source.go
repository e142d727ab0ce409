package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/rightsizing"
)

var (
	_ datasource.DataSource                     = (*utilizationDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*utilizationDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*utilizationDataSource)(nil)
)

// Defaults and limits of rightsize_utilization.
const (
	defaultLookbackDays = 14
	maxLookbackDays     = 455
	// lowCoverageWarning is the coverage below which a metric gets a warning.
	lowCoverageWarning = 0.8
	// utilizationConcurrency bounds the GetMetricData calls in flight.
	utilizationConcurrency = 4
)

// NewUtilizationDataSource returns the rightsize_utilization data source.
func NewUtilizationDataSource() datasource.DataSource { return &utilizationDataSource{} }

type utilizationDataSource struct {
	data *ProviderData
}

type utilizationModel struct {
	ID                   types.String `tfsdk:"id"`
	DBInstanceIdentifier types.String `tfsdk:"db_instance_identifier"`
	DBClusterIdentifier  types.String `tfsdk:"db_cluster_identifier"`
	LookbackDays         types.Int64  `tfsdk:"lookback_days"`
	EndTime              types.String `tfsdk:"end_time"`
	PeriodSeconds        types.Int64  `tfsdk:"period_seconds"`
	Metrics              types.List   `tfsdk:"metrics"`

	WindowStart   types.String           `tfsdk:"window_start"`
	WindowEnd     types.String           `tfsdk:"window_end"`
	Topology      types.String           `tfsdk:"topology"`
	MultiAZ       types.Bool             `tfsdk:"multi_az"`
	Engine        types.String           `tfsdk:"engine"`
	EngineVersion types.String           `tfsdk:"engine_version"`
	RequestsMade  types.Int64            `tfsdk:"requests_made"`
	Nodes         []utilizationNodeModel `tfsdk:"nodes"`
	Combined      map[string]statsModel  `tfsdk:"combined"`
	Pattern       *patternModel          `tfsdk:"pattern"`
	CPUHourOfWeek []types.Float64        `tfsdk:"cpu_hour_of_week"`
}

type utilizationNodeModel struct {
	Identifier       types.String          `tfsdk:"identifier"`
	Role             types.String          `tfsdk:"role"`
	MultiAZ          types.Bool            `tfsdk:"multi_az"`
	InstanceClass    types.String          `tfsdk:"instance_class"`
	Engine           types.String          `tfsdk:"engine"`
	EngineVersion    types.String          `tfsdk:"engine_version"`
	AvailabilityZone types.String          `tfsdk:"availability_zone"`
	VCPU             types.Int64           `tfsdk:"vcpu"`
	MemoryGiB        types.Float64         `tfsdk:"memory_gib"`
	Metrics          map[string]statsModel `tfsdk:"metrics"`
	MemoryUtilPct    *statsModel           `tfsdk:"memory_utilization_percent"`
	CPUPattern       *patternModel         `tfsdk:"cpu_pattern"`
	CPUHourOfWeek    []types.Float64       `tfsdk:"cpu_hour_of_week"`
}

type statsModel struct {
	Unit     types.String  `tfsdk:"unit"`
	Count    types.Int64   `tfsdk:"count"`
	Expected types.Int64   `tfsdk:"expected"`
	Coverage types.Float64 `tfsdk:"coverage"`
	Mean     types.Float64 `tfsdk:"mean"`
	Min      types.Float64 `tfsdk:"min"`
	Max      types.Float64 `tfsdk:"max"`
	P50      types.Float64 `tfsdk:"p50"`
	P90      types.Float64 `tfsdk:"p90"`
	P95      types.Float64 `tfsdk:"p95"`
	P99      types.Float64 `tfsdk:"p99"`
	PeakTime types.String  `tfsdk:"peak_time"`
}

type patternModel struct {
	Pattern               types.String   `tfsdk:"pattern"`
	CV                    types.Float64  `tfsdk:"cv"`
	PeakRatio             types.Float64  `tfsdk:"peak_ratio"`
	DailyAutocorrelation  types.Float64  `tfsdk:"daily_autocorrelation"`
	WeeklyAutocorrelation types.Float64  `tfsdk:"weekly_autocorrelation"`
	Evidence              []types.String `tfsdk:"evidence"`
}

// Combined-view keys of rightsize_utilization's combined attribute, with what each holds.
var combinedQuantities = []struct{ key, doc string }{
	{"cpu_percent", "projected CPU in % of the writer's vCPUs (Aurora: readers' CPU scaled by vCPU ratio and added)"},
	{"memory_used_bytes", "projected memory in use: writer class memory minus FreeableMemory (Aurora: plus 10 MiB per reader connection; this includes Aurora's buffer cache, which rightsize_single_node_recommendation's memory check leaves out)"},
	{"iops", "ReadIOPS + WriteIOPS (Aurora: plus the readers' ReadIOPS)"},
	{"connections", "DatabaseConnections of all nodes"},
	{"network_bytes_per_second", "receive + transmit throughput of all nodes"},
	{"disk_queue_depth", "the writer's DiskQueueDepth"},
	{"local_storage_used_bytes", "Aurora, for a class of known local storage: the writer's used local storage (class local storage minus FreeLocalStorage) plus the readers' temporary files (each reader's use above its lowest)"},
}

func supportedMetricNames() []string {
	out := make([]string, len(cloudwatch.SupportedMetrics))
	for i, m := range cloudwatch.SupportedMetrics {
		out[i] = m.Name
	}
	return out
}

func defaultMetricNames() []string { return metricNamesOf(cloudwatch.DefaultMetrics) }

func metricNamesOf(ms []cloudwatch.Metric) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

// unpublished reports whether node n of cl never publishes metric, so that
// a default metric without data is no news: replication lag on a writer
// (ReplicaLag is published by read replicas only, AuroraReplicaLag by Aurora
// readers). (Aurora Serverless v2, which publishes no FreeLocalStorage, is
// refused at discovery.)
func unpublished(metric string, n inventory.Node) bool {
	switch metric {
	case analysis.MetricReplicaLag, analysis.MetricAuroraReplicaLag:
		return n.Role == inventory.RoleWriter
	}
	return false
}

func statsAttributes(what string) map[string]schema.Attribute {
	f := func(d string) schema.Float64Attribute {
		return schema.Float64Attribute{Computed: true, MarkdownDescription: d + " Null when there is no data."}
	}
	return map[string]schema.Attribute{
		"unit":     schema.StringAttribute{Computed: true, MarkdownDescription: "CloudWatch unit of the values, e.g. `Percent`, `Bytes`."},
		"count":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Datapoints present in the window."},
		"expected": schema.Int64Attribute{Computed: true, MarkdownDescription: "Datapoints expected: window length / period."},
		"coverage": schema.Float64Attribute{Computed: true, MarkdownDescription: "`count / expected`, 0–1. Missing datapoints are gaps, never zeros."},
		"mean":     f("Arithmetic mean of " + what + "."),
		"min":      f("Minimum of " + what + "."),
		"max":      f("Maximum of " + what + "."),
		"p50":      f("Median (exact, linear interpolation between ranks)."),
		"p90":      f("90th percentile."),
		"p95":      f("95th percentile."),
		"p99":      f("99th percentile."),
		"peak_time": schema.StringAttribute{Computed: true,
			MarkdownDescription: "RFC 3339 start of the period holding the maximum (first occurrence). Null when there is no data."},
	}
}

// patternRule says how analysis.ClassifyPattern decides, with its default thresholds.
var patternRule = func() string {
	th := analysis.DefaultPatternThresholds()
	return fmt.Sprintf("tests in this order: `insufficient-data` below %g coverage or %d hours with data; `steady` at a coefficient of variation of at most %g; "+
		"`weekly-cycle` when `weekly_autocorrelation` is at least %g and exceeds the autocorrelation at 24 h of the same detrended means by %g; "+
		"`daily-cycle` when `daily_autocorrelation` is at least %g; `spiky` when `peak_ratio` is at least %g, or p50 is 0 or less and p99 above it (peaks well above the typical load); "+
		"otherwise `steady`: variation without a cycle or peaks, such as noise, a drift or a level shift, which the p99 sizes",
		th.MinCoverage, th.MinHours, th.SteadyMaxCV, th.SeasonalMinACF, th.WeeklyMargin, th.SeasonalMinACF, th.SpikyMinPeakRatio)
}()

func patternAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"pattern": schema.StringAttribute{Computed: true,
			MarkdownDescription: "Workload pattern: `steady`, `daily-cycle`, `weekly-cycle`, `spiky` or `insufficient-data` (" + patternRule + ")."},
		"cv":                     schema.Float64Attribute{Computed: true, MarkdownDescription: "Coefficient of variation (stddev / mean); null without data."},
		"peak_ratio":             schema.Float64Attribute{Computed: true, MarkdownDescription: "p99 / p50; null without data."},
		"daily_autocorrelation":  schema.Float64Attribute{Computed: true, MarkdownDescription: "Autocorrelation at 24 h of the hourly means less their 24-hour moving average (which keeps a daily cycle and removes a trend or a level shift, which would otherwise correlate with itself a day later), −1–1; null when not measurable: fewer than 18 pairs of hourly means a day apart (42 hours of data without gaps); 0 for a constant series."},
		"weekly_autocorrelation": schema.Float64Attribute{Computed: true, MarkdownDescription: "Autocorrelation at 168 h of the hourly means less their 168-hour moving average, −1–1; null when not measurable: fewer than 126 pairs of hourly means a week apart (about 12¼ days of data without gaps, so that the default 14 days are measured with a few hours missing); 0 for a constant series."},
		"evidence": schema.ListAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "Each test applied, in order, with its numbers."},
	}
}

func (d *utilizationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_utilization"
}

func (d *utilizationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	var combinedDoc strings.Builder
	for _, q := range combinedQuantities {
		fmt.Fprintf(&combinedDoc, " `%s`: %s;", q.key, q.doc)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "CloudWatch utilization of an RDS for PostgreSQL instance or an Aurora PostgreSQL cluster (at most two " +
			"nodes), per node and combined, fetched with the fewest `GetMetricData` requests CloudWatch's limits allow (500 queries " +
			"and 100,800 datapoints per request). The period is the finest CloudWatch still retains for the whole window: 60 s within " +
			"15 days, 300 s within 63 days, 3600 s within 455 days. Needs `rds:DescribeDBInstances`, `rds:DescribeDBClusters` and " +
			"`cloudwatch:GetMetricData`. Instance capacity comes from the provider's embedded catalog (families " +
			markdownList(catalogFamilies()) + "), or the provider configuration's `instance_classes` for a class it lacks.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The identifier analysed."},
			"db_instance_identifier": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Identifier (or ARN) of an RDS for PostgreSQL DB instance (Multi-AZ or Single-AZ). Exactly one of this and `db_cluster_identifier` is required.",
				Validators:          []validator.String{rdsIdentifierValidator{noun: "DB instance", acceptARN: true}}},
			"db_cluster_identifier": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Identifier (or ARN) of an Aurora PostgreSQL DB cluster with one writer and at most one reader (provisioned, not Serverless).",
				Validators:          []validator.String{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}}},
			"lookback_days": schema.Int64Attribute{Optional: true, Computed: true,
				MarkdownDescription: fmt.Sprintf("Days of history to analyse, ending at `end_time`, 1–%d. Defaults to `%d`.", maxLookbackDays, defaultLookbackDays),
				Validators:          []validator.Int64{int64validator.Between(1, maxLookbackDays)}},
			"end_time": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "End of the window, RFC 3339 (e.g. `2026-11-02T12:00:00Z`), not in the future. Defaults to now, rounded down to the period. Set it, with `period_seconds`, to make plans reproducible: with the period left to default, it is chosen from the window's age, and once CloudWatch's datapoints of that period expire for the window's start (1-minute ones after 15 days, 5-minute ones after 63) the same window is read at a coarser period and every summary changes (a warning gives the date).",
				Validators:          []validator.String{rfc3339Validator{}}},
			"period_seconds": schema.Int64Attribute{Optional: true, Computed: true,
				MarkdownDescription: "Sampling period in seconds, a multiple of 60 from 60 to 86400 (a day); for a window starting more than 15 days ago a multiple of 300, more than 63 days ago a multiple of 3600 (CloudWatch returns no datapoints at other periods). Defaults to the finest period CloudWatch serves for the window's start. Longer periods average short spikes away (a warning says so).",
				Validators:          []validator.Int64{int64validator.Between(60, 86400), multipleOfValidator{60}}},
			"metrics": schema.ListAttribute{Optional: true, Computed: true, ElementType: types.StringType,
				MarkdownDescription: "CloudWatch metrics (namespace `AWS/RDS`, statistic `Average`) to fetch. Defaults to " +
					markdownJoin(defaultMetricNames(), "and") + ", with `AuroraReplicaLag` (milliseconds) in place of `ReplicaLag` and `FreeLocalStorage` (the instance's storage for temporary files and logs) in place of `FreeStorageSpace` on Aurora. " +
					"A default metric the node cannot publish (replication lag on a writer) is summarised empty without a warning; " +
					"a listed metric without data gets one. Allowed: " + markdownList(supportedMetricNames()) + ".",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues(), noNullElements{"a metric name such as CPUUtilization"},
					listvalidator.ValueStringsAre(stringvalidator.OneOf(supportedMetricNames()...))}},

			"window_start": schema.StringAttribute{Computed: true, MarkdownDescription: "RFC 3339 start of the window actually fetched (aligned to the period)."},
			"window_end":   schema.StringAttribute{Computed: true, MarkdownDescription: "RFC 3339 end (exclusive) of the window actually fetched."},
			"topology": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`multi-az` for an RDS DB instance (Multi-AZ or not, see `multi_az`), `aurora` for an Aurora cluster."},
			"multi_az":       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the RDS instance is Multi-AZ (a standby that publishes no metrics). False for Aurora."},
			"engine":         schema.StringAttribute{Computed: true, MarkdownDescription: "`postgres` or `aurora-postgresql`."},
			"engine_version": schema.StringAttribute{Computed: true, MarkdownDescription: "Engine version of the instance or cluster."},
			"requests_made": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "How many `GetMetricData` calls the read took, including NextToken pages and every call sent again (after throttling, a 5xx or 429 answer, a dropped connection, or a query answered `InternalError`), and, for a 2-node Aurora cluster, the combined view's read by role."},
			"nodes": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Nodes that publish metrics, writer first (a Multi-AZ standby publishes none and is not listed).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"identifier":        schema.StringAttribute{Computed: true, MarkdownDescription: "DB instance identifier."},
					"role":              schema.StringAttribute{Computed: true, MarkdownDescription: "`writer` or `reader`."},
					"multi_az":          schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether this writer has a Multi-AZ standby."},
					"instance_class":    schema.StringAttribute{Computed: true, MarkdownDescription: "DB instance class."},
					"engine":            schema.StringAttribute{Computed: true, MarkdownDescription: "Engine."},
					"engine_version":    schema.StringAttribute{Computed: true, MarkdownDescription: "Engine version."},
					"availability_zone": schema.StringAttribute{Computed: true, MarkdownDescription: "Availability zone."},
					"vcpu":              schema.Int64Attribute{Computed: true, MarkdownDescription: "vCPUs of the class (catalog, or the provider's `instance_classes`); null for a class outside both."},
					"memory_gib":        schema.Float64Attribute{Computed: true, MarkdownDescription: "Memory of the class in GiB (catalog, or the provider's `instance_classes`); null for a class outside both."},
					"metrics": schema.MapNestedAttribute{Computed: true,
						MarkdownDescription: "Summary per CloudWatch metric name.",
						NestedObject:        schema.NestedAttributeObject{Attributes: statsAttributes("the metric")}},
					"memory_utilization_percent": schema.SingleNestedAttribute{Computed: true,
						MarkdownDescription: "Memory in use as % of class memory, `100 × (1 − FreeableMemory / memory)`; null without FreeableMemory or class memory.",
						Attributes:          statsAttributes("memory utilization")},
					"cpu_pattern": schema.SingleNestedAttribute{Computed: true,
						MarkdownDescription: "Workload pattern of the node's CPUUtilization, with its evidence.", Attributes: patternAttributes()},
					"cpu_hour_of_week": schema.ListAttribute{Computed: true, ElementType: types.Float64Type,
						MarkdownDescription: "Mean CPU % per hour of the UTC week, 168 values; index = weekday × 24 + hour with Sunday = 0. Null for an hour without data."},
				}},
			},
			"combined": schema.MapNestedAttribute{Computed: true,
				MarkdownDescription: "The cluster's combined view: the load one node would carry, as `rightsize_single_node_recommendation` projects it (a 2-node Aurora cluster is read by role, `{DBClusterIdentifier, Role}`, so that a failover in the window does not swap the instances' histories; `nodes` stay per instance). Keys:" + strings.TrimSuffix(combinedDoc.String(), ";") +
					". Aligned by timestamp: a point exists where the writer has one; where a reader has none, an estimate stands in (its neighbours interpolated across a gap of up to 15 minutes, else its mean for that hour of the week or of the day, else its p99; the lowest free local storage instead of the mean for that key), so the projection never drops the writer's own load. " +
					"A key is there only when its quantity was projected: every metric it combines is in `metrics` (the defaults have them all; " +
					"a list without `NetworkReceiveThroughput`, say, has no `network_bytes_per_second`, and on Aurora `memory_used_bytes` also takes `DatabaseConnections`), " +
					"`network_bytes_per_second` also needs the writer's class's sustained network bandwidth (every catalog class has it; a class of `instance_classes` only with `network_baseline_gbps`), " +
					"and `local_storage_used_bytes` an Aurora reader. Empty when the nodes' class capacity is unknown.",
				NestedObject: schema.NestedAttributeObject{Attributes: statsAttributes("the combined quantity")}},
			"pattern": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "Workload pattern of the combined (projected single-node) CPU, with its evidence.", Attributes: patternAttributes()},
			"cpu_hour_of_week": schema.ListAttribute{Computed: true, ElementType: types.Float64Type,
				MarkdownDescription: "Combined CPU profile: per hour of the UTC week (168 values, Sunday 00:00 first), the writer's mean CPU % plus each reader's scaled by its vCPUs / the writer's. Null for an hour without data."},
		},
	}
}

func (d *utilizationDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("db_instance_identifier"), path.MatchRoot("db_cluster_identifier")),
	}
}

func (d *utilizationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerData(req.ProviderData, &resp.Diagnostics)
}

// utilizationNow is the clock of rightsize_utilization (the window's default end and retention checks).
func utilizationNow() time.Time { return time.Now().UTC() }

func (d *utilizationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m utilizationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !requireAWS(d.data, &resp.Diagnostics) {
		return
	}
	r, diags := readUtilization(ctx, d.data, &m, utilizationNow())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || r == nil {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// utilizationResult is what readUtilization measured, for data sources that build on it.
type utilizationResult struct {
	Cluster inventory.Cluster
	Result  *cloudwatch.Result
	Input   analysis.ClusterInput
	// CapacityKnown is false when a node's class is not in the catalog (Input then has zero capacity for it).
	CapacityKnown bool
}

// identifierAttr is the attribute the user named the deployment with.
func identifierAttr(m *utilizationModel) path.Path {
	if m.DBClusterIdentifier.ValueString() != "" {
		return path.Root("db_cluster_identifier")
	}
	return path.Root("db_instance_identifier")
}

// readUtilization discovers the topology, collects the metrics and fills m's computed attributes.
func readUtilization(ctx context.Context, pd *ProviderData, m *utilizationModel, now time.Time) (*utilizationResult, diag.Diagnostics) {
	var diags diag.Diagnostics
	idAttr := identifierAttr(m)

	// Inputs and their defaults.
	lookback := int64(defaultLookbackDays)
	if !m.LookbackDays.IsNull() && !m.LookbackDays.IsUnknown() {
		lookback = m.LookbackDays.ValueInt64()
	}
	end := now
	if s := m.EndTime.ValueString(); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			diags.AddAttributeError(path.Root("end_time"), "Invalid End Time",
				fmt.Sprintf("end_time %q is not an RFC 3339 timestamp such as 2026-11-02T12:00:00Z: %v", s, err))
			return nil, diags
		}
		if t.After(now) {
			diags.AddAttributeError(path.Root("end_time"), "End Time in the Future",
				fmt.Sprintf("end_time %s is after the current time %s: CloudWatch has no data yet. Use a past time or leave end_time unset (now).",
					t.UTC().Format(time.RFC3339), now.Format(time.RFC3339)))
			return nil, diags
		}
		end = t.UTC()
	}
	start := end.Add(-time.Duration(lookback) * 24 * time.Hour)
	if _, err := cloudwatch.ChoosePeriod(start, now, 0); err != nil {
		at := path.Root("lookback_days")
		if !m.EndTime.IsNull() {
			at = path.Root("end_time")
		}
		diags.AddAttributeError(at, "Window Beyond CloudWatch Retention",
			fmt.Sprintf("A %d-day window ending %s starts %s, which is older than CloudWatch keeps (455 days): %v. Shorten lookback_days or move end_time later.",
				lookback, end.Format(time.RFC3339), start.Format(time.RFC3339), err))
		return nil, diags
	}
	var period time.Duration
	if !m.PeriodSeconds.IsNull() && !m.PeriodSeconds.IsUnknown() {
		period = time.Duration(m.PeriodSeconds.ValueInt64()) * time.Second
		if _, err := cloudwatch.ChoosePeriod(start, now, period); err != nil {
			diags.AddAttributeError(path.Root("period_seconds"), "Period CloudWatch Cannot Serve",
				fmt.Sprintf("period_seconds = %d: %v.", m.PeriodSeconds.ValueInt64(), err))
			return nil, diags
		}
	}
	var metricNames []string
	defaulted := m.Metrics.IsNull() || m.Metrics.IsUnknown()
	if !defaulted {
		diags.Append(m.Metrics.ElementsAs(ctx, &metricNames, false)...)
		if diags.HasError() {
			return nil, diags
		}
	}
	metrics := make([]cloudwatch.Metric, 0, len(metricNames))
	for _, n := range metricNames {
		mm, ok := cloudwatch.LookupMetric(n)
		if !ok {
			diags.AddAttributeError(path.Root("metrics"), "Unsupported Metric",
				fmt.Sprintf("%q is not supported; use %s.", n, strings.Join(supportedMetricNames(), ", ")))
			return nil, diags
		}
		metrics = append(metrics, mm)
	}

	// Topology.
	cl, err := inventory.Discover(ctx, pd.RDS, m.DBInstanceIdentifier.ValueString(), m.DBClusterIdentifier.ValueString())
	if err != nil {
		if !addDiscoverError(&diags, idAttr, err, supportedForUtilization) {
			addAWSError(&diags, "Unable to Describe DB Deployment", "", err, "")
		}
		return nil, diags
	}
	if defaulted {
		metrics = rightsizing.MetricsOf(cl) // the recommendation's own list
		metricNames = metricNamesOf(metrics)
	}
	if cl.Kind == inventory.KindAurora {
		switch n := len(cl.Nodes); {
		case n > 2:
			diags.AddAttributeError(idAttr, "Unsupported Cluster Size",
				fmt.Sprintf("DB cluster %s has %d instances. Only clusters with one writer and at most one reader are supported: analyse a 2-node cluster, or remove extra readers first.",
					cl.Identifier, n))
			return nil, diags
		case n == 0:
			diags.AddAttributeError(idAttr, "Empty Cluster", fmt.Sprintf("DB cluster %s has no instances to measure.", cl.Identifier))
			return nil, diags
		}
		if cl.GlobalSecondary {
			diags.AddAttributeWarning(idAttr, "Secondary Cluster of an Aurora Global Database",
				fmt.Sprintf("DB cluster %s is a secondary cluster of Aurora global database %s: every instance is a reader replicating from the primary cluster in another region, "+
					"so these are its readers' own figures, not a 2-node cluster's (combined and cpu_hour_of_week are empty): there is no writer to consolidate onto, and rightsize_single_node_recommendation, "+
					"rightsize_fleet and rightsize_db_topology refuse it. Measure the primary cluster for its right-size (with a provider configured for its region).",
					cl.Identifier, cl.GlobalCluster))
		}
	}
	if text := utilizationStoppedText(cl); text != "" {
		diags.AddAttributeWarning(idAttr, "Database Stopped", text)
	}
	cat, err := pd.catalog()
	if err != nil {
		diags.AddError("Unable to Load Instance Catalog", err.Error()+". Please report this issue to the provider developers.")
		return nil, diags
	}

	// Plan and collect.
	metricNodes := cl.MetricNodes()
	cwNodes := make([]cloudwatch.Node, len(metricNodes))
	for i, n := range metricNodes {
		cwNodes[i] = cloudwatch.Node{ID: n.ID}
	}
	plan, err := cloudwatch.NewPlan(cloudwatch.Request{Nodes: cwNodes, Metrics: metrics, Start: start, End: end, Period: period, Now: now})
	if err != nil {
		diags.AddAttributeError(path.Root("lookback_days"), "Unable to Plan CloudWatch Queries", err.Error())
		return nil, diags
	}
	if plan.Coarsened {
		// One warning says why the period is coarser and what that costs: plan.Warnings (of the
		// averages' peaks, all it holds) would say the second half again.
		diags.AddAttributeWarning(path.Root("lookback_days"), "Coarser Period Forced by Retention",
			fmt.Sprintf("%s, so the datapoints are %d-second averages: "+
				"spikes shorter than that are averaged away, so p99 and max understate 1-minute peaks. Use lookback_days ≤ 14 (with end_time near now) for 1-minute resolution.",
				"T"+strings.TrimPrefix(cloudwatch.CoarsenedReason(plan.Start, plan.Period), "t"), int(plan.Period/time.Second)))
	} else {
		for _, w := range plan.Warnings {
			diags.AddAttributeWarning(path.Root("period_seconds"), "Peaks Averaged Over the Period", w+".")
		}
	}
	if !m.EndTime.IsNull() && !m.EndTime.IsUnknown() {
		// end_time pins the window, but a period chosen from its age changes when CloudWatch's
		// datapoints of that period expire, and every summary with it.
		if w := rightsizing.PinnedPeriodWarning(end, period, start, plan.Period, "its figures"); w != "" {
			diags.AddAttributeWarning(path.Root("period_seconds"), "Pinned Window Changes When Datapoints Expire", w+".")
		}
	}
	col := &cloudwatch.Collector{API: pd.CloudWatch, Concurrency: utilizationConcurrency, Retry: cloudwatch.RetryPolicy{MaxAttempts: pd.CloudWatchMaxAttempts}}
	res, err := col.Collect(ctx, plan)
	if err != nil {
		what := fmt.Sprintf("Reading %d metrics of %s over %s..%s", len(metrics), cl.Identifier, plan.Start.Format(time.RFC3339), plan.End.Format(time.RFC3339))
		addAWSError(&diags, "Unable to Read CloudWatch Metrics", what, err, "Check cloudwatch:GetMetricData permission and the CloudWatch endpoint.")
		return nil, diags
	}
	for _, msg := range res.Messages {
		diags.AddWarning("CloudWatch Message", "GetMetricData answered with a message (its data may be partial): "+msg.Text)
	}

	// Outputs.
	out := &utilizationResult{Cluster: cl, Result: res, CapacityKnown: true}
	// As rightsize_single_node_recommendation analyses it (an Aurora cluster of one instance, as
	// rightsize_db_topology leaves it, is a writer alone, on Aurora's terms).
	out.Input = analysis.ClusterInput{Name: cl.Identifier}
	out.Input.Topology, out.Input.AuroraClusterID = rightsizing.AnalysisTopology(cl)
	m.ID = types.StringValue(cl.Identifier)
	m.LookbackDays = types.Int64Value(lookback)
	if m.EndTime.IsNull() || m.EndTime.IsUnknown() {
		m.EndTime = types.StringValue(plan.End.Format(time.RFC3339))
	}
	m.PeriodSeconds = types.Int64Value(int64(plan.Period / time.Second))
	m.Metrics = stringList(metricNames)
	m.WindowStart = types.StringValue(plan.Start.Format(time.RFC3339))
	m.WindowEnd = types.StringValue(plan.End.Format(time.RFC3339))
	m.Topology = types.StringValue(string(cl.Kind))
	m.MultiAZ = types.BoolValue(cl.MultiAZ)
	m.Engine = types.StringValue(cl.Engine)
	m.EngineVersion = types.StringValue(cl.EngineVersion)
	m.RequestsMade = types.Int64Value(int64(res.Calls))
	m.Nodes = nil

	var cpuProfiles []nodeProfile
	for _, n := range cl.Nodes {
		ic, cerr := cat.Class(n.Class)
		aClass := analysis.InstanceClass{Name: n.Class}
		if cerr == nil {
			aClass = rightsizing.Capacity(ic)
		} else {
			out.CapacityKnown = false
		}
		an := analysis.Node{ID: n.ID, Role: analysis.Role(n.Role), Class: aClass}
		if n.Virtual {
			out.Input.Nodes = append(out.Input.Nodes, an)
			continue
		}
		if cerr != nil {
			diags.AddAttributeWarning(idAttr, "Instance Class Not in Catalog",
				fmt.Sprintf("%s runs %s: %v. vCPU, memory utilization and the combined view are left empty.", n.ID, n.Class, cerr))
		}
		nm := utilizationNodeModel{
			Identifier: types.StringValue(n.ID), Role: types.StringValue(n.Role),
			MultiAZ: types.BoolValue(cl.Kind == inventory.KindMultiAZ && cl.MultiAZ), InstanceClass: types.StringValue(n.Class),
			Engine: types.StringValue(n.Engine), EngineVersion: types.StringValue(n.EngineVersion),
			AvailabilityZone: types.StringValue(n.AvailabilityZone), VCPU: types.Int64Null(), MemoryGiB: types.Float64Null(),
			Metrics: map[string]statsModel{},
		}
		if cerr == nil {
			nm.VCPU = types.Int64Value(int64(ic.VCPU))
			nm.MemoryGiB = types.Float64Value(ic.MemoryGiB)
		}
		for _, mt := range metrics {
			s, _ := res.Find(n.ID, mt.Name, "Average")
			an.Series = append(an.Series, s)
			sum, serr := analysis.Summarize(s)
			if serr != nil {
				diags.AddError("Unable to Summarize Metric", fmt.Sprintf("%s of %s: %v. Please report this issue to the provider developers.", mt.Name, n.ID, serr))
				return nil, diags
			}
			nm.Metrics[mt.Name] = statsFrom(sum)
			switch {
			case sum.Count == 0 && defaulted && unpublished(mt.Name, n):
				// A default metric this node cannot publish: its empty summary needs no warning.
			case sum.Count == 0:
				diags.AddAttributeWarning(idAttr, "Metric Has No Data",
					fmt.Sprintf("%s of %s has no datapoints in %s..%s.%s", mt.Name, n.ID, plan.Start.Format(time.RFC3339), plan.End.Format(time.RFC3339), noDataHint(mt.Name, cl)))
			case sum.Coverage < lowCoverageWarning:
				diags.AddAttributeWarning(idAttr, "Low Metric Coverage",
					fmt.Sprintf("%s of %s has %d of %d expected datapoints (%.1f%%; longest gap %s). Summaries may miss peaks.",
						mt.Name, n.ID, sum.Count, sum.Expected, 100*sum.Coverage, sum.LongestGap))
			}
			if mt.Name == analysis.MetricFreeableMemory && cerr == nil {
				mu := memoryUtilization(s, ic.MemoryGiB)
				ms, merr := analysis.Summarize(mu)
				if merr == nil {
					st := statsFrom(ms)
					nm.MemoryUtilPct = &st
				}
			}
			if mt.Name == analysis.MetricCPU {
				pr, perr := analysis.ClassifyPattern(s, analysis.PatternThresholds{})
				if perr == nil {
					nm.CPUPattern = patternFrom(pr)
				}
				prof, perr := analysis.HourOfWeekProfile(s)
				if perr == nil {
					nm.CPUHourOfWeek = roundedList(prof.Mean)
					vcpu := 0.0
					if cerr == nil {
						vcpu = float64(ic.VCPU)
					}
					cpuProfiles = append(cpuProfiles, nodeProfile{writer: n.Role == inventory.RoleWriter, vcpu: vcpu, mean: prof.Mean})
				}
			}
		}
		// Only on the listed metrics every running instance publishes: one listed that the
		// instance does not publish has "Metric Has No Data" with its reason, not a rename's.
		var basis []analysis.Series
		for i, mt := range metrics {
			if rightsizing.LateMetricsBasis(cl, mt.Name) {
				basis = append(basis, an.Series[i])
			}
		}
		if len(basis) > 0 {
			if t := rightsizing.MetricsStartLate(cl, n, basis, plan.Start, plan.End, plan.Period); t != "" {
				diags.AddAttributeWarning(idAttr, rightsizing.LateMetricsTitle, t)
			}
		}
		out.Input.Nodes = append(out.Input.Nodes, an)
		m.Nodes = append(m.Nodes, nm)
	}

	// A 2-node Aurora cluster is projected from its metrics by role, as the recommendation reads
	// them: an instance's history after a failover belongs to the other role.
	var asked []cloudwatch.Metric // the user's metrics; nil: the recommendation's
	if !defaulted {
		asked = metrics
	}
	if srcs, byRole := rightsizing.ProjectionSources(cl, asked); byRole && out.CapacityKnown {
		rp, perr := cloudwatch.NewPlan(cloudwatch.Request{Nodes: srcs, Stats: []string{rightsizing.Stat}, Start: start, End: end, Period: plan.Period, Now: now})
		var got *cloudwatch.Result
		if perr == nil {
			got, perr = col.Collect(ctx, rp)
		}
		if got != nil { // the counters of a failed read are valid too
			m.RequestsMade = types.Int64Value(m.RequestsMade.ValueInt64() + int64(got.Calls))
		}
		if perr != nil {
			diags.AddWarning("Combined View Read per Instance", fmt.Sprintf("Reading %s's metrics by role failed: %v. The combined view projects the per-instance series instead, which after a failover in the window attribute each instance's history to its current role. Per-node summaries are complete.", cl.Identifier, perr))
		} else {
			for i := range out.Input.Nodes {
				for _, n := range cl.Nodes {
					if n.ID == out.Input.Nodes[i].ID && !n.Virtual {
						out.Input.Nodes[i].Series = rightsizing.ProjectionSeries(cl, n, got)
					}
				}
			}
		}
	}

	// Combined view: the analysis engine's single-node projection.
	m.Combined = map[string]statsModel{}
	m.Pattern = nil
	m.CPUHourOfWeek = nil
	// A secondary cluster of a global database has no writer to project onto (its warning says so).
	combine := out.CapacityKnown && !cl.GlobalSecondary
	if combine {
		if p, ok := combineProfiles(cpuProfiles); ok {
			m.CPUHourOfWeek = roundedList(p)
		}
	}
	if combine {
		rec, aerr := analysis.Analyze(out.Input, analysis.Policy{})
		if aerr != nil {
			diags.AddWarning("Combined View Not Available",
				fmt.Sprintf("Projecting %s onto one node failed: %v. Per-node summaries are complete.", cl.Identifier, aerr))
		} else {
			pj := rec.Projection
			for _, q := range []struct {
				key string
				s   analysis.Summary
			}{{"cpu_percent", pj.CPU}, {"memory_used_bytes", pj.MemoryUsed}, {"iops", pj.IOPS}, {"connections", pj.Connections},
				{"network_bytes_per_second", pj.Network}, {"disk_queue_depth", pj.DiskQueueDepth},
				{"local_storage_used_bytes", pj.LocalStorageUsed}} {
				if q.s.Expected == 0 && q.s.Count == 0 {
					continue // a metric the projection needs was not collected
				}
				m.Combined[q.key] = statsFrom(q.s)
			}
			m.Pattern = patternFrom(rec.Pattern)
		}
	}
	return out, diags
}

// Supported deployments, as the discovery error messages state them.
const (
	supportedForUtilization   = "Supported: RDS for PostgreSQL DB instances (engine postgres, Multi-AZ or Single-AZ) and provisioned Aurora PostgreSQL clusters with one writer and at most one reader."
	supportedForConsolidation = "Supported: an RDS for PostgreSQL Multi-AZ DB instance (db_instance_identifier) or an Aurora PostgreSQL cluster with one writer and one reader (db_cluster_identifier)."
)

// addDiscoverError maps inventory errors to diagnostics on the identifier
// attribute at; supported says which deployments the caller handles. It
// reports whether err was an inventory error (and so was added).
func addDiscoverError(diags *diag.Diagnostics, at path.Path, err error, supported string) bool {
	var nf *inventory.NotFoundError
	var ue *inventory.UnsupportedError
	switch {
	case errors.As(err, &nf) && nf.Hint != "":
		diags.AddAttributeError(at, "DB Deployment Not Found", fmt.Sprintf("%v.", err))
	case errors.As(err, &nf):
		diags.AddAttributeError(at, "DB Deployment Not Found",
			fmt.Sprintf("%v. Check the identifier, the provider's region and that the credentials may call rds:DescribeDBInstances and rds:DescribeDBClusters. "+
				"If this configuration creates it, add depends_on = [<the resource that creates it>] to this data source, so that Terraform reads it during the apply, once it exists.", err))
	case errors.As(err, &ue):
		diags.AddAttributeError(at, "Unsupported DB Deployment", fmt.Sprintf("%v. %s", err, supported))
	default:
		return false
	}
	return true
}

// utilizationStoppedText says, when the deployment cl is stopped, stopping or starting
// (inventory.Cluster.Stopped), what that does to its utilization; "" otherwise. A stopped DB
// instance or Aurora cluster publishes no CloudWatch metrics, so without this its metrics had
// "Metric Has No Data" (blaming the metric name or the instance's existence) or "Low Metric
// Coverage", and nothing named the stop.
func utilizationStoppedText(cl inventory.Cluster) string {
	what, state, status, ok := cl.StoppedState()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s %s is %s (status %q): a %s publishes no CloudWatch metrics while stopped, so the summaries, their coverage and the combined view "+
		"cover only the time it ran in the window, and a window wholly after the stop has no datapoints. "+
		"RDS starts a stopped %s again by itself after 7 days: read the utilization again once it has run for the lookback period.",
		what, cl.Identifier, state, status, what, what)
}

func noDataHint(metric string, cl inventory.Cluster) string {
	switch {
	case metric == analysis.MetricReplicaLag && cl.Kind == inventory.KindAurora:
		return " Aurora replicas publish AuroraReplicaLag (milliseconds) instead of ReplicaLag."
	case metric == analysis.MetricReplicaLag:
		return " ReplicaLag is published by read replicas only; a Multi-AZ standby publishes no metrics."
	case metric == analysis.MetricFreeStorageSpace && cl.Kind == inventory.KindAurora:
		return " Aurora instances publish FreeLocalStorage; cluster storage grows automatically."
	case metric == analysis.MetricFreeLocalStorage && cl.Kind != inventory.KindAurora:
		return " On RDS, only classes with local NVMe storage (Optimized Reads, e.g. db.m6gd) publish FreeLocalStorage; storage is FreeStorageSpace."
	}
	if status, ok := cl.Stopped(); ok {
		// Not the metric's name nor the instance's existence (see "Database Stopped").
		return fmt.Sprintf(" %s has status %q: a stopped deployment publishes no CloudWatch metrics.", cl.Identifier, status)
	}
	return " Check the metric name and that the instance existed during the window."
}

// memoryUtilization derives memory in use as % of class memory from FreeableMemory (bytes).
func memoryUtilization(free analysis.Series, memGiB float64) analysis.Series {
	total := memGiB * (1 << 30)
	out := free
	out.Metric, out.Unit = "MemoryUtilization", "Percent"
	out.Values = make([]float64, len(free.Values))
	for i, v := range free.Values {
		out.Values[i] = math.Max(0, 100*(1-v/total))
	}
	return out
}

// nodeProfile is one node's CPU hour-of-week profile.
type nodeProfile struct {
	writer bool
	vcpu   float64
	mean   []float64
}

// combineProfiles adds the writer's hour-of-week CPU means and each reader's scaled by reader vCPU / writer vCPU.
// An hour is NaN when any node lacks it. ok is false without a writer profile or capacity.
func combineProfiles(ps []nodeProfile) ([]float64, bool) {
	var w *nodeProfile
	for i := range ps {
		if ps[i].writer {
			w = &ps[i]
		}
	}
	if w == nil || w.vcpu <= 0 {
		return nil, false
	}
	out := make([]float64, len(w.mean))
	for _, p := range ps {
		if p.vcpu <= 0 || len(p.mean) != len(out) {
			return nil, false
		}
		for h := range out {
			out[h] += float64(p.vcpu / w.vcpu * p.mean[h])
		}
	}
	return out, true
}

func statsFrom(s analysis.Summary) statsModel {
	st := statsModel{
		Unit: types.StringValue(s.Unit), Count: types.Int64Value(int64(s.Count)), Expected: types.Int64Value(int64(s.Expected)),
		Coverage: types.Float64Value(round6(s.Coverage)),
		Mean:     roundedFloat(s.Mean), Min: roundedFloat(s.Min), Max: roundedFloat(s.Max),
		P50: roundedFloat(s.P50), P90: roundedFloat(s.P90), P95: roundedFloat(s.P95), P99: roundedFloat(s.P99),
		PeakTime: timeOrNull(s.PeakTime),
	}
	return st
}

func patternFrom(p analysis.PatternResult) *patternModel {
	pm := &patternModel{Pattern: types.StringValue(string(p.Pattern)), CV: roundedFloat(p.CV), PeakRatio: roundedFloat(p.PeakRatio),
		DailyAutocorrelation: roundedFloat(p.Daily), WeeklyAutocorrelation: roundedFloat(p.Weekly), Evidence: []types.String{}}
	for _, e := range p.Evidence {
		pm.Evidence = append(pm.Evidence, types.StringValue(e))
	}
	return pm
}

// roundedFloat maps NaN and ±Inf (no data) to null; values are rounded to 6 significant decimals so that plans
// are stable across platforms.
func roundedFloat(v float64) types.Float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return types.Float64Null()
	}
	return types.Float64Value(round6(v))
}

func round6(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	// Through the shortest decimal of six significant digits: scaling by a power of ten and back
	// is inexact (64311299472 came back as 64311299999.99999, which format("%d") refuses).
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	if err != nil {
		return v
	}
	return r
}

func roundedList(vs []float64) []types.Float64 {
	out := make([]types.Float64, len(vs))
	for i, v := range vs {
		out[i] = roundedFloat(v)
	}
	return out
}

func stringList(vs []string) types.List {
	elems := make([]attr.Value, len(vs))
	for i, v := range vs {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}
