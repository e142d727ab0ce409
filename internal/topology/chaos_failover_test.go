package topology

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Aurora 1 → 2: someone (or Aurora) fails the cluster over to the recreated reader while the
// change settles. The cluster has its two nodes, the old writer now the reader: the change is
// done, not timed out and rolled back.
func TestFailoverToNewReaderDuringSettle(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	res, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	e.onSleep = func() {
		if failed || len(e.srv.Calls("CreateDBInstance")) == 0 {
			return
		}
		in, err := FindDBInstance(context.Background(), e.api, ssoReader)
		if err != nil || aws.ToString(in.DBInstanceStatus) != "available" {
			return
		}
		if _, err := e.api.FailoverDBCluster(context.Background(), &rds.FailoverDBClusterInput{
			DBClusterIdentifier: aws.String("sso-prod"), TargetDBInstanceIdentifier: aws.String(ssoReader)}); err == nil {
			failed = true
		}
	}
	e.setDeadline(e.srv.Now().Add(3 * time.Hour))
	res2, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous})
	if !failed {
		t.Fatal("test setup: no failover happened during the change")
	}
	topo := e.topology(sso)
	if err != nil || res2.Nodes != 2 || topo.Nodes != 2 || topo.Writer() == nil || topo.Writer().Identifier != ssoReader {
		t.Errorf("1 → 2 with a failover to the new reader: %v %+v; cluster %d nodes", err, res2, topo.Nodes)
	}
	e.assertGuarded(sso)
}

// Aurora 2 → 1: a failover while the guard snapshot is taken makes the recorded reader the writer;
// the change is refused, and every later apply would find the same guard again: the refusal says
// to delete it, and after that the next apply removes the current reader.
func TestFailoverDuringGuardWaitSaysWhatToDo(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	failed := false
	e.onSleep = func() {
		if failed || len(e.srv.Calls("CreateDBClusterSnapshot")) == 0 {
			return
		}
		if _, err := e.api.FailoverDBCluster(context.Background(), &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err == nil {
			failed = true
		}
	}
	req := Request{Target: sso, Nodes: 1, Generation: 1}
	if _, err := e.o.Run(context.Background(), req); err == nil || !failed {
		t.Fatalf("run 1 (failover %v): %v, want the change refused", failed, err)
	}
	e.onSleep = nil
	gid := GuardSnapshotID("", sso, 1, 1, 1)
	_, err := e.o.Run(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "delete guard snapshot "+gid) {
		t.Fatalf("run 2: %v, want the refusal to name the guard snapshot to delete", err)
	}
	if _, err := e.api.DeleteDBClusterSnapshot(context.Background(), &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String(gid)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	if res, err := e.o.Run(context.Background(), req); err != nil || res.Nodes != 1 {
		t.Errorf("after deleting the guard as told: %v %+v, want 1 node", err, res)
	}
	e.assertGuarded(sso)
}
