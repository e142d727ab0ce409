package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// SharedListings is an RDSAPI whose region-wide listings (the ones the Attach functions make
// whatever the deployment: DescribeEvents, DescribePendingMaintenanceActions,
// DescribeBlueGreenDeployments, DescribeReservedDBInstances, DescribeDBProxyEndpoints and
// DescribeDBProxyTargets) are made once for every caller that asks for the same page within TTL,
// and the other calls go to RDSAPI as they are. A plan that reads a recommendation for each of a
// fleet's deployments (terraform reads ten data sources at a time) otherwise lists the whole
// region's events, maintenance, blue/green deployments, reservations and proxies once per
// deployment: RDS calls grew with the square of the fleet, against an account-wide Describe
// rate. Calls with equal inputs (optFns aside, which set request options, not the answer) share
// one answer: one made while another is in flight waits for it. A failed call is not kept; its
// error goes to the callers that waited for it, unless it is their own context's (the caller
// that made it was cancelled), in which case they call again. Answers are shared, not copied:
// callers must not modify them. It is for data sources, which read; a change's own checks
// (internal/topology) call RDS afresh.
type SharedListings struct {
	RDSAPI
	// TTL is how long an answer is kept (0: not kept once its callers have it).
	TTL time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time

	mu    sync.Mutex
	calls map[string]*sharedCall
}

type sharedCall struct {
	done chan struct{}
	at   time.Time
	out  any
	err  error
}

// NewSharedListings returns api with its region-wide listings shared for ttl.
func NewSharedListings(api RDSAPI, ttl time.Duration) *SharedListings {
	return &SharedListings{RDSAPI: api, TTL: ttl}
}

func (s *SharedListings) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// share answers the call op with input in (call makes it) from a kept or in-flight answer of an
// equal call, or by making it.
func share[In, Out any](ctx context.Context, s *SharedListings, op string, in *In, call func() (*Out, error)) (*Out, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return call()
	}
	key := op + " " + string(b)
	s.mu.Lock()
	now := s.now()
	if s.calls == nil {
		s.calls = map[string]*sharedCall{}
	}
	for k, c := range s.calls { // forget what has expired
		if c.at.IsZero() {
			continue // in flight
		}
		if now.Sub(c.at) >= s.TTL {
			delete(s.calls, k)
		}
	}
	if c, ok := s.calls[key]; ok {
		s.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if c.err != nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) && ctx.Err() == nil {
			return call()
		}
		if c.err != nil {
			return nil, c.err
		}
		return c.out.(*Out), nil
	}
	c := &sharedCall{done: make(chan struct{})}
	s.calls[key] = c
	s.mu.Unlock()
	out, err := call()
	s.mu.Lock()
	c.out, c.err, c.at = out, err, s.now()
	if err != nil || s.TTL <= 0 {
		delete(s.calls, key)
	}
	s.mu.Unlock()
	close(c.done)
	return out, err
}

// DescribeEvents is RDSAPI's, shared.
func (s *SharedListings) DescribeEvents(ctx context.Context, in *rds.DescribeEventsInput, optFns ...func(*rds.Options)) (*rds.DescribeEventsOutput, error) {
	return share(ctx, s, "DescribeEvents", in, func() (*rds.DescribeEventsOutput, error) { return s.RDSAPI.DescribeEvents(ctx, in, optFns...) })
}

// DescribePendingMaintenanceActions is RDSAPI's, shared.
func (s *SharedListings) DescribePendingMaintenanceActions(ctx context.Context, in *rds.DescribePendingMaintenanceActionsInput, optFns ...func(*rds.Options)) (*rds.DescribePendingMaintenanceActionsOutput, error) {
	return share(ctx, s, "DescribePendingMaintenanceActions", in, func() (*rds.DescribePendingMaintenanceActionsOutput, error) {
		return s.RDSAPI.DescribePendingMaintenanceActions(ctx, in, optFns...)
	})
}

// DescribeBlueGreenDeployments is RDSAPI's, shared.
func (s *SharedListings) DescribeBlueGreenDeployments(ctx context.Context, in *rds.DescribeBlueGreenDeploymentsInput, optFns ...func(*rds.Options)) (*rds.DescribeBlueGreenDeploymentsOutput, error) {
	return share(ctx, s, "DescribeBlueGreenDeployments", in, func() (*rds.DescribeBlueGreenDeploymentsOutput, error) {
		return s.RDSAPI.DescribeBlueGreenDeployments(ctx, in, optFns...)
	})
}

// DescribeReservedDBInstances is RDSAPI's, shared.
func (s *SharedListings) DescribeReservedDBInstances(ctx context.Context, in *rds.DescribeReservedDBInstancesInput, optFns ...func(*rds.Options)) (*rds.DescribeReservedDBInstancesOutput, error) {
	return share(ctx, s, "DescribeReservedDBInstances", in, func() (*rds.DescribeReservedDBInstancesOutput, error) {
		return s.RDSAPI.DescribeReservedDBInstances(ctx, in, optFns...)
	})
}

// DescribeDBProxyEndpoints is RDSAPI's, shared.
func (s *SharedListings) DescribeDBProxyEndpoints(ctx context.Context, in *rds.DescribeDBProxyEndpointsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBProxyEndpointsOutput, error) {
	return share(ctx, s, "DescribeDBProxyEndpoints", in, func() (*rds.DescribeDBProxyEndpointsOutput, error) {
		return s.RDSAPI.DescribeDBProxyEndpoints(ctx, in, optFns...)
	})
}

// DescribeDBProxyTargets is RDSAPI's, shared.
func (s *SharedListings) DescribeDBProxyTargets(ctx context.Context, in *rds.DescribeDBProxyTargetsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBProxyTargetsOutput, error) {
	return share(ctx, s, "DescribeDBProxyTargets", in, func() (*rds.DescribeDBProxyTargetsOutput, error) {
		return s.RDSAPI.DescribeDBProxyTargets(ctx, in, optFns...)
	})
}

// DescribeDBClusterSnapshots passes the call to RDSAPI when it lists DB cluster snapshots (an
// *rds.Client does), not shared: RDSAPI does not require it, and a recommendation lists the
// snapshots of one cluster (its guard snapshots, which record a reader removed since).
func (s *SharedListings) DescribeDBClusterSnapshots(ctx context.Context, in *rds.DescribeDBClusterSnapshotsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error) {
	api, ok := s.RDSAPI.(interface {
		DescribeDBClusterSnapshots(context.Context, *rds.DescribeDBClusterSnapshotsInput, ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error)
	})
	if !ok {
		return nil, errors.New("this RDS client does not list DB cluster snapshots")
	}
	return api.DescribeDBClusterSnapshots(ctx, in, optFns...)
}
