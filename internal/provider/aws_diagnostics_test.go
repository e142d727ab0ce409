package provider

import (
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// An AWS call that fails for a reason the user fixes in the provider's configuration or IAM gets
// a diagnostic that says which: an endpoint nothing listens on names endpoints.rds, an action the
// credentials may not call names its IAM action (RDS and CloudWatch alike), rather than the SDK's
// text alone.
func TestAccAWSDiagnostics(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	_ = ln.Close()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo"})
	data := `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 1
}
`
	want := func(s string) *regexp.Regexp { return regexp.MustCompile(strings.ReplaceAll(s, " ", `\s+`)) } // terraform wraps lines
	deny := func(op string) func() {
		return func() {
			srv.ClearFaults()
			srv.InjectFaults(sandbox.FaultRule{Operation: op, Rate: 1,
				RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized for the test"}})
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderConfig{Endpoint: closed, Extra: map[string]string{"max_retries": "1"}}.HCL() + data,
				ExpectError: want(`(?s)AWS Endpoint Unreachable.*RDS DescribeDBInstances.*endpoints.rds.*connection refused`),
			},
			{
				PreConfig:   deny("DescribeDBInstances"),
				Config:      acctest.SandboxProvider(srv).HCL() + data,
				ExpectError: want(`(?s)AWS Permission Denied.*may not call rds:DescribeDBInstances.*not authorized for the test`),
			},
			{
				PreConfig:   deny("cloudwatch:GetMetricData"),
				Config:      acctest.SandboxProvider(srv).HCL() + data,
				ExpectError: want(`(?s)AWS Permission Denied.*may not call cloudwatch:GetMetricData.*Reading \d+ metrics of mandible-prod`),
			},
		},
	})
}

// The recommendation and the fleet say the same of an action the credentials may not call.
func TestAccAWSDiagnostics_recommendationAndFleet(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo"})
	want := func(s string) *regexp.Regexp { return regexp.MustCompile(strings.ReplaceAll(s, " ", `\s+`)) }
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBInstances", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized for the test"}})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.SandboxProvider(srv).HCL() + `data "rightsize_single_node_recommendation" "x" { db_instance_identifier = "mandible-prod" }`,
				ExpectError: want(`(?s)AWS Permission Denied.*may not call rds:DescribeDBInstances`),
			},
			{
				Config:      acctest.SandboxProvider(srv).HCL() + `data "rightsize_fleet" "x" {}`,
				ExpectError: want(`(?s)AWS Permission Denied.*may not call rds:DescribeDBInstances`),
			},
		},
	})
}
