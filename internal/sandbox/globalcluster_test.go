package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// globalScenario has the primary cluster "gdb-east" of Aurora global database "gdb" (a writer and a
// reader) and the secondary cluster "gdb-west" of another global database "gdb2" (two readers).
func globalScenario() *Scenario {
	primary := AuroraPair("gdb-east", "db.r6g.large", DemoSSOWriterWorkload, DemoSSOReaderWorkload)
	primary.GlobalCluster = "gdb"
	secondary := AuroraPair("gdb-west", "db.r6g.large", DemoSSOReaderWorkload, DemoSSOReaderWorkload)
	secondary.GlobalCluster, secondary.GlobalSecondary = "gdb2", true
	return &Scenario{Name: "global", Seed: 9, Clusters: []ClusterSpec{primary, secondary}}
}

// writers lists the members of cluster id that DescribeDBClusters reports as its writer.
func writers(t *testing.T, rc *rds.Client, id string) []string {
	t.Helper()
	var w []string
	for _, m := range describeCluster(t, rc, id).DBClusterMembers {
		if aws.ToBool(m.IsClusterWriter) {
			w = append(w, aws.ToString(m.DBInstanceIdentifier))
		}
	}
	return w
}

// TestGlobalCluster: a member of an Aurora global database reports its GlobalClusterIdentifier; a
// secondary cluster has no writer, an instance created in it is a reader, deleting one of its
// readers promotes none, and FailoverDBCluster refuses it; GlobalSwitchover swaps the roles.
func TestGlobalCluster(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: globalScenario()})
	ctx := context.Background()
	if g := aws.ToString(describeCluster(t, rc, "gdb-east").GlobalClusterIdentifier); g != "gdb" {
		t.Errorf("gdb-east GlobalClusterIdentifier = %q, want gdb", g)
	}
	if g := aws.ToString(describeCluster(t, rc, "gdb-west").GlobalClusterIdentifier); g != "gdb2" {
		t.Errorf("gdb-west GlobalClusterIdentifier = %q, want gdb2", g)
	}
	if w := writers(t, rc, "gdb-east"); len(w) != 1 || w[0] != "gdb-east-instance-1" {
		t.Errorf("gdb-east writers %v, want [gdb-east-instance-1]", w)
	}
	if w := writers(t, rc, "gdb-west"); len(w) != 0 {
		t.Errorf("secondary gdb-west writers %v, want none", w)
	}
	if _, err := rc.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("gdb-west")}); apiCode(err) != "InvalidDBClusterStateFault" {
		t.Errorf("FailoverDBCluster of a secondary cluster: %v, want InvalidDBClusterStateFault", err)
	}
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("gdb-west-instance-2")}); err != nil {
		t.Fatalf("DeleteDBInstance of a secondary's reader: %v", err)
	}
	srv.Advance(DefaultDurations.DeleteInstance + DefaultDurations.DeletePrecheck + time.Minute)
	if ms := describeCluster(t, rc, "gdb-west").DBClusterMembers; len(ms) != 1 || aws.ToBool(ms[0].IsClusterWriter) {
		t.Errorf("secondary after deleting a reader: members %+v, want one reader", ms)
	}
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("gdb-west-instance-3"),
		DBClusterIdentifier: aws.String("gdb-west"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatalf("CreateDBInstance in a secondary cluster: %v", err)
	}
	if w := writers(t, rc, "gdb-west"); len(w) != 0 {
		t.Errorf("secondary after CreateDBInstance: writers %v, want none", w)
	}

	// A switchover demotes the primary: its writer becomes a reader.
	if srv.GlobalSwitchover("gdb-east", true) {
		t.Error("promoting the primary cluster reported a swap")
	}
	if !srv.GlobalSwitchover("gdb-east", false) {
		t.Fatal("demoting gdb-east reported no swap")
	}
	if w := writers(t, rc, "gdb-east"); len(w) != 0 {
		t.Errorf("demoted gdb-east writers %v, want none", w)
	}
	if g := aws.ToString(describeCluster(t, rc, "gdb-east").GlobalClusterIdentifier); g != "gdb" {
		t.Errorf("demoted gdb-east GlobalClusterIdentifier = %q, want gdb", g)
	}
	// And back: the reader with the lowest promotion tier becomes the writer.
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("gdb-east-instance-2"), PromotionTier: aws.Int32(0), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatalf("ModifyDBInstance PromotionTier: %v", err)
	}
	srv.Advance(DefaultDurations.ModifyOther + time.Minute)
	if !srv.GlobalSwitchover("gdb-east", true) {
		t.Fatal("promoting gdb-east reported no swap")
	}
	if w := writers(t, rc, "gdb-east"); len(w) != 1 || w[0] != "gdb-east-instance-2" {
		t.Errorf("promoted gdb-east writers %v, want [gdb-east-instance-2]", w)
	}
	// A cluster of no global database has no role to swap.
	if srv.GlobalSwitchover("nope", false) {
		t.Error("GlobalSwitchover of an unknown cluster reported a swap")
	}
}

// TestGlobalClusterScenarioValidate: GlobalSecondary needs a GlobalCluster.
func TestGlobalClusterScenarioValidate(t *testing.T) {
	sc := globalScenario()
	sc.Clusters[1].GlobalCluster = ""
	if err := sc.Validate(); err == nil {
		t.Error("GlobalSecondary without GlobalCluster: no error")
	}
	sc = globalScenario()
	sc.Clusters[0].GlobalCluster = "bad_id!"
	if err := sc.Validate(); err == nil {
		t.Error("invalid GlobalCluster: no error")
	}
}

// TestGlobalClusterHeadlessSecondary: the first instance created in a secondary cluster with none
// (headless) is a reader too, as every instance of a secondary: with the secondary condition of
// CreateDBInstance dropped (an empty cluster's first instance its writer) every test passed.
func TestGlobalClusterHeadlessSecondary(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: globalScenario()})
	ctx := context.Background()
	for _, m := range describeCluster(t, rc, "gdb-west").DBClusterMembers {
		if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: m.DBInstanceIdentifier}); err != nil {
			t.Fatalf("DeleteDBInstance %s: %v", aws.ToString(m.DBInstanceIdentifier), err)
		}
	}
	srv.Advance(DefaultDurations.DeleteInstance + DefaultDurations.DeletePrecheck + time.Minute)
	if ms := describeCluster(t, rc, "gdb-west").DBClusterMembers; len(ms) != 0 {
		t.Fatalf("secondary after deleting its instances: members %+v, want none", ms)
	}
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("gdb-west-instance-3"),
		DBClusterIdentifier: aws.String("gdb-west"), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatalf("CreateDBInstance in a headless secondary cluster: %v", err)
	}
	if w := writers(t, rc, "gdb-west"); len(w) != 0 {
		t.Errorf("headless secondary after CreateDBInstance: writers %v, want none", w)
	}
}
