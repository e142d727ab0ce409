package analysis

import (
	"math"
	"testing"
)

// The Go compiler may fuse x*y+z into one fused multiply-add (FMA) instruction, rounded once, on
// arm64, ppc64le and s390x, but not on amd64 (GOAMD64=v1, as released), so the same expression
// gives results that differ in their last bits between a Mac with Apple silicon and CI on
// linux/amd64: enough to flip a rounded figure. An explicit float64() conversion of the product
// rounds it first and prevents the fusion (Go spec, "Floating-point operators"). These tests pin
// results computed on amd64 that a fused expression does not reproduce; they pass on every
// platform only when nothing is fused: run them under emulation with
// GOARCH=arm64 go test -exec qemu-aarch64-static.

// TestClassOptionSavingsNotFused: a class option's monthly savings, the current hourly price ×
// 730 less the option's monthly price, are rounded to the cent from the product as amd64 rounds
// it. Fused, an option priced as the current deployment (the demo's sso-prod: its two
// db.t4g.medium at $0.073 an hour, and a db.t4g.large at $0.146) saved -0 (the exact product is
// 106.57999999999999 against 106.58: jsonencode writes "-0"), and a half cent rounded the other way.
func TestClassOptionSavingsNotFused(t *testing.T) {
	for _, tc := range []struct {
		current, single float64
		want            float64
	}{
		{0.146, 0.146, 0},
		{0.0065, 0.01, -2.55}, // 4.745 − 7.30 = −2.555: −2.56 fused
		{0.0065, 0.006, 0.37}, // 4.745 − 4.38 = 0.365: 0.36 fused
	} {
		in := ClusterInput{CurrentHourlyUSD: tc.current}
		c := Candidate{Class: InstanceClass{Name: "db.t4g.large", VCPU: 2, MemoryGiB: 8}, SingleNodeHourlyUSD: tc.single}
		o := classOption(Projection{Class: c.Class}, c, in, DefaultPolicy())
		if o.MonthlySavingsUSD != tc.want || math.Signbit(o.MonthlySavingsUSD) != math.Signbit(tc.want) {
			t.Errorf("current $%v/h, option $%v/h: monthly savings %v, want %v", tc.current, tc.single, o.MonthlySavingsUSD, tc.want)
		}
	}
}
