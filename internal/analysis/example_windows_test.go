package analysis_test

import (
	"fmt"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

func ExampleAdviseWindows() {
	// Quiet nights (10% CPU), busy days (50%), and 02:00 UTC quieter still (7%).
	p := analysis.Profile{Metric: "CPUUtilization", Unit: "Percent",
		Mean: make([]float64, analysis.HoursPerWeek), Count: make([]int, analysis.HoursPerWeek)}
	for h := range p.Mean {
		switch hour := h % 24; {
		case hour == 2:
			p.Mean[h] = 7
		case hour >= 8 && hour < 20:
			p.Mean[h] = 50
		default:
			p.Mean[h] = 10
		}
		p.Count[h] = 60
	}
	a, err := analysis.AdviseWindows(p, analysis.TopologyMultiAZ, "09:30-10:00", "sun:12:00-sun:12:30")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("backup %s at %.0f%%: suggested %s at %.0f%%\n", a.Backup.Window, a.Backup.PeakLoad, a.SuggestedBackupWindow, a.SuggestedBackupLoad)
	fmt.Printf("maintenance %s at %.0f%%: suggested %s at %.0f%%\n", a.Maintenance.Window, a.Maintenance.PeakLoad, a.SuggestedMaintenanceWindow, a.SuggestedMaintenanceLoad)
	// Output:
	// backup 09:30-10:00 at 50%: suggested 02:00-02:30 at 7%
	// maintenance sun:12:00-sun:12:30 at 50%: suggested sun:02:30-sun:03:00 at 7%
}
