package rightsizing

import (
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/fmacheck"
)

// TestNoFusedMultiplyAdd: no expression of this package is fused into a multiply-add on arm64,
// whose result would differ from amd64's in the last bits (fmacheck).
func TestNoFusedMultiplyAdd(t *testing.T) { fmacheck.Check(t) }
