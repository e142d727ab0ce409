package sandbox

import (
	"context"
	"errors"
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
		{inst("x", "io2", 100, 6000, 0), "0.5–50 times"},
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
