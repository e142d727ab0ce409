package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// A pending modification is reverted by modifying the instance back to its current value (the
// RDS User Guide: "modify the DB instance to revert the change", with --apply-immediately, which
// the topology resource's refusal tells the operator to run): the pending value is cancelled,
// not applied, and the other pending values stay.
func TestRevertPendingModification(t *testing.T) {
	for _, imm := range []bool{true, false} {
		srv, rc, _ := start(t, Options{})
		ctx := context.Background()
		if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
			MultiAZ: aws.Bool(false), AllocatedStorage: aws.Int32(aws.ToInt32(describeOne(t, rc, "mandible-prod").AllocatedStorage) + 10),
			ApplyImmediately: aws.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		before := describeOne(t, rc, "mandible-prod")
		if before.PendingModifiedValues.MultiAZ == nil || before.PendingModifiedValues.AllocatedStorage == nil {
			t.Fatalf("pending %+v, want Multi-AZ off and storage pending", before.PendingModifiedValues)
		}
		if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
			MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(imm)}); err != nil {
			t.Fatal(err)
		}
		in := describeOne(t, rc, "mandible-prod")
		if in.PendingModifiedValues.MultiAZ != nil {
			t.Errorf("apply immediately %v: Multi-AZ off still pending after the revert", imm)
		}
		srv.Advance(2 * time.Hour)
		in = describeOne(t, rc, "mandible-prod")
		if !aws.ToBool(in.MultiAZ) {
			t.Errorf("apply immediately %v: the reverted Multi-AZ off was applied (status %q)", imm, aws.ToString(in.DBInstanceStatus))
		}
		switch grown := aws.ToInt32(in.AllocatedStorage) == aws.ToInt32(before.AllocatedStorage)+10; {
		case imm && !grown:
			t.Errorf("apply immediately: the other pending change (storage) was not applied with it")
		case !imm && (grown || in.PendingModifiedValues.AllocatedStorage == nil):
			t.Errorf("deferred: the other pending change (storage) should stay pending, got allocated %d pending %v",
				aws.ToInt32(in.AllocatedStorage), in.PendingModifiedValues.AllocatedStorage)
		}
	}
}
