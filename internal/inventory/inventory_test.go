package inventory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

var _ RDSAPI = (*rds.Client)(nil)

// rdsClient starts a sandbox with sc and returns a real RDS client pointed at it.
func rdsClient(t *testing.T, sc *sandbox.Scenario) *rds.Client {
	t.Helper()
	_, client := sandboxClient(t, sc)
	return client
}

func TestDiscover_demo(t *testing.T) {
	ctx := context.Background()
	api := rdsClient(t, sandbox.Demo())

	sso, err := Discover(ctx, api, "", "sso-prod")
	if err != nil {
		t.Fatal(err)
	}
	if sso.Kind != KindAurora || len(sso.Nodes) != 2 || sso.Engine != "aurora-postgresql" {
		t.Fatalf("sso-prod = %+v", sso)
	}
	w, ok := sso.Writer()
	if !ok || w.ID != "sso-prod-instance-1" || w.Class != "db.t4g.medium" {
		t.Fatalf("writer = %+v, %v", w, ok)
	}
	if r := sso.Readers(); len(r) != 1 || r[0].ID != "sso-prod-instance-2" || r[0].AvailabilityZone == "" {
		t.Fatalf("readers = %+v", r)
	}
	if err := sso.CheckTwoNode(); err != nil {
		t.Fatalf("CheckTwoNode: %v", err)
	}
	if n := len(sso.MetricNodes()); n != 2 {
		t.Fatalf("MetricNodes = %d, want 2", n)
	}

	m, err := Discover(ctx, api, "mandible-prod", "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != KindMultiAZ || !m.MultiAZ || len(m.Nodes) != 2 || m.AllocatedStorageGiB != 100 {
		t.Fatalf("mandible-prod = %+v", m)
	}
	if m.Nodes[1].Role != RoleStandby || !m.Nodes[1].Virtual || m.Nodes[1].AvailabilityZone == m.Nodes[0].AvailabilityZone {
		t.Fatalf("standby = %+v (writer AZ %s)", m.Nodes[1], m.Nodes[0].AvailabilityZone)
	}
	if n := len(m.MetricNodes()); n != 1 {
		t.Fatalf("MetricNodes = %d, want 1 (the standby publishes no metrics)", n)
	}
	if err := m.CheckTwoNode(); err != nil {
		t.Fatalf("CheckTwoNode: %v", err)
	}
	// Each instance's InstanceCreateTime, the demo's history's start; none for the standby.
	created := sandbox.ScenarioEpoch.Add(-sandbox.DefaultHistory)
	for _, n := range append(slices.Clone(sso.Nodes), m.Nodes...) {
		if n.Virtual && !n.Created.IsZero() || !n.Virtual && !n.Created.Equal(created) {
			t.Errorf("%s created %v, want %v (zero for a standby)", n.ID, n.Created, created)
		}
	}
}

func TestDiscover_errors(t *testing.T) {
	ctx := context.Background()
	sc := sandbox.Demo()
	for _, extra := range []*sandbox.Scenario{sandbox.MySQL(), sandbox.ServerlessV2(), sandbox.ThreeNodeAurora(), sandbox.SingleAZ()} {
		sc.Clusters = append(sc.Clusters, extra.Clusters...)
		sc.Instances = append(sc.Instances, extra.Instances...)
	}
	api := rdsClient(t, sc)

	cases := []struct {
		name              string
		instance, cluster string
		discoverErr       string // substring of Discover's error
		twoNodeErr        string // substring of CheckTwoNode's error
		notFound          bool
	}{
		{name: "missing instance", instance: "nope", discoverErr: `DB instance "nope" not found`, notFound: true},
		{name: "missing cluster", cluster: "nope", discoverErr: `DB cluster "nope" not found`, notFound: true},
		{name: "cluster by instance id", instance: "sso-prod", discoverErr: `DB instance "sso-prod" not found in this account and region: sso-prod is a DB cluster: name it with db_cluster_identifier`, notFound: true},
		{name: "instance by cluster id", cluster: "mandible-prod", discoverErr: `DB cluster "mandible-prod" not found in this account and region: mandible-prod is a DB instance: name it with db_instance_identifier`, notFound: true},
		{name: "cluster member by cluster id", cluster: "sso-prod-instance-1", discoverErr: `sso-prod-instance-1 is a DB instance of DB cluster sso-prod: name the cluster with db_cluster_identifier`, notFound: true},
		{name: "mysql", instance: "shop-mysql", discoverErr: `engine "mysql" is not supported`},
		{name: "serverless", cluster: "sls-prod", discoverErr: "Serverless v2"},
		{name: "cluster member by instance id", instance: "sso-prod-instance-1", discoverErr: "db_cluster_identifier"},
		{name: "three nodes", cluster: "tri-prod", twoNodeErr: "has 3 instances"},
		{name: "single-az", instance: "solo-db", twoNodeErr: "already Single-AZ"},
		{name: "both", instance: "a", cluster: "b", discoverErr: "not both"},
		{name: "neither", discoverErr: "is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Discover(ctx, api, tc.instance, tc.cluster)
			if tc.discoverErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.discoverErr) {
					t.Fatalf("Discover error = %v, want it to contain %q", err, tc.discoverErr)
				}
				if IsNotFound(err) != tc.notFound {
					t.Fatalf("IsNotFound(%v) = %v, want %v", err, !tc.notFound, tc.notFound)
				}
				return
			}
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			err = c.CheckTwoNode()
			var ue *UnsupportedError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.twoNodeErr) {
				t.Fatalf("CheckTwoNode = %v, want UnsupportedError containing %q", err, tc.twoNodeErr)
			}
		})
	}
}

func TestListFleet(t *testing.T) {
	ctx := context.Background()
	sc := sandbox.Fleet(310) // over 100 Aurora clusters and 100 instances: more than one page of each
	if len(sc.Clusters) <= 100 || len(sc.Instances) <= 100 {
		t.Fatalf("the fleet has %d clusters and %d instances: one page each", len(sc.Clusters), len(sc.Instances))
	}
	demo := sandbox.Demo()
	sc.Clusters = append(sc.Clusters, demo.Clusters...)
	sc.Instances = append(sc.Instances, demo.Instances...)
	sc.Instances = append(sc.Instances, sandbox.MySQL().Instances...)
	api := rdsClient(t, sc)

	all, err := ListFleet(ctx, api, FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	wantN := len(sc.Clusters) + len(sc.Instances) - 1 // the MySQL instance is left out
	if len(all) != wantN {
		t.Fatalf("ListFleet returned %d deployments, want %d", len(all), wantN)
	}
	nodes := 0
	for i, c := range all {
		if i > 0 && all[i-1].Identifier >= c.Identifier {
			t.Fatalf("not sorted at %d: %s >= %s", i, all[i-1].Identifier, c.Identifier)
		}
		if c.Engine == "mysql" {
			t.Fatalf("MySQL instance listed: %+v", c)
		}
		nodes += len(c.MetricNodes())
	}
	if nodes < 120 {
		t.Fatalf("fleet has %d metric-publishing nodes, want >= 120", nodes)
	}

	only, err := ListFleet(ctx, api, FleetFilter{IdentifierRegex: regexp.MustCompile(`-prod$`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(only) != 2 || only[0].Identifier != "mandible-prod" || only[1].Identifier != "sso-prod" {
		t.Fatalf("regex filter kept %v", ids(only))
	}
}

func ids(cs []Cluster) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Identifier
	}
	return out
}

// AttachEndpoints sets each Aurora cluster's custom endpoints, for one discovered cluster or a
// whole fleet with one listing; Discover and ListFleet make no such call themselves; a denied
// listing is recorded, not fatal.
func TestCustomEndpoints(t *testing.T) {
	ctx := context.Background()
	sc := sandbox.Demo()
	sc.Clusters = append(sc.Clusters, sandbox.ThreeNodeAurora().Clusters...)
	srv, err := sandbox.Start(sandbox.Options{Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	api := rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: sdkhttp.Wrap(nil)})
	for _, e := range []struct{ cluster, id, typ string }{{"sso-prod", "reporting", "READER"}, {"sso-prod", "all", "ANY"}, {"tri-prod", "tri-any", "ANY"}} {
		if _, err := api.CreateDBClusterEndpoint(ctx, &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String(e.cluster),
			DBClusterEndpointIdentifier: aws.String(e.id), EndpointType: aws.String(e.typ)}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(c Cluster) string {
		var out []string
		for _, e := range c.CustomEndpoints {
			out = append(out, e.ID+"/"+e.Type)
		}
		return strings.Join(out, ",")
	}
	attached := func(c Cluster, err error) Cluster {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		cs := []Cluster{c}
		AttachEndpoints(ctx, api, cs)
		return cs[0]
	}
	srv.ResetLog()
	sso, err := Discover(ctx, api, "", "sso-prod")
	if n := len(srv.Calls("DescribeDBClusterEndpoints")); err != nil || n != 0 || sso.CustomEndpoints != nil {
		t.Fatalf("Discover listed endpoints: %v, %d calls, %+v", err, n, sso.CustomEndpoints)
	}
	sso = attached(sso, err)
	if ids(sso) != "reporting/READER,all/ANY" || sso.EndpointsUnread != "" {
		t.Fatalf("sso-prod: %q %q", ids(sso), sso.EndpointsUnread)
	}
	if calls := srv.Calls("DescribeDBClusterEndpoints"); len(calls) != 1 || calls[0].Params["DBClusterIdentifier"] != "sso-prod" {
		t.Fatalf("calls %+v", calls)
	}
	if m := attached(Discover(ctx, api, "mandible-prod", "")); m.CustomEndpoints != nil || m.EndpointsUnread != "" {
		t.Fatalf("mandible-prod: %+v", m)
	}
	fleet, err := ListFleet(ctx, api, FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	AttachEndpoints(ctx, api, fleet)
	got := map[string]string{}
	for _, c := range fleet {
		got[c.Identifier] = ids(c)
	}
	if got["sso-prod"] != "reporting/READER,all/ANY" || got["tri-prod"] != "tri-any/ANY" || got["mandible-prod"] != "" {
		t.Fatalf("fleet endpoints %v", got)
	}
	if n := len(srv.Calls("DescribeDBClusterEndpoints")); n != 1 {
		t.Fatalf("%d DescribeDBClusterEndpoints calls for the fleet, want 1", n)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBClusterEndpoints", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBClusterEndpoints"}})
	sso = attached(Discover(ctx, api, "", "sso-prod"))
	if sso.CustomEndpoints != nil || !strings.Contains(sso.EndpointsUnread, "AccessDenied") || sso.ProxiesUnread != "" {
		t.Fatalf("denied: %+v", sso)
	}
	srv.ClearFaults()

	// RDS Proxy read-only endpoints, attached by cluster, from one listing for the fleet.
	acctest.AddProxy(t, srv, "sso-proxy", "sso-prod", "", map[string]rdstypes.DBProxyEndpointTargetRole{"sso-ro": rdstypes.DBProxyEndpointTargetRoleReadOnly})
	acctest.AddProxy(t, srv, "chat-proxy", "", "mandible-prod", nil)
	srv.ResetLog()
	AttachEndpoints(ctx, api, fleet)
	px := map[string]string{}
	for _, c := range fleet {
		px[c.Identifier] = fmt.Sprint(c.ProxyReaderEndpoints) + c.ProxiesUnread
	}
	if px["sso-prod"] != "[{sso-proxy sso-ro}]" || px["tri-prod"] != "[]" || px["mandible-prod"] != "[]" {
		t.Fatalf("fleet proxy endpoints %v", px)
	}
	if n := len(srv.Calls("DescribeDBProxyEndpoints")); n != 1 {
		t.Fatalf("%d DescribeDBProxyEndpoints calls for the fleet, want 1", n)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBProxyEndpoints", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeDBProxyEndpoints"}})
	sso = attached(Discover(ctx, api, "", "sso-prod"))
	if sso.ProxyReaderEndpoints != nil || !strings.Contains(sso.ProxiesUnread, "AccessDenied") || sso.EndpointsUnread != "" || ids(sso) != "reporting/READER,all/ANY" {
		t.Fatalf("proxies denied: %+v", sso)
	}
}

// AttachAutoScaling sets each Aurora cluster's Aurora Auto Scaling from one listing (of the one
// cluster, or of the region for a fleet), leaves clusters without a target and Multi-AZ
// instances alone, and records a failed listing.
func TestAttachAutoScaling(t *testing.T) {
	ctx := context.Background()
	sc := sandbox.Demo()
	sc.Clusters = append(sc.Clusters, sandbox.ThreeNodeAurora().Clusters...)
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sc})
	api := rds.NewFromConfig(srv.AWSConfig())
	aas := applicationautoscaling.NewFromConfig(srv.AWSConfig())
	acctest.AddReplicaScaling(t, srv, "sso-prod", 1, 3)
	fleet, err := ListFleet(ctx, api, FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	AttachAutoScaling(ctx, aas, fleet)
	got := map[string]string{}
	for _, c := range fleet {
		got[c.Identifier] = fmt.Sprint(c.ReplicaAutoScaling) + c.AutoScalingUnread
	}
	if got["sso-prod"] != "&{1 3}" || got["tri-prod"] != "<nil>" || got["mandible-prod"] != "<nil>" {
		t.Fatalf("fleet auto scaling %v", got)
	}
	if calls := srv.Calls("DescribeScalableTargets"); len(calls) != 1 {
		t.Fatalf("%d DescribeScalableTargets calls for the fleet, want 1", len(calls))
	}
	one, err := Discover(ctx, api, "", "sso-prod")
	if err != nil {
		t.Fatal(err)
	}
	cs := []Cluster{one}
	AttachAutoScaling(ctx, aas, cs)
	if a := cs[0].ReplicaAutoScaling; a == nil || *a != (analysis.ReplicaAutoScaling{MinCapacity: 1, MaxCapacity: 3}) {
		t.Fatalf("sso-prod alone: %+v", cs[0])
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeScalableTargets", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 400, Code: "AccessDeniedException", Message: "not authorized"}})
	cs = []Cluster{one}
	AttachAutoScaling(ctx, aas, cs)
	if cs[0].ReplicaAutoScaling != nil || !strings.Contains(cs[0].AutoScalingUnread, "AccessDeniedException") {
		t.Fatalf("denied: %+v", cs[0])
	}
}

// AttachBlueGreen gives each deployment of the fleet the blue/green deployments whose source or
// green database it is, from one listing; a second call lists nothing, and a denied listing is
// recorded on each cluster.
func TestAttachBlueGreen(t *testing.T) {
	ctx := context.Background()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.Demo()})
	api := rds.NewFromConfig(srv.AWSConfig())
	chat := acctest.AddBlueGreen(t, srv, "chat-upgrade", "", "mandible-prod")
	sso := acctest.AddBlueGreen(t, srv, "sso-upgrade", "sso-prod", "")
	fleet, err := ListFleet(ctx, api, FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	AttachBlueGreen(ctx, api, fleet)
	got := map[string]string{}
	for _, c := range fleet {
		var blue, green []string
		for _, d := range c.BlueGreenDeployments {
			blue = append(blue, d.ID)
		}
		for _, d := range c.GreenOf {
			green = append(green, d.ID)
		}
		key := c.Identifier
		if i := strings.Index(key, "-green-"); i > 0 {
			key = key[:i] + "-green"
		}
		got[key] = fmt.Sprintf("blue %v green %v%s", blue, green, c.BlueGreenUnread)
	}
	want := map[string]string{
		"mandible-prod": fmt.Sprintf("blue [%s] green []", chat), "mandible-prod-green": fmt.Sprintf("blue [] green [%s]", chat),
		"sso-prod": fmt.Sprintf("blue [%s] green []", sso), "sso-prod-green": fmt.Sprintf("blue [] green [%s]", sso),
	}
	if !maps.Equal(got, want) {
		t.Fatalf("fleet blue/green %v, want %v", got, want)
	}
	AttachBlueGreen(ctx, api, fleet)
	if calls := srv.Calls("DescribeBlueGreenDeployments"); len(calls) != 1 {
		t.Fatalf("%d DescribeBlueGreenDeployments calls, want 1", len(calls))
	}
	one, err := Discover(ctx, api, "mandible-prod", "")
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeBlueGreenDeployments", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	cs := []Cluster{one}
	AttachBlueGreen(ctx, api, cs)
	if cs[0].BlueGreenDeployments != nil || cs[0].GreenOf != nil || !strings.Contains(cs[0].BlueGreenUnread, "AccessDenied") {
		t.Fatalf("denied: %+v", cs[0])
	}
}

// Discover and ListFleet read the windows (an Aurora cluster's backup window and its writer's
// maintenance window); AttachMaintenance names each deployment's pending actions, its cluster's
// and every instance's, from one listing; a denied listing is recorded, not returned.
func TestAttachMaintenance(t *testing.T) {
	ctx := context.Background()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: acctest.DemoMaintenance()})
	api := rds.NewFromConfig(srv.AWSConfig())
	fleet, err := ListFleet(ctx, api, FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	AttachMaintenance(ctx, api, fleet)
	if calls := srv.Calls("DescribePendingMaintenanceActions"); len(calls) != 1 {
		t.Fatalf("%d DescribePendingMaintenanceActions calls, want 1", len(calls))
	}
	got := map[string]string{}
	for _, c := range fleet {
		var actions []string
		for _, a := range c.PendingMaintenance {
			actions = append(actions, a.Resource+" "+a.Action)
		}
		got[c.Identifier] = fmt.Sprintf("%s %s %v%s", c.BackupWindow, c.MaintenanceWindow, actions, c.MaintenanceUnread)
	}
	want := map[string]string{
		"mandible-prod": "13:00-13:30 tue:14:00-tue:14:30 [mandible-prod system-update]",
		"sso-prod":      "07:00-07:30 wed:03:00-wed:03:30 [sso-prod db-upgrade sso-prod-instance-1 system-update sso-prod-instance-2 system-update]",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("fleet windows and maintenance %v, want %v", got, want)
	}
	for _, c := range fleet {
		for _, n := range c.Nodes {
			if (n.ARN == "") != n.Virtual || (n.ARN != "" && !strings.HasSuffix(n.ARN, ":db:"+n.ID)) {
				t.Errorf("%s node %s: ARN %q", c.Identifier, n.ID, n.ARN)
			}
		}
	}

	one, err := Discover(ctx, api, "", "sso-prod")
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribePendingMaintenanceActions", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	cs := []Cluster{one}
	AttachMaintenance(ctx, api, cs)
	if cs[0].PendingMaintenance != nil || !strings.Contains(cs[0].MaintenanceUnread, "rds:DescribePendingMaintenanceActions") ||
		!strings.Contains(cs[0].MaintenanceUnread, "AccessDenied") || cs[0].BackupWindow != "07:00-07:30" {
		t.Fatalf("denied: %+v", cs[0])
	}
}

// AttachEvents gives each deployment its recent failover events, an Aurora cluster's own included,
// from one listing; a denied listing is recorded, not returned.
func TestAttachEvents(t *testing.T) {
	ctx := context.Background()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.Demo()})
	api := rds.NewFromConfig(srv.AWSConfig())
	acctest.FailOver(t, srv)
	fleet, err := ListFleet(ctx, api, FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	AttachEvents(ctx, api, fleet, srv.Now())
	if calls := srv.Calls("DescribeEvents"); len(calls) != 1 {
		t.Fatalf("%d DescribeEvents calls, want 1", len(calls))
	}
	got := map[string]string{}
	for _, c := range fleet {
		var es []string
		for _, e := range c.Events {
			es = append(es, e.Source+": "+e.Message)
		}
		got[c.Identifier] = strings.Join(es, "; ") + c.EventsUnread
	}
	want := map[string]string{
		"mandible-prod": "mandible-prod: Multi-AZ instance failover started.",
		"sso-prod":      "sso-prod: Started cross AZ failover to DB instance: sso-prod-instance-2; sso-prod: Completed failover to DB instance: sso-prod-instance-2",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("fleet events %v, want %v", got, want)
	}
	srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeEvents", Rate: 1,
		RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
	AttachEvents(ctx, api, fleet, srv.Now())
	if fleet[0].Events != nil || !strings.Contains(fleet[0].EventsUnread, "rds:DescribeEvents") {
		t.Fatalf("denied: %+v", fleet[0])
	}
}

// A Multi-AZ DB cluster (RDS, not Aurora: a writer and two readable standbys) is refused with its
// own reason, not as an unknown engine; ListFleet keeps it, with no nodes, for the fleet to list as
// skipped, and CheckTwoNode refuses it.
func TestMultiAZDBClusterUnsupported(t *testing.T) {
	ctx := context.Background()
	srv := acctest.StartSandbox(t, sandbox.Options{Scenario: sandbox.MultiAZDBCluster()})
	api := rds.NewFromConfig(srv.AWSConfig())
	const reason = `it is a Multi-AZ DB cluster (engine "postgres": a writer and two readable standby instances), which is not supported`
	_, err := Discover(ctx, api, "", "orders-prod")
	var ue *UnsupportedError
	if !errors.As(err, &ue) || !strings.HasPrefix(ue.Reason, reason) {
		t.Fatalf("Discover: err = %v", err)
	}
	fleet, err := ListFleet(ctx, api, FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fleet) != 1 || fleet[0].Identifier != "orders-prod" || !strings.HasPrefix(fleet[0].Unsupported, reason) || len(fleet[0].Nodes) != 0 ||
		!strings.HasSuffix(fleet[0].ARN, ":cluster:orders-prod") {
		t.Fatalf("fleet %+v", fleet)
	}
	if err := fleet[0].CheckTwoNode(); !errors.As(err, &ue) || ue.Reason != fleet[0].Unsupported {
		t.Fatalf("CheckTwoNode: %v", err)
	}
}

// Discover lists a cluster's members by the identifier RDS returned for it (stored in lower case),
// not by the caller's spelling: in mixed case or as the cluster's ARN, the db-cluster-id filter
// of the member listing carries "sso-prod", and the cluster has its two nodes.
func TestDiscover_clusterMembersByReturnedIdentifier(t *testing.T) {
	ctx := context.Background()
	srv, err := sandbox.Start(sandbox.Options{Scenario: sandbox.Demo()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	api := rds.NewFromConfig(srv.AWSConfig())
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil || len(out.DBClusters) != 1 {
		t.Fatalf("describing sso-prod: %v", err)
	}
	for _, spelling := range []string{"SSO-Prod", aws.ToString(out.DBClusters[0].DBClusterArn)} {
		srv.ResetLog()
		c, err := Discover(ctx, api, "", spelling)
		if err != nil {
			t.Fatalf("%s: %v", spelling, err)
		}
		if c.Identifier != "sso-prod" || len(c.Nodes) != 2 {
			t.Errorf("%s: identifier %q, %d nodes", spelling, c.Identifier, len(c.Nodes))
		}
		var filters []string
		for _, call := range srv.Calls("DescribeDBInstances") {
			filters = append(filters, call.Params["Filters.Filter.1.Name"]+"="+call.Params["Filters.Filter.1.Values.Value.1"])
		}
		if want := []string{"db-cluster-id=sso-prod"}; !slices.Equal(filters, want) {
			t.Errorf("%s: DescribeDBInstances filters %q, want %q", spelling, filters, want)
		}
	}
}
