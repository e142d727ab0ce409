// Package inventory discovers the topology of RDS for PostgreSQL instances and
// Aurora PostgreSQL clusters through the RDS API: which nodes there are, their
// roles, classes and zones, and whether the cluster is a 2-node cluster this
// provider can analyse and consolidate.
//
// It depends only on the aws-sdk-go-v2 RDS types; the RDSAPI interface lists
// the calls it makes and is satisfied by *rds.Client.
package inventory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/awserr"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/bluegreen"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/enginesupport"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/events"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/maintenance"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/paramgroups"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/replicascaling"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/reservations"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/routing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/snapshots"
)

// RDSAPI is the part of the RDS client that discovery uses.
type RDSAPI interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, optFns ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusters(ctx context.Context, in *rds.DescribeDBClustersInput, optFns ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
	// AttachEndpoints lists custom endpoints and RDS Proxy endpoints.
	routing.API
	// AttachBlueGreen lists blue/green deployments.
	bluegreen.API
	// AttachReservations lists reserved DB instances.
	reservations.API
	// AttachMaintenance lists pending maintenance actions.
	maintenance.API
	// AttachEvents lists failover and failure events.
	events.API
	// AttachSupportDates reads when a major version's Extended Support starts.
	enginesupport.API
	// AttachParameterGroups reads what the writer's parameter groups set.
	paramgroups.API
	// AttachLatestSnapshots lists an instance's snapshots.
	snapshots.API
}

// Kind is the kind of 2-node deployment; the values match analysis.Topology.
type Kind string

// Kinds.
const (
	KindMultiAZ Kind = "multi-az" // RDS DB instance with a synchronous standby
	KindAurora  Kind = "aurora"   // Aurora cluster: writer + reader(s)
)

// Roles of a node.
const (
	RoleWriter  = "writer"
	RoleReader  = "reader"
	RoleStandby = "standby"
)

// Supported engines.
var (
	InstanceEngines = []string{"postgres"}
	ClusterEngines  = []string{"aurora-postgresql"}
)

// Node is one DB instance of a cluster. For a Multi-AZ instance the standby is
// listed as a second node with Role "standby", the same class, the secondary
// availability zone and no identifier of its own (ID is "<instance>-standby").
type Node struct {
	ID               string
	ARN              string // the DB instance's ARN; empty for a Multi-AZ standby
	Role             string
	Class            string
	Engine           string
	EngineVersion    string
	AvailabilityZone string
	Status           string
	PromotionTier    int32
	// Virtual is true for a Multi-AZ standby: it has no API identity and
	// publishes no CloudWatch metrics of its own.
	Virtual bool
	// PendingClass is the instance class a pending modification will change
	// the instance to (PendingModifiedValues.DBInstanceClass: ModifyDBInstance
	// without ApplyImmediately, applied in the next maintenance window, or a
	// change being applied); "" when none. A Multi-AZ standby shows its
	// primary's: the class applies to both.
	PendingClass string
	// ParameterGroup is the instance's DB parameter group and ParameterApplyStatus its status
	// ("in-sync", or "pending-reboot" when a change in the group waits for a restart); "" for a
	// Multi-AZ standby, which runs its primary's.
	ParameterGroup, ParameterApplyStatus string
	// ClusterParameterApplyStatus is an Aurora member's status of its cluster's DB cluster
	// parameter group (DBClusterMembers' DBClusterParameterGroupStatus: "in-sync",
	// "pending-reboot"); "" otherwise.
	ClusterParameterApplyStatus string
	// Created is when the DB instance was created (InstanceCreateTime); zero when RDS gave none
	// and for a Multi-AZ standby. A rename keeps it, while CloudWatch has the instance's metrics
	// under the identifier they were published with (rightsizing.MetricsStartLate).
	Created time.Time
}

// Cluster is a discovered deployment.
type Cluster struct {
	Kind Kind
	// Identifier is what the user named: the DB instance identifier for
	// Multi-AZ, the DB cluster identifier for Aurora.
	Identifier string
	ARN        string
	// ResourceID is the DB instance's DbiResourceId (Multi-AZ kind only; "" when RDS gave none):
	// unlike Identifier, a rename does not change it, and the instance's snapshots carry it.
	ResourceID    string
	Engine        string
	EngineVersion string
	Status        string
	// EngineLifecycleSupport is the instance's (Multi-AZ kind) or the Aurora
	// cluster's lifecycle type as RDS reports it: "open-source-rds-extended-support"
	// (RDS's default: enrolled in RDS Extended Support, billed per vCPU-hour
	// once the major version is past the end of standard support),
	// "open-source-rds-extended-support-disabled" (not enrolled), or "" when
	// RDS gave none.
	EngineLifecycleSupport string
	// MultiAZ is the instance's MultiAZ flag (Multi-AZ kind only).
	MultiAZ bool
	// AllocatedStorageGiB is the instance's storage (Multi-AZ kind only).
	AllocatedStorageGiB int32
	// MaxAllocatedStorageGiB is the limit of the instance's storage autoscaling
	// (MaxAllocatedStorage, Multi-AZ kind only); 0 when autoscaling is off.
	MaxAllocatedStorageGiB int32
	// StorageType is the instance's (gp2, gp3, io1, ...) or, for Aurora,
	// the cluster's storage configuration ("aurora" for Aurora Standard, or
	// empty; "aurora-iopt1" for I/O-Optimized).
	StorageType string
	// ProvisionedIOPS and StorageThroughputMBps are the instance's
	// provisioned IOPS and throughput (io1, io2, gp3; 0 when none or
	// Aurora).
	ProvisionedIOPS       int32
	StorageThroughputMBps int32
	// PendingStorage are the instance's pending storage modifications
	// (PendingModifiedValues, Multi-AZ kind only): applied in the next
	// maintenance window, or being applied. Zero when none.
	PendingStorage PendingStorage
	// PendingMultiAZ is the instance's pending Multi-AZ setting (PendingModifiedValues.MultiAZ,
	// Multi-AZ kind only: a ModifyDBInstance without ApplyImmediately, applied in the next
	// maintenance window, or being applied); nil when none is pending.
	PendingMultiAZ *bool
	// ReadReplicas are the identifiers of the instance's read replicas
	// (ReadReplicaDBInstanceIdentifiers, Multi-AZ kind only); nil when none.
	ReadReplicas []string
	// ReplicaSource is the source of the instance when it is a read replica (its
	// ReadReplicaSourceDBInstanceIdentifier, an ARN for a cross-region one, or
	// ReadReplicaSourceDBClusterIdentifier; Multi-AZ kind only); "" otherwise.
	ReplicaSource string
	// ClusterParameterGroup is an Aurora cluster's DB cluster parameter group (Aurora kind only).
	ClusterParameterGroup string
	// GlobalCluster is the GlobalClusterIdentifier of the Aurora global database the cluster is a
	// member of (Aurora kind only; "" for none). GlobalSecondary is true when it is a secondary
	// cluster of it: no writer, every instance a reader of the primary cluster in another region,
	// which CheckTwoNode refuses (SecondaryClusterReason).
	GlobalCluster   string
	GlobalSecondary bool
	// GroupSettings are the values the writer's parameter groups set for the parameters
	// AttachParameterGroups reads (GroupParameters), by name: the value a user gave each (an
	// integer or an RDS formula) in the writer's DB parameter group, else, on Aurora, in the DB
	// cluster parameter group, whose instance-level values the DB parameter group overrides; a
	// parameter they keep at RDS's default is not in the map. Set by AttachParameterGroups;
	// ParametersUnread says why the groups could not be read, if so, and ParametersDenied is true
	// when RDS refused for the credentials' permissions.
	GroupSettings    map[string]GroupSetting
	ParametersUnread string
	ParametersDenied bool
	// WriterGroupParameters are every parameter a user set in the writer's DB parameter group
	// (by name; nil for RDS's default group, or when it could not be read): what a new group
	// that replaces it must carry over. Set by AttachParameterGroups.
	WriterGroupParameters []paramgroups.Parameter
	// ReaderParameters are the analysis.SessionParameters an Aurora cluster's reader runs with
	// another value than its writer, as their DB parameter groups and the DB cluster parameter
	// group set them (nil when none). Set by AttachParameterGroups; ReaderParametersUnread says
	// why they were not compared, if so: it is ParametersUnread itself when it is the writer's
	// groups that could not be read (one cause, which one warning says), else why the reader's
	// DB parameter group, or the DB cluster parameter group the writer's did not need, could not be.
	// ReaderParametersDenied is true when RDS refused for the credentials' permissions.
	ReaderParameters       []analysis.ParameterDifference
	ReaderParametersUnread string
	ReaderParametersDenied bool
	Nodes                  []Node
	Tags                   map[string]string
	// CustomEndpoints are an Aurora cluster's custom endpoints, set by
	// AttachEndpoints. When they could not be listed
	// (rds:DescribeDBClusterEndpoints denied, say), EndpointsUnread says why
	// and CustomEndpoints is nil.
	CustomEndpoints []analysis.CustomEndpoint
	EndpointsUnread string
	// ProxyReaderEndpoints are the read-only endpoints of the RDS Proxies in
	// front of an Aurora cluster, set by AttachEndpoints; ProxiesUnread says
	// why they could not be listed, if so.
	ProxyReaderEndpoints []analysis.ProxyEndpoint
	ProxiesUnread        string
	// ReplicaAutoScaling is an Aurora cluster's Aurora Auto Scaling (nil
	// without a scalable target), set by AttachAutoScaling; AutoScalingUnread
	// says why it could not be read, if so.
	ReplicaAutoScaling *analysis.ReplicaAutoScaling
	AutoScalingUnread  string
	// BlueGreenDeployments are the blue/green deployments, not switched
	// over, whose source is this deployment's database (bluegreen), set by
	// AttachBlueGreen; BlueGreenUnread says why they could not be listed,
	// if so.
	BlueGreenDeployments []analysis.BlueGreenDeployment
	BlueGreenUnread      string
	// GreenOf are the pending blue/green deployments whose green (target)
	// database this deployment is: a staging copy that replaces the
	// deployment's source at switchover. Set by AttachBlueGreen.
	GreenOf []analysis.BlueGreenDeployment
	// blueGreenRead records that AttachBlueGreen has listed the
	// deployments for this cluster.
	blueGreenRead bool
	// Reservations are the region's reserved DB instances, active or with
	// the payment pending, set by AttachReservations; ReservationsUnread
	// says why they could not be listed, if so.
	Reservations       []analysis.Reservation
	ReservationsUnread string
	// BackupWindow is the preferred backup window (the instance's, or the
	// Aurora cluster's), MaintenanceWindow the writer instance's preferred
	// maintenance window, and ClusterMaintenanceWindow an Aurora cluster's own
	// (for cluster-level maintenance such as engine upgrades), as RDS reports
	// them ("hh24:mi-hh24:mi", "ddd:hh24:mi-ddd:hh24:mi", UTC).
	BackupWindow, MaintenanceWindow, ClusterMaintenanceWindow string
	// BackupRetentionDays is an RDS instance's BackupRetentionPeriod (0: automated backups are
	// off, so there is no point-in-time restore) and PendingBackupRetentionDays the one RDS has
	// pending for it (nil: none). Not read for an Aurora cluster, which RDS keeps at 1 to 35 days.
	BackupRetentionDays        int32
	PendingBackupRetentionDays *int32
	// SnapshotsListed is true when AttachLatestSnapshots listed the snapshots of an RDS instance
	// without automated backups, and LatestSnapshot is then its newest available one (ID empty
	// when it has none). SnapshotsUnread says why they could not be listed, if so, and
	// SnapshotsDenied is true when RDS refused the call for want of permission.
	SnapshotsListed bool
	LatestSnapshot  analysis.Snapshot
	SnapshotsUnread string
	SnapshotsDenied bool
	// PendingMaintenance are the maintenance actions pending for the
	// deployment's instances and, for Aurora, its cluster, each named by
	// the instance or cluster identifier; set by AttachMaintenance.
	// MaintenanceUnread says why they could not be listed, if so.
	PendingMaintenance []analysis.PendingMaintenance
	MaintenanceUnread  string
	// Events are the failover and failure events of the last 14 days
	// (events.Recent) of the deployment's instances and, for Aurora, its
	// cluster, oldest first; set by AttachEvents. EventsUnread says why they
	// (and ClassChanges) could not be listed, if so.
	Events       []analysis.Event
	EventsUnread string
	// ClassChanges are the instance class changes of the deployment's instances in the same
	// 14 days (events.ClassChange), oldest first; set by AttachEvents with Events.
	ClassChanges []analysis.Event
	// ExtendedSupportFromRDS is the RDS Extended Support period of the
	// deployment's PostgreSQL major version as RDS reports it, set by
	// AttachSupportDates for a version past the community's support that the
	// provider's table does not list (nil otherwise, and when RDS reports no
	// Extended Support for it). SupportDatesUnread says why RDS's dates could
	// not be read, if so.
	ExtendedSupportFromRDS *pricing.ExtendedSupportPeriod
	SupportDatesUnread     string
	// SupportDatesDenied is true when RDS refused that call for the
	// credentials' permissions (AccessDenied), which granting
	// rds:DescribeDBMajorEngineVersions fixes.
	SupportDatesDenied bool
	// Unsupported says why the provider cannot analyse this PostgreSQL
	// deployment (a Multi-AZ DB cluster, Aurora Serverless); empty for one
	// it can. ListFleet keeps such deployments, with no nodes, so that the
	// fleet can list them as skipped; CheckTwoNode refuses them.
	Unsupported string
}

// GroupSetting is a parameter's value as a parameter group sets it.
type GroupSetting struct {
	Value string // as RDS lists it: an integer, or a formula such as {DBInstanceClassMemory/32768}
	From  string // the group: "DB parameter group chat-pg15", "DB cluster parameter group apg15"
}

// PendingStorage are pending changes of an RDS instance's storage, each zero
// (or "") when that value is not changing.
type PendingStorage struct {
	AllocatedGiB   int32  // new allocated storage, GiB
	StorageType    string // new storage type (gp2, gp3, io1, io2, ...)
	IOPS           int32  // new provisioned IOPS
	ThroughputMBps int32  // new provisioned throughput, MiB/s
}

// Any reports whether a storage change is pending.
func (p PendingStorage) Any() bool { return p != PendingStorage{} }

// PendingClasses returns the nodes of c with a pending class change
// (Node.PendingClass), a Multi-AZ standby left out (it follows its primary).
func (c Cluster) PendingClasses() []Node {
	var out []Node
	for _, n := range c.Nodes {
		if n.PendingClass != "" && !n.Virtual {
			out = append(out, n)
		}
	}
	return out
}

// Stopped reports whether the deployment is stopped or on its way to or from
// it (status "stopping", "stopped" or "starting"): the instance's, or the
// Aurora cluster's or any of its instances'. It returns the status found.
func (c Cluster) Stopped() (string, bool) {
	stopped := func(s string) bool { return s == "stopping" || s == "stopped" || s == "starting" }
	if stopped(c.Status) {
		return c.Status, true
	}
	for _, n := range c.Nodes {
		if stopped(n.Status) {
			return n.Status, true
		}
	}
	return "", false
}

// StoppedState describes a deployment that is stopping, stopped or starting (Stopped) for a
// message: what it is ("DB instance", or "DB cluster" for Aurora), its state in words ("being
// stopped", "stopped", "starting after being stopped") and the status RDS reports; ok is false
// when it runs.
func (c Cluster) StoppedState() (what, state, status string, ok bool) {
	if status, ok = c.Stopped(); !ok {
		return "", "", "", false
	}
	what = "DB instance"
	if c.Kind == KindAurora {
		what = "DB cluster"
	}
	state = map[string]string{"stopping": "being stopped", "stopped": "stopped", "starting": "starting after being stopped"}[status]
	return what, state, status, true
}

// DeletingStatuses are the statuses of a DB instance being deleted: "delete-precheck", which RDS
// shows first while it checks that replicas are safe to delete, then "deleting". An Aurora DB
// cluster being deleted shows "deleting".
var DeletingStatuses = []string{"delete-precheck", "deleting"}

// Deleting reports whether the deployment c is being deleted, or any of its instances is, and
// says so, e.g. `its reader sso-prod-instance-2 is being deleted (status "deleting"): the cluster
// is going to one node by itself`; "" and false otherwise. A Multi-AZ standby, which has its
// primary's status, is not named on its own.
func (c Cluster) Deleting() (string, bool) {
	what := "DB instance"
	if c.Kind == KindAurora {
		what = "DB cluster"
	}
	if slices.Contains(DeletingStatuses, c.Status) {
		return fmt.Sprintf("the %s is being deleted (status %q): it is going away", what, c.Status), true
	}
	for _, n := range c.Nodes {
		switch {
		case n.Virtual || !slices.Contains(DeletingStatuses, n.Status):
		case c.Kind != KindAurora:
			return fmt.Sprintf("the DB instance is being deleted (status %q): it is going away", n.Status), true
		case n.Role == RoleReader:
			return fmt.Sprintf("its reader %s is being deleted (status %q): the cluster is going to one node by itself", n.ID, n.Status), true
		default:
			return fmt.Sprintf("its %s %s is being deleted (status %q)", n.Role, n.ID, n.Status), true
		}
	}
	return "", false
}

// GoingSingleAZ reports whether the deployment c is a Multi-AZ instance with a change to
// Single-AZ pending (PendingMultiAZ false): RDS takes it to one node by itself, in the next
// maintenance window or now.
func (c Cluster) GoingSingleAZ() bool {
	return c.Kind == KindMultiAZ && c.MultiAZ && c.PendingMultiAZ != nil && !*c.PendingMultiAZ
}

// Writer returns the writer node.
func (c Cluster) Writer() (Node, bool) {
	for _, n := range c.Nodes {
		if n.Role == RoleWriter {
			return n, true
		}
	}
	return Node{}, false
}

// Readers returns the Aurora readers, in identifier order.
func (c Cluster) Readers() []Node {
	var out []Node
	for _, n := range c.Nodes {
		if n.Role == RoleReader {
			out = append(out, n)
		}
	}
	return out
}

// MetricNodes are the nodes that publish CloudWatch metrics (all but a
// Multi-AZ standby).
func (c Cluster) MetricNodes() []Node {
	var out []Node
	for _, n := range c.Nodes {
		if !n.Virtual {
			out = append(out, n)
		}
	}
	return out
}

// NotFoundError reports an identifier that does not exist.
type NotFoundError struct {
	Kind       string // "DB instance" or "DB cluster"
	Identifier string
	// Hint, when set, says what to do instead: Discover sets it when the identifier names a
	// deployment of the other kind (a DB cluster given as a DB instance, say).
	Hint string
}

func (e *NotFoundError) Error() string {
	if e.Hint != "" {
		return fmt.Sprintf("%s %q not found in this account and region: %s", e.Kind, e.Identifier, e.Hint)
	}
	return fmt.Sprintf("%s %q not found in this account and region", e.Kind, e.Identifier)
}

// UnsupportedError reports a deployment this provider does not handle, with
// what is supported.
type UnsupportedError struct {
	Identifier string
	Reason     string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: %s", e.Identifier, e.Reason)
}

// IsNotFound reports whether err is (or wraps) a NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// Discover describes the deployment named by exactly one of instanceID and
// clusterID. It returns a *NotFoundError when it does not exist and an
// *UnsupportedError when it is not PostgreSQL, is Serverless, or is an
// instance that belongs to a cluster. It does not check the node count: see
// CheckTwoNode.
func Discover(ctx context.Context, api RDSAPI, instanceID, clusterID string) (Cluster, error) {
	switch {
	case instanceID != "" && clusterID != "":
		return Cluster{}, errors.New("give either a DB instance identifier or a DB cluster identifier, not both")
	case instanceID != "":
		c, err := discoverInstance(ctx, api, instanceID)
		if nf := (*NotFoundError)(nil); errors.As(err, &nf) {
			// A cluster's identifier given as an instance's?
			if out, e := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(instanceID)}); e == nil && len(out.DBClusters) > 0 {
				nf.Hint = fmt.Sprintf("%s is a DB cluster: name it with db_cluster_identifier instead of db_instance_identifier", instanceID)
			}
		}
		return c, err
	case clusterID != "":
		c, err := discoverCluster(ctx, api, clusterID)
		if nf := (*NotFoundError)(nil); errors.As(err, &nf) {
			// An instance's identifier given as a cluster's?
			if out, e := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(clusterID)}); e == nil && len(out.DBInstances) > 0 {
				nf.Hint = fmt.Sprintf("%s is a DB instance: name it with db_instance_identifier instead of db_cluster_identifier", clusterID)
				if cl := aws.ToString(out.DBInstances[0].DBClusterIdentifier); cl != "" {
					nf.Hint = fmt.Sprintf("%s is a DB instance of DB cluster %s: name the cluster with db_cluster_identifier", clusterID, cl)
				}
			}
		}
		return c, err
	default:
		return Cluster{}, errors.New("a DB instance identifier or a DB cluster identifier is required")
	}
}

func discoverInstance(ctx context.Context, api RDSAPI, id string) (Cluster, error) {
	out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil {
		var nf *types.DBInstanceNotFoundFault
		if errors.As(err, &nf) {
			return Cluster{}, &NotFoundError{Kind: "DB instance", Identifier: id}
		}
		return Cluster{}, fmt.Errorf("describing DB instance %s: %w", id, err)
	}
	if len(out.DBInstances) == 0 {
		return Cluster{}, &NotFoundError{Kind: "DB instance", Identifier: id}
	}
	return instanceCluster(out.DBInstances[0])
}

func instanceCluster(in types.DBInstance) (Cluster, error) {
	id := aws.ToString(in.DBInstanceIdentifier)
	engine := aws.ToString(in.Engine)
	if c := aws.ToString(in.DBClusterIdentifier); c != "" {
		return Cluster{}, &UnsupportedError{Identifier: id, Reason: fmt.Sprintf(
			"this DB instance is a member of DB cluster %q: name the cluster with db_cluster_identifier instead", c)}
	}
	if !contains(InstanceEngines, engine) {
		return Cluster{}, &UnsupportedError{Identifier: id, Reason: fmt.Sprintf(
			"engine %q is not supported: only RDS for PostgreSQL (%s) instances and Aurora PostgreSQL (%s) clusters are",
			engine, strings.Join(InstanceEngines, ", "), strings.Join(ClusterEngines, ", "))}
	}
	c := Cluster{
		Kind:                   KindMultiAZ,
		Identifier:             id,
		ARN:                    aws.ToString(in.DBInstanceArn),
		ResourceID:             aws.ToString(in.DbiResourceId),
		Engine:                 engine,
		EngineVersion:          aws.ToString(in.EngineVersion),
		Status:                 aws.ToString(in.DBInstanceStatus),
		EngineLifecycleSupport: aws.ToString(in.EngineLifecycleSupport),
		MultiAZ:                aws.ToBool(in.MultiAZ),
		AllocatedStorageGiB:    aws.ToInt32(in.AllocatedStorage),
		StorageType:            aws.ToString(in.StorageType),
		ProvisionedIOPS:        aws.ToInt32(in.Iops),
		MaxAllocatedStorageGiB: aws.ToInt32(in.MaxAllocatedStorage),
		StorageThroughputMBps:  aws.ToInt32(in.StorageThroughput),
		Tags:                   tagMap(in.TagList),
		BackupWindow:           aws.ToString(in.PreferredBackupWindow),
		BackupRetentionDays:    aws.ToInt32(in.BackupRetentionPeriod),
		MaintenanceWindow:      aws.ToString(in.PreferredMaintenanceWindow),
		ReadReplicas:           slices.Clone(in.ReadReplicaDBInstanceIdentifiers),
		ReplicaSource:          cmp.Or(aws.ToString(in.ReadReplicaSourceDBInstanceIdentifier), aws.ToString(in.ReadReplicaSourceDBClusterIdentifier)),
	}
	pendingClass := ""
	if p := in.PendingModifiedValues; p != nil {
		pendingClass = aws.ToString(p.DBInstanceClass)
		c.PendingBackupRetentionDays = p.BackupRetentionPeriod
		if p.MultiAZ != nil {
			v := *p.MultiAZ
			c.PendingMultiAZ = &v
		}
		c.PendingStorage = PendingStorage{AllocatedGiB: aws.ToInt32(p.AllocatedStorage), StorageType: aws.ToString(p.StorageType),
			IOPS: aws.ToInt32(p.Iops), ThroughputMBps: aws.ToInt32(p.StorageThroughput)}
	}
	c.Nodes = append(c.Nodes, Node{
		ID: id, ARN: c.ARN, Role: RoleWriter, Class: aws.ToString(in.DBInstanceClass), Engine: engine,
		EngineVersion: c.EngineVersion, AvailabilityZone: aws.ToString(in.AvailabilityZone), Status: c.Status,
		PendingClass: pendingClass, Created: aws.ToTime(in.InstanceCreateTime),
	})
	c.Nodes[0].ParameterGroup, c.Nodes[0].ParameterApplyStatus = parameterGroup(in)
	if c.MultiAZ {
		c.Nodes = append(c.Nodes, Node{
			ID: id + "-standby", Role: RoleStandby, Class: aws.ToString(in.DBInstanceClass), Engine: engine,
			EngineVersion: c.EngineVersion, AvailabilityZone: aws.ToString(in.SecondaryAvailabilityZone),
			Status: c.Status, Virtual: true, PendingClass: pendingClass,
		})
	}
	return c, nil
}

func discoverCluster(ctx context.Context, api RDSAPI, id string) (Cluster, error) {
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if err != nil {
		var nf *types.DBClusterNotFoundFault
		if errors.As(err, &nf) {
			return Cluster{}, &NotFoundError{Kind: "DB cluster", Identifier: id}
		}
		return Cluster{}, fmt.Errorf("describing DB cluster %s: %w", id, err)
	}
	if len(out.DBClusters) == 0 {
		return Cluster{}, &NotFoundError{Kind: "DB cluster", Identifier: id}
	}
	dc := out.DBClusters[0]
	// The members are those of the cluster RDS returned, by the identifier it stores (lower case):
	// id is the caller's spelling, which DescribeDBClusters matches without regard to case.
	members, err := describeMembers(ctx, api, aws.ToString(dc.DBClusterIdentifier))
	if err != nil {
		return Cluster{}, err
	}
	return clusterFrom(dc, members)
}

// AttachEndpoints sets what routes connections to the Aurora clusters of cs besides their own
// endpoints (Discover and ListFleet leave it out): their custom endpoints, listed for that
// cluster when cs holds one Aurora cluster, else for the region, and the read-only endpoints of
// the RDS Proxies in front of them (routing). A failed listing is recorded in each cluster's
// EndpointsUnread or ProxiesUnread, not returned.
func AttachEndpoints(ctx context.Context, api RDSAPI, cs []Cluster) {
	clusterID, ok := auroraScope(cs)
	if !ok {
		return
	}
	eps, epErr := routing.CustomEndpoints(ctx, api, clusterID)
	proxies, pxErr := routing.ProxyReaderEndpoints(ctx, api)
	for i := range cs {
		if cs[i].Kind != KindAurora {
			continue
		}
		if epErr != nil {
			cs[i].EndpointsUnread = epErr.Error()
		} else {
			cs[i].CustomEndpoints = eps[cs[i].Identifier]
		}
		if pxErr != nil {
			cs[i].ProxiesUnread = pxErr.Error()
		} else {
			cs[i].ProxyReaderEndpoints = proxies[strings.ToLower(cs[i].Identifier)]
		}
	}
}

// AttachAutoScaling sets the Aurora Auto Scaling of the Aurora clusters of cs (Discover and
// ListFleet leave it out) from one listing: of that cluster when cs holds one Aurora cluster,
// else of the region. A failed listing, or a nil api, is recorded in each cluster's
// AutoScalingUnread, not returned.
func AttachAutoScaling(ctx context.Context, api replicascaling.API, cs []Cluster) {
	clusterID, ok := auroraScope(cs)
	if !ok {
		return
	}
	var (
		targets map[string]analysis.ReplicaAutoScaling
		err     = errors.New("no Application Auto Scaling client")
	)
	if api != nil {
		targets, err = replicascaling.Targets(ctx, api, clusterID)
	}
	for i := range cs {
		if cs[i].Kind != KindAurora {
			continue
		}
		if err != nil {
			cs[i].AutoScalingUnread = err.Error()
			continue
		}
		if a, ok := targets[strings.ToLower(cs[i].Identifier)]; ok {
			cs[i].ReplicaAutoScaling = &a
		}
	}
}

// AttachBlueGreen sets, for every cluster of cs, the pending blue/green deployments whose source
// (BlueGreenDeployments) or green database (GreenOf) it is (Discover and ListFleet leave them out),
// from one listing of the region's (bluegreen.Pending), matched by the database's ARN. A failed
// listing is recorded in each cluster's BlueGreenUnread, not returned. Clusters an earlier call
// attached are kept as they are, and when every cluster has been, nothing is listed.
func AttachBlueGreen(ctx context.Context, api RDSAPI, cs []Cluster) {
	if !slices.ContainsFunc(cs, func(c Cluster) bool { return !c.blueGreenRead }) {
		return
	}
	pending, err := bluegreen.Pending(ctx, api)
	for i := range cs {
		c := &cs[i]
		if c.blueGreenRead {
			continue
		}
		c.blueGreenRead = true
		if err != nil {
			c.BlueGreenUnread = err.Error()
			continue
		}
		c.BlueGreenDeployments, c.GreenOf = bluegreen.Of(pending, c.ARN), bluegreen.GreenOf(pending, c.ARN)
	}
}

// AttachReservations sets the region's current reserved DB instances (reservations.Current) on
// every cluster of cs (Discover and ListFleet leave them out), from one listing. A failed listing
// is recorded in each cluster's ReservationsUnread, not returned.
func AttachReservations(ctx context.Context, api RDSAPI, cs []Cluster) {
	if len(cs) == 0 {
		return
	}
	rs, err := reservations.Current(ctx, api)
	for i := range cs {
		if err != nil {
			cs[i].ReservationsUnread = err.Error()
			continue
		}
		cs[i].Reservations = rs
	}
}

// AttachMaintenance sets the maintenance actions pending for the instances (and Aurora clusters)
// of cs (Discover and ListFleet leave them out), from one listing of the region
// (maintenance.Pending); a later call replaces what an earlier one set. A failed listing is
// recorded in each cluster's MaintenanceUnread, not returned.
func AttachMaintenance(ctx context.Context, api RDSAPI, cs []Cluster) {
	if len(cs) == 0 {
		return
	}
	rs, err := maintenance.Pending(ctx, api)
	for i := range cs {
		c := &cs[i]
		c.PendingMaintenance, c.MaintenanceUnread = nil, ""
		if err != nil {
			c.MaintenanceUnread = err.Error()
			continue
		}
		if c.Kind == KindAurora {
			c.PendingMaintenance = maintenance.For(rs, c.ARN, c.Identifier)
		}
		for _, n := range c.Nodes {
			c.PendingMaintenance = append(c.PendingMaintenance, maintenance.For(rs, n.ARN, n.ID)...)
		}
	}
}

// AttachSupportDates sets, for each PostgreSQL deployment of cs enrolled in RDS Extended Support
// (EngineLifecycleSupport not disabled) whose major version the community no longer supports at
// now (pricing.PostgresCommunitySupportEnd) and the provider's Extended Support table does not
// list, the Extended Support period RDS reports for it (enginesupport.ExtendedSupportStart), with
// one call per engine and major version. Versions still in community support, which RDS supports
// as standard, are not asked about, so the call (and its permission) is needed only once a
// version could be on Extended Support. A failed call is recorded in each such cluster's
// SupportDatesUnread, not returned.
func AttachSupportDates(ctx context.Context, api RDSAPI, cs []Cluster, now time.Time) {
	type key struct {
		engine string
		major  int
	}
	type answer struct {
		period *pricing.ExtendedSupportPeriod
		err    error
	}
	asked := map[key]answer{}
	for i := range cs {
		c := &cs[i]
		c.ExtendedSupportFromRDS, c.SupportDatesUnread, c.SupportDatesDenied = nil, "", false
		if (c.Engine != "postgres" && c.Engine != "aurora-postgresql") || c.EngineLifecycleSupport == pricing.LifecycleExtendedSupportDisabled {
			continue
		}
		major, ok := pricing.PostgresMajor(c.EngineVersion)
		if !ok {
			continue
		}
		if _, listed := pricing.ExtendedSupportTablePeriod(major); listed {
			continue
		}
		if end, known := pricing.PostgresCommunitySupportEnd(major); !known || now.Before(end) {
			continue
		}
		k := key{c.Engine, major}
		a, done := asked[k]
		if !done {
			start, ok, err := enginesupport.ExtendedSupportStart(ctx, api, c.Engine, major)
			a.err = err
			if err == nil && ok {
				p := pricing.ExtendedSupportPeriodFromRDS(major, start)
				a.period = &p
			}
			asked[k] = a
		}
		if a.err != nil {
			c.SupportDatesUnread = a.err.Error()
			c.SupportDatesDenied = awserr.PermissionDenied(a.err)
			continue
		}
		if a.period != nil {
			p := *a.period
			c.ExtendedSupportFromRDS = &p
		}
	}
}

// AttachEvents sets the failover and failure events of the 14 days before now (events.Recent) of
// the instances (and Aurora clusters) of cs (Discover and ListFleet leave them out), from one
// listing of the region; a later call replaces what an earlier one set. A failed listing is
// recorded in each cluster's EventsUnread, not returned.
func AttachEvents(ctx context.Context, api RDSAPI, cs []Cluster, now time.Time) {
	if len(cs) == 0 {
		return
	}
	es, err := events.Recent(ctx, api, now)
	for i := range cs {
		c := &cs[i]
		c.Events, c.EventsUnread, c.ClassChanges = nil, "", nil
		if err != nil {
			c.EventsUnread = err.Error()
			continue
		}
		var all []analysis.Event
		if c.Kind == KindAurora {
			all = events.For(es, "db-cluster", c.Identifier)
		}
		for _, n := range c.Nodes {
			if !n.Virtual {
				all = append(all, events.For(es, "db-instance", n.ID)...)
			}
		}
		slices.SortStableFunc(all, func(a, b analysis.Event) int { return a.Time.Compare(b.Time) })
		for _, e := range all {
			if e.Category == events.ClassChange {
				c.ClassChanges = append(c.ClassChanges, e)
			} else {
				c.Events = append(c.Events, e)
			}
		}
	}
}

// parameterGroup is in's DB parameter group and its apply status ("" when RDS lists none).
func parameterGroup(in types.DBInstance) (name, status string) {
	if len(in.DBParameterGroups) == 0 {
		return "", ""
	}
	g := in.DBParameterGroups[0]
	return aws.ToString(g.DBParameterGroupName), aws.ToString(g.ParameterApplyStatus)
}

// GroupParameters are the parameters AttachParameterGroups reads: max_connections, which says what
// the single node keeps, and shared_buffers, the buffer cache Aurora allocates at start.
var GroupParameters = []string{"max_connections", "shared_buffers"}

// AttachParameterGroups sets, for each cluster of cs with a writer, what its writer's parameter
// groups set for GroupParameters (Cluster.GroupSettings): the writer's DB parameter group's values,
// else, on Aurora, the DB cluster parameter group's; and every parameter a user set in the writer's
// DB parameter group (Cluster.WriterGroupParameters); and, for an Aurora reader in a DB parameter
// group of its own, the SessionParameters it runs with otherwise (Cluster.ReaderParameters). Each
// group is read once however many clusters share it; RDS's default groups ("default.postgres15"),
// which no one can modify, are not read. A failed read is recorded in the cluster's
// ParametersUnread (the writer's groups; then the reader is not compared either, and
// ReaderParametersUnread is the same text) or ReaderParametersUnread (a group only the comparison
// needs), not returned.
func AttachParameterGroups(ctx context.Context, api RDSAPI, cs []Cluster) {
	type answer struct {
		values map[string]string
		all    []paramgroups.Parameter // a DB parameter group's every user-set parameter
		err    error
	}
	asked := map[string]answer{}
	read := func(group string, cluster bool) answer {
		k := fmt.Sprint(cluster, group)
		a, done := asked[k]
		if !done {
			if cluster {
				// GroupParameters and, for comparing a reader with its writer, SessionParameters: one listing.
				a.values, a.err = paramgroups.ClusterUserValues(ctx, api, group, slices.Concat(GroupParameters, analysis.SessionParameters)...)
			} else if a.all, a.err = paramgroups.UserParameters(ctx, api, group); a.err == nil {
				// One read of the whole group gives GroupParameters' values too.
				a.values = map[string]string{}
				for _, p := range a.all {
					if slices.Contains(GroupParameters, p.Name) {
						a.values[p.Name] = p.Value
					}
				}
			}
			asked[k] = a
		}
		return a
	}
	for i := range cs {
		c := &cs[i]
		c.GroupSettings, c.ParametersUnread, c.ParametersDenied, c.WriterGroupParameters = nil, "", false, nil
		w, ok := c.Writer()
		if !ok {
			continue
		}
		type source struct {
			group   string
			cluster bool
			what    string
		}
		sources := []source{{w.ParameterGroup, false, "DB parameter group "}}
		if c.Kind == KindAurora {
			sources = append(sources, source{c.ClusterParameterGroup, true, "DB cluster parameter group "})
		}
		for _, s := range sources {
			if s.group == "" || paramgroups.IsDefault(s.group) { // set nothing a user chose
				continue
			}
			if len(c.GroupSettings) == len(GroupParameters) {
				break // the DB parameter group sets them all: the cluster group's would not count
			}
			a := read(s.group, s.cluster)
			if a.err != nil {
				c.GroupSettings, c.ParametersUnread, c.ParametersDenied = nil, a.err.Error(), awserr.PermissionDenied(a.err)
				break
			}
			if !s.cluster {
				c.WriterGroupParameters = slices.Clone(a.all)
			}
			for name, v := range a.values {
				if !slices.Contains(GroupParameters, name) {
					continue // a cluster group's SessionParameters, read with them
				}
				if _, set := c.GroupSettings[name]; !set { // the DB parameter group's, read first, wins
					if c.GroupSettings == nil {
						c.GroupSettings = map[string]GroupSetting{}
					}
					c.GroupSettings[name] = GroupSetting{Value: v, From: s.what + s.group}
				}
			}
		}
	}
	// An Aurora reader's queries run on the writer once it is removed: what of
	// analysis.SessionParameters the two run with differently. The cluster group's values count
	// where a DB parameter group sets none (Aurora: "instance-level" values override them).
	//
	// sessionValues are the SessionParameters DB parameter group group sets (none for "" or
	// RDS's default groups).
	sessionValues := func(group string) (map[string]string, error) {
		out := map[string]string{}
		if group == "" || paramgroups.IsDefault(group) {
			return out, nil
		}
		a := read(group, false)
		for _, p := range a.all {
			if slices.Contains(analysis.SessionParameters, p.Name) {
				out[p.Name] = p.Value
			}
		}
		return out, a.err
	}
	for i := range cs {
		c := &cs[i]
		c.ReaderParameters, c.ReaderParametersUnread, c.ReaderParametersDenied = nil, "", false
		w, ok := c.Writer()
		if !ok || c.Kind != KindAurora {
			continue
		}
		for _, r := range c.Nodes {
			if r.Role != RoleReader || r.ParameterGroup == w.ParameterGroup {
				continue // the same DB parameter group (and the same cluster group): the same values
			}
			if c.ParametersUnread != "" {
				// The writer's groups could not be read: its values are unknown, whatever the reader's.
				c.ReaderParametersUnread, c.ReaderParametersDenied = c.ParametersUnread, c.ParametersDenied
				break
			}
			rv, err := sessionValues(r.ParameterGroup)
			var wv, cv map[string]string
			if err == nil {
				wv, err = sessionValues(w.ParameterGroup)
			}
			if g := c.ClusterParameterGroup; err == nil && g != "" && !paramgroups.IsDefault(g) {
				a := read(g, true)
				cv, err = a.values, a.err
			}
			if err != nil {
				c.ReaderParametersUnread, c.ReaderParametersDenied = err.Error(), awserr.PermissionDenied(err)
				break
			}
			c.ReaderParameters = append(c.ReaderParameters, parameterDifferences(r.ParameterGroup, rv, w.ParameterGroup, wv, c.ClusterParameterGroup, cv)...)
		}
	}
}

// parameterDifferences are the SessionParameters a reader, whose DB parameter group rgroup sets
// rv, runs with otherwise than its writer, whose wgroup sets wv: each side's value is its DB
// parameter group's, else the DB cluster parameter group cgroup's (cv), else PostgreSQL's default.
func parameterDifferences(rgroup string, rv map[string]string, wgroup string, wv map[string]string, cgroup string, cv map[string]string) []analysis.ParameterDifference {
	effective := func(name, group string, own map[string]string) (string, string) {
		if v, ok := own[name]; ok {
			return v, "DB parameter group " + group
		}
		if v, ok := cv[name]; ok {
			return v, "DB cluster parameter group " + cgroup
		}
		return "", ""
	}
	var out []analysis.ParameterDifference
	for _, name := range analysis.SessionParameters {
		rval, rfrom := effective(name, rgroup, rv)
		wval, wfrom := effective(name, wgroup, wv)
		if !analysis.SameSetting(name, rval, wval) {
			out = append(out, analysis.ParameterDifference{Name: name, Reader: rval, Writer: wval, ReaderFrom: rfrom, WriterFrom: wfrom})
		}
	}
	return out
}

// auroraScope is what one listing for the Aurora clusters of cs covers: the cluster when cs holds
// one Aurora cluster, "" (the region) when it holds more; ok is false when it holds none.
func auroraScope(cs []Cluster) (clusterID string, ok bool) {
	n := 0
	for _, c := range cs {
		if c.Kind == KindAurora {
			n++
			clusterID = c.Identifier
		}
	}
	if n > 1 {
		clusterID = ""
	}
	return clusterID, n > 0
}

// describeMembers lists the DB instances of the cluster clusterID, as RDS returned its identifier
// (all pages).
func describeMembers(ctx context.Context, api RDSAPI, clusterID string) ([]types.DBInstance, error) {
	var out []types.DBInstance
	in := &rds.DescribeDBInstancesInput{Filters: []types.Filter{{Name: aws.String("db-cluster-id"), Values: []string{clusterID}}}}
	for {
		page, err := api.DescribeDBInstances(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("describing the DB instances of cluster %s: %w", clusterID, err)
		}
		out = append(out, page.DBInstances...)
		if aws.ToString(page.Marker) == "" {
			return out, nil
		}
		in.Marker = page.Marker
	}
}

func clusterFrom(dc types.DBCluster, members []types.DBInstance) (Cluster, error) {
	id := aws.ToString(dc.DBClusterIdentifier)
	engine := aws.ToString(dc.Engine)
	if !strings.HasPrefix(engine, "aurora") && aws.ToString(dc.DBClusterInstanceClass) != "" {
		// A Multi-AZ DB cluster: RDS (not Aurora) with a writer and two readable standbys.
		return Cluster{}, &UnsupportedError{Identifier: id, Reason: fmt.Sprintf(
			"it is a Multi-AZ DB cluster (engine %q: a writer and two readable standby instances), which is not supported: "+
				"it has three nodes, and going to one means restoring a snapshot to a DB instance rather than removing a node. "+
				"Only Multi-AZ DB instances of RDS for PostgreSQL and Aurora PostgreSQL clusters are", engine)}
	}
	if !contains(ClusterEngines, engine) {
		return Cluster{}, &UnsupportedError{Identifier: id, Reason: fmt.Sprintf(
			"engine %q is not supported: only Aurora PostgreSQL (%s) clusters and RDS for PostgreSQL (%s) instances are",
			engine, strings.Join(ClusterEngines, ", "), strings.Join(InstanceEngines, ", "))}
	}
	if mode := aws.ToString(dc.EngineMode); mode == "serverless" {
		return Cluster{}, &UnsupportedError{Identifier: id, Reason: "Aurora Serverless v1 clusters are not supported: capacity is not a node count"}
	}
	byID := map[string]types.DBInstance{}
	for _, m := range members {
		byID[aws.ToString(m.DBInstanceIdentifier)] = m
	}
	c := Cluster{
		Kind:                     KindAurora,
		Identifier:               id,
		ARN:                      aws.ToString(dc.DBClusterArn),
		Engine:                   engine,
		EngineVersion:            aws.ToString(dc.EngineVersion),
		Status:                   aws.ToString(dc.Status),
		StorageType:              aws.ToString(dc.StorageType),
		Tags:                     tagMap(dc.TagList),
		BackupWindow:             aws.ToString(dc.PreferredBackupWindow),
		ClusterParameterGroup:    aws.ToString(dc.DBClusterParameterGroup),
		ClusterMaintenanceWindow: aws.ToString(dc.PreferredMaintenanceWindow),
		// Aurora: "the engine lifecycle support is managed by the DB cluster" (RDS API reference).
		EngineLifecycleSupport: aws.ToString(dc.EngineLifecycleSupport),
		GlobalCluster:          aws.ToString(dc.GlobalClusterIdentifier),
	}
	// A global database's secondary cluster: no writer, every instance a reader.
	c.GlobalSecondary = c.GlobalCluster != "" && !slices.ContainsFunc(dc.DBClusterMembers, func(m types.DBClusterMember) bool { return aws.ToBool(m.IsClusterWriter) })
	for _, m := range dc.DBClusterMembers {
		mid := aws.ToString(m.DBInstanceIdentifier)
		inst := byID[mid]
		role := RoleReader
		if aws.ToBool(m.IsClusterWriter) {
			role = RoleWriter
		}
		class := aws.ToString(inst.DBInstanceClass)
		if class == "db.serverless" || dc.ServerlessV2ScalingConfiguration != nil && class == "" {
			return Cluster{}, &UnsupportedError{Identifier: id, Reason: fmt.Sprintf(
				"member %s is Aurora Serverless v2 (db.serverless): capacity scales in ACUs, not nodes, so it is not supported", mid)}
		}
		if role == RoleWriter {
			c.MaintenanceWindow = aws.ToString(inst.PreferredMaintenanceWindow)
		}
		node := Node{
			ID: mid, ARN: aws.ToString(inst.DBInstanceArn), Role: role, Class: class, Engine: engine, EngineVersion: aws.ToString(inst.EngineVersion),
			AvailabilityZone: aws.ToString(inst.AvailabilityZone), Status: aws.ToString(inst.DBInstanceStatus),
			PromotionTier: aws.ToInt32(m.PromotionTier), ClusterParameterApplyStatus: aws.ToString(m.DBClusterParameterGroupStatus),
			Created: aws.ToTime(inst.InstanceCreateTime),
		}
		if p := inst.PendingModifiedValues; p != nil {
			node.PendingClass = aws.ToString(p.DBInstanceClass)
		}
		node.ParameterGroup, node.ParameterApplyStatus = parameterGroup(inst)
		c.Nodes = append(c.Nodes, node)
	}
	sort.SliceStable(c.Nodes, func(i, j int) bool {
		if (c.Nodes[i].Role == RoleWriter) != (c.Nodes[j].Role == RoleWriter) {
			return c.Nodes[i].Role == RoleWriter
		}
		return c.Nodes[i].ID < c.Nodes[j].ID
	})
	return c, nil
}

// SecondaryClusterReason says why the secondary cluster arn of the Aurora global database global
// (one with no writer: its instances all readers of the primary cluster in another region) is not
// analysed or changed, and what to do instead.
func SecondaryClusterReason(global, arn string) string {
	return fmt.Sprintf("it is a secondary cluster of Aurora global database %s: read-only, every instance a reader replicating from the primary cluster "+
		"in another region, with no writer to consolidate onto, and its readers are the global database's failover target in this region. "+
		"Analyse the primary cluster instead (with a provider configured for its region); to analyse or change this cluster, "+
		"make it the primary first (aws rds switchover-global-cluster --global-cluster-identifier %s --target-db-cluster-identifier %s). "+
		"%s", global, global, arn, globalFailoverInProgress(global))
}

// globalFailoverInProgress says what a cluster of Aurora global database global without a writer
// may be besides a secondary cluster: one of the two clusters of a switchover or failover still in
// progress (DescribeDBClusters does not tell; the global cluster's FailoverState does), which ends
// by itself.
func globalFailoverInProgress(global string) string {
	return fmt.Sprintf("A switchover or failover of the global database still in progress also leaves a cluster without a writer until it ends: "+
		"if one is (aws rds describe-global-clusters --global-cluster-identifier %s shows its FailoverState), wait for it to finish, then plan again", global)
}

// CheckTwoNode returns an *UnsupportedError unless c is a 2-node deployment:
// a Multi-AZ instance (MultiAZ on) or an Aurora cluster with one writer and
// exactly one reader.
func (c Cluster) CheckTwoNode() error {
	if c.Unsupported != "" {
		return &UnsupportedError{Identifier: c.Identifier, Reason: c.Unsupported}
	}
	if c.GlobalSecondary {
		return &UnsupportedError{Identifier: c.Identifier, Reason: SecondaryClusterReason(c.GlobalCluster, c.ARN)}
	}
	switch c.Kind {
	case KindMultiAZ:
		if !c.MultiAZ {
			return &UnsupportedError{Identifier: c.Identifier, Reason: "the instance is already Single-AZ (one node): there is nothing to consolidate"}
		}
	case KindAurora:
		if _, ok := c.Writer(); !ok {
			return &UnsupportedError{Identifier: c.Identifier, Reason: "the cluster has no writer instance"}
		}
		switch n := len(c.Nodes); {
		case n == 1:
			return &UnsupportedError{Identifier: c.Identifier, Reason: "the cluster already has a single instance (the writer): there is nothing to consolidate"}
		case n > 2:
			return &UnsupportedError{Identifier: c.Identifier, Reason: fmt.Sprintf(
				"the cluster has %d instances: only 2-node clusters (one writer and one reader) are supported; remove extra readers first or analyse them separately", n)}
		}
	}
	return nil
}

// FleetFilter selects deployments in ListFleet.
type FleetFilter struct {
	// IdentifierRegex, when set, keeps deployments whose identifier matches.
	IdentifierRegex *regexp.Regexp
	// Tags keeps deployments carrying every one of these tags with these values.
	Tags map[string]string
}

// ListFleet lists every RDS for PostgreSQL instance and Aurora PostgreSQL
// cluster in the region that passes filter, sorted by identifier (a DB
// instance before a DB cluster that shares its identifier: RDS keeps the two
// kinds of identifier apart). Instances that belong to a cluster appear once,
// as part of their cluster. PostgreSQL clusters the provider cannot analyse
// (Multi-AZ DB clusters, Aurora Serverless) are listed with Unsupported set
// and no nodes; other engines are left out.
func ListFleet(ctx context.Context, api RDSAPI, filter FleetFilter) ([]Cluster, error) {
	var instances []types.DBInstance
	in := &rds.DescribeDBInstancesInput{}
	for {
		page, err := api.DescribeDBInstances(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing DB instances: %w", err)
		}
		instances = append(instances, page.DBInstances...)
		if aws.ToString(page.Marker) == "" {
			break
		}
		in.Marker = page.Marker
	}
	var clusters []types.DBCluster
	cin := &rds.DescribeDBClustersInput{}
	for {
		page, err := api.DescribeDBClusters(ctx, cin)
		if err != nil {
			return nil, fmt.Errorf("listing DB clusters: %w", err)
		}
		clusters = append(clusters, page.DBClusters...)
		if aws.ToString(page.Marker) == "" {
			break
		}
		cin.Marker = page.Marker
	}

	membersOf := map[string][]types.DBInstance{}
	var out []Cluster
	for _, inst := range instances {
		if cid := aws.ToString(inst.DBClusterIdentifier); cid != "" {
			membersOf[cid] = append(membersOf[cid], inst)
			continue
		}
		if !contains(InstanceEngines, aws.ToString(inst.Engine)) {
			continue
		}
		c, err := instanceCluster(inst)
		if err != nil {
			continue
		}
		out = append(out, c)
	}
	for _, dc := range clusters {
		c, err := clusterFrom(dc, membersOf[aws.ToString(dc.DBClusterIdentifier)])
		var ue *UnsupportedError
		switch engine := aws.ToString(dc.Engine); {
		case err == nil:
		case errors.As(err, &ue) && (engine == "postgres" || contains(ClusterEngines, engine)):
			// A PostgreSQL deployment the provider cannot analyse: kept, to be listed as skipped.
			c = Cluster{Identifier: aws.ToString(dc.DBClusterIdentifier), ARN: aws.ToString(dc.DBClusterArn), Engine: engine,
				EngineVersion: aws.ToString(dc.EngineVersion), Status: aws.ToString(dc.Status), Tags: tagMap(dc.TagList), Unsupported: ue.Reason}
		default:
			continue // other engines
		}
		out = append(out, c)
	}
	kept := out[:0]
	for _, c := range out {
		if filter.IdentifierRegex != nil && !filter.IdentifierRegex.MatchString(c.Identifier) {
			continue
		}
		if !hasTags(c.Tags, filter.Tags) {
			continue
		}
		kept = append(kept, c)
	}
	// Stable: instances were listed first.
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Identifier < kept[j].Identifier })
	return kept, nil
}

func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
