// Package enginesupport reads from RDS when a PostgreSQL major version's RDS Extended Support starts
// (rds:DescribeDBMajorEngineVersions, the dates RDS's release calendar gives). The provider's own
// table (pricing) knows the versions already on Extended Support when it was written; a version
// that reaches the end of RDS standard support later is found here, so its charge is priced without
// a new release of the provider.
package enginesupport

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// API lists the RDS operation this package calls; *rds.Client satisfies it.
type API interface {
	DescribeDBMajorEngineVersions(ctx context.Context, in *rds.DescribeDBMajorEngineVersionsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBMajorEngineVersionsOutput, error)
}

// ExtendedSupportStart returns when RDS Extended Support of major version major of engine
// ("postgres", "aurora-postgresql") starts, as RDS reports it: the LifecycleSupportStartDate of its
// "open-source-rds-extended-support" lifecycle. ok is false, with a nil error, when RDS lists the
// version without such a lifecycle. It fails when the call fails or RDS does not list the version.
func ExtendedSupportStart(ctx context.Context, api API, engine string, major int) (start time.Time, ok bool, err error) {
	want := strconv.Itoa(major)
	p := rds.NewDescribeDBMajorEngineVersionsPaginator(api, &rds.DescribeDBMajorEngineVersionsInput{
		Engine: aws.String(engine), MajorEngineVersion: aws.String(want),
	})
	found := false
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("reading the support dates of %s %s (rds:DescribeDBMajorEngineVersions): %w", engine, want, err)
		}
		for _, v := range page.DBMajorEngineVersions {
			if aws.ToString(v.Engine) != engine || aws.ToString(v.MajorEngineVersion) != want {
				continue
			}
			found = true
			for _, l := range v.SupportedEngineLifecycles {
				if l.LifecycleSupportName == types.LifecycleSupportNameOpenSourceRdsExtendedSupport && l.LifecycleSupportStartDate != nil {
					return l.LifecycleSupportStartDate.UTC(), true, nil
				}
			}
		}
	}
	if !found {
		return time.Time{}, false, fmt.Errorf("reading the support dates of %s %s (rds:DescribeDBMajorEngineVersions): RDS does not list that major version", engine, want)
	}
	return time.Time{}, false, nil
}
