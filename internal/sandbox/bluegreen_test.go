package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// demoARNPrefix starts the ARN of every resource of the demo scenario.
const demoARNPrefix = "arn:aws:rds:us-east-1:123456789012:"

// demoARN is the ARN of the demo scenario's resource of this kind ("db", "cluster", ...).
func demoARN(kind, id string) string { return demoARNPrefix + kind + ":" + id }

var (
	bgIDPattern    = regexp.MustCompile(`^bgd-[a-z0-9]{16}$`)
	greenIDPattern = regexp.MustCompile(`^(.+)-green-([a-z0-9]{6})$`)
)

// startBlueGreen starts a sandbox and returns it with an RDS client made from its AWSConfig.
func startBlueGreen(t *testing.T, opts Options) (*Server, *rds.Client) {
	t.Helper()
	srv, _, _ := start(t, opts)
	return srv, rds.NewFromConfig(srv.AWSConfig())
}

func createBlueGreen(ctx context.Context, rc *rds.Client, name, source string, opts ...func(*rds.CreateBlueGreenDeploymentInput)) (rdstypes.BlueGreenDeployment, error) {
	in := &rds.CreateBlueGreenDeploymentInput{BlueGreenDeploymentName: aws.String(name), Source: aws.String(source)}
	for _, o := range opts {
		o(in)
	}
	out, err := rc.CreateBlueGreenDeployment(ctx, in)
	if err != nil {
		return rdstypes.BlueGreenDeployment{}, err
	}
	return *out.BlueGreenDeployment, nil
}

func mustCreateBlueGreen(t *testing.T, rc *rds.Client, name, source string, opts ...func(*rds.CreateBlueGreenDeploymentInput)) rdstypes.BlueGreenDeployment {
	t.Helper()
	d, err := createBlueGreen(context.Background(), rc, name, source, opts...)
	if err != nil {
		t.Fatalf("CreateBlueGreenDeployment(%s, %s): %v", name, source, err)
	}
	return d
}

// blueGreens describes every page of in.
func blueGreens(t *testing.T, rc *rds.Client, in *rds.DescribeBlueGreenDeploymentsInput) []rdstypes.BlueGreenDeployment {
	t.Helper()
	return everyPage(t, rds.NewDescribeBlueGreenDeploymentsPaginator(rc, in), func(o *rds.DescribeBlueGreenDeploymentsOutput) []rdstypes.BlueGreenDeployment {
		return o.BlueGreenDeployments
	})
}

// blueGreenByID describes the deployment id.
func blueGreenByID(t *testing.T, rc *rds.Client, id string) rdstypes.BlueGreenDeployment {
	t.Helper()
	ds := blueGreens(t, rc, &rds.DescribeBlueGreenDeploymentsInput{BlueGreenDeploymentIdentifier: aws.String(id)})
	if len(ds) != 1 {
		t.Fatalf("describe %s: %d deployments", id, len(ds))
	}
	return ds[0]
}

// switchoverSummary is "source -> target STATUS" of each switchover detail, without the ARN prefix.
func switchoverSummary(d rdstypes.BlueGreenDeployment) []string {
	var out []string
	for _, s := range d.SwitchoverDetails {
		out = append(out, fmt.Sprintf("%s -> %s %s", strings.TrimPrefix(aws.ToString(s.SourceMember), demoARNPrefix),
			strings.TrimPrefix(aws.ToString(s.TargetMember), demoARNPrefix), aws.ToString(s.Status)))
	}
	return out
}

func deploymentNames(ds []rdstypes.BlueGreenDeployment) []string {
	var out []string
	for _, d := range ds {
		out = append(out, aws.ToString(d.BlueGreenDeploymentName))
	}
	return out
}

func tagMap(ts []rdstypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// greenOf returns the identifier the deployment's Target ARN ends in, and checks that it is
// "<blue>-green-<6 lower-case alphanumerics>".
func greenOf(t *testing.T, d rdstypes.BlueGreenDeployment, blue string) (id, suffix string) {
	t.Helper()
	id = idFromARN(aws.ToString(d.Target))
	m := greenIDPattern.FindStringSubmatch(id)
	if m == nil || m[1] != blue {
		t.Fatalf("green database %q is not %s-green-<suffix>", id, blue)
	}
	return id, m[2]
}

// A blue/green deployment of the demo's Multi-AZ PostgreSQL instance: its green copy is a real
// instance with the target class and version that turns available on the clock, and the
// deployment follows it from PROVISIONING to AVAILABLE.
func TestBlueGreenInstance(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	t0 := srv.Now()
	blue := describeOne(t, rc, "mandible-prod")
	d := mustCreateBlueGreen(t, rc, "Mandible-Upgrade", demoARN("db", "mandible-prod"), func(in *rds.CreateBlueGreenDeploymentInput) {
		in.TargetEngineVersion, in.TargetDBInstanceClass = aws.String("16.3"), aws.String("db.t4g.medium")
		in.Tags = []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("dba")}}
	})
	id := aws.ToString(d.BlueGreenDeploymentIdentifier)
	green, _ := greenOf(t, d, "mandible-prod")
	if !bgIDPattern.MatchString(id) || aws.ToString(d.BlueGreenDeploymentName) != "Mandible-Upgrade" ||
		aws.ToString(d.Source) != demoARN("db", "mandible-prod") || aws.ToString(d.Status) != "PROVISIONING" ||
		!aws.ToTime(d.CreateTime).Equal(t0) || d.DeleteTime != nil || len(d.Tasks) != 0 {
		t.Fatalf("created deployment %+v", d)
	}
	if got := tagMap(d.TagList); len(got) != 1 || got["team"] != "dba" {
		t.Fatalf("deployment tags %v", got)
	}
	wantDetail := []string{"db:mandible-prod -> db:" + green + " PROVISIONING"}
	if got := switchoverSummary(d); !slices.Equal(got, wantDetail) {
		t.Fatalf("switchover details %v, want %v", got, wantDetail)
	}

	g := describeOne(t, rc, green)
	if aws.ToString(g.DBInstanceStatus) != "creating" || aws.ToString(g.DBInstanceClass) != "db.t4g.medium" ||
		aws.ToString(g.Engine) != "postgres" || aws.ToString(g.EngineVersion) != "16.3" || !aws.ToBool(g.MultiAZ) ||
		aws.ToInt32(g.AllocatedStorage) != aws.ToInt32(blue.AllocatedStorage) || aws.ToString(g.StorageType) != aws.ToString(blue.StorageType) ||
		aws.ToString(g.AvailabilityZone) != aws.ToString(blue.AvailabilityZone) || aws.ToString(g.SecondaryAvailabilityZone) == "" ||
		aws.ToString(g.PreferredMaintenanceWindow) != aws.ToString(blue.PreferredMaintenanceWindow) {
		t.Fatalf("green instance %+v", g)
	}
	if got, want := tagMap(g.TagList), tagMap(blue.TagList); len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("green tags %v, want the blue's %v", got, want)
	}
	if b := describeOne(t, rc, "mandible-prod"); aws.ToString(b.DBInstanceStatus) != "available" || aws.ToString(b.DBInstanceClass) != "db.t4g.large" ||
		aws.ToString(b.EngineVersion) != "15.7" {
		t.Fatalf("blue instance changed: %+v", b)
	}

	srv.Advance(DefaultDurations.CreateInstance - time.Minute)
	if got := blueGreenByID(t, rc, id); aws.ToString(got.Status) != "PROVISIONING" {
		t.Fatalf("status before the green instance is available: %s", aws.ToString(got.Status))
	}
	srv.Advance(time.Minute)
	if g := describeOne(t, rc, green); aws.ToString(g.DBInstanceStatus) != "available" {
		t.Fatalf("green instance %s", aws.ToString(g.DBInstanceStatus))
	}
	wantDetail[0] = strings.Replace(wantDetail[0], "PROVISIONING", "AVAILABLE", 1)
	got := blueGreenByID(t, rc, strings.ToUpper(id)) // identifiers are case-insensitive
	if aws.ToString(got.Status) != "AVAILABLE" || !slices.Equal(switchoverSummary(got), wantDetail) {
		t.Fatalf("after creation: %s %v", aws.ToString(got.Status), switchoverSummary(got))
	}

	// Right-sizing the green instance, the point of the exercise, leaves the deployment AVAILABLE.
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(green),
		DBInstanceClass: aws.String("db.t4g.large"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if got := blueGreenByID(t, rc, id); aws.ToString(got.Status) != "AVAILABLE" || aws.ToString(describeOne(t, rc, green).DBInstanceStatus) != "modifying" {
		t.Fatalf("while the green instance is modified: %s", aws.ToString(got.Status))
	}
	if got := eventMessages(t, rc, rdstypes.SourceTypeBlueGreenDeployment, id, t0); !slices.Equal(got, []string{"Blue/green deployment creation started."}) {
		t.Fatalf("deployment events %v", got)
	}

	// Deleting the green instance outside the deployment invalidates it.
	srv.Advance(DefaultDurations.ModifyClass)
	if _, err := rc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(green), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(DefaultDurations.DeleteInstance)
	got = blueGreenByID(t, rc, id)
	if aws.ToString(got.Status) != "INVALID_CONFIGURATION" || !slices.Equal(switchoverSummary(got), []string{"db:mandible-prod -> db:" + green + " MISSING_TARGET"}) {
		t.Fatalf("without its green instance: %s %v", aws.ToString(got.Status), switchoverSummary(got))
	}
}

// A blue/green deployment of the demo's Aurora cluster: a green cluster with one green instance
// per member in the same role and promotion tier, then DeleteTarget removes them all.
func TestBlueGreenAuroraCluster(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	t0 := srv.Now()
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("sso-prod-instance-2"), PromotionTier: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	d := mustCreateBlueGreen(t, rc, "sso-upgrade", demoARN("cluster", "sso-prod"), func(in *rds.CreateBlueGreenDeploymentInput) {
		in.TargetEngineVersion = aws.String("16.4")
	})
	id := aws.ToString(d.BlueGreenDeploymentIdentifier)
	green, suffix := greenOf(t, d, "sso-prod")
	writer, reader := "sso-prod-instance-1-green-"+suffix, "sso-prod-instance-2-green-"+suffix
	wantDetails := []string{
		"cluster:sso-prod -> cluster:" + green + " PROVISIONING",
		"db:sso-prod-instance-1 -> db:" + writer + " PROVISIONING",
		"db:sso-prod-instance-2 -> db:" + reader + " PROVISIONING",
	}
	if got := switchoverSummary(d); aws.ToString(d.Status) != "PROVISIONING" || !slices.Equal(got, wantDetails) {
		t.Fatalf("created: %s %v, want PROVISIONING %v", aws.ToString(d.Status), got, wantDetails)
	}
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(green)})
	if err != nil {
		t.Fatal(err)
	}
	gc := cl.DBClusters[0]
	if aws.ToString(gc.Status) != "creating" || aws.ToString(gc.Engine) != "aurora-postgresql" || aws.ToString(gc.EngineVersion) != "16.4" ||
		tagMap(gc.TagList)["service"] != "sso" {
		t.Fatalf("green cluster %+v", gc)
	}
	var members []string
	for _, m := range gc.DBClusterMembers {
		members = append(members, fmt.Sprintf("%s/%t/%d", aws.ToString(m.DBInstanceIdentifier), aws.ToBool(m.IsClusterWriter), aws.ToInt32(m.PromotionTier)))
	}
	if want := []string{writer + "/true/1", reader + "/false/3"}; !slices.Equal(members, want) {
		t.Fatalf("green members %v, want %v", members, want)
	}
	for _, gid := range []string{writer, reader} {
		in := describeOne(t, rc, gid)
		if aws.ToString(in.DBInstanceStatus) != "creating" || aws.ToString(in.DBInstanceClass) != "db.t4g.medium" ||
			aws.ToString(in.EngineVersion) != "16.4" || aws.ToBool(in.MultiAZ) || aws.ToString(in.DBClusterIdentifier) != green {
			t.Fatalf("green instance %+v", in)
		}
	}

	srv.Advance(DefaultDurations.CreateCluster)
	if got := blueGreenByID(t, rc, id); aws.ToString(got.Status) != "PROVISIONING" {
		t.Fatalf("green cluster available, instances creating: %s", aws.ToString(got.Status))
	}
	srv.Advance(DefaultDurations.CreateAuroraInstance)
	for i := range wantDetails {
		wantDetails[i] = strings.Replace(wantDetails[i], "PROVISIONING", "AVAILABLE", 1)
	}
	if got := blueGreenByID(t, rc, id); aws.ToString(got.Status) != "AVAILABLE" || !slices.Equal(switchoverSummary(got), wantDetails) {
		t.Fatalf("green environment created: %s %v", aws.ToString(got.Status), switchoverSummary(got))
	}

	// DeleteTarget deletes the green instances through DeleteDBInstance's path, and the green
	// cluster once they are gone; the deployment stays DELETING until then.
	tDel := srv.Now()
	out, err := rc.DeleteBlueGreenDeployment(ctx, &rds.DeleteBlueGreenDeploymentInput{BlueGreenDeploymentIdentifier: aws.String(id), DeleteTarget: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.BlueGreenDeployment; aws.ToString(got.Status) != "DELETING" || !aws.ToTime(got.DeleteTime).Equal(tDel) {
		t.Fatalf("deleted: %s at %v", aws.ToString(got.Status), got.DeleteTime)
	}
	for _, gid := range []string{writer, reader} {
		if s := aws.ToString(describeOne(t, rc, gid).DBInstanceStatus); s != "delete-precheck" { // cluster members
			t.Fatalf("green instance %s: %s", gid, s)
		}
	}
	srv.Advance(DefaultDurations.DeleteBlueGreen)
	if got := blueGreenByID(t, rc, id); aws.ToString(got.Status) != "DELETING" {
		t.Fatalf("while the green instances are deleted: %s", aws.ToString(got.Status))
	}
	srv.Advance(DefaultDurations.DeletePrecheck + DefaultDurations.DeleteInstance - 2*DefaultDurations.DeleteBlueGreen)
	if got := blueGreenByID(t, rc, id); aws.ToString(got.Status) != "DELETING" {
		t.Fatalf("a minute before the green instances are gone: %s", aws.ToString(got.Status))
	}
	srv.Advance(DefaultDurations.DeleteBlueGreen)
	if _, err := rc.DescribeBlueGreenDeployments(ctx, &rds.DescribeBlueGreenDeploymentsInput{BlueGreenDeploymentIdentifier: aws.String(id)}); !isErr[*rdstypes.BlueGreenDeploymentNotFoundFault](err) {
		t.Fatalf("deleted deployment: %v", err)
	}
	for _, gid := range []string{writer, reader} {
		if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(gid)}); !isErr[*rdstypes.DBInstanceNotFoundFault](err) {
			t.Fatalf("green instance %s after the deletion: %v", gid, err)
		}
	}
	if _, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(green)}); !isErr[*rdstypes.DBClusterNotFoundFault](err) {
		t.Fatalf("green cluster after the deletion: %v", err)
	}
	cl, err = rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	if err != nil || len(cl.DBClusters) != 1 || len(cl.DBClusters[0].DBClusterMembers) != 2 || aws.ToString(cl.DBClusters[0].Status) != "available" {
		t.Fatalf("the blue cluster after the deletion: %v %+v", err, cl)
	}
	want := []string{"Blue/green deployment creation started.", "Blue/green deployment deletion started.", "Blue/green deployment deleted."}
	if got := eventMessages(t, rc, rdstypes.SourceTypeBlueGreenDeployment, id, t0); !slices.Equal(got, want) {
		t.Fatalf("deployment events %v, want %v", got, want)
	}
	// The cluster is free for a new deployment, under the same name.
	mustCreateBlueGreen(t, rc, "sso-upgrade", demoARN("cluster", "sso-prod"))
}

// Without DeleteTarget the green databases outlive the deployment, which shows DELETING for
// Durations.DeleteBlueGreen and is then gone; that works while it is still PROVISIONING too.
func TestBlueGreenDeleteKeepsTarget(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	d := mustCreateBlueGreen(t, rc, "early", demoARN("db", "mandible-prod"))
	id := aws.ToString(d.BlueGreenDeploymentIdentifier)
	green, _ := greenOf(t, d, "mandible-prod")
	out, err := rc.DeleteBlueGreenDeployment(ctx, &rds.DeleteBlueGreenDeploymentInput{BlueGreenDeploymentIdentifier: aws.String(id)})
	if err != nil || aws.ToString(out.BlueGreenDeployment.Status) != "DELETING" {
		t.Fatalf("delete while PROVISIONING: %v", err)
	}
	if got := blueGreens(t, rc, &rds.DescribeBlueGreenDeploymentsInput{}); len(got) != 1 || aws.ToString(got[0].Status) != "DELETING" {
		t.Fatalf("listed while deleting: %d", len(got))
	}
	// While it is DELETING the deployment still holds its source.
	if _, err := createBlueGreen(ctx, rc, "again", demoARN("db", "mandible-prod")); !isErr[*rdstypes.BlueGreenDeploymentAlreadyExistsFault](err) {
		t.Fatalf("new deployment of a source being released: %v", err)
	}
	srv.Advance(DefaultDurations.DeleteBlueGreen)
	if got := blueGreens(t, rc, &rds.DescribeBlueGreenDeploymentsInput{}); len(got) != 0 {
		t.Fatalf("%d deployments after the deletion", len(got))
	}
	if s := aws.ToString(describeOne(t, rc, green).DBInstanceStatus); s != "creating" {
		t.Fatalf("kept green instance: %s", s)
	}
	srv.Advance(DefaultDurations.CreateInstance)
	if s := aws.ToString(describeOne(t, rc, green).DBInstanceStatus); s != "available" {
		t.Fatalf("kept green instance: %s", s)
	}

	// Once AVAILABLE, the same.
	d = mustCreateBlueGreen(t, rc, "later", demoARN("db", "mandible-prod"))
	id = aws.ToString(d.BlueGreenDeploymentIdentifier)
	green2, _ := greenOf(t, d, "mandible-prod")
	if green2 == green {
		t.Fatalf("second green instance reuses the name %s", green)
	}
	srv.Advance(DefaultDurations.CreateInstance)
	if _, err := rc.DeleteBlueGreenDeployment(ctx, &rds.DeleteBlueGreenDeploymentInput{BlueGreenDeploymentIdentifier: aws.String(id), DeleteTarget: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(DefaultDurations.DeleteBlueGreen)
	if _, err := rc.DescribeBlueGreenDeployments(ctx, &rds.DescribeBlueGreenDeploymentsInput{BlueGreenDeploymentIdentifier: aws.String(id)}); !isErr[*rdstypes.BlueGreenDeploymentNotFoundFault](err) {
		t.Fatalf("deleted deployment: %v", err)
	}
	for _, g := range []string{green, green2} {
		if in := describeOne(t, rc, g); aws.ToString(in.DBInstanceStatus) != "available" || in.DBClusterIdentifier != nil {
			t.Fatalf("kept green instance %s: %s", g, aws.ToString(in.DBInstanceStatus))
		}
	}
	// A kept green instance is a standalone database like any other, free to be a blue one.
	mustCreateBlueGreen(t, rc, "from-green", demoARN("db", green))
}

// Describe by identifier and by each filter, in creation order, over pages of MaxRecords.
func TestBlueGreenDescribeFiltersAndPaging(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	sources := []string{"mandible-prod"}
	for i := range 24 {
		id := fmt.Sprintf("pg-%02d", i)
		if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"),
			DBInstanceClass: aws.String("db.t4g.medium"), AllocatedStorage: aws.Int32(20)}); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, id)
	}
	srv.Advance(DefaultDurations.CreateInstance)
	var created []rdstypes.BlueGreenDeployment
	var wantNames []string
	for i, src := range sources { // names in reverse, so that creation order is neither name nor identifier order
		name := fmt.Sprintf("bg-%02d", len(sources)-1-i)
		created = append(created, mustCreateBlueGreen(t, rc, name, demoARN("db", src)))
		wantNames = append(wantNames, name)
	}

	first, err := rc.DescribeBlueGreenDeployments(ctx, &rds.DescribeBlueGreenDeploymentsInput{MaxRecords: aws.Int32(20)})
	if err != nil || len(first.BlueGreenDeployments) != 20 || first.Marker == nil {
		t.Fatalf("first page: %v %d", err, len(first.BlueGreenDeployments))
	}
	if got := deploymentNames(blueGreens(t, rc, &rds.DescribeBlueGreenDeploymentsInput{MaxRecords: aws.Int32(20)})); !slices.Equal(got, wantNames) {
		t.Fatalf("over the pages %v, want %v", got, wantNames)
	}
	if got := blueGreens(t, rc, &rds.DescribeBlueGreenDeploymentsInput{}); len(got) != 25 {
		t.Fatalf("%d deployments in one default page", len(got))
	}

	id3, id5 := aws.ToString(created[3].BlueGreenDeploymentIdentifier), aws.ToString(created[5].BlueGreenDeploymentIdentifier)
	green7 := idFromARN(aws.ToString(created[7].Target))
	filter := func(name string, values ...string) []rdstypes.Filter {
		return []rdstypes.Filter{{Name: aws.String(name), Values: values}}
	}
	for _, c := range []struct {
		name string
		in   *rds.DescribeBlueGreenDeploymentsInput
		want []string
	}{
		{"identifier", &rds.DescribeBlueGreenDeploymentsInput{BlueGreenDeploymentIdentifier: aws.String(strings.ToUpper(id5))}, wantNames[5:6]},
		{"identifier as an ARN", &rds.DescribeBlueGreenDeploymentsInput{BlueGreenDeploymentIdentifier: aws.String(demoARN("deployment", id5))}, wantNames[5:6]},
		{"identifier filter", &rds.DescribeBlueGreenDeploymentsInput{Filters: filter("blue-green-deployment-identifier", id5, strings.ToUpper(id3))}, []string{wantNames[3], wantNames[5]}},
		{"name filter", &rds.DescribeBlueGreenDeploymentsInput{Filters: filter("blue-green-deployment-name", "BG-10", "bg-12", "nope")}, []string{"bg-12", "bg-10"}},
		{"source ARN", &rds.DescribeBlueGreenDeploymentsInput{Filters: filter("source", demoARN("db", "pg-03"))}, wantNames[4:5]},
		{"source identifier", &rds.DescribeBlueGreenDeploymentsInput{Filters: filter("source", "MANDIBLE-PROD", "pg-00")}, wantNames[:2]},
		{"target ARN", &rds.DescribeBlueGreenDeploymentsInput{Filters: filter("target", aws.ToString(created[7].Target))}, wantNames[7:8]},
		{"target identifier", &rds.DescribeBlueGreenDeploymentsInput{Filters: filter("target", green7)}, wantNames[7:8]},
		{"a target is no source", &rds.DescribeBlueGreenDeploymentsInput{Filters: filter("source", green7)}, nil},
		{"filters combine", &rds.DescribeBlueGreenDeploymentsInput{Filters: append(filter("source", "pg-00"), filter("blue-green-deployment-name", "bg-24")...)}, nil},
		{"identifier and filter", &rds.DescribeBlueGreenDeploymentsInput{BlueGreenDeploymentIdentifier: aws.String(id3), Filters: filter("blue-green-deployment-identifier", id5)}, nil},
	} {
		if got := deploymentNames(blueGreens(t, rc, c.in)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Every refusal, as the SDK's typed error where the SDK has one; none changes the state.
func TestBlueGreenErrors(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("shop-mysql"), Engine: aws.String("mysql"),
		DBInstanceClass: aws.String("db.t4g.medium"), AllocatedStorage: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("my-aurora"), Engine: aws.String("aurora-mysql")}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(DefaultDurations.CreateInstance)
	if _, err := rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("new-pg"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t4g.medium"), AllocatedStorage: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("new-aurora"), Engine: aws.String("aurora-postgresql")}); err != nil {
		t.Fatal(err)
	}
	d := mustCreateBlueGreen(t, rc, "taken", demoARN("db", "mandible-prod"))
	id := aws.ToString(d.BlueGreenDeploymentIdentifier)
	green := idFromARN(aws.ToString(d.Target))
	mustCreateBlueGreen(t, rc, strings.Repeat("x", 60), demoARN("cluster", "sso-prod")) // the longest name
	instances, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}

	create := func(name, source string, opts ...func(*rds.CreateBlueGreenDeploymentInput)) func() error {
		return func() error { _, err := createBlueGreen(ctx, rc, name, source, opts...); return err }
	}
	describe := func(in *rds.DescribeBlueGreenDeploymentsInput) func() error {
		return func() error { _, err := rc.DescribeBlueGreenDeployments(ctx, in); return err }
	}
	del := func(id string, target bool) func() error {
		return func() error {
			_, err := rc.DeleteBlueGreenDeployment(ctx, &rds.DeleteBlueGreenDeploymentInput{BlueGreenDeploymentIdentifier: aws.String(id), DeleteTarget: aws.Bool(target)})
			return err
		}
	}
	mandible := demoARN("db", "mandible-prod")
	for _, c := range []struct {
		name  string
		call  func() error
		code  string
		typed func(error) bool // nil: the SDK has no type for code
	}{
		{"empty name", create("", mandible), "InvalidParameterValue", nil},
		{"name of 61 characters", create(strings.Repeat("x", 61), mandible), "InvalidParameterValue", nil},
		{"name starting with a digit", create("1bg", mandible), "InvalidParameterValue", nil},
		{"name with two hyphens", create("bg--x", mandible), "InvalidParameterValue", nil},
		{"name ending in a hyphen", create("bg-", mandible), "InvalidParameterValue", nil},
		{"name with an underscore", create("bg_x", mandible), "InvalidParameterValue", nil},
		{"duplicate name", create("TAKEN", demoARN("db", "new-pg")), "BlueGreenDeploymentAlreadyExistsFault", isErr[*rdstypes.BlueGreenDeploymentAlreadyExistsFault]},
		{"source not an ARN", create("bg", "mandible-prod"), "InvalidParameterValue", nil},
		{"source a snapshot ARN", create("bg", demoARN("snapshot", "s1")), "InvalidParameterValue", nil},
		{"unknown instance", create("bg", demoARN("db", "nope")), "DBInstanceNotFound", isErr[*rdstypes.DBInstanceNotFoundFault]},
		{"instance of another region", create("bg", "arn:aws:rds:eu-west-1:123456789012:db:new-pg"), "DBInstanceNotFound", isErr[*rdstypes.DBInstanceNotFoundFault]},
		{"unknown cluster", create("bg", demoARN("cluster", "nope")), "DBClusterNotFoundFault", isErr[*rdstypes.DBClusterNotFoundFault]},
		{"MySQL instance", create("bg", demoARN("db", "shop-mysql")), "SourceDatabaseNotSupportedFault", isErr[*rdstypes.SourceDatabaseNotSupportedFault]},
		{"cluster member", create("bg", demoARN("db", "sso-prod-instance-2")), "SourceDatabaseNotSupportedFault", isErr[*rdstypes.SourceDatabaseNotSupportedFault]},
		{"Aurora MySQL cluster", create("bg", demoARN("cluster", "my-aurora")), "SourceClusterNotSupportedFault", isErr[*rdstypes.SourceClusterNotSupportedFault]},
		{"source in a deployment", create("bg", mandible), "BlueGreenDeploymentAlreadyExistsFault", isErr[*rdstypes.BlueGreenDeploymentAlreadyExistsFault]},
		{"green database as a source", create("bg", demoARN("db", green)), "BlueGreenDeploymentAlreadyExistsFault", isErr[*rdstypes.BlueGreenDeploymentAlreadyExistsFault]},
		{"instance being created", create("bg", demoARN("db", "new-pg")), "InvalidDBInstanceState", isErr[*rdstypes.InvalidDBInstanceStateFault]},
		{"cluster being created", create("bg", demoARN("cluster", "new-aurora")), "InvalidDBClusterStateFault", isErr[*rdstypes.InvalidDBClusterStateFault]},
		{"describe unknown deployment", describe(&rds.DescribeBlueGreenDeploymentsInput{BlueGreenDeploymentIdentifier: aws.String("bgd-nope")}),
			"BlueGreenDeploymentNotFoundFault", isErr[*rdstypes.BlueGreenDeploymentNotFoundFault]},
		{"unknown filter", describe(&rds.DescribeBlueGreenDeploymentsInput{Filters: []rdstypes.Filter{{Name: aws.String("engine"), Values: []string{"postgres"}}}}),
			"InvalidParameterValue", nil},
		{"MaxRecords below 20", describe(&rds.DescribeBlueGreenDeploymentsInput{MaxRecords: aws.Int32(19)}), "InvalidParameterValue", nil},
		{"MaxRecords above 100", describe(&rds.DescribeBlueGreenDeploymentsInput{MaxRecords: aws.Int32(101)}), "InvalidParameterValue", nil},
		{"bad Marker", describe(&rds.DescribeBlueGreenDeploymentsInput{Marker: aws.String("%%")}), "InvalidParameterValue", nil},
		{"delete unknown deployment", del("bgd-nope", false), "BlueGreenDeploymentNotFoundFault", isErr[*rdstypes.BlueGreenDeploymentNotFoundFault]},
		{"DeleteTarget while PROVISIONING", del(strings.ToUpper(id), true), "InvalidBlueGreenDeploymentStateFault", isErr[*rdstypes.InvalidBlueGreenDeploymentStateFault]},
		{"switchover", func() error {
			_, err := rc.SwitchoverBlueGreenDeployment(ctx, &rds.SwitchoverBlueGreenDeploymentInput{BlueGreenDeploymentIdentifier: aws.String(id)})
			return err
		}, "InvalidAction", nil},
	} {
		err := c.call()
		if apiCode(err) != c.code || (c.typed != nil && !c.typed(err)) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// The refused calls changed nothing.
	if got := blueGreens(t, rc, &rds.DescribeBlueGreenDeploymentsInput{}); len(got) != 2 || aws.ToString(got[0].Status) != "PROVISIONING" {
		t.Errorf("deployments after the refusals: %v", deploymentNames(got))
	}
	if after, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}); err != nil || len(after.DBInstances) != len(instances.DBInstances) {
		t.Errorf("instances after the refusals: %v", err)
	}

	// Refusals that need a settled clock: the target class, a green instance that is busy, a
	// deployment already being deleted.
	srv.Advance(DefaultDurations.CreateInstance)
	_, err = createBlueGreen(ctx, rc, "bg", demoARN("db", "new-pg"), func(in *rds.CreateBlueGreenDeploymentInput) { in.TargetDBInstanceClass = aws.String("db.nope") })
	if apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("unknown target class: %v", err)
	}
	_, err = createBlueGreen(ctx, rc, "bg", demoARN("cluster", "new-aurora"), func(in *rds.CreateBlueGreenDeploymentInput) { in.TargetDBInstanceClass = aws.String("db.r6g.large") })
	if apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("target class for a cluster: %v", err)
	}
	if _, err := rc.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String(green)}); err != nil {
		t.Fatal(err)
	}
	if err := del(id, true)(); !isErr[*rdstypes.InvalidBlueGreenDeploymentStateFault](err) {
		t.Errorf("DeleteTarget with a rebooting green instance: %v", err)
	}
	if err := del(id, false)(); err != nil {
		t.Fatal(err)
	}
	if err := del(id, false)(); !isErr[*rdstypes.InvalidBlueGreenDeploymentStateFault](err) {
		t.Errorf("deleting twice: %v", err)
	}
}

// Deployments are part of the state file, written after each mutating call, and their deletion
// resumes after a restart.
func TestBlueGreenStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()
	srv, rc := startBlueGreen(t, Options{StateFile: path})
	inst := mustCreateBlueGreen(t, rc, "mandible", demoARN("db", "mandible-prod"), func(in *rds.CreateBlueGreenDeploymentInput) {
		in.Tags = []rdstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
	})
	cluster := mustCreateBlueGreen(t, rc, "sso", demoARN("cluster", "sso-prod"))
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), aws.ToString(cluster.BlueGreenDeploymentIdentifier)) {
		t.Fatalf("state file after CreateBlueGreenDeployment: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv2, rc2 := startBlueGreen(t, Options{StateFile: path})
	got := blueGreens(t, rc2, &rds.DescribeBlueGreenDeploymentsInput{})
	if len(got) != 2 || fmt.Sprint(switchoverSummary(got[0]), switchoverSummary(got[1]), tagMap(got[0].TagList)) !=
		fmt.Sprint(switchoverSummary(inst), switchoverSummary(cluster), tagMap(inst.TagList)) {
		t.Fatalf("restored deployments %v", deploymentNames(got))
	}
	srv2.Advance(DefaultDurations.CreateInstance)
	id := aws.ToString(inst.BlueGreenDeploymentIdentifier)
	if got := blueGreenByID(t, rc2, id); aws.ToString(got.Status) != "AVAILABLE" {
		t.Fatalf("restored deployment after its creation time: %s", aws.ToString(got.Status))
	}
	if _, err := rc2.DeleteBlueGreenDeployment(ctx, &rds.DeleteBlueGreenDeploymentInput{BlueGreenDeploymentIdentifier: aws.String(id), DeleteTarget: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), `"deleteTarget": true`) {
		t.Fatalf("state file after DeleteBlueGreenDeployment: %v", err)
	}
	if err := srv2.Close(); err != nil {
		t.Fatal(err)
	}

	srv3, rc3 := startBlueGreen(t, Options{StateFile: path})
	if got := blueGreenByID(t, rc3, id); aws.ToString(got.Status) != "DELETING" {
		t.Fatalf("restored deleting deployment: %s", aws.ToString(got.Status))
	}
	srv3.Advance(DefaultDurations.DeleteInstance)
	if got := deploymentNames(blueGreens(t, rc3, &rds.DescribeBlueGreenDeploymentsInput{})); !slices.Equal(got, []string{"sso"}) {
		t.Fatalf("after the restored deletion: %v", got)
	}
	green, _ := greenOf(t, inst, "mandible-prod")
	if _, err := rc3.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(green)}); !isErr[*rdstypes.DBInstanceNotFoundFault](err) {
		t.Fatalf("green instance after the restored deletion: %v", err)
	}
}

// The new actions go through the shared RDS path: fault injection, the request log and the
// signature check.
func TestBlueGreenFaultsLogAndSignature(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	in := &rds.CreateBlueGreenDeploymentInput{BlueGreenDeploymentName: aws.String("bg"), Source: aws.String(demoARN("db", "mandible-prod"))}
	srv.InjectSequence("CreateBlueGreenDeployment", FaultThrottling)
	if _, err := rc.CreateBlueGreenDeployment(ctx, in, apiNoRetry); apiCode(err) != "Throttling" {
		t.Fatalf("throttled CreateBlueGreenDeployment: %v", err)
	}
	if _, err := rc.CreateBlueGreenDeployment(ctx, in, apiNoRetry); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
	calls := srv.Calls("CreateBlueGreenDeployment")
	if len(calls) != 2 || calls[0].ErrorCode != "Throttling" || calls[0].Fault == "" || calls[1].Status != 200 ||
		calls[1].Params["BlueGreenDeploymentName"] != "bg" || calls[1].Params["Source"] != demoARN("db", "mandible-prod") {
		t.Fatalf("logged calls %+v", calls)
	}

	srv.InjectFaults(FaultRule{Operation: "rds:DescribeBlueGreenDeployments", Sequence: []Fault{{Kind: FaultError, Code: "AccessDenied", Message: "no"}}})
	if _, err := rc.DescribeBlueGreenDeployments(ctx, &rds.DescribeBlueGreenDeploymentsInput{}, apiNoRetry); apiCode(err) != "AccessDenied" {
		t.Fatalf("injected error: %v", err)
	}
	if got := blueGreens(t, rc, &rds.DescribeBlueGreenDeploymentsInput{}); len(got) != 1 {
		t.Fatalf("%d deployments, want the one created after the throttling", len(got))
	}

	resp, err := http.Post(srv.URL(), "application/x-www-form-urlencoded", strings.NewReader("Action=DescribeBlueGreenDeployments&Version=2014-10-31"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("unsigned DescribeBlueGreenDeployments: HTTP %d, want 403", resp.StatusCode)
	}
}
