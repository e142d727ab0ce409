package sandbox

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"time"
)

// FaultKind names an injected failure.
type FaultKind string

// Fault kinds.
const (
	// FaultNone lets the call through (useful inside a sequence).
	FaultNone FaultKind = "none"
	// FaultThrottling answers with the service's throttling error
	// (RDS: 400 <Code>Throttling</Code>; CloudWatch: 400, X-Amzn-Query-Error
	// Throttling;Sender; Application Auto Scaling: 400 ThrottlingException).
	// The SDK retries it.
	FaultThrottling FaultKind = "throttling"
	// FaultHTTP500 answers HTTP 500 InternalFailure. The SDK retries it.
	FaultHTTP500 FaultKind = "http500"
	// FaultConnReset drops the TCP connection without a response (RST).
	FaultConnReset FaultKind = "reset"
	// FaultSlow delays the response by Fault.Delay of REAL time (default 2 s),
	// then serves it normally.
	FaultSlow FaultKind = "slow"
	// FaultError answers with Fault.Status (default 400), Fault.Code and
	// Fault.Message, e.g. Code "InvalidDBInstanceState".
	FaultError FaultKind = "error"
	// FaultQueryInternalError (GetMetricData only) answers HTTP 200 with every
	// query's result in status InternalError and without datapoints, which
	// CloudWatch documents as "Retry your request using NextToken, if present".
	FaultQueryInternalError FaultKind = "query-internal-error"
	// FaultQueryMessage (GetMetricData only) serves the call as usual and adds
	// the message Fault.Code (default "PartialData") and Fault.Message to the
	// Messages of each query result whose metric has the dimension
	// Fault.Dimension ("Name=Value"; empty matches every query) and is named
	// Fault.Metric (empty matches every metric), as CloudWatch notes something
	// about one query's data (MetricDataResult.Messages, e.g. code
	// "ArithmeticError"). A call with no such query is answered unchanged.
	FaultQueryMessage FaultKind = "query-message"
	// FaultRequestMessage (GetMetricData only) serves the call as usual and adds
	// the message Fault.Code (default "MaxMetricsExceeded") and Fault.Message
	// (default "Maximum number of allowed metrics exceeded") to the response's
	// top-level Messages, as CloudWatch notes something about the whole request
	// while it "still executes as much of the operation as possible".
	FaultRequestMessage FaultKind = "request-message"
)

// Fault is one injected failure. In JSON (admin API) Delay may be a Go
// duration string ("250ms") or a number of nanoseconds.
type Fault struct {
	// Kind selects the failure.
	Kind FaultKind `json:"kind"`
	// Delay is the real-time delay of FaultSlow (default 2 s).
	Delay time.Duration `json:"delay,omitempty"`
	// Status, Code and Message define the answer of FaultError (Status
	// defaults to 400); Code and Message also the message of
	// FaultQueryMessage and FaultRequestMessage.
	Status  int    `json:"status,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Dimension ("Name=Value", e.g. "DBInstanceIdentifier=mandible-prod") and
	// Metric (a MetricName) select the queries of FaultQueryMessage.
	Dimension string `json:"dimension,omitempty"`
	Metric    string `json:"metric,omitempty"`
}

// UnmarshalJSON accepts Delay as a duration string or nanoseconds.
func (f *Fault) UnmarshalJSON(b []byte) error {
	type plain Fault
	var aux struct {
		plain
		Delay json.RawMessage `json:"delay,omitempty"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*f = Fault(aux.plain)
	if len(aux.Delay) == 0 || string(aux.Delay) == "null" {
		return nil
	}
	var str string
	if err := json.Unmarshal(aux.Delay, &str); err == nil {
		d, err := time.ParseDuration(str)
		if err != nil {
			return fmt.Errorf("fault delay %q: %w", str, err)
		}
		f.Delay = d
		return nil
	}
	var ns int64
	if err := json.Unmarshal(aux.Delay, &ns); err != nil {
		return fmt.Errorf("fault delay must be a duration string or nanoseconds: %w", err)
	}
	f.Delay = time.Duration(ns)
	return nil
}

// FaultRule injects faults into calls of one operation. Operation is the API
// name ("DescribeDBInstances", "GetMetricData", "DescribeScalableTargets"),
// optionally prefixed by the service ("rds:ListTagsForResource",
// "cloudwatch:ListTagsForResource", "application-autoscaling:Op"), or "*" for
// every operation. Sequence faults are consumed one per call, in
// order; after the sequence is used up, Rate (0–1) is the probability, drawn
// from the server's seeded RNG, that a call gets RateFault.
type FaultRule struct {
	// Operation the rule applies to ("DescribeDBInstances", "rds:Op",
	// "cloudwatch:Op", "application-autoscaling:Op" or "*"; empty means "*").
	Operation string `json:"operation"`
	// Sequence is consumed one fault per call, in order.
	Sequence []Fault `json:"sequence,omitempty"`
	// Rate is the probability (0–1) that a call gets RateFault once the
	// sequence is used up (RateFault.Kind defaults to FaultThrottling).
	Rate      float64 `json:"rate,omitempty"`
	RateFault Fault   `json:"rateFault,omitempty"`
}

type faults struct {
	mu    sync.Mutex
	rules map[string]*FaultRule
	rng   *rand.Rand
}

func newFaults(seed int64) *faults {
	if seed == 0 {
		seed = 1
	}
	return &faults{rules: map[string]*FaultRule{}, rng: rand.New(rand.NewSource(seed))}
}

func (f *faults) add(r FaultRule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Operation == "" {
		r.Operation = "*"
	}
	if old, ok := f.rules[r.Operation]; ok {
		old.Sequence = append(old.Sequence, r.Sequence...)
		if r.Rate > 0 {
			old.Rate, old.RateFault = r.Rate, r.RateFault
		}
		return
	}
	cp := r
	cp.Sequence = append([]Fault(nil), r.Sequence...)
	f.rules[r.Operation] = &cp
}

func (f *faults) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = map[string]*FaultRule{}
}

func (f *faults) list() []FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultRule, 0, len(f.rules))
	for _, r := range f.rules {
		cp := *r
		cp.Sequence = append([]Fault(nil), r.Sequence...)
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out
}

// next returns the fault for this call, if any.
func (f *faults) next(service, op string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, key := range []string{service + ":" + op, op, "*"} {
		r, ok := f.rules[key]
		if !ok {
			continue
		}
		if len(r.Sequence) > 0 {
			ft := r.Sequence[0]
			r.Sequence = r.Sequence[1:]
			if ft.Kind == FaultNone || ft.Kind == "" {
				return Fault{}, false
			}
			return ft, true
		}
		if r.Rate > 0 && f.rng.Float64() < r.Rate {
			ft := r.RateFault
			if ft.Kind == "" {
				ft.Kind = FaultThrottling
			}
			return ft, true
		}
	}
	return Fault{}, false
}

// InjectFaults adds a fault rule (sequences for the same Operation are
// appended; a Rate replaces the previous rate).
func (s *Server) InjectFaults(r FaultRule) { s.flt.add(r) }

// InjectSequence is shorthand for InjectFaults(FaultRule{Operation: op,
// Sequence: kinds as faults}): the next len(kinds) calls of op get them in
// order (FaultNone lets one call through).
func (s *Server) InjectSequence(op string, kinds ...FaultKind) {
	seq := make([]Fault, len(kinds))
	for i, k := range kinds {
		seq[i] = Fault{Kind: k}
	}
	s.flt.add(FaultRule{Operation: op, Sequence: seq})
}

// SetErrorRate makes each call of op fail with kind with probability rate
// (0–1), drawn from the server's RNG seeded by Options.FaultSeed.
func (s *Server) SetErrorRate(op string, rate float64, kind FaultKind) {
	s.flt.add(FaultRule{Operation: op, Rate: rate, RateFault: Fault{Kind: kind}})
}

// Faults lists the active fault rules (remaining sequences).
func (s *Server) Faults() []FaultRule { return s.flt.list() }

// ClearFaults removes every fault rule (not the snapshot/instance faults).
func (s *Server) ClearFaults() { s.flt.clear() }

// FailSnapshot makes the DB snapshot or DB cluster snapshot with this
// identifier end in status "failed" instead of "available": it applies to a
// snapshot being created now, or to the next one created with that id.
func (s *Server) FailSnapshot(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range []map[string]*dbSnapshot{s.st.Snapshots, s.st.ClusterSnapshots} {
		if sn, ok := m[id]; ok && sn.Status == "creating" {
			sn.Fail = true
			return
		}
	}
	s.st.FailSnapshotIDs[id] = true
}

// SetReadLag makes the describe calls lag behind the create calls, as AWS's eventually consistent
// reads may right after a create: for d of virtual time after CreateDBInstance,
// RestoreDBInstanceFromDBSnapshot, CreateDBSnapshot or CreateDBClusterSnapshot made a DB instance
// or snapshot (or anything else did: a final snapshot, the snapshot StopDBInstance takes, a
// Multi-AZ DB cluster's instances), DescribeDBInstances, DescribeDBSnapshots and
// DescribeDBClusterSnapshots answer NotFound for its identifier and leave it out of their lists
// (the create call's own answer, other calls such as tagging it, and the cluster's member list
// show it at once). The lag applies to what exists at each describe call: raising it hides again
// what was created less than d ago. Zero, the default, shows everything at once. Not kept in the
// state file.
func (s *Server) SetReadLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.readLag = max(d, 0)
}

// FailNextSnapshots makes the next n snapshots (DB or cluster, any id) fail.
func (s *Server) FailNextSnapshots(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.FailNextSnaps = n
}

// DeleteIAMRole makes the IAM role arn as if deleted: CreateDBInstance with it as
// MonitoringRoleArn (and MonitoringInterval > 0) is refused, InvalidParameterValue "IAM role ARN
// value is invalid or does not include the required permissions for: ENHANCED_MONITORING", as
// RDS refuses a role it cannot assume. Instances that have it keep reporting it.
func (s *Server) DeleteIAMRole(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.DeletedRoles == nil {
		s.st.DeletedRoles = map[string]bool{}
	}
	s.st.DeletedRoles[arn] = true
}

// StickModifying makes the instance stay "modifying" forever once a
// modification starts (or now, if one is in flight), until Unstick.
func (s *Server) StickModifying(instanceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.StuckIDs[instanceID] = true
	if in, ok := s.st.Instances[instanceID]; ok && in.Op != nil && in.Op.Kind == "modify" {
		in.Stuck = true
	}
}

// Unstick lets a stuck modification finish (at its original end time, or now
// if that has passed).
func (s *Server) Unstick(instanceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.st.StuckIDs, instanceID)
	if in, ok := s.st.Instances[instanceID]; ok {
		in.Stuck = false
	}
	s.st.settle(s.clock.Now())
}
