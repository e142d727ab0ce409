package analysis

import "time"

// Series is one metric of one node sampled at a fixed period.
//
// Timestamps and Values have the same length; Timestamps are the start of each
// sampling period in UTC. Missing datapoints are simply absent (a gap), and a
// NaN value is counted as missing. The expected window is [Start, End): the
// number of expected datapoints is (End-Start)/Period, which is what coverage
// is measured against.
type Series struct {
	Metric     string        // CloudWatch metric name, e.g. "CPUUtilization"
	Unit       string        // unit of Values, e.g. "Percent", "Bytes", "Count/Second"
	Period     time.Duration // sampling period, > 0
	Start      time.Time     // first expected timestamp (inclusive)
	End        time.Time     // end of the window (exclusive)
	Timestamps []time.Time
	Values     []float64
}
