package sandbox

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// paramScenario has a Multi-AZ instance on a custom DB parameter group that sets max_connections
// and 24 other parameters, another on its default group, and an Aurora cluster on a custom DB
// cluster parameter group whose writer has a custom DB parameter group.
func paramScenario() *Scenario {
	many := map[string]string{"max_connections": "858"}
	for i := range 24 {
		many[fmt.Sprintf("rightsize.p%02d", i)] = fmt.Sprint(i)
	}
	pair := AuroraPair("sso", "db.t4g.medium", IdleWorkload, IdleWorkload)
	pair.ParameterGroup = "sso-cluster"
	pair.Members[0].ParameterGroup = "sso-writer"
	custom := MultiAZInstance("chat", "db.t4g.large", IdleWorkload)
	custom.ParameterGroup = "chat-pg15"
	return &Scenario{Name: "params", Clusters: []ClusterSpec{pair},
		Instances: []InstanceSpec{custom, MultiAZInstance("plain", "db.t4g.large", IdleWorkload)},
		ParameterGroups: []ParameterGroupSpec{
			{Name: "chat-pg15", Parameters: many},
			{Name: "sso-writer", Parameters: map[string]string{"work_mem": "8192"}},
			{Name: "sso-cluster", Cluster: true, Parameters: map[string]string{"max_connections": "LEAST({DBInstanceClassMemory/4000000},5000)"}},
		}}
}

// TestDescribeDBParameters reads parameter groups with the real SDK client: the groups instances
// and clusters report, every user value of a group over pages of 20, the system default of
// max_connections, a default group that sets nothing, and an unknown group.
func TestDescribeDBParameters(t *testing.T) {
	_, rc, _ := start(t, Options{Scenario: paramScenario()})
	ctx := context.Background()
	groupOf := func(id string) string {
		out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil || len(out.DBInstances) != 1 || len(out.DBInstances[0].DBParameterGroups) != 1 {
			t.Fatalf("%s: %v", id, err)
		}
		g := out.DBInstances[0].DBParameterGroups[0]
		return aws.ToString(g.DBParameterGroupName) + " " + aws.ToString(g.ParameterApplyStatus)
	}
	for id, want := range map[string]string{"chat": "chat-pg15 in-sync", "plain": "default.postgres15 in-sync", "sso-instance-1": "sso-writer in-sync",
		"sso-instance-2": "default.aurora-postgresql15 in-sync"} {
		if got := groupOf(id); got != want {
			t.Errorf("%s's DB parameter group: %q, want %q", id, got, want)
		}
	}
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso")})
	if err != nil || aws.ToString(cl.DBClusters[0].DBClusterParameterGroup) != "sso-cluster" {
		t.Fatalf("sso's DB cluster parameter group: %v %v", err, cl)
	}

	params := func(group, source string) map[string]string {
		in := &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String(group), MaxRecords: aws.Int32(20)}
		if source != "" {
			in.Source = aws.String(source)
		}
		got := map[string]string{}
		for _, p := range everyPage(t, rds.NewDescribeDBParametersPaginator(rc, in), func(o *rds.DescribeDBParametersOutput) []rdstypes.Parameter { return o.Parameters }) {
			got[aws.ToString(p.ParameterName)] = aws.ToString(p.ParameterValue) + " " + aws.ToString(p.Source)
		}
		return got
	}
	user := params("chat-pg15", "user")
	if len(user) != 25 || user["max_connections"] != "858 user" || user["rightsize.p23"] != "23 user" {
		t.Errorf("chat-pg15's user values: %d %q", len(user), user)
	}
	if all := params("chat-pg15", ""); len(all) != 25 || all["max_connections"] != "858 user" {
		t.Errorf("chat-pg15's parameters: %d %q", len(all), all)
	}
	if sys := params("chat-pg15", "system"); len(sys) != 1 || sys["max_connections"] != systemMaxConnections+" system" {
		t.Errorf("chat-pg15's system values: %q", sys)
	}
	if user := params("default.postgres15", "user"); len(user) != 0 {
		t.Errorf("default.postgres15's user values: %q, want none", user)
	}
	if all := params("default.postgres15", ""); len(all) != 1 || all["max_connections"] != systemMaxConnections+" system" {
		t.Errorf("default.postgres15's parameters: %q", all)
	}
	// A DB cluster parameter group is not a DB parameter group, and the other way round.
	_, err = rc.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("sso-cluster")})
	if !isErr[*rdstypes.DBParameterGroupNotFoundFault](err) || !strings.Contains(err.Error(), "sso-cluster") {
		t.Errorf("sso-cluster as a DB parameter group: %v", err)
	}
	out, err := rc.DescribeDBClusterParameters(ctx, &rds.DescribeDBClusterParametersInput{DBClusterParameterGroupName: aws.String("sso-cluster"), Source: aws.String("user")})
	if err != nil || len(out.Parameters) != 1 || aws.ToString(out.Parameters[0].ParameterValue) != "LEAST({DBInstanceClassMemory/4000000},5000)" {
		t.Errorf("sso-cluster: %v %+v", err, out)
	}
	_, err = rc.DescribeDBClusterParameters(ctx, &rds.DescribeDBClusterParametersInput{DBClusterParameterGroupName: aws.String("chat-pg15")})
	if !isErr[*rdstypes.DBParameterGroupNotFoundFault](err) {
		t.Errorf("chat-pg15 as a DB cluster parameter group: %v", err)
	}
	if _, err := rc.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("chat-pg15"), Source: aws.String("mine")}); err == nil ||
		!strings.Contains(err.Error(), "Source") {
		t.Errorf("Source mine: %v", err)
	}
}

// TestCreateDBInstance_parameterGroup: a created or restored instance has the DB parameter group
// named, else its engine's default; an unknown one is refused and nothing is created.
func TestCreateDBInstance_parameterGroup(t *testing.T) {
	srv, rc, _ := start(t, Options{Scenario: paramScenario()})
	ctx := context.Background()
	_, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-3"), DBClusterIdentifier: aws.String("sso"),
		DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("aurora-postgresql"), DBParameterGroupName: aws.String("sso-writer")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-4"), DBClusterIdentifier: aws.String("sso"),
		DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("aurora-postgresql"), DBParameterGroupName: aws.String("nope")})
	if !isErr[*rdstypes.DBParameterGroupNotFoundFault](err) {
		t.Errorf("unknown group: %v", err)
	}
	if _, ok := srv.InstanceStatus("sso-4"); ok {
		t.Error("sso-4 was created with an unknown parameter group")
	}
	out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("sso-3")})
	if err != nil || aws.ToString(out.DBInstances[0].DBParameterGroups[0].DBParameterGroupName) != "sso-writer" {
		t.Errorf("sso-3: %v %+v", err, out)
	}
}

// TestCreateDBInstance_parameterGroupFamily: an Aurora PostgreSQL member created with a DB
// parameter group of another major version's family (a default group's, or a scenario group's
// Family), as after a major upgrade, is refused as RDS refuses it; the cluster's own family is
// taken.
func TestCreateDBInstance_parameterGroupFamily(t *testing.T) {
	sc := paramScenario()
	sc.ParameterGroups = append(sc.ParameterGroups, ParameterGroupSpec{Name: "sso-old", Family: "aurora-postgresql14"})
	srv, rc, _ := start(t, Options{Scenario: sc})
	ctx := context.Background()
	create := func(id, group string) error {
		_, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBClusterIdentifier: aws.String("sso"),
			DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("aurora-postgresql"), DBParameterGroupName: aws.String(group)})
		return err
	}
	for id, group := range map[string]string{"sso-5": "default.aurora-postgresql14", "sso-6": "sso-old"} {
		err := create(id, group)
		if apiCode(err) != "InvalidParameterCombination" || !strings.Contains(err.Error(), "DBParameterGroupFamily aurora-postgresql15") {
			t.Errorf("%s: %v", group, err)
		}
		if _, ok := srv.InstanceStatus(id); ok {
			t.Errorf("%s was created with %s", id, group)
		}
	}
	if err := create("sso-7", "default.aurora-postgresql15"); err != nil {
		t.Errorf("the cluster's family: %v", err)
	}
}

// TestScenarioParameterGroups_invalid: Validate refuses bad names, duplicates, and references to
// groups that do not exist or are of the other kind.
func TestScenarioParameterGroups_invalid(t *testing.T) {
	for name, edit := range map[string]func(*Scenario){
		"bad name":         func(s *Scenario) { s.ParameterGroups[0].Name = "chat--pg" },
		"trailing hyphen":  func(s *Scenario) { s.ParameterGroups[0].Name = "chat-" },
		"duplicate":        func(s *Scenario) { s.ParameterGroups[1].Name = "CHAT-pg15" },
		"empty value":      func(s *Scenario) { s.ParameterGroups[1].Parameters["work_mem"] = "" },
		"unknown":          func(s *Scenario) { s.Instances[1].ParameterGroup = "nope" },
		"cluster group":    func(s *Scenario) { s.Instances[1].ParameterGroup = "sso-cluster" },
		"instance group":   func(s *Scenario) { s.Clusters[0].ParameterGroup = "chat-pg15" },
		"member's unknown": func(s *Scenario) { s.Clusters[0].Members[1].ParameterGroup = "sso-cluster" },
	} {
		s := paramScenario()
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		edit(s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "arameter group") && !strings.Contains(err.Error(), "ParameterGroup") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
