package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/rightsizing"
)

// TestRecommendationDecisionLogged: the log of a plan says why a recommendation is what it is:
// its verdict, the checks that failed with their numbers, and its high risks.
func TestRecommendationDecisionLogged(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	logRecommendation(ctx, rightsizing.Result{Name: "mandible-prod", Recommendation: analysis.Recommendation{
		Verdict: analysis.VerdictKeep, Confidence: 0.8,
		Reasons: []analysis.Reason{
			{Check: "coverage", Passed: true, Message: "coverage 99%"},
			{Check: "cpu_p99_with_headroom", Passed: false, Message: "projected CPU p99 91% above the 75% limit"},
		},
		Risks: []analysis.Risk{{Category: "redundancy", Severity: "high", Description: "no standby"}, {Category: "cost", Severity: "low", Description: "reserved"}},
	}})
	out := buf.String()
	for _, want := range []string{`"@message":"single-node recommendation"`, `"@level":"debug"`, `"rightsize_deployment":"mandible-prod"`, `"verdict":"keep"`,
		`"failed_checks":"cpu_p99_with_headroom: projected CPU p99 91% above the 75% limit"`, `"high_risks":"redundancy: no standby"`, `"checks_total":2`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
}
