package topology

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awserr"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/bluegreen"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/routing"
)

// RDSAPI lists exactly the Amazon RDS operations the orchestrator and the finders call.
// *rds.Client satisfies it. IAM: rds:DescribeDBInstances, rds:DescribeDBClusters,
// rds:DescribeDBSnapshots, rds:DescribeDBClusterSnapshots, rds:CreateDBSnapshot,
// rds:CreateDBClusterSnapshot, rds:AddTagsToResource, rds:ListTagsForResource,
// rds:ModifyDBInstance, rds:CreateDBInstance, rds:DeleteDBInstance, rds:DeleteDBSnapshot,
// rds:DeleteDBClusterSnapshot, rds:DescribeDBClusterEndpoints, rds:DescribeDBProxyEndpoints and
// rds:DescribeDBProxyTargets (Aurora, routing.API), rds:DescribeBlueGreenDeployments
// (bluegreen.API) and (for verify_restore) rds:RestoreDBInstanceFromDBSnapshot.
type RDSAPI interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, optFns ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusters(ctx context.Context, in *rds.DescribeDBClustersInput, optFns ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
	DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error)
	DescribeDBClusterSnapshots(ctx context.Context, in *rds.DescribeDBClusterSnapshotsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error)
	CreateDBSnapshot(ctx context.Context, in *rds.CreateDBSnapshotInput, optFns ...func(*rds.Options)) (*rds.CreateDBSnapshotOutput, error)
	CreateDBClusterSnapshot(ctx context.Context, in *rds.CreateDBClusterSnapshotInput, optFns ...func(*rds.Options)) (*rds.CreateDBClusterSnapshotOutput, error)
	AddTagsToResource(ctx context.Context, in *rds.AddTagsToResourceInput, optFns ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
	ListTagsForResource(ctx context.Context, in *rds.ListTagsForResourceInput, optFns ...func(*rds.Options)) (*rds.ListTagsForResourceOutput, error)
	ModifyDBInstance(ctx context.Context, in *rds.ModifyDBInstanceInput, optFns ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error)
	CreateDBInstance(ctx context.Context, in *rds.CreateDBInstanceInput, optFns ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error)
	DeleteDBInstance(ctx context.Context, in *rds.DeleteDBInstanceInput, optFns ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error)
	DeleteDBSnapshot(ctx context.Context, in *rds.DeleteDBSnapshotInput, optFns ...func(*rds.Options)) (*rds.DeleteDBSnapshotOutput, error)
	DeleteDBClusterSnapshot(ctx context.Context, in *rds.DeleteDBClusterSnapshotInput, optFns ...func(*rds.Options)) (*rds.DeleteDBClusterSnapshotOutput, error)
	RestoreDBInstanceFromDBSnapshot(ctx context.Context, in *rds.RestoreDBInstanceFromDBSnapshotInput, optFns ...func(*rds.Options)) (*rds.RestoreDBInstanceFromDBSnapshotOutput, error)
	// The Aurora precheck lists custom endpoints and RDS Proxy endpoints.
	routing.API
	// Every change's precheck lists blue/green deployments.
	bluegreen.API
}

// NotFoundError reports that an RDS resource does not exist. Finders return it (wrapped or not);
// test with IsNotFound.
type NotFoundError struct {
	// Kind names the resource type: "DB instance", "DB cluster", "DB snapshot", "DB cluster snapshot".
	Kind string
	// ID is the identifier looked up.
	ID string
	// Err is the underlying API error, or nil when the API answered with an empty list.
	Err error
	// Hint, when set, says what to do (Describe sets it when the identifier names a resource of
	// the other kind: a DB cluster looked up as a DB instance, say).
	Hint string
}

// Error implements error.
func (e *NotFoundError) Error() string {
	if e.Hint != "" {
		return fmt.Sprintf("%s %s not found: %s", e.Kind, e.ID, e.Hint)
	}
	return fmt.Sprintf("%s %s not found", e.Kind, e.ID)
}

// Unwrap returns the underlying API error, if any.
func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is, or wraps, a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

func isInstanceNotFound(err error) bool {
	var f *rdstypes.DBInstanceNotFoundFault
	return errors.As(err, &f) || awserr.HasCode(err, "DBInstanceNotFound", "DBInstanceNotFoundFault")
}

func isClusterNotFound(err error) bool {
	var f *rdstypes.DBClusterNotFoundFault
	return errors.As(err, &f) || awserr.HasCode(err, "DBClusterNotFoundFault", "DBClusterNotFound")
}

func isSnapshotNotFound(err error) bool {
	var f *rdstypes.DBSnapshotNotFoundFault
	return errors.As(err, &f) || awserr.HasCode(err, "DBSnapshotNotFound", "DBSnapshotNotFoundFault")
}

func isClusterSnapshotNotFound(err error) bool {
	var f *rdstypes.DBClusterSnapshotNotFoundFault
	return errors.As(err, &f) || awserr.HasCode(err, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshotNotFound")
}

func isAlreadyExists(err error) bool {
	return awserr.HasCode(err, "DBSnapshotAlreadyExists", "DBSnapshotAlreadyExistsFault", "DBClusterSnapshotAlreadyExistsFault",
		"DBInstanceAlreadyExists", "DBInstanceAlreadyExistsFault")
}

// parameterGroupRefused reports whether RDS refused a CreateDBInstance for its DB parameter group:
// one that does not exist (any more), or one of another family than the engine version takes
// (InvalidParameterCombination "The parameter group X with DBParameterGroupFamily aurora-postgresql14
// can't be used for this instance. Use a parameter group with DBParameterGroupFamily
// aurora-postgresql15.", after a major upgrade).
func parameterGroupRefused(err error) bool {
	return awserr.HasCode(err, "DBParameterGroupNotFound", "DBParameterGroupNotFoundFault") ||
		(awserr.HasCode(err, "InvalidParameterCombination") && strings.Contains(err.Error(), "DBParameterGroupFamily"))
}

// monitoringRoleRefused reports whether RDS refused a CreateDBInstance for its Enhanced Monitoring
// role: one deleted, or without the permissions RDS needs ("IAM role ARN value is invalid or does
// not include the required permissions for: ENHANCED_MONITORING", InvalidParameterValue).
func monitoringRoleRefused(err error) bool {
	return awserr.HasCode(err, "InvalidParameterValue", "InvalidParameterCombination") && strings.Contains(err.Error(), "ENHANCED_MONITORING")
}

func isInvalidState(err error) bool {
	return awserr.HasCode(err, "InvalidDBInstanceState", "InvalidDBInstanceStateFault", "InvalidDBClusterStateFault",
		"InvalidDBSnapshotState", "InvalidDBSnapshotStateFault", "InvalidDBClusterSnapshotStateFault")
}

// limitAdvice says what to do when RDS refused a call that creates or modifies a DB instance
// (RestoreDBInstanceFromDBSnapshot, CreateDBInstance, ModifyDBInstance MultiAZ=true) for an
// account quota or for capacity, the refusals RDS documents for them; "" for any other error.
// Quotas do not lift by retrying: the advice names the Service Quotas entry to raise. Capacity
// (InsufficientDBInstanceCapacity: the class is not available in the Availability Zone now)
// usually passes; otherwise is what else helps where it arises (a reader in another Availability
// Zone or class, verify_restore skipped). The sentence ends without a full stop.
func limitAdvice(err error, otherwise string) string {
	switch {
	case awserr.HasCode(err, "InstanceQuotaExceeded", "InstanceQuotaExceededFault"):
		return "the account has as many DB instances in this Region as RDS allows: delete DB instances no longer needed, " +
			"or ask for a higher quota (Service Quotas, Amazon Relational Database Service: DB instances), then apply again"
	case awserr.HasCode(err, "StorageQuotaExceeded", "StorageQuotaExceededFault"):
		return "the account's DB instances in this Region have as much storage as RDS allows: delete DB instances no longer needed, " +
			"or ask for a higher quota (Service Quotas, Amazon Relational Database Service: Total storage for all DB instances), then apply again"
	case awserr.HasCode(err, "InsufficientDBInstanceCapacity", "InsufficientDBInstanceCapacityFault"):
		advice := "AWS has no capacity for the DB instance class in the Availability Zone at the moment, which usually passes: apply again later"
		if otherwise != "" {
			advice += "; if it does not pass, " + otherwise
		}
		return advice
	case awserr.HasCode(err, "DBSubnetGroupDoesNotCoverEnoughAZs"):
		return "the DB subnet group has subnets in fewer Availability Zones than RDS needs: add a subnet in another Availability Zone to it, then apply again"
	}
	return ""
}

// withLimitAdvice appends limitAdvice's advice to err (wrapped), or returns err as it is.
func withLimitAdvice(err error, otherwise string) error {
	if a := limitAdvice(err, otherwise); a != "" {
		return fmt.Errorf("%w: %s", err, a)
	}
	return err
}

// IsTransient reports whether err is worth retrying while polling: AWS throttling, an HTTP 5xx
// answer, or a dropped or timed-out connection. Context cancellation is never transient.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if awserr.HasCode(err, "Throttling", "ThrottlingException", "RequestLimitExceeded", "RequestThrottled",
		"TooManyRequestsException", "ServiceUnavailable", "InternalFailure", "InternalError") {
		return true
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// FindDBInstance returns the DB instance with the given identifier, or a *NotFoundError.
func FindDBInstance(ctx context.Context, api RDSAPI, id string) (*rdstypes.DBInstance, error) {
	in, _, err := findDBInstanceAt(ctx, api, id)
	return in, err
}

// findDBInstanceAt is FindDBInstance with the time RDS answered on its own clock, its response's
// Date header (the zero time when it sent none).
func findDBInstanceAt(ctx context.Context, api RDSAPI, id string) (*rdstypes.DBInstance, time.Time, error) {
	out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: &id})
	if err != nil {
		if isInstanceNotFound(err) {
			return nil, time.Time{}, &NotFoundError{Kind: "DB instance", ID: id, Err: err}
		}
		return nil, time.Time{}, fmt.Errorf("describing DB instance %s: %w", id, err)
	}
	at, _ := awsmiddleware.GetServerTime(out.ResultMetadata)
	for i := range out.DBInstances {
		if strings.EqualFold(deref(out.DBInstances[i].DBInstanceIdentifier), id) {
			return &out.DBInstances[i], at, nil
		}
	}
	return nil, time.Time{}, &NotFoundError{Kind: "DB instance", ID: id}
}

// FindDBCluster returns the DB cluster with the given identifier, or a *NotFoundError.
func FindDBCluster(ctx context.Context, api RDSAPI, id string) (*rdstypes.DBCluster, error) {
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: &id})
	if err != nil {
		if isClusterNotFound(err) {
			return nil, &NotFoundError{Kind: "DB cluster", ID: id, Err: err}
		}
		return nil, fmt.Errorf("describing DB cluster %s: %w", id, err)
	}
	for i := range out.DBClusters {
		if strings.EqualFold(deref(out.DBClusters[i].DBClusterIdentifier), id) {
			return &out.DBClusters[i], nil
		}
	}
	return nil, &NotFoundError{Kind: "DB cluster", ID: id}
}

// FindDBSnapshot returns the DB snapshot with the given identifier, or a *NotFoundError.
func FindDBSnapshot(ctx context.Context, api RDSAPI, id string) (*rdstypes.DBSnapshot, error) {
	out, err := api.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: &id})
	if err != nil {
		if isSnapshotNotFound(err) {
			return nil, &NotFoundError{Kind: "DB snapshot", ID: id, Err: err}
		}
		return nil, fmt.Errorf("describing DB snapshot %s: %w", id, err)
	}
	for i := range out.DBSnapshots {
		if strings.EqualFold(deref(out.DBSnapshots[i].DBSnapshotIdentifier), id) {
			return &out.DBSnapshots[i], nil
		}
	}
	return nil, &NotFoundError{Kind: "DB snapshot", ID: id}
}

// FindDBClusterSnapshot returns the DB cluster snapshot with the given identifier, or a *NotFoundError.
func FindDBClusterSnapshot(ctx context.Context, api RDSAPI, id string) (*rdstypes.DBClusterSnapshot, error) {
	out, err := api.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: &id})
	if err != nil {
		if isClusterSnapshotNotFound(err) {
			return nil, &NotFoundError{Kind: "DB cluster snapshot", ID: id, Err: err}
		}
		return nil, fmt.Errorf("describing DB cluster snapshot %s: %w", id, err)
	}
	for i := range out.DBClusterSnapshots {
		if strings.EqualFold(deref(out.DBClusterSnapshots[i].DBClusterSnapshotIdentifier), id) {
			return &out.DBClusterSnapshots[i], nil
		}
	}
	return nil, &NotFoundError{Kind: "DB cluster snapshot", ID: id}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
