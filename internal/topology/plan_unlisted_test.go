package topology

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// A plan whose credentials cannot list the guard snapshots (a plan-only role without
// rds:DescribeDB[Cluster]Snapshots) still makes the prechecks that do not need them, and says what
// it could not check: a blue/green deployment still refuses the change, and a change nothing
// refuses is "not fully checked".
func TestPreviewWithoutSnapshotListing(t *testing.T) {
	deny := func(e *env) {
		for _, op := range []string{"DescribeDBSnapshots", "DescribeDBClusterSnapshots"} {
			e.srv.InjectFaults(sandbox.FaultRule{Operation: op, Rate: 1,
				RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
		}
	}
	for _, target := range []Target{mandible, sso} {
		e := newEnv(t, sandbox.Demo())
		deny(e)
		req := Request{Target: target, Nodes: 1, Generation: 1}
		p, err := e.o.Preview(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if p.Refusal != "" || !strings.Contains(p.Unchecked, "guard snapshot") || !strings.Contains(p.Unchecked, "not authorized") {
			t.Errorf("%s: preview %+v, want the snapshot listing named in Unchecked", target, p)
		}
		if s := PlanSummary(p, req); !strings.Contains(s, "could not check everything") {
			t.Errorf("%s: summary does not say what was not checked:\n%s", target, s)
		}

		e = newEnv(t, sandbox.Demo())
		if target == mandible {
			acctest.AddBlueGreen(t, e.srv, "pg16-upgrade", "", "mandible-prod")
		} else {
			acctest.AddBlueGreen(t, e.srv, "pg16-upgrade", "sso-prod", "")
		}
		deny(e)
		if p, err = e.o.Preview(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.Refusal, "blue (source) database of blue/green deployment") {
			t.Errorf("%s with a blue/green deployment: preview %+v, want it refused", target, p)
		}
	}
}

// A snapshot under this change's guard identifier that belongs to another target refuses the
// plan, as it refuses the apply: it is not taken for a listing that failed.
func TestPreviewRefusesForeignGuard(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	id := GuardSnapshotID(req.SnapshotPrefix, mandible, 1, 1, 1)
	if _, err := e.api.CreateDBSnapshot(context.Background(), &rds.CreateDBSnapshotInput{
		DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String(id),
		Tags: []rdstypes.Tag{{Key: aws.String(TagTarget), Value: aws.String("instance:someone-else")}},
	}); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(time.Hour)
	p, err := e.o.Preview(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Refusal, "belongs to instance:someone-else") || p.Unchecked != "" {
		t.Errorf("preview %+v, want the foreign guard snapshot %s refused", p, id)
	}
}

// An identifier of the other kind (a cluster named as a DB instance, an instance as a DB cluster)
// is not found, with a hint naming the attribute to use; the plan's summary puts what it could not
// check first.
func TestPreviewOtherKindHint(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	for _, c := range []struct {
		target Target
		want   string
	}{
		{Target{Kind: KindInstance, Identifier: "sso-prod"}, "DB instance sso-prod not found: sso-prod is a DB cluster: name it with db_cluster_identifier instead of db_instance_identifier"},
		{Target{Kind: KindCluster, Identifier: "mandible-prod"}, "DB cluster mandible-prod not found: mandible-prod is a DB instance: name it with db_instance_identifier instead of db_cluster_identifier"},
		{Target{Kind: KindCluster, Identifier: "sso-prod-instance-2"}, "sso-prod-instance-2 is a DB instance of DB cluster sso-prod: name the cluster with db_cluster_identifier"},
		{Target{Kind: KindInstance, Identifier: "nope"}, "DB instance nope not found"},
	} {
		_, err := e.o.Preview(context.Background(), Request{Target: c.target, Nodes: 1, Generation: 1})
		if err == nil || !IsNotFound(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Preview(%s) error = %v, want a not-found error containing %q", c.target, err, c.want)
		}
		if c.target.Identifier == "nope" && strings.Contains(err.Error(), "name it") {
			t.Errorf("Preview(%s) error = %v, want no hint for an identifier of neither kind", c.target, err)
		}
	}
	for _, nodes := range []int{1, 2} {
		for _, p := range []Preview{{}, {Unchecked: "x"}} {
			s := PlanSummary(p, Request{Target: mandible, Nodes: nodes, Generation: 1})
			if strings.Contains(s, "\n ") || !strings.Contains(s, "The guard snapshot is retained") {
				t.Errorf("summary to %d node(s) has a line that starts with a space, or lacks the guard sentence:\n%s", nodes, s)
			}
		}
	}
	req := Request{Target: mandible, Nodes: 1, Generation: 1}
	s := PlanSummary(Preview{Unchecked: "reading DB instance x: not found"}, req)
	if !strings.HasPrefix(s, "The plan could not check everything apply checks before the change (reading DB instance x: not found)") {
		t.Errorf("summary does not start with what the plan could not check:\n%s", s)
	}
}
