package topology

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// LatestChange finds the change with the highest generation among the target's guard snapshots
// of any prefix, the later of two changes of one generation, and nothing else: not a snapshot
// without the provider's tags, nor one tagged for another target.
func TestLatestChange(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	ctx := context.Background()
	latest := func() *EarlierChange {
		t.Helper()
		c, err := LatestChange(ctx, e.api, mandible)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := latest(); c != nil {
		t.Fatalf("no guard yet, got %+v", c)
	}
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 1, Generation: 1, Validator: okValidator{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.o.Run(ctx, Request{Target: mandible, Nodes: 2, Generation: 2, SnapshotPrefix: "Team-Guard", Validator: okValidator{}}); err != nil {
		t.Fatal(err)
	}
	snap := func(id string, tags map[string]string) {
		t.Helper()
		var tl []rdstypes.Tag
		for k, v := range tags {
			tl = append(tl, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		if _, err := e.api.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"),
			DBSnapshotIdentifier: aws.String(id), Tags: tl}); err != nil {
			t.Fatal(err)
		}
		e.srv.Advance(time.Hour)
	}
	// Higher generations, but not guards of this target's: ignored.
	snap("manual-before-upgrade", map[string]string{TagGeneration: "9", TagTarget: mandible.String()})
	snap("copied-guard", map[string]string{TagManagedBy: ManagedByValue, TagTarget: "instance:other-db", TagGeneration: "9", TagFromNodes: "2", TagToNodes: "1"})
	want := EarlierChange{GuardID: "team-guard-mandible-prod-g2-to2", Prefix: "team-guard", Generation: 2, From: 1, To: 2, Outcome: OutcomeCompleted}
	if c := latest(); c == nil || *c != want {
		t.Fatalf("latest change %+v, want %+v", c, want)
	}

	// Two changes of generation 3 (a change and, after its rollback was refused, the opposite
	// one): the guard taken last tells.
	guardTags := func(to, outcome string) map[string]string {
		from := map[string]string{"1": "2", "2": "1"}[to]
		return map[string]string{TagManagedBy: ManagedByValue, TagTarget: mandible.String(), TagGeneration: "3", TagFromNodes: from, TagToNodes: to, TagOutcome: outcome}
	}
	snap(GuardSnapshotID("", mandible, 3, 1, 1), guardTags("1", OutcomeRollingBack))
	snap(GuardSnapshotID("", mandible, 3, 2, 2), guardTags("2", OutcomeCompleted))
	want = EarlierChange{GuardID: "rightsize-guard-mandible-prod-g3-to2-r2", Prefix: DefaultSnapshotPrefix, Generation: 3, From: 1, To: 2, Outcome: OutcomeCompleted}
	if c := latest(); c == nil || *c != want || c.Open() {
		t.Fatalf("latest change %+v, want %+v (closed)", c, want)
	}
	snap(GuardSnapshotID("", mandible, 3, 1, 2), guardTags("1", OutcomeRollingBack))
	if c := latest(); c == nil || c.GuardID != "rightsize-guard-mandible-prod-g3-to1-r2" || c.To != 1 || !c.Open() {
		t.Fatalf("latest change %+v, want the later guard of generation 3, open", c)
	}
}

// guardPrefix recovers the prefix of any attempt's identifier, and gives "" for an identifier
// shortened to RDS's limit or one not of that change.
func TestGuardPrefix(t *testing.T) {
	long := Target{Kind: KindCluster, Identifier: "aurora-" + strings.Repeat("x", 50)}
	for _, tc := range []struct {
		id     string
		target Target
		gen    int64
		to     int
		want   string
	}{
		{GuardSnapshotID("", mandible, 4, 1, 1), mandible, 4, 1, DefaultSnapshotPrefix},
		{GuardSnapshotID("ci_guard", sso, 2, 2, 3), sso, 2, 2, "ci-guard"},
		{GuardSnapshotID("", mandible, 4, 1, 1), mandible, 4, 2, ""},
		{GuardSnapshotID("", mandible, 14, 1, 1), mandible, 4, 1, ""},
		{GuardSnapshotID("p", long, 1, 1, 1), long, 1, 1, ""},
	} {
		if got := guardPrefix(tc.id, tc.target, tc.gen, tc.to); got != tc.want {
			t.Errorf("guardPrefix(%q, g%d to%d) = %q, want %q", tc.id, tc.gen, tc.to, got, tc.want)
		}
	}
}
