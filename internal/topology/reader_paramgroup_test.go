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
			first, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
			if err != nil {
				t.Fatal(err)
			}
			prev := first.Previous
			rd := *prev.Reader
			rd.ParameterGroup = tc.group
			prev.Reader = &rd
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
