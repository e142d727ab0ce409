package enginesupport

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// client starts the sandbox with scenario sc (nil: the default) and returns the real RDS client
// pointed at it.
func client(t *testing.T, sc *sandbox.Scenario) (*rds.Client, *sandbox.Server) {
	t.Helper()
	srv, err := sandbox.Start(sandbox.Options{Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return rds.NewFromConfig(srv.AWSConfig()), srv
}

func TestExtendedSupportStart(t *testing.T) {
	rc, srv := client(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		engine string
		major  int
		want   time.Time
	}{
		{"postgres", 14, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"aurora-postgresql", 15, time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"postgres", 11, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
	} {
		got, ok, err := ExtendedSupportStart(ctx, rc, tc.engine, tc.major)
		if err != nil || !ok || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("%s %d: %v %v %v, want %v", tc.engine, tc.major, got, ok, err, tc.want)
		}
	}
	// A version RDS does not list is an error that names it and the call.
	_, ok, err := ExtendedSupportStart(ctx, rc, "postgres", 19)
	if err == nil || ok || !strings.Contains(err.Error(), "postgres 19") || !strings.Contains(err.Error(), "rds:DescribeDBMajorEngineVersions") ||
		!strings.Contains(err.Error(), "does not list") {
		t.Errorf("postgres 19: ok %v, err %v", ok, err)
	}
	// A refused call is an error carrying RDS's.
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBMajorEngineVersions", Sequence: []sandbox.Fault{
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBMajorEngineVersions"}}})
	if _, ok, err := ExtendedSupportStart(ctx, rc, "postgres", 14); err == nil || ok || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("denied: ok %v, err %v", ok, err)
	}
}

// TestExtendedSupportStart_none: a version RDS lists without an Extended Support lifecycle has
// none (ok false, no error); the filter asks for the engine and major version only.
func TestExtendedSupportStart_none(t *testing.T) {
	rc, srv := client(t, &sandbox.Scenario{Name: "calendar", MajorEngineVersions: []sandbox.MajorEngineVersionSpec{
		{Engine: "postgres", Major: "14", StandardStart: time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC), StandardEnd: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Engine: "postgres", Major: "15", StandardStart: time.Date(2022, 10, 13, 0, 0, 0, 0, time.UTC), StandardEnd: time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC),
			ExtendedStart: time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC), ExtendedEnd: time.Date(2031, 2, 28, 0, 0, 0, 0, time.UTC)},
	}})
	start, ok, err := ExtendedSupportStart(context.Background(), rc, "postgres", 14)
	if err != nil || ok || !start.IsZero() {
		t.Errorf("postgres 14 without Extended Support: %v %v %v", start, ok, err)
	}
	calls := srv.Calls("DescribeDBMajorEngineVersions")
	if len(calls) != 1 || calls[0].Params["Engine"] != "postgres" || calls[0].Params["MajorEngineVersion"] != "14" {
		t.Errorf("calls %+v, want one for postgres 14", calls)
	}
}
