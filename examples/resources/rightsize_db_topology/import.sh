# An RDS DB instance, by its identifier.
terraform import rightsize_db_topology.mandible instance:mandible-prod

# An Aurora DB cluster, by its identifier.
terraform import rightsize_db_topology.sso cluster:sso-prod
