package topology

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awserr"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/bluegreen"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/replicascaling"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/routing"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/wait"
)

// Step names a boundary of a run. OnStep is called right after the step's call succeeded.
type Step string

// Steps of a run, in the order a fresh run passes them.
const (
	StepPrecheck         Step = "precheck"
	StepBaseline         Step = "baseline"
	StepGuardCreate      Step = "guard-create"
	StepGuardAvailable   Step = "guard-available"
	StepRestoreCreate    Step = "verify-restore-create"
	StepRestoreAvailable Step = "verify-restore-available"
	StepRestoreDeleted   Step = "verify-restore-deleted"
	StepGuardVerified    Step = "guard-verified"
	StepChange           Step = "change"
	StepSettled          Step = "settled"
	StepValidated        Step = "validated"
	StepDone             Step = "done"
	StepRollback         Step = "rollback"
	StepRolledBack       Step = "rolled-back"
)

// Steps lists every step boundary of a successful run, in order (the verify-restore steps occur
// only with Request.VerifyRestore, StepBaseline only with a Validator).
var Steps = []Step{StepPrecheck, StepBaseline, StepGuardCreate, StepGuardAvailable, StepRestoreCreate,
	StepRestoreAvailable, StepRestoreDeleted, StepGuardVerified, StepChange, StepSettled, StepValidated, StepDone}

// Defaults of Orchestrator settings left at zero.
const (
	DefaultPollMin         = 5 * time.Second
	DefaultPollMax         = 30 * time.Second
	DefaultRollbackTimeout = 60 * time.Minute
	DefaultClockSkew       = 5 * time.Minute
)

// Orchestrator performs guarded topology changes. Only RDS is required; every other field has a
// default.
type Orchestrator struct {
	// RDS is the RDS client (*rds.Client in production).
	RDS RDSAPI
	// AutoScaling is the Application Auto Scaling client (*applicationautoscaling.Client in
	// production), which removing an Aurora reader needs to check Aurora Auto Scaling
	// (application-autoscaling:DescribeScalableTargets); without it that change is refused.
	AutoScaling replicascaling.API
	// Now returns the current time on the clock RDS uses for snapshot creation times (default
	// time.Now). Tests against an emulator pass the emulator's clock.
	Now func() time.Time
	// PollMin and PollMax bound the poll interval of every wait (defaults 5 s and 30 s).
	PollMin, PollMax time.Duration
	// RollbackTimeout bounds a rollback; it runs on its own deadline because it usually starts
	// when the change's deadline has passed (default 60 min).
	RollbackTimeout time.Duration
	// ClockSkew is the tolerated difference between Now and the RDS clock (default 5 min).
	ClockSkew time.Duration
	// Interrupt, if set, is done when the run is interrupted (Terraform's stop, Ctrl-C) as
	// distinct from its deadline: Run's context, with the operation's timeout, no longer tells
	// the two apart once the deadline has passed, and a rollback (which outlives the deadline)
	// stops waiting for RDS on an interruption (rollbackWait). Nil: Run's context, cancelled.
	Interrupt context.Context
	// OnStep, if set, is called after each step boundary. A non-nil error stops the run there
	// exactly like an interruption (nothing is rolled back; a re-run resumes). Tests use it to
	// interrupt a run at every boundary. Errors returned for the rollback steps are ignored.
	OnStep func(Step) error
	// Sleep, if set, replaces the timer between polls (see wait.Waiter.Sleep). Tests against the
	// sandbox advance its virtual clock here, which makes every wait deterministic.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logf, if set, receives progress messages (no secrets are ever passed): each step reached,
	// each state a wait sees, the failure that ends a change and what was done about it.
	Logf func(format string, args ...any)
	// Warnf, if set, receives what went wrong without stopping the run (a guard snapshot's tag
	// that could not be set, a retried describe call, a temporary instance not removed); nil
	// sends them to Logf.
	Warnf func(format string, args ...any)
}

func (o *Orchestrator) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Orchestrator) clockSkew() time.Duration {
	if o.ClockSkew > 0 {
		return o.ClockSkew
	}
	return DefaultClockSkew
}

func (o *Orchestrator) step(s Step) error {
	if o.OnStep != nil {
		return o.OnStep(s)
	}
	return nil
}

func (o *Orchestrator) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

func (o *Orchestrator) warnf(format string, args ...any) {
	if o.Warnf != nil {
		o.Warnf(format, args...)
		return
	}
	o.logf(format, args...)
}

// waitProgress is the wait.Waiter Progress of the run's waits on what: each state it sees logged
// (once, when it changes), each describe error it retries warned of, with the time waited, so
// that a wait of an hour leaves a trail rather than a gap in the log.
func (r *run) waitProgress(what string) func(state string, retried error, waited time.Duration) {
	return func(state string, retried error, waited time.Duration) {
		if retried != nil {
			r.o.warnf("%s: waiting for %s: retrying after %v (last state %q, waited %s)", r.req.Target, what, retried, state, waited.Round(time.Second))
			return
		}
		r.o.logf("%s: waiting for %s: state %q (waited %s)", r.req.Target, what, state, waited.Round(time.Second))
	}
}

// Request describes one change.
type Request struct {
	// Target is the DB instance or Aurora cluster to change.
	Target Target
	// Nodes is the desired node count: 1 or 2.
	Nodes int
	// Generation numbers the changes of one resource (≥ 1). The same generation always maps to
	// the same guard snapshot, which is what makes a retried run resume instead of starting over.
	Generation int64
	// SnapshotPrefix prefixes the guard snapshot identifier (default DefaultSnapshotPrefix).
	SnapshotPrefix string
	// DeleteGuardOnSuccess deletes the guard snapshot after a successful, validated change (it is
	// always kept after a failure).
	DeleteGuardOnSuccess bool
	// VerifyRestore restores the guard snapshot to a temporary instance before the change
	// (DB instances only).
	VerifyRestore bool
	// DeferToMaintenanceWindow makes a Multi-AZ change wait for the maintenance window
	// (ApplyImmediately=false). The run then returns with Result.Pending set. Not possible for
	// Aurora clusters.
	DeferToMaintenanceWindow bool
	// OwnPending says that a Multi-AZ change pending for the maintenance window is the caller's
	// own: its last change was deferred (DeferToMaintenanceWindow) and has not been made yet (the
	// run confirms it: that change's guard snapshot, of generation Generation − 1 and the same
	// node count, must be tagged pending-maintenance). A run that is not deferred, for the node
	// count that change is heading to, then makes it now
	// as a change of its own, behind a guard snapshot it takes (its ModifyDBInstance, with
	// ApplyImmediately, applies the pending value at once), instead of refusing it as a change
	// made outside the caller. DB instances only.
	OwnPending bool
	// ExpectedReader is the Aurora reader the plan said a change to 1 node removes
	// (Preview.Reader); empty when not known. A run that would remove another instance (a
	// failover since the plan made the planned reader the writer, say) refuses with
	// ReasonFailover, changing nothing.
	ExpectedReader string
	// DisableRollback leaves a failed change as it is instead of rolling it back.
	DisableRollback bool
	// Validator, if set, records a baseline before the change and checks it afterwards.
	Validator Validator
	// ValidationHost is the host the Validator connects to, when known. A run with a Validator
	// refuses the change, before changing anything, when the host is the RDS endpoint of another
	// database (ValidationHostMismatch).
	ValidationHost string
	// Previous is what the last change recorded (Result.Previous), used to recreate an Aurora
	// reader exactly. Without it the reader is derived from the writer.
	Previous *Previous
	// Tags are added to the guard snapshot and to verify_restore's temporary instance (keys must
	// not start with "rightsize:"): those an organisation's tag policy or service control policy
	// requires on the snapshots and instances created, or its cost allocation reads. They count
	// towards RDS's 50 tags per resource with the guard's own.
	Tags map[string]string
}

func (req *Request) validate() error {
	if req.Nodes != 1 && req.Nodes != 2 {
		return fmt.Errorf("nodes must be 1 or 2, got %d", req.Nodes)
	}
	if req.Target.Identifier == "" || (req.Target.Kind != KindInstance && req.Target.Kind != KindCluster) {
		return fmt.Errorf("invalid target %q", req.Target.String())
	}
	if req.Generation < 1 {
		return fmt.Errorf("generation must be at least 1, got %d", req.Generation)
	}
	if req.Target.Kind == KindCluster && req.DeferToMaintenanceWindow {
		return fmt.Errorf("%s: adding or removing an Aurora reader cannot wait for the maintenance window; apply it immediately", req.Target.Noun())
	}
	if req.Target.Kind == KindCluster && req.VerifyRestore {
		return fmt.Errorf("%s: verify_restore is supported for DB instances only", req.Target.Noun())
	}
	for k := range req.Tags {
		if strings.HasPrefix(k, TagPrefix) {
			return fmt.Errorf("tag key %q uses the reserved prefix %q", k, TagPrefix)
		}
	}
	return nil
}

// Previous records what is needed to restore the topology a change replaced.
type Previous struct {
	// Nodes before the change.
	Nodes int
	// MultiAZ before the change (instances).
	MultiAZ bool
	// Reader is the Aurora reader that was removed (clusters going to 1 node), or the reader that
	// was created (clusters going to 2 nodes).
	Reader *ReaderSpec
}

// Result describes a completed (or deferred) change.
// ScheduledAction ends Result.Action for a change deferred to the maintenance window: a caller
// that records the action can tell its own deferred change from one scheduled outside it.
const ScheduledAction = "scheduled for the next maintenance window"

type Result struct {
	Target Target
	// FromNodes and Nodes are the node counts before and after the change.
	FromNodes, Nodes int
	// MultiAZ is the instance's Multi-AZ flag after the change (clusters: Nodes > 1).
	MultiAZ bool
	// Pending is true when the change waits for the maintenance window.
	Pending bool
	// Resumed is true when this run continued a change an earlier run had started.
	Resumed bool
	// GuardSnapshotID and GuardSnapshotARN locate the guard snapshot (deleted again when
	// DeleteGuardOnSuccess was set; the identifiers are still reported).
	GuardSnapshotID, GuardSnapshotARN string
	// GuardSnapshotRetained is false when the snapshot was deleted after success.
	GuardSnapshotRetained bool
	// OutcomeTagError says why the guard snapshot could not be tagged TagOutcome =
	// OutcomeCompleted after the change succeeded (after retries of a transient error): the change
	// itself succeeded, but the snapshot's outcome tag still reads as a change under way, to be set
	// to OutcomeCompleted by hand. Empty when it was recorded, or the snapshot was deleted after
	// success.
	OutcomeTagError string
	// GuardKeptNoBackups is true when the snapshot, to be deleted after success
	// (Request.DeleteGuardOnSuccess), was kept because the instance, now of one node, keeps no
	// automated backups (noAutomatedBackups): the snapshot is its only recovery point.
	GuardKeptNoBackups bool
	// GuardDeleteError says why the snapshot, to be deleted after success
	// (Request.DeleteGuardOnSuccess), could not be: the change itself succeeded, and the
	// snapshot is retained.
	GuardDeleteError string
	// RestoreInstancesLeft names the temporary verify_restore instances of this change's earlier
	// guard snapshots that this run could not remove (clearEarlierRestores), with why.
	RestoreInstancesLeft []string
	// SupersededGuardSnapshotID names the guard snapshot an earlier run took before it was
	// interrupted, when this run found the target unchanged and took a new one (empty
	// otherwise). It is kept, tagged with outcome "superseded".
	SupersededGuardSnapshotID string
	// ReaderWithoutTags names the Aurora reader this run created from a record that did not hold
	// its tags (ReaderSpec.TagsUnrecorded), or found created so by an earlier run of the change:
	// it has none of its own. Empty otherwise.
	ReaderWithoutTags string
	// ReaderParameterGroupReplaced says, when this run recreated the Aurora reader with the
	// writer's DB parameter group because RDS refused its recorded one, which and why
	// ("with the writer's parameter group X, as RDS refused its recorded Y"); empty otherwise.
	ReaderParameterGroupReplaced string
	// ReaderMonitoringDropped says, when this run recreated the Aurora reader without the
	// Enhanced Monitoring it had because RDS refused its recorded role (deleted since), which
	// ("without Enhanced Monitoring, as RDS refused its recorded monitoring role X (every N s)");
	// empty otherwise.
	ReaderMonitoringDropped string
	// Previous is what is needed to undo this change later.
	Previous Previous
	// Action says what was done, in one sentence.
	Action string
	// Validation is the validator's report (nil without a validator or when pending).
	Validation *Report
	// Started and Finished bound the run on the Orchestrator's clock.
	Started, Finished time.Time
}

// Reason classifies a PrecheckError.
type Reason string

// Precheck failure reasons.
const (
	ReasonNotSupported     Reason = "not-supported"
	ReasonStatus           Reason = "status"
	ReasonPending          Reason = "pending-modifications"
	ReasonNodeCount        Reason = "node-count"
	ReasonAlreadyAtTarget  Reason = "already-at-target"
	ReasonFailover         Reason = "failover"
	ReasonForeignGuard     Reason = "guard-mismatch"
	ReasonTooManyAttempts  Reason = "too-many-attempts"
	ReasonChangeInProgress Reason = "change-in-progress"
	ReasonCustomEndpoint   Reason = "custom-endpoint"
	ReasonProxyEndpoint    Reason = "proxy-endpoint"
	ReasonAutoScaling      Reason = "auto-scaling"
	ReasonBlueGreen        Reason = "blue-green-deployment"
	// ReasonReaderName: the identifier the Aurora reader would be created under is taken by a DB
	// instance that is not a member of the cluster.
	ReasonReaderName Reason = "reader-name-taken"
	// ReasonValidationTarget: the validation connection's host is another database's endpoint.
	ReasonValidationTarget Reason = "validation-target"
	// ReasonConcurrentRun: another run (another workspace's apply, or another resource of the
	// same database) took over or set aside a guard snapshot this run was about to use.
	ReasonConcurrentRun Reason = "concurrent-run"
	// ReasonWrongTarget: the identifier names what the resource never changes, whatever else an
	// apply does: a member instance of an Aurora cluster, or a database of another engine.
	ReasonWrongTarget Reason = "wrong-target"
)

// PrecheckError reports why a change was refused before anything was modified.
type PrecheckError struct {
	Target Target
	Reason Reason
	Detail string
}

// Error implements error.
func (e *PrecheckError) Error() string {
	return fmt.Sprintf("precheck of %s failed: %s; no change was made", e.Target.Noun(), e.Detail)
}

// ChangeError reports a failure after the prechecks passed: what failed, whether the target was
// changed, whether it was rolled back, and where the guard snapshot is.
type ChangeError struct {
	Target Target
	Nodes  int
	// Stage describes what was being done ("waiting for the change to settle").
	Stage string
	// Err is the failure.
	Err error
	// Changed reports whether a change call had been made on the target.
	Changed bool
	// Interrupted is true when the context was cancelled: nothing is rolled back and a re-run
	// resumes.
	Interrupted bool
	// RequestUnanswered is true, with Resumable and not Changed, when the run was cut short
	// (interrupted, or out of time) during the change's own call: the database did not show the
	// change just after, or could not be described, but RDS may have accepted the request (the
	// next run finds the change under way and resumes it, or not and makes it behind a new guard
	// snapshot).
	RequestUnanswered bool
	// RestoreInstance is the temporary DB instance of verify_restore when the run was interrupted
	// (or ran out of time) while it verified the restore: its deletion was requested
	// (RestoreDeleteRequested), or, if RDS created it, it is left running (and billed) until the
	// next run of the change deletes it.
	RestoreInstance string
	// RestoreDeleteRequested is true when RDS accepted the deletion of RestoreInstance, which the
	// interrupted run requested on its way out.
	RestoreDeleteRequested bool
	// Resumable is true when the run stopped on an error that is not a failure of the change
	// itself (for example RDS refusing a describe call): nothing is rolled back and a re-run
	// resumes.
	Resumable bool
	// RollbackAttempted, RolledBack and RollbackErr describe the rollback.
	RollbackAttempted, RolledBack bool
	RollbackErr                   error
	// RollbackInProgress is true when the rollback's deadline ran out with the target still at
	// work (a multi-TiB instance turning Multi-AZ on again takes hours): the guard stays tagged
	// rolling-back, and the next run finishes the rollback. RollbackRequested says whether RDS
	// had accepted the rollback's call (false: RDS was busy with another operation and refused it).
	RollbackInProgress, RollbackRequested bool
	// RollbackInterrupted is true, with RollbackInProgress, when the run was interrupted (Ctrl-C in
	// Terraform: Orchestrator.Interrupt or Run's context cancelled) during one of the rollback's
	// waits: with RollbackRequested, for RDS to finish the rollback it had accepted (RDS finishes
	// it on its own; the next run waits for it and records it); without, for RDS to finish
	// another operation before the rollback's call (nothing begun; the next run makes it).
	RollbackInterrupted bool
	// RollbackRefused is true, with RollbackInProgress, when RDS refused the rollback's own call
	// (ModifyDBInstance, or CreateDBInstance / DeleteDBInstance of the Aurora reader), or the
	// credentials a call before it, or the rollback would not add the recorded reader beside other
	// instances: nothing was restored, the guard stays tagged rolling-back, and the next run (once
	// the cause, a missing permission or expired credentials, say, is fixed) makes the rollback.
	RollbackRefused bool
	// RollbackPendingWindow is true, with RollbackRefused, when the DB instance already has Multi-AZ
	// pending as the rollback would set it (RollbackMultiAZ): a modification made by hand without
	// --apply-immediately, which waits for the maintenance window.
	RollbackPendingWindow, RollbackMultiAZ bool
	// RollbackUntagged is true, with RollbackInProgress, when the guard could not be tagged
	// rolling-back (the credentials refused that call too): it still says changing, and the next
	// run resumes the change (validates it again, and rolls it back if it still fails) rather than
	// going straight to the rollback.
	RollbackUntagged bool
	// RollbackAction says what the rollback did ("Multi-AZ turned on again").
	RollbackAction string
	// ReaderWithoutTags names the Aurora reader this run (its change, or its rollback) created, or
	// asked RDS to, from a record that did not hold its tags, or found created so by an earlier
	// run of the change: it has none of its own. Empty otherwise.
	ReaderWithoutTags string
	// RedundancyKept is true when a failed change to two nodes that had given the target its two
	// nodes was not rolled back: going back to one node would take away the redundancy it
	// restores.
	RedundancyKept bool
	// ReaderRecordMissing is true when a begun Aurora change's guard snapshot lost its record of
	// the reader (its tags removed by hand): Err says what to do; nothing is resumed or undone.
	ReaderRecordMissing bool
	// GuardUnusable is true when a begun change's guard snapshot no longer verifies (so it can
	// neither be resumed nor rolled back behind it).
	GuardUnusable bool
	// GuardSnapshotID and GuardSnapshotARN locate the guard snapshot ("" if none was made).
	GuardSnapshotID, GuardSnapshotARN string
	// GuardStatus is the guard snapshot's last observed status; GuardDeleted when it was found
	// missing.
	GuardStatus string
}

// Error implements error.
func (e *ChangeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "changing %s to %d node(s): %s: %v", e.Target.Noun(), e.Nodes, e.Stage, e.Err)
	switch {
	case e.Interrupted && e.Changed:
		b.WriteString("; interrupted after the change was requested: apply again to resume")
	case e.RequestUnanswered:
		b.WriteString("; cut short (interrupted, or out of time) before RDS answered the change's request, which RDS may still have accepted")
	case e.RestoreInstance != "" && e.RestoreDeleteRequested:
		fmt.Fprintf(&b, "; %s before any change was made; the deletion of the temporary restore instance %s was requested (RDS removes it)", e.cutShort(), e.RestoreInstance)
	case e.RestoreInstance != "":
		fmt.Fprintf(&b, "; %s before any change was made; the temporary restore instance %s, if RDS created it, is left running (and billed) "+
			"until the next apply of this change deletes it (or delete it: aws rds delete-db-instance --db-instance-identifier %s --skip-final-snapshot)", e.cutShort(), e.RestoreInstance, e.RestoreInstance)
	case e.Interrupted:
		b.WriteString("; interrupted before any change was made")
	case e.ReaderRecordMissing:
		// Err says what to do.
	case e.GuardUnusable:
		fmt.Fprintf(&b, "; the change was requested earlier, and its guard snapshot no longer verifies, so nothing more is done behind it: check the database; "+
			"to keep it as it is, tag the guard snapshot %s %s = %s and import the database (after terraform state rm if the resource is in the state); "+
			"to go back, restore it from the guard snapshot if that still serves as a restore point (the verification above says what is wrong with it)", e.GuardSnapshotID, TagOutcome, OutcomeSuperseded)
	case e.Resumable && e.Changed && stillInProgress(e.Err):
		b.WriteString("; the change is still in progress and is not rolled back: apply again to wait for it to finish (and validate it), " +
			"with a longer timeout for a large database")
	case e.Resumable && e.Changed && validationInconclusive(e.Err):
		b.WriteString("; the server stopped the validation's query (its statement or lock timeout), which says nothing against the change: " +
			"it is not rolled back; raise the provider's postgres.statement_timeout if the tables are large, and apply again to validate it")
	case e.Resumable && e.Changed:
		b.WriteString("; the change was requested and is not rolled back because the failure is not in the change itself: apply again to resume")
	case !e.Changed:
		b.WriteString("; no change was made")
	case e.RolledBack:
		fmt.Fprintf(&b, "; rolled back: %s", e.RollbackAction)
	case e.RollbackInProgress && e.RollbackRequested && e.RollbackInterrupted:
		fmt.Fprintf(&b, "; rolling back (%s): the apply was interrupted while RDS restores the previous topology, which it finishes on its own; "+
			"apply again to wait for it and record the rollback", e.RollbackAction)
	case e.RollbackInProgress && e.RollbackInterrupted && !e.RollbackRequested:
		fmt.Fprintf(&b, "; the rollback (%s) has not begun: the apply was interrupted while RDS was busy with another operation on the database; %s",
			e.RollbackAction, e.notBegunNext("apply again"))
	case e.RollbackInProgress && e.RollbackRefused:
		fmt.Fprintf(&b, "; the rollback (%s) was refused: %v; nothing is restored yet: %s",
			e.RollbackAction, e.RollbackErr, e.notBegunNext("fix the cause ("+refusalCause(e.RollbackErr)+") and apply again"))
		if e.RollbackPendingWindow {
			fmt.Fprintf(&b, ". Multi-AZ %s is already pending on %s for its maintenance window (a modification made without --apply-immediately): "+
				"to put it back now, run aws rds modify-db-instance --db-instance-identifier %s %s --apply-immediately, then apply again, which records the rollback",
				onOff(e.RollbackMultiAZ), e.Target.Noun(), e.Target.Identifier, multiAZFlag(e.RollbackMultiAZ))
		}
	case e.RollbackInProgress && e.RollbackRequested && !stillInProgress(e.RollbackErr):
		fmt.Fprintf(&b, "; rolling back (%s): RDS accepted the rollback, but the apply could not watch it finish: %v; fix that (%s) and apply again to wait for it and record the rollback",
			e.RollbackAction, e.RollbackErr, refusalCause(e.RollbackErr))
	case e.RollbackInProgress && e.RollbackRequested:
		fmt.Fprintf(&b, "; rolling back (%s) and still in progress when its time ran out: %v; apply again to finish the rollback", e.RollbackAction, e.RollbackErr)
	case e.RollbackInProgress:
		fmt.Fprintf(&b, "; the rollback (%s) could not begin before its time ran out, RDS being still at work on the database: %v; %s",
			e.RollbackAction, e.RollbackErr, e.notBegunNext("apply again"))
	case e.RollbackAttempted:
		fmt.Fprintf(&b, "; ROLLBACK FAILED: %v", e.RollbackErr)
	case e.RedundancyKept:
		b.WriteString("; not rolled back: the target has its two nodes, and going back to one would take away the redundancy the change restores: " +
			"they are kept; check what failed (above): the next plan records them (to go back to one node, set nodes = 1)")
	default:
		fmt.Fprintf(&b, "; not rolled back (rollback disabled): the target is left as it is; to keep it, leave nodes = %d (a resource being created: import it); to undo it, set nodes = %d", e.Nodes, 3-e.Nodes)
	}
	if e.GuardSnapshotID != "" {
		fmt.Fprintf(&b, "; guard snapshot %s", e.GuardSnapshotID)
		if e.GuardSnapshotARN != "" {
			fmt.Fprintf(&b, " (%s)", e.GuardSnapshotARN)
		}
		switch e.GuardStatus {
		case "", "available":
			b.WriteString(" is retained for a manual restore")
		case GuardDeleted:
			b.WriteString(" was deleted during the change: there is no restore point")
		default:
			fmt.Fprintf(&b, " is %q and cannot be used for a restore", e.GuardStatus)
		}
	}
	return b.String()
}

// Unwrap returns the failure.
func (e *ChangeError) Unwrap() error { return e.Err }

// cutShort says how the run was cut short: interrupted, or out of time (its deadline).
func (e *ChangeError) cutShort() string {
	if !e.Interrupted && errors.Is(e.Err, context.DeadlineExceeded) {
		return "out of time"
	}
	return "interrupted"
}

// notBegunNext says what the next apply does about a rollback that has not begun, after what to
// do first ("apply again"): it rolls back, or, when the guard could not be marked rolling back
// (RollbackUntagged), it validates the change again and rolls it back if it still fails.
func (e *ChangeError) notBegunNext(do string) string {
	if e.RollbackUntagged {
		return do + ", which validates the change again and rolls it back if it still fails (the guard snapshot could not be marked rolling back)"
	}
	return do + " to roll back"
}

// GuardDeleted is ChangeError.GuardStatus for a guard snapshot found missing during the run.
const GuardDeleted = "deleted"

// RestorePoint reports whether the guard snapshot is available for a manual restore, as far as
// the run saw.
func (e *ChangeError) RestorePoint() bool {
	return e.GuardSnapshotID != "" && (e.GuardStatus == "" || e.GuardStatus == "available")
}

type phase int

const (
	phaseOriginal phase = iota
	phasePending
	phaseInProgress
	phaseDone
	// phaseRollingBack: an earlier run's change failed and its rollback was interrupted (the
	// guard is tagged rolling-back); the run finishes the rollback.
	phaseRollingBack
	// phaseCompleted: the change is at its target and its guard records it completed (an
	// earlier run finished and was interrupted before its caller recorded it): nothing is left.
	phaseCompleted
)

// run holds the state of one Run call.
type run struct {
	o       *Orchestrator
	req     Request
	started time.Time
	topo    *Topology
	guard   *guard
	facts   Facts
	reader  *ReaderSpec // clusters: the reader to delete or create
	// readerWithoutTags names the reader createReader recreated without its tags, which were not
	// recorded (Result.ReaderWithoutTags, ChangeError.ReaderWithoutTags).
	readerWithoutTags string
	// readerRecorded is the reader a change to 2 nodes recreates from a record (the request's
	// Previous, or the guard snapshot of a removal it does not record: prepareReader); nil when it
	// makes one of the writer's settings.
	readerRecorded *ReaderSpec
	// readerAZMoved says where the reader a change to 2 nodes recreates from its record goes
	// instead of its recorded AZ, now the writer's (prepareReader); empty when it goes there.
	readerAZMoved string
	// readerPGReplaced says which parameter group createReader gave the reader instead of its
	// recorded one, which RDS refused (gone, or of another engine version); empty otherwise.
	readerPGReplaced string
	// readerMonitoringDropped says that createReader recreated the reader without its recorded
	// Enhanced Monitoring, whose role RDS refused; empty otherwise.
	readerMonitoringDropped string
	from                    int
	changed                 bool
	// changing is true once this run tagged its guard changing (before the change call).
	changing bool
	// attemptsFound is how many guard snapshots of this change generation exist (findGuards).
	attemptsFound int
	// finishing is true when this run finishes the rollback an earlier run began (finishRollback):
	// the failure the guard records (TagFailure) is that run's.
	finishing bool
	// interrupt is what an interruption cancels (Orchestrator.Interrupt, else Run's context),
	// which the rollback, running on a context of its own, watches during its waits
	// (interruptible): its calls are not cut short.
	interrupt context.Context
	// rollbackRequested is true once RDS accepted this run's rollback call (the modification,
	// or the reader's deletion or creation), so a rollback cut short is under way at RDS.
	rollbackRequested bool
	// deferredPending is true when the Multi-AZ value this run requests was already pending
	// before its call (Request.OwnPending: the caller's deferred change, made now). Then that
	// value pending is no sign of this run's call, only the instance modifying is.
	deferredPending bool
	// ownPendingClaimed is true when the caller said the pending change is its own
	// (Request.OwnPending) even if confirmOwnPending found no guard to confirm it.
	ownPendingClaimed bool
	// serverStart is when the change began on the RDS clock (see referenceNow).
	serverStart time.Time
	// id tells this run from any other (TagRun): two runs may begin in the same instant.
	id string
	// previewing is true for Preview (a plan), which never waits (changeShows).
	previewing bool
	// attempts are the attempt numbers of this change's guard snapshots the listing showed
	// (findGuards).
	attempts []int
	// restoreDropping is true once verify_restore's temporary instance is being deleted (RDS
	// answered the deletion, or the instance was found deleting): an interruption no longer
	// leaves it running (ChangeError.RestoreInstance).
	restoreDropping bool
}

// Run performs (or resumes) the change described by req. It is idempotent for a given
// req.Generation: after an interruption at any point, calling Run again with the same request
// converges. A change once begun is resumed with its guard snapshot; a run interrupted before
// the change leaves its guard snapshot behind, superseded by the next run's own, because the
// database is changed only behind a guard snapshot taken in the same run. Errors:
// *NotFoundError (target missing), *PrecheckError (refused, nothing changed), *ChangeError (with
// rollback details), or a plain error for an invalid request.
func (o *Orchestrator) Run(ctx context.Context, req Request) (*Result, error) {
	if o.RDS == nil {
		return nil, errors.New("topology: Orchestrator.RDS is nil. Please report this issue to the provider developers")
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	r := &run{o: o, req: req, started: o.now(), id: rand.Text()}
	o.logf("%s: run %s: change to %d node(s), generation %d (a guard snapshot it takes is tagged %s = %s; one it resumes with keeps its own run's)", req.Target, r.id, req.Nodes, req.Generation, TagRun, r.id)
	return r.do(ctx)
}

func (r *run) precheckErr(reason Reason, format string, args ...any) error {
	return &PrecheckError{Target: r.req.Target, Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

func (r *run) changeErr(stage string, err error) *ChangeError {
	ce := &ChangeError{Target: r.req.Target, Nodes: r.req.Nodes, Stage: stage, Err: err, Changed: r.changed, ReaderWithoutTags: r.readerWithoutTags}
	if r.guard != nil {
		ce.GuardSnapshotID, ce.GuardSnapshotARN, ce.GuardStatus = r.guard.id, r.guard.arn, r.guard.status
	}
	if errors.Is(err, context.Canceled) {
		ce.Interrupted = true
	}
	return ce
}

// boundary reports a step and turns a cancellation observed right after it into an interruption.
func (r *run) boundary(ctx context.Context, s Step) error {
	if r.guard != nil {
		r.o.logf("%s: step %s done (guard snapshot %s)", r.req.Target, s, r.guard.id)
	} else {
		r.o.logf("%s: step %s done", r.req.Target, s)
	}
	if err := r.o.step(s); err != nil {
		ce := r.changeErr("after step "+string(s), err)
		ce.Interrupted = true
		return ce
	}
	if err := ctx.Err(); err != nil {
		return r.changeErr("after step "+string(s), err)
	}
	return nil
}

func (r *run) do(ctx context.Context) (*Result, error) {
	topo, err := DescribeTarget(ctx, r.o.RDS, r.req.Target)
	if err != nil {
		return nil, fmt.Errorf("precheck of %s: %w", r.req.Target.Noun(), err)
	}
	r.topo = topo
	r.serverStart = r.referenceNow(topo)
	if err := r.precheckStatic(); err != nil {
		return nil, err
	}
	if err := r.boundary(ctx, StepPrecheck); err != nil {
		return nil, err
	}

	latest, next, ph, err := r.locate(ctx)
	if err != nil {
		return nil, err
	}

	// A change is made only behind a guard snapshot taken in the same run. Once a change has
	// begun (any phase but the original), its guard is the one it began with, whatever its age:
	// a newer snapshot would capture the changed database. Before that, a guard an earlier,
	// interrupted run left behind protects nothing yet; it is retired and a new one taken.
	if ph == phaseRollingBack {
		return nil, r.finishRollback(ctx, latest)
	}
	res := &Result{Target: r.req.Target, Started: r.started, Nodes: r.req.Nodes, GuardSnapshotRetained: true}
	if ph == phaseCompleted {
		return r.completed(ctx, res, latest)
	}
	if err := r.precheckValidationHost(); err != nil {
		if ph != phaseOriginal {
			// The change has begun: not a refusal of a change never made.
			ce := r.changeErr("checking the validation connection", err)
			ce.Changed, ce.Resumable = true, true
			return nil, ce
		}
		return nil, err
	}
	if ph != phaseOriginal {
		r.changed = true
		r.guard = latest
		r.facts = factsFromTags(latest.tags)
		r.from = r.fromNodes(latest)
		res.Resumed = true
		r.o.logf("%s: resuming with guard snapshot %s (status %s, taken by run %s)", r.req.Target, latest.id, latest.status, latest.tags[TagRun])
	} else {
		left, err := r.clearEarlierRestores(ctx, latest)
		if err != nil {
			return nil, err
		}
		res.RestoreInstancesLeft = left
		if latest.abandoned() {
			if err := r.retire(ctx, latest); err != nil {
				return nil, err
			}
			res.SupersededGuardSnapshotID = latest.id
		}
		if err := r.checkAttempts(latest, next); err != nil {
			return nil, err
		}
		if err := r.precheckOriginal(); err != nil {
			return nil, err
		}
		if err := r.precheckUndone(ctx); err != nil {
			return nil, err
		}
		if err := r.precheckExpectedReader(); err != nil {
			return nil, err
		}
		r.from = r.topo.Nodes
		r.closeEarlierRollback(ctx)
		r.deferredPending = r.req.OwnPending && r.topo.PendingMultiAZ != nil && *r.topo.PendingMultiAZ == (r.req.Nodes == 2)
		if err := r.prepareReader(ctx); err != nil {
			var pe *PrecheckError
			if errors.As(err, &pe) {
				return nil, err
			}
			return nil, r.changeErr("recording the reader", err)
		}
		if r.req.Validator != nil {
			facts, err := r.req.Validator.Capture(ctx)
			if err != nil {
				return nil, r.changeErr("recording the validation baseline", err)
			}
			if err := checkFacts(facts); err != nil {
				return nil, r.changeErr("recording the validation baseline", err)
			}
			r.facts = facts
			if err := r.boundary(ctx, StepBaseline); err != nil {
				return nil, err
			}
		}
		id := GuardSnapshotID(r.req.SnapshotPrefix, r.req.Target, r.req.Generation, r.req.Nodes, next)
		requested := r.o.now()
		if err := r.createGuard(ctx, id, r.guardTags()); err != nil {
			if pe := (*PrecheckError)(nil); errors.As(err, &pe) {
				return nil, err
			}
			return nil, r.changeErr("creating the guard snapshot", err)
		}
		r.guard = &guard{id: id, attempt: next, status: "creating", tags: r.guardTags(), requested: requested}
		if err := r.boundary(ctx, StepGuardCreate); err != nil {
			return nil, err
		}
	}
	res.FromNodes = r.from
	res.GuardSnapshotID = r.guard.id

	// Guard: wait, verify, optionally restore-test.
	g, err := r.waitGuard(ctx, r.guard)
	if g != nil {
		r.guard = g
	}
	res.GuardSnapshotARN = r.guard.arn
	if err != nil {
		return nil, r.changeErr("waiting for the guard snapshot to become available", err)
	}
	if err := r.boundary(ctx, StepGuardAvailable); err != nil {
		return nil, err
	}
	if err := r.verifyGuard(r.guard, ph != phaseOriginal); err != nil {
		// Not resumable: what verifyGuard finds on a begun change's guard (another engine, a
		// larger size, other tags, taken before the change) does not go away by applying again.
		ce := r.changeErr("verifying the guard snapshot", err)
		ce.GuardUnusable = ph != phaseOriginal
		return nil, ce
	}
	if r.req.VerifyRestore && ph == phaseOriginal {
		if err := r.verifyRestore(ctx); err != nil {
			var ce *ChangeError
			if !errors.As(err, &ce) {
				if aside := r.setAside(ctx); aside != nil {
					// Its temporary restore instance removed by the run that set the guard aside.
					return nil, aside
				}
				ce = r.changeErr("verifying that the guard snapshot restores", err)
			}
			if ce.Interrupted || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				// Cut short (Ctrl-C, or the operation's timeout): not a failure of the change, as
				// for any other interruption; the next apply of the change takes it up again.
				ce.Resumable = true
				if r.req.Target.Kind == KindInstance && !r.restoreDropping {
					ce.RestoreInstance = restoreInstanceID(r.guard.id)
					ce.RestoreDeleteRequested = r.dropRestoreOnInterrupt(ctx, ce.RestoreInstance)
				}
			}
			return nil, ce
		}
	}
	if err := r.boundary(ctx, StepGuardVerified); err != nil {
		return nil, err
	}

	// Change.
	if ph == phaseOriginal {
		if err := r.waitReady(ctx); err != nil {
			return nil, r.changeErr("waiting for the target to be available before the change", err)
		}
		// A run that found this guard while this one waited for it may have set it aside as an
		// interrupted run's (retire): then that run is changing the database, and this one stops
		// before its change (retire, in turn, reads the tags again before setting a guard aside).
		if aside := r.setAside(ctx); aside != nil {
			return nil, aside
		}
		// Recorded before the call, or no call: a later run must be able to tell a change that
		// may have been made from one that was not.
		if err := r.tagChanging(ctx); err != nil {
			// An interrupted tagging may have reached RDS, which then applies it: no change call
			// was made, so the guard goes back to in-progress (the next run sets it aside and
			// makes the change), not left at changing, which would read as a change requested.
			r.resetChanging(ctx)
			return nil, r.changeErr("recording on the guard snapshot that the change begins", err)
		}
		r.changing = true
		pending, err := r.change(ctx)
		if err != nil {
			ferr := r.fail(ctx, "requesting the change", err, false)
			if ce := (*ChangeError)(nil); errors.As(ferr, &ce) && !ce.Changed && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				// Cut short before RDS answered (Ctrl-C, or the operation's timeout): the database
				// did not show the change, or could not be described, but RDS may still have
				// accepted the request. Not a failure of the change: the next run finds out.
				ce.RequestUnanswered, ce.Resumable = true, true
			}
			return nil, ferr
		}
		r.changed = true
		if pending {
			ph = phasePending
		}
		if err := r.boundary(ctx, StepChange); err != nil {
			return nil, err
		}
	}
	r.resumedReaderWithoutTags(ctx, ph)
	res.Previous = r.previous()
	res.ReaderWithoutTags = r.readerWithoutTags
	res.ReaderParameterGroupReplaced = r.readerPGReplaced
	res.ReaderMonitoringDropped = r.readerMonitoringDropped
	if ph == phasePending {
		if err := r.recordOutcome(ctx, r.guard, OutcomePending); err != nil {
			r.o.warnf("%s: %v", r.req.Target, err)
		}
		res.Pending = true
		res.Nodes = r.from
		res.MultiAZ = r.from == 2
		res.Action = fmt.Sprintf("%s %s (guard snapshot %s)", r.actionText(), ScheduledAction, r.guard.id)
		res.Finished = r.o.now()
		return res, nil
	}

	// Wait for the change to settle.
	if err := r.settle(ctx, r.req.Nodes); err != nil {
		return nil, r.fail(ctx, "waiting for the change to settle", err, settleFailed(err))
	}
	if err := r.boundary(ctx, StepSettled); err != nil {
		return nil, err
	}

	// Validate.
	if r.req.Validator != nil {
		rep, err := r.checkValidation(ctx)
		if err != nil {
			return nil, r.fail(ctx, "validating the database after the change", err, !errors.Is(err, context.Canceled) && !validationInconclusive(err))
		}
		res.Validation = rep
		if err := r.boundary(ctx, StepValidated); err != nil {
			return nil, err
		}
	}

	if err := r.recordOutcome(ctx, r.guard, OutcomeCompleted); err != nil {
		if ctx.Err() != nil {
			return nil, r.changeErr("recording the outcome", err)
		}
		// The change is done and validated: a guard left tagged as a change under way is for the
		// caller to tag by hand (Result.OutcomeTagError), not a failed change.
		r.o.warnf("%s: %v", r.req.Target, err)
		res.OutcomeTagError = err.Error()
	}
	r.closeOppositeRollback(ctx)
	// The last boundary comes before the guard is deleted: an interruption here leaves the
	// completed guard, which a re-run reports done. Past it the run no longer stops for an
	// interruption, since the guard (with its record of a removed reader) is the change's
	// only record but the result the caller saves.
	if err := r.boundary(ctx, StepDone); err != nil {
		return nil, err
	}
	switch {
	case r.req.DeleteGuardOnSuccess && r.req.Nodes == 1 && noAutomatedBackups(r.topo):
		r.o.logf("%s: guard snapshot %s kept although the request asks to delete it: the instance keeps no automated backups, so it is its only recovery point", r.req.Target, r.guard.id)
		res.GuardKeptNoBackups = true
	case r.req.DeleteGuardOnSuccess:
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), guardDeleteTimeout)
		err := r.deleteGuard(dctx)
		cancel()
		if err != nil {
			// The change is done and validated: a refused deletion leaves a snapshot to delete by
			// hand, not a failed change.
			r.o.warnf("%s: %v", r.req.Target, err)
			res.GuardDeleteError = err.Error()
		} else {
			res.GuardSnapshotRetained = false
			res.OutcomeTagError = "" // the guard, untagged or not, is gone
		}
	}
	res.MultiAZ = r.req.Nodes == 2
	res.Action = r.actionText()
	res.Finished = r.o.now()
	return res, nil
}

// noAutomatedBackups reports whether t is an RDS instance that keeps no automated backups
// (BackupRetentionPeriod 0, as RDS reported it; false when it did not report one): on one node
// it has no point-in-time restore, and its guard snapshot may be its only recovery point. False
// for a read replica (replicaSource), whose source has its data: it is recreated from it.
func noAutomatedBackups(t *Topology) bool {
	return t != nil && t.Instance != nil && t.Instance.BackupRetentionPeriod != nil && *t.Instance.BackupRetentionPeriod == 0 &&
		replicaSource(t) == ""
}

// replicaSource is the source of t when it is an RDS read replica (of a DB instance or a Multi-AZ
// DB cluster, as RDS names it), "" otherwise.
func replicaSource(t *Topology) string {
	if t == nil || t.Instance == nil {
		return ""
	}
	return cmp.Or(deref(t.Instance.ReadReplicaSourceDBInstanceIdentifier), deref(t.Instance.ReadReplicaSourceDBClusterIdentifier))
}

// setAside is the refusal of a run whose guard snapshot another run has set aside (tagged
// superseded: retire) while this one waited for it or verified it; nil when it has not, or when
// the guard cannot be read (the caller goes on as it would have).
func (r *run) setAside(ctx context.Context) error {
	cur, err := loadGuard(ctx, r.o.RDS, r.req.Target.Kind, r.guard.id)
	if err == nil && cur.outcome() == OutcomeSuperseded {
		return r.precheckErr(ReasonConcurrentRun, "guard snapshot %s, taken by this apply, was set aside (tagged %s = %s) by another run while this one waited for it: "+
			"another apply is changing %s at the same time. Let it finish, then plan again (%s is kept; delete it when you no longer need it)",
			r.guard.id, TagOutcome, OutcomeSuperseded, r.req.Target.Noun(), r.guard.id)
	}
	return nil
}

// referenceNow estimates "now" on the clock RDS stamps snapshots with, so that "the snapshot was
// created after the change began" does not depend on the local clock: Orchestrator.Now when set,
// else the target's LatestRestorableTime plus five minutes (RDS keeps it at most about five
// minutes behind), else, for an instance without one (automated backups off: no point-in-time
// restore), the time RDS answered its description (Topology.ServerTime), else the local clock.
func (r *run) referenceNow(t *Topology) time.Time {
	if r.o.Now != nil {
		return r.o.Now()
	}
	var lrt *time.Time
	switch {
	case t.Instance != nil:
		lrt = t.Instance.LatestRestorableTime
	case t.Cluster != nil:
		lrt = t.Cluster.LatestRestorableTime
	}
	if lrt != nil && !lrt.IsZero() {
		return lrt.Add(5 * time.Minute)
	}
	if !t.ServerTime.IsZero() {
		return t.ServerTime
	}
	return time.Now()
}

// waitReady waits until the target and its members are available (after a snapshot an instance
// shows "backing-up" for a while and refuses modifications).
func (r *run) waitReady(ctx context.Context) error {
	w := wait.Waiter[*Topology]{
		Description: r.req.Target.Noun() + " to be available",
		Pending:     pendingStatuses, Target: []string{"ready"}, Retryable: IsTransient,
		Progress:    r.waitProgress("the target and its members to be available before the change"),
		MinInterval: r.o.PollMin, MaxInterval: r.o.PollMax, Sleep: r.o.Sleep,
		Refresh: func(ctx context.Context) (*Topology, string, error) {
			t, err := Describe(ctx, r.o.RDS, r.req.Target)
			if err != nil {
				return nil, "", err
			}
			if !usableStatus(t.Status) {
				return t, t.Status, nil
			}
			for _, m := range t.Members {
				if m.Status != "available" && m.Status != "deleted" {
					return t, m.Status, nil
				}
			}
			return t, "ready", nil
		},
	}
	t, err := w.Wait(ctx)
	if t != nil {
		r.topo = t
	}
	return err
}

// settleFailed reports whether a settle error means the change itself failed (the target entered
// a state such as "failed", or the timeout ran out with the target idle but not changed), which
// warrants a rollback, rather than an error observing it. Two timeouts say nothing against the
// change, and the next apply resumes it instead: one during which no describe call succeeded
// (every one throttled or failing: no state observed), and one that found the target still at
// work (stillInProgress): converting a multi-TiB instance to Multi-AZ copies its whole volume to
// the new standby, for hours, and a rollback would wait for that copy to finish only to undo it.
func settleFailed(err error) bool {
	var te *wait.TimeoutError
	var ue *wait.UnexpectedStateError
	if errors.As(err, &te) {
		return te.LastState != "" && !stillInProgress(err)
	}
	return errors.As(err, &ue)
}

// stillInProgress reports whether err is a wait's timeout that last saw the target in an RDS
// status of work in progress (pendingStatuses: "modifying", "creating", "deleting", ...), not
// idle awaiting a change that never began.
func stillInProgress(err error) bool {
	var te *wait.TimeoutError
	return errors.As(err, &te) && te.LastState != "awaiting-change" &&
		slices.Contains(pendingStatuses, te.LastState)
}

// validationRetries are the waits before the validation after the change is tried again when it
// fails to reach the database (a connection dropped or refused, the server restarting): a
// transient drop is no reason to roll back; a database still unreachable after them is.
var validationRetries = []time.Duration{5 * time.Second, 15 * time.Second, 30 * time.Second}

// connectionError reports whether err is a failure to reach or keep the connection to PostgreSQL
// rather than an answer from it: a network error, a connection that could not be opened or
// closed under the query, or SQLSTATE class 08 (connection exception; PgBouncer's refusals too),
// 57P01–57P03 (the server shutting down, or not yet accepting connections) or 53300
// (too_many_connections: a login refused at max_connections or the role's CONNECTION LIMIT, as
// when applications reconnect after the change).
func connectionError(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.SafeToRetry(err)
}

// validationInconclusive reports whether a validation error is a query the server stopped rather
// than a finding: SQLSTATE 57014 (query_canceled: the statement_timeout, which a row count of a
// large table can outlast on a busier single node or a colder cache) or 55P03 (lock_not_available:
// the lock_timeout). It says nothing against the change: the run stops resumable, and the next
// apply, perhaps with a longer postgres.statement_timeout, validates again.
func validationInconclusive(err error) bool {
	var pe *pgconn.PgError
	var ve *ValidationError
	return !errors.As(err, &ve) && errors.As(err, &pe) && (pe.Code == "57014" || pe.Code == "55P03")
}

// checkValidation runs the validation after the change, again after each of validationRetries
// while it fails to reach the database (connectionError); a mismatch, an answer or a
// cancellation ends it at once.
func (r *run) checkValidation(ctx context.Context) (*Report, error) {
	for i := 0; ; i++ {
		rep, err := r.req.Validator.Check(ctx, r.facts)
		var ve *ValidationError
		if err == nil || i == len(validationRetries) || errors.As(err, &ve) || !connectionError(err) || ctx.Err() != nil {
			return rep, err
		}
		r.o.warnf("%s: validation could not reach the database (%v); trying again in %s", r.req.Target, err, validationRetries[i])
		if serr := r.o.sleep(ctx, validationRetries[i]); serr != nil {
			return nil, serr
		}
	}
}

// locate finds this change's guard snapshots and where the change stands: the latest guard (nil
// if none), the next attempt number and the phase, which is phaseOriginal or has a guard to
// resume with (a target past its original topology without one is refused). Read-only; do and
// Preview share it.
func (r *run) locate(ctx context.Context) (*guard, int, phase, error) {
	if err := r.confirmOwnPending(ctx); err != nil {
		return nil, 0, 0, r.changeErr("looking for the guard snapshot of the deferred change", err)
	}
	latest, next, err := r.findGuards(ctx)
	if err != nil {
		return nil, 0, 0, r.changeErr("looking for the guard snapshot", err)
	}
	// The reader a change recorded on its guard is this change's own only while the change is
	// open (a usable guard, or a rollback to finish); a closed change's record (a completed or
	// superseded guard a resource created anew finds for this generation) is no earlier attempt
	// of this change: the reader then comes from today's cluster, or Request.Previous, for Run
	// and Preview alike (completed reads its own guard's record).
	if latest != nil {
		rollingBack := latest.outcome() == OutcomeRollingBack && latest.status == "available"
		if spec, ok := readerFromTags(latest.tags); ok && (rollingBack || latest.usable()) {
			r.reader = &spec
		}
		if rollingBack {
			return latest, next, phaseRollingBack, nil
		}
	}
	ph, err := r.classify(latest)
	if err != nil {
		return nil, 0, 0, err
	}
	if ph == phaseOriginal && latest != nil && latest.outcome() == OutcomeChanging && latest.status == "available" {
		// The change was requested, yet the target was at its original topology when this run
		// described it: it did not take effect, or it was rolled back without the outcome being
		// recorded — or another run (another workspace, another resource on the same database)
		// tagged it changing since and is making it now, which a fresh describe shows under way.
		// Never take it for a change that has not begun (which would retire the guard and redo the
		// change), nor a live run's change for one to roll back.
		if left, err := r.changeShows(ctx, latest); err != nil {
			return nil, 0, 0, r.changeErr("looking for the change the guard snapshot says was requested", err)
		} else if left {
			return nil, 0, 0, r.precheckErr(ReasonConcurrentRun, "guard snapshot %s is tagged %s = %s and %s is changing now: another apply "+
				"(another workspace, or another resource on the same database) is making this change at the same time; "+
				"wait for it to finish, then plan again", latest.id, TagOutcome, OutcomeChanging, r.req.Target.Noun())
		}
		return latest, next, phaseRollingBack, nil
	}
	if ph == phaseDone && latest != nil && latest.outcome() == OutcomeCompleted && latest.status == "available" {
		return latest, next, phaseCompleted, nil
	}
	if ph != phaseOriginal && !latest.usable() {
		// Past the original topology without a guard of an open change (none, or one that
		// completed, rolled back or was superseded): not this change's doing — unless it is the
		// opposite change this resource began, still under way (a rollback cut short by its
		// deadline, say, while RDS restores the previous topology).
		if ph != phaseDone && ph != phasePending {
			if msg := r.ownOppositeChange(ctx); msg != "" {
				return nil, 0, 0, r.precheckErr(ReasonChangeInProgress, "%s", msg)
			}
		}
		return nil, 0, 0, r.noGuardErr(ph)
	}
	if r.req.Target.Kind == KindCluster && r.reader == nil && (ph == phaseInProgress || ph == phaseDone) && latest.usable() {
		// A begun Aurora change whose guard lost its reader record (its tags removed by hand):
		// which instance the change removes or creates, and a rollback would recreate or remove,
		// is unknown, so it is neither followed nor undone.
		ce := r.changeErr("resuming the change an earlier apply began", fmt.Errorf("guard snapshot %s is intact but no longer records "+
			"the reader (its tags %s* were removed), so this apply can neither follow the change nor roll it back: wait for RDS to finish "+
			"and check the cluster; to keep it as it is, tag the guard snapshot %s = %s and import the cluster (after terraform state rm "+
			"if the resource is in the state); to go back, restore the cluster from the guard snapshot", latest.id, tagReaderPrefix, TagOutcome, OutcomeSuperseded))
		ce.Changed, ce.ReaderRecordMissing = true, true
		return nil, 0, 0, ce
	}
	return latest, next, ph, nil
}

// precheckExpectedReader refuses a change to 1 node of an Aurora cluster whose reader is not
// the one the plan named (Request.ExpectedReader): the plan was reviewed for removing that
// instance, and after a failover the same request would remove the planned writer.
func (r *run) precheckExpectedReader() error {
	if r.req.Target.Kind != KindCluster || r.req.Nodes != 1 || r.req.ExpectedReader == "" {
		return nil
	}
	if rs := r.topo.Readers(); len(rs) != 1 || !strings.EqualFold(rs[0].Identifier, r.req.ExpectedReader) {
		now := "none"
		if len(rs) > 0 {
			now = rs[0].Identifier
		}
		return r.precheckErr(ReasonFailover, "the plan named reader %s as the instance to remove, but the cluster's reader is now %s (a failover since the plan, or another change): "+
			"run terraform plan again to review the change for the cluster as it is now", r.req.ExpectedReader, now)
	}
	return nil
}

// confirmOwnPending keeps Request.OwnPending only when the guard snapshot of the caller's
// previous change (generation − 1, to the same node count) says that change waits for the
// maintenance window (OutcomePending). A pending change the caller takes for its own but that
// no guard of its records was made outside it: it is refused as such, never made now.
func (r *run) confirmOwnPending(ctx context.Context) error {
	if !r.req.OwnPending {
		return nil
	}
	r.req.OwnPending, r.ownPendingClaimed = false, true
	gen := r.req.Generation - 1
	if r.req.Target.Kind != KindInstance || gen < 1 {
		return nil
	}
	g, err := latestGuard(ctx, r.o.RDS, r.req.SnapshotPrefix, r.req.Target, gen, r.req.Nodes)
	if g == nil || err != nil {
		return err
	}
	// Tagged pending-maintenance after its request, or left changing by a run whose tagging failed.
	r.req.OwnPending = g.deferredOutcome() == OutcomePending
	return nil
}

// checkAttempts refuses a new guard snapshot when maxAttempts guard snapshots of this change
// generation exist (findGuards counted them), or when the next attempt number would pass
// maxAttemptNumber; latest is the highest attempt.
func (r *run) checkAttempts(latest *guard, next int) error {
	if r.attemptsFound < maxAttempts && next <= maxAttemptNumber {
		return nil
	}
	highest := ""
	if latest != nil {
		highest = fmt.Sprintf(" (the latest, %s, is tagged %s = %q)", latest.id, TagOutcome, latest.outcome())
	}
	if next > maxAttemptNumber {
		return r.precheckErr(ReasonTooManyAttempts, "guard snapshot attempts of change generation %d to %d node(s) have reached number %d%s: "+
			"delete that one if you no longer need it (%s), or set another guard.snapshot_identifier_prefix",
			r.req.Generation, r.req.Nodes, maxAttemptNumber, highest, NeverDelete)
	}
	return r.precheckErr(ReasonTooManyAttempts, "%d guard snapshots of change generation %d to %d node(s) already exist%s, the most one change may gather: "+
		"delete those you no longer need (tagged %s = %s, or failed snapshots; %s)",
		r.attemptsFound, r.req.Generation, r.req.Nodes, highest, TagOutcome, ClosedOutcomes, NeverDelete)
}

// findGuards finds the guard snapshots of this change (guardAttempts). It returns the latest one
// (the highest attempt; nil if none) and the next attempt number (one above the highest), and
// refuses a snapshot with this change's identifier that belongs to another target: the latest,
// or one already occupying the next identifier (which the listing of the target's own snapshots
// cannot show).
func (r *run) findGuards(ctx context.Context) (*guard, int, error) {
	attempts, err := guardAttempts(ctx, r.o.RDS, r.req.SnapshotPrefix, r.req.Target, r.req.Generation, r.req.Nodes)
	if err != nil {
		return nil, 0, err
	}
	var latest *guard
	next := 1
	if n := len(attempts); n > 0 {
		next = attempts[n-1]
	}
	r.attemptsFound, r.attempts = len(attempts), attempts
	// Load the highest listed attempt, then any the listing did not show yet (a snapshot just
	// created) or that belongs to another target, up to the first identifier that is free.
	for ; next <= maxAttemptNumber; next++ {
		id := GuardSnapshotID(r.req.SnapshotPrefix, r.req.Target, r.req.Generation, r.req.Nodes, next)
		g, err := loadGuard(ctx, r.o.RDS, r.req.Target.Kind, id)
		if IsNotFound(err) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if err := r.foreignGuard(id, g); err != nil {
			return nil, 0, err
		}
		g.attempt = next
		latest = g
		if len(attempts) == 0 || next > attempts[len(attempts)-1] {
			r.attemptsFound++ // not listed yet
		}
	}
	return latest, next, nil
}

// foreignGuard refuses snapshot g, named id like a guard snapshot of this change, when it belongs
// to another target (by its target tag or its source), or, of a DB instance target, to another
// DB instance that had the target's identifier, when g guards a change of that instance still open:
// one renamed or deleted since, whose snapshots keep the identifier they were taken under (so its
// guards are named, and tagged, like this change's), told apart by DbiResourceId, which a rename
// keeps and no other instance has.
func (r *run) foreignGuard(id string, g *guard) error {
	if t := g.tags[TagTarget]; (t != "" && !sameTarget(t, r.req.Target)) || (g.source != "" && !strings.EqualFold(g.source, r.req.Target.Identifier)) {
		return r.precheckErr(ReasonForeignGuard, "snapshot %s exists but belongs to %s; choose another snapshot_identifier_prefix", id, cmp.Or(t, g.source))
	}
	// Only an open one: a closed guard (closedGuard) is no attempt of this change whoever took it,
	// passed over as an earlier resource's would be (an instance deleted and created again under
	// its name keeps its changes).
	if s, ok := g.snapshot.(*rdstypes.DBSnapshot); ok && r.topo != nil && r.topo.Instance != nil && !closedGuard(g.outcome(), g.status) {
		if own, theirs := deref(r.topo.Instance.DbiResourceId), deref(s.DbiResourceId); own != "" && theirs != "" && own != theirs {
			return r.precheckErr(ReasonForeignGuard, "snapshot %s exists but was taken of another DB instance that had the identifier %s (DbiResourceId %s; this one's is %s), "+
				"renamed or deleted since: it guards that instance's change, not this one's, and nothing was changed by this apply; "+
				"choose another snapshot_identifier_prefix", id, r.req.Target.Identifier, theirs, own)
		}
	}
	return nil
}

func (r *run) guardTags() map[string]string {
	tags := map[string]string{}
	maps.Copy(tags, r.req.Tags)
	tags[TagManagedBy] = ManagedByValue
	tags[TagTarget] = r.req.Target.String()
	tags[TagGeneration] = strconv.FormatInt(r.req.Generation, 10)
	tags[TagFromNodes] = strconv.Itoa(r.from)
	tags[TagToNodes] = strconv.Itoa(r.req.Nodes)
	tags[TagChangeStarted] = r.serverStart.UTC().Format(time.RFC3339Nano)
	tags[TagRun] = r.id
	tags[TagOutcome] = OutcomeInProgress
	if r.req.Target.Kind == KindInstance {
		tags[TagDeferred] = strconv.FormatBool(r.req.DeferToMaintenanceWindow)
	}
	if r.reader != nil {
		maps.Copy(tags, readerTags(*r.reader))
	}
	for k, v := range r.facts {
		tags[tagFactPrefix+k] = v
	}
	// The reader's own tags, last and only where RDS's limit leaves room for them (the change
	// does not need them; a resumed change or its rollback recreating the reader does).
	if r.reader != nil && !r.reader.TagsUnrecorded {
		if rec := readerTagsRecord(r.reader.Tags); len(tags)+len(rec)+tagsAddedLater <= maxTags {
			maps.Copy(tags, rec)
		}
	}
	return tags
}

// precheckStatic refuses targets this resource never changes.
func (r *run) precheckStatic() error {
	t := r.topo
	switch r.req.Target.Kind {
	case KindInstance:
		if id := deref(t.Instance.DBClusterIdentifier); id != "" {
			return r.precheckErr(ReasonWrongTarget, "it is a member of DB cluster %s; use the cluster (db_cluster_identifier) instead", id)
		}
		if t.Engine != EngineInstance {
			return r.precheckErr(ReasonWrongTarget, "engine is %q; only %q DB instances are supported", t.Engine, EngineInstance)
		}
		if src := deref(t.Instance.ReadReplicaSourceDBInstanceIdentifier); src != "" && r.req.Validator != nil {
			// Every RDS for PostgreSQL read replica is a server in recovery (streaming
			// replication), which the validation refuses by design, and its rows keep changing
			// with its source's: the change would fail after the guard snapshot, for nothing.
			return r.precheckErr(ReasonNotSupported, "it is a read replica of %s, a server in recovery that validation refuses "+
				"(and whose rows follow its source's); remove the validation block to change its Multi-AZ setting without validation", src)
		}
	case KindCluster:
		if t.Engine != EngineCluster {
			return r.precheckErr(ReasonWrongTarget, "engine is %q; only %q clusters are supported (Multi-AZ DB clusters and other engines are not)", t.Engine, EngineCluster)
		}
		if t.Serverless {
			return r.precheckErr(ReasonNotSupported, "it is an Aurora Serverless cluster; its capacity scales by ACUs, not by node count")
		}
		if g := t.GlobalCluster(); g != "" && t.Writer() == nil {
			return r.precheckErr(ReasonNotSupported, "%s", secondaryRefusal(g, t.ARN))
		}
		live := t.LiveMembers()
		if live > 2 {
			return r.precheckErr(ReasonNodeCount, "it has %d instances; only a writer with at most one reader is supported (remove the extra readers first)", live)
		}
		if live == 0 {
			return r.precheckErr(ReasonNodeCount, "it has no instances")
		}
		if t.Writer() == nil {
			return r.precheckErr(ReasonStatus, "it has no writer instance")
		}
	}
	return nil
}

// classify decides where the change stands. latest is the latest guard snapshot of this
// change, if any; only a usable one (of a change still open) can make a phase past the original.
func (r *run) classify(latest *guard) (phase, error) {
	t := r.topo
	if !latest.usable() {
		latest = nil
	}
	if r.req.Target.Kind == KindInstance {
		want := r.req.Nodes == 2
		pendingWant := t.PendingMultiAZ != nil && *t.PendingMultiAZ == want
		pendingBack := t.PendingMultiAZ != nil && *t.PendingMultiAZ != want
		switch {
		case t.MultiAZ == want && !pendingBack:
			if usableStatus(t.Status) {
				return phaseDone, nil
			}
			if latest != nil && pendingStatus(t.Status) {
				return phaseInProgress, nil
			}
			return phaseDone, nil // reported as "already at target" when no guard exists
		case pendingWant && t.Status == "modifying":
			return phaseInProgress, nil
		case pendingWant && latest != nil && latest.tags[TagDeferred] == "false" && latest.outcome() != OutcomeInProgress:
			// Requested to apply immediately: RDS shows the value pending, with the instance still
			// available, for a few seconds before it starts modifying. Not a deferred change. (A
			// guard still in progress was never followed by its request: the value pending is
			// an earlier deferred change's, below.)
			return phaseInProgress, nil
		case pendingWant && r.req.OwnPending && !r.req.DeferToMaintenanceWindow && (usableStatus(t.Status) || (latest != nil && pendingStatus(t.Status))):
			// The caller's own deferred change, wanted now: a change from today's topology,
			// behind a guard of its own (an earlier attempt's, still being taken, holds the
			// instance busy: the run waits for it and takes its own).
			return phaseOriginal, nil
		case pendingWant:
			return phasePending, nil
		case usableStatus(t.Status):
			return phaseOriginal, nil
		case latest != nil && pendingStatus(t.Status):
			// The guard snapshot of this change exists and the instance is busy (for example
			// "backing-up" because of that snapshot): the change waits for it to be available.
			return phaseOriginal, nil
		default:
			return 0, r.precheckErr(ReasonStatus, "status is %q; it must be \"available\"%s", t.Status, r.statusAdvice(t.Status))
		}
	}
	writer := t.Writer()
	if r.reader != nil && strings.EqualFold(writer.Identifier, r.reader.Identifier) && r.req.Nodes == 1 {
		next := "check the cluster and apply again with a new change"
		if latest != nil && latest.outcome() == OutcomeInProgress {
			// The guard of an attempt that changed nothing records the old reader, and the next
			// apply would find it again: without it, the next apply records the current reader.
			next = fmt.Sprintf("no change was made: delete guard snapshot %s, which records the old reader, and apply again (a new guard snapshot records the current one)", latest.id)
		}
		return 0, r.precheckErr(ReasonFailover, "instance %s, recorded as the reader to remove, is now the writer (a failover happened); refusing to delete the writer — %s", writer.Identifier, next)
	}
	var live []Member
	for _, m := range t.Readers() {
		if m.Status != "deleted" {
			live = append(live, m)
		}
	}
	clusterOK := t.Status == "available" && writer.Status == "available"
	guarded := latest != nil
	busyOK := func(ms ...Member) bool { // transient states a guarded change may wait out
		if !guarded || (t.Status != "available" && !pendingStatus(t.Status)) {
			return false
		}
		for _, m := range append(ms, *writer) {
			if m.Status != "available" && !pendingStatus(m.Status) {
				return false
			}
		}
		return true
	}
	switch r.req.Nodes {
	case 1:
		switch {
		case len(live) == 0 && clusterOK:
			return phaseDone, nil
		case len(live) == 0:
			if latest != nil {
				return phaseInProgress, nil
			}
			return phaseDone, nil // reported as "already at target"
		case beingDeleted(live[0].Status):
			if latest != nil {
				return phaseInProgress, nil
			}
		case r.reader != nil && !strings.EqualFold(r.reader.Identifier, live[0].Identifier):
			return 0, r.precheckErr(ReasonForeignGuard, "the reader is %s but this change recorded %s; apply again with a new change", live[0].Identifier, r.reader.Identifier)
		case clusterOK && live[0].Status == "available", busyOK(live[0]):
			return phaseOriginal, nil
		}
	case 2:
		ours := len(live) == 1 && r.reader != nil && strings.EqualFold(live[0].Identifier, r.reader.Identifier)
		switch {
		case len(live) == 0 && (clusterOK || busyOK()):
			return phaseOriginal, nil
		case len(live) == 1 && live[0].Status == "available" && clusterOK:
			return phaseDone, nil
		case len(live) == 1 && latest != nil && (ours || r.reader == nil) && pendingStatus(live[0].Status):
			return phaseInProgress, nil
		case len(live) == 1 && latest == nil && !beingDeleted(live[0].Status):
			// (A reader being deleted, by another apply's change to 1 node say, is no second node.)
			return phaseDone, nil // reported as "already at target"
		}
	}
	var st []string
	st = append(st, fmt.Sprintf("cluster %q", t.Status))
	advice := r.statusAdvice(t.Status)
	for _, m := range t.Members {
		st = append(st, fmt.Sprintf("%s %q", m.Identifier, m.Status))
		if advice == "" {
			advice = r.statusAdvice(m.Status)
		}
	}
	return 0, r.precheckErr(ReasonStatus, "status is %s; the cluster and its instances must be \"available\"%s", strings.Join(st, ", "), advice)
}

// ownOppositeChange describes this resource's own rollback still under way at RDS: the latest
// guard of generation G or G−1 of the change to the other node count is tagged rolling-back, and
// the database is moving towards this request's node count (the caller's phase), where that
// rollback takes it back (a change the other way under way would not move it there). "" when
// there is none.
func (r *run) ownOppositeChange(ctx context.Context) string {
	if gs := r.oppositeRollbacks(ctx); len(gs) > 0 {
		return fmt.Sprintf("status is %q: this resource's rollback of its change to %d node(s) (guard snapshot %s) is still under way; "+
			"wait for RDS to finish it, then apply again", r.topo.Status, 3-r.req.Nodes, gs[0].id)
	}
	return ""
}

// closeOppositeRollback records as rolled back the guard of this resource's opposite change (this
// generation's or the previous one's) still tagged rolling-back: this run, just completed, has put
// the target back at that change's starting node count (a destroy with restore_on_destroy, or
// nodes set back, after a refused rollback). Left open, it would be taken, by a later change of
// that generation (a resource created anew), for a rollback still owed. Best effort: logged.
//
// The same goes for such a guard still tagged changing and taken before this run's: an apply
// requested that change and was interrupted before recording its outcome, then the resource's
// nodes were set back (the state kept the starting count) and this run took the target back.
// Left changing, it would stay an open change for good: a guard never to be deleted, and, for a
// resource created anew, a change to resume or roll back (an Aurora one refused, its recorded
// reader gone, until tagged by hand).
func (r *run) closeOppositeRollback(ctx context.Context) {
	for _, g := range r.oppositeGuards(ctx) {
		outcome := guardOutcome(g, r.req.Target)
		takenBefore := r.guard != nil && g.created.Before(r.guard.created)
		if outcome != OutcomeRollingBack && (outcome != OutcomeChanging || !takenBefore) {
			continue
		}
		if err := r.recordOutcome(ctx, g, OutcomeRolledBack); err != nil {
			r.o.warnf("%s: recording guard snapshot %s rolled back: %v", r.req.Target, g.id, err)
			continue
		}
		r.o.logf("%s: guard snapshot %s of the change to %d node(s) recorded rolled back: this change put the target back", r.req.Target, g.id, 3-r.req.Nodes)
	}
}

// closeEarlierRollback records as rolled back the guard of this resource's previous change
// (generation G−1) to this run's node count still tagged rolling-back, when this run begins that
// change anew from the original topology: the database is back at the node count that change
// started from, so its rollback is finished (RDS finished a rollback an apply had stopped
// watching: a deferred change's, whose state, kept pending, the refresh then took back, and whose
// next apply makes the change again as generation G). Left open, it would stay a change under way
// for good: a guard never to be deleted, taken by an import for an unfinished rollback. Best
// effort: logged.
func (r *run) closeEarlierRollback(ctx context.Context) {
	if r.req.Generation < 2 || r.from != 3-r.req.Nodes {
		return
	}
	g, err := latestGuard(ctx, r.o.RDS, r.req.SnapshotPrefix, r.req.Target, r.req.Generation-1, r.req.Nodes)
	if err != nil || g == nil || guardOutcome(g, r.req.Target) != OutcomeRollingBack {
		return
	}
	if err := r.recordOutcome(ctx, g, OutcomeRolledBack); err != nil {
		r.o.warnf("%s: recording guard snapshot %s rolled back: %v", r.req.Target, g.id, err)
		return
	}
	r.o.logf("%s: guard snapshot %s of the previous change to %d node(s) recorded rolled back: %s is back at %d node(s)", r.req.Target, g.id, r.req.Nodes, r.req.Target.Noun(), r.from)
}

// oppositeGuards returns the latest guards of generations G and G−1 (in that order) of this
// resource's change to the other node count (one listing of the target's manual snapshots per
// generation); a guard that cannot be read is left out.
func (r *run) oppositeGuards(ctx context.Context) []*guard {
	var out []*guard
	for _, gen := range []int64{r.req.Generation, r.req.Generation - 1} {
		if gen < 1 {
			continue
		}
		g, err := latestGuard(ctx, r.o.RDS, r.req.SnapshotPrefix, r.req.Target, gen, 3-r.req.Nodes)
		if err == nil && g != nil {
			out = append(out, g)
		}
	}
	return out
}

// oppositeRollbacks returns those of oppositeGuards tagged rolling-back (as GuardOutcome reads
// them: this target's, not failed).
func (r *run) oppositeRollbacks(ctx context.Context) []*guard {
	return slices.DeleteFunc(r.oppositeGuards(ctx), func(g *guard) bool { return guardOutcome(g, r.req.Target) != OutcomeRollingBack })
}

// noGuardErr explains a target that is not in its original topology while no guard snapshot of
// this change exists.
func (r *run) noGuardErr(ph phase) error {
	switch ph {
	case phaseDone:
		return r.precheckErr(ReasonAlreadyAtTarget, "it already has %d node(s)%s; there is nothing to change", r.req.Nodes, r.shapeText())
	case phasePending:
		if r.req.OwnPending {
			return r.precheckErr(ReasonPending, "a Multi-AZ change to %t is already pending for the maintenance window, deferred by this resource's last apply (apply_immediately = false); "+
				"set apply_immediately = true to make it now, or let the window make it", r.req.Nodes == 2)
		}
		if r.ownPendingClaimed {
			return r.precheckErr(ReasonPending, "a Multi-AZ change to %t is pending for the maintenance window, but the guard snapshot of this resource's last change "+
				"(generation %d) does not show that change deferred (the snapshot is gone, or that change completed and the pending one was made outside this resource), "+
				"and a deferred change is made now only behind its guard: set apply_immediately = false and let the window make it", r.req.Nodes == 2, r.req.Generation-1)
		}
		return r.precheckErr(ReasonPending, "a Multi-AZ change to %t is already pending for the maintenance window, made outside this resource", r.req.Nodes == 2)
	default:
		return r.precheckErr(ReasonChangeInProgress, "status is %q: a change that this resource did not start is in progress; wait for it to finish", r.topo.Status)
	}
}

func (r *run) shapeText() string {
	if r.req.Target.Kind == KindInstance {
		if r.topo.MultiAZ {
			return " (Multi-AZ)"
		}
		return " (Single-AZ)"
	}
	return ""
}

// precheckValidationHost refuses a change whose validation would reach another database
// (ValidationHostMismatch).
func (r *run) precheckValidationHost() error {
	if r.req.Validator == nil || r.req.ValidationHost == "" {
		return nil
	}
	if why := ValidationHostMismatch(r.topo, r.req.ValidationHost); why != "" {
		return r.precheckErr(ReasonValidationTarget, "%s", why)
	}
	return nil
}

// statusAdvice is what to do about a target (or cluster member) in status: for one stopped, start
// it; for one stopping, start it once stopped (RDS takes no snapshot of a stopped database and
// changes nothing on it); for one RDS is working on (modifying, backing-up, deleting, ...),
// wait for it (busyAdvice); "" otherwise.
func (r *run) statusAdvice(status string) string {
	cmd := "aws rds start-db-instance --db-instance-identifier " + r.req.Target.Identifier
	if r.req.Target.Kind == KindCluster {
		cmd = "aws rds start-db-cluster --db-cluster-identifier " + r.req.Target.Identifier
	}
	switch status {
	case "stopped":
		return fmt.Sprintf(": start %s first (%s), wait for it to be available, then apply again", r.req.Target.Noun(), cmd)
	case "stopping":
		return fmt.Sprintf(": wait for %s to be stopped, start it (%s), wait for it to be available, then apply again", r.req.Target.Noun(), cmd)
	}
	if pendingStatus(status) {
		return ": " + busyAdvice
	}
	return ""
}

// busyAdvice is what to do about a database RDS is working on when this run finds it.
const busyAdvice = "RDS is working on it (another apply, in another workspace or of another resource on the same database, " +
	"or another tool may be changing it); wait for it to be available, then plan again"

// precheckOriginal checks what must hold before a change is started.
func (r *run) precheckOriginal() error {
	t := r.topo
	if !usableStatus(t.Status) {
		return r.precheckErr(ReasonStatus, "status is %q; it must be \"available\"%s", t.Status, r.statusAdvice(t.Status))
	}
	if len(t.PendingModifications) > 0 {
		return r.precheckErr(ReasonPending, "it has pending modifications (%s); apply or cancel them first", strings.Join(t.PendingModifications, ", "))
	}
	if r.req.Target.Kind == KindInstance {
		if t.Nodes == r.req.Nodes && t.PendingMultiAZ != nil && *t.PendingMultiAZ != t.MultiAZ {
			// Not at target for long: the maintenance window will apply the opposite change.
			return r.precheckErr(ReasonPending, "it has %d node(s)%s, but turning Multi-AZ %s is pending for the next maintenance window (requested with apply_immediately = false); "+
				"to keep %d node(s), revert that pending change (aws rds modify-db-instance --db-instance-identifier %s %s --apply-immediately; RDS then applies any other pending modification at once too), then apply again",
				t.Nodes, r.shapeText(), onOff(*t.PendingMultiAZ), t.Nodes, r.req.Target.Identifier, multiAZFlag(t.MultiAZ))
		}
		if t.Nodes == r.req.Nodes {
			return r.precheckErr(ReasonAlreadyAtTarget, "it already has %d node(s)%s", r.req.Nodes, r.shapeText())
		}
		return nil
	}
	for _, m := range t.Members {
		if m.Status != "available" {
			return r.precheckErr(ReasonStatus, "instance %s is %q; it must be \"available\"%s", m.Identifier, m.Status, r.statusAdvice(m.Status))
		}
	}
	if want := 3 - r.req.Nodes; t.Nodes != want {
		return r.precheckErr(ReasonNodeCount, "it has %d instance(s); changing to %d node(s) needs %d", t.Nodes, r.req.Nodes, want)
	}
	return nil
}

// precheckUndone refuses a change that something outside the database would undo, or that would
// leave clients with no route: a blue/green deployment of the database (precheckBlueGreen, any
// change) and, for the removal of an Aurora reader, Aurora Auto Scaling and the routes to the
// reader (precheckReaderRemoval). Each lists what it checks; a listing that fails is a
// *ChangeError (Preview reports it as unchecked), a refusal a *PrecheckError.
func (r *run) precheckUndone(ctx context.Context) error {
	if err := r.precheckBlueGreen(ctx); err != nil {
		return err
	}
	return r.precheckReaderRemoval(ctx)
}

// precheckBlueGreen refuses to change a database that is the source (blue) database of a
// blue/green deployment that can still switch over: the green copy was made with the topology
// the database had then and does not follow a change to the blue database, so a switchover would
// undo the change (and the next plan would show the resource drifting back).
func (r *run) precheckBlueGreen(ctx context.Context) error {
	pending, err := bluegreen.Pending(ctx, r.o.RDS)
	if err != nil {
		return r.changeErr("checking blue/green deployments", err)
	}
	var ds []string
	for _, d := range bluegreen.Of(pending, r.topo.ARN) {
		ds = append(ds, d.Describe())
	}
	if len(ds) > 0 {
		return r.precheckErr(ReasonBlueGreen, "it is the blue (source) database of %s, whose switchover would replace it with a green copy that does not follow this change; "+
			"delete the blue/green deployment, or switch over first (the change then applies to the new production database), then apply again", strings.Join(ds, "; "))
	}
	return nil
}

// precheckReaderRemoval refuses to delete an Aurora cluster's only reader when Aurora Auto Scaling
// would put one back (precheckAutoScaling) or when clients would lose their route
// (precheckEndpoints). Other changes have nothing to check here.
func (r *run) precheckReaderRemoval(ctx context.Context) error {
	if r.req.Target.Kind != KindCluster || r.req.Nodes != 1 {
		return nil
	}
	if err := r.precheckAutoScaling(ctx); err != nil {
		return err
	}
	return r.precheckEndpoints(ctx)
}

// precheckAutoScaling refuses to delete an Aurora cluster's reader when the cluster's Aurora
// Auto Scaling keeps a minimum of one reader or more: it would add a reader back, and the next
// plan would show the resource drifting back to two nodes.
func (r *run) precheckAutoScaling(ctx context.Context) error {
	if r.o.AutoScaling == nil {
		return r.changeErr("checking Aurora Auto Scaling", errors.New("no Application Auto Scaling client was given to the orchestrator"))
	}
	targets, err := replicascaling.Targets(ctx, r.o.AutoScaling, r.req.Target.Identifier)
	if err != nil {
		return r.changeErr("checking Aurora Auto Scaling", err)
	}
	if a, ok := targets[strings.ToLower(r.req.Target.Identifier)]; ok && a.MinCapacity > 0 {
		return r.precheckErr(ReasonAutoScaling, "%s (minimum %d, Application Auto Scaling target cluster:%s), so it would add a reader back after the reader is deleted; "+
			"set the scalable target's minimum capacity to 0, or deregister it, then apply again", a.Describe(), a.MinCapacity, r.req.Target.Identifier)
	}
	return nil
}

// precheckEndpoints refuses to delete an Aurora cluster's reader when something that routes
// client connections to the cluster would then route to no DB instance (routing): a custom
// endpoint of type READER, or one whose static list holds only the reader, or whose exclusion
// list leaves only the reader (analysis.CustomEndpoint.Members); or a read-only endpoint of an
// RDS Proxy in front of the cluster, which routes to readers only. Their clients would fail to
// connect; the cluster's reader endpoint, by contrast, falls back to the writer.
func (r *run) precheckEndpoints(ctx context.Context) error {
	readers, writer := r.topo.Readers(), r.topo.Writer()
	if len(readers) != 1 || writer == nil {
		return nil // precheckOriginal has refused this shape already
	}
	reader := readers[0].Identifier
	custom, err := routing.CustomEndpoints(ctx, r.o.RDS, r.req.Target.Identifier)
	if err != nil {
		return r.changeErr("checking the cluster's custom endpoints", err)
	}
	var stranded []string
	for _, eps := range custom {
		for _, ce := range eps {
			if len(ce.Members(writer.Identifier, nil)) == 0 {
				stranded = append(stranded, ce.Describe())
			}
		}
	}
	if len(stranded) > 0 {
		return r.precheckErr(ReasonCustomEndpoint, "deleting the reader %s would leave the custom endpoint(s) %s routing to no DB instance, and their clients could not connect; "+
			"make each of them type ANY with the writer %s as a member, or move their clients to the cluster endpoint and delete them, then apply again",
			reader, strings.Join(stranded, ", "), writer.Identifier)
	}
	proxies, err := routing.ProxyReaderEndpoints(ctx, r.o.RDS)
	if err != nil {
		return r.changeErr("checking the RDS Proxy endpoints", err)
	}
	var cut []string
	for _, pe := range proxies[strings.ToLower(r.req.Target.Identifier)] {
		cut = append(cut, pe.Describe())
	}
	if len(cut) > 0 {
		return r.precheckErr(ReasonProxyEndpoint, "deleting the reader %s would leave the RDS Proxy endpoint(s) %s with no reader to route to (a read-only proxy endpoint does not fall back to the writer), and their clients could not connect; "+
			"move their clients to the proxy's default (read/write) endpoint and delete them, then apply again",
			reader, strings.Join(cut, ", "))
	}
	return nil
}

// prepareReader records the reader to delete (→ 1 node) or the reader to create (→ 2 nodes).
func (r *run) prepareReader(ctx context.Context) error {
	if r.req.Target.Kind != KindCluster {
		return nil
	}
	if r.req.Nodes == 1 {
		rd := r.topo.Readers()[0]
		inst, err := FindDBInstance(ctx, r.o.RDS, rd.Identifier)
		if err != nil {
			return fmt.Errorf("describing reader %s: %w", rd.Identifier, err)
		}
		spec := readerSpecFromInstance(inst)
		r.reader = &spec
		return nil
	}
	if r.reader != nil {
		// Recorded by an earlier attempt of this change: recreate the same reader.
		return r.checkReaderName(ctx)
	}
	w := r.topo.Writer()
	inst, err := FindDBInstance(ctx, r.o.RDS, w.Identifier)
	if err != nil {
		return fmt.Errorf("describing writer %s: %w", w.Identifier, err)
	}
	writerAZ := deref(inst.AvailabilityZone)
	recorded := r.unrecordedRemoval(ctx)
	if recorded == nil {
		recorded = r.req.previousReader()
	}
	if recorded != nil {
		spec := *recorded
		if spec.AvailabilityZone != "" && strings.EqualFold(spec.AvailabilityZone, writerAZ) {
			// The writer has moved into the reader's recorded AZ since (replaced by an instance
			// there, or recreated there by Aurora after an AZ failure): a reader recreated there
			// would share the writer's AZ, and fail over within it. Another of the cluster's AZs.
			if az := otherAZ(r.topo.AvailabilityZones, writerAZ); az != "" {
				r.readerAZMoved = fmt.Sprintf("in %s, not its recorded %s, which is now the AZ of the writer %s", az, spec.AvailabilityZone, w.Identifier)
				spec.AvailabilityZone = az
			}
		}
		r.reader, r.readerRecorded = &spec, &spec
		return nil
	}
	spec := readerSpecFromInstance(inst)
	spec.Identifier = sanitizeIdentifier(r.req.Target.Identifier+"-reader", 63)
	spec.PromotionTier = 1
	spec.AvailabilityZone = otherAZ(r.topo.AvailabilityZones, writerAZ)
	r.reader = &spec
	return r.checkReaderName(ctx)
}

// unrecordedRemoval is the reader that a removal the request's Previous does not record took
// from the cluster, as its guard snapshot records it: the latest change of the cluster (by its
// guard, any prefix: LatestChange) went to 1 node and its removal stood (completed, failed and not
// rolled back, or its rollback failed), and Previous cannot know it: it records no reader (an
// imported resource, whose state has no record), or that change is the one of this very
// generation under this request's prefix, which went to 1 node in an apply whose state kept the
// change before it (a validation failure with rollback_on_failure = false, a failed rollback, a
// state lost) and that no refresh has recorded since (the provider's Read records such a change
// from its guard, as EarlierChange.Previous: a plan made with -refresh=false). The reader
// recreated is then the one that was removed, not one made after the writer, or an older
// record's. nil otherwise, and when the guard snapshots cannot be read (the
// request's Previous, or the writer, is used as before).
func (r *run) unrecordedRemoval(ctx context.Context) *ReaderSpec {
	noRecord := r.req.previousReader() == nil
	c, err := LatestChange(ctx, r.o.RDS, r.req.Target)
	if err != nil {
		r.o.warnf("%s: could not read the guard snapshots for the reader an earlier change removed: %v", r.req.Target, err)
		return nil
	}
	if c == nil || c.Reader == nil || c.Reader.Identifier == "" || c.To != 1 || !c.Stood() {
		return nil
	}
	thisGeneration := c.Generation == r.req.Generation &&
		GuardSnapshotID(c.Prefix, r.req.Target, 1, 1, 1) == GuardSnapshotID(r.req.SnapshotPrefix, r.req.Target, 1, 1, 1)
	if !noRecord && !thisGeneration {
		return nil
	}
	spec := *c.Reader
	return &spec
}

// previousReader is the reader req.Previous records (an Aurora cluster's, removed by the change
// it records), nil when it records none.
func (req Request) previousReader() *ReaderSpec {
	if req.Previous == nil || req.Previous.Reader == nil || req.Previous.Reader.Identifier == "" {
		return nil
	}
	return req.Previous.Reader
}

// otherAZ is the first of azs (sorted) that is not the writer's AZ, writerAZ; empty when there is
// none.
func otherAZ(azs []string, writerAZ string) string {
	for _, az := range slices.Sorted(slices.Values(azs)) {
		if !strings.EqualFold(az, writerAZ) {
			return az
		}
	}
	return ""
}

// checkReaderName refuses a change to 2 nodes whose reader identifier is taken by a DB instance
// outside the cluster: creating the reader would fail, and a rollback must never delete an
// instance that is not the cluster's.
func (r *run) checkReaderName(ctx context.Context) error {
	inst, err := FindDBInstance(ctx, r.o.RDS, r.reader.Identifier)
	switch {
	case IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("looking up the reader's identifier %s: %w", r.reader.Identifier, err)
	case r.memberOf(inst):
		return r.precheckErr(ReasonStatus, "instance %s, the reader to create, already exists in the cluster (status %q)", r.reader.Identifier, deref(inst.DBInstanceStatus))
	}
	return r.precheckErr(ReasonReaderName, "the reader would be created as %s, but a DB instance of that name already exists outside the cluster (%s); rename or delete that instance, then apply again",
		r.reader.Identifier, cmp.Or(deref(inst.DBClusterIdentifier), "a standalone instance"))
}

// memberOf reports whether inst is a member of the target cluster.
func (r *run) memberOf(inst *rdstypes.DBInstance) bool {
	return inst != nil && strings.EqualFold(deref(inst.DBClusterIdentifier), r.req.Target.Identifier)
}

// change makes the topology change call. pending is true when it waits for the maintenance window.
func (r *run) change(ctx context.Context) (pending bool, err error) {
	id := r.req.Target.Identifier
	if r.req.Target.Kind == KindInstance {
		if err := r.requireGuard(ctx); err != nil {
			return false, err
		}
		want := r.req.Nodes == 2
		out, err := r.o.RDS.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: &id,
			MultiAZ: &want, ApplyImmediately: ptr(!r.req.DeferToMaintenanceWindow)})
		if err != nil {
			if isInvalidState(err) {
				// Possibly a retried request whose first answer was lost: see where it stands.
				t, derr := Describe(ctx, r.o.RDS, r.req.Target)
				if derr == nil && (t.Status == "modifying" || (t.PendingMultiAZ != nil && *t.PendingMultiAZ == want && !r.deferredPending)) {
					return r.req.DeferToMaintenanceWindow, nil
				}
			}
			return false, fmt.Errorf("ModifyDBInstance %s MultiAZ=%t: %w", id, want, withLimitAdvice(err, ""))
		}
		if r.req.DeferToMaintenanceWindow && out.DBInstance != nil {
			if p := out.DBInstance.PendingModifiedValues; p != nil && p.MultiAZ != nil && *p.MultiAZ == want {
				return true, nil
			}
			return deref(out.DBInstance.MultiAZ) != want, nil
		}
		return r.req.DeferToMaintenanceWindow, nil
	}
	if r.req.Nodes == 1 {
		return false, r.deleteReader(ctx)
	}
	return false, r.createReader(ctx)
}

func (r *run) deleteReader(ctx context.Context) error {
	spec := r.reader
	t, err := Describe(ctx, r.o.RDS, r.req.Target)
	if err != nil {
		return err
	}
	if w := t.Writer(); w != nil && strings.EqualFold(w.Identifier, spec.Identifier) {
		return fmt.Errorf("instance %s is now the writer of %s (a failover happened): refusing to delete the writer", spec.Identifier, r.req.Target.Noun())
	}
	// Only ever delete the cluster's own reader: an instance of that name outside the cluster is
	// someone else's database.
	inst, err := FindDBInstance(ctx, r.o.RDS, spec.Identifier)
	switch {
	case IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("describing reader %s before deleting it: %w", spec.Identifier, err)
	case !r.memberOf(inst):
		return fmt.Errorf("instance %s is not a member of %s (cluster %q): refusing to delete it", spec.Identifier, r.req.Target.Noun(), deref(inst.DBClusterIdentifier))
	case beingDeleted(deref(inst.DBInstanceStatus)):
		return nil // an earlier run's deletion, accepted: nothing to ask again
	}
	if err := r.requireGuard(ctx); err != nil {
		return err
	}
	_, err = r.o.RDS.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: &spec.Identifier, SkipFinalSnapshot: ptr(true)})
	switch {
	case err == nil, isInstanceNotFound(err):
		return nil
	case isInvalidState(err):
		// A retried request whose first answer was lost finds the reader already deleting.
		if inst, derr := FindDBInstance(ctx, r.o.RDS, spec.Identifier); IsNotFound(derr) || (derr == nil && beingDeleted(deref(inst.DBInstanceStatus))) {
			return nil
		}
	}
	return &callRefusedError{fmt.Errorf("DeleteDBInstance %s (reader of %s): %w", spec.Identifier, r.req.Target.Noun(), err)}
}

// resumedReaderWithoutTags sets readerWithoutTags when this run resumes (or finds completed) a
// change to 2 nodes whose reader an earlier run created from a record without its tags, and the
// reader has none of its own: that run's warning was lost with it. What the earlier run had is
// Request.Previous's record of the reader, the same state on every apply of the change; without
// one, the guard's (which lacks the tags also when it had no room for them).
func (r *run) resumedReaderWithoutTags(ctx context.Context, ph phase) {
	if ph == phaseOriginal || r.req.Nodes != 2 || r.reader == nil || r.readerWithoutTags != "" {
		return
	}
	unrecorded := r.reader.TagsUnrecorded
	if p := r.req.Previous; p != nil && p.Reader != nil && strings.EqualFold(p.Reader.Identifier, r.reader.Identifier) {
		unrecorded = p.Reader.TagsUnrecorded
	}
	if !unrecorded {
		return
	}
	if inst, err := FindDBInstance(ctx, r.o.RDS, r.reader.Identifier); err == nil && r.memberOf(inst) {
		// Its own are those createReader did not take from Request.Tags.
		own := readerSpecFromInstance(inst).Tags
		maps.DeleteFunc(own, func(k, v string) bool { w, ok := r.req.Tags[k]; return ok && w == v })
		if len(own) == 0 {
			r.readerWithoutTags = r.reader.Identifier
		}
	}
}

func (r *run) createReader(ctx context.Context) error {
	spec := r.reader
	if err := r.requireGuard(ctx); err != nil {
		return err
	}
	tm := maps.Clone(spec.Tags)
	if tm == nil {
		tm = map[string]string{}
	}
	if spec.TagsUnrecorded {
		r.readerWithoutTags = spec.Identifier
		r.o.logf("%s: reader %s is recreated without its own tags, which were not recorded", r.req.Target, spec.Identifier)
	}
	// Request.Tags (guard.tags) its own lack: those an organisation's policy requires on every
	// instance created (aws:RequestTag on rds:CreateDBInstance) and that its own, not recorded or
	// set before the policy, may lack; without them RDS refuses the reader, and a rollback
	// leaves one node. Its own values win.
	for _, k := range slices.Sorted(maps.Keys(r.req.Tags)) {
		if _, own := tm[k]; !own && len(tm)+1 < maxTags { // room left for TagManagedBy
			tm[k] = r.req.Tags[k]
		}
	}
	if len(tm) < maxTags {
		tm[TagManagedBy] = ManagedByValue
	} else {
		// The reader's own tags fill RDS's limit: they matter more than this provider's mark.
		r.o.logf("%s: reader %s is recreated with its %d tags, without %s (RDS allows %d)", r.req.Target, spec.Identifier, len(tm), TagManagedBy, maxTags)
	}
	_, err := r.o.RDS.CreateDBInstance(ctx, spec.createInput(r.req.Target.Identifier, r.topo.Engine, toTagList(tm)))
	// A recorded setting RDS no longer takes, changed since the reader's removal, would refuse
	// every apply of the change (the record is the state's): the reader is recreated without it,
	// and the result says so. Each is replaced once; the guard is seen available again before
	// each call.
replace:
	for err != nil {
		switch {
		case parameterGroupRefused(err) && spec.ParameterGroup != "" && r.readerPGReplaced == "":
			// The recorded parameter group is gone, or of the engine version before a major
			// upgrade: the writer's group is of the engine it runs now.
			w := r.topo.Writer()
			inst, ferr := FindDBInstance(ctx, r.o.RDS, w.Identifier)
			if ferr != nil {
				return &callRefusedError{fmt.Errorf("CreateDBInstance %s (reader of %s): %w, and describing the writer %s for its parameter group: %w",
					spec.Identifier, r.req.Target.Noun(), err, w.Identifier, ferr)}
			}
			wpg := readerSpecFromInstance(inst).ParameterGroup
			if wpg == "" || strings.EqualFold(wpg, spec.ParameterGroup) {
				break replace
			}
			r.o.warnf("%s: RDS refused the reader %s's recorded parameter group %s (%v): recreating it with the writer %s's, %s",
				r.req.Target, spec.Identifier, spec.ParameterGroup, err, w.Identifier, wpg)
			r.readerPGReplaced = fmt.Sprintf("with the writer's parameter group %s, as RDS refused its recorded %s", wpg, spec.ParameterGroup)
			spec.ParameterGroup = wpg
		case monitoringRoleRefused(err) && spec.MonitoringInterval > 0 && r.readerMonitoringDropped == "":
			// The recorded Enhanced Monitoring role was deleted since (or lost the permissions RDS
			// needs): Enhanced Monitoring is left off rather than the reader.
			r.o.warnf("%s: RDS refused the reader %s's recorded Enhanced Monitoring role %s (%v): recreating it without Enhanced Monitoring",
				r.req.Target, spec.Identifier, spec.MonitoringRoleARN, err)
			r.readerMonitoringDropped = fmt.Sprintf("without Enhanced Monitoring, as RDS refused its recorded monitoring role %s (every %d s)",
				cmp.Or(spec.MonitoringRoleARN, "(none)"), spec.MonitoringInterval)
			spec.MonitoringInterval, spec.MonitoringRoleARN = 0, ""
		default:
			break replace
		}
		if err := r.requireGuard(ctx); err != nil {
			return err
		}
		_, err = r.o.RDS.CreateDBInstance(ctx, spec.createInput(r.req.Target.Identifier, r.topo.Engine, toTagList(tm)))
	}
	if err != nil && !isAlreadyExists(err) {
		err = withLimitAdvice(err, fmt.Sprintf("add the reader by hand in another Availability Zone or with another class "+
			"(aws rds create-db-instance --db-cluster-identifier %s --db-instance-identifier %s --engine %s --db-instance-class <class>), "+
			"then apply again, which records it", r.req.Target.Identifier, spec.Identifier, r.topo.Engine))
		return &callRefusedError{fmt.Errorf("CreateDBInstance %s (reader of %s): %w", spec.Identifier, r.req.Target.Noun(), err)}
	}
	if err != nil {
		// A retried request whose first answer was lost, or an earlier run's: the instance
		// counts as the reader only if it is a member of this cluster. RDS may not show it yet
		// (findCreated): taken for an error, a rollback that recreated the reader would be
		// recorded failed.
		inst, ferr := findCreated(ctx, r, "reader "+spec.Identifier, func(ctx context.Context) (*rdstypes.DBInstance, error) {
			return FindDBInstance(ctx, r.o.RDS, spec.Identifier)
		})
		if ferr != nil {
			return fmt.Errorf("CreateDBInstance %s (reader of %s): %w, and describing it: %w", spec.Identifier, r.req.Target.Noun(), err, ferr)
		}
		if !r.memberOf(inst) {
			return fmt.Errorf("CreateDBInstance %s (reader of %s): a DB instance of that name already exists outside the cluster (%s)",
				spec.Identifier, r.req.Target.Noun(), cmp.Or(deref(inst.DBClusterIdentifier), "a standalone instance"))
		}
	}
	return nil
}

// pendingStatuses are RDS statuses that end by themselves (plus "awaiting-change", used by
// settle for a target that is available but not changed yet), among them those of operations RDS
// runs by itself: "storage-config-upgrade" (a storage file system upgrade), "converting-to-vpc"
// and "moving-to-vpc" (AWS's DB instance status table; terraform-provider-aws names them too).
// "storage-optimization" is not one of them: it can last over 24 hours, and the instance is
// usable meanwhile (usableStatus).
var pendingStatuses = []string{"modifying", "creating", "delete-precheck", "deleting", "backing-up", "configuring-enhanced-monitoring",
	"configuring-log-exports", "configuring-iam-database-auth", "rebooting", "renaming",
	"resetting-master-credentials", "upgrading", "maintenance", "failing-over",
	"awaiting-change", "starting", "storage-config-upgrade", "converting-to-vpc", "moving-to-vpc"}

// usableStatus reports whether a DB instance in status s is usable and takes the changes this
// package makes (ModifyDBInstance MultiAZ, CreateDBSnapshot): "available", or
// "storage-optimization", which RDS shows after any storage change (storage autoscaling
// included) for minutes to over 24 hours while the instance is fully usable and accepts every
// modification but a storage change (AWS knowledge center "rds-stuck-in-storage-optimization";
// terraform-provider-aws also waits for "available" or "storage-optimization"). It is the
// instance's status only: Aurora clusters and their members have no such status, and a guard
// snapshot's own status is checked as it is.
func usableStatus(s string) bool { return s == "available" || s == "storage-optimization" }

// pendingStatus reports whether s ends by itself.
func pendingStatus(s string) bool { return slices.Contains(pendingStatuses, s) }

// deletingStatuses are the statuses of a DB instance being deleted: "delete-precheck", which RDS
// shows first while it checks that replicas are safe to delete (an Aurora reader among them:
// terraform-provider-aws's cluster-member delete waiter has it pending), then "deleting".
var deletingStatuses = []string{"delete-precheck", "deleting"}

// beingDeleted reports whether a DB instance in status s is being deleted.
func beingDeleted(s string) bool { return slices.Contains(deletingStatuses, s) }

// settle waits until the target has nodes nodes and everything is available.
func (r *run) settle(ctx context.Context, nodes int) error {
	w := wait.Waiter[*Topology]{
		Description: r.req.Target.Noun(),
		Pending:     pendingStatuses, Target: []string{convergedState(nodes)}, Retryable: IsTransient,
		Progress:    r.waitProgress(fmt.Sprintf("the target to settle at %d node(s)", nodes)),
		MinInterval: r.o.PollMin, MaxInterval: r.o.PollMax, Sleep: r.o.Sleep,
		Refresh: func(ctx context.Context) (*Topology, string, error) {
			t, err := Describe(ctx, r.o.RDS, r.req.Target)
			if err != nil {
				return nil, "", err
			}
			return t, r.convergence(t, nodes), nil
		},
	}
	t, err := w.Wait(ctx)
	if t != nil {
		r.topo = t
	}
	return err
}

// convergence maps an observed topology to a state for settle.
func (r *run) convergence(t *Topology, nodes int) string {
	if r.req.Target.Kind == KindInstance {
		want := nodes == 2
		if !usableStatus(t.Status) {
			return t.Status
		}
		if t.MultiAZ == want && (t.PendingMultiAZ == nil || *t.PendingMultiAZ == want) {
			return convergedState(nodes)
		}
		return "awaiting-change"
	}
	if t.Status != "available" {
		return t.Status
	}
	w := t.Writer()
	if w == nil {
		return "failing-over"
	}
	if w.Status != "available" {
		return w.Status
	}
	var present *Member
	for i := range t.Members {
		if strings.EqualFold(t.Members[i].Identifier, r.reader.Identifier) && t.Members[i].Status != "deleted" {
			present = &t.Members[i]
		}
	}
	if nodes == 1 {
		if present == nil && t.Nodes == 1 {
			return convergedState(nodes)
		}
		if present != nil && present.Status != "available" {
			return present.Status
		}
		return "awaiting-change"
	}
	if present == nil {
		return "awaiting-change"
	}
	if present.Writer {
		// A failover to the new reader (Aurora fails over to a reader, the highest-priority one
		// first): once it is over, the cluster has its two nodes all the same.
		if t.Nodes == 2 && !slices.ContainsFunc(t.Members, func(m Member) bool { return m.Status != "available" }) {
			return convergedState(nodes)
		}
		return "failing-over"
	}
	if present.Status == "available" {
		return convergedState(nodes)
	}
	return present.Status
}

// convergedState is the settle target state for a node count.
func convergedState(nodes int) string { return fmt.Sprintf("available with %d node(s)", nodes) }

// fail handles a failure after the change was (or may have been) requested: it rolls back when
// allowed and builds the error.
func (r *run) fail(ctx context.Context, stage string, cause error, rollbackWorthy bool) error {
	ce := r.changeErr(stage, cause)
	r.o.warnf("%s: %s failed: %v", r.req.Target, stage, cause)
	var unseen error // why the target could not be looked at, when it was not seen changed
	if !r.changed {
		// The change call itself may have failed after reaching RDS; look before deciding (within
		// a minute: an interrupted apply must not hang on a slow answer).
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		t, err := Describe(dctx, r.o.RDS, r.req.Target)
		cancel()
		unseen = err
		if err == nil && r.leftOriginal(t) {
			r.changed = true
			ce.Changed = true
		}
	}
	if !ce.Changed && r.changing {
		// The change call did not take effect: the guard goes back to in-progress, so the next
		// run sets it aside and starts anew.
		r.resetChanging(ctx)
	}
	// The next apply resumes only a change seen under way (ce.Changed): one not seen is made again
	// behind a guard snapshot of its own, unless RDS began it after all (a request cut short).
	switch {
	case !ce.Changed && unseen != nil:
		r.o.logf("%s: not rolled back: whether the target left its %d node(s) is not known (%v); the next apply finds out", r.req.Target, r.from, unseen)
		return ce
	case !ce.Changed:
		r.o.logf("%s: not rolled back: the target has not left its %d node(s); the next apply makes the change (and resumes it instead if RDS began it after all)", r.req.Target, r.from)
		return ce
	case ce.Interrupted:
		r.o.logf("%s: not rolled back: the run was interrupted with the change under way; the next apply resumes it", r.req.Target)
		return ce
	}
	if !rollbackWorthy {
		ce.Resumable = true
		r.o.logf("%s: not rolled back: %s failed without showing the change wrong (RDS still at work, no answer, or a validation query the server stopped); the next apply resumes the change", r.req.Target, stage)
		return ce
	}
	if r.req.DisableRollback || r.reachedTwo(ctx) {
		// A change that has given the database its two nodes is not rolled back: that would take
		// away again the redundancy it restores, most often asked for because one node was
		// overloaded, which is also when a validation is likeliest to fail (logins refused, counts
		// cut short). One that has not (a reader RDS failed, Multi-AZ not begun) is undone.
		ce.RedundancyKept = !r.req.DisableRollback
		if r.req.DisableRollback {
			r.o.logf("%s: not rolled back: rollback_on_failure is false", r.req.Target)
		} else {
			r.o.logf("%s: not rolled back: the change has given the target its 2 nodes, which are kept", r.req.Target)
		}
		if err := r.recordOutcome(context.WithoutCancel(ctx), r.guard, OutcomeFailedNotRolledBack); err != nil {
			r.o.warnf("%s: %v", r.req.Target, err)
		}
		return ce
	}
	return r.rollbackAndRecord(ctx, ce)
}

// resetChanging tags the guard in-progress again after its changing tag was set, or may have
// been, while the change call was not made or did not take effect, so that the next run sets the
// guard aside and makes the change behind one of its own. Best effort, within a minute even when
// ctx is cancelled: left at changing, the next run records a change that did not take effect
// (rolled back) and fails once.
func (r *run) resetChanging(ctx context.Context) {
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := r.setOutcome(tctx, OutcomeInProgress); err != nil {
		r.o.warnf("%s: %v", r.req.Target, err)
	}
}

// reachedTwo reports whether a change to two nodes has given the target its two nodes (the
// standby in place, or the reader available): then a failure after it (a validation) keeps them.
// False for a change to one node, and when the target cannot be read.
func (r *run) reachedTwo(ctx context.Context) bool {
	if r.req.Nodes != 2 {
		return false
	}
	t, err := Describe(context.WithoutCancel(ctx), r.o.RDS, r.req.Target)
	if err != nil {
		return false
	}
	if r.req.Target.Kind == KindCluster && r.reader == nil {
		return clusterAt(t, 2) // no reader of this change known: two available members of its own
	}
	return r.convergence(t, 2) == convergedState(2)
}

// leftOriginal reports whether t's shape is no longer the one the change started from (r.from):
// see leftOriginalFrom.
func (r *run) leftOriginal(t *Topology) bool { return r.leftOriginalFrom(t, r.from) }

// leftOriginalFrom reports whether t's shape is no longer that of a change that started from
// `from` node(s): the Multi-AZ flag or its pending value differs, or the recorded reader is gone
// or deleting (to 1 node), or present (to 2 nodes). The status alone says nothing: RDS changes it
// by itself (an automated backup's backing-up, say), so a status other than available is no sign
// of a change.
func (r *run) leftOriginalFrom(t *Topology, from int) bool {
	if r.req.Target.Kind == KindInstance {
		orig := from == 2
		if r.deferredPending && t.MultiAZ == orig && t.Status != "modifying" {
			return false // the value pending is the deferred change's, there before the call
		}
		return t.MultiAZ != orig || (t.PendingMultiAZ != nil && *t.PendingMultiAZ != orig)
	}
	if r.reader == nil {
		return r.convergence(t, from) != convergedState(from)
	}
	for _, m := range t.Members {
		if strings.EqualFold(m.Identifier, r.reader.Identifier) {
			if from == 2 {
				return beingDeleted(m.Status) || m.Status == "deleted"
			}
			return true
		}
	}
	return from == 2 // the reader is gone (to 1 node), or absent as at the start (to 2 nodes)
}

// clusterAt reports whether the Aurora cluster t is back at n node(s) of its own: available, with
// n members, each available, none of them a reader Aurora Auto Scaling added (it removes it again
// when it scales in, so it does not count).
func clusterAt(t *Topology, n int) bool {
	if t == nil || t.Status != "available" || t.Nodes != n || len(t.Members) != n || hasAutoScalingReader(t) {
		return false
	}
	for _, m := range t.Members {
		if m.Status != "available" {
			return false
		}
	}
	return true
}

// setAsideCleanupTimeout bounds how long a run waits to remove a temporary verify_restore
// instance of an earlier guard snapshot of its change (clearEarlierRestores) before it goes on
// without.
const setAsideCleanupTimeout = 5 * time.Minute

// clearEarlierRestores removes the temporary verify_restore instances of this change's earlier
// guard snapshots (DB instances): every attempt below latest, which a later attempt closed, and
// latest itself once set aside (retire tags it superseded before it removes the instance, and a
// run interrupted in between leaves it). Best effort, each within setAsideCleanupTimeout (an
// instance still restoring is waited for): it returns those left, with why, for the next apply
// or the user; an error only when the run is interrupted meanwhile. One describe per earlier
// attempt when there is nothing to remove.
func (r *run) clearEarlierRestores(ctx context.Context, latest *guard) ([]string, error) {
	if r.req.Target.Kind != KindInstance || latest == nil {
		return nil, nil
	}
	var ids []string
	for _, a := range r.attempts {
		if a < latest.attempt {
			ids = append(ids, GuardSnapshotID(r.req.SnapshotPrefix, r.req.Target, r.req.Generation, r.req.Nodes, a))
		}
	}
	if latest.outcome() == OutcomeSuperseded {
		ids = append(ids, latest.id)
	}
	var left []string
	found := false
	for _, id := range ids {
		tmp := restoreInstanceID(id)
		cctx, cancel := context.WithTimeout(ctx, setAsideCleanupTimeout)
		there, err := r.clearRestore(cctx, id)
		cancel()
		found = found || there
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return nil, r.changeErr("removing the temporary restore instance of earlier guard snapshot "+id, err)
		}
		r.o.warnf("%s: removing temporary restore instance %s of earlier guard snapshot %s: %v", r.req.Target, tmp, id, err)
		left = append(left, fmt.Sprintf("%s (of guard snapshot %s: %v)", tmp, id, err))
	}
	if found {
		// Described again: the waits may have lasted minutes.
		if t, err := Describe(ctx, r.o.RDS, r.req.Target); err == nil {
			r.topo = t
		}
	}
	return left, nil
}

// changeShowsWithin is how long after a run tags its guard snapshot changing (TagChangeRequested)
// its change may take to show at RDS: the change call follows the tag at once, but the SDK may
// retry it (throttling, a server error) and RDS may report the old state for a few seconds more.
const changeShowsWithin = 2 * time.Minute

// changeShows reports whether the target, at its original topology when this run described it
// although guard g says its change was requested, has left it: another run tagged g and is making
// the change. A guard tagged within changeShowsWithin of now is watched until then (polling every
// PollMin), so that this run does not take a live run's change, not yet visible, for one that
// did not take effect; an older one, or one without the tag, is described once, as it is by a
// plan (Preview: the apply looks again). A describe that fails is not a sign of a change (false).
func (r *run) changeShows(ctx context.Context, g *guard) (bool, error) {
	now := r.o.now()
	until := now
	if at, err := time.Parse(time.RFC3339Nano, g.tags[TagChangeRequested]); err == nil && now.Sub(at) < changeShowsWithin && !r.previewing {
		// (A tag ahead of this clock waits at most changeShowsWithin.)
		until = now.Add(min(changeShowsWithin, at.Add(changeShowsWithin).Sub(now)))
	}
	for {
		if t, err := Describe(ctx, r.o.RDS, r.req.Target); err == nil && r.leftOriginalFor(t, g) {
			return true, nil
		}
		now = r.o.now()
		if !now.Before(until) {
			return false, nil
		}
		r.o.logf("%s: guard snapshot %s says its change was requested at %s; watching for it until %s", r.req.Target, g.id, g.tags[TagChangeRequested], until.UTC().Format(time.RFC3339))
		poll := r.o.PollMin
		if poll <= 0 {
			poll = DefaultPollMin
		}
		if err := r.o.sleep(ctx, min(poll, until.Sub(now))); err != nil {
			return false, err
		}
	}
}

// tagChanging tags the guard snapshot changing, with the time (TagChangeRequested), right before
// the change call.
func (r *run) tagChanging(ctx context.Context) error {
	tags := map[string]string{TagOutcome: OutcomeChanging, TagChangeRequested: r.o.now().UTC().Format(time.RFC3339Nano)}
	if err := r.tagGuard(ctx, r.guard, tags); err != nil {
		return fmt.Errorf("tagging guard snapshot %s with outcome %s: %w", r.guard.id, OutcomeChanging, err)
	}
	return nil
}

// leftOriginalFor is leftOriginal for the change of guard g (the node count it started from),
// before this run has set its own. An Aurora guard that records no reader cannot be judged: false,
// and the run goes on to the rollback path, which says so.
func (r *run) leftOriginalFor(t *Topology, g *guard) bool {
	if r.req.Target.Kind == KindCluster && r.reader == nil {
		return false
	}
	return r.leftOriginalFrom(t, r.fromNodes(g))
}

// fromNodes is the node count the change of guard g started from, as its tag records it; without
// a valid tag, the other node count than the change's (a change is always 1 ↔ 2 nodes).
func (r *run) fromNodes(g *guard) int {
	if n, err := strconv.Atoi(g.tags[TagFromNodes]); err == nil && (n == 1 || n == 2) {
		return n
	}
	return 3 - r.req.Nodes
}

// completed reports a change an earlier run completed (its guard g is tagged completed and the
// target is at its target): nothing is called, and the guard is kept. It is not validated again: the baseline on
// the guard is from before that change, and rows deleted since by the application are no failure
// of it.
func (r *run) completed(ctx context.Context, res *Result, g *guard) (*Result, error) {
	r.guard = g
	if spec, ok := readerFromTags(g.tags); ok { // a closed change: locate left its record out
		r.reader = &spec
	}
	r.from = r.fromNodes(g)
	r.o.logf("%s: the change is already completed, behind guard snapshot %s (taken by run %s): nothing to do", r.req.Target, g.id, g.tags[TagRun])
	res.Resumed = true
	res.FromNodes = r.from
	res.GuardSnapshotID, res.GuardSnapshotARN = g.id, g.arn
	r.resumedReaderWithoutTags(ctx, phaseDone)
	res.ReaderWithoutTags = r.readerWithoutTags
	res.Previous = r.previous()
	// The guard is kept whatever DeleteGuardOnSuccess says: it may be a restore point an earlier
	// resource kept on purpose (guard.retain), found again by a resource created anew.
	res.MultiAZ = r.req.Nodes == 2
	res.Action = r.actionText() + " (completed by an earlier apply)"
	res.Finished = r.o.now()
	return res, nil
}

// finishRollback finishes the rollback of a change whose run was interrupted while rolling back
// (its guard g is tagged rolling-back): the change failed, so the target goes back to the
// topology it started from, behind the same guard (that change's own), and the run fails with
// the rollback in its error. Nothing is changed when the target is already back.
func (r *run) finishRollback(ctx context.Context, g *guard) error {
	r.guard, r.changed = g, true
	r.facts = factsFromTags(g.tags)
	r.from = r.fromNodes(g)
	if r.req.Target.Kind == KindCluster && r.reader == nil && !clusterAt(r.topo, r.from) {
		why := fmt.Sprintf("the cluster is not at its %d node(s) (%s)", r.from, memberList(r.topo))
		if hasAutoScalingReader(r.topo) {
			why = fmt.Sprintf("a reader Aurora Auto Scaling added, which it removes again, does not count (%s)", memberList(r.topo))
		}
		ce := r.changeErr("finishing the rollback an earlier apply began", fmt.Errorf("guard snapshot %s does not record the reader (its tags %s* were removed), "+
			"so this apply cannot tell which reader to recreate, and %s: put the cluster back to %d node(s) of its own by hand and apply again to record the rollback; "+
			"or, to keep the cluster as it is, tag the guard snapshot %s = %s and apply again",
			g.id, tagReaderPrefix, why, r.from, TagOutcome, OutcomeSuperseded))
		ce.Changed, ce.ReaderRecordMissing = true, true
		return ce
	}
	r.o.logf("%s: finishing the rollback an interrupted run began (guard snapshot %s, outcome %s)", r.req.Target, g.id, g.outcome())
	r.finishing = true
	why := errors.New("that apply's change failed and its rollback was not finished (refused, the apply interrupted, or out of time)")
	if f := g.tags[TagFailure]; f != "" {
		why = fmt.Errorf("that apply's change failed (%s) and its rollback was not finished (refused, the apply interrupted, or out of time)", f)
	}
	if g.outcome() == OutcomeChanging {
		why = errors.New("that apply requested the change and was interrupted before recording its outcome; " +
			"the database is not in the requested topology, so the change did not take effect or was rolled back")
	}
	ce := r.changeErr("finishing the rollback an earlier apply began", why)
	ce.Changed = true
	r.setInterrupt(ctx)
	// A reader added by hand to put the cluster back (after a refused rollback, say), or the
	// recorded one an earlier rollback recreated, still being set up (or the writer busy): wait
	// for it, on the rollback's own deadline, rather than recreate the recorded reader beside it.
	if r.req.Target.Kind == KindCluster && r.from == 2 && clusterSettingUp(r.topo, r.from) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.o.rollbackTimeout())
		defer cancel()
		if err := r.interruptible(rctx, errRollbackLeftToRDS, func(c context.Context) error { return r.waitClusterBack(c, r.from) }); err != nil {
			ce.RollbackAttempted, ce.RollbackInProgress, ce.RollbackRequested, ce.RollbackErr = true, true, true, err
			ce.RollbackInterrupted = errors.Is(err, errRollbackLeftToRDS)
			ce.RollbackAction = fmt.Sprintf("%s getting its second node back", r.req.Target.Noun())
			return ce
		}
	}
	// An Aurora cluster is back when it has its starting node count, every member available,
	// whatever its reader is called (one added by hand after a refused rollback, say; without a
	// reader record, tags removed by hand, the check above asked the same): nothing is left to
	// restore from the guard, and recreating the recorded reader would make a third node. Not a
	// reader Aurora Auto Scaling added, though: it removes it again when it scales in, which
	// would leave the failed change in place with nothing left to roll back.
	if (r.req.Target.Kind == KindCluster && clusterAt(r.topo, r.from)) || r.convergence(r.topo, r.from) == convergedState(r.from) {
		ce.RollbackAttempted, ce.RolledBack = true, true
		ce.RollbackAction = fmt.Sprintf("%s was already back at %d node(s)", r.req.Target.Noun(), r.from)
		if err := r.setOutcome(context.WithoutCancel(ctx), OutcomeRolledBack); err != nil {
			r.o.warnf("%s: %v", r.req.Target, err)
		}
		return ce
	}
	return r.rollbackAndRecord(ctx, ce)
}

// rollbackAndRecord rolls the change back, within Orchestrator.RollbackTimeout of its own (ctx
// may be cancelled or spent), and records the outcome on the guard: rolling-back before the
// first rollback call, then rolled-back or rollback-failed. It returns ce with the rollback
// filled in.
func (r *run) rollbackAndRecord(ctx context.Context, ce *ChangeError) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.o.rollbackTimeout())
	defer cancel()
	r.setInterrupt(ctx)
	ce.RollbackAttempted = true
	tagged := r.guard != nil && r.guard.outcome() == OutcomeRollingBack // an earlier run's
	if err := r.setOutcome(rctx, OutcomeRollingBack); err != nil {
		r.o.warnf("%s: %v", r.req.Target, err)
	} else {
		tagged = true
	}
	if !r.finishing && ce.Err != nil {
		r.recordFailure(rctx, ce.Stage+": "+ce.Err.Error())
	}
	action, err := r.rollbackRetried(rctx)
	ce.RollbackAction = action
	if r.guard != nil {
		ce.GuardStatus = r.guard.status // the rollback re-checks it (GuardDeleted when it is gone)
	}
	outcome := OutcomeRolledBack
	switch {
	case err != nil && stillInProgress(err):
		// RDS still at work: restoring the previous topology (the rollback's call accepted), or
		// busy with another operation that refused it. Either way the next run finishes the
		// rollback.
		ce.RollbackErr, ce.RollbackInProgress, ce.RollbackRequested = err, true, r.rollbackRequested
		outcome = OutcomeRollingBack
	case err != nil && !r.rollbackRequested && (errors.As(err, new(*callRefusedError)) || awserr.CredentialsRefused(err) || IsTransient(err)):
		// RDS refused the rollback's call, or the credentials for any call before it, or AWS
		// throttled (or failed) a call before it through every retry: nothing was begun. The
		// guard stays rolling-back, so the next run makes the rollback rather than taking the
		// failed change for the database's topology.
		ce.RollbackErr, ce.RollbackInProgress, ce.RollbackRefused = err, true, true
		if t := r.topo; r.req.Target.Kind == KindInstance && t != nil && t.PendingMultiAZ != nil && *t.PendingMultiAZ == (r.from == 2) && t.MultiAZ != *t.PendingMultiAZ {
			ce.RollbackPendingWindow, ce.RollbackMultiAZ = true, r.from == 2
		}
		outcome = OutcomeRollingBack
	case err != nil && r.rollbackRequested && awserr.CredentialsRefused(err):
		// RDS accepted the rollback, and the credentials expired (or were revoked) while the run
		// watched it: RDS finishes it; the next run, with good credentials, waits for it.
		ce.RollbackErr, ce.RollbackInProgress, ce.RollbackRequested = err, true, true
		outcome = OutcomeRollingBack
	case errors.Is(err, errRollbackNotBegun):
		ce.RollbackErr, ce.RollbackInProgress, ce.RollbackInterrupted = err, true, true
		outcome = OutcomeRollingBack
	case errors.Is(err, errRollbackLeftToRDS):
		ce.RollbackErr, ce.RollbackInProgress, ce.RollbackRequested, ce.RollbackInterrupted = err, true, true, true
		outcome = OutcomeRollingBack
	case err != nil:
		ce.RollbackErr = err
		outcome = OutcomeRollbackFailed
	default:
		ce.RolledBack = true
	}
	ce.ReaderWithoutTags = r.readerWithoutTags
	// The rollback may have used up its deadline: record the outcome on a short one of its own.
	tctx, tcancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer tcancel()
	recorded := "guard snapshot outcome " + outcome
	if terr := r.recordOutcome(tctx, r.guard, outcome); terr != nil {
		r.o.warnf("%s: %v", r.req.Target, terr)
		recorded = "guard snapshot outcome " + outcome + " not recorded"
	} else if outcome == OutcomeRollingBack {
		tagged = true
	}
	if err != nil {
		r.o.warnf("%s: rollback to %d node(s) not finished (%s): %v", r.req.Target, r.from, recorded, err)
	} else {
		r.o.logf("%s: rolled back to %d node(s): %s (%s)", r.req.Target, r.from, action, recorded)
	}
	ce.RollbackUntagged = outcome == OutcomeRollingBack && !tagged
	return ce
}

// rollbackRetried is rollback, made again while a call of it fails transiently (IsTransient:
// throttling, HTTP 5xx, a dropped connection) after the SDK's own attempts and RDS has accepted
// none: its own call (ModifyDBInstance, or the Aurora reader's CreateDBInstance or
// DeleteDBInstance), or a describe call before it (the guard snapshot's re-check, the reader's,
// the cluster's for a reader put back), with the waits of retryWaits (on Orchestrator.Sleep), no
// longer than ctx or an interruption.
// Each attempt re-checks the guard snapshot before its call. Other refusals (a quota, capacity, a
// permission) are not retried: the next apply makes the rollback.
func (r *run) rollbackRetried(ctx context.Context) (string, error) {
	waits := r.retryWaits()
	for {
		action, err := r.rollback(ctx)
		if err == nil || r.rollbackRequested || !IsTransient(err) || ctx.Err() != nil {
			return action, err
		}
		delay, ok := waits.next()
		if !ok {
			return action, err
		}
		r.o.warnf("%s: rollback call failed: %v; retrying in %s", r.req.Target, err, delay)
		if werr := r.interruptible(ctx, errRollbackNotBegun, func(c context.Context) error { return r.o.sleep(c, delay) }); werr != nil {
			if errors.Is(werr, errRollbackNotBegun) {
				return action, werr
			}
			return action, err
		}
	}
}

// rollback restores the topology the change started from.
func (r *run) rollback(ctx context.Context) (string, error) {
	r.o.logf("%s: rolling back to %d node(s)", r.req.Target, r.from)
	action := r.rollbackActionText()
	if err := r.requireGuard(ctx); err != nil {
		return action, err
	}
	switch {
	case r.req.Target.Kind == KindInstance:
		orig := r.from == 2
		id := r.req.Target.Identifier
		modify := func() error {
			_, err := r.o.RDS.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: &id, MultiAZ: &orig, ApplyImmediately: ptr(true)})
			return err
		}
		err := modify()
		if err != nil && r.instanceRestoring(ctx, orig) {
			// The modification under way is this rollback's own, requested by an earlier run whose
			// deadline ran out or that was interrupted: Multi-AZ pending at its original value.
			// (Not Multi-AZ already at it: so is an instance the change never left, modifying for
			// another reason.) RDS refusing this call (busy with it, or a permission lost since)
			// changes nothing: wait for it.
			err = nil
		} else if err != nil && isInvalidState(err) {
			// Busy with another operation: wait until the instance accepts a modification, then
			// retry once (unless it is back already).
			if werr := r.interruptible(ctx, errRollbackNotBegun, func(c context.Context) error {
				_, werr := r.waitInstance(c, id, r.req.Target.Noun(), pendingStatuses, "available")
				return werr
			}); werr != nil {
				if errors.Is(werr, errRollbackNotBegun) {
					return action, werr
				}
				return action, fmt.Errorf("ModifyDBInstance MultiAZ=%t refused (%w), and %w", orig, err, werr)
			}
			if t, derr := Describe(ctx, r.o.RDS, r.req.Target); derr == nil && r.convergence(t, r.from) == convergedState(r.from) {
				err = nil
			} else {
				if err := r.requireGuard(ctx); err != nil {
					return action, err
				}
				err = modify()
			}
		}
		if err != nil {
			return action, &callRefusedError{fmt.Errorf("ModifyDBInstance %s MultiAZ=%t: %w", id, orig, withLimitAdvice(err, ""))}
		}
		r.rollbackRequested = true
	case r.req.Nodes == 1:
		// The reader may still be deleting: wait until it is gone before recreating it.
		if _, err := r.waitInstance(ctx, r.reader.Identifier, "reader "+r.reader.Identifier, deletingStatuses, "deleted"); err != nil {
			var ue *wait.UnexpectedStateError
			if !errors.As(err, &ue) || (ue.State != "available" && !pendingStatus(ue.State)) {
				return action, err
			}
			// Being recreated by an earlier run's rollback (creating, then backing-up,
			// configuring-enhanced-monitoring, ... as RDS sets a new instance up), or never deleted
			// (available): either way nothing to recreate, if it is this cluster's own reader (the
			// name, freed by the change, may have been taken since).
			inst, ferr := FindDBInstance(ctx, r.o.RDS, r.reader.Identifier)
			if ferr != nil {
				return action, fmt.Errorf("describing reader %s: %w", r.reader.Identifier, ferr)
			}
			if !r.memberOf(inst) {
				return action, fmt.Errorf("reader %s cannot be recreated: a DB instance of that name already exists outside the cluster (%s)",
					r.reader.Identifier, cmp.Or(deref(inst.DBClusterIdentifier), "a standalone instance"))
			}
			if ue.State != "available" {
				r.rollbackRequested = true
			} else {
				action = fmt.Sprintf("reader %s was never deleted", r.reader.Identifier)
			}
		} else if t, derr := Describe(ctx, r.o.RDS, r.req.Target); derr != nil {
			// Not known whether a reader was put back: nothing is begun (a throttled call is
			// made again, rollbackRetried), rather than the recorded reader recreated unchecked.
			return action, &callRefusedError{fmt.Errorf("describing %s before recreating reader %s: %w", r.req.Target.Noun(), r.reader.Identifier, derr)}
		} else if ownMembers(t, r.reader.Identifier) >= r.from {
			// Someone put a reader back already (another name): recreating the recorded one
			// beside it would make a third node.
			return r.alreadyPutBack(ctx, t)
		} else if err := r.createReader(ctx); err != nil {
			return action, err
		} else {
			r.rollbackRequested = true
			// A recorded setting RDS refused (createReader): the reader is back without it.
			action += r.readerNotes()
		}
	default:
		if err := r.deleteReader(ctx); err != nil {
			return action, err
		}
		r.rollbackRequested = true
	}
	_ = r.o.step(StepRollback)
	if err := r.rollbackWait(ctx); err != nil {
		return action, err
	}
	_ = r.o.step(StepRolledBack)
	return action, nil
}

// rollbackActionText says what the rollback does: turns Multi-AZ back, recreates the Aurora
// reader, or removes it again.
func (r *run) rollbackActionText() string {
	switch {
	case r.req.Target.Kind == KindInstance:
		return fmt.Sprintf("Multi-AZ turned %s again", onOff(r.from == 2))
	case r.reader == nil: // not recorded (tags removed by hand): finishRollback says so
		return "the reader restored"
	case r.req.Nodes == 1:
		return fmt.Sprintf("reader %s recreated (class %s)", r.reader.Identifier, r.reader.Class)
	default:
		return fmt.Sprintf("reader %s removed again", r.reader.Identifier)
	}
}

// callRefusedError is RDS's refusal of a call that changes the target (ModifyDBInstance, or
// CreateDBInstance / DeleteDBInstance of an Aurora reader): nothing was begun by it.
type callRefusedError struct{ err error }

func (e *callRefusedError) Error() string { return e.err.Error() }
func (e *callRefusedError) Unwrap() error { return e.err }

// refusalCause names the likely cause of RDS refusing a call with err, for the message that says
// to fix it: the credentials (denied, expired) when its code says so.
func refusalCause(err error) string {
	switch {
	case awserr.CredentialsRefused(err):
		return "the provider's credentials were refused: grant the action named above to them, or renew them"
	case awserr.HasCode(err, "KMSKeyNotAccessibleFault", "KMSKeyNotAccessible", "KMSKeyNotAccessibleException"):
		return "the KMS key of the database is not accessible to the provider's credentials: allow its use"
	case IsTransient(err):
		return "AWS throttled or failed the call through every retry of the apply's: wait a few minutes, or raise the provider's max_retries"
	}
	return "as said above"
}

// sleep is Sleep, or wait.Sleep when it is not set.
func (o *Orchestrator) sleep(ctx context.Context, d time.Duration) error {
	if o.Sleep == nil {
		return wait.Sleep(ctx, d)
	}
	return o.Sleep(ctx, d)
}

// rollbackTimeout is RollbackTimeout, or DefaultRollbackTimeout when it is not set.
func (o *Orchestrator) rollbackTimeout() time.Duration {
	if o.RollbackTimeout <= 0 {
		return DefaultRollbackTimeout
	}
	return o.RollbackTimeout
}

// setInterrupt sets what interrupts the rollback's waits: the Orchestrator's Interrupt, or ctx,
// the run's context.
func (r *run) setInterrupt(ctx context.Context) {
	r.interrupt = ctx
	if r.o.Interrupt != nil {
		r.interrupt = r.o.Interrupt
	}
}

// clusterSettingUp reports whether cluster t has n members, none of them a reader Aurora Auto
// Scaling added, the cluster and every member available or at work on something RDS finishes by
// itself (creating, configuring-enhanced-monitoring, modifying, failing-over, ...; not deleting),
// at least one of them not yet available: it will be at n nodes, all available, without a call.
func clusterSettingUp(t *Topology, n int) bool {
	if t == nil || len(t.Members) != n || hasAutoScalingReader(t) {
		return false
	}
	settling := func(status string) bool { return !beingDeleted(status) && pendingStatus(status) }
	busy := t.Status != "available"
	if busy && !settling(t.Status) {
		return false
	}
	for _, m := range t.Members {
		switch {
		case m.Status == "available":
		case settling(m.Status):
			busy = true
		default:
			return false
		}
	}
	return busy
}

// waitClusterBack waits until the cluster is at n nodes, every member available
// (clusterAt), from a state where it is getting there by itself (clusterSettingUp). Its states are
// RDS's own (the cluster's, or the first member's not yet available), so that a wait that runs
// out says which.
func (r *run) waitClusterBack(ctx context.Context, n int) error {
	settling := slices.DeleteFunc(slices.Clone(pendingStatuses), beingDeleted)
	w := wait.Waiter[*Topology]{
		Description: r.req.Target.Noun(),
		Pending:     settling, Target: []string{"back"}, Retryable: IsTransient,
		Progress:    r.waitProgress(fmt.Sprintf("the cluster to be back at %d node(s)", n)),
		MinInterval: r.o.PollMin, MaxInterval: r.o.PollMax, Sleep: r.o.Sleep,
		Refresh: func(ctx context.Context) (*Topology, string, error) {
			t, err := Describe(ctx, r.o.RDS, r.req.Target)
			if err != nil {
				return nil, "", err
			}
			t = withoutGoneMembers(t)
			switch {
			case clusterAt(t, n):
				return t, "back", nil
			case clusterSettingUp(t, n):
				if t.Status != "available" {
					return t, t.Status, nil
				}
				for _, m := range t.Members {
					if m.Status != "available" {
						return t, m.Status, nil
					}
				}
			}
			return t, fmt.Sprintf("%s with %d member(s)", t.Status, len(t.Members)), nil
		},
	}
	t, err := w.Wait(ctx)
	if t != nil {
		r.topo = t
	}
	return err
}

// alreadyPutBack is the rollback of an Aurora change to 1 node whose cluster, t, already has its
// starting node count again without the recorded reader (a reader added under another name):
// when it is back or getting there by itself (clusterSettingUp), it waits for it and the rollback
// is done; otherwise (more instances, one Aurora Auto Scaling added, one failing) it refuses to
// add the recorded reader beside them.
func (r *run) alreadyPutBack(ctx context.Context, t *Topology) (string, error) {
	action := fmt.Sprintf("%s was already back at %d node(s)", r.req.Target.Noun(), r.from)
	t = withoutGoneMembers(t)
	if !clusterAt(t, r.from) && !clusterSettingUp(t, r.from) {
		// Nothing begun: the guard stays rolling-back, and the next apply, the cluster put back
		// by hand, records the rollback.
		return r.rollbackActionText(), &callRefusedError{fmt.Errorf("%s has %d instance(s) without the recorded reader (%s): not recreating reader %s beside them; "+
			"put the cluster back to %d node(s) by hand (not with a reader Aurora Auto Scaling manages)",
			r.req.Target.Noun(), len(t.Members), memberList(t), r.reader.Identifier, r.from)}
	}
	r.rollbackRequested = true // RDS sets the cluster's nodes up by itself: nothing to ask
	if err := r.interruptible(ctx, errRollbackLeftToRDS, func(c context.Context) error { return r.waitClusterBack(c, r.from) }); err != nil {
		return action, err
	}
	_ = r.o.step(StepRolledBack)
	return action, nil
}

// withoutGoneMembers is t without the members the cluster still lists but that no longer exist
// (Describe marks them "deleted"), so that they count neither as nodes nor as nodes not ready.
func withoutGoneMembers(t *Topology) *Topology {
	c := *t
	c.Members = slices.DeleteFunc(slices.Clone(t.Members), func(m Member) bool { return m.Status == "deleted" })
	c.Nodes = len(c.Members)
	return &c
}

// ownMembers counts the members of cluster t other than the recorded reader (recorded), one
// gone (Describe marks a member the cluster still lists but that no longer exists "deleted") and
// readers Aurora Auto Scaling added.
func ownMembers(t *Topology, recorded string) int {
	n := 0
	for _, m := range t.Members {
		switch {
		case m.Status == "deleted", !m.Writer && strings.EqualFold(m.Identifier, recorded):
		case !isAutoScalingReader(m):
			n++
		}
	}
	return n
}

// memberList names the members of cluster t with their statuses ("a available, b creating").
func memberList(t *Topology) string {
	parts := make([]string, 0, len(t.Members))
	for _, m := range t.Members {
		parts = append(parts, m.Identifier+" "+m.Status)
	}
	return strings.Join(parts, ", ")
}

// autoScalingReaderPrefix starts the identifier of every reader Aurora Auto Scaling adds.
const autoScalingReaderPrefix = "application-autoscaling-"

// hasAutoScalingReader reports whether a member of cluster t is a reader Aurora Auto Scaling
// added (autoScalingReaderPrefix).
func hasAutoScalingReader(t *Topology) bool {
	return t != nil && slices.ContainsFunc(t.Members, isAutoScalingReader)
}

// isAutoScalingReader reports whether m is a reader Aurora Auto Scaling added
// (autoScalingReaderPrefix).
func isAutoScalingReader(m Member) bool {
	return !m.Writer && strings.HasPrefix(m.Identifier, autoScalingReaderPrefix)
}

// instanceRestoring reports whether the DB instance target is being modified back to Multi-AZ
// orig (the rollback's own modification, accepted by RDS in an earlier run).
// A describe call that fails transiently (throttled, a dropped connection) is made again, up to
// three times: a refusal of the rollback's call must not be taken for "nothing begun" because
// one describe call was throttled.
func (r *run) instanceRestoring(ctx context.Context, orig bool) bool {
	for attempt := 1; ; attempt++ {
		t, err := Describe(ctx, r.o.RDS, r.req.Target)
		if err == nil {
			return t.Status == "modifying" && t.PendingMultiAZ != nil && *t.PendingMultiAZ == orig
		}
		if !IsTransient(err) || attempt == 3 || r.o.sleep(ctx, time.Duration(attempt)*2*time.Second) != nil {
			return false
		}
	}
}

// errRollbackLeftToRDS is rollbackWait's error when the run was interrupted during the wait.
var errRollbackLeftToRDS = errors.New("interrupted while RDS restores the previous topology")

// rollbackWait waits, on the rollback's context ctx, for the target to settle back at the run's
// starting node count once RDS accepted the rollback's call. An interruption of the run (its own
// context, r.interrupt, cancelled; not its deadline, which the rollback outlives) ends the wait
// with errRollbackLeftToRDS: RDS finishes what it accepted on its own, and the next run waits
// for it, so there is no reason to keep an interrupted Terraform waiting up to the rollback's
// deadline (an hour or more). Before the call is accepted nothing is left to RDS, so the calls
// themselves are not cut short.
func (r *run) rollbackWait(ctx context.Context) error {
	return r.interruptible(ctx, errRollbackLeftToRDS, func(c context.Context) error { return r.settle(c, r.from) })
}

// errRollbackNotBegun is the error of a wait before the rollback's call (RDS busy with another
// operation) when the run was interrupted during it: nothing was begun, and the next run, the
// guard being tagged rolling-back, makes the rollback.
var errRollbackNotBegun = errors.New("interrupted while waiting for RDS to accept the rollback")

// interruptible runs wait, a wait on the rollback's context ctx, ending it when the run is
// interrupted (r.interrupt cancelled; not its deadline, which the rollback outlives): it then
// fails with cause wrapped around the wait's own error.
func (r *run) interruptible(ctx context.Context, cause error, wait func(context.Context) error) error {
	if r.interrupt == nil {
		return wait(ctx)
	}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	interrupted := func() {
		if errors.Is(r.interrupt.Err(), context.Canceled) {
			cancel(cause)
		}
	}
	stop := context.AfterFunc(r.interrupt, interrupted)
	defer stop()
	err := wait(wctx)
	if err != nil && errors.Is(err, context.Canceled) && errors.Is(context.Cause(wctx), cause) {
		r.o.logf("%s: %v; the next run finishes the rollback", r.req.Target, cause)
		return fmt.Errorf("%w (%w)", cause, err)
	}
	return err
}

// guardDeleteTimeout bounds the one call that deletes a guard after success, made even when the
// run's context was cancelled just before it.
const guardDeleteTimeout = 2 * time.Minute

func (r *run) deleteGuard(ctx context.Context) error {
	var err error
	if r.req.Target.Kind == KindCluster {
		_, err = r.o.RDS.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: &r.guard.id})
		if isClusterSnapshotNotFound(err) {
			err = nil
		}
	} else {
		_, err = r.o.RDS.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: &r.guard.id})
		if isSnapshotNotFound(err) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("deleting guard snapshot %s: %w", r.guard.id, err)
	}
	return nil
}

func (r *run) previous() Previous {
	p := Previous{Nodes: r.from, MultiAZ: r.from == 2}
	if r.req.Target.Kind == KindCluster && r.reader != nil {
		spec := *r.reader
		p.Reader = &spec
	}
	return p
}

func (r *run) actionText() string {
	return changeText(r.req.Target, r.from, r.req.Nodes, r.reader, r.readerNotes())
}

// changeText says in one sentence what a change of target from one node count to another did:
// Multi-AZ turned off or on, or an Aurora reader removed or added (reader, its record; notes,
// readerNotes' account of how the reader added differs from it).
func changeText(target Target, from, to int, reader *ReaderSpec, notes string) string {
	if target.Kind == KindInstance {
		return fmt.Sprintf("Multi-AZ turned %s on %s (%d → %d node(s))", onOff(to == 2), target.Noun(), from, to)
	}
	if reader == nil {
		// No reader recorded on the change's guard snapshot.
		if to == 1 {
			return fmt.Sprintf("reader removed from %s (%d → 1 node)", target.Noun(), from)
		}
		return fmt.Sprintf("reader added to %s (%d → 2 nodes)", target.Noun(), from)
	}
	if to == 1 {
		return fmt.Sprintf("reader %s removed from %s (%d → 1 node)", reader.Identifier, target.Noun(), from)
	}
	return fmt.Sprintf("reader %s (%s) added to %s%s (%d → 2 nodes)", reader.Identifier, reader.Class, target.Noun(), notes, from)
}

// readerNotes says, each after a space, where and how the reader createReader made differs from
// its record: another AZ, another parameter group, no Enhanced Monitoring; "" when it does not.
func (r *run) readerNotes() string {
	notes := ""
	for _, note := range []string{r.readerAZMoved, r.readerPGReplaced, r.readerMonitoringDropped} {
		if note != "" {
			notes += " " + note
		}
	}
	return notes
}

// multiAZFlag is the AWS CLI flag of modify-db-instance that sets Multi-AZ to on.
func multiAZFlag(on bool) string {
	if on {
		return "--multi-az"
	}
	return "--no-multi-az"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
