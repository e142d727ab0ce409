package sandbox_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Start a sandbox with the demo scenario, read the fleet with the real RDS
// client, convert mandible-prod to Single-AZ on the virtual clock and read
// its CPU with the real CloudWatch client.
func ExampleStart() {
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()
	rc := rds.NewFromConfig(srv.AWSConfig())
	cc := cloudwatch.NewFromConfig(srv.AWSConfig())

	out, _ := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	for _, in := range out.DBInstances {
		fmt.Printf("%s %s multiAZ=%v cluster=%q\n", aws.ToString(in.DBInstanceIdentifier), aws.ToString(in.DBInstanceClass), aws.ToBool(in.MultiAZ), aws.ToString(in.DBClusterIdentifier))
	}

	_, _ = rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)})
	fmt.Println(srv.InstanceStatus("mandible-prod"))
	srv.Advance(30 * time.Minute)
	fmt.Println(srv.InstanceStatus("mandible-prod"))

	now := srv.Now()
	m, _ := cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-24 * time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("cpu"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String("mandible-prod")}}},
			Period: aws.Int32(3600), Stat: aws.String("Maximum")}}}})
	// 25: the buckets are aligned to the hour, so the first and last are partial.
	fmt.Println(len(m.MetricDataResults[0].Values), "hourly maxima")
	fmt.Println(srv.Counts()["DescribeDBInstances"], "DescribeDBInstances call(s)")
	// Output:
	// mandible-prod db.t4g.large multiAZ=true cluster=""
	// sso-prod-instance-1 db.t4g.medium multiAZ=false cluster="sso-prod"
	// sso-prod-instance-2 db.t4g.medium multiAZ=false cluster="sso-prod"
	// modifying true
	// available true
	// 25 hourly maxima
	// 1 DescribeDBInstances call(s)
}
