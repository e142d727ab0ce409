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
			"Reserved DB instances of the db.m6g family for postgresql (ri-maz (1 × db.m6g.large Multi-AZ, until 2027-05-01)), 8 normalized units in all, cover 8 of the 8 units this deployment uses of the family and would cover 4 after the change (the single node on db.m6g.large uses 4): " +
				"the change leaves 4 reserved units idle, all of the 4 it stops using. Reservations are billed for their whole term whether used or not, and RDS applies them across the region's instances of their family (and the organization's, with sharing), " +
				"so idle units save nothing unless other instances use them until 2027-05-01; the savings shown are at on-demand prices, which count the idle units as saved: at those prices they are worth about $116.07 a month, so the change saves nothing, not the $116.07 shown"},
		{"multi-az-size-flexible", idleMultiAZ(14), []Reservation{
			{ID: "ri-1", Class: "db.m6g.medium", ProductDescription: "PostgreSQL", Count: 2, End: end},
			{ID: "ri-2", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1, End: end.AddDate(1, 0, 0)}}, "medium",
			"(ri-1 (2 × db.m6g.medium, until 2027-05-01), ri-2 (1 × db.m6g.large, until 2028-05-01)), 8 normalized units in all, cover 8 of the 8 units this deployment uses of the family and would cover 4 after the change (the single node on db.m6g.large uses 4): the change leaves 4 reserved units idle, all of"},
		// 6 units: the single node uses 4 of them, 2 are left idle: half of what the change frees.
		{"multi-az-partial", idleMultiAZ(14), []Reservation{{ID: "ri-l", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1},
			{ID: "ri-s", Class: "db.m6g.small", ProductDescription: "postgresql", Count: 2}}, "low",
			"6 normalized units in all, cover 6 of the 8 units this deployment uses of the family and would cover 4 after the change (the single node on db.m6g.large uses 4): the change leaves 2 reserved units idle, 50% of the 4 it stops using."},
		// 1 unit: the single node still uses it: the savings are real.
		{"multi-az-used-by-the-single-node", idleMultiAZ(14), []Reservation{{ID: "ri-small", Class: "db.m6g.small", ProductDescription: "postgresql", Count: 1}}, "", ""},
		// A Single-AZ large reservation (4 units) for a Multi-AZ large (8): the single node uses all of it.
		{"multi-az-single-az-reservation", idleMultiAZ(14), []Reservation{{ID: "ri-saz", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1}}, "", ""},
		{"other-family", idleMultiAZ(14), []Reservation{{ID: "ri-r", Class: "db.r6g.large", ProductDescription: "postgresql", Count: 4}}, "", ""},
		{"other-engine", idleMultiAZ(14), []Reservation{{ID: "ri-a", Class: "db.m6g.large", ProductDescription: "aurora-postgresql", Count: 4}}, "", ""},
		{"unknown-size", idleMultiAZ(14), []Reservation{{ID: "ri-x", Class: "db.m6g.huge", ProductDescription: "postgresql", Count: 4}}, "", ""},
		// The writer's db.r6g.large stays (no candidate fits): the reader's 4 units go idle.
		{"aurora-covered", auroraOnWritersClass(), []Reservation{{ID: "ri-aur", Class: "db.r6g.xlarge", ProductDescription: "aurora-postgresql", Count: 1, End: end}}, "medium",
			"Reserved DB instances of the db.r6g family for aurora-postgresql (ri-aur (1 × db.r6g.xlarge, until 2027-05-01)), 8 normalized units in all, cover 8 of the 8 units this deployment uses of the family and would cover 4 after the change (the single node on db.r6g.large uses 4): the change leaves 4 reserved units idle, all of the 4 it stops using."},
		// The reviewer's cases: the recommended class, not the writer's, is what the reservations
		// cover after the change.
		// A: db.r6g.xlarge Multi-AZ (16 units) → db.r6g.large (4); a Single-AZ xlarge reservation
		// (8) covers 8 today and 4 after: 4 idle, worth $164.25 of the $492.75 shown.
		{"smaller-class-single-az-reservation", r6gXLargeMultiAZ(), []Reservation{{ID: "ri-x", Class: "db.r6g.xlarge", ProductDescription: "postgresql", Count: 1}}, "low",
			"Reserved DB instances of the db.r6g family for postgresql (ri-x (1 × db.r6g.xlarge)), 8 normalized units in all, cover 8 of the 16 units this deployment uses of the family and would cover 4 after the change (the single node on db.r6g.large uses 4): " +
				"the change leaves 4 reserved units idle, 33% of the 12 it stops using. Reservations are billed for their whole term whether used or not, and RDS applies them across the region's instances of their family (and the organization's, with sharing), " +
				"so idle units save nothing unless other instances use them; the savings shown are at on-demand prices, which count the idle units as saved: at those prices they are worth about $164.25 a month, so the change saves about $328.50 a month, not the $492.75 shown"},
		// B: a Multi-AZ xlarge reservation (16) covers all 16 today and 4 after: 12 idle, the whole
		// of the instance savings.
		{"smaller-class-multi-az-reservation", r6gXLargeMultiAZ(), []Reservation{{ID: "ri-xm", Class: "db.r6g.xlarge", ProductDescription: "postgresql", MultiAZ: true, Count: 1}}, "medium",
			"16 normalized units in all, cover 16 of the 16 units this deployment uses of the family and would cover 4 after the change (the single node on db.r6g.large uses 4): the change leaves 12 reserved units idle, all of the 12 it stops using. " +
				"Reservations are billed for their whole term whether used or not, and RDS applies them across the region's instances of their family (and the organization's, with sharing), so idle units save nothing unless other instances use them; " +
				"the savings shown are at on-demand prices, which count the idle units as saved: at those prices they are worth about $492.75 a month, so the change saves nothing, not the $492.75 shown"},
		// C: db.m6g.large Multi-AZ → db.r6g.large (the only candidate): the m6g reservation covers
		// nothing after the change and the bill rises.
		{"other-family-class", m6gToR6g(), []Reservation{{ID: "ri-m", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1}}, "medium",
			"Reserved DB instances of the db.m6g family for postgresql (ri-m (1 × db.m6g.large)), 4 normalized units in all, cover 4 of the 8 units this deployment uses of the family and would cover none after the change (the single node's db.r6g.large is of another family): " +
				"the change leaves 4 reserved units idle, 50% of the 8 it stops using. Reservations are billed for their whole term whether used or not, and RDS applies them across the region's instances of their family (and the organization's, with sharing), " +
				"so idle units save nothing unless other instances use them; the savings shown are at on-demand prices, which count the idle units as saved: at those prices they are worth about $116.07 a month, so the change costs about $48.18 a month more instead of saving the $67.89 shown"},
		// A reservation of the recommended class's family, unused today, covers the single node:
		// no units go idle (the savings shown understate the change's).
		{"target-family-reservation", m6gToR6g(), []Reservation{{ID: "ri-r", Class: "db.r6g.large", ProductDescription: "postgresql", Count: 1}}, "", ""},
		// 20 units for the 16 of db.r6g.xlarge Multi-AZ: 4 are idle today, 12 more after.
		{"already-idle-units", r6gXLargeMultiAZ(), []Reservation{{ID: "ri-xm", Class: "db.r6g.xlarge", ProductDescription: "postgresql", MultiAZ: true, Count: 1},
			{ID: "ri-l", Class: "db.r6g.large", ProductDescription: "postgresql", Count: 1}}, "medium",
			"20 normalized units in all, cover 16 of the 16 units this deployment uses of the family and would cover 4 after the change (the single node on db.r6g.large uses 4): the change leaves 12 more reserved units idle, all of the 12 it stops using."},
		// A and C with RDS Extended Support at $0.10 per vCPU-hour in every price: reservations do
		// not cover it, so the idle units are worth what they were without it (in C the current
		// price, less both billed nodes' Extended Support, prices the m6g family); the Extended
		// Support the change saves is real.
		{"extended-support", withExtendedSupport(r6gXLargeMultiAZ(), 0.1), []Reservation{{ID: "ri-x", Class: "db.r6g.xlarge", ProductDescription: "postgresql", Count: 1}}, "low",
			"at those prices they are worth about $164.25 a month, so the change saves about $766.50 a month, not the $930.75 shown"},
		{"extended-support-current-price", withExtendedSupport(m6gToR6g(), 0.1), []Reservation{{ID: "ri-m", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1}}, "low",
			"at those prices they are worth about $116.07 a month, so the change saves about $97.82 a month, not the $213.89 shown"},
		// Unpriced, the writer's class stays (unpriced fitting options prefer it): half of a Multi-AZ
		// xlarge reservation goes idle, all the units the change stops using.
		{"unpriced", func() ClusterInput {
			in := r6gXLargeMultiAZ()
			in.CurrentHourlyUSD, in.Candidates = 0, []Candidate{{Class: classR6gLarge}, {Class: classR6gXLarge}}
			return in
		}(), []Reservation{{ID: "ri-xm", Class: "db.r6g.xlarge", ProductDescription: "postgresql", MultiAZ: true, Count: 1}}, "medium",
			"would cover 8 after the change (the single node on db.r6g.xlarge uses 8): the change leaves 8 reserved units idle, all of the 8 it stops using. Reservations are billed for their whole term whether used or not, " +
				"and RDS applies them across the region's instances of their family (and the organization's, with sharing), so idle units save nothing unless other instances use them; the savings shown are at on-demand prices, which count the idle units as saved"},
		// Both: the m6g units go idle, the r6g ones newly cover the single node.
		{"both-families", m6gToR6g(), []Reservation{{ID: "ri-m", Class: "db.m6g.large", ProductDescription: "postgresql", Count: 1},
			{ID: "ri-r", Class: "db.r6g.large", ProductDescription: "postgresql", Count: 1}}, "low",
			"the change leaves 4 reserved units idle, 50% of the 8 it stops using. Reservations are billed for their whole term whether used or not, and RDS applies them across the region's instances of their family (and the organization's, with sharing), " +
				"so idle units save nothing unless other instances use them; the savings shown are at on-demand prices, which count the idle units as saved: at those prices they are worth about $116.07 a month, " +
				"and the 4 reserved units of the db.r6g family that this deployment does not use today and the single node would, about $164.25 a month, so the change saves about $116.07 a month, not the $67.89 shown"},
		// D: an Aurora db.r6g.large pair → db.r6g.xlarge: two large reservations (8 units) cover
		// the 8 units of the pair today and the 8 of the single node after: none idle.
		{"aurora-larger-class", auroraPair(2), []Reservation{{ID: "ri-aur", Class: "db.r6g.large", ProductDescription: "aurora-postgresql", Count: 2}}, "", ""},
		{"aurora-rds-reservation", auroraPair(2), []Reservation{{ID: "ri-rds", Class: "db.r6g.xlarge", ProductDescription: "postgresql", Count: 1}}, "", ""},
		{"none", auroraPair(2), nil, "", ""},
		// The recommended class's size is not in AWS's table: it is counted as using none, and the
		// risk says so (the writer's units still go idle).
		{"target-size-unknown", func() ClusterInput {
			in := r6gXLargeMultiAZ()
			in.Candidates = []Candidate{{Class: InstanceClass{Name: "db.r6g.metal", VCPU: 64, MemoryGiB: 512, BaselineIOPS: 80000}, SingleNodeHourlyUSD: 0.2}}
			return in
		}(), []Reservation{{ID: "ri-xm", Class: "db.r6g.xlarge", ProductDescription: "postgresql", MultiAZ: true, Count: 1}}, "medium",
			"would cover none after the change (the size of the single node's db.r6g.metal is not in AWS's table of normalized units: counted as none, so at most this many go idle): the change leaves 16 reserved units idle"},
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
	// AWS's table has the 48xlarge sizes (db.r7i, db.m7i).
	if f, u, ok := classUnits("db.r7i.48xlarge"); f != "db.r7i" || u != 384 || !ok {
		t.Errorf("db.r7i.48xlarge: %s %v %v", f, u, ok)
	}
	bad := idleMultiAZ(14)
	bad.ExtendedSupportUSDPerVCPUHour = -0.1
	if _, err := Analyze(bad, Policy{}); err == nil || !strings.Contains(err.Error(), `cluster "sso-prod": Extended Support price -0.1 USD per vCPU-hour must be finite and non-negative (0 when none)`) {
		t.Errorf("negative Extended Support price: got %v", err)
	}
}

// r6gXLargeMultiAZ is idleMultiAZ(14) on db.r6g.xlarge ($0.90 an hour Multi-AZ), whose load fits
// db.r6g.large ($0.225 an hour), the class recommended.
func r6gXLargeMultiAZ() ClusterInput {
	in := idleMultiAZ(14)
	in.Nodes = slices.Clone(in.Nodes)
	in.Nodes[0].Class, in.Nodes[1].Class = classR6gXLarge, classR6gXLarge
	in.Nodes[0].Series = seriesOf(idleWriter(48), 14, 5*time.Minute)
	in.CurrentHourlyUSD = 0.9
	in.Candidates = []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.225}, {Class: classR6gXLarge, SingleNodeHourlyUSD: 0.45}}
	return in
}

// withExtendedSupport adds RDS Extended Support at usd per vCPU-hour to in's prices, as the
// recommendation prices it (every billed node's vCPUs).
func withExtendedSupport(in ClusterInput, usd float64) ClusterInput {
	in.ExtendedSupportUSDPerVCPUHour = usd
	w, _ := in.split()
	in.CurrentHourlyUSD += float64(len(in.Nodes)) * w.Class.VCPU * usd
	in.Candidates = slices.Clone(in.Candidates)
	for i := range in.Candidates {
		in.Candidates[i].SingleNodeHourlyUSD += in.Candidates[i].Class.VCPU * usd
	}
	return in
}

// m6gToR6g is idleMultiAZ(14) (db.m6g.large Multi-AZ, $0.318 an hour) with db.r6g.large ($0.225)
// as the only candidate, as target_instance_classes can make it.
func m6gToR6g() ClusterInput {
	in := idleMultiAZ(14)
	in.Candidates = []Candidate{{Class: classR6gLarge, SingleNodeHourlyUSD: 0.225}}
	return in
}

// auroraOnWritersClass is auroraPair(2) with db.r6g.large as the only candidate: it does not fit,
// so the single node stays on the writer's db.r6g.large.
func auroraOnWritersClass() ClusterInput {
	in := auroraPair(2)
	in.Candidates = in.Candidates[:1]
	return in
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
