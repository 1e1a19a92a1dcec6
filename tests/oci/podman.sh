#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# podman.sh - drive an OCI runtime through a real engine: podman 4.3 (Debian
# 12) with `--runtime RUNTIME`, offline, on a busybox-static image made by
# `podman import`. Checks run --rm (exit status, stdout, stdin, PID 1),
# run -d + exec (+ exec -t) + pause/unpause + stop, run -d + kill, and run -t
# (with and without a terminal on podman's own stdin, via script(1)).
# Prints TAP-like "ok N - ..." lines and a summary; exit status 1 when a
# check failed, 2 when the setup failed.
#
# usage: tests/oci/podman.sh [-u] RUNTIME   (absolute path: nsbox-oci, runc, crun)
#   -u  run in a private mount namespace without /sys/fs/cgroup/unified
#       (crun 1.8 refuses hybrid cgroup hosts otherwise)
# needs: root, podman, conmon, busybox-static, util-linux (script).
# Podman's storage (vfs), run and tmp directories live in a directory under
# /tmp that is removed at exit, with every container: nothing is left in
# /var/lib/containers or /run/libpod.
# shellcheck disable=SC2016 # the single-quoted commands run in the
# container's shell, which expands them
set -u -o pipefail
. "$(dirname "$0")/lib.sh"
oci_runtime_arg "$@" # sets RT
oci_workdir
oci_cleanup_hook() { oci_podman_cleanup; }
oci_podman_setup "$RT"
p() { "$POD" "$@"; }
echo "# podman $("$POD" version -f '{{.Client.Version}}'), runtime $RT ($("$RT" --version 2>&1 | head -1))"

# run --rm: status, output, stdin, the command as PID 1, the hostname.
check "run --rm true" 0 "" p run --rm "$OCI_IMAGE" true
check "run --rm: exit status and stdout come back" 7 "out" \
    p run --rm "$OCI_IMAGE" sh -c 'echo out; echo err >&2; exit 7'
check "run --rm: the command is PID 1 and uid 0" 0 "1 0" \
    p run --rm "$OCI_IMAGE" sh -c 'echo $$ $(id -u)'
check "run --rm --hostname" 0 "box1" p run --rm --hostname box1 "$OCI_IMAGE" hostname
check "run --rm -i: stdin reaches the command" 0 "piped" \
    with_stdin piped p run --rm -i "$OCI_IMAGE" cat
check "run --rm --user 65534: uid and gid" 0 "65534 65534" \
    p run --rm --user 65534:65534 "$OCI_IMAGE" sh -c 'echo $(id -u) $(id -g)'
check "run --rm: a missing command fails with 127" 127 "*" p run --rm "$OCI_IMAGE" /no/such

# run -d, then exec, exec -t, pause/unpause, stop.
check "run -d sleep" 0 "*" p run -d --name d1 "$OCI_IMAGE" sleep 600
check "ps: d1 is running" 0 "running" p inspect -f '{{.State.Status}}' d1
check "exec: runs beside PID 1 (sleep)" 0 "sleep 600" \
    p exec d1 sh -c 'tr "\0" " " < /proc/1/cmdline | sed "s/ $//"'
check "exec: exit status comes back" 3 "" p exec d1 sh -c 'exit 3'
check "exec -t: stdin and stdout are a terminal" 0 "*" p exec -t d1 sh -c 'test -t 0 && test -t 1'
check "pause" 0 "*" p pause d1
check "ps: d1 is paused" 0 "paused" p inspect -f '{{.State.Status}}' d1
check "unpause" 0 "*" p unpause d1
check "exec after unpause" 0 "again" p exec d1 echo again
check "stop -t 1 (sleep ignores SIGTERM as PID 1: SIGKILL after 1 s)" 0 "*" p stop -t 1 d1
check "stopped d1 has exit code 137" 0 "exited 137" p inspect -f '{{.State.Status}} {{.State.ExitCode}}' d1
check "rm d1" 0 "*" p rm d1

# run -d, then kill: the engine's default signal (SIGKILL), then wait.
check "run -d sleep (kill)" 0 "*" p run -d --name d2 "$OCI_IMAGE" sleep 600
check "kill d2" 0 "*" p kill d2
check "wait d2: 137" 0 "137" p wait d2
check "rm d2" 0 "*" p rm d2
check "run -d, kill -s TERM on a shell that traps it" 0 "*" \
    p run -d --name d3 "$OCI_IMAGE" sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
check "kill -s TERM d3" 0 "*" p kill -s TERM d3
check "wait d3: 42" 0 "42" p wait d3
check "rm d3" 0 "*" p rm d3

# run -t: a pty from the runtime (--console-socket), with and without a
# terminal on podman's side (script(1) gives it one). runc, crun and
# nsbox-oci open it in the container's own devpts: tty(1) prints
# /dev/pts/0.
check "run --rm -t: the terminal is the container's /dev/pts/0" 0 "/dev/pts/0" \
    no_cr p run --rm -t "$OCI_IMAGE" tty
check "run --rm -t: stdin and stdout are a terminal" 0 "yes" \
    no_cr p run --rm -t "$OCI_IMAGE" sh -c 'test -t 0 && test -t 1 && echo yes'
check "run --rm -t under script(1): a terminal both sides, output comes back" 0 "yes yes" \
    no_cr script -qec "$POD run --rm -t $OCI_IMAGE sh -c 'test -t 1 && echo yes \$(test -t 0 && echo yes)'" /dev/null

check "nothing left: podman ps -a is empty" 0 "" p ps -a -q
oci_summary podman.sh
