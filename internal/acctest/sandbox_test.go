package acctest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// At the epoch the calendar is the default one; 500 days later every date has moved by 500 days,
// so PostgreSQL 15 is as far from RDS Extended Support as it was at the epoch.
func TestEpochCalendar(t *testing.T) {
	def := sandbox.DefaultMajorEngineVersions()
	at := EpochCalendar(sandbox.ScenarioEpoch.Add(5 * time.Hour))
	later := EpochCalendar(sandbox.ScenarioEpoch.AddDate(0, 0, 500).Add(time.Hour))
	if len(at) != len(def) || len(later) != len(def) {
		t.Fatalf("%d and %d versions, want %d", len(at), len(later), len(def))
	}
	for i := range def {
		if at[i] != def[i] {
			t.Errorf("at the epoch: %+v, want %+v", at[i], def[i])
		}
		if d := later[i].ExtendedStart.Sub(def[i].ExtendedStart); def[i].ExtendedStart.AddDate(0, 0, 500) != later[i].ExtendedStart || later[i].StandardEnd != def[i].StandardEnd.AddDate(0, 0, 500) {
			t.Errorf("500 days on, %s %s moved by %s: %+v", def[i].Engine, def[i].Major, d, later[i])
		}
	}
}

// StartSandbox gives a scenario without a calendar of its own the epoch's, seen from its now:
// the emulator reports PostgreSQL 15's Extended Support as many days after now as at the epoch.
// A scenario's own calendar is kept.
func TestStartSandboxCalendar(t *testing.T) {
	now := sandbox.ScenarioEpoch.AddDate(3, 0, 0).Truncate(time.Hour)
	start := func(srv *sandbox.Server) time.Time {
		t.Helper()
		out, err := rds.NewFromConfig(srv.AWSConfig()).DescribeDBMajorEngineVersions(context.Background(),
			&rds.DescribeDBMajorEngineVersionsInput{Engine: aws.String("postgres"), MajorEngineVersion: aws.String("15")})
		if err != nil || len(out.DBMajorEngineVersions) != 1 {
			t.Fatalf("%+v, %v", out, err)
		}
		for _, l := range out.DBMajorEngineVersions[0].SupportedEngineLifecycles {
			if l.LifecycleSupportName == "open-source-rds-extended-support" {
				return *l.LifecycleSupportStartDate
			}
		}
		t.Fatal("no Extended Support period for PostgreSQL 15")
		return time.Time{}
	}
	var def time.Time
	for _, v := range sandbox.DefaultMajorEngineVersions() {
		if v.Engine == "postgres" && v.Major == "15" {
			def = v.ExtendedStart
		}
	}
	got := start(StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now}))
	if want := def.AddDate(0, 0, int(now.Sub(sandbox.ScenarioEpoch).Hours()/24)); !got.Equal(want) || !got.After(now) {
		t.Errorf("PostgreSQL 15 Extended Support from %s, want %s (after now, %s)", got, want, now)
	}
	own := sandbox.Demo()
	own.MajorEngineVersions = sandbox.DefaultMajorEngineVersions()
	if got := start(StartSandbox(t, sandbox.Options{Scenario: own, Now: now})); !got.Equal(def) {
		t.Errorf("a scenario's own calendar: Extended Support from %s, want %s", got, def)
	}
}
