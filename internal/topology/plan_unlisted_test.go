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
