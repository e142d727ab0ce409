package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAccDataSourceIdentifiers: a data source's identifier RDS could never have (surrounding
// spaces, a character RDS does not allow, more than 63 characters) is refused at validation,
// naming the attribute and the fix, where it was looked up and reported "not found"; an ARN is
// still accepted, as RDS accepts it, and reads the database it names.
func TestAccDataSourceIdentifiers(t *testing.T) {
	now := utilizationAccNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	for _, tc := range []struct{ ds, attr, id, want string }{
		{"rightsize_utilization", "db_instance_identifier", " mandible-prod", `db_instance_identifier is " mandible-prod", with surrounding spaces: remove them`},
		{"rightsize_utilization", "db_cluster_identifier", "sso_prod", `db_cluster_identifier is "sso_prod", which is not an RDS DB cluster identifier`},
		{"rightsize_single_node_recommendation", "db_instance_identifier", "mandible-prod\n", `with surrounding spaces`},
		{"rightsize_single_node_recommendation", "db_cluster_identifier", strings.Repeat("s", 64), `db_cluster_identifier is 64 characters long: an RDS DB cluster identifier has 1 to 63`},
		{"rightsize_single_node_recommendation", "db_instance_identifier", "", `db_instance_identifier is 0 characters long`},
		// An ARN of the other kind: RDS took it for a database not found.
		{"rightsize_utilization", "db_instance_identifier", "arn:aws:rds:us-east-1:123456789012:cluster:mandible-prod",
			`the ARN of a DB cluster ("arn:aws:rds:us-east-1:123456789012:cluster:mandible-prod"), not of a DB instance: DB cluster "mandible-prod" goes in db_cluster_identifier`},
		{"rightsize_single_node_recommendation", "db_cluster_identifier", "arn:aws:rds:us-east-1:123456789012:db:mandible-prod",
			`the ARN of a DB instance`},
		{"rightsize_utilization", "db_instance_identifier", "arn:aws:rds:us-east-1:123456789012:snapshot:mandible-prod", `not the ARN of an RDS DB instance`},
	} {
		t.Run(tc.ds+"/"+tc.id, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.SandboxProvider(srv).HCL() + `data "` + tc.ds + `" "x" { ` + tc.attr + ` = "` + strings.ReplaceAll(tc.id, "\n", `\n`) + `" }`,
					ExpectError: regexp.MustCompile(`Invalid RDS Identifier(.|\n)*` + strings.ReplaceAll(regexp.QuoteMeta(tc.want), " ", `\s+`)),
				}},
			})
		})
	}
	if n := len(srv.Calls("DescribeDBInstances")) + len(srv.Calls("DescribeDBClusters")); n != 0 {
		t.Errorf("refused identifiers made %d RDS lookups, want none", n)
	}
	t.Run("arn", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: acctest.SandboxProvider(srv).HCL() + `
data "rightsize_utilization" "x" { db_instance_identifier = "arn:aws:rds:us-east-1:123456789012:db:mandible-prod" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.rightsize_utilization.x", tfjsonpath.New("topology"), knownvalue.StringExact("multi-az")),
				},
			}},
		})
	})
	if len(srv.Calls("DescribeDBInstances")) == 0 {
		t.Error("the ARN was not looked up")
	}
}

// TestRDSIdentifierValidatorARN: with acceptARN an ARN passes whatever its length (an ARN of a
// 63-character identifier is well over 63), and the length limit applies to identifiers only;
// without it (the resource) an ARN is refused with its identifier. An ARN must name what the
// attribute names (a DB cluster's ARN given as db_instance_identifier was looked up as an instance
// and reported not found), with an identifier RDS allows; one of the other kind is named, with the
// attribute its identifier goes in.
func TestRDSIdentifierValidatorARN(t *testing.T) {
	long := "arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster:" + strings.Repeat("a", 63)
	for _, tc := range []struct {
		v       rdsIdentifierValidator
		in      string
		wantErr string
	}{
		{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}, long, ""},
		{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}, strings.Repeat("a", 63), ""},
		{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}, strings.Repeat("a", 64), "64 characters long"},
		{rdsIdentifierValidator{noun: "DB cluster"}, long, "is an ARN"},
		// What the ARN names must be what the attribute names, and its identifier one RDS allows.
		{rdsIdentifierValidator{noun: "DB instance", acceptARN: true}, "arn:aws:rds:eu-west-1:123456789012:db:mandible-prod", ""},
		{rdsIdentifierValidator{noun: "DB instance", acceptARN: true}, "arn:aws:rds:eu-west-1:123456789012:cluster:sso-prod", `the ARN of a DB cluster ("arn:aws:rds:eu-west-1:123456789012:cluster:sso-prod"), not of a DB instance: DB cluster "sso-prod" goes in db_cluster_identifier (imported as cluster:sso-prod)`},
		{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}, "arn:aws:rds:eu-west-1:123456789012:db:mandible-prod", `not of a DB cluster: DB instance "mandible-prod" goes in db_instance_identifier (imported as instance:mandible-prod)`},
		{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}, "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:rs-guard-1", "not the ARN of an RDS DB cluster (arn:<partition>:rds:<region>:<account>:cluster:<identifier>)"},
		{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}, "arn:aws:ec2:eu-west-1:123456789012:cluster:sso-prod", "not the ARN of an RDS DB cluster"},
		// An ARN of more parts, or without its region or account, is no RDS DB instance's.
		{rdsIdentifierValidator{noun: "DB instance", acceptARN: true}, "arn:aws:rds:eu-west-1:123456789012:db:mandible-prod:extra", "not the ARN of an RDS DB instance"},
		{rdsIdentifierValidator{noun: "DB instance", acceptARN: true}, "arn:aws:rds:eu-west-1::db:mandible-prod", "not the ARN of an RDS DB instance"},
		{rdsIdentifierValidator{noun: "DB instance", acceptARN: true}, "arn:aws:rds::123456789012:db:mandible-prod", "not the ARN of an RDS DB instance"},
		{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}, "arn:aws:rds:eu-west-1:123456789012:cluster:sso_prod", `whose identifier "sso_prod" is not an RDS DB cluster identifier`},
		{rdsIdentifierValidator{noun: "DB cluster", acceptARN: true}, long + "a", `whose identifier "` + strings.Repeat("a", 64) + `"`},
		// The resource refuses any ARN, naming where an ARN of the other kind's identifier goes.
		{rdsIdentifierValidator{noun: "DB instance"}, "arn:aws:rds:eu-west-1:123456789012:cluster:sso-prod", `not of a DB instance: DB cluster "sso-prod" goes in db_cluster_identifier`},
		{rdsIdentifierValidator{noun: "DB instance"}, "arn:aws:rds:eu-west-1:123456789012:db:mandible-prod", `give the DB instance identifier, the ARN's last part ("mandible-prod")`},
	} {
		var resp validator.StringResponse
		tc.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("db_cluster_identifier"), ConfigValue: types.StringValue(tc.in)}, &resp)
		got := ""
		for _, d := range resp.Diagnostics.Errors() {
			got += d.Detail()
		}
		if (tc.wantErr == "") != (got == "") || !strings.Contains(got, tc.wantErr) {
			t.Errorf("acceptARN=%v %q: errors %q, want %q", tc.v.acceptARN, tc.in, got, tc.wantErr)
		}
	}
}
