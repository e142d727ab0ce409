package rightsizing

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestPinnedWindowPeriodWarning: end_time pins a window, but with the period chosen from its
// age, CloudWatch's expiry of the 1-minute datapoints (15 days) later has the same window read
// at 5 minutes, and its figures and rollback alarms change: a warning gives the date and the
// period_seconds that keeps it reproducible. With period_seconds set, or without end_time, there
// is no such warning.
func TestPinnedWindowPeriodWarning(t *testing.T) {
	d, _ := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	all, err := inventory.ListFleet(ctx, d.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	end := testNow.Add(-24 * time.Hour)
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"pinned, period chosen", Request{Lookback: 7 * 24 * time.Hour, End: end, SkipReport: true},
			"from 2026-11-09 12:00 UTC the same window is read in 300-second periods and its figures and rollback alarms change. Set period_seconds = 300 to keep them reproducible until 2026-12-27 12:00 UTC"},
		// CloudWatch judges the start rounded down to the period: 11:56 is 11:55 at 5 minutes.
		{"pinned off the period grid", Request{Lookback: 7 * 24 * time.Hour, End: end.Add(-4 * time.Minute), SkipReport: true},
			"from 2026-11-09 11:56 UTC the same window is read in 300-second periods and its figures and rollback alarms change. Set period_seconds = 300 to keep them reproducible until 2026-12-27 11:55 UTC"},
		{"pinned, period set", Request{Lookback: 7 * 24 * time.Hour, End: end, Period: time.Minute, SkipReport: true}, ""},
		{"not pinned", Request{Lookback: 7 * 24 * time.Hour, SkipReport: true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := RecommendFleet(ctx, d, all, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				i := slices.IndexFunc(r.WarningTexts(), func(w string) bool { return strings.Contains(w, "end_time pins this window") })
				switch {
				case tc.want == "" && i >= 0:
					t.Errorf("%s: unexpected warning %q", r.Name, r.WarningTexts()[i])
				case tc.want != "" && (i < 0 || !strings.Contains(r.WarningTexts()[i], tc.want)):
					t.Errorf("%s: warnings %q, want one saying %q", r.Name, r.WarningTexts(), tc.want)
				}
			}
		})
	}
}
