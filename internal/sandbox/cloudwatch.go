package sandbox

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// CloudWatch limits the sandbox enforces, as AWS documents them.
const (
	MaxMetricDataQueries       = 500    // queries per GetMetricData call
	MaxMetricDataPoints        = 100800 // datapoints per GetMetricData response page
	MaxStatisticsDataPoints    = 1440   // datapoints per GetMetricStatistics call
	MaxPutMetricDataItems      = 1000   // MetricData items per PutMetricData call
	listMetricsPageSize        = 500
	retentionOneMinute         = 15 * 24 * time.Hour
	retentionFiveMinute        = 63 * 24 * time.Hour
	retentionOneHour           = 455 * 24 * time.Hour
	highResolutionRetention    = 3 * time.Hour
	maxPutValueMagnitude       = 8.515920e+109 // 2^360
	putMetricDataMaxPastWindow = 14 * 24 * time.Hour
)

var (
	cborEnc cbor.EncMode
	cborDec cbor.DecMode
)

func init() {
	var err error
	cborEnc, err = cbor.EncOptions{Time: cbor.TimeUnixDynamic, TimeTag: cbor.EncTagRequired,
		NilContainers: cbor.NilContainerAsEmpty, NaNConvert: cbor.NaNConvertNone, InfConvert: cbor.InfConvertNone}.EncMode()
	if err != nil {
		panic(err)
	}
	cborDec, err = cbor.DecOptions{DefaultMapType: nil}.DecMode()
	if err != nil {
		panic(err)
	}
}

// ---- wire shapes (member names of the CloudWatch model) ----

type cwDimension struct {
	Name  string `cbor:"Name"`
	Value string `cbor:"Value"`
}

type cwMetric struct {
	Namespace  string        `cbor:"Namespace,omitempty"`
	MetricName string        `cbor:"MetricName,omitempty"`
	Dimensions []cwDimension `cbor:"Dimensions"`
}

type cwMetricStat struct {
	Metric cwMetric `cbor:"Metric"`
	Period int32    `cbor:"Period"`
	Stat   string   `cbor:"Stat"`
	Unit   string   `cbor:"Unit,omitempty"`
}

type cwQuery struct {
	Id         string        `cbor:"Id"`
	MetricStat *cwMetricStat `cbor:"MetricStat"`
	Expression string        `cbor:"Expression"`
	Label      string        `cbor:"Label"`
	ReturnData *bool         `cbor:"ReturnData"`
	Period     int32         `cbor:"Period"`
	AccountId  string        `cbor:"AccountId"`
}

type getMetricDataIn struct {
	MetricDataQueries []cwQuery `cbor:"MetricDataQueries"`
	StartTime         time.Time `cbor:"StartTime"`
	EndTime           time.Time `cbor:"EndTime"`
	NextToken         string    `cbor:"NextToken"`
	ScanBy            string    `cbor:"ScanBy"`
	MaxDatapoints     int32     `cbor:"MaxDatapoints"`
}

type cwResult struct {
	Id         string      `cbor:"Id"`
	Label      string      `cbor:"Label"`
	Timestamps []time.Time `cbor:"Timestamps"`
	Values     []float64   `cbor:"Values"`
	StatusCode string      `cbor:"StatusCode"`
	Messages   []cwMessage `cbor:"Messages,omitempty"`
}

type cwMessage struct {
	Code  string `cbor:"Code"`
	Value string `cbor:"Value"`
}

type getMetricDataOut struct {
	MetricDataResults []cwResult  `cbor:"MetricDataResults"`
	NextToken         string      `cbor:"NextToken,omitempty"`
	Messages          []cwMessage `cbor:"Messages"`
}

type getMetricStatisticsIn struct {
	Namespace          string        `cbor:"Namespace"`
	MetricName         string        `cbor:"MetricName"`
	Dimensions         []cwDimension `cbor:"Dimensions"`
	StartTime          time.Time     `cbor:"StartTime"`
	EndTime            time.Time     `cbor:"EndTime"`
	Period             int32         `cbor:"Period"`
	Statistics         []string      `cbor:"Statistics"`
	ExtendedStatistics []string      `cbor:"ExtendedStatistics"`
	Unit               string        `cbor:"Unit"`
}

type cwDatapoint struct {
	Timestamp          time.Time          `cbor:"Timestamp"`
	SampleCount        *float64           `cbor:"SampleCount,omitempty"`
	Average            *float64           `cbor:"Average,omitempty"`
	Sum                *float64           `cbor:"Sum,omitempty"`
	Minimum            *float64           `cbor:"Minimum,omitempty"`
	Maximum            *float64           `cbor:"Maximum,omitempty"`
	Unit               string             `cbor:"Unit,omitempty"`
	ExtendedStatistics map[string]float64 `cbor:"ExtendedStatistics,omitempty"`
}

type getMetricStatisticsOut struct {
	Label      string        `cbor:"Label"`
	Datapoints []cwDatapoint `cbor:"Datapoints"`
}

type cwDimensionFilter struct {
	Name  string  `cbor:"Name"`
	Value *string `cbor:"Value"`
}

type listMetricsIn struct {
	Namespace      string              `cbor:"Namespace"`
	MetricName     string              `cbor:"MetricName"`
	Dimensions     []cwDimensionFilter `cbor:"Dimensions"`
	NextToken      string              `cbor:"NextToken"`
	RecentlyActive string              `cbor:"RecentlyActive"`
}

type listMetricsOut struct {
	Metrics   []cwMetric `cbor:"Metrics"`
	NextToken string     `cbor:"NextToken,omitempty"`
}

type cwStatisticSet struct {
	SampleCount float64 `cbor:"SampleCount" json:"sampleCount"`
	Sum         float64 `cbor:"Sum" json:"sum"`
	Minimum     float64 `cbor:"Minimum" json:"minimum"`
	Maximum     float64 `cbor:"Maximum" json:"maximum"`
}

type cwDatum struct {
	MetricName        string          `cbor:"MetricName"`
	Dimensions        []cwDimension   `cbor:"Dimensions"`
	Timestamp         *time.Time      `cbor:"Timestamp"`
	Value             *float64        `cbor:"Value"`
	StatisticValues   *cwStatisticSet `cbor:"StatisticValues"`
	Values            []float64       `cbor:"Values"`
	Counts            []float64       `cbor:"Counts"`
	Unit              string          `cbor:"Unit"`
	StorageResolution int32           `cbor:"StorageResolution"`
}

type putMetricDataIn struct {
	Namespace  string    `cbor:"Namespace"`
	MetricData []cwDatum `cbor:"MetricData"`
}

// ---- errors ----

type cwError struct {
	Status    int
	Type      string // shape name, e.g. InvalidParameterValueException
	QueryCode string // awsQuery code, e.g. InvalidParameterValue
	Message   string
}

func cwInvalid(format string, a ...any) *cwError {
	return &cwError{400, "InvalidParameterValueException", "InvalidParameterValue", fmt.Sprintf(format, a...)}
}

func cwCombo(format string, a ...any) *cwError {
	return &cwError{400, "InvalidParameterCombinationException", "InvalidParameterCombination", fmt.Sprintf(format, a...)}
}

func cwMissing(name string) *cwError {
	return &cwError{400, "MissingRequiredParameterException", "MissingParameter", "The parameter " + name + " is required."}
}

func writeCWError(w http.ResponseWriter, e *cwError) {
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	ns := "com.amazonaws.cloudwatch#"
	if e.Type == "ValidationException" {
		ns = "com.amazonaws.coral.validate#"
	}
	body, _ := cborEnc.Marshal(map[string]string{"__type": ns + e.Type, "message": e.Message})
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("X-Amzn-Query-Error", e.QueryCode+";"+typ)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// ---- stored PutMetricData series ----

type putPoint struct {
	T       time.Time       `json:"t"`
	Values  []float64       `json:"values,omitempty"`
	Counts  []float64       `json:"counts,omitempty"`
	Stat    *cwStatisticSet `json:"stat,omitempty"`
	HighRes bool            `json:"highRes,omitempty"`
}

type storedSeries struct {
	Namespace  string        `json:"namespace"`
	MetricName string        `json:"metricName"`
	Dimensions []cwDimension `json:"dimensions"`
	Unit       string        `json:"unit,omitempty"`
	Points     []putPoint    `json:"points"`
}

type metricStore struct {
	mu     sync.RWMutex
	series map[string]*storedSeries
	alarms map[string]*metricAlarm // by AlarmName (alarms.go)
	// composites are PutCompositeAlarm's, by AlarmName (composite_alarms.go).
	composites map[string]*compositeAlarm
}

func newMetricStore() *metricStore {
	return &metricStore{series: map[string]*storedSeries{}, alarms: map[string]*metricAlarm{}, composites: map[string]*compositeAlarm{}}
}

func metricKey(ns, name string, dims []cwDimension) string {
	d := append([]cwDimension(nil), dims...)
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name })
	var b strings.Builder
	b.WriteString(ns + "\x00" + name)
	for _, x := range d {
		b.WriteString("\x00" + x.Name + "=" + x.Value)
	}
	return b.String()
}

// copiesByKey returns copies of the values of m (a store's series or alarms), in key order, read
// under mu: what the state file keeps.
func copiesByKey[T any](mu *sync.RWMutex, m map[string]*T) []T {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]T, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, *m[k])
	}
	return out
}

// keyed returns copies of items by key(item): a store's map, restored from the state file.
func keyed[T any](items []T, key func(*T) string) map[string]*T {
	m := make(map[string]*T, len(items))
	for i := range items {
		v := items[i]
		m[key(&v)] = &v
	}
	return m
}

func (m *metricStore) snapshot() []storedSeries { return copiesByKey(&m.mu, m.series) }

func (m *metricStore) restore(ss []storedSeries) {
	series := keyed(ss, func(s *storedSeries) string { return metricKey(s.Namespace, s.MetricName, s.Dimensions) })
	m.mu.Lock()
	defer m.mu.Unlock()
	m.series = series
}

// ---- sources and aggregation ----

// source is everything that contributes samples to one metric key.
type source struct {
	gens    []*genNode // generated series; several = a cluster-level aggregate
	genName string
	// role, when set (WRITER or READER), keeps of gens at each minute only
	// the nodes that held that role then (genNode.readerAt).
	role string
	put  *storedSeries
}

type accum struct {
	n, sum, min, max float64
	vals             []float64
	keep             bool
}

func (a *accum) add(v, count float64) {
	if a.n == 0 {
		a.min, a.max = v, v
	} else {
		a.min, a.max = math.Min(a.min, v), math.Max(a.max, v)
	}
	a.n += count
	a.sum += v * count
	if a.keep {
		for i := 0; i < int(math.Min(count, 10000)); i++ {
			a.vals = append(a.vals, v)
		}
	}
}

func (a *accum) addSet(s *cwStatisticSet) {
	if s.SampleCount <= 0 {
		return
	}
	if a.n == 0 {
		a.min, a.max = s.Minimum, s.Maximum
	} else {
		a.min, a.max = math.Min(a.min, s.Minimum), math.Max(a.max, s.Maximum)
	}
	a.n += s.SampleCount
	a.sum += s.Sum
}

var pctRE = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,10})?|100)$`)

// validStat reports whether stat is one the sandbox computes.
func validStat(stat string) bool {
	switch stat {
	case "Average", "Sum", "Minimum", "Maximum", "SampleCount":
		return true
	}
	return pctRE.MatchString(stat)
}

func (a *accum) stat(stat string) (float64, bool) {
	if a.n == 0 {
		return 0, false
	}
	switch stat {
	case "Average":
		return a.sum / a.n, true
	case "Sum":
		return a.sum, true
	case "Minimum":
		return a.min, true
	case "Maximum":
		return a.max, true
	case "SampleCount":
		return a.n, true
	}
	p, err := strconv.ParseFloat(stat[1:], 64)
	if err != nil || len(a.vals) == 0 {
		return 0, false
	}
	sort.Float64s(a.vals)
	rank := int(math.Ceil(p / 100 * float64(len(a.vals))))
	rank = min(max(rank, 1), len(a.vals))
	return a.vals[rank-1], true
}

// retained reports whether CloudWatch still serves a datapoint of this period
// whose bucket starts at b (1-minute data 15 days, 5-minute 63 days, 1-hour
// 455 days; periods below 60 s only for 3 hours).
func retained(b time.Time, period int64, now time.Time) bool {
	age := now.Sub(b)
	switch {
	case age > retentionOneHour:
		return false
	case age > retentionFiveMinute:
		return period%3600 == 0
	case age > retentionOneMinute:
		return period%300 == 0
	case period < 60:
		return age <= highResolutionRetention
	}
	return true
}

// bucket aggregates the samples of src in [b, b+period).
func (s *Server) bucket(src source, b int64, period int64, now time.Time, keep bool) accum {
	a := accum{keep: keep}
	if len(src.gens) > 0 {
		nowUnix := now.Unix()
		lookup := func(id string) *genNode { return s.st.Nodes[id] }
		for t := (b + 59) / 60 * 60; t < b+period; t += 60 {
			if t+60 > nowUnix {
				break
			}
			for _, g := range src.gens {
				if src.role != "" && g.readerAt(time.Unix(t, 0)) != (src.role == "READER") {
					continue
				}
				if v, ok := g.value(src.genName, t/60, lookup); ok {
					a.add(v, 1)
				}
			}
		}
	}
	if src.put != nil {
		pts := src.put.Points
		i := sort.Search(len(pts), func(i int) bool { return pts[i].T.Unix() >= b })
		for ; i < len(pts) && pts[i].T.Unix() < b+period; i++ {
			p := pts[i]
			if p.Stat != nil {
				a.addSet(p.Stat)
			}
			for j, v := range p.Values {
				c := 1.0
				if j < len(p.Counts) {
					c = p.Counts[j]
				}
				a.add(v, c)
			}
		}
	}
	return a
}

// resolve finds the samples behind (namespace, metric, dimensions). Callers hold s.mu (read).
func (s *Server) resolve(ns, name string, dims []cwDimension) (source, string) {
	var src source
	unit := ""
	if ns == "AWS/RDS" {
		dm := map[string]string{}
		for _, d := range dims {
			dm[d.Name] = d.Value
		}
		var nodes []*genNode
		switch {
		case len(dims) == 1 && dm["DBInstanceIdentifier"] != "":
			// The instance that has the identifier, and those that had it before (genNode.Earlier),
			// each for its own minutes.
			for n := s.st.Nodes[dm["DBInstanceIdentifier"]]; n != nil; n = n.Earlier {
				nodes = append(nodes, n)
			}
		case len(dims) == 1 && dm["DBClusterIdentifier"] != "":
			// cluster-level aggregate: every member's 1-minute value is a sample
			for _, id := range sortedKeys(s.st.Nodes) {
				for n := s.st.Nodes[id]; n != nil; n = n.Earlier { // with the earlier holders of its name
					if n.Cluster == dm["DBClusterIdentifier"] {
						nodes = append(nodes, n)
					}
				}
			}
		case len(dims) == 2 && dm["DBClusterIdentifier"] != "" && (dm["Role"] == "WRITER" || dm["Role"] == "READER"):
			// Every instance the cluster has had, each for the minutes it held
			// the role (bucket): a failover moves the WRITER series from the old
			// writer to the new one at that time. READER aggregates all readers.
			for _, id := range sortedKeys(s.st.Nodes) {
				for n := s.st.Nodes[id]; n != nil; n = n.Earlier { // with the earlier holders of its name
					if n.Cluster == dm["DBClusterIdentifier"] {
						nodes = append(nodes, n)
					}
				}
			}
			src.role = dm["Role"]
		}
		for _, n := range nodes {
			if n.hasMetric(name) {
				src.gens = append(src.gens, n)
			}
		}
		if len(src.gens) > 0 {
			src.genName = name
			unit = metricUnits[name]
		}
	}
	s.cw.mu.RLock()
	src.put = s.cw.series[metricKey(ns, name, dims)]
	s.cw.mu.RUnlock()
	if src.put != nil && unit == "" {
		unit = src.put.Unit
	}
	return src, unit
}

// ---- handler ----

func (s *Server) serveCloudWatch(w http.ResponseWriter, r *http.Request) {
	opName := strings.TrimPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/operation/")
	entry := LogEntry{Time: s.clock.Now(), RealTime: time.Now(), Service: "cloudwatch", Operation: opName, Params: map[string]string{}, Attempt: sdkAttempt(r.Header)}
	finish := s.log.begin(&entry)
	defer finish()
	fail := func(e *cwError) {
		entry.Status, entry.ErrorCode = e.Status, e.QueryCode
		writeCWError(w, e)
	}
	if r.Method != http.MethodPost {
		fail(&cwError{405, "InvalidAction", "InvalidAction", "RPCv2 CBOR operations must be POSTed"})
		return
	}
	body, err := readBody(r)
	if err != nil {
		fail(&cwError{400, "SerializationException", "SerializationException", err.Error()})
		return
	}
	if st, code, msg := s.checkSignature(r, "monitoring"); st != 0 {
		t := code
		if code == "MissingAuthenticationToken" {
			t = "MissingAuthenticationTokenException"
		}
		fail(&cwError{st, t, code, msg})
		return
	}
	var served Fault
	if s.applyFault(w, r, "cloudwatch", opName, &entry, &served, func(st int, code, msg string) {
		t := code
		if code == "Throttling" {
			t = "ThrottlingException"
		}
		writeCWError(w, &cwError{st, t, code, msg})
	}) {
		return
	}
	now := s.clock.Now()
	s.mu.Lock()
	s.st.settle(now)
	s.mu.Unlock()
	var out any
	var cerr *cwError
	decode := func(v any) bool {
		if len(body) == 0 {
			return true
		}
		if err := cborDec.Unmarshal(body, v); err != nil {
			cerr = &cwError{400, "SerializationException", "SerializationException", "could not decode CBOR request body: " + err.Error()}
			return false
		}
		return true
	}
	switch opName {
	case "GetMetricData":
		var in getMetricDataIn
		if decode(&in) {
			entry.Params["Queries"] = strconv.Itoa(len(in.MetricDataQueries))
			names, dims := map[string]bool{}, map[string]bool{}
			for _, q := range in.MetricDataQueries {
				if q.MetricStat != nil {
					names[q.MetricStat.Metric.MetricName] = true
					for _, d := range q.MetricStat.Metric.Dimensions {
						dims[d.Name+"="+d.Value] = true
					}
				}
			}
			entry.Params["MetricNames"] = strings.Join(sortedKeys(names), ",")
			entry.Params["Dimensions"] = strings.Join(sortedKeys(dims), ",")
			entry.Params["StartTime"], entry.Params["EndTime"] = ts(in.StartTime), ts(in.EndTime)
			if in.NextToken != "" {
				entry.Params["NextToken"] = in.NextToken
			}
			s.mu.RLock()
			out, cerr = s.getMetricData(&in, now)
			s.mu.RUnlock()
			if gmd, ok := out.(*getMetricDataOut); ok {
				gmd.applyFault(served, &in)
			}
		}
	case "GetMetricStatistics":
		var in getMetricStatisticsIn
		if decode(&in) {
			entry.Params["Namespace"], entry.Params["MetricName"] = in.Namespace, in.MetricName
			entry.Params["StartTime"], entry.Params["EndTime"] = ts(in.StartTime), ts(in.EndTime)
			var dims []string
			for _, d := range in.Dimensions {
				dims = append(dims, d.Name+"="+d.Value)
			}
			entry.Params["Dimensions"] = strings.Join(dims, ",")
			s.mu.RLock()
			out, cerr = s.getMetricStatistics(&in, now)
			s.mu.RUnlock()
		}
	case "ListMetrics":
		var in listMetricsIn
		if decode(&in) {
			entry.Params["Namespace"], entry.Params["MetricName"] = in.Namespace, in.MetricName
			s.mu.RLock()
			out, cerr = s.listMetrics(&in, now)
			s.mu.RUnlock()
		}
	case "PutMetricData":
		var in putMetricDataIn
		if decode(&in) {
			entry.Params["Namespace"] = in.Namespace
			cerr = s.putMetricData(&in, now, false)
			if cerr == nil {
				s.persist()
			}
		}
	case "PutMetricAlarm":
		var in putMetricAlarmIn
		if decode(&in) {
			entry.Params["AlarmName"], entry.Params["Namespace"], entry.Params["MetricName"] = in.AlarmName, in.Namespace, in.MetricName
			cerr = s.putMetricAlarm(&in, now)
			if cerr == nil {
				s.persist()
			}
		}
	case "PutCompositeAlarm":
		var in putCompositeAlarmIn
		if decode(&in) {
			entry.Params["AlarmName"] = in.AlarmName
			cerr = s.putCompositeAlarm(&in, now)
			if cerr == nil {
				s.persist()
			}
		}
	case "DescribeAlarms":
		var in describeAlarmsIn
		if decode(&in) {
			entry.Params["AlarmNamePrefix"], entry.Params["AlarmTypes"] = in.AlarmNamePrefix, strings.Join(in.AlarmTypes, ",")
			if in.NextToken != "" {
				entry.Params["NextToken"] = in.NextToken
			}
			out, cerr = s.describeAlarms(&in)
		}
	default:
		cerr = &cwError{400, "UnknownOperationException", "InvalidAction", "The sandbox does not emulate CloudWatch operation " + opName + "."}
	}
	if cerr != nil {
		fail(cerr)
		return
	}
	var b []byte
	if out != nil {
		if b, err = cborEnc.Marshal(out); err != nil {
			fail(&cwError{500, "InternalServiceFault", "InternalServiceError", "encoding response: " + err.Error()})
			return
		}
	} else {
		b, _ = cborEnc.Marshal(map[string]any{})
	}
	entry.Status = 200
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(200)
	_, _ = w.Write(b)
}

// applyFault alters out, the answer to in's queries, as the fault f served with it asks
// (FaultQueryInternalError, FaultQueryMessage, FaultRequestMessage; any other leaves it).
func (out *getMetricDataOut) applyFault(f Fault, in *getMetricDataIn) {
	switch f.Kind {
	case FaultQueryInternalError:
		for i := range out.MetricDataResults {
			r := &out.MetricDataResults[i]
			r.StatusCode, r.Timestamps, r.Values = "InternalError", []time.Time{}, []float64{}
		}
		out.NextToken = in.NextToken // the same page again
	case FaultQueryMessage:
		code := cmp.Or(f.Code, "PartialData")
		byID := make(map[string]*cwMetricStat, len(in.MetricDataQueries))
		for _, q := range in.MetricDataQueries {
			byID[q.Id] = q.MetricStat
		}
		for i := range out.MetricDataResults {
			r := &out.MetricDataResults[i]
			if ms := byID[r.Id]; ms != nil && f.selects(ms) {
				r.Messages = append(r.Messages, cwMessage{Code: code, Value: f.Message})
			}
		}
	case FaultRequestMessage:
		out.Messages = append(out.Messages, cwMessage{Code: cmp.Or(f.Code, "MaxMetricsExceeded"),
			Value: cmp.Or(f.Message, "Maximum number of allowed metrics exceeded")})
	}
}

// selects reports whether the query ms is one FaultQueryMessage f adds its message to: of the
// metric f.Metric and with the dimension f.Dimension ("Name=Value"), either left empty matching
// any.
func (f Fault) selects(ms *cwMetricStat) bool {
	if f.Metric != "" && f.Metric != ms.Metric.MetricName {
		return false
	}
	if f.Dimension == "" {
		return true
	}
	for _, d := range ms.Metric.Dimensions {
		if d.Name+"="+d.Value == f.Dimension {
			return true
		}
	}
	return false
}

var queryIDRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

type gmdToken struct {
	Q    int    `json:"q"`
	From int64  `json:"from"` // bucket start (unix seconds) to resume at
	H    uint64 `json:"h"`
}

func validPeriod(p int64) bool {
	return p > 0 && (p%60 == 0 || p == 1 || p == 5 || p == 10 || p == 20 || p == 30)
}

func (s *Server) getMetricData(in *getMetricDataIn, now time.Time) (any, *cwError) {
	qs := in.MetricDataQueries
	if len(qs) == 0 {
		return nil, cwMissing("MetricDataQueries")
	}
	if len(qs) > MaxMetricDataQueries {
		return nil, &cwError{400, "ValidationException", "ValidationError",
			fmt.Sprintf("1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length less than or equal to %d", MaxMetricDataQueries)}
	}
	if in.StartTime.IsZero() || in.EndTime.IsZero() {
		return nil, cwMissing("StartTime and EndTime")
	}
	if !in.StartTime.Before(in.EndTime) {
		return nil, cwInvalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	desc := true
	switch in.ScanBy {
	case "", "TimestampDescending":
	case "TimestampAscending":
		desc = false
	default:
		return nil, cwInvalid("The value %s for parameter ScanBy is invalid.", in.ScanBy)
	}
	budget := int64(MaxMetricDataPoints)
	if in.MaxDatapoints > 0 && int64(in.MaxDatapoints) < budget {
		budget = int64(in.MaxDatapoints)
	}
	seen := map[string]bool{}
	h := hashString(fmt.Sprint(in.StartTime.Unix(), in.EndTime.Unix(), in.ScanBy, len(qs)))
	for i, q := range qs {
		if !queryIDRE.MatchString(q.Id) {
			return nil, cwInvalid("The value %s for parameter MetricDataQueries.member.%d.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.", q.Id, i+1)
		}
		if seen[q.Id] {
			return nil, cwInvalid("The value %s for parameter MetricDataQueries.member.%d.Id is not unique.", q.Id, i+1)
		}
		seen[q.Id] = true
		if q.Expression != "" {
			return nil, cwInvalid("MetricDataQueries.member.%d: the sandbox supports MetricStat queries only, not Expression.", i+1)
		}
		if q.MetricStat == nil {
			return nil, cwCombo("MetricDataQueries.member.%d: exactly one of MetricStat and Expression must be specified.", i+1)
		}
		ms := q.MetricStat
		if ms.Metric.Namespace == "" || ms.Metric.MetricName == "" {
			return nil, cwMissing(fmt.Sprintf("MetricDataQueries.member.%d.MetricStat.Metric.Namespace and MetricName", i+1))
		}
		if !validPeriod(int64(ms.Period)) {
			return nil, cwInvalid("The value %d for parameter MetricDataQueries.member.%d.MetricStat.Period is invalid: it must be 1, 5, 10, 20, 30 or a multiple of 60.", ms.Period, i+1)
		}
		if !validStat(ms.Stat) {
			return nil, cwInvalid("The value %s for parameter MetricDataQueries.member.%d.MetricStat.Stat is invalid.", ms.Stat, i+1)
		}
		h = splitmix64(h ^ hashString(q.Id+ms.Metric.MetricName+ms.Stat))
	}
	startQ, resume := 0, int64(math.MinInt64)
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		var tok gmdToken
		if err != nil || json.Unmarshal(raw, &tok) != nil || tok.H != h || tok.Q >= len(qs) {
			return nil, &cwError{400, "InvalidNextToken", "InvalidNextToken", "The service couldn't process the NextToken: it does not belong to this request."}
		}
		startQ, resume = tok.Q, tok.From
	}
	out := &getMetricDataOut{MetricDataResults: []cwResult{}, Messages: []cwMessage{}}
	for qi := startQ; qi < len(qs); qi++ {
		q := qs[qi]
		if q.ReturnData != nil && !*q.ReturnData {
			continue // only an expression could use it, and expressions are not emulated
		}
		ms := q.MetricStat
		period := int64(ms.Period)
		src, unit := s.resolve(ms.Metric.Namespace, ms.Metric.MetricName, ms.Metric.Dimensions)
		if ms.Unit != "" && unit != "" && ms.Unit != unit {
			src = source{}
		}
		label := q.Label
		if label == "" {
			label = ms.Metric.MetricName
		}
		res := cwResult{Id: q.Id, Label: label, StatusCode: "Complete"}
		first := in.StartTime.Unix() / period * period
		last := (in.EndTime.Unix() - 1) / period * period
		if nowB := now.Unix() / period * period; last > nowB {
			last = nowB
		}
		if len(src.gens) > 0 || src.put != nil {
			capacity := min(budget, max(0, (last-first)/period+1))
			res.Timestamps, res.Values = make([]time.Time, 0, capacity), make([]float64, 0, capacity)
		}
		keep := ms.Stat[0] == 'p'
		b, step := first, period
		if desc {
			b, step = last, -period
		}
		if qi == startQ && resume != math.MinInt64 {
			b = resume
		}
		for ; b >= first && b <= last; b += step {
			if len(src.gens) == 0 && src.put == nil {
				break
			}
			bt := time.Unix(b, 0).UTC()
			if !retained(bt, period, now) {
				continue
			}
			if budget == 0 {
				res.StatusCode = "PartialData"
				tok, _ := json.Marshal(gmdToken{Q: qi, From: b, H: h})
				out.NextToken = base64.RawURLEncoding.EncodeToString(tok)
				break
			}
			a := s.bucket(src, b, period, now, keep)
			v, ok := a.stat(ms.Stat)
			if !ok {
				continue
			}
			res.Timestamps = append(res.Timestamps, bt)
			res.Values = append(res.Values, v)
			budget--
		}
		out.MetricDataResults = append(out.MetricDataResults, res)
		if out.NextToken != "" {
			break
		}
		if budget == 0 && qi+1 < len(qs) {
			tok, _ := json.Marshal(gmdToken{Q: qi + 1, From: math.MinInt64, H: h})
			out.NextToken = base64.RawURLEncoding.EncodeToString(tok)
			break
		}
	}
	return out, nil
}

func (s *Server) getMetricStatistics(in *getMetricStatisticsIn, now time.Time) (any, *cwError) {
	if in.Namespace == "" || in.MetricName == "" {
		return nil, cwMissing("Namespace and MetricName")
	}
	if in.StartTime.IsZero() || in.EndTime.IsZero() {
		return nil, cwMissing("StartTime and EndTime")
	}
	if !in.StartTime.Before(in.EndTime) {
		return nil, cwInvalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	period := int64(in.Period)
	if !validPeriod(period) {
		return nil, cwInvalid("The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60.")
	}
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return nil, cwCombo("Must specify either Statistics or ExtendedStatistics.")
	}
	for _, st := range in.Statistics {
		if !validStat(st) || st[0] == 'p' {
			return nil, cwInvalid("The value %s for parameter Statistics is invalid.", st)
		}
	}
	keep := false
	for _, st := range in.ExtendedStatistics {
		if !pctRE.MatchString(st) {
			return nil, cwInvalid("The value %s for parameter ExtendedStatistics is invalid.", st)
		}
		keep = true
	}
	first := in.StartTime.Unix() / period * period
	n := (in.EndTime.Unix() - first + period - 1) / period
	if n > MaxStatisticsDataPoints {
		return nil, cwCombo("You have requested up to %d datapoints, which exceeds the limit of %d. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n, MaxStatisticsDataPoints)
	}
	src, unit := s.resolve(in.Namespace, in.MetricName, in.Dimensions)
	if in.Unit != "" && unit != "" && in.Unit != unit {
		src = source{}
	}
	out := &getMetricStatisticsOut{Label: in.MetricName, Datapoints: []cwDatapoint{}}
	if len(src.gens) == 0 && src.put == nil {
		return out, nil
	}
	for b := first; b < in.EndTime.Unix() && b <= now.Unix(); b += period {
		bt := time.Unix(b, 0).UTC()
		if !retained(bt, period, now) {
			continue
		}
		a := s.bucket(src, b, period, now, keep)
		if a.n == 0 {
			continue
		}
		dp := cwDatapoint{Timestamp: bt, Unit: unit}
		if dp.Unit == "" {
			dp.Unit = "None"
		}
		for _, st := range in.Statistics {
			v, _ := a.stat(st)
			v2 := v
			switch st {
			case "Average":
				dp.Average = &v2
			case "Sum":
				dp.Sum = &v2
			case "Minimum":
				dp.Minimum = &v2
			case "Maximum":
				dp.Maximum = &v2
			case "SampleCount":
				dp.SampleCount = &v2
			}
		}
		for _, st := range in.ExtendedStatistics {
			if v, ok := a.stat(st); ok {
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[st] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

func (s *Server) listMetrics(in *listMetricsIn, now time.Time) (any, *cwError) {
	type item struct {
		key string
		m   cwMetric
	}
	var all []item
	addM := func(ns, name string, dims []cwDimension) {
		if in.Namespace != "" && ns != in.Namespace || in.MetricName != "" && name != in.MetricName {
			return
		}
		for _, f := range in.Dimensions {
			hit := false
			for _, d := range dims {
				if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
					hit = true
				}
			}
			if !hit {
				return
			}
		}
		all = append(all, item{metricKey(ns, name, dims), cwMetric{Namespace: ns, MetricName: name, Dimensions: dims}})
	}
	recent := in.RecentlyActive == "PT3H"
	if in.RecentlyActive != "" && !recent {
		return nil, cwInvalid("The value %s for parameter RecentlyActive is invalid (only PT3H).", in.RecentlyActive)
	}
	seen := map[string]bool{}
	for _, id := range sortedKeys(s.st.Nodes) {
		n := s.st.Nodes[id]
		if !n.End.IsZero() && now.Sub(n.End) > 14*24*time.Hour || n.Start.After(now) {
			continue
		}
		if recent && (!n.End.IsZero() && now.Sub(n.End) > 3*time.Hour || n.stoppedFor(now) > 3*time.Hour) {
			continue
		}
		for _, m := range n.metrics() {
			addM("AWS/RDS", m, []cwDimension{{"DBInstanceIdentifier", id}})
		}
	}
	for _, cid := range sortedKeys(s.st.Clusters) {
		roles := map[string]*genNode{}
		for _, m := range s.st.members(cid) {
			role := "READER"
			if m.Writer {
				role = "WRITER"
			}
			if roles[role] == nil && s.st.Nodes[m.ID] != nil {
				roles[role] = s.st.Nodes[m.ID]
			}
		}
		union := map[string]bool{}
		for _, m := range s.st.members(cid) {
			if n := s.st.Nodes[m.ID]; n != nil {
				for _, name := range n.metrics() {
					union[name] = true
				}
			}
		}
		for _, name := range sortedKeys(union) {
			addM("AWS/RDS", name, []cwDimension{{"DBClusterIdentifier", cid}})
		}
		for _, role := range []string{"READER", "WRITER"} {
			if n := roles[role]; n != nil {
				for _, m := range n.metrics() {
					addM("AWS/RDS", m, []cwDimension{{"DBClusterIdentifier", cid}, {"Role", role}})
				}
			}
		}
	}
	for k := range all {
		seen[all[k].key] = true
	}
	for _, ss := range s.cw.snapshot() {
		if recent && (len(ss.Points) == 0 || now.Sub(ss.Points[len(ss.Points)-1].T) > 3*time.Hour) {
			continue
		}
		if !seen[metricKey(ss.Namespace, ss.MetricName, ss.Dimensions)] {
			addM(ss.Namespace, ss.MetricName, ss.Dimensions)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
	start := 0
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil {
			return nil, &cwError{400, "InvalidNextToken", "InvalidNextToken", "The NextToken is invalid."}
		}
		start = sort.Search(len(all), func(i int) bool { return all[i].key > string(raw) })
	}
	out := &listMetricsOut{Metrics: []cwMetric{}}
	end := min(len(all), start+listMetricsPageSize)
	for _, it := range all[start:end] {
		out.Metrics = append(out.Metrics, it.m)
	}
	if end < len(all) {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(all[end-1].key))
	}
	return out, nil
}

func (s *Server) putMetricData(in *putMetricDataIn, now time.Time, allowAWS bool) *cwError {
	if in.Namespace == "" {
		return cwMissing("Namespace")
	}
	if strings.HasPrefix(in.Namespace, "AWS/") && !allowAWS {
		return cwInvalid("The value AWS/ for parameter Namespace is invalid.")
	}
	if len(in.MetricData) == 0 {
		return cwMissing("MetricData")
	}
	if len(in.MetricData) > MaxPutMetricDataItems {
		return &cwError{400, "ValidationException", "ValidationError", fmt.Sprintf("1 validation error detected: Value at 'metricData' failed to satisfy constraint: Member must have length less than or equal to %d", MaxPutMetricDataItems)}
	}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxPutValueMagnitude }
	type add struct {
		key string
		ss  storedSeries
		p   putPoint
	}
	var adds []add
	for i, d := range in.MetricData {
		n := i + 1
		if d.MetricName == "" {
			return cwMissing(fmt.Sprintf("MetricData.member.%d.MetricName", n))
		}
		if len(d.Dimensions) > 30 {
			return cwInvalid("MetricData.member.%d.Dimensions: at most 30 dimensions are allowed.", n)
		}
		t := now
		if d.Timestamp != nil {
			t = d.Timestamp.UTC()
		}
		if t.Before(now.Add(-putMetricDataMaxPastWindow)) || t.After(now.Add(2*time.Hour)) {
			return cwInvalid("The parameter MetricData.member.%d.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.", n)
		}
		p := putPoint{T: t, HighRes: d.StorageResolution == 1}
		count := 0
		if d.Value != nil {
			count++
			if bad(*d.Value) {
				return cwInvalid("The value %v for parameter MetricData.member.%d.Value is invalid.", *d.Value, n)
			}
			p.Values = []float64{*d.Value}
		}
		if len(d.Values) > 0 {
			count++
			if len(d.Values) > 150 {
				return cwInvalid("MetricData.member.%d.Values: at most 150 values are allowed.", n)
			}
			if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
				return cwInvalid("The parameters MetricData.member.%d.Values and MetricData.member.%d.Counts must be arrays of the same size.", n, n)
			}
			for _, v := range d.Values {
				if bad(v) {
					return cwInvalid("The value %v for parameter MetricData.member.%d.Values is invalid.", v, n)
				}
			}
			for _, c := range d.Counts {
				if bad(c) || c < 0 {
					return cwInvalid("The value %v for parameter MetricData.member.%d.Counts is invalid.", c, n)
				}
			}
			p.Values, p.Counts = append([]float64(nil), d.Values...), append([]float64(nil), d.Counts...)
		}
		if d.StatisticValues != nil {
			count++
			sv := *d.StatisticValues
			if bad(sv.Sum) || bad(sv.Minimum) || bad(sv.Maximum) || bad(sv.SampleCount) || sv.SampleCount <= 0 || sv.Minimum > sv.Maximum {
				return cwInvalid("The parameter MetricData.member.%d.StatisticValues is invalid.", n)
			}
			p.Stat = &sv
		}
		if count == 0 {
			return cwMissing(fmt.Sprintf("MetricData.member.%d.Value", n))
		}
		if count > 1 {
			return cwCombo("The parameters MetricData.member.%d.Value, MetricData.member.%d.Values and MetricData.member.%d.StatisticValues are mutually exclusive.", n, n, n)
		}
		dims := append([]cwDimension{}, d.Dimensions...)
		sort.Slice(dims, func(i, j int) bool { return dims[i].Name < dims[j].Name })
		adds = append(adds, add{metricKey(in.Namespace, d.MetricName, dims), storedSeries{Namespace: in.Namespace, MetricName: d.MetricName, Dimensions: dims, Unit: d.Unit}, p})
	}
	// Readers (getMetricData, getMetricStatistics, persist, /_sandbox/state) hold s.mu.RLock while
	// they use a storedSeries they looked up under cw.mu, so the points change under s.mu too.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cw.mu.Lock()
	defer s.cw.mu.Unlock()
	for _, a := range adds {
		ss, ok := s.cw.series[a.key]
		if !ok {
			cp := a.ss
			ss = &cp
			s.cw.series[a.key] = ss
		}
		if ss.Unit == "" {
			ss.Unit = a.ss.Unit
		}
		i := sort.Search(len(ss.Points), func(i int) bool { return ss.Points[i].T.After(a.p.T) })
		ss.Points = append(ss.Points, putPoint{})
		copy(ss.Points[i+1:], ss.Points[i:])
		ss.Points[i] = a.p
	}
	return nil
}

// MetricPoint is one value for PutMetric.
type MetricPoint struct {
	// Time of the sample: from two weeks before to two hours after the virtual now.
	Time time.Time
	// Value must be finite and within ±2^360.
	Value float64
}

// PutMetric stores points like PutMetricData but from Go and without its
// ban on AWS/ namespaces, so a test can add samples on top of a generated
// AWS/RDS series (e.g. an incident spike): in each period the stored points
// count as extra samples next to the generated 1-minute values. The same
// validation applies (finite values within ±2^360, timestamps from two weeks
// ago to two hours ahead of the virtual clock).
func (s *Server) PutMetric(namespace, metric string, dims map[string]string, unit string, points ...MetricPoint) error {
	in := putMetricDataIn{Namespace: namespace}
	var dl []cwDimension
	for _, k := range sortedKeys(dims) {
		dl = append(dl, cwDimension{Name: k, Value: dims[k]})
	}
	for _, p := range points {
		v, t := p.Value, p.Time
		in.MetricData = append(in.MetricData, cwDatum{MetricName: metric, Dimensions: dl, Timestamp: &t, Value: &v, Unit: unit})
	}
	if e := s.putMetricData(&in, s.clock.Now(), true); e != nil {
		return fmt.Errorf("storing %s/%s points: %s: %s", namespace, metric, e.QueryCode, e.Message)
	}
	s.persist()
	return nil
}
