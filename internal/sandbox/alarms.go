package sandbox

import (
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CloudWatch metric alarms (PutMetricAlarm, DescribeAlarms): stored and listed, never evaluated.
// Composite alarms are in composite_alarms.go.

// MaxAlarmActions is the most actions each of OKActions, AlarmActions and
// InsufficientDataActions may hold, as AWS documents.
const MaxAlarmActions = 5

// alarmQuery is a MetricDataQuery of an alarm's Metrics (metric math), as sent and as returned.
type alarmQuery struct {
	Id         string        `cbor:"Id" json:"id"`
	MetricStat *cwMetricStat `cbor:"MetricStat,omitempty" json:"metricStat,omitempty"`
	Expression string        `cbor:"Expression,omitempty" json:"expression,omitempty"`
	Label      string        `cbor:"Label,omitempty" json:"label,omitempty"`
	ReturnData *bool         `cbor:"ReturnData,omitempty" json:"returnData,omitempty"`
	Period     int32         `cbor:"Period,omitempty" json:"period,omitempty"`
	AccountId  string        `cbor:"AccountId,omitempty" json:"accountId,omitempty"`
}

type putMetricAlarmIn struct {
	AlarmName               string        `cbor:"AlarmName"`
	AlarmDescription        string        `cbor:"AlarmDescription"`
	ActionsEnabled          *bool         `cbor:"ActionsEnabled"`
	OKActions               []string      `cbor:"OKActions"`
	AlarmActions            []string      `cbor:"AlarmActions"`
	InsufficientDataActions []string      `cbor:"InsufficientDataActions"`
	Namespace               string        `cbor:"Namespace"`
	MetricName              string        `cbor:"MetricName"`
	Dimensions              []cwDimension `cbor:"Dimensions"`
	Statistic               string        `cbor:"Statistic"`
	ExtendedStatistic       string        `cbor:"ExtendedStatistic"`
	Period                  *int32        `cbor:"Period"`
	Unit                    string        `cbor:"Unit"`
	EvaluationPeriods       *int32        `cbor:"EvaluationPeriods"`
	DatapointsToAlarm       *int32        `cbor:"DatapointsToAlarm"`
	Threshold               *float64      `cbor:"Threshold"`
	ComparisonOperator      string        `cbor:"ComparisonOperator"`
	TreatMissingData        string        `cbor:"TreatMissingData"`
	Metrics                 []alarmQuery  `cbor:"Metrics"`
	ThresholdMetricId       string        `cbor:"ThresholdMetricId"`
}

// alarmState is the state of a stored alarm, metric or composite (its fields are promoted into the
// DescribeAlarms shapes, in CBOR and in the state file's JSON alike).
type alarmState struct {
	StateValue                 string    `cbor:"StateValue" json:"stateValue"`
	StateReason                string    `cbor:"StateReason" json:"stateReason"`
	StateUpdatedTimestamp      time.Time `cbor:"StateUpdatedTimestamp" json:"stateUpdated"`
	StateTransitionedTimestamp time.Time `cbor:"StateTransitionedTimestamp" json:"stateTransitioned"`
}

// newAlarmState is the state of an alarm created at now: INSUFFICIENT_DATA until evaluated.
func newAlarmState(now time.Time) alarmState {
	return alarmState{StateValue: "INSUFFICIENT_DATA", StateReason: "Unchecked: Initial alarm creation", StateUpdatedTimestamp: now, StateTransitionedTimestamp: now}
}

// metricAlarm is a stored alarm, in the MetricAlarm shape DescribeAlarms returns (and the state file keeps).
type metricAlarm struct {
	AlarmName                          string    `cbor:"AlarmName" json:"alarmName"`
	AlarmArn                           string    `cbor:"AlarmArn" json:"alarmArn"`
	AlarmDescription                   string    `cbor:"AlarmDescription,omitempty" json:"alarmDescription,omitempty"`
	AlarmConfigurationUpdatedTimestamp time.Time `cbor:"AlarmConfigurationUpdatedTimestamp" json:"updated"`
	ActionsEnabled                     bool      `cbor:"ActionsEnabled" json:"actionsEnabled"`
	OKActions                          []string  `cbor:"OKActions" json:"okActions,omitempty"`
	AlarmActions                       []string  `cbor:"AlarmActions" json:"alarmActions,omitempty"`
	InsufficientDataActions            []string  `cbor:"InsufficientDataActions" json:"insufficientDataActions,omitempty"`
	alarmState
	Namespace          string        `cbor:"Namespace,omitempty" json:"namespace,omitempty"`
	MetricName         string        `cbor:"MetricName,omitempty" json:"metricName,omitempty"`
	Dimensions         []cwDimension `cbor:"Dimensions" json:"dimensions,omitempty"`
	Statistic          string        `cbor:"Statistic,omitempty" json:"statistic,omitempty"`
	ExtendedStatistic  string        `cbor:"ExtendedStatistic,omitempty" json:"extendedStatistic,omitempty"`
	Period             int32         `cbor:"Period,omitempty" json:"period,omitempty"`
	Unit               string        `cbor:"Unit,omitempty" json:"unit,omitempty"`
	EvaluationPeriods  int32         `cbor:"EvaluationPeriods" json:"evaluationPeriods"`
	DatapointsToAlarm  int32         `cbor:"DatapointsToAlarm,omitempty" json:"datapointsToAlarm,omitempty"`
	Threshold          *float64      `cbor:"Threshold,omitempty" json:"threshold,omitempty"`
	ComparisonOperator string        `cbor:"ComparisonOperator" json:"comparisonOperator"`
	TreatMissingData   string        `cbor:"TreatMissingData,omitempty" json:"treatMissingData,omitempty"`
	Metrics            []alarmQuery  `cbor:"Metrics" json:"metrics,omitempty"`
	ThresholdMetricId  string        `cbor:"ThresholdMetricId,omitempty" json:"thresholdMetricId,omitempty"`
}

type describeAlarmsIn struct {
	AlarmNames      []string `cbor:"AlarmNames"`
	AlarmNamePrefix string   `cbor:"AlarmNamePrefix"`
	AlarmTypes      []string `cbor:"AlarmTypes"`
	StateValue      string   `cbor:"StateValue"`
	MaxRecords      *int32   `cbor:"MaxRecords"`
	NextToken       string   `cbor:"NextToken"`
	// Filters the sandbox does not emulate: refused rather than ignored (describeAlarms).
	ActionPrefix        string `cbor:"ActionPrefix"`
	ChildrenOfAlarmName string `cbor:"ChildrenOfAlarmName"`
	ParentsOfAlarmName  string `cbor:"ParentsOfAlarmName"`
}

type describeAlarmsOut struct {
	MetricAlarms    []metricAlarm    `cbor:"MetricAlarms"`
	CompositeAlarms []compositeAlarm `cbor:"CompositeAlarms"`
	NextToken       string           `cbor:"NextToken,omitempty"`
}

// cwValidation is AWS's ValidationError for a member that fails its model constraint.
func cwValidation(format string, a ...any) *cwError {
	return &cwError{400, "ValidationException", "ValidationError", "1 validation error detected: " + fmt.Sprintf(format, a...)}
}

var (
	alarmComparisons  = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"}
	alarmStatistics   = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	alarmMissingData  = []string{"breaching", "notBreaching", "ignore", "missing"}
	alarmStates       = []string{"OK", "ALARM", "INSUFFICIENT_DATA"}
	alarmTypes        = []string{"CompositeAlarm", "MetricAlarm", "LogAlarm"} // the sandbox has no log alarms: LogAlarm lists none
	anomalyComparison = map[string]bool{"LessThanLowerOrGreaterThanUpperThreshold": true, "LessThanLowerThreshold": true, "GreaterThanUpperThreshold": true}
)

func enumError(value, member string, set []string) *cwError {
	return cwValidation("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, member, strings.Join(set, ", "))
}

// validAlarmPeriod: an alarm's period is 10, 20 or 30 seconds (high resolution) or a multiple of 60.
func validAlarmPeriod(p int64) bool {
	return p == 10 || p == 20 || p == 30 || p > 0 && p%60 == 0
}

// alarmExtendedStatRE matches the extended statistics PutMetricAlarm documents: p90, tm90, tc90, ts90,
// wm90 (any percentile, as GetMetricData's p90), IQM, PR(n:m) and TC, TM, TS and WM(X%:X%).
var alarmExtendedStatRE = regexp.MustCompile(`^(?:(?:p|tm|tc|ts|wm)(?:\d{1,2}(?:\.\d{1,10})?|100)|IQM|PR\(-?\d+(?:\.\d+)?:-?\d+(?:\.\d+)?\)|(?:TC|TM|TS|WM)\((\d+(?:\.\d+)?)%:(\d+(?:\.\d+)?)%\))$`)

// validAlarmExtendedStatistic reports whether stat is an extended statistic an alarm may use; in
// TC, TM, TS and WM(X%:X%) each X is between 10 and 90 inclusive, as documented.
func validAlarmExtendedStatistic(stat string) bool {
	m := alarmExtendedStatRE.FindStringSubmatch(stat)
	if m == nil {
		return false
	}
	for _, x := range m[1:] {
		if v, err := strconv.ParseFloat(x, 64); x != "" && (err != nil || v < 10 || v > 90) {
			return false
		}
	}
	return true
}

// statRangeRE matches a statistic over a range of values (Amazon CloudWatch User Guide,
// "CloudWatch statistics definitions"): TM, TC, TS or WM(a:b), each bound a percentage or an
// absolute value, or PR(a:b), absolute values; either bound may be left out (PR(:300), TS(80%:)).
var (
	statRangeRE = regexp.MustCompile(`^(TM|TC|TS|WM|PR)\(([^:()]*):([^:()]*)\)$`)
	statBoundRE = regexp.MustCompile(`^(?:-?\d+(?:\.\d+)?|\d{1,3}(?:\.\d{1,10})?%)$`)
)

// validAlarmQueryStat reports whether stat may be the Stat of a MetricStat in an alarm's Metrics:
// "any CloudWatch statistic or extended statistic" (MetricStat), which takes more forms than
// PutMetricAlarm's ExtendedStatistic: TM(2%:98%), TM(150:1000), PR(:300), TS(80%:),
// TC(0.005:0.030), with percentages from 0 to 100 and at least one bound.
func validAlarmQueryStat(stat string) bool {
	if slices.Contains(alarmStatistics, stat) || validAlarmExtendedStatistic(stat) {
		return true
	}
	m := statRangeRE.FindStringSubmatch(stat)
	if m == nil || m[2] == "" && m[3] == "" {
		return false
	}
	for _, b := range m[2:] {
		pct := strings.HasSuffix(b, "%")
		if b == "" {
			continue
		}
		if !statBoundRE.MatchString(b) || pct && m[1] == "PR" {
			return false
		}
		if v, err := strconv.ParseFloat(strings.TrimSuffix(b, "%"), 64); pct && (err != nil || v > 100) {
			return false
		}
	}
	return true
}

// validAlarmName checks an AlarmName of PutMetricAlarm or PutCompositeAlarm: set, at most 255 characters.
func validAlarmName(name string) *cwError {
	if name == "" {
		return cwMissing("AlarmName")
	}
	if utf8.RuneCountInString(name) > 255 {
		return cwValidation("Value at 'alarmName' failed to satisfy constraint: Member must have length less than or equal to 255")
	}
	return nil
}

// validAlarmActions checks the OKActions, AlarmActions and InsufficientDataActions of
// PutMetricAlarm or PutCompositeAlarm: at most MaxAlarmActions each, every one an ARN.
func validAlarmActions(ok, alarm, insufficient []string) *cwError {
	for _, l := range []struct {
		name    string
		actions []string
	}{{"oKActions", ok}, {"alarmActions", alarm}, {"insufficientDataActions", insufficient}} {
		if len(l.actions) > MaxAlarmActions {
			return cwValidation("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", l.name, MaxAlarmActions)
		}
		for _, a := range l.actions {
			if !strings.HasPrefix(a, "arn:") {
				return cwInvalid("Invalid arn syntax: %s", a)
			}
		}
	}
	return nil
}

// alarmARN is the ARN of the alarm (metric or composite) name in the scenario's region and account.
func (s *Server) alarmARN(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", s.sc.region(), s.sc.account(), name)
}

func (s *Server) putMetricAlarm(in *putMetricAlarmIn, now time.Time) *cwError {
	if e := validAlarmName(in.AlarmName); e != nil {
		return e
	}
	if in.EvaluationPeriods == nil {
		return cwMissing("EvaluationPeriods")
	}
	if *in.EvaluationPeriods < 1 {
		return cwValidation("Value '%d' at 'evaluationPeriods' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.EvaluationPeriods)
	}
	if in.DatapointsToAlarm != nil && (*in.DatapointsToAlarm < 1 || *in.DatapointsToAlarm > *in.EvaluationPeriods) {
		return cwInvalid("The value %d for parameter DatapointsToAlarm is invalid: it must be from 1 to EvaluationPeriods (%d).", *in.DatapointsToAlarm, *in.EvaluationPeriods)
	}
	if in.ComparisonOperator == "" {
		return cwMissing("ComparisonOperator")
	}
	if !slices.Contains(alarmComparisons, in.ComparisonOperator) {
		return enumError(in.ComparisonOperator, "comparisonOperator", alarmComparisons)
	}
	if anomalyComparison[in.ComparisonOperator] != (in.ThresholdMetricId != "") {
		return cwCombo("ThresholdMetricId goes with the anomaly detection comparison operators (LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold), and only with them.")
	}
	if in.ThresholdMetricId == "" && in.Threshold == nil {
		return cwMissing("Threshold")
	}
	if in.ThresholdMetricId != "" && in.Threshold != nil {
		return cwCombo("Threshold and ThresholdMetricId are mutually exclusive.")
	}
	if in.Threshold != nil && (math.IsNaN(*in.Threshold) || math.IsInf(*in.Threshold, 0)) {
		return cwInvalid("The value %v for parameter Threshold is invalid.", *in.Threshold)
	}
	if in.TreatMissingData != "" && !slices.Contains(alarmMissingData, in.TreatMissingData) {
		return cwValidation("Value '%s' at 'treatMissingData' failed to satisfy constraint: Member must be one of [%s]", in.TreatMissingData, strings.Join(alarmMissingData, ", "))
	}
	if e := validAlarmActions(in.OKActions, in.AlarmActions, in.InsufficientDataActions); e != nil {
		return e
	}
	single := in.MetricName != "" || in.Namespace != "" || in.Statistic != "" || in.ExtendedStatistic != "" || len(in.Dimensions) > 0 || in.Period != nil
	switch {
	case len(in.Metrics) > 0 && single:
		return cwCombo("The parameters MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions and Period cannot be used with Metrics.")
	case len(in.Metrics) > 0:
		if e := validAlarmMetrics(in.Metrics, in.ThresholdMetricId); e != nil {
			return e
		}
	default:
		if in.MetricName == "" {
			return cwMissing("MetricName")
		}
		if in.Namespace == "" {
			return cwMissing("Namespace")
		}
		if (in.Statistic == "") == (in.ExtendedStatistic == "") {
			return cwCombo("Exactly one of Statistic and ExtendedStatistic must be specified.")
		}
		if in.Statistic != "" && !slices.Contains(alarmStatistics, in.Statistic) {
			return enumError(in.Statistic, "statistic", alarmStatistics)
		}
		if in.ExtendedStatistic != "" && !validAlarmExtendedStatistic(in.ExtendedStatistic) {
			return cwInvalid("The value %s for parameter ExtendedStatistic is invalid.", in.ExtendedStatistic)
		}
		if in.Period == nil {
			return cwMissing("Period")
		}
		if !validAlarmPeriod(int64(*in.Period)) {
			return cwInvalid("The value %d for parameter Period is invalid: it must be 10, 20, 30 or a multiple of 60.", *in.Period)
		}
		if len(in.Dimensions) > 30 {
			return cwValidation("Value at 'dimensions' failed to satisfy constraint: Member must have length less than or equal to 30")
		}
		for i, d := range in.Dimensions {
			if d.Name == "" || d.Value == "" {
				return cwMissing(fmt.Sprintf("Dimensions.member.%d.Name and Value", i+1))
			}
		}
	}
	a := metricAlarm{
		AlarmName: in.AlarmName, AlarmDescription: in.AlarmDescription,
		AlarmArn:                           s.alarmARN(in.AlarmName),
		AlarmConfigurationUpdatedTimestamp: now, ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions: in.OKActions, AlarmActions: in.AlarmActions, InsufficientDataActions: in.InsufficientDataActions,
		Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions, Statistic: in.Statistic,
		ExtendedStatistic: in.ExtendedStatistic, Unit: in.Unit, EvaluationPeriods: *in.EvaluationPeriods,
		Threshold: in.Threshold, ComparisonOperator: in.ComparisonOperator, TreatMissingData: in.TreatMissingData,
		Metrics: in.Metrics, ThresholdMetricId: in.ThresholdMetricId,
		alarmState: newAlarmState(now),
	}
	if in.Period != nil {
		a.Period = *in.Period
	}
	if in.DatapointsToAlarm != nil {
		a.DatapointsToAlarm = *in.DatapointsToAlarm
	}
	s.cw.mu.Lock()
	defer s.cw.mu.Unlock()
	if _, ok := s.cw.composites[in.AlarmName]; ok {
		return cwInvalid("The alarm %s is a composite alarm: a metric alarm cannot have its name.", in.AlarmName)
	}
	if old, ok := s.cw.alarms[in.AlarmName]; ok {
		// Updating an alarm keeps its state, as AWS does.
		a.alarmState = old.alarmState
	}
	s.cw.alarms[in.AlarmName] = &a
	return nil
}

// validAlarmMetrics checks an alarm's metric math: unique ids, exactly one of MetricStat and
// Expression each, and exactly one query returning data (ReturnData true, its default).
func validAlarmMetrics(qs []alarmQuery, thresholdID string) *cwError {
	seen := map[string]bool{}
	returning := 0
	for i, q := range qs {
		n := i + 1
		if !queryIDRE.MatchString(q.Id) {
			return cwInvalid("The value %s for parameter Metrics.member.%d.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.", q.Id, n)
		}
		if seen[q.Id] {
			return cwInvalid("The value %s for parameter Metrics.member.%d.Id is not unique.", q.Id, n)
		}
		seen[q.Id] = true
		if (q.MetricStat == nil) == (q.Expression == "") {
			return cwCombo("Metrics.member.%d: exactly one of MetricStat and Expression must be specified.", n)
		}
		if ms := q.MetricStat; ms != nil {
			if ms.Metric.Namespace == "" || ms.Metric.MetricName == "" {
				return cwMissing(fmt.Sprintf("Metrics.member.%d.MetricStat.Metric.Namespace and MetricName", n))
			}
			if !validAlarmPeriod(int64(ms.Period)) {
				return cwInvalid("The value %d for parameter Metrics.member.%d.MetricStat.Period is invalid: it must be 10, 20, 30 or a multiple of 60.", ms.Period, n)
			}
			// Alarms are never evaluated: any statistic AWS takes will do, not only those GetMetricData computes.
			if !validAlarmQueryStat(ms.Stat) {
				return cwInvalid("The value %s for parameter Metrics.member.%d.MetricStat.Stat is invalid.", ms.Stat, n)
			}
		}
		if q.ReturnData == nil || *q.ReturnData {
			returning++
		}
	}
	if thresholdID != "" && !seen[thresholdID] {
		return cwInvalid("ThresholdMetricId %s is not the Id of a member of Metrics.", thresholdID)
	}
	want := 1
	if thresholdID != "" {
		want = 2 // the anomaly detection band returns data too
	}
	if returning != want {
		return cwInvalid("Exactly one element of the metrics list should return data.")
	}
	return nil
}

func (s *Server) describeAlarms(in *describeAlarmsIn) (any, *cwError) {
	for _, f := range []struct{ name, value string }{{"ActionPrefix", in.ActionPrefix},
		{"ChildrenOfAlarmName", in.ChildrenOfAlarmName}, {"ParentsOfAlarmName", in.ParentsOfAlarmName}} {
		if f.value != "" {
			// Ignoring the filter would list every alarm, as if it matched them all.
			return nil, cwInvalid("The sandbox does not emulate DescribeAlarms' %s filter.", f.name)
		}
	}
	limit := 50
	if in.MaxRecords != nil {
		if *in.MaxRecords < 1 || *in.MaxRecords > 100 {
			return nil, cwValidation("Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", *in.MaxRecords)
		}
		limit = int(*in.MaxRecords)
	}
	if len(in.AlarmNames) > 100 {
		return nil, cwValidation("Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		return nil, cwCombo("AlarmNames and AlarmNamePrefix are mutually exclusive.")
	}
	if in.StateValue != "" && !slices.Contains(alarmStates, in.StateValue) {
		return nil, enumError(in.StateValue, "stateValue", alarmStates)
	}
	metric, composite := len(in.AlarmTypes) == 0, false // without AlarmTypes, only metric alarms are listed
	for _, t := range in.AlarmTypes {
		if !slices.Contains(alarmTypes, t) {
			return nil, enumError(t, "alarmTypes.member", alarmTypes)
		}
		metric = metric || t == "MetricAlarm"
		composite = composite || t == "CompositeAlarm"
	}
	after := ""
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || !strings.HasPrefix(string(raw), "a:") {
			return nil, &cwError{400, "InvalidNextToken", "InvalidNextToken", "The service couldn't process the NextToken."}
		}
		after = string(raw[2:])
	}
	out := &describeAlarmsOut{MetricAlarms: []metricAlarm{}, CompositeAlarms: []compositeAlarm{}}
	s.cw.mu.RLock()
	defer s.cw.mu.RUnlock()
	// One listing of both types in name order (alarm names are unique across types), MaxRecords
	// alarms a page, one NextToken for both.
	var names []string
	keep := func(name, state string) {
		if name <= after && after != "" ||
			in.AlarmNamePrefix != "" && !strings.HasPrefix(name, in.AlarmNamePrefix) ||
			len(in.AlarmNames) > 0 && !slices.Contains(in.AlarmNames, name) ||
			in.StateValue != "" && state != in.StateValue {
			return
		}
		names = append(names, name)
	}
	if metric {
		for name, a := range s.cw.alarms {
			keep(name, a.StateValue)
		}
	}
	if composite {
		for name, a := range s.cw.composites {
			keep(name, a.StateValue)
		}
	}
	sort.Strings(names)
	if len(names) > limit {
		names = names[:limit]
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("a:" + names[limit-1]))
	}
	for _, name := range names {
		if a, ok := s.cw.alarms[name]; ok && metric {
			out.MetricAlarms = append(out.MetricAlarms, *a)
		} else {
			out.CompositeAlarms = append(out.CompositeAlarms, *s.cw.composites[name])
		}
	}
	return out, nil
}

func (m *metricStore) alarmSnapshot() []metricAlarm { return copiesByKey(&m.mu, m.alarms) }

func (m *metricStore) restoreAlarms(as []metricAlarm) {
	alarms := keyed(as, func(a *metricAlarm) string { return a.AlarmName })
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alarms = alarms
}
