// Package sandbox is an in-process (or standalone) emulator of the AWS APIs
// the provider calls: Amazon RDS (query protocol, XML), Amazon CloudWatch
// (Smithy RPCv2 CBOR, the default protocol of service/cloudwatch v1.75+) and
// the Aurora replica part of Application Auto Scaling (awsJson1.1). Tests and
// `make demo` point the real aws-sdk-go-v2 clients at it with BaseEndpoint;
// one URL serves every service. It never contacts AWS.
//
// # Starting one (server.go)
//
//	srv, err := sandbox.Start(sandbox.Options{})            // demo scenario, random port, frozen clock
//	if err != nil { t.Fatal(err) }
//	t.Cleanup(func() { srv.Close() })
//	rdsc := rds.NewFromConfig(srv.AWSConfig())              // region, static credentials, BaseEndpoint = srv.URL()
//	cwc := cloudwatch.NewFromConfig(srv.AWSConfig())
//
// or, with your own config, rds.NewFromConfig(cfg, func(o *rds.Options) {
// o.BaseEndpoint = aws.String(srv.URL()) }). Outside Go, srv.Env() gives
// AWS_ENDPOINT_URL and friends for config.LoadDefaultConfig, the CLI or
// terraform. Requests must be SigV4-signed for the scenario's region and the
// right service ("rds" / "monitoring" / "application-autoscaling"), as AWS
// requires (Options.AllowUnsigned relaxes this).
//
// Options: Addr (default 127.0.0.1:0), Scenario (*Scenario) or ScenarioName
// (default "demo"), Now (clock start = end of the metric history; zero =
// ScenarioEpoch, Monday 2026-11-02 12:00 UTC), Speed (virtual seconds per real
// second; 0 = frozen), StepPerRDSRequest (advance the clock before each RDS
// call), Durations (operation lengths; DefaultDurations), StateFile (JSON
// persistence), EndpointHost/EndpointPort (override every DB endpoint, e.g.
// to a local PostgreSQL), FaultSeed, AllowUnsigned. Server methods: URL, Addr,
// AWSConfig, Env, Close, Now,
// Clock, Advance, SetSpeed, SetStepPerRDSRequest, Scenario, InstanceStatus,
// MetricValue, PutMetric, ApplyPendingMaintenance, plus the fault and log
// methods below. As a process:
//
//	go run ./internal/sandbox/cmd/sandbox -addr 127.0.0.1:4599 -scenario demo [-state f.json] [-speed 30] [-now wall|epoch|RFC3339]
//
// Routing: POST /service/GraniteServiceVersion20100801/operation/<Op> is
// CloudWatch; X-Amz-Target AnyScaleFrontendService.<Op> is Application Auto
// Scaling; any other X-Amz-Target (e.g. the Pricing API) answers
// UnknownOperationException; /_sandbox/... is the admin API; anything else is
// RDS (form body with Action=...).
//
// # Scenarios (scenario.go, generator.go, traces.go)
//
// Scenario, ClusterSpec, InstanceSpec, ReservationSpec, PendingActionSpec and
// Workload describe a fleet; Validate checks one. Besides identifiers, classes,
// engines, storage, tags and workloads, ClusterSpec and InstanceSpec set the
// backup and maintenance windows (BackupWindow, MaintenanceWindow), the
// pending maintenance actions (PendingMaintenance) described under RDS
// maintenance below, and the engine lifecycle support (EngineLifecycleSupport,
// below). Named scenarios (ScenarioByName, ScenarioNames): demo (Demo),
// busy (Busy), idle (Idle), short (ShortHistory: 3 days), mysql (MySQL),
// serverless (ServerlessV2), aurora3 (ThreeNodeAurora), single-az (SingleAZ),
// multi-az-cluster (MultiAZDBCluster: the RDS for PostgreSQL Multi-AZ DB cluster
// orders-prod, see below), traced (Traced: shaped by a real NAB CloudWatch trace embedded from
// traces/), holes (Holes: the demo with 3 minutes per thousand missing, as
// collected CloudWatch series have), fleet-N (Fleet(n), any n ≥ 1) and empty. AuroraPair and
// MultiAZInstance build specs for new ones. The generator parameters are
// exported (DemoSSOWriterWorkload, DemoSSOReaderWorkload,
// DemoMandibleWorkload, BusyWriterWorkload, BusyReaderWorkload, IdleWorkload,
// OrdersWriterWorkload, OrdersReaderWorkload, TracedWorkload) and Workload documents the formulas, so tests elsewhere can
// check summaries against them; Server.MetricValue returns the exact 1-minute
// value and Workload.Activity the activity term. Metrics are a pure function of
// (seed, node, metric, minute), computed on demand: nothing is materialised.
// An Aurora instance's FreeableMemory leaves room for its buffer cache, as
// Aurora's does: the default shared_buffers, SUM({DBInstanceClassMemory/12038},
// -50003) 8 kB pages on the class's memory (about two thirds of it), is
// allocated at start and Aurora reads nothing through the OS page cache, so
// a db.t4g.medium writer shows about 1 GiB freeable of its 4 and a
// db.r6g.large 4–5 GiB of 16; Workload.MemoryUsedGiB is then the memory in use
// outside the cache. An RDS instance's counts all memory but what is in use.
// LookupClass gives vCPU/memory of a DB instance class (also the db.m5d, m6gd,
// m6id, r5d, r6gd and r6id classes of Multi-AZ DB clusters).
//
// # RDS (rds.go, rdsstate.go, rdsxml.go)
//
// DescribeDBInstances, DescribeDBClusters (identifier or ARN, Filters, Marker /
// MaxRecords 20–100), CreateDBInstance (standalone or into a cluster; a standalone
// PostgreSQL instance's StorageType gp2, gp3, io1, io2 or standard — io1 when the
// request gives Iops and no type, gp3 otherwise —, Iops and StorageThroughput checked
// as RDS does, and reported by DescribeDBInstances and the instance's snapshots'
// DescribeDBSnapshots, gp3's included 3000 IOPS / 125 MiB/s, or 12000 / 500 from 400
// GiB, when none are provisioned; a restore from a snapshot provisions the snapshot's
// again; and MaxAllocatedStorage, storage autoscaling's limit, at least 10% above the
// allocated storage (a pending increase's included), which ModifyDBInstance changes at
// once, refused on an Aurora member (CreateDBInstance, ModifyDBInstance): instancestorage.go;
// scenarios set them with InstanceSpec; with
// MonitoringInterval > 0 the new instance shows configuring-enhanced-monitoring
// for Durations.ConfigureMonitoring after creating; into an Aurora PostgreSQL
// cluster, a DBParameterGroupName of another family than the cluster's major
// version, a default group's or a scenario group's with Family, is
// InvalidParameterCombination, as after a major upgrade in RDS; a MonitoringRoleArn
// Server.DeleteIAMRole deleted, with MonitoringInterval > 0, is InvalidParameterValue),
// CreateDBCluster (StorageType aurora, the default, or aurora-iopt1 for
// I/O-Optimized; scenarios set it with ClusterSpec.StorageType; Engine postgres
// makes a Multi-AZ DB cluster, below), ModifyDBInstance (DBInstanceClass, MultiAZ,
// AllocatedStorage, BackupRetentionPeriod to or from 0, PromotionTier, NewDBInstanceIdentifier
// of a standalone instance — "renaming", then the new identifier, ARN and endpoint; its
// DbiResourceId, tags and read replicas stay; its snapshots keep the DBInstanceIdentifier they
// were taken with (SnapshotSpec.TakenAs seeds such a one); CloudWatch has its metrics under the new
// identifier from then on, after those of any instance that had it before (deleted, or renamed
// away), which CloudWatch keeps under the name, as for an instance created with a deleted one's
// identifier —, ApplyImmediately; otherwise the change waits in PendingModifiedValues until the
// weekly maintenance window passes on the clock — or
// Server.ApplyPendingMaintenance; PreferredBackupWindow, PreferredMaintenanceWindow
// and a BackupRetentionPeriod from one nonzero value to another apply at once; an
// instance without automated backups, InstanceSpec.BackupRetentionPeriod 0, reports
// no LatestRestorableTime), DeleteDBInstance,
// CreateDBSnapshot, CreateDBClusterSnapshot, DescribeDBSnapshots (without a
// SnapshotType, manual and automated snapshots, as RDS: AWS Backup's, which a scenario
// seeds with InstanceSpec.Snapshots, only with SnapshotType awsbackup; Filters db-instance-id,
// db-snapshot-id, snapshot-type, engine and dbi-resource-id, the source instance's DbiResourceId,
// which every snapshot reports),
// DescribeDBClusterSnapshots, DeleteDBSnapshot, DeleteDBClusterSnapshot,
// RestoreDBInstanceFromDBSnapshot, AddTagsToResource, RemoveTagsFromResource,
// ListTagsForResource, DescribeEvents (default window: the last hour),
// DescribePendingMaintenanceActions, ApplyPendingMaintenanceAction,
// DescribeDBMajorEngineVersions (the support calendar of engineversions.go, or
// Scenario.MajorEngineVersions), DescribeDBParameters and
// DescribeDBClusterParameters (the values a user set in Scenario.ParameterGroups,
// Source user, system or engine-default: paramgroups.go), and
// also RebootDBInstance (ForceFailover swaps the AZs of a Multi-AZ instance),
// FailoverDBCluster (from then on the new writer's instance publishes the
// writer's load and the old writer's the reader's, AuroraReplicaLag included;
// their earlier datapoints do not change; a secondary cluster of an Aurora global database,
// ClusterSpec.GlobalSecondary, has no writer and refuses it), Aurora global database membership
// (DescribeDBClusters reports ClusterSpec.GlobalCluster as GlobalClusterIdentifier; an instance
// created in a secondary cluster is a reader; Server.GlobalSwitchover plays this region's part of
// SwitchoverGlobalCluster or FailoverGlobalCluster), and the Aurora endpoints: CreateDBClusterEndpoint (custom
// endpoints, READER or ANY, static or exclusion lists) and
// DescribeDBClusterEndpoints (writer, reader and custom; Filters, Marker). The SDK's waiters (NewDBInstanceAvailableWaiter,
// NewDBSnapshotAvailableWaiter, NewDBInstanceDeletedWaiter, ...) work as-is.
// Transitions run on the virtual Clock with lengths from Durations: creating →
// available, modifying → available (MultiAZ/class change applied at the end,
// shown in PendingModifiedValues meanwhile; after a storage change the instance
// shows storage-optimization for Durations.StorageOptimization, or as long as
// Server.StorageOptimization says, usable and taking snapshots and every
// modification but a storage one, which fails with InvalidParameterCombination),
// backing-up → available (an instance restored from a snapshot with automated backups on shows
// backing-up for Durations.RestoreBackup after creating, RDS's baseline backup), deleting
// → gone (an Aurora member or a read replica shows delete-precheck first, for
// Durations.DeletePrecheck), snapshot creating (PercentProgress rising) → available | failed,
// with the matching events. Deleting an Aurora writer fails over to the
// reader with the lowest promotion tier; deleting a reader moves its load onto
// the node that now serves it, and a class change rescales CPU — both visible
// in the metrics afterwards. Errors use AWS's codes (DBInstanceNotFound,
// DBClusterNotFoundFault, DBInstanceAlreadyExists, DBSnapshotAlreadyExists,
// DBSnapshotNotFound, InvalidDBInstanceState, InvalidDBClusterStateFault,
// InvalidDBSnapshotState, InvalidParameterCombination, InvalidParameterValue,
// Throttling, ...) so the SDK returns its typed errors.
//
// Stopping and starting (stopstart.go): StopDBInstance (a standalone, available instance, Multi-AZ
// or not; DBSnapshotIdentifier takes a manual snapshot first and stops once it is done),
// StartDBInstance, StopDBCluster and StartDBCluster (the cluster and every member; all must be
// available to stop). Stopping shows "stopping" for Durations.Stop, then "stopped"; starting
// "starting" for Durations.Start, then "available"; RDS starts a database stopped for 7 days by
// itself. A stopped instance publishes no CloudWatch metrics from the moment it is stopped until it
// is available again, takes no modification, reboot or snapshot (InvalidDBInstanceState), and,
// standalone, can be deleted. A member of an Aurora or Multi-AZ DB cluster is stopped and started
// with its cluster (StopDBInstance on one is InvalidParameterCombination). Events: "DB instance
// stopped" / "started", "DB cluster stopped" / "started", and "... is being started due to it
// exceeding the maximum allowed time being stopped." (category notification).
//
// Engine lifecycle support (lifecycle.go): DB instances and clusters of postgres, mysql,
// aurora-postgresql and aurora-mysql report EngineLifecycleSupport, RDS's default
// open-source-rds-extended-support unless created (CreateDBInstance, CreateDBCluster,
// RestoreDBInstanceFromDBSnapshot, or InstanceSpec / ClusterSpec EngineLifecycleSupport) with
// open-source-rds-extended-support-disabled; an Aurora member reports its cluster's and takes none
// of its own (InvalidParameterCombination; Validate refuses one). Creating or restoring with
// "disabled" a PostgreSQL major version past its end of standard support (11, 12 and 13 from
// 2024-03-01, 2025-03-01 and 2026-03-01 on the clock) is InvalidParameterCombination, as in RDS;
// an unknown value is InvalidParameterValue. Blue/green copies keep the blue database's.
//
// RDS Multi-AZ DB clusters (multiazcluster.go): RDS for PostgreSQL clusters of one writer and two
// readable standbys in three AZs (not Aurora). A scenario declares one as a ClusterSpec with Engine
// "postgres", DBClusterInstanceClass (required, e.g. db.m6gd.large), AllocatedStorage (default 100
// GiB), StorageType (gp3, the default, io1 or io2) and Iops (required for io1/io2), and exactly
// three Members (Members[0] the writer; Class empty or the cluster's; the sandbox places them in
// <region>a, b and c, MultiAZ false; version default 16.3); Validate refuses anything else with a
// clear error. CreateDBCluster with Engine postgres needs DBClusterInstanceClass, AllocatedStorage
// and StorageType (InvalidParameterCombination when missing, as is Iops for io1/io2 or Iops for gp3
// below 400 GiB; InvalidParameterValue for a bad storage type, size — 20–65536 GiB for gp3,
// 100–65536 for io1/io2 — or Iops: 1000–256000 and 0.5–50 per GiB for io1/io2, 12000–64000 and at
// most 500 per GiB for gp3) and creates the members itself, <cluster>-instance-1 (writer), -2, -3
// (DBInstanceAlreadyExists if one is taken); cluster and members are creating for
// Durations.CreateInstance, then available together, with the creation events. DescribeDBClusters
// reports Engine postgres, DBClusterInstanceClass, AllocatedStorage, StorageType, Iops (when set),
// MultiAZ true, EngineMode provisioned and the DBClusterMembers; DescribeDBInstances the members
// with DBClusterIdentifier, the cluster's class, engine, storage and windows (Iops: the cluster's,
// or gp3's baseline 3000 / 125 MiB/s — 12000 / 500 from 400 GiB). The members publish RDS (not
// Aurora) metrics, FreeStorageSpace included. As in RDS, their instances are managed through the
// cluster: CreateDBInstance into it, ModifyDBInstance and DeleteDBInstance of a member and
// CreateDBClusterEndpoint on it are InvalidParameterCombination. FailoverDBCluster promotes a
// standby (TargetDBInstanceIdentifier, else the reader with the lowest promotion tier), and cluster
// snapshots work as for Aurora clusters (reporting the allocated storage). Not emulated:
// ModifyDBCluster, DeleteDBCluster, RebootDBCluster (as for Aurora clusters), blue/green
// deployments of one (SourceClusterNotSupportedFault), replica auto scaling.
//
// RDS maintenance (maintenance.go): every DB instance and cluster has a daily backup window
// (PreferredBackupWindow, "hh24:mi-hh24:mi") and a weekly maintenance window
// (PreferredMaintenanceWindow, "ddd:hh24:mi-ddd:hh24:mi"), UTC, each at least 30 minutes, that must
// not overlap. They come from the scenario (InstanceSpec / ClusterSpec BackupWindow and
// MaintenanceWindow), CreateDBInstance, CreateDBCluster and ModifyDBInstance (applied at once, no
// downtime; pending modifications then wait for the new window); one not given is 03:00-03:30 /
// sun:05:00-sun:05:30, or, when that default would overlap the other window, the first 30-minute
// window after it, in 30-minute steps, that does not. An Aurora member keeps its own maintenance
// window and reports its cluster's backup window: as in RDS it takes none of its own (Validate
// refuses InstanceSpec.BackupWindow on a member; CreateDBInstance and ModifyDBInstance answer
// InvalidParameterCombination). Malformed, short or overlapping windows are InvalidParameterValue.
// Blue/green copies keep the blue database's windows. Pending maintenance actions
// (InstanceSpec.PendingMaintenance, ClusterSpec.PendingMaintenance: PendingActionSpec with Action —
// system-update, os-upgrade, db-upgrade, hardware-maintenance, ca-certificate-rotation or
// serverless-platform-version-update, one of each per resource —, Description, AutoAppliedAfter
// and ForcedApplyIn, durations after the clock's start, 0 = not set) are listed by
// DescribePendingMaintenanceActions (ResourceIdentifier: an ARN; Filters db-instance-id, selecting
// DB instances, and db-cluster-id, selecting DB clusters, identifiers or ARNs — with both, either
// kind; Marker / MaxRecords 20–100; resources with nothing pending are left out; ARN order) as
// ResourcePendingMaintenanceActions with Action, AutoAppliedAfterDate, ForcedApplyDate,
// OptInStatus, CurrentApplyDate and Description. CurrentApplyDate is the earliest of the start of
// the next maintenance window (opted in for next-maintenance), the first maintenance window at or
// after AutoAppliedAfterDate and ForcedApplyDate, and absent when none applies.
// ApplyPendingMaintenanceAction (ResourceIdentifier, ApplyAction, OptInType) with immediate applies
// the action now (the resource must be available), next-maintenance opts it in (windows counted
// from the call), undo-opt-in withdraws that; it returns the resource's remaining actions. settle
// applies every action at its CurrentApplyDate on the clock (Server.ApplyPendingMaintenance applies
// those opted in or past AutoAppliedAfterDate at once). Applying one removes it and records the
// events "Applying <what>" and "Finished applying <what>" (OS upgrade, database engine upgrade,
// hardware maintenance, CA certificate rotation, ...; category maintenance) on the DB instance or
// cluster; nothing else changes. Actions, opt-ins and windows are in the state file. Errors:
// ResourceNotFoundFault (an ARN naming no DB instance or cluster here), InvalidParameterValue (not
// an ARN, an action not pending, an unknown OptInType or filter), InvalidDBInstanceState,
// InvalidDBClusterStateFault (immediate on a busy resource).
//
// RDS Proxy (proxies.go): CreateDBProxy (EngineFamily POSTGRESQL; available at
// once), RegisterDBProxyTargets (one Aurora cluster or standalone instance in
// the "default" target group), CreateDBProxyEndpoint (READ_WRITE, or
// READ_ONLY only for a proxy targeting an Aurora cluster:
// InvalidDBProxyStateFault otherwise), DescribeDBProxies,
// DescribeDBProxyTargets and DescribeDBProxyEndpoints (Marker / MaxRecords
// 20–100; no Filters). Targets are computed from the current state: a
// cluster's TRACKED_CLUSTER target plus one RDS_INSTANCE target per present
// member (writer READ_WRITE, readers READ_ONLY; UNAVAILABLE while deleting),
// so a deleted reader drops out by itself. Each proxy lists a default
// READ_WRITE endpoint named after it. Errors: DBProxyNotFoundFault,
// DBProxyAlreadyExistsFault, DBProxyEndpointNotFoundFault,
// DBProxyEndpointAlreadyExistsFault, DBProxyTargetGroupNotFoundFault,
// DBProxyTargetAlreadyRegisteredFault, InvalidDBProxyStateFault.
//
// RDS Blue/Green Deployments (bluegreen.go): CreateBlueGreenDeployment (Source: the
// ARN of a standalone PostgreSQL DB instance or an Aurora PostgreSQL DB cluster;
// TargetEngineVersion; for an instance also TargetDBInstanceClass,
// TargetAllocatedStorage, TargetStorageType, TargetIops, TargetStorageThroughput — the
// blue instance's IOPS and throughput while the type stays; Tags), DescribeBlueGreenDeployments
// (identifier, Filters blue-green-deployment-identifier, blue-green-deployment-name,
// source and target — ARN or identifier; Marker / MaxRecords 20–100; creation order)
// and DeleteBlueGreenDeployment (DeleteTarget). Identifiers are bgd-<16 lower-case
// alphanumerics>. The green environment is real and made as CreateDBInstance and
// CreateDBCluster make theirs: an instance <id>-green-<6 lower-case alphanumerics>
// with the blue one's Multi-AZ flag, storage, AZ, backup and maintenance windows and tags, or a
// cluster of that name with one green instance per member (<member>-green-<same
// suffix>, same role, class and promotion tier). It is "creating" for
// Durations.CreateInstance / CreateAuroraInstance, gets idle metrics and can be
// modified like any instance. Status is computed from the current state:
// PROVISIONING while a green resource is being created, then AVAILABLE (modifying a
// green instance does not change it), INVALID_CONFIGURATION once a blue or green
// database is gone (its SwitchoverDetails entry MISSING_SOURCE / MISSING_TARGET),
// DELETING after DeleteBlueGreenDeployment for Durations.DeleteBlueGreen — with
// DeleteTarget (refused while PROVISIONING or while a green instance is busy) until
// DeleteDBInstance's path has deleted the green instances, and then the emptied green
// cluster goes too; without it the green databases stay as standalone resources.
// A database (blue or green) is in at most one deployment. SwitchoverBlueGreenDeployment
// is not emulated (InvalidAction, like any other unsupported action), so no deployment
// reaches SWITCHOVER_COMPLETED; Tasks are empty and deployments take no tag calls.
// Errors: BlueGreenDeploymentAlreadyExistsFault (name taken, or the database already
// in a deployment), BlueGreenDeploymentNotFoundFault, DBInstanceNotFound,
// DBClusterNotFoundFault, SourceDatabaseNotSupportedFault (another engine, a cluster
// member), SourceClusterNotSupportedFault, InvalidDBInstanceState,
// InvalidDBClusterStateFault, InvalidBlueGreenDeploymentStateFault (DeleteTarget
// refused, deleting twice), InvalidParameterCombination, InvalidParameterValue.
//
// RDS reserved DB instances (reserved.go): DescribeReservedDBInstancesOfferings serves a fixed
// catalogue, the same in every sandbox and run: product descriptions "postgresql" (Multi-AZ true
// and false) and "aurora-postgresql" (MultiAZ false only: Aurora reservations are not Multi-AZ),
// for every size RDS sells of every class family LookupClass knows (db.t3 and db.t4g micro to
// 2xlarge, db.m5 and db.r5 large to 24xlarge, db.m6g, db.m7g, db.r6g and db.r7g to 16xlarge, db.m6i
// and db.r6i to 32xlarge; Aurora offerings for all of them, since the sandbox accepts every class
// in an Aurora cluster; none for db.serverless or for sizes such as db.m5.3xlarge that LookupClass
// also accepts), Duration 31536000 (1 year: No Upfront, Partial Upfront, All Upfront) and 94608000
// (3 years: Partial Upfront, All Upfront) — 1,110 offerings, in that order. A
// ReservedDBInstancesOfferingId is a UUID-like hash of the offering's attributes. The sandbox has
// no price list, so prices follow a rule: on demand, an instance costs USD 0.03 an hour per vCPU (a
// burstable class counts vCPU × its baseline CPU share) plus 0.01 per GiB of memory, twice that
// Multi-AZ and 1.2 times that for aurora-postgresql (db.r6g.large: 0.22, db.t4g.micro: 0.016); a
// reservation costs 70, 65 and 63 % of it for 1 year No, Partial and All Upfront, 45 and 42 % for 3
// years Partial and All Upfront, of which FixedPrice is the upfront share (none, half, all) over
// the term, rounded to the cent, and the one Hourly RecurringCharge the rest, rounded to 0.0001;
// UsagePrice is 0, CurrencyCode USD. The numbers are plausible, not AWS's. Filters: DBInstanceClass,
// Duration (1, 3, 31536000 or 94608000; anything else InvalidParameterValue), MultiAZ,
// OfferingType (the three options; anything else InvalidParameterValue), ProductDescription
// (partial match, as the API documents: "postgresql" matches both products),
// ReservedDBInstancesOfferingId; Marker / MaxRecords 20–100. PurchaseReservedDBInstancesOffering
// (ReservedDBInstancesOfferingId, ReservedDBInstanceId — DB identifier rules, unique regardless of
// case, default ri-<16 lower-case alphanumerics> —, DBInstanceCount ≥ 1, default 1, Tags) records
// a reservation with the offering's terms, StartTime = now and a UUID-like LeaseId, ARN
// arn:aws:rds:<region>:<account>:ri:<id>, which takes the tag calls. DescribeReservedDBInstances
// lists the reservations in purchase order, every state, with the filters above (ProductDescription
// matched whole), LeaseId and ReservedDBInstanceId; Marker / MaxRecords 20–100. State is computed
// from the clock: payment-pending for Durations.ReservationPayment, active until StartTime +
// Duration, then retired. Scenario.Reservations (ReservationSpec) adds reservations bought before
// the start, already paid. Limits: the generic Filters, which the API says it does not support,
// are refused (InvalidParameterValue) as the RDS Proxy describes refuse theirs, rather than
// silently ignored; no payment-failed state, no ReservedDBInstanceQuotaExceeded, no events (AWS
// has no event source type for reservations), and reservations never affect billing or metrics.
// Errors: ReservedDBInstancesOfferingNotFound, ReservedDBInstanceNotFound,
// ReservedDBInstanceAlreadyExists (404, as the service model has it), InvalidParameterValue.
//
// # CloudWatch (cloudwatch.go)
//
// GetMetricData (MetricStat queries; Average, Sum, Minimum, Maximum,
// SampleCount, pNN[.n]; ≤ 500 queries, ≤ 100,800 datapoints per page with
// NextToken, ScanBy, MaxDatapoints; empty results are empty lists),
// GetMetricStatistics (Statistics and ExtendedStatistics, ≤ 1,440
// datapoints), ListMetrics (Namespace/MetricName/Dimensions filters,
// RecentlyActive, 500 per page), PutMetricData (custom namespaces; Value,
// Values+Counts or StatisticValues; NaN/±Inf/|v| > 2^360 rejected; gzip
// request bodies), PutMetricAlarm, PutCompositeAlarm and DescribeAlarms (alarms.go,
// composite_alarms.go). Retention follows AWS: 1-minute periods for 15 days,
// 5-minute for 63, 1-hour for 455; a period finer than the data's age allows
// returns no datapoints for that range. AWS/RDS metrics (Metric* constants)
// are served for dimension DBInstanceIdentifier and, for Aurora, also
// DBClusterIdentifier+Role (WRITER|READER: at each minute, the instance that
// held the role then — FailoverDBCluster at T moves the WRITER series to the
// new writer from T on, not over the history; READER averages the readers) and
// DBClusterIdentifier alone (every member's 1-minute value is one sample, so
// Average is the mean across members and SampleCount counts them). Errors carry __type and
// X-Amzn-Query-Error so the SDK maps them to its typed errors
// (InvalidParameterValueException, InvalidParameterCombinationException,
// InvalidNextToken, ...) with the awsQuery codes.
//
// Metric alarms (alarms.go): PutMetricAlarm stores an alarm on one metric (Namespace, MetricName,
// Dimensions, Statistic or ExtendedStatistic, Period 10, 20, 30 or a multiple of 60, Unit) or on
// metric math (Metrics: MetricStat and Expression queries with unique ids, exactly one returning
// data, two with ThresholdMetricId), ExtendedStatistic taking every form PutMetricAlarm documents
// (p90, tm90, tc90, ts90, wm90, IQM, PR(n:m), TC, TM, TS and WM(X%:X%) with X from 10 to 90) and a
// query's Stat any CloudWatch statistic, as MetricStat documents (those and TM(2%:98%),
// TM(150:1000), PR(:300), TS(80%:): percentages from 0 to 100, absolute bounds, one left out), with EvaluationPeriods, DatapointsToAlarm, Threshold,
// ComparisonOperator, TreatMissingData (breaching, notBreaching, ignore, missing; unset means
// missing), ActionsEnabled (default true) and up to 5 OKActions, AlarmActions and
// InsufficientDataActions (ARNs). A new alarm is INSUFFICIENT_DATA; putting an existing name
// replaces its settings and keeps its state, as in AWS. Alarms are never evaluated: the state
// stays as created. PutCompositeAlarm (composite_alarms.go) stores a composite alarm: AlarmRule
// (required, at most 10240 characters; every alarm its ALARM(), OK() and INSUFFICIENT_DATA()
// name, by name or by this account's and region's ARN, quoted or not, must exist and not be the
// composite itself, else InvalidParameterValue, as AWS requires), ActionsEnabled (default true) and
// up to 5 OKActions, AlarmActions and InsufficientDataActions; a metric alarm and a composite
// alarm cannot share a name. The rule is not evaluated or otherwise parsed. DescribeAlarms lists
// alarms by name (AlarmNames, up to 100, or AlarmNamePrefix; StateValue; AlarmTypes, whose
// default is MetricAlarm only, as in AWS, CompositeAlarm giving CompositeAlarms; LogAlarm is
// accepted and lists nothing, the sandbox having no log alarms), both types in one
// name-ordered listing, MaxRecords 1–100 alarms of either type a page (default 50) with one
// NextToken; its ActionPrefix, ChildrenOfAlarmName and ParentsOfAlarmName
// filters are not emulated and are refused (InvalidParameterValue), not ignored. Alarms of both
// types are kept in the state file. Errors: MissingParameter,
// ValidationError (a value outside its enum or range: ComparisonOperator, Statistic,
// TreatMissingData, EvaluationPeriods, MaxRecords, AlarmTypes, more than 5 actions),
// InvalidParameterValue, InvalidParameterCombination (Metrics with MetricName and the rest,
// AlarmNames with AlarmNamePrefix), InvalidNextToken.
//
// # Application Auto Scaling (autoscaling.go)
//
// The emulated Application Auto Scaling operations are RegisterScalableTarget,
// DescribeScalableTargets and DeregisterScalableTarget, for Aurora replica auto
// scaling only: ServiceNamespace "rds", ScalableDimension
// "rds:cluster:ReadReplicaCount", ResourceId "cluster:<DBClusterIdentifier>" of
// an existing Aurora cluster, MinCapacity/MaxCapacity 0–15 with Min ≤ Max
// (both required on first registration; registering again updates the target).
// DescribeScalableTargets filters by ResourceIds and ScalableDimension, sorts
// by ResourceId and pages with MaxResults (1–50, default 50) and NextToken;
// other namespaces describe as empty. Targets are kept in the RDS state (and
// the state file) but never scale anything. Errors: ValidationException,
// ObjectNotFoundException, InvalidNextTokenException,
// UnknownOperationException (other operations).
//
// # Clock, faults and the request log (clock.go, faults.go, log.go, admin.go)
//
// Server.Advance, Clock().Set / SetSpeed and StepPerRDSRequest drive time.
// RDS answers carry the virtual clock in their Date header, as RDS's carry
// its clock (the SDK's awsmiddleware.GetServerTime reads it).
// InjectSequence / InjectFaults / SetErrorRate inject Throttling, HTTP 500,
// connection reset, slow responses or any error code per operation ("Op",
// "rds:Op", "cloudwatch:Op", "application-autoscaling:Op" or "*"), and, into
// GetMetricData's answers, query results in status InternalError, a message
// on the results of the queries of one metric or dimension (FaultQueryMessage:
// MetricDataResult.Messages) or one about the whole request
// (FaultRequestMessage: the top-level Messages);
// ClearFaults removes them. SetReadLag makes the describe calls miss a DB
// instance or snapshot for a while after its create call (eventually
// consistent reads). FailSnapshot /
// FailNextSnapshots make a snapshot end "failed"; DeleteIAMRole makes an
// Enhanced Monitoring role refused as deleted; StickModifying / Unstick
// keep an instance "modifying". Log, Calls, Counts, Operations and ResetLog
// expose every API request in arrival order (LogEntry: service, operation,
// key parameters, status, error code, injected fault, SDK attempt); Distinct
// counts the distinct successful calls. CheckGuarded (guard.go) checks the
// topology change's invariant on that log: every change to a database
// follows a successful describe of a guard snapshot that was available then.
//
// The same controls over HTTP (JSON):
//
//	GET    /_sandbox/health                 scenario, virtual now, speed
//	GET    /_sandbox/log[?operation=Op]     []LogEntry;  DELETE resets it
//	GET    /_sandbox/guarded?id=X           CheckGuarded: {id, calls}, or 409 with the error
//	GET    /_sandbox/counts                 {"Op": n, ...}
//	GET    /_sandbox/faults                 []FaultRule; POST a FaultRule or an array; DELETE clears
//	GET    /_sandbox/clock                  {"now", "speed"}
//	POST   /_sandbox/clock/advance?d=25m    Advance
//	POST   /_sandbox/clock/speed?x=600      SetSpeed
//	POST   /_sandbox/clock/step?d=1m        SetStepPerRDSRequest
//	POST   /_sandbox/reads/lag?d=30s        SetReadLag
//	POST   /_sandbox/snapshots/fail?id=X    FailSnapshot (or ?next=N: FailNextSnapshots)
//	POST   /_sandbox/instances/stuck?id=X   StickModifying (DELETE: Unstick)
//	POST   /_sandbox/maintenance[?id=X]     ApplyPendingMaintenance
//	GET    /_sandbox/state                  the state-file document
//
// Example: curl -X POST localhost:4599/_sandbox/faults -d
// '{"operation":"ModifyDBInstance","sequence":[{"kind":"throttling"},{"kind":"slow","delay":"2s"}]}'
package sandbox
