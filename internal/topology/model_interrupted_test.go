package topology

import (
	"errors"
	"testing"
	"time"
)

// Deterministic sequences first found by TestRandomizedRuns (model_test.go).

// mandible-prod seed 58: the resource at 1 node; an apply of nodes = 2 is interrupted right after
// RDS accepted its change (ModifyDBInstance(MultiAZ=true); Aurora: the reader's creation). The user
// sets nodes back to 1: Read keeps nodes = 1 (the change's guard is open), and current_nodes counts
// the change under way as its target (RDS reports MultiAZ=false while modifying; a reader being
// created counts), so the plan is not empty. Its apply is refused while RDS is busy ("wait for it
// to be available"), and once RDS is done the next plan takes the database back to 1 node behind a
// guard snapshot of its own: the database does not end at 2 nodes behind an empty plan.
func TestInterruptedChangeSetBackIsPlanned(t *testing.T) {
	for _, target := range []Target{mandible, sso} {
		t.Run(target.Identifier, func(t *testing.T) {
			m := newModelRun(t, target)
			clean := applyPlan{deadline: time.Hour, validator: okValidator{}}
			if _, err := m.apply(1, false, clean); err != nil {
				t.Fatal(err)
			}
			stop := clean
			stop.interruptStep = StepChange
			if _, err := m.apply(2, false, stop); err == nil {
				t.Fatal("not interrupted")
			}
			ran, err := m.apply(1, false, clean)
			var pe *PrecheckError
			if !ran || !errors.As(err, &pe) || pe.Reason != ReasonStatus {
				m.fail("apply of nodes = 1 while the interrupted change is under way: ran %t, %v; want it planned and refused while RDS is busy", ran, err)
			}
			m.e.srv.Advance(3 * time.Hour)
			if ran, err := m.apply(1, false, clean); !ran || err != nil {
				m.fail("apply of nodes = 1 once RDS is done: ran %t, %v", ran, err)
			}
			m.e.srv.Advance(3 * time.Hour)
			if cur := m.refresh(); cur != 1 || m.st.nodes != 1 {
				m.fail("database %d node(s), state %d, want 1", cur, m.st.nodes)
			}
			if ran, err := m.apply(1, false, clean); ran || err != nil {
				m.fail("the next apply is not empty (ran %t): %v", ran, err)
			}
			m.checkLeftovers()
		})
	}
}
