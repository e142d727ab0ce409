package sandbox

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// CloudWatch composite alarms (PutCompositeAlarm, listed by DescribeAlarms with AlarmTypes
// CompositeAlarm): stored and listed, never evaluated.

// maxAlarmRule is the longest AlarmRule AWS accepts, in characters.
const maxAlarmRule = 10240

type putCompositeAlarmIn struct {
	AlarmName               string   `cbor:"AlarmName"`
	AlarmDescription        string   `cbor:"AlarmDescription"`
	AlarmRule               string   `cbor:"AlarmRule"`
	ActionsEnabled          *bool    `cbor:"ActionsEnabled"`
	OKActions               []string `cbor:"OKActions"`
	AlarmActions            []string `cbor:"AlarmActions"`
	InsufficientDataActions []string `cbor:"InsufficientDataActions"`
}

// compositeAlarm is a stored composite alarm, in the CompositeAlarm shape DescribeAlarms returns
// (and the state file keeps).
type compositeAlarm struct {
	AlarmName                          string    `cbor:"AlarmName" json:"alarmName"`
	AlarmArn                           string    `cbor:"AlarmArn" json:"alarmArn"`
	AlarmDescription                   string    `cbor:"AlarmDescription,omitempty" json:"alarmDescription,omitempty"`
	AlarmRule                          string    `cbor:"AlarmRule" json:"alarmRule"`
	AlarmConfigurationUpdatedTimestamp time.Time `cbor:"AlarmConfigurationUpdatedTimestamp" json:"updated"`
	ActionsEnabled                     bool      `cbor:"ActionsEnabled" json:"actionsEnabled"`
	OKActions                          []string  `cbor:"OKActions" json:"okActions,omitempty"`
	AlarmActions                       []string  `cbor:"AlarmActions" json:"alarmActions,omitempty"`
	InsufficientDataActions            []string  `cbor:"InsufficientDataActions" json:"insufficientDataActions,omitempty"`
	alarmState
}

// alarmRuleRef matches a state function of an AlarmRule and the alarm it names, quoted or not,
// by name or ARN: ALARM("a b"), OK(cpu), INSUFFICIENT_DATA(arn:aws:cloudwatch:...:alarm:x).
var alarmRuleRef = regexp.MustCompile(`\b(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]*)"|([^()"]*?))\s*\)`)

// alarmRuleRefs are the alarms rule names (names or ARNs), in order.
func alarmRuleRefs(rule string) []string {
	var out []string
	for _, m := range alarmRuleRef.FindAllStringSubmatch(rule, -1) {
		out = append(out, m[2]+m[3])
	}
	return out
}

func (s *Server) putCompositeAlarm(in *putCompositeAlarmIn, now time.Time) *cwError {
	if e := validAlarmName(in.AlarmName); e != nil {
		return e
	}
	if in.AlarmRule == "" {
		return cwMissing("AlarmRule")
	}
	if utf8.RuneCountInString(in.AlarmRule) > maxAlarmRule {
		return cwValidation("Value at 'alarmRule' failed to satisfy constraint: Member must have length less than or equal to %d", maxAlarmRule)
	}
	if e := validAlarmActions(in.OKActions, in.AlarmActions, in.InsufficientDataActions); e != nil {
		return e
	}
	arn := s.alarmARN(in.AlarmName)
	s.cw.mu.Lock()
	defer s.cw.mu.Unlock()
	if _, ok := s.cw.alarms[in.AlarmName]; ok {
		return cwInvalid("The alarm %s is a metric alarm: a composite alarm cannot have its name.", in.AlarmName)
	}
	// AWS refuses a rule that names an alarm that does not exist (or the composite itself).
	for _, ref := range alarmRuleRefs(in.AlarmRule) {
		name := ref
		// The first ":alarm:" ends the ARN's prefix: the name may hold ":alarm:" too.
		if i := strings.Index(ref, ":alarm:"); strings.HasPrefix(ref, "arn:") && i >= 0 {
			name = ref[i+len(":alarm:"):]
			if ref != s.alarmARN(name) {
				name = ""
			}
		}
		_, metric := s.cw.alarms[name]
		_, composite := s.cw.composites[name]
		if name == in.AlarmName || !metric && !composite {
			return cwInvalid("Error in alarm rule: alarm %s does not exist.", ref)
		}
	}
	a := compositeAlarm{
		AlarmName: in.AlarmName, AlarmArn: arn, AlarmDescription: in.AlarmDescription, AlarmRule: in.AlarmRule,
		AlarmConfigurationUpdatedTimestamp: now, ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions: in.OKActions, AlarmActions: in.AlarmActions, InsufficientDataActions: in.InsufficientDataActions,
		alarmState: newAlarmState(now),
	}
	if old, ok := s.cw.composites[in.AlarmName]; ok {
		// Updating an alarm keeps its state, as AWS does.
		a.alarmState = old.alarmState
	}
	s.cw.composites[in.AlarmName] = &a
	return nil
}

func (m *metricStore) compositeSnapshot() []compositeAlarm { return copiesByKey(&m.mu, m.composites) }

func (m *metricStore) restoreComposites(as []compositeAlarm) {
	composites := keyed(as, func(a *compositeAlarm) string { return a.AlarmName })
	m.mu.Lock()
	defer m.mu.Unlock()
	m.composites = composites
}
