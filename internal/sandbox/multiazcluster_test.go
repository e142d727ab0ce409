package sandbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// describeCluster returns one DB cluster through the SDK.
func describeCluster(t *testing.T, rc *rds.Client, id string) rdstypes.DBCluster {
	t.Helper()
	out, err := rc.DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if err != nil || len(out.DBClusters) != 1 {
		t.Fatalf("DescribeDBClusters(%s): %v", id, err)
	}
	return out.DBClusters[0]
}

// clusterMembers returns the DB instances of a cluster (db-cluster-id filter) by identifier.
func clusterMembers(t *testing.T, rc *rds.Client, id string) map[string]rdstypes.DBInstance {
	t.Helper()
	out, err := rc.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-id"), Values: []string{id}}}})
	if err != nil {
		t.Fatalf("DescribeDBInstances(db-cluster-id=%s): %v", id, err)
	}
	m := map[string]rdstypes.DBInstance{}
	for _, in := range out.DBInstances {
		m[aws.ToString(in.DBInstanceIdentifier)] = in
	}
	return m
}

// writerOf returns the identifier of the cluster member reported as the writer.
func writerOf(c rdstypes.DBCluster) string {
	w := ""
	for _, m := range c.DBClusterMembers {
		if aws.ToBool(m.IsClusterWriter) {
			w += aws.ToString(m.DBInstanceIdentifier)
		}
	}
	return w
}

// The multi-az-cluster scenario over the real SDK: DescribeDBClusters reports the Multi-AZ DB
// cluster's class and storage (the SDK fills types.DBCluster's DBClusterInstanceClass,
// AllocatedStorage, StorageType from the emitted elements), and DescribeDBInstances its three
// members in three AZs, which publish the metrics of RDS (not Aurora) instances.
func TestMultiAZDBClusterScenario(t *testing.T) {
	if !slices.Contains(ScenarioNames, "multi-az-cluster") {
		t.Errorf("ScenarioNames %v lacks multi-az-cluster", ScenarioNames)
	}
	sc, err := ScenarioByName("multi-az-cluster")
	if err != nil || sc.Name != "multi-az-cluster" || sc.Validate() != nil {
		t.Fatalf("ScenarioByName: %v %+v", err, sc)
	}
	srv, rc, _ := start(t, Options{Scenario: sc})
	c := describeCluster(t, rc, "orders-prod")
	for _, chk := range []struct {
		name      string
		got, want any
	}{
		{"Engine", aws.ToString(c.Engine), "postgres"},
		{"EngineVersion", aws.ToString(c.EngineVersion), "16.3"},
		{"EngineMode", aws.ToString(c.EngineMode), "provisioned"},
		{"DBClusterInstanceClass", aws.ToString(c.DBClusterInstanceClass), "db.m6gd.large"},
		{"AllocatedStorage", aws.ToInt32(c.AllocatedStorage), int32(100)},
		{"StorageType", aws.ToString(c.StorageType), "gp3"},
		{"Iops", c.Iops == nil, true},
		{"MultiAZ", aws.ToBool(c.MultiAZ), true},
		{"Status", aws.ToString(c.Status), "available"},
		{"ServerlessV2ScalingConfiguration", c.ServerlessV2ScalingConfiguration == nil, true},
		{"AvailabilityZones", strings.Join(c.AvailabilityZones, ","), "us-east-1a,us-east-1b,us-east-1c"},
		{"members", len(c.DBClusterMembers), 3},
		{"writer", writerOf(c), "orders-prod-instance-1"},
		{"Port", aws.ToInt32(c.Port), int32(5432)},
		{"DBClusterParameterGroup", aws.ToString(c.DBClusterParameterGroup), "default.postgres16"},
	} {
		if chk.got != chk.want {
			t.Errorf("cluster %s = %v, want %v", chk.name, chk.got, chk.want)
		}
	}
	// The engine filter tells it from the Aurora clusters.
	out, err := rc.DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{
		Filters: []rdstypes.Filter{{Name: aws.String("engine"), Values: []string{"postgres"}}}})
	if err != nil || len(out.DBClusters) != 1 {
		t.Fatalf("engine=postgres filter: %v %d", err, len(out.DBClusters))
	}

	members := clusterMembers(t, rc, "orders-prod")
	if len(members) != 3 {
		t.Fatalf("%d members, want 3", len(members))
	}
	for i, az := range []string{"us-east-1a", "us-east-1b", "us-east-1c"} {
		id := fmt.Sprintf("orders-prod-instance-%d", i+1)
		in, ok := members[id]
		if !ok {
			t.Fatalf("member %s missing", id)
		}
		got := fmt.Sprintf("%s %s %s %s multiAZ=%t %s %d %s iops=%d thr=%d %s",
			aws.ToString(in.DBClusterIdentifier), aws.ToString(in.DBInstanceClass), aws.ToString(in.Engine), aws.ToString(in.EngineVersion),
			aws.ToBool(in.MultiAZ), aws.ToString(in.AvailabilityZone), aws.ToInt32(in.AllocatedStorage), aws.ToString(in.StorageType),
			aws.ToInt32(in.Iops), aws.ToInt32(in.StorageThroughput), aws.ToString(in.DBInstanceStatus))
		want := fmt.Sprintf("orders-prod db.m6gd.large postgres 16.3 multiAZ=false %s 100 gp3 iops=3000 thr=125 available", az)
		if got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
		if in.SecondaryAvailabilityZone != nil {
			t.Errorf("%s: secondary AZ %s", id, aws.ToString(in.SecondaryAvailabilityZone))
		}
		// Members take the cluster's windows.
		if aws.ToString(in.PreferredBackupWindow) != aws.ToString(c.PreferredBackupWindow) ||
			aws.ToString(in.PreferredMaintenanceWindow) != aws.ToString(c.PreferredMaintenanceWindow) {
			t.Errorf("%s: windows %s / %s, cluster's %s / %s", id, aws.ToString(in.PreferredBackupWindow), aws.ToString(in.PreferredMaintenanceWindow),
				aws.ToString(c.PreferredBackupWindow), aws.ToString(c.PreferredMaintenanceWindow))
		}
	}

	// Metrics: generated from each member's workload, as an RDS instance on EBS storage.
	at := ScenarioEpoch.Add(-23 * time.Hour) // 13:00 UTC on a weekday, the orders peak
	writer, ok := srv.MetricValue("orders-prod-instance-1", MetricCPUUtilization, at)
	reader, ok2 := srv.MetricValue("orders-prod-instance-2", MetricCPUUtilization, at)
	if !ok || !ok2 || writer < 12 || writer > 40 || reader < 3 || reader > 20 || reader >= writer {
		t.Errorf("CPU at the peak: writer %.1f (%t), reader %.1f (%t)", writer, ok, reader, ok2)
	}
	free, ok := srv.MetricValue("orders-prod-instance-1", MetricFreeStorageSpace, at)
	if !ok || free < 60*gib || free > 70*gib {
		t.Errorf("FreeStorageSpace %.1f GiB (%t), want ~67 of 100 GiB", free/gib, ok)
	}
	for _, m := range []string{MetricFreeLocalStorage, MetricAuroraReplicaLag, MetricBufferCacheHitRatio} {
		if _, ok := srv.MetricValue("orders-prod-instance-2", m, at); ok {
			t.Errorf("an RDS Multi-AZ DB cluster member publishes the Aurora metric %s", m)
		}
	}
}

// Validate's checks of a Multi-AZ DB cluster spec, each on a copy of MultiAZDBCluster.
func TestMultiAZDBClusterValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *ClusterSpec)
		want   string // "" = valid
	}{
		{"as built", func(c *ClusterSpec) {}, ""},
		{"member of the class", func(c *ClusterSpec) { c.Members[1].Class = "db.m6gd.large" }, ""},
		{"io1 with Iops", func(c *ClusterSpec) { c.StorageType, c.Iops = "io1", 3000 }, ""},
		{"gp3 with Iops from 400 GiB", func(c *ClusterSpec) { c.AllocatedStorage, c.Iops = 400, 12000 }, ""},
		{"defaults", func(c *ClusterSpec) { c.StorageType, c.AllocatedStorage, c.EngineVersion = "", 0, "" }, ""},
		{"own AZs", func(c *ClusterSpec) { c.Members[0].AvailabilityZone = "us-east-1d" }, ""},
		{"two members", func(c *ClusterSpec) { c.Members = c.Members[:2] }, "2 members; a Multi-AZ DB cluster has exactly 3"},
		{"four members", func(c *ClusterSpec) { c.Members = append(c.Members, InstanceSpec{ID: "orders-prod-instance-4"}) }, "4 members"},
		{"no class", func(c *ClusterSpec) { c.DBClusterInstanceClass = "" }, "DBClusterInstanceClass is required"},
		{"unknown class", func(c *ClusterSpec) { c.DBClusterInstanceClass = "db.x9.large" }, `unknown DB instance class "db.x9.large"`},
		{"serverless class", func(c *ClusterSpec) { c.DBClusterInstanceClass = "db.serverless" }, "unknown DB instance class"},
		{"member of another class", func(c *ClusterSpec) { c.Members[2].Class = "db.r6gd.large" }, `member orders-prod-instance-3: class "db.r6gd.large"`},
		{"gp2", func(c *ClusterSpec) { c.StorageType = "gp2" }, "Invalid storage type: gp2"},
		{"aurora storage", func(c *ClusterSpec) { c.StorageType = "aurora" }, "Invalid storage type: aurora"},
		{"io1 without Iops", func(c *ClusterSpec) { c.StorageType = "io1" }, "Iops is required"},
		{"io2 Iops too high", func(c *ClusterSpec) { c.StorageType, c.Iops = "io2", 6000 }, "0.5–50 times"},
		{"gp3 Iops below 400 GiB", func(c *ClusterSpec) { c.Iops = 12000 }, "less than 400"},
		{"too small", func(c *ClusterSpec) { c.AllocatedStorage = 10 }, "Invalid storage size"},
		{"member storage", func(c *ClusterSpec) { c.Members[1].AllocatedStorage = 200 }, "have its storage"},
		{"member Multi-AZ", func(c *ClusterSpec) { c.Members[0].MultiAZ = true }, "MultiAZ applies to standalone DB instances only"},
		{"member window", func(c *ClusterSpec) { c.Members[0].MaintenanceWindow = "mon:01:00-mon:01:30" }, "backup and maintenance windows"},
		{"member backup window", func(c *ClusterSpec) { c.Members[0].BackupWindow = "01:00-01:30" }, "backup and maintenance windows"},
		{"same AZ", func(c *ClusterSpec) { c.Members[2].AvailabilityZone = "us-east-1b" }, "three different Availability Zones"},
		{"serverless", func(c *ClusterSpec) { c.ServerlessV2 = &ServerlessV2Scaling{MinACU: 1, MaxACU: 2} }, "Aurora clusters only"},
		{"bad member id", func(c *ClusterSpec) { c.Members[1].ID = "Bad--id" }, "invalid DB instance identifier"},
		{"aurora with a cluster class", func(c *ClusterSpec) { c.Engine, c.StorageType = "aurora-postgresql", "" }, "apply to Multi-AZ DB clusters"},
	} {
		sc := MultiAZDBCluster()
		tc.change(&sc.Clusters[0])
		err := sc.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// CreateDBCluster with Engine postgres makes a Multi-AZ DB cluster and its three members, which
// are created with it and turn available together, as an Aurora cluster and its instances do.
func TestCreateMultiAZDBCluster(t *testing.T) {
	srv, rc, _ := start(t, Options{ScenarioName: "empty"})
	ctx := context.Background()
	t0 := srv.Now()
	out, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("pay-db"), Engine: aws.String("postgres"),
		DBClusterInstanceClass: aws.String("db.r6gd.xlarge"), AllocatedStorage: aws.Int32(200), StorageType: aws.String("io1"), Iops: aws.Int32(4000),
		MasterUsername: aws.String("admin"), Tags: []rdstypes.Tag{{Key: aws.String("service"), Value: aws.String("pay")}}})
	if err != nil {
		t.Fatalf("CreateDBCluster: %v", err)
	}
	c := out.DBCluster
	got := fmt.Sprintf("%s %s %s %s %d %s iops=%d multiAZ=%t members=%d writer=%s serverless=%t",
		aws.ToString(c.Status), aws.ToString(c.Engine), aws.ToString(c.EngineVersion), aws.ToString(c.DBClusterInstanceClass),
		aws.ToInt32(c.AllocatedStorage), aws.ToString(c.StorageType), aws.ToInt32(c.Iops), aws.ToBool(c.MultiAZ),
		len(c.DBClusterMembers), writerOf(*c), c.ServerlessV2ScalingConfiguration != nil)
	if want := "creating postgres 16.3 db.r6gd.xlarge 200 io1 iops=4000 multiAZ=true members=3 writer=pay-db-instance-1 serverless=false"; got != want {
		t.Errorf("created cluster: %s, want %s", got, want)
	}
	members := clusterMembers(t, rc, "pay-db")
	for i := 1; i <= 3; i++ {
		id := fmt.Sprintf("pay-db-instance-%d", i)
		in := members[id]
		got := fmt.Sprintf("%s %s %s %s %s %d %s iops=%d %s", aws.ToString(in.DBInstanceStatus), aws.ToString(in.DBClusterIdentifier),
			aws.ToString(in.DBInstanceClass), aws.ToString(in.Engine), aws.ToString(in.AvailabilityZone), aws.ToInt32(in.AllocatedStorage),
			aws.ToString(in.StorageType), aws.ToInt32(in.Iops), aws.ToString(in.MasterUsername))
		want := fmt.Sprintf("creating pay-db db.r6gd.xlarge postgres us-east-1%c 200 io1 iops=4000 admin", 'a'+i-1)
		if got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	// Nothing can be done with the cluster while it is being created.
	_, err = rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("pay-db"), DBClusterSnapshotIdentifier: aws.String("early")})
	var cst *rdstypes.InvalidDBClusterStateFault
	if !errors.As(err, &cst) {
		t.Errorf("snapshot of a creating cluster: %v, want InvalidDBClusterStateFault", err)
	}
	srv.Advance(DefaultDurations.CreateInstance - time.Minute)
	if st := aws.ToString(describeCluster(t, rc, "pay-db").Status); st != "creating" {
		t.Errorf("cluster status before the end: %s", st)
	}
	srv.Advance(time.Minute)
	if st := aws.ToString(describeCluster(t, rc, "pay-db").Status); st != "available" {
		t.Errorf("cluster status at the end: %s", st)
	}
	for id, in := range clusterMembers(t, rc, "pay-db") {
		if st := aws.ToString(in.DBInstanceStatus); st != "available" {
			t.Errorf("%s: status %s after creation", id, st)
		}
	}
	if msgs := eventMessages(t, rc, rdstypes.SourceTypeDbCluster, "pay-db", t0); !slices.Contains(msgs, "DB cluster created") ||
		!slices.Contains(msgs, "DB instance pay-db-instance-3 added to the cluster") {
		t.Errorf("cluster events %q", msgs)
	}
	if msgs := eventMessages(t, rc, rdstypes.SourceTypeDbInstance, "pay-db-instance-2", t0); !slices.Contains(msgs, "DB instance created") {
		t.Errorf("member events %q", msgs)
	}
	// The members publish metrics from their creation on.
	if _, ok := srv.MetricValue("pay-db-instance-3", MetricFreeStorageSpace, srv.Now()); !ok {
		t.Error("no FreeStorageSpace for a new member")
	}

	// gp3 takes Iops from 400 GiB on: the cluster reports them, its members too, with gp3's
	// throughput for such a volume.
	if _, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("big-db"), Engine: aws.String("postgres"),
		EngineVersion: aws.String("16.4"), DBClusterInstanceClass: aws.String("db.m6gd.large"), AllocatedStorage: aws.Int32(400),
		StorageType: aws.String("gp3"), Iops: aws.Int32(12000)}); err != nil {
		t.Fatal(err)
	}
	big := describeCluster(t, rc, "big-db")
	in := describeOne(t, rc, "big-db-instance-1")
	if aws.ToInt32(big.Iops) != 12000 || aws.ToString(big.EngineVersion) != "16.4" || aws.ToInt32(in.Iops) != 12000 || aws.ToInt32(in.StorageThroughput) != 500 {
		t.Errorf("big-db: cluster Iops %d version %s, member Iops %d throughput %d", aws.ToInt32(big.Iops), aws.ToString(big.EngineVersion),
			aws.ToInt32(in.Iops), aws.ToInt32(in.StorageThroughput))
	}
	// Both survive a restart through the state file.
	path := filepath.Join(t.TempDir(), "state.json")
	s1, rc1, _ := start(t, Options{ScenarioName: "multi-az-cluster", StateFile: path})
	if _, err := rc1.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("orders-prod")}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	_, rc2, _ := start(t, Options{StateFile: path, ScenarioName: "multi-az-cluster"})
	if c := describeCluster(t, rc2, "orders-prod"); aws.ToString(c.DBClusterInstanceClass) != "db.m6gd.large" || writerOf(c) != "orders-prod-instance-2" {
		t.Errorf("restored cluster: class %s writer %s", aws.ToString(c.DBClusterInstanceClass), writerOf(c))
	}
}

// CreateDBCluster of a Multi-AZ DB cluster refuses missing or invalid settings with RDS's codes
// and creates nothing then.
func TestCreateMultiAZDBClusterValidation(t *testing.T) {
	_, rc, _ := start(t, Options{ScenarioName: "empty"})
	ctx := context.Background()
	valid := func() *rds.CreateDBClusterInput {
		return &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("bad"), Engine: aws.String("postgres"),
			DBClusterInstanceClass: aws.String("db.m6gd.large"), AllocatedStorage: aws.Int32(100), StorageType: aws.String("gp3")}
	}
	for _, tc := range []struct {
		name   string
		change func(in *rds.CreateDBClusterInput)
		code   string
		msg    string
	}{
		{"no class", func(in *rds.CreateDBClusterInput) { in.DBClusterInstanceClass = nil }, "InvalidParameterCombination", "DBClusterInstanceClass is required"},
		{"no storage size", func(in *rds.CreateDBClusterInput) { in.AllocatedStorage = nil }, "InvalidParameterCombination", "AllocatedStorage is required"},
		{"no storage type", func(in *rds.CreateDBClusterInput) { in.StorageType = nil }, "InvalidParameterCombination", "StorageType is required"},
		{"io1 without Iops", func(in *rds.CreateDBClusterInput) { in.StorageType = aws.String("io1") }, "InvalidParameterCombination", "Iops is required"},
		{"io2 without Iops", func(in *rds.CreateDBClusterInput) { in.StorageType = aws.String("io2") }, "InvalidParameterCombination", "Iops is required"},
		{"gp3 Iops below 400 GiB", func(in *rds.CreateDBClusterInput) { in.Iops = aws.Int32(12000) }, "InvalidParameterCombination", "less than 400"},
		{"unknown class", func(in *rds.CreateDBClusterInput) { in.DBClusterInstanceClass = aws.String("db.x9.large") }, "InvalidParameterCombination", "DBInstanceClass=db.x9.large"},
		{"serverless class", func(in *rds.CreateDBClusterInput) { in.DBClusterInstanceClass = aws.String("db.serverless") }, "InvalidParameterCombination", "DBInstanceClass=db.serverless"},
		{"serverless scaling", func(in *rds.CreateDBClusterInput) {
			in.ServerlessV2ScalingConfiguration = &rdstypes.ServerlessV2ScalingConfiguration{MinCapacity: aws.Float64(1), MaxCapacity: aws.Float64(2)}
		}, "InvalidParameterCombination", "Aurora DB clusters only"},
		{"gp2", func(in *rds.CreateDBClusterInput) { in.StorageType = aws.String("gp2") }, "InvalidParameterValue", "Invalid storage type: gp2"},
		{"aurora storage", func(in *rds.CreateDBClusterInput) { in.StorageType = aws.String("aurora") }, "InvalidParameterValue", "Invalid storage type: aurora"},
		{"too small", func(in *rds.CreateDBClusterInput) { in.AllocatedStorage = aws.Int32(10) }, "InvalidParameterValue", "Invalid storage size"},
		{"io1 too small", func(in *rds.CreateDBClusterInput) {
			in.StorageType, in.Iops, in.AllocatedStorage = aws.String("io1"), aws.Int32(1000), aws.Int32(50)
		},
			"InvalidParameterValue", "Invalid storage size"},
		{"io1 Iops over 50 per GiB", func(in *rds.CreateDBClusterInput) { in.StorageType, in.Iops = aws.String("io1"), aws.Int32(6000) },
			"InvalidParameterValue", "Invalid IOPS 6000"},
		{"io1 Iops too low", func(in *rds.CreateDBClusterInput) { in.StorageType, in.Iops = aws.String("io1"), aws.Int32(500) },
			"InvalidParameterValue", "Invalid IOPS 500"},
		{"gp3 Iops out of range", func(in *rds.CreateDBClusterInput) { in.AllocatedStorage, in.Iops = aws.Int32(400), aws.Int32(3000) },
			"InvalidParameterValue", "Invalid IOPS 3000"},
		{"overlapping windows", func(in *rds.CreateDBClusterInput) {
			in.PreferredBackupWindow, in.PreferredMaintenanceWindow = aws.String("05:00-05:30"), aws.String("sun:05:00-sun:05:30")
		}, "InvalidParameterValue", "overlap"},
	} {
		in := valid()
		tc.change(in)
		_, err := rc.CreateDBCluster(ctx, in)
		if apiCode(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %s containing %q", tc.name, err, tc.code, tc.msg)
		}
	}
	// A member's identifier that is taken refuses the whole cluster.
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("bad-instance-2"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t4g.large"), AllocatedStorage: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	_, err := rc.CreateDBCluster(ctx, valid())
	var dup *rdstypes.DBInstanceAlreadyExistsFault
	if !errors.As(err, &dup) {
		t.Errorf("member identifier taken: %v, want DBInstanceAlreadyExistsFault", err)
	}
	out, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	if err != nil || len(out.DBClusters) != 0 {
		t.Fatalf("refused CreateDBCluster calls left clusters: %v %d", err, len(out.DBClusters))
	}
	if n := len(clusterMembers(t, rc, "bad")); n != 0 {
		t.Errorf("refused CreateDBCluster calls left %d members", n)
	}
	// Another engine is still refused.
	if _, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("my"), Engine: aws.String("mariadb")}); apiCode(err) != "InvalidParameterValue" {
		t.Errorf("engine mariadb: %v", err)
	}
}

// The instances of a Multi-AZ DB cluster are managed through the cluster: CreateDBInstance into
// it, ModifyDBInstance and DeleteDBInstance of a member and custom endpoints are refused, and
// nothing changes; cluster snapshots work as for Aurora clusters.
func TestMultiAZDBClusterMemberOperations(t *testing.T) {
	srv, rc, _ := start(t, Options{ScenarioName: "multi-az-cluster"})
	ctx := context.Background()
	_, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod-instance-4"),
		DBClusterIdentifier: aws.String("orders-prod"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.m6gd.large")})
	if apiCode(err) != "InvalidParameterCombination" || !strings.Contains(err.Error(), "Multi-AZ DB cluster orders-prod") {
		t.Errorf("CreateDBInstance into the cluster: %v, want InvalidParameterCombination", err)
	}
	_, err = rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod-instance-2"), SkipFinalSnapshot: aws.Bool(true)})
	if apiCode(err) != "InvalidParameterCombination" || !strings.Contains(err.Error(), "DeleteDBInstance isn't supported") {
		t.Errorf("DeleteDBInstance of a member: %v, want InvalidParameterCombination", err)
	}
	_, err = rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod-instance-1")})
	if apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("DeleteDBInstance of the writer: %v, want InvalidParameterCombination", err)
	}
	_, err = rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod-instance-3"),
		DBInstanceClass: aws.String("db.m6gd.xlarge"), ApplyImmediately: aws.Bool(true)})
	if apiCode(err) != "InvalidParameterCombination" || !strings.Contains(err.Error(), "ModifyDBInstance isn't supported") {
		t.Errorf("ModifyDBInstance of a member: %v, want InvalidParameterCombination", err)
	}
	_, err = rc.CreateDBClusterEndpoint(ctx, &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String("orders-prod"),
		DBClusterEndpointIdentifier: aws.String("orders-ro"), EndpointType: aws.String("READER")})
	if apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("CreateDBClusterEndpoint: %v, want InvalidParameterCombination", err)
	}
	_, err = rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("orders-prod-instance-1"), DBSnapshotIdentifier: aws.String("member")})
	if apiCode(err) != "InvalidDBInstanceState" {
		t.Errorf("CreateDBSnapshot of a member: %v, want InvalidDBInstanceState", err)
	}
	members := clusterMembers(t, rc, "orders-prod")
	for id, in := range members {
		if st, class := aws.ToString(in.DBInstanceStatus), aws.ToString(in.DBInstanceClass); st != "available" || class != "db.m6gd.large" {
			t.Errorf("%s after the refused calls: %s %s", id, st, class)
		}
	}
	if len(members) != 3 {
		t.Errorf("%d members after the refused calls", len(members))
	}
	// The writer and reader endpoints are there as for any cluster.
	eps, err := rc.DescribeDBClusterEndpoints(ctx, &rds.DescribeDBClusterEndpointsInput{DBClusterIdentifier: aws.String("orders-prod")})
	if err != nil || len(eps.DBClusterEndpoints) != 2 {
		t.Errorf("DescribeDBClusterEndpoints: %v %+v", err, eps)
	}

	snap, err := rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("orders-prod"),
		DBClusterSnapshotIdentifier: aws.String("orders-before")})
	if err != nil {
		t.Fatalf("CreateDBClusterSnapshot: %v", err)
	}
	sn := snap.DBClusterSnapshot
	if aws.ToString(sn.Status) != "creating" || aws.ToString(sn.Engine) != "postgres" || aws.ToInt32(sn.AllocatedStorage) != 100 {
		t.Errorf("snapshot: %s %s %d GiB", aws.ToString(sn.Status), aws.ToString(sn.Engine), aws.ToInt32(sn.AllocatedStorage))
	}
	srv.Advance(DefaultDurations.SnapshotBase)
	out, err := rc.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String("orders-before")})
	if err != nil || aws.ToString(out.DBClusterSnapshots[0].Status) != "available" {
		t.Errorf("snapshot after %v: %v %+v", DefaultDurations.SnapshotBase, err, out)
	}
	if _, err := rc.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("orders-before")}); err != nil {
		t.Errorf("DeleteDBClusterSnapshot: %v", err)
	}
	// A plain reboot of a member works; a Multi-AZ instance failover does not apply to it.
	if _, err := rc.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod-instance-2"), ForceFailover: aws.Bool(true)}); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("RebootDBInstance ForceFailover: %v", err)
	}
	if _, err := rc.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod-instance-2")}); err != nil {
		t.Errorf("RebootDBInstance: %v", err)
	}
}

// FailoverDBCluster promotes a readable standby of a Multi-AZ DB cluster: the first reader
// without a target, the target given otherwise; the members keep their AZs.
func TestMultiAZDBClusterFailover(t *testing.T) {
	srv, rc, _ := start(t, Options{ScenarioName: "multi-az-cluster"})
	ctx := context.Background()
	t0 := srv.Now()
	out, err := rc.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("orders-prod")})
	if err != nil {
		t.Fatalf("FailoverDBCluster: %v", err)
	}
	if w := writerOf(*out.DBCluster); w != "orders-prod-instance-2" {
		t.Errorf("writer after failover: %q", w)
	}
	if !aws.ToBool(out.DBCluster.MultiAZ) || aws.ToString(out.DBCluster.DBClusterInstanceClass) != "db.m6gd.large" {
		t.Errorf("failover response: multiAZ %t class %s", aws.ToBool(out.DBCluster.MultiAZ), aws.ToString(out.DBCluster.DBClusterInstanceClass))
	}
	if _, err := rc.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("orders-prod"),
		TargetDBInstanceIdentifier: aws.String("orders-prod-instance-3")}); err != nil {
		t.Fatalf("FailoverDBCluster to instance-3: %v", err)
	}
	if w := writerOf(describeCluster(t, rc, "orders-prod")); w != "orders-prod-instance-3" {
		t.Errorf("writer after the targeted failover: %q", w)
	}
	if az := aws.ToString(describeOne(t, rc, "orders-prod-instance-3").AvailabilityZone); az != "us-east-1c" {
		t.Errorf("new writer's AZ %s", az)
	}
	if msgs := eventMessages(t, rc, rdstypes.SourceTypeDbCluster, "orders-prod", t0); !slices.Contains(msgs, "Completed failover to DB instance: orders-prod-instance-3") {
		t.Errorf("events %q", msgs)
	}
	_, err = rc.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("orders-prod"),
		TargetDBInstanceIdentifier: aws.String("orders-prod-instance-3")})
	if apiCode(err) != "InvalidDBClusterStateFault" {
		t.Errorf("failover to the writer: %v, want InvalidDBClusterStateFault", err)
	}
}

// LookupClass knows the classes with local NVMe storage Multi-AZ DB clusters run on.
func TestLookupClassNVMe(t *testing.T) {
	for class, want := range map[string]ClassSpec{
		"db.m6gd.large":    {VCPU: 2, MemoryGiB: 8},
		"db.r6gd.xlarge":   {VCPU: 4, MemoryGiB: 32},
		"db.m5d.24xlarge":  {VCPU: 96, MemoryGiB: 384},
		"db.r6id.32xlarge": {VCPU: 128, MemoryGiB: 1024},
	} {
		if got, ok := LookupClass(class); !ok || got != want {
			t.Errorf("LookupClass(%s) = %+v, %t; want %+v", class, got, ok, want)
		}
	}
}
