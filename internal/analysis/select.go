package analysis

import (
	"math"
	"slices"
	"sync"
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
	h := float64(float64(n-1) * q)
	f := math.Floor(h)
	r0 = int(f)
	frac = h - f
	r1 = r0
	if frac > 0 && r0+1 < n {
		r1 = r0 + 1
	}
	return r0, r1, frac
}

// lerp is x0 + frac(x1 − x0) for x0 <= x1, and x0 itself when x0 is
// infinite: an infinite order statistic stays infinite instead of becoming
// Inf + 0 × (Inf − Inf) = NaN. Two finite values more than math.MaxFloat64
// apart are weighted instead (x1 − x0 overflows); otherwise the result is
// bit for bit the formula's.
func lerp(x0, x1, frac float64) float64 {
	if math.IsInf(x0, 0) {
		return x0
	}
	d := x1 - x0
	if math.IsInf(d, 0) && !math.IsInf(x1, 0) {
		return float64(x0*(1-frac)) + float64(x1*frac)
	}
	return x0 + float64(frac*d)
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
		out[i] = lerp(x0, x1, frac)
	}
}

// Quantiles returns the R-7 quantiles (linear interpolation between closest
// ranks, NumPy's default) of values for each q in qs, by selection rather than
// sorting. NaN values are ignored (treated as missing); an infinite value
// ranks like any other (the maximum of {1, +Inf} is +Inf). values is not modified.
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

// keyPool holds selectPairs' per-value bucket scratch.
var keyPool = sync.Pool{New: func() any { s := make([]uint8, 0, 4096); return &s }}

// rankPair asks selectPairs for the k-th smallest value (0-based) and, when
// next, also the (k+1)-th.
type rankPair struct {
	k    int
	next bool
}

// selectPairs sets out[i] to the ks[i].k-th smallest value of a and the
// next one (or the same again when !ks[i].next); ks must be ascending in k.
// Every value of a must lie in [lo, hi] and none may be NaN; a is
// reordered. Large inputs are first counted into 256 equal-width buckets
// over [lo, hi] (a monotone mapping, so bucket order is value order); for
// each wanted rank only the one or two buckets holding it are copied out
// and selected from.
func selectPairs(a []float64, ks []rankPair, lo, hi float64, out [][2]float64) {
	const nb = 256
	span := hi - lo
	if len(a) < 1024 || !(span > 0) || math.IsInf(span, 0) {
		// Sequential selection: after selecting rank k, everything from k
		// on is >= a[k], so the next (larger) rank is selected from a[k:].
		from := 0
		for i, r := range ks {
			x0 := selectKth(a[from:], r.k-from)
			from = r.k
			x1 := x0
			if r.next {
				x1 = minOf(a[r.k+1:])
			}
			out[i] = [2]float64{x0, x1}
		}
		return
	}
	scale := nb / span
	bucket := func(v float64) int {
		return min(max(int((v-lo)*scale), 0), nb-1)
	}
	// Four interleaved count arrays avoid a store-to-load dependency when
	// consecutive values fall into the same bucket. Each value's bucket is
	// kept (one byte) for the copy-out pass.
	kp := keyPool.Get().(*[]uint8)
	defer keyPool.Put(kp)
	if cap(*kp) < len(a) {
		*kp = make([]uint8, len(a))
	}
	keys := (*kp)[:len(a)]
	var cnt [4][nb]int32
	i := 0
	for ; i+4 <= len(a) && i+4 <= len(keys); i += 4 {
		b0, b1, b2, b3 := bucket(a[i]), bucket(a[i+1]), bucket(a[i+2]), bucket(a[i+3])
		keys[i], keys[i+1], keys[i+2], keys[i+3] = uint8(b0), uint8(b1), uint8(b2), uint8(b3)
		cnt[0][b0]++
		cnt[1][b1]++
		cnt[2][b2]++
		cnt[3][b3]++
	}
	for ; i < len(a); i++ {
		b0 := bucket(a[i])
		keys[i] = uint8(b0)
		cnt[0][b0]++
	}
	var tot [nb + 1]int // tot[b] = values in buckets before b
	for b := 0; b < nb; b++ {
		tot[b+1] = tot[b] + int(cnt[0][b]+cnt[1][b]+cnt[2][b]+cnt[3][b])
	}
	// For each rank: b0 holds rank k; b1 is the next non-empty bucket when
	// rank k+1 lies beyond b0 (else b0). Buckets strictly between b0 and b1
	// are empty, so each rank needs the bucket range [b0, b1]. Ranges that
	// overlap (ks ascend, so only neighbours can) merge into one group; a
	// group's values are those in its bucket range.
	const maxRanks = 8
	if len(ks) > maxRanks {
		panic("analysis: selectPairs: too many ranks")
	}
	var (
		slot     [nb]int8 // group of each bucket, -1 if not wanted
		gLo, gHi [maxRanks]int
		group    [maxRanks]int // group of each rank
		groups   int
	)
	for b := range slot {
		slot[b] = -1
	}
	for j, r := range ks {
		b0 := 0
		for tot[b0+1] <= r.k {
			b0++
		}
		b1 := b0
		if r.next && r.k+1 >= tot[b0+1] {
			b1 = b0 + 1
			for tot[b1+1] == tot[b1] {
				b1++
			}
		}
		if groups > 0 && b0 <= gHi[groups-1] {
			gHi[groups-1] = max(gHi[groups-1], b1)
		} else {
			gLo[groups], gHi[groups] = b0, b1
			groups++
		}
		group[j] = groups - 1
	}
	// One pass copies each wanted value into its group's region of the
	// scratch buffer; regions are sized from the counts.
	var start [maxRanks + 1]int
	for g := range groups {
		for b := gLo[g]; b <= gHi[g]; b++ {
			slot[b] = int8(g)
		}
		start[g+1] = start[g] + tot[gHi[g]+1] - tot[gLo[g]]
	}
	sp := getBuf(start[groups])
	defer putBuf(sp)
	sc := *sp
	var fill [maxRanks]int
	copy(fill[:], start[:groups])
	for i, v := range a {
		if g := slot[keys[i]]; g >= 0 {
			sc[fill[g]] = v
			fill[g]++
		}
	}
	for j, r := range ks {
		g := group[j]
		sub := sc[start[g]:start[g+1]]
		kk := r.k - tot[gLo[g]]
		x0 := selectKth(sub, kk)
		x1 := x0
		if r.next {
			x1 = minOf(sub[kk+1:])
		}
		out[j] = [2]float64{x0, x1}
	}
}

// selectPair returns the k-th smallest value of a (0-based) and, when next
// is true, the (k+1)-th (else the k-th again). Every value of a must lie in
// [lo, hi] and none may be NaN; a is reordered. See selectPairs.
func selectPair(a []float64, k int, next bool, lo, hi float64) (float64, float64) {
	var out [1][2]float64
	selectPairs(a, []rankPair{{k, next}}, lo, hi, out[:])
	return out[0][0], out[0][1]
}
