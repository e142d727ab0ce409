package inventory

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestDiscover_pendingModifications: class and storage changes requested without ApplyImmediately
// wait in PendingModifiedValues for the maintenance window; Discover records them (the standby
// follows its primary's class) instead of dropping them.
func TestDiscover_pendingModifications(t *testing.T) {
	ctx := context.Background()
	api := rdsClient(t, sandbox.Demo())
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		DBInstanceClass: aws.String("db.t4g.xlarge"), AllocatedStorage: aws.Int32(200), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2"),
		DBInstanceClass: aws.String("db.t4g.large"), ApplyImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	m, err := Discover(ctx, api, "mandible-prod", "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Nodes[0].Class != "db.t4g.large" || m.Nodes[0].PendingClass != "db.t4g.xlarge" || m.Nodes[1].PendingClass != "db.t4g.xlarge" {
		t.Errorf("mandible-prod nodes %+v", m.Nodes)
	}
	if got := m.PendingClasses(); len(got) != 1 || got[0].ID != "mandible-prod" {
		t.Errorf("PendingClasses = %+v, want the instance once (not its standby)", got)
	}
	if m.PendingStorage != (PendingStorage{AllocatedGiB: 200}) || !m.PendingStorage.Any() {
		t.Errorf("mandible-prod pending storage %+v", m.PendingStorage)
	}
	s, err := Discover(ctx, api, "", "sso-prod")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.PendingClasses(); len(got) != 1 || got[0].ID != "sso-prod-instance-2" || got[0].PendingClass != "db.t4g.large" || got[0].Class != "db.t4g.medium" {
		t.Errorf("sso-prod PendingClasses = %+v", got)
	}
	if s.PendingStorage.Any() {
		t.Errorf("sso-prod pending storage %+v", s.PendingStorage)
	}
}

// TestDiscover_lifecycleAndStopped: Discover records the engine lifecycle support (the instance's,
// or the Aurora cluster's) and Stopped reports a stopped instance or cluster.
func TestDiscover_lifecycleAndStopped(t *testing.T) {
	ctx := context.Background()
	sc := sandbox.Demo()
	sc.Clusters[0].EngineLifecycleSupport = "open-source-rds-extended-support-disabled"
	srv, err := sandbox.Start(sandbox.Options{Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	api := rds.NewFromConfig(srv.AWSConfig())
	m, err := Discover(ctx, api, "mandible-prod", "")
	if err != nil {
		t.Fatal(err)
	}
	if m.EngineLifecycleSupport != "open-source-rds-extended-support" {
		t.Errorf("mandible-prod lifecycle %q, want RDS's default", m.EngineLifecycleSupport)
	}
	if st, ok := m.Stopped(); ok {
		t.Errorf("a running instance is %q", st)
	}
	if _, err := api.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(10 * time.Minute)
	m, err = Discover(ctx, api, "mandible-prod", "")
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := m.Stopped(); !ok || st != "stopped" {
		t.Errorf("mandible-prod Stopped() = %q, %v", st, ok)
	}
	s, err := Discover(ctx, api, "", "sso-prod")
	if err != nil {
		t.Fatal(err)
	}
	if s.EngineLifecycleSupport != "open-source-rds-extended-support-disabled" {
		t.Errorf("sso-prod lifecycle %q", s.EngineLifecycleSupport)
	}
	if st, ok := s.Stopped(); !ok || st != "stopped" {
		t.Errorf("sso-prod Stopped() = %q, %v", st, ok)
	}
}
