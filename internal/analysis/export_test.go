package analysis

// The scenarios of the package's own tests, for its external tests (package analysis_test), which
// see only the exported API.

// ScenarioMultiAZ is idleMultiAZ(14): sso-prod, a quiet RDS Multi-AZ db.m6g.large with 14 days of
// 5-minute data, whose rollback alarms watch the instance (DBInstanceIdentifier).
func ScenarioMultiAZ() ClusterInput { return idleMultiAZ(14) }

// ScenarioAurora is withLocalStorage(2, 1, 1), the Aurora pair mandible-prod with 14 days of
// 1-minute data and local storage, with its cluster identifier set as the provider sets it: its
// alarms on metrics published by role watch {DBClusterIdentifier, Role=WRITER}, DiskQueueDepth the
// writer instance, and FreeLocalStorage is among them.
func ScenarioAurora() ClusterInput {
	in := withLocalStorage(2, 1, 1)
	in.AuroraClusterID = in.Name
	return in
}

// ScenarioBurstable is TestAnalyzeCPUCredits' "quiet" case: the Aurora pair sso-prod on
// db.t4g.medium at 8% and 4% CPU, with db.t4g.medium its only candidate, and its cluster
// identifier set: its alarms include CPUCreditBalance (Minimum) and CPUSurplusCreditsCharged (Sum).
func ScenarioBurstable() ClusterInput {
	in := burstPair(flat(8), flat(4))
	in.Candidates = in.Candidates[:1]
	in.AuroraClusterID = in.Name
	return in
}
