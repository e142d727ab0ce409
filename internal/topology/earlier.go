package topology

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// EarlierChange is a change of a target as its guard snapshots record it, whichever resource (or
// Terraform state) made it: the latest (LatestChange), what an import needs to know to take the
// target over; or one change (GuardChange), what a refresh needs to record a change its apply did
// not.
type EarlierChange struct {
	// GuardID and GuardARN locate the change's latest guard snapshot.
	GuardID, GuardARN string
	// Identifier is the target's identifier the change's guard snapshots were named and tagged
	// with (their target tag's): the target's own, unless the target is a DB instance renamed
	// since (ModifyDBInstance NewDBInstanceIdentifier), whose guards taken before keep its old
	// name. A run of the target under its new name names its guards with that one, so it neither
	// finds nor resumes such a change.
	Identifier string
	// Prefix is the snapshot identifier prefix the change's guard snapshots were named with
	// (with Identifier), "" when the identifier does not tell it (a cluster's identifier
	// shortened to RDS's limit, named with another prefix than DefaultSnapshotPrefix).
	Prefix string
	// Generation, From and To are the change's generation and node counts (its guard's tags).
	Generation int64
	From, To   int
	// Outcome is the guard's outcome tag (OutcomeRollingBack, ...).
	Outcome string
	// MaxGeneration is the highest generation of any of the target's guard snapshots: a resource
	// created anew counts its generations from 1 again, so the latest change need not have it.
	// LatestChange's only (GuardChange leaves it 0).
	MaxGeneration int64
	// Reader is the Aurora reader the change recorded on its guard (the one it removed, or
	// created), nil when the guard records none.
	Reader *ReaderSpec
}

// Open reports whether the change was requested and is neither recorded nor undone: its guard is
// tagged changing (the change call made, the change not validated) or rolling-back (the change
// failed and its rollback was not finished).
func (c *EarlierChange) Open() bool {
	return c != nil && (c.Outcome == OutcomeChanging || c.Outcome == OutcomeRollingBack)
}

// LatestChange finds, among the manual snapshots of target, the guard snapshots this provider
// took of it (its managed-by and target tags, any identifier prefix; of an instance target, those
// of the instance that has the identifier now, whatever identifier it had when each was taken:
// walkGuards) and returns the change that began last (its guard's change-started tag; a failed
// snapshot guards nothing and is passed over; of a guard and a copy of it, the guard), with the
// highest generation of them all; its Identifier tells a change begun before a rename. nil when
// there is none. Read-only: for an instance, DescribeDBInstances for its DbiResourceId; one paginated
// describe call, whose TagList (which RDS returns with each snapshot) tells the guards apart,
// then the latest guard's own tags read again with ListTagsForResource.
func LatestChange(ctx context.Context, api RDSAPI, target Target) (*EarlierChange, error) {
	var (
		bestID   string
		bestGen  int64
		bestTime time.Time
		bestTo   int
		maxGen   int64
	)
	// named is the target as a guard's target tag names it (walkGuards passes only tags naming a
	// target of target's kind): an instance renamed since its guard was taken had another name.
	named := func(tags map[string]string) Target {
		if sameTarget(tags[TagTarget], target) {
			return target
		}
		if t, err := ParseTarget(tags[TagTarget]); err == nil && t.Kind == target.Kind {
			return t
		}
		return target
	}
	var bestTarget Target
	// own reports whether id is a guard identifier of its tags' change (not a copy's name): asked
	// only to break a tie, as guardPrefix may make every attempt's identifier to tell.
	own := func(id string, t Target, gen int64, to int) bool { return guardPrefix(id, t, gen, to) != "" }
	err := walkGuards(ctx, api, target, func(id, status string, created *time.Time, tags map[string]string) {
		gen, err := strconv.ParseInt(tags[TagGeneration], 10, 64)
		if err != nil || gen < 1 {
			return
		}
		maxGen = max(maxGen, gen)
		if strings.EqualFold(status, "failed") {
			return
		}
		at := changeStarted(tags, created)
		to, _ := strconv.Atoi(tags[TagToNodes])
		better := bestID == "" || at.After(bestTime)
		if !better && at.Equal(bestTime) {
			better = gen > bestGen || (gen == bestGen && !own(bestID, bestTarget, bestGen, bestTo) && own(id, named(tags), gen, to))
		}
		if better {
			bestID, bestGen, bestTime, bestTo, bestTarget = id, gen, at, to, named(tags)
		}
	})
	if err != nil || maxGen == 0 {
		return nil, err
	}
	c := &EarlierChange{MaxGeneration: maxGen}
	if bestID == "" { // only failed snapshots
		return c, nil
	}
	g, err := loadGuard(ctx, api, target.Kind, bestID)
	if IsNotFound(err) { // deleted since the listing
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading guard snapshot %s: %w", bestID, err)
	}
	// The guard's tags as read again: its outcome only while it still names the target it was
	// listed for (bestTarget, the target itself unless renamed since).
	c.GuardID, c.GuardARN, c.Generation, c.Outcome, c.Identifier = g.id, g.arn, bestGen, guardOutcome(g, bestTarget), bestTarget.Identifier
	c.From, _ = strconv.Atoi(g.tags[TagFromNodes])
	c.To, _ = strconv.Atoi(g.tags[TagToNodes])
	c.Prefix = guardPrefix(g.id, bestTarget, c.Generation, c.To)
	if spec, ok := readerFromTags(g.tags); ok {
		c.Reader = &spec
	}
	return c, nil
}

// GuardChange is the change of target to nodes with the given generation as its latest guard
// snapshot (named with prefix; an empty prefix means DefaultSnapshotPrefix) records it: the guard
// and outcome GuardOutcome returns, with the change's node counts and the Aurora reader it
// recorded. nil when there is no such guard. Read-only, with the calls GuardOutcome makes.
func GuardChange(ctx context.Context, api RDSAPI, prefix string, target Target, generation int64, nodes int) (*EarlierChange, error) {
	g, err := latestGuard(ctx, api, prefix, target, generation, nodes)
	if g == nil || err != nil {
		return nil, err
	}
	if strings.TrimSpace(prefix) == "" {
		prefix = DefaultSnapshotPrefix
	}
	c := &EarlierChange{GuardID: g.id, GuardARN: g.arn, Identifier: target.Identifier, Prefix: prefix,
		Generation: generation, From: 3 - nodes, To: nodes, Outcome: guardOutcome(g, target)}
	if n, err := strconv.Atoi(g.tags[TagFromNodes]); err == nil && (n == 1 || n == 2) {
		c.From = n
	}
	if spec, ok := readerFromTags(g.tags); ok {
		c.Reader = &spec
	}
	return c, nil
}

// Stood reports whether the change stands on the target, as a run left it: completed, failed and
// not rolled back (Request.DisableRollback, or a change to two nodes that gave the target its two
// nodes), or failed with its rollback failed. The apply that made it records it in the state
// only when it completed and its result was saved; the provider's refresh records the others.
func (c *EarlierChange) Stood() bool { return c != nil && ChangeStood(c.Outcome) }

// ChangeStood reports whether a guard's outcome tag is that of a change that stands (Stood).
func ChangeStood(outcome string) bool {
	switch outcome {
	case OutcomeCompleted, OutcomeFailedNotRolledBack, OutcomeRollbackFailed:
		return true
	}
	return false
}

// Previous is what is needed to undo the change, as the run that made it reports it
// (Result.Previous): the node count before it and, of an Aurora cluster, the reader it recorded.
func (c *EarlierChange) Previous(target Target) Previous {
	p := Previous{Nodes: c.From, MultiAZ: c.From == 2}
	if target.Kind == KindCluster && c.Reader != nil {
		spec := *c.Reader
		p.Reader = &spec
	}
	return p
}

// Action says what the change did, as the run that made it says it (Result.Action), and what
// became of it when it failed, naming its guard snapshot.
func (c *EarlierChange) Action(target Target) string {
	text := changeText(target, c.From, c.To, c.Reader, "")
	switch c.Outcome {
	case OutcomeCompleted:
		return text + " (completed by an earlier apply)"
	case OutcomeFailedNotRolledBack:
		return text + fmt.Sprintf(" (failed and not rolled back: guard snapshot %s, %s = %s)", c.GuardID, TagOutcome, c.Outcome)
	case OutcomeRollbackFailed:
		return text + fmt.Sprintf(" (failed, and its rollback failed: guard snapshot %s, %s = %s)", c.GuardID, TagOutcome, c.Outcome)
	}
	return text + fmt.Sprintf(" (guard snapshot %s, %s = %s)", c.GuardID, TagOutcome, c.Outcome)
}

// walkGuards calls fn for every manual snapshot of target that is a guard snapshot this provider
// took of it (its managed-by and target tags, whatever its identifier), with its tags as the
// describe call returned them (TagList). One paginated describe call, after an instance's
// DescribeDBInstances.
//
// A DB snapshot keeps the identifier its instance had when it was taken ("DB snapshots are
// retained for a renamed DB instance",
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RenameInstance.html): a listing by
// an instance's identifier finds the snapshots of a deleted or renamed instance that had it, and
// misses the instance's own taken before it was renamed. So an instance target's guards are
// listed by its DbiResourceId (the dbi-resource-id filter of DescribeDBSnapshots), which a rename
// keeps and no other instance has, when RDS reports it (one DescribeDBInstances call): those of the
// instance that has the identifier now, their target tag naming it by this identifier or by one it
// had before. A target not found (no DbiResourceId) is listed by identifier, its guards those
// tagged with it. A cluster target is listed by its identifier: an Aurora guard snapshot is a DB
// cluster snapshot, of the cluster's identifier.
func walkGuards(ctx context.Context, api RDSAPI, target Target, fn func(id, status string, created *time.Time, tags map[string]string)) error {
	if target.Kind == KindCluster {
		return walkClusterSnapshots(ctx, api, target, guardsOnly(target, "", fn))
	}
	own := ""
	switch in, err := FindDBInstance(ctx, api, target.Identifier); {
	case err == nil:
		own = deref(in.DbiResourceId)
	case !IsNotFound(err):
		return fmt.Errorf("listing the guard snapshots of %s: %w", target.Noun(), err)
	}
	if own == "" {
		return walkManualSnapshots(ctx, api, target, guardsOnly(target, "", fn))
	}
	manual := "manual"
	return walkDBSnapshots(ctx, api, &rds.DescribeDBSnapshotsInput{SnapshotType: &manual,
		Filters: []rdstypes.Filter{{Name: aws.String("dbi-resource-id"), Values: []string{own}}}},
		fmt.Sprintf("%s (by its resource id %s)", target.Noun(), own), guardsOnly(target, own, fn))
}

// guardsOnly adapts fn to a walk of manual snapshots (walkManualSnapshots): it is called for the
// guard snapshots this provider took of target only (their managed-by and target tags), with their
// tags as a map. With resourceID, only those of the instance whose DbiResourceId it is (a snapshot
// that reports another is a deleted or renamed instance's), and their target tag may name the
// instance by an identifier it had before a rename: the instance identifier the snapshot was
// taken under (source), as the provider tags a guard.
func guardsOnly(target Target, resourceID string, fn func(id, status string, created *time.Time, tags map[string]string)) func(id, status, source, resource string, created *time.Time, tagList []rdstypes.Tag) {
	return func(id, status, source, resource string, created *time.Time, tagList []rdstypes.Tag) {
		if resourceID != "" && resource != "" && resource != resourceID {
			return
		}
		tags := make(map[string]string, len(tagList))
		for _, t := range tagList {
			tags[deref(t.Key)] = deref(t.Value)
		}
		if tags[TagManagedBy] != ManagedByValue {
			return
		}
		named := sameTarget(tags[TagTarget], target)
		if !named && resourceID != "" && resource == resourceID {
			// Taken under the identifier its tag names: a guard of the instance before a rename,
			// not a snapshot of it tagged for another (a copy's tags, a user's).
			t, err := ParseTarget(tags[TagTarget])
			named = err == nil && t.Kind == target.Kind && strings.EqualFold(t.Identifier, source)
		}
		if named {
			fn(id, status, created, tags)
		}
	}
}

// walkManualSnapshots calls fn for every manual snapshot of target (a DB snapshot of an instance,
// a DB cluster snapshot of a cluster) with its identifier, status, source (the DB instance or
// cluster identifier it was taken under), source's resource id (a DB snapshot's DbiResourceId, ""
// for a cluster snapshot), creation time and TagList. One paginated describe call, filtered by
// the source's identifier: a deleted or renamed instance's snapshots taken under it are listed
// too, and a renamed instance's taken under its earlier name are not.
func walkManualSnapshots(ctx context.Context, api RDSAPI, target Target, fn func(id, status, source, resource string, created *time.Time, tagList []rdstypes.Tag)) error {
	if target.Kind == KindCluster {
		return walkClusterSnapshots(ctx, api, target, fn)
	}
	manual := "manual"
	return walkDBSnapshots(ctx, api, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: &target.Identifier, SnapshotType: &manual},
		target.Noun(), fn)
}

// walkDBSnapshots calls fn, as walkManualSnapshots does, for every DB snapshot the paginated
// DescribeDBSnapshots call in lists; what names them in its error ("the manual snapshots of …").
func walkDBSnapshots(ctx context.Context, api RDSAPI, in *rds.DescribeDBSnapshotsInput, what string, fn func(id, status, source, resource string, created *time.Time, tagList []rdstypes.Tag)) error {
	p := rds.NewDescribeDBSnapshotsPaginator(api, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the manual snapshots of %s: %w", what, err)
		}
		for _, s := range out.DBSnapshots {
			fn(deref(s.DBSnapshotIdentifier), deref(s.Status), deref(s.DBInstanceIdentifier), deref(s.DbiResourceId), s.SnapshotCreateTime, s.TagList)
		}
	}
	return nil
}

// walkClusterSnapshots is walkManualSnapshots for a cluster target, with only the cluster snapshot
// listing it needs.
func walkClusterSnapshots(ctx context.Context, api ClusterSnapshotsAPI, target Target, fn func(id, status, source, resource string, created *time.Time, tagList []rdstypes.Tag)) error {
	manual := "manual"
	p := rds.NewDescribeDBClusterSnapshotsPaginator(api, &rds.DescribeDBClusterSnapshotsInput{
		DBClusterIdentifier: &target.Identifier, SnapshotType: &manual})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the manual snapshots of %s: %w", target.Noun(), err)
		}
		for _, s := range out.DBClusterSnapshots {
			fn(deref(s.DBClusterSnapshotIdentifier), deref(s.Status), deref(s.DBClusterIdentifier), "", s.SnapshotCreateTime, s.TagList)
		}
	}
	return nil
}

// Guards lists the guard snapshots of target this provider took (walkGuards): how many there are,
// and the identifiers, oldest change first, of the closed ones (closedGuard), which guard no
// unfinished change: only restore points, which a user may delete when no longer needed.
func Guards(ctx context.Context, api RDSAPI, target Target) (total int, closed []string, err error) {
	type entry struct {
		id string
		at time.Time
	}
	var es []entry
	err = walkGuards(ctx, api, target, func(id, status string, created *time.Time, tags map[string]string) {
		total++
		if closedGuard(tags[TagOutcome], status) {
			es = append(es, entry{id, changeStarted(tags, created)})
		}
	})
	slices.SortStableFunc(es, func(a, b entry) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	for _, e := range es {
		closed = append(closed, e.id)
	}
	return total, closed, err
}

// ClosedOutcomes lists the outcome tags of closed guard snapshots (closedGuard), as messages
// name them.
const ClosedOutcomes = "completed, rolled-back, superseded, failed-not-rolled-back or rollback-failed"

// NeverDelete is the advice every message that invites deleting guard snapshots gives about the
// open ones: a guard tagged changing, rolling-back or pending-maintenance guards a change an
// apply began (the next apply resumes, validates or rolls it back by it); one tagged in-progress
// guards nothing yet (nothing was changed behind it) but a running apply's.
const NeverDelete = "never delete a guard snapshot tagged " + TagOutcome + " = changing, rolling-back or pending-maintenance " +
	"(the next apply finishes its change by it), nor one tagged in-progress while an apply of the database is running"

// closedGuard reports whether a guard snapshot with this outcome tag and status guards no
// unfinished change: its change completed, was rolled back (or its rollback failed for good),
// was superseded, or failed with rollback disabled; or the snapshot itself failed.
func closedGuard(outcome, status string) bool {
	switch outcome {
	case OutcomeCompleted, OutcomeRolledBack, OutcomeSuperseded, OutcomeFailedNotRolledBack, OutcomeRollbackFailed:
		return true
	}
	return strings.EqualFold(status, "failed")
}

// changeStarted is when a guard's change began: its change-started tag, which a copy of the
// snapshot keeps (with CopyTags) while its creation time is the copy's; else the snapshot's
// creation time; a snapshot still being created may have neither yet: it is the newest.
func changeStarted(tags map[string]string, created *time.Time) time.Time {
	if at, err := time.Parse(time.RFC3339Nano, tags[TagChangeStarted]); err == nil {
		return at
	}
	if created != nil {
		return *created
	}
	return farFuture
}

// ClosedGuardsText says how many of target's guard snapshots are closed (Guards), naming the
// oldest few; "" when there are none.
func ClosedGuardsText(target Target, closed []string) string {
	if len(closed) == 0 {
		return ""
	}
	list := strings.Join(closed, ", ")
	if len(closed) > 5 {
		list = strings.Join(closed[:5], ", ") + ", ..."
	}
	return fmt.Sprintf("%d guard snapshot(s) of %s this provider took are closed and may be deleted if no longer needed as restore points (%s)", len(closed), target.Noun(), list)
}

// closedGuardsText is ClosedGuardsText for target's guards as listed now; "" when the listing
// fails (best effort) or none is closed.
func closedGuardsText(ctx context.Context, api RDSAPI, target Target) string {
	_, closed, err := Guards(ctx, api, target)
	if err != nil {
		return ""
	}
	return ClosedGuardsText(target, closed)
}

// farFuture orders a snapshot without a creation time after every other.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// guardPrefix returns the prefix p with GuardSnapshotID(p, target, generation, to, a) == id for
// some attempt a, or "" when id was not made so with an identifiable prefix (shortened to RDS's
// limit with a prefix other than DefaultSnapshotPrefix, or not this change's).
func guardPrefix(id string, target Target, generation int64, to int) string {
	attempts := []int{1}
	if i := strings.LastIndex(id, "-r"); i >= 0 {
		if a, err := strconv.Atoi(id[i+2:]); err == nil && a > 1 && a <= maxAttemptNumber {
			attempts = append(attempts, a)
		}
	}
	for _, a := range attempts {
		// The identifier GuardSnapshotID makes with a one-letter prefix ends in the part every
		// prefix shares: "-<target>-g<generation>-to<nodes>[-r<attempt>]".
		tail := strings.TrimPrefix(GuardSnapshotID("x", target, generation, to, a), "x")
		if p, ok := strings.CutSuffix(id, tail); ok && p != "" && GuardSnapshotID(p, target, generation, to, a) == id {
			return p
		}
	}
	// An identifier shortened to RDS's limit ends in a hash instead: only the default prefix can
	// be told, by making its identifier of every attempt.
	for a := 1; a <= maxAttemptNumber; a++ {
		if GuardSnapshotID(DefaultSnapshotPrefix, target, generation, to, a) == id {
			return DefaultSnapshotPrefix
		}
	}
	return ""
}

// Toward reports whether t has n nodes or is on its way to them: a DB instance whose Multi-AZ
// flag, or pending Multi-AZ change, gives n nodes; a cluster with n members, or, for n = 1, one
// whose other members are being deleted.
func (t *Topology) Toward(n int) bool {
	if t.Nodes == n {
		return true
	}
	if t.Target.Kind == KindInstance {
		return t.PendingMultiAZ != nil && *t.PendingMultiAZ == (n == 2)
	}
	if n != 1 || len(t.Members) < 2 {
		return false
	}
	for _, m := range t.Members[1:] { // the writer first
		if !beingDeleted(m.Status) && m.Status != "deleted" {
			return false
		}
	}
	return true
}

// RemovedReader is an Aurora reader that a change of this provider removed from its cluster, as
// the change's guard snapshot records it (its rightsize:reader:* tags).
type RemovedReader struct {
	// Identifier and Class are the reader's DB instance identifier and instance class ("" when
	// the guard does not record it).
	Identifier, Class string
	// AvailabilityZone is the reader's Availability Zone ("" when not recorded).
	AvailabilityZone string
	// Requested is when the removal was requested (the guard's change-requested tag, else its
	// change-started tag, else the snapshot's creation time): the reader was a member of the
	// cluster until then at least; RDS deleted it within the minutes after.
	Requested time.Time
	// GuardID is the guard snapshot that records it.
	GuardID string
}

// ClusterSnapshotsAPI lists DB cluster snapshots (ReaderChanges, walkClusterSnapshots).
type ClusterSnapshotsAPI interface {
	DescribeDBClusterSnapshots(ctx context.Context, in *rds.DescribeDBClusterSnapshotsInput, optFns ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error)
}

// ReaderHistory is what the guard snapshots of an Aurora cluster record of its readers' comings
// and goings through this provider's changes (ReaderChanges).
type ReaderHistory struct {
	// Removed are the readers changes to 1 node removed, oldest removal first.
	Removed []RemovedReader
	// Added are when changes to 2 nodes were requested (each created a reader, rolled back or
	// not), oldest first.
	Added []time.Time
}

// ReaderChanges lists what the guard snapshots of the Aurora cluster clusterID (its managed-by and
// target tags) record of its readers: the readers that changes of this provider to 1 node removed
// (a change from 2 nodes to 1 whose change was requested, tagged changing or later: completed,
// failed-not-rolled-back, rolling-back, rollback-failed; not one rolled back, superseded or still
// in progress, behind which the reader stayed; and that records the reader), and when changes to
// 2 nodes were requested (each created a reader, rolled back since or not). A reader a rollback
// recreated is listed too: callers compare with the cluster's members. Read-only: one paginated
// describe call, whose TagList RDS returns with each snapshot. A guard deleted after success
// (retain = false) records nothing, nor does a reader added or deleted outside this provider.
func ReaderChanges(ctx context.Context, api ClusterSnapshotsAPI, clusterID string) (ReaderHistory, error) {
	target := Target{Kind: KindCluster, Identifier: strings.ToLower(clusterID)}
	var h ReaderHistory
	err := walkClusterSnapshots(ctx, api, target, guardsOnly(target, "", func(id, status string, created *time.Time, tags map[string]string) {
		if strings.EqualFold(status, "failed") {
			return
		}
		at, err := time.Parse(time.RFC3339Nano, tags[TagChangeRequested])
		if err != nil {
			at = changeStarted(tags, created)
		}
		switch outcome := tags[TagOutcome]; {
		case tags[TagFromNodes] == "1" && tags[TagToNodes] == "2":
			switch outcome {
			case OutcomeChanging, OutcomeCompleted, OutcomeFailedNotRolledBack, OutcomeRollingBack, OutcomeRollbackFailed, OutcomeRolledBack:
				h.Added = append(h.Added, at)
			}
		case tags[TagFromNodes] == "2" && tags[TagToNodes] == "1":
			switch outcome {
			case OutcomeChanging, OutcomeCompleted, OutcomeFailedNotRolledBack, OutcomeRollingBack, OutcomeRollbackFailed:
			default:
				return
			}
			if spec, ok := readerFromTags(tags); ok {
				h.Removed = append(h.Removed, RemovedReader{Identifier: spec.Identifier, Class: spec.Class, AvailabilityZone: spec.AvailabilityZone, Requested: at, GuardID: id})
			}
		}
	}))
	if err != nil {
		return ReaderHistory{}, err
	}
	slices.SortStableFunc(h.Removed, func(a, b RemovedReader) int { return a.Requested.Compare(b.Requested) })
	slices.SortFunc(h.Added, time.Time.Compare)
	return h, nil
}
