package cloudwatch

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
)

// AlarmsAPI is the CloudWatch call that lists alarms (cloudwatch:DescribeAlarms);
// *cloudwatch.Client satisfies it.
type AlarmsAPI interface {
	DescribeAlarms(ctx context.Context, in *awscw.DescribeAlarmsInput, optFns ...func(*awscw.Options)) (*awscw.DescribeAlarmsOutput, error)
}

// alarmsPageSize is DescribeAlarms' largest MaxRecords.
const alarmsPageSize = 100

// Alarms are the region's alarms of both types, as DescribeAlarms lists them.
type Alarms struct {
	Metric    []types.MetricAlarm
	Composite []types.CompositeAlarm
}

// ListAlarms lists the region's metric and composite alarms (one DescribeAlarms listing, AlarmTypes
// MetricAlarm and CompositeAlarm, all pages of 100). The error names the IAM action,
// cloudwatch:DescribeAlarms.
func ListAlarms(ctx context.Context, api AlarmsAPI) (Alarms, error) {
	var out Alarms
	p := awscw.NewDescribeAlarmsPaginator(api, &awscw.DescribeAlarmsInput{
		AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm}, MaxRecords: aws.Int32(alarmsPageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Alarms{}, fmt.Errorf("listing CloudWatch alarms (cloudwatch:DescribeAlarms): %w", err)
		}
		out.Metric = append(out.Metric, page.MetricAlarms...)
		out.Composite = append(out.Composite, page.CompositeAlarms...)
	}
	return out, nil
}

// WatchingReader returns, in the order of alarms, those that watch the reader of the Aurora
// cluster cluster whose writer is writer (so that its removal, as the cluster's last reader,
// leaves them without data): whose metric, or one of whose metric-math MetricStats, is in
// namespace AWS/RDS and has dimension DBInstanceIdentifier = reader, or dimensions
// DBClusterIdentifier = cluster and Role = READER (the readers' series, which stops with no
// reader), or is the cluster's AuroraReplicaLag (DBClusterIdentifier alone), which only readers
// publish, or is AuroraReplicaLagMaximum or AuroraReplicaLagMinimum of the writer or of the
// cluster, which the primary publishes about its replicas (none once the reader is gone). The
// writer's other metrics, Role WRITER's and the cluster's other aggregates go on. A metric-math
// alarm that also reads a metric that goes on is marked OtherMetrics: whether it loses its data
// depends on its expression. Identifiers are compared exactly: CloudWatch dimension values are
// case-sensitive, and RDS publishes its identifiers in lower case. Metric Insights queries (an
// Expression of SELECT ... FROM) are not read. Each carries the composite alarms over it
// (compositesOver).
func WatchingReader(alarms Alarms, cluster, writer, reader string) []analysis.ReaderAlarm {
	var out []analysis.ReaderAlarm
	for _, a := range alarms.Metric {
		ns, metric, math, other := "", "", false, false
		if watches(aws.ToString(a.Namespace), aws.ToString(a.MetricName), a.Dimensions, cluster, writer, reader) {
			ns, metric = aws.ToString(a.Namespace), aws.ToString(a.MetricName)
		}
		for _, q := range a.Metrics {
			ms := q.MetricStat
			if ms == nil || ms.Metric == nil {
				continue
			}
			switch {
			case !watches(aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName), ms.Metric.Dimensions, cluster, writer, reader):
				other = true
			case metric == "":
				ns, metric, math = aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName), true
			}
		}
		if metric == "" {
			continue
		}
		out = append(out, analysis.ReaderAlarm{
			Name: aws.ToString(a.AlarmName), Namespace: ns, Metric: metric, MetricMath: math, OtherMetrics: math && other,
			State: string(a.StateValue), TreatMissingData: aws.ToString(a.TreatMissingData),
			ActionsEnabled: aws.ToBool(a.ActionsEnabled), OKActions: len(a.OKActions), AlarmActions: len(a.AlarmActions),
			InsufficientDataActions: len(a.InsufficientDataActions),
			Composites:              compositesOver(alarms.Composite, aws.ToString(a.AlarmName), aws.ToString(a.AlarmArn)),
		})
	}
	return out
}

// watches reports whether the metric (namespace, name, dims) is one the removal of the reader of
// cluster, whose writer is writer, leaves without data (WatchingReader).
func watches(namespace, name string, dims []types.Dimension, cluster, writer, reader string) bool {
	if namespace != "AWS/RDS" {
		return false
	}
	d := map[string]string{}
	for _, x := range dims {
		d[aws.ToString(x.Name)] = aws.ToString(x.Value)
	}
	lagOfReplicas := name == analysis.MetricAuroraReplicaLagMaximum || name == analysis.MetricAuroraReplicaLagMinimum
	switch {
	case reader != "" && d["DBInstanceIdentifier"] == reader:
		return true
	case lagOfReplicas && writer != "" && len(d) == 1 && d["DBInstanceIdentifier"] == writer:
		return true
	case cluster == "" || d["DBClusterIdentifier"] != cluster:
		return false
	case len(d) == 2 && d["Role"] == "READER":
		return true
	case lagOfReplicas && (len(d) == 1 || len(d) == 2 && d["Role"] == "WRITER"):
		return true
	}
	return len(d) == 1 && name == analysis.MetricAuroraReplicaLag
}

// ReaderAlarms lists the metric alarms of the region that watch reader, the only reader of the
// Aurora cluster cluster whose writer is writer, with the composite alarms over them
// (WatchingReader over ListAlarms).
func ReaderAlarms(ctx context.Context, api AlarmsAPI, cluster, writer, reader string) ([]analysis.ReaderAlarm, error) {
	all, err := ListAlarms(ctx, api)
	if err != nil {
		return nil, err
	}
	return WatchingReader(all, cluster, writer, reader), nil
}

// ruleTerm is a state function of a composite alarm's AlarmRule and the alarm it names, by name or
// ARN, quoted or not (PutCompositeAlarm): ALARM("sso-reader-cpu"), OK(sso-reader-conns),
// INSUFFICIENT_DATA(arn:aws:cloudwatch:us-east-1:123456789012:alarm:x).
var ruleTerm = regexp.MustCompile(`\b(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]*)"|([^()"]*?))\s*\)`)

// ruleAlarms returns the alarms rule reads in ALARM(), OK() or INSUFFICIENT_DATA() (names or
// ARNs, as written): its state may change with any of them (INSUFFICIENT_DATA(x) goes true when x
// loses its data); and whether rule is an OR of ALARM() terms alone (ALARM(a), ALARM(a) OR
// (ALARM(b) OR ALARM(c))): one that goes to ALARM whenever one of them does. AND, NOT, OK(),
// INSUFFICIENT_DATA(), TRUE, FALSE or anything else make it false. AT_LEAST(...), whose alarms are
// not in a state function, is not read.
func ruleAlarms(rule string) (alarms []string, orOfAlarms bool) {
	orOfAlarms = true
	for _, m := range ruleTerm.FindAllStringSubmatch(rule, -1) {
		alarms = append(alarms, m[2]+m[3])
		if m[1] != "ALARM" {
			orOfAlarms = false
		}
	}
	rest := ruleTerm.ReplaceAllString(rule, " X ")
	for _, tok := range strings.FieldsFunc(rest, func(r rune) bool { return r == '(' || r == ')' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		if tok != "X" && tok != "OR" {
			orOfAlarms = false
		}
	}
	return alarms, orOfAlarms && len(alarms) > 0
}

// compositesOver returns, in the order of composites, those whose rule reads the metric alarm
// name (whose ARN is arn) in ALARM(), OK() or INSUFFICIENT_DATA(), by name or ARN, directly or
// through other composites of composites; each is OrOfAlarms when some chain of rules from it down to the alarm is ORs of
// ALARM() terms alone.
func compositesOver(composites []types.CompositeAlarm, name, arn string) []analysis.CompositeAlarm {
	type rule struct {
		alarms []string
		or     bool
	}
	rules := make([]rule, len(composites))
	for i, c := range composites {
		rules[i].alarms, rules[i].or = ruleAlarms(aws.ToString(c.AlarmRule))
	}
	// reached holds the alarms (by name and ARN) whose state may change with name's: reached[key]
	// is whether the alarm goes to ALARM whenever name does.
	reached := map[string]bool{name: true}
	if arn != "" {
		reached[arn] = true
	}
	over := make([]*bool, len(composites))
	for changed := true; changed; {
		changed = false
		for i, c := range composites {
			for _, ref := range rules[i].alarms {
				certain, ok := reached[ref]
				if !ok || over[i] != nil && (*over[i] || !certain || !rules[i].or) {
					continue
				}
				v := certain && rules[i].or
				over[i] = &v
				reached[aws.ToString(c.AlarmName)], changed = v, true
				if a := aws.ToString(c.AlarmArn); a != "" {
					reached[a] = v
				}
			}
		}
	}
	var out []analysis.CompositeAlarm
	for i, c := range composites {
		if over[i] == nil {
			continue
		}
		out = append(out, analysis.CompositeAlarm{Name: aws.ToString(c.AlarmName), OrOfAlarms: *over[i], State: string(c.StateValue),
			ActionsEnabled: aws.ToBool(c.ActionsEnabled), AlarmActions: len(c.AlarmActions)})
	}
	return out
}
