package provider

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/replicascaling"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// awsOperations are the AWS operations the provider can call, as IAM actions: the methods of the
// interfaces through which its packages reach the SDK clients (each lists exactly the calls its
// package makes), by service prefix.
func awsOperations() map[string]bool {
	out := map[string]bool{}
	for prefix, ifaces := range map[string][]reflect.Type{
		"rds":                     {reflect.TypeFor[inventory.RDSAPI](), reflect.TypeFor[topology.RDSAPI]()},
		"cloudwatch":              {reflect.TypeFor[cw.API](), reflect.TypeFor[cw.AlarmsAPI]()},
		"application-autoscaling": {reflect.TypeFor[replicascaling.API]()},
		"pricing":                 {reflect.TypeFor[pricing.PriceListAPI]()},
	} {
		for _, it := range ifaces {
			for i := range it.NumMethod() {
				out[prefix+":"+it.Method(i).Name] = true
			}
		}
	}
	return out
}

// readmeIAMSection is the README's IAM section ("* **IAM**" up to the next item): the policy and
// the optional actions after it.
func readmeIAMSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	from := strings.Index(readme, "* **IAM**")
	if from < 0 {
		t.Fatal("README has no IAM section (\"* **IAM**\")")
	}
	section := readme[from:]
	if end := strings.Index(section[1:], "\n* **"); end >= 0 {
		section = section[:end+1]
	}
	return section
}

// TestREADMEIAMListsEveryOperation: the README's IAM section (the policy and the optional actions
// after it) names every AWS operation the provider can call, so a least-privilege role built from
// it is not refused one (with a warning, or a failed apply) by a call added later.
func TestREADMEIAMListsEveryOperation(t *testing.T) {
	section := readmeIAMSection(t)
	ops := awsOperations()
	if len(ops) < 20 || !ops["rds:ModifyDBInstance"] || !ops["cloudwatch:GetMetricData"] {
		t.Fatalf("the interfaces list only %d operations: %v", len(ops), ops)
	}
	for op := range ops {
		if !regexp.MustCompile(regexp.QuoteMeta(op) + `\b`).MatchString(section) {
			t.Errorf("README's IAM section does not name %s, which the provider calls", op)
		}
	}
}
