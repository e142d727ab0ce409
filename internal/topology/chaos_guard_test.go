package topology

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// mismatchValidator records nothing and reports a mismatch after the change.
type mismatchValidator struct{}

func (mismatchValidator) Capture(context.Context) (Facts, error) { return Facts{}, nil }
func (mismatchValidator) Check(context.Context, Facts) (*Report, error) {
	return nil, &ValidationError{Mismatches: []string{"rows differ"}}
}

// The guard snapshot is deleted by someone while the change settles, then the validation fails:
// the rollback is refused (no guard), and the error says the guard is gone instead of offering
// it for a restore.
func TestGuardDeletedDuringChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	gid := GuardSnapshotID("", mandible, 1, 1, 1)
	deleted := false
	e.onSleep = func() {
		if !deleted && len(e.srv.Calls("ModifyDBInstance")) > 0 {
			deleted = true
			if _, err := e.api.DeleteDBSnapshot(context.Background(), &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(gid)}); err != nil {
				t.Errorf("deleting guard: %v", err)
			}
		}
	}
	_, err := e.o.Run(context.Background(), Request{Target: mandible, Nodes: 1, Generation: 1, Validator: mismatchValidator{}})
	var ce *ChangeError
	if !deleted || !errors.As(err, &ce) {
		t.Fatalf("deleted %v, run: %v", deleted, err)
	}
	if strings.Contains(err.Error(), "retained for a manual restore") || !strings.Contains(err.Error(), "was deleted during the change") || ce.RestorePoint() {
		t.Errorf("the error offers a deleted guard for a restore: %v", err)
	}
	e.assertGuarded(mandible)
}
