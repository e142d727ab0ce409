package analysis

import (
	"slices"
	"strings"
	"testing"
)

// TestReplicaRisk: an RDS instance with read replicas gets a risk when the recommendation raises a
// parameter hot standbys must match (max_connections; max_worker_processes on a class with more
// vCPUs), and none without replicas or without such a raise.
func TestReplicaRisk(t *testing.T) {
	find := func(rec Recommendation) (Risk, bool) {
		for _, r := range rec.Risks {
			if strings.Contains(r.Description, "has read replicas") {
				return r, true
			}
		}
		return Risk{}, false
	}
	base := withFlatConnections(idleMultiAZ(14), 100)
	for _, tc := range []struct {
		name     string
		replicas []string
		maxConns int
		want     string // "" for no risk
	}{
		{"raised, two replicas", []string{"sso-prod-r1", "sso-prod-r2"}, 120,
			"sso-prod has read replicas (sso-prod-r1, sso-prod-r2): PostgreSQL requires a hot standby's max_connections and max_worker_processes to be at least its primary's, and on the single node max_connections goes from 120 to 153."},
		{"kept, replicas", []string{"sso-prod-r1"}, 400, ""},
		{"raised, no replicas", nil, 120, ""},
		// 2000 is above RDS's default on 8 GiB (901): recommended as it is, for a new group, not raised.
		{"kept above the default, replicas", []string{"sso-prod-r1"}, 2000, ""},
	} {
		in := base
		in.ReadReplicas = tc.replicas
		in.Postgres = &PostgresFacts{MaxConnections: tc.maxConns, PeakConnections: 90}
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		r, ok := find(rec)
		switch {
		case tc.want == "" && ok:
			t.Errorf("%s: risk %+v, want none", tc.name, r)
		case tc.want != "" && (!ok || !strings.HasPrefix(r.Description, tc.want) || r.Severity != "medium" || r.Category != "operations"):
			t.Errorf("%s: risk %+v (found %t), want a medium operations risk starting %q", tc.name, r, ok, tc.want)
		}
		if ok && !slices.IsSortedFunc(rec.Risks, bySeverity) {
			t.Errorf("%s: risks out of severity order", tc.name)
		}
	}

	db1 := ClusterInput{Name: "db1", ReadReplicas: []string{"db1-r"}}
	// A class with more vCPUs has a larger default max_worker_processes: a raise too.
	params := Tune(classR6gXLarge, TuneInput{PeakConnections: 10, KeptMaxConnections: 100})
	params["max_worker_processes"] = "16" // as on an 8-vCPU class
	r, ok := replicaRisk(db1, params, 100, 100, classR6gLarge)
	if !ok || !strings.Contains(r.Description, "on the single node max_worker_processes from 8 to 16.") {
		t.Errorf("max_worker_processes above the writer's default: %+v (%t)", r, ok)
	}
	// Fewer vCPUs: a lower max_worker_processes never stalls a replica.
	eight := InstanceClass{Name: "db.r6g.2xlarge", VCPU: 8, MemoryGiB: 64}
	if r, ok := replicaRisk(db1, Tune(classR6gXLarge, TuneInput{PeakConnections: 10, KeptMaxConnections: 100}), 100, 100, eight); ok {
		t.Errorf("max_worker_processes cut from 16 to 8 called a raise: %+v", r)
	}
	if r, ok := replicaRisk(db1, Tune(classR6gLarge, TuneInput{PeakConnections: 10, KeptMaxConnections: 100}), 100, 100, classR6gLarge); ok {
		t.Errorf("the writer's own default max_worker_processes and max_connections unchanged: %+v", r)
	}
	// RDS's default on a class with more memory: the single node gets more than today's default.
	if r, ok := replicaRisk(db1, nil, 1802, 3604, classR6gLarge); !ok || !strings.Contains(r.Description, "max_connections goes from 1802 to 3604") {
		t.Errorf("a larger class's default max_connections: %+v (%t)", r, ok)
	}

	// Through Analyze: no PostgreSQL facts, and only db.r6g.xlarge (32 GiB) offered for the writer's
	// db.m6g.large (8 GiB): the single node's default max_connections is four times today's.
	in := base
	in.ReadReplicas = []string{"sso-prod-r1"}
	in.Postgres = nil
	in.Candidates = []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.1}}
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := find(rec); rec.RecommendedClass != classR6gXLarge.Name || !ok || !strings.Contains(r.Description, "max_connections goes from 901 to 3604") {
		t.Errorf("recommended %s, replica risk %+v (%t)", rec.RecommendedClass, r, ok)
	}
}
