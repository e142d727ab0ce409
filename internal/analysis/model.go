package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// CloudWatch metric names (namespace AWS/RDS) the analysis understands.
const (
	MetricCPU              = "CPUUtilization"            // Percent
	MetricFreeableMemory   = "FreeableMemory"            // Bytes
	MetricReadIOPS         = "ReadIOPS"                  // Count/Second
	MetricWriteIOPS        = "WriteIOPS"                 // Count/Second
	MetricConnections      = "DatabaseConnections"       // Count
	MetricNetworkReceive   = "NetworkReceiveThroughput"  // Bytes/Second
	MetricNetworkTransmit  = "NetworkTransmitThroughput" // Bytes/Second
	MetricReplicaLag       = "ReplicaLag"                // Seconds (RDS read replicas)
	MetricAuroraReplicaLag = "AuroraReplicaLag"          // Milliseconds (Aurora readers)
	MetricFreeStorageSpace = "FreeStorageSpace"          // Bytes (RDS instances)
	MetricFreeLocalStorage = "FreeLocalStorage"          // Bytes (Aurora instances: temporary files and logs)
	MetricDiskQueueDepth   = "DiskQueueDepth"            // Count
	// Burstable classes (db.t3, db.t4g) only; the analysis uses them in
	// rollback alarms, not as inputs.
	MetricCPUCreditBalance         = "CPUCreditBalance"         // Count (credits accrued)
	MetricCPUSurplusCreditsCharged = "CPUSurplusCreditsCharged" // Count (surplus credits billed)
)

// auroraRoleMetrics are the metrics read, and alarmed on, by Aurora role
// (dimensions DBClusterIdentifier and Role). AWS documents the Role dimension
// for Aurora metrics without a per-metric list ("A specific Aurora DB
// cluster, aggregating the metric by instance role (WRITER/READER)", Amazon
// Aurora User Guide, "Amazon CloudWatch dimensions for Aurora");
// CPUUtilization, FreeableMemory, FreeLocalStorage, DatabaseConnections,
// NetworkReceiveThroughput, NetworkTransmitThroughput and AuroraReplicaLag are
// alarmed on and graphed by role in public Aurora configurations, and ReadIOPS
// and WriteIOPS are aggregated per cluster like them. DiskQueueDepth and the
// CPU credit metrics are not: no published use of them by role was found.
var auroraRoleMetrics = map[string]bool{
	MetricCPU: true, MetricFreeableMemory: true, MetricReadIOPS: true, MetricWriteIOPS: true,
	MetricConnections: true, MetricNetworkReceive: true, MetricNetworkTransmit: true,
	MetricAuroraReplicaLag: true, MetricFreeLocalStorage: true,
}

// AuroraRoleMetric reports whether metric is one the project reads, and
// alarms on, by Aurora role rather than per instance (auroraRoleMetrics).
func AuroraRoleMetric(metric string) bool { return auroraRoleMetrics[metric] }

// RequiredMetrics are the metrics the writer must have for a verdict other
// than insufficient-data (and, on Aurora, every reader).
var RequiredMetrics = []string{MetricCPU, MetricFreeableMemory, MetricConnections, MetricReadIOPS, MetricWriteIOPS}

// Topology is the kind of 2-node cluster being analysed.
type Topology string

// Topologies.
const (
	// TopologyMultiAZ is an RDS Multi-AZ DB instance: a writer plus a
	// synchronous standby that serves no reads. The standby publishes no
	// CloudWatch metrics of its own.
	TopologyMultiAZ Topology = "multi-az"
	// TopologyAurora is an Aurora cluster with one writer and one or more
	// readers that serve reads.
	TopologyAurora Topology = "aurora"
)

// Role is a node's role in the cluster.
type Role string

// Roles.
const (
	RoleWriter  Role = "writer"
	RoleStandby Role = "standby" // Multi-AZ standby (no reads, no metrics)
	RoleReader  Role = "reader"  // Aurora reader
)

// InstanceClass is the capacity of a DB instance class.
type InstanceClass struct {
	Name      string  // e.g. "db.r6g.large"
	VCPU      float64 // vCPUs, > 0
	MemoryGiB float64 // GiB, > 0
	// NetworkBaselineBytesPerSec is the sustained network bandwidth in
	// bytes/s (Gbps × 1.25e8); 0 when unknown (the check is skipped).
	NetworkBaselineBytesPerSec float64
	// BaselineIOPS is the sustained EBS IOPS of the class (or what the volume
	// delivers, whichever is lower: for a gp2 volume, what it bursts to on
	// I/O credits when that is above its baseline); 0 when unknown (the check
	// is skipped).
	BaselineIOPS float64
	// BaselineIOPSBy says what sets BaselineIOPS when the volume does, not
	// the class (e.g. "its 100 GiB gp3 volume"), for the messages; "" when
	// the class does.
	BaselineIOPSBy string
	// Burstable marks CPU-credit classes (db.t3, db.t4g).
	Burstable bool
	// BaselineCPUPercent is a burstable class's baseline utilization per
	// vCPU in percent: the CPUUtilization at which it earns as many CPU
	// credits as it spends (20 for db.t4g.medium). 0 when unknown or not
	// burstable (the credit account is then not simulated).
	BaselineCPUPercent float64
	// LocalStorageGiB is an Aurora instance's local storage in GiB, where it
	// writes temporary files (sorts, hashes and index builds that spill out
	// of work_mem) and its logs: what FreeLocalStorage reports free. 0 when
	// unknown or not Aurora (the checks against it are skipped).
	LocalStorageGiB float64
}

// MemoryBytes is MemoryGiB in bytes.
func (c InstanceClass) MemoryBytes() float64 { return float64(c.MemoryGiB * (1 << 30)) }

// iopsBasis names what BaselineIOPS is of, for messages: "db.t4g.large" or
// "db.t4g.large (its 100 GiB gp3 volume)".
func (c InstanceClass) iopsBasis() string {
	if c.BaselineIOPSBy == "" {
		return c.Name
	}
	return c.Name + " (" + c.BaselineIOPSBy + ")"
}

// validate checks c's capacity: vCPU and memory positive and finite, the
// baselines and local storage finite and non-negative (0 when unknown), and
// BaselineCPUPercent (validateBaseline).
func (c InstanceClass) validate() error {
	finite := func(v float64) bool { return !math.IsInf(v, 0) && v == v }
	switch {
	case !(c.VCPU > 0) || !(c.MemoryGiB > 0) || !finite(c.VCPU) || !finite(c.MemoryGiB):
		return fmt.Errorf("instance class %q has vcpu %v and memory %v GiB: both must be positive and finite (look the class up in the capacity catalog)",
			c.Name, c.VCPU, c.MemoryGiB)
	case !(c.BaselineIOPS >= 0) || !(c.NetworkBaselineBytesPerSec >= 0) || !(c.LocalStorageGiB >= 0) ||
		!finite(c.BaselineIOPS) || !finite(c.NetworkBaselineBytesPerSec) || !finite(c.LocalStorageGiB):
		return fmt.Errorf("instance class %q: baseline IOPS %v, network baseline %v bytes/s and local storage %v GiB must be finite and non-negative (0 when unknown)",
			c.Name, c.BaselineIOPS, c.NetworkBaselineBytesPerSec, c.LocalStorageGiB)
	}
	return c.validateBaseline()
}

// validate checks a savings target other than the zero value (which means
// DefaultSavingsTarget): both ends finite and non-negative, the minimum at
// most the maximum.
func (t SavingsTarget) validate() error {
	if t == (SavingsTarget{}) {
		return nil
	}
	if !(t.MinMonthlyUSD >= 0 && t.MinMonthlyUSD <= t.MaxMonthlyUSD) || math.IsInf(t.MaxMonthlyUSD, 0) {
		return fmt.Errorf("savings target %v–%v USD/month: both ends must be finite and non-negative, the minimum at most the maximum",
			t.MinMonthlyUSD, t.MaxMonthlyUSD)
	}
	return nil
}

// validate checks the facts' ranges: counts non-negative, the cache hit ratio
// within [0, 1], the TPS finite and non-negative (0 when unknown), a
// max_connections and shared_buffers formulas ones that EvalFormula evaluates,
// and each replication slot named, with its retained WAL -1 (unknown) or more.
func (f PostgresFacts) validate() error {
	for name, v := range map[string]string{"max_connections": f.MaxConnectionsFormula, "shared_buffers": f.SharedBuffersFormula} {
		if v != "" && !FormulaEvaluable(v) {
			return fmt.Errorf("PostgreSQL facts: %s formula %q is not an integer or a formula EvalFormula evaluates (leave it empty when unknown)", name, v)
		}
	}
	switch {
	case f.MaxConnections < 0 || f.PeakConnections < 0 || f.ReservedConnections < 0:
		return fmt.Errorf("PostgreSQL facts: max_connections %d, reserved connections %d and peak connections %d must be non-negative (0 when unknown)",
			f.MaxConnections, f.ReservedConnections, f.PeakConnections)
	case !(f.CacheHitRatio >= 0 && f.CacheHitRatio <= 1):
		return fmt.Errorf("PostgreSQL facts: cache hit ratio %v must be within [0, 1] (0 when unknown)", f.CacheHitRatio)
	case !(f.TPS >= 0) || math.IsInf(f.TPS, 0):
		return fmt.Errorf("PostgreSQL facts: TPS %v must be finite and non-negative (0 when unknown)", f.TPS)
	}
	for _, s := range f.ReplicationSlots {
		if s.Name == "" || s.RetainedBytes < -1 {
			return fmt.Errorf("PostgreSQL facts: replication slot %q: a slot needs a name, and its retained WAL %d bytes must be non-negative (-1 when unknown)", s.Name, s.RetainedBytes)
		}
	}
	return nil
}

// validateBaseline checks BaselineCPUPercent: within [0, 100], and non-zero
// only on a burstable class.
func (c InstanceClass) validateBaseline() error {
	b := c.BaselineCPUPercent
	switch {
	case !(b >= 0 && b <= 100):
		return fmt.Errorf("instance class %q: baseline CPU %v%%: must be between 0 and 100 (0 when unknown)", c.Name, b)
	case b > 0 && !c.Burstable:
		return fmt.Errorf("instance class %q: baseline CPU %v%% on a class that is not burstable: set Burstable or leave the baseline 0", c.Name, b)
	}
	return nil
}

// LocalStorageBytes is LocalStorageGiB in bytes.
func (c InstanceClass) LocalStorageBytes() float64 { return float64(c.LocalStorageGiB * (1 << 30)) }

// Node is one DB instance of the cluster with its metric series.
type Node struct {
	ID    string        // DB instance identifier
	Role  Role          // writer, standby (Multi-AZ) or reader (Aurora)
	Class InstanceClass // capacity of the node's instance class
	// AvailabilityZone is the node's AZ ("" when not known); Aurora's risks compare the writer's
	// and the reader's.
	AvailabilityZone string
	// Series holds at most one series per CloudWatch metric name (Series.Metric).
	// A Multi-AZ standby has none.
	Series []Series
}

// PostgresFacts are optional facts read from PostgreSQL itself. Zero means
// unknown for every field.
type PostgresFacts struct {
	MaxConnections int // max_connections setting
	// MaxConnectionsFormula is max_connections as the node's DB parameter group sets it (RDS
	// Source "user"): an integer or an RDS formula that EvalFormula evaluates; "" when the group
	// keeps RDS's default or that is not known. Unlike MaxConnections, the server's value on
	// today's class, it says what the group gives another class: the single node keeps the
	// group. Where both are given, MaxConnections is today's limit.
	MaxConnectionsFormula string
	// SharedBuffersFormula is shared_buffers, in 8 kB pages, as the node's parameter group sets
	// it (an integer or a formula EvalFormula evaluates); "" when the group keeps the default or
	// that is not known. On Aurora it sizes the buffer cache the memory check leaves out
	// (Projection.MemoryUsed), in place of Aurora's default, AuroraBufferFormula.
	SharedBuffersFormula string
	// ReservedConnections are the slots of max_connections that clients' ordinary roles cannot
	// take: superuser_reserved_connections, reserved_connections (PostgreSQL 16+, for roles with
	// pg_use_reserved_connections) and, on RDS and Aurora, rds.rds_superuser_reserved_connections
	// (for rds_superuser). Past max_connections less these, PostgreSQL refuses them ("remaining
	// connection slots are reserved"), so the connections checks and risks compare the peak with
	// that. 0 when none are reserved or that is not known.
	ReservedConnections int
	PeakConnections     int     // highest backend count known (the provider reads one instantaneous count)
	CacheHitRatio       float64 // shared buffer hit ratio in [0, 1], cumulative since the statistics were reset
	// CountersSince is when the cumulative counters behind CacheHitRatio started (the
	// statistics' last reset); zero when unknown.
	CountersSince time.Time
	TPS           float64 // transactions per second, reported only (no check reads it)
	// ReplicationSlots are the writer's replication slots (pg_replication_slots), temporary
	// ones left out; nil when not read or there are none. Their consumers become risks
	// (replicationSlotRisks): a logical slot's change-data-capture stream on one node, and
	// WAL an inactive slot, or an active one keeping much, keeps.
	ReplicationSlots []ReplicationSlot
}

// ReplicationSlot is one replication slot of the writer.
type ReplicationSlot struct {
	Name string
	// Logical is true for a logical slot (change data capture, subscriptions),
	// false for a physical one (streaming replicas, pg_receivewal).
	Logical bool
	// Plugin is a logical slot's output plugin ("" when unknown or physical).
	Plugin string
	// Active is true while a consumer is connected to the slot.
	Active bool
	// WALStatus is PostgreSQL's wal_status ("reserved", "extended", "unreserved",
	// "lost"; "" before PostgreSQL 13, or unknown).
	WALStatus string
	// RetainedBytes is the WAL the slot keeps from being removed, in bytes; -1 when
	// the slot reserves none or it is not known.
	RetainedBytes int64
}

// Candidate is an instance class the single node could run on, with its price.
type Candidate struct {
	Class InstanceClass // capacity of the candidate class
	// SingleNodeHourlyUSD is the on-demand price per hour of this class as a
	// single node (RDS Single-AZ, or one Aurora instance); 0 when unknown.
	SingleNodeHourlyUSD float64
}

// SavingsTarget is the monthly savings range sought, in USD.
type SavingsTarget struct {
	MinMonthlyUSD float64 // lower end of the range, USD per month
	MaxMonthlyUSD float64 // upper end of the range, USD per month
}

// DefaultSavingsTarget is the seed's $50–100 per month.
func DefaultSavingsTarget() SavingsTarget {
	return SavingsTarget{MinMonthlyUSD: 50, MaxMonthlyUSD: 100}
}

// AnySavingsTarget is the $0–0 per month target: any saving meets it and
// scores the cost criterion's maximum, and no saving is within it. The zero
// SavingsTarget means DefaultSavingsTarget, so its maximum is the smallest
// positive float64 instead of 0: savings, in cents, cannot tell the two apart,
// and reports print it as 0.
func AnySavingsTarget() SavingsTarget {
	return SavingsTarget{MinMonthlyUSD: 0, MaxMonthlyUSD: math.SmallestNonzeroFloat64}
}

// ClusterInput describes a 2-node cluster to analyse.
type ClusterInput struct {
	Name     string   // cluster or instance identifier, used in the report and alarm names
	Topology Topology // TopologyMultiAZ or TopologyAurora
	// AuroraClusterID is the Aurora DB cluster identifier (also of a
	// one-instance cluster analysed as TopologyMultiAZ); empty for an RDS
	// instance. When set, the rollback alarms on metrics Aurora publishes by
	// role (AuroraRoleMetric) watch the cluster's WRITER role rather than the
	// writer instance: AWS advises role metrics for Aurora alarms because
	// instances change roles, and after a failover an alarm on the old
	// writer would watch a reader, or an instance the change deleted.
	AuroraClusterID string
	// Nodes: Multi-AZ has exactly one writer and optionally its standby;
	// Aurora has exactly one writer and at least one reader.
	Nodes []Node
	// Postgres facts; nil when not collected.
	Postgres *PostgresFacts
	// CurrentHourlyUSD is what the cluster costs per hour today (the
	// Multi-AZ price as billed, or the sum of the Aurora instances); 0 when
	// unknown. For a deployment AlreadySingleNode, the price of its 2-node
	// form (Multi-AZ, or an Aurora writer and the reader it had).
	CurrentHourlyUSD float64
	// AlreadySingleNode marks a deployment that already runs one node (an RDS
	// Single-AZ instance, or an Aurora cluster of one instance), analysed as
	// its 2-node form: the verdict says whether the one node holds its load,
	// and the cost compares the 2-node form (CurrentHourlyUSD) with the one
	// node, whose savings are realised. The report then says the deployment
	// runs one node now and plans no change (no migration window). The
	// analysis itself, its checks and scores, are the same either way.
	AlreadySingleNode bool
	// CPUCreditUSDPerVCPUHour is the price of surplus CPU credits of
	// burstable classes, USD per vCPU-hour; 0 when unknown (the surplus is
	// then reported in vCPU-hours, not priced).
	CPUCreditUSDPerVCPUHour float64
	// ExtendedSupportUSDPerVCPUHour is the RDS Extended Support charge, USD
	// per vCPU-hour, that CurrentHourlyUSD (on every billed node) and the
	// candidates' prices include; 0 when they include none. Reservations
	// do not cover it: the reserved-instance risk values idle reserved
	// units at the prices without it (reservationRisk).
	ExtendedSupportUSDPerVCPUHour float64
	// Candidates are classes the single node could use. The writer's own
	// class, if present, prices the plain 2→1 change.
	Candidates []Candidate
	// SavingsTarget; zero value means DefaultSavingsTarget.
	SavingsTarget SavingsTarget
	// MigrationWindowHours is the length of the migration window to find; 0
	// means 2.
	MigrationWindowHours int
	// HDD marks magnetic storage (RDS "standard"). false, the usual case,
	// means SSD (gp2, gp3, io1/io2, Aurora) and sets random_page_cost 1.1.
	HDD bool
	// AllocatedStorageGiB is an RDS instance's storage and
	// MaxAllocatedStorageGiB the limit of its storage autoscaling (0 when it is
	// off, or unknown): with room to grow, RDS adds storage once free space
	// stays at or below 10% of it for five minutes (and the previous storage
	// modification's optimization has completed), so the low-free-storage risk
	// is low and says so, unless free space fell under 5% of the volume it had
	// then (the fill outran autoscaling: medium; the volume then is this less
	// what the FreeStorageSpace series shows autoscaling may have added since);
	// at the limit it says that.
	AllocatedStorageGiB, MaxAllocatedStorageGiB int
	// Stopped is true when the deployment is stopped, stopping or starting (RDS's
	// status): RDS modifies and snapshots only an available instance, so the
	// backup risk's advice (turn automated backups on, take a snapshot) says to
	// start it first.
	Stopped bool
	// StoppedStatus is RDS's status when Stopped: "stopped", "stopping" or "starting"
	// ("" is taken as "stopped"). A starting instance needs no StartDBInstance, only to be
	// waited for; a stopping one must stop before it can be started.
	StoppedStatus string
	// ReplicaSource is the source of an RDS instance that is a read replica
	// ("" for none): it holds no data of its own to lose, and its Multi-AZ
	// standby serves it once it is promoted, which the redundancy risk and the
	// reliability evidence say instead of a restore's.
	ReplicaSource string
	// AutomatedBackupsOff is true when the RDS instance keeps no automated
	// backups (BackupRetentionPeriod 0; never on Aurora, whose clusters keep
	// 1 to 35 days): there is no point-in-time restore, so one node's lost
	// volume or AZ is recovered from the latest snapshot, with every
	// write since lost. Not for a read replica, whose source has the data.
	// A `backup` risk of high severity asks to turn them on first, and the
	// redundancy risk and the reliability evidence say what recovery is left.
	// PendingBackupRetentionDays is the retention RDS has pending for the
	// instance (0 for none), which that risk asks to apply first.
	AutomatedBackupsOff        bool
	PendingBackupRetentionDays int
	// AutomatedBackupsOffPending is true when the RDS instance keeps automated
	// backups today but a BackupRetentionPeriod of 0 is pending (RDS turns
	// them off in its next maintenance window, or with the next modification
	// applied immediately): a `backup` risk of high severity asks to cancel it.
	// Not for a read replica; not read with AutomatedBackupsOff.
	AutomatedBackupsOffPending bool
	// SnapshotsListed is true when the RDS instance's snapshots were listed
	// (read for an instance with AutomatedBackupsOff), and LatestSnapshot is
	// then the newest available one, manual or an AWS Backup plan's (its ID
	// empty when there is none): the recovery point left on one node.
	// SnapshotsListedAt is when they were listed (required with
	// SnapshotsListed): the backup risk names the snapshot and its age then,
	// the writes a failure would lose (not at the window's end, which
	// end_time may set in the past), or says that there is none, so that a
	// lost volume loses the database.
	SnapshotsListed   bool
	SnapshotsListedAt time.Time
	LatestSnapshot    Snapshot
	// GlobalCluster is the identifier of the Aurora global database whose
	// primary cluster the Aurora cluster is ("" for none). Its secondary
	// regions are disaster recovery, not a failover target in the region: the
	// redundancy risk and the reliability evidence say what they offer.
	GlobalCluster string
	// ReadReplicas are the identifiers of an RDS instance's read replicas
	// (nil when none): hot standbys, which PostgreSQL requires to have at
	// least the primary's max_connections and max_worker_processes.
	ReadReplicas []string
	// CustomEndpoints are the Aurora cluster's custom endpoints (nil when
	// none, or not read). One that routes to no instance once the readers
	// are gone is a high operations risk of the single node.
	CustomEndpoints []CustomEndpoint
	// ReaderParameters are the SessionParameters the Aurora reader runs with
	// another value than the writer (nil when none, or not compared): a low
	// operations risk of the single node, medium when a limit (a timeout,
	// temp_file_limit) is stricter on the writer.
	ReaderParameters []ParameterDifference
	// ProxyReaderEndpoints are the read-only endpoints of the RDS Proxies
	// whose target is the Aurora cluster (nil when none, or not read). Each
	// is a high operations risk of the single node: it routes to readers
	// only.
	ProxyReaderEndpoints []ProxyEndpoint
	// ReplicaAutoScaling is the Aurora cluster's replica auto scaling (nil
	// when it has none, or it was not read). A minimum of one reader or more
	// is a high operations risk of the single node: it would put a reader
	// back; a minimum of 0 with room for readers is a medium one.
	ReplicaAutoScaling *ReplicaAutoScaling
	// ReaderAlarms are the CloudWatch metric alarms that watch the Aurora
	// cluster's reader (nil when none, or not read): once it is removed
	// they receive no data. They are an operations risk of the single node,
	// medium when one of them, or a composite alarm over one of them,
	// pages or may page (PagesOrMayPage), else low; they never block the
	// change.
	ReaderAlarms []ReaderAlarm
	// BlueGreenDeployments are the blue/green deployments, not switched
	// over, whose source is this database (nil when none, or not read).
	// Each is a high operations risk of the single node: its switchover
	// would bring back the two nodes the green copy was made with.
	BlueGreenDeployments []BlueGreenDeployment
	// CurrentStorageMonthlyUSD and SingleNodeStorageMonthlyUSD are what the
	// storage the change affects costs per month, today and on the single
	// node: an RDS Multi-AZ instance's allocated storage, Provisioned IOPS and
	// provisioned throughput are billed at the Multi-AZ rate (twice the
	// Single-AZ one), a Single-AZ instance's once.
	// Both 0 when unpriced, or when the change leaves the storage as it is
	// (Aurora: the cluster volume stays); both or neither must be set. When
	// set, the cost estimate's monthly costs and savings include them, and
	// each class option's savings include their difference.
	CurrentStorageMonthlyUSD    float64
	SingleNodeStorageMonthlyUSD float64
	// PriceSource says where CurrentHourlyUSD's and the candidates' prices
	// came from, as the report's cost section states it (rightsize: the
	// recommendation's price_source, "provider-configuration and catalog
	// 2024-08-09", an account's rates among them); "" when they are a
	// catalog's on-demand list prices, as the report then says. Any text.
	PriceSource string
	// Reservations are the region's reserved DB instances, active or with
	// the payment pending (nil when none, or not read). Those of the
	// engine and of a class family today's nodes or the recommended class
	// use are a cost risk when the single node on the recommended class
	// would leave some of their units idle: the change then frees reserved
	// capacity rather than on-demand hours (reservationRisk).
	Reservations []Reservation
	// BackupWindow and MaintenanceWindow are the database's preferred
	// automated backup window ("hh24:mi-hh24:mi", daily) and maintenance
	// window ("ddd:hh24:mi-ddd:hh24:mi", weekly), in UTC as RDS gives them
	// (for Aurora, the writer instance's maintenance window); empty when
	// not known. Analyze reports the projected load in each (AdviseWindows),
	// keeps the migration window out of them, and lists them among the
	// single node's risks.
	BackupWindow, MaintenanceWindow string
	// ClusterMaintenanceWindow is an Aurora cluster's own weekly maintenance window
	// (DBCluster.PreferredMaintenanceWindow, "ddd:hh24:mi-ddd:hh24:mi" UTC), in which RDS applies
	// cluster-level maintenance such as engine upgrades; empty when not known, or not Aurora. The
	// migration window keeps out of it too.
	ClusterMaintenanceWindow string
	// PendingMaintenance are the maintenance actions RDS has pending for
	// the deployment's instances and cluster (nil when none, or not read).
	// An OS update or hardware maintenance pending on the writer is a risk
	// of the single node: two nodes turn its downtime into a failover.
	PendingMaintenance []PendingMaintenance
	// Events are the deployment's failover and failure events of the last
	// 14 days (RDS keeps no older ones; nil when none, or not read). Each
	// that is an incident (Event.Incident: not one of the messages in those
	// categories that report no takeover or failure, such as enhanced
	// monitoring being disabled or a failover not attempted) is a
	// redundancy risk of the single node: the second node was needed.
	Events []Event
	// Earlier holds, by Node.ID, a node's CPUUtilization from before the
	// lookback (typically hourly averages over months, which CloudWatch
	// keeps for 455 days; on Aurora by role): EarlierPeak compares the
	// busiest hour the single node would have carried then with the
	// lookback's. Nil when not read; a node left out counts as carrying
	// nothing then (a reader that did not exist). Series must be
	// well formed (Series.Validate's shape) and end by the lookback's start.
	Earlier map[string]Series
	// EarlierReaders are Aurora readers the cluster had before the lookback
	// and no longer has (a reader removed before the lookback's start, by
	// then of one node): their Earlier CPU, by ID, adds to the earlier peak
	// as a reader's does (scaled by its Class's vCPUs, in the hours it has
	// data); nothing else of the analysis sees them. Each needs an ID that
	// is not a node's, Role RoleReader and a valid Class; only an Aurora
	// cluster (AuroraClusterID set) has them. Nil when none.
	EarlierReaders []Node
}

// DecisionWeights weight the decision-matrix criteria. They need not sum to 1;
// scores are divided by the total weight.
type DecisionWeights struct {
	Performance float64 // weight of the performance-impact criterion, >= 0
	Cost        float64 // weight of the cost-savings criterion, >= 0
	Reliability float64 // weight of the reliability criterion, >= 0
	Operations  float64 // weight of the operational-complexity criterion, >= 0
}

// Policy holds the thresholds of the verdict.
type Policy struct {
	// HeadroomPercent is growth headroom added to projected load before it
	// is compared with a limit: value × (1 + HeadroomPercent/100). Default 20
	// (the seed's "20% headroom for growth").
	HeadroomPercent float64
	// AlertThresholdPercent is the utilisation limit (of vCPU, and of
	// baseline IOPS and network when known) that the projected p99 plus
	// headroom must stay under. Default 40 (the seed's alert threshold): on
	// one node with no standby, load must stay far enough below saturation
	// that a doubling (failover of clients, a bad query, vacuum) still fits.
	AlertThresholdPercent float64
	// MemoryThresholdPercent limits projected memory in use (total minus
	// FreeableMemory) plus headroom. Default 80: PostgreSQL and the OS
	// cache use memory deliberately; below 20% freeable, RDS starts to swap.
	// On Aurora it limits the memory in use outside the buffer cache, in
	// percent of what the cache leaves of the class's memory
	// (Projection.MemoryUsed): Aurora's cache, about two thirds of the
	// memory, is allocated at start and never freeable, so the whole memory
	// would fail the 80% with the cache alone at headroom (68% × 1.2).
	MemoryThresholdPercent float64
	// ConnectionsThresholdPercent limits the projected peak connections plus
	// headroom as a share of max_connections (checked when known). Default 80.
	ConnectionsThresholdPercent float64
	// MinCoverage is the fraction of expected datapoints required of each
	// required metric. Default 0.8: gaps of a few hours are tolerated, but
	// a fifth of the window missing could hide the peak.
	MinCoverage float64
	// MinLookback is the shortest window accepted. Default 7 days: one full
	// weekly cycle, so weekday and weekend peaks are both observed.
	MinLookback time.Duration
	// PerConnectionMemoryMiB is the memory one moved connection adds on the
	// writer (Aurora readers' connections). Default 10 MiB, a typical idle-
	// to-light PostgreSQL backend.
	PerConnectionMemoryMiB float64
	// RollbackFactor multiplies the baseline p99 to derive rollback alarm
	// thresholds. Default 1.5: 50% above the worst normal minute is outside
	// ordinary variation yet well before saturation.
	RollbackFactor float64
	// RollbackCPUCapPercent caps the CPU rollback threshold. Default 90.
	RollbackCPUCapPercent float64
	// MinDecisionScore is the weighted decision-matrix score (0–10) required
	// to consolidate once every threshold passes. Default 5 (neutral).
	MinDecisionScore float64
	// Weights of the decision matrix. Default performance 0.35, cost 0.25,
	// reliability 0.25, operations 0.15: performance is a hard requirement
	// of production, cost is the reason to act, losing the standby is the
	// price paid, and operational effort is a one-off.
	Weights DecisionWeights
	// Exact takes every field as given: a zero field means zero (no
	// headroom, a minimum decision score of 0, a criterion weighted 0)
	// instead of its DefaultPolicy value, and Weights are used as they are
	// (at least one must be positive). Start from DefaultPolicy and change
	// the fields wanted. When false, as in the zero Policy, zero fields take
	// their DefaultPolicy values, and all four weights 0 the default weights
	// (weights set only in part are used as they are, the others 0).
	Exact bool
}

// DefaultPolicy returns the default policy (see the Policy field comments for
// each value and why).
func DefaultPolicy() Policy {
	return Policy{
		HeadroomPercent:             20,
		AlertThresholdPercent:       40,
		MemoryThresholdPercent:      80,
		ConnectionsThresholdPercent: 80,
		MinCoverage:                 0.8,
		MinLookback:                 7 * 24 * time.Hour,
		PerConnectionMemoryMiB:      10,
		RollbackFactor:              1.5,
		RollbackCPUCapPercent:       90,
		MinDecisionScore:            5,
		Weights:                     DecisionWeights{Performance: 0.35, Cost: 0.25, Reliability: 0.25, Operations: 0.15},
	}
}

// withDefaults fills zero fields of p from DefaultPolicy, unless p is Exact.
func (p Policy) withDefaults() Policy {
	if p.Exact {
		return p
	}
	d := DefaultPolicy()
	set := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	set(&p.HeadroomPercent, d.HeadroomPercent)
	set(&p.AlertThresholdPercent, d.AlertThresholdPercent)
	set(&p.MemoryThresholdPercent, d.MemoryThresholdPercent)
	set(&p.ConnectionsThresholdPercent, d.ConnectionsThresholdPercent)
	set(&p.MinCoverage, d.MinCoverage)
	set(&p.PerConnectionMemoryMiB, d.PerConnectionMemoryMiB)
	set(&p.RollbackFactor, d.RollbackFactor)
	set(&p.RollbackCPUCapPercent, d.RollbackCPUCapPercent)
	set(&p.MinDecisionScore, d.MinDecisionScore)
	if p.MinLookback == 0 {
		p.MinLookback = d.MinLookback
	}
	if p.Weights == (DecisionWeights{}) {
		p.Weights = d.Weights
	}
	return p
}

// Validate reports a policy value out of range, naming the field. Zero fields
// are valid (they take the default, or mean zero when Exact), except that an
// Exact policy needs a positive weight.
func (p Policy) Validate() error {
	checks := []struct {
		name   string
		v      float64
		lo, hi float64
	}{
		{"headroom_percent", p.HeadroomPercent, 0, 1000},
		{"alert_threshold_percent", p.AlertThresholdPercent, 0, 100},
		{"memory_threshold_percent", p.MemoryThresholdPercent, 0, 100},
		{"connections_threshold_percent", p.ConnectionsThresholdPercent, 0, 100},
		{"min_coverage", p.MinCoverage, 0, 1},
		{"per_connection_memory_mib", p.PerConnectionMemoryMiB, 0, 1 << 20},
		{"rollback_factor", p.RollbackFactor, 0, 100},
		{"rollback_cpu_cap_percent", p.RollbackCPUCapPercent, 0, 100},
		{"min_decision_score", p.MinDecisionScore, 0, 10},
		{"weights.performance", p.Weights.Performance, 0, math.MaxFloat64},
		{"weights.cost", p.Weights.Cost, 0, math.MaxFloat64},
		{"weights.reliability", p.Weights.Reliability, 0, math.MaxFloat64},
		{"weights.operations", p.Weights.Operations, 0, math.MaxFloat64},
	}
	for _, c := range checks {
		if c.v != c.v || c.v < c.lo || c.v > c.hi {
			return errorf("policy %s = %v: must be between %v and %v", c.name, c.v, c.lo, c.hi)
		}
	}
	if p.MinLookback < 0 {
		return errorf("policy min_lookback = %v: must not be negative", p.MinLookback)
	}
	if p.Exact && p.Weights == (DecisionWeights{}) {
		return errorf("policy weights: all four are 0: set at least one above 0 (an exact policy takes them as given)")
	}
	return nil
}

// validate checks the structure of the input (not the data quality, which
// leads to insufficient-data rather than an error).
func (in ClusterInput) validate() error {
	if in.Topology != TopologyMultiAZ && in.Topology != TopologyAurora {
		return errorf("cluster %q: topology %q: must be %q or %q", in.Name, in.Topology, TopologyMultiAZ, TopologyAurora)
	}
	writers, readers, standbys := 0, 0, 0
	ids := map[string]bool{}
	for i, n := range in.Nodes {
		if n.ID == "" {
			return errorf("cluster %q: node %d: id is empty", in.Name, i)
		}
		if ids[n.ID] {
			return errorf("cluster %q: node %q listed twice", in.Name, n.ID)
		}
		ids[n.ID] = true
		switch n.Role {
		case RoleWriter:
			writers++
		case RoleReader:
			readers++
		case RoleStandby:
			standbys++
		default:
			return errorf("cluster %q: node %q: role %q: must be writer, reader or standby", in.Name, n.ID, n.Role)
		}
		if err := n.Class.validate(); err != nil {
			return errorf("cluster %q: node %q: %v", in.Name, n.ID, err)
		}
		seen := map[string]bool{}
		for _, s := range n.Series {
			if seen[s.Metric] {
				return errorf("cluster %q: node %q: metric %q given twice", in.Name, n.ID, s.Metric)
			}
			seen[s.Metric] = true
			if err := s.validateShape(); err != nil {
				return fmt.Errorf("analysis: cluster %q: node %q: %w", in.Name, n.ID, err)
			}
		}
	}
	if writers != 1 {
		return errorf("cluster %q: %d writer nodes: exactly one is required", in.Name, writers)
	}
	switch in.Topology {
	case TopologyMultiAZ:
		if readers > 0 {
			return errorf("cluster %q: a Multi-AZ instance has no readers (found %d); use topology %q for Aurora", in.Name, readers, TopologyAurora)
		}
		if standbys > 1 {
			return errorf("cluster %q: %d standby nodes: a Multi-AZ instance has one", in.Name, standbys)
		}
	case TopologyAurora:
		if standbys > 0 {
			return errorf("cluster %q: Aurora nodes are writer or reader, not standby", in.Name)
		}
		if readers == 0 {
			return errorf("cluster %q: Aurora cluster has no reader: it is already a single node, nothing to consolidate", in.Name)
		}
	}
	for _, e := range in.CustomEndpoints {
		if in.Topology != TopologyAurora {
			return errorf("cluster %q: custom endpoints are an Aurora feature; topology is %q", in.Name, in.Topology)
		}
		if err := e.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	if a := in.ReplicaAutoScaling; a != nil {
		if in.Topology != TopologyAurora {
			return errorf("cluster %q: replica auto scaling is an Aurora feature; topology is %q", in.Name, in.Topology)
		}
		if err := a.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	for _, e := range in.ProxyReaderEndpoints {
		if in.Topology != TopologyAurora {
			return errorf("cluster %q: RDS Proxy read-only endpoints serve Aurora clusters only; topology is %q", in.Name, in.Topology)
		}
		if err := e.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	for _, a := range in.ReaderAlarms {
		if in.Topology != TopologyAurora {
			return errorf("cluster %q: alarms on a reader are an Aurora cluster's; topology is %q", in.Name, in.Topology)
		}
		if err := a.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	for _, d := range in.BlueGreenDeployments {
		if err := d.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	if cur, one := in.CurrentStorageMonthlyUSD, in.SingleNodeStorageMonthlyUSD; !(cur >= 0 && one >= 0) || !moneyFits(cur) || !moneyFits(one) || (cur > 0) != (one > 0) {
		return errorf("cluster %q: storage costs %v now and %v on one node: both must be finite and non-negative, and set together", in.Name, cur, one)
	}
	if a, m := in.AllocatedStorageGiB, in.MaxAllocatedStorageGiB; a < 0 || m < 0 || m > 0 && (a == 0 || in.Topology != TopologyMultiAZ) {
		return errorf("cluster %q: allocated storage %d GiB, autoscaling limit %d GiB: want non-negative values, a limit only for an RDS instance whose allocated storage is known", in.Name, a, m)
	}
	for _, r := range in.Reservations {
		if err := r.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	if in.BackupWindow != "" {
		if _, err := ParseBackupWindow(in.BackupWindow); err != nil {
			return clusterError(in.Name, err)
		}
	}
	for _, w := range []string{in.MaintenanceWindow, in.ClusterMaintenanceWindow} {
		if _, err := ParseMaintenanceWindow(w); w != "" && err != nil {
			return clusterError(in.Name, err)
		}
	}
	for _, m := range in.PendingMaintenance {
		if err := m.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	for _, e := range in.Events {
		if err := e.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	for i, c := range in.Candidates {
		if err := c.Class.validate(); err != nil {
			return errorf("cluster %q: candidate %d: %v", in.Name, i, err)
		}
		if p := c.SingleNodeHourlyUSD; !(p >= 0) || !moneyFits(p*HoursPerMonth) {
			return errorf("cluster %q: candidate %d (%q): price %v USD/hour must be finite and non-negative (0 when unknown)", in.Name, i, c.Class.Name, p)
		}
	}
	if err := in.SavingsTarget.validate(); err != nil {
		return clusterError(in.Name, err)
	}
	if in.Postgres != nil {
		if err := in.Postgres.validate(); err != nil {
			return clusterError(in.Name, err)
		}
	}
	if p := in.CPUCreditUSDPerVCPUHour; p < 0 || p != p || math.IsInf(p, 0) {
		return errorf("cluster %q: CPU credit price %v USD per vCPU-hour must be non-negative (0 when unknown)", in.Name, p)
	}
	if p := in.ExtendedSupportUSDPerVCPUHour; !(p >= 0) || !moneyFits(p*HoursPerMonth) {
		return errorf("cluster %q: Extended Support price %v USD per vCPU-hour must be finite and non-negative (0 when none)", in.Name, p)
	}
	if p := in.CurrentHourlyUSD; !(p >= 0) || !moneyFits(p*HoursPerMonth) {
		return errorf("cluster %q: current hourly price %v must be finite and non-negative (0 when unknown)", in.Name, p)
	}
	if sn := in.LatestSnapshot; sn.ID != "" && (!in.SnapshotsListed || sn.Time.IsZero()) {
		return errorf("cluster %q: latest snapshot %q: want SnapshotsListed and the time it was taken", in.Name, sn.ID)
	}
	if in.SnapshotsListed && in.SnapshotsListedAt.IsZero() {
		return errorf("cluster %q: snapshots listed: want SnapshotsListedAt, the time they were listed", in.Name)
	}
	for _, r := range in.EarlierReaders {
		switch {
		case in.AuroraClusterID == "":
			return errorf("cluster %q: earlier reader %q: only an Aurora cluster has readers", in.Name, r.ID)
		case r.ID == "" || ids[r.ID]:
			return errorf("cluster %q: earlier reader %q: its id must be set and not another node's", in.Name, r.ID)
		case r.Role != RoleReader:
			return errorf("cluster %q: earlier reader %q: role %q: must be reader", in.Name, r.ID, r.Role)
		}
		if err := r.Class.validate(); err != nil {
			return errorf("cluster %q: earlier reader %q: %v", in.Name, r.ID, err)
		}
		ids[r.ID] = true
	}
	for id, s := range in.Earlier {
		if !ids[id] {
			return errorf("cluster %q: earlier CPU of %q, which is not one of its nodes or earlier readers", in.Name, id)
		}
		if err := s.validateShape(); err != nil {
			return fmt.Errorf("analysis: cluster %q: node %q: earlier CPU: %w", in.Name, id, err)
		}
	}
	if in.MigrationWindowHours < 0 || in.MigrationWindowHours > HoursPerWeek {
		return errorf("cluster %q: migration window %d hours: must be between 1 and 168", in.Name, in.MigrationWindowHours)
	}
	return nil
}

// split returns the writer node and the others in input order.
func (in ClusterInput) split() (Node, []Node) {
	var w Node
	var rest []Node
	for _, n := range in.Nodes {
		if n.Role == RoleWriter {
			w = n
		} else {
			rest = append(rest, n)
		}
	}
	return w, rest
}

// sortedCandidates returns candidates ordered by price then name (unpriced last).
func sortedCandidates(cs []Candidate) []Candidate {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b Candidate) int {
		pa, pb := a.SingleNodeHourlyUSD, b.SingleNodeHourlyUSD
		if (pa == 0) != (pb == 0) {
			if pa == 0 {
				return 1
			}
			return -1
		}
		if pa != pb {
			if pa < pb {
				return -1
			}
			return 1
		}
		switch {
		case a.Class.Name < b.Class.Name:
			return -1
		case a.Class.Name > b.Class.Name:
			return 1
		}
		return 0
	})
	return out
}

// clusterError is err, from a validation of part of cluster name's input, with the cluster named
// (and the package's prefix once).
func clusterError(name string, err error) error {
	return errorf("cluster %q: %s", name, strings.TrimPrefix(err.Error(), "analysis: "))
}

// engineTopology is the topology of in's engine: TopologyAurora for an Aurora cluster, also a
// one-instance one analysed as TopologyMultiAZ (AuroraClusterID set), whose memory (a buffer
// cache allocated at start), parameter groups, backups, failure modes, windows and reservations
// are Aurora's; in.Topology otherwise. Only what needs a reader (validation, the projection's
// jobs) goes by in.Topology.
func (in ClusterInput) engineTopology() Topology {
	if in.AuroraClusterID != "" {
		return TopologyAurora
	}
	return in.Topology
}
