package topology

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/wait"
)

// DefaultSnapshotPrefix is the guard snapshot identifier prefix used when none is given.
const DefaultSnapshotPrefix = "rightsize-guard"

// Tag keys written on guard snapshots. Every key starts with TagPrefix.
const (
	TagPrefix        = "rightsize:"
	TagManagedBy     = TagPrefix + "managed-by"
	TagTarget        = TagPrefix + "target"
	TagGeneration    = TagPrefix + "generation"
	TagFromNodes     = TagPrefix + "from-nodes"
	TagToNodes       = TagPrefix + "to-nodes"
	TagChangeStarted = TagPrefix + "change-started"
	// TagRun identifies the run that took the guard snapshot (random, per run): a request to
	// create it that RDS answers "already exists" is the run's own only when it carries this
	// run's (a retry whose first answer was lost), not another run's of the same change.
	TagRun = TagPrefix + "run"
	// TagDeferred records, for a DB instance's change, whether it waits for the maintenance
	// window ("true") or was requested to apply immediately ("false").
	TagDeferred = TagPrefix + "deferred"
	// TagChangeRequested records when the run tagged the guard snapshot changing, right before its
	// change call (changeShows).
	TagChangeRequested = TagPrefix + "change-requested"
	TagOutcome         = TagPrefix + "outcome"
	TagRestoreVerified = TagPrefix + "restore-verified"
	// TagFailure records why the change failed, as the run that began its rollback saw it (at
	// most 256 characters, in the characters RDS allows: tagText), so that the run that finishes
	// the rollback, perhaps days later, still says what it undoes.
	TagFailure      = TagPrefix + "failure"
	tagReaderPrefix = TagPrefix + "reader:"
	tagFactPrefix   = TagPrefix + "v:"
	// ManagedByValue is the value of TagManagedBy.
	ManagedByValue = "terraform-provider-rightsize"
)

// Outcome values of TagOutcome.
const (
	OutcomeInProgress     = "in-progress"
	OutcomePending        = "pending-maintenance"
	OutcomeCompleted      = "completed"
	OutcomeRolledBack     = "rolled-back"
	OutcomeRollbackFailed = "rollback-failed"
	// OutcomeRollingBack marks a change whose rollback has begun: it is set before the first
	// rollback call, so that a run interrupted during its rollback is not mistaken for one that
	// changed nothing. The next run finishes the rollback (Run) rather than resuming the change.
	OutcomeRollingBack = "rolling-back"
	// OutcomeChanging marks a change about to be requested: it is set (and must be set) before
	// the change call, so that in-progress means that nothing was changed yet. A guard still
	// tagged changing while the target is back at its original topology belongs to a change
	// that did not take effect or was rolled back without the outcome being recorded.
	OutcomeChanging = "changing"
	// OutcomeFailedNotRolledBack marks a change that failed with rollback disabled
	// (Request.DisableRollback): the target is left as the change made it.
	OutcomeFailedNotRolledBack = "failed-not-rolled-back"
	// OutcomeSuperseded marks a guard snapshot an interrupted run took before changing anything,
	// replaced by the next run's own (a change is made only behind a guard taken in its run); users
	// also tag it by hand, as messages advise, to close a change they keep as it is (then import).
	OutcomeSuperseded = "superseded"
)

// maxAttempts bounds how many guard snapshots of one change generation may exist at once: a new
// attempt is made only after a rolled-back, failed or superseded one, and a resource created anew
// (or replaced) starts again at generation 1, so a long-lived database may gather them; deleting
// the ones no longer needed makes room.
const maxAttempts = 20

// maxAttemptNumber is the highest attempt number a guard snapshot identifier may carry: the next
// attempt is one above the highest that exists, whatever was deleted below it, and lookups
// search every number up to it.
const maxAttemptNumber = 999

// maxTags is the RDS limit of tags per resource.
const maxTags = 50

// maxTagValue is the RDS limit of a tag value's length.
const maxTagValue = 256

// tagsAddedLater is how many tags a guard snapshot may gain after it is taken: TagChangeRequested,
// TagFailure and TagRestoreVerified (TagOutcome is there from the start).
const tagsAddedLater = 3

// GuardTagsRoom is how many Request.Tags the guard snapshot of a target of kind has room for
// beside facts tags of a validation baseline (a row count per validation table, and its index
// definitions with CheckIndexes) and the most this provider writes there itself: the change's
// record, an Aurora reader's settings (each field set, none longer than one tag holds) and the
// tags added during the change, within RDS's 50 per resource. A request with more fails at the
// guard snapshot, before anything is changed; below 0 when the facts alone leave no room.
func GuardTagsRoom(kind Kind, facts int) int {
	r := &run{req: Request{Target: Target{Kind: kind, Identifier: "x"}}}
	if kind == KindCluster {
		r.reader = &ReaderSpec{Identifier: "x", Class: "x", AvailabilityZone: "x", ParameterGroup: "x", PerformanceInsightsKMSKeyID: "x",
			MonitoringRoleARN: "x", CACertificate: "x", MaintenanceWindow: "x", TagsUnrecorded: true}
	}
	return maxTags - tagsAddedLater - len(r.guardTags()) - facts
}

// GuardSnapshotID returns the deterministic identifier of the guard snapshot of a change:
// "<prefix>-<target id>-g<generation>-to<nodes>", plus "-r<attempt>" for attempts after the
// first. The result is lower case, contains only letters, digits and single hyphens, starts with
// a letter and is at most as long as RDS allows: 255 characters for a DB snapshot, 63 for a DB
// cluster snapshot (CreateDBClusterSnapshot: "Must contain from 1 to 63 letters, numbers, or
// hyphens"). A longer one ends in a hash of the whole, so it stays deterministic and distinct.
// An empty prefix means DefaultSnapshotPrefix.
func GuardSnapshotID(prefix string, target Target, generation int64, nodes, attempt int) string {
	if strings.TrimSpace(prefix) == "" {
		prefix = DefaultSnapshotPrefix
	}
	id := fmt.Sprintf("%s-%s-g%d-to%d", prefix, target.Identifier, generation, nodes)
	if attempt > 1 {
		id += fmt.Sprintf("-r%d", attempt)
	}
	return sanitizeIdentifier(id, maxSnapshotIDLen(target.Kind))
}

// maxSnapshotIDLen is the longest snapshot identifier RDS accepts for a target of kind k.
func maxSnapshotIDLen(k Kind) int {
	if k == KindCluster {
		return 63
	}
	return 255
}

// sanitizeIdentifier makes s a valid RDS identifier of at most n characters.
func sanitizeIdentifier(s string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" || out[0] < 'a' || out[0] > 'z' {
		out = "rs-" + out
	}
	if len(out) > n {
		sum := sha256.Sum256([]byte(out))
		out = strings.TrimRight(out[:n-9], "-") + "-" + hex.EncodeToString(sum[:4])
	}
	return strings.TrimRight(out, "-")
}

// restoreInstanceID is the temporary instance identifier used by verify_restore (≤ 63 chars).
// It is a function of the guard snapshot identifier, itself predictable: anyone may create an
// instance of that name first, so an existing one is used only if restoreInstanceOwned.
func restoreInstanceID(guardID string) string {
	sum := sha256.Sum256([]byte(guardID))
	return "rs-verify-" + hex.EncodeToString(sum[:6])
}

// tagPurpose is the tag key verify_restore sets on its temporary restore instance, with the value
// restorePurpose(guard snapshot id).
const tagPurpose = TagPrefix + "purpose"

// restorePurpose is the value of tagPurpose on the temporary restore instance of guard snapshot
// guardID.
func restorePurpose(guardID string) string { return "verify-restore of " + guardID }

// restoreInstanceTags are the tags verify_restore creates the temporary restore instance of guard
// snapshot guardID with; restoreInstanceOwned recognises them.
func restoreInstanceTags(guardID string) map[string]string {
	return map[string]string{TagManagedBy: ManagedByValue, tagPurpose: restorePurpose(guardID)}
}

// restoreTags are the tags r creates the temporary restore instance of guard snapshot guardID
// with: restoreInstanceTags and Request.Tags, which an organisation's tag policy may require on
// every instance created as on the guard snapshot.
func (r *run) restoreTags(guardID string) map[string]string {
	tags := maps.Clone(r.req.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	maps.Copy(tags, restoreInstanceTags(guardID))
	return tags
}

// restoreInstanceOwned reports whether inst carries every tag of restoreInstanceTags(guardID):
// verify_restore created it for that guard snapshot, and it may wait for it and delete it.
func restoreInstanceOwned(inst *rdstypes.DBInstance, guardID string) bool {
	have := map[string]string{}
	for _, t := range inst.TagList {
		have[deref(t.Key)] = deref(t.Value)
	}
	for k, v := range restoreInstanceTags(guardID) {
		if have[k] != v {
			return false
		}
	}
	return true
}

// foreignRestoreInstanceError is the error for a DB instance named like the temporary restore
// instance of guard snapshot guardID that verify_restore did not create.
func foreignRestoreInstanceError(inst *rdstypes.DBInstance, guardID string) error {
	return fmt.Errorf("verify_restore restores guard snapshot %s to the temporary DB instance %s and deletes that instance "+
		"afterwards, but DB instance %s (status %q) already exists without both tags %s=%s and %s=%q, so this provider did "+
		"not create it for this check and will neither use nor delete it: delete or rename DB instance %s, then apply again",
		guardID, deref(inst.DBInstanceIdentifier), deref(inst.DBInstanceIdentifier), deref(inst.DBInstanceStatus),
		TagManagedBy, ManagedByValue, tagPurpose, restorePurpose(guardID), deref(inst.DBInstanceIdentifier))
}

// checkRestoreName looks for a DB instance named like the temporary restore instance of guard
// snapshot guardID: it returns nil when there is none, the instance when verify_restore created
// it for that snapshot (restoreInstanceOwned; an interrupted run's, to be reused), and an error
// (foreignRestoreInstanceError) for any other.
func (r *run) checkRestoreName(ctx context.Context, guardID string) (*rdstypes.DBInstance, error) {
	tmp := restoreInstanceID(guardID)
	inst, err := FindDBInstance(ctx, r.o.RDS, tmp)
	switch {
	case IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("looking up the temporary restore instance %s: %w", tmp, err)
	case !restoreInstanceOwned(inst, guardID):
		return nil, foreignRestoreInstanceError(inst, guardID)
	}
	return inst, nil
}

// guard is the observed state of a guard snapshot.
type guard struct {
	id, arn string
	attempt int
	status  string
	created time.Time
	engine  string
	source  string
	storage int32
	percent int32
	manual  bool
	// requested is when this run asked RDS for the snapshot (zero: found, not taken by this run).
	requested time.Time
	tags      map[string]string
	snapshot  any // *rdstypes.DBSnapshot or *rdstypes.DBClusterSnapshot
}

func (g *guard) outcome() string { return g.tags[TagOutcome] }

// deferredOutcome is outcome as a deferred change's guard reads: OutcomePending also for one the
// run that requested the change left changing, still tagged deferred (tagging it
// pending-maintenance after the request is best effort).
func (g *guard) deferredOutcome() string {
	if g.outcome() == OutcomeChanging && g.tags[TagDeferred] == "true" {
		return OutcomePending
	}
	return g.outcome()
}

// usable reports whether the guard belongs to a change still open (not failed, rolled back,
// completed or superseded): the guard a begun change continues with, or one an interrupted run
// took before changing anything (which the next run retires).
func (g *guard) usable() bool {
	if g == nil {
		return false
	}
	switch g.status {
	case "creating", "available", "pending":
	default:
		return false
	}
	switch g.outcome() {
	case OutcomeRolledBack, OutcomeRollbackFailed, OutcomeCompleted, OutcomeSuperseded, OutcomeRollingBack, OutcomeFailedNotRolledBack:
		// Rolled back: the next attempt takes a fresh guard. Completed while the target is back
		// in its original topology: someone reverted the change since; guard it anew. Rolling
		// back: the change failed; the next run finishes the rollback, never the change. Failed,
		// not rolled back (rollback disabled): the target is left as it is, for the user to keep
		// (import) or undo; resuming would only check against the old baseline again.
		return false
	}
	return true
}

// abandoned reports whether g (nil: no guard) was taken by a run interrupted before it changed
// anything: still usable and its outcome still in progress. Found while the target is in its
// original topology, such a guard is retired, not used.
func (g *guard) abandoned() bool {
	return g != nil && g.usable() && g.outcome() == OutcomeInProgress
}

// loadGuard describes a guard snapshot and its tags. Missing → *NotFoundError.
func loadGuard(ctx context.Context, api RDSAPI, kind Kind, id string) (*guard, error) {
	return describeGuard(ctx, api, kind, id, true)
}

// describeGuard describes a guard snapshot; with listTags it also reads its tags with
// ListTagsForResource (otherwise only the TagList the describe call returned).
func describeGuard(ctx context.Context, api RDSAPI, kind Kind, id string, listTags bool) (*guard, error) {
	g := &guard{id: id, tags: map[string]string{}}
	var tagList []rdstypes.Tag
	if kind == KindCluster {
		s, err := FindDBClusterSnapshot(ctx, api, id)
		if err != nil {
			return nil, err
		}
		g.arn, g.status, g.engine = deref(s.DBClusterSnapshotArn), deref(s.Status), deref(s.Engine)
		g.source, g.storage, g.percent = deref(s.DBClusterIdentifier), deref(s.AllocatedStorage), deref(s.PercentProgress)
		g.created, g.manual = deref(s.SnapshotCreateTime), strings.EqualFold(deref(s.SnapshotType), "manual") || s.SnapshotType == nil
		g.snapshot, tagList = s, s.TagList
	} else {
		s, err := FindDBSnapshot(ctx, api, id)
		if err != nil {
			return nil, err
		}
		g.arn, g.status, g.engine = deref(s.DBSnapshotArn), deref(s.Status), deref(s.Engine)
		g.source, g.storage, g.percent = deref(s.DBInstanceIdentifier), deref(s.AllocatedStorage), deref(s.PercentProgress)
		g.created, g.manual = deref(s.SnapshotCreateTime), strings.EqualFold(deref(s.SnapshotType), "manual") || s.SnapshotType == nil
		g.snapshot, tagList = s, s.TagList
	}
	for _, t := range tagList {
		g.tags[deref(t.Key)] = deref(t.Value)
	}
	if listTags && g.arn != "" {
		out, err := api.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: &g.arn})
		if err != nil {
			return nil, fmt.Errorf("listing tags of snapshot %s: %w", id, err)
		}
		for _, t := range out.TagList {
			g.tags[deref(t.Key)] = deref(t.Value)
		}
	}
	return g, nil
}

// createdShowsWithin is how long after the call that creates a DB snapshot or DB instance RDS's
// describe calls may still not show it (their reads are eventually consistent): a resource this
// run just asked for and not found within it is taken for deleted. Waiters of the AWS provider
// allow as long (20 polls of 10 seconds and more).
const createdShowsWithin = 3 * time.Minute

// notShownYet is the wait state of a resource this run asked for that RDS's describe calls do not
// show yet (createdShowsWithin).
const notShownYet = "not-shown-yet"

// missing is the wait state of a resource RDS does not find: notShownYet while requested (when
// this run asked for it; zero otherwise) is less than createdShowsWithin ago, else "deleted".
func (r *run) missing(requested time.Time) string {
	if !requested.IsZero() && r.o.now().Sub(requested) < createdShowsWithin {
		return notShownYet
	}
	return "deleted"
}

// findCreated is find, a describe call of what, which RDS has just answered "already exists" to
// this run's create call (a retried request whose first answer was lost, say): RDS's describe
// calls may not show it yet (createdShowsWithin), so a not-found is waited out, as any wait polls,
// until createdShowsWithin after that answer rather than taken for gone. Past the window it
// returns find's not-found, saying so. A transient error of find (IsTransient: throttled past the
// SDK's retries, say) is retried as in every wait; any other error is returned at once.
func findCreated[T any](ctx context.Context, r *run, what string, find func(context.Context) (T, error)) (T, error) {
	answered := r.o.now()
	var notFound error
	w := wait.Waiter[T]{
		Description: what + ", which RDS says already exists",
		Pending:     []string{notShownYet}, Target: []string{"found"},
		Retryable:   IsTransient,
		Progress:    r.waitProgress("RDS to show " + what + ", which it says already exists"),
		MinInterval: r.o.PollMin, MaxInterval: r.o.PollMax, Sleep: r.o.Sleep,
		Refresh: func(ctx context.Context) (T, string, error) {
			v, err := find(ctx)
			switch {
			case IsNotFound(err):
				notFound = err
				return v, r.missing(answered), nil
			case err != nil:
				return v, "", err
			}
			return v, "found", nil
		},
	}
	v, err := w.Wait(ctx)
	if ue := (*wait.UnexpectedStateError)(nil); errors.As(err, &ue) && notFound != nil {
		return v, fmt.Errorf("%w (RDS said it already exists; not shown by its describe calls within %s since)", notFound, createdShowsWithin)
	}
	return v, err
}

// waitGuard polls the guard snapshot until it is available. A snapshot that ends in any other
// state (failed, deleted) yields a *wait.UnexpectedStateError; one this run has just asked for is
// not taken for deleted before createdShowsWithin.
func (r *run) waitGuard(ctx context.Context, g *guard) (*guard, error) {
	seen := false
	w := wait.Waiter[*guard]{
		Description: "guard snapshot " + g.id,
		Pending:     []string{"creating", "pending", "copying", notShownYet},
		Target:      []string{"available"},
		Retryable:   IsTransient,
		Progress:    r.waitProgress("guard snapshot " + g.id + " to be available"),
		MinInterval: r.o.PollMin, MaxInterval: r.o.PollMax, Sleep: r.o.Sleep,
		Refresh: func(ctx context.Context) (*guard, string, error) {
			cur, err := describeGuard(ctx, r.o.RDS, r.req.Target.Kind, g.id, false)
			if IsNotFound(err) {
				return nil, r.missing(g.requested), nil
			}
			if err != nil {
				return nil, "", err
			}
			seen = true
			cur.attempt = g.attempt
			// Status polls skip ListTagsForResource; the tags are those already known plus
			// whatever TagList the describe returned.
			for k, v := range g.tags {
				if _, ok := cur.tags[k]; !ok {
					cur.tags[k] = v
				}
			}
			return cur, cur.status, nil
		},
	}
	cur, err := w.Wait(ctx)
	if err != nil && !seen && !g.requested.IsZero() {
		g.status = notShownYet // not "creating": never seen (the error's restore-point note)
	}
	return cur, neverShown(err, !seen, g.requested)
}

// neverShown explains err, a wait's, when it ended on "deleted" for a resource this run asked RDS
// to create at requested (not zero) and never saw (missing): RDS did not show it within
// createdShowsWithin, which says no more than that.
func neverShown(err error, unseen bool, requested time.Time) error {
	var ue *wait.UnexpectedStateError
	if !unseen || requested.IsZero() || !errors.As(err, &ue) || ue.State != "deleted" {
		return err
	}
	return fmt.Errorf("%w: RDS's describe calls have not shown it in the %s since this run asked RDS to create it "+
		"(deleted meanwhile, or they lag further behind than usual)", err, createdShowsWithin)
}

// verifyGuard checks that the guard snapshot is the one this change made and that it is usable
// as a restore point: available, manual, of the target, same engine (and, for a DB instance,
// size), complete, and created after the change began.
func (r *run) verifyGuard(g *guard, resuming bool) error {
	var problems []string
	if g.status != "available" {
		problems = append(problems, fmt.Sprintf("status is %q, expected \"available\"", g.status))
	}
	if !g.manual {
		problems = append(problems, "it is not a manual snapshot")
	}
	if !strings.EqualFold(g.source, r.req.Target.Identifier) {
		problems = append(problems, fmt.Sprintf("it is a snapshot of %q, not of %q", g.source, r.req.Target.Identifier))
	}
	if g.engine != "" && r.topo.Engine != "" && g.engine != r.topo.Engine {
		problems = append(problems, fmt.Sprintf("engine is %q, the target runs %q", g.engine, r.topo.Engine))
	}
	// A begun change may have met storage autoscaling (or a storage change applied in the same
	// maintenance window) since its guard was taken: the guard may then be smaller, never larger.
	// An Aurora cluster has no size to compare: DescribeDBClusters reports its AllocatedStorage as
	// 1 ("Aurora DB cluster storage size isn't fixed"), while its snapshots report the volume's.
	if r.req.Target.Kind == KindInstance && g.storage > 0 && r.topo.AllocatedStorage > 0 &&
		(g.storage > r.topo.AllocatedStorage || (!resuming && g.storage != r.topo.AllocatedStorage)) {
		problems = append(problems, fmt.Sprintf("allocated storage is %d GiB, the target has %d GiB", g.storage, r.topo.AllocatedStorage))
	}
	if r.req.Target.Kind == KindInstance && g.storage <= 0 {
		problems = append(problems, "allocated storage is not reported")
	}
	if g.percent != 0 && g.percent != 100 {
		problems = append(problems, fmt.Sprintf("progress is %d%%", g.percent))
	}
	if got, want := g.tags[TagTarget], r.req.Target.String(); !sameTarget(got, r.req.Target) {
		problems = append(problems, fmt.Sprintf("tag %s is %q, expected %q", TagTarget, got, want))
	}
	if got, want := g.tags[TagGeneration], strconv.FormatInt(r.req.Generation, 10); got != want {
		problems = append(problems, fmt.Sprintf("tag %s is %q, expected %q", TagGeneration, got, want))
	}
	started, err := time.Parse(time.RFC3339Nano, g.tags[TagChangeStarted])
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("tag %s is missing or invalid", TagChangeStarted))
	case g.created.IsZero():
		problems = append(problems, "snapshot creation time is not reported")
	case g.created.Before(started.Add(-r.o.clockSkew())):
		problems = append(problems, fmt.Sprintf("it was created at %s, before this change began at %s",
			g.created.UTC().Format(time.RFC3339), started.UTC().Format(time.RFC3339)))
	}
	if len(problems) > 0 {
		return fmt.Errorf("verifying guard snapshot %s: %s", g.id, strings.Join(problems, "; "))
	}
	return nil
}

// createGuard creates the guard snapshot g.id with the given tags. A snapshot that already exists
// is accepted only as this run's own (a retried request whose first answer was lost: its TagRun
// is this run's); another run's, taken for the same change at the same time
// (another workspace, or another resource on the same database), is refused as a concurrent run
// (ownCreation), never taken for this run's guard.
// With verify_restore (DB instances), a DB instance already named like the snapshot's temporary
// restore instance that verify_restore did not create (checkRestoreName) fails the run here,
// before the snapshot is taken, rather than after it.
func (r *run) createGuard(ctx context.Context, id string, tags map[string]string) error {
	tl := toTagList(tags)
	if len(tl)+tagsAddedLater > maxTags {
		return fmt.Errorf("creating guard snapshot %s: %d tags, and %d more added during the change, exceed the RDS limit of %d (reduce validation tables or tags)", id, len(tl), tagsAddedLater, maxTags)
	}
	if r.req.VerifyRestore && r.req.Target.Kind == KindInstance {
		if _, err := r.checkRestoreName(ctx, id); err != nil {
			return fmt.Errorf("guard snapshot %s not taken: %w", id, err)
		}
	}
	var err error
	if r.req.Target.Kind == KindCluster {
		_, err = r.o.RDS.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{
			DBClusterIdentifier: &r.req.Target.Identifier, DBClusterSnapshotIdentifier: &id, Tags: tl})
	} else {
		_, err = r.o.RDS.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{
			DBInstanceIdentifier: &r.req.Target.Identifier, DBSnapshotIdentifier: &id, Tags: tl})
	}
	if err != nil && isAlreadyExists(err) {
		return r.ownCreation(ctx, id, tags)
	}
	if err != nil {
		if errors.As(err, new(*rdstypes.SnapshotQuotaExceededFault)) {
			// The account's manual snapshots of this kind are at RDS's quota (100 per Region by
			// default): guard snapshots retained over many changes count toward it.
			kind, quota := "DB snapshots", "Manual DB instance snapshots"
			if r.req.Target.Kind == KindCluster {
				kind, quota = "DB cluster snapshots", "Manual DB cluster snapshots"
			}
			hint := closedGuardsText(ctx, r.o.RDS, r.req.Target)
			if hint != "" {
				hint = "; " + hint
			}
			return fmt.Errorf("creating guard snapshot %s of %s: %w: the account has as many manual %s in this Region as RDS allows%s. "+
				"Delete manual snapshots no longer needed (%s), "+
				"or ask for a higher quota (Service Quotas, Amazon Relational Database Service: %s), then apply again",
				id, r.req.Target.Noun(), err, kind, hint, NeverDelete, quota)
		}
		if isInvalidState(err) {
			// Busy since this run described it: another run's guard snapshot, say.
			return fmt.Errorf("creating guard snapshot %s of %s: %w: %s", id, r.req.Target.Noun(), err, busyAdvice)
		}
		return fmt.Errorf("creating guard snapshot %s of %s: %w", id, r.req.Target.Noun(), err)
	}
	return nil
}

// ownCreation checks that guard snapshot id, which CreateDBSnapshot (or CreateDBClusterSnapshot)
// reported as already existing, is the one this run asked for with tags: its TagRun is this
// run's. Otherwise another run took it for the same change since this one looked for guards
// (ReasonConcurrentRun), or it is another database's (foreignGuard) or was taken by hand
// (ReasonForeignGuard), and this run stops before changing anything (a PrecheckError).
func (r *run) ownCreation(ctx context.Context, id string, tags map[string]string) error {
	g, err := findCreated(ctx, r, "guard snapshot "+id, func(ctx context.Context) (*guard, error) {
		return loadGuard(ctx, r.o.RDS, r.req.Target.Kind, id)
	})
	if err != nil {
		return fmt.Errorf("creating guard snapshot %s of %s: RDS says it already exists; reading it: %w", id, r.req.Target.Noun(), err)
	}
	if err := r.foreignGuard(id, g); err != nil {
		return err
	}
	if g.tags[TagManagedBy] != ManagedByValue {
		return r.precheckErr(ReasonForeignGuard, "snapshot %s already exists and is not a guard snapshot this provider took of %s (a snapshot taken by hand under that name); "+
			"nothing was changed by this apply: apply again (the next attempt takes the next identifier)", id, r.req.Target.Noun())
	}
	if g.tags[TagRun] != tags[TagRun] {
		return r.precheckErr(ReasonConcurrentRun, "guard snapshot %s already exists, taken by another run for the same change (tagged %s = %s): "+
			"another apply (another workspace, or another resource on the same database) is making this change at the same time. "+
			"Let it finish, then plan again; nothing was changed by this apply. If instead an apply of this change was interrupted moments ago "+
			"(RDS's listing not showing its guard yet), plan again in a few minutes: that guard is then set aside", id, TagChangeStarted, g.tags[TagChangeStarted])
	}
	return nil
}

// requireGuard re-reads the guard snapshot and fails unless it is available. It is called
// immediately before every ModifyDBInstance, DeleteDBInstance and CreateDBInstance on the target.
func (r *run) requireGuard(ctx context.Context) error {
	if r.guard == nil {
		return errors.New("no guard snapshot for this change (internal error). Please report this issue to the provider developers")
	}
	g, err := describeGuard(ctx, r.o.RDS, r.req.Target.Kind, r.guard.id, false)
	if err != nil {
		if IsNotFound(err) {
			r.guard.status = GuardDeleted // the error must not offer it for a restore
		}
		return fmt.Errorf("re-checking guard snapshot %s before changing %s: %w", r.guard.id, r.req.Target.Noun(), err)
	}
	if g.status != "available" {
		return fmt.Errorf("guard snapshot %s is %q, not available: refusing to change %s", g.id, g.status, r.req.Target.Noun())
	}
	return nil
}

// setOutcome tags the guard snapshot with the outcome of the change (best effort: the caller
// reports a failure as a warning-level detail, never as the cause of the change failing).
func (r *run) setOutcome(ctx context.Context, outcome string) error {
	return r.tagOutcome(ctx, r.guard, outcome)
}

// tagOutcome sets the outcome tag of guard snapshot g (nothing for a nil g or one without an
// ARN).
func (r *run) tagOutcome(ctx context.Context, g *guard, outcome string) error {
	if err := r.tagGuard(ctx, g, map[string]string{TagOutcome: outcome}); err != nil {
		return fmt.Errorf("tagging guard snapshot %s with outcome %s: %w", g.id, outcome, err)
	}
	return nil
}

// outcomeRetryBudget bounds how long recordOutcome and rollbackRetried retry a transient error:
// the sum of their waits on the Orchestrator's clock.
const outcomeRetryBudget = 3 * time.Minute

// retryWaits are the waits between attempts at a call that failed transiently: PollMin doubling
// up to PollMax (the defaults when not set), while their sum stays within outcomeRetryBudget.
type retryWaits struct{ delay, max, waited time.Duration }

func (r *run) retryWaits() *retryWaits {
	w := &retryWaits{delay: r.o.PollMin, max: r.o.PollMax}
	if w.delay <= 0 {
		w.delay = DefaultPollMin
	}
	if w.max <= 0 {
		w.max = DefaultPollMax
	}
	w.max = max(w.max, w.delay)
	return w
}

// next returns the wait before the next attempt, and false once it would take the waits past
// outcomeRetryBudget.
func (w *retryWaits) next() (time.Duration, bool) {
	if w.waited+w.delay > outcomeRetryBudget {
		return 0, false
	}
	d := w.delay
	w.waited += d
	w.delay = min(2*d, w.max)
	return d, true
}

// recordOutcome is tagOutcome for an outcome a later run relies on (completed, pending,
// failed-not-rolled-back, a rollback's): a transient error (IsTransient: throttling, HTTP 5xx, a
// connection reset) that outlasted the SDK's own attempts is retried (retryWaits, on
// Orchestrator.Sleep) no longer than ctx. Left at changing (or rolling-back), the guard would read
// as a change begun but not finished: a snapshot never to delete, and for a later run an open
// change to resume, or (the opposite change's) one to record rolled back. It returns the last
// error.
func (r *run) recordOutcome(ctx context.Context, g *guard, outcome string) error {
	waits := r.retryWaits()
	for {
		err := r.tagOutcome(ctx, g, outcome)
		if err == nil || !IsTransient(err) || ctx.Err() != nil {
			return err
		}
		delay, ok := waits.next()
		if !ok {
			return err
		}
		r.o.warnf("%s: %v; retrying in %s", r.req.Target, err, delay)
		if r.o.sleep(ctx, delay) != nil {
			return err
		}
	}
}

// tagGuard adds tags to guard snapshot g in one call and records them on g (nothing for a nil g
// or one without an ARN).
func (r *run) tagGuard(ctx context.Context, g *guard, tags map[string]string) error {
	if g == nil || g.arn == "" {
		return nil
	}
	if _, err := r.o.RDS.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: &g.arn, Tags: toTagList(tags)}); err != nil {
		return err
	}
	maps.Copy(g.tags, tags)
	return nil
}

// tagText makes s a valid RDS tag value (the Tag data type: at most 256 Unicode characters,
// letters, digits, white space and _ . : / = + - @ only, not starting with aws: or rds:): every
// other character becomes a space, runs of spaces one, and a longer text ends in "..." at 256.
func tagText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !strings.ContainsRune("_.:/=+-@", r) {
			r = ' '
		}
		if r == ' ' && (space || b.Len() == 0) {
			continue
		}
		space = r == ' '
		b.WriteRune(r)
	}
	out := strings.TrimRight(b.String(), " ")
	if l := strings.ToLower(out); strings.HasPrefix(l, "aws:") || strings.HasPrefix(l, "rds:") {
		out = "- " + out
	}
	if rs := []rune(out); len(rs) > 256 {
		out = string(rs[:253]) + "..."
	}
	return out
}

// recordFailure tags the guard with why the change failed (TagFailure), once: the run whose
// change failed records it; a run that finishes an earlier run's rollback keeps that run's. Best
// effort (a refusal is logged): the rollback never depends on it.
func (r *run) recordFailure(ctx context.Context, cause string) {
	g := r.guard
	if g == nil || g.arn == "" || cause == "" || g.tags[TagFailure] != "" {
		return
	}
	if err := r.tagGuard(ctx, g, map[string]string{TagFailure: tagText(cause)}); err != nil {
		r.o.warnf("%s: tagging guard snapshot %s with the failure: %v", r.req.Target, g.id, err)
	}
}

// retire sets aside g, the guard snapshot an earlier run took for this change before it was
// interrupted, while the target is still in its original topology: it waits for g to finish
// (an instance being snapshotted is "backing-up" and takes no other snapshot), tags its outcome
// "superseded" so that no run uses it again, and waits for the target to be available. g is
// kept, not deleted: it is the user's to delete (Result.SupersededGuardSnapshotID says which).
func (r *run) retire(ctx context.Context, g *guard) error {
	r.o.logf("%s: guard snapshot %s was taken by an earlier, interrupted run; taking a new one", r.req.Target, g.id)
	if g.status != "available" {
		cur, err := r.waitGuard(ctx, g)
		if ctx.Err() != nil {
			return r.changeErr("waiting for the earlier run's guard snapshot "+g.id, ctx.Err())
		}
		// One that failed or vanished meanwhile is not waited for again; it is tagged below if
		// it still exists.
		if err == nil && cur != nil {
			g = cur
		}
	}
	// Read its tags again: the run that took it may not be interrupted but still running (another
	// workspace's apply) and have begun its change meanwhile; its guard is then its restore point.
	// Any outcome past in-progress is another run's doing (a change, a rollback, a completion, its
	// own setting aside); only a snapshot that failed (or is gone) is set aside regardless.
	if cur, err := loadGuard(ctx, r.o.RDS, r.req.Target.Kind, g.id); err == nil && cur.status != "failed" && cur.outcome() != OutcomeInProgress {
		return r.precheckErr(ReasonConcurrentRun, "guard snapshot %s of another run is now tagged %s = %q: another apply is changing %s at the same time. "+
			"Let it finish, then plan again", g.id, TagOutcome, cur.outcome(), r.req.Target.Noun())
	}
	if err := r.tagOutcome(ctx, g, OutcomeSuperseded); err != nil && !isSnapshotNotFound(err) && !isClusterSnapshotNotFound(err) {
		return r.changeErr("setting aside the earlier run's guard snapshot", err)
	}
	// Set aside first, then its temporary restore instance removed: a run still alive in its
	// verify_restore that loses the instance then finds why (setAside), and one about to change
	// the database stops.
	if r.req.Target.Kind == KindInstance {
		if _, err := r.clearRestore(ctx, g.id); err != nil {
			return r.changeErr("removing the temporary restore instance of the earlier run's guard snapshot "+g.id, err)
		}
	}
	if err := r.waitReady(ctx); err != nil {
		return r.changeErr("waiting for the target to be available before taking a new guard snapshot", err)
	}
	return nil
}

// verifyRestore restores the guard snapshot to a temporary DB instance, waits for it to become
// available, and deletes it. Resumable: an existing temporary instance is reused if it carries the
// tags verifyRestore creates it with (restoreInstanceOwned), and a completed check is remembered
// in a tag of the snapshot. Any other DB instance of the temporary instance's name fails the
// check before anything is done to it or to the target (foreignRestoreInstanceError), also one
// that appears between the look-up and the restore.
func (r *run) verifyRestore(ctx context.Context) error {
	g := r.guard
	if g.tags[TagRestoreVerified] == "true" {
		return nil
	}
	if r.req.Target.Kind == KindCluster {
		return fmt.Errorf("verify_restore is supported for DB instance guard snapshots only, not for cluster snapshot %s", g.id)
	}
	tmp := restoreInstanceID(g.id)
	inst, err := r.checkRestoreName(ctx, g.id)
	if err != nil {
		return fmt.Errorf("verify_restore of guard snapshot %s: %w", g.id, err)
	}
	var requested time.Time // when this run asked for the temporary instance (missing)
	if inst == nil {
		// Without automated backups (BackupRetentionPeriod 0; by default the restore keeps the
		// source's): with them RDS takes a baseline backup at once after a restore and shows
		// "backing-up" until it ends, hours on a large volume (terraform-provider-aws#44104),
		// which this throwaway instance does not need and the apply would wait for.
		in := &rds.RestoreDBInstanceFromDBSnapshotInput{
			DBInstanceIdentifier: &tmp, DBSnapshotIdentifier: &g.id, MultiAZ: ptr(false), PubliclyAccessible: ptr(false),
			BackupRetentionPeriod: ptr(int32(0)), Tags: toTagList(r.restoreTags(g.id)),
		}
		// Into the target's network: without a subnet group RDS restores into the default VPC,
		// and fails ("No default subnet detected") in an account that has none.
		if t := r.topo.Instance; t != nil {
			if sg := t.DBSubnetGroup; sg != nil && deref(sg.DBSubnetGroupName) != "" {
				in.DBSubnetGroupName = sg.DBSubnetGroupName
			}
			for _, v := range t.VpcSecurityGroups {
				if id := deref(v.VpcSecurityGroupId); id != "" {
					in.VpcSecurityGroupIds = append(in.VpcSecurityGroupIds, id)
				}
			}
		}
		requested = r.o.now()
		_, err = r.o.RDS.RestoreDBInstanceFromDBSnapshot(ctx, in)
		if isAlreadyExists(err) {
			// Created meanwhile: by this request whose first answer was lost (then tagged as
			// ours), or by someone else. Either may not be shown yet (findCreated).
			inst, err = findCreated(ctx, r, "temporary restore instance "+tmp, func(ctx context.Context) (*rdstypes.DBInstance, error) {
				inst, err := r.checkRestoreName(ctx, g.id)
				if err == nil && inst == nil {
					err = &NotFoundError{Kind: "DB instance", ID: tmp}
				}
				return inst, err
			})
			if err != nil {
				return fmt.Errorf("verify_restore of guard snapshot %s: %w", g.id, err)
			}
		} else if err != nil {
			if a := limitAdvice(err, ""); a != "" {
				// The test restore needs a DB instance of its own, which the change does not.
				return fmt.Errorf("restoring guard snapshot %s to temporary instance %s: %w: %s; or set guard.verify_restore = false "+
					"for this change (the guard snapshot is still taken and verified, without the test restore's instance)", g.id, tmp, err, a)
			}
			return fmt.Errorf("restoring guard snapshot %s to temporary instance %s: %w", g.id, tmp, err)
		}
		if err := r.boundary(ctx, StepRestoreCreate); err != nil {
			return err
		}
	}
	if inst == nil || !beingDeleted(deref(inst.DBInstanceStatus)) {
		restored, err := r.waitInstanceSince(ctx, tmp, "temporary restore instance "+tmp, pendingStatuses, "available", requested)
		if err != nil {
			return fmt.Errorf("verify_restore of guard snapshot %s: %w", g.id, err)
		}
		if e := deref(restored.Engine); e != "" && e != r.topo.Engine {
			return fmt.Errorf("verify_restore of guard snapshot %s: restored engine %q, expected %q", g.id, e, r.topo.Engine)
		}
		if err := r.boundary(ctx, StepRestoreAvailable); err != nil {
			return err
		}
	}
	if err := r.dropRestoreInstance(ctx, tmp, inst != nil && beingDeleted(deref(inst.DBInstanceStatus))); err != nil {
		return fmt.Errorf("verify_restore of guard snapshot %s: %w", g.id, err)
	}
	if err := r.tagGuard(ctx, g, map[string]string{TagRestoreVerified: "true"}); err != nil {
		return fmt.Errorf("tagging guard snapshot %s as restore-verified: %w", g.id, err)
	}
	return r.boundary(ctx, StepRestoreDeleted)
}

// dropRestoreInstance deletes the temporary restore instance tmp (unless it is already being
// deleted) and waits until it is gone.
func (r *run) dropRestoreInstance(ctx context.Context, tmp string, deleting bool) error {
	if !deleting {
		if err := r.deleteRestoreInstance(ctx, tmp); err != nil && !isInstanceNotFound(err) && !isInvalidState(err) {
			// Refused (rds:DeleteDBInstance not allowed on rs-verify-*, say): the restored copy
			// stays, billed, which "no change was made" alone does not tell.
			return fmt.Errorf("deleting temporary restore instance %s: %w; it is left running, and billed, "+
				"until the next apply of this change deletes it, or delete it: aws rds delete-db-instance --db-instance-identifier %s "+
				"--skip-final-snapshot --delete-automated-backups", tmp, err, tmp)
		}
	}
	r.restoreDropping = true
	_, err := r.waitInstance(ctx, tmp, "temporary restore instance "+tmp, append(slices.Clone(deletingStatuses), "available"), "deleted")
	return err
}

// deleteRestoreInstance requests the deletion of the temporary restore instance tmp, with no final
// snapshot and without its automated backups (a throwaway copy of the guard snapshot).
func (r *run) deleteRestoreInstance(ctx context.Context, tmp string) error {
	_, err := r.o.RDS.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: &tmp,
		SkipFinalSnapshot: ptr(true), DeleteAutomatedBackups: ptr(true)})
	return err
}

// dropRestoreOnInterrupt requests, best effort, the deletion of verify_restore's temporary
// instance tmp when the run was interrupted (or ran out of time) while verifying the restore, on
// a minute of its own (ctx is cancelled or spent): left running, it was billed until the next
// apply of this same change, which never comes when the user goes back to the other node count.
// Only an instance tagged as this guard snapshot's (restoreInstanceOwned) is deleted, and the run
// does not wait for it to go. It reports whether RDS accepted the deletion (or the instance is
// already being deleted); false when there is none, or RDS refused it (an instance still being
// created, say), which the error then names as left running.
func (r *run) dropRestoreOnInterrupt(ctx context.Context, tmp string) bool {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	inst, err := FindDBInstance(dctx, r.o.RDS, tmp)
	switch {
	case IsNotFound(err):
		return false
	case err != nil:
		r.o.warnf("%s: temporary restore instance %s not deleted: %v", r.req.Target, tmp, err)
		return false
	case !restoreInstanceOwned(inst, r.guard.id):
		return false
	case beingDeleted(deref(inst.DBInstanceStatus)):
		return true
	}
	if err := r.deleteRestoreInstance(dctx, tmp); err != nil {
		r.o.warnf("%s: temporary restore instance %s (status %s) not deleted: %v", r.req.Target, tmp, deref(inst.DBInstanceStatus), err)
		return false
	}
	r.o.logf("%s: deletion of temporary restore instance %s requested (the run was cut short while verifying the restore)", r.req.Target, tmp)
	return true
}

// clearRestore removes the temporary restore instance an interrupted verify_restore of guard
// snapshot id left behind, if any: like verify_restore, it waits for the instance to be available
// before deleting it. An instance of that name without the tags verify_restore creates it with
// (restoreInstanceOwned) is not touched. found reports whether there was one to remove (or its
// describe failed).
func (r *run) clearRestore(ctx context.Context, id string) (found bool, err error) {
	tmp := restoreInstanceID(id)
	inst, err := FindDBInstance(ctx, r.o.RDS, tmp)
	if IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if !restoreInstanceOwned(inst, id) {
		r.o.logf("%s: instance %s is not tagged %s=%s and %s=%q; it is left alone", r.req.Target, tmp, TagManagedBy, ManagedByValue, tagPurpose, restorePurpose(id))
		return false, nil
	}
	deleting := beingDeleted(deref(inst.DBInstanceStatus))
	if !deleting {
		if _, err := r.waitInstance(ctx, tmp, "temporary restore instance "+tmp, pendingStatuses, "available"); err != nil {
			return true, err
		}
	}
	return true, r.dropRestoreInstance(ctx, tmp, deleting)
}

// waitInstance waits for a DB instance to reach target ("deleted" when it is gone; a target
// "available" is also met by any usableStatus).
func (r *run) waitInstance(ctx context.Context, id, desc string, pending []string, target string) (*rdstypes.DBInstance, error) {
	return r.waitInstanceSince(ctx, id, desc, pending, target, time.Time{})
}

// waitInstanceSince is waitInstance for a DB instance this run asked RDS to create at requested
// (zero: not created by this run): not found, it is not taken for deleted before
// createdShowsWithin (missing).
func (r *run) waitInstanceSince(ctx context.Context, id, desc string, pending []string, target string, requested time.Time) (*rdstypes.DBInstance, error) {
	if !requested.IsZero() {
		pending = append(slices.Clip(pending), notShownYet)
	}
	seen := false
	w := wait.Waiter[*rdstypes.DBInstance]{
		Description: desc, Pending: pending, Target: []string{target}, Retryable: IsTransient,
		Progress:    r.waitProgress(desc + " to be " + target),
		MinInterval: r.o.PollMin, MaxInterval: r.o.PollMax, Sleep: r.o.Sleep,
		Refresh: func(ctx context.Context) (*rdstypes.DBInstance, string, error) {
			inst, err := FindDBInstance(ctx, r.o.RDS, id)
			if IsNotFound(err) {
				return nil, r.missing(requested), nil
			}
			if err != nil {
				return nil, "", err
			}
			seen = true
			st := deref(inst.DBInstanceStatus)
			if target == "available" && usableStatus(st) {
				st = target // "storage-optimization" may last hours; the instance is usable
			}
			return inst, st, nil
		},
	}
	inst, err := w.Wait(ctx)
	return inst, neverShown(err, !seen, requested)
}

func toTagList(m map[string]string) []rdstypes.Tag {
	keys := slices.Sorted(maps.Keys(m))
	tl := make([]rdstypes.Tag, 0, len(keys))
	for _, k := range keys {
		tl = append(tl, rdstypes.Tag{Key: ptr(k), Value: ptr(m[k])})
	}
	return tl
}

// readerTags encodes a ReaderSpec as snapshot tags.
func readerTags(s ReaderSpec) map[string]string {
	m := map[string]string{
		"id": s.Identifier, "class": s.Class, "az": s.AvailabilityZone,
		"promotion-tier": strconv.Itoa(int(s.PromotionTier)), "parameter-group": s.ParameterGroup,
		"pi": strconv.FormatBool(s.PerformanceInsights), "pi-kms-key": s.PerformanceInsightsKMSKeyID,
		"pi-retention":        strconv.Itoa(int(s.PerformanceInsightsRetention)),
		"monitoring-interval": strconv.Itoa(int(s.MonitoringInterval)), "monitoring-role": s.MonitoringRoleARN,
		"public": strconv.FormatBool(s.PubliclyAccessible), "auto-minor": strconv.FormatBool(s.AutoMinorVersionUpgrade),
		"ca": s.CACertificate, "maintenance": s.MaintenanceWindow,
	}
	out := map[string]string{}
	for k, v := range m {
		if v == "" {
			continue
		}
		// An encoded value (ASCII) longer than a tag value holds goes on in readerTagPartKey(k, 1),
		// (2), ...: a role name with ',' whose ARN has a long path (IAM allows 512 characters of
		// path) is longer encoded than RDS's 256, which it refused.
		tv := readerTagValue(v)
		if !strings.HasPrefix(tv, readerTagEncoded) { // as it is: at most 256 characters (tagText)
			out[tagReaderPrefix+k] = tv
			continue
		}
		putTagParts(out, tv, func(i int) string { return readerTagPartKey(k, i) })
	}
	return out
}

// putTagParts writes s, ASCII (base64, say), in parts of RDS's tag value limit under key(0),
// key(1), ...: one part for a short s, none for an empty one. tagParts reads them back.
func putTagParts(out map[string]string, s string, key func(i int) string) {
	for i := 0; s != ""; i++ {
		n := min(len(s), maxTagValue)
		out[key(i)] = s[:n]
		s = s[n:]
	}
}

// tagParts joins the parts putTagParts wrote under key(0), key(1), ... (up to the first missing);
// "" when there are none.
func tagParts(tags map[string]string, key func(i int) string) string {
	var sb strings.Builder
	for i := 0; ; i++ {
		v, ok := tags[key(i)]
		if !ok {
			return sb.String()
		}
		sb.WriteString(v)
	}
}

// readerTagPartKey is the guard tag holding part i of the reader field k's encoded value
// (readerTags): the field's own tag for part 0, then "<field>:<i>"; no field's name holds a ':'.
func readerTagPartKey(k string, i int) string {
	if i == 0 {
		return tagReaderPrefix + k
	}
	return tagReaderPrefix + k + ":" + strconv.Itoa(i)
}

// readerTagEncoded marks a reader field readerTagValue had to encode.
const readerTagEncoded = "b64:"

// readerTagValue is v as a guard tag value: v itself when RDS takes it as one (tagText leaves it
// as it is), else readerTagEncoded and v in base64, whose characters RDS allows. IAM allows
// characters RDS does not in an Enhanced Monitoring role's name (',') and path ('!', '#', ...),
// which RDS would refuse in the guard snapshot's tags, so that the reader could not be removed.
// No field written plainly begins with readerTagEncoded (identifiers, ARNs, numbers, windows), so
// guard snapshots of earlier versions read as before.
func readerTagValue(v string) string {
	if tagText(v) == v && !strings.HasPrefix(v, readerTagEncoded) {
		return v
	}
	return readerTagEncoded + base64.StdEncoding.EncodeToString([]byte(v))
}

// readerTagField is readerTagValue's v back from a guard tag value (as it is when it does not
// decode).
func readerTagField(tv string) string {
	enc, ok := strings.CutPrefix(tv, readerTagEncoded)
	if !ok {
		return tv
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return tv
	}
	return string(b)
}

// readerTagsKey is the guard tag holding part i of the reader's own tags (readerTagsRecord).
func readerTagsKey(i int) string { return tagReaderPrefix + "tags-" + strconv.Itoa(i) }

// readerTagsRecord encodes a reader's own tags as guard snapshot tags: their JSON object in
// base64 (whose characters RDS allows in a tag value), in parts of RDS's 256-character limit,
// under readerTagsKey(0), (1), ...; no tags is "{}", one part.
func readerTagsRecord(tags map[string]string) map[string]string {
	if tags == nil {
		tags = map[string]string{}
	}
	b, _ := json.Marshal(tags) // a map of strings always encodes, keys sorted
	out := map[string]string{}
	putTagParts(out, base64.StdEncoding.EncodeToString(b), readerTagsKey)
	return out
}

// readerTagsFromRecord decodes readerTagsRecord's parts; ok is false when there are none (a guard
// without room for them, or an earlier version's) or they do not decode.
func readerTagsFromRecord(tags map[string]string) (map[string]string, bool) {
	rec := tagParts(tags, readerTagsKey)
	b, err := base64.StdEncoding.DecodeString(rec)
	var m map[string]string
	if rec == "" || err != nil || json.Unmarshal(b, &m) != nil {
		return nil, false
	}
	if len(m) == 0 {
		m = nil
	}
	return m, true
}

// readerFromTags decodes a ReaderSpec from snapshot tags; ok is false when none is recorded.
func readerFromTags(tags map[string]string) (ReaderSpec, bool) {
	get := func(k string) string {
		v := tags[tagReaderPrefix+k]
		if strings.HasPrefix(v, readerTagEncoded) { // in parts when long (putTagParts)
			v = tagParts(tags, func(i int) string { return readerTagPartKey(k, i) })
		}
		return readerTagField(v)
	}
	if get("id") == "" {
		return ReaderSpec{}, false
	}
	atoi := func(k string) int32 { n, _ := strconv.Atoi(get(k)); return int32(n) }
	readerTags, recorded := readerTagsFromRecord(tags)
	return ReaderSpec{
		Tags: readerTags, TagsUnrecorded: !recorded,
		Identifier: get("id"), Class: get("class"), AvailabilityZone: get("az"), PromotionTier: atoi("promotion-tier"),
		ParameterGroup: get("parameter-group"), PerformanceInsights: get("pi") == "true",
		PerformanceInsightsKMSKeyID: get("pi-kms-key"), PerformanceInsightsRetention: atoi("pi-retention"),
		MonitoringInterval: atoi("monitoring-interval"), MonitoringRoleARN: get("monitoring-role"),
		PubliclyAccessible: get("public") == "true", AutoMinorVersionUpgrade: get("auto-minor") == "true",
		CACertificate: get("ca"), MaintenanceWindow: get("maintenance"),
	}, true
}

// factsFromTags extracts the validation baseline recorded on the guard snapshot.
func factsFromTags(tags map[string]string) Facts {
	f := Facts{}
	for k, v := range tags {
		if name, ok := strings.CutPrefix(k, tagFactPrefix); ok {
			f[name] = v
		}
	}
	return f
}

// UnfinishedChange reports whether the change of target to nodes with the given generation was
// begun but not finished: its latest guard snapshot exists and its outcome is Unfinished. id is
// that snapshot's identifier. An empty prefix means DefaultSnapshotPrefix.
func UnfinishedChange(ctx context.Context, api RDSAPI, prefix string, target Target, generation int64, nodes int) (id string, unfinished bool, err error) {
	id, outcome, err := GuardOutcome(ctx, api, prefix, target, generation, nodes)
	return id, Unfinished(outcome), err
}

// Unfinished reports whether a guard's outcome tag belongs to a change begun but not finished:
// "in-progress" (resumed by the next run), "changing" (the change call made or about to be), or
// "rolling-back" (a rollback an interrupted run began, which the next run finishes). The
// provider's Read uses it to tell an interrupted apply from drift made outside Terraform.
func Unfinished(outcome string) bool {
	switch outcome {
	case OutcomeInProgress, OutcomeChanging, OutcomeRollingBack:
		return true
	}
	return false
}

// latestGuard describes, with its tags, the latest guard snapshot (the highest attempt) of the
// change of target to nodes with the given generation; nil when there is none.
func latestGuard(ctx context.Context, api RDSAPI, prefix string, target Target, generation int64, nodes int) (*guard, error) {
	attempts, err := guardAttempts(ctx, api, prefix, target, generation, nodes)
	if err != nil || len(attempts) == 0 {
		return nil, err
	}
	g, err := loadGuard(ctx, api, target.Kind, GuardSnapshotID(prefix, target, generation, nodes, attempts[len(attempts)-1]))
	if IsNotFound(err) {
		return nil, nil
	}
	return g, err
}

// GuardOutcome returns the latest guard snapshot of the change of target to nodes with the given
// generation and its outcome tag (OutcomeInProgress, OutcomePending, ...): "" for both when there
// is none, and an empty outcome for a snapshot that failed or belongs to another target. An empty
// prefix means DefaultSnapshotPrefix.
func GuardOutcome(ctx context.Context, api RDSAPI, prefix string, target Target, generation int64, nodes int) (id, outcome string, err error) {
	return latestOutcome(ctx, api, prefix, target, generation, nodes, false)
}

// DeferredGuardOutcome is GuardOutcome for the guard of a change deferred to the maintenance
// window, read as confirmOwnPending reads it (guard.deferredOutcome): pending also when left
// changing but tagged deferred, the change waiting for the window, or made there and not yet
// validated by an apply.
func DeferredGuardOutcome(ctx context.Context, api RDSAPI, prefix string, target Target, generation int64, nodes int) (id, outcome string, err error) {
	return latestOutcome(ctx, api, prefix, target, generation, nodes, true)
}

// latestOutcome is GuardOutcome, or with deferred DeferredGuardOutcome.
func latestOutcome(ctx context.Context, api RDSAPI, prefix string, target Target, generation int64, nodes int, deferred bool) (id, outcome string, err error) {
	latest, err := latestGuard(ctx, api, prefix, target, generation, nodes)
	if latest == nil || err != nil {
		return "", "", err
	}
	outcome = guardOutcome(latest, target)
	if deferred && outcome != "" {
		outcome = latest.deferredOutcome()
	}
	return latest.id, outcome, nil
}

// guardOutcome is g's outcome tag, or "" when g is not a guard of target's or its snapshot failed.
func guardOutcome(g *guard, target Target) string {
	if !sameTarget(g.tags[TagTarget], target) || g.status == "failed" {
		return ""
	}
	return g.outcome()
}

// guardAttempts lists the manual snapshots of target (one paginated describe call, filtered by
// the source) and returns, in ascending order, the attempt numbers whose guard snapshot
// identifier of this change exists. Every attempt is found, whatever was deleted before it: a
// user may delete a superseded or rolled-back guard, and the latest attempt (the highest number)
// must still be the one a run resumes with.
func guardAttempts(ctx context.Context, api RDSAPI, prefix string, target Target, generation int64, nodes int) ([]int, error) {
	want := make(map[string]int, maxAttemptNumber)
	for a := 1; a <= maxAttemptNumber; a++ {
		want[GuardSnapshotID(prefix, target, generation, nodes, a)] = a
	}
	found := map[int]bool{}
	err := walkManualSnapshots(ctx, api, target, func(id, _, _, _ string, _ *time.Time, _ []rdstypes.Tag) {
		if a, ok := want[strings.ToLower(id)]; ok {
			found[a] = true
		}
	})
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(found)), nil
}
