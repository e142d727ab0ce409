package sandbox

import (
	"cmp"
	"encoding/base32"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// Durations are the virtual-time lengths of RDS operations. Zero fields take
// the defaults of DefaultDurations.
type Durations struct {
	CreateInstance       time.Duration // standalone CreateDBInstance: creating → available; also a Multi-AZ DB cluster and its members
	CreateAuroraInstance time.Duration // CreateDBInstance into a cluster
	CreateCluster        time.Duration // CreateDBCluster of an Aurora cluster
	Restore              time.Duration // RestoreDBInstanceFromDBSnapshot
	DeleteInstance       time.Duration // deleting → gone
	// DeletePrecheck is how long DeleteDBInstance of an Aurora cluster member or a read replica
	// shows "delete-precheck" before "deleting" (RDS: "validating that read replicas are
	// healthy and are safe to delete"; terraform-provider-aws's Aurora member delete waiter
	// lists it as pending).
	DeletePrecheck     time.Duration
	ModifyClass        time.Duration // DBInstanceClass change
	ConvertMultiAZ     time.Duration // Single-AZ → Multi-AZ
	ConvertSingleAZ    time.Duration // Multi-AZ → Single-AZ
	ModifyOther        time.Duration // any other modification (storage, tier)
	SnapshotBase       time.Duration // snapshot time = SnapshotBase + SnapshotPerGiB × allocated GiB
	SnapshotPerGiB     time.Duration
	BackingUp          time.Duration // instance shows "backing-up" for this long after CreateDBSnapshot
	Reboot             time.Duration // RebootDBInstance: rebooting → available
	DeleteBlueGreen    time.Duration // DeleteBlueGreenDeployment: DELETING → gone (with DeleteTarget, at least until the green instances are)
	ReservationPayment time.Duration // PurchaseReservedDBInstancesOffering: payment-pending → active
	// StorageOptimization is how long an instance shows "storage-optimization" once a change of
	// its AllocatedStorage has been applied (RDS: minutes to over 24 hours). Meanwhile it is
	// usable and takes every modification but a storage change, and snapshots.
	StorageOptimization time.Duration
	// ConfigureMonitoring is how long a new DB instance with Enhanced Monitoring
	// (MonitoringInterval > 0) shows "configuring-enhanced-monitoring" after "creating", as RDS
	// sets the monitoring up, before "available".
	ConfigureMonitoring time.Duration
	// Stop is how long StopDBInstance and StopDBCluster show "stopping" before "stopped"; Start
	// how long StartDBInstance and StartDBCluster (or RDS's own start after 7 days) show
	// "starting" before "available" (stopstart.go).
	Stop, Start time.Duration
	// RestoreBackup is how long a DB instance restored from a snapshot with automated backups on
	// (BackupRetentionPeriod > 0, its source's setting unless the restore sets one) shows
	// "backing-up" after "creating": RDS takes a baseline backup at once after a restore (AWS
	// support, quoted in terraform-provider-aws#44104 (2025): "always perform an immediate
	// baseline backup after restore if automated backups are enabled"; hours for large
	// volumes). A restore with BackupRetentionPeriod = 0 becomes "available" at once.
	RestoreBackup time.Duration
}

// DefaultDurations are realistic RDS timings.
var DefaultDurations = Durations{
	CreateInstance: 12 * time.Minute, CreateAuroraInstance: 9 * time.Minute, CreateCluster: 2 * time.Minute,
	Restore: 15 * time.Minute, DeleteInstance: 6 * time.Minute, ModifyClass: 12 * time.Minute,
	ConvertMultiAZ: 25 * time.Minute, ConvertSingleAZ: 8 * time.Minute, ModifyOther: 5 * time.Minute,
	SnapshotBase: 3 * time.Minute, SnapshotPerGiB: 3 * time.Second, BackingUp: 2 * time.Minute,
	Reboot: 2 * time.Minute, DeleteBlueGreen: time.Minute, ReservationPayment: time.Minute,
	StorageOptimization: 6 * time.Hour, Stop: 4 * time.Minute, Start: 8 * time.Minute, ConfigureMonitoring: 3 * time.Minute,
	DeletePrecheck: time.Minute, RestoreBackup: 2 * time.Hour,
}

func (d Durations) withDefaults() Durations {
	def := DefaultDurations
	pick := func(v, dv time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return dv
	}
	return Durations{
		CreateInstance: pick(d.CreateInstance, def.CreateInstance), CreateAuroraInstance: pick(d.CreateAuroraInstance, def.CreateAuroraInstance),
		CreateCluster: pick(d.CreateCluster, def.CreateCluster), Restore: pick(d.Restore, def.Restore),
		DeleteInstance: pick(d.DeleteInstance, def.DeleteInstance), DeletePrecheck: pick(d.DeletePrecheck, def.DeletePrecheck),
		ModifyClass:    pick(d.ModifyClass, def.ModifyClass),
		ConvertMultiAZ: pick(d.ConvertMultiAZ, def.ConvertMultiAZ), ConvertSingleAZ: pick(d.ConvertSingleAZ, def.ConvertSingleAZ),
		ModifyOther: pick(d.ModifyOther, def.ModifyOther), SnapshotBase: pick(d.SnapshotBase, def.SnapshotBase),
		SnapshotPerGiB: pick(d.SnapshotPerGiB, def.SnapshotPerGiB), BackingUp: pick(d.BackingUp, def.BackingUp),
		Reboot: pick(d.Reboot, def.Reboot), DeleteBlueGreen: pick(d.DeleteBlueGreen, def.DeleteBlueGreen),
		ReservationPayment:  pick(d.ReservationPayment, def.ReservationPayment),
		StorageOptimization: pick(d.StorageOptimization, def.StorageOptimization),
		Stop:                pick(d.Stop, def.Stop), Start: pick(d.Start, def.Start),
		ConfigureMonitoring: pick(d.ConfigureMonitoring, def.ConfigureMonitoring),
		RestoreBackup:       pick(d.RestoreBackup, def.RestoreBackup),
	}
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// mods are modifications of a DB instance (pending or being applied).
type mods struct {
	Class     string `json:"class,omitempty"`
	MultiAZ   *bool  `json:"multiAZ,omitempty"`
	Allocated *int32 `json:"allocated,omitempty"`
	// Retention is a BackupRetentionPeriod turning automated backups on or off (from or to 0);
	// one nonzero value to another applies at once (modifyDBInstance).
	Retention *int32 `json:"retention,omitempty"`
	// Identifier is a new DBInstanceIdentifier (NewDBInstanceIdentifier: renameInstance).
	Identifier string `json:"identifier,omitempty"`
}

func (m mods) empty() bool {
	return m.Class == "" && m.MultiAZ == nil && m.Allocated == nil && m.Retention == nil && m.Identifier == ""
}

// without returns m with the fields o sets cleared.
func (m mods) without(o mods) mods {
	if o.Class != "" {
		m.Class = ""
	}
	if o.MultiAZ != nil {
		m.MultiAZ = nil
	}
	if o.Allocated != nil {
		m.Allocated = nil
	}
	if o.Retention != nil {
		m.Retention = nil
	}
	if o.Identifier != "" {
		m.Identifier = ""
	}
	return m
}

func (m mods) merge(o mods) mods {
	if o.Class != "" {
		m.Class = o.Class
	}
	if o.MultiAZ != nil {
		m.MultiAZ = o.MultiAZ
	}
	if o.Allocated != nil {
		m.Allocated = o.Allocated
	}
	if o.Retention != nil {
		m.Retention = o.Retention
	}
	if o.Identifier != "" {
		m.Identifier = o.Identifier
	}
	return m
}

// op is an in-flight operation that completes at End (virtual time).
type op struct {
	Kind  string    `json:"kind"` // create, configure, restore, modify, delete, backup, reboot, stop, start, self (Server.SelfOperation)
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Mods  mods      `json:"mods,omitempty"`
	// ConfigureMonitoring (a create of CreateDBInstance with MonitoringInterval > 0) makes the
	// instance show "configuring-enhanced-monitoring" before "available".
	ConfigureMonitoring bool `json:"configureMonitoring,omitempty"`
	// PrecheckUntil (a delete of a cluster member or a read replica) is when "delete-precheck"
	// gives way to "deleting".
	PrecheckUntil time.Time `json:"precheckUntil,omitzero"`
}

type dbInstance struct {
	ID            string `json:"id"`
	Class         string `json:"class"`
	Engine        string `json:"engine"`
	EngineVersion string `json:"engineVersion"`
	Cluster       string `json:"cluster,omitempty"`
	Writer        bool   `json:"writer,omitempty"`
	PromotionTier int32  `json:"promotionTier"`
	MultiAZ       bool   `json:"multiAZ"`
	AZ            string `json:"az"`
	SecondaryAZ   string `json:"secondaryAZ,omitempty"`
	Status        string `json:"status"`
	Allocated     int32  `json:"allocated"`
	StorageType   string `json:"storageType,omitempty"`
	// Iops and Throughput are a standalone instance's provisioned IOPS and gp3 throughput (MiB/s),
	// 0 when none were provisioned (instancestorage.go).
	Iops       int32 `json:"iops,omitempty"`
	Throughput int32 `json:"storageThroughput,omitempty"`
	// MaxAlloc is a standalone instance's storage autoscaling limit (MaxAllocatedStorage, GiB), 0
	// when autoscaling is off (instancestorage.go).
	MaxAlloc          int32     `json:"maxAllocatedStorage,omitempty"`
	ResourceID        string    `json:"resourceId"`
	ARN               string    `json:"arn"`
	Created           time.Time `json:"created"`
	MasterUsername    string    `json:"masterUsername"`
	DBName            string    `json:"dbName,omitempty"`
	MaintenanceWindow string    `json:"maintenanceWindow"`
	Port              int32     `json:"port"`
	PI                bool      `json:"pi"`
	Monitoring        int32     `json:"monitoringInterval"`
	MonitoringRole    string    `json:"monitoringRoleArn,omitempty"`
	DeletionProtect   bool      `json:"deletionProtection,omitempty"`
	Tags              []tag     `json:"tags,omitempty"`
	Pending           mods      `json:"pending,omitempty"`
	PendingSince      time.Time `json:"pendingSince,omitempty"`
	Op                *op       `json:"op,omitempty"`
	Stuck             bool      `json:"stuck,omitempty"`
	FinalSnapshot     string    `json:"finalSnapshot,omitempty"`
	// BackupWindow is the instance's daily backup window ("" in a state file written before windows
	// were configurable: the default); an Aurora member reports its cluster's instead.
	BackupWindow string `json:"backupWindow,omitempty"`
	// PendingActions are the instance's pending maintenance actions (maintenance.go).
	PendingActions []pendingAction `json:"pendingActions,omitempty"`
	// StorageOptUntil is when the storage optimization that follows the last storage change
	// ends: until then the instance shows "storage-optimization" whenever it is otherwise idle.
	StorageOptUntil time.Time `json:"storageOptimizationUntil,omitempty"`
	// Lifecycle is the EngineLifecycleSupport it was created with ("": RDS's default,
	// open-source-rds-extended-support); an Aurora member reports its cluster's (lifecycle.go).
	Lifecycle string `json:"engineLifecycleSupport,omitempty"`
	// ReplicaOf is the source instance of a read replica (ReadReplicaSourceDBInstanceIdentifier).
	ReplicaOf string `json:"readReplicaOf,omitempty"`
	// ReplicaOfCluster is the source Multi-AZ DB cluster of a DB instance read replica
	// (ReadReplicaSourceDBClusterIdentifier).
	ReplicaOfCluster string `json:"readReplicaOfCluster,omitempty"`
	// StoppedAt is when the standalone instance last became "stopped" (StopDBInstance,
	// stopstart.go): RDS starts it again by itself 7 days later. Zero when it is not stopped.
	StoppedAt time.Time `json:"stoppedAt,omitempty"`
	// ParamGroup is the DB parameter group's name ("": the engine's default group).
	ParamGroup string `json:"parameterGroup,omitempty"`
	// Retention is the BackupRetentionPeriod in days (nil: 7, which a state file written before
	// it was kept also means); an Aurora member reports its cluster's.
	Retention *int32 `json:"backupRetentionPeriod,omitempty"`
}

// hasReadReplicas reports whether a DB instance of st is a read replica of the instance id.
func (st *rdsState) hasReadReplicas(id string) bool {
	for _, r := range st.Instances {
		if r.ReplicaOf == id {
			return true
		}
	}
	return false
}

// retention is in's BackupRetentionPeriod in days.
func (in *dbInstance) retention() int32 {
	if in.Retention == nil {
		return 7
	}
	return *in.Retention
}

// idleStatus is the status of in at a time when no operation runs: "storage-optimization"
// until StorageOptUntil, then "available".
func (in *dbInstance) idleStatus(at time.Time) string {
	if at.Before(in.StorageOptUntil) {
		return "storage-optimization"
	}
	return "available"
}

// ready reports whether in is usable and takes modifications and snapshots: "available", or
// "storage-optimization" (which refuses only storage changes, see modifyDBInstance).
func (in *dbInstance) ready() bool {
	return in.Status == "available" || in.Status == "storage-optimization"
}

type dbCluster struct {
	ID                string               `json:"id"`
	Engine            string               `json:"engine"`
	EngineVersion     string               `json:"engineVersion"`
	Status            string               `json:"status"`
	ResourceID        string               `json:"resourceId"`
	ARN               string               `json:"arn"`
	Created           time.Time            `json:"created"`
	MasterUsername    string               `json:"masterUsername"`
	DatabaseName      string               `json:"databaseName,omitempty"`
	Port              int32                `json:"port"`
	MaintenanceWindow string               `json:"maintenanceWindow"`
	Serverless        *ServerlessV2Scaling `json:"serverless,omitempty"`
	Tags              []tag                `json:"tags,omitempty"`
	Op                *op                  `json:"op,omitempty"`
	Endpoints         []customEndpoint     `json:"customEndpoints,omitempty"`
	// StorageType is the storage configuration, "" meaning Aurora Standard
	// (storageType); a Multi-AZ DB cluster's is gp3, io1 or io2.
	StorageType string `json:"storageType,omitempty"`
	// InstanceClass is the DBClusterInstanceClass of a Multi-AZ DB cluster ("" for an Aurora
	// cluster: multiAZ), Allocated its members' storage in GiB and Iops their Provisioned IOPS
	// (0: none given).
	InstanceClass string `json:"instanceClass,omitempty"`
	Allocated     int32  `json:"allocated,omitempty"`
	Iops          int32  `json:"iops,omitempty"`
	// BackupWindow is the cluster's daily backup window ("": the default).
	BackupWindow string `json:"backupWindow,omitempty"`
	// PendingActions are the cluster's pending maintenance actions (maintenance.go).
	PendingActions []pendingAction `json:"pendingActions,omitempty"`
	// Lifecycle is the EngineLifecycleSupport it was created with ("": RDS's default,
	// open-source-rds-extended-support), which its Aurora members report too (lifecycle.go).
	Lifecycle string `json:"engineLifecycleSupport,omitempty"`
	// Global is the GlobalClusterIdentifier of the Aurora global database the cluster is a
	// member of ("": none); Secondary makes it a secondary cluster of it, with no writer.
	Global    string `json:"globalCluster,omitempty"`
	Secondary bool   `json:"globalSecondary,omitempty"`
	// StoppedAt is when the cluster last became "stopped" (StopDBCluster, stopstart.go): RDS
	// starts it again by itself 7 days later. Zero when it is not stopped.
	StoppedAt time.Time `json:"stoppedAt,omitempty"`
	// ParamGroup is an Aurora cluster's DB cluster parameter group ("": the engine's default group).
	ParamGroup string `json:"parameterGroup,omitempty"`
}

// Aurora storage configurations (DBCluster.StorageType).
const (
	auroraStandard    = "aurora"
	auroraIOOptimized = "aurora-iopt1"
)

// validAuroraStorage reports whether t is an Aurora storage configuration ("" is the default,
// Aurora Standard).
func validAuroraStorage(t string) bool {
	return t == "" || t == auroraStandard || t == auroraIOOptimized
}

// storageType is the cluster's storage configuration as RDS reports it.
func (c *dbCluster) storageType() string {
	if c.StorageType == "" {
		return auroraStandard
	}
	return c.StorageType
}

type dbSnapshot struct {
	ID            string `json:"id"`
	Cluster       bool   `json:"cluster,omitempty"`
	Source        string `json:"source"`
	SourceRes     string `json:"sourceResourceId"`
	Engine        string `json:"engine"`
	EngineVersion string `json:"engineVersion"`
	Allocated     int32  `json:"allocated"`
	StorageType   string `json:"storageType,omitempty"`
	// Iops and Throughput are the source instance's provisioned IOPS and gp3 throughput (MiB/s), 0
	// when none were provisioned: a restore provisions them again.
	Iops          int32     `json:"iops,omitempty"`
	Throughput    int32     `json:"storageThroughput,omitempty"`
	Port          int32     `json:"port"`
	AZ            string    `json:"az"`
	Class         string    `json:"class"`
	MultiAZ       bool      `json:"multiAZ,omitempty"`
	SourceCreated time.Time `json:"sourceCreated"`
	Master        string    `json:"master"`
	Type          string    `json:"type"`
	Status        string    `json:"status"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	// Original is when a copy's source was taken (OriginalSnapshotCreateTime); zero for a
	// snapshot that is no copy, whose Start it is.
	Original time.Time `json:"original,omitzero"`
	Fail     bool      `json:"fail,omitempty"`
	ARN      string    `json:"arn"`
	Tags     []tag     `json:"tags,omitempty"`
}

type rdsEvent struct {
	SourceID   string    `json:"sourceId"`
	SourceType string    `json:"sourceType"`
	Message    string    `json:"message"`
	Categories []string  `json:"categories"`
	Date       time.Time `json:"date"`
	ARN        string    `json:"arn"`
}

// rdsState is the whole mutable RDS world plus the metric generators.
type rdsState struct {
	Region           string                 `json:"region"`
	Account          string                 `json:"account"`
	Instances        map[string]*dbInstance `json:"instances"`
	Clusters         map[string]*dbCluster  `json:"clusters"`
	Snapshots        map[string]*dbSnapshot `json:"snapshots"`
	ClusterSnapshots map[string]*dbSnapshot `json:"clusterSnapshots"`
	Events           []rdsEvent             `json:"events"`
	Nodes            map[string]*genNode    `json:"nodes"`
	Seq              uint64                 `json:"seq"`
	FailSnapshotIDs  map[string]bool        `json:"failSnapshotIds,omitempty"`
	FailNextSnaps    int                    `json:"failNextSnapshots,omitempty"`
	StuckIDs         map[string]bool        `json:"stuckIds,omitempty"`
	// DeletedRoles are IAM role ARNs deleted since (Server.DeleteIAMRole): an Enhanced Monitoring
	// role RDS no longer accepts.
	DeletedRoles map[string]bool     `json:"deletedRoles,omitempty"`
	Proxies      map[string]*dbProxy `json:"proxies,omitempty"` // RDS Proxies by name (proxies.go)
	Seed         uint64              `json:"seed"`

	// ScalableTargets are the Application Auto Scaling targets by ResourceId (autoscaling.go).
	ScalableTargets map[string]*scalableTarget `json:"scalableTargets,omitempty"`

	// BlueGreen are the blue/green deployments by identifier (bluegreen.go).
	BlueGreen map[string]*blueGreenDeployment `json:"blueGreenDeployments,omitempty"`

	// Reservations are the reserved DB instances in purchase order (reserved.go).
	Reservations []*reservation `json:"reservations,omitempty"`

	// MajorVersions is the scenario's support calendar of major engine versions
	// (Scenario.MajorEngineVersions; nil: the default calendar, engineversions.go).
	MajorVersions []MajorEngineVersionSpec `json:"majorVersions,omitempty"`

	// ParamGroups are the scenario's custom parameter groups (Scenario.ParameterGroups, paramgroups.go).
	ParamGroups []ParameterGroupSpec `json:"parameterGroups,omitempty"`

	dur       Durations
	readLag   time.Duration // Server.SetReadLag; not kept in the state file
	endpointH string
	endpointP int32
}

func newRDSState(sc *Scenario, now time.Time, dur Durations) *rdsState {
	st := &rdsState{
		Region: sc.region(), Account: sc.account(),
		Instances: map[string]*dbInstance{}, Clusters: map[string]*dbCluster{},
		Snapshots: map[string]*dbSnapshot{}, ClusterSnapshots: map[string]*dbSnapshot{},
		Nodes: map[string]*genNode{}, FailSnapshotIDs: map[string]bool{}, StuckIDs: map[string]bool{},
		Seed: sc.Seed, dur: dur.withDefaults(), MajorVersions: slices.Clone(sc.MajorEngineVersions),
		ParamGroups: slices.Clone(sc.ParameterGroups),
	}
	start := now.Add(-sc.history()).Truncate(time.Minute)
	for _, cs := range sc.Clusters {
		if cs.multiAZ() {
			st.addScenarioMultiAZCluster(cs, start, now)
			continue
		}
		eng, ver := cs.Engine, cs.EngineVersion
		if eng == "" {
			eng = "aurora-postgresql"
		}
		if ver == "" {
			ver = "15.4"
		}
		backup, maint, err := resolveWindows(cs.BackupWindow, cs.MaintenanceWindow)
		if err != nil { // Validate refuses such a scenario
			backup, maint = defaultBackupWindow, defaultMaintenanceWindow
		}
		c := &dbCluster{ID: cs.ID, Engine: eng, EngineVersion: ver, Status: "available",
			ResourceID: st.resourceID("cluster-", cs.ID), ARN: st.arn("cluster", cs.ID), Created: start,
			MasterUsername: "postgres", Port: portFor(eng), MaintenanceWindow: maint, BackupWindow: backup, Tags: specTags(cs.Tags),
			StorageType: cs.StorageType, PendingActions: pendingActions(cs.PendingMaintenance, now), Lifecycle: cs.EngineLifecycleSupport,
			ParamGroup: cs.ParameterGroup, Global: cs.GlobalCluster, Secondary: cs.GlobalSecondary}
		if cs.ServerlessV2 != nil {
			v := *cs.ServerlessV2
			c.Serverless = &v
		}
		st.Clusters[c.ID] = c
		for i, ms := range cs.Members {
			in := st.newInstance(ms, eng, ver, start)
			in.Cluster, in.Writer, in.MultiAZ, in.Allocated, in.StorageType = c.ID, i == 0 && !c.Secondary, false, 1, "aurora"
			in.BackupWindow, in.PendingActions = c.BackupWindow, pendingActions(ms.PendingMaintenance, now)
			if ms.PromotionTier == 0 {
				in.PromotionTier = 1
			}
			if ms.AvailabilityZone == "" {
				in.AZ = st.Region + string(rune('a'+i%3))
			}
			st.Instances[in.ID] = in
			st.addNode(in, ms.Workload, start, c.Serverless, !in.Writer)
		}
	}
	for _, is := range sc.Instances {
		in := st.newInstance(is, is.Engine, is.EngineVersion, start)
		in.PendingActions = pendingActions(is.PendingMaintenance, now)
		if in.MultiAZ {
			in.SecondaryAZ = st.Region + "b"
		}
		st.Instances[in.ID] = in
		st.addNode(in, is.Workload, start, nil, false)
		st.addScenarioSnapshots(in, is.Snapshots, now)
	}
	st.addScenarioReservations(sc.Reservations, now) // last: the identifiers above stay as they were
	return st
}

func portFor(engine string) int32 {
	if strings.Contains(engine, "mysql") || strings.Contains(engine, "maria") {
		return 3306
	}
	return 5432
}

// defaultInstanceVersion is the EngineVersion of a standalone DB instance created without one.
const defaultInstanceVersion = "15.7"

func (st *rdsState) newInstance(s InstanceSpec, engine, version string, created time.Time) *dbInstance {
	if engine == "" {
		engine = "postgres"
	}
	if version == "" {
		version = defaultInstanceVersion
	}
	alloc := s.AllocatedStorage
	if alloc == 0 {
		alloc = 100
	}
	stype := s.StorageType
	if stype == "" {
		stype = "gp3"
	}
	az := s.AvailabilityZone
	if az == "" {
		az = st.Region + "a"
	}
	backup, maint, err := resolveWindows(s.BackupWindow, s.MaintenanceWindow)
	if err != nil {
		// An Aurora member's maintenance window need leave no room for a backup window of its own
		// (it has none); Validate and the API handlers refuse other invalid windows.
		backup, maint = defaultBackupWindow, defaultMaintenanceWindow
		if _, m, err := parseMaintenanceWindow(s.MaintenanceWindow); err == nil && s.BackupWindow == "" {
			maint = m
		}
	}
	return &dbInstance{ID: s.ID, Class: s.Class, Engine: engine, EngineVersion: version, PromotionTier: s.PromotionTier,
		MultiAZ: s.MultiAZ, AZ: az, Status: "available", Allocated: alloc, StorageType: stype, Iops: s.Iops, Throughput: s.StorageThroughput, MaxAlloc: s.MaxAllocatedStorage,
		ResourceID: st.resourceID("db-", s.ID), ARN: st.arn("db", s.ID), Created: created, MasterUsername: "postgres",
		MaintenanceWindow: maint, BackupWindow: backup, Port: portFor(engine), PI: true, Monitoring: 60, MonitoringRole: s.MonitoringRoleARN, Tags: specTags(s.Tags),
		Lifecycle: s.EngineLifecycleSupport, ReplicaOf: s.ReadReplicaOf, ReplicaOfCluster: s.ReadReplicaOfCluster, ParamGroup: s.ParameterGroup,
		Retention: s.BackupRetentionPeriod}
}

// specTags turns a spec's tags into a TagList in key order (nil for none).
func specTags(m map[string]string) []tag {
	var out []tag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, tag{Key: k, Value: m[k]})
	}
	return out
}

func (st *rdsState) addNode(in *dbInstance, w Workload, start time.Time, sls *ServerlessV2Scaling, reader bool) {
	st.Nodes[in.ID] = &genNode{ID: in.ID, Seed: splitmix64(st.Seed ^ hashString(in.ID)), W: w, Engine: in.Engine,
		Cluster: in.Cluster, Reader: reader, Serverless: sls, Allocated: float64(in.Allocated), Start: start,
		Classes: []classSpan{{From: start, Class: in.Class}}, MultiAZ: in.MultiAZ, Earlier: st.earlierNode(in.ID)}
	st.Nodes[in.ID].refresh()
}

// earlierNode is the node that published metrics under identifier id before a new instance took
// it (created with it, or renamed to it), for genNode.Earlier: the deleted or renamed instance's,
// which CloudWatch keeps under the name. nil when there is none, or when it has not ended (a
// scenario's own node, replaced).
func (st *rdsState) earlierNode(id string) *genNode {
	if n := st.Nodes[id]; n != nil && !n.End.IsZero() {
		return n
	}
	return nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// resourceID makes a deterministic, unique, AWS-looking resource id.
func (st *rdsState) resourceID(prefix, id string) string {
	h, h2 := st.uniqueHash(id)
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i], b[8+i] = byte(h>>(8*i)), byte(h2>>(8*i))
	}
	return prefix + b32.EncodeToString(b[:])[:26]
}

// uniqueHash advances the state's sequence and returns two hashes of id, the sequence and the
// seed: the bits of a deterministic, unique generated identifier.
func (st *rdsState) uniqueHash(id string) (uint64, uint64) {
	st.Seq++
	h := splitmix64(hashString(id) ^ st.Seq ^ st.Seed)
	return h, splitmix64(h)
}

func (st *rdsState) arn(kind, id string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:%s:%s", st.Region, st.Account, kind, id)
}

func (st *rdsState) event(srcType, id, arn, msg string, at time.Time, cats ...string) {
	st.Events = append(st.Events, rdsEvent{SourceID: id, SourceType: srcType, Message: msg, Categories: cats, Date: at, ARN: arn})
}

func (st *rdsState) members(cluster string) []*dbInstance {
	var out []*dbInstance
	for _, in := range st.Instances {
		if in.Cluster == cluster {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// nextWindow returns the start of the first weekly maintenance window
// ("ddd:hh:mm-ddd:hh:mm", UTC) at or after t; a window that does not parse is
// taken as the default, sun:05:00.
func nextWindow(win string, t time.Time) time.Time {
	from, _, _ := strings.Cut(win, "-")
	start, ok := parseDayTime(from)
	if !ok {
		start, _ = parseDayTime(defaultMaintenanceWindow[:9])
	}
	t = t.UTC()
	sunday := time.Date(t.Year(), t.Month(), t.Day()-int(t.Weekday()), 0, 0, 0, 0, time.UTC)
	at := sunday.Add(time.Duration(start) * time.Minute)
	if at.Before(t) {
		at = at.AddDate(0, 0, 7)
	}
	return at
}

// settle applies every transition due at or before now, in time order.
func (st *rdsState) settle(now time.Time) {
	for {
		// find the earliest due transition
		var (
			best     time.Time
			apply    func()
			have     bool
			consider = func(at time.Time, f func()) {
				if at.After(now) {
					return
				}
				if !have || at.Before(best) {
					best, apply, have = at, f, true
				}
			}
		)
		for _, id := range sortedKeys(st.Instances) {
			in := st.Instances[id]
			if in.Op != nil && !in.Stuck {
				consider(in.Op.End, func() { st.completeInstanceOp(in) })
			}
			if in.Op != nil && in.Status == "delete-precheck" {
				consider(in.Op.PrecheckUntil, func() { in.Status = "deleting" })
			}
			if in.Op == nil && !in.Pending.empty() && in.ready() {
				at := nextWindow(in.MaintenanceWindow, in.PendingSince)
				if in.Pending.Allocated != nil && at.Before(in.StorageOptUntil) {
					at = nextWindow(in.MaintenanceWindow, in.StorageOptUntil) // no storage change while optimizing
				}
				consider(at, func() { st.startModify(in, in.Pending, at) })
			}
			if in.Op == nil && in.Status == "storage-optimization" {
				consider(in.StorageOptUntil, func() { in.Status = "available" })
			}
		}
		for _, id := range sortedKeys(st.Clusters) {
			c := st.Clusters[id]
			if c.Op != nil {
				consider(c.Op.End, func() { st.completeClusterOp(c) })
			}
		}
		st.stopStartTransitions(consider)
		st.blueGreenTransitions(consider)
		st.maintenanceTransitions(consider)
		for _, m := range []map[string]*dbSnapshot{st.Snapshots, st.ClusterSnapshots} {
			for _, id := range sortedKeys(m) {
				sn := m[id]
				if sn.Status == "creating" {
					consider(sn.End, func() { st.completeSnapshot(sn) })
				}
			}
		}
		if !have {
			return
		}
		apply()
	}
}

func (st *rdsState) completeSnapshot(sn *dbSnapshot) {
	typ, what := "db-snapshot", "Manual snapshot"
	if sn.Cluster {
		typ, what = "db-cluster-snapshot", "Manual cluster snapshot"
	}
	if sn.Fail {
		sn.Status = "failed"
		st.event(typ, sn.ID, sn.ARN, what+" failed", sn.End, "failure")
		return
	}
	sn.Status = "available"
	st.event(typ, sn.ID, sn.ARN, what+" created", sn.End, "creation")
}

// modDuration is how long applying m to in takes.
func (st *rdsState) modDuration(in *dbInstance, m mods) time.Duration {
	d := time.Duration(0)
	if m.Class != "" && m.Class != in.Class {
		d = max(d, st.dur.ModifyClass)
	}
	if m.MultiAZ != nil && *m.MultiAZ != in.MultiAZ {
		if *m.MultiAZ {
			d = max(d, st.dur.ConvertMultiAZ)
		} else {
			d = max(d, st.dur.ConvertSingleAZ)
		}
	}
	if m.Allocated != nil && *m.Allocated != in.Allocated {
		d = max(d, st.dur.ModifyOther)
	}
	if d == 0 {
		d = st.dur.ModifyOther
	}
	return d
}

func (st *rdsState) startModify(in *dbInstance, m mods, at time.Time) {
	in.Pending, in.PendingSince = mods{}, time.Time{}
	in.Op = &op{Kind: "modify", Start: at, End: at.Add(st.modDuration(in, m)), Mods: m}
	in.Status = "modifying"
	if (m == mods{Identifier: m.Identifier}) {
		in.Status = "renaming" // a rename alone, as RDS shows it
	}
	if st.StuckIDs[in.ID] {
		in.Stuck = true
	}
	if m.MultiAZ != nil && *m.MultiAZ != in.MultiAZ {
		if *m.MultiAZ {
			st.event("db-instance", in.ID, in.ARN, "Applying modification to convert to a Multi-AZ DB instance.", at, "configuration change")
		} else {
			st.event("db-instance", in.ID, in.ARN, "Applying modification to convert to a standard (Single-AZ) DB instance.", at, "configuration change")
		}
	}
	if m.Class != "" && m.Class != in.Class {
		st.event("db-instance", in.ID, in.ARN, "Applying modification to database instance class.", at, "configuration change")
	}
	if m.Allocated != nil && *m.Allocated != in.Allocated {
		st.event("db-instance", in.ID, in.ARN, "Applying modification to allocated storage.", at, "configuration change")
	}
}

func (st *rdsState) completeInstanceOp(in *dbInstance) {
	o := in.Op
	in.Op = nil
	switch o.Kind {
	case "configure": // Enhanced Monitoring set up after a create
		in.Status = "available"
	case "create", "restore":
		in.Status = "available"
		if o.ConfigureMonitoring {
			in.Status = "configuring-enhanced-monitoring"
			in.Op = &op{Kind: "configure", Start: o.End, End: o.End.Add(st.dur.ConfigureMonitoring)}
		}
		if o.Kind == "restore" && in.retention() > 0 {
			// The baseline backup RDS takes at once after a restore with automated backups on.
			in.Status = "backing-up"
			in.Op = &op{Kind: "backup", Start: o.End, End: o.End.Add(st.dur.RestoreBackup)}
		}
		msg := "DB instance created"
		if o.Kind == "restore" {
			msg = "Restored from snapshot"
		}
		st.event("db-instance", in.ID, in.ARN, msg, o.End, "creation")
		if in.Cluster != "" {
			st.event("db-cluster", in.Cluster, st.arn("cluster", in.Cluster), "DB instance "+in.ID+" added to the cluster", o.End, "notification")
		}
	case "backup", "reboot", "self":
		in.Status = in.idleStatus(o.End)
	case "stop", "start":
		st.completeStopStart(in, o)
	case "modify":
		m := o.Mods
		if n := st.Nodes[in.ID]; n != nil && m.Class != "" && m.Class != in.Class {
			n.Classes = append(n.Classes, classSpan{From: o.End, Class: m.Class})
			n.refresh()
		}
		if m.Class != "" && m.Class != in.Class {
			in.Class = m.Class
			st.event("db-instance", in.ID, in.ARN, "Finished applying modification to DB instance class.", o.End, "configuration change")
		}
		if m.MultiAZ != nil && *m.MultiAZ != in.MultiAZ {
			in.MultiAZ = *m.MultiAZ
			if n := st.Nodes[in.ID]; n != nil {
				n.AZChanges = append(n.AZChanges, azSpan{From: o.End, MultiAZ: in.MultiAZ})
			}
			if in.MultiAZ {
				in.SecondaryAZ = st.otherAZ(in.AZ)
				st.event("db-instance", in.ID, in.ARN, "Finished applying modification to convert to a Multi-AZ DB instance.", o.End, "configuration change")
			} else {
				in.SecondaryAZ = ""
				st.event("db-instance", in.ID, in.ARN, "Finished applying modification to convert to a standard (Single-AZ) DB instance.", o.End, "configuration change")
			}
		}
		if m.Allocated != nil && *m.Allocated != in.Allocated {
			in.Allocated = *m.Allocated
			if n := st.Nodes[in.ID]; n != nil {
				n.Allocated = float64(in.Allocated)
			}
			st.event("db-instance", in.ID, in.ARN, "Finished applying modification to allocated storage.", o.End, "configuration change")
			in.StorageOptUntil = o.End.Add(st.dur.StorageOptimization)
		}
		if m.Retention != nil {
			r := *m.Retention
			in.Retention = &r
		}
		if m.Identifier != "" {
			st.renameInstance(in, m.Identifier, o.End)
		}
		in.Status = in.idleStatus(o.End)
	case "delete":
		delete(st.Instances, in.ID)
		st.event("db-instance", in.ID, in.ARN, "DB instance deleted", o.End, "deletion")
		if n := st.Nodes[in.ID]; n != nil {
			n.End = o.End
		}
		if in.FinalSnapshot != "" {
			sn := st.snapshotOf(in, in.FinalSnapshot, o.Start)
			sn.Status, sn.End = "available", o.End
			st.Snapshots[sn.ID] = sn
		}
		if in.Cluster != "" {
			st.afterMemberRemoved(in, o.End)
		}
	}
}

// renameInstance gives standalone instance in the identifier id at time at (ModifyDBInstance's
// NewDBInstanceIdentifier), as RDS renames one: its ARN and endpoint follow the new identifier; its
// DbiResourceId, tags and read replicas stay with it; its snapshots keep the DBInstanceIdentifier it
// had when they were taken ("DB snapshots are retained for a renamed DB instance": a listing by
// the new identifier does not find them, one by the dbi-resource-id filter does). CloudWatch
// publishes its metrics under the new identifier from then on and keeps the earlier ones under
// the old, and those an earlier holder of the new identifier published under it before
// (genNode.Earlier). An identifier another instance took meanwhile leaves it as it was. It records
// no event: "Amazon RDS event categories and event messages" lists one for renaming a DB cluster
// (RDS-EVENT-0172) and none for a DB instance.
func (st *rdsState) renameInstance(in *dbInstance, id string, at time.Time) {
	if _, taken := st.Instances[id]; taken {
		return
	}
	old := in.ID
	delete(st.Instances, old)
	in.ID, in.ARN = id, st.arn("db", id)
	st.Instances[id] = in
	for _, r := range st.Instances {
		if r.ReplicaOf == old {
			r.ReplicaOf = id
		}
	}
	if n := st.Nodes[old]; n != nil {
		renamed := *n
		// An earlier holder of the name (a deleted instance, or this one before an earlier
		// rename) keeps its metrics under it, before the renamed instance's.
		renamed.ID, renamed.Since, renamed.Earlier = id, at, st.earlierNode(id)
		renamed.Classes, renamed.AZChanges, renamed.Stops = slices.Clone(n.Classes), slices.Clone(n.AZChanges), slices.Clone(n.Stops)
		renamed.Absorb = slices.Clone(n.Absorb)
		renamed.specs = nil
		renamed.refresh()
		st.Nodes[id] = &renamed
		n.End = at
	}
}

func (st *rdsState) otherAZ(az string) string {
	if strings.HasSuffix(az, "b") {
		return st.Region + "a"
	}
	return st.Region + "b"
}

// afterMemberRemoved keeps the writer flag right (failover to the reader with
// the lowest promotion tier) and moves the removed node's load to the
// remaining writer when no reader is left to take it.
func (st *rdsState) afterMemberRemoved(gone *dbInstance, at time.Time) {
	ms := st.members(gone.Cluster)
	if len(ms) == 0 {
		return
	}
	var writer *dbInstance
	for _, m := range ms {
		if m.Writer {
			writer = m
		}
	}
	if c := st.Clusters[gone.Cluster]; writer == nil && c != nil && c.Secondary {
		// A secondary cluster of a global database has no writer: its readers stay readers.
		if n := st.Nodes[ms[0].ID]; n != nil {
			n.Absorb = append(n.Absorb, absorbSpan{From: at, Source: gone.ID})
		}
		return
	}
	if writer == nil {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].PromotionTier < ms[j].PromotionTier })
		writer = ms[0]
		writer.Writer = true
		if n := st.Nodes[writer.ID]; n != nil { // the writer from now on, not over its history
			n.Roles = append(n.Roles, roleSpan{From: at, Reader: false, Load: n.loadID(at)})
		}
		st.event("db-cluster", gone.Cluster, st.arn("cluster", gone.Cluster), "Completed failover to DB instance: "+writer.ID, at, "failover")
	}
	// The removed node's traffic goes to the node that now serves it: another
	// reader if there is one, else the writer.
	target := writer
	for _, m := range ms {
		if !m.Writer {
			target = m
			break
		}
	}
	if n := st.Nodes[target.ID]; n != nil {
		n.Absorb = append(n.Absorb, absorbSpan{From: at, Source: gone.ID})
	}
}

func (st *rdsState) snapshotOf(in *dbInstance, id string, at time.Time) *dbSnapshot {
	return &dbSnapshot{ID: id, Source: in.ID, SourceRes: in.ResourceID, Engine: in.Engine, EngineVersion: in.EngineVersion,
		Allocated: in.Allocated, StorageType: in.StorageType, Iops: in.Iops, Throughput: in.Throughput, Port: in.Port, AZ: in.AZ, Class: in.Class, MultiAZ: in.MultiAZ,
		SourceCreated: in.Created, Master: in.MasterUsername, Type: "manual", Status: "creating", Start: at,
		End: at.Add(st.dur.SnapshotBase + time.Duration(in.Allocated)*st.dur.SnapshotPerGiB), ARN: st.arn("snapshot", id)}
}

func (st *rdsState) takeFailSnapshot(id string) bool {
	if st.FailSnapshotIDs[id] {
		delete(st.FailSnapshotIDs, id)
		return true
	}
	if st.FailNextSnaps > 0 {
		st.FailNextSnaps--
		return true
	}
	return false
}

func progress(sn *dbSnapshot, now time.Time) int32 {
	switch sn.Status {
	case "available":
		return 100
	}
	total := sn.End.Sub(sn.Start)
	if total <= 0 {
		return 0
	}
	el := now.Sub(sn.Start)
	if sn.Status == "failed" {
		el = total * 7 / 10
	}
	p := int32(el * 100 / total)
	return min(max(p, 0), 99)
}

const isoMillis = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(isoMillis)
}

func xtags(ts []tag) []xTag {
	out := make([]xTag, 0, len(ts))
	for _, t := range ts {
		out = append(out, xTag(t))
	}
	return out
}

func (st *rdsState) xInstance(in *dbInstance, now time.Time) xDBInstance {
	host := st.endpointHost(in.ID)
	port := in.Port
	if st.endpointP != 0 {
		port = st.endpointP
	}
	x := xDBInstance{
		DBInstanceIdentifier: in.ID, DBInstanceClass: in.Class, Engine: in.Engine, DBInstanceStatus: in.Status,
		MasterUsername: in.MasterUsername, DBName: in.DBName, AllocatedStorage: in.Allocated,
		InstanceCreateTime: ts(in.Created), PreferredBackupWindow: in.backupWindow(), BackupRetentionPeriod: in.retention(),
		VpcSecurityGroups: []xVpcSG{{VpcSecurityGroupId: "sg-0sandbox00000000", Status: "active"}},
		DBParameterGroups: []xParamGroupStatus{{DBParameterGroupName: cmp.Or(in.ParamGroup, paramGroup(in.Engine, in.EngineVersion)), ParameterApplyStatus: "in-sync"}},
		AvailabilityZone:  in.AZ, PreferredMaintenanceWindow: in.MaintenanceWindow,
		MultiAZ: in.MultiAZ, EngineVersion: in.EngineVersion, AutoMinorVersionUpgrade: true,
		LicenseModel: licenseFor(in.Engine), StorageType: in.StorageType, SecondaryAvailabilityZone: in.SecondaryAZ,
		DbInstancePort: 0, DBClusterIdentifier: in.Cluster, StorageEncrypted: true, DbiResourceId: in.ResourceID,
		CACertificateIdentifier: "rds-ca-rsa2048-g1", DBInstanceArn: in.ARN, PerformanceInsightsEnabled: in.PI,
		MonitoringInterval: in.Monitoring, MonitoringRoleArn: in.MonitoringRole, DeletionProtection: in.DeletionProtect, TagList: xtags(in.Tags),
		BackupTarget: "region", NetworkType: "IPV4", EngineLifecycleSupport: lifecycleOf(in.Engine, in.Lifecycle),
		ReadReplicaSourceDBInstanceIdentifier: in.ReplicaOf, ReadReplicaSourceDBClusterIdentifier: in.ReplicaOfCluster,
	}
	for _, id := range slices.Sorted(maps.Keys(st.Instances)) {
		if r := st.Instances[id]; r.ReplicaOf == in.ID {
			x.ReadReplicaDBInstanceIdentifiers = append(x.ReadReplicaDBInstanceIdentifiers, r.ID)
		}
	}
	if in.Status != "creating" {
		x.Endpoint = &xEndpoint{Address: host, Port: port, HostedZoneId: "Z2R2ITUGPM61AM"}
		if in.retention() > 0 { // no point-in-time restore without automated backups (an Aurora member: its cluster's, 1 to 35 days)
			x.LatestRestorableTime = ts(now.Add(-5 * time.Minute).Truncate(time.Minute))
		}
	}
	if in.Cluster != "" {
		t := in.PromotionTier
		x.PromotionTier = &t
		x.BackupRetentionPeriod = 1
		x.StorageType = auroraStandard
		if c, ok := st.Clusters[in.Cluster]; ok {
			x.StorageType = c.storageType()
			x.PreferredBackupWindow = c.backupWindow() // an Aurora member's backups are its cluster's
			// "For Amazon Aurora DB instances, the engine lifecycle support is managed by the DB cluster."
			x.EngineLifecycleSupport = lifecycleOf(c.Engine, c.Lifecycle)
			if c.multiAZ() {
				x.AllocatedStorage, x.Iops, x.StorageThroughput = c.memberStorage()
			}
		}
	}
	p := in.Pending
	if in.Op != nil && in.Op.Kind == "modify" {
		p = in.Op.Mods.merge(in.Pending)
	}
	if p.Class != "" {
		x.PendingModifiedValues.DBInstanceClass = p.Class
	}
	x.PendingModifiedValues.MultiAZ = p.MultiAZ
	x.PendingModifiedValues.AllocatedStorage = p.Allocated
	x.PendingModifiedValues.BackupRetentionPeriod = p.Retention
	x.PendingModifiedValues.DBInstanceIdentifier = p.Identifier
	if in.Cluster == "" {
		x.Iops, x.StorageThroughput = in.storagePerformance()
		if in.MaxAlloc > 0 {
			x.MaxAllocatedStorage = &in.MaxAlloc
		}
	}
	return x
}

func licenseFor(engine string) string {
	if strings.Contains(engine, "mysql") || strings.Contains(engine, "maria") {
		return "general-public-license"
	}
	return "postgresql-license"
}

func paramGroup(engine, version string) string {
	major := strings.SplitN(version, ".", 2)[0]
	switch {
	case engine == "aurora-postgresql":
		return "default.aurora-postgresql" + major
	case engine == "postgres":
		return "default.postgres" + major
	case strings.Contains(engine, "mysql"):
		return "default." + engine + strings.Join(strings.SplitN(version, ".", 3)[:min(2, len(strings.SplitN(version, ".", 3)))], ".")
	}
	return "default." + engine
}

// auroraVolumeGiB is the size every emulated Aurora cluster volume reports in its snapshots.
const auroraVolumeGiB = 186

// snapshotGiB is the AllocatedStorage a snapshot of the cluster reports: a Multi-AZ DB cluster's
// storage; for Aurora, whose DescribeDBClusters always reports 1 ("Aurora DB cluster storage size
// isn't fixed"), the volume's size, as real aurora-postgresql cluster snapshots report it (for
// example "AllocatedStorage": 186).
func (c *dbCluster) snapshotGiB() int32 {
	if c.multiAZ() {
		return c.Allocated
	}
	return auroraVolumeGiB
}

func (st *rdsState) xCluster(c *dbCluster, now time.Time) xDBCluster {
	x := xDBCluster{
		AllocatedStorage: 1, AvailabilityZones: []string{st.Region + "a", st.Region + "b", st.Region + "c"},
		BackupRetentionPeriod: 1, DatabaseName: c.DatabaseName, DBClusterIdentifier: c.ID,
		DBClusterParameterGroup: cmp.Or(c.ParamGroup, "default."+c.Engine+strings.SplitN(c.EngineVersion, ".", 2)[0]),
		DBSubnetGroup:           "default", Status: c.Status,
		EarliestRestorableTime: ts(c.Created), LatestRestorableTime: ts(now.Add(-5 * time.Minute).Truncate(time.Minute)),
		Endpoint:       c.ID + ".cluster-c1sandbox0." + st.Region + ".rds.amazonaws.com",
		ReaderEndpoint: c.ID + ".cluster-ro-c1sandbox0." + st.Region + ".rds.amazonaws.com",
		Engine:         c.Engine, EngineVersion: c.EngineVersion, Port: c.Port, MasterUsername: c.MasterUsername,
		PreferredBackupWindow: c.backupWindow(), PreferredMaintenanceWindow: c.MaintenanceWindow,
		VpcSecurityGroups: []xVpcSG{{VpcSecurityGroupId: "sg-0sandbox00000000", Status: "active"}},
		HostedZoneId:      "Z2R2ITUGPM61AM", StorageEncrypted: true, DbClusterResourceId: c.ResourceID, DBClusterArn: c.ARN,
		ClusterCreateTime: ts(c.Created), EngineMode: "provisioned", TagList: xtags(c.Tags), AutoMinorVersionUpgrade: true,
		StorageType: c.storageType(), NetworkType: "IPV4", EngineLifecycleSupport: lifecycleOf(c.Engine, c.Lifecycle),
		GlobalClusterIdentifier: c.Global,
	}
	ms := st.members(c.ID)
	x.MultiAZ = len(ms) > 1
	if c.multiAZ() {
		x.MultiAZ, x.DBClusterInstanceClass, x.AllocatedStorage = true, c.InstanceClass, c.Allocated
		if c.Iops > 0 {
			iops := c.Iops
			x.Iops = &iops
		}
	}
	for _, m := range ms {
		x.DBClusterMembers = append(x.DBClusterMembers, xClusterMember{DBInstanceIdentifier: m.ID, IsClusterWriter: m.Writer,
			DBClusterParameterGroupStatus: "in-sync", PromotionTier: m.PromotionTier})
	}
	if c.Serverless != nil {
		x.ServerlessV2ScalingConfiguration = &xServerlessV2{MinCapacity: c.Serverless.MinACU, MaxCapacity: c.Serverless.MaxACU}
	}
	return x
}

func (st *rdsState) xSnapshot(sn *dbSnapshot, now time.Time) xDBSnapshot {
	iops, throughput := storagePerformance(sn.StorageType, sn.Allocated, sn.Iops, sn.Throughput)
	return xDBSnapshot{Iops: iops, StorageThroughput: throughput, DBSnapshotIdentifier: sn.ID, DBInstanceIdentifier: sn.Source, SnapshotCreateTime: ts(sn.Start),
		Engine: sn.Engine, AllocatedStorage: sn.Allocated, Status: sn.Status, Port: sn.Port, AvailabilityZone: sn.AZ,
		InstanceCreateTime: ts(sn.SourceCreated), MasterUsername: sn.Master, EngineVersion: sn.EngineVersion,
		LicenseModel: licenseFor(sn.Engine), SnapshotType: sn.Type, PercentProgress: progress(sn, now),
		StorageType: sn.StorageType, Encrypted: true, DBSnapshotArn: sn.ARN, DbiResourceId: sn.SourceRes,
		TagList: xtags(sn.Tags), OriginalSnapshotCreateTime: ts(cmp.Or(sn.Original, sn.Start)), SnapshotTarget: "region"}
}

// addScenarioSnapshots adds the scenario's snapshots of standalone instance in (SnapshotSpec),
// taken before now, the clock's start.
func (st *rdsState) addScenarioSnapshots(in *dbInstance, specs []SnapshotSpec, now time.Time) {
	for _, s := range specs {
		taken := now.Add(-s.Ago)
		sn := st.snapshotOf(in, strings.ToLower(s.ID), taken)
		sn.Type, sn.Status, sn.End = s.Type, "available", taken
		if s.TakenAs != "" {
			sn.Source = strings.ToLower(s.TakenAs) // renamed since: the resource id is the instance's still
		}
		if s.CopiedAgo > 0 {
			sn.Original, sn.Start, sn.End = taken, now.Add(-s.CopiedAgo), now.Add(-s.CopiedAgo)
		}
		if s.Failed {
			sn.Status = "failed"
		}
		st.Snapshots[sn.ID] = sn
	}
}

func (st *rdsState) xClusterSnapshot(sn *dbSnapshot, now time.Time) xDBClusterSnapshot {
	return xDBClusterSnapshot{AvailabilityZones: []string{st.Region + "a", st.Region + "b", st.Region + "c"},
		DBClusterSnapshotIdentifier: sn.ID, DBClusterIdentifier: sn.Source, SnapshotCreateTime: ts(sn.Start),
		Engine: sn.Engine, EngineMode: "provisioned", AllocatedStorage: sn.Allocated, Status: sn.Status, Port: sn.Port,
		ClusterCreateTime: ts(sn.SourceCreated), MasterUsername: sn.Master, EngineVersion: sn.EngineVersion,
		LicenseModel: licenseFor(sn.Engine), SnapshotType: sn.Type, PercentProgress: progress(sn, now),
		StorageEncrypted: true, DBClusterSnapshotArn: sn.ARN, TagList: xtags(sn.Tags)}
}
