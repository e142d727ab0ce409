package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
)

// instanceClassModel is one element of the provider's instance_classes: a class the embedded
// catalog lacks (pricing.CustomClass).
type instanceClassModel struct {
	Name            types.String  `tfsdk:"name"`
	VCPU            types.Int64   `tfsdk:"vcpu"`
	MemoryGiB       types.Float64 `tfsdk:"memory_gib"`
	Aurora          types.Bool    `tfsdk:"aurora"`
	EBSBaselineIOPS types.Float64 `tfsdk:"ebs_baseline_iops"`
	NetworkGbps     types.Float64 `tfsdk:"network_baseline_gbps"`
	LocalStorageGiB types.Float64 `tfsdk:"aurora_local_storage_gib"`
	HourlyUSD       types.Object  `tfsdk:"hourly_usd"`
}

// hourlyUSDModel is an instance_classes element's hourly_usd.
type hourlyUSDModel struct {
	SingleAZ          types.Float64 `tfsdk:"single_az"`
	MultiAZ           types.Float64 `tfsdk:"multi_az"`
	Aurora            types.Float64 `tfsdk:"aurora"`
	AuroraIOOptimized types.Float64 `tfsdk:"aurora_io_optimized"`
}

// instanceClassesAttribute is the provider's instance_classes attribute.
func instanceClassesAttribute() schema.ListNestedAttribute {
	price := func(what string) schema.Float64Attribute {
		return hourlyPrice(what, "unknown (the savings are then unknown)")
	}
	return schema.ListNestedAttribute{
		Optional: true,
		MarkdownDescription: "Instance classes the provider's embedded catalog lacks (its families are those of AWS's 2023-06 tables: " +
			strings.Join(catalogFamilies(), ", ") + "), such as `db.r8g.large` or `db.m7i.xlarge`: " +
			"a deployment on a class the catalog lacks cannot be analysed, and a recommendation considers the classes of the writer's family. " +
			"Give each class's vCPUs and memory (from the RDS instance-class table) and, for the savings, its on-demand prices in this provider " +
			"configuration's region. A class of the catalog, or a burstable (db.t*) one, is refused: the catalog has every db.t3 and db.t4g size, " +
			"with the CPU credit baselines a burstable class needs.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name":       schema.StringAttribute{Required: true, MarkdownDescription: "The DB instance class, as RDS names it, e.g. `db.r8g.large`."},
			"vcpu":       schema.Int64Attribute{Required: true, MarkdownDescription: fmt.Sprintf("vCPUs, 1 to %d.", pricing.MaxCustomVCPU)},
			"memory_gib": schema.Float64Attribute{Required: true, MarkdownDescription: fmt.Sprintf("Memory, GiB (more than 0, at most %d).", pricing.MaxCustomMemoryGiB)},
			"aurora":     schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether Aurora PostgreSQL offers the class. Defaults to `false`: it is then no target for an Aurora cluster, and an Aurora cluster running on it is refused (`rightsize_fleet` skips it), as a contradiction to correct by setting `true`."},
			"aurora_local_storage_gib": schema.Float64Attribute{Optional: true, MarkdownDescription: fmt.Sprintf("The local storage of an Aurora PostgreSQL instance of the class, GiB "+
				"(for temporary files and logs; the Aurora User Guide lists it per class, e.g. 32 for db.r7g.large), for an Aurora recommendation's `local_storage` check "+
				"(its peak temporary-file use against it). Only with `aurora = true`; at most %d. Left out: unknown, not checked.", pricing.MaxCustomMemoryGiB)},
			"ebs_baseline_iops":     schema.Float64Attribute{Optional: true, MarkdownDescription: "The class's EBS baseline IOPS (its EC2 type's, at 16 KiB I/O), for the IOPS check of an RDS instance and its IOPS rollback alarm's cap. Left out: unknown, not checked."},
			"network_baseline_gbps": schema.Float64Attribute{Optional: true, MarkdownDescription: "The class's sustained network bandwidth, Gbps (its EC2 type's baseline, not the \"up to\" burst), for the network check. Left out: unknown, not checked."},
			"hourly_usd": schema.SingleNestedAttribute{Optional: true, MarkdownDescription: "On-demand prices in the provider's `region`, which must then be configured (`region`, `AWS_REGION` or the profile's): a price without one is an error.",
				Attributes: map[string]schema.Attribute{
					"single_az": price("RDS for PostgreSQL Single-AZ"),
					"multi_az":  price("RDS for PostgreSQL Multi-AZ (primary and standby, as AWS bills it)"),
					"aurora":    price("One Aurora PostgreSQL instance (Aurora Standard)"),
					"aurora_io_optimized": hourlyPrice("One Aurora PostgreSQL instance in an Aurora I/O-Optimized cluster",
						"`aurora` × 1.3, as AWS prices I/O-Optimized instances"),
				}},
		}},
	}
}

// customClassFields maps a pricing.CustomClassFieldError's Field to the attribute it names under
// an instance_classes element.
var customClassFields = map[string][]string{
	"Name": {"name"}, "VCPU": {"vcpu"}, "MemoryGiB": {"memory_gib"}, "EBSBaselineIOPS": {"ebs_baseline_iops"},
	"NetworkBaselineGbps": {"network_baseline_gbps"}, "AuroraLocalStorageGiB": {"aurora_local_storage_gib"}, "SingleAZUSD": {"hourly_usd", "single_az"}, "MultiAZUSD": {"hourly_usd", "multi_az"}, "AuroraUSD": {"hourly_usd", "aurora"},
	"AuroraIOOptimizedUSD": {"hourly_usd", "aurora_io_optimized"},
}

// customClasses reads the provider's instance_classes (nil when not set): each known element as a
// pricing.CustomClass, checked against the embedded catalog and the elements before it, with a
// diagnostic on the attribute it refuses. complete is false when a value is unknown (at
// validation, not yet configured: the element is then not checked).
func customClasses(ctx context.Context, list types.List, diags *diag.Diagnostics) (out []pricing.CustomClass, complete bool) {
	if list.IsNull() {
		return nil, true
	}
	if list.IsUnknown() {
		return nil, false
	}
	var ms []instanceClassModel
	if d := list.ElementsAs(ctx, &ms, false); d.HasError() {
		diags.Append(d...)
		return nil, false
	}
	cat, err := pricing.Default()
	if err != nil {
		diags.AddError("Unable to Load Price Catalog", err.Error()+". Please report this issue to the provider developers.")
		return nil, false
	}
	complete = true
	seen := map[string]int{}
	for i, m := range ms {
		at := path.Root("instance_classes").AtListIndex(i)
		var h hourlyUSDModel
		if !m.HourlyUSD.IsNull() && !m.HourlyUSD.IsUnknown() {
			diags.Append(m.HourlyUSD.As(ctx, &h, basetypes.ObjectAsOptions{})...)
		}
		if anyUnknown(m.Name, m.VCPU, m.MemoryGiB, m.Aurora, m.EBSBaselineIOPS, m.NetworkGbps, m.LocalStorageGiB, m.HourlyUSD, h.SingleAZ, h.MultiAZ, h.Aurora, h.AuroraIOOptimized) {
			complete = false
			continue
		}
		cc := pricing.CustomClass{Name: m.Name.ValueString(), VCPU: int(m.VCPU.ValueInt64()), MemoryGiB: m.MemoryGiB.ValueFloat64(),
			Aurora: m.Aurora.ValueBool(), EBSBaselineIOPS: m.EBSBaselineIOPS.ValueFloat64(), NetworkBaselineGbps: m.NetworkGbps.ValueFloat64(), AuroraLocalStorageGiB: m.LocalStorageGiB.ValueFloat64(),
			SingleAZUSD: h.SingleAZ.ValueFloat64(), MultiAZUSD: h.MultiAZ.ValueFloat64(), AuroraUSD: h.Aurora.ValueFloat64(), AuroraIOOptimizedUSD: h.AuroraIOOptimized.ValueFloat64()}
		if v := m.VCPU.ValueInt64(); v != int64(cc.VCPU) {
			cc.VCPU = -1 // out of int's range: refused below as out of range
		}
		if err := cc.Validate(cat); err != nil {
			diags.AddAttributeError(fieldPath(at, err, customClassFields), "Invalid Instance Class", fmt.Sprintf("instance_classes[%d] (%s): %s.", i, cc.Name, err))
			continue
		}
		if j, dup := seen[cc.Name]; dup {
			diags.AddAttributeError(at.AtName("name"), "Duplicate Instance Class",
				fmt.Sprintf("instance_classes[%d] describes %s, as instance_classes[%d] does: keep one.", i, cc.Name, j))
			continue
		}
		seen[cc.Name] = i
		out = append(out, cc)
	}
	return out, complete
}

// anyUnknown reports whether any of vs is unknown.
func anyUnknown(vs ...attr.Value) bool {
	for _, v := range vs {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// catalog is the price and instance-class catalog the provider's data sources use: the embedded
// one, with the provider configuration's instance_classes, instance_prices and storage_prices
// (Configure, configuredCatalog); pd may be nil (a data
// source of an unconfigured provider), which gives the embedded one.
func (pd *ProviderData) catalog() (*pricing.Catalog, error) {
	if pd != nil && pd.Catalog != nil {
		return pd.Catalog, nil
	}
	return pricing.Default()
}

// instancePriceModel is one element of the provider's instance_prices (pricing.PriceOverride).
type instancePriceModel struct {
	InstanceClass     types.String  `tfsdk:"instance_class"`
	SingleAZ          types.Float64 `tfsdk:"single_az"`
	MultiAZ           types.Float64 `tfsdk:"multi_az"`
	Aurora            types.Float64 `tfsdk:"aurora"`
	AuroraIOOptimized types.Float64 `tfsdk:"aurora_io_optimized"`
}

// instancePricesAttribute is the provider's instance_prices attribute.
func instancePricesAttribute() schema.ListNestedAttribute {
	price := func(what string) schema.Float64Attribute { return hourlyPrice(what, "the catalog's") }
	return schema.ListNestedAttribute{
		Optional: true,
		MarkdownDescription: "Prices of the provider catalog's instance classes in this provider configuration's `region`, in place of the catalog's: " +
			"for a region the catalog does not price (it has " + strings.Join(catalogRegions(), ", ") + "), where no cost or saving is known otherwise, " +
			"or for the rates an account pays (a private pricing agreement's). Each gives one class at least one price; the recommendation, " +
			"the fleet and `rightsize_rds_price` use them (source `provider-configuration`). A class the catalog lacks is priced with its " +
			"description in `instance_classes`. Storage is priced by `storage_prices`; CPU credit and RDS Extended Support prices stay the catalog's list prices.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"instance_class": schema.StringAttribute{Required: true, MarkdownDescription: "A class of the catalog, as RDS names it, e.g. `db.r6g.large`."},
			"single_az":      price("RDS for PostgreSQL Single-AZ"),
			"multi_az":       price("RDS for PostgreSQL Multi-AZ (primary and standby, as AWS bills it)"),
			"aurora":         price("One Aurora PostgreSQL instance (Aurora Standard)"),
			"aurora_io_optimized": hourlyPrice("One Aurora PostgreSQL instance in an Aurora I/O-Optimized cluster (an account's rate for it, which need not be 1.3 times its Aurora Standard one)",
				"the Aurora Standard price (`aurora`, else the catalog's) × 1.3, as AWS prices I/O-Optimized instances"),
		}},
	}
}

// priceOverrideFields maps a pricing.CustomClassFieldError's Field of a PriceOverride to the
// attribute it names under an instance_prices element.
var priceOverrideFields = map[string][]string{"Class": {"instance_class"}, "SingleAZUSD": {"single_az"}, "MultiAZUSD": {"multi_az"}, "AuroraUSD": {"aurora"},
	"AuroraIOOptimizedUSD": {"aurora_io_optimized"}}

// fieldPath is the attribute, under the list element at, that a refusal of Validate names
// (pricing.CustomClassFieldError.Field, by fields); at itself for another error.
func fieldPath(at path.Path, err error, fields map[string][]string) path.Path {
	var fe *pricing.CustomClassFieldError
	if errors.As(err, &fe) {
		for _, n := range fields[fe.Field] {
			at = at.AtName(n)
		}
	}
	return at
}

// priceOverrides reads the provider's instance_prices (nil when not set): each known element as a
// pricing.PriceOverride, checked against cat (the embedded catalog with instance_classes) and the
// elements before it, with a diagnostic on the attribute it refuses. complete is false when a
// value is unknown.
func priceOverrides(ctx context.Context, list types.List, cat *pricing.Catalog, diags *diag.Diagnostics) (out []pricing.PriceOverride, complete bool) {
	if list.IsNull() {
		return nil, true
	}
	if list.IsUnknown() {
		return nil, false
	}
	var ms []instancePriceModel
	if d := list.ElementsAs(ctx, &ms, false); d.HasError() {
		diags.Append(d...)
		return nil, false
	}
	complete = true
	seen := map[string]int{}
	for i, m := range ms {
		at := path.Root("instance_prices").AtListIndex(i)
		if anyUnknown(m.InstanceClass, m.SingleAZ, m.MultiAZ, m.Aurora, m.AuroraIOOptimized) {
			complete = false
			continue
		}
		po := pricing.PriceOverride{Class: m.InstanceClass.ValueString(), SingleAZUSD: m.SingleAZ.ValueFloat64(),
			MultiAZUSD: m.MultiAZ.ValueFloat64(), AuroraUSD: m.Aurora.ValueFloat64(), AuroraIOOptimizedUSD: m.AuroraIOOptimized.ValueFloat64()}
		if err := po.Validate(cat); err != nil {
			diags.AddAttributeError(fieldPath(at, err, priceOverrideFields), "Invalid Instance Price", fmt.Sprintf("instance_prices[%d] (%s): %s.", i, po.Class, err))
			continue
		}
		if j, dup := seen[po.Class]; dup {
			diags.AddAttributeError(at.AtName("instance_class"), "Duplicate Instance Price",
				fmt.Sprintf("instance_prices[%d] prices %s, as instance_prices[%d] does: keep one.", i, po.Class, j))
			continue
		}
		seen[po.Class] = i
		out = append(out, po)
	}
	return out, complete
}

// configuredCatalog is the embedded catalog with the provider configuration's instance_classes,
// instance_prices and storage_prices (prices in region), with diagnostics on what they refuse; nil when there are
// errors. complete is false when a value is unknown (then nothing is refused for it).
func configuredCatalog(ctx context.Context, classes, prices types.List, storage types.Object, region string, diags *diag.Diagnostics) (cat *pricing.Catalog, complete bool) {
	cs, completeClasses := customClasses(ctx, classes, diags)
	base, err := pricing.Default()
	if err != nil {
		diags.AddError("Unable to Load Price Catalog", err.Error()+". Please report this issue to the provider developers.")
		return nil, false
	}
	ext, err := base.WithClasses(region, cs)
	if err != nil { // customClasses refused it already
		return nil, false
	}
	ps, completePrices := priceOverrides(ctx, prices, ext, diags)
	if diags.HasError() {
		return nil, completeClasses && completePrices
	}
	ext, err = ext.WithPrices(region, ps)
	if err != nil {
		diags.AddAttributeError(path.Root("instance_prices"), "Invalid Instance Price", err.Error())
		return nil, completeClasses && completePrices
	}
	sp, pp, completeStorage := storagePrices(ctx, storage, diags)
	complete = completeClasses && completePrices && completeStorage
	ext, err = ext.WithStoragePrices(region, sp)
	if err == nil {
		ext, err = ext.WithProvisionedPrices(region, pp)
	}
	if err != nil {
		p := path.Root("storage_prices")
		var fe *pricing.CustomClassFieldError
		if errors.As(err, &fe) {
			p = p.AtName(fe.Field)
		}
		diags.AddAttributeError(p, "Invalid Storage Price", fmt.Sprintf("storage_prices: %s.", err))
		return nil, complete
	}
	return ext, complete
}

// storagePricesModel is the provider's storage_prices: Single-AZ USD per GB-month by type, and
// per unit-month of provisioned IOPS and throughput.
type storagePricesModel struct {
	GP2           types.Float64 `tfsdk:"gp2"`
	GP3           types.Float64 `tfsdk:"gp3"`
	IO1           types.Float64 `tfsdk:"io1"`
	IO2           types.Float64 `tfsdk:"io2"`
	Standard      types.Float64 `tfsdk:"standard"`
	IO1IOPS       types.Float64 `tfsdk:"io1_iops"`
	IO2IOPS       types.Float64 `tfsdk:"io2_iops"`
	GP3IOPS       types.Float64 `tfsdk:"gp3_iops"`
	GP3Throughput types.Float64 `tfsdk:"gp3_throughput"`
}

// storagePricesAttribute is the provider's storage_prices attribute.
func storagePricesAttribute() schema.SingleNestedAttribute {
	price := func(what, unit, left string) schema.Float64Attribute {
		return schema.Float64Attribute{Optional: true, MarkdownDescription: "USD per " + unit + " of " + what + ", Single-AZ, in the provider's `region`. Left out: " + left + "."}
	}
	catalogs, unpriced := "the catalog's (us-east-1's only)", "unpriced (the catalog has no price for it)"
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Storage prices in this provider configuration's `region`, in place of the catalog's (which has, in us-east-1 only, gp2, gp3, io1 and magnetic storage, " +
			"io1's Provisioned IOPS and the IOPS gp3 provisions above what it includes): RDS bills a Multi-AZ instance's allocated storage, Provisioned IOPS and provisioned " +
			"throughput for both copies, so going to one node saves half of each, which `storage_monthly_savings` and the savings count when it is priced (a warning names " +
			"what they leave out). Give the Single-AZ prices, as AWS's price list shows them; the Multi-AZ ones are twice those.",
		Attributes: map[string]schema.Attribute{
			"gp2": price("General Purpose SSD (gp2)", "GB-month", catalogs), "gp3": price("General Purpose SSD (gp3)", "GB-month", catalogs),
			"io1":            price("Provisioned IOPS SSD (io1), the storage alone", "GB-month", catalogs),
			"io2":            price("Provisioned IOPS SSD (io2), the storage alone", "GB-month", unpriced),
			"standard":       price("magnetic storage (standard)", "GB-month", catalogs),
			"io1_iops":       price("io1's Provisioned IOPS", "IOPS-month", catalogs),
			"io2_iops":       price("io2's Provisioned IOPS (a flat rate: where the price list tiers it, the rate of the instance's IOPS)", "IOPS-month", unpriced),
			"gp3_iops":       price("gp3 IOPS provisioned above those gp3 includes (3,000 below 400 GiB, 12,000 from 400 GiB)", "IOPS-month", catalogs),
			"gp3_throughput": price("gp3 throughput provisioned above what gp3 includes (125 MiB/s below 400 GiB, 500 from 400 GiB)", "MiB/s-month", unpriced),
		},
	}
}

// storagePrices reads the provider's storage_prices (nil when not set): the prices per GB-month by
// storage type, and those of provisioned IOPS and throughput; complete is false when a value is
// unknown.
func storagePrices(ctx context.Context, obj types.Object, diags *diag.Diagnostics) (map[pricing.StorageType]float64, map[pricing.ProvisionedCharge]float64, bool) {
	if obj.IsNull() {
		return nil, nil, true
	}
	if obj.IsUnknown() {
		return nil, nil, false
	}
	var m storagePricesModel
	if d := obj.As(ctx, &m, basetypes.ObjectAsOptions{}); d.HasError() {
		diags.Append(d...)
		return nil, nil, false
	}
	complete := true
	read := func(v types.Float64) (float64, bool) {
		complete = complete && !v.IsUnknown()
		return v.ValueFloat64(), !v.IsNull() && !v.IsUnknown()
	}
	gb := map[pricing.StorageType]float64{}
	for st, v := range map[pricing.StorageType]types.Float64{pricing.StorageGP2: m.GP2, pricing.StorageGP3: m.GP3, pricing.StorageIO1: m.IO1,
		pricing.StorageIO2: m.IO2, pricing.StorageMagnetic: m.Standard} {
		if x, ok := read(v); ok {
			gb[st] = x
		}
	}
	provisioned := map[pricing.ProvisionedCharge]float64{}
	for ch, v := range map[pricing.ProvisionedCharge]types.Float64{pricing.ChargeIO1IOPS: m.IO1IOPS, pricing.ChargeIO2IOPS: m.IO2IOPS,
		pricing.ChargeGP3IOPS: m.GP3IOPS, pricing.ChargeGP3Throughput: m.GP3Throughput} {
		if x, ok := read(v); ok {
			provisioned[ch] = x
		}
	}
	return gb, provisioned, complete
}

// requireRegionForPrices refuses, on the attribute, each price of the provider configuration's
// instance_classes, instance_prices and storage_prices when no region is configured: they are the
// provider's region's prices, and under no region they would price nothing. Classes without
// prices still serve their capacities. The configuration has been read without errors.
func requireRegionForPrices(ctx context.Context, cfg providerModel, diags *diag.Diagnostics) {
	const fix = "set region in the provider block (or AWS_REGION, or a region in the profile)"
	var ignored diag.Diagnostics // read before, without errors
	classes, _ := customClasses(ctx, cfg.InstanceClasses, &ignored)
	// Every element is a class here (an invalid or unknown one was an error), in order.
	for i, cc := range classes {
		if cc.SingleAZUSD > 0 || cc.MultiAZUSD > 0 || cc.AuroraUSD > 0 || cc.AuroraIOOptimizedUSD > 0 {
			diags.AddAttributeError(path.Root("instance_classes").AtListIndex(i).AtName("hourly_usd"), "Missing AWS Region",
				fmt.Sprintf("instance_classes[%d] (%s): its prices are in the provider's region, and none is configured: %s, or remove hourly_usd.", i, cc.Name, fix))
		}
	}
	if !cfg.InstancePrices.IsNull() && len(cfg.InstancePrices.Elements()) > 0 {
		diags.AddAttributeError(path.Root("instance_prices"), "Missing AWS Region",
			"instance_prices are the provider's region's prices, and none is configured: "+fix+", or remove instance_prices.")
	}
	if sp, pp, _ := storagePrices(ctx, cfg.StoragePrices, &ignored); len(sp)+len(pp) > 0 { // {} or null prices give none
		diags.AddAttributeError(path.Root("storage_prices"), "Missing AWS Region",
			"storage_prices are the provider's region's prices, and none is configured: "+fix+", or remove storage_prices.")
	}
}

// hourlyPrice is an optional on-demand price per hour attribute of what, left out meaning leftOut.
func hourlyPrice(what, leftOut string) schema.Float64Attribute {
	return schema.Float64Attribute{Optional: true, MarkdownDescription: what + ", USD per hour, on demand, in the provider's `region`. Left out: " + leftOut + "."}
}
