package inventory

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/events"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// sandboxClient starts a sandbox with sc and returns it with a real RDS client pointed at it.
func sandboxClient(t *testing.T, sc *sandbox.Scenario) (*sandbox.Server, *rds.Client) {
	t.Helper()
	srv, err := sandbox.Start(sandbox.Options{Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: sdkhttp.Wrap(nil)})
}

// regionWide are the listings every recommendation makes whatever its deployment.
var regionWide = []string{"DescribeEvents", "DescribePendingMaintenanceActions", "DescribeBlueGreenDeployments",
	"DescribeReservedDBInstances", "DescribeDBProxyEndpoints"}

// discover is Discover of the demo's deployment id (mandible-prod is a DB instance).
func discover(ctx context.Context, api RDSAPI, id string) (Cluster, error) {
	if id == "mandible-prod" {
		return Discover(ctx, api, id, "")
	}
	return Discover(ctx, api, "", id)
}

// attachAll makes the Attach calls of one recommendation of the deployment id.
func attachAll(ctx context.Context, t *testing.T, api RDSAPI, id string, now time.Time) {
	t.Helper()
	c, err := discover(ctx, api, id)
	if err != nil {
		t.Error(err)
		return
	}
	cs := []Cluster{c}
	AttachEndpoints(ctx, api, cs)
	AttachBlueGreen(ctx, api, cs)
	AttachReservations(ctx, api, cs)
	AttachMaintenance(ctx, api, cs)
	AttachEvents(ctx, api, cs, now)
	for what, unread := range map[string]string{"endpoints": cs[0].EndpointsUnread, "proxies": cs[0].ProxiesUnread,
		"blue/green": cs[0].BlueGreenUnread, "reservations": cs[0].ReservationsUnread, "maintenance": cs[0].MaintenanceUnread,
		"events": cs[0].EventsUnread} {
		if unread != "" {
			t.Errorf("%s %s unread: %s", id, what, unread)
		}
	}
}

// TestSharedListingsOncePerPlan: twenty recommendations read at once (each with its own now,
// seconds apart, as data sources read in one plan) list the region's events, maintenance,
// blue/green deployments, reservations and proxies once through SharedListings, and twenty
// times each without it. The answers are the same.
func TestSharedListingsOncePerPlan(t *testing.T) {
	ctx := context.Background()
	srv, client := sandboxClient(t, sandbox.Demo())
	base := srv.Now().Truncate(events.Step)
	ids := []string{"sso-prod", "mandible-prod"}
	read := func(api RDSAPI) {
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() { attachAll(ctx, t, api, ids[i%2], base.Add(time.Duration(i)*7*time.Second)) })
		}
		wg.Wait()
	}
	count := func() map[string]int {
		m := map[string]int{}
		for _, op := range regionWide {
			m[op] = len(srv.Calls(op))
		}
		return m
	}
	read(client)
	before := count()
	for _, op := range regionWide {
		if before[op] < 10 {
			t.Errorf("without sharing: %d %s calls, want one per recommendation that makes it", before[op], op)
		}
	}
	shared := NewSharedListings(client, time.Minute)
	read(shared)
	after := count()
	for _, op := range regionWide {
		if n := after[op] - before[op]; n != 1 {
			t.Errorf("through SharedListings: %d %s calls, want 1 (one page)", n, op)
		}
	}

	// The same answers as RDS's own.
	for _, id := range ids {
		direct, err := discover(ctx, client, id)
		if err != nil {
			t.Fatal(err)
		}
		viaShared := direct
		one, two := []Cluster{direct}, []Cluster{viaShared}
		AttachEvents(ctx, client, one, base)
		AttachMaintenance(ctx, client, one)
		AttachEvents(ctx, shared, two, base)
		AttachMaintenance(ctx, shared, two)
		if len(one[0].Events) != len(two[0].Events) || len(one[0].PendingMaintenance) != len(two[0].PendingMaintenance) ||
			len(one[0].ClassChanges) != len(two[0].ClassChanges) {
			t.Errorf("%s: shared answers differ: events %d/%d, maintenance %d/%d", id, len(two[0].Events), len(one[0].Events),
				len(two[0].PendingMaintenance), len(one[0].PendingMaintenance))
		}
	}
}

// TestSharedListingsTTLAndFailures: an answer is kept for TTL, then asked again; a failed call is
// not kept (the next caller asks RDS) and its error reaches the caller.
func TestSharedListingsTTLAndFailures(t *testing.T) {
	ctx := context.Background()
	srv, client := sandboxClient(t, sandbox.Demo())
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	shared := &SharedListings{RDSAPI: client, TTL: 10 * time.Minute, Now: func() time.Time { return now }}
	calls := func() int { return len(srv.Calls("DescribeReservedDBInstances")) }
	in := &rds.DescribeReservedDBInstancesInput{}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeReservedDBInstances",
		Sequence: []sandbox.Fault{{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not allowed"}}})
	if _, err := shared.DescribeReservedDBInstances(ctx, in); err == nil {
		t.Fatal("the injected AccessDenied did not reach the caller")
	}
	if _, err := shared.DescribeReservedDBInstances(ctx, in); err != nil || calls() != 2 {
		t.Fatalf("after a failure: %v, %d calls; want the failure not kept and RDS asked again", err, calls())
	}
	now = now.Add(9 * time.Minute)
	if _, err := shared.DescribeReservedDBInstances(ctx, in); err != nil || calls() != 2 {
		t.Fatalf("within TTL: %v, %d calls; want the kept answer", err, calls())
	}
	now = now.Add(time.Minute)
	if _, err := shared.DescribeReservedDBInstances(ctx, in); err != nil || calls() != 3 {
		t.Fatalf("after TTL: %v, %d calls; want RDS asked again", err, calls())
	}
	// Another input is another answer.
	if _, err := shared.DescribeReservedDBInstances(ctx, &rds.DescribeReservedDBInstancesInput{DBInstanceClass: aws.String("db.t4g.medium")}); err != nil || calls() != 4 {
		t.Fatalf("another input: %v, %d calls; want its own call", err, calls())
	}
}

// gatedReservations holds DescribeReservedDBInstances until its gate opens, then asks RDS.
type gatedReservations struct {
	RDSAPI
	entered chan struct{}
	gate    chan struct{}
}

func (g *gatedReservations) DescribeReservedDBInstances(ctx context.Context, in *rds.DescribeReservedDBInstancesInput, optFns ...func(*rds.Options)) (*rds.DescribeReservedDBInstancesOutput, error) {
	g.entered <- struct{}{}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.RDSAPI.DescribeReservedDBInstances(ctx, in, optFns...)
}

// TestSharedListingsCancelledCaller: a caller waiting for an equal call in flight gets its answer;
// when the caller that made it was cancelled, the waiter asks RDS itself rather than failing
// with another data source's cancellation.
func TestSharedListingsCancelledCaller(t *testing.T) {
	srv, client := sandboxClient(t, sandbox.Demo())
	g := &gatedReservations{RDSAPI: client, entered: make(chan struct{}, 4), gate: make(chan struct{})}
	shared := NewSharedListings(g, time.Minute)
	in := &rds.DescribeReservedDBInstancesInput{}

	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := shared.DescribeReservedDBInstances(first, in)
		firstErr <- err
	}()
	<-g.entered // the first call is in flight
	secondErr := make(chan error, 1)
	go func() {
		_, err := shared.DescribeReservedDBInstances(context.Background(), in)
		secondErr <- err
	}()
	// The second waits for the first: it has not called.
	select {
	case <-g.entered:
		t.Fatal("the second caller called although an equal call was in flight")
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v, want its cancellation", err)
	}
	select {
	case <-g.entered: // the second asks on its own
	case err := <-secondErr:
		t.Fatalf("second caller: %v without asking RDS, want RDS's answer", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the second caller neither asked RDS nor returned")
	}
	close(g.gate)
	if err := <-secondErr; err != nil {
		t.Fatalf("second caller: %v, want RDS's answer", err)
	}
	if n := len(srv.Calls("DescribeReservedDBInstances")); n != 1 {
		t.Errorf("%d calls reached RDS, want 1 (the second caller's)", n)
	}
}
