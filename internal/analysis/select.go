package analysis

import (
	"math"
	"slices"
)

// This file holds exact order-statistic selection. Nothing here sorts a whole
// series: selection is O(n) expected (Hoare quickselect, median-of-three pivot,
// falling back to sorting only the remaining sub-range when the recursion
// budget is spent, so the worst case stays O(n log n)).

// selectKth reorders a so that a[k] is the k-th smallest (0-based) value,
// everything before it is <= a[k] and everything after is >= a[k]. a must not
// contain NaN. It returns a[k].
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	budget := 2 * bitsLen(len(a))
	for hi > lo {
		if hi-lo < 16 || budget == 0 {
			slices.Sort(a[lo : hi+1])
			return a[k]
		}
		budget--
		mid := lo + (hi-lo)/2
		// median of three into a[mid]
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}

func bitsLen(n int) int {
	b := 0
	for n > 0 {
		b++
		n >>= 1
	}
	return b
}

// minOf returns the smallest value of a non-empty slice.
func minOf(a []float64) float64 {
	m := a[0]
	for _, v := range a[1:] {
		if v < m {
			m = v
		}
	}
	return m
}

// quantileRanks returns, for quantile q of n values, the 0-based ranks of the
// two order statistics and the interpolation fraction of the R-7 definition
// (linear interpolation between closest ranks; NumPy's default):
// h = (n-1)q, Q = x[floor h] + (h-floor h)(x[floor h+1]-x[floor h]).
func quantileRanks(n int, q float64) (r0, r1 int, frac float64) {
	h := float64(n-1) * q
	f := math.Floor(h)
	r0 = int(f)
	frac = h - f
	r1 = r0
	if frac > 0 && r0+1 < n {
		r1 = r0 + 1
	}
	return r0, r1, frac
}

// quantilesInPlace computes R-7 quantiles qs (each in [0,1], ascending) of a,
// which must be NaN-free and non-empty. a is reordered. out must have len(qs).
func quantilesInPlace(a []float64, qs []float64, out []float64) {
	n := len(a)
	lo := 0 // everything before lo is <= everything at/after lo
	for i, q := range qs {
		r0, r1, frac := quantileRanks(n, q)
		var x0 float64
		if r0 >= lo {
			x0 = selectKth(a[lo:], r0-lo)
			lo = r0
		} else {
			x0 = a[r0] // already placed by an earlier selection of the same rank
		}
		x1 := x0
		if r1 != r0 {
			x1 = minOf(a[r0+1:])
		}
		out[i] = x0 + frac*(x1-x0)
	}
}

// Quantiles returns the R-7 quantiles (linear interpolation between closest
// ranks, NumPy's default) of values for each q in qs, by selection rather than
// sorting. NaN values are ignored (treated as missing). values is not modified.
// qs must each be in [0, 1]; they need not be sorted. If values has no non-NaN
// element the result is all NaN and the error is nil. An out-of-range or NaN q
// is an error.
func Quantiles(values []float64, qs []float64) ([]float64, error) {
	order := make([]int, len(qs))
	for i, q := range qs {
		if !(q >= 0 && q <= 1) {
			return nil, errorf("quantile %v at index %d must be in [0, 1]", q, i)
		}
		order[i] = i
	}
	out := make([]float64, len(qs))
	buf := make([]float64, 0, len(values))
	for _, v := range values {
		if v == v {
			buf = append(buf, v)
		}
	}
	if len(buf) == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out, nil
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case qs[a] < qs[b]:
			return -1
		case qs[a] > qs[b]:
			return 1
		}
		return 0
	})
	sq := make([]float64, len(qs))
	for i, o := range order {
		sq[i] = qs[o]
	}
	res := make([]float64, len(qs))
	quantilesInPlace(buf, sq, res)
	for i, o := range order {
		out[o] = res[i]
	}
	return out, nil
}
