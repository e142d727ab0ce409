package cloudwatch

import (
	"context"
	"fmt"

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

// MetricAlarms lists the region's metric alarms (DescribeAlarms, AlarmTypes MetricAlarm, all
// pages of 100). The error names the IAM action, cloudwatch:DescribeAlarms.
func MetricAlarms(ctx context.Context, api AlarmsAPI) ([]types.MetricAlarm, error) {
	var out []types.MetricAlarm
	p := awscw.NewDescribeAlarmsPaginator(api, &awscw.DescribeAlarmsInput{
		AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm}, MaxRecords: aws.Int32(alarmsPageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing CloudWatch alarms (cloudwatch:DescribeAlarms): %w", err)
		}
		out = append(out, page.MetricAlarms...)
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
// Expression of SELECT ... FROM) are not read.
func WatchingReader(alarms []types.MetricAlarm, cluster, writer, reader string) []analysis.ReaderAlarm {
	var out []analysis.ReaderAlarm
	for _, a := range alarms {
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
// Aurora cluster cluster whose writer is writer (WatchingReader over MetricAlarms).
func ReaderAlarms(ctx context.Context, api AlarmsAPI, cluster, writer, reader string) ([]analysis.ReaderAlarm, error) {
	all, err := MetricAlarms(ctx, api)
	if err != nil {
		return nil, err
	}
	return WatchingReader(all, cluster, writer, reader), nil
}
