#!/usr/bin/env bash
# How often PostgreSQL publishes a busy connection's transaction counts to pg_stat_database, for a load that
# reads no table (SELECT 'x') and one that reads a table (SELECT n FROM c): one pgbench client runs each for 7 s in
# a scratch database rs_publish_cadence, and from its second second pg_stat_database.xact_commit is read every half
# second for 5 s. Prints, per server, how many times the count moved (a flush every second moves it about 5 times,
# a flush every half second about 9, a held-back count 0). What internal/pgstats/rates.go (unpublishedTransactions)
# cites. Run against servers you started, e.g. those of scripts/testpg.sh and scripts/pgversions.sh:
#
#   scripts/pg-publish-cadence.sh 'postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable' ...
#
# Needs pgbench and psql (Debian's postgresql-15 has both: RIGHTSIZE_TEST_PG_BINDIR, else
# /usr/lib/postgresql/15/bin). It creates and drops rs_publish_cadence on each server.
set -euo pipefail
bindir=${RIGHTSIZE_TEST_PG_BINDIR:-/usr/lib/postgresql/15/bin}
psql=$bindir/psql pgbench=$bindir/pgbench
(($# > 0)) || {
	echo "usage: $0 DSN..." >&2
	exit 2
}
work=$(mktemp -d "${TMPDIR:-/tmp}/rightsize-cadence.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "SELECT 'x'::text AS m;" >"$work/no-table.sql"
echo "SELECT n FROM c;" >"$work/table.sql"

moves() { # dsn scratch-dsn script: how many times xact_commit moved
	local dsn=$1 scratch=$2 script=$3 prev="" v n=0 i
	"$pgbench" -n -M extended -c 1 -T 7 -f "$script" "$scratch" >"$work/pgbench.out" 2>&1 &
	local pid=$!
	sleep 1.5
	for i in $(seq 1 10); do
		v=$("$psql" -X -At "$dsn" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'rs_publish_cadence'")
		[[ -n $prev && $v != "$prev" ]] && n=$((n + 1))
		prev=$v
		sleep 0.5
	done
	wait "$pid" || {
		cat "$work/pgbench.out" >&2
		return 1
	}
	echo "$n"
}

for dsn in "$@"; do
	scratch=$(sed 's#^\(postgres\(ql\)\{0,1\}://[^/]*\)/[^?]*#\1/rs_publish_cadence#' <<<"$dsn")
	"$psql" -X -q "$dsn" -c "DROP DATABASE IF EXISTS rs_publish_cadence" -c "CREATE DATABASE rs_publish_cadence" 2>/dev/null
	"$psql" -X -q "$scratch" -c "CREATE TABLE c (n int); INSERT INTO c VALUES (0)"
	version=$("$psql" -X -At "$dsn" -c "SHOW server_version")
	echo "PostgreSQL $version: no table read: $(moves "$dsn" "$scratch" "$work/no-table.sql") moves in 5 s; a table read: $(moves "$dsn" "$scratch" "$work/table.sql")"
	"$psql" -X -q "$dsn" -c "DROP DATABASE rs_publish_cadence" 2>/dev/null
done
