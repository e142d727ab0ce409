package analysis

import (
	"testing"
)

// TestReasonComparisons: every reason's Comparison is one of the documented operators, and Passed
// is what it says of Value and Limit, across passing and failing scenarios.
func TestReasonComparisons(t *testing.T) {
	holds := map[string]func(v, l float64) bool{
		"<=": func(v, l float64) bool { return v <= l },
		">=": func(v, l float64) bool { return v >= l },
		">":  func(v, l float64) bool { return v > l },
		"==": func(v, l float64) bool { return v == l },
	}
	seen := map[string]bool{}
	for name, in := range map[string]ClusterInput{
		"idle Multi-AZ": idleMultiAZ(14), "3 days": idleMultiAZ(3), "busy Aurora": auroraPair(14), "quiet Aurora": auroraPair(3),
	} {
		rec, err := Analyze(in, DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rec.Reasons {
			f, ok := holds[r.Comparison]
			if !ok {
				t.Errorf("%s: %s: comparison %q is not documented", name, r.Check, r.Comparison)
				continue
			}
			seen[r.Comparison] = true
			if got := f(r.Value, r.Limit); got != r.Passed {
				t.Errorf("%s: %s: %v %s %v is %t, but passed = %t", name, r.Check, r.Value, r.Comparison, r.Limit, got, r.Passed)
			}
		}
	}
	for op := range holds {
		if !seen[op] {
			t.Errorf("no reason compares with %s", op)
		}
	}
}
