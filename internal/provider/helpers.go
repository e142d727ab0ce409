package provider

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awspartition"
)

var (
	// regionPattern accepts a region code of any partition of the SDK (awspartition.All): every region the
	// SDK's regionRegex patterns accept (us-east-1, cn-north-1, us-gov-west-1, eusc-de-east-1,
	// us-isof-south-1, ...) and nothing else.
	regionPattern  = anyOf(awspartition.All)
	roleARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/.+$`)
)

// anyOf returns a regular expression matching what any of ps's RegionRegex patterns matches, with
// their \w (which also takes upper case and '_', enough to tell partitions apart) narrowed to
// lower-case letters and digits, as region codes are written: "us-EAST-1" is no region.
func anyOf(ps []awspartition.Partition) *regexp.Regexp {
	alts := make([]string, len(ps))
	for i, p := range ps {
		alts[i] = "(?:" + strings.ReplaceAll(p.RegionRegex.String(), `\w`, `[a-z0-9]`) + ")"
	}
	return regexp.MustCompile(strings.Join(alts, "|"))
}

// diagError is an attribute error produced outside the framework's
// validators (for example from an environment variable).
type diagError struct {
	path    path.Path
	summary string
	detail  string
}

func (e diagError) diagnostic() diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(e.path, e.summary, e.detail)
}

// appendDiagErrors adds errs to diags.
func appendDiagErrors(diags *diag.Diagnostics, errs []diagError) {
	for _, e := range errs {
		diags.Append(e.diagnostic())
	}
}

// markdownList renders allowed values as "`a`, `b` or `c`" for descriptions
// and messages, from the same slice a validator uses.
func markdownList(vs []string) string { return markdownJoin(vs, "or") }

// markdownJoin is markdownList with another conjunction ("and" for a list
// that holds all of its items).
func markdownJoin(vs []string, conj string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "`" + v + "`"
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + conj + " " + q[len(q)-1]
}

// unknownAttributes lists the provider attributes the AWS clients and the price
// catalog (instance_classes, instance_prices, storage_prices: each unknown value
// by its own path) are built from whose values are unknown at configure time:
// Configure refuses them.
// The postgres block's are not listed: PostgreSQL is dialled only by the data
// sources and resources that need it, so resolvePostgres records them in
// PostgresSettings.Unknown and pgConnConfig reports them to those.
func unknownAttributes(cfg providerModel) []path.Path {
	var out []path.Path
	type attr struct {
		p       path.Path
		unknown bool
	}
	attrs := []attr{
		{path.Root("region"), cfg.Region.IsUnknown()},
		{path.Root("profile"), cfg.Profile.IsUnknown()},
		{path.Root("access_key"), cfg.AccessKey.IsUnknown()},
		{path.Root("secret_key"), cfg.SecretKey.IsUnknown()},
		{path.Root("token"), cfg.Token.IsUnknown()},
		{path.Root("max_retries"), cfg.MaxRetries.IsUnknown()},
	}
	if ar := cfg.AssumeRole; ar != nil {
		b := path.Root("assume_role")
		attrs = append(attrs,
			attr{b.AtName("role_arn"), ar.RoleARN.IsUnknown()},
			attr{b.AtName("session_name"), ar.SessionName.IsUnknown()},
			attr{b.AtName("external_id"), ar.ExternalID.IsUnknown()},
			attr{b.AtName("duration"), ar.Duration.IsUnknown()},
		)
	}
	if e := cfg.Endpoints; e != nil {
		b := path.Root("endpoints")
		attrs = append(attrs,
			attr{b.AtName("rds"), e.RDS.IsUnknown()},
			attr{b.AtName("cloudwatch"), e.CloudWatch.IsUnknown()},
			attr{b.AtName("application_autoscaling"), e.ApplicationAutoScaling.IsUnknown()},
			attr{b.AtName("pricing"), e.Pricing.IsUnknown()},
			attr{b.AtName("sts"), e.STS.IsUnknown()},
		)
	}
	for _, a := range attrs {
		if a.unknown {
			out = append(out, a.p)
		}
	}
	// The catalog is built here too, from the classes and prices in the provider's region.
	unknownIn(path.Root("instance_classes"), cfg.InstanceClasses, &out)
	unknownIn(path.Root("instance_prices"), cfg.InstancePrices, &out)
	unknownIn(path.Root("storage_prices"), cfg.StoragePrices, &out)
	return out
}

// unknownIn appends to out the path of v, at p, when v is unknown, else those of the unknown
// values in it (a list's elements, an object's attributes, in name order).
func unknownIn(p path.Path, v attr.Value, out *[]path.Path) {
	switch {
	case v == nil || v.IsNull():
		return
	case v.IsUnknown():
		*out = append(*out, p)
		return
	}
	switch v := v.(type) {
	case basetypes.ListValue:
		for i, e := range v.Elements() {
			unknownIn(p.AtListIndex(i), e, out)
		}
	case basetypes.ObjectValue:
		attrs := v.Attributes()
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			unknownIn(p.AtName(k), attrs[k], out)
		}
	}
}

// unknownPostgresAttributes lists the attributes of the provider's postgres
// block (by name, e.g. "password") whose values are unknown at configure time.
func unknownPostgresAttributes(pg *postgresModel) []string {
	if pg == nil {
		return nil
	}
	var out []string
	for _, a := range []struct {
		name    string
		unknown bool
	}{
		{"host", pg.Host.IsUnknown()},
		{"port", pg.Port.IsUnknown()},
		{"database", pg.Database.IsUnknown()},
		{"username", pg.Username.IsUnknown()},
		{"password", pg.Password.IsUnknown()},
		{"sslmode", pg.SSLMode.IsUnknown()},
		{"sslrootcert", pg.SSLRootCert.IsUnknown()},
		{"connect_timeout", pg.ConnectTimeout.IsUnknown()},
		{"statement_timeout", pg.StatementTimeout.IsUnknown()},
		{"iam_auth", pg.IAMAuth.IsUnknown()},
	} {
		if a.unknown {
			out = append(out, a.name)
		}
	}
	return out
}

// requireAWS reports, for a data source or resource about to call AWS, a
// provider that is not configured, or configured without a region (which the
// AWS SDK would report as its own "Missing Region" error, naming neither the
// provider nor the fix). It returns whether pd's AWS clients can be used.
func requireAWS(pd *ProviderData, diags *diag.Diagnostics) bool {
	if pd == nil || pd.RDS == nil || pd.Listings == nil || pd.CloudWatch == nil {
		diags.AddError("Provider Not Configured", "The provider was not configured before reading. Please report this issue to the provider developers.")
		return false
	}
	if pd.Region == "" {
		diags.AddError("Missing AWS Region", "No AWS region is configured: set region in the provider block, or AWS_REGION in the environment.")
		return false
	}
	return true
}

// urlValidator accepts absolute http(s) URLs with a host.
type urlValidator struct{}

var _ validator.String = urlValidator{}

func (urlValidator) Description(context.Context) string {
	return "value must be an absolute http:// or https:// URL"
}

func (v urlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (urlValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Endpoint URL",
			fmt.Sprintf("%s is %q, which is not an absolute URL. Use the form http://127.0.0.1:4566 or https://rds.example.com.", req.Path, raw))
	}
}

// providerData extracts the provider's data in a data source's or resource's
// Configure. It returns nil (and no error) before the provider is configured,
// which the framework does during validation.
func providerData(data any, diags *diag.Diagnostics) *ProviderData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *provider.ProviderData, got %T. Please report this issue to the provider developers.", data))
		return nil
	}
	return pd
}

// noNullElements refuses a list or map attribute holding a null element (a variable or an
// expression that is null, such as tables = [var.extra_table]), naming the element and, in
// what, the value it should hold; unknown elements pass. Without it the value reached the
// provider's code, which failed with "Value Conversion Error ... always an error in the provider".
type noNullElements struct{ what string }

var (
	_ validator.List = noNullElements{}
	_ validator.Map  = noNullElements{}
)

func (v noNullElements) Description(context.Context) string {
	return "elements must not be null"
}

func (v noNullElements) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v noNullElements) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		if e.IsNull() {
			at := req.Path.AtListIndex(i)
			resp.Diagnostics.AddAttributeError(at, "Null List Element",
				fmt.Sprintf("%s is null (a variable or expression that is null?): remove it from the list, or set it to %s.", at, v.what))
		}
	}
}

func (v noNullElements) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for k, e := range req.ConfigValue.Elements() {
		if e.IsNull() {
			at := req.Path.AtMapKey(k)
			resp.Diagnostics.AddAttributeError(at, "Null Map Value",
				fmt.Sprintf("%s is null (a variable or expression that is null?): remove the key %q, or set it to %s.", at, k, v.what))
		}
	}
}

// characterLength accepts a string of min to max Unicode characters: RDS counts a tag's key and
// value so, where stringvalidator.LengthBetween counts bytes (a 'ü' is two).
// what is "key" (KeysAre) or "value".
type characterLength struct {
	what     string
	min, max int
}

var _ validator.String = characterLength{}

func (v characterLength) Description(context.Context) string {
	return fmt.Sprintf("a tag %s must be %d to %d Unicode characters long", v.what, v.min, v.max)
}

func (v characterLength) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v characterLength) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := utf8.RuneCountInString(req.ConfigValue.ValueString()); n < v.min || n > v.max {
		action := "Shorten it."
		if n < v.min {
			action = "Make it longer."
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Tag Length",
			fmt.Sprintf("The %s of %s has %d Unicode characters; %s (RDS's limit). %s", v.what, req.Path, n, v.Description(ctx), action))
	}
}
