package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
)

var (
	_ datasource.DataSource                   = (*rdsPriceDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*rdsPriceDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*rdsPriceDataSource)(nil)
)

// instanceClassPattern is the shape of a DB instance class name (db.<family>.<size>).
var instanceClassPattern = regexp.MustCompile(`^db\.[a-z0-9-]+\.[a-z0-9]+$`)

// NewRDSPriceDataSource returns the rightsize_rds_price data source.
func NewRDSPriceDataSource() datasource.DataSource { return &rdsPriceDataSource{} }

type rdsPriceDataSource struct {
	data *ProviderData
}

type rdsPriceModel struct {
	ID            types.String  `tfsdk:"id"`
	InstanceClass types.String  `tfsdk:"instance_class"`
	Engine        types.String  `tfsdk:"engine"`
	Deployment    types.String  `tfsdk:"deployment"`
	Region        types.String  `tfsdk:"region"`
	UsePricingAPI types.Bool    `tfsdk:"use_pricing_api"`
	AuroraStorage types.String  `tfsdk:"aurora_storage_type"`
	HourlyUSD     types.Float64 `tfsdk:"hourly_usd"`
	MonthlyUSD    types.Float64 `tfsdk:"monthly_usd"`
	HoursPerMonth types.Int64   `tfsdk:"hours_per_month"`
	Source        types.String  `tfsdk:"source"`
	SourceDate    types.String  `tfsdk:"source_date"`
	Note          types.String  `tfsdk:"note"`
	VCPU          types.Int64   `tfsdk:"vcpu"`
	MemoryGiB     types.Float64 `tfsdk:"memory_gib"`
	Burstable     types.Bool    `tfsdk:"burstable"`
	CPUBaseline   types.Float64 `tfsdk:"cpu_baseline_percent"`
	CreditPrice   types.Float64 `tfsdk:"cpu_credit_usd_per_vcpu_hour"`
}

func engineValues() []string {
	out := make([]string, len(pricing.Engines))
	for i, e := range pricing.Engines {
		out[i] = string(e)
	}
	return out
}

func deploymentValues() []string {
	out := make([]string, len(pricing.Deployments))
	for i, d := range pricing.Deployments {
		out[i] = string(d)
	}
	return out
}

func catalogFamilies() []string {
	c, err := pricing.Default()
	if err != nil {
		return nil
	}
	return c.Families()
}

func catalogRegions() []string {
	c, err := pricing.Default()
	if err != nil {
		return nil
	}
	return c.Regions()
}

func (d *rdsPriceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rds_price"
}

func (d *rdsPriceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "On-demand price of an RDS for PostgreSQL or Aurora PostgreSQL DB instance class, from the provider's " +
			"embedded catalog or, with `use_pricing_api = true`, the AWS Price List API. **Catalog prices are a dated estimate** " +
			"(list prices as of " + pricing.CatalogDate + "; Aurora values last seen mid-2024): check current prices before quoting them. " +
			"The catalog covers the families " + markdownList(catalogFamilies()) + " in " + markdownList(catalogRegions()) + ".",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`<instance_class>/<engine>/<deployment>/<region>`, followed by `/aurora-iopt1` for an Aurora I/O-Optimized instance."},
			"instance_class": schema.StringAttribute{Required: true,
				MarkdownDescription: "DB instance class, e.g. `db.r6g.large`. Supported families: " + markdownList(catalogFamilies()) + ", and the classes the provider configuration's `instance_classes` describe (priced in the provider's region).",
				Validators:          []validator.String{stringvalidator.RegexMatches(instanceClassPattern, "must look like db.<family>.<size>, e.g. db.r6g.large")}},
			"engine": schema.StringAttribute{Required: true,
				MarkdownDescription: "Engine: " + markdownList(engineValues()) + ". Aurora is priced per instance, in the storage configuration `aurora_storage_type` names.",
				Validators:          []validator.String{stringvalidator.OneOf(engineValues()...)}},
			"aurora_storage_type": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The Aurora cluster's storage configuration, as RDS names it (`DBCluster.StorageType`), with `engine = \"aurora-postgresql\"` only: " +
					"`aurora` (Aurora Standard, the default) or `aurora-iopt1` (Aurora I/O-Optimized, whose instances cost more and whose I/O costs nothing). " +
					"An I/O-Optimized instance is priced as `rightsize_single_node_recommendation` prices it: the `aurora_io_optimized` price the provider's " +
					"`instance_prices` or `instance_classes` give, else the catalog's Aurora Standard price × 1.3 (as AWS prices it); with `use_pricing_api`, " +
					"the Price List's I/O-Optimized offer.",
				Validators: []validator.String{stringvalidator.OneOf(pricing.StorageAuroraStandard, pricing.StorageAuroraIOOptimized)}},
			"deployment": schema.StringAttribute{Required: true,
				MarkdownDescription: "Deployment: " + markdownList(deploymentValues()) + ". For `rds-postgresql`, `multi-az` is the Multi-AZ DB " +
					"instance price (primary plus standby, as AWS bills it). For `aurora-postgresql`, `single-az` is one instance and " +
					"`multi-az` a writer plus one reader (2 × the instance price).",
				Validators: []validator.String{stringvalidator.OneOf(deploymentValues()...)}},
			"region": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "AWS region code. Defaults to the provider's region. The catalog has prices for " + markdownList(catalogRegions()) +
					"; other commercial regions need `use_pricing_api = true`. China's regions (CNY) cannot be priced; GovCloud's only " +
					"with `use_pricing_api = true` from a provider configuration for a commercial region (commercial-account credentials).",
				Validators: []validator.String{stringvalidator.RegexMatches(regionPattern, "must be an AWS region code such as us-east-1")}},
			"use_pricing_api": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Look the price up with the AWS Price List API (`pricing:GetProducts` on `AmazonRDS`, served in the " +
					"provider's partition from `us-east-1` (aws), `cn-northwest-1` (aws-cn) or `eusc-de-east-1` (aws-eusc); GovCloud has none, " +
					"and `use_pricing_api` is an error there) and fall back to the catalog, or to the price the provider's `instance_classes` or `instance_prices` give for the class, with a warning when a lookup fails; when it answers, its list price is used, not the rate `instance_prices` give. Prices are in " +
					"USD: an offer priced in another currency only (CNY in China) is not converted. Defaults to `false`."},
			"hourly_usd": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "On-demand USD per hour for the whole deployment (both nodes for `multi-az`)."},
			"monthly_usd": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "`hourly_usd` × `hours_per_month` (730)."},
			"hours_per_month": schema.Int64Attribute{Computed: true, MarkdownDescription: "Hours per month used for `monthly_usd`: 730."},
			"source": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Where the price came from: `catalog` (embedded, dated), `pricing-api`, or `provider-configuration` (`instance_prices` or `instance_classes`)."},
			"source_date": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Date (YYYY-MM-DD) of the catalog price, or the effective date of the Price List offer; empty when `source` is `provider-configuration` (the configuration's rates carry no date)."},
			"note":       schema.StringAttribute{Computed: true, MarkdownDescription: "How the value was derived when it is not a plain list price; empty otherwise."},
			"vcpu":       schema.Int64Attribute{Computed: true, MarkdownDescription: "vCPUs of the class."},
			"memory_gib": schema.Float64Attribute{Computed: true, MarkdownDescription: "Memory of the class in GiB."},
			"burstable":  schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the class is CPU-credit burstable (db.t3, db.t4g); surplus credit charges are not included in the price."},
			"cpu_baseline_percent": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "A burstable class's baseline utilization per vCPU, percent (the EC2 credit table: 20 for db.t4g.medium); null for fixed-performance classes."},
			"cpu_credit_usd_per_vcpu_hour": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "What a burstable class pays for surplus CPU credits in unlimited mode, USD per vCPU-hour: RDS for PostgreSQL's 0.075 from the catalog, in the commercial partition's regions; null outside it (China bills in CNY; GovCloud's and the other partitions' are not sourced), for Aurora (not in the catalog) and for fixed-performance classes."},
		},
	}
}

// ValidateConfig refuses aurora_storage_type with an engine other than aurora-postgresql at
// validation (terraform validate and plan), before any read; an unknown value waits for Read.
func (d *rdsPriceDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var engine, storage types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("engine"), &engine)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("aurora_storage_type"), &storage)...)
	if resp.Diagnostics.HasError() || engine.IsUnknown() || engine.IsNull() || storage.IsNull() {
		return
	}
	auroraStorageEngine(pricing.Engine(engine.ValueString()), &resp.Diagnostics)
}

// auroraStorageEngine refuses aurora_storage_type, which is set, with engine unless it is Aurora
// PostgreSQL's, on the attribute; it reports whether engine takes it.
func auroraStorageEngine(engine pricing.Engine, diags *diag.Diagnostics) bool {
	if engine == pricing.EngineAuroraPostgres {
		return true
	}
	diags.AddAttributeError(path.Root("aurora_storage_type"), "Invalid Attribute Combination",
		fmt.Sprintf("aurora_storage_type is an Aurora cluster's storage configuration: set engine = %q, or remove aurora_storage_type (engine is %q).", pricing.EngineAuroraPostgres, engine))
	return false
}

func (d *rdsPriceDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerData(req.ProviderData, &resp.Diagnostics)
}

func (d *rdsPriceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m rdsPriceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cat, err := d.data.catalog()
	if err != nil {
		resp.Diagnostics.AddError("Unable to Load Price Catalog",
			"The embedded price catalog is corrupt: "+err.Error()+". Please report this issue to the provider developers.")
		return
	}
	region := m.Region.ValueString()
	if region == "" && d.data != nil {
		region = d.data.Region
	}
	if region == "" {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "Missing Region",
			"Set region on this data source or on the provider (or AWS_REGION).")
		return
	}
	engine, deployment := pricing.Engine(m.Engine.ValueString()), pricing.Deployment(m.Deployment.ValueString())
	ioOptimized := m.AuroraStorage.ValueString() == pricing.StorageAuroraIOOptimized
	if !m.AuroraStorage.IsNull() && !auroraStorageEngine(engine, &resp.Diagnostics) { // ValidateConfig's check, for an engine known only now
		return
	}
	lookup := &pricing.Lookup{Catalog: cat}
	if m.UsePricingAPI.ValueBool() {
		if d.data == nil || d.data.Pricing == nil {
			resp.Diagnostics.AddError("Unconfigured Provider",
				"use_pricing_api needs the provider's AWS configuration, which is not available. Please report this issue to the provider developers.")
			return
		}
		lookup.API = d.data.Pricing
	}
	var p pricing.Price
	var warns []string
	if ioOptimized {
		p, warns, err = lookup.AuroraIOOptimizedPrice(ctx, m.InstanceClass.ValueString(), deployment, region)
	} else {
		p, warns, err = lookup.Price(ctx, m.InstanceClass.ValueString(), engine, deployment, region)
	}
	for _, w := range warns {
		resp.Diagnostics.AddWarning("Price List API Unavailable, Using Catalog", w)
	}
	if err != nil {
		addPriceError(&resp.Diagnostics, err, lookup.API != nil, cat.Custom(m.InstanceClass.ValueString()), path.Root("instance_class"), path.Root("region"), path.Root("engine"))
		return
	}
	ic, err := cat.Class(p.Class)
	if err != nil {
		addPriceError(&resp.Diagnostics, err, lookup.API != nil, cat.Custom(m.InstanceClass.ValueString()), path.Root("instance_class"), path.Root("region"), path.Root("engine"))
		return
	}
	id := []string{p.Class, string(engine), string(deployment), region}
	if ioOptimized {
		id = append(id, pricing.StorageAuroraIOOptimized)
	}
	m.ID = types.StringValue(strings.Join(id, "/"))
	m.Region = types.StringValue(region)
	m.HourlyUSD = types.Float64Value(p.HourlyUSD)
	m.MonthlyUSD = types.Float64Value(p.MonthlyUSD)
	m.HoursPerMonth = types.Int64Value(pricing.HoursPerMonth)
	m.Source = types.StringValue(p.Source)
	m.SourceDate = types.StringValue(p.SourceDate)
	m.Note = types.StringValue(p.Note)
	m.VCPU = types.Int64Value(int64(ic.VCPU))
	m.MemoryGiB = types.Float64Value(ic.MemoryGiB)
	m.Burstable = types.BoolValue(ic.Burstable)
	m.CPUBaseline, m.CreditPrice = types.Float64Null(), types.Float64Null()
	if ic.CPUBaselinePercent > 0 {
		m.CPUBaseline = types.Float64Value(ic.CPUBaselinePercent)
		if price, ok := pricing.CPUCreditUSDPerVCPUHour(engine, region); ok {
			m.CreditPrice = types.Float64Value(price)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// diagAdder is the part of diag.Diagnostics addPriceError uses.
type diagAdder interface {
	AddAttributeError(path.Path, string, string)
	AddError(string, string)
}

// addPriceError maps pricing errors to attribute diagnostics: unknown classes on classAttr, unpriced regions on
// regionAttr, unsupported engines on engineAttr. usedAPI says whether the Price List API was asked too, custom
// whether the class is one the provider configuration's instance_classes describe (priced there, in the
// provider's region, for the deployments they give).
func addPriceError(diags diagAdder, err error, usedAPI, custom bool, classAttr, regionAttr, engineAttr path.Path) {
	var uc *pricing.UnknownClassError
	var pu *pricing.PriceUnavailableError
	var ue *pricing.UnsupportedError
	switch {
	case errors.As(err, &uc):
		diags.AddAttributeError(classAttr, "Unsupported Instance Class",
			fmt.Sprintf("%s.", err))
	case errors.As(err, &pu):
		at := regionAttr
		if strings.Contains(pu.Reason, "does not offer") {
			at = classAttr
		}
		next := "Use a covered region or class, or set use_pricing_api = true to ask the AWS Price List API."
		switch {
		case custom && strings.Contains(pu.Reason, "does not offer"):
			next = "If it does, set aurora = true for it in the provider configuration's instance_classes, with hourly_usd.aurora, its price."
		case custom && strings.Contains(pu.Reason, "give no price"):
			at = classAttr
			next = "Give it in the class's hourly_usd in the provider configuration's instance_classes, or set use_pricing_api = true to ask the AWS Price List API."
		case custom:
			next = "Leave region out to price it in the provider's region, or set use_pricing_api = true to ask the AWS Price List API."
		}
		if pricing.OutsideCommercialPartition(pu.Region) != "" {
			next = "The reason says what can price it, if anything."
		}
		if usedAPI {
			next = "The AWS Price List API was asked too (a warning says so if it could not answer): check that the class is offered for this engine and deployment in the region."
		}
		diags.AddAttributeError(at, "Price Not Available", fmt.Sprintf("%s. %s", err, next))
	case errors.As(err, &ue):
		diags.AddAttributeError(engineAttr, "Unsupported Value", err.Error())
	default:
		addAWSError(diags, "Unable to Look Up Price", "", err, "")
	}
}
