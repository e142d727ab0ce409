package events

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Recent lists, over the real SDK, the failover events of a reboot with failover and of an Aurora
// failover (not their other events), until they are more than 14 days old; For picks a source's;
// a denied listing is an error that names the permission.
func TestRecent(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.Demo()})
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	at := acctest.FailOver(t, srv)
	es, err := Recent(ctx, api, srv.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s %s %s %s %q", e.Time.Sub(at), e.SourceType, e.Source, e.Category, e.Message))
	}
	want := []string{
		`0s db-instance mandible-prod failover "Multi-AZ instance failover started."`,
		`0s db-cluster sso-prod failover "Started cross AZ failover to DB instance: sso-prod-instance-2"`,
		`0s db-cluster sso-prod failover "Completed failover to DB instance: sso-prod-instance-2"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("recent events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f := For(es, "db-cluster", "SSO-PROD"); len(f) != 2 || f[1].Message != "Completed failover to DB instance: sso-prod-instance-2" {
		t.Errorf("For(db-cluster, SSO-PROD) = %+v", f)
	}
	if f := For(es, "db-instance", "sso-prod"); f != nil {
		t.Errorf("For(db-instance, sso-prod) = %+v", f)
	}

	srv.Advance(14 * 24 * time.Hour)
	if es, err := Recent(ctx, api, srv.Now()); err != nil || len(es) != 0 {
		t.Fatalf("15 days on: %+v, %v", es, err)
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeEvents", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	if _, err := Recent(ctx, api, srv.Now()); err == nil || !strings.HasPrefix(err.Error(), "listing the failover, failure and configuration change events of the last 14 days (rds:DescribeEvents): ") {
		t.Fatalf("denied: %v", err)
	}
}

// TestRecentClassChanges: of the configuration change events, only the end of an instance class
// change (RDS-EVENT-0014) is kept, as ClassChange; a storage change's and a Multi-AZ conversion's
// are not.
func TestRecentClassChanges(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.Demo()})
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	for _, in := range []*rds.ModifyDBInstanceInput{
		{DBInstanceIdentifier: aws.String("mandible-prod"), DBInstanceClass: aws.String("db.r6g.large"), ApplyImmediately: aws.Bool(true)},
		{DBInstanceIdentifier: aws.String("mandible-prod"), AllocatedStorage: aws.Int32(200), ApplyImmediately: aws.Bool(true)},
		{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)},
	} {
		if _, err := api.ModifyDBInstance(ctx, in); err != nil {
			t.Fatal(err)
		}
		srv.Advance(2 * time.Hour)
	}
	es, err := Recent(ctx, api, srv.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s %s %s %q", e.SourceType, e.Source, e.Category, e.Message))
	}
	want := `db-instance mandible-prod class change "Finished applying modification to DB instance class."`
	if len(got) != 1 || got[0] != want {
		t.Fatalf("recent events:\n%s\nwant only:\n%s", strings.Join(got, "\n"), want)
	}
}

// Recent's window is whole Steps around the Retention before now: every data source reading
// within one Step asks the same (one shared listing), an event as old as now − Retention is still
// listed, and so is one of the last minute; an event after now (a listing for an earlier now) is
// not.
func TestRecentWindow(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 12, 4, 30, 0, time.UTC)
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.Demo(), Now: t0})
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	srv.RecordEvent("mandible-prod", "Multi-AZ instance failover started.", "failover") // 12:04:30
	srv.Advance(Retention - 3*time.Minute)                                              // 14 days later, 12:01:30
	srv.RecordEvent("mandible-prod", "Multi-AZ instance failover started.", "failover") // 12:01:30
	t1 := srv.Now()
	srv.Advance(time.Minute) // 12:02:30
	for _, tc := range []struct {
		now  time.Time
		want []time.Time
	}{
		{srv.Now(), []time.Time{t0, t1}},                   // both, the newer one a minute old
		{srv.Now().Add(-2 * time.Minute), []time.Time{t0}}, // 12:00:30: the 12:01:30 one is after it
	} {
		es, err := Recent(ctx, api, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		for _, e := range For(es, "db-instance", "mandible-prod") {
			got = append(got, e.Time)
		}
		if !slices.EqualFunc(got, tc.want, time.Time.Equal) {
			t.Errorf("now %s: listed %v, want %v", tc.now.Format(time.RFC3339), got, tc.want)
		}
	}
	var windows []string
	for _, c := range srv.Calls("DescribeEvents") {
		windows = append(windows, c.Params["StartTime"]+" "+c.Params["EndTime"])
	}
	if want := t0.Truncate(Step).Format(time.RFC3339); len(windows) != 2 || windows[0] != windows[1] || !strings.HasPrefix(windows[0], want) {
		t.Errorf("windows asked %q, want the same twice, from %s", windows, want)
	}
}
