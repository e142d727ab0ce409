package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"
)

// CreateDBInstance takes MonitoringInterval (0, RDS's default, or 1, 5, 10, 15, 30, 60): a new
// instance with Enhanced Monitoring shows configuring-enhanced-monitoring after creating, as RDS
// sets it up; one without goes straight to available. A scenario's instances keep theirs.
func TestCreateDBInstanceMonitoring(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		id       string
		interval *int32
	}{{"plain-db", nil}, {"watched-db", aws.Int32(60)}} {
		if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(tc.id), DBInstanceClass: aws.String("db.t4g.micro"),
			Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MonitoringInterval: tc.interval}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Advance(DefaultDurations.CreateInstance + time.Minute)
	for id, want := range map[string]string{"plain-db": "available", "watched-db": "configuring-enhanced-monitoring"} {
		if st, _ := srv.InstanceStatus(id); st != want {
			t.Errorf("%s after creating: %s, want %s", id, st, want)
		}
	}
	srv.Advance(DefaultDurations.ConfigureMonitoring)
	out, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("watched-db")})
	if err != nil || aws.ToString(out.DBInstances[0].DBInstanceStatus) != "available" || aws.ToInt32(out.DBInstances[0].MonitoringInterval) != 60 {
		t.Errorf("watched-db once configured: %v %+v", err, out)
	}
	out, err = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("plain-db")})
	if err != nil || aws.ToInt32(out.DBInstances[0].MonitoringInterval) != 0 {
		t.Errorf("plain-db: monitoring interval %v (%v), want 0", aws.ToInt32(out.DBInstances[0].MonitoringInterval), err)
	}
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("bad-db"), DBInstanceClass: aws.String("db.t4g.micro"),
		Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MonitoringInterval: aws.Int32(7)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("MonitoringInterval 7: %v, want InvalidParameterValue", err)
	}
}

// A deleted Enhanced Monitoring role (DeleteIAMRole) is refused by CreateDBInstance, standalone or
// into a cluster, as RDS refuses a role it cannot assume; with another role, or without Enhanced
// Monitoring, the instance is created.
func TestCreateDBInstanceDeletedMonitoringRole(t *testing.T) {
	sc := Demo()
	srv, rc, _ := start(t, Options{Scenario: sc})
	ctx := context.Background()
	const gone, kept = "arn:aws:iam::123456789012:role/rds-monitoring-gone", "arn:aws:iam::123456789012:role/rds-monitoring"
	srv.DeleteIAMRole(gone)
	create := func(id, cluster, role string, interval int32) error {
		in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t4g.medium"),
			MonitoringInterval: aws.Int32(interval)}
		if role != "" {
			in.MonitoringRoleArn = aws.String(role)
		}
		if cluster != "" {
			in.DBClusterIdentifier, in.Engine = aws.String(cluster), aws.String("aurora-postgresql")
		} else {
			in.Engine, in.AllocatedStorage = aws.String("postgres"), aws.Int32(20)
		}
		_, err := rc.CreateDBInstance(ctx, in)
		return err
	}
	for _, cluster := range []string{"sso-prod", ""} {
		err := create("refused-"+cluster+"db", cluster, gone, 60)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" ||
			ae.ErrorMessage() != "IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING" {
			t.Errorf("cluster %q, deleted role: %v, want RDS's InvalidParameterValue", cluster, err)
		}
		if _, ok := srv.InstanceStatus("refused-" + cluster + "db"); ok {
			t.Errorf("cluster %q: created with a deleted role", cluster)
		}
		if err := create("kept-"+cluster+"db", cluster, kept, 60); err != nil {
			t.Errorf("cluster %q, another role: %v", cluster, err)
		}
		if err := create("off-"+cluster+"db", cluster, "", 0); err != nil {
			t.Errorf("cluster %q, Enhanced Monitoring off: %v", cluster, err)
		}
	}
}
