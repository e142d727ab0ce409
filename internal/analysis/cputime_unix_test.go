//go:build unix

package analysis

import "syscall"

// processCPU returns the user+system CPU time of the process in nanoseconds.
// The fleet benchmarks report it per op ("cpu-ns/op") because wall time on a
// shared machine mostly measures the neighbours.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
