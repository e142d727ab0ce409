//go:build !unix

package analysis

// processCPU is unavailable here; the benchmarks then report no CPU time.
func processCPU() int64 { return -1 }
