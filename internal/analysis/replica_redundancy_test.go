package analysis

import (
	"strings"
	"testing"
)

// TestReplicaRedundancyRisk: a Multi-AZ read replica's redundancy risk and reliability evidence say
// that no data is lost (its source has it) and that, promoted, it is a Single-AZ primary, not
// that a restore loses up to 5 minutes of data; a Multi-AZ source with read replicas names them as
// a recovery by promotion, with its replica lag lost (one replica as well as two); an instance with neither keeps the restore's.
func TestReplicaRedundancyRisk(t *testing.T) {
	for _, tc := range []struct {
		name, source string
		replicas     []string
		risk, rel    []string // texts the redundancy risk and the reliability evidence must hold
		notRisk      string   // a text the risk must not hold
	}{
		{name: "replica", source: "mandible-prod",
			risk:    []string{"is a read replica of mandible-prod", "no data is lost", "promoted it becomes a Single-AZ primary"},
			rel:     []string{"read replica of mandible-prod: its Multi-AZ standby and 1–2 minute automatic failover are lost", "(no data lost)", "promoted it is a Single-AZ primary"},
			notRisk: "point-in-time restore"},
		{name: "source", replicas: []string{"mandible-r1", "mandible-r2"},
			risk:    []string{"point-in-time restore", "or promoting read replica mandible-r1 or mandible-r2 by hand", "its replica lag, are lost"},
			rel:     []string{"recovery becomes restore or point-in-time restore, or promoting read replica mandible-r1 or mandible-r2 by hand"},
			notRisk: "no data is lost"},
		{name: "one replica", replicas: []string{"mandible-r1"},
			risk:    []string{"point-in-time restore", "or promoting read replica mandible-r1 by hand", "its replica lag, are lost"},
			rel:     []string{"or promoting read replica mandible-r1 by hand"},
			notRisk: "mandible-r1 or"},
		{name: "neither",
			risk:    []string{"recovery is a restore from snapshot or point-in-time restore", "up to about 5 minutes, can be lost)"},
			rel:     []string{"Multi-AZ standby and its 1–2 minute automatic failover are lost; recovery becomes restore or point-in-time restore"},
			notRisk: "read replica"},
	} {
		in := idleMultiAZ(14)
		in.ReplicaSource, in.ReadReplicas = tc.source, tc.replicas
		rec, err := Analyze(in, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		var risk, rel string
		for _, r := range rec.Risks {
			if r.Category == "redundancy" && strings.HasPrefix(r.Description, "No hot standby") {
				risk = r.Description
			}
		}
		for _, row := range rec.Matrix.Rows {
			if row.Criterion == "reliability" {
				rel = row.Evidence
			}
		}
		for _, w := range tc.risk {
			if !strings.Contains(risk, w) {
				t.Errorf("%s: risk %q does not say %q", tc.name, risk, w)
			}
		}
		if strings.Contains(risk, tc.notRisk) {
			t.Errorf("%s: risk %q says %q", tc.name, risk, tc.notRisk)
		}
		for _, w := range tc.rel {
			if !strings.Contains(rel, w) {
				t.Errorf("%s: reliability evidence %q does not say %q", tc.name, rel, w)
			}
		}
	}
}

// TestReplicaEvidenceKeepsHighRisks: a read replica's reliability evidence still counts the
// high-severity risks its score is lowered by (the replica's text once replaced the whole
// evidence after the count was added), and a source's replicas and a global database are named
// before the count.
func TestReplicaEvidenceKeepsHighRisks(t *testing.T) {
	high := []Risk{{Severity: "high"}, {Severity: "high"}}
	for _, tc := range []struct {
		topo Topology
		rc   recovery
		want string
	}{
		{TopologyMultiAZ, recovery{ReplicaSource: "mandible-prod"}, "and promoted it is a Single-AZ primary; 2 high-severity risk(s)"},
		{TopologyMultiAZ, recovery{ReadReplicas: []string{"r1"}}, "or promoting read replica r1 by hand (losing its replica lag of writes); 2 high-severity risk(s)"},
		{TopologyAurora, recovery{GlobalCluster: "g"}, "losing up to its replication lag of writes); 2 high-severity risk(s)"},
	} {
		m := decisionMatrix(tc.topo, false, nil, CostEstimate{}, DefaultSavingsTarget(), DefaultPolicy().Weights, high, tc.rc)
		for _, row := range m.Rows {
			if row.Criterion == "reliability" && !strings.HasSuffix(row.Evidence, tc.want) {
				t.Errorf("%+v: reliability evidence %q, want it to end %q", tc.rc, row.Evidence, tc.want)
			}
		}
	}
}
