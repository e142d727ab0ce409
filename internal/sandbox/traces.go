package sandbox

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
)

//go:embed traces/*.csv
var traceFS embed.FS

// TraceNABRequestCount names the embedded real ELB RequestCount trace
// (NAB, 14 days of 5-minute points; see traces/README.md). As a
// Workload.Trace it replaces the synthetic daily/weekly cycle.
const TraceNABRequestCount = "nab-elb-request-count"

var traceFiles = map[string]string{TraceNABRequestCount: "traces/elb_request_count_8c0756.csv"}

type trace struct {
	startMin int64     // unix minute of the first point
	vals     []float64 // normalised by the 99th percentile
}

var (
	traceMu    sync.Mutex // serialises parsing
	traceCache sync.Map   // name → *trace
)

func loadTrace(name string) (*trace, error) {
	if tr, ok := traceCache.Load(name); ok {
		return tr.(*trace), nil
	}
	traceMu.Lock()
	defer traceMu.Unlock()
	if tr, ok := traceCache.Load(name); ok {
		return tr.(*trace), nil
	}
	file, ok := traceFiles[name]
	if !ok {
		return nil, fmt.Errorf("unknown workload trace %q (known: %s)", name, TraceNABRequestCount)
	}
	b, err := traceFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading trace %s: %w", name, err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) < 3 {
		if err == nil {
			err = fmt.Errorf("%d rows, want a header and at least 2 points", len(rows))
		}
		return nil, fmt.Errorf("parsing trace %s: %w", name, err)
	}
	tr := &trace{}
	for i, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			return nil, fmt.Errorf("trace %s line %d: %w", name, i+2, err)
		}
		if i == 0 {
			t, err := time.Parse("2006-01-02 15:04:05", r[0])
			if err != nil {
				return nil, fmt.Errorf("trace %s line 2: %w", name, err)
			}
			tr.startMin = t.Unix() / 60
		}
		tr.vals = append(tr.vals, v)
	}
	sorted := append([]float64(nil), tr.vals...)
	sort.Float64s(sorted)
	p99 := sorted[len(sorted)*99/100]
	for i := range tr.vals {
		tr.vals[i] /= p99
	}
	traceCache.Store(name, tr)
	return tr, nil
}

// at returns the normalised trace value at unix minute m (14-day loop,
// linear interpolation between 5-minute points).
func (tr *trace) at(m int64) float64 {
	n := int64(len(tr.vals))
	pos := (m - tr.startMin) % (n * 5)
	if pos < 0 {
		pos += n * 5
	}
	i, frac := pos/5, float64(pos%5)/5
	return tr.vals[i]*(1-frac) + tr.vals[(i+1)%n]*frac
}

// TracedWorkload drives scenario `traced`: activity follows the embedded NAB
// ELB request-count trace (values ÷ p99, so ≈ 0.1 at night, 0.3–0.5 in the
// evening peak, 1 at the 99th percentile, up to ~2.6 in its bursts).
var TracedWorkload = Workload{
	CPUBase: 6, CPUAmplitude: 30, NoiseStdDev: 1, Trace: TraceNABRequestCount,
	Connections: 20, ConnectionsAmplitude: 80, ReadIOPS: 50, ReadIOPSAmplitude: 600,
	WriteIOPS: 40, WriteIOPSAmplitude: 250, MemoryUsedGiB: 6, StorageUsedGiB: 120, StorageGrowthGiBPerDay: 0.4,
}

// Traced is the `traced` scenario: RDS PostgreSQL Multi-AZ instance "nab-prod"
// (db.r6g.large, 200 GiB gp3) on TracedWorkload, i.e. shaped by a real
// CloudWatch trace rather than the synthetic cosine.
func Traced() *Scenario {
	in := MultiAZInstance("nab-prod", "db.r6g.large", TracedWorkload)
	in.AllocatedStorage = 200
	return &Scenario{Name: "traced", Seed: 9, Instances: []InstanceSpec{in}}
}
