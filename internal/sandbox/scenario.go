package sandbox

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Default scenario settings.
const (
	// DefaultRegion is the AWS region every scenario reports unless it sets its own.
	DefaultRegion = "us-east-1"
	// DefaultAccountID is the account used in ARNs unless the scenario sets its own.
	DefaultAccountID = "123456789012"
	// DefaultHistory is how much metric history a scenario has before its "now".
	DefaultHistory = 28 * 24 * time.Hour
)

// Scenario describes the fleet a sandbox starts with: clusters, standalone
// instances and the workload that drives each node's CloudWatch metrics.
//
// Metrics are generated on demand as a deterministic function of (scenario
// seed, node, metric, minute), so a 100-node fleet with 28 days of 1-minute
// history costs nothing until it is queried. Build one with the exported
// builders (Demo, Busy, Idle, ...), by name with ScenarioByName, or literally.
type Scenario struct {
	// Name identifies the scenario in logs and the state file.
	Name string
	// Region defaults to DefaultRegion; AccountID to DefaultAccountID.
	Region, AccountID string
	// History is how far metric history reaches back from the clock's start
	// time. Zero means DefaultHistory (28 days). Nodes "exist" from then on.
	History time.Duration
	// Seed perturbs every generated value; scenarios with the same seed and
	// specs produce identical metrics.
	Seed uint64
	// Clusters are DB clusters with their member instances: Aurora clusters, or
	// (Engine "postgres") RDS Multi-AZ DB clusters.
	Clusters []ClusterSpec
	// Instances are standalone RDS DB instances (not in a cluster).
	Instances []InstanceSpec
	// Reservations are reserved DB instances the account bought before the
	// clock's start (optional).
	Reservations []ReservationSpec
	// MajorEngineVersions replaces the support calendar DescribeDBMajorEngineVersions
	// answers from (engineversions.go); nil keeps the default one.
	MajorEngineVersions []MajorEngineVersionSpec
	// ParameterGroups are custom DB parameter groups and DB cluster parameter groups
	// (paramgroups.go), which InstanceSpec.ParameterGroup and ClusterSpec.ParameterGroup attach.
	ParameterGroups []ParameterGroupSpec
}

// ClusterSpec describes a DB cluster and its members: an Aurora DB cluster, or, with Engine
// "postgres", an RDS for PostgreSQL Multi-AZ DB cluster (multiazcluster.go): one writer and two
// readable standbys in three Availability Zones, all of the class DBClusterInstanceClass, on
// EBS storage (AllocatedStorage, StorageType, Iops) that the cluster configures for them.
type ClusterSpec struct {
	// ID is the DBClusterIdentifier.
	ID string
	// Engine defaults to "aurora-postgresql" ("aurora-mysql" is the other Aurora engine;
	// "postgres" makes a Multi-AZ DB cluster). EngineVersion defaults to "15.4" for Aurora and
	// to "16.3" for a Multi-AZ DB cluster.
	Engine, EngineVersion string
	// DBClusterInstanceClass is the class of every member of a Multi-AZ DB cluster, e.g.
	// "db.m6gd.large" (required for one; see LookupClass). A member's InstanceSpec.Class must be
	// empty or this class. Aurora clusters take none: their members have their own classes.
	DBClusterInstanceClass string
	// AllocatedStorage is the storage of each member of a Multi-AZ DB cluster in GiB (default
	// 100; 20–65536 for gp3, 100–65536 for io1 and io2). Iops is its Provisioned IOPS: required
	// for io1 and io2 (1000–256000, 0.5–50 per GiB), optional for gp3, where RDS for PostgreSQL
	// takes it only from 400 GiB on (12000–64000, at most 500 per GiB); 0 means none. Aurora
	// clusters take neither.
	AllocatedStorage, Iops int32
	// ServerlessV2, when set, gives the cluster a ServerlessV2ScalingConfiguration;
	// its members should use class "db.serverless".
	ServerlessV2 *ServerlessV2Scaling
	// Members are the DB instances of the cluster; Members[0] is the writer.
	Members []InstanceSpec
	// Tags are the cluster's resource tags (its TagList); a member's own come
	// from its InstanceSpec, as in RDS, where cluster tags are not inherited.
	Tags map[string]string
	// StorageType is the cluster's storage configuration: "aurora" (Aurora
	// Standard, the default) or "aurora-iopt1" (Aurora I/O-Optimized) for an
	// Aurora cluster; "gp3" (the default), "io1" or "io2" for a Multi-AZ DB
	// cluster. The cluster and its members report it.
	StorageType string
	// BackupWindow is the cluster's daily PreferredBackupWindow, "hh24:mi-hh24:mi" UTC, at least
	// 30 minutes; its members report it too (an Aurora member's backups are its cluster's).
	// MaintenanceWindow is the cluster's weekly PreferredMaintenanceWindow,
	// "ddd:hh24:mi-ddd:hh24:mi" UTC (days mon … sun), at least 30 minutes; each member has its own
	// (InstanceSpec.MaintenanceWindow). The two must not overlap. Empty means the defaults,
	// "03:00-03:30" and "sun:05:00-sun:05:30" — or, for one left empty when its default would
	// overlap the other, the first 30-minute window after its default (in 30-minute steps) that
	// does not.
	BackupWindow, MaintenanceWindow string
	// PendingMaintenance are the cluster's own pending maintenance actions
	// (DescribePendingMaintenanceActions); its members' are in their InstanceSpecs.
	PendingMaintenance []PendingActionSpec
	// EngineLifecycleSupport is the cluster's lifecycle type: "" or
	// "open-source-rds-extended-support" (RDS's default: enrolled in RDS Extended Support), or
	// "open-source-rds-extended-support-disabled". The cluster and, for Aurora, its members report
	// it. Unlike CreateDBCluster, a scenario may combine "disabled" with a major version past its
	// end of standard support: a database RDS has yet to upgrade.
	EngineLifecycleSupport string
	// ParameterGroup is the name of an Aurora cluster's DB cluster parameter group: one of
	// Scenario.ParameterGroups with Cluster true. Empty: the engine's default group.
	ParameterGroup string
	// GlobalCluster makes an Aurora cluster a member of the Aurora global database of that
	// GlobalClusterIdentifier, which DescribeDBClusters reports; its other members are in other
	// regions, outside the sandbox. Empty for none.
	GlobalCluster string
	// GlobalSecondary makes the member of GlobalCluster a secondary cluster: read-only, every one
	// of its instances a reader (IsClusterWriter false, Members[0] included), the writer being in
	// the primary cluster of another region. An instance created in it is a reader too. false: the
	// primary cluster (Members[0] the writer). Server.GlobalSwitchover swaps the role.
	GlobalSecondary bool
}

// ServerlessV2Scaling is an Aurora Serverless v2 capacity range in ACUs
// (1 ACU ≈ 2 GiB of memory).
type ServerlessV2Scaling struct {
	// MinACU and MaxACU bound the capacity (0–256, MinACU ≤ MaxACU).
	MinACU, MaxACU float64
}

// InstanceSpec describes one DB instance (standalone or a cluster member).
type InstanceSpec struct {
	// ID is the DBInstanceIdentifier.
	ID string
	// Class is the DB instance class, e.g. "db.t4g.large" (see ClassSpec).
	Class string
	// Engine and EngineVersion of a standalone instance (defaults "postgres",
	// "15.7"). Cluster members inherit the cluster's (and a Multi-AZ DB
	// cluster's members its class and storage as well).
	Engine, EngineVersion string
	// MultiAZ is true for a Multi-AZ DB instance deployment (standalone only).
	MultiAZ bool
	// AllocatedStorage in GiB (standalone only; default 100). StorageType
	// defaults to "gp3" (gp2, io1, io2 and standard too). Iops are the
	// Provisioned IOPS (required for io1 and io2; for gp3 from 400 GiB only) and
	// StorageThroughput gp3's provisioned MiB/s (from 400 GiB only): see
	// checkInstanceStorage.
	AllocatedStorage  int32
	StorageType       string
	Iops              int32
	StorageThroughput int32
	// MaxAllocatedStorage turns storage autoscaling on, up to that many GiB (at least 10% above
	// AllocatedStorage, at most 65536; standalone only): checkMaxAllocated.
	MaxAllocatedStorage int32
	// AvailabilityZone defaults to "<region>a" (the writer) or "<region>b".
	AvailabilityZone string
	// PromotionTier of an Aurora member (default 1).
	PromotionTier int32
	// Workload drives the node's generated metrics.
	Workload Workload
	// Tags are the instance's resource tags (its TagList).
	Tags map[string]string
	// BackupWindow is the daily PreferredBackupWindow of a standalone instance, "hh24:mi-hh24:mi"
	// UTC, at least 30 minutes. An Aurora member has none of its own (set ClusterSpec.BackupWindow:
	// as in RDS it reports its cluster's), so Validate refuses one there.
	// MaintenanceWindow is the weekly PreferredMaintenanceWindow, "ddd:hh24:mi-ddd:hh24:mi" UTC
	// (days mon … sun), at least 30 minutes; it must not overlap the backup window. Empty means
	// the defaults, as for ClusterSpec.
	BackupWindow, MaintenanceWindow string
	// PendingMaintenance are the instance's pending maintenance actions
	// (DescribePendingMaintenanceActions).
	PendingMaintenance []PendingActionSpec
	// EngineLifecycleSupport is a standalone instance's lifecycle type, as for
	// ClusterSpec.EngineLifecycleSupport; a cluster member has none of its own (it reports its
	// cluster's), so Validate refuses one there.
	EngineLifecycleSupport string
	// ReadReplicaOf makes a standalone instance a read replica of the scenario's standalone
	// instance of that ID, as CreateDBInstanceReadReplica leaves it: it reports
	// ReadReplicaSourceDBInstanceIdentifier, and its source lists it in
	// ReadReplicaDBInstanceIdentifiers. Empty for none.
	ReadReplicaOf string
	// ReadReplicaOfCluster makes a standalone instance a DB instance read replica of the
	// scenario's Multi-AZ DB cluster of that ID (CreateDBInstanceReadReplica with a Multi-AZ DB
	// cluster as its source): it reports ReadReplicaSourceDBClusterIdentifier. Empty for none.
	ReadReplicaOfCluster string
	// ParameterGroup is the name of the instance's DB parameter group: one of
	// Scenario.ParameterGroups with Cluster false. Empty: the engine's default group.
	ParameterGroup string
	// MonitoringRoleARN is the Enhanced Monitoring role the instance reports (MonitoringRoleArn;
	// every scenario instance has Enhanced Monitoring at 60 s). Empty: none reported.
	MonitoringRoleARN string
	// BackupRetentionPeriod is a standalone instance's automated backup retention in days, 0 to
	// 35 (0: automated backups off, no LatestRestorableTime; RDS refuses 0 on a source of read
	// replicas, and so does Validate). nil: 7. An Aurora member reports its cluster's.
	BackupRetentionPeriod *int32
	// Snapshots are the standalone instance's DB snapshots taken before the clock's start
	// (DescribeDBSnapshots lists them; RestoreDBInstanceFromDBSnapshot restores them).
	Snapshots []SnapshotSpec
}

// SnapshotSpec describes an available (or failed) DB snapshot of a standalone instance, taken
// Ago before the clock's start.
type SnapshotSpec struct {
	// ID is the DBSnapshotIdentifier: a manual snapshot's follows the identifier rules; an AWS
	// Backup snapshot's is "awsbackup:" and a job name, as AWS Backup names them.
	ID string
	// Type is "manual" or "awsbackup" (a snapshot an AWS Backup plan takes, which
	// DescribeDBSnapshots lists only with SnapshotType awsbackup).
	Type string
	// Ago is how long before the clock's start its data was taken (> 0): its
	// OriginalSnapshotCreateTime.
	Ago time.Duration
	// CopiedAgo, when set (> 0, less than Ago), makes it a copy made that long before the
	// clock's start (CopyDBSnapshot): its SnapshotCreateTime, while OriginalSnapshotCreateTime
	// stays the source's.
	CopiedAgo time.Duration
	// Failed leaves it in status "failed".
	Failed bool
	// TakenAs, when set, is the identifier the instance had when it was taken, before a rename
	// (ModifyDBInstance NewDBInstanceIdentifier): RDS keeps that DBInstanceIdentifier on the
	// snapshot, so a listing by the instance's identifier misses it, while its DbiResourceId, which
	// a rename does not change, is the instance's. Empty: the instance's identifier.
	TakenAs string
}

// ReservationSpec describes a reserved DB instance bought StartAgo before the
// clock's start: the sandbox materialises it from the matching offering of
// DescribeReservedDBInstancesOfferings, already paid, so it is active — or
// retired when its term ended before the start.
type ReservationSpec struct {
	// ID is the ReservedDBInstanceId (DB identifier rules, unique regardless
	// of case); empty means a generated "ri-<16 lower-case alphanumerics>".
	ID string
	// Class is the DB instance class, e.g. "db.r6g.large".
	Class string
	// ProductDescription is "postgresql" or "aurora-postgresql".
	ProductDescription string
	// MultiAZ reserves Multi-AZ deployments ("postgresql" only).
	MultiAZ bool
	// Count is the DBInstanceCount (at least 1).
	Count int32
	// Years is the term: 1 or 3.
	Years int
	// OfferingType is "No Upfront" (1 year only), "Partial Upfront" or
	// "All Upfront".
	OfferingType string
	// StartAgo is how long before the clock's start it was bought (> 0).
	StartAgo time.Duration
}

// Workload parameterises a node's generated metrics. All CPU figures are
// percentages of the node's ORIGINAL class; if the class changes later, CPU
// scales by old vCPU / new vCPU.
//
// At minute t the activity a(t) ∈ [0,1] is
//
//	a = day(t)^Sharpness × (WeekendFactor on Saturday/Sunday UTC, else 1)
//	day(t) = (1 + cos(2π (hourUTC(t) − PeakHourUTC) / 24)) / 2
//
// and, with n a deterministic standard-normal noise and s ∈ {0,1} a spike flag:
//
//	CPUUtilization      = CPUBase + CPUAmplitude·a + NoiseStdDev·n + SpikeHeight·s   (clamped to [0.2, 100])
//	DatabaseConnections = round(Connections + ConnectionsAmplitude·a + noise)       (integer)
//	ReadIOPS            = (ReadIOPS + ReadIOPSAmplitude·a)·(1 + 0.1 n) + ReadIOPSAmplitude·s
//	WriteIOPS           = (WriteIOPS + WriteIOPSAmplitude·a)·(1 + 0.1 n)
//	FreeableMemory      = class memory − MemoryUsedGiB − 8 MiB per connection ± noise  (≤ class memory)
//	                      on Aurora: class memory − buffer cache − MemoryUsedGiB − 8 MiB per connection ± noise
//	                      (buffer cache: Aurora's default shared_buffers on the class, about 2/3 of memory)
//	WriteLatency        = (0.9 ms + 0.6 ms·a + noise) × 1.4 while the instance is Multi-AZ
//
// With GrowthPerMonth, each quantity's load term (all but noise and spikes)
// is multiplied by the growth factor g(t) (see GrowthPerMonth).
//
// So on a weekday the hourly-mean CPU ranges from about CPUBase (trough, 12 h
// from the peak) to CPUBase+CPUAmplitude (at PeakHourUTC).
type Workload struct {
	// CPUBase is the CPU % at the daily trough; CPUAmplitude is added at the peak.
	CPUBase, CPUAmplitude float64
	// PeakHourUTC is the hour of day (0–24, fractional allowed) of the daily peak.
	PeakHourUTC float64
	// Sharpness > 1 narrows the daily peak (0 means 1: a plain cosine).
	Sharpness float64
	// WeekendFactor multiplies the activity on Saturday and Sunday
	// (1 = no weekly cycle, 0.3 = weekends run at 30 % of the weekday swing).
	WeekendFactor float64
	// NoiseStdDev is the standard deviation of per-minute CPU noise, in %-points.
	NoiseStdDev float64
	// SpikesPerWeek is the expected number of spikes per week; each lasts
	// SpikeMinutes minutes and adds SpikeHeight %-points of CPU.
	SpikesPerWeek float64
	SpikeHeight   float64
	SpikeMinutes  int
	// Connections at the trough; ConnectionsAmplitude added at the peak.
	Connections, ConnectionsAmplitude float64
	// ReadIOPS / WriteIOPS at the trough, with amplitudes added at the peak.
	ReadIOPS, ReadIOPSAmplitude, WriteIOPS, WriteIOPSAmplitude float64
	// MemoryUsedGiB is the resident working set besides the connections:
	// on RDS shared buffers, backends and the OS; on Aurora everything but
	// the buffer cache (backends, the OS and Aurora's own processes), since
	// Aurora allocates its cache, Aurora's default shared_buffers of
	// SUM({DBInstanceClassMemory/12038},-50003) 8 kB pages (about two thirds
	// of the memory: 2.34 GiB of a db.t4g.medium's 4, 10.5 GiB of a
	// db.r6g.large's 16), at start and FreeableMemory never counts it. An
	// Aurora value must fit what the cache leaves (1.66 GiB on
	// db.t4g.medium, 5.49 GiB on db.r6g.large) with the connections'.
	MemoryUsedGiB float64
	// StorageUsedGiB is the used storage at the start of the history;
	// StorageGrowthGiBPerDay is added per day (standalone instances only).
	StorageUsedGiB, StorageGrowthGiBPerDay float64
	// TempPeakGiB is the local storage (Aurora instances: FreeLocalStorage)
	// that temporary files take at the activity peak, in GiB; a(t) scales
	// it. The instance's logs take a further 2% of its local storage.
	TempPeakGiB float64
	// Trace, if set, names an embedded real trace (TraceNABRequestCount) whose
	// normalised value replaces a(t); PeakHourUTC, Sharpness and
	// WeekendFactor are then ignored, and a may exceed 1 during bursts.
	Trace string
	// ReadShare documents the share of the cluster's read traffic this node
	// serves at the writer's peak hour (readers only; informational — the
	// generator's CPU figures already reflect it).
	ReadShare float64
	// MissingPerMille is the expected number of minutes per thousand in
	// which the node publishes no metric at all (chosen by a hash of the
	// seed and the minute), as CloudWatch data has the odd empty period:
	// GetMetricData then leaves a 1-minute period out, and a longer period
	// aggregates fewer samples. 0 means none.
	MissingPerMille float64
	// GrowthPerMonth, when not 0, makes the load grow linearly: the CPU
	// demand before noise (CPUBase + CPUAmplitude·a), the connections and
	// the IOPS before noise are multiplied by 1 + GrowthPerMonth × the days
	// since the node's start / 30 (0.2: a fifth more every 30 days), at
	// least 0. Spikes do not grow.
	GrowthPerMonth float64
	// Surges multiply the same load terms as GrowthPerMonth by their
	// Factor from From (inclusive) to To (exclusive): a month end, a sale,
	// a season. Overlapping surges multiply.
	Surges []Surge
}

// Surge is a period of heavier load (Workload.Surges).
type Surge struct {
	From, To time.Time
	Factor   float64
}

// Generator parameters of the named scenarios, exported so tests in other
// packages can check their summaries against them.
var (
	// DemoSSOWriterWorkload drives sso-prod-instance-1 (authentication service,
	// writer): CPU mostly 5–15 %, peak at 14:00 UTC, mild weekly cycle;
	// 0.5 GiB in use outside Aurora's buffer cache, so on db.t4g.medium
	// about 0.9–1.05 GiB freeable.
	DemoSSOWriterWorkload = Workload{
		CPUBase: 5, CPUAmplitude: 7, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 0.7,
		NoiseStdDev: 0.8, SpikesPerWeek: 2, SpikeHeight: 8, SpikeMinutes: 4,
		Connections: 14, ConnectionsAmplitude: 10,
		ReadIOPS: 15, ReadIOPSAmplitude: 45, WriteIOPS: 12, WriteIOPSAmplitude: 25,
		MemoryUsedGiB: 0.5,
	}
	// DemoSSOReaderWorkload drives sso-prod-instance-2 (reader carrying ~15 %
	// of the reads): CPU 3–6 %; about 1.05 GiB freeable on db.t4g.medium.
	DemoSSOReaderWorkload = Workload{
		CPUBase: 3, CPUAmplitude: 2.5, PeakHourUTC: 14, Sharpness: 1, WeekendFactor: 0.7,
		NoiseStdDev: 0.5, SpikesPerWeek: 1, SpikeHeight: 4, SpikeMinutes: 3,
		Connections: 4, ConnectionsAmplitude: 4,
		ReadIOPS: 3, ReadIOPSAmplitude: 9, WriteIOPS: 1, WriteIOPSAmplitude: 0,
		MemoryUsedGiB: 0.55, ReadShare: 0.15,
	}
	// DemoMandibleWorkload drives mandible-prod (chat service, Multi-AZ):
	// weekday daytime peak at 15:00 UTC, CPU ~10–28 %, peaks below 40 %,
	// weekends at 30 % of the weekday swing; 100 GiB gp3 with ~38 GiB used.
	DemoMandibleWorkload = Workload{
		CPUBase: 10, CPUAmplitude: 18, PeakHourUTC: 15, Sharpness: 2, WeekendFactor: 0.3,
		NoiseStdDev: 1.2, SpikesPerWeek: 3, SpikeHeight: 6, SpikeMinutes: 5,
		Connections: 35, ConnectionsAmplitude: 60,
		ReadIOPS: 80, ReadIOPSAmplitude: 220, WriteIOPS: 60, WriteIOPSAmplitude: 140,
		MemoryUsedGiB: 3.2, StorageUsedGiB: 38, StorageGrowthGiBPerDay: 0.15,
	}
	// BusyWriterWorkload: writer CPU 25–60 %, peak 13:00 UTC; on its Aurora
	// db.r6g.large, 2 GiB and up to 1.7 GiB of connections in use outside the
	// buffer cache (about 1.8–2.9 GiB freeable).
	BusyWriterWorkload = Workload{
		CPUBase: 25, CPUAmplitude: 35, PeakHourUTC: 13, Sharpness: 1.5, WeekendFactor: 0.6,
		NoiseStdDev: 2, SpikesPerWeek: 4, SpikeHeight: 10, SpikeMinutes: 6,
		Connections: 80, ConnectionsAmplitude: 140,
		ReadIOPS: 400, ReadIOPSAmplitude: 1200, WriteIOPS: 300, WriteIOPSAmplitude: 700,
		MemoryUsedGiB: 2,
	}
	// BusyReaderWorkload: reader serving ~60 % of the reads at the writer's
	// peak hour (CPU 15–50 %): consolidating it onto the writer would push the
	// writer well above 90 %.
	BusyReaderWorkload = Workload{
		CPUBase: 15, CPUAmplitude: 35, PeakHourUTC: 13, Sharpness: 1.5, WeekendFactor: 0.6,
		NoiseStdDev: 2, SpikesPerWeek: 3, SpikeHeight: 8, SpikeMinutes: 5,
		Connections: 60, ConnectionsAmplitude: 120,
		ReadIOPS: 600, ReadIOPSAmplitude: 1800, WriteIOPS: 5, WriteIOPSAmplitude: 0,
		MemoryUsedGiB: 1.5, ReadShare: 0.6,
	}
	// OrdersWriterWorkload drives orders-prod-instance-1, the writer of the
	// Multi-AZ DB cluster of the multi-az-cluster scenario (order service):
	// CPU ~8–20 %, peak at 13:00 UTC, weekends at 50 %; ~30 GiB of its 100 GiB
	// gp3 used, growing 0.1 GiB a day.
	OrdersWriterWorkload = Workload{
		CPUBase: 8, CPUAmplitude: 12, PeakHourUTC: 13, Sharpness: 1.5, WeekendFactor: 0.5,
		NoiseStdDev: 1, SpikesPerWeek: 2, SpikeHeight: 7, SpikeMinutes: 4,
		Connections: 25, ConnectionsAmplitude: 35,
		ReadIOPS: 60, ReadIOPSAmplitude: 160, WriteIOPS: 50, WriteIOPSAmplitude: 120,
		MemoryUsedGiB: 2.6, StorageUsedGiB: 30, StorageGrowthGiBPerDay: 0.1,
	}
	// OrdersReaderWorkload drives the two readable standbys of orders-prod
	// (each serving ~20 % of the reads): CPU ~4–8 %.
	OrdersReaderWorkload = Workload{
		CPUBase: 4, CPUAmplitude: 4, PeakHourUTC: 13, Sharpness: 1.5, WeekendFactor: 0.5,
		NoiseStdDev: 0.5, SpikesPerWeek: 1, SpikeHeight: 4, SpikeMinutes: 3,
		Connections: 6, ConnectionsAmplitude: 8,
		ReadIOPS: 15, ReadIOPSAmplitude: 40, WriteIOPS: 50, WriteIOPSAmplitude: 120,
		MemoryUsedGiB: 2, StorageUsedGiB: 30, StorageGrowthGiBPerDay: 0.1, ReadShare: 0.2,
	}
	// IdleWorkload: CPU ~1.5–2.5 %, a couple of connections, no spikes;
	// 0.6 GiB in use (on Aurora outside the buffer cache: about 1 GiB
	// freeable on db.t4g.medium).
	IdleWorkload = Workload{
		CPUBase: 1.5, CPUAmplitude: 1, PeakHourUTC: 12, Sharpness: 1, WeekendFactor: 1,
		NoiseStdDev: 0.2, Connections: 2, ConnectionsAmplitude: 1,
		ReadIOPS: 0.5, ReadIOPSAmplitude: 1, WriteIOPS: 1, WriteIOPSAmplitude: 0.5,
		MemoryUsedGiB: 0.6, StorageUsedGiB: 5,
	}
)

// Demo is the `demo` scenario: region us-east-1, account 123456789012,
// 28 days of history.
//   - sso-prod: Aurora PostgreSQL 15.4 cluster, writer sso-prod-instance-1
//     (us-east-1a) and reader sso-prod-instance-2 (us-east-1b), both
//     db.t4g.medium (2 vCPU, 4 GiB); workloads DemoSSOWriterWorkload and
//     DemoSSOReaderWorkload.
//   - mandible-prod: RDS PostgreSQL 15.7, db.t4g.large (2 vCPU, 8 GiB),
//     Multi-AZ (us-east-1a, standby us-east-1b), 100 GiB gp3;
//     DemoMandibleWorkload.
//
// Both carry the tags environment=production and service=sso or chat (the
// cluster and its members alike), as a team's Terraform would set them, so
// that tag filters (rightsize_fleet's tags) have something to select.
//
// The workloads are synthetic (cosine daily cycle, weekly factor, noise,
// spikes); see Workload for the formulas.
func Demo() *Scenario {
	return &Scenario{
		Name: "demo", Seed: 1,
		Clusters: []ClusterSpec{{
			ID: "sso-prod", Engine: "aurora-postgresql", EngineVersion: "15.4",
			Members: []InstanceSpec{
				{ID: "sso-prod-instance-1", Class: "db.t4g.medium", Workload: DemoSSOWriterWorkload, Tags: demoTags("sso")},
				{ID: "sso-prod-instance-2", Class: "db.t4g.medium", Workload: DemoSSOReaderWorkload, Tags: demoTags("sso")},
			},
			Tags: demoTags("sso"),
		}},
		Instances: []InstanceSpec{{
			ID: "mandible-prod", Class: "db.t4g.large", Engine: "postgres", EngineVersion: "15.7",
			MultiAZ: true, AllocatedStorage: 100, StorageType: "gp3", Workload: DemoMandibleWorkload,
			Tags: demoTags("chat"),
		}},
	}
}

// demoTags are the demo scenario's resource tags for a service.
func demoTags(service string) map[string]string {
	return map[string]string{"environment": "production", "service": service}
}

// AuroraPair returns an Aurora PostgreSQL cluster spec `id` with writer
// `id-instance-1` and reader `id-instance-2` of the given class.
func AuroraPair(id, class string, writer, reader Workload) ClusterSpec {
	return ClusterSpec{
		ID: id, Engine: "aurora-postgresql", EngineVersion: "15.4",
		Members: []InstanceSpec{
			{ID: id + "-instance-1", Class: class, Workload: writer},
			{ID: id + "-instance-2", Class: class, Workload: reader},
		},
	}
}

// MultiAZInstance returns a standalone RDS PostgreSQL Multi-AZ instance spec.
func MultiAZInstance(id, class string, w Workload) InstanceSpec {
	return InstanceSpec{ID: id, Class: class, Engine: "postgres", EngineVersion: "15.7",
		MultiAZ: true, AllocatedStorage: 100, StorageType: "gp3", Workload: w}
}

// Busy is the `busy` scenario: Aurora pair "busy-prod" (db.r6g.large) whose
// reader carries ~60 % of the reads at the writer's peak hour
// (BusyWriterWorkload, BusyReaderWorkload), so consolidating would overload
// the writer.
func Busy() *Scenario {
	return &Scenario{Name: "busy", Seed: 2,
		Clusters: []ClusterSpec{AuroraPair("busy-prod", "db.r6g.large", BusyWriterWorkload, BusyReaderWorkload)}}
}

// Idle is the `idle` scenario: Aurora pair "idle-prod" (db.t4g.medium) and
// Multi-AZ instance "idle-db" (db.t4g.large), both on IdleWorkload.
func Idle() *Scenario {
	return &Scenario{Name: "idle", Seed: 3,
		Clusters:  []ClusterSpec{AuroraPair("idle-prod", "db.t4g.medium", IdleWorkload, IdleWorkload)},
		Instances: []InstanceSpec{MultiAZInstance("idle-db", "db.t4g.large", IdleWorkload)}}
}

// ShortHistory is the demo fleet with only 3 days of metric history
// (scenario `short`).
func ShortHistory() *Scenario {
	s := Demo()
	s.Name, s.History = "short", 3*24*time.Hour
	return s
}

// MySQL is the `mysql` scenario: a Multi-AZ RDS MySQL 8.0 instance "shop-mysql"
// (db.m6g.large) on DemoMandibleWorkload.
func MySQL() *Scenario {
	in := MultiAZInstance("shop-mysql", "db.m6g.large", DemoMandibleWorkload)
	in.Engine, in.EngineVersion = "mysql", "8.0.35"
	return &Scenario{Name: "mysql", Seed: 4, Instances: []InstanceSpec{in}}
}

// ServerlessV2 is the `serverless` scenario: Aurora PostgreSQL cluster
// "sls-prod" with Serverless v2 scaling 0.5–8 ACU and two db.serverless
// members on the demo SSO workloads.
func ServerlessV2() *Scenario {
	c := AuroraPair("sls-prod", "db.serverless", DemoSSOWriterWorkload, DemoSSOReaderWorkload)
	c.ServerlessV2 = &ServerlessV2Scaling{MinACU: 0.5, MaxACU: 8}
	return &Scenario{Name: "serverless", Seed: 5, Clusters: []ClusterSpec{c}}
}

// ThreeNodeAurora is the `aurora3` scenario: cluster "tri-prod" with a writer
// and two readers (db.r6g.large).
func ThreeNodeAurora() *Scenario {
	c := AuroraPair("tri-prod", "db.r6g.large", DemoSSOWriterWorkload, DemoSSOReaderWorkload)
	c.Members = append(c.Members, InstanceSpec{ID: "tri-prod-instance-3", Class: "db.r6g.large", Workload: DemoSSOReaderWorkload, PromotionTier: 2})
	return &Scenario{Name: "aurora3", Seed: 6, Clusters: []ClusterSpec{c}}
}

// SingleAZ is the `single-az` scenario: RDS PostgreSQL instance "solo-db"
// (db.t4g.large) that is already Single-AZ.
func SingleAZ() *Scenario {
	in := MultiAZInstance("solo-db", "db.t4g.large", DemoMandibleWorkload)
	in.MultiAZ = false
	return &Scenario{Name: "single-az", Seed: 7, Instances: []InstanceSpec{in}}
}

// MultiAZDBCluster is the `multi-az-cluster` scenario: an RDS for PostgreSQL
// 16.3 Multi-AZ DB cluster "orders-prod" (db.m6gd.large: 2 vCPU, 8 GiB; 100
// GiB gp3 per instance) with writer orders-prod-instance-1 (us-east-1a) and
// readable standbys orders-prod-instance-2 (us-east-1b) and
// orders-prod-instance-3 (us-east-1c), on OrdersWriterWorkload and
// OrdersReaderWorkload, tagged environment=production, service=orders.
func MultiAZDBCluster() *Scenario {
	member := func(n int, w Workload) InstanceSpec {
		return InstanceSpec{ID: fmt.Sprintf("orders-prod-instance-%d", n), Workload: w, Tags: demoTags("orders")}
	}
	return &Scenario{Name: "multi-az-cluster", Seed: 10, Clusters: []ClusterSpec{{
		ID: "orders-prod", Engine: "postgres", EngineVersion: "16.3", DBClusterInstanceClass: "db.m6gd.large",
		AllocatedStorage: 100, StorageType: "gp3",
		Members: []InstanceSpec{member(1, OrdersWriterWorkload), member(2, OrdersReaderWorkload), member(3, OrdersReaderWorkload)},
		Tags:    demoTags("orders"),
	}}}
}

// Fleet returns n generated nodes (scenario `fleet-N`): pairs alternate
// between Aurora clusters "fleet-cNNN" (writer + reader) and Multi-AZ
// instances "fleet-iNNN", with workloads varied deterministically around
// the demo ones. n < 1 is treated as 1.
func Fleet(n int) *Scenario {
	if n < 1 {
		n = 1
	}
	s := &Scenario{Name: fmt.Sprintf("fleet-%d", n), Seed: 8}
	classes := []string{"db.t4g.medium", "db.t4g.large", "db.r6g.large", "db.r6g.xlarge", "db.m6g.large"}
	for i := 0; len(s.Instances)+2*len(s.Clusters) < n; i++ {
		f := 0.5 + float64(i%7)/4 // 0.5 … 2.0
		w := DemoMandibleWorkload
		w.CPUBase, w.CPUAmplitude = w.CPUBase*f, w.CPUAmplitude*f
		w.PeakHourUTC = float64((9 + i*5) % 24)
		class := classes[i%len(classes)]
		if i%2 == 0 && n-len(s.Instances)-2*len(s.Clusters) >= 2 {
			// On Aurora MemoryUsedGiB is the use outside the buffer cache (the demo writer's).
			w.MemoryUsedGiB = DemoSSOWriterWorkload.MemoryUsedGiB
			r := DemoSSOReaderWorkload
			r.CPUBase, r.CPUAmplitude, r.PeakHourUTC = r.CPUBase*f, r.CPUAmplitude*f, w.PeakHourUTC
			c := AuroraPair(fmt.Sprintf("fleet-c%03d", i), class, w, r)
			if strings.HasPrefix(class, "db.m") {
				c.Members[0].Class, c.Members[1].Class = "db.r6g.large", "db.r6g.large"
			}
			s.Clusters = append(s.Clusters, c)
			continue
		}
		s.Instances = append(s.Instances, MultiAZInstance(fmt.Sprintf("fleet-i%03d", i), class, w))
	}
	return s
}

// Holes is the `holes` scenario: the demo fleet (same seed, so the same
// values) whose nodes each miss 3 minutes per thousand (MissingPerMille),
// as collected CloudWatch series do.
func Holes() *Scenario {
	s := Demo()
	s.Name = "holes"
	for i := range s.Clusters {
		for j := range s.Clusters[i].Members {
			s.Clusters[i].Members[j].Workload.MissingPerMille = 3
		}
	}
	for i := range s.Instances {
		s.Instances[i].Workload.MissingPerMille = 3
	}
	return s
}

// ScenarioNames lists the names ScenarioByName accepts ("fleet-N" takes any N ≥ 1).
var ScenarioNames = []string{"demo", "busy", "idle", "short", "mysql", "serverless", "aurora3", "single-az", "multi-az-cluster", "traced", "holes", "fleet-N", "empty"}

// ScenarioByName returns a fresh copy of a named scenario (see ScenarioNames).
// "" means "demo"; "empty" has no resources at all.
func ScenarioByName(name string) (*Scenario, error) {
	switch name {
	case "", "demo":
		return Demo(), nil
	case "busy":
		return Busy(), nil
	case "idle":
		return Idle(), nil
	case "short":
		return ShortHistory(), nil
	case "mysql":
		return MySQL(), nil
	case "serverless":
		return ServerlessV2(), nil
	case "aurora3":
		return ThreeNodeAurora(), nil
	case "single-az":
		return SingleAZ(), nil
	case "multi-az-cluster":
		return MultiAZDBCluster(), nil
	case "traced":
		return Traced(), nil
	case "holes":
		return Holes(), nil
	case "empty":
		return &Scenario{Name: "empty"}, nil
	}
	if rest, ok := strings.CutPrefix(name, "fleet-"); ok {
		n, err := strconv.Atoi(rest)
		if err == nil && n >= 1 {
			return Fleet(n), nil
		}
	}
	return nil, fmt.Errorf("unknown sandbox scenario %q: use one of %s", name, strings.Join(ScenarioNames, ", "))
}

// Validate checks that identifiers are valid and unique, classes are known
// (LookupClass), clusters have members (a Multi-AZ DB cluster exactly three, of its
// class, with valid storage: see ClusterSpec), traces exist, backup and maintenance
// windows are valid as RDS requires (format, at least 30 minutes, no overlap;
// no backup window for an Aurora member), pending maintenance actions are
// known, unique per resource and not dated before the start, and every
// reservation matches an offering, and parameter groups are valid (ParameterGroupSpec) and
// those named exist.
func (s *Scenario) Validate() error {
	if err := validParameterGroups(s.ParameterGroups); err != nil {
		return fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	seen := map[string]bool{}
	check := func(where, cluster string, in InstanceSpec) error {
		if !validID(in.ID) {
			return fmt.Errorf("scenario %s: %s: invalid DB instance identifier %q", s.Name, where, in.ID)
		}
		if seen["db:"+in.ID] {
			return fmt.Errorf("scenario %s: duplicate DB instance identifier %q", s.Name, in.ID)
		}
		seen["db:"+in.ID] = true
		if _, ok := LookupClass(in.Class); !ok {
			return fmt.Errorf("scenario %s: instance %s: unknown DB instance class %q", s.Name, in.ID, in.Class)
		}
		if err := validTags(in.Tags); err != nil {
			return fmt.Errorf("scenario %s: instance %s: %w", s.Name, in.ID, err)
		}
		for _, g := range in.Workload.Surges {
			if !g.To.After(g.From) || !(g.Factor >= 0) {
				return fmt.Errorf("scenario %s: instance %s: surge from %s to %s, factor %v: To must be after From and the factor at least 0",
					s.Name, in.ID, g.From.Format(time.RFC3339), g.To.Format(time.RFC3339), g.Factor)
			}
		}
		if in.Workload.Trace != "" {
			if _, err := loadTrace(in.Workload.Trace); err != nil {
				return fmt.Errorf("scenario %s: instance %s: %w", s.Name, in.ID, err)
			}
		}
		if cluster != "" {
			if in.BackupWindow != "" {
				return fmt.Errorf("scenario %s: instance %s: backup window %q: a member of Aurora cluster %s has no backup window of its own (set the cluster's BackupWindow)", s.Name, in.ID, in.BackupWindow, cluster)
			}
			if in.MaintenanceWindow != "" {
				if _, _, err := parseMaintenanceWindow(in.MaintenanceWindow); err != nil {
					return fmt.Errorf("scenario %s: instance %s: %w", s.Name, in.ID, err)
				}
			}
		} else if _, _, err := resolveWindows(in.BackupWindow, in.MaintenanceWindow); err != nil {
			return fmt.Errorf("scenario %s: instance %s: %w", s.Name, in.ID, err)
		}
		if err := validPendingActions(in.PendingMaintenance); err != nil {
			return fmt.Errorf("scenario %s: instance %s: %w", s.Name, in.ID, err)
		}
		if cluster != "" && (in.Iops != 0 || in.StorageThroughput != 0 || in.MaxAllocatedStorage != 0) {
			return fmt.Errorf("scenario %s: instance %s: Iops, StorageThroughput and MaxAllocatedStorage apply to a standalone instance (a Multi-AZ DB cluster's are the cluster's Iops)", s.Name, in.ID)
		}
		if e := checkMaxAllocated(in.MaxAllocatedStorage, cmp.Or(in.AllocatedStorage, 100)); e != nil {
			return fmt.Errorf("scenario %s: instance %s: %s", s.Name, in.ID, e.Message)
		}
		if cluster == "" && (in.StorageType != "" || in.Iops != 0 || in.StorageThroughput != 0) {
			if e := checkInstanceStorage(cmp.Or(in.StorageType, "gp3"), cmp.Or(in.AllocatedStorage, 100), in.Iops, in.StorageThroughput); e != nil {
				return fmt.Errorf("scenario %s: instance %s: %s", s.Name, in.ID, e.Message)
			}
		}
		switch engine := cmp.Or(in.Engine, "postgres"); {
		case in.EngineLifecycleSupport == "":
		case cluster != "":
			return fmt.Errorf("scenario %s: instance %s: EngineLifecycleSupport %q: a member of cluster %s reports its cluster's (set the cluster's EngineLifecycleSupport)", s.Name, in.ID, in.EngineLifecycleSupport, cluster)
		case !validLifecycle(in.EngineLifecycleSupport) || !hasLifecycle(engine):
			return fmt.Errorf("scenario %s: instance %s: EngineLifecycleSupport %q: want %q or %q, on an RDS for PostgreSQL or MySQL instance", s.Name, in.ID, in.EngineLifecycleSupport, lifecycleExtendedSupport, lifecycleExtendedSupportDisabled)
		}
		if in.ReadReplicaOf != "" {
			src := slices.IndexFunc(s.Instances, func(o InstanceSpec) bool { return o.ID == in.ReadReplicaOf })
			if cluster != "" || src < 0 || in.ReadReplicaOf == in.ID || in.ReadReplicaOfCluster != "" {
				return fmt.Errorf("scenario %s: instance %s: ReadReplicaOf %q: want another standalone instance of the scenario (and no ReadReplicaOfCluster)", s.Name, in.ID, in.ReadReplicaOf)
			}
		}
		if r := in.BackupRetentionPeriod; r != nil {
			sourced := slices.ContainsFunc(s.Instances, func(o InstanceSpec) bool { return o.ReadReplicaOf == in.ID })
			if cluster != "" || *r < 0 || *r > 35 || *r == 0 && sourced {
				return fmt.Errorf("scenario %s: instance %s: BackupRetentionPeriod %d: want 0 to 35 days on a standalone instance, and not 0 on a source of read replicas", s.Name, in.ID, *r)
			}
		}
		for _, sn := range in.Snapshots {
			if err := sn.validate(cluster != ""); err != nil {
				return fmt.Errorf("scenario %s: instance %s: snapshot %q: %w", s.Name, in.ID, sn.ID, err)
			}
		}
		if in.ParameterGroup != "" && findParameterGroup(s.ParameterGroups, in.ParameterGroup, false) < 0 {
			return fmt.Errorf("scenario %s: instance %s: ParameterGroup %q: want a DB parameter group of Scenario.ParameterGroups (Cluster false)", s.Name, in.ID, in.ParameterGroup)
		}
		if in.ReadReplicaOfCluster != "" {
			src := slices.IndexFunc(s.Clusters, func(c ClusterSpec) bool { return c.ID == in.ReadReplicaOfCluster && c.multiAZ() })
			if cluster != "" || src < 0 {
				return fmt.Errorf("scenario %s: instance %s: ReadReplicaOfCluster %q: want a standalone instance and a Multi-AZ DB cluster (Engine %q) of the scenario", s.Name, in.ID, in.ReadReplicaOfCluster, multiAZClusterEngine)
			}
		}
		return nil
	}
	for _, c := range s.Clusters {
		if !validID(c.ID) || seen["cluster:"+c.ID] {
			return fmt.Errorf("scenario %s: invalid or duplicate DB cluster identifier %q", s.Name, c.ID)
		}
		seen["cluster:"+c.ID] = true
		if len(c.Members) == 0 {
			return fmt.Errorf("scenario %s: cluster %s has no members", s.Name, c.ID)
		}
		if err := validTags(c.Tags); err != nil {
			return fmt.Errorf("scenario %s: cluster %s: %w", s.Name, c.ID, err)
		}
		if c.multiAZ() {
			if err := s.validateMultiAZCluster(c); err != nil {
				return err
			}
		} else {
			if !validAuroraStorage(c.StorageType) {
				return fmt.Errorf("scenario %s: cluster %s: storage type %q: want %q or %q", s.Name, c.ID, c.StorageType, auroraStandard, auroraIOOptimized)
			}
			if c.DBClusterInstanceClass != "" || c.AllocatedStorage != 0 || c.Iops != 0 {
				return fmt.Errorf("scenario %s: cluster %s: DBClusterInstanceClass, AllocatedStorage and Iops apply to Multi-AZ DB clusters (Engine %q) only, not to an Aurora cluster", s.Name, c.ID, multiAZClusterEngine)
			}
		}
		if _, _, err := resolveWindows(c.BackupWindow, c.MaintenanceWindow); err != nil {
			return fmt.Errorf("scenario %s: cluster %s: %w", s.Name, c.ID, err)
		}
		if err := validPendingActions(c.PendingMaintenance); err != nil {
			return fmt.Errorf("scenario %s: cluster %s: %w", s.Name, c.ID, err)
		}
		if c.ParameterGroup != "" && (c.multiAZ() || findParameterGroup(s.ParameterGroups, c.ParameterGroup, true) < 0) {
			return fmt.Errorf("scenario %s: cluster %s: ParameterGroup %q: want a DB cluster parameter group of Scenario.ParameterGroups (Cluster true), on an Aurora cluster", s.Name, c.ID, c.ParameterGroup)
		}
		if !validLifecycle(c.EngineLifecycleSupport) {
			return fmt.Errorf("scenario %s: cluster %s: EngineLifecycleSupport %q: want %q or %q", s.Name, c.ID, c.EngineLifecycleSupport, lifecycleExtendedSupport, lifecycleExtendedSupportDisabled)
		}
		if c.GlobalCluster != "" && (c.multiAZ() || !validID(c.GlobalCluster)) {
			return fmt.Errorf("scenario %s: cluster %s: GlobalCluster %q: want a valid global cluster identifier, on an Aurora cluster", s.Name, c.ID, c.GlobalCluster)
		}
		if c.GlobalSecondary && c.GlobalCluster == "" {
			return fmt.Errorf("scenario %s: cluster %s: GlobalSecondary needs the GlobalCluster it is a secondary cluster of", s.Name, c.ID)
		}
		for _, m := range c.Members {
			if c.multiAZ() {
				m.Class = c.DBClusterInstanceClass // validateMultiAZCluster checked it is empty or this
			}
			if err := check("cluster "+c.ID, c.ID, m); err != nil {
				return err
			}
		}
	}
	for _, in := range s.Instances {
		if err := check("instances", "", in); err != nil {
			return err
		}
	}
	for i, r := range s.Reservations {
		if _, err := r.offering(); err != nil {
			return fmt.Errorf("scenario %s: Reservations[%d]: %w", s.Name, i, err)
		}
		if id := strings.ToLower(r.ID); id != "" {
			if seen["ri:"+id] {
				return fmt.Errorf("scenario %s: duplicate ReservedDBInstanceId %q", s.Name, r.ID)
			}
			seen["ri:"+id] = true
		}
	}
	return nil
}

func (s *Scenario) region() string {
	if s.Region == "" {
		return DefaultRegion
	}
	return s.Region
}

func (s *Scenario) account() string {
	if s.AccountID == "" {
		return DefaultAccountID
	}
	return s.AccountID
}

func (s *Scenario) history() time.Duration {
	if s.History <= 0 {
		return DefaultHistory
	}
	return s.History
}

// ClassSpec is the hardware of a DB instance class.
type ClassSpec struct {
	// VCPU is the number of vCPUs; MemoryGiB the memory in GiB.
	VCPU      int
	MemoryGiB float64
	// Burstable is true for db.t3/db.t4g (CPU credits); BaselineCPU is the
	// baseline CPU % and MaxCredits the CPU credit cap for those classes.
	Burstable   bool
	BaselineCPU float64
	MaxCredits  float64
}

// LookupClass returns the hardware of an RDS DB instance class: the db.t3,
// t4g, m5, m6g, m6i, m7g, r5, r6g, r6i and r7g families in every size of the
// RDS hardware table, their variants with local NVMe storage m5d, m6gd, m6id,
// r5d, r6gd and r6id (same vCPU and memory; the classes Multi-AZ DB clusters
// run on), the newer m7i, m8g, r7i and r8g (4 and 8 GiB per vCPU, which the
// provider's catalog lacks), plus "db.serverless" (reported as 2 vCPU / 16 GiB; the generator
// uses 2 GiB per maximum ACU of the cluster instead). ok is false for an
// unknown class.
func LookupClass(class string) (spec ClassSpec, ok bool) {
	if v, hit := classCache.Load(class); hit {
		c := v.(classEntry)
		return c.spec, c.ok
	}
	spec, ok = lookupClass(class)
	classCache.Store(class, classEntry{spec, ok})
	return spec, ok
}

// AuroraLocalStorageGiB is the emulated local storage of an Aurora instance
// of the class, in GiB: twice its memory, which AWS's table of temporary
// storage per Aurora PostgreSQL class matches within a few percent
// (db.r6g.large 32 GiB, db.r5.large 31, db.t4g.medium 8.13).
func (c ClassSpec) AuroraLocalStorageGiB() float64 { return 2 * c.MemoryGiB }

type classEntry struct {
	spec ClassSpec
	ok   bool
}

var classCache sync.Map // class name → classEntry

func lookupClass(class string) (spec ClassSpec, ok bool) {
	if class == "db.serverless" {
		return ClassSpec{VCPU: 2, MemoryGiB: 16}, true
	}
	parts := strings.Split(class, ".")
	if len(parts) != 3 || parts[0] != "db" {
		return ClassSpec{}, false
	}
	fam, size := parts[1], parts[2]
	if fam == "t3" || fam == "t4g" {
		t := map[string]ClassSpec{
			"micro":   {2, 1, true, 10, 144},
			"small":   {2, 2, true, 20, 576},
			"medium":  {2, 4, true, 20, 576},
			"large":   {2, 8, true, 30, 864},
			"xlarge":  {4, 16, true, 40, 2304},
			"2xlarge": {8, 32, true, 40, 4608},
		}
		c, ok := t[size]
		return c, ok
	}
	var perVCPU float64
	switch fam {
	case "m5", "m6g", "m6i", "m7g", "m5d", "m6gd", "m6id", "m7i", "m8g":
		perVCPU = 4
	case "r5", "r6g", "r6i", "r7g", "r5d", "r6gd", "r6id", "r7i", "r8g":
		perVCPU = 8
	default:
		return ClassSpec{}, false
	}
	var v int
	switch size {
	case "large":
		v = 2
	case "xlarge":
		v = 4
	default:
		n, err := strconv.Atoi(strings.TrimSuffix(size, "xlarge"))
		if err != nil || !strings.HasSuffix(size, "xlarge") || n < 2 || n > 32 {
			return ClassSpec{}, false
		}
		v = 4 * n
	}
	return ClassSpec{VCPU: v, MemoryGiB: float64(v) * perVCPU}, true
}

// validTags applies RDS's tag rules: a key of 1–128 characters that does not
// start with "aws:" or "rds:", a value of at most 256.
func validTags(tags map[string]string) error {
	for k, v := range tags {
		switch lk := strings.ToLower(k); {
		case k == "" || utf8.RuneCountInString(k) > 128:
			return fmt.Errorf("tag key %q must have 1 to 128 characters", k)
		case strings.HasPrefix(lk, "aws:") || strings.HasPrefix(lk, "rds:"):
			return fmt.Errorf("tag key %q uses a reserved prefix (aws: or rds:)", k)
		case utf8.RuneCountInString(v) > 256:
			return fmt.Errorf("tag %q: the value has more than 256 characters", k)
		}
	}
	return nil
}

// validate checks a snapshot of a standalone instance (member: of a cluster member, which has
// none: an Aurora cluster's snapshots are cluster snapshots).
func (sn SnapshotSpec) validate(member bool) error {
	switch {
	case member:
		return errors.New("a cluster member has no DB snapshots of its own")
	case sn.Type == "manual" && !validSnapshotID(sn.ID):
		return errors.New("want a DB snapshot identifier (letters, digits, hyphens; starting with a letter)")
	case sn.Type == "awsbackup" && !strings.HasPrefix(sn.ID, "awsbackup:job-"):
		return errors.New(`want "awsbackup:job-…", as AWS Backup names its snapshots`)
	case sn.Type != "manual" && sn.Type != "awsbackup":
		return fmt.Errorf("type %q: want Type manual or awsbackup", sn.Type)
	case !(sn.Ago > 0) || sn.CopiedAgo < 0 || sn.CopiedAgo >= sn.Ago:
		return errors.New("want Ago > 0 and CopiedAgo from 0 to less than Ago")
	case sn.TakenAs != "" && !validID(strings.ToLower(sn.TakenAs)):
		return fmt.Errorf("TakenAs %q: want a DB instance identifier", sn.TakenAs)
	}
	return nil
}
