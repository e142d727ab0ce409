package topology

import (
	"context"
	"strings"
	"testing"

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
