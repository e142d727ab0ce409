package analysis

import (
	"strings"
	"testing"
)

// TestAnalyzeSavingsGate: a single node that fits but saves nothing (the only candidate costs
// as much as today's two nodes, or more) is no reason to give up the second node: keep, with a
// failing monthly_savings reason. A saving one consolidates with the reason passing; unpriced
// deployments get no such reason.
func TestAnalyzeSavingsGate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		hourly    float64 // the single node's price; today's pair costs 0.318
		verdict   Verdict
		reason    bool // a monthly_savings reason is expected
		passed    bool
		substring string
	}{
		{"saves", 0.159, VerdictConsolidate, true, true, "saves $116.07 a month"},
		{"costs the same", 0.318, VerdictKeep, true, false, "would cost $0.00 a month more than today"},
		{"costs more", 0.5, VerdictKeep, true, false, "would cost $132.86 a month more than today"},
		{"unpriced", 0, VerdictConsolidate, false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := idleMultiAZ(14)
			in.Candidates = []Candidate{{Class: classM6gLarge, SingleNodeHourlyUSD: tc.hourly}}
			rec, err := Analyze(in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Verdict != tc.verdict || rec.SingleNodeSufficient != (tc.verdict == VerdictConsolidate) {
				t.Errorf("verdict %s, want %s", rec.Verdict, tc.verdict)
			}
			rs := where(rec.Reasons, func(r Reason) bool { return r.Check == "monthly_savings" })
			switch {
			case !tc.reason && len(rs) != 0:
				t.Errorf("monthly_savings reasons %+v, want none", rs)
			case tc.reason && (len(rs) != 1 || rs[0].Passed != tc.passed || rs[0].Limit != 0 || !strings.Contains(rs[0].Message, tc.substring)):
				t.Errorf("monthly_savings reasons %+v, want one passed=%t containing %q", rs, tc.passed, tc.substring)
			}
		})
	}
}
