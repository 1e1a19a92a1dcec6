#!/run/nsbox-vm/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Stage 2 of the cgroup v2 guest: PID 1 on the final root (host / read-only
# under a tmpfs overlay, see guest-init.sh), run by the static busybox that
# stage 1 copied to /run/nsbox-vm. It mounts the kernel filesystems and ONLY
# cgroup2, lays out the cgroups (see run-in-guest.sh's header), mounts the
# read-write shares, runs the host-written job script in /lane/runner,
# relays its stdout/stderr to the host and powers off with its status in
# the state share.
B=/run/nsbox-vm
S=$B/state
CG=/sys/fs/cgroup
# busybox runs its applets through /proc/self/exe: /proc first.
"$B/busybox" mount -t proc -o nosuid,nodev,noexec proc /proc
"$B/busybox" --install -s "$B/bin"
export PATH="$B/bin"
# stdout/stderr here are the kernel console (the host's console.log).
die() { echo "nsbox-vm: FATAL: $*"; sync; poweroff -f; sleep 5; }

# ---- kernel filesystems: what a normal Debian system has ----
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || die sysfs
mount -t devtmpfs -o nosuid devtmpfs /dev || die devtmpfs
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts /dev/pts || die devpts
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm || die "tmpfs /dev/shm"
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# The only cgroup hierarchy: cgroup2, with the options systemd uses.
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 "$CG" || die cgroup2
# Debian's kernels can gate unprivileged user namespaces with this sysctl;
# the tests create them as nobody.
[ -e /proc/sys/kernel/unprivileged_userns_clone ] && echo 1 > /proc/sys/kernel/unprivileged_userns_clone

# ---- the host's shares ----
o9p=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$o9p,cache=none" nsboxvmstate "$S" || die "mount 9p state"
CLEANTMP=0
# shellcheck source=/dev/null
. "$S/config"
if [ "$CLEANTMP" = 1 ]; then
    for d in /tmp /var/tmp; do mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$d" || die "tmpfs $d"; done
fi
# Read-write shares at their host paths, parents before children. cache=mmap:
# no client caching, so the host sees every write (test logs, build outputs)
# as soon as it is made, and a build on the host side is seen at once.
while read -r tag path; do
    [ -n "$tag" ] || continue
    mkdir -p "$path" 2>/dev/null
    mount -t 9p -o "$o9p,cache=mmap" "$tag" "$path" || die "mount 9p $tag on $path"
done < "$S/mounts"

# pyenv shims resolved by the host (see run-in-guest.sh), over the slow ones.
if [ -s "$S/pyenv-shims/.dir" ]; then
    read -r d < "$S/pyenv-shims/.dir"
    cp "$S"/pyenv-shims/* "$d/" 2>/dev/null
fi

# ---- cgroup layout ----
#   /              every controller in subtree_control
#   /init.scope    this PID 1 and the output relays
#   /lane          every controller in subtree_control; no process
#   /lane/runner   the command starts here (a leaf)
#   /lane/tests    empty, every controller in subtree_control:
#                  $NSBOX_TEST_CGROUP_PARENT, where tests make their cgroups
# v2's "no internal processes" rule: a cgroup that enables controllers for
# its children may hold no process itself. So the command cannot create
# controller-enabled cgroups below its own cgroup; it uses the empty sibling
# /lane/tests instead, and as root it can move processes there (the common
# ancestor /lane is root's) or chown a cgroup below it to delegate it.
enable_all() {
    read -r ctls < "$1/cgroup.controllers"
    for c in $ctls; do
        echo "+$c" > "$1/cgroup.subtree_control" || echo "nsbox-vm: cannot enable $c in $1"
    done
}
{ mkdir "$CG/init.scope" && echo $$ > "$CG/init.scope/cgroup.procs"; } || die "cgroup init.scope"
enable_all "$CG"
mkdir "$CG/lane" "$CG/lane/runner" "$CG/lane/tests" || die "mkdir cgroups"
enable_all "$CG/lane"
enable_all "$CG/lane/tests"
for c in cpuset cpu io memory pids; do
    grep -qw "$c" "$CG/lane/tests/cgroup.subtree_control" || die "controller $c not enabled"
done

hostname nsbox-vm
ip link set lo up 2>/dev/null

# ---- run the job ----
# The command's stdout/stderr are pipes relayed by cat to the virtio-serial
# ports, not the ports themselves: a port can be open only once at a time
# (EBUSY), so "echo > /dev/stdout" would fail on a port but works on a pipe.
out=/dev/console err=/dev/console
for p in /sys/class/virtio-ports/*; do
    case "$(cat "$p/name" 2>/dev/null)" in
        nsbox-vm.stdout) out=/dev/${p##*/} ;;
        nsbox-vm.stderr) err=/dev/${p##*/} ;;
    esac
done
mkfifo "$B/stdout" "$B/stderr" || die mkfifo
cat "$B/stdout" > "$out" &
r1=$!
cat "$B/stderr" > "$err" &
r2=$!
awk '/^MemTotal:/ {t = $2} /^MemAvailable:/ {a = $2} END {print "used_kib_at_start=" t - a}' \
    /proc/meminfo > "$S/stats"
echo "uptime_at_start=$(cut -d' ' -f1 /proc/uptime)" >> "$S/stats"
: > "$S/started"
(
    exec < /dev/null > "$B/stdout" 2> "$B/stderr"
    echo 0 > "$CG/lane/runner/cgroup.procs" || exit 125
    exec /bin/bash "$S/job.sh"
)
rc=$?
echo "uptime_at_end=$(cut -d' ' -f1 /proc/uptime)" >> "$S/stats"
echo "lane_peak_kib=$(($(cat "$CG/lane/memory.peak" 2>/dev/null || echo 0) / 1024))" >> "$S/stats"
# Whatever the command left running (daemons, sandboxes, stuck children)
# would keep the relay pipes open: kill every process outside init.scope.
for d in "$CG"/*/; do
    [ "$d" = "$CG/init.scope/" ] || echo 1 > "${d}cgroup.kill"
done 2>/dev/null
while read -r p; do kill -9 "$p"; done < "$CG/cgroup.procs" 2>/dev/null
wait "$r1" "$r2"
echo "$rc" > "$S/rc"
sync
poweroff -f
