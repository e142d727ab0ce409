package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// TestAccDBTopology_guardTags: the account's service control policy denies creating a DB snapshot
// or restoring a DB instance without a CostCenter tag (sandbox.RequireRequestTags). Without
// guard.tags the apply fails at the guard snapshot, the database unchanged; with
// guard.tags = {CostCenter = "chat"} the guard snapshot and verify_restore's temporary instance
// carry it and the change is made; other tags later change nothing until the next change.
// Reserved keys and values, and more than 15 tags, are refused at plan.
func TestAccDBTopology_guardTags(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	for _, op := range []string{"CreateDBSnapshot", "RestoreDBInstanceFromDBSnapshot"} {
		srv.RequireRequestTags(op, "CostCenter")
	}
	cfg := func(tags string) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "mandible" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  force                  = true
  guard = {
    verify_restore = true
    %s
  }
}
`, tags))
	}
	many := make([]string, 16)
	for i := range many {
		many[i] = fmt.Sprintf("k%02d = \"v\"", i)
	}
	multiAZ := func() bool {
		out, err := api.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")})
		return err == nil && aws.ToBool(out.DBInstances[0].MultiAZ)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(`tags = { "aws:team" = "chat" }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Reserved\s+Tag\s+Key.*"aws:team"\s+starts\s+with\s+"aws:"`)},
			{Config: cfg(`tags = { "RightSize:run" = "x" }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Reserved\s+Tag\s+Key.*starts\s+with\s+"RightSize:",\s+which\s+this\s+provider`)},
			{Config: cfg(`tags = { team = "rds:chat" }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Reserved\s+Tag\s+Value.*tag\s+"team"\s+starts\s+with\s+"rds:"`)},
			{Config: cfg(`tags = { "RDS:team" = "chat" }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Reserved\s+Tag\s+Key.*"RDS:team"\s+starts\s+with\s+"RDS:",\s+which\s+AWS`)},
			{Config: cfg(`tags = { team = "AWS:chat" }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Reserved\s+Tag\s+Value.*tag\s+"team"\s+starts\s+with\s+"AWS:"`)},
			{Config: cfg(`tags = { "team#1" = "chat" }`), PlanOnly: true, ExpectError: regexp.MustCompile(`must\s+contain\s+only\s+Unicode\s+letters,\s+digits,\s+white\s+space`)},
			{Config: cfg("tags = {\n" + strings.Join(many, "\n") + "\n}"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)guard.tags.*at\s+most\s+15\s+elements`)},
			{
				Config:      cfg(""),
				ExpectError: regexp.MustCompile(`(?s)explicit\s+deny\s+in\s+a\s+service\s+control\s+policy.*CostCenter`),
			},
			{
				PreConfig: func() {
					if !multiAZ() {
						t.Fatal("the refused apply changed mandible-prod")
					}
				},
				Config: cfg(`tags = { CostCenter = "chat", "Owner team" = "dba@example.com" }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGuardedLog(srv, "mandible-prod", 1),
					func(*terraform.State) error {
						if multiAZ() {
							return fmt.Errorf("mandible-prod still Multi-AZ")
						}
						snaps, err := api.DescribeDBSnapshots(context.Background(), &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod"), SnapshotType: aws.String("manual")})
						if err != nil {
							return err
						}
						var tagged int
						for _, s := range snaps.DBSnapshots {
							tags := map[string]string{}
							for _, tg := range s.TagList {
								tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
							}
							if tags["CostCenter"] == "chat" && tags["Owner team"] == "dba@example.com" && tags["rightsize:managed-by"] != "" {
								tagged++
							}
						}
						if tagged != 1 {
							return fmt.Errorf("%d guard snapshot(s) with the tags, want 1 of %d", tagged, len(snaps.DBSnapshots))
						}
						calls := srv.Calls("RestoreDBInstanceFromDBSnapshot")
						if len(calls) != 1 {
							return fmt.Errorf("%d RestoreDBInstanceFromDBSnapshot calls", len(calls))
						}
						var restoreTags []string
						for k, v := range calls[0].Params {
							if strings.HasPrefix(k, "Tags.Tag.") && strings.HasSuffix(k, ".Key") {
								restoreTags = append(restoreTags, v)
							}
						}
						if !slices.Contains(restoreTags, "CostCenter") || !slices.Contains(restoreTags, "Owner team") {
							return fmt.Errorf("temporary instance tagged %q", restoreTags)
						}
						return nil
					},
				),
			},
			{
				// Other tags later: for the guard snapshots of later changes; nothing is changed now.
				Config: cfg(`tags = { CostCenter = "chat-2" }`),
				Check:  checkGuardedLog(srv, "mandible-prod", 1),
			},
		},
	})
}

// TestAccDBTopology_guardTagsRoom: the guard snapshot of an Aurora cluster validated with the
// most tables and their index definitions has room for 5 guard.tags beside the reader's settings
// and the baseline, within RDS's 50: more are refused at plan, on guard.tags, where the apply
// failed at the guard snapshot ("55 tags ... exceed the RDS limit of 50").
func TestAccDBTopology_guardTagsRoom(t *testing.T) {
	srv, _ := topologySandbox(t, sandbox.Demo(), nil)
	tables := make([]string, topology.MaxValidationTables)
	for i := range tables {
		tables[i] = fmt.Sprintf("%q", fmt.Sprintf("t%02d", i))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "sso" {
  db_cluster_identifier = "sso-prod"
  nodes                 = 1
  force                 = true
  guard = {
    tags = { a = "1", b = "2", c = "3", d = "4", e = "5", f = "6" }
  }
  validation = {
    tables        = [%s]
    check_indexes = true
  }
}
`, strings.Join(tables, ", "))),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Too\s+Many\s+Guard\s+Tags.*guard.tags\s+sets\s+6\s+tags.*Aurora\s+cluster.*room\s+for\s+5.*20\s+of\s+the\s+validation\s+baseline`),
		}},
	})
}

// validateGuardTagRoom: the room beside 10 validation tables is 5 tags for an Aurora cluster with
// check_indexes (its reader's settings), 15 without, and at least guard.tags' 15 for a DB
// instance: only more than that is refused; unknown tables or tags are not judged.
func TestValidateGuardTagRoom(t *testing.T) {
	tagsOf := func(n int) types.Map {
		m := map[string]attr.Value{}
		for i := range n {
			m[fmt.Sprintf("k%02d", i)] = types.StringValue("v")
		}
		return types.MapValueMust(types.StringType, m)
	}
	tablesOf := func(n int) types.List {
		l := make([]attr.Value, n)
		for i := range l {
			l[i] = types.StringValue(fmt.Sprintf("t%02d", i))
		}
		return types.ListValueMust(types.StringType, l)
	}
	model := func(cluster bool, tags types.Map, tables types.List, checkIndexes bool) *dbTopologyModel {
		m := &dbTopologyModel{DBClusterIdentifier: types.StringNull(), DBInstanceIdentifier: types.StringValue("mandible-prod")}
		if cluster {
			m.DBClusterIdentifier, m.DBInstanceIdentifier = types.StringValue("sso-prod"), types.StringNull()
		}
		m.Guard = types.ObjectValueMust(guardAttrTypes, map[string]attr.Value{
			"snapshot_identifier_prefix": types.StringNull(), "retain": types.BoolNull(), "verify_restore": types.BoolNull(), "tags": tags,
		})
		m.Validation = types.ObjectValueMust(validationAttrTypes, map[string]attr.Value{"tables": tables, "check_indexes": types.BoolValue(checkIndexes)})
		return m
	}
	for _, tc := range []struct {
		name        string
		m           *dbTopologyModel
		wantRefused bool
	}{
		{"cluster, 10 tables and indexes, 5 tags", model(true, tagsOf(5), tablesOf(10), true), false},
		{"cluster, 10 tables and indexes, 6 tags", model(true, tagsOf(6), tablesOf(10), true), true},
		{"cluster, 10 tables, 15 tags", model(true, tagsOf(15), tablesOf(10), false), false},
		{"cluster, 8 tables and indexes, 9 tags", model(true, tagsOf(9), tablesOf(8), true), false},
		{"cluster, 8 tables and indexes, 10 tags", model(true, tagsOf(10), tablesOf(8), true), true},
		{"instance, 10 tables and indexes, 15 tags", model(false, tagsOf(maxGuardTags), tablesOf(10), true), false},
		{"cluster, unknown tables", model(true, tagsOf(15), types.ListUnknown(types.StringType), true), false},
		{"cluster, unknown tags", model(true, types.MapUnknown(types.StringType), tablesOf(10), true), false},
	} {
		var diags diag.Diagnostics
		tc.m.validateGuardTagRoom(context.Background(), &diags)
		if refused := diags.HasError(); refused != tc.wantRefused {
			t.Errorf("%s: refused %t, want %t: %v", tc.name, refused, tc.wantRefused, diags)
		}
	}
}

// TestAccDBTopology_guardTagsCharacters: RDS counts a tag's key (1 to 128) and value (up to 256)
// in Unicode characters, as the sandbox does: a value of 256 'ü' (512 bytes) and a key of 128 'é'
// are taken at plan and carried by the guard snapshot, where the plan refused them as longer
// than 256 and 128 ("string length must be at most", counted in bytes); 257 and 129 characters,
// and an empty key, are refused on the attribute. A null value is refused at plan, naming the tag. 15 tags, with
// every character RDS allows, are taken.
func TestAccDBTopology_guardTagsCharacters(t *testing.T) {
	srv, api := topologySandbox(t, sandbox.Demo(), nil)
	cfg := func(tags string) string {
		return topologyConfig(srv, nil, fmt.Sprintf(`
resource "rightsize_db_topology" "mandible" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  force                  = true
  guard = {
    tags = { %s }
  }
}
`, tags))
	}
	longKey, longValue := strings.Repeat("é", 128), strings.Repeat("ü", 256)
	twelve := make([]string, 12)
	for i := range twelve {
		twelve[i] = fmt.Sprintf("k%02d = \"v\"", i)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(`Kostenstelle = "` + longValue + `ü"`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid\s+Tag\s+Length.*value\s+of\s+guard.tags\["Kostenstelle"\]\s+has\s+257\s+Unicode\s+characters`)},
			{Config: cfg(`"` + longKey + `é" = "x"`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid\s+Tag\s+Length.*has\s+129\s+Unicode\s+characters;\s+a\s+tag\s+key\s+must\s+be\s+1\s+to\s+128`)},
			{Config: cfg(`"" = "x"`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid\s+Tag\s+Length.*key\s+of\s+guard.tags\[""\]\s+has\s+0\s+Unicode\s+characters.*Make\s+it\s+longer`)},
			{Config: cfg(`CostCenter = null`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)guard.tags\["CostCenter"\].*null`)},
			{
				// 15 tags, guard.tags' most, with every character RDS allows.
				Config: cfg(`Kostenstelle = "` + longValue + `", "` + longKey + `" = "Zürich", "a_b.c:d/e=f+g-h@i j" = "a_b.c:d/e=f+g-h@i j 1", ` + strings.Join(twelve, ", ")),
				Check: func(*terraform.State) error {
					snaps, err := api.DescribeDBSnapshots(context.Background(), &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("mandible-prod"), SnapshotType: aws.String("manual")})
					if err != nil {
						return err
					}
					if len(snaps.DBSnapshots) != 1 {
						return fmt.Errorf("%d guard snapshots, want 1", len(snaps.DBSnapshots))
					}
					tags := map[string]string{}
					for _, tg := range snaps.DBSnapshots[0].TagList {
						tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
					}
					if tags["Kostenstelle"] != longValue || tags[longKey] != "Zürich" || tags["a_b.c:d/e=f+g-h@i j"] != "a_b.c:d/e=f+g-h@i j 1" || tags["k11"] != "v" {
						return fmt.Errorf("guard snapshot's tags %v", tags)
					}
					return nil
				},
			},
		},
	})
}
