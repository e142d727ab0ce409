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
