package analysis

import (
	"strings"
	"testing"
)

// The zero Policy still means DefaultPolicy for Go callers, and a policy that
// is not Exact keeps its old reading: zero fields take the defaults.
func TestPolicyZeroMeansDefaults(t *testing.T) {
	if got := (Policy{}).withDefaults(); got != DefaultPolicy() {
		t.Fatalf("Policy{}.withDefaults() = %+v, want DefaultPolicy %+v", got, DefaultPolicy())
	}
	rec, err := Analyze(idleMultiAZ(14), Policy{HeadroomPercent: 0, MinDecisionScore: 0})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Policy != DefaultPolicy() {
		t.Errorf("applied policy %+v, want DefaultPolicy", rec.Policy)
	}
	if err := (Policy{}).Validate(); err != nil {
		t.Errorf("zero policy: %v", err)
	}
}

// An Exact policy keeps its zeroes: no headroom, a minimum decision score of
// 0 and weights of 0 beside the one set.
func TestPolicyExactKeepsZeroes(t *testing.T) {
	p := DefaultPolicy()
	p.Exact = true
	p.HeadroomPercent = 0
	p.MinDecisionScore = 0
	p.Weights = DecisionWeights{Cost: 1}
	if got := p.withDefaults(); got != p {
		t.Fatalf("withDefaults changed an exact policy: %+v, want %+v", got, p)
	}
	in := idleMultiAZ(14)
	rec, err := Analyze(in, p)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Policy != p {
		t.Errorf("applied policy %+v, want %+v", rec.Policy, p)
	}
	cpu, ok := reason(rec, "cpu_p99_with_headroom")
	if !ok {
		t.Fatal("no cpu_p99_with_headroom reason")
	}
	if !strings.Contains(cpu.Message, "with 0% headroom") {
		t.Errorf("cpu reason without 0%% headroom: %q", cpu.Message)
	}
	score, ok := reason(rec, "decision_score")
	if !ok || score.Limit != 0 {
		t.Errorf("decision_score reason %+v, want limit 0", score)
	}
	// Only cost is weighted: the total is the cost score.
	for _, r := range rec.Matrix.Rows {
		want := 0.0
		if r.Criterion == "cost" {
			want = 1
			if rec.Matrix.Total != r.Score {
				t.Errorf("total %v, want the cost score %v", rec.Matrix.Total, r.Score)
			}
		}
		if r.Weight != want {
			t.Errorf("%s weight %v, want %v", r.Criterion, r.Weight, want)
		}
	}
}

func TestPolicyExactNeedsAWeight(t *testing.T) {
	p := DefaultPolicy()
	p.Exact = true
	p.Weights = DecisionWeights{}
	err := p.Validate()
	if err == nil || !strings.Contains(err.Error(), "policy weights: all four are 0") {
		t.Fatalf("Validate() = %v, want the all-zero weights refused", err)
	}
	if _, err := Analyze(idleMultiAZ(14), p); err == nil {
		t.Fatal("Analyze accepted an exact policy with every weight 0")
	}
}

// AnySavingsTarget is $0–0: any saving is above it and scores 10, where the
// zero SavingsTarget would be the default $50–100.
func TestAnySavingsTarget(t *testing.T) {
	c := Cost(0.1, 0.1-0.02/HoursPerMonth, "db.x", AnySavingsTarget())
	if !c.Known || c.MonthlySavingsUSD != 0.02 || !c.TargetMet || c.TargetStatus != "above" {
		t.Errorf("cost with AnySavingsTarget %+v: want $0.02 saved, met and above", c)
	}
	if s := savingsScore(0.01, AnySavingsTarget()); s != 10 {
		t.Errorf("savingsScore($0.01, AnySavingsTarget) = %v, want 10", s)
	}
	if s := savingsScore(0.01, DefaultSavingsTarget()); s >= 1 {
		t.Errorf("savingsScore($0.01, default) = %v: the comparison is void", s)
	}
	even := Cost(0.1, 0.1, "db.x", AnySavingsTarget())
	if !even.TargetMet || even.TargetStatus != "within" {
		t.Errorf("no saving against $0–0: %+v, want met and within", even)
	}
	in := idleMultiAZ(14)
	in.SavingsTarget = AnySavingsTarget()
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Cost.Target != AnySavingsTarget() || rec.Cost.TargetStatus != "above" {
		t.Errorf("cost %+v, want AnySavingsTarget and above", rec.Cost)
	}
	if !strings.Contains(rec.ReportMarkdown, "Savings target $0–0/month: above") {
		t.Errorf("report does not print the target as $0–0:\n%s", rec.ReportMarkdown)
	}
}
