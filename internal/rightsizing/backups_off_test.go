package rightsizing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRecommend_backupsGoingOff: mandible-prod keeps 7 days of automated backups, and a
// BackupRetentionPeriod of 0 is pending (ModifyDBInstance without ApplyImmediately): in its next
// maintenance window, or with the next ModifyDBInstance that applies immediately, which applies
// every pending modification, RDS turns them off, and the single node is left without a
// point-in-time restore. The recommendation read the retention of today alone, and the pending 0
// as "nothing pending": no backup risk. It raises a high one asking to cancel that change. With
// nothing pending, or 14 days pending, there is none.
func TestRecommend_backupsGoingOff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pending *int32 // the retention set without ApplyImmediately; nil: none
		risk    bool
	}{
		{"0 pending", aws.Int32(0), true},
		{"nothing pending", nil, false},
		{"14 days set", aws.Int32(14), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d, _ := deps(t, sandbox.Demo(), testNow)
			if tc.pending != nil {
				if _, err := d.RDS.(*rds.Client).ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
					DBInstanceIdentifier: aws.String("mandible-prod"), BackupRetentionPeriod: tc.pending}); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 7 * 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			var backup []string
			for _, r := range res.Recommendation.Risks {
				if r.Category == "backup" && r.Severity == "high" {
					backup = append(backup, r.Description)
				}
			}
			if !tc.risk {
				if len(backup) != 0 {
					t.Errorf("high backup risks %q, want none", backup)
				}
				return
			}
			if len(backup) != 1 || !strings.Contains(backup[0], "A backup retention period of 0 is pending") ||
				!strings.Contains(backup[0], "cancel it") || strings.Contains(backup[0], "Automated backups are off (backup retention period 0)") {
				t.Errorf("high backup risks %q, want one asking to cancel the pending retention of 0", backup)
			}
		})
	}
}
