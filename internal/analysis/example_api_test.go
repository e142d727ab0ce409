package analysis_test

import (
	"fmt"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

func ExampleParseBackupWindow() {
	w, err := analysis.ParseBackupWindow("23:45-00:15") // wraps past midnight
	fmt.Println(w.Start, w.Minutes, w, err)
	_, err = analysis.ParseBackupWindow("24:00-00:30")
	fmt.Println(err != nil)
	// Output:
	// 1425 30 23:45-00:15 <nil>
	// true
}

func ExampleParseMaintenanceWindow() {
	w, err := analysis.ParseMaintenanceWindow("SAT:23:30-sun:00:30") // any case; wraps past Saturday midnight
	fmt.Println(w.Start, w.Minutes, err)
	_, err = analysis.ParseMaintenanceWindow("sun:05:00-sun:05:00")
	fmt.Println(err != nil)
	// Output:
	// 10050 60 <nil>
	// true
}

func ExampleScheduledWindow_String() {
	b, _ := analysis.ParseBackupWindow("03:00-03:30")
	m, _ := analysis.ParseMaintenanceWindow("Sun:05:00-Sun:05:30")
	fmt.Println(b, m)
	// Output: 03:00-03:30 sun:05:00-sun:05:30
}

func ExampleMigrationWindowAvoiding() {
	// Flat 20% except Sunday 00:00–04:00 UTC at 5%; the backup window sits in that quiet spell.
	p := analysis.Profile{Metric: "CPUUtilization", Unit: "Percent",
		Mean: make([]float64, analysis.HoursPerWeek), Count: make([]int, analysis.HoursPerWeek)}
	for h := range p.Mean {
		p.Mean[h], p.Count[h] = 20, 60
		if h < 4 {
			p.Mean[h] = 5
		}
	}
	backup, _ := analysis.ParseBackupWindow("00:30-01:00")
	w, err := analysis.MigrationWindowAvoiding(p, 2, backup)
	fmt.Println(w.Weekday, w.StartHourUTC, w.ExpectedLoad, err)
	// Output: Sunday 1 5 <nil>
}

func ExampleNeedsReboot() {
	params := analysis.Tune(analysis.InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16},
		analysis.TuneInput{PeakConnections: 100, HeadroomPercent: 20, KeptMaxConnections: 100})
	for _, name := range []string{"shared_buffers", "max_connections", "work_mem", "random_page_cost"} {
		method := "immediate"
		if analysis.NeedsReboot(name) {
			method = "pending-reboot"
		}
		fmt.Println(name, params[name], method)
	}
	// Output:
	// shared_buffers {DBInstanceClassMemory/32768} pending-reboot
	// max_connections 153 pending-reboot
	// work_mem 26051 immediate
	// random_page_cost 1.1 immediate
}

func ExampleAnySavingsTarget() {
	c := analysis.Cost(0.318, 0.159, "db.m6g.large", analysis.AnySavingsTarget())
	fmt.Printf("%.2f/month %s %t\n", c.MonthlySavingsUSD, c.TargetStatus, c.TargetMet)
	// Output: 116.07/month above true
}

func ExampleAuroraRoleMetric() {
	for _, m := range []string{analysis.MetricCPU, analysis.MetricAuroraReplicaLag, "DiskQueueDepth"} {
		fmt.Println(m, analysis.AuroraRoleMetric(m))
	}
	// Output:
	// CPUUtilization true
	// AuroraReplicaLag true
	// DiskQueueDepth false
}

func ExampleInstanceClass_LocalStorageBytes() {
	c := analysis.InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16, LocalStorageGiB: 32}
	fmt.Println(c.LocalStorageBytes())
	// Output: 3.4359738368e+10
}

func ExamplePendingMaintenance_Describe() {
	m := analysis.PendingMaintenance{Resource: "mandible-prod", Action: "system-update",
		Description:      "New Operating System update is available",
		AutoAppliedAfter: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)}
	fmt.Println(m.Describe())
	// Output: system-update on mandible-prod (New Operating System update is available), applied in the first maintenance window after 2026-12-14 00:00 UTC
}

func ExampleReservation_Describe() {
	r := analysis.Reservation{ID: "ri-2025-mandible", Class: "db.t4g.large", ProductDescription: "postgresql",
		MultiAZ: true, Count: 1, End: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}
	fmt.Println(r.Describe())
	// Output: ri-2025-mandible (1 × db.t4g.large Multi-AZ, until 2027-03-01)
}

func ExampleSeries_Expected() {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s := analysis.Series{Metric: analysis.MetricCPU, Period: time.Minute, Start: start, End: start.Add(90*time.Second + time.Hour)}
	fmt.Println(s.Expected())
	fmt.Println(analysis.Series{Period: time.Minute, Start: start, End: start}.Expected())
	// Output:
	// 62
	// 0
}

func ExampleFormulaPages() {
	// shared_buffers on RDS for an instance whose DBInstanceClassMemory is 16 GiB: a quarter, in 8kB pages.
	p := analysis.Tune(analysis.InstanceClass{Name: "db.r6g.large", VCPU: 2, MemoryGiB: 16}, analysis.TuneInput{})
	pages, ok := analysis.FormulaPages(p["shared_buffers"], 16<<30)
	fmt.Println(p["shared_buffers"], pages, ok, pages*8/1024/1024, "GiB")
	// Output: {DBInstanceClassMemory/32768} 524288 true 4 GiB
}
