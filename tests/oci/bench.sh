#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench.sh - nsbox-oci against runc and crun on the same bundle, in the same
# run: create+start+wait+delete of /bin/true (the bundle: busybox-static and
# tests/oci/bench-config.json, which is `runc spec` with terminal off), and
# `podman run --rm IMAGE true` with each runtime. Medians of interleaved
# runs, ratios against crun. Target of issue 16: nsbox-oci at most half of
# crun's time for the direct run.
#
# usage: tests/oci/bench.sh [-n RUNS] [--no-podman] BENCH_OCI NSBOX_OCI
#   BENCH_OCI  the build's tests/oci/bench-oci; NSBOX_OCI the runtime
#   runc and crun come from PATH (Debian's); one missing: exit 77
# Runs in a private mount namespace where /sys/fs/cgroup/unified is
# unmounted on a hybrid host (crun 1.8 refuses hybrid layouts): the same
# view for all three. Everything lives in a directory under /tmp, removed at
# exit. meson: `meson test -C build --benchmark oci-runtimes`.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"
runs=21 podman=1
while [ $# -gt 0 ]; do
    case $1 in
    -n) runs=$2; shift 2 ;;
    --no-podman) podman=0; shift ;;
    *) break ;;
    esac
done
[ $# = 2 ] || { sed -n '2,/^set -u/p' "$0" | sed '$d' >&2; exit 2; }
# meson passes the built programs relative to the build directory, and the
# runtimes run from elsewhere: absolute paths for both.
bench=$(readlink -f -- "$1") nsbox=$(readlink -f -- "$2")
[ "$(id -u)" = 0 ] || { echo "bench.sh: runs as root (runc and crun as root)"; exit 77; }
oci_check_runtime "$nsbox"
runc=$(command -v runc) || { echo "bench.sh: no runc (apt-get install runc)"; exit 77; }
crun=$(command -v crun) || { echo "bench.sh: no crun (apt-get install crun)"; exit 77; }
command -v podman > /dev/null || podman=0
oci_workdir
oci_cleanup_hook() { oci_podman_cleanup; }

B=$OCI_W/bundle
mkdir -p "$B/rootfs" "$OCI_W/state"
oci_rootfs_tar "$OCI_W/rootfs.tar"
tar -C "$B/rootfs" -xf "$OCI_W/rootfs.tar"
cp "$OCI_HERE/bench-config.json" "$B/config.json"
pod_args=()
if [ $podman = 1 ]; then
    # shellcheck disable=SC2119 # no runtime argument: podman --runtime per run
    oci_podman_setup
    pod_args=(-p "$POD" "$OCI_IMAGE")
fi
echo "# runc: $($runc --version | head -1); crun: $($crun --version | head -1);" \
    "nsbox-oci: $("$nsbox" --version | head -1); kernel $(uname -r); $(nproc) CPUs"
# shellcheck disable=SC2016 # the inner bash expands it
unshare -m --propagation private bash -c '
    if [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] && mountpoint -q /sys/fs/cgroup/unified; then
        umount /sys/fs/cgroup/unified || exit 1
        echo "# hybrid host: /sys/fs/cgroup/unified unmounted in this mount namespace"
    fi
    exec "$@"' _ "$bench" -n "$runs" -r crun "${pod_args[@]}" "$B" "$OCI_W/state" \
    "runc=$runc" "crun=$crun" "nsbox-oci=$nsbox"
