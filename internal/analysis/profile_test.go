package analysis

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestProfilesRealTraces compares the folded profiles of real traces with a
// direct per-point computation.
func TestProfilesRealTraces(t *testing.T) {
	for _, name := range []string{"grok_asg_anomaly", "ec2_cpu_utilization_24ae8d", "elb_request_count_8c0756"} {
		t.Run(name, func(t *testing.T) {
			s := loadTrace(t, name, MetricCPU, "Percent")
			orig := cloneSeries(s)
			week, err := HourOfWeekProfile(s)
			if err != nil {
				t.Fatal(err)
			}
			day, err := HourOfDayProfile(s)
			if err != nil {
				t.Fatal(err)
			}
			if !sameSeries(orig, s) {
				t.Fatal("profile modified its input")
			}
			var ws, ds [168]float64
			var wc, dc [168]int
			for i, ts := range s.Timestamps {
				b := int(ts.Weekday())*24 + ts.Hour()
				ws[b] += s.Values[i]
				wc[b]++
				ds[ts.Hour()] += s.Values[i]
				dc[ts.Hour()]++
			}
			for b := 0; b < 168; b++ {
				want := ws[b] / float64(wc[b])
				if wc[b] != week.Count[b] || math.Abs(week.Mean[b]-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Fatalf("hour-of-week %d: %v (%d points), want %v (%d)", b, week.Mean[b], week.Count[b], want, wc[b])
				}
			}
			for h := 0; h < 24; h++ {
				want := ds[h] / float64(dc[h])
				if dc[h] != day.Count[h] || math.Abs(day.Mean[h]-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Fatalf("hour-of-day %d: %v, want %v", h, day.Mean[h], want)
				}
			}
		})
	}
}

// TestClassifyRealTraces classifies real traces. The expectations were
// checked by eye against the traces: 53ea38 hovers at 1.8% ± 0.1; 24ae8d
// rises and falls every day; fe7f93, 77c1ca and the network-in trace are
// mostly flat with bursts that do not recur at the same hour. grok's ASG
// CPU holds 33-36% for 13 days and then drops to about 1% (NAB's anomaly,
// a level shift): no cycle and no peaks, steady; the raw lag-24h
// autocorrelation (0.70, the shift correlating with itself a day later)
// called it daily-cycle before the hourly means were detrended.
func TestClassifyRealTraces(t *testing.T) {
	tests := []struct {
		name string
		want Pattern
	}{
		{"ec2_cpu_utilization_53ea38", PatternSteady},
		{"grok_asg_anomaly", PatternSteady},
		{"ec2_cpu_utilization_24ae8d", PatternDailyCycle},
		{"ec2_cpu_utilization_fe7f93", PatternSpiky},
		{"ec2_cpu_utilization_77c1ca", PatternSpiky},
		{"ec2_network_in_257a54", PatternSpiky},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := loadTrace(t, tc.name, MetricCPU, "Percent")
			got, err := ClassifyPattern(s, PatternThresholds{})
			if err != nil {
				t.Fatal(err)
			}
			if got.Pattern != tc.want {
				t.Errorf("pattern %s, want %s; evidence %q", got.Pattern, tc.want, got.Evidence)
			}
			if len(got.Evidence) < 2 {
				t.Errorf("evidence too short: %q", got.Evidence)
			}
		})
	}
}

func TestClassifySynthetic(t *testing.T) {
	week := 7 * 24 * time.Hour
	tests := []struct {
		name string
		s    Series
		want Pattern
	}{
		{"weekly cycle", synth(MetricCPU, "Percent", t0, 4*week, 5*time.Minute, func(t time.Time, i int) float64 {
			// busy weekdays 08-18 with a weekday-specific level, quiet weekends
			return 5 + 30*weekdayBump(t, 8, 18)*(1+0.3*float64(t.Weekday()%3)) + noise(i, 1)
		}), PatternWeeklyCycle},
		{"daily cycle", synth(MetricCPU, "Percent", t0, 2*week, 5*time.Minute, func(t time.Time, i int) float64 {
			return 20 + 15*daily(t) + 2*noise(i, 2)
		}), PatternDailyCycle},
		{"steady", synth(MetricCPU, "Percent", t0, 2*week, 5*time.Minute, func(t time.Time, i int) float64 { return 30 + 2*noise(i, 3) }), PatternSteady},
		{"constant zero", synth(MetricCPU, "Percent", t0, 2*week, 5*time.Minute, func(t time.Time, i int) float64 { return 0 }), PatternSteady},
		{"spiky", synth(MetricCPU, "Percent", t0, 2*week, 5*time.Minute, func(t time.Time, i int) float64 {
			if noise(i, 4) > 0.97 {
				return 90
			}
			return 3
		}), PatternSpiky},
		{"one day", synth(MetricCPU, "Percent", t0, 24*time.Hour, 5*time.Minute, func(t time.Time, i int) float64 { return 10 + daily(t) }), PatternInsufficient},
		{"mostly gaps", func() Series {
			s := synth(MetricCPU, "Percent", t0, 2*week, 5*time.Minute, func(t time.Time, i int) float64 { return 10 + daily(t) })
			s.Timestamps, s.Values = s.Timestamps[:len(s.Values)/3], s.Values[:len(s.Values)/3]
			return s
		}(), PatternInsufficient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := classifyDefault(t, tc.s)
			if got.Pattern != tc.want {
				t.Errorf("pattern %s, want %s (daily %.2f weekly %.2f cv %.2f)", got.Pattern, tc.want, got.Daily, got.Weekly, got.CV)
			}
		})
	}
}

func TestSeasonality(t *testing.T) {
	s := synth(MetricCPU, "Percent", t0, 14*24*time.Hour, time.Hour, func(t time.Time, i int) float64 { return daily(t) })
	got, err := SeasonalityOf(s)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Daily-1) > 1e-9 || got.DailyPairs != 14*24-24 || got.WeeklyPairs != 168 {
		t.Errorf("pure daily sine: %+v", got)
	}
	short := synth(MetricCPU, "Percent", t0, 36*time.Hour, time.Hour, func(t time.Time, i int) float64 { return daily(t) })
	got, _ = SeasonalityOf(short)
	if !math.IsNaN(got.Daily) || !math.IsNaN(got.Weekly) {
		t.Errorf("36 hours should not measure 24h or 168h lags: %+v", got)
	}
	flat := synth(MetricCPU, "Percent", t0, 14*24*time.Hour, time.Hour, func(time.Time, int) float64 { return 5 })
	got, _ = SeasonalityOf(flat)
	if got.Daily != 0 || got.Weekly != 0 {
		t.Errorf("constant: %+v", got)
	}
	if _, err := SeasonalityOf(Series{Period: time.Hour, Start: t0, End: t0.Add(time.Hour), Values: []float64{1}}); !errors.Is(err, ErrBadSeries) {
		t.Errorf("bad series: %v", err)
	}
}

func TestProfileDegenerate(t *testing.T) {
	empty := Series{Metric: "m", Period: time.Minute, Start: t0, End: t0.Add(time.Hour)}
	p, err := HourOfWeekProfile(empty)
	if err != nil {
		t.Fatal(err)
	}
	for b, v := range p.Mean {
		if !math.IsNaN(v) || p.Count[b] != 0 {
			t.Fatalf("empty bucket %d = %v", b, v)
		}
	}
	nan := synth("m", "", t0, 2*time.Hour, time.Minute, func(time.Time, int) float64 { return math.NaN() })
	p, _ = HourOfDayProfile(nan)
	if !math.IsNaN(p.Mean[0]) {
		t.Errorf("all-NaN hour 0 = %v", p.Mean[0])
	}
	unsorted := Series{Period: time.Minute, Start: t0, End: t0.Add(time.Hour), Timestamps: []time.Time{t0.Add(time.Minute), t0}, Values: []float64{1, 2}}
	if _, err := HourOfDayProfile(unsorted); !errors.Is(err, ErrUnsorted) {
		t.Errorf("unsorted: %v", err)
	}
	if _, err := ClassifyPattern(unsorted, PatternThresholds{}); !errors.Is(err, ErrUnsorted) {
		t.Errorf("unsorted classify: %v", err)
	}
}

func ExampleHourOfWeekProfile() {
	// Eight days of hourly points from Monday 2026-11-02 00:00 UTC; the value
	// is the hour of day. Monday 09:00 is bucket 1*24+9 and occurs twice.
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s := Series{Metric: "CPUUtilization", Unit: "Percent", Period: time.Hour, Start: start, End: start.Add(8 * 24 * time.Hour)}
	for i := 0; i < 8*24; i++ {
		t := start.Add(time.Duration(i) * time.Hour)
		s.Timestamps = append(s.Timestamps, t)
		s.Values = append(s.Values, float64(t.Hour()))
	}
	p, _ := HourOfWeekProfile(s)
	fmt.Println(p.Mean[1*24+9], p.Count[1*24+9], p.Mean[0*24+3])
	// Output: 9 2 3
}

func ExampleHourOfDayProfile() {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s := Series{Metric: "CPUUtilization", Period: 30 * time.Minute, Start: start, End: start.Add(48 * time.Hour)}
	for i := 0; i < 96; i++ {
		s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*30*time.Minute))
		s.Values = append(s.Values, float64(i%2)) // 0 on the hour, 1 at half past
	}
	p, _ := HourOfDayProfile(s)
	fmt.Println(len(p.Mean), p.Mean[14], p.Count[14])
	// Output: 24 0.5 4
}

func ExampleSeasonalityOf() {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s := Series{Metric: "CPUUtilization", Period: time.Hour, Start: start, End: start.Add(14 * 24 * time.Hour)}
	for i := 0; i < 14*24; i++ {
		s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*time.Hour))
		s.Values = append(s.Values, 10+5*math.Sin(2*math.Pi*float64(i%24)/24))
	}
	se, _ := SeasonalityOf(s)
	fmt.Printf("daily %.2f (%d pairs), weekly %.2f (%d pairs)\n", se.Daily, se.DailyPairs, se.Weekly, se.WeeklyPairs)
	// Output: daily 1.00 (312 pairs), weekly 1.00 (168 pairs)
}

func ExampleClassifyPattern() {
	// Two weeks of 5-minute CPU rising and falling once a day.
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s := Series{Metric: "CPUUtilization", Unit: "Percent", Period: 5 * time.Minute, Start: start, End: start.Add(14 * 24 * time.Hour)}
	for i := 0; i < 14*288; i++ {
		s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*5*time.Minute))
		s.Values = append(s.Values, 20+15*math.Sin(2*math.Pi*float64(i%288)/288))
	}
	r, _ := ClassifyPattern(s, DefaultPatternThresholds())
	fmt.Println(r.Pattern)
	fmt.Println(r.Evidence[len(r.Evidence)-1])
	// Output:
	// daily-cycle
	// autocorrelation of the hourly means less their 24h moving average at 24h 1.00 >= 0.50: daily-cycle
}

// classifyDefault classifies s with the default thresholds, failing the test on an error.
func classifyDefault(t *testing.T, s Series) PatternResult {
	t.Helper()
	got, err := ClassifyPattern(s, PatternThresholds{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestPatternEvidenceNoNegativeZero: an autocorrelation a hair below zero, as a workload of noise
// without a cycle gives about once in ten, reads "0.00" in the pattern's evidence (which the
// report's Workload pattern section lists), not "-0.00".
func TestPatternEvidenceNoNegativeZero(t *testing.T) {
	start := time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)
	tiny := 0 // series with an autocorrelation in (-0.005, 0): the case this is about
	for seed := uint64(1); seed <= 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		s := Series{Metric: MetricCPU, Unit: "Percent", Period: time.Hour, Start: start, End: start.Add(14 * 24 * time.Hour)}
		for i := range 14 * 24 {
			s.Timestamps = append(s.Timestamps, start.Add(time.Duration(i)*time.Hour))
			s.Values = append(s.Values, 20+40*r.Float64())
		}
		res, err := ClassifyPattern(s, PatternThresholds{})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []float64{res.Daily, res.Weekly, res.DailyWeeklyDetrended} {
			if v < 0 && v > -0.005 {
				tiny++
			}
		}
		for _, e := range res.Evidence {
			if strings.Contains(e, "-0.00") {
				t.Errorf("seed %d: %q", seed, e)
			}
		}
	}
	if tiny == 0 {
		t.Fatal("no series had an autocorrelation just below zero: the test no longer covers its case")
	}
}
