package topology

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Preview is where a Run of a request would start, as read-only calls tell it (Orchestrator.Preview).
type Preview struct {
	// Topology is the observed topology (nil when it could not be read).
	Topology *Topology
	// Resume is the guard snapshot of a change an earlier run began, which Run would continue
	// (wait, validate, record) without a new snapshot or a new change request; empty otherwise.
	Resume string
	// Deferred is true when the begun change waits for the maintenance window.
	Deferred bool
	// RollingBack is true when the begun change failed and its rollback was interrupted: Run
	// finishes the rollback (behind the same guard, Resume) and fails reporting it.
	RollingBack bool
	// Failure is why that change failed, as the guard records it (TagFailure; empty when it
	// does not).
	Failure string
	// Completed is true when an earlier apply completed the change (its guard, Resume, is
	// tagged completed): Run records it and changes nothing.
	Completed bool
	// Refusal is why Run would refuse the change before changing anything (PrecheckError.Detail;
	// empty when it would go ahead).
	Refusal string
	// RefusalReason is the refusal's PrecheckError.Reason (empty when Refusal is).
	RefusalReason Reason
	// Supersede is the guard snapshot an interrupted run took before changing anything, which
	// Run would tag superseded and keep; empty otherwise.
	Supersede string
	// Guard is the guard snapshot Run would create (empty when resuming).
	Guard string
	// Reader is the Aurora reader a change to 1 node removes (today's reader, or the one an
	// earlier run recorded when resuming); empty otherwise. Request.ExpectedReader holds apply
	// to it.
	Reader string
	// Recreated is, for a change to 2 nodes of an Aurora cluster, the reader Run recreates from a
	// record: the request's Previous, or the guard snapshot of a removal Previous does not record
	// (prepareReader); nil when it makes one of the writer's settings, or the preview could not
	// tell.
	Recreated *ReaderSpec
	// ReaderAZMoved says, for a change to 2 nodes of an Aurora cluster whose recorded reader's
	// AZ is now the writer's, which AZ the reader is recreated in instead; empty otherwise.
	ReaderAZMoved string
	// Unchecked is a precheck the preview could not make (why: a listing that failed, such as
	// one the credentials may not read); Run makes it again and refuses the change, changing
	// nothing, if it fails the same way. Empty when every precheck was made.
	Unchecked string
}

// Preview finds, with describe calls only, where o.Run(ctx, req) would start: the topology, and
// this change's guard snapshots (a begun change to resume, an unused guard to supersede, the
// attempt a new guard takes), or the precheck Run would refuse the change with; a precheck it
// cannot make (a failed listing of the guard snapshots, blue/green deployments, endpoints or Aurora
// Auto Scaling) is in Unchecked; the others are still made. Errors: reading the target.
func (o *Orchestrator) Preview(ctx context.Context, req Request) (Preview, error) {
	r := &run{o: o, req: req, previewing: true}
	topo, err := DescribeTarget(ctx, o.RDS, req.Target)
	if err != nil {
		return Preview{}, err
	}
	r.topo = topo
	p := Preview{Topology: topo}
	if req.Target.Kind == KindCluster && req.Nodes == 1 {
		// Named whatever the preview finds next (a refusal included): the plan holds it
		// (Request.ExpectedReader), and a plan made again at apply must name the same.
		if rs := topo.Readers(); len(rs) == 1 {
			p.Reader = rs[0].Identifier
		}
	}
	refused := func(err error) (Preview, error) {
		var pe *PrecheckError
		if errors.As(err, &pe) {
			p.Refusal, p.RefusalReason, p.Guard = pe.Detail, pe.Reason, ""
			return p, nil
		}
		return p, err
	}
	if err := r.precheckStatic(); err != nil {
		return refused(err)
	}
	latest, next, ph, err := r.locate(ctx)
	var pe *PrecheckError
	var ce *ChangeError
	switch {
	case errors.As(err, &pe): // a guard snapshot of this name that is not this target's, say
		return refused(err)
	case errors.As(err, &ce):
		// The guard snapshots could not be listed (a plan-only role without
		// rds:DescribeDB[Cluster]Snapshots, say): where Run would start is not known, but the
		// prechecks that do not depend on it are still made, as for a first attempt. Run lists
		// them again and refuses the change, changing nothing, if it fails the same way.
		p.Unchecked = ce.Stage + ": " + ce.Err.Error()
		latest, next, ph = nil, 1, phaseOriginal
	case err != nil:
		return refused(err)
	}
	if ph != phaseRollingBack && ph != phaseCompleted {
		if err := r.precheckValidationHost(); err != nil {
			return refused(err)
		}
	}
	if p.Reader == "" && r.req.Target.Kind == KindCluster && r.req.Nodes == 1 && ph != phaseOriginal && r.reader != nil {
		// A begun (open) change whose reader is gone: the one its guard recorded (locate keeps
		// no closed change's record, such as a completed guard found by a resource created anew).
		p.Reader = r.reader.Identifier
	}
	if ph != phaseOriginal {
		p.Resume, p.Deferred, p.RollingBack, p.Completed = latest.id, ph == phasePending, ph == phaseRollingBack, ph == phaseCompleted
		if p.RollingBack {
			p.Failure = latest.tags[TagFailure]
		}
		return p, nil
	}
	p.Guard = GuardSnapshotID(req.SnapshotPrefix, req.Target, req.Generation, req.Nodes, min(next, maxAttemptNumber))
	if latest.abandoned() {
		// Run waits for this guard and the target before its own prechecks.
		p.Supersede = latest.id
	} else if err := r.precheckOriginal(); err != nil {
		return refused(err)
	}
	if err := r.checkAttempts(latest, next); err != nil {
		return refused(err)
	}
	if err := r.precheckUndone(ctx); err != nil {
		// A PrecheckError refuses; a ChangeError is a listing that failed.
		if !errors.As(err, &ce) {
			return refused(err)
		}
		p.Unchecked = joinUnchecked(p.Unchecked, ce.Stage+": "+ce.Err.Error())
	}
	if r.req.Target.Kind == KindCluster && r.req.Nodes == 2 {
		// The reader's identifier must be free outside the cluster (checkReaderName).
		if err := r.prepareReader(ctx); err != nil {
			var pe *PrecheckError
			if errors.As(err, &pe) {
				return refused(err)
			}
			p.Unchecked = joinUnchecked(p.Unchecked, "recording the reader: "+err.Error())
		}
		p.ReaderAZMoved, p.Recreated = r.readerAZMoved, r.readerRecorded
	}
	return p, nil
}

// joinUnchecked adds the unchecked precheck more to those in have (Preview.Unchecked).
func joinUnchecked(have, more string) string {
	if have == "" {
		return more
	}
	return have + "; " + more
}

// PlanSummary describes, for a plan preview, exactly what Run will do for req from where p says
// it starts: the guard snapshot, the change, the expected interruption, the consequence of running
// on one node, validation and rollback, and the maintenance window when the change is deferred;
// or, for a change an earlier apply began, what is left of it. p.Topology may be nil (the target
// could not be read at plan time); the summary then omits what only the topology tells (class,
// maintenance window, reader name). An empty p.Guard means the first attempt's snapshot.
func PlanSummary(p Preview, req Request) string {
	if p.Refusal != "" {
		return fmt.Sprintf("Apply will refuse to change %s to %d node(s), and change nothing: %s.", req.Target.Noun(), req.Nodes, p.Refusal)
	}
	if p.Resume != "" {
		return resumeSummary(p, req)
	}
	topo := p.Topology
	var b strings.Builder
	guard := p.Guard
	if guard == "" {
		guard = GuardSnapshotID(req.SnapshotPrefix, req.Target, req.Generation, req.Nodes, 1)
	}
	kind := "DB snapshot"
	if req.Target.Kind == KindCluster {
		kind = "DB cluster snapshot"
	}
	step := 0
	line := func(format string, args ...any) {
		step++
		fmt.Fprintf(&b, "%d. ", step)
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Apply will change %s to %d node(s):\n", req.Target.Noun(), req.Nodes)
	if p.Supersede != "" {
		line("Set aside guard snapshot %s, which an earlier apply took before it was interrupted (nothing was changed): wait until it is complete, tag it rightsize:outcome = superseded and keep it for you to delete. A database is changed only behind a guard snapshot taken in the same apply.", p.Supersede)
	}
	line("Create the manual %s %s (tagged rightsize:*), wait until it is available and verify it (status, engine, size, created after the change began). No modification is made before it is available.", kind, guard)
	if req.VerifyRestore {
		line("Restore %s to the temporary DB instance %s, wait until it is available, then delete it.", guard, restoreInstanceID(guard))
	}
	if req.Validator != nil {
		line("Before the change, record the validation baseline (row counts, index definitions) on the guard snapshot's tags.")
	}
	switch {
	case req.Target.Kind == KindInstance && req.Nodes == 1:
		line("Turn Multi-AZ off (ModifyDBInstance MultiAZ=false, ApplyImmediately=%t). AWS states there is no outage converting a Multi-AZ instance to Single-AZ: the standby is removed.", !req.DeferToMaintenanceWindow)
	case req.Target.Kind == KindInstance:
		line("Turn Multi-AZ on (ModifyDBInstance MultiAZ=true, ApplyImmediately=%t). AWS creates the standby from a snapshot without an outage; expect higher I/O latency during the conversion.", !req.DeferToMaintenanceWindow)
	case req.Nodes == 1:
		reader := "the reader"
		if topo != nil {
			if rs := topo.Readers(); len(rs) == 1 {
				reader = fmt.Sprintf("the reader %s (%s)", rs[0].Identifier, rs[0].Class)
			}
		}
		line("Record %s (class, AZ, promotion tier, parameter group, Performance Insights, monitoring) and delete it (DeleteDBInstance); the writer is never deleted. Connections to the reader endpoint move to the writer; open reader connections are dropped, and clients that insist on a standby (libpq target_session_attrs=read-only or standby, pgJDBC targetServerType=secondary) refuse the writer and cannot connect until they accept a primary (prefer-standby, preferSecondary).", reader)
	default:
		var reader string
		rd := p.Recreated
		if rd == nil {
			rd = req.previousReader() // the preview could not prepare the reader
		}
		if rd == nil {
			// No record: the reader the orchestrator makes of the writer's settings (readerSpec).
			class := ""
			if topo != nil && topo.Class != "" {
				class = topo.Class + ", "
			}
			reader = fmt.Sprintf("a reader %s (%sthe writer's class, promotion tier 1, in an AZ of the cluster other than the writer's) with the writer's settings, unless an earlier attempt of this change recorded one to recreate",
				sanitizeIdentifier(req.Target.Identifier+"-reader", 63), class)
		} else {
			reader = fmt.Sprintf("the reader %s (%s, %s, promotion tier %d) recreated from the recorded settings", rd.Identifier, rd.Class, rd.AvailabilityZone, rd.PromotionTier)
			if p.ReaderAZMoved != "" {
				reader = fmt.Sprintf("the reader %s (%s, promotion tier %d) recreated from the recorded settings %s", rd.Identifier, rd.Class, rd.PromotionTier, p.ReaderAZMoved)
			}
		}
		line("Create %s (CreateDBInstance). The reader endpoint serves it once it is available.", reader)
	}
	if req.DeferToMaintenanceWindow {
		win := "the next maintenance window"
		if topo != nil && topo.Instance != nil && topo.Instance.PreferredMaintenanceWindow != nil {
			win = "the next maintenance window (" + *topo.Instance.PreferredMaintenanceWindow + " UTC)"
		}
		line("The change waits for %s; until then the resource reports pending = true, and validation runs on the first apply after it.", win)
	} else {
		line("Wait until the change has settled (status available with %d node(s)).", req.Nodes)
		if req.Validator != nil {
			line("Validate on the primary (a server in recovery is refused): a SELECT 1 round trip, no rows lost in the named tables, index definitions unchanged.")
		}
	}
	line("%s", onFailure(req))
	if req.Nodes == 1 {
		if req.Target.Kind == KindCluster {
			b.WriteString("With one node the cluster has no failover target: if the writer fails, Aurora recreates it, typically in under 10 minutes.")
		} else if src := replicaSource(topo); src != "" {
			fmt.Fprintf(&b, "With one node the read replica has no standby: a host failure is recovered by replacing the host or by recreating the replica from its source %s, which has all its data; that takes longer than a Multi-AZ failover.", src)
		} else if noAutomatedBackups(topo) {
			b.WriteString("With one node the instance has no standby: a host failure is recovered by replacing the host or restoring a snapshot (a manual one or an AWS Backup plan's; the guard snapshot, at first), which takes longer than a Multi-AZ failover. " +
				"Automated backups are off (backup retention period 0): there is no point-in-time restore, and a restore loses every write made after that snapshot; turn them on before this change.")
		} else {
			b.WriteString("With one node the instance has no standby: a host failure is recovered by replacing the host or restoring from a backup (point-in-time or the guard snapshot), which takes longer than a Multi-AZ failover.")
		}
	}
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteString(" ") // after the one-node sentence, on its line
	}
	switch {
	case req.DeleteGuardOnSuccess && req.Nodes == 1 && noAutomatedBackups(topo):
		b.WriteString("The guard snapshot is kept although guard.retain = false: without automated backups it is the single node's latest recovery point, and its only one unless an AWS Backup plan takes others (delete it once they are on).")
	case req.DeleteGuardOnSuccess:
		b.WriteString("The guard snapshot is deleted after a successful, validated change.")
	default:
		b.WriteString("The guard snapshot is retained (it is billed as backup storage until you delete it).")
	}
	out := strings.TrimSpace(b.String())
	if p.Unchecked != "" {
		// First: it may be the one thing the reader must act on (a mistyped identifier, say).
		out = fmt.Sprintf("The plan could not check everything apply checks before the change (%s); apply checks it again and refuses the change, changing nothing, if it still cannot.\n\n%s", p.Unchecked, out)
	}
	return out
}

func rollbackText(req Request) string {
	switch {
	case req.Target.Kind == KindInstance && req.Nodes == 1:
		return "Multi-AZ on again"
	case req.Target.Kind == KindInstance:
		return "Multi-AZ off again"
	case req.Nodes == 1:
		return "the reader recreated"
	default:
		return "the new reader deleted"
	}
}

// resumeSummary is PlanSummary for a change an earlier apply began behind guard snapshot
// p.Resume.
func resumeSummary(p Preview, req Request) string {
	var b strings.Builder
	if p.RollingBack {
		failed := "that change failed"
		if p.Failure != "" {
			failed += " (" + p.Failure + ")"
		}
		fmt.Fprintf(&b, "Apply will finish rolling back the change of %s to %d node(s) that an earlier apply began behind guard snapshot %s: %s, and its rollback was not finished (refused, the apply interrupted, or out of time). "+
			"Restore the previous topology (%s) unless it is back already, tag the guard snapshot rightsize:outcome = rolled-back and fail, reporting the rollback; the next apply starts the change anew behind a new guard snapshot.",
			req.Target.Noun(), req.Nodes, p.Resume, failed, rollbackText(req))
		return b.String()
	}
	if p.Completed {
		fmt.Fprintf(&b, "An earlier apply completed the change of %s to %d node(s) behind guard snapshot %s; apply records it and changes nothing.", req.Target.Noun(), req.Nodes, p.Resume)
		return b.String()
	}
	fmt.Fprintf(&b, "Apply will resume the change of %s to %d node(s) that an earlier apply began behind guard snapshot %s. No new snapshot is taken and no new change is requested.", req.Target.Noun(), req.Nodes, p.Resume)
	if p.Deferred {
		b.WriteString(" The change waits for the next maintenance window; until then the resource reports pending = true, and validation runs on the first apply after it.")
		return b.String()
	}
	fmt.Fprintf(&b, " Wait until the change has settled (status available with %d node(s))", req.Nodes)
	if req.Validator != nil {
		b.WriteString(", then validate on the primary against the baseline recorded on the guard snapshot's tags before the change: a SELECT 1 round trip, no rows lost in the named tables, index definitions unchanged")
	}
	b.WriteString(". " + onFailure(req))
	return b.String()
}

// onFailure says what the run does when the change fails: roll back, unless rollback is disabled
// or the change is to two nodes (never rolled back: that would take away the redundancy it
// restores).
func onFailure(req Request) string {
	const when = "On a validation failure, a change RDS reports failed or one not begun by the timeout, "
	switch {
	case req.DisableRollback:
		return when + "leave the target as it is (rollback disabled); the guard snapshot stays."
	case req.Nodes == 2:
		return when + "keep the two nodes if the target has them (going back to one would take away the redundancy the change restores), else roll back (" +
			rollbackText(req) + "); the guard snapshot stays."
	}
	return fmt.Sprintf(when+"roll back (%s) and keep the guard snapshot; "+
		"a change still in progress at the timeout, or a validation query the server stopped, is left for the next apply to finish.", rollbackText(req))
}
