# Credentials come from the AWS SDK default chain (AWS_PROFILE, environment, SSO, instance role, ...).
provider "rightsize" {
  region = "us-east-1"

  # Default PostgreSQL connection for rightsize_postgres_stats and the topology validation.
  # Every attribute falls back to its libpq variable (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE).
  postgres {
    host     = "mandible-prod.abc123xyz.us-east-1.rds.amazonaws.com"
    database = "chat"
    username = "rightsize" # CREATE ROLE rightsize LOGIN; GRANT pg_monitor TO rightsize;
    sslmode  = "verify-full"
  }
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
