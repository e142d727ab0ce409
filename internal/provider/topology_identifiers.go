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
			// An ARN is longer than 63 characters when the identifier is long: its identifier
			// is judged, and what it names, which must be what the attribute names (RDS takes a
			// DB cluster's ARN given as a DB instance identifier for an instance not found).
			if problem := rdsARNProblem(raw, v.noun); problem != "" {
				resp.Diagnostics.AddAttributeError(req.Path, "Invalid RDS Identifier", fmt.Sprintf("%s is %s.", req.Path, problem))
			}
			return
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
		if kind, id, ok := rdsARN(raw); ok && kind != noun {
			return otherKindARN(raw, kind, id, noun)
		}
		id := raw[strings.LastIndex(raw, ":")+1:]
		return fmt.Sprintf("an ARN (%q): give the %s identifier, the ARN's last part (%q)", raw, noun, id)
	case strings.TrimSpace(raw) != raw:
		return fmt.Sprintf("%q, with surrounding spaces: remove them (%q)", raw, strings.TrimSpace(raw))
	default:
		return fmt.Sprintf("%q, which is not an RDS %s identifier: use letters, digits and hyphens, starting with a letter, "+
			"with no two consecutive hyphens and no trailing hyphen", raw, noun)
	}
}

// rdsARN splits the ARN of an RDS DB instance (arn:<partition>:rds:<region>:<account>:db:<id>)
// or DB cluster (...:cluster:<id>) into what it names ("DB instance", "DB cluster") and its
// identifier; ok is false for any other ARN (another service, a snapshot, a parameter group).
func rdsARN(raw string) (kind, id string, ok bool) {
	parts := strings.Split(raw, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[1] == "" || parts[2] != "rds" || parts[3] == "" || parts[4] == "" {
		return "", "", false
	}
	switch parts[5] {
	case "db":
		kind = "DB instance"
	case "cluster":
		kind = "DB cluster"
	default:
		return "", "", false
	}
	return kind, parts[6], true
}

// rdsNames are the ARN resource type of an RDS noun ("DB instance": db, "DB cluster": cluster),
// the attribute that takes its identifier and the kind an import names it by.
func rdsNames(noun string) (arnType, attr, importKind string) {
	if noun == "DB cluster" {
		return "cluster", "db_cluster_identifier", "cluster"
	}
	return "db", "db_instance_identifier", "instance"
}

// otherKindARN says that raw, given for a noun, is the ARN of kind (the other one), of
// identifier id, and where that goes.
func otherKindARN(raw, kind, id, noun string) string {
	_, attr, importKind := rdsNames(kind)
	return fmt.Sprintf("the ARN of a %s (%q), not of a %s: %s %q goes in %s (imported as %s:%s)", kind, raw, noun, kind, id, attr, importKind, id)
}

// rdsARNProblem says what is wrong with raw, an ARN given for an RDS noun, "" when nothing: it
// must be the ARN of a noun (rdsARN) whose identifier is one RDS allows (rdsIdentifierPattern,
// 1 to 63 characters).
func rdsARNProblem(raw, noun string) string {
	kind, id, ok := rdsARN(raw)
	switch {
	case !ok:
		arnType, _, _ := rdsNames(noun)
		return fmt.Sprintf("%q, which is not the ARN of an RDS %s (arn:<partition>:rds:<region>:<account>:%s:<identifier>): give its identifier or its ARN",
			raw, noun, arnType)
	case kind != noun:
		return otherKindARN(raw, kind, id, noun)
	case len(id) > 63 || !rdsIdentifierPattern.MatchString(id):
		return fmt.Sprintf("an ARN (%q) whose identifier %q is not an RDS %s identifier: 1 to 63 letters, digits and hyphens, starting with a letter, "+
			"with no two consecutive hyphens and no trailing hyphen", raw, id, noun)
	}
	return ""
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
