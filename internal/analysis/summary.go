package analysis

import (
	"fmt"
	"time"
)

func errorf(format string, args ...any) error { return fmt.Errorf("analysis: "+format, args...) }

// summaryQuantiles are the quantiles Summarize reports, ascending.
var summaryQuantiles = [4]float64{0.50, 0.90, 0.95, 0.99}

// Summary describes one Series over its window [Start, End).
//
// Statistics are computed over the valid datapoints only: those whose
// timestamp lies in the window and whose value is not NaN. When there are no
// valid datapoints, Mean, Min, Max, StdDev, the percentiles and PeakToAverage
// are NaN and PeakTime is the zero time.
type Summary struct {
	Metric string // copied from the series
	Unit   string // copied from the series

	Count       int           // valid datapoints (in window, not NaN)
	Expected    int           // datapoints expected in the window at Period (Series.Expected)
	Missing     int           // Expected - Count, never negative: gaps plus NaN
	NaN         int           // in-window datapoints whose value is NaN
	OutOfWindow int           // datapoints outside [Start, End), ignored
	Coverage    float64       // Count/Expected in [0, 1] (capped at 1 for off-grid data)
	LongestGap  time.Duration // longest stretch of the window without a valid datapoint
	Lookback    time.Duration // End - Start
	// DataSpan is how much of the window the data spans: from the first
	// valid datapoint (Start when it lies in the first period) to End; 0
	// when there are no valid datapoints. Gaps, and a missing tail (a window
	// ending now whose last periods CloudWatch has not published yet), count
	// in it (Coverage measures them): a 14-day window whose data starts 3
	// days before its end spans 3 days.
	DataSpan time.Duration

	Mean   float64 // arithmetic mean, never outside [Min, Max] (rounding is clamped)
	Min    float64 // smallest valid value
	Max    float64 // largest valid value
	StdDev float64 // population standard deviation
	P50    float64 // R-7 quantiles (linear interpolation between closest ranks), exact
	P90    float64 // 90th percentile
	P95    float64 // 95th percentile
	P99    float64 // 99th percentile
	// PeakToAverage is Max/Mean; +Inf when Mean is 0 and Max > 0, NaN when
	// both are 0 or there is no data.
	PeakToAverage float64
	PeakTime      time.Time // timestamp of the first occurrence of Max
}

// Summarize computes the Summary of s.
//
// Preconditions: Period > 0, End after Start, len(Timestamps) == len(Values)
// and strictly increasing Timestamps; otherwise it returns an error wrapping
// ErrBadSeries or ErrUnsorted (use Series.Sorted first for unordered input).
// Gaps (absent timestamps) and NaN values are counted as missing, never
// treated as zero. Points outside [Start, End) are counted in OutOfWindow and
// ignored. An empty or all-NaN series is not an error: it yields Count 0 and
// NaN statistics. s is not modified.
//
// Percentiles are exact, computed by selection in O(n) expected time: a small
// deterministic sample (about 1,000 values) brackets the median and the tail
// ranks (p90 to p99) with two value intervals, the single pass over the data
// counts the values below each interval and keeps only the values inside it,
// and the exact order statistics are selected from those. If an interval
// misses its rank (rare), the values are selected from a full copy, so the
// result never depends on the sample.
//
// Cost: one pass over the values and, on a regular grid, the timestamps,
// which are checked against the grid in the same pass (no separate
// validation pass). A series with holes (periods without a datapoint, as
// CloudWatch returns them) whose timestamps all lie on its period grid is
// first spread onto that grid, NaN in the holes (one more pass), and then
// scanned the same way; the mean and deviation may then differ from the
// general pass in the last bits. Any other grid (off-grid timestamps, or
// more than half of the periods empty) falls back to a general pass that
// reads every timestamp.
func Summarize(s Series) (Summary, error) {
	if err := s.validateShape(); err != nil {
		return Summary{}, err
	}
	sum, _, _, err := scanSeries(s, false)
	return sum, err
}
