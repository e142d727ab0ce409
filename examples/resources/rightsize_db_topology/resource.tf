# Decide first: the recommendation's verdict gates the change. allow_single_node keeps the
# recommendation working once the change has made the database one node (it then judges whether one
# node still holds the load); without it every later plan fails with "nothing to consolidate".
data "rightsize_single_node_recommendation" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  allow_single_node      = true
}

data "rightsize_single_node_recommendation" "sso" {
  db_cluster_identifier = "sso-prod"
  allow_single_node     = true
}

# RDS Multi-AZ instance: Multi-AZ off, behind a verified guard snapshot.
resource "rightsize_db_topology" "mandible" {
  db_instance_identifier = "mandible-prod"
  nodes                  = 1
  require_verdict        = data.rightsize_single_node_recommendation.mandible.verdict

  guard = {
    snapshot_identifier_prefix = "rightsize-guard"
    retain                     = true
    verify_restore             = true
    # On the guard snapshot and verify_restore's temporary instance: the tags your tag policy or
    # service control policy requires on what is created, or your cost allocation reads.
    tags = {
      CostCenter = "chat"
    }
  }

  # Compared before and after the change through the postgres connection of this resource's provider
  # configuration: it must reach mandible-prod's database (one provider alias per database).
  validation = {
    tables        = ["users", "messages", "chat_rooms"]
    check_indexes = true
  }

  rollback_on_failure = true
  restore_on_destroy  = false

  timeouts = {
    create = "90m"
    update = "90m"
  }
}

# Aurora PostgreSQL cluster: the reader is removed (and recorded, to be recreated by nodes = 2).
resource "rightsize_db_topology" "sso" {
  db_cluster_identifier = "sso-prod"
  nodes                 = 1
  require_verdict       = data.rightsize_single_node_recommendation.sso.verdict
}

output "mandible_guard_snapshot" {
  value = rightsize_db_topology.mandible.guard_snapshot_arn
}
