package rightsizing

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/paramgroups"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// mandible-prod's DB parameter group sets max_connections to 1200, above RDS's default on its
// db.t4g.large (at most 901): the recommendation keeps it (a new group would cut it to the default),
// and it is the limit the projected connections are judged against. On RDS's default group the
// recommendation sets none. A denied read is a warning naming the permission, and the
// recommendation goes on with RDS's default.
func TestRecommend_parameterGroupMaxConnections(t *testing.T) {
	sc := sandbox.Demo()
	sc.ParameterGroups = []sandbox.ParameterGroupSpec{{Name: "chat-pg15", Parameters: map[string]string{"max_connections": "1200"}}}
	for i := range sc.Instances {
		if sc.Instances[i].ID == "mandible-prod" {
			sc.Instances[i].ParameterGroup = "chat-pg15"
		}
	}
	d, srv := deps(t, sc, testNow)
	ctx := context.Background()
	req := Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour}
	res, err := Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Recommendation
	conns := rec.Projected[3]
	if rec.RecommendedClass != "db.t4g.large" || rec.Parameters["max_connections"] != "1200" || conns.Metric != "connections" || conns.Limit != 0.8*1200 ||
		len(res.WarningTexts()) != 0 {
		t.Errorf("group's 1200: class %s, max_connections %q, connections %+v, warnings %q", rec.RecommendedClass, rec.Parameters["max_connections"], conns, res.WarningTexts())
	}
	// The server's facts, when read, keep their max_connections as today's limit; the group's says what is kept.
	res, err = Recommend(ctx, d, Request{InstanceID: "mandible-prod", Lookback: 14 * 24 * time.Hour, Postgres: &analysis.PostgresFacts{MaxConnections: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if rec := res.Recommendation; rec.Parameters["max_connections"] != "1200" || rec.Projected[3].Limit != 0.8*1000 {
		t.Errorf("with the server's 1000: max_connections %q, connections %+v", rec.Parameters["max_connections"], rec.Projected[3])
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}})
	res, err = Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	if rec := res.Recommendation; rec.Parameters["max_connections"] != "" || len(res.WarningTexts()) != 1 ||
		!strings.HasPrefix(res.WarningTexts()[0], "mandible-prod: what its parameter groups set for max_connections and shared_buffers was not read (reading DB parameter group chat-pg15 (rds:DescribeDBParameters): ") ||
		!strings.HasSuffix(res.WarningTexts()[0], "Allow rds:DescribeDBParameters (and, for Aurora, rds:DescribeDBClusterParameters) to the provider's credentials.") {
		t.Errorf("denied: max_connections %q, warnings %q", rec.Parameters["max_connections"], res.WarningTexts())
	}

	// sso-prod is on RDS's default groups, which are not read: nothing set, no warning, and the
	// memory check leaves out Aurora's default buffer cache.
	res, err = Recommend(ctx, d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mem := reasonOf(res, "memory_p99_with_headroom")
	if rec := res.Recommendation; rec.Parameters["max_connections"] != "" || len(res.WarningTexts()) != 0 || !strings.Contains(mem, "(Aurora's default shared_buffers,") {
		t.Errorf("sso-prod: max_connections %q, warnings %q, memory %q", rec.Parameters["max_connections"], res.WarningTexts(), mem)
	}
}

// An Aurora DB cluster parameter group that sets shared_buffers sizes the buffer cache the memory
// check leaves out.
func TestRecommend_parameterGroupSharedBuffers(t *testing.T) {
	sc := sandbox.Demo()
	sc.ParameterGroups = []sandbox.ParameterGroupSpec{{Name: "sso-apg15", Cluster: true, Parameters: map[string]string{"shared_buffers": "{DBInstanceClassMemory/16384}"}}}
	for i := range sc.Clusters {
		if sc.Clusters[i].ID == "sso-prod" {
			sc.Clusters[i].ParameterGroup = "sso-apg15"
		}
	}
	d, _ := deps(t, sc, testNow)
	res, err := Recommend(context.Background(), d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// Half of db.t4g.medium's 4 GiB.
	if mem := reasonOf(res, "memory_p99_with_headroom"); len(res.WarningTexts()) != 0 ||
		!strings.Contains(mem, "its own 2.00 GiB buffer cache leaves of 4 GiB (the parameter group's shared_buffers {DBInstanceClassMemory/16384},") {
		t.Errorf("memory %q, warnings %q", mem, res.WarningTexts())
	}
}

// reasonOf is the message of res's reason check ("" when it has none).
func reasonOf(res Result, check string) string {
	for _, r := range res.Recommendation.Reasons {
		if r.Check == check {
			return r.Message
		}
	}
	return ""
}

// withGroupSettings copies the facts with the groups' max_connections and shared_buffers, and
// warns about a value it does not evaluate and a group waiting for a reboot.
func TestWithGroupSettings(t *testing.T) {
	c := inventory.Cluster{Kind: inventory.KindAurora, Nodes: []inventory.Node{{ID: "db", Role: inventory.RoleWriter, ParameterGroup: "tuned", ParameterApplyStatus: "in-sync",
		ClusterParameterApplyStatus: "in-sync"}},
		GroupSettings: map[string]inventory.GroupSetting{
			"max_connections": {Value: "{DBInstanceClassMemory/20000000}", From: "DB parameter group tuned"},
			"shared_buffers":  {Value: "{DBInstanceClassMemory/32768}", From: "DB cluster parameter group apg"},
		}}
	slots := []analysis.ReplicationSlot{{Name: "cdc", Logical: true, RetainedBytes: 1 << 20}}
	pg := &analysis.PostgresFacts{MaxConnections: 500, CacheHitRatio: 0.99, ReplicationSlots: slots}
	got, warns := withGroupSettings(pg, c, "db")
	want := analysis.PostgresFacts{MaxConnections: 500, CacheHitRatio: 0.99, MaxConnectionsFormula: "{DBInstanceClassMemory/20000000}",
		SharedBuffersFormula: "{DBInstanceClassMemory/32768}", ReplicationSlots: slots}
	if got == pg || !reflect.DeepEqual(*got, want) || pg.MaxConnectionsFormula != "" || len(warns) != 0 {
		t.Errorf("facts %+v (given %+v), warnings %q", got, pg, warns)
	}
	if got, _ := withGroupSettings(nil, c, "db"); got == nil || !reflect.DeepEqual(*got, analysis.PostgresFacts{MaxConnectionsFormula: want.MaxConnectionsFormula, SharedBuffersFormula: want.SharedBuffersFormula}) {
		t.Errorf("without facts: %+v", got)
	}
	// Groups that set neither: the facts as given, nil staying nil.
	none := inventory.Cluster{Kind: inventory.KindAurora, Nodes: c.Nodes, GroupSettings: map[string]inventory.GroupSetting{"shared_buffers": {Value: "abc", From: "DB parameter group tuned"}}}
	if got, _ := withGroupSettings(pg, none, "db"); got != pg {
		t.Errorf("nothing set: %+v, want the facts given", got)
	}
	if got, _ := withGroupSettings(nil, none, "db"); got != nil {
		t.Errorf("nothing set, no facts: %+v, want nil", got)
	}
	// The status of the group each value came from: the cluster group's for shared_buffers.
	c.Nodes[0].ClusterParameterApplyStatus = "pending-reboot"
	if _, warns := withGroupSettings(nil, c, "db"); len(warns) != 1 ||
		warns[0].Text != "db: writer db's DB cluster parameter group apg is pending-reboot: until the instance restarts it may run other values than the ones the recommendation takes from it" {
		t.Errorf("cluster group pending reboot: %q", warns)
	}
	c.Nodes[0].ParameterApplyStatus = "pending-reboot"
	if _, warns := withGroupSettings(nil, c, "db"); len(warns) != 2 || !strings.Contains(warns[0].Text, "writer db's DB parameter group tuned is pending-reboot") {
		t.Errorf("both pending reboot: %q", warns)
	}
	// RDS's memory check takes no shared_buffers: not taken, nor warned about.
	rds := c
	rds.Kind, rds.GroupSettings = inventory.KindMultiAZ, map[string]inventory.GroupSetting{"shared_buffers": {Value: "{DBInstanceClassMemory/16384}", From: "DB parameter group tuned"}}
	if got, warns := withGroupSettings(pg, rds, "db"); got != pg || len(warns) != 0 {
		t.Errorf("RDS shared_buffers: %+v, %q", got, warns)
	}
	c.Nodes[0].ParameterApplyStatus, c.Nodes[0].ClusterParameterApplyStatus = "in-sync", "in-sync"
	c.GroupSettings["max_connections"] = inventory.GroupSetting{Value: "{AllocatedStorage/4}", From: "DB parameter group tuned"}
	if got, warns := withGroupSettings(pg, c, "db"); got.MaxConnectionsFormula != "" || got.SharedBuffersFormula == "" || len(warns) != 1 ||
		!strings.Contains(warns[0].Text, `its DB parameter group tuned sets max_connections to "{AllocatedStorage/4}", which the provider does not evaluate`) {
		t.Errorf("unevaluable: %+v, %q", got, warns)
	}
	delete(c.GroupSettings, "shared_buffers")
	if got, _ := withGroupSettings(pg, c, "db"); got != pg {
		t.Errorf("nothing usable: %+v, want the facts given", got)
	}
	c.ParametersUnread, c.ParametersDenied = "throttled", false
	if got, warns := withGroupSettings(pg, c, "db"); got != pg || len(warns) != 1 || !strings.HasSuffix(warns[0].Text, "They are read again on the next plan.") ||
		!strings.Contains(warns[0].Text, "and current_parameters, what a new group replacing the writer's DB parameter group must keep, is unknown (null)") {
		t.Errorf("unread: %+v, %q", got, warns)
	}
	// Only the Aurora cluster's DB cluster parameter group unread: current_parameters is known.
	c.WriterGroupParameters = []paramgroups.Parameter{}
	if _, warns := withGroupSettings(pg, c, "db"); len(warns) != 1 || strings.Contains(warns[0].Text, "current_parameters") {
		t.Errorf("cluster group unread: %q, want no word of current_parameters", warns)
	}
	// ... nor when the writer is on RDS's default DB parameter group, which is not read.
	c.WriterGroupParameters, c.Nodes[0].ParameterGroup = nil, "default.aurora-postgresql15"
	if _, warns := withGroupSettings(pg, c, "db"); len(warns) != 1 || strings.Contains(warns[0].Text, "current_parameters") {
		t.Errorf("cluster group unread, writer on a default group: %q, want no word of current_parameters", warns)
	}
}
