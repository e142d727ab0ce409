package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// rdsIdentifierPattern is an RDS DB instance or DB cluster identifier: letters, digits and
// hyphens, starting with a letter, with no two consecutive hyphens and no trailing hyphen (its
// length, 1 to 63, is checked apart). RDS stores identifiers in lower case and matches them
// without regard to case (CreateDBInstance and CreateDBCluster, DBInstanceIdentifier and
// DBClusterIdentifier, in the Amazon RDS API Reference).
var rdsIdentifierPattern = regexp.MustCompile(`^[A-Za-z](-?[A-Za-z0-9])*$`)

// rdsIdentifierValidator accepts an RDS identifier (rdsIdentifierPattern) and names the
// mistake otherwise: an ARN, surrounding spaces, or a character RDS does not allow. With
// acceptARN (the data sources, which pass the value to DescribeDBInstances or
// DescribeDBClusters, as RDS accepts either) an ARN passes as it is.
type rdsIdentifierValidator struct {
	noun      string
	acceptARN bool
}

var _ validator.String = rdsIdentifierValidator{}

func (v rdsIdentifierValidator) Description(context.Context) string {
	d := fmt.Sprintf("value must be the %s identifier: letters, digits and hyphens, starting with a letter, "+
		"with no two consecutive hyphens and no trailing hyphen", v.noun)
	if v.acceptARN {
		d += ", or its ARN"
	}
	return d
}

func (v rdsIdentifierValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v rdsIdentifierValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if v.acceptARN {
		switch {
		case strings.HasPrefix(raw, "arn:"):
			return // an ARN is longer than 63 characters when the identifier is long: RDS judges it
		case len(raw) == 0 || len(raw) > 63:
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid RDS Identifier", fmt.Sprintf(
				"%s is %d characters long: an RDS %s identifier has 1 to 63 (or give its ARN).", req.Path, len(raw), v.noun))
			return
		}
	}
	if problem := rdsIdentifierProblem(raw, v.noun); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid RDS Identifier", fmt.Sprintf("%s is %s.", req.Path, problem))
	}
}

// rdsIdentifierProblem says what is wrong with raw as the identifier of an RDS noun ("DB
// instance", "DB cluster") and what to give instead, "" when nothing (rdsIdentifierPattern; the
// length is checked apart): an ARN, surrounding spaces, or a character RDS does not allow.
func rdsIdentifierProblem(raw, noun string) string {
	switch {
	case rdsIdentifierPattern.MatchString(raw):
		return ""
	case strings.HasPrefix(raw, "arn:"):
		id := raw[strings.LastIndex(raw, ":")+1:]
		return fmt.Sprintf("an ARN (%q): give the %s identifier, the ARN's last part (%q)", raw, noun, id)
	case strings.TrimSpace(raw) != raw:
		return fmt.Sprintf("%q, with surrounding spaces: remove them (%q)", raw, strings.TrimSpace(raw))
	default:
		return fmt.Sprintf("%q, which is not an RDS %s identifier: use letters, digits and hyphens, starting with a letter, "+
			"with no two consecutive hyphens and no trailing hyphen", raw, noun)
	}
}

// replaceUnlessSameIdentifier replaces the resource when its identifier names another database,
// but not for a change of case only: RDS identifiers are not case-sensitive, so "Mandible-Prod"
// and "mandible-prod" are one database, and the change is an in-place update that touches nothing.
func replaceUnlessSameIdentifier() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString()) ||
			req.StateValue.IsNull() != req.PlanValue.IsNull()
	}, "Changing it to another database replaces the resource; a change of case only does not (RDS identifiers are not case-sensitive).",
		"Changing it to another database replaces the resource; a change of case only does not (RDS identifiers are not case-sensitive).")
}
