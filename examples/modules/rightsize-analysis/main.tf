# rightsize-analysis: give it a 2-node PostgreSQL deployment (or the one node rightsize_db_topology made of
# it), get back the verdict, the savings and CloudWatch alarm specs shaped like aws_cloudwatch_metric_alarm
# arguments, and the recommended PostgreSQL parameters shaped like aws_db_parameter_group parameter blocks.

terraform {
  required_providers {
    rightsize = {
      source = "dbrightsize/rightsize"
    }
  }
}

variable "db_instance_identifier" {
  description = "An RDS for PostgreSQL Multi-AZ instance. Set exactly one of this and db_cluster_identifier."
  type        = string
  default     = null
}

variable "db_cluster_identifier" {
  description = "An Aurora PostgreSQL cluster with one writer and one reader."
  type        = string
  default     = null
}

variable "lookback_days" {
  type    = number
  default = 14
}

variable "end_time" {
  description = "End of the analysed window (RFC 3339); null means now. Set it with period_seconds to pin the outputs (alarms, costs) so that later plans do not move them."
  type        = string
  default     = null
}

variable "period_seconds" {
  description = "CloudWatch period in seconds; null chooses it from the window's age. 300 keeps a pinned 14-day window reproducible for 63 days."
  type        = number
  default     = null
}

variable "allow_single_node" {
  description = "Keep analysing the deployment after rightsize_db_topology took it to one node (the verdict then says whether that node holds its load), so that plans after the change stay valid; false makes them fail with \"nothing to consolidate\"."
  type        = bool
  default     = true
}

variable "keep_current_parameters" {
  description = "Names of parameters whose value in the writer's current DB parameter group parameter_group_parameters keeps over the recommended one (a shared_buffers you tuned, say)."
  type        = list(string)
  default     = []
}

data "rightsize_single_node_recommendation" "this" {
  db_instance_identifier = var.db_instance_identifier
  db_cluster_identifier  = var.db_cluster_identifier
  lookback_days          = var.lookback_days
  end_time               = var.end_time
  period_seconds         = var.period_seconds
  allow_single_node      = var.allow_single_node
}

locals {
  r = data.rightsize_single_node_recommendation.this
  # The writer's current DB parameter group's parameters; none when it could not be read.
  current_parameters = local.r.current_parameters == null ? {} : local.r.current_parameters
  recommended_parameters = {
    for name, value in local.r.recommended_parameters : name => {
      name         = name
      value        = value
      apply_method = contains(local.r.pending_reboot_parameters, name) ? "pending-reboot" : "immediate"
    }
  }
}

output "verdict" {
  value = local.r.verdict
}

output "single_node_sufficient" {
  value = local.r.single_node_sufficient
}

output "current_monthly_cost" {
  value = local.r.current_monthly_cost
}

output "monthly_savings" {
  value = local.r.monthly_savings
}

output "annual_savings" {
  value = local.r.annual_savings
}

output "cost_item" {
  description = "One entry for the cost module."
  value = {
    name                 = local.r.id
    verdict              = local.r.verdict
    current_monthly_cost = local.r.current_monthly_cost
    monthly_savings      = local.r.monthly_savings
  }
}

output "alarms" {
  description = "Rollback triggers keyed by alarm name, with aws_cloudwatch_metric_alarm argument names."
  value = {
    for a in local.r.rollback_triggers : a.alarm_name => {
      alarm_name          = a.alarm_name
      namespace           = a.namespace
      metric_name         = a.metric_name
      dimensions          = a.dimensions
      statistic           = a.statistic
      period              = a.period
      evaluation_periods  = a.evaluation_periods
      datapoints_to_alarm = a.datapoints_to_alarm
      comparison_operator = a.comparison_operator
      threshold           = a.threshold
      treat_missing_data  = a.treat_missing_data
      alarm_description   = a.alarm_description
      severity            = a.severity
    }
  }
}

output "parameters" {
  description = "Recommended PostgreSQL parameters keyed by name, with aws_db_parameter_group parameter argument names: static ones (read at server start) get apply_method pending-reboot, which RDS requires for them."
  value       = local.recommended_parameters
}

output "parameter_group_parameters" {
  description = "The parameters a new DB parameter group replacing the writer's must hold, shaped as parameters: every one a user set in the writer's current group (current_parameters: extensions, logical replication, logging...), with the recommended ones over them (but for keep_current_parameters). When the current group could not be read (current_parameters_read false, and a warning says why), the recommended ones alone: copy the group's by hand then."
  value = merge(
    {
      for name, value in local.current_parameters : name => {
        name         = name
        value        = value
        apply_method = contains(local.r.current_static_parameters, name) ? "pending-reboot" : "immediate"
      }
    },
    { for name, p in local.recommended_parameters : name => p if !(contains(var.keep_current_parameters, name) && contains(keys(local.current_parameters), name)) },
  )
}

output "current_parameters_read" {
  description = "Whether the writer's current DB parameter group was read, so that parameter_group_parameters holds its parameters (always true for RDS's default groups, which set none)."
  value       = local.r.current_parameters != null
}
