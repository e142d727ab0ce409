package topology

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// EarlierChange is the latest change of a target that its guard snapshots record, whichever
// resource (or Terraform state) made it: what an import needs to know to take the target over.
type EarlierChange struct {
	// GuardID is the identifier of the change's latest guard snapshot.
	GuardID string
	// Prefix is the snapshot identifier prefix the change's guard snapshots were named with, ""
	// when the identifier does not tell it (a cluster's identifier shortened to RDS's limit).
	Prefix string
	// Generation, From and To are the change's generation and node counts (its guard's tags).
	Generation int64
	From, To   int
	// Outcome is the guard's outcome tag (OutcomeRollingBack, ...), "" for a guard snapshot that failed.
	Outcome string
}

// Open reports whether the change was requested and is neither recorded nor undone: its guard is
// tagged changing (the change call made, the change not validated) or rolling-back (the change
// failed and its rollback was not finished).
func (c *EarlierChange) Open() bool {
	return c != nil && (c.Outcome == OutcomeChanging || c.Outcome == OutcomeRollingBack)
}

// LatestChange finds, among the manual snapshots of target, the guard snapshots this provider
// took (its managed-by and target tags, any identifier prefix) and returns the change with the
// highest generation; of two changes of one generation (a change and its opposite), the one whose
// guard was taken last. nil when there is none. Read-only: one paginated describe call, whose
// TagList (which RDS returns with each snapshot) tells the guards apart, then the latest guard's
// own tags read again with ListTagsForResource.
func LatestChange(ctx context.Context, api RDSAPI, target Target) (*EarlierChange, error) {
	type candidate struct {
		id      string
		gen     int64
		created time.Time
	}
	var best *candidate
	consider := func(id string, created *time.Time, tagList []rdstypes.Tag) {
		tags := make(map[string]string, len(tagList))
		for _, t := range tagList {
			tags[deref(t.Key)] = deref(t.Value)
		}
		if tags[TagManagedBy] != ManagedByValue || !sameTarget(tags[TagTarget], target) {
			return
		}
		gen, err := strconv.ParseInt(tags[TagGeneration], 10, 64)
		if err != nil || gen < 1 {
			return
		}
		c := &candidate{id: id, gen: gen, created: farFuture}
		if created != nil { // a snapshot still being created has no time yet: it is the newest
			c.created = *created
		}
		if best == nil || c.gen > best.gen || (c.gen == best.gen && c.created.After(best.created)) {
			best = c
		}
	}
	manual := "manual"
	if target.Kind == KindCluster {
		p := rds.NewDescribeDBClusterSnapshotsPaginator(api, &rds.DescribeDBClusterSnapshotsInput{
			DBClusterIdentifier: &target.Identifier, SnapshotType: &manual})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing the manual snapshots of %s: %w", target.Noun(), err)
			}
			for _, s := range out.DBClusterSnapshots {
				consider(deref(s.DBClusterSnapshotIdentifier), s.SnapshotCreateTime, s.TagList)
			}
		}
	} else {
		p := rds.NewDescribeDBSnapshotsPaginator(api, &rds.DescribeDBSnapshotsInput{
			DBInstanceIdentifier: &target.Identifier, SnapshotType: &manual})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing the manual snapshots of %s: %w", target.Noun(), err)
			}
			for _, s := range out.DBSnapshots {
				consider(deref(s.DBSnapshotIdentifier), s.SnapshotCreateTime, s.TagList)
			}
		}
	}
	if best == nil {
		return nil, nil
	}
	g, err := loadGuard(ctx, api, target.Kind, best.id)
	if IsNotFound(err) { // deleted since the listing
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading guard snapshot %s: %w", best.id, err)
	}
	c := &EarlierChange{GuardID: g.id, Generation: best.gen, Outcome: guardOutcome(g, target)}
	c.From, _ = strconv.Atoi(g.tags[TagFromNodes])
	c.To, _ = strconv.Atoi(g.tags[TagToNodes])
	c.Prefix = guardPrefix(g.id, target, c.Generation, c.To)
	return c, nil
}

// farFuture orders a snapshot without a creation time after every other.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// guardPrefix returns the prefix p with GuardSnapshotID(p, target, generation, to, a) == id for
// some attempt a, or "" when id was not made so with an identifiable prefix (shortened to RDS's
// limit, or not this change's).
func guardPrefix(id string, target Target, generation int64, to int) string {
	for a := 1; a <= maxAttempts; a++ {
		// The identifier GuardSnapshotID makes with a one-letter prefix ends in the part every
		// prefix shares: "-<target>-g<generation>-to<nodes>[-r<attempt>]".
		tail := strings.TrimPrefix(GuardSnapshotID("x", target, generation, to, a), "x")
		if p, ok := strings.CutSuffix(id, tail); ok && p != "" && GuardSnapshotID(p, target, generation, to, a) == id {
			return p
		}
	}
	return ""
}
