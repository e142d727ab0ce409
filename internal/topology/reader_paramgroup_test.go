package topology

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRecreatedReaderRecordedParameterGroupRefused: the reader was removed while the cluster ran
// PostgreSQL 14 (its record, previous_topology in the state, names default.aurora-postgresql14),
// and the cluster was upgraded to 15 since; or the recorded group was deleted. RDS refuses
// CreateDBInstance with that group, which every apply of the change back to 2 nodes asked for
// again (a new guard snapshot each time, the record being the state's). The reader is recreated
// with the writer's parameter group, behind the guard, and the action says so.
func TestRecreatedReaderRecordedParameterGroupRefused(t *testing.T) {
	for _, tc := range []struct{ name, group string }{
		{"major upgrade since", "default.aurora-postgresql14"},
		{"group deleted since", "sso-reader-params"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			prev := removedReaderRecord(t, e, func(rd *ReaderSpec) { rd.ParameterGroup = tc.group })
			rd := *prev.Reader
			writerGroup := readerSpecFromInstance(e.instance(ssoWriter)).ParameterGroup
			res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &prev})
			if err != nil {
				t.Fatalf("back to 2 nodes: %v", err)
			}
			got := e.instance(rd.Identifier)
			if g := readerSpecFromInstance(got).ParameterGroup; g != writerGroup || aws.ToString(got.DBClusterIdentifier) != sso.Identifier {
				t.Fatalf("reader recreated with parameter group %s in %s, want the writer's %s", g, aws.ToString(got.DBClusterIdentifier), writerGroup)
			}
			if !strings.Contains(res.Action, "with the writer's parameter group "+writerGroup+", as RDS refused its recorded "+tc.group) {
				t.Errorf("action %q does not say the parameter group was replaced", res.Action)
			}
			if res.ReaderParameterGroupReplaced == "" {
				t.Error("Result.ReaderParameterGroupReplaced is empty")
			}
			if res.Previous.Reader == nil || res.Previous.Reader.ParameterGroup != writerGroup {
				t.Errorf("recorded reader %+v, want parameter group %s", res.Previous.Reader, writerGroup)
			}
			if n := e.assertGuarded(sso); n < 2 {
				t.Fatalf("%d guarded calls", n)
			}
		})
	}
}

// removedReaderRecord removes sso-prod's reader (generation 1) and returns the record a change back
// to 2 nodes is given, its reader changed by edit as if by what happened since (a copy: the run's
// own record is left as it was).
func removedReaderRecord(t *testing.T, e *env, edit func(*ReaderSpec)) Previous {
	t.Helper()
	first, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	prev := first.Previous
	rd := *prev.Reader
	edit(&rd)
	prev.Reader = &rd
	return prev
}

// A change back to 2 nodes whose recorded reader's parameter group, refused by RDS, is the
// writer's own: there is nothing to replace it with, so the refusal is not worked around (no
// second CreateDBInstance with the same group) and nothing says the group was replaced.
func TestRecreatedReaderRefusedGroupIsWritersNotRetried(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	writerGroup := readerSpecFromInstance(e.instance(ssoWriter)).ParameterGroup
	if writerGroup == "" {
		t.Fatal("the writer has no parameter group")
	}
	prev := removedReaderRecord(t, e, func(rd *ReaderSpec) { rd.ParameterGroup = writerGroup })
	e.srv.InjectFaults(sandbox.FaultRule{Operation: "rds:CreateDBInstance", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError,
		Status: 404, Code: "DBParameterGroupNotFound", Message: "DBParameterGroup not found: " + writerGroup}})
	before := e.srv.Counts()["CreateDBInstance"]
	res, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 2, Generation: 2, Previous: &prev})
	if err == nil || !strings.Contains(err.Error(), "DBParameterGroupNotFound") || strings.Contains(err.Error(), "with the writer's parameter group") {
		t.Fatalf("back to 2 nodes: %+v, %v; want RDS's refusal, nothing replaced", res, err)
	}
	if n := e.srv.Counts()["CreateDBInstance"] - before; n != 1 {
		t.Errorf("%d CreateDBInstance calls, want the one refused", n)
	}
}
