package inventory

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAttachParameterGroups discovers a fleet and reads the max_connections its writers' groups
// set: a Multi-AZ instance's custom DB parameter group; an Aurora cluster whose writer's DB
// parameter group sets it over the DB cluster parameter group; one whose DB cluster parameter
// group alone sets it; one on default groups (nothing set, not read). A group shared by two
// deployments is read once; a refused read is recorded, denied, on each deployment it concerns.
func TestAttachParameterGroups(t *testing.T) {
	chat := sandbox.MultiAZInstance("chat", "db.t4g.large", sandbox.IdleWorkload)
	chat.ParameterGroup = "pg15-tuned"
	chat2 := sandbox.MultiAZInstance("chat2", "db.t4g.large", sandbox.IdleWorkload)
	chat2.ParameterGroup = "pg15-tuned"
	plain := sandbox.MultiAZInstance("plain", "db.t4g.large", sandbox.IdleWorkload)
	both := sandbox.AuroraPair("both", "db.r6g.large", sandbox.IdleWorkload, sandbox.IdleWorkload)
	both.ParameterGroup, both.Members[0].ParameterGroup = "apg-cluster", "apg-writer"
	clusterOnly := sandbox.AuroraPair("cluster-only", "db.r6g.large", sandbox.IdleWorkload, sandbox.IdleWorkload)
	clusterOnly.ParameterGroup, clusterOnly.Members[0].ParameterGroup = "apg-cluster", "apg-other"
	// full's writer group sets both parameters: its cluster group is not read.
	full := sandbox.AuroraPair("full", "db.r6g.large", sandbox.IdleWorkload, sandbox.IdleWorkload)
	full.ParameterGroup, full.Members[0].ParameterGroup = "apg-unread", "apg-full"
	srv, err := sandbox.Start(sandbox.Options{Scenario: &sandbox.Scenario{Name: "params",
		Instances: []sandbox.InstanceSpec{chat, chat2, plain},
		Clusters:  []sandbox.ClusterSpec{both, clusterOnly, sandbox.AuroraPair("defaults", "db.r6g.large", sandbox.IdleWorkload, sandbox.IdleWorkload), full},
		ParameterGroups: []sandbox.ParameterGroupSpec{
			{Name: "pg15-tuned", Parameters: map[string]string{"max_connections": "1200", "work_mem": "8192"}},
			{Name: "apg-writer", Parameters: map[string]string{"max_connections": "LEAST({DBInstanceClassMemory/4000000},5000)"}},
			{Name: "apg-other", Parameters: map[string]string{"work_mem": "8192"}},
			{Name: "apg-cluster", Cluster: true, Parameters: map[string]string{"max_connections": "2500", "shared_buffers": "{DBInstanceClassMemory/16384}"}},
			{Name: "apg-full", Parameters: map[string]string{"max_connections": "3000", "shared_buffers": "{DBInstanceClassMemory/16384}"}},
			{Name: "apg-unread", Cluster: true, Parameters: map[string]string{"max_connections": "1"}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	var cs []Cluster
	for _, id := range []string{"chat", "chat2", "plain"} {
		c, err := Discover(ctx, api, id, "")
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	for _, id := range []string{"both", "cluster-only", "defaults", "full"} {
		c, err := Discover(ctx, api, "", id)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	AttachParameterGroups(ctx, api, cs)
	want := map[string]string{
		"chat":  "map[max_connections:{1200 DB parameter group pg15-tuned}]",
		"chat2": "map[max_connections:{1200 DB parameter group pg15-tuned}]",
		"plain": "map[]",
		// The writer's group's max_connections wins; shared_buffers comes from the cluster's.
		"both": "map[max_connections:{LEAST({DBInstanceClassMemory/4000000},5000) DB parameter group apg-writer} " +
			"shared_buffers:{{DBInstanceClassMemory/16384} DB cluster parameter group apg-cluster}]",
		"cluster-only": "map[max_connections:{2500 DB cluster parameter group apg-cluster} shared_buffers:{{DBInstanceClassMemory/16384} DB cluster parameter group apg-cluster}]",
		"defaults":     "map[]",
		"full":         "map[max_connections:{3000 DB parameter group apg-full} shared_buffers:{{DBInstanceClassMemory/16384} DB parameter group apg-full}]",
	}
	// Every parameter of the writer's DB parameter group, for a new group to carry over (none for a
	// default group, which is not read), none of the DB cluster parameter group's.
	wantAll := map[string]string{
		"chat": "[{max_connections 1200 true} {work_mem 8192 false}]", "chat2": "[{max_connections 1200 true} {work_mem 8192 false}]",
		"plain": "[]", "both": "[{max_connections LEAST({DBInstanceClassMemory/4000000},5000) true}]", "cluster-only": "[{work_mem 8192 false}]",
		"defaults": "[]", "full": "[{max_connections 3000 true} {shared_buffers {DBInstanceClassMemory/16384} true}]",
	}
	for _, c := range cs {
		if got := fmt.Sprint(c.WriterGroupParameters); got != wantAll[c.Identifier] {
			t.Errorf("%s: writer group parameters %s, want %s", c.Identifier, got, wantAll[c.Identifier])
		}
		if got := fmt.Sprint(c.GroupSettings); got != want[c.Identifier] || c.ParametersUnread != "" {
			t.Errorf("%s: %s (unread %q), want %s", c.Identifier, got, c.ParametersUnread, want[c.Identifier])
		}
		if w, _ := c.Writer(); c.Kind == KindAurora && w.ClusterParameterApplyStatus != "in-sync" {
			t.Errorf("%s: writer's cluster parameter group status %q", c.Identifier, w.ClusterParameterApplyStatus)
		}
	}
	asked := map[string]int{}
	for _, op := range []string{"DescribeDBParameters", "DescribeDBClusterParameters"} {
		for _, call := range srv.Calls(op) {
			asked[call.Params["DBParameterGroupName"]+call.Params["DBClusterParameterGroupName"]]++
		}
	}
	if asked["pg15-tuned"] != 1 || asked["apg-cluster"] != 1 || asked["apg-writer"] != 1 || asked["apg-other"] != 1 || asked["apg-full"] != 1 || asked["apg-unread"] != 1 || len(asked) != 6 {
		t.Errorf("groups read %v, want each custom one once (apg-cluster for both Aurora clusters, which need its shared_buffers; apg-unread, whose "+
			"shared_buffers full's writer group overrides, for what full's reader, in the default group, runs with), and no default group", asked)
	}
	// What each Aurora reader, in the default DB parameter group, runs with otherwise than its
	// writer: cluster-only's writer group sets work_mem; the others' set no SessionParameters.
	for _, c := range cs {
		want := map[string]string{"cluster-only": "[{work_mem  8192  DB parameter group apg-other}]"}[c.Identifier]
		if got := fmt.Sprint(c.ReaderParameters); (want == "") != (c.ReaderParameters == nil) || want != "" && got != want || c.ReaderParametersUnread != "" {
			t.Errorf("%s: reader parameters %s (unread %q), want %q", c.Identifier, got, c.ReaderParametersUnread, want)
		}
	}

	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}}})
	AttachParameterGroups(ctx, api, cs[:2])
	for _, c := range cs[:2] {
		if c.GroupSettings != nil || c.WriterGroupParameters != nil || !c.ParametersDenied || !strings.Contains(c.ParametersUnread, "rds:DescribeDBParameters") {
			t.Errorf("%s denied: %v, denied %v, unread %q", c.Identifier, c.GroupSettings, c.ParametersDenied, c.ParametersUnread)
		}
	}
}

// TestAttachParameterGroupsReader: an Aurora reader in a DB parameter group of its own runs with
// its group's values, else the DB cluster parameter group's, else PostgreSQL's default, and so does
// the writer: ReaderParameters lists the SessionParameters where the two differ, with where each
// value comes from. A reader group RDS refuses to list is ReaderParametersUnread; a writer's group
// refused is ParametersUnread, and ReaderParametersUnread the same.
func TestAttachParameterGroupsReader(t *testing.T) {
	sso := sandbox.AuroraPair("sso", "db.t4g.medium", sandbox.IdleWorkload, sandbox.IdleWorkload)
	sso.ParameterGroup, sso.Members[0].ParameterGroup, sso.Members[1].ParameterGroup = "sso-cluster", "sso-writer", "sso-reader"
	// hr: RDS's default DB cluster parameter group, not read, and the reader in the default DB
	// parameter group.
	hr := sandbox.AuroraPair("hr", "db.t4g.medium", sandbox.IdleWorkload, sandbox.IdleWorkload)
	hr.Members[0].ParameterGroup = "hr-writer"
	srv, err := sandbox.Start(sandbox.Options{Scenario: &sandbox.Scenario{Name: "reader-params",
		Clusters: []sandbox.ClusterSpec{sso, hr},
		ParameterGroups: []sandbox.ParameterGroupSpec{
			{Name: "sso-writer", Parameters: map[string]string{"statement_timeout": "30000", "max_connections": "400"}},
			{Name: "sso-reader", Parameters: map[string]string{"statement_timeout": "0", "work_mem": "65536", "hot_standby_feedback": "1", "lock_timeout": "5000",
				// PostgreSQL's defaults, set explicitly: the same settings as the writer's, which sets neither.
				"idle_session_timeout": "0", "jit": "on"}},
			{Name: "hr-writer", Parameters: map[string]string{"statement_timeout": "30000"}},
			{Name: "sso-cluster", Cluster: true, Parameters: map[string]string{"work_mem": "8192", "lock_timeout": "5000", "statement_timeout": "10000"}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	api := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	c, err := Discover(ctx, api, "", "sso")
	if err != nil {
		t.Fatal(err)
	}
	h, err := Discover(ctx, api, "", "hr")
	if err != nil {
		t.Fatal(err)
	}
	cs := []Cluster{c, h}
	AttachParameterGroups(ctx, api, cs)
	// lock_timeout, the same on both (the reader's group sets the cluster group's value), is no
	// difference; hot_standby_feedback is not a SessionParameter.
	want := "[{statement_timeout 0 30000 DB parameter group sso-reader DB parameter group sso-writer} " +
		"{work_mem 65536 8192 DB parameter group sso-reader DB cluster parameter group sso-cluster}]"
	if got := fmt.Sprint(cs[0].ReaderParameters); got != want || cs[0].ReaderParametersUnread != "" {
		t.Errorf("reader parameters %s (unread %q), want %s", got, cs[0].ReaderParametersUnread, want)
	}
	if got, want := fmt.Sprint(cs[1].ReaderParameters), "[{statement_timeout  30000  DB parameter group hr-writer}]"; got != want || cs[1].ReaderParametersUnread != "" {
		t.Errorf("hr: reader parameters %s (unread %q), want %s", got, cs[1].ReaderParametersUnread, want)
	}
	for _, call := range srv.Calls("DescribeDBClusterParameters") {
		if g := call.Params["DBClusterParameterGroupName"]; g != "sso-cluster" {
			t.Errorf("DescribeDBClusterParameters of %s: RDS's default groups are not read", g)
		}
	}
	if got := fmt.Sprint(cs[0].GroupSettings); got != "map[max_connections:{400 DB parameter group sso-writer}]" {
		t.Errorf("group settings %s: the cluster group's SessionParameters leaked in", got)
	}

	// The reader's group refused (the writer's, read first, is answered).
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{{Kind: sandbox.FaultNone},
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}}})
	AttachParameterGroups(ctx, api, cs[:1])
	if cs[0].ReaderParameters != nil || !strings.Contains(cs[0].ReaderParametersUnread, "rds:DescribeDBParameters") {
		t.Errorf("reader group denied: %v, unread %q", cs[0].ReaderParameters, cs[0].ReaderParametersUnread)
	}

	// The writer's group refused: the reader's values cannot be compared with values unknown, for
	// the same cause, ParametersUnread itself (one warning says both), and its group is not asked.
	denied := sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{denied, denied}})
	asked := len(srv.Calls("DescribeDBParameters"))
	AttachParameterGroups(ctx, api, cs[:1])
	if cs[0].ReaderParameters != nil || cs[0].ParametersUnread == "" || cs[0].ReaderParametersUnread != cs[0].ParametersUnread {
		t.Errorf("writer group denied: %v, reader unread %q, writer unread %q", cs[0].ReaderParameters, cs[0].ReaderParametersUnread, cs[0].ParametersUnread)
	}
	if calls := srv.Calls("DescribeDBParameters")[asked:]; len(calls) != 1 || calls[0].Params["DBParameterGroupName"] != "sso-writer" {
		t.Errorf("writer group denied: %d DescribeDBParameters calls, want the writer's group's alone", len(calls))
	}
	srv.ClearFaults()
	// The cluster group refused, which the writer's group's max_connections alone leaves to read
	// for shared_buffers: the same.
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBClusterParameters", Rate: 1, RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403,
		Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBClusterParameters"}})
	AttachParameterGroups(ctx, api, cs[:1])
	if cs[0].ReaderParameters != nil || !strings.Contains(cs[0].ParametersUnread, "rds:DescribeDBClusterParameters") || cs[0].ReaderParametersUnread != cs[0].ParametersUnread {
		t.Errorf("cluster group denied: %v, reader unread %q, writer unread %q", cs[0].ReaderParameters, cs[0].ReaderParametersUnread, cs[0].ParametersUnread)
	}
	srv.ClearFaults()

	// A reader in its writer's group runs with the same values: not compared, and so not
	// reported unread when that group is refused (the writer's parameters are, ParametersUnread).
	cs[0].Nodes[1].ParameterGroup = cs[0].Nodes[0].ParameterGroup
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBParameters", Sequence: []sandbox.Fault{
		{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBParameters"}}})
	AttachParameterGroups(ctx, api, cs[:1])
	if cs[0].ReaderParameters != nil || cs[0].ReaderParametersUnread != "" || cs[0].ParametersUnread == "" {
		t.Errorf("reader in the writer's group, group denied: %v, reader unread %q, writer unread %q", cs[0].ReaderParameters, cs[0].ReaderParametersUnread, cs[0].ParametersUnread)
	}
}
