# Rollback alarms for a consolidated cluster: the recommendation's rollback_triggers become real
# CloudWatch alarms with the AWS provider. If one fires after the change of an Aurora cluster, apply nodes = 2
# again (the reader takes its reads back); after a Multi-AZ change, whose standby served nothing, the load has
# grown: resize the instance (the standby restores failover, not capacity).

terraform {
  required_providers {
    rightsize = { source = "dbrightsize/rightsize" }
    aws       = { source = "hashicorp/aws" }
  }
}

# The alarms are derived from the window analysed: pin it (end_time and period_seconds) to the analysis
# you reviewed, so that later plans do not move the thresholds the change was approved with. CloudWatch
# serves 5-minute data for 63 days: after that the plan fails, saying so, and moving analysis_end_time
# forward derives the alarms from recent load.
variable "analysis_end_time" {
  description = "End of the analysed window (RFC 3339), e.g. the plan's time when the change was approved."
  type        = string
}

variable "alarm_topic_arn" {
  description = "SNS topic the critical alarms notify (on call): an alarm without actions notifies nobody."
  type        = string
}

variable "warning_topic_arn" {
  description = "SNS topic the warnings notify (a cost, such as surplus CPU credits charged, rather than an outage)."
  type        = string
}

module "sso" {
  source                = "../modules/rightsize-analysis"
  db_cluster_identifier = "sso-prod"
  end_time              = var.analysis_end_time
  period_seconds        = 300
}

# No unit argument: CloudWatch recommends omitting it (a unit that does not match the one the metric is
# published with leaves the alarm in INSUFFICIENT_DATA). rollback_triggers' unit only documents the threshold.
resource "aws_cloudwatch_metric_alarm" "rollback" {
  for_each = module.sso.alarms

  alarm_name          = each.value.alarm_name
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  treat_missing_data  = each.value.treat_missing_data
  alarm_description   = each.value.alarm_description

  # rightsize-availability-<instance> treats missing data as breaching: a node that is down, publishing nothing, is in ALARM.
  alarm_actions = [each.value.severity == "critical" ? var.alarm_topic_arn : var.warning_topic_arn]
  ok_actions    = [each.value.severity == "critical" ? var.alarm_topic_arn : var.warning_topic_arn]
}
