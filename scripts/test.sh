#!/usr/bin/env bash
# `make test`: unit and acceptance tests with the hermetic harness.
# Builds terraform into ./bin if needed, starts a throwaway PostgreSQL 15 on 127.0.0.1 with a PgBouncer in
# transaction pooling in front of it (and, for internal/pgstats, one server of each other major version:
# scripts/pgversions.sh), runs the tests with TF_ACC=1, and stops them again, also when a test fails or the run
# is interrupted.
#   TESTARGS  extra go test flags (default: -count=1 -timeout 40m)
#   PKGS      packages (default: ./...)
set -euo pipefail
cd "$(dirname "$0")/.."
# The full run ends with a race-detector run (below), which needs cgo: say so now, not after the suite.
if [[ -z "${PKGS:-}" && "$(go env CGO_ENABLED)" != 1 ]]; then
	echo "make test: the race-detector run needs cgo, which is off (no C compiler found): install gcc (Debian: apt-get install gcc libc6-dev)" >&2
	exit 1
fi
scripts/ensure-terraform.sh
# promtool for internal/analysis's check of the rendered Prometheus rules (installed when missing, as root on Debian).
if go list ${PKGS:-./...} | grep -qx '.*/internal/analysis'; then
	PROMTOOL=$(scripts/ensure-promtool.sh)
	[[ -n $PROMTOOL ]] && export PROMTOOL
fi
export TF_ACC=1 CHECKPOINT_DISABLE=1 RIGHTSIZE_REQUIRE_HARNESS=1
export TF_ACC_TERRAFORM_PATH="${TF_ACC_TERRAFORM_PATH:-$PWD/bin/terraform}"
# Under OpenTofu (`make test-opentofu`), the provider the tests serve must have an address OpenTofu takes:
# its registry's host (OpenTofu refuses the legacy namespace "-" under registry.terraform.io, and resolves
# `source = "dbrightsize/rightsize"` to registry.opentofu.org/dbrightsize/rightsize).
if [[ $(scripts/cli-version.sh "$TF_ACC_TERRAFORM_PATH") == "OpenTofu "* ]]; then
	export TF_ACC_PROVIDER_HOST=registry.opentofu.org
fi
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/rightsize-testpg.XXXXXX")
matrixdir=$(mktemp -d "${TMPDIR:-/tmp}/rightsize-pgversions.XXXXXX")
cleanup() {
	scripts/testpg.sh stop "$pgdir" || true
	scripts/pgversions.sh stop "$matrixdir" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pgenv=$(scripts/testpg.sh start "$pgdir")
eval "$pgenv"
pgenv=$(scripts/testpg.sh pgbouncer "$pgdir")
eval "$pgenv"
echo "test PostgreSQL: 127.0.0.1:$RIGHTSIZE_TEST_PG_PORT (PgBouncer, transaction pooling: $RIGHTSIZE_TEST_PGBOUNCER_PORT); terraform: $TF_ACC_TERRAFORM_PATH" >&2
# PostgreSQL 12, 13, 14, 16, 17 and 18 for the queries the provider sends (internal/pgstats
# TestCollectAcrossVersions, internal/topology TestPGValidatorAcrossVersions), when one of those tests is among
# those run: its package is listed and a -run pattern in TESTARGS, if any, matches it.
needs_matrix() {
	local pkgs args=" ${TESTARGS:-} " run tests=""
	pkgs=$(go list ${PKGS:-./...})
	grep -qx '.*/internal/pgstats' <<<"$pkgs" && tests+=" TestCollectAcrossVersions TestReplicationSlots"
	grep -qx '.*/internal/topology' <<<"$pkgs" && tests+=" TestPGValidatorAcrossVersions"
	[[ -n $tests ]] || return 1
	[[ $args =~ [[:space:]]-{1,2}run[=[:space:]]+([^[:space:]]+) ]] || return 0
	run=${BASH_REMATCH[1]}
	run=${run#[\"\']} run=${run%[\"\']}
	tr ' ' '\n' <<<"${tests# }" | grep -Eq -- "${run%%/*}"
}
# shellcheck disable=SC2086
if needs_matrix; then
	pgenv=$(scripts/pgversions.sh start "$matrixdir")
	eval "$pgenv"
	echo "other PostgreSQL versions: $RIGHTSIZE_TEST_PG_MATRIX" >&2
fi
# shellcheck disable=SC2086
go test ${TESTARGS:--count=1 -timeout 40m} ${PKGS:-./...}
# The sandbox's concurrency tests again under the race detector, which is what finds state shared
# between its request handlers (the whole suite under -race takes several times as long).
if [[ -z "${PKGS:-}" ]]; then
	go test -race -count=1 -run '^TestConcurrent' ./internal/sandbox/
fi
