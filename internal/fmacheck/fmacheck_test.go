package fmacheck

import (
	"slices"
	"testing"
)

// TestSitesFindsFusion: Sites names the line the compiler fuses and not the one written
// float64(x*y) + z, so a change in the compiler's assembly listing fails here instead of letting
// every package's check pass unseen.
func TestSitesFindsFusion(t *testing.T) {
	sites, err := Sites("testdata/fused", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"fused.go:6"}; !slices.Equal(sites, want) {
		t.Errorf("sites %q, want %q", sites, want)
	}
}
