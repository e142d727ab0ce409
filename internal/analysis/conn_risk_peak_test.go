package analysis

import (
	"math"
	"slices"
	"testing"
)

// The connections risk takes the same peak as the connections check (peakConnections): the higher
// of CloudWatch's DatabaseConnections maximum and PostgreSQL's own peak count
// (PostgresFacts.PeakConnections). With CloudWatch's peak alone, a backend count of 80 on
// max_connections 100 (96 with 20% headroom, above the 80% threshold) failed the check with no
// risk to say why.
func TestConnectionsRiskTakesTheCheckPeak(t *testing.T) {
	for _, tc := range []struct {
		name             string
		cloudWatch       float64 // flat DatabaseConnections; NaN: no series
		pgPeak, reserved int
		want             string // the risk's description; "" none
	}{
		{"PostgreSQL's peak above CloudWatch's", 40, 80, 0,
			"Projected peak connections 80 with 20% headroom (96) exceed 80% of max_connections 100"},
		{"PostgreSQL's peak above CloudWatch's, slots reserved", 40, 70, 5,
			"Projected peak connections 70 with 20% headroom (84) exceed 80% of the 95 of max_connections 100 that clients can take (5 reserved)"},
		{"CloudWatch's peak above PostgreSQL's", 70, 10, 0,
			"Projected peak connections 70 with 20% headroom (84) exceed 80% of max_connections 100"},
		{"PostgreSQL's peak not known", 70, 0, 0,
			"Projected peak connections 70 with 20% headroom (84) exceed 80% of max_connections 100"},
		{"both within the threshold", 40, 50, 0, ""},
		{"no DatabaseConnections series", math.NaN(), 80, 0,
			"Projected peak connections 80 with 20% headroom (96) exceed 80% of max_connections 100"},
	} {
		in := xlargeWithConnections(tc.cloudWatch, []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.48}})
		if tc.cloudWatch != tc.cloudWatch {
			w := &in.Nodes[0]
			w.Series = slices.DeleteFunc(w.Series, func(s Series) bool { return s.Metric == MetricConnections })
		}
		in.Postgres = &PostgresFacts{MaxConnections: 100, PeakConnections: tc.pgPeak, ReservedConnections: tc.reserved}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var risks []string
		for _, r := range rec.Risks {
			if r.Category == "connections" {
				risks = append(risks, r.Description)
			}
		}
		switch {
		case tc.want == "" && len(risks) > 0:
			t.Errorf("%s: risks %q, want none", tc.name, risks)
		case tc.want != "" && !slices.Equal(risks, []string{tc.want}):
			t.Errorf("%s: risks %q, want %q", tc.name, risks, tc.want)
		}
		// The risk is there exactly when the check fails.
		for _, r := range rec.Reasons {
			if r.Check == "connections_peak_with_headroom" && r.Passed != (len(risks) == 0) {
				t.Errorf("%s: check %+v, risks %q", tc.name, r, risks)
			}
		}
	}
}
