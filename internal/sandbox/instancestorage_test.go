package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"
)

// TestInstanceStorage: a standalone instance's io1 and io2 volumes report their Provisioned IOPS,
// gp3 its provisioned IOPS and throughput or the included ones (3,000 and 125 MiB/s below 400 GiB,
// 12,000 and 500 from 400 GiB), gp2 and magnetic neither; scenarios and CreateDBInstance refuse
// the combinations and values RDS refuses.
func TestInstanceStorage(t *testing.T) {
	inst := func(id, st string, gib, iops, mibps int32) InstanceSpec {
		return InstanceSpec{ID: id, Class: "db.m6g.large", MultiAZ: true, StorageType: st, AllocatedStorage: gib, Iops: iops, StorageThroughput: mibps, Workload: IdleWorkload}
	}
	sc := &Scenario{Name: "storage", Instances: []InstanceSpec{
		inst("io1", "io1", 1000, 10000, 0), inst("io2", "io2", 200, 4000, 0),
		inst("gp3-small", "gp3", 100, 0, 0), inst("gp3-large", "gp3", 500, 0, 0), inst("gp3-prov", "gp3", 800, 15000, 750),
		inst("gp2", "gp2", 100, 0, 0), inst("mag", "standard", 100, 0, 0),
	}}
	_, rc, _ := start(t, Options{Scenario: sc})
	ctx := context.Background()
	for _, tc := range []struct {
		id          string
		iops, mibps int32 // 0: not reported
	}{{"io1", 10000, 0}, {"io2", 4000, 0}, {"gp3-small", 3000, 125}, {"gp3-large", 12000, 500}, {"gp3-prov", 15000, 750}, {"gp2", 0, 0}, {"mag", 0, 0}} {
		in := describeOne(t, rc, tc.id)
		if aws.ToInt32(in.Iops) != tc.iops || aws.ToInt32(in.StorageThroughput) != tc.mibps || (in.Iops == nil) != (tc.iops == 0) || (in.StorageThroughput == nil) != (tc.mibps == 0) {
			t.Errorf("%s: Iops %v, StorageThroughput %v; want %d, %d", tc.id, aws.ToInt32(in.Iops), aws.ToInt32(in.StorageThroughput), tc.iops, tc.mibps)
		}
	}
	for _, tc := range []struct {
		spec InstanceSpec
		want string
	}{
		{inst("x", "io1", 1000, 0, 0), "Iops is required"},
		{inst("x", "io1", 50, 1000, 0), "Invalid storage size"},
		{inst("x", "io1", 100, 6000, 0), "0.5–50 times"},
		{inst("x", "io2", 100, 120000, 0), "0.5–1000 times"},
		{inst("x", "io2", 1000, 400, 0), "1000–256000"},
		{inst("x", "gp3", 100, 12000, 0), "less than 400"},
		{inst("x", "gp3", 100, 0, 500), "less than 400"},
		{inst("x", "gp3", 500, 0, 5000), "500–4000"},
		{inst("x", "gp2", 100, 1000, 0), "You can't specify IOPS for storage type gp2"},
		{inst("x", "io1", 1000, 10000, 600), "gp3 only"},
		{inst("x", "standard", 4000, 0, 0), "20–3072"},
		{inst("x", "st1", 500, 0, 0), "Invalid storage type: st1"},
	} {
		bad := &Scenario{Name: "bad", Instances: []InstanceSpec{tc.spec}}
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("scenario %+v: %v, want %q", tc.spec, err, tc.want)
		}
	}
	create := func(id, st string, gib, iops, mibps int32) error {
		in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.m6g.large"), Engine: aws.String("postgres"),
			MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("a-long-password"), StorageType: aws.String(st), AllocatedStorage: aws.Int32(gib)}
		if iops > 0 {
			in.Iops = aws.Int32(iops)
		}
		if mibps > 0 {
			in.StorageThroughput = aws.Int32(mibps)
		}
		_, err := rc.CreateDBInstance(ctx, in)
		return err
	}
	if err := create("new-io1", "io1", 400, 8000, 0); err != nil {
		t.Fatal(err)
	}
	if in := describeOne(t, rc, "new-io1"); aws.ToInt32(in.Iops) != 8000 {
		t.Errorf("created io1: Iops %v, want 8000", aws.ToInt32(in.Iops))
	}
	for _, tc := range []struct {
		st               string
		gib, iops, mibps int32
		code             string
	}{
		{"io1", 400, 0, 0, "InvalidParameterCombination"},
		{"gp3", 100, 0, 600, "InvalidParameterCombination"},
		{"gp3", 400, 70000, 0, "InvalidParameterValue"},
	} {
		var ae smithy.APIError
		if err := create("refused", tc.st, tc.gib, tc.iops, tc.mibps); !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("create %s %d GiB, %d IOPS, %d MiB/s: %v, want %s", tc.st, tc.gib, tc.iops, tc.mibps, err, tc.code)
		}
	}
}

// TestInstanceStorageCopies: what RDS accepts of a standalone instance's provisioned storage, and
// what copies of it keep: io2 Block Express takes up to 1,000 IOPS per GiB (io1 50);
// CreateDBInstance with Iops and no StorageType makes io1 (the API's default); a snapshot of an
// io1 instance reports its IOPS and a restore from it provisions them again (they are "taken
// from the backup"); the green copy of an io1 or a provisioned gp3 instance of a blue/green
// deployment has the blue one's IOPS and throughput, or TargetIops, and none on another type.
func TestInstanceStorageCopies(t *testing.T) {
	io1 := MultiAZInstance("ledger", "db.m6g.large", IdleWorkload)
	io1.StorageType, io1.AllocatedStorage, io1.Iops = "io1", 1000, 10000
	io2 := MultiAZInstance("hot", "db.m6g.large", IdleWorkload)
	io2.StorageType, io2.AllocatedStorage, io2.Iops = "io2", 100, 60000
	gp3 := MultiAZInstance("events", "db.m6g.large", IdleWorkload)
	gp3.AllocatedStorage, gp3.Iops, gp3.StorageThroughput = 500, 15000, 600
	srv, rc, _ := start(t, Options{Scenario: &Scenario{Name: "copies", Instances: []InstanceSpec{io1, io2, gp3}}})
	ctx := context.Background()
	perf := func(iops, mibps *int32) string {
		return fmt.Sprintf("%d IOPS, %d MiB/s", aws.ToInt32(iops), aws.ToInt32(mibps))
	}
	if got := perf(describeOne(t, rc, "hot").Iops, nil); got != "60000 IOPS, 0 MiB/s" {
		t.Errorf("io2 at 600 IOPS per GiB: %s", got)
	}

	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("piops"), DBInstanceClass: aws.String("db.m6g.large"),
		Engine: aws.String("postgres"), MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("a-long-password"),
		AllocatedStorage: aws.Int32(200), Iops: aws.Int32(3000)}); err != nil {
		t.Fatalf("CreateDBInstance with Iops and no StorageType: %v", err)
	}
	if in := describeOne(t, rc, "piops"); aws.ToString(in.StorageType) != "io1" || aws.ToInt32(in.Iops) != 3000 {
		t.Errorf("created with Iops alone: %s, %d IOPS; want io1, 3000", aws.ToString(in.StorageType), aws.ToInt32(in.Iops))
	}

	if _, err := rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("ledger"), DBSnapshotIdentifier: aws.String("ledger-snap")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(DefaultDurations.SnapshotBase + 1000*DefaultDurations.SnapshotPerGiB)
	d, err := rc.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("ledger-snap")})
	if err != nil {
		t.Fatal(err)
	}
	if sn := d.DBSnapshots[0]; aws.ToString(sn.Status) != "available" || aws.ToString(sn.StorageType) != "io1" || perf(sn.Iops, sn.StorageThroughput) != "10000 IOPS, 0 MiB/s" {
		t.Errorf("snapshot of io1: %s %s, %s; want available io1, 10000 IOPS", aws.ToString(sn.Status), aws.ToString(sn.StorageType), perf(sn.Iops, sn.StorageThroughput))
	}
	if _, err := rc.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String("ledger-restored"),
		DBSnapshotIdentifier: aws.String("ledger-snap")}); err != nil {
		t.Fatal(err)
	}
	if in := describeOne(t, rc, "ledger-restored"); aws.ToString(in.StorageType) != "io1" || perf(in.Iops, in.StorageThroughput) != "10000 IOPS, 0 MiB/s" {
		t.Errorf("restored io1: %s, %s; want the snapshot's 10000 IOPS", aws.ToString(in.StorageType), perf(in.Iops, in.StorageThroughput))
	}

	for i, tc := range []struct {
		blue string
		opt  func(*rds.CreateBlueGreenDeploymentInput)
		want string
	}{
		{"ledger", nil, "10000 IOPS, 0 MiB/s"},
		{"events", nil, "15000 IOPS, 600 MiB/s"},
		{"hot", func(in *rds.CreateBlueGreenDeploymentInput) { in.TargetIops = aws.Int32(20000) }, "20000 IOPS, 0 MiB/s"},
		{"piops", func(in *rds.CreateBlueGreenDeploymentInput) { in.TargetStorageType = aws.String("gp2") }, "0 IOPS, 0 MiB/s"},
	} {
		var opts []func(*rds.CreateBlueGreenDeploymentInput)
		if tc.opt != nil {
			opts = append(opts, tc.opt)
		}
		bg, err := createBlueGreen(ctx, rc, fmt.Sprintf("bg-%d", i), "arn:aws:rds:us-east-1:123456789012:db:"+tc.blue, opts...)
		if err != nil {
			t.Errorf("blue/green of %s: %v", tc.blue, err)
			continue
		}
		in := describeOne(t, rc, aws.ToString(bg.Target)[strings.LastIndex(aws.ToString(bg.Target), ":")+1:])
		if got := perf(in.Iops, in.StorageThroughput); got != tc.want {
			t.Errorf("green copy of %s: %s; want %s", tc.blue, got, tc.want)
		}
	}
}

// TestStorageAutoscaling: a standalone instance's storage autoscaling limit (MaxAllocatedStorage)
// is reported when set, checked as RDS checks it (at least 10% above the allocated storage, at most
// 65536 GiB; not on an Aurora member), and changed at once by ModifyDBInstance (0 turns it off).
func TestStorageAutoscaling(t *testing.T) {
	auto := InstanceSpec{ID: "auto", Class: "db.m6g.large", MultiAZ: true, AllocatedStorage: 100, MaxAllocatedStorage: 500, Workload: IdleWorkload}
	plain := InstanceSpec{ID: "plain", Class: "db.m6g.large", MultiAZ: true, AllocatedStorage: 100, Workload: IdleWorkload}
	sc := Demo() // with the Aurora cluster sso-prod
	sc.Instances = append(sc.Instances, auto, plain)
	for _, bad := range []InstanceSpec{
		{ID: "x", Class: "db.m6g.large", AllocatedStorage: 100, MaxAllocatedStorage: 109},
		{ID: "x", Class: "db.m6g.large", AllocatedStorage: 100, MaxAllocatedStorage: 70000},
	} {
		if err := (&Scenario{Name: "bad", Instances: []InstanceSpec{bad}}).Validate(); err == nil || !strings.Contains(err.Error(), "Invalid max storage size") {
			t.Errorf("scenario with MaxAllocatedStorage %d on %d GiB: %v", bad.MaxAllocatedStorage, bad.AllocatedStorage, err)
		}
	}
	member := Demo()
	member.Clusters[0].Members[0].MaxAllocatedStorage = 200
	if err := member.Validate(); err == nil || !strings.Contains(err.Error(), "apply to a standalone instance") {
		t.Errorf("Aurora member with MaxAllocatedStorage: %v", err)
	}
	_, rc, _ := start(t, Options{Scenario: sc})
	ctx := context.Background()
	if in := describeOne(t, rc, "auto"); aws.ToInt32(in.MaxAllocatedStorage) != 500 {
		t.Errorf("auto: MaxAllocatedStorage %v, want 500", aws.ToInt32(in.MaxAllocatedStorage))
	}
	if in := describeOne(t, rc, "plain"); in.MaxAllocatedStorage != nil {
		t.Errorf("plain: MaxAllocatedStorage %v, want none", *in.MaxAllocatedStorage)
	}
	modify := func(id string, v int32) error {
		_, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id), MaxAllocatedStorage: aws.Int32(v)})
		return err
	}
	if err := modify("plain", 110); err != nil {
		t.Fatal(err)
	}
	if in := describeOne(t, rc, "plain"); aws.ToInt32(in.MaxAllocatedStorage) != 110 || in.PendingModifiedValues != nil && in.PendingModifiedValues.AllocatedStorage != nil {
		t.Errorf("plain after the modification: MaxAllocatedStorage %v, want 110 at once", aws.ToInt32(in.MaxAllocatedStorage))
	}
	if err := modify("auto", 0); err != nil {
		t.Fatal(err)
	}
	if in := describeOne(t, rc, "auto"); in.MaxAllocatedStorage != nil {
		t.Errorf("auto after 0: MaxAllocatedStorage %v, want none (off)", *in.MaxAllocatedStorage)
	}
	var ae smithy.APIError
	if err := modify("plain", 105); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("105 on 100 GiB: %v, want InvalidParameterValue", err)
	}
	if err := modify("sso-prod-instance-1", 200); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterCombination" {
		t.Errorf("an Aurora member's MaxAllocatedStorage: %v, want InvalidParameterCombination", err)
	}
	// Nor when creating one: it was accepted and kept out of sight.
	_, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-3"), DBInstanceClass: aws.String("db.r6g.large"),
		Engine: aws.String("aurora-postgresql"), DBClusterIdentifier: aws.String("sso-prod"), MaxAllocatedStorage: aws.Int32(200)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterCombination" || !strings.Contains(ae.ErrorMessage(), "MaxAllocatedStorage") {
		t.Errorf("creating an Aurora member with MaxAllocatedStorage: %v, want InvalidParameterCombination", err)
	}
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("new"), DBInstanceClass: aws.String("db.m6g.large"), Engine: aws.String("postgres"),
		MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("a-long-password"), AllocatedStorage: aws.Int32(100), MaxAllocatedStorage: aws.Int32(100)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("create with MaxAllocatedStorage 100 on 100 GiB: %v, want InvalidParameterValue", err)
	}
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("new"), DBInstanceClass: aws.String("db.m6g.large"), Engine: aws.String("postgres"),
		MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("a-long-password"), AllocatedStorage: aws.Int32(100), MaxAllocatedStorage: aws.Int32(200)}); err != nil {
		t.Fatal(err)
	}
	if in := describeOne(t, rc, "new"); aws.ToInt32(in.MaxAllocatedStorage) != 200 {
		t.Errorf("created with MaxAllocatedStorage 200: %v", aws.ToInt32(in.MaxAllocatedStorage))
	}
}

// TestStorageAutoscalingPendingIncrease: MaxAllocatedStorage is checked against the storage the
// instance will have, an increase left pending for the maintenance window included, as it is
// against one the same request makes; a later request that cancels the pending increase (the
// current AllocatedStorage) is checked against the current storage again. A limit of 150 GiB on
// an instance growing to 200 was accepted, and autoscaling's limit stood below the allocated
// storage once the increase applied.
func TestStorageAutoscalingPendingIncrease(t *testing.T) {
	sc := &Scenario{Name: "pending", Instances: []InstanceSpec{{ID: "grow", Class: "db.m6g.large", MultiAZ: true, AllocatedStorage: 100, Workload: IdleWorkload}}}
	_, rc, _ := start(t, Options{Scenario: sc})
	ctx := context.Background()
	modify := func(in *rds.ModifyDBInstanceInput) error {
		in.DBInstanceIdentifier = aws.String("grow")
		_, err := rc.ModifyDBInstance(ctx, in)
		return err
	}
	if err := modify(&rds.ModifyDBInstanceInput{AllocatedStorage: aws.Int32(200)}); err != nil { // pending: no ApplyImmediately
		t.Fatal(err)
	}
	if in := describeOne(t, rc, "grow"); in.PendingModifiedValues == nil || aws.ToInt32(in.PendingModifiedValues.AllocatedStorage) != 200 {
		t.Fatalf("the increase is not pending: %+v", in.PendingModifiedValues)
	}
	var ae smithy.APIError
	if err := modify(&rds.ModifyDBInstanceInput{MaxAllocatedStorage: aws.Int32(150)}); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" || !strings.Contains(ae.ErrorMessage(), "200 GiB") {
		t.Errorf("MaxAllocatedStorage 150 with 200 GiB pending: %v, want InvalidParameterValue naming 200 GiB", err)
	}
	if in := describeOne(t, rc, "grow"); in.MaxAllocatedStorage != nil {
		t.Errorf("a refused limit was kept: %v", *in.MaxAllocatedStorage)
	}
	if err := modify(&rds.ModifyDBInstanceInput{MaxAllocatedStorage: aws.Int32(220)}); err != nil {
		t.Errorf("MaxAllocatedStorage 220 with 200 GiB pending: %v", err)
	}
	// Cancelling the pending increase in the same request checks the limit against 100 GiB.
	if err := modify(&rds.ModifyDBInstanceInput{AllocatedStorage: aws.Int32(100), MaxAllocatedStorage: aws.Int32(150)}); err != nil {
		t.Errorf("MaxAllocatedStorage 150 with the increase cancelled: %v", err)
	}
	if in := describeOne(t, rc, "grow"); aws.ToInt32(in.MaxAllocatedStorage) != 150 || in.PendingModifiedValues != nil && in.PendingModifiedValues.AllocatedStorage != nil {
		t.Errorf("after cancelling: MaxAllocatedStorage %v, pending %+v", aws.ToInt32(in.MaxAllocatedStorage), in.PendingModifiedValues)
	}
}
