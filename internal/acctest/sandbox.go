package acctest

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// StartSandbox starts the in-process AWS emulator with opts and stops it when
// the test ends. A nil opts.Scenario with no name runs the demo scenario.
//
// Unless the scenario sets its own, the emulator's support calendar of major engine versions
// (what DescribeDBMajorEngineVersions reports) is the default one moved by as many days as
// opts.Now is after sandbox.ScenarioEpoch (EpochCalendar): acceptance tests run at the wall
// clock's now, and the figures they check (costs, savings, warnings) are those of the demo's
// PostgreSQL 15 in RDS standard support, as when they were computed, at any later date (from
// 2028-03-01 the real calendar bills RDS Extended Support for it).
func StartSandbox(t testing.TB, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	if opts.Scenario == nil {
		sc, err := sandbox.ScenarioByName(opts.ScenarioName)
		if err != nil {
			t.Fatalf("starting the sandbox: %v", err)
		}
		opts.Scenario = sc
	}
	if opts.Scenario.MajorEngineVersions == nil && !opts.Now.IsZero() {
		sc := *opts.Scenario
		sc.MajorEngineVersions = EpochCalendar(opts.Now)
		opts.Scenario = &sc
	}
	srv, err := sandbox.Start(opts)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("stopping the sandbox: %v", err)
		}
	})
	return srv
}

// AddProxy puts an RDS Proxy named name in front of the sandbox's Aurora cluster (or, with
// instance set, DB instance) target, with one more endpoint per entry of endpoints (endpoint name
// → target role, READ_ONLY or READ_WRITE), through the real SDK, as a user would.
func AddProxy(t testing.TB, srv *sandbox.Server, name, cluster, instance string, endpoints map[string]rdstypes.DBProxyEndpointTargetRole) {
	t.Helper()
	ctx := context.Background()
	api := rds.NewFromConfig(srv.AWSConfig())
	subnets := []string{"subnet-0a", "subnet-0b"}
	if _, err := api.CreateDBProxy(ctx, &rds.CreateDBProxyInput{DBProxyName: aws.String(name), EngineFamily: rdstypes.EngineFamilyPostgresql,
		RoleArn: aws.String("arn:aws:iam::123456789012:role/rds-proxy"), VpcSubnetIds: subnets}); err != nil {
		t.Fatalf("creating RDS Proxy %s: %v", name, err)
	}
	reg := &rds.RegisterDBProxyTargetsInput{DBProxyName: aws.String(name)}
	if instance != "" {
		reg.DBInstanceIdentifiers = []string{instance}
	} else {
		reg.DBClusterIdentifiers = []string{cluster}
	}
	if _, err := api.RegisterDBProxyTargets(ctx, reg); err != nil {
		t.Fatalf("registering the target of RDS Proxy %s: %v", name, err)
	}
	for _, ep := range slices.Sorted(maps.Keys(endpoints)) {
		if _, err := api.CreateDBProxyEndpoint(ctx, &rds.CreateDBProxyEndpointInput{DBProxyName: aws.String(name),
			DBProxyEndpointName: aws.String(ep), TargetRole: endpoints[ep], VpcSubnetIds: subnets}); err != nil {
			t.Fatalf("creating endpoint %s of RDS Proxy %s: %v", ep, name, err)
		}
	}
}

// AddReplicaScaling gives the sandbox's Aurora cluster Aurora Auto Scaling between min and max
// readers (an Application Auto Scaling scalable target), through the real SDK, as a user would.
func AddReplicaScaling(t testing.TB, srv *sandbox.Server, cluster string, minReaders, maxReaders int32) {
	t.Helper()
	api := applicationautoscaling.NewFromConfig(srv.AWSConfig())
	if _, err := api.RegisterScalableTarget(context.Background(), &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceRds, ScalableDimension: aastypes.ScalableDimensionRDSClusterReadReplicaCount,
		ResourceId: aws.String("cluster:" + cluster), MinCapacity: aws.Int32(minReaders), MaxCapacity: aws.Int32(maxReaders)}); err != nil {
		t.Fatalf("registering Aurora Auto Scaling of %s: %v", cluster, err)
	}
}

// SandboxProvider is a provider block pointing every AWS client at srv.
func SandboxProvider(srv *sandbox.Server) ProviderConfig {
	return ProviderConfig{Endpoint: srv.URL()}
}

// AddBlueGreen creates a blue/green deployment named name whose source (blue) database is the
// sandbox's Aurora cluster, or with instance set its DB instance, through the real SDK, as a user
// would, and returns the deployment's identifier. The green copies are created on the sandbox's
// clock; the deployment is PROVISIONING until they are available.
func AddBlueGreen(t testing.TB, srv *sandbox.Server, name, cluster, instance string) string {
	t.Helper()
	ctx := context.Background()
	api := rds.NewFromConfig(srv.AWSConfig())
	var arn string
	if instance != "" {
		out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(instance)})
		if err != nil || len(out.DBInstances) != 1 {
			t.Fatalf("describing DB instance %s: %v", instance, err)
		}
		arn = aws.ToString(out.DBInstances[0].DBInstanceArn)
	} else {
		out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(cluster)})
		if err != nil || len(out.DBClusters) != 1 {
			t.Fatalf("describing DB cluster %s: %v", cluster, err)
		}
		arn = aws.ToString(out.DBClusters[0].DBClusterArn)
	}
	out, err := api.CreateBlueGreenDeployment(ctx, &rds.CreateBlueGreenDeploymentInput{BlueGreenDeploymentName: aws.String(name), Source: aws.String(arn)})
	if err != nil {
		t.Fatalf("creating blue/green deployment %s of %s: %v", name, arn, err)
	}
	return aws.ToString(out.BlueGreenDeployment.BlueGreenDeploymentIdentifier)
}

// AddReservation buys count reserved DB instances of class for product ("postgresql" or
// "aurora-postgresql"), Multi-AZ or not, on a one-year No Upfront offering of the sandbox, through
// the real SDK, as a user would, and returns the reservation's identifier. The reservation's
// payment is pending until the sandbox's clock moves on.
func AddReservation(t testing.TB, srv *sandbox.Server, class, product string, multiAZ bool, count int32) string {
	t.Helper()
	ctx := context.Background()
	api := rds.NewFromConfig(srv.AWSConfig())
	offers, err := api.DescribeReservedDBInstancesOfferings(ctx, &rds.DescribeReservedDBInstancesOfferingsInput{
		DBInstanceClass: aws.String(class), ProductDescription: aws.String(product), MultiAZ: aws.Bool(multiAZ),
		Duration: aws.String("1"), OfferingType: aws.String("No Upfront")})
	if err != nil {
		t.Fatalf("listing the offerings for %s %s (Multi-AZ %t): %v", class, product, multiAZ, err)
	}
	// The product description filter matches in part ("postgresql" also finds aurora-postgresql).
	var offering *string
	for _, o := range offers.ReservedDBInstancesOfferings {
		if aws.ToString(o.ProductDescription) == product {
			offering = o.ReservedDBInstancesOfferingId
		}
	}
	if offering == nil {
		t.Fatalf("no offering for %s %s (Multi-AZ %t) in %+v", class, product, multiAZ, offers.ReservedDBInstancesOfferings)
	}
	out, err := api.PurchaseReservedDBInstancesOffering(ctx, &rds.PurchaseReservedDBInstancesOfferingInput{
		ReservedDBInstancesOfferingId: offering, DBInstanceCount: aws.Int32(count)})
	if err != nil {
		t.Fatalf("purchasing %d × %s %s: %v", count, class, product, err)
	}
	return aws.ToString(out.ReservedDBInstance.ReservedDBInstanceId)
}

// DemoMaintenance is the demo fleet with its windows set and maintenance pending:
//   - mandible-prod: backup window 13:00-13:30, maintenance window tue:14:00-tue:14:30 (both in
//     its weekday daytime peak), and an OS update auto-applied after 10 days;
//   - sso-prod: cluster backup window 07:00-07:30, writer maintenance window wed:03:00-wed:03:30,
//     an engine upgrade on the cluster forced in 30 days, and OS updates (no date) on the writer
//     and the reader.
func DemoMaintenance() *sandbox.Scenario {
	sc := sandbox.Demo()
	m := &sc.Instances[0]
	m.BackupWindow, m.MaintenanceWindow = "13:00-13:30", "tue:14:00-tue:14:30"
	m.PendingMaintenance = []sandbox.PendingActionSpec{
		{Action: "system-update", Description: "New Operating System update is available", AutoAppliedAfter: 10 * 24 * time.Hour},
	}
	c := &sc.Clusters[0]
	c.BackupWindow = "07:00-07:30"
	c.PendingMaintenance = []sandbox.PendingActionSpec{{Action: "db-upgrade", ForcedApplyIn: 30 * 24 * time.Hour}}
	c.Members[0].MaintenanceWindow = "wed:03:00-wed:03:30"
	c.Members[0].PendingMaintenance = []sandbox.PendingActionSpec{{Action: "system-update"}}
	c.Members[1].PendingMaintenance = []sandbox.PendingActionSpec{{Action: "system-update"}}
	return sc
}

// FailOver fails the demo's two deployments over through the real SDK, as a user testing them
// would: mandible-prod by a reboot with failover, sso-prod by FailoverDBCluster. It then moves the
// sandbox's clock on by an hour (the reboot completes) and returns the time of the failovers.
func FailOver(t testing.TB, srv *sandbox.Server) time.Time {
	t.Helper()
	ctx := context.Background()
	api := rds.NewFromConfig(srv.AWSConfig())
	at := srv.Now()
	if _, err := api.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), ForceFailover: aws.Bool(true)}); err != nil {
		t.Fatalf("rebooting mandible-prod with failover: %v", err)
	}
	if _, err := api.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("sso-prod")}); err != nil {
		t.Fatalf("failing over sso-prod: %v", err)
	}
	srv.Advance(time.Hour)
	return at
}

// EpochCalendar is sandbox.DefaultMajorEngineVersions with every date moved by the whole days from
// sandbox.ScenarioEpoch to now: the support calendar as it stood at the epoch, seen from now.
func EpochCalendar(now time.Time) []sandbox.MajorEngineVersionSpec {
	days := int(now.Sub(sandbox.ScenarioEpoch).Hours() / 24)
	move := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.AddDate(0, 0, days)
	}
	cal := sandbox.DefaultMajorEngineVersions()
	for i := range cal {
		v := &cal[i]
		v.StandardStart, v.StandardEnd, v.ExtendedStart, v.ExtendedEnd = move(v.StandardStart), move(v.StandardEnd), move(v.ExtendedStart), move(v.ExtendedEnd)
	}
	return cal
}
