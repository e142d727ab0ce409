package topology

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// After a storage change (storage autoscaling included) RDS shows "storage-optimization" for
// hours, sometimes over a day, while the instance is usable and takes any modification but a
// storage one: a change must neither be refused, nor wait for "available", nor roll back.

// checkNoRollback fails when the run asked RDS to turn Multi-AZ back on.
func (e *env) checkNoRollback() {
	e.t.Helper()
	for _, en := range e.srv.Calls("ModifyDBInstance") {
		if en.Params["MultiAZ"] == "true" {
			e.t.Fatalf("rolled back: %+v", en.Params)
		}
	}
}

func TestMultiAZChangeDuringStorageOptimization(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	// A storage change made outside this resource; its optimization outlasts the apply's timeout.
	alloc := aws.ToInt32(e.instance("mandible-prod").AllocatedStorage)
	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		AllocatedStorage: aws.Int32(alloc + 100), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(sandbox.DefaultDurations.ModifyOther)
	e.srv.StorageOptimization("mandible-prod", 30*time.Hour)
	if s := aws.ToString(e.instance("mandible-prod").DBInstanceStatus); s != "storage-optimization" {
		t.Fatalf("status %s before the change", s)
	}
	e.srv.ResetLog() // the storage change above is not this resource's
	e.setDeadline(e.srv.Now().Add(2 * time.Hour))

	res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatalf("2 → 1 during storage-optimization: %v", err)
	}
	if res.FromNodes != 2 || res.Nodes != 1 || res.MultiAZ || res.Pending {
		t.Fatalf("result %+v", res)
	}
	in := e.instance("mandible-prod")
	if aws.ToBool(in.MultiAZ) || aws.ToString(in.DBInstanceStatus) != "storage-optimization" || aws.ToInt32(in.AllocatedStorage) != alloc+100 {
		t.Fatalf("after: MultiAZ=%t %s %d GiB", aws.ToBool(in.MultiAZ), aws.ToString(in.DBInstanceStatus), aws.ToInt32(in.AllocatedStorage))
	}
	e.checkNoRollback()
	if n := e.assertGuarded(mandible); n != 1 {
		t.Fatalf("%d guarded calls, want 1", n)
	}
	if tags := e.snapshotTags(KindInstance, res.GuardSnapshotID); tags[TagOutcome] != OutcomeCompleted {
		t.Fatalf("guard outcome %q", tags[TagOutcome])
	}
}

func TestSettleMeetsStorageOptimization(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	// Storage optimization begins while the Multi-AZ change is applied (a storage change, e.g.
	// by storage autoscaling, in the same window): the change ends in "storage-optimization".
	e.setDeadline(e.srv.Now().Add(2 * time.Hour))
	hooked := false
	e.onSleep = func() {
		if hooked {
			return
		}
		for _, en := range e.srv.Calls("ModifyDBInstance") {
			if en.Params["MultiAZ"] == "false" {
				hooked = true
				e.srv.StorageOptimization("mandible-prod", 30*time.Hour)
			}
		}
	}
	res, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatalf("2 → 1: %v", err)
	}
	if !hooked || res.Nodes != 1 || res.MultiAZ {
		t.Fatalf("hooked=%t result %+v", hooked, res)
	}
	if in := e.instance("mandible-prod"); aws.ToBool(in.MultiAZ) || aws.ToString(in.DBInstanceStatus) != "storage-optimization" {
		t.Fatalf("after: MultiAZ=%t %s", aws.ToBool(in.MultiAZ), aws.ToString(in.DBInstanceStatus))
	}
	e.checkNoRollback()
	if n := e.assertGuarded(mandible); n != 1 {
		t.Fatalf("%d guarded calls, want 1", n)
	}

	// The way back, still in storage-optimization, completes as well.
	e.setDeadline(e.srv.Now().Add(2 * time.Hour))
	res2, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 2, Generation: 2, Previous: &res.Previous})
	if err != nil {
		t.Fatalf("1 → 2 during storage-optimization: %v", err)
	}
	if !res2.MultiAZ || aws.ToString(e.instance("mandible-prod").DBInstanceStatus) != "storage-optimization" {
		t.Fatalf("result %+v", res2)
	}
	if n := e.assertGuarded(mandible); n != 2 {
		t.Fatalf("%d guarded calls, want 2", n)
	}
}
