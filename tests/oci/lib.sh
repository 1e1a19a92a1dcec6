# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# lib.sh - sourced by tests/oci/{podman,containerd,bench}.sh: a private work
# directory, the offline busybox image, podman with private storage, and
# TAP-like checks. Nothing of it outlives the script: podman's storage, run
# and tmp directories are under the work directory, which the EXIT trap
# removes after removing every container and unmounting what is left.
#
# Needs: busybox-static (the image's only program), podman (Debian 12's 4.3),
# root. The image is a busybox-static rootfs tarball given to `podman import`:
# no registry, no network.

OCI_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OCI_IMAGE=localhost/nsbox-oci-busybox
oci_pass=0 oci_fail=0 oci_n=0

oci_die() { echo "$(basename "$0"): $*" >&2; exit 2; }

# oci_runtime_arg [-u] RUNTIME: RT, the runtime of the engine scripts.
# With -u, the script runs again without it in a private mount namespace
# where the cgroup2 mount of a hybrid host (/sys/fs/cgroup/unified) is
# unmounted: crun 1.8 refuses hybrid hosts.
oci_runtime_arg() {
    if [ "${1:-}" = -u ]; then
        shift
        # shellcheck disable=SC2016 # the inner bash expands them
        exec unshare -m --propagation private bash -c \
            'umount /sys/fs/cgroup/unified && exec "$0" "$@"' "$0" "$@"
    fi
    [ $# = 1 ] || { sed -n '2,/^set -u/p' "$0" | sed '$d' >&2; exit 2; }
    RT=$1
    oci_check_runtime "$RT"
}

# oci_check_runtime RUNTIME: the checks every script makes first.
oci_check_runtime() {
    [ "$(id -u)" = 0 ] || oci_die "run as root"
    case $1 in /*) ;; *) oci_die "RUNTIME must be an absolute path: $1" ;; esac
    [ -x "$1" ] || oci_die "$1 is not executable"
}

# oci_workdir: $OCI_W, a new directory under /tmp removed at exit (with
# oci_cleanup_hook, if the script defines one, run first).
oci_workdir() {
    [ -e /var/lib/containers ] && oci_had_varlib=1 || oci_had_varlib=0
    OCI_W=$(mktemp -d /tmp/nsbox-oci-engine.XXXXXX) || oci_die "mktemp failed"
    trap oci_cleanup EXIT
    trap 'exit 130' INT TERM
}
oci_cleanup() {
    local rc=$?
    declare -F oci_cleanup_hook > /dev/null && oci_cleanup_hook
    if [ -n "${OCI_W:-}" ] && [ -d "$OCI_W" ]; then
        # Mounts podman (overlay of vfs: none) or a runtime left under it.
        grep -o " ${OCI_W}[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
        rm -rf --one-file-system "$OCI_W"
    fi
    # podman import/save write their blob cache there whatever --root says.
    if [ "${oci_had_varlib:-1}" = 0 ]; then
        rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
        rmdir /var/lib/containers/cache /var/lib/containers 2> /dev/null
    fi
    exit $rc
}

# oci_rootfs_tar FILE: a busybox-static root filesystem as a tar file.
oci_rootfs_tar() {
    local bb r=$OCI_W/rootfs a
    bb=$(command -v busybox) || oci_die "needs busybox-static"
    ldd "$bb" > /dev/null 2>&1 && oci_die "$bb is dynamically linked: install busybox-static"
    mkdir -p "$r"/{bin,dev,etc,proc,root,sys,tmp,usr/bin,var/tmp}
    cp "$bb" "$r/bin/busybox"
    for a in $("$bb" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$r/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
    chmod 1777 "$r/tmp" "$r/var/tmp"
    tar -C "$r" -cf "$1" . && rm -rf "$r"
}

# oci_podman_setup [RUNTIME]: $POD, a script that runs podman with private
# storage, the project's containers.conf and --runtime RUNTIME if given (a
# program, so that script(1) and pipes can run it too), and the image
# imported.
oci_podman_setup() {
    command -v podman > /dev/null || oci_die "needs podman (apt-get install podman)"
    mkdir -p "$OCI_W/podman"
    POD=$OCI_W/podman/pod
    printf '#!/bin/sh\nCONTAINERS_CONF=%q exec podman --root %q --runroot %q --tmpdir %q --storage-driver vfs %s "$@"\n' \
        "$OCI_HERE/containers.conf" "$OCI_W/podman/root" "$OCI_W/podman/run" "$OCI_W/podman/tmp" \
        "${1:+--runtime $(printf %q "$1")}" > "$POD"
    chmod +x "$POD"
    oci_rootfs_tar "$OCI_W/rootfs.tar"
    "$POD" import -q "$OCI_W/rootfs.tar" "$OCI_IMAGE" > /dev/null || oci_die "podman import failed"
}
oci_podman_cleanup() {
    [ -x "${POD:-}" ] || return 0
    "$POD" rm -a -f -t 0 > /dev/null 2>&1
    # The layers are plain directories (vfs); reset drops them and the DB.
    "$POD" system reset -f > /dev/null 2>&1
}

# with_stdin TEXT CMD...: CMD with TEXT and a newline on its stdin.
with_stdin() { printf '%s\n' "$1" | "${@:2}"; }
# no_cr CMD...: CMD's stdout without carriage returns (a pty's CR LF) and
# the "^@" a pty echoes for the NUL byte ctr writes to a new terminal.
no_cr() { "$@" | tr -d '\r' | sed 's/\^@//g'; }
# no_resize_error CMD...: CMD's stdout without ctr's own "resize pty" error
# line: ctr resizes the terminal right after the start, and a short command
# may have ended before (shim: "cannot resize a stopped container"), with
# the line before or after the command's output.
no_resize_error() { "$@" | grep -v "resize pty"; }

# check DESCRIPTION WANT_RC WANT_OUT CMD...: run CMD, compare its exit status
# and its stdout (stdin: /dev/null; exactly, trailing newline dropped; "*" matches any), print
# "ok N - ..." or "not ok N - ..." with what came instead.
check() {
    local what=$1 want_rc=$2 want_out=$3 out rc
    shift 3
    out=$("$@" < /dev/null 2> "$OCI_W/check.err")
    rc=$?
    oci_n=$((oci_n + 1))
    if [ "$rc" = "$want_rc" ] && { [ "$want_out" = "*" ] || [ "$out" = "$want_out" ]; }; then
        echo "ok $oci_n - $what"
        oci_pass=$((oci_pass + 1))
    else
        echo "not ok $oci_n - $what"
        echo "#   command: $*"
        echo "#   exit status $rc (want $want_rc), stdout: $(printf '%q' "$out") (want $(printf '%q' "$want_out"))"
        sed 's/^/#   stderr: /' "$OCI_W/check.err" | head -10
        oci_fail=$((oci_fail + 1))
    fi
}

# oci_summary NAME: the last line, and the exit status (1 if a check failed).
oci_summary() {
    echo "$1: $oci_pass passed, $oci_fail failed"
    [ "$oci_fail" = 0 ]
}
