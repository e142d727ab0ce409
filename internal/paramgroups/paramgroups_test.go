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
	v, ok, err := UserValue(ctx, rc, "chat-pg15", "max_connections")
	if err != nil || !ok || v != "858" {
		t.Errorf("chat-pg15: %q %v %v", v, ok, err)
	}
	if n := len(srv.Calls("DescribeDBParameters")); n != 2 {
		t.Errorf("%d DescribeDBParameters calls, want 2 (two pages)", n)
	}
	for _, g := range []string{"other", "default.postgres15"} {
		if v, ok, err := UserValue(ctx, rc, g, "max_connections"); err != nil || ok || v != "" {
			t.Errorf("%s: %q %v %v, want not set", g, v, ok, err)
		}
	}
	v, ok, err = ClusterUserValue(ctx, rc, "sso-cluster", "max_connections")
	if err != nil || !ok || v != "LEAST({DBInstanceClassMemory/4000000},5000)" {
		t.Errorf("sso-cluster: %q %v %v", v, ok, err)
	}
	if _, ok, err := ClusterUserValue(ctx, rc, "chat-pg15", "max_connections"); ok || err == nil ||
		!strings.Contains(err.Error(), "DB cluster parameter group chat-pg15 (rds:DescribeDBClusterParameters)") || !strings.Contains(err.Error(), "DBParameterGroupNotFound") {
		t.Errorf("chat-pg15 as a cluster group: %v %v", ok, err)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}}})
	if _, ok, err := UserValue(ctx, rc, "chat-pg15", "max_connections"); ok || err == nil ||
		!strings.Contains(err.Error(), "DB parameter group chat-pg15 (rds:DescribeDBParameters)") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("denied: %v %v", ok, err)
	}
}
