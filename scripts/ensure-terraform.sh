#!/usr/bin/env bash
# Builds terraform v1.5.7 (the last MPL release) from the Go module proxy into ./bin when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
want=1.5.7
if [ -x bin/terraform ] && [[ $(scripts/cli-version.sh bin/terraform) == "Terraform v$want" ]]; then
  exit 0
fi
echo "Building terraform v$want from the Go module proxy into ./bin (this takes a few minutes the first time)..." >&2
GOBIN="$PWD/bin" go install "github.com/hashicorp/terraform@v$want"
