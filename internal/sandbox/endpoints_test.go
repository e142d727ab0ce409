package sandbox

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// The cluster endpoints over the real SDK: custom endpoints made with CreateDBClusterEndpoint,
// listed with the writer and reader endpoints, filtered and paged; bad input refused.
func TestClusterEndpoints(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	create := func(id, typ string, static, excluded []string) error {
		_, err := rc.CreateDBClusterEndpoint(ctx, &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String("sso-prod"),
			DBClusterEndpointIdentifier: aws.String(id), EndpointType: aws.String(typ), StaticMembers: static, ExcludedMembers: excluded})
		return err
	}
	out, err := rc.CreateDBClusterEndpoint(ctx, &rds.CreateDBClusterEndpointInput{DBClusterIdentifier: aws.String("sso-prod"),
		DBClusterEndpointIdentifier: aws.String("analytics"), EndpointType: aws.String("READER"), StaticMembers: []string{"sso-prod-instance-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.EndpointType) != "CUSTOM" || aws.ToString(out.CustomEndpointType) != "READER" || !slices.Equal(out.StaticMembers, []string{"sso-prod-instance-2"}) ||
		aws.ToString(out.DBClusterEndpointArn) != "arn:aws:rds:us-east-1:123456789012:cluster-endpoint:analytics" {
		t.Fatalf("created %+v", out)
	}
	if err := create("everything-but-writer", "ANY", nil, []string{"sso-prod-instance-1"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		id, typ          string
		static, excluded []string
		code             string
	}{
		{"analytics", "ANY", nil, nil, "DBClusterEndpointAlreadyExistsFault"},
		{"x", "WRITER", nil, nil, "InvalidParameterValue"},
		{"y", "ANY", []string{"mandible-prod"}, nil, "InvalidParameterValue"},
		{"z", "ANY", []string{"sso-prod-instance-1"}, []string{"sso-prod-instance-2"}, "InvalidParameterCombination"},
		{"Bad--id", "ANY", nil, nil, "InvalidParameterValue"},
	} {
		if err := create(bad.id, bad.typ, bad.static, bad.excluded); apiCode(err) != bad.code {
			t.Errorf("create %s %s %v %v: %v, want %s", bad.id, bad.typ, bad.static, bad.excluded, err, bad.code)
		}
	}

	list := func(in *rds.DescribeDBClusterEndpointsInput) []rdstypes.DBClusterEndpoint {
		t.Helper()
		var all []rdstypes.DBClusterEndpoint
		p := rds.NewDescribeDBClusterEndpointsPaginator(rc, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.DBClusterEndpoints...)
		}
		return all
	}
	kinds := func(es []rdstypes.DBClusterEndpoint) []string {
		var out []string
		for _, e := range es {
			out = append(out, fmt.Sprintf("%s/%s/%s", aws.ToString(e.EndpointType), aws.ToString(e.DBClusterEndpointIdentifier), aws.ToString(e.CustomEndpointType)))
		}
		return out
	}
	got := kinds(list(&rds.DescribeDBClusterEndpointsInput{DBClusterIdentifier: aws.String("sso-prod")}))
	want := []string{"WRITER//", "READER//", "CUSTOM/analytics/READER", "CUSTOM/everything-but-writer/ANY"}
	if !slices.Equal(got, want) {
		t.Fatalf("endpoints %v, want %v", got, want)
	}
	custom := list(&rds.DescribeDBClusterEndpointsInput{DBClusterIdentifier: aws.String("sso-prod"),
		Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-endpoint-type"), Values: []string{"custom"}}}})
	if len(custom) != 2 || !slices.Equal(custom[1].ExcludedMembers, []string{"sso-prod-instance-1"}) {
		t.Fatalf("custom endpoints %+v", custom)
	}
	if got := kinds(list(&rds.DescribeDBClusterEndpointsInput{DBClusterEndpointIdentifier: aws.String("analytics")})); !slices.Equal(got, want[2:3]) {
		t.Fatalf("by identifier: %v", got)
	}
	if got := kinds(list(&rds.DescribeDBClusterEndpointsInput{Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-endpoint-custom-type"), Values: []string{"any"}}}})); !slices.Equal(got, want[3:]) {
		t.Fatalf("by custom type: %v", got)
	}
	// Paging: 25 more endpoints on the cluster, 20 to a page.
	for i := range 25 {
		if err := create(fmt.Sprintf("e%02d", i), "ANY", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	first, err := rc.DescribeDBClusterEndpoints(ctx, &rds.DescribeDBClusterEndpointsInput{DBClusterIdentifier: aws.String("sso-prod"), MaxRecords: aws.Int32(20)})
	if err != nil || len(first.DBClusterEndpoints) != 20 || first.Marker == nil {
		t.Fatalf("first page: %v %d", err, len(first.DBClusterEndpoints))
	}
	if n := len(list(&rds.DescribeDBClusterEndpointsInput{DBClusterIdentifier: aws.String("sso-prod"), MaxRecords: aws.Int32(20)})); n != 29 {
		t.Fatalf("%d endpoints over the pages, want 29", n)
	}
	for _, in := range []*rds.DescribeDBClusterEndpointsInput{
		{DBClusterIdentifier: aws.String("nope")},
		{DBClusterEndpointIdentifier: aws.String("nope")},
		{Filters: []rdstypes.Filter{{Name: aws.String("engine"), Values: []string{"x"}}}},
	} {
		if _, err := rc.DescribeDBClusterEndpoints(ctx, in); err == nil {
			t.Errorf("DescribeDBClusterEndpoints(%+v) succeeded", in)
		}
	}
}
