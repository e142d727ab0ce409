package topology

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRecreatedReaderMonitoringRoleRefused: the removed reader's record (previous_topology in the
// state) names an Enhanced Monitoring role deleted since. RDS refuses CreateDBInstance with it,
// which every apply of the change back to 2 nodes asked for again, a new guard snapshot each
// time. The reader is recreated without Enhanced Monitoring, behind the guard, and the action and
// the result say so; with its recorded parameter group also refused, both are replaced. A refusal
// for anything else is not worked around.
func TestRecreatedReaderMonitoringRoleRefused(t *testing.T) {
	const gone = "arn:aws:iam::123456789012:role/rds-monitoring-gone"
	for _, tc := range []struct {
		name, group string
		other       bool
	}{
		{name: "role deleted since"},
		{name: "role and parameter group refused", group: "default.aurora-postgresql14"},
		{name: "another refusal", other: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			ctx := context.Background()
			prev := removedReaderRecord(t, e, func(rd *ReaderSpec) {
				rd.MonitoringInterval, rd.MonitoringRoleARN = 30, gone
				if tc.group != "" {
					rd.ParameterGroup = tc.group
				}
			})
			rd := *prev.Reader
			e.srv.DeleteIAMRole(gone)
			if tc.other {
				e.srv.InjectFaults(sandbox.FaultRule{Operation: "rds:CreateDBInstance", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError,
					Status: 400, Code: "InvalidParameterValue", Message: "Invalid DB instance class db.t4g.medium for this engine"}})
			}
			res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &prev})
			if tc.other {
				if err == nil || !strings.Contains(err.Error(), "Invalid DB instance class") {
					t.Fatalf("back to 2 nodes with another refusal: %v, want it refused", err)
				}
				if n := e.srv.Counts()["CreateDBInstance"]; n != 1 {
					t.Errorf("%d CreateDBInstance calls, want the one refused", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("back to 2 nodes: %v", err)
			}
			got := e.instance(rd.Identifier)
			if aws.ToInt32(got.MonitoringInterval) != 0 || aws.ToString(got.MonitoringRoleArn) != "" || aws.ToString(got.DBClusterIdentifier) != sso.Identifier {
				t.Fatalf("reader recreated with Enhanced Monitoring every %d s by %q in %s, want none in %s",
					aws.ToInt32(got.MonitoringInterval), aws.ToString(got.MonitoringRoleArn), aws.ToString(got.DBClusterIdentifier), sso.Identifier)
			}
			want := "without Enhanced Monitoring, as RDS refused its recorded monitoring role " + gone + " (every 30 s)"
			if !strings.Contains(res.Action, want) || res.ReaderMonitoringDropped != want {
				t.Errorf("action %q, ReaderMonitoringDropped %q; want both to say %q", res.Action, res.ReaderMonitoringDropped, want)
			}
			if (tc.group != "") != (res.ReaderParameterGroupReplaced != "") {
				t.Errorf("ReaderParameterGroupReplaced %q with recorded group %q", res.ReaderParameterGroupReplaced, tc.group)
			}
			if res.Previous.Reader == nil || res.Previous.Reader.MonitoringInterval != 0 || res.Previous.Reader.MonitoringRoleARN != "" {
				t.Errorf("recorded reader %+v, want no Enhanced Monitoring, nor its refused role", res.Previous.Reader)
			}
			if n := e.assertGuarded(sso); n < 2 {
				t.Fatalf("%d guarded calls", n)
			}
		})
	}
}
