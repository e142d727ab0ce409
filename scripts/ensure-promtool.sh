#!/usr/bin/env bash
# Prometheus's promtool, which internal/analysis's tests run on the rendered alerting rules (`promtool check rules`,
# `promtool test rules`): prints its path. When it is missing and this runs as root on Debian/Ubuntu, installs
# Debian's prometheus package without the node exporter it recommends (only its promtool is used; the tests never
# start the server). Otherwise prints nothing and leaves the failure to the test, which says what to install.
set -euo pipefail
if [ -n "${PROMTOOL:-}" ]; then echo "$PROMTOOL"; exit 0; fi
if ! command -v promtool >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-promtool: promtool not found; installing Debian's prometheus package (for promtool only)" >&2
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2 || true
fi
command -v promtool 2>/dev/null || true
