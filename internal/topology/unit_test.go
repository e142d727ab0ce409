package topology

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// The production client satisfies the consumer-side interface.
var _ RDSAPI = (*rds.Client)(nil)

func TestGuardSnapshotID(t *testing.T) {
	inst := Target{Kind: KindInstance, Identifier: "mandible-prod"}
	cases := []struct {
		prefix  string
		target  Target
		gen     int64
		nodes   int
		attempt int
		want    string
	}{
		{"", inst, 1, 1, 1, "rightsize-guard-mandible-prod-g1-to1"},
		{"rs", inst, 7, 2, 1, "rs-mandible-prod-g7-to2"},
		{"rs", inst, 1, 1, 3, "rs-mandible-prod-g1-to1-r3"},
		{"My_Prefix--", Target{Kind: KindCluster, Identifier: "SSO-Prod"}, 2, 1, 1, "my-prefix-sso-prod-g2-to1"},
		{"9lives", inst, 1, 1, 1, "rs-9lives-mandible-prod-g1-to1"},
	}
	for _, c := range cases {
		got := GuardSnapshotID(c.prefix, c.target, c.gen, c.nodes, c.attempt)
		if got != c.want {
			t.Errorf("GuardSnapshotID(%q, %v, %d, %d, %d) = %q, want %q", c.prefix, c.target, c.gen, c.nodes, c.attempt, got, c.want)
		}
		if again := GuardSnapshotID(c.prefix, c.target, c.gen, c.nodes, c.attempt); again != got {
			t.Errorf("not deterministic: %q vs %q", got, again)
		}
	}
	// RDS allows 255 characters in a DB snapshot identifier and 63 in a DB cluster snapshot's.
	cluster := Target{Kind: KindCluster, Identifier: "payments-aurora-postgres-production-eu-west-1"} // 45 characters
	for _, c := range []struct {
		prefix string
		target Target
		max    int
	}{
		{strings.Repeat("p", 300), inst, 255},
		{strings.Repeat("p", 100), cluster, 63},
		{"", cluster, 63},
		{"", Target{Kind: KindCluster, Identifier: "a" + strings.Repeat("-b", 31)}, 63}, // a 63-character identifier
	} {
		seen := map[string]bool{}
		for _, gen := range []int64{1, 12} {
			for attempt := 1; attempt <= maxAttempts; attempt++ {
				id := GuardSnapshotID(c.prefix, c.target, gen, 1, attempt)
				if len(id) > c.max || strings.Contains(id, "--") || strings.HasSuffix(id, "-") || id[0] < 'a' || id[0] > 'z' {
					t.Errorf("%s guard identifier %q (%d chars) is not a valid RDS snapshot identifier (at most %d)", c.target.Kind, id, len(id), c.max)
				}
				if seen[id] {
					t.Errorf("%s guard identifier %q repeats", c.target.Kind, id)
				}
				seen[id] = true
			}
		}
	}
	if id := GuardSnapshotID("", Target{Kind: KindInstance, Identifier: cluster.Identifier}, 1, 1, 1); id != "rightsize-guard-"+cluster.Identifier+"-g1-to1" {
		t.Errorf("instance guard identifier %q: a DB snapshot identifier may have up to 255 characters and needs no shortening", id)
	}
	if GuardSnapshotID("x", inst, 1, 1, 1) == GuardSnapshotID("x", inst, 2, 1, 1) {
		t.Error("different generations must give different identifiers")
	}
	if id := restoreInstanceID("rightsize-guard-mandible-prod-g1-to1"); len(id) > 63 || !strings.HasPrefix(id, "rs-verify-") {
		t.Errorf("restore instance id %q", id)
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]Target{
		"instance:mandible-prod": {KindInstance, "mandible-prod"},
		"cluster:sso-prod":       {KindCluster, "sso-prod"},
	} {
		got, err := ParseTarget(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseTarget(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "mandible-prod", "db:x", "instance:", "cluster: "} {
		if _, err := ParseTarget(bad); err == nil || !strings.Contains(err.Error(), "instance:<db-instance-identifier>") {
			t.Errorf("ParseTarget(%q) = %v", bad, err)
		}
	}
}

func TestReaderTagsRoundTrip(t *testing.T) {
	spec := ReaderSpec{Identifier: "sso-prod-instance-2", Class: "db.t4g.medium", AvailabilityZone: "us-east-1b",
		PromotionTier: 1, ParameterGroup: "default.aurora-postgresql15", PerformanceInsights: true,
		PerformanceInsightsKMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/abc", PerformanceInsightsRetention: 7,
		MonitoringInterval: 60, MonitoringRoleARN: "arn:aws:iam::123456789012:role/rds-monitoring",
		AutoMinorVersionUpgrade: true, CACertificate: "rds-ca-rsa2048-g1", MaintenanceWindow: "wed:07:00-wed:07:30"}
	spec.Tags = map[string]string{"environment": "production"}
	tags := readerTags(spec)
	maps.Copy(tags, readerTagsRecord(spec.Tags))
	for k, v := range tags {
		if len(k) > 128 || len(v) > 256 {
			t.Errorf("tag %q=%q exceeds RDS limits", k, v)
		}
	}
	got, ok := readerFromTags(tags)
	if !ok || !reflect.DeepEqual(got, spec) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, spec)
	}
	if _, ok := readerFromTags(map[string]string{}); ok {
		t.Error("empty tags decoded as a reader")
	}
	// Without the tags' record (no room on the guard, or an earlier version's guard), the rest
	// decodes and the tags are unknown, not none.
	if got, ok := readerFromTags(readerTags(spec)); !ok || got.Tags != nil || !got.TagsUnrecorded || got.Class != spec.Class {
		t.Errorf("without the tags' record: %+v, %t", got, ok)
	}
	in := spec.createInput("sso-prod", EngineCluster, nil)
	if *in.DBClusterIdentifier != "sso-prod" || *in.DBInstanceClass != "db.t4g.medium" || *in.PromotionTier != 1 ||
		*in.AvailabilityZone != "us-east-1b" || !*in.EnablePerformanceInsights || *in.MonitoringInterval != 60 ||
		*in.DBParameterGroupName != "default.aurora-postgresql15" {
		t.Errorf("createInput lost settings: %+v", in)
	}
}

func TestPendingFields(t *testing.T) {
	if got := pendingFields((*rdstypes.PendingModifiedValues)(nil)); got != nil {
		t.Errorf("nil: %v", got)
	}
	if got := pendingFields(&rdstypes.PendingModifiedValues{}); got != nil {
		t.Errorf("empty: %v", got)
	}
	cls := "db.r6g.large"
	got := pendingFields(&rdstypes.PendingModifiedValues{DBInstanceClass: &cls, MultiAZ: ptr(false)})
	if strings.Join(got, ",") != "DBInstanceClass,MultiAZ" {
		t.Errorf("got %v", got)
	}
	inst := &rdstypes.DBInstance{DBInstanceIdentifier: ptr("x"), MultiAZ: ptr(true), DBInstanceStatus: ptr("available"),
		PendingModifiedValues: &rdstypes.PendingModifiedValues{DBInstanceClass: &cls, MultiAZ: ptr(false)}}
	topo := instanceTopology(Target{KindInstance, "x"}, inst)
	if topo.Nodes != 2 || topo.PendingMultiAZ == nil || *topo.PendingMultiAZ || strings.Join(topo.PendingModifications, ",") != "DBInstanceClass" {
		t.Errorf("topology %+v", topo)
	}
}

func TestIsTransient(t *testing.T) {
	throttle := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	if !IsTransient(fmt.Errorf("wrapped: %w", throttle)) {
		t.Error("throttling must be transient")
	}
	if IsTransient(&smithy.GenericAPIError{Code: "AccessDenied"}) {
		t.Error("AccessDenied must not be transient")
	}
	if IsTransient(context.Canceled) || IsTransient(fmt.Errorf("x: %w", context.DeadlineExceeded)) || IsTransient(nil) {
		t.Error("context errors must not be transient")
	}
	nf := &NotFoundError{Kind: "DB instance", ID: "x", Err: &rdstypes.DBInstanceNotFoundFault{}}
	if !IsNotFound(fmt.Errorf("w: %w", nf)) || IsNotFound(errors.New("x")) {
		t.Error("IsNotFound")
	}
	if !isInstanceNotFound(&smithy.GenericAPIError{Code: "DBInstanceNotFound"}) {
		t.Error("generic DBInstanceNotFound code not recognised")
	}
}

func TestChangeErrorMessages(t *testing.T) {
	base := ChangeError{Target: Target{KindInstance, "mandible-prod"}, Nodes: 1, Stage: "waiting for the change to settle",
		Err: errors.New("timeout"), GuardSnapshotID: "rightsize-guard-mandible-prod-g1-to1", GuardSnapshotARN: "arn:aws:rds:us-east-1:1:snapshot:x"}
	cases := []struct {
		mut  func(*ChangeError)
		want string
	}{
		{func(e *ChangeError) {}, "no change was made"},
		{func(e *ChangeError) {
			e.Changed, e.RollbackAttempted, e.RolledBack, e.RollbackAction = true, true, true, "Multi-AZ turned on again"
		}, "rolled back: Multi-AZ turned on again"},
		{func(e *ChangeError) {
			e.Changed, e.RollbackAttempted, e.RollbackErr = true, true, errors.New("refused")
		}, "ROLLBACK FAILED: refused"},
		{func(e *ChangeError) { e.Changed = true }, "not rolled back"},
		{func(e *ChangeError) { e.Interrupted = true }, "interrupted before any change"},
		{func(e *ChangeError) { e.Changed, e.GuardUnusable = true, true }, "guard snapshot no longer verifies, so nothing more is done behind it: check the database; to keep it as it is, " +
			"tag the guard snapshot rightsize-guard-mandible-prod-g1-to1 rightsize:outcome = superseded and import the database (after terraform state rm if the resource is in the state)"},
	}
	for _, c := range cases {
		e := base
		c.mut(&e)
		msg := e.Error()
		if !strings.Contains(msg, c.want) || !strings.Contains(msg, "guard snapshot rightsize-guard-mandible-prod-g1-to1 (arn:aws:rds:us-east-1:1:snapshot:x)") ||
			!strings.Contains(msg, "DB instance mandible-prod") || !strings.Contains(msg, "timeout") {
			t.Errorf("message %q lacks %q or the guard location", msg, c.want)
		}
	}
}

func TestRequestValidation(t *testing.T) {
	ok := Request{Target: Target{KindInstance, "a"}, Nodes: 1, Generation: 1}
	bad := []Request{
		{Target: Target{KindInstance, "a"}, Nodes: 3, Generation: 1},
		{Target: Target{KindInstance, ""}, Nodes: 1, Generation: 1},
		{Target: Target{KindInstance, "a"}, Nodes: 1, Generation: 0},
		{Target: Target{KindCluster, "a"}, Nodes: 1, Generation: 1, DeferToMaintenanceWindow: true},
		{Target: Target{KindCluster, "a"}, Nodes: 1, Generation: 1, VerifyRestore: true},
		{Target: Target{KindInstance, "a"}, Nodes: 1, Generation: 1, Tags: map[string]string{"rightsize:x": "y"}},
	}
	if err := ok.validate(); err != nil {
		t.Fatal(err)
	}
	for i, r := range bad {
		if err := r.validate(); err == nil {
			t.Errorf("case %d accepted: %+v", i, r)
		}
	}
}

func TestPlanSummary(t *testing.T) {
	inst := &Topology{Target: Target{KindInstance, "mandible-prod"}, Instance: &rdstypes.DBInstance{PreferredMaintenanceWindow: ptr("sun:05:00-sun:05:30")}}
	s := PlanSummary(Preview{Topology: inst}, Request{Target: inst.Target, Nodes: 1, Generation: 1, DeferToMaintenanceWindow: true, Validator: &PGValidator{}})
	for _, want := range []string{"rightsize-guard-mandible-prod-g1-to1", "MultiAZ=false, ApplyImmediately=false", "no outage",
		"sun:05:00-sun:05:30", "pending = true", "Multi-AZ on again", "no standby", "retained"} {
		if !strings.Contains(s, want) {
			t.Errorf("instance summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Automated backups are off") || !strings.Contains(s, "(point-in-time or the guard snapshot)") {
		t.Errorf("instance summary, retention not reported, reads as backups off:\n%s", s)
	}
	// Automated backups off (BackupRetentionPeriod 0): no point-in-time restore to promise.
	for _, days := range []int32{0, 7} {
		in := *inst.Instance
		in.BackupRetentionPeriod = &days
		topo := *inst
		topo.Instance = &in
		s := PlanSummary(Preview{Topology: &topo}, Request{Target: inst.Target, Nodes: 1, Generation: 1})
		off := strings.Contains(s, "Automated backups are off (backup retention period 0): there is no point-in-time restore") &&
			strings.Contains(s, "turn them on before this change") && !strings.Contains(s, "point-in-time or the guard snapshot")
		if off != (days == 0) {
			t.Errorf("instance summary, %d days of automated backups:\n%s", days, s)
		}
		// guard.retain = false: the guard is kept as the single node's only recovery point, but
		// not on the way back to two nodes.
		for _, nodes := range []int{1, 2} {
			s := PlanSummary(Preview{Topology: &topo}, Request{Target: inst.Target, Nodes: nodes, Generation: 1, DeleteGuardOnSuccess: true})
			kept := strings.Contains(s, "The guard snapshot is kept although guard.retain = false: without automated backups it is the single node's latest recovery point")
			if kept != (days == 0 && nodes == 1) || kept == strings.Contains(s, "The guard snapshot is deleted after a successful, validated change.") {
				t.Errorf("instance summary to %d node(s), guard.retain = false, %d days of automated backups:\n%s", nodes, days, s)
			}
		}
	}
	cl := &Topology{Target: Target{KindCluster, "sso-prod"}, Members: []Member{{Identifier: "w", Writer: true}, {Identifier: "sso-prod-instance-2", Class: "db.t4g.medium"}}}
	s = PlanSummary(Preview{Topology: cl}, Request{Target: cl.Target, Nodes: 1, Generation: 2, SnapshotPrefix: "pre"})
	for _, want := range []string{"DB cluster snapshot pre-sso-prod-g2-to1", "sso-prod-instance-2 (db.t4g.medium)", "reader endpoint move to the writer",
		"under 10 minutes", "the reader recreated", "never deleted", "target_session_attrs=read-only or standby", "targetServerType=secondary"} {
		if !strings.Contains(s, want) {
			t.Errorf("cluster summary lacks %q:\n%s", want, s)
		}
	}
	s = PlanSummary(Preview{}, Request{Target: cl.Target, Nodes: 2, Generation: 3, DeleteGuardOnSuccess: true,
		Previous: &Previous{Reader: &ReaderSpec{Identifier: "r1", Class: "db.t4g.medium", AvailabilityZone: "us-east-1b", PromotionTier: 1}}})
	for _, want := range []string{"r1 (db.t4g.medium, us-east-1b, promotion tier 1)", "deleted after a successful", "keep the two nodes if the target has them", "else roll back (the new reader deleted)"} {
		if !strings.Contains(s, want) {
			t.Errorf("1 → 2 summary lacks %q:\n%s", want, s)
		}
	}
	// No record (an imported single-node cluster): the summary names the reader the change creates.
	one := &Topology{Target: cl.Target, Class: "db.r6g.large", Members: []Member{{Identifier: "w", Writer: true, Class: "db.r6g.large"}}}
	s = PlanSummary(Preview{Topology: one}, Request{Target: cl.Target, Nodes: 2, Generation: 1})
	for _, want := range []string{"Create a reader sso-prod-reader (db.r6g.large, the writer's class, promotion tier 1, in an AZ of the cluster other than the writer's) with the writer's settings"} {
		if !strings.Contains(s, want) {
			t.Errorf("1 → 2 summary without a record lacks %q:\n%s", want, s)
		}
	}
}

// leftOriginal judges the shape, not the status: an instance RDS put in backing-up by itself is
// still at its original topology, and a reader still deleting has left it.
func TestLeftOriginal(t *testing.T) {
	on, off := true, false
	inst := func(status string, multiAZ bool, pending *bool) *Topology {
		return &Topology{Target: mandible, Status: status, MultiAZ: multiAZ, PendingMultiAZ: pending}
	}
	clu := func(members ...Member) *Topology {
		return &Topology{Target: sso, Status: "available", Members: members}
	}
	w := Member{Identifier: "sso-prod-instance-1", Writer: true, Status: "available"}
	rd := func(status string) Member { return Member{Identifier: "sso-prod-instance-2", Status: status} }
	for _, c := range []struct {
		name string
		r    *run
		t    *Topology
		want bool
	}{
		{"backing-up, still Multi-AZ", &run{req: Request{Target: mandible, Nodes: 1}, from: 2}, inst("backing-up", true, nil), false},
		{"modifying to Single-AZ", &run{req: Request{Target: mandible, Nodes: 1}, from: 2}, inst("modifying", true, &off), true},
		{"Single-AZ", &run{req: Request{Target: mandible, Nodes: 1}, from: 2}, inst("available", false, nil), true},
		{"back to Multi-AZ pending", &run{req: Request{Target: mandible, Nodes: 2}, from: 1}, inst("available", false, &on), true},
		{"reader still there", &run{req: Request{Target: sso, Nodes: 1}, from: 2, reader: &ReaderSpec{Identifier: "sso-prod-instance-2"}}, clu(w, rd("backing-up")), false},
		{"reader deleting", &run{req: Request{Target: sso, Nodes: 1}, from: 2, reader: &ReaderSpec{Identifier: "sso-prod-instance-2"}}, clu(w, rd("deleting")), true},
		{"reader gone", &run{req: Request{Target: sso, Nodes: 1}, from: 2, reader: &ReaderSpec{Identifier: "sso-prod-instance-2"}}, clu(w), true},
		{"reader being created", &run{req: Request{Target: sso, Nodes: 2}, from: 1, reader: &ReaderSpec{Identifier: "sso-prod-instance-2"}}, clu(w, rd("creating")), true},
		{"no reader yet", &run{req: Request{Target: sso, Nodes: 2}, from: 1, reader: &ReaderSpec{Identifier: "sso-prod-instance-2"}}, clu(w), false},
	} {
		if got := c.r.leftOriginal(c.t); got != c.want {
			t.Errorf("%s: leftOriginal = %t, want %t", c.name, got, c.want)
		}
	}
}
