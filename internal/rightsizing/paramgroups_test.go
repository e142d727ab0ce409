package rightsizing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
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
		len(res.Warnings) != 0 {
		t.Errorf("group's 1200: class %s, max_connections %q, connections %+v, warnings %q", rec.RecommendedClass, rec.Parameters["max_connections"], conns, res.Warnings)
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
	if rec := res.Recommendation; rec.Parameters["max_connections"] != "" || len(res.Warnings) != 1 ||
		!strings.HasPrefix(res.Warnings[0], "mandible-prod: the max_connections its parameter groups set was not read (reading DB parameter group chat-pg15 (rds:DescribeDBParameters): ") ||
		!strings.HasSuffix(res.Warnings[0], "Allow rds:DescribeDBParameters (and, for Aurora, rds:DescribeDBClusterParameters) to the provider's credentials.") {
		t.Errorf("denied: max_connections %q, warnings %q", rec.Parameters["max_connections"], res.Warnings)
	}

	// sso-prod is on RDS's default groups, which are not read: nothing set, no warning.
	res, err = Recommend(ctx, d, Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rec := res.Recommendation; rec.Parameters["max_connections"] != "" || len(res.Warnings) != 0 {
		t.Errorf("sso-prod: max_connections %q, warnings %q", rec.Parameters["max_connections"], res.Warnings)
	}
}

// withGroupMaxConnections copies the facts, and warns about a value it does not evaluate and a
// writer's group waiting for a reboot.
func TestWithGroupMaxConnections(t *testing.T) {
	c := inventory.Cluster{Nodes: []inventory.Node{{ID: "db", Role: inventory.RoleWriter, ParameterGroup: "tuned", ParameterApplyStatus: "in-sync"}},
		MaxConnectionsSetting: "{DBInstanceClassMemory/20000000}", MaxConnectionsFrom: "DB parameter group tuned"}
	pg := &analysis.PostgresFacts{MaxConnections: 500, CacheHitRatio: 0.99}
	got, warns := withGroupMaxConnections(pg, c, "db")
	if got == pg || *got != (analysis.PostgresFacts{MaxConnections: 500, CacheHitRatio: 0.99, MaxConnectionsFormula: "{DBInstanceClassMemory/20000000}"}) ||
		pg.MaxConnectionsFormula != "" || len(warns) != 0 {
		t.Errorf("facts %+v (given %+v), warnings %q", got, pg, warns)
	}
	if got, _ := withGroupMaxConnections(nil, c, "db"); got == nil || *got != (analysis.PostgresFacts{MaxConnectionsFormula: c.MaxConnectionsSetting}) {
		t.Errorf("without facts: %+v", got)
	}
	c.Nodes[0].ParameterApplyStatus = "pending-reboot"
	if _, warns := withGroupMaxConnections(nil, c, "db"); len(warns) != 1 ||
		!strings.Contains(warns[0], "writer db's DB parameter group tuned is pending-reboot: until the instance restarts it may run another max_connections than the {DBInstanceClassMemory/20000000}") {
		t.Errorf("pending reboot: %q", warns)
	}
	c.MaxConnectionsSetting = "{AllocatedStorage/4}"
	if got, warns := withGroupMaxConnections(pg, c, "db"); got != pg || len(warns) != 1 ||
		!strings.Contains(warns[0], `its DB parameter group tuned sets max_connections to "{AllocatedStorage/4}", which the provider does not evaluate`) {
		t.Errorf("unevaluable: %+v, %q", got, warns)
	}
	c.ParametersUnread, c.ParametersDenied = "throttled", false
	if got, warns := withGroupMaxConnections(pg, c, "db"); got != pg || len(warns) != 1 || !strings.HasSuffix(warns[0], "They are read again on the next plan.") {
		t.Errorf("unread: %+v, %q", got, warns)
	}
}
