package maintenance

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Pending lists, over the real SDK, every resource's pending actions with their dates; For picks
// one resource's by ARN, whatever its case, and names them; a denied listing is an error that
// names the permission.
func TestPending(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: acctest.DemoMaintenance()})
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	rs, err := Pending(ctx, api)
	if err != nil {
		t.Fatal(err)
	}
	now := srv.Now()
	got := map[string]string{}
	for _, r := range rs {
		for _, a := range r.Actions {
			if a.Resource != r.ARN {
				t.Errorf("action %+v: Resource is not the ARN %s", a, r.ARN)
			}
			name := r.ARN[strings.LastIndex(r.ARN, ":")+1:]
			got[name] = fmt.Sprintf("%s %q auto+%v forced+%v current+%v", a.Action, a.Description,
				since(a.AutoAppliedAfter, now), since(a.ForcedApply, now), since(a.CurrentApply, now))
		}
	}
	want := map[string]string{
		// Applied in the first maintenance window (Tuesday 14:00) after the date.
		"mandible-prod": `system-update "New Operating System update is available" auto+240h0m0s forced+- current+` +
			nextWeekly(now.Add(240*time.Hour), time.Tuesday, 14).Sub(now).String(),
		"sso-prod":            `db-upgrade "" auto+- forced+720h0m0s current+720h0m0s`,
		"sso-prod-instance-1": `system-update "" auto+- forced+- current+-`,
		"sso-prod-instance-2": `system-update "" auto+- forced+- current+-`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pending actions:\n%v\nwant:\n%v", got, want)
	}
	var arn string
	for _, r := range rs {
		if strings.HasSuffix(r.ARN, ":db:mandible-prod") {
			arn = r.ARN
		}
	}
	if as := For(rs, strings.ToUpper(arn), "mandible-prod"); len(as) != 1 || as[0].Resource != "mandible-prod" || as[0].Action != "system-update" {
		t.Errorf("For(mandible-prod) = %+v", as)
	}
	if as := For(rs, arn+"x", "x"); as != nil {
		t.Errorf("For(another ARN) = %+v", as)
	}
	if as := For(rs, "", "x"); as != nil {
		t.Errorf("For(no ARN) = %+v", as)
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribePendingMaintenanceActions", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	if _, err := Pending(ctx, api); err == nil || !strings.HasPrefix(err.Error(), "listing pending maintenance actions (rds:DescribePendingMaintenanceActions): ") {
		t.Fatalf("denied: %v", err)
	}
}

// since is t − now, or "-" when t is zero.
func since(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Sub(now).String()
}

// nextWeekly is the first weekday at hour:00 UTC at or after t.
func nextWeekly(t time.Time, weekday time.Weekday, hour int) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, time.UTC)
	for d.Weekday() != weekday || d.Before(t) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}
