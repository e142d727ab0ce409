package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRollbackRecreatedReaderWithoutMonitoringSaysSo: the rollback of an Aurora change to 1 node,
// refused and finished by the next apply after the reader's Enhanced Monitoring role was deleted,
// recreates the reader without Enhanced Monitoring (createReader), and the rollback's action says
// so: it said only "reader ... recreated", and the error "The previous topology is restored".
func TestRollbackRecreatedReaderWithoutMonitoringSaysSo(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/rds-monitoring"
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	// sso-prod's reader, with Enhanced Monitoring.
	for _, m := range e.topology(sso).Members {
		if !m.Writer {
			if _, err := e.api.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(m.Identifier), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.srv.Advance(time.Hour)
	if _, err := e.api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-reader"),
		DBClusterIdentifier: aws.String("sso-prod"), DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("aurora-postgresql"),
		MonitoringInterval: aws.Int32(30), MonitoringRoleArn: aws.String(role)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	req := refuseAuroraRollback(t, e)
	e.srv.DeleteIAMRole(role)
	_, err := e.o.Run(ctx, req)
	var ce *ChangeError
	if !errors.As(err, &ce) || !ce.RolledBack {
		t.Fatalf("next apply: %v, want the rollback finished", err)
	}
	if got := e.instance("sso-prod-reader"); aws.ToInt32(got.MonitoringInterval) != 0 {
		t.Fatalf("reader recreated with Enhanced Monitoring every %d s", aws.ToInt32(got.MonitoringInterval))
	}
	want := "without Enhanced Monitoring, as RDS refused its recorded monitoring role " + role
	if !strings.Contains(ce.RollbackAction, want) || !strings.Contains(err.Error(), want) {
		t.Errorf("rollback action %q, error %q; want both to say %q", ce.RollbackAction, err, want)
	}
}
