package analysis

import (
	"strings"
	"testing"
)

// TestGlobalDatabaseRisk: the primary cluster of an Aurora global database gets the redundancy risk
// of losing its reader with what the global database offers and does not (no failover to another
// region by itself; a global failover's minutes, lost writes and region change), and the
// reliability evidence names its secondary regions; a cluster of no global database gets neither.
func TestGlobalDatabaseRisk(t *testing.T) {
	for _, global := range []string{"", "sso-global"} {
		in := auroraPair(15)
		in.GlobalCluster = global
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		var redundancy []string
		for _, r := range rec.Risks {
			if strings.HasPrefix(r.Description, "No reader to promote") {
				redundancy = append(redundancy, r.Severity+": "+r.Description)
			}
		}
		var reliability string
		for _, row := range rec.Matrix.Rows {
			if row.Criterion == "reliability" {
				reliability = row.Evidence
			}
		}
		if len(redundancy) != 1 {
			t.Fatalf("global %q: redundancy risks %q, want one", global, redundancy)
		}
		got := redundancy[0]
		if global == "" {
			if strings.Contains(got, "global database") || strings.Contains(reliability, "global database") {
				t.Errorf("no global database: risk %q, reliability %q name one", got, reliability)
			}
			continue
		}
		for _, want := range []string{"medium: No reader to promote in the primary region", "primary of Aurora global database sso-global",
			"Aurora does not fail over to them by itself", "FailoverGlobalCluster", "loses the writes not yet replicated", "moves the writer to another region"} {
			if !strings.Contains(got, want) {
				t.Errorf("risk %q does not say %q", got, want)
			}
		}
		if !strings.Contains(reliability, "primary cluster of Aurora global database sso-global: its secondary regions remain for disaster recovery") {
			t.Errorf("reliability evidence %q does not name the global database", reliability)
		}
	}
}
