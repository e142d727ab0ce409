#!/usr/bin/env bash
# The offline demo: the seed's sso-prod (Aurora writer + reader) and mandible-prod (RDS Multi-AZ) analysed and
# right-sized with no AWS account. Starts the AWS emulator (internal/sandbox) as a process and a throwaway
# PostgreSQL with two databases: chat (mandible-prod's schema, under a short bounded pgbench load) and auth
# (sso-prod's), then runs terraform on examples/demo through a CLI config with dev_overrides (no terraform init,
# no network). Each rightsize_db_topology validates through a provider configuration connected to its own database.
#   scripts/demo.sh plan      `make demo`: plan, summary, reports and charts in examples/demo/out/
#   scripts/demo.sh apply     `make demo-apply`: plan, apply (sso-prod first), then a plan that must be empty
#   scripts/demo.sh rollback  `make demo-rollback`: apply with a validation failure injected: the change rolls back
#   scripts/demo.sh ci        non-interactive: apply, verify the summary against `terraform output -json`,
#                             and fail if a verdict is missing or the final plan is not empty
# DEMO_CLI=tofu runs all of it with OpenTofu (bin/tofu, built by scripts/ensure-opentofu.sh) instead of terraform.
# After an apply (rolled back or not) it checks the emulator's request log: every change to a database must
# follow a successful describe of its available guard snapshot (sandbox.CheckGuarded).
# Everything it starts is stopped at the end, also on Ctrl-C or error.
set -euo pipefail
mode=${1:-plan}
case "$mode" in plan|apply|rollback|ci) ;; *) echo "usage: $0 plan|apply|rollback|ci" >&2; exit 2 ;; esac
case "${DEMO_CLI:=terraform}" in terraform|tofu) ;; *) echo "DEMO_CLI must be terraform or tofu" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
root=$PWD
t0=$(date +%s)
out=$root/examples/demo/out
work=$(mktemp -d "${TMPDIR:-/tmp}/rightsize-demo.XXXXXX")
sandbox_pid=""
writer_pid=""
cleanup() {
  status=$?
  if [ -n "$writer_pid" ] && kill -0 "$writer_pid" 2>/dev/null; then kill "$writer_pid"; wait "$writer_pid" 2>/dev/null || true; fi
  if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; fi
  scripts/testpg.sh stop "$work/pg" 2>/dev/null || true
  if [ $status -ne 0 ] && [ -f "$work/sandbox.log" ]; then echo "--- sandbox log (last lines) ---" >&2; tail -5 "$work/sandbox.log" >&2; fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '\n==> %s\n' "$*"; }

say "Building the provider, the sandbox and the summary tool"
if [ "$DEMO_CLI" = tofu ]; then scripts/ensure-opentofu.sh; else scripts/ensure-terraform.sh; fi
go build -o bin/terraform-provider-rightsize .
go build -o bin/rightsize-sandbox ./internal/sandbox/cmd/sandbox
go build -o bin/demo-summary ./internal/demo/cmd/demo-summary

say "Starting a throwaway PostgreSQL with the chat (mandible-prod) and auth (sso-prod) databases"
chmod 755 "$work" # the postgres OS user must reach its data folder inside
pgenv=$(scripts/testpg.sh start "$work/pg")
eval "$pgenv"
pgbin=$RIGHTSIZE_TEST_PG_BINDIR
psql_() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$RIGHTSIZE_TEST_PG_PORT" -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE chat"
psql_ -d chat -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -f examples/demo/sql/schema.sql >/dev/null
echo "    chat: $(psql_ -d chat -Atc "SELECT format('%s users, %s chat rooms, %s messages', (SELECT count(*) FROM users), (SELECT count(*) FROM chat_rooms), (SELECT count(*) FROM messages))")"
psql_ -d postgres -c "CREATE DATABASE auth"
psql_ -d auth -f examples/demo/sql/auth.sql >/dev/null
echo "    auth: $(psql_ -d auth -Atc "SELECT format('%s users, %s credentials, %s sessions, %s login events', (SELECT count(*) FROM users), (SELECT count(*) FROM credentials), (SELECT count(*) FROM sessions), (SELECT count(*) FROM login_events))")"
echo "    running a bounded chat load (pgbench, 4 clients, ${DEMO_LOAD_SECONDS:-6} s)"
"$pgbin/pgbench" -n -h 127.0.0.1 -p "$RIGHTSIZE_TEST_PG_PORT" -U postgres -c 4 -j 2 -T "${DEMO_LOAD_SECONDS:-6}" \
  -f examples/demo/sql/load.sql chat 2>&1 | grep -E "^(tps|number of transactions actually processed)" | sed 's/^/    pgbench: /'

say "Starting the AWS emulator (scenario demo: sso-prod and mandible-prod, 28 days of CloudWatch history)"
now=$(date -u +%Y-%m-%dT%H:00:00Z)
bin/rightsize-sandbox -addr 127.0.0.1:0 -scenario demo -state "$work/sandbox-state.json" -now "$now" \
  -speed "${DEMO_SPEED:-600}" -endpoint-host 127.0.0.1 -endpoint-port "$RIGHTSIZE_TEST_PG_PORT" \
  >"$work/sandbox.url" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$work/sandbox.url" ] && break; sleep 0.1; done
endpoint=$(head -1 "$work/sandbox.url")
[ -n "$endpoint" ] || { echo "the sandbox did not start" >&2; exit 1; }
echo "    $endpoint"


say "$DEMO_CLI ($mode) on examples/demo"
rm -rf "$out" # generated: a run leaves only its own files
mkdir -p "$work/tf" "$out"
cp examples/demo/*.tf "$work/tf/"
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/dbrightsize/rightsize" = "$root/bin"
    "registry.opentofu.org/dbrightsize/rightsize" = "$root/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$work/terraformrc TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_DATA_DIR=$work/tfdata
tf() { "$root/bin/$DEMO_CLI" -chdir="$work/tf" "$@"; }
vars=(-var "sandbox_endpoint=$endpoint" -var "postgres_port=$RIGHTSIZE_TEST_PG_PORT" -var "end_time=$now")

tf plan -input=false -no-color -out="$work/plan.tfplan" "${vars[@]}" >"$work/plan.log" 2>&1 || { cat "$work/plan.log" >&2; exit 1; }
grep -E "^(Plan:|  # )" "$work/plan.log" | sed 's/^/    /'
cp "$work/plan.log" "$out/plan.txt"
# Warnings: the topology change preview in full, the others by title (out/plan.txt has everything).
awk '/^Warning: Provider development overrides/ {next}
     /^Warning: / {title=$0; full=($0 ~ /Topology Change/); print "    " title; next}
     /^(Error|Plan:)/ {full=0}
     full && /^(Apply|[0-9]\.|[A-Za-z(]|[a-z])/ {print "      " $0}' "$work/plan.log" | head -40
tf show -json "$work/plan.tfplan" >"$work/plan.json"
say "Summary"
bin/demo-summary -plan "$work/plan.json" -out "$out"

if [ "$mode" != plan ]; then
  say "Applying (sso-prod first: lower traffic, the seed's phase 2)"
  if [ "$mode" = rollback ]; then
    # Inject a validation failure into sso-prod, changed first: users (and, by cascade, their credentials and
    # login events) disappear from the auth database during the change, so the row counts recorded before it
    # no longer hold after it (rows lost), and the resource must roll back.
    echo "    injecting a validation failure: a client deletes users from auth during the change (bounded, 20 s)"
    printf 'DELETE FROM users WHERE id = (SELECT min(id) FROM users);\n' >"$work/writer.sql"
    "$pgbin/pgbench" -n -h 127.0.0.1 -p "$RIGHTSIZE_TEST_PG_PORT" -U postgres -c 1 -j 1 -T 20 -R 50 -f "$work/writer.sql" auth >/dev/null 2>&1 &
    writer_pid=$!
  fi
  if ! tf apply -input=false -no-color -auto-approve "$work/plan.tfplan" >"$work/apply.log" 2>&1; then
    # The errors in full, from the first one (the planned change's warning before them is in out/plan.txt);
    # the log's end when there is no error diagnostic (terraform itself failed).
    errors=$(awk '/^Error: / {p=1} p' "$work/apply.log" | grep -vE "^\s*$" || true)
    [ -n "$errors" ] || errors=$(grep -vE "^\s*$" "$work/apply.log" | tail -25)
    printf '%s\n' "$errors" | sed 's/^/    /'
    if [ "$mode" = rollback ]; then
      grep -q "rolled back" "$work/apply.log" || { echo "the apply failed without a rollback" >&2; exit 1; }
      echo "    (expected: the validation failed and the change was rolled back)"
      bin/demo-summary -plan "$work/plan.json" -guarded "$endpoint"
      curl -fsS "$endpoint/_sandbox/log" >"$out/sandbox-requests.json" 2>/dev/null &&
        echo "    the emulator's request log: examples/demo/out/sandbox-requests.json" || rm -f "$out/sandbox-requests.json"
      say "Done in $(( $(date +%s) - t0 )) s"
      exit 0
    fi
    exit 1
  fi
  if [ "$mode" = rollback ]; then
    echo "the injected validation failure did not stop the change: expected a rollback" >&2
    exit 1
  fi
  grep -E "^(rightsize_db_topology\.[A-Za-z0-9_-]+: |Apply complete)" "$work/apply.log" | sed 's/^/    /'
  tf output -json >"$work/outputs.json"
  tf output -no-color topology | sed 's/^/    /'
  bin/demo-summary -plan "$work/plan.json" -verify <"$work/outputs.json"
  bin/demo-summary -plan "$work/plan.json" -guarded "$endpoint"
  say "Final plan (must change no resource)"
  # Stop the emulated clock: it runs DEMO_SPEED times faster than the real one so that RDS's waits pass in
  # seconds, but the provider judges CloudWatch's retention by the real clock, so every virtual hour more would
  # age the pinned window's 1-minute data in the sandbox alone (its coverage, and at last sso-prod's verdict).
  curl -fsS -X POST "$endpoint/_sandbox/clock/speed?x=0" >/dev/null
  echo "    emulated clock stopped at $(curl -fsS "$endpoint/_sandbox/clock" | tr -d ' \n')"
  tf plan -input=false -no-color -out="$work/final.tfplan" "${vars[@]}" >"$work/final.log" 2>&1 || { cat "$work/final.log" >&2; exit 1; }
  grep -E "^(Plan:|No changes)" "$work/final.log" | sed 's/^/    /' || true
  tf show -json "$work/final.tfplan" >"$work/final.json"
  bin/demo-summary -no-changes -plan "$work/final.json"
fi
say "Done in $(( $(date +%s) - t0 )) s (reports and charts in examples/demo/out/)"
