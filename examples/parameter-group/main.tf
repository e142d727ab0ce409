# The recommended PostgreSQL parameters for the single node in a DB parameter group, with the AWS provider.
# The static ones (pending_reboot_parameters: shared_buffers, max_connections, max_worker_processes) are read by
# PostgreSQL at server start: RDS takes them only with apply_method "pending-reboot",
# and the instance runs with them once rebooted. A new group such as this one applies all its parameters once it
# is associated with the instance (parameter_group_name) and the instance is rebooted. On one node a reboot is
# downtime: plan it for the migration window the recommendation gives.
#
# A new group replaces the instance's current one, so it holds every parameter a user set there (current_parameters:
# shared_preload_libraries, rds.logical_replication, logging, timeouts...) with the recommended ones over them: a group
# of the recommended parameters alone would drop those at the reboot (and with a logical replication slot,
# wal_level back below logical keeps PostgreSQL from starting). On RDS the recommended shared_buffers (RDS's default,
# a quarter of the memory) also replaces a custom one: keep_current_parameters = ["shared_buffers"] keeps yours.
# Once this group is the instance's, current_parameters lists this group itself: a parameter the recommendation no
# longer gives stays in it until you remove it by hand.

terraform {
  required_providers {
    rightsize = { source = "dbrightsize/rightsize" }
    aws       = { source = "hashicorp/aws" }
  }
}

# Pin the window analysed (end_time and period_seconds), as for the alarms: max_connections (when recommended),
# work_mem and the WAL sizes follow the peak connections and free storage measured, so an unpinned window can
# change the parameter group from one plan to the next.
variable "analysis_end_time" {
  description = "End of the analysed window (RFC 3339), e.g. the plan's time when the change was approved."
  type        = string
}

module "mandible" {
  source                 = "../modules/rightsize-analysis"
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  end_time               = var.analysis_end_time
  period_seconds         = 300
}

resource "aws_db_parameter_group" "mandible_single_node" {
  name   = "mandible-prod-single-node"
  family = "postgres15" # the instance's engine major version

  dynamic "parameter" {
    for_each = module.mandible.parameter_group_parameters
    content {
      name         = parameter.value.name
      value        = parameter.value.value
      apply_method = parameter.value.apply_method
    }
  }

  lifecycle {
    precondition {
      condition     = module.mandible.current_parameters_read
      error_message = "The current DB parameter group of mandible-prod could not be read (see the recommendation's warning): grant rds:DescribeDBParameters, or copy its parameters into this group by hand."
    }
  }
}
