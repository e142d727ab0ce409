package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/rightsizing"
)

var (
	_ datasource.DataSourceWithConfigure      = (*fleetDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*fleetDataSource)(nil)
)

// NewFleetDataSource is the rightsize_fleet data source.
func NewFleetDataSource() datasource.DataSource { return &fleetDataSource{} }

type fleetDataSource struct{ data *ProviderData }

type fleetModel struct {
	IdentifierRegex     types.String  `tfsdk:"identifier_regex"`
	Tags                types.Map     `tfsdk:"tags"`
	LookbackDays        types.Int64   `tfsdk:"lookback_days"`
	PeakLookbackDays    types.Int64   `tfsdk:"peak_lookback_days"`
	EndTime             types.String  `tfsdk:"end_time"`
	PeriodSeconds       types.Int64   `tfsdk:"period_seconds"`
	Policy              types.Object  `tfsdk:"policy"`
	SavingsTarget       types.Object  `tfsdk:"savings_target"`
	ID                  types.String  `tfsdk:"id"`
	Clusters            types.List    `tfsdk:"clusters"`
	Skipped             types.List    `tfsdk:"skipped"`
	PhaseOrder          types.List    `tfsdk:"phase_order"`
	TotalMonthlySavings types.Float64 `tfsdk:"total_monthly_savings"`
	UnpricedSavings     types.List    `tfsdk:"unpriced_savings"`
	NodesAnalysed       types.Int64   `tfsdk:"nodes_analysed"`
	RequestsMade        types.Int64   `tfsdk:"requests_made"`
	RequestsLowerBound  types.Int64   `tfsdk:"requests_lower_bound"`
	PeriodUsed          types.Int64   `tfsdk:"period_seconds_used"`
}

var (
	fleetClusterType = map[string]attr.Type{
		"identifier": types.StringType, "topology": types.StringType, "engine": types.StringType,
		"instance_class": types.StringType, "nodes": types.Int64Type, "verdict": types.StringType,
		"confidence": types.Float64Type, "projected_cpu_p99": types.Float64Type,
		"current_monthly_cost": types.Float64Type, "monthly_savings": types.Float64Type, "annual_savings": types.Float64Type,
		"price_source":  types.StringType,
		"traffic_score": types.Float64Type, "traffic_rank": types.Int64Type,
		"risks": types.ListType{ElemType: types.ObjectType{AttrTypes: recRiskType}},
	}
	fleetSkippedType = map[string]attr.Type{"identifier": types.StringType, "reason": types.StringType}
)

func (d *fleetDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_fleet"
}

func (d *fleetDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	// Reuse the recommendation's policy and savings target attributes.
	var rec datasource.SchemaResponse
	(&singleNodeRecommendationDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &rec)
	num := func(desc string) schema.Attribute {
		return schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
	}
	clusterAttrs := map[string]schema.Attribute{
		"identifier":           schema.StringAttribute{Computed: true, MarkdownDescription: "DB instance identifier (Multi-AZ) or DB cluster identifier (Aurora). A Multi-AZ instance and an Aurora cluster may share one: `topology` tells them apart, and `phase_order` names them `instance:<identifier>` and `cluster:<identifier>`."},
		"topology":             schema.StringAttribute{Computed: true, MarkdownDescription: "`multi-az` or `aurora`."},
		"engine":               schema.StringAttribute{Computed: true, MarkdownDescription: "Engine and version."},
		"instance_class":       schema.StringAttribute{Computed: true, MarkdownDescription: "The writer's instance class."},
		"nodes":                schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes today (2)."},
		"verdict":              schema.StringAttribute{Computed: true, MarkdownDescription: "`consolidate`, `keep` or `insufficient-data`."},
		"confidence":           num("Confidence in the verdict, 0 to 1, as `rightsize_single_node_recommendation`'s `confidence`."),
		"projected_cpu_p99":    num("Projected single-node CPU p99, percent."),
		"current_monthly_cost": num("Monthly cost today, USD, as `rightsize_single_node_recommendation`'s `current_monthly_cost` (null when unpriced)."),
		"monthly_savings":      num("Monthly savings of going to one node, USD, as `rightsize_single_node_recommendation`'s `monthly_savings`: instance hours, surplus CPU credits, the Multi-AZ storage and RDS Extended Support where priced (null when unpriced)."),
		"annual_savings":       num("Annual savings, USD (null when unpriced)."),
		"price_source": schema.StringAttribute{Computed: true, MarkdownDescription: "Where the prices of the costs and savings came from, as `rightsize_single_node_recommendation`'s " +
			"`price_source`: the dated catalog, the provider configuration's rates (`instance_prices`, `instance_classes`), or both, with how they were adjusted; `unknown` when nothing is priced."},
		"traffic_score": num("Mean busy vCPUs of the projected single node: one of the four measures `traffic_rank` combines, so the fleet's order can differ from this score's."),
		"traffic_rank":  schema.Int64Attribute{Computed: true, MarkdownDescription: "1 = least traffic in the fleet: each deployment is ranked on four means of its projected single node (busy vCPUs, IOPS, connections, network throughput; ties share the average rank, a measure not read ranks as busiest), and deployments are ordered by the sum of their four ranks, then by name (the order of `phase_order`). Every deployment has its own rank, a Multi-AZ instance and an Aurora cluster that share an identifier included."},
		"risks":         rec.Schema.Attributes["risks"],
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every RDS for PostgreSQL Multi-AZ instance and Aurora PostgreSQL 2-node cluster in the region, each with its " +
			"single-node verdict, savings and traffic rank, sorted by verdict (`consolidate` first), then by savings (unpriced last); and the phase order in which to consolidate them " +
			"(lower traffic first). CloudWatch is read in batched collections of about 10 million datapoints each, so that memory stays flat, each at its own GetMetricData lower bound (see `requests_made`).",
		Attributes: map[string]schema.Attribute{
			"identifier_regex": schema.StringAttribute{Optional: true, Validators: []validator.String{regexValidator{}},
				MarkdownDescription: "RE2 regular expression the identifier must match, e.g. `-prod$`. Defaults to every identifier."},
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType, Validators: []validator.Map{noNullElements{"the value deployments must carry"},
				// AWS tag keys have 1 to 128 Unicode characters, values up to 256 (not bytes: a tag may
				// hold any Unicode letter): no deployment carries others.
				mapvalidator.KeysAre(stringvalidator.UTF8LengthBetween(1, 128)), mapvalidator.ValueStringsAre(stringvalidator.UTF8LengthAtMost(256))},
				MarkdownDescription: "Tags every deployment must carry with these values (for Aurora, the cluster's tags)."},
			"lookback_days": schema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.Between(1, MaxLookbackDays)},
				MarkdownDescription: fmt.Sprintf("Days of CloudWatch history to analyse, 1 to %d. Defaults to `%d`.", MaxLookbackDays, DefaultLookbackDays)},
			"peak_lookback_days": schema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.Between(0, MaxLookbackDays)},
				MarkdownDescription: fmt.Sprintf("As `rightsize_single_node_recommendation`'s: days of hourly CPU history, ending at the window's end, in which to look for an hour busier than the lookback's, "+
					"more than `lookback_days` and up to %d; a deployment whose earlier peak is beyond the headroom has the same `high-traffic` risk in its `risks`. "+
					"One more `GetMetricData` read per chunk of the fleet. Not set (the default) or 0 reads none.", MaxLookbackDays)},
			"end_time": schema.StringAttribute{Optional: true, Validators: []validator.String{rfc3339Validator{}},
				MarkdownDescription: "End of the window, RFC 3339. Defaults to now, truncated to the period. Set it, with `period_seconds`, to make plans reproducible: " +
					"a period left to default is chosen from the window's age and becomes coarser once CloudWatch's datapoints of it expire for the window's start (a warning gives the date)."},
			"period_seconds": schema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.Between(60, 86400), multipleOfValidator{60}},
				MarkdownDescription: "Datapoint period, seconds: a multiple of 60 from 60 to 86400 (a day); past 15 days of 300, past 63 days of 3600 (what CloudWatch serves for the window's start). Defaults to the finest it serves."},
			"policy":         rec.Schema.Attributes["policy"],
			"savings_target": rec.Schema.Attributes["savings_target"],
			"id":             schema.StringAttribute{Computed: true, MarkdownDescription: "The region and the filters."},
			"clusters": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "2-node deployments: verdict `consolidate` first, then by monthly savings, highest first (unpriced last).",
				NestedObject: schema.NestedAttributeObject{Attributes: clusterAttrs}},
			"skipped": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "PostgreSQL deployments that match the filters but are not analysed, with the reason (no warning: after a consolidation, every deployment being single-node is the expected steady state; a warning is given only when no deployment matches at all): not 2-node (already single-node, 3+ nodes), being deleted (the instance, or an Aurora cluster or any of its instances, in status `delete-precheck` or `deleting`: going away, or to one node, by itself), a Multi-AZ instance with a change to Single-AZ pending (going to one node by itself), a kind the provider does not support (a Multi-AZ DB cluster, Aurora Serverless, a secondary cluster of an Aurora global database), the green database of a blue/green deployment that can still switch over (a staging copy of its source, which the fleet lists instead), or a deployment on an instance class whose capacity the provider does not know: neither its embedded catalog (families " + strings.Join(catalogFamilies(), ", ") + ") nor the provider configuration's `instance_classes` describes it (or, for an Aurora cluster, `instance_classes` describes it with `aurora = false`): describe it there to have it analysed.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"identifier": schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier."},
					"reason":     schema.StringAttribute{Computed: true, MarkdownDescription: "Why it is not analysed."},
				}}},
			"phase_order": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Identifiers with verdict `consolidate`, lowest traffic first (by `traffic_rank`): the order to migrate them in (the seed migrates sso-prod before mandible-prod). " +
					"RDS keeps DB instance and DB cluster identifiers apart, so a Multi-AZ instance and an Aurora cluster can share one (during a migration to Aurora through an Aurora read replica, say): " +
					"when two deployments in `clusters` do, both are analysed and named here `instance:<identifier>` (the `multi-az` one) and `cluster:<identifier>` (the `aurora` one), the form of `rightsize_db_topology`'s `id`; " +
					"every other deployment is named by its identifier alone. Warnings name deployments the same way."},
			"total_monthly_savings": num("Sum of monthly savings over deployments with verdict `consolidate` that have a price, USD. Those without one (an instance class or region neither the catalog nor the provider's `instance_prices` or `instance_classes` price) are left out and named in `unpriced_savings`: " +
				"with any there, this total is partial, and `0` means unknown rather than nothing to save."),
			"unpriced_savings": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Deployments with verdict `consolidate` whose savings have no price (their `monthly_savings` is null), named as in `phase_order`: left out of `total_monthly_savings`."},
			"nodes_analysed":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes whose metrics were read."},
			"requests_made":        schema.Int64Attribute{Computed: true, MarkdownDescription: "GetMetricData calls made for the whole fleet, calls sent again after a failure (throttling, a server error) included. The fleet is read and analysed in chunks of about 10 million datapoints (100 full responses), so that memory stays flat whatever its size (about 300 MB for 300 deployments at 1-minute resolution over 14 days); each chunk is read at its own lower bound (or one call above it, for the few window shapes whose whole time segments cannot fill every request), so this can exceed `requests_lower_bound` by one call per chunk after the first, and by one per chunk in those shapes; with `peak_lookback_days`, the calls of each chunk's read of the CPU before the window come on top (`requests_lower_bound` counts the window's read only)."},
			"requests_lower_bound": schema.Int64Attribute{Computed: true, MarkdownDescription: "max(⌈queries/500⌉, ⌈datapoints/100,800⌉): the fewest calls any client could make."},
			"period_seconds_used":  schema.Int64Attribute{Computed: true, MarkdownDescription: "Datapoint period used, seconds. Null when no deployment is analysed (`clusters` empty: none matches, or every one is in `skipped`), as no metrics are read."},
		},
	}
}

func (d *fleetDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the lookbacks, the policy and the savings target as the recommendation
// does (validateRecommendationInputs), so that terraform validate, or a plan whose read waits for
// an unknown input, refuses them.
func (d *fleetDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateRecommendationInputs(ctx, req.Config, &resp.Diagnostics)
}

func (d *fleetDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m fleetModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	deps, ok := recommendationDeps(d.data, &resp.Diagnostics)
	if !ok {
		return
	}
	// The recommendation request builder reads the shared inputs.
	rm := recommendationModel{LookbackDays: m.LookbackDays, PeakLookbackDays: m.PeakLookbackDays, EndTime: m.EndTime, PeriodSeconds: m.PeriodSeconds,
		Policy: m.Policy, SavingsTarget: m.SavingsTarget, TargetInstanceClasses: types.ListNull(types.StringType),
		AllowSingleNode: types.BoolNull()}
	rreq, ok := recommendationRequest(ctx, &rm, &resp.Diagnostics)
	if !ok {
		return
	}
	rreq.SkipReport = true // the fleet outputs no report, chart or usage file
	filter := inventory.FleetFilter{}
	if s := m.IdentifierRegex.ValueString(); s != "" {
		filter.IdentifierRegex = regexp.MustCompile(s) // validated in the schema
	}
	if !m.Tags.IsNull() {
		resp.Diagnostics.Append(m.Tags.ElementsAs(ctx, &filter.Tags, false)...)
	}
	all, err := inventory.ListFleet(ctx, deps.RDS, filter)
	if err != nil {
		addAWSError(&resp.Diagnostics, "Unable to List the Fleet", "", err, "")
		return
	}
	// The green databases of blue/green deployments are staging copies, not deployments of their
	// own: listed, they would count their source's savings twice.
	inventory.AttachBlueGreen(ctx, deps.RDS, all)
	var twoNode []inventory.Cluster
	var skipped []attr.Value
	skip := func(id, reason string) {
		skipped = append(skipped, mustObject(fleetSkippedType, map[string]attr.Value{
			"identifier": types.StringValue(id), "reason": types.StringValue(reason),
		}, &resp.Diagnostics))
	}
	for _, c := range all {
		if err := c.CheckTwoNode(); err != nil {
			skip(c.Identifier, err.Error())
			continue
		}
		if why, ok := c.Deleting(); ok {
			// Going away, or to one node, by itself: no deployment to consolidate, nor savings to count.
			skip(c.Identifier, why)
			continue
		}
		if c.GoingSingleAZ() {
			skip(c.Identifier, "a change to Single-AZ is pending (requested without ApplyImmediately: RDS applies it in the next maintenance window, or is applying it now): it is going to one node by itself")
			continue
		}
		if len(c.GreenOf) > 0 {
			skip(c.Identifier, "it is "+c.GreenOf[0].DescribeGreen())
			continue
		}
		if err := knownClasses(deps.Catalog, c); err != nil {
			// One deployment on a class the catalog lacks must not fail the whole fleet.
			skip(c.Identifier, err.Error())
			continue
		}
		twoNode = append(twoNode, c)
	}
	m.ID = types.StringValue(fmt.Sprintf("%s/%s/%d", deps.Region, m.IdentifierRegex.ValueString(), len(filter.Tags)))
	m.Skipped = mustList(fleetSkippedType, skipped, &resp.Diagnostics)
	m.RequestsMade = types.Int64Value(0)
	m.RequestsLowerBound = types.Int64Value(0)
	m.PeriodUsed = types.Int64Null()
	m.NodesAnalysed = types.Int64Value(0)
	if len(twoNode) == 0 {
		// Deployments that match but are not analysed are in skipped, with why: after the fleet's
		// consolidation they are all single-node, the expected steady state, which is no warning.
		// Nothing matching at all is most likely a filter or the region.
		if len(all) == 0 {
			addNoFleetWarning(&resp.Diagnostics, deps.Region, filter)
		}
		m.Clusters = mustList(fleetClusterType, nil, &resp.Diagnostics)
		m.PhaseOrder = types.ListValueMust(types.StringType, []attr.Value{})
		m.TotalMonthlySavings = types.Float64Value(0)
		m.UnpricedSavings = types.ListValueMust(types.StringType, []attr.Value{})
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		return
	}
	results, err := rightsizing.RecommendFleet(ctx, deps, twoNode, rreq)
	if err != nil {
		addRecommendationError(&resp.Diagnostics, path.Root("identifier_regex"), err)
		return
	}
	addFleetWarnings(&resp.Diagnostics, results)
	resp.Diagnostics.Append(fillFleet(&m, results)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func fillFleet(m *fleetModel, results []rightsizing.Result) diag.Diagnostics {
	var diags diag.Diagnostics
	// Traffic ranks and phase order come from the analysis engine, by each result's Name: its
	// identifier, or instance:<id> and cluster:<id> for a DB instance and a DB cluster that share one
	// (rightsizing.FleetNames).
	var traffic []analysis.Traffic
	nodes := 0
	for _, r := range results {
		traffic = append(traffic, r.Recommendation.Traffic)
		nodes += len(r.Cluster.MetricNodes())
	}
	order, err := analysis.PhaseOrder(traffic)
	if err != nil {
		diags.AddError("Unable to Order the Migration", err.Error())
		return diags
	}
	rank := map[string]int{}
	for i, id := range order {
		rank[id] = i + 1
	}
	consolidate := map[string]bool{}
	var total float64
	unpriced := []attr.Value{}
	sorted := rightsizing.Sorted(results)
	var clusters []attr.Value
	for _, r := range sorted {
		rec := r.Recommendation
		w, _ := r.Cluster.Writer()
		known := rec.Cost.Known
		orNull := func(ok bool, v float64) types.Float64 {
			if !ok {
				return types.Float64Null()
			}
			return floatValue(v)
		}
		if rec.Verdict == analysis.VerdictConsolidate {
			consolidate[r.Name] = true
			if known {
				total += rec.Cost.MonthlySavingsUSD
			} else {
				unpriced = append(unpriced, types.StringValue(r.Name))
			}
		}
		clusters = append(clusters, mustObject(fleetClusterType, map[string]attr.Value{
			"identifier": types.StringValue(r.Cluster.Identifier), "topology": types.StringValue(string(r.Cluster.Kind)),
			"engine": types.StringValue(r.Cluster.Engine + " " + r.Cluster.EngineVersion), "instance_class": types.StringValue(w.Class),
			"nodes": types.Int64Value(int64(len(r.Cluster.Nodes))), "verdict": types.StringValue(string(rec.Verdict)),
			"confidence": floatValue(rec.Confidence), "projected_cpu_p99": floatValue(round2(rec.Projection.CPU.P99)),
			"current_monthly_cost": orNull(rec.Cost.CurrentMonthlyUSD > 0, rec.Cost.CurrentMonthlyUSD),
			"monthly_savings":      orNull(known, rec.Cost.MonthlySavingsUSD),
			"annual_savings":       orNull(known, rec.Cost.AnnualSavingsUSD),
			"price_source":         types.StringValue(cmp.Or(r.PriceSource(), "unknown")),
			"traffic_score":        floatValue(round2(rec.Traffic.BusyVCPU)),
			"traffic_rank":         types.Int64Value(int64(rank[r.Name])),
			"risks":                riskList(rec.Risks, &diags),
		}, &diags))
	}
	var phase []attr.Value
	for _, id := range order {
		if consolidate[id] {
			phase = append(phase, types.StringValue(id))
		}
	}
	if phase == nil {
		phase = []attr.Value{}
	}
	m.Clusters = mustList(fleetClusterType, clusters, &diags)
	m.PhaseOrder = types.ListValueMust(types.StringType, phase)
	m.TotalMonthlySavings = floatValue(round2(total))
	m.UnpricedSavings = types.ListValueMust(types.StringType, unpriced)
	m.NodesAnalysed = types.Int64Value(int64(nodes))
	m.RequestsMade = types.Int64Value(int64(results[0].RequestsMade))
	m.RequestsLowerBound = types.Int64Value(int64(results[0].LowerBound))
	m.PeriodUsed = types.Int64Value(int64(results[0].Period / time.Second))
	return diags
}

// addNoFleetWarning warns that no PostgreSQL deployment in region matches filter (ListFleet
// found none), saying what to check: the filters set, and the region.
func addNoFleetWarning(diags *diag.Diagnostics, region string, filter inventory.FleetFilter) {
	var filters []string
	if filter.IdentifierRegex != nil {
		filters = append(filters, fmt.Sprintf("identifier_regex %q", filter.IdentifierRegex.String()))
	}
	if len(filter.Tags) > 0 {
		filters = append(filters, "tags")
	}
	where, check := "is in "+region, "check the provider's region and that its credentials are for the account of the deployments"
	if len(filters) > 0 {
		where, check = "in "+region+" matches this data source's filters", "check "+strings.Join(filters, " and ")+", and the provider's region"
	}
	diags.AddWarning("No PostgreSQL Deployments Found",
		fmt.Sprintf("No RDS for PostgreSQL DB instance or Aurora PostgreSQL cluster %s, so clusters and skipped are empty: %s.", where, check))
}

// addFleetWarnings adds the deployments' recommendation warnings, under their titles, each
// warning once with the deployments it concerns, by name (rightsizing.Result.Name; a fleet's
// deployments often share one, such as the CloudWatch retention of their window), in the order
// first met. A warning whose text starts with its deployment's name ("sso-prod: what its
// parameter groups set ..."), as the recommendation gives it, is said without it, the fleet
// naming the deployments before the text.
func addFleetWarnings(diags *diag.Diagnostics, results []rightsizing.Result) {
	var warns []rightsizing.Warning
	ids := map[rightsizing.Warning][]string{}
	for _, r := range results {
		for _, w := range r.Warnings {
			w.Text = strings.TrimPrefix(w.Text, r.Name+": ")
			if _, seen := ids[w]; !seen {
				warns = append(warns, w)
			}
			ids[w] = append(ids[w], r.Name)
		}
	}
	for _, w := range warns {
		diags.AddWarning(w.Title, strings.Join(ids[w], ", ")+": "+w.Text)
	}
}

// regexValidator accepts RE2 regular expressions.
type regexValidator struct{}

func (regexValidator) Description(context.Context) string {
	return "value must be an RE2 regular expression"
}
func (v regexValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (regexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Regular Expression",
			fmt.Sprintf("%s is not a valid RE2 regular expression: %v", req.Path, err))
	}
}

// knownClasses reports the first node of c whose instance class the price catalog does not know
// (the analysis needs its vCPUs and memory), or that an Aurora cluster runs on a class the
// provider's instance_classes describe with aurora = false (rightsizing.NodeClass).
func knownClasses(cat *pricing.Catalog, c inventory.Cluster) error {
	for _, n := range c.Nodes {
		_, err := rightsizing.NodeClass(cat, c, n.Class)
		if uc := (*pricing.UnknownClassError)(nil); errors.As(err, &uc) {
			return fmt.Errorf("its instance class is not one the provider knows the capacity of: %w", err)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
