#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lane.sh - CI lane `oci` (.ci/run): nsbox-oci under the OCI runtime-tools
# validation suite, failing when a test program of tests/oci/baseline.txt
# does not pass, then under podman (tests/oci/podman.sh).
#
# usage: tests/oci/lane.sh [BUILDDIR]   (default build; nsbox-oci built there)
# needs: root; golang-go, podman, conmon, busybox-static (.ci/run's ci-deps);
# the runtime-tools tarball in ../shared/vendor (see validate.sh).
# Wall time on the 2-core CI machine: about 3-4 min for the suite (58 test
# programs one after the other, the Go build cached in BUILDDIR/oci/cache
# after the first run, which adds 20 s to 3 min) and about 2 min for podman.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
rt=$(pwd)/$build/tools/nsbox-oci/nsbox-oci
[ -x "$rt" ] || { echo "lane oci: no $rt (is libjansson-dev installed? meson compile -C $build)" >&2; exit 1; }
status=0
mkdir -p "$build/oci"
tests/oci/validate.sh -c "$build/oci/cache" -o "$build/oci/validate" -b tests/oci/baseline.txt "$rt" || status=1
tests/oci/podman.sh "$rt" || status=1
exit $status
