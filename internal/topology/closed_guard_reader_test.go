package topology

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// earlierResourceRoundTrip is an earlier resource's life on sso-prod: 2 → 1 node (generation 1,
// removing the reader) and back (generation 2, recreating it from its record), its completed guards
// kept. A resource created anew reuses those generations.
func earlierResourceRoundTrip(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	first, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &first.Previous}); err != nil {
		t.Fatal(err)
	}
}

// TestClosedGuardReaderNotRecreated: a resource created anew reuses generations 1 and 2, and finds
// the completed guards of an earlier resource, which record the reader that resource removed. The
// reader it recreates going back to 2 nodes is the one this resource removed (Request.Previous,
// its state's previous_topology): a closed change's record is no earlier attempt of this change.
func TestClosedGuardReaderNotRecreated(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	// First resource: 2 -> 1 (g1), 1 -> 2 (g2), then forgotten (destroy without restore).
	earlierResourceRoundTrip(t, e)
	// The reader is resized since (outside either resource).
	if _, err := e.api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(ssoReader),
		DBInstanceClass: aws.String("db.r6g.large"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(2 * time.Hour)
	if c := aws.ToString(e.instance(ssoReader).DBInstanceClass); c != "db.r6g.large" {
		t.Fatalf("reader class %s after the resize", c)
	}
	// Second resource, created anew: 2 -> 1 (generation 1 again), then back to 2 with its own Previous.
	r3, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r3.Previous.Reader == nil || r3.Previous.Reader.Class != "db.r6g.large" {
		t.Fatalf("second resource's removal recorded %+v", r3.Previous.Reader)
	}
	_, err = e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &r3.Previous})
	if err != nil {
		t.Fatal(err)
	}
	got := aws.ToString(e.instance(ssoReader).DBInstanceClass)
	if got != "db.r6g.large" {
		t.Errorf("restored reader is %s, want db.r6g.large: the one this resource removed (Request.Previous), not the one a closed guard of another resource recorded", got)
	}
}

// TestClosedGuardReaderPreviewAgrees: the plan's preview and the apply use the same reader for a
// change back to 2 nodes: this resource's own record (Request.Previous), not the reader a closed
// guard of an earlier resource recorded, whose name a standalone instance has taken since. The
// preview does not refuse a change the apply then makes.
func TestClosedGuardReaderPreviewAgrees(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	earlierResourceRoundTrip(t, e)
	// Outside either resource, the reader is replaced by another one.
	if _, err := e.api.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(ssoReader), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	if _, err := e.api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-b"), DBClusterIdentifier: aws.String("sso-prod"),
		DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	r3, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil || r3.Previous.Reader == nil || r3.Previous.Reader.Identifier != "sso-prod-b" {
		t.Fatalf("second removal: %+v, %v", r3, err)
	}
	e.createStandalone(t, ssoReader) // the old reader's name, taken outside the cluster
	req := Request{Target: sso, Nodes: 2, Generation: 2, Previous: &r3.Previous}
	p, err := e.o.Preview(ctx, req)
	if err != nil || p.Refusal != "" {
		t.Fatalf("preview: %+v, %v; want no refusal (the reader is recreated as sso-prod-b)", p, err)
	}
	if _, err := e.o.Run(ctx, req); err != nil || e.instance("sso-prod-b") == nil {
		t.Fatalf("run: %v; want sso-prod-b recreated", err)
	}
}
