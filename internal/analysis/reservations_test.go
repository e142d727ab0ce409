package analysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAnalyzeReservations(t *testing.T) {
	end := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		in       ClusterInput
		rs       []Reservation
		severity string // "" for no cost risk
		want     string
	}{
		{"multi-az-covered", idleMultiAZ(14), []Reservation{{ID: "ri-maz", Class: "db.m6g.large", ProductDescription: "postgresql", MultiAZ: true, Count: 1, End: end}}, "medium",
			"Reserved DB instances of the db.m6g family for postgresql (ri-maz (1 × db.m6g.large Multi-AZ, until 2027-05-01)), 8 normalized units in all, can cover the whole of this deployment (8 units, 4 after the change): " +
				"the change leaves 4 reserved units idle, all of the 4 it frees. Reservations are billed for their whole term and RDS applies them across the region's instances of the family (and the organization's, with sharing), " +
				"so the change saves money only on hours no reservation covers until 2027-05-01; the savings shown are at on-demand prices"},
		{"multi-az-size-flexible", idleMultiAZ(14), []Reservation{
			{ID: "ri-1", Class: "db.m6g.medium", ProductDescription: "PostgreSQL", Count: 2, End: end},
			{ID: "ri-2", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1, End: end.AddDate(1, 0, 0)}}, "medium",
			"(ri-1 (2 × db.m6g.medium, until 2027-05-01), ri-2 (1 × db.m6g.large, until 2028-05-01)), 8 normalized units in all, can cover the whole of this deployment (8 units, 4 after the change): the change leaves 4 reserved units idle, all of"},
		// 6 units: the single node uses 4 of them, 2 are left idle: half of what the change frees.
		{"multi-az-partial", idleMultiAZ(14), []Reservation{{ID: "ri-l", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1},
			{ID: "ri-s", Class: "db.m6g.small", ProductDescription: "postgresql", Count: 2}}, "low",
			"6 normalized units in all, can cover part of this deployment (8 units, 4 after the change): the change leaves 2 reserved units idle, 50% of the 4 it frees."},
		// 1 unit: the single node still uses it: the savings are real.
		{"multi-az-used-by-the-single-node", idleMultiAZ(14), []Reservation{{ID: "ri-small", Class: "db.m6g.small", ProductDescription: "postgresql", Count: 1}}, "", ""},
		// A Single-AZ large reservation (4 units) for a Multi-AZ large (8): the single node uses all of it.
		{"multi-az-single-az-reservation", idleMultiAZ(14), []Reservation{{ID: "ri-saz", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1}}, "", ""},
		{"other-family", idleMultiAZ(14), []Reservation{{ID: "ri-r", Class: "db.r6g.large", ProductDescription: "postgresql", Count: 4}}, "", ""},
		{"other-engine", idleMultiAZ(14), []Reservation{{ID: "ri-a", Class: "db.m6g.large", ProductDescription: "aurora-postgresql", Count: 4}}, "", ""},
		{"unknown-size", idleMultiAZ(14), []Reservation{{ID: "ri-x", Class: "db.m6g.huge", ProductDescription: "postgresql", Count: 4}}, "", ""},
		{"aurora-covered", auroraPair(2), []Reservation{{ID: "ri-aur", Class: "db.r6g.xlarge", ProductDescription: "aurora-postgresql", Count: 1, End: end}}, "medium",
			"Reserved DB instances of the db.r6g family for aurora-postgresql (ri-aur (1 × db.r6g.xlarge, until 2027-05-01)), 8 normalized units in all, can cover the whole of this deployment (8 units, 4 after the change): the change leaves 4 reserved units idle, all of the 4 it frees."},
		{"aurora-rds-reservation", auroraPair(2), []Reservation{{ID: "ri-rds", Class: "db.r6g.xlarge", ProductDescription: "postgresql", Count: 1}}, "", ""},
		{"none", auroraPair(2), nil, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.Reservations = slices.Clone(c.rs)
			rec, err := Analyze(in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(in.Reservations, c.rs) {
				t.Errorf("input mutated: %+v", in.Reservations)
			}
			cost := where(rec.Risks, func(r Risk) bool { return r.Category == "cost" })
			switch {
			case c.severity == "" && len(cost) != 0:
				t.Errorf("cost risks %+v, want none", cost)
			case c.severity != "" && (len(cost) != 1 || cost[0].Severity != c.severity || !strings.Contains(cost[0].Description, c.want)):
				t.Errorf("cost risks %+v, want one %s containing %q", cost, c.severity, c.want)
			}
			if c.severity == "medium" && !strings.Contains(rec.ReportMarkdown, "**medium** (cost): Reserved DB instances of the") {
				t.Error("the report does not list the risk")
			}
		})
	}
	for _, c := range []struct {
		r    Reservation
		want string
	}{
		{Reservation{Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1}, `reservation of "db.m6g.large": the identifier must be set`},
		{Reservation{ID: "ri", Class: "db.m6g.large", ProductDescription: "postgresql"}, `reservation "ri": count 0: must be at least 1`},
		{Reservation{ID: "ri", Class: "db.m6g.large", Count: 1}, `reservation "ri": the class and product description must be set`},
	} {
		bad := idleMultiAZ(14)
		bad.Reservations = []Reservation{c.r}
		if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.r, err, c.want)
		}
	}
}

// Size flexibility: a reservation covers any size of its family in normalized units, a Multi-AZ
// one twice its size's.
func ExampleReservation_NormalizedUnits() {
	for _, r := range []Reservation{
		{Class: "db.r6g.large", Count: 2},
		{Class: "db.r6g.large", Count: 2, MultiAZ: true},
		{Class: "db.t4g.micro", Count: 1},
		{Class: "db.r6g.huge", Count: 1},
	} {
		fmt.Println(r.Class, r.MultiAZ, r.NormalizedUnits())
	}
	// Output:
	// db.r6g.large false 8
	// db.r6g.large true 16
	// db.t4g.micro false 0.5
	// db.r6g.huge false 0
}
