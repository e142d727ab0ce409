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

// TestUserValue reads a parameter from a group that sets it past the first page of 100, one that
// sets others only, RDS's default group, a DB cluster parameter group, and groups RDS does not know
// or refuses to show.
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
		}}})
	rc := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	got, err := UserValues(ctx, rc, "chat-pg15", "max_connections", "shared_buffers", "app.p003")
	if err != nil || fmt.Sprint(got) != "map[app.p003:3 max_connections:858]" {
		t.Errorf("chat-pg15: %v %v", got, err)
	}
	if n := len(srv.Calls("DescribeDBParameters")); n != 2 {
		t.Errorf("%d DescribeDBParameters calls, want 2 (two pages)", n)
	}
	// One found on the first page is all it needs.
	if got, err := UserValues(ctx, rc, "chat-pg15", "app.p000"); err != nil || got["app.p000"] != "0" || len(srv.Calls("DescribeDBParameters")) != 3 {
		t.Errorf("chat-pg15's app.p000: %v %v, %d calls in all", got, err, len(srv.Calls("DescribeDBParameters")))
	}
	for _, g := range []string{"other", "default.postgres15"} {
		if got, err := UserValues(ctx, rc, g, "max_connections"); err != nil || len(got) != 0 {
			t.Errorf("%s: %v %v, want not set", g, got, err)
		}
	}
	got, err = ClusterUserValues(ctx, rc, "sso-cluster", "max_connections")
	if err != nil || got["max_connections"] != "LEAST({DBInstanceClassMemory/4000000},5000)" {
		t.Errorf("sso-cluster: %v %v", got, err)
	}
	if got, err := ClusterUserValues(ctx, rc, "chat-pg15", "max_connections"); got != nil || err == nil ||
		!strings.Contains(err.Error(), "DB cluster parameter group chat-pg15 (rds:DescribeDBClusterParameters)") || !strings.Contains(err.Error(), "DBParameterGroupNotFound") {
		t.Errorf("chat-pg15 as a cluster group: %v %v", got, err)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}}})
	if got, err := UserValues(ctx, rc, "chat-pg15", "max_connections"); got != nil || err == nil ||
		!strings.Contains(err.Error(), "DB parameter group chat-pg15 (rds:DescribeDBParameters)") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("denied: %v %v", got, err)
	}
}
