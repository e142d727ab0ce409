# Credentials come from the AWS SDK default chain (AWS_PROFILE, environment, SSO, instance role, ...).
provider "rightsize" {
  region = "us-east-1"

  # Default PostgreSQL connection for rightsize_postgres_stats and the topology validation: one database.
  # For another database, add a provider "rightsize" block with alias = "..." and set provider = rightsize.<alias>.
  # Every attribute falls back to the libpq connection service PGSERVICE names (in PGSERVICEFILE, else
  # ~/.pg_service.conf, else $PGSYSCONFDIR/pg_service.conf), then to its libpq variable (PGHOST, PGPORT, PGDATABASE,
  # PGUSER, PGPASSWORD, PGSSLMODE, PGSSLROOTCERT), as in libpq.
  postgres {
    host     = "mandible-prod.abc123xyz.us-east-1.rds.amazonaws.com"
    database = "chat"
    username = "rightsize" # CREATE ROLE rightsize LOGIN PASSWORD '...'; GRANT pg_monitor TO rightsize;
    # Verify the server, so that the password goes to no other: AWS's CA bundle of every region
    # (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem).
    sslmode     = "verify-full"
    sslrootcert = "${path.module}/global-bundle.pem"
    # password = ... (or PGPASSWORD); or iam_auth = true (no password; GRANT rds_iam TO rightsize;)
  }

  # A class newer than the embedded catalog (AWS's 2023-06 families), such as db.r8g or db.m7i:
  # describe it, from the RDS instance-class table, with its on-demand prices in this region from
  # the RDS pricing page, so that deployments on it can be analysed and priced.
  # instance_classes = [{
  #   name       = "db.r8g.large"
  #   vcpu       = 2
  #   memory_gib = 16
  #   aurora     = true
  #   aurora_local_storage_gib = 32 # Aurora's local storage for the class, for the local_storage check
  #   hourly_usd = { single_az = ..., multi_az = ..., aurora = ... }
  # }]

  # Prices of the catalog's classes in this region, where the catalog has none (it prices
  # us-east-1, us-west-2, eu-west-1, eu-central-1 and ap-southeast-1) or for the rates you pay;
  # where it has none, give every size the single node may run (a size without a price is left
  # out of the recommendation's candidates, with a warning):
  # instance_prices = [{ instance_class = "db.t4g.large", single_az = ..., multi_az = ... }]
  # (an Aurora class's aurora price, and aurora_io_optimized for an I/O-Optimized cluster when
  # your rate for it is not 1.3 times the Aurora Standard one)
  # and the Single-AZ storage prices, per GB-month and per provisioned IOPS- or MiB/s-month (a
  # Multi-AZ instance pays them twice):
  # storage_prices = { gp3 = ..., io1 = ..., io1_iops = ..., gp3_throughput = ... }
}

# Against an emulator (this project's sandbox, LocalStack, moto):
# provider "rightsize" {
#   region     = "us-east-1"
#   access_key = "test"
#   secret_key = "test"
#   endpoints {
#     rds                     = "http://127.0.0.1:4566"
#     cloudwatch              = "http://127.0.0.1:4566"
#     application_autoscaling = "http://127.0.0.1:4566"
#   }
# }
