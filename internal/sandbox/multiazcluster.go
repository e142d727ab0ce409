package sandbox

import (
	"cmp"
	"fmt"
	"net/url"
	"time"
)

// RDS Multi-AZ DB clusters (RDS for PostgreSQL, not Aurora): one writer DB instance and two
// readable standbys in three Availability Zones, replicating with PostgreSQL's own
// (semisynchronous) replication, each on its own EBS volume. The cluster, not its instances,
// carries the configuration: the instance class (DBClusterInstanceClass), the storage
// (AllocatedStorage, StorageType gp3, io1 or io2, Iops) and the backup and maintenance windows;
// its three members report them.
//
// A scenario makes one with a ClusterSpec of Engine "postgres" (Validate: exactly three members,
// DBClusterInstanceClass set, members of that class or none, valid storage); the API with
// CreateDBCluster, Engine "postgres", DBClusterInstanceClass, AllocatedStorage and StorageType
// (Iops for io1 and io2), which creates the three members itself, <cluster>-instance-1 (the
// writer, <region>a), -2 (<region>b) and -3 (<region>c). Cluster and members are "creating" for
// Durations.CreateInstance and turn available together. As in RDS, the instances of a Multi-AZ
// DB cluster are managed through the cluster: CreateDBInstance into one, ModifyDBInstance and
// DeleteDBInstance of a member and custom endpoints (CreateDBClusterEndpoint) are refused
// (InvalidParameterCombination). FailoverDBCluster promotes a readable standby (the Aurora path:
// TargetDBInstanceIdentifier, or the reader with the lowest promotion tier, then identifier);
// cluster snapshots work as for Aurora clusters and report the cluster's allocated storage.
// Members publish the metrics of an RDS (not Aurora) instance: FreeStorageSpace from the
// cluster's allocated storage, no FreeLocalStorage or AuroraReplicaLag.

// Multi-AZ DB cluster settings.
const (
	// multiAZClusterEngine is the engine of the Multi-AZ DB clusters the sandbox emulates.
	multiAZClusterEngine = "postgres"
	// defaultMultiAZVersion is their default engine version.
	defaultMultiAZVersion = "16.3"
	// multiAZClusterSize is the number of DB instances of a Multi-AZ DB cluster.
	multiAZClusterSize = 3
	// defaultMultiAZStorage is a scenario's default storage type and size (GiB).
	defaultMultiAZStorage    = "gp3"
	defaultMultiAZAllocation = 100
	// gp3LargeVolumeGiB is the size from which RDS for PostgreSQL stripes gp3 storage: a larger
	// baseline (12,000 IOPS, 500 MiB/s instead of 3,000 and 125), and the only sizes that take
	// provisioned Iops.
	gp3LargeVolumeGiB = 400
)

// multiAZ reports whether the spec is a Multi-AZ DB cluster (Engine "postgres").
func (c *ClusterSpec) multiAZ() bool { return c.Engine == multiAZClusterEngine }

// multiAZ reports whether the cluster is a Multi-AZ DB cluster (not an Aurora cluster).
func (c *dbCluster) multiAZ() bool { return c.InstanceClass != "" }

// memberStorage is what a member of the Multi-AZ DB cluster c reports of its storage:
// AllocatedStorage, Iops (the cluster's, or the gp3 baseline) and, for gp3, StorageThroughput.
func (c *dbCluster) memberStorage() (int32, *int32, *int32) {
	iops, thr := storagePerformance(c.StorageType, c.Allocated, c.Iops, 0) // a cluster provisions no throughput here
	return c.Allocated, iops, thr
}

// checkMultiAZStorage checks a Multi-AZ DB cluster's storage as RDS does: the storage type
// (gp3, io1 or io2), its size (20–65536 GiB for gp3, 100–65536 for io1 and io2) and its Iops
// (0 = none): required for io1 and io2, 1000–256000 and 0.5–50 IOPS per GiB; for gp3 only from
// 400 GiB on, 12000–64000 and at most 500 per GiB. A missing or misplaced parameter is
// InvalidParameterCombination, a value out of range InvalidParameterValue.
func checkMultiAZStorage(storage string, alloc, iops int32) *rdsError {
	minAlloc := int32(100)
	switch storage {
	case "gp3":
		minAlloc = 20
	case "io1", "io2":
	default:
		return errParam("Invalid storage type: %s (Multi-AZ DB clusters take io1, io2 or gp3).", storage)
	}
	if alloc < minAlloc || alloc > 65536 {
		return errParam("Invalid storage size for engine name %s and storage type %s: %d (%d–65536 GiB).", multiAZClusterEngine, storage, alloc, minAlloc)
	}
	switch {
	case storage != "gp3" && iops == 0:
		return errCombo("Iops is required for a Multi-AZ DB cluster with storage type %s.", storage)
	case storage != "gp3" && (iops < 1000 || iops > 256000 || 2*iops < alloc || iops > 50*alloc):
		return errParam("Invalid IOPS %d for storage type %s and %d GiB: it must be 1000–256000 and 0.5–50 times the allocated storage.", iops, storage, alloc)
	case storage == "gp3" && iops != 0 && alloc < gp3LargeVolumeGiB:
		return errCombo("You can't specify IOPS or storage throughput for engine %s and a storage size less than %d.", multiAZClusterEngine, gp3LargeVolumeGiB)
	case storage == "gp3" && iops != 0 && (iops < 12000 || iops > 64000 || iops > 500*alloc):
		return errParam("Invalid IOPS %d for storage type gp3 and %d GiB: it must be 12000–64000 and at most 500 per GiB.", iops, alloc)
	}
	return nil
}

// multiAZClass checks a DBClusterInstanceClass: one LookupClass knows, not db.serverless.
func multiAZClass(class string) bool {
	_, ok := LookupClass(class)
	return ok && class != "db.serverless"
}

// validateMultiAZCluster checks the parts of a Multi-AZ DB cluster spec that differ from an
// Aurora cluster's (Validate checks the rest, members included).
func (s *Scenario) validateMultiAZCluster(c ClusterSpec) error {
	where := fmt.Sprintf("scenario %s: Multi-AZ DB cluster %s", s.Name, c.ID)
	if len(c.Members) != multiAZClusterSize {
		return fmt.Errorf("%s: %d members; a Multi-AZ DB cluster has exactly %d (Members[0] the writer, then two readable standbys)", where, len(c.Members), multiAZClusterSize)
	}
	switch {
	case c.DBClusterInstanceClass == "":
		return fmt.Errorf("%s: DBClusterInstanceClass is required (e.g. db.m6gd.large)", where)
	case !multiAZClass(c.DBClusterInstanceClass):
		return fmt.Errorf("%s: unknown DB instance class %q", where, c.DBClusterInstanceClass)
	case c.ServerlessV2 != nil:
		return fmt.Errorf("%s: ServerlessV2 applies to Aurora clusters only", where)
	}
	storage, alloc := cmp.Or(c.StorageType, defaultMultiAZStorage), cmp.Or(c.AllocatedStorage, defaultMultiAZAllocation)
	if e := checkMultiAZStorage(storage, alloc, c.Iops); e != nil {
		return fmt.Errorf("%s: %s", where, e.Message)
	}
	azs := map[string]string{}
	for i, m := range c.Members {
		switch {
		case m.Class != "" && m.Class != c.DBClusterInstanceClass:
			return fmt.Errorf("%s: member %s: class %q: the members of a Multi-AZ DB cluster are of its DBClusterInstanceClass %q (leave Class empty)", where, m.ID, m.Class, c.DBClusterInstanceClass)
		case m.AllocatedStorage != 0 && m.AllocatedStorage != alloc, m.StorageType != "" && m.StorageType != storage:
			return fmt.Errorf("%s: member %s: storage %d GiB %q: a Multi-AZ DB cluster's members have its storage (set the cluster's AllocatedStorage and StorageType)", where, m.ID, m.AllocatedStorage, m.StorageType)
		case m.MultiAZ:
			return fmt.Errorf("%s: member %s: MultiAZ applies to standalone DB instances only", where, m.ID)
		case m.BackupWindow != "" || m.MaintenanceWindow != "":
			return fmt.Errorf("%s: member %s: the members of a Multi-AZ DB cluster have its backup and maintenance windows (set the cluster's BackupWindow and MaintenanceWindow)", where, m.ID)
		}
		az := cmp.Or(m.AvailabilityZone, multiAZMemberAZ(s.region(), i))
		if other, dup := azs[az]; dup {
			return fmt.Errorf("%s: members %s and %s are both in %s: a Multi-AZ DB cluster's instances are in three different Availability Zones", where, other, m.ID, az)
		}
		azs[az] = m.ID
	}
	return nil
}

// multiAZMemberAZ is the default Availability Zone of the i-th member of a Multi-AZ DB cluster:
// <region>a, b and c.
func multiAZMemberAZ(region string, i int) string { return region + string(rune('a'+i%3)) }

// newMultiAZCluster returns a Multi-AZ DB cluster (not yet in the state) with the given
// configuration and windows, created at created.
func (st *rdsState) newMultiAZCluster(id, version, class, storage string, alloc, iops int32, backup, maint string, created time.Time) *dbCluster {
	return &dbCluster{ID: id, Engine: multiAZClusterEngine, EngineVersion: cmp.Or(version, defaultMultiAZVersion), Status: "available",
		ResourceID: st.resourceID("cluster-", id), ARN: st.arn("cluster", id), Created: created, MasterUsername: "postgres",
		Port: portFor(multiAZClusterEngine), MaintenanceWindow: maint, BackupWindow: backup,
		StorageType: storage, InstanceClass: class, Allocated: alloc, Iops: iops}
}

// newMultiAZMember returns the i-th member (0: the writer) of the Multi-AZ DB cluster c, of its
// class, engine, storage and windows, from spec's identifier, Availability Zone and tags.
func (st *rdsState) newMultiAZMember(c *dbCluster, spec InstanceSpec, i int, created time.Time) *dbInstance {
	spec.Class, spec.AllocatedStorage, spec.StorageType, spec.MultiAZ = c.InstanceClass, c.Allocated, c.StorageType, false
	spec.AvailabilityZone = cmp.Or(spec.AvailabilityZone, multiAZMemberAZ(st.Region, i))
	spec.BackupWindow, spec.MaintenanceWindow = c.BackupWindow, c.MaintenanceWindow
	in := st.newInstance(spec, c.Engine, c.EngineVersion, created)
	in.Cluster, in.Writer = c.ID, i == 0
	if in.PromotionTier == 0 {
		in.PromotionTier = 1
	}
	return in
}

// addScenarioMultiAZCluster adds a scenario's (validated) Multi-AZ DB cluster and its members,
// existing since start.
func (st *rdsState) addScenarioMultiAZCluster(cs ClusterSpec, start, now time.Time) {
	backup, maint, err := resolveWindows(cs.BackupWindow, cs.MaintenanceWindow)
	if err != nil { // Validate refuses such a scenario
		backup, maint = defaultBackupWindow, defaultMaintenanceWindow
	}
	c := st.newMultiAZCluster(cs.ID, cs.EngineVersion, cs.DBClusterInstanceClass, cmp.Or(cs.StorageType, defaultMultiAZStorage),
		cmp.Or(cs.AllocatedStorage, defaultMultiAZAllocation), cs.Iops, backup, maint, start)
	c.Tags, c.PendingActions, c.Lifecycle = specTags(cs.Tags), pendingActions(cs.PendingMaintenance, now), cs.EngineLifecycleSupport
	st.Clusters[c.ID] = c
	for i, ms := range cs.Members {
		in := st.newMultiAZMember(c, ms, i, start)
		in.PendingActions = pendingActions(ms.PendingMaintenance, now)
		st.Instances[in.ID] = in
		st.addNode(in, ms.Workload, start, nil, i > 0)
	}
}

// createMultiAZDBCluster is CreateDBCluster for Engine "postgres": a Multi-AZ DB cluster with its
// three members, all "creating" for Durations.CreateInstance. The cluster id is valid and free.
func (st *rdsState) createMultiAZDBCluster(f url.Values, id string, now time.Time) (any, *rdsError) {
	class, storage := f.Get("DBClusterInstanceClass"), f.Get("StorageType")
	alloc, e := formInt(f, "AllocatedStorage")
	if e != nil {
		return nil, e
	}
	iops, e := formInt(f, "Iops")
	if e != nil {
		return nil, e
	}
	for _, p := range []string{"ServerlessV2ScalingConfiguration.MinCapacity", "ServerlessV2ScalingConfiguration.MaxCapacity"} {
		if _, ok := f[p]; ok {
			return nil, errCombo("ServerlessV2ScalingConfiguration applies to Aurora DB clusters only, not to a Multi-AZ DB cluster (engine %s).", multiAZClusterEngine)
		}
	}
	switch {
	case class == "":
		return nil, errCombo("DBClusterInstanceClass is required to create a Multi-AZ DB cluster (engine %s).", multiAZClusterEngine)
	case alloc == nil:
		return nil, errCombo("AllocatedStorage is required to create a Multi-AZ DB cluster (engine %s).", multiAZClusterEngine)
	case storage == "":
		return nil, errCombo("StorageType is required to create a Multi-AZ DB cluster (engine %s): io1, io2 or gp3.", multiAZClusterEngine)
	case !multiAZClass(class):
		return nil, errCombo("RDS does not support creating a DB instance with the following combination: DBInstanceClass=%s, Engine=%s.", class, multiAZClusterEngine)
	}
	var provisioned int32
	if iops != nil {
		if *iops <= 0 {
			return nil, errParam("Invalid value %d for Iops: must be positive.", *iops)
		}
		provisioned = *iops
	}
	if e := checkMultiAZStorage(storage, *alloc, provisioned); e != nil {
		return nil, e
	}
	backup, maint, err := resolveWindows(f.Get("PreferredBackupWindow"), f.Get("PreferredMaintenanceWindow"))
	if err != nil {
		return nil, errWindow(err)
	}
	ids := make([]string, multiAZClusterSize)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-instance-%d", id, i+1)
		if !validID(ids[i]) {
			return nil, errParam("The parameter DBClusterIdentifier is too long for a Multi-AZ DB cluster: its DB instance identifier %s would exceed 63 characters.", ids[i])
		}
		if _, ok := st.Instances[ids[i]]; ok {
			return nil, errf(400, "DBInstanceAlreadyExists", "DB instance %s already exists: it would be a member of Multi-AZ DB cluster %s.", ids[i], id)
		}
	}
	c := st.newMultiAZCluster(id, f.Get("EngineVersion"), class, storage, *alloc, provisioned, backup, maint, now)
	life, e := formLifecycle(f, c.Engine, c.EngineVersion, now)
	if e != nil {
		return nil, e
	}
	c.Lifecycle = life
	c.MasterUsername, c.DatabaseName, c.Tags = cmp.Or(f.Get("MasterUsername"), "postgres"), f.Get("DatabaseName"), formTags(f)
	end := now.Add(st.dur.CreateInstance)
	c.Status, c.Op = "creating", &op{Kind: "create", Start: now, End: end}
	st.Clusters[id] = c
	for i, mid := range ids {
		in := st.newMultiAZMember(c, InstanceSpec{ID: mid}, i, now)
		in.MasterUsername, in.DBName = c.MasterUsername, c.DatabaseName
		in.Status, in.Op = "creating", &op{Kind: "create", Start: now, End: end}
		st.Instances[mid] = in
		st.addNode(in, IdleWorkload, end.Truncate(time.Minute), nil, i > 0)
	}
	return xClusterResult{DBCluster: st.xCluster(c, now)}, nil
}

// multiAZMemberOf returns the Multi-AZ DB cluster in is a member of, or nil.
func (st *rdsState) multiAZMemberOf(in *dbInstance) *dbCluster {
	if c, ok := st.Clusters[in.Cluster]; ok && c.multiAZ() {
		return c
	}
	return nil
}

// errMultiAZMember refuses an operation on a member of a Multi-AZ DB cluster, whose instances are
// managed through the cluster.
func errMultiAZMember(op string, in *dbInstance) *rdsError {
	return errCombo("%s isn't supported for DB instance %s: it is a member of Multi-AZ DB cluster %s, whose DB instances are managed through the DB cluster.", op, in.ID, in.Cluster)
}
