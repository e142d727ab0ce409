// Package topology performs the backup-guarded change of a PostgreSQL cluster between two nodes
// and one: an RDS Multi-AZ DB instance (Multi-AZ turned off or on) or an Aurora PostgreSQL
// cluster with a writer and one reader (the reader deleted, or recreated from a record).
//
// The [Orchestrator] runs precheck → guard snapshot → verify → change → wait → validate and, on
// failure, rollback. No ModifyDBInstance or DeleteDBInstance call on the target is made unless
// the guard snapshot of the change has been seen `available` immediately before. Runs are
// idempotent for a given change generation: the guard snapshot has a deterministic identifier and
// carries, in its tags, everything a re-run needs (when the change began, the validation baseline,
// the record of a deleted Aurora reader), so an apply interrupted at any point converges when it
// is run again.
//
// The package never imports Terraform; the provider maps its errors to diagnostics.
package topology

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// Kind is the kind of target.
type Kind string

const (
	// KindInstance is an RDS DB instance (PostgreSQL), two nodes when Multi-AZ.
	KindInstance Kind = "instance"
	// KindCluster is an Aurora PostgreSQL DB cluster, two nodes when it has a writer and a reader.
	KindCluster Kind = "cluster"
)

// Engines accepted by the prechecks.
const (
	// EngineInstance is the engine of supported DB instances.
	EngineInstance = "postgres"
	// EngineCluster is the engine of supported Aurora clusters.
	EngineCluster = "aurora-postgresql"
)

// Target identifies the DB instance or cluster to change.
type Target struct {
	Kind       Kind
	Identifier string
}

// String returns "instance:<id>" or "cluster:<id>", the import identifier format.
func (t Target) String() string { return string(t.Kind) + ":" + t.Identifier }

// Noun returns "DB instance <id>" or "DB cluster <id>" for messages.
func (t Target) Noun() string {
	if t.Kind == KindCluster {
		return "DB cluster " + t.Identifier
	}
	return "DB instance " + t.Identifier
}

// sameTarget reports whether tag, a guard snapshot's TagTarget, names t. RDS identifiers are not
// case-sensitive, and a guard taken before identifiers were lower-cased may carry the
// configuration's case.
func sameTarget(tag string, t Target) bool { return strings.EqualFold(tag, t.String()) }

// ParseTarget parses "instance:<id>" or "cluster:<id>" (the import identifier). The identifier
// comes back in lower case, as RDS stores it.
func ParseTarget(s string) (Target, error) {
	kind, id, ok := strings.Cut(s, ":")
	id = strings.TrimSpace(id)
	if !ok || id == "" || (Kind(kind) != KindInstance && Kind(kind) != KindCluster) {
		return Target{}, fmt.Errorf("invalid target %q: expected instance:<db-instance-identifier> or cluster:<db-cluster-identifier>", s)
	}
	return Target{Kind: Kind(kind), Identifier: strings.ToLower(id)}, nil
}

// Member is one DB instance of an Aurora cluster.
type Member struct {
	Identifier string
	Writer     bool
	Status     string
	Class      string
}

// Topology is the observed shape of a target.
type Topology struct {
	Target Target
	// ARN of the instance or cluster.
	ARN string
	// Engine, EngineVersion and EngineMode ("provisioned", "serverless"; clusters only).
	Engine, EngineVersion, EngineMode string
	// Status is the DBInstanceStatus or the cluster Status.
	Status string
	// Class is the DB instance class (of the writer for clusters).
	Class string
	// Nodes is 2 for a Multi-AZ instance and 1 for a Single-AZ one; for a cluster, the number of
	// member instances.
	Nodes int
	// MultiAZ is the instance's Multi-AZ flag; for clusters, whether there is more than one member.
	MultiAZ bool
	// PendingMultiAZ is the Multi-AZ value waiting for the maintenance window (instances), or nil.
	PendingMultiAZ *bool
	// PendingModifications names any other pending modified values (instance or cluster).
	PendingModifications []string
	// Members lists cluster members (clusters only), writer first.
	Members []Member
	// Serverless is true for Aurora Serverless v1 clusters and clusters with db.serverless members.
	Serverless bool
	// AllocatedStorage in GiB as reported by RDS (0 when not reported).
	AllocatedStorage int32
	// AvailabilityZones of the cluster (clusters only).
	AvailabilityZones []string
	// Instance and Cluster are the raw descriptions.
	Instance *rdstypes.DBInstance
	Cluster  *rdstypes.DBCluster
	// ServerTime is when RDS answered the description of an instance, on its clock (the response's
	// Date header; zero when not reported, and for a cluster).
	ServerTime time.Time
}

// Writer returns the cluster's writer member, or nil.
func (t *Topology) Writer() *Member {
	for i := range t.Members {
		if t.Members[i].Writer {
			return &t.Members[i]
		}
	}
	return nil
}

// GlobalCluster is the GlobalClusterIdentifier of the Aurora global database the cluster is a
// member of, "" for none (and for a DB instance).
func (t *Topology) GlobalCluster() string {
	if t.Cluster == nil {
		return ""
	}
	return deref(t.Cluster.GlobalClusterIdentifier)
}

// secondaryRefusal says why the secondary cluster arn of Aurora global database global (no writer:
// its instances all readers of the primary cluster in another region) is not changed, and what to
// do; also that a switchover or failover in progress, which DescribeDBClusters does not show, leaves
// a cluster so until it ends.
func secondaryRefusal(global, arn string) string {
	return fmt.Sprintf("it is a secondary cluster of Aurora global database %s: read-only, every instance a reader replicating from the primary cluster in another region "+
		"(a switchover or failover of the global database made it so, if this resource changed it as the primary), so there is no writer to keep or to recreate a reader beside, "+
		"and its readers are the global database's failover target in this region. Make it the primary cluster again "+
		"(aws rds switchover-global-cluster --global-cluster-identifier %s --target-db-cluster-identifier %s) and apply again, "+
		"or manage the secondary's readers outside this resource (remove it from the configuration, restore_on_destroy = false, or terraform state rm). "+
		"A switchover or failover of the global database still in progress also leaves a cluster without a writer until it ends: "+
		"if one is (aws rds describe-global-clusters --global-cluster-identifier %s shows its FailoverState), wait for it to finish, then plan again", global, global, arn, global)
}

// Readers returns the cluster's non-writer members.
func (t *Topology) Readers() []Member {
	var r []Member
	for _, m := range t.Members {
		if !m.Writer {
			r = append(r, m)
		}
	}
	return r
}

// LiveMembers counts the cluster's member instances that exist: not "deleted" (a member the
// cluster still lists, whose instance is gone).
func (t *Topology) LiveMembers() int {
	n := 0
	for _, m := range t.Members {
		if m.Status != "deleted" {
			n++
		}
	}
	return n
}

// Describe reads the current topology of target. A missing target yields a *NotFoundError.
// For clusters it also describes every member instance (status and class).
func Describe(ctx context.Context, api RDSAPI, target Target) (*Topology, error) {
	switch target.Kind {
	case KindInstance:
		inst, at, err := findDBInstanceAt(ctx, api, target.Identifier)
		if err != nil {
			return nil, err
		}
		topo := instanceTopology(target, inst)
		topo.ServerTime = at
		return topo, nil
	case KindCluster:
		cl, err := FindDBCluster(ctx, api, target.Identifier)
		if err != nil {
			return nil, err
		}
		topo := &Topology{
			Target: target, Cluster: cl, ARN: deref(cl.DBClusterArn), Engine: deref(cl.Engine),
			EngineVersion: deref(cl.EngineVersion), EngineMode: deref(cl.EngineMode), Status: deref(cl.Status),
			AllocatedStorage: deref(cl.AllocatedStorage), AvailabilityZones: cl.AvailabilityZones,
			// Serverless v1, or (below) a db.serverless member; a Serverless v2 capacity range
			// alone (set at cluster level, before any db.serverless instance is added) leaves the
			// members provisioned.
			Serverless:           strings.EqualFold(deref(cl.EngineMode), "serverless"),
			PendingModifications: pendingFields(cl.PendingModifiedValues),
		}
		for _, m := range cl.DBClusterMembers {
			mem := Member{Identifier: deref(m.DBInstanceIdentifier), Writer: deref(m.IsClusterWriter)}
			inst, err := FindDBInstance(ctx, api, mem.Identifier)
			switch {
			case IsNotFound(err):
				mem.Status = "deleted"
			case err != nil:
				return nil, fmt.Errorf("describing member of %s: %w", target.Noun(), err)
			default:
				mem.Status, mem.Class = deref(inst.DBInstanceStatus), deref(inst.DBInstanceClass)
				if mem.Class == "db.serverless" {
					topo.Serverless = true
				}
				for _, f := range pendingFields(inst.PendingModifiedValues) {
					topo.PendingModifications = append(topo.PendingModifications, mem.Identifier+"."+f)
				}
			}
			if mem.Writer {
				topo.Class = mem.Class
			}
			topo.Members = append(topo.Members, mem)
		}
		slices.SortStableFunc(topo.Members, func(a, b Member) int {
			if a.Writer != b.Writer {
				if a.Writer {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Identifier, b.Identifier)
		})
		topo.Nodes = len(topo.Members)
		topo.MultiAZ = topo.Nodes > 1
		return topo, nil
	default:
		return nil, fmt.Errorf("unknown target kind %q", target.Kind)
	}
}

func instanceTopology(target Target, inst *rdstypes.DBInstance) *Topology {
	topo := &Topology{
		Target: target, Instance: inst, ARN: deref(inst.DBInstanceArn), Engine: deref(inst.Engine),
		EngineVersion: deref(inst.EngineVersion), Status: deref(inst.DBInstanceStatus),
		Class: deref(inst.DBInstanceClass), MultiAZ: deref(inst.MultiAZ), AllocatedStorage: deref(inst.AllocatedStorage),
	}
	topo.Nodes = 1
	if topo.MultiAZ {
		topo.Nodes = 2
	}
	if p := inst.PendingModifiedValues; p != nil && p.MultiAZ != nil {
		v := *p.MultiAZ
		topo.PendingMultiAZ = &v
	}
	for _, f := range pendingFields(inst.PendingModifiedValues) {
		if f != "MultiAZ" {
			topo.PendingModifications = append(topo.PendingModifications, f)
		}
	}
	return topo
}

// pendingFields returns the names of the non-empty fields of a PendingModifiedValues-like struct.
func pendingFields(p any) []string {
	v := reflect.ValueOf(p)
	if !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return nil
	}
	v = reflect.Indirect(v)
	if v.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch f.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			if !f.IsNil() && (f.Kind() != reflect.Slice || f.Len() > 0) {
				names = append(names, v.Type().Field(i).Name)
			}
		case reflect.String:
			if f.String() != "" {
				names = append(names, v.Type().Field(i).Name)
			}
		}
	}
	return names
}

// ReaderSpec records what is needed to recreate an Aurora reader exactly as it was.
type ReaderSpec struct {
	Identifier                   string
	Class                        string
	AvailabilityZone             string
	PromotionTier                int32
	ParameterGroup               string
	PerformanceInsights          bool
	PerformanceInsightsKMSKeyID  string
	PerformanceInsightsRetention int32
	MonitoringInterval           int32
	MonitoringRoleARN            string
	PubliclyAccessible           bool
	AutoMinorVersionUpgrade      bool
	CACertificate                string
	// MaintenanceWindow is the reader's own PreferredMaintenanceWindow (RDS gives each Aurora
	// instance its own, often staggered from the writer's).
	MaintenanceWindow string
	// Tags are the reader's resource tags (Aurora instances do not inherit the cluster's), but
	// this provider's own and AWS's reserved ones (aws:, rds:). A run that saw the reader
	// has them, and records them on the guard snapshot (readerTagsRecord) when RDS's 50 tags
	// leave room, so that a resumed change or its rollback recreates the reader with them.
	Tags map[string]string
	// TagsUnrecorded is true when Tags are not known: the reader was recorded on a guard
	// snapshot that had no room for them or by an earlier version of this provider, or its
	// record in state has them null. Recreating the reader then sets none of them
	// (Result.ReaderWithoutTags, ChangeError.ReaderWithoutTags).
	TagsUnrecorded bool
}

// readerSpecFromInstance records a reader's settings.
func readerSpecFromInstance(inst *rdstypes.DBInstance) ReaderSpec {
	s := ReaderSpec{
		Identifier: deref(inst.DBInstanceIdentifier), Class: deref(inst.DBInstanceClass),
		AvailabilityZone: deref(inst.AvailabilityZone), PromotionTier: deref(inst.PromotionTier),
		PerformanceInsights:          deref(inst.PerformanceInsightsEnabled),
		PerformanceInsightsKMSKeyID:  deref(inst.PerformanceInsightsKMSKeyId),
		PerformanceInsightsRetention: deref(inst.PerformanceInsightsRetentionPeriod),
		MonitoringInterval:           deref(inst.MonitoringInterval), MonitoringRoleARN: deref(inst.MonitoringRoleArn),
		PubliclyAccessible: deref(inst.PubliclyAccessible), AutoMinorVersionUpgrade: deref(inst.AutoMinorVersionUpgrade),
		CACertificate: deref(inst.CACertificateIdentifier), MaintenanceWindow: deref(inst.PreferredMaintenanceWindow),
	}
	for _, t := range inst.TagList {
		// Not this provider's, nor AWS's reserved ones (aws:, rds:), which a request may not set.
		if k := deref(t.Key); !strings.HasPrefix(k, TagPrefix) && !strings.HasPrefix(strings.ToLower(k), "aws:") && !strings.HasPrefix(strings.ToLower(k), "rds:") {
			if s.Tags == nil {
				s.Tags = map[string]string{}
			}
			s.Tags[k] = deref(t.Value)
		}
	}
	if len(inst.DBParameterGroups) > 0 {
		s.ParameterGroup = deref(inst.DBParameterGroups[0].DBParameterGroupName)
	}
	return s
}

// createInput builds the CreateDBInstance call that recreates the reader in cluster.
func (s ReaderSpec) createInput(cluster, engine string, tags []rdstypes.Tag) *rds.CreateDBInstanceInput {
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: ptr(s.Identifier), DBClusterIdentifier: ptr(cluster),
		DBInstanceClass: ptr(s.Class), Engine: ptr(engine), PromotionTier: ptr(s.PromotionTier),
		PubliclyAccessible: ptr(s.PubliclyAccessible), AutoMinorVersionUpgrade: ptr(s.AutoMinorVersionUpgrade),
		Tags: tags,
	}
	if s.AvailabilityZone != "" {
		in.AvailabilityZone = ptr(s.AvailabilityZone)
	}
	if s.MaintenanceWindow != "" {
		in.PreferredMaintenanceWindow = ptr(s.MaintenanceWindow)
	}
	if s.ParameterGroup != "" {
		in.DBParameterGroupName = ptr(s.ParameterGroup)
	}
	if s.PerformanceInsights {
		in.EnablePerformanceInsights = ptr(true)
		if s.PerformanceInsightsKMSKeyID != "" {
			in.PerformanceInsightsKMSKeyId = ptr(s.PerformanceInsightsKMSKeyID)
		}
		if s.PerformanceInsightsRetention > 0 {
			in.PerformanceInsightsRetentionPeriod = ptr(s.PerformanceInsightsRetention)
		}
	}
	if s.MonitoringInterval > 0 {
		in.MonitoringInterval = ptr(s.MonitoringInterval)
		if s.MonitoringRoleARN != "" {
			in.MonitoringRoleArn = ptr(s.MonitoringRoleARN)
		}
	}
	if s.CACertificate != "" {
		in.CACertificateIdentifier = ptr(s.CACertificate)
	}
	return in
}

func ptr[T any](v T) *T { return &v }

// DescribeTarget is Describe for a target the user named (the first describe of a plan, an
// apply, a refresh or an import): when it is not found but its identifier names a resource of
// the other kind, the *NotFoundError's Hint says which attribute to use. It costs one more
// describe call then, so the orchestrator's polls use Describe.
func DescribeTarget(ctx context.Context, api RDSAPI, target Target) (*Topology, error) {
	t, err := Describe(ctx, api, target)
	if err != nil {
		return nil, otherKindHint(ctx, api, target, err)
	}
	return t, nil
}

// otherKindHint adds a Hint to err, target's *NotFoundError, when target's identifier names a
// resource of the other kind (a DB cluster given as db_instance_identifier, or a DB instance as
// db_cluster_identifier); any other error, or a lookup of the other kind that fails, leaves err as
// it is.
func otherKindHint(ctx context.Context, api RDSAPI, target Target, err error) error {
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.ID != target.Identifier {
		return err
	}
	switch target.Kind {
	case KindInstance:
		if _, e := FindDBCluster(ctx, api, target.Identifier); e == nil {
			nf.Hint = fmt.Sprintf("%s is a DB cluster: name it with db_cluster_identifier instead of db_instance_identifier", target.Identifier)
		}
	case KindCluster:
		if inst, e := FindDBInstance(ctx, api, target.Identifier); e == nil {
			nf.Hint = fmt.Sprintf("%s is a DB instance: name it with db_instance_identifier instead of db_cluster_identifier", target.Identifier)
			if c := deref(inst.DBClusterIdentifier); c != "" {
				nf.Hint = fmt.Sprintf("%s is a DB instance of DB cluster %s: name the cluster with db_cluster_identifier", target.Identifier, c)
			}
		}
	}
	return err
}
