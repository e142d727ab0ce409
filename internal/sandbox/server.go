package sandbox

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures Start. The zero value is a usable sandbox: the demo
// scenario on a random 127.0.0.1 port with a frozen clock at ScenarioEpoch.
type Options struct {
	// Addr to listen on; default "127.0.0.1:0" (a random free port). It must be a
	// loopback address (127.0.0.0/8, ::1, or localhost): the emulator has no
	// authentication, and its /_sandbox routes change its state, so Start refuses any
	// other (":4599" and "0.0.0.0:4599" included).
	Addr string
	// Scenario is the fleet to start with; if nil, ScenarioName is looked up
	// with ScenarioByName ("" = "demo").
	Scenario     *Scenario
	ScenarioName string
	// Now is the virtual clock's start (the end of the metric history).
	// Zero means ScenarioEpoch, so runs are deterministic.
	Now time.Time
	// Speed is the clock's speed factor: virtual seconds per real second.
	// 0 freezes the clock (move it with Advance); 3600 makes a 20-minute RDS
	// operation take 1/3 s of real time.
	Speed float64
	// StepPerRDSRequest, if positive, advances the virtual clock by this much
	// before every RDS API request is handled, so a poller (for example a
	// waiter calling DescribeDBInstances) sees operations progress
	// deterministically without real time passing: with 1m, a 25-minute
	// Multi-AZ conversion completes after 25 polls. CloudWatch requests do not
	// step the clock.
	StepPerRDSRequest time.Duration
	// Durations overrides how long RDS operations take (zero fields = defaults).
	Durations Durations
	// StateFile, if set, is loaded at start when it exists (replacing the
	// scenario's initial RDS state, the clock and PutMetricData points; it must
	// have been written for the same scenario name) and rewritten after every
	// mutating request, Advance and on Close.
	StateFile string
	// EndpointHost / EndpointPort, if set, replace every DB instance's
	// Endpoint.Address / Endpoint.Port (e.g. to point at a local PostgreSQL).
	EndpointHost string
	EndpointPort int32
	// FaultSeed seeds the RNG of rate-based faults (default 1).
	FaultSeed int64
	// AllowUnsigned accepts requests without a SigV4 Authorization header.
	// By default they are rejected like AWS does (MissingAuthenticationToken),
	// as are signatures scoped to another region or signing service.
	AllowUnsigned bool
}

// Server is a running sandbox. All methods are safe for concurrent use.
type Server struct {
	opts   Options
	ln     net.Listener
	http   *http.Server
	clock  *Clock
	sc     *Scenario
	url    string
	done   chan struct{}
	closed sync.Once

	connMu   sync.Mutex
	newConns map[net.Conn]struct{} // accepted connections that never sent a request
	// busyConns are the connections reading or serving a request (http.StateActive), and
	// lastIdle when one last stopped being so: WaitIdle.
	busyConns map[net.Conn]struct{}
	lastIdle  time.Time

	step atomic.Int64 // StepPerRDSRequest in nanoseconds

	persistMu sync.Mutex // orders state-file writes: the last one written holds the newest snapshot

	mu   sync.RWMutex // guards st and puts
	st   *rdsState
	cw   *metricStore
	log  *requestLog
	flt  *faults
	tags tagPolicy // RequireRequestTags
}

// Start starts a sandbox listening on opts.Addr and returns once it accepts
// connections. It returns an error when opts.Addr is not a loopback address.
func Start(opts Options) (*Server, error) {
	sc := opts.Scenario
	if sc == nil {
		var err error
		if sc, err = ScenarioByName(opts.ScenarioName); err != nil {
			return nil, fmt.Errorf("starting sandbox: %w", err)
		}
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("starting sandbox: %w", err)
	}
	now := opts.Now
	if now.IsZero() {
		now = ScenarioEpoch
	}
	now = now.UTC().Truncate(time.Second)
	s := &Server{opts: opts, sc: sc, done: make(chan struct{}), log: &requestLog{}, flt: newFaults(opts.FaultSeed)}
	s.cw = newMetricStore()
	s.st = newRDSState(sc, now, opts.Durations)
	if opts.StateFile != "" {
		// The state is saved by renaming a temporary file over StateFile, which
		// would replace a device or other special file (say /dev/null) with a
		// regular one: refuse anything but a regular file or a new path.
		if st, err := os.Stat(opts.StateFile); err == nil && !st.Mode().IsRegular() {
			return nil, fmt.Errorf("starting sandbox: state file %s exists and is not a regular file; give a path to a regular file (or a new one)", opts.StateFile)
		}
		loaded, err := s.loadState(opts.StateFile)
		if err != nil {
			return nil, fmt.Errorf("starting sandbox: loading state file %s: %w", opts.StateFile, err)
		}
		if !loaded.IsZero() {
			now = loaded
		}
	}
	s.st.endpointH, s.st.endpointP = opts.EndpointHost, opts.EndpointPort
	s.clock = newClock(now, opts.Speed)
	s.step.Store(int64(opts.StepPerRDSRequest))
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	notLoopback := fmt.Errorf("starting sandbox: address %s is not a loopback address: the emulator has no authentication, so it listens on 127.0.0.1 (or ::1, localhost) only", addr)
	// Refused before listening, so no other interface is ever open, and checked again on the
	// address bound (a "localhost" that resolves elsewhere).
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, notLoopback
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("starting sandbox: listening on %s: %w", addr, err)
	}
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		_ = ln.Close()
		return nil, notLoopback
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.newConns = map[net.Conn]struct{}{}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: s.trackConn}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// URL is the base URL (http://127.0.0.1:port) to use as BaseEndpoint for the
// rds, cloudwatch and applicationautoscaling SDK clients alike.
func (s *Server) URL() string { return s.url }

// Addr is the listening address (host:port).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Clock returns the virtual clock.
func (s *Server) Clock() *Clock { return s.clock }

// Now returns the current virtual time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the virtual clock forward by d and applies every transition
// that became due; it returns the new virtual time.
func (s *Server) Advance(d time.Duration) time.Time {
	now := s.clock.Advance(d)
	s.mu.Lock()
	s.st.settle(now)
	s.mu.Unlock()
	s.persist()
	return now
}

// SetSpeed sets the clock speed factor (virtual seconds per real second).
func (s *Server) SetSpeed(f float64) { s.clock.SetSpeed(f) }

// SetStepPerRDSRequest changes Options.StepPerRDSRequest (0 turns it off).
func (s *Server) SetStepPerRDSRequest(d time.Duration) { s.step.Store(int64(max(d, 0))) }

// Scenario returns the scenario the server was started with (do not modify).
func (s *Server) Scenario() *Scenario { return s.sc }

// Close stops the server, writes the state file if configured and waits for
// the serving goroutine to exit.
func (s *Server) Close() error {
	var err error
	s.closed.Do(func() {
		// http.Server.Shutdown waits up to 5 s for connections that were
		// accepted but never used (the SDK's transport opens spare ones), so
		// close those first.
		s.http.SetKeepAlivesEnabled(false)
		s.connMu.Lock()
		for c := range s.newConns {
			_ = c.Close()
		}
		s.connMu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err = s.http.Shutdown(ctx); err != nil {
			_ = s.http.Close()
			err = fmt.Errorf("closing sandbox: %w", err)
		}
		<-s.done
		if perr := s.persistErr(); perr != nil && err == nil {
			err = perr
		}
	})
	return err
}

func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if st == http.StateNew {
		s.newConns[c] = struct{}{}
	} else {
		delete(s.newConns, c)
	}
	if s.busyConns == nil {
		s.busyConns = map[net.Conn]struct{}{}
	}
	if st == http.StateActive {
		s.busyConns[c] = struct{}{}
	} else if _, ok := s.busyConns[c]; ok {
		delete(s.busyConns, c)
		s.lastIdle = time.Now()
	}
}

// WaitIdle waits, up to max of real time, until no connection has been reading or serving a
// request for quiet, and reports whether it got there. Tests that cancel a client's context
// mid-request call it before they look at the request log, which the abandoned request may
// still reach after the client has returned.
func (s *Server) WaitIdle(quiet, max time.Duration) bool {
	deadline := time.Now().Add(max)
	for {
		s.connMu.Lock()
		idle := len(s.busyConns) == 0 && time.Since(s.lastIdle) >= quiet
		s.connMu.Unlock()
		if idle {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(quiet / 4)
	}
}

// ServeHTTP routes a request: /_sandbox/... is the admin API, the Smithy
// RPCv2 CBOR path is CloudWatch, X-Amz-Target AnyScaleFrontendService.<Op> is
// Application Auto Scaling (awsJson1.1), any other X-Amz-Target an
// UnknownOperationException, anything else is the RDS query protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_sandbox/"):
		s.serveAdmin(w, r)
	case strings.HasPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/operation/"):
		s.serveCloudWatch(w, r)
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), asTargetPrefix):
		s.serveAutoScaling(w, r)
	case r.Header.Get("X-Amz-Target") != "":
		// Other awsJson services (e.g. the Pricing API) are not emulated: answer
		// in their protocol so the SDK reports a clear error.
		target := r.Header.Get("X-Amz-Target")
		entry := LogEntry{Time: s.clock.Now(), RealTime: time.Now(), Service: "unknown", Operation: target, Status: 400, ErrorCode: "UnknownOperationException", Attempt: sdkAttempt(r.Header)}
		s.log.begin(&entry)()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", "UnknownOperationException")
		w.WriteHeader(400)
		b, _ := json.Marshal(map[string]string{"__type": "UnknownOperationException",
			"message": "The AWS sandbox emulates RDS, CloudWatch and Application Auto Scaling (Aurora replicas) only, not " + target + "."})
		_, _ = w.Write(b)
	default:
		s.serveRDS(w, r)
	}
}

// readBody reads the (possibly gzip-compressed) request body, at most 40 MiB.
func readBody(r *http.Request) ([]byte, error) {
	body := io.LimitReader(r.Body, 40<<20)
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("decompressing gzip request body: %w", err)
		}
		b, err = io.ReadAll(io.LimitReader(zr, 200<<20))
		if err != nil {
			return nil, fmt.Errorf("decompressing gzip request body: %w", err)
		}
	}
	return b, nil
}

// applyFault runs the injected fault for (service, op), if any. It returns
// true when the request has been answered (or the connection dropped); a
// fault that alters a served answer (FaultQueryInternalError,
// FaultQueryMessage, FaultRequestMessage) is left in *served for the caller to
// apply, when served is not nil.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, service, opName string, entry *LogEntry, served *Fault, writeErr func(status int, code, msg string)) bool {
	f, ok := s.flt.next(service, opName)
	if !ok {
		return false
	}
	if served != nil {
		*served = f
	}
	entry.Fault = string(f.Kind)
	switch f.Kind {
	case FaultSlow:
		d := f.Delay
		if d <= 0 {
			d = 2 * time.Second
		}
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
		return false
	case FaultThrottling:
		entry.Status, entry.ErrorCode = 400, "Throttling"
		writeErr(400, "Throttling", "Rate exceeded")
		return true
	case FaultHTTP500:
		entry.Status, entry.ErrorCode = 500, "InternalFailure"
		writeErr(500, "InternalFailure", "An internal error has occurred. Please try your query again at a later time.")
		return true
	case FaultConnReset:
		entry.Status = 0
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case FaultError:
		st := f.Status
		if st == 0 {
			st = 400
		}
		entry.Status, entry.ErrorCode = st, f.Code
		writeErr(st, f.Code, f.Message)
		return true
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// persist writes the state file if one is configured (errors are ignored
// here and reported by Close).
func (s *Server) persist() { _ = s.persistErr() }

// persistPause, when set (tests only), runs in persistErr between taking the state's snapshot and
// writing it, to order concurrent writes.
var persistPause func()

func (s *Server) persistErr() error {
	if s.opts.StateFile == "" {
		return nil
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	s.mu.RLock()
	doc := stateDoc{Version: 1, Scenario: s.sc.Name, Now: s.clock.Now(), RDS: s.st, Puts: s.cw.snapshot(), Alarms: s.cw.alarmSnapshot(), Composites: s.cw.compositeSnapshot()}
	b, err := json.MarshalIndent(doc, "", " ")
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("encoding sandbox state: %w", err)
	}
	if persistPause != nil {
		persistPause()
	}
	tmp := s.opts.StateFile + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("writing sandbox state: %w", err)
	}
	if err := os.Rename(tmp, s.opts.StateFile); err != nil {
		return fmt.Errorf("writing sandbox state: %w", err)
	}
	return nil
}

type stateDoc struct {
	Version  int            `json:"version"`
	Scenario string         `json:"scenario"`
	Now      time.Time      `json:"now"`
	RDS      *rdsState      `json:"rds"`
	Puts     []storedSeries `json:"putMetricData,omitempty"`
	Alarms   []metricAlarm  `json:"alarms,omitempty"` // PutMetricAlarm's
	// Composites are PutCompositeAlarm's.
	Composites []compositeAlarm `json:"compositeAlarms,omitempty"`
}

// loadState replaces the RDS state with the file's, returning the saved
// virtual time (zero when the file does not exist).
func (s *Server) loadState(path string) (time.Time, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	var doc stateDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return time.Time{}, fmt.Errorf("decoding JSON: %w", err)
	}
	if doc.RDS == nil {
		return time.Time{}, fmt.Errorf("no rds section")
	}
	if doc.Scenario != s.sc.Name {
		return time.Time{}, fmt.Errorf("the file holds scenario %q, not %q: delete it or start with scenario %q", doc.Scenario, s.sc.Name, doc.Scenario)
	}
	dur := s.st.dur
	s.st = doc.RDS
	s.st.dur = dur
	for _, m := range []*map[string]*dbSnapshot{&s.st.Snapshots, &s.st.ClusterSnapshots} {
		if *m == nil {
			*m = map[string]*dbSnapshot{}
		}
	}
	if s.st.Instances == nil {
		s.st.Instances = map[string]*dbInstance{}
	}
	if s.st.Clusters == nil {
		s.st.Clusters = map[string]*dbCluster{}
	}
	if s.st.Nodes == nil {
		s.st.Nodes = map[string]*genNode{}
	}
	for id, n := range s.st.Nodes {
		if len(n.Classes) == 0 {
			return time.Time{}, fmt.Errorf("node %s has no class history", id)
		}
		for e := n; e != nil; e = e.Earlier {
			e.refresh()
		}
	}
	if s.st.FailSnapshotIDs == nil {
		s.st.FailSnapshotIDs = map[string]bool{}
	}
	if s.st.StuckIDs == nil {
		s.st.StuckIDs = map[string]bool{}
	}
	s.cw.restore(doc.Puts)
	s.cw.restoreAlarms(doc.Alarms)
	s.cw.restoreComposites(doc.Composites)
	return doc.Now, nil
}
