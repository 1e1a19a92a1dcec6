#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-guest.sh - self-test of the cgroup v2 lane; run inside the guest, as
# root:  tests/vm/run-in-guest.sh -- tests/vm/check-guest.sh
# Checks what the library's tests rely on: the cgroup layout documented in
# run-in-guest.sh, making, limiting, filling and delegating cgroups under
# $NSBOX_TEST_CGROUP_PARENT, user namespaces as nobody, the devices and
# filesystems, python3 and meson, and a writable shared cwd.
set -u
CG=/sys/fs/cgroup
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
pass=0 fail=0
check() { # description, command...
    local what=$1 out
    shift
    if out=$("$@" 2>&1); then
        pass=$((pass + 1))
        echo "ok   $what"
    else
        fail=$((fail + 1))
        echo "FAIL $what"
        [ -n "$out" ] && printf '     %s\n' "${out//$'\n'/$'\n'     }"
    fi
}
has_word() { [[ " $1 " == *" $2 "* ]]; }

echo "kernel $(uname -r), $(nproc) CPUs, $(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB"
[ "$(id -u)" = 0 ] || { echo "run me as root"; exit 1; }
P=${NSBOX_TEST_CGROUP_PARENT:-}

# ---- layout ----
check "the command starts in /lane/runner" grep -qx '0::/lane/runner' /proc/self/cgroup
only_cgroup2() { [ "$(grep -c cgroup /proc/mounts)" = 1 ] && grep -q "^cgroup2 $CG cgroup2 " /proc/mounts; }
check "cgroup2 is the only cgroup filesystem" only_cgroup2
check "NSBOX_TEST_CGROUP_PARENT=/lane/tests" test "$P" = /lane/tests
check "the test parent holds no process" test -z "$(cat "$CG$P/cgroup.procs")"
for c in cpuset cpu io memory pids; do
    check "$c enabled under the test parent" has_word "$(cat "$CG$P/cgroup.subtree_control")" "$c"
done

# ---- root: make, limit, fill, nest ----
d=$CG$P/check-$$
check "mkdir a cgroup under the test parent" mkdir "$d"
check "its controllers" has_word "$(cat "$d/cgroup.controllers")" memory
check "write memory.max" bash -c "echo 64M > $d/memory.max && grep -qx 67108864 $d/memory.max"
check "write pids.max, cpu.max, cpuset.cpus, io.weight" bash -c \
    "echo 16 > $d/pids.max && echo '50000 100000' > $d/cpu.max && echo 0 > $d/cpuset.cpus && echo 50 > $d/io.weight"
sleep 60 &
s=$!
check "move a process in" bash -c "echo $s > $d/cgroup.procs && grep -qx '0::$P/check-$$' /proc/$s/cgroup"
kill "$s"
wait "$s" 2> /dev/null
check "memory.max OOM-kills (SIGKILL, oom_kill 1)" bash -c "
    echo 32M > $d/memory.max; echo 0 > $d/memory.swap.max
    /usr/bin/python3 -c 'open(\"$d/cgroup.procs\", \"w\").write(\"0\"); b = bytearray(100 << 20)'
    rc=\$?; [ \$rc = 137 ] && grep -qx 'oom_kill 1' $d/memory.events"
check "pids.max refuses forks" bash -c "echo 3 > $d/pids.max
    bash -c 'echo 0 > $d/cgroup.procs; for i in 1 2 3 4 5; do sleep 5 & done' 2> /dev/null
    grep -q '^max [1-9]' $d/pids.events"
check "nested cgroup with memory enabled" bash -c \
    "echo +memory > $d/cgroup.subtree_control && mkdir $d/n && test -e $d/n/memory.max && rmdir $d/n"
check "a cgroup holding a process cannot delegate controllers (EBUSY)" bash -c \
    "mkdir $CG/lane/runner/x && ! echo +memory 2> /dev/null > $CG/lane/runner/cgroup.subtree_control; rmdir $CG/lane/runner/x"
check "rmdir it" bash -c "for i in 1 2 3 4 5 6 7 8 9 10; do rmdir $d 2> /dev/null && exit; sleep 0.2; done; exit 1"

# ---- delegation to nobody (what test_cgroup.c's delegated_parent does) ----
g=$CG$P/deleg-$$
mkdir "$g" "$g/leaf"
echo "+memory +pids" > "$g/cgroup.subtree_control"
chown 65534:65534 "$g" "$g"/cgroup.{procs,subtree_control,threads} \
    "$g/leaf" "$g/leaf"/cgroup.{procs,subtree_control,threads}
check "delegated: nobody makes, limits and enters its own cgroups" bash -c "
    echo 0 > $g/leaf/cgroup.procs && exec ${NOBODY[*]} sh -c '
        mkdir $g/box && echo 16M > $g/box/memory.max && echo 0 > $g/box/cgroup.procs &&
        grep -qx \"0::$P/deleg-$$/box\" /proc/self/cgroup'"
check "not delegated: nobody cannot use the test parent" bash -c "! ${NOBODY[*]} mkdir $CG$P/nope 2> /dev/null"
rmdir "$g/box" "$g/leaf" "$g" 2> /dev/null

# ---- namespaces, users, devices, files ----
check "unshare -Urpfm --mount-proc id (root)" bash -c 'unshare -Urpfm --mount-proc id | grep -q "^uid=0(root)"'
check "unshare -Urpfm --mount-proc as nobody" bash -c \
    "${NOBODY[*]} unshare -Urpfm --mount-proc sh -c 'id -u; echo \$\$' | tr '\n' ' ' | grep -qx '0 1 '"
check "unshare -Urn (user+net) as nobody" "${NOBODY[@]}" unshare -Urn true
check "nobody in /etc/passwd" bash -c 'getent passwd nobody | grep -q "^nobody:x:65534:"'
check "/dev/null, /dev/zero, /dev/urandom, /dev/ptmx" test -c /dev/null -a -c /dev/zero -a -c /dev/urandom -a -c /dev/ptmx
check "devpts on /dev/pts" grep -q ' /dev/pts devpts ' /proc/mounts
check "echo > /dev/stdout, /dev/stderr" bash -c 'echo > /dev/stdout && echo > /dev/stderr'
# shellcheck disable=SC2016 # expanded by that sh
check "/tmp and /dev/shm writable by nobody" "${NOBODY[@]}" sh -c \
    'f=$(mktemp /tmp/x.XXXXXX) && rm "$f" && : > /dev/shm/x.$$ && rm /dev/shm/x.$$'
check "python3 on PATH ($(command -v python3))" python3 -c 'import ctypes, json, subprocess'
check "/usr/bin/python3" /usr/bin/python3 -c 'import ctypes'
check "meson ($(meson --version 2> /dev/null))" meson --version
f=.vm-check-$$
check "the shared cwd ($(pwd)) is writable" bash -c "echo x > $f && test -s $f"
rm -f "$f"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
