package topology

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// A Multi-AZ read replica (RDS allows one, and turning its Multi-AZ off) is a server in recovery,
// which validation refuses: with a validation the change is refused at plan and apply, before any
// snapshot; without one it goes ahead.
func TestReadReplicaRefusedWithValidation(t *testing.T) {
	sc := sandbox.Demo()
	replica := sandbox.MultiAZInstance("mandible-replica", "db.t4g.large", sandbox.DemoMandibleWorkload)
	replica.ReadReplicaOf = "mandible-prod"
	sc.Instances = append(sc.Instances, replica)
	e := newEnv(t, sc)
	target := Target{Kind: KindInstance, Identifier: "mandible-replica"}
	v := &PGValidator{Connect: func(context.Context) (*pgx.Conn, error) {
		t.Error("the validation connected to a read replica")
		return nil, errors.New("not to be called")
	}}
	req := Request{Target: target, Nodes: 1, Generation: 1, Validator: v}
	p, err := e.o.Preview(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Refusal, "read replica of mandible-prod") || !strings.Contains(p.Refusal, "remove the validation block") {
		t.Errorf("plan: %+v, want the read replica refused", p)
	}
	e.srv.ResetLog()
	if _, err := e.o.Run(context.Background(), req); err == nil || !strings.Contains(err.Error(), "read replica of mandible-prod") {
		t.Errorf("apply: %v, want the read replica refused", err)
	}
	if n := len(e.srv.Calls("CreateDBSnapshot")) + len(e.srv.Calls("ModifyDBInstance")); n != 0 {
		t.Errorf("%d snapshot or modify calls for a refused change", n)
	}
	req.Validator = nil
	if res, err := e.o.Run(context.Background(), req); err != nil || res.Nodes != 1 {
		t.Errorf("without validation: %v %+v, want the replica at 1 node", err, res)
	}
}

// A Multi-AZ read replica that keeps no automated backups (BackupRetentionPeriod 0, which RDS
// allows on a replica) has its source's data: on one node its recovery is recreating the replica
// from the source, not a manual snapshot's restore. So guard.retain = false deletes its guard
// snapshot as for any instance, and the plan neither keeps it nor asks to turn backups on.
func TestReadReplicaWithoutBackupsGuardDeleted(t *testing.T) {
	sc := sandbox.Demo()
	replica := sandbox.MultiAZInstance("mandible-replica", "db.t4g.large", sandbox.DemoMandibleWorkload)
	replica.ReadReplicaOf = "mandible-prod"
	zero := int32(0)
	replica.BackupRetentionPeriod = &zero
	sc.Instances = append(sc.Instances, replica)
	e := newEnv(t, sc)
	target := Target{Kind: KindInstance, Identifier: "mandible-replica"}
	req := Request{Target: target, Nodes: 1, Generation: 1, DeleteGuardOnSuccess: true}
	p, err := e.o.Preview(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if p.Topology.Instance.BackupRetentionPeriod == nil || *p.Topology.Instance.BackupRetentionPeriod != 0 {
		t.Fatalf("replica's retention %v, want 0", p.Topology.Instance.BackupRetentionPeriod)
	}
	s := PlanSummary(p, req)
	if strings.Contains(s, "Automated backups are off") || strings.Contains(s, "kept although guard.retain = false") ||
		!strings.Contains(s, "The guard snapshot is deleted after a successful, validated change.") ||
		!strings.Contains(s, "recreating the replica from its source mandible-prod") || strings.Contains(s, "point-in-time") {
		t.Errorf("plan of a read replica without automated backups:\n%s", s)
	}
	res, err := e.o.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.GuardKeptNoBackups || res.GuardSnapshotRetained || len(e.guards(target, "rightsize-guard-")) != 0 {
		t.Errorf("kept for no backups %t, retained %t, guards %v: want the replica's guard deleted", res.GuardKeptNoBackups, res.GuardSnapshotRetained, e.guards(target, "rightsize-guard-"))
	}
	e.assertGuarded(target)
}
