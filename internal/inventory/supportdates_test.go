package inventory

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAttachSupportDates: on a fleet in December 2026, only the PostgreSQL 14 deployments enrolled
// in Extended Support are asked about (14 is past the community's support; 13 is in the provider's
// table; 15 is still supported; an unparsable version and other engines are not PostgreSQL versions
// it can price), once per engine and major version, each getting RDS's dates (the sandbox's
// calendar: from 2027-03-01). A refused call is recorded on each deployment it concerns, denied or
// not.
func TestAttachSupportDates(t *testing.T) {
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	api := rds.NewFromConfig(srv.AWSConfig())
	fleet := func() []Cluster {
		return []Cluster{
			{Identifier: "a", Engine: "postgres", EngineVersion: "14.12"},
			{Identifier: "b", Engine: "postgres", EngineVersion: "14.17"},
			{Identifier: "c", Engine: "aurora-postgresql", EngineVersion: "14.9"},
			{Identifier: "d", Engine: "postgres", EngineVersion: "14.12", EngineLifecycleSupport: pricing.LifecycleExtendedSupportDisabled},
			{Identifier: "e", Engine: "postgres", EngineVersion: "13.15"},
			{Identifier: "f", Engine: "postgres", EngineVersion: "15.7"},
			{Identifier: "g", Engine: "postgres", EngineVersion: "banana"},
			{Identifier: "h", Engine: "mysql", EngineVersion: "14.1"},
		}
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cs := fleet()
	AttachSupportDates(context.Background(), api, cs, now)
	calls := srv.Calls("DescribeDBMajorEngineVersions")
	var asked []string
	for _, c := range calls {
		asked = append(asked, c.Params["Engine"]+" "+c.Params["MajorEngineVersion"])
	}
	if strings.Join(asked, ", ") != "postgres 14, aurora-postgresql 14" {
		t.Errorf("asked about %q, want postgres 14 and aurora-postgresql 14 once each", asked)
	}
	from := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range cs {
		got := c.ExtendedSupportFromRDS
		want := slices.Contains([]string{"a", "b", "c"}, c.Identifier)
		if (got != nil) != want || (got != nil && (!got.From.Equal(from) || got.Major != 14 || !got.FromRDS)) || c.SupportDatesUnread != "" {
			t.Errorf("%s: dates %+v, unread %q; want RDS's dates: %t", c.Identifier, got, c.SupportDatesUnread, want)
		}
	}

	// Refused: recorded on each PostgreSQL 14 deployment asked about, the denial flagged.
	for _, tc := range []struct {
		code   string
		denied bool
	}{{"AccessDenied", true}, {"InvalidParameterValue", false}} {
		srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBMajorEngineVersions", Rate: 1,
			RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: tc.code, Message: "refused"}})
		cs := fleet()
		AttachSupportDates(context.Background(), api, cs, now)
		for _, c := range cs {
			want := slices.Contains([]string{"a", "b", "c"}, c.Identifier)
			if (c.SupportDatesUnread != "") != want || c.ExtendedSupportFromRDS != nil || (want && (c.SupportDatesDenied != tc.denied || !strings.Contains(c.SupportDatesUnread, tc.code))) {
				t.Errorf("%s: %s: unread %q denied %t, want unread %t denied %t", tc.code, c.Identifier, c.SupportDatesUnread, c.SupportDatesDenied, want, tc.denied && want)
			}
		}
		srv.ClearFaults()
	}
}
