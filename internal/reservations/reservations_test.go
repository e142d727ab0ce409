package reservations

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

// Current lists, over the real SDK, the reservations that bill or are about to: a scenario's
// active ones and one just bought (payment pending), not one whose term is over; a denied
// listing is an error that names the permission.
func TestCurrent(t *testing.T) {
	sc := sandbox.Demo()
	sc.Reservations = []sandbox.ReservationSpec{
		{Class: "db.t4g.large", ProductDescription: "postgresql", MultiAZ: true, Count: 1, Years: 1, OfferingType: "No Upfront", StartAgo: 200 * 24 * time.Hour},
		{Class: "db.t4g.medium", ProductDescription: "aurora-postgresql", Count: 2, Years: 3, OfferingType: "All Upfront", StartAgo: 10 * 24 * time.Hour},
		{Class: "db.r6g.large", ProductDescription: "postgresql", Count: 1, Years: 1, OfferingType: "All Upfront", StartAgo: 400 * 24 * time.Hour},
	}
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc})
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	bought := acctest.AddReservation(t, srv, "db.m6g.large", "postgresql", false, 3)

	rs, err := Current(ctx, api)
	if err != nil {
		t.Fatal(err)
	}
	now := srv.Now()
	var got []string
	for _, r := range rs {
		got = append(got, fmt.Sprintf("%s %s %t %d %s", r.Class, r.ProductDescription, r.MultiAZ, r.Count, r.End.Sub(now).Round(24*time.Hour)))
	}
	want := []string{
		"db.t4g.large postgresql true 1 3960h0m0s",           // 365 − 200 days left
		"db.t4g.medium aurora-postgresql false 2 26040h0m0s", // 3 × 365 − 10 days
		"db.m6g.large postgresql false 3 8760h0m0s",          // just bought
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("current reservations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rs[2].ID != bought {
		t.Errorf("the bought reservation is %q, want %q", rs[2].ID, bought)
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeReservedDBInstances", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	if _, err := Current(ctx, api); err == nil || !strings.HasPrefix(err.Error(), "listing reserved DB instances (rds:DescribeReservedDBInstances): ") {
		t.Fatalf("denied: %v", err)
	}
}
