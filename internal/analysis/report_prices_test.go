package analysis_test

import (
	"strings"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// TestReportPriceSource: the report's cost section says where the prices came from when the
// caller says so (ClusterInput.PriceSource: an account's rates are not list prices), escaped for
// Markdown, and calls them on-demand list prices otherwise.
func TestReportPriceSource(t *testing.T) {
	for _, tc := range []struct{ source, want string }{
		{"", "Prices are on-demand list prices at 730 hours a month."},
		{"provider-configuration and catalog 2024-08-09", "Prices are on-demand prices at 730 hours a month, from provider-configuration and catalog 2024-08-09."},
		{"rates | a\nb", `Prices are on-demand prices at 730 hours a month, from rates \| a b.`},
	} {
		in := analysis.ScenarioMultiAZ()
		in.PriceSource = tc.source
		rec, err := analysis.Analyze(in, analysis.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Cost.Known || rec.Cost.PriceSource != tc.source || !strings.Contains(rec.ReportMarkdown, tc.want) {
			_, cost, _ := strings.Cut(rec.ReportMarkdown, "## Cost")
			t.Errorf("%q: cost %+v; the report's cost section lacks %q:\n%s", tc.source, rec.Cost, tc.want, cost)
		}
	}
}
