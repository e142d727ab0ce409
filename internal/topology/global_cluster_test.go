package topology

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// globalDemo is the demo scenario with sso-prod a member of Aurora global database "sso-global":
// its primary cluster, or (secondary) a secondary cluster whose two instances are both readers.
func globalDemo(secondary bool) *sandbox.Scenario {
	sc := sandbox.Demo()
	sc.Clusters[0].GlobalCluster, sc.Clusters[0].GlobalSecondary = "sso-global", secondary
	return sc
}

// wantSecondaryRefusal checks that err, and the preview of req, refuse req as a change of a
// secondary cluster of sso-global, naming it and the switchover that makes the cluster primary,
// and that nothing was changed or snapshotted.
func (e *env) wantSecondaryRefusal(req Request, err error) {
	e.t.Helper()
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonNotSupported || !strings.Contains(pe.Detail, "secondary cluster of Aurora global database sso-global") ||
		!strings.Contains(pe.Detail, "aws rds switchover-global-cluster --global-cluster-identifier sso-global --target-db-cluster-identifier arn:aws:rds:us-east-1:123456789012:cluster:sso-prod)") {
		e.t.Errorf("change to %d node(s) of the secondary cluster: %v, want a not-supported refusal naming sso-global and the switchover", req.Nodes, err)
	}
	// A cluster demoted by a switchover still in progress looks the same: the refusal says to wait
	// for one, rather than only to make the cluster primary (a switchover refused while one is in
	// progress).
	if pe != nil && !strings.Contains(pe.Detail, "still in progress also leaves a cluster without a writer until it ends: "+
		"if one is (aws rds describe-global-clusters --global-cluster-identifier sso-global shows its FailoverState), wait for it to finish") {
		e.t.Errorf("refusal %q does not say to wait for a switchover or failover in progress", pe.Detail)
	}
	p, perr := e.o.Preview(context.Background(), req)
	if perr != nil || p.RefusalReason != ReasonNotSupported || !strings.Contains(p.Refusal, "sso-global") {
		e.t.Errorf("preview of the change to %d node(s): %+v, %v; want the same refusal", req.Nodes, p, perr)
	}
}

// TestSecondaryGlobalClusterRefused: a secondary cluster of an Aurora global database (no writer,
// two readers) is neither taken to one node nor, with one reader, to two: the refusal names the
// global database and what to do (it said "it has no writer instance", a status to wait out),
// before any guard snapshot.
func TestSecondaryGlobalClusterRefused(t *testing.T) {
	e := newEnv(t, globalDemo(true))
	ctx := context.Background()
	e.srv.ResetLog()
	for _, n := range []int{1, 2} {
		req := Request{Target: sso, Nodes: n, Generation: 1}
		_, err := e.o.Run(ctx, req)
		e.wantSecondaryRefusal(req, err)
	}
	e.assertUntouched(sso, 2)
}

// TestSwitchedOverToSecondaryThenBack: the reader of sso-prod, the primary cluster of a global
// database, is removed; a switchover then makes sso-prod a secondary cluster, its one instance a
// reader. Going back to 2 nodes is refused, naming the global database, with nothing changed;
// once a switchover makes it the primary again, it goes back behind a guard snapshot.
func TestSwitchedOverToSecondaryThenBack(t *testing.T) {
	e := newEnv(t, globalDemo(false))
	ctx := context.Background()
	first, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatalf("removing the primary cluster's reader: %v", err)
	}
	if !e.srv.GlobalSwitchover(sso.Identifier, false) {
		t.Fatal("switchover: sso-prod not demoted")
	}
	e.srv.ResetLog()
	req := Request{Target: sso, Nodes: 2, Generation: 2, Previous: &first.Previous}
	_, err = e.o.Run(ctx, req)
	e.wantSecondaryRefusal(req, err)
	e.assertUntouched(sso, 1)

	if !e.srv.GlobalSwitchover(sso.Identifier, true) {
		t.Fatal("switchover back: sso-prod not promoted")
	}
	if _, err := e.o.Run(ctx, req); err != nil {
		t.Fatalf("going back to 2 nodes as the primary again: %v", err)
	}
	if topo := e.topology(sso); topo.Nodes != 2 || topo.Writer() == nil {
		t.Fatalf("after going back: %+v", topo.Members)
	}
	if n := e.assertGuarded(sso); n != 1 {
		t.Fatalf("%d guarded calls, want 1", n)
	}
}
