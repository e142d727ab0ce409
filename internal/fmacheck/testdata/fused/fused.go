// Package fused has one expression arm64 fuses (line 6) and one it does not (line 9).
package fused

// Fused is x*y + z, one multiply-add on arm64.
func Fused(x, y, z float64) float64 {
	return x*y + z
}

// Rounded is the same with the product rounded first.
func Rounded(x, y, z float64) float64 { return float64(x*y) + z }
