package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// serveAdmin implements the /_sandbox/ control API (JSON in and out):
//
//	GET    /_sandbox/health                 → {"ok":true,"scenario":…,"now":…}
//	GET    /_sandbox/log                    → []LogEntry      (?operation=X filters)
//	DELETE /_sandbox/log                    → resets the log
//	GET    /_sandbox/counts                 → {"DescribeDBInstances":3,…}
//	GET    /_sandbox/faults                 → []FaultRule
//	POST   /_sandbox/faults                 ← FaultRule (or a JSON array of them)
//	DELETE /_sandbox/faults                 → clears fault rules
//	GET    /_sandbox/clock                  → {"now":…,"speed":…}
//	POST   /_sandbox/clock/advance?d=25m    → advances (Go duration syntax)
//	POST   /_sandbox/clock/speed?x=600      → sets the speed factor
//	POST   /_sandbox/clock/step?d=1m        → SetStepPerRDSRequest (0s turns it off)
//	POST   /_sandbox/snapshots/fail?id=X    → FailSnapshot(X); ?next=N → FailNextSnapshots(N)
//	POST   /_sandbox/instances/stuck?id=X   → StickModifying(X); DELETE → Unstick(X)
//	POST   /_sandbox/maintenance?id=X       → ApplyPendingMaintenance(X) ("" = all)
//	GET    /_sandbox/state                  → the whole RDS state (as in the state file)
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_sandbox/"), "/")
	q := r.URL.Query()
	bad := func(msg string) { writeJSON(w, 400, map[string]string{"error": msg}) }
	ok := func() { writeJSON(w, 200, map[string]any{"ok": true, "now": s.Now()}) }
	switch {
	case path == "health":
		writeJSON(w, 200, map[string]any{"ok": true, "scenario": s.sc.Name, "now": s.Now(), "speed": s.clock.Speed()})
	case path == "log" && r.Method == http.MethodGet:
		if op := q.Get("operation"); op != "" {
			writeJSON(w, 200, nonNil(s.Calls(op)))
			return
		}
		writeJSON(w, 200, nonNil(s.Log()))
	case path == "log" && r.Method == http.MethodDelete:
		s.ResetLog()
		ok()
	case path == "counts":
		writeJSON(w, 200, s.Counts())
	case path == "guarded":
		id := q.Get("id")
		if id == "" {
			bad("give id=<DB cluster or DB instance id>")
			return
		}
		n, err := s.CheckGuarded(id)
		if err != nil {
			writeJSON(w, 409, map[string]any{"id": id, "calls": n, "error": err.Error()})
			return
		}
		writeJSON(w, 200, map[string]any{"id": id, "calls": n})
	case path == "faults" && r.Method == http.MethodGet:
		writeJSON(w, 200, s.Faults())
	case path == "faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		ok()
	case path == "faults" && r.Method == http.MethodPost:
		var raw json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			bad("body must be a FaultRule JSON object or array: " + err.Error())
			return
		}
		var rules []FaultRule
		if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
			if err := json.Unmarshal(raw, &rules); err != nil {
				bad(err.Error())
				return
			}
		} else {
			var one FaultRule
			if err := json.Unmarshal(raw, &one); err != nil {
				bad(err.Error())
				return
			}
			rules = []FaultRule{one}
		}
		for _, rule := range rules {
			s.InjectFaults(rule)
		}
		writeJSON(w, 200, s.Faults())
	case path == "clock" && r.Method == http.MethodGet:
		writeJSON(w, 200, map[string]any{"now": s.Now(), "speed": s.clock.Speed()})
	case path == "clock/advance":
		d, err := time.ParseDuration(q.Get("d"))
		if err != nil || d < 0 {
			bad("d must be a non-negative Go duration such as 25m or 1h30m")
			return
		}
		s.Advance(d)
		ok()
	case path == "clock/step":
		d, err := time.ParseDuration(q.Get("d"))
		if err != nil || d < 0 {
			bad("d must be a non-negative Go duration such as 1m")
			return
		}
		s.SetStepPerRDSRequest(d)
		ok()
	case path == "clock/speed":
		x, err := strconv.ParseFloat(q.Get("x"), 64)
		if err != nil || x < 0 {
			bad("x must be a non-negative number (virtual seconds per real second)")
			return
		}
		s.SetSpeed(x)
		ok()
	case path == "reads/lag":
		d, err := time.ParseDuration(q.Get("d"))
		if err != nil || d < 0 {
			bad("d must be a non-negative Go duration such as 30s (0 turns the lag off)")
			return
		}
		s.SetReadLag(d)
		ok()
	case path == "snapshots/fail":
		if n := q.Get("next"); n != "" {
			k, err := strconv.Atoi(n)
			if err != nil || k < 0 {
				bad("next must be a non-negative integer")
				return
			}
			s.FailNextSnapshots(k)
		} else if id := q.Get("id"); id != "" {
			s.FailSnapshot(id)
		} else {
			bad("give id=<snapshot id> or next=<n>")
			return
		}
		ok()
	case path == "instances/stuck":
		id := q.Get("id")
		if id == "" {
			bad("give id=<DB instance id>")
			return
		}
		if r.Method == http.MethodDelete {
			s.Unstick(id)
		} else {
			s.StickModifying(id)
		}
		ok()
	case path == "maintenance":
		s.ApplyPendingMaintenance(q.Get("id"))
		ok()
	case path == "state":
		s.mu.RLock()
		b, err := json.Marshal(stateDoc{Version: 1, Scenario: s.sc.Name, Now: s.Now(), RDS: s.st, Puts: s.cw.snapshot(), Alarms: s.cw.alarmSnapshot(), Composites: s.cw.compositeSnapshot()})
		s.mu.RUnlock()
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	default:
		writeJSON(w, 404, map[string]string{"error": "unknown sandbox admin path " + r.URL.Path})
	}
}

func nonNil(l []LogEntry) []LogEntry {
	if l == nil {
		return []LogEntry{}
	}
	return l
}

// ApplyPendingMaintenance starts, now, the pending modifications of the DB
// instance id (all instances when id is ""), as if its maintenance window had
// arrived. Instances that are not "available" keep their pending changes. The
// window also applies the pending maintenance actions of the DB instance or
// cluster id (all of them when id is "") that are opted in for
// next-maintenance or past their AutoAppliedAfterDate.
func (s *Server) ApplyPendingMaintenance(id string) {
	now := s.clock.Now()
	s.mu.Lock()
	s.st.settle(now)
	for _, k := range sortedKeys(s.st.Instances) {
		in := s.st.Instances[k]
		if (id == "" || id == k) && in.Op == nil && in.ready() && !in.Pending.empty() &&
			(in.Pending.Allocated == nil || in.Status == "available") {
			s.st.startModify(in, in.Pending, now)
		}
	}
	for _, r := range s.st.maintResources() {
		if id == "" || id == r.id {
			s.st.applyWindowActions(r, now)
		}
	}
	s.mu.Unlock()
	s.persist()
}

// StorageOptimization makes DB instance id show "storage-optimization" for d from now, as RDS
// does after a storage change (Durations.StorageOptimization); d <= 0 ends it now. An
// operation in flight ends in that status. It reports whether the instance exists.
func (s *Server) StorageOptimization(id string, d time.Duration) bool {
	now := s.clock.Now()
	s.mu.Lock()
	s.st.settle(now)
	in, ok := s.st.Instances[id]
	if ok {
		in.StorageOptUntil = now.Add(max(d, 0))
		if in.Op == nil && in.ready() {
			in.Status = in.idleStatus(now)
		}
	}
	s.mu.Unlock()
	s.persist()
	return ok
}

// SelfOperation makes DB instance id show status for d from now, as RDS does during an operation
// of its own that ends by itself ("storage-config-upgrade", "storage-initialization",
// "moving-to-vpc", "maintenance", ...); meanwhile, as in any operation, the instance refuses
// modifications and snapshots. It reports whether the instance exists and was idle ("available"
// or "storage-optimization", no operation in flight): otherwise nothing changes.
func (s *Server) SelfOperation(id, status string, d time.Duration) bool {
	now := s.clock.Now()
	s.mu.Lock()
	s.st.settle(now)
	in, ok := s.st.Instances[id]
	ok = ok && in.Op == nil && in.ready()
	if ok {
		in.Op = &op{Kind: "self", Start: now, End: now.Add(max(d, 0))}
		in.Status = status
	}
	s.mu.Unlock()
	s.persist()
	return ok
}

// RecordEvent records, now, an RDS event of DB instance id with message and categories, as RDS does
// for occurrences the emulator does not bring about itself (an Enhanced Monitoring configuration
// error, a requested failover RDS did not attempt). DescribeEvents lists it like the events of the
// emulated operations. It reports whether the instance exists.
func (s *Server) RecordEvent(id, message string, categories ...string) bool {
	now := s.clock.Now()
	s.mu.Lock()
	s.st.settle(now)
	in, ok := s.st.Instances[id]
	if ok {
		s.st.event("db-instance", id, in.ARN, message, now, slices.Clone(categories)...)
	}
	s.mu.Unlock()
	s.persist()
	return ok
}

// GlobalSwitchover gives Aurora cluster id, a member of a global database (ClusterSpec.GlobalCluster),
// its part of a switchover or failover of that database (SwitchoverGlobalCluster,
// FailoverGlobalCluster) made with a cluster of another region: primary false demotes it to a
// secondary cluster, its writer becoming a reader; primary true promotes it, the available reader
// with the lowest promotion tier becoming its writer. The sandbox emulates one region, so the
// other cluster is not in it. It reports whether the cluster is a global database's member of
// the other role, whose roles it swapped (a cluster with no available reader is not promoted).
func (s *Server) GlobalSwitchover(id string, primary bool) bool {
	now := s.clock.Now()
	s.mu.Lock()
	s.st.settle(now)
	c, ok := s.st.Clusters[id]
	ok = ok && c.Global != "" && c.Secondary == primary
	if ok {
		var target *dbInstance
		for _, m := range s.st.members(id) {
			switch {
			case !primary && m.Writer:
				m.Writer = false
				if n := s.st.Nodes[m.ID]; n != nil {
					n.Roles = append(n.Roles, roleSpan{From: now, Reader: true, Load: n.loadID(now)})
				}
			case primary && m.Status == "available" && (target == nil || m.PromotionTier < target.PromotionTier):
				target = m
			}
		}
		if primary && target == nil {
			ok = false
		} else {
			c.Secondary = !primary
		}
		if target != nil && ok {
			target.Writer = true
			if n := s.st.Nodes[target.ID]; n != nil {
				n.Roles = append(n.Roles, roleSpan{From: now, Reader: false, Load: n.loadID(now)})
			}
		}
		if ok {
			role := "secondary"
			if primary {
				role = "primary"
			}
			s.st.event("db-cluster", id, c.ARN, fmt.Sprintf("Global database %s: DB cluster is now the %s cluster", c.Global, role), now, "global-failover")
		}
	}
	s.mu.Unlock()
	s.persist()
	return ok
}

// InstanceStatus returns the current DBInstanceStatus of id (after applying
// due transitions) and whether the instance exists.
func (s *Server) InstanceStatus(id string) (string, bool) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.settle(now)
	in, ok := s.st.Instances[id]
	if !ok {
		return "", false
	}
	return in.Status, true
}

// MetricValue returns the generated value of an AWS/RDS metric for DB
// instance id at the minute containing t, exactly as GetMetricData with
// Period 60 returns it (ok is false if the node or metric does not exist then).
func (s *Server) MetricValue(id, metric string, t time.Time) (float64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	// The instance that has the identifier, or one that had it before (genNode.Earlier).
	for n := s.st.Nodes[id]; n != nil; n = n.Earlier {
		if !n.hasMetric(metric) {
			continue
		}
		if v, ok := n.value(metric, t.Unix()/60, func(x string) *genNode { return s.st.Nodes[x] }); ok {
			return v, true
		}
	}
	return 0, false
}
