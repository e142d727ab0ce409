package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
)

// A data source's postgres attribute that gives a password (another database, reached with a
// password) under a provider whose postgres block sets iam_auth = true: the password is not
// silently replaced by an RDS IAM token, which the server would refuse as a wrong password for a
// password that is right. The read is refused, naming both attributes and the fix (iam_auth =
// false in the data source's postgres attribute), which then connects with the password.
func TestMergePostgres_overridePasswordUnderProviderIAMAuth(t *testing.T) {
	ctx := context.Background()
	pd := &ProviderData{Region: "us-east-1", AWSConfig: aws.Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}}
	base := PostgresSettings{Host: "writer.abc123xyz.us-east-1.rds.amazonaws.com", Port: 5432, Database: "postgres",
		Username: "rightsize", IAMAuth: true}
	override := postgresOverride

	s, err := mergePostgres(ctx, base, override(map[string]attr.Value{
		"host": types.StringValue("reporting.internal"), "password": types.StringValue("pw")}))
	if err == nil {
		cc, err := pgConnConfig(ctx, pd, s)
		if err != nil {
			t.Fatalf("pgConnConfig: %v", err)
		}
		if cc.Password != "pw" {
			t.Fatalf("the data source's postgres.password was replaced by an RDS IAM token (%.40q...) because the provider's "+
				"postgres.iam_auth is true: the server is sent a token, not the password given", cc.Password)
		}
	} else {
		for _, want := range []string{"postgres.password", "iam_auth", "iam_auth = false"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %q", err, want)
			}
		}
	}

	// As the error says: iam_auth = false beside the password connects with the password.
	s, err = mergePostgres(ctx, base, override(map[string]attr.Value{
		"host": types.StringValue("reporting.internal"), "password": types.StringValue("pw"), "iam_auth": types.BoolValue(false)}))
	if err != nil {
		t.Fatalf("mergePostgres with iam_auth = false: %v", err)
	}
	if cc, err := pgConnConfig(ctx, pd, s); err != nil || cc.Password != "pw" {
		t.Fatalf("pgConnConfig with iam_auth = false = %v, %v: want the password", cc.Password != "", err)
	}

	// Without a password of its own the data source keeps the provider's IAM authentication.
	s, err = mergePostgres(ctx, base, override(map[string]attr.Value{"database": types.StringValue("chat")}))
	if err != nil {
		t.Fatalf("mergePostgres: %v", err)
	}
	if cc, err := pgConnConfig(ctx, pd, s); err != nil || !strings.Contains(cc.Password, "X-Amz-Signature") {
		t.Fatalf("pgConnConfig without an override password: err %v, token built: %v", err, strings.Contains(cc.Password, "X-Amz-Signature"))
	}
}

// TestAccPostgresStatsDataSource_overridePasswordUnderIAMAuth: the same through Terraform, before
// anything is dialled (the provider's host is never reachable).
func TestAccPostgresStatsDataSource_overridePasswordUnderIAMAuth(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "rightsize" {
  region     = "us-east-1"
  access_key = "AKIDEXAMPLE"
  secret_key = "secret"
  postgres {
    host     = "192.0.2.1" # TEST-NET-1: never reachable
    username = "rightsize"
    sslmode  = "verify-full"
    iam_auth = true
  }
}
data "rightsize_postgres_stats" "other" {
  postgres = {
    host     = "127.0.0.1"
    password = "pw"
  }
}
`,
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)Invalid PostgreSQL Connection.*postgres\.password\s+is\s+set,\s+but\s+the\s+provider's\s+postgres\.iam_auth\s+is\s+true` +
				`.*set\s+iam_auth\s+=\s+false`),
		}},
	})
}

// postgresOverride is a data source's postgres attribute setting vals, the rest null.
func postgresOverride(vals map[string]attr.Value) types.Object {
	all := map[string]attr.Value{
		"host": types.StringNull(), "port": types.Int64Null(), "database": types.StringNull(), "username": types.StringNull(),
		"password": types.StringNull(), "sslmode": types.StringNull(), "sslrootcert": types.StringNull(), "iam_auth": types.BoolNull(),
	}
	for k, v := range vals {
		all[k] = v
	}
	return types.ObjectValueMust(recPostgresAttrTypes(), all)
}
