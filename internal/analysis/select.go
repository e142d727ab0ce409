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

// selectPair returns the k-th smallest value of a (0-based) and, when next
// is true, the (k+1)-th (else the k-th again). Every value of a must lie in
// [lo, hi] and none may be NaN; a is reordered. Large inputs are first
// counted into 256 equal-width buckets over [lo, hi] (a monotone mapping, so
// bucket order is value order); only the one or two buckets holding the
// wanted ranks are then compacted to the front of a and selected from.
func selectPair(a []float64, k int, next bool, lo, hi float64) (float64, float64) {
	const nb = 256
	span := hi - lo
	if len(a) < 1024 || !(span > 0) || math.IsInf(span, 0) {
		x0 := selectKth(a, k)
		if next {
			return x0, minOf(a[k+1:])
		}
		return x0, x0
	}
	scale := nb / span
	bucket := func(v float64) int {
		return min(max(int((v-lo)*scale), 0), nb-1)
	}
	// Four interleaved count arrays avoid a store-to-load dependency when
	// consecutive values fall into the same bucket.
	var cnt [4][nb]int32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		cnt[0][bucket(a[i])]++
		cnt[1][bucket(a[i+1])]++
		cnt[2][bucket(a[i+2])]++
		cnt[3][bucket(a[i+3])]++
	}
	for ; i < len(a); i++ {
		cnt[0][bucket(a[i])]++
	}
	b0, b1, before := -1, -1, 0
	cum := 0
	for b := 0; b < nb; b++ {
		c := int(cnt[0][b] + cnt[1][b] + cnt[2][b] + cnt[3][b])
		if c == 0 {
			continue
		}
		if b0 < 0 {
			if k < cum+c {
				b0, before, b1 = b, cum, b
				if !next || k+1 < cum+c {
					break
				}
			}
		} else {
			b1 = b // the next non-empty bucket holds rank k+1
			break
		}
		cum += c
	}
	// Compact the values of buckets b0..b1 to the front (in place: the
	// write position never passes the read position).
	w := 0
	for _, v := range a {
		bk := bucket(v)
		a[w] = v
		if bk == b0 || bk == b1 {
			w++
		}
	}
	sub := a[:w]
	kk := k - before
	x0 := selectKth(sub, kk)
	if next {
		return x0, minOf(sub[kk+1:])
	}
	return x0, x0
}
