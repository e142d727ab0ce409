package sandbox

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// lifecycles is "name start end" of each lifecycle of v, dates as RFC 3339 in UTC.
func lifecycles(v rdstypes.DBMajorEngineVersion) []string {
	var out []string
	for _, l := range v.SupportedEngineLifecycles {
		out = append(out, fmt.Sprintf("%s %s %s", l.LifecycleSupportName,
			aws.ToTime(l.LifecycleSupportStartDate).UTC().Format(time.RFC3339Nano), aws.ToTime(l.LifecycleSupportEndDate).UTC().Format(time.RFC3339Nano)))
	}
	return out
}

// TestDescribeDBMajorEngineVersions reads the default calendar with the real SDK client: one
// version with both lifecycles, every version over pages of 20, an engine with none listed and
// an engine RDS does not know.
func TestDescribeDBMajorEngineVersions(t *testing.T) {
	_, rc, _ := start(t, Options{})
	ctx := context.Background()
	out, err := rc.DescribeDBMajorEngineVersions(ctx, &rds.DescribeDBMajorEngineVersionsInput{Engine: aws.String("postgres"), MajorEngineVersion: aws.String("14")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DBMajorEngineVersions) != 1 || out.Marker != nil {
		t.Fatalf("postgres 14: %d versions, marker %v", len(out.DBMajorEngineVersions), out.Marker)
	}
	v := out.DBMajorEngineVersions[0]
	want := []string{
		"open-source-rds-standard-support 2021-09-30T00:00:00Z 2027-02-28T23:59:59.999Z",
		"open-source-rds-extended-support 2027-03-01T00:00:00Z 2030-02-28T23:59:59.999Z",
	}
	if got := lifecycles(v); aws.ToString(v.Engine) != "postgres" || aws.ToString(v.MajorEngineVersion) != "14" || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("postgres 14: %s %s %q, want %q", aws.ToString(v.Engine), aws.ToString(v.MajorEngineVersion), got, want)
	}
	// PostgreSQL 11, 12 and 13 end standard support on the dates AWS published.
	for major, last := range map[string]string{"11": "2024-02-29", "12": "2025-02-28", "13": "2026-02-28"} {
		out, err := rc.DescribeDBMajorEngineVersions(ctx, &rds.DescribeDBMajorEngineVersionsInput{Engine: aws.String("aurora-postgresql"), MajorEngineVersion: aws.String(major)})
		if err != nil || len(out.DBMajorEngineVersions) != 1 {
			t.Fatalf("aurora-postgresql %s: %v, %d versions", major, err, len(out.DBMajorEngineVersions))
		}
		ls := out.DBMajorEngineVersions[0].SupportedEngineLifecycles
		if len(ls) != 2 || aws.ToTime(ls[0].LifecycleSupportEndDate).Format(time.DateOnly) != last ||
			!aws.ToTime(ls[1].LifecycleSupportStartDate).Equal(aws.ToTime(ls[0].LifecycleSupportEndDate).Add(time.Millisecond)) {
			t.Errorf("aurora-postgresql %s: %q, want standard support to %s and Extended Support right after", major, lifecycles(out.DBMajorEngineVersions[0]), last)
		}
	}

	all := everyPage(t, rds.NewDescribeDBMajorEngineVersionsPaginator(rc, &rds.DescribeDBMajorEngineVersionsInput{MaxRecords: aws.Int32(20)}),
		func(o *rds.DescribeDBMajorEngineVersionsOutput) []rdstypes.DBMajorEngineVersion {
			return o.DBMajorEngineVersions
		})
	var names []string
	for _, v := range all {
		names = append(names, aws.ToString(v.Engine)+" "+aws.ToString(v.MajorEngineVersion))
	}
	if len(all) != 16 || names[0] != "aurora-postgresql 11" || names[7] != "aurora-postgresql 18" || names[8] != "postgres 11" || names[15] != "postgres 18" {
		t.Errorf("every version, 20 a page: %q", names)
	}

	out, err = rc.DescribeDBMajorEngineVersions(ctx, &rds.DescribeDBMajorEngineVersionsInput{Engine: aws.String("mysql")})
	if err != nil || len(out.DBMajorEngineVersions) != 0 {
		t.Errorf("mysql: %v, %d versions, want none", err, len(out.DBMajorEngineVersions))
	}
	_, err = rc.DescribeDBMajorEngineVersions(ctx, &rds.DescribeDBMajorEngineVersionsInput{Engine: aws.String("postgresql")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("engine postgresql: %v, want InvalidParameterValue", err)
	}
}

// TestDescribeDBMajorEngineVersions_scenario: a scenario's calendar replaces the default one; a
// version without Extended Support lists only its standard support.
func TestDescribeDBMajorEngineVersions_scenario(t *testing.T) {
	end := time.Date(2030, 6, 30, 23, 59, 59, 0, time.UTC)
	_, rc, _ := start(t, Options{Scenario: &Scenario{Name: "calendar", MajorEngineVersions: []MajorEngineVersionSpec{
		{Engine: "postgres", Major: "14", StandardStart: time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC), StandardEnd: end},
	}}})
	all := everyPage(t, rds.NewDescribeDBMajorEngineVersionsPaginator(rc, &rds.DescribeDBMajorEngineVersionsInput{}),
		func(o *rds.DescribeDBMajorEngineVersionsOutput) []rdstypes.DBMajorEngineVersion {
			return o.DBMajorEngineVersions
		})
	if len(all) != 1 {
		t.Fatalf("%d versions, want the scenario's one", len(all))
	}
	want := "[open-source-rds-standard-support 2021-09-30T00:00:00Z 2030-06-30T23:59:59Z]"
	if got := fmt.Sprint(lifecycles(all[0])); got != want {
		t.Errorf("lifecycles %s, want %s", got, want)
	}
}
