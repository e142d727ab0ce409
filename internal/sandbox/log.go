package sandbox

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LogEntry is one API request the sandbox received (admin calls excluded).
type LogEntry struct {
	// Seq numbers requests from 1 in arrival order.
	Seq int `json:"seq"`
	// Time is the virtual time of the request; RealTime the wall clock.
	Time     time.Time `json:"time"`
	RealTime time.Time `json:"realTime"`
	// Service is "rds", "cloudwatch" or "application-autoscaling" ("unknown"
	// for another X-Amz-Target, whose Operation is the whole target);
	// Operation the API name.
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// Params holds the key request parameters. RDS: every form field except
	// Action and Version, by its wire name (e.g. "DBInstanceIdentifier",
	// "MultiAZ", "DBSnapshotIdentifier", "Filters.Filter.1.Name").
	// CloudWatch: "Namespace", "MetricName", "StartTime", "EndTime",
	// "NextToken"; for GetMetricData also "Queries" (count), "MetricNames"
	// and "Dimensions" (sorted, comma-separated, "Name=Value").
	// Application Auto Scaling: the request members given among
	// "ServiceNamespace", "ResourceId", "ScalableDimension", "MinCapacity",
	// "MaxCapacity", "ResourceIds" (comma-separated), "MaxResults" and
	// "NextToken".
	Params map[string]string `json:"params,omitempty"`
	// Status is the HTTP status sent (0 for a dropped connection);
	// ErrorCode the AWS error code, if any; Fault the injected fault kind.
	Status    int    `json:"status"`
	ErrorCode string `json:"errorCode,omitempty"`
	Fault     string `json:"fault,omitempty"`
	// Attempt is the client's attempt number for this call, from the
	// Amz-Sdk-Request header the AWS SDKs send ("attempt=2; max=3"): 1 for
	// the first attempt, 2 and up when the SDK's retryer sends the same call
	// again (throttling, a 5xx, a connection lost while the response was
	// read). 0 when the header is absent or malformed. A caller that retries
	// by making a new call (the CloudWatch collector does) sends attempt 1
	// each time.
	Attempt int `json:"attempt,omitempty"`
}

// sdkAttempt returns the attempt number of an AWS SDK request (see
// LogEntry.Attempt), 0 without a valid Amz-Sdk-Request header.
func sdkAttempt(h http.Header) int {
	for _, part := range strings.Split(h.Get("Amz-Sdk-Request"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}

type requestLog struct {
	mu      sync.Mutex
	seq     int
	gen     int // incremented by ResetLog so late finishes do not resurrect entries
	entries []LogEntry
}

// stored is the copy of e the log keeps: its own Params, as the handler keeps writing e's.
func (e *LogEntry) stored() LogEntry {
	c := *e
	c.Params = maps.Clone(e.Params)
	return c
}

// begin records a request on arrival (so the log is in arrival order even
// when handlers finish out of order) and returns a function that stores the
// final entry (status, error code, parameters) when the handler is done.
func (l *requestLog) begin(e *LogEntry) (finish func()) {
	l.mu.Lock()
	l.seq++
	e.Seq = l.seq
	l.entries = append(l.entries, e.stored())
	idx, gen := len(l.entries)-1, l.gen
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.gen == gen && idx < len(l.entries) && l.entries[idx].Seq == e.Seq {
			l.entries[idx] = e.stored()
		}
	}
}

// Log returns a copy of the request log in arrival order.
func (s *Server) Log() []LogEntry {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return append([]LogEntry(nil), s.log.entries...)
}

// Calls returns the logged requests of one operation, in order.
func (s *Server) Calls(op string) []LogEntry {
	var out []LogEntry
	for _, e := range s.Log() {
		if e.Operation == op {
			out = append(out, e)
		}
	}
	return out
}

// Distinct returns how many distinct successful requests of one operation
// the log holds: entries with status 200, told apart by their Params. A
// request that a client sent again because the response was lost on its way
// (the sandbox logged both as successes; aws-sdk-go-v2 issue 2737) counts
// once, and so does a failed request sent again, so tests can count the
// calls a client meant to make apart from transport retries.
func (s *Server) Distinct(op string) int { return Distinct(s.Calls(op)) }

// Distinct is Server.Distinct over some entries of a log (one operation's,
// for example those of one read).
func Distinct(entries []LogEntry) int {
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Status == 200 {
			seen[fmt.Sprint(e.Params)] = true // fmt prints a map sorted by key
		}
	}
	return len(seen)
}

// Counts returns how many requests each operation received, keyed by
// operation name (all services share the key space; "ListTagsForResource"
// counts both).
func (s *Server) Counts() map[string]int {
	m := map[string]int{}
	for _, e := range s.Log() {
		m[e.Operation]++
	}
	return m
}

// Operations returns the operation names in request order (one per request).
func (s *Server) Operations() []string {
	var out []string
	for _, e := range s.Log() {
		out = append(out, e.Operation)
	}
	return out
}

// ResetLog empties the request log (numbering restarts at 1).
func (s *Server) ResetLog() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries, s.log.seq = nil, 0
	s.log.gen++
}
