package topology

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRecreatedReaderAvoidsWriterAZ: months after the reader's removal the writer was replaced
// by an instance in the reader's recorded AZ (added there, failed over to, the old writer
// deleted). Going back to 2 nodes recreates the recorded reader in another of the cluster's AZs,
// not next to the writer, and the plan and the action say so.
func TestRecreatedReaderAvoidsWriterAZ(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	first, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	rec := first.Previous.Reader
	w := e.instance(ssoWriter)
	if rec == nil || rec.AvailabilityZone == "" || rec.AvailabilityZone == aws.ToString(w.AvailabilityZone) {
		t.Fatalf("recorded reader %+v, writer AZ %s", rec, aws.ToString(w.AvailabilityZone))
	}
	const newWriter = "sso-prod-instance-3"
	if _, err := e.api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(newWriter), DBClusterIdentifier: aws.String(sso.Identifier),
		DBInstanceClass: w.DBInstanceClass, Engine: aws.String("aurora-postgresql"), AvailabilityZone: aws.String(rec.AvailabilityZone)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
	if _, err := e.api.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String(sso.Identifier), TargetDBInstanceIdentifier: aws.String(newWriter)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(5 * time.Minute)
	if _, err := e.api.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(ssoWriter), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(30 * time.Minute)
	if topo := e.topology(sso); topo.Nodes != 1 || topo.Writer().Identifier != newWriter {
		t.Fatalf("cluster before going back: %+v", topo.Members)
	}
	e.srv.ResetLog() // the writer's replacement made by hand, not by a change

	req := Request{Target: sso, Nodes: 2, Generation: 2, Previous: &first.Previous}
	p, err := e.o.Preview(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if sum := PlanSummary(p, req); !strings.Contains(sum, "not its recorded "+rec.AvailabilityZone) {
		t.Errorf("plan summary does not say the reader goes to another AZ than its recorded one:\n%s", sum)
	}
	res, err := e.o.Run(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	got := aws.ToString(e.instance(rec.Identifier).AvailabilityZone)
	if got == rec.AvailabilityZone {
		t.Fatalf("reader recreated in %s, the writer %s's AZ", got, newWriter)
	}
	if !strings.Contains(res.Action, "in "+got+", not its recorded "+rec.AvailabilityZone) {
		t.Errorf("action %q does not say where the reader went", res.Action)
	}
	if res.Previous.Reader == nil || res.Previous.Reader.AvailabilityZone != got {
		t.Errorf("recorded reader %+v, want AZ %s", res.Previous.Reader, got)
	}
	if n := e.assertGuarded(sso); n != 1 {
		t.Fatalf("%d guarded calls, want 1", n)
	}
}
