package paramgroups

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestUserValue reads every parameter of a group that sets them over two pages of 100, one that
// sets one, RDS's default group, a value of a DB cluster parameter group, and groups RDS does not
// know or refuses to show.
func TestUserValue(t *testing.T) {
	many := map[string]string{"max_connections": "858"}
	for i := range 150 {
		many[fmt.Sprintf("app.p%03d", i)] = fmt.Sprint(i) // sorted before max_connections: it is on the second page
	}
	db := sandbox.MultiAZInstance("chat", "db.t4g.large", sandbox.IdleWorkload)
	db.ParameterGroup = "chat-pg15"
	pair := sandbox.AuroraPair("sso", "db.t4g.medium", sandbox.IdleWorkload, sandbox.IdleWorkload)
	pair.ParameterGroup = "sso-cluster"
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: &sandbox.Scenario{Name: "params", Instances: []sandbox.InstanceSpec{db}, Clusters: []sandbox.ClusterSpec{pair},
		ParameterGroups: []sandbox.ParameterGroupSpec{
			{Name: "chat-pg15", Parameters: many},
			{Name: "other", Parameters: map[string]string{"work_mem": "8192"}},
			{Name: "sso-cluster", Cluster: true, Parameters: map[string]string{"max_connections": "LEAST({DBInstanceClassMemory/4000000},5000)"}},
			{Name: "many-cluster", Cluster: true, Parameters: many},
		}}})
	rc := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	all, err := UserParameters(ctx, rc, "chat-pg15")
	if err != nil || len(all) != 151 || all[0] != (Parameter{Name: "app.p000", Value: "0"}) || all[150] != (Parameter{Name: "max_connections", Value: "858", Static: true}) {
		t.Errorf("chat-pg15: %d parameters %v, %v; want 151, app.p000 first (dynamic), max_connections last (static)", len(all), all, err)
	}
	if n := len(srv.Calls("DescribeDBParameters")); n != 2 {
		t.Errorf("%d DescribeDBParameters calls, want 2 (two pages)", n)
	}
	if got, err := UserParameters(ctx, rc, "other"); err != nil || fmt.Sprint(got) != "[{work_mem 8192 false}]" || got[0].ApplyMethod() != "immediate" {
		t.Errorf("other: %v %v, want work_mem, dynamic", got, err)
	}
	if all[150].ApplyMethod() != "pending-reboot" {
		t.Errorf("max_connections' apply method %q, want pending-reboot", all[150].ApplyMethod())
	}
	if got, err := UserParameters(ctx, rc, "default.postgres15"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("default.postgres15: %#v %v, want an empty, non-nil list (read, none set)", got, err)
	}
	got, err := ClusterUserValues(ctx, rc, "sso-cluster", "max_connections")
	if err != nil || got["max_connections"] != "LEAST({DBInstanceClassMemory/4000000},5000)" {
		t.Errorf("sso-cluster: %v %v", got, err)
	}
	// A value found on the first page is all ClusterUserValues needs; one on the second takes both.
	if got, err := ClusterUserValues(ctx, rc, "many-cluster", "app.p000"); err != nil || fmt.Sprint(got) != "map[app.p000:0]" || len(srv.Calls("DescribeDBClusterParameters")) != 2 {
		t.Errorf("many-cluster's app.p000: %v %v, %d calls in all (want 2: one before, one page)", got, err, len(srv.Calls("DescribeDBClusterParameters")))
	}
	if got, err := ClusterUserValues(ctx, rc, "many-cluster", "max_connections", "app.p003"); err != nil || fmt.Sprint(got) != "map[app.p003:3 max_connections:858]" || len(srv.Calls("DescribeDBClusterParameters")) != 4 {
		t.Errorf("many-cluster's max_connections: %v %v, %d calls in all (want 4)", got, err, len(srv.Calls("DescribeDBClusterParameters")))
	}
	if got, err := ClusterUserValues(ctx, rc, "chat-pg15", "max_connections"); got != nil || err == nil ||
		!strings.Contains(err.Error(), "DB cluster parameter group chat-pg15 (rds:DescribeDBClusterParameters)") || !strings.Contains(err.Error(), "DBParameterGroupNotFound") {
		t.Errorf("chat-pg15 as a cluster group: %v %v", got, err)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}}})
	if got, err := UserParameters(ctx, rc, "chat-pg15"); got != nil || err == nil ||
		!strings.Contains(err.Error(), "DB parameter group chat-pg15 (rds:DescribeDBParameters)") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("denied: %v %v", got, err)
	}
}
