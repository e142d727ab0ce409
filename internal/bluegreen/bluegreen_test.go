package bluegreen

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// arnOf returns the ARN of the demo scenario's DB instance or Aurora cluster.
func arnOf(t *testing.T, api *rds.Client, instance, cluster string) string {
	t.Helper()
	ctx := context.Background()
	if instance != "" {
		out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(instance)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.DBInstances[0].DBInstanceArn)
	}
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(cluster)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.DBClusters[0].DBClusterArn)
}

// Pending finds, over the real SDK, the deployments of each source database that can still
// switch over, matched by ARN whatever its case; a deployment being deleted is left out, and a
// denied listing is an error that names the permission.
func TestPending(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.Demo()})
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	chatARN, ssoARN := arnOf(t, api, "mandible-prod", ""), arnOf(t, api, "", "sso-prod")

	pending, err := Pending(ctx, api)
	if err != nil || len(pending) != 0 {
		t.Fatalf("no deployments: %v %v", err, pending)
	}
	chat := acctest.AddBlueGreen(t, srv, "chat-upgrade", "", "mandible-prod")
	sso := acctest.AddBlueGreen(t, srv, "sso-upgrade", "sso-prod", "")
	if pending, err = Pending(ctx, api); err != nil || len(pending) != 2 {
		t.Fatalf("two deployments: %v %v", err, pending)
	}
	for _, c := range []struct{ arn, id, name, green string }{
		{chatARN, chat, "chat-upgrade", ":db:mandible-prod-green-"},
		{strings.ToUpper(ssoARN), sso, "sso-upgrade", ":cluster:sso-prod-green-"},
	} {
		ds := Of(pending, c.arn)
		if len(ds) != 1 || ds[0].ID != c.id || ds[0].Name != c.name || ds[0].Status == "" || !strings.EqualFold(ds[0].Source, c.arn) ||
			!strings.Contains(ds[0].Target, c.green) {
			t.Fatalf("%s: %+v", c.arn, ds)
		}
		if gs := GreenOf(pending, strings.ToUpper(ds[0].Target)); len(gs) != 1 || gs[0] != ds[0] {
			t.Errorf("green database of %s: %+v", c.id, gs)
		}
		if gs := GreenOf(pending, c.arn); gs != nil {
			t.Errorf("%s is no green database: %+v", c.arn, gs)
		}
	}
	if ds := Of(pending, strings.Replace(chatARN, "mandible-prod", "other-db", 1)); ds != nil {
		t.Errorf("another database: %+v", ds)
	}

	if _, err := api.DeleteBlueGreenDeployment(ctx, &rds.DeleteBlueGreenDeploymentInput{BlueGreenDeploymentIdentifier: aws.String(chat)}); err != nil {
		t.Fatal(err)
	}
	if pending, err = Pending(ctx, api); err != nil || len(pending) != 1 || Of(pending, chatARN) != nil || len(Of(pending, ssoARN)) != 1 {
		t.Fatalf("after deleting %s: %v %v", chat, err, pending)
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeBlueGreenDeployments", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	if _, err := Pending(ctx, api); err == nil || !strings.HasPrefix(err.Error(), "listing blue/green deployments (rds:DescribeBlueGreenDeployments): ") {
		t.Fatalf("denied: %v", err)
	}
}
