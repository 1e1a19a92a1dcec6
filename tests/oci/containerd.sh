#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# containerd.sh - drive an OCI runtime through containerd 1.6 (Debian 12) and
# its runc shim (io.containerd.runc.v2), offline: `ctr run --runc-binary
# RUNTIME` (foreground, detached, with a terminal) and `ctr task exec`, on a
# busybox-static image made by `podman import` and handed over with `podman
# save --format oci-archive` + `ctr image import`. Prints TAP-like lines and
# a summary; exit status 1 when a check failed, 2 when the setup failed.
#
# usage: tests/oci/containerd.sh [-u] RUNTIME   (absolute path)
#   -u  run in a private mount namespace without /sys/fs/cgroup/unified
#       (crun 1.8 refuses hybrid cgroup hosts otherwise)
# needs: root, containerd, podman (for the image), busybox-static,
# util-linux (script).
# A private containerd (its own config, root, state and socket) runs under a
# directory in /tmp; the runtime's state (--runc-root) is there too. At exit
# every task and container is deleted, containerd and any shim still running
# are stopped, mounts are undone and the directory is removed; so is
# /run/containerd/s (the shims' socket directory, fixed in containerd 1.6)
# when it was not there before and is empty.
# shellcheck disable=SC2016 # the single-quoted commands run in the
# container's shell or an inner bash, which expand them
set -u -o pipefail
. "$(dirname "$0")/lib.sh"
oci_runtime_arg "$@" # sets RT
command -v containerd > /dev/null || oci_die "needs containerd (apt-get install containerd)"
oci_workdir
C=$OCI_W/ctrd
NS=nsbox-oci-test
ctrd_pid=""
[ -e /run/containerd ] && had_run=1 || had_run=0
oci_cleanup_hook() {
    if [ -S "$C/containerd.sock" ]; then
        local t
        for t in $(c task ls -q 2> /dev/null); do
            c task kill -s SIGKILL "$t" > /dev/null 2>&1
            c task delete -f "$t" > /dev/null 2>&1
        done
        for t in $(c container ls -q 2> /dev/null); do c container delete "$t" > /dev/null 2>&1; done
    fi
    [ -n "$ctrd_pid" ] && kill "$ctrd_pid" 2> /dev/null && wait "$ctrd_pid" 2> /dev/null
    # Shims outlive containerd (they are re-parented); theirs have our socket
    # address in their command line, so only ours are killed.
    local p
    for p in /proc/[0-9]*; do
        grep -qF -- "$C/containerd.sock" "$p/cmdline" 2> /dev/null && kill -9 "${p#/proc/}" 2> /dev/null
    done
    oci_podman_cleanup
    [ "$had_run" = 1 ] || rmdir /run/containerd/s /run/containerd 2> /dev/null
}
c() { ctr --address "$C/containerd.sock" --namespace "$NS" "$@"; }

mkdir -p "$C"
cat > "$C/config.toml" << EOF
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$C/containerd.sock"
[ttrpc]
  address = "$C/containerd.sock.ttrpc"
EOF
containerd --config "$C/config.toml" > "$C/containerd.log" 2>&1 &
ctrd_pid=$!
for _ in $(seq 100); do [ -S "$C/containerd.sock" ] && c version > /dev/null 2>&1 && break; sleep 0.1; done
c version > /dev/null 2>&1 || { tail "$C/containerd.log" >&2; oci_die "containerd did not start"; }

# shellcheck disable=SC2119 # no runtime argument: the image only
oci_podman_setup
"$POD" save -q --format oci-archive -o "$OCI_W/image.tar" "$OCI_IMAGE" || oci_die "podman save failed"
c image import "$OCI_W/image.tar" > /dev/null || oci_die "ctr image import failed"
IMG=$OCI_IMAGE:latest
echo "# containerd $(containerd --version | awk '{print $3}'), runtime $RT ($("$RT" --version 2>&1 | head -1))"
r() { c run --runc-binary "$RT" --runc-root "$C/runtime" --fifo-dir "$C/fifo" "$@"; }
x() { c task exec --fifo-dir "$C/fifo" "$@"; }

check "ctr run --rm: output and exit status" 5 "hello" r --rm "$IMG" t1 sh -c 'echo hello; exit 5'
check "ctr run --rm: PID 1, hostname unset, uid 0" 0 "1 0" r --rm "$IMG" t2 sh -c 'echo $$ $(id -u)'
check "ctr run -d" 0 "*" r -d "$IMG" t3 sleep 600
check "ctr task ls: t3 RUNNING" 0 "RUNNING" bash -c 'ctr --address "$1" --namespace "$2" task ls | awk "\$1 == \"t3\" { print \$3 }"' \
    _ "$C/containerd.sock" "$NS"
check "ctr task exec: output, beside PID 1" 0 "sleep 600" \
    x --exec-id e1 t3 sh -c 'tr "\0" " " < /proc/1/cmdline | sed "s/ $//"'
check "ctr task exec: exit status" 4 "" x --exec-id e2 t3 sh -c 'exit 4'
check "ctr task exec -t under script(1): a terminal" 0 "yes" \
    no_resize_error no_cr script -qec "ctr --address $C/containerd.sock --namespace $NS task exec --fifo-dir $C/fifo -t --exec-id e3 t3 sh -c 'test -t 0 && test -t 1 && echo yes'" /dev/null
check "ctr task pause" 0 "*" c task pause t3
check "ctr task resume" 0 "*" c task resume t3
check "ctr task ps lists the sleep" 0 "*" c task ps t3
check "ctr task kill -s SIGKILL" 0 "*" c task kill -s SIGKILL t3
check "t3 stops (exit status 137)" 0 "137" bash -c 'for i in $(seq 50); do
        s=$(ctr --address "$1" --namespace "$2" task ls | awk "\$1 == \"t3\" { print \$3 }")
        [ "$s" = STOPPED ] && { ctr --address "$1" --namespace "$2" task delete t3 2>&1 | grep -o "exit code [0-9]*" | cut -d" " -f3; exit 0; }
        sleep 0.2; done; exit 1' _ "$C/containerd.sock" "$NS"
check "ctr container delete t3" 0 "*" c container delete t3
check "ctr run --rm -t under script(1): a terminal, output comes back" 0 "/dev/pts/0" \
    no_cr script -qec "ctr --address $C/containerd.sock --namespace $NS run --runc-binary $RT --runc-root $C/runtime --fifo-dir $C/fifo --rm -t $IMG t4 tty" /dev/null
check "nothing left: no container" 0 "" c container ls -q
oci_summary containerd.sh
