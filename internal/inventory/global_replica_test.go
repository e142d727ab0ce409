package inventory

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestReplicaSource: an instance that is a read replica names its source, a DB instance's
// (ReadReplicaSourceDBInstanceIdentifier) or, for a DB instance read replica of a Multi-AZ DB
// cluster, the cluster's (ReadReplicaSourceDBClusterIdentifier), which no test read: with the
// latter dropped every test passed, the replica of a cluster then judged as a primary (its
// redundancy risk a restore losing up to 5 minutes of data).
func TestReplicaSource(t *testing.T) {
	sc := sandbox.Demo()
	replica := sandbox.MultiAZInstance("mandible-replica", "db.t4g.large", sandbox.DemoMandibleWorkload)
	replica.ReadReplicaOf = "mandible-prod"
	ordersReplica := sandbox.MultiAZInstance("orders-replica", "db.t4g.large", sandbox.DemoMandibleWorkload)
	ordersReplica.ReadReplicaOfCluster = "orders-prod"
	sc.Instances = append(sc.Instances, replica, ordersReplica)
	sc.Clusters = append(sc.Clusters, sandbox.MultiAZDBCluster().Clusters...)
	api := rdsClient(t, sc)
	for id, want := range map[string]string{"mandible-replica": "mandible-prod", "orders-replica": "orders-prod", "mandible-prod": ""} {
		c, err := Discover(context.Background(), api, id, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.ReplicaSource != want {
			t.Errorf("%s: ReplicaSource %q, want %q", id, c.ReplicaSource, want)
		}
	}
}

// TestWriterlessClusterNotGlobalSecondary: only a member of a global database without a writer is
// its secondary cluster (GlobalSecondary); an Aurora cluster of no global database without a
// writer (its writer failing over, or deleted) is not, and CheckTwoNode refuses it as writerless,
// not as a secondary of a global database named "". With the membership condition dropped, every
// test passed.
func TestWriterlessClusterNotGlobalSecondary(t *testing.T) {
	member := func(id string) (types.DBClusterMember, types.DBInstance) {
		return types.DBClusterMember{DBInstanceIdentifier: aws.String(id), IsClusterWriter: aws.Bool(false)},
			types.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql"),
				DBInstanceStatus: aws.String("available"), DBClusterIdentifier: aws.String("sso-prod")}
	}
	m1, i1 := member("sso-prod-instance-1")
	m2, i2 := member("sso-prod-instance-2")
	for _, global := range []string{"", "sso-global"} {
		dc := types.DBCluster{DBClusterIdentifier: aws.String("sso-prod"), Engine: aws.String("aurora-postgresql"), EngineMode: aws.String("provisioned"),
			DBClusterArn: aws.String("arn:aws:rds:us-east-1:123456789012:cluster:sso-prod"), Status: aws.String("available"),
			DBClusterMembers: []types.DBClusterMember{m1, m2}}
		if global != "" {
			dc.GlobalClusterIdentifier = aws.String(global)
		}
		c, err := clusterFrom(dc, []types.DBInstance{i1, i2})
		if err != nil {
			t.Fatal(err)
		}
		if c.GlobalSecondary != (global != "") || c.GlobalCluster != global {
			t.Errorf("global %q: GlobalSecondary %v, GlobalCluster %q", global, c.GlobalSecondary, c.GlobalCluster)
		}
		err = c.CheckTwoNode()
		if err == nil || strings.Contains(err.Error(), "secondary cluster") != (global != "") {
			t.Errorf("global %q: CheckTwoNode: %v", global, err)
		}
	}
}
