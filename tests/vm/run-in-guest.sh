#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-in-guest.sh - run one command in a throw-away qemu guest whose only
# cgroup hierarchy is cgroup v2: the cgroup v2 lane of libnsbox's tests.
#
# Why a guest: the host and CI kernels mount cgroup v1 controllers, so the
# library's cgroup v2 code can only run under a kernel we boot ourselves.
# qemu uses TCG (no /dev/kvm on these machines). The kernel is Debian's stock
# one (the package linux-image-amd64 depends on), unpacked from the .deb that
# `apt-get download` fetches, never installed. Nothing else is downloaded.
#
# What the command sees in the guest:
#   /          the host's / (virtio-9p, read-only) under a tmpfs overlay: the
#              host-built binaries, python3, meson and /etc/passwd as on the
#              host; writes outside the shares vanish at exit. /tmp is the
#              host's, copy-on-write (--clean-tmp: an empty tmpfs).
#   shares     read-write at the same path: the project's top directory, the
#              current directory and every -w DIR (a build dir inside the
#              project needs nothing more).
#   also       /proc, /sys, /dev (devtmpfs), /dev/pts, /dev/shm, /dev/mqueue,
#              a fresh /run; unprivileged user namespaces allowed; hostname
#              nsbox-vm; lo up, no other network; 2 vCPUs, 2G by default.
#   env, cwd   the caller's environment (PATH, HOME, pyenv ...) and cwd, plus
#                NSBOX_VM=1
#                NSBOX_TEST_CGROUP_PARENT=/lane/tests
#              pyenv's python* shims are replaced (in the overlay) by
#              wrappers of the interpreter they resolve to on the host: the
#              shim itself takes ~6 s per start under TCG.
#   stdio      stdin /dev/null; stdout and stderr are pipes streamed to ours
#              (each in order, but their relative order is not kept).
#   cgroups    only cgroup2 at /sys/fs/cgroup (nsdelegate,memory_recursiveprot),
#              controllers cpuset cpu io memory pids (+ hugetlb rdma misc):
#                /              every controller in subtree_control
#                /init.scope    the guest's PID 1 and the output relays
#                /lane          every controller in subtree_control, no process
#                /lane/runner   the command STARTS HERE (a leaf)
#                /lane/tests    = $NSBOX_TEST_CGROUP_PARENT: empty, every
#                               controller in subtree_control
#              v2's "no internal processes" rule means the command can not
#              enable controllers below its own cgroup; tests mkdir their
#              cgroups under /lane/tests instead. As root they can move any
#              process there (the common ancestor, /lane, is root's), and to
#              delegate to nobody: mkdir /lane/tests/X, chown it (and its
#              cgroup.procs, cgroup.subtree_control, cgroup.threads), move
#              the process into a leaf below X, then drop privileges.
#   at exit    every process the command left behind is killed.
#   kernel     Debian 12's (6.1), older than the host's: a failure seen only
#              here can come from the kernel version as well as from cgroup v2.
#
# usage: run-in-guest.sh [options] [--] command [args...]
#        run-in-guest.sh --prepare    (fetch and build the cached boot files only)
#   -w, --rw DIR      also share host DIR read-write at the same path (repeatable)
#   --no-rw-default   do not share the project's directory and the cwd
#   --clean-tmp       empty tmpfs on /tmp and /var/tmp instead of the host's
#   -m, --mem SIZE    guest memory (default 2G)                 [NSBOX_VM_MEM]
#   -c, --cpus N      guest vCPUs (default 2)                   [NSBOX_VM_CPUS]
#   -t, --timeout S   stop the guest after S s (default 3600, 0 = never)
#                                                               [NSBOX_VM_TIMEOUT]
#   --timing          at exit, print to stderr the time to the command's start
#                     and the memory used                       [NSBOX_VM_TIMING=1]
#   -v, --verbose     copy the guest's kernel console to stderr
#   -k, --keep        keep the run's state dir (console log, job script, qemu
#                     command line) and say where it is
#   -h, --help        this text
# environment: NSBOX_VM_CACHE (unpacked kernel, initramfs; default
#   /tmp/nsbox-vm-cache), NSBOX_VM_KERNEL_PKG (another Debian kernel package,
#   e.g. linux-image-6.1.0-56-amd64), NSBOX_VM_APPEND (extra kernel
#   parameters), NSBOX_VM_BOOT_TIMEOUT (default 60: a guest that has not
#   started the command by then is stopped and booted again, three boots in
#   all).
# needs: tests/vm/install-deps.sh (qemu-system-x86, busybox-static, ...), apt
#   package lists (apt-get update), and root for the full lane (qemu's 9p
#   server accesses host files as the user running this script).
# exit status: the command's; 125 if the guest failed to boot or to report it;
#   124 on timeout; 141 if our stdout was closed.
set -u -o pipefail

T0=$EPOCHREALTIME
ENV_DUMP=$(export -p)          # the caller's environment, replayed in the guest
CWD=$(pwd -P)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
PROJECT=$(cd "$HERE/../.." && pwd -P)

MEM=${NSBOX_VM_MEM:-2G}
CPUS=${NSBOX_VM_CPUS:-2}
TIMEOUT=${NSBOX_VM_TIMEOUT:-3600}
TIMING=${NSBOX_VM_TIMING:-0}
CACHE=${NSBOX_VM_CACHE:-/tmp/nsbox-vm-cache}
VERBOSE=0 KEEP=0 CLEANTMP=0 RW_DEFAULT=1 PREPARE=0
RW_DIRS=()

die() { echo "run-in-guest: $*" >&2; exit 125; }
while [ $# -gt 0 ]; do
    case $1 in
        -w | --rw) [ $# -ge 2 ] || die "$1 needs a directory"; RW_DIRS+=("$2"); shift 2 ;;
        --no-rw-default) RW_DEFAULT=0; shift ;;
        --clean-tmp) CLEANTMP=1; shift ;;
        -m | --mem) [ $# -ge 2 ] || die "$1 needs a size"; MEM=$2; shift 2 ;;
        -c | --cpus) [ $# -ge 2 ] || die "$1 needs a number"; CPUS=$2; shift 2 ;;
        -t | --timeout) [ $# -ge 2 ] || die "$1 needs seconds"; TIMEOUT=$2; shift 2 ;;
        --timing) TIMING=1; shift ;;
        -v | --verbose) VERBOSE=1; shift ;;
        -k | --keep) KEEP=1; shift ;;
        --prepare) PREPARE=1; shift ;;
        -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || [ "$PREPARE" = 1 ] || die "no command given (see --help)"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "bad timeout: $TIMEOUT"
[[ $CPUS =~ ^[1-9][0-9]*$ ]] || die "bad cpu count: $CPUS"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run tests/vm/install-deps.sh"
BUSYBOX=$(command -v busybox) || die "busybox missing: run tests/vm/install-deps.sh"
# The initramfs has no libc: busybox must be the static one.
ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is dynamically linked: apt-get install busybox-static"

# ---------------------------------------------------------------- kernel ---
# The modules the guest loads, plus what they depend on: virtio-pci
# transport, 9p over virtio (the root and the shares), overlayfs (the
# writable root), virtio-console (stdout/stderr ports). Built-ins are skipped.
WANT_MODS="virtio_pci 9pnet_virtio 9p overlay virtio_console"

# The package linux-image-amd64 depends on. apt-cache costs ~1 s, so the
# answer is cached until the apt lists change.
kernel_pkg() {
    local stamp=$CACHE/kernel-pkg pkg
    if [ -n "${NSBOX_VM_KERNEL_PKG:-}" ]; then echo "$NSBOX_VM_KERNEL_PKG"; return; fi
    if [ -s "$stamp" ] && [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' \
        -newer "$stamp" -print -quit 2>/dev/null)" ]; then
        cat "$stamp"
        return
    fi
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
    [ -n "$pkg" ] || die "cannot resolve linux-image-amd64: run apt-get update (or tests/vm/install-deps.sh)"
    echo "$pkg" > "$stamp"
    echo "$pkg"
}

ko_cat() { # a module file, decompressed (busybox insmod takes plain .ko only)
    case $1 in
        *.xz) xz -dc "$1" ;;
        *.zst) zstd -dcq "$1" ;;
        *.gz) gzip -dc "$1" ;;
        *) cat "$1" ;;
    esac
}

# Depth-first, dependencies first. The .deb has no modules.dep (depmod makes
# it at install time): the dependencies come from each module's .modinfo.
declare -A KO=() SEEN=()
ORDER=()
add_module() { # module name, '-' spelled '_'
    local m=$1 deps dep
    [ -n "${SEEN[$m]:-}" ] && return 0
    SEEN[$m]=1
    if [ -z "${KO[$m]:-}" ]; then
        grep -qE "/${m//_/[-_]}\.ko$" "$MODROOT/modules.builtin" && return 0
        die "$PKG has no module $m"
    fi
    ko_cat "${KO[$m]}" > "$DEB_DIR/modules/$m.ko" || die "cannot unpack ${KO[$m]}"
    deps=$(tr '\0' '\n' < "$DEB_DIR/modules/$m.ko" | sed -n 's/^depends=//p' | head -n 1)
    for dep in ${deps//,/ }; do add_module "${dep//-/_}"; done
    ORDER+=("$m")
}

# vmlinuz and the needed modules of $PKG into $DEB_DIR, once.
unpack_kernel() {
    local d=$DEB_DIR f m
    [ -e "$d/.done" ] && return 0
    echo "run-in-guest: fetching kernel package $PKG (once) ..." >&2
    { rm -rf "$d" && mkdir -p "$d/dl" "$d/x" "$d/modules"; } || die "cannot create $d"
    chmod 777 "$d/dl" # apt-get download runs as _apt when it can
    (cd "$d/dl" && apt-get download "$PKG") > "$d/download.log" 2>&1 ||
        die "apt-get download $PKG failed: $(tail -n 3 "$d/download.log")"
    # The whole package (~400 MB unpacked, a few seconds), deleted below.
    dpkg-deb -x "$d"/dl/*.deb "$d/x" || die "dpkg-deb -x failed"
    # Debian 12 ships /lib/modules, later releases /usr/lib/modules.
    for MODROOT in "$d"/x/lib/modules/* "$d"/x/usr/lib/modules/* ""; do
        [ -d "$MODROOT/kernel" ] && break
    done
    [ -n "$MODROOT" ] || die "no modules in $PKG"
    while IFS= read -r -d '' f; do
        m=${f##*/}
        m=${m%%.ko*}
        KO[${m//-/_}]=$f
    done < <(find "$MODROOT/kernel" -name '*.ko*' -print0)
    for m in $WANT_MODS; do add_module "$m"; done
    printf '%s\n' "${ORDER[@]}" > "$d/modules/load-order"
    f=$(echo "$d"/x/boot/vmlinuz-*)
    [ -f "$f" ] || die "no vmlinuz in $PKG"
    mv "$f" "$d/" || die "cannot write $d"
    rm -rf "$d/dl" "$d/x"
    touch "$d/.done"
}

# The cached boot files: an uncompressed vmlinux and the initramfs.
build_boot() {
    local tmp off r
    KEY=$({ cat "$HERE/guest-init.sh" "$HERE/guest-main.sh" "$DEB_DIR/modules/load-order"; echo "$BUSYBOX"; } |
        md5sum | cut -c1-12)
    KC=$CACHE/boot-$KVER-$KEY
    [ -e "$KC/.done" ] && return 0
    { mkdir -p "$KC" && tmp=$(mktemp -d "$KC/build.XXXXXX"); } || die "cannot create $KC"
    # An ELF vmlinux with a PVH entry note boots directly (qemu's PVH option
    # ROM): no in-guest decompression of the bzImage, ~2 s saved under TCG.
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" | head -n 1 | cut -d: -f1)
    if [ -n "$off" ]; then
        tail -c +$((off + 1)) "$VMLINUZ" | xz -dc --single-stream > "$tmp/vmlinux" 2>/dev/null
    else
        off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$VMLINUZ" | head -n 1 | cut -d: -f1)
        [ -n "$off" ] && tail -c +$((off + 1)) "$VMLINUZ" | zstd -dcq > "$tmp/vmlinux" 2>/dev/null
    fi
    # Xen note type 18 = XEN_ELFNOTE_PHYS32_ENTRY. Without it: the bzImage.
    if ! { [ -s "$tmp/vmlinux" ] &&
        readelf -n "$tmp/vmlinux" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'; }; then
        cp "$VMLINUZ" "$tmp/vmlinux"
    fi
    r=$tmp/root
    mkdir -p "$r"/{bin,dev,proc,sys,lower,upper,newroot}
    cp "$BUSYBOX" "$r/bin/busybox"
    mknod "$r/dev/console" c 5 1 2>/dev/null # as root only; guest-init.sh copes
    cp "$HERE/guest-init.sh" "$r/init"
    cp "$HERE/guest-main.sh" "$r/guest-main.sh"
    chmod 755 "$r/init" "$r/guest-main.sh"
    cp -r "$DEB_DIR/modules" "$r/modules"
    mv "$r/modules/load-order" "$r/modules.order"
    (cd "$r" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) > "$tmp/initrd" || die "cpio failed"
    { mv "$tmp/vmlinux" "$KC/kernel" && mv "$tmp/initrd" "$KC/initrd" && touch "$KC/.done"; } ||
        die "cannot write $KC"
    rm -rf "$tmp"
}

mkdir -p "$CACHE" || die "cannot create $CACHE"
exec 9> "$CACHE/.lock" || die "cannot write $CACHE" # one builder at a time; concurrent runs wait here
flock 9
PKG=$(kernel_pkg) || exit 125
DEB_DIR=$CACHE/deb/$PKG
unpack_kernel
VMLINUZ=$(echo "$DEB_DIR"/vmlinuz-*)
KVER=${VMLINUZ##*/vmlinuz-}
{ [ -r "$VMLINUZ" ] && [ -r "$DEB_DIR/modules/load-order" ]; } || die "broken cache $DEB_DIR: remove it"
build_boot
# Boot files of other kernels or guest scripts: gone after an hour unused.
find "$CACHE" "$CACHE/deb" -mindepth 1 -maxdepth 1 \( -name 'boot-*' -o -name 'linux-image-*' \) \
    ! -path "$KC" ! -path "$DEB_DIR" -mmin +60 -exec rm -rf {} + 2> /dev/null
touch "$KC" "$DEB_DIR"
exec 9>&-
if [ "$PREPARE" = 1 ]; then
    echo "run-in-guest: ready: $KC (kernel $KVER from $PKG)" >&2
    exit 0
fi

# ----------------------------------------------------------------- state ---
# The state dir is shared with the guest (tag nsboxvmstate): config, mounts
# and job.sh in; started, stats and rc out.
ST=$(mktemp -d "${TMPDIR:-/tmp}/nsbox-vm-run.XXXXXX") || die mktemp
mkdir "$ST/share"
QPID=
PIDS=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    [ -n "$QPID" ] && kill "$QPID" 2>/dev/null
    local p
    for p in ${PIDS[@]+"${PIDS[@]}"}; do kill "$p" 2>/dev/null; done
    if [ "$KEEP" = 1 ]; then echo "run-in-guest: state kept in $ST" >&2; else rm -rf "$ST"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "CLEANTMP=$CLEANTMP" > "$ST/share/config"
{
    # The caller's environment, less what describes the caller's shell.
    echo "$ENV_DUMP" | grep -vE '^declare -[-a-zA-Z]+ (PWD|OLDPWD|SHLVL|_)(=|$)'
    echo 'export NSBOX_VM=1 NSBOX_TEST_CGROUP_PARENT=/lane/tests'
    printf 'cd -- %q || exit 125\n' "$CWD"
    printf 'exec'
    printf ' %q' "$@"
    printf '\n'
} > "$ST/share/job.sh"

# pyenv: meson records python3 as found on PATH at setup time, here pyenv's
# shim, a bash script whose `pyenv exec` forks dozens of processes: ~6 s per
# python start under TCG. Resolve the python* shims once, on the host, with
# the caller's environment and cwd, into small wrappers that do what
# `pyenv exec` does (prepend the version's bin to PATH, exec); the guest
# puts them over the shims in its overlay. Other shims stay as they are.
pyenv_shims() {
    local root=${PYENV_ROOT:-${HOME:-/root}/.pyenv} out=$ST/share/pyenv-shims shim name v bin
    local -a versions
    [ -d "$root/shims" ] && [[ ":$PATH:" == *":$root/shims:"* ]] || return 0
    IFS=: read -ra versions <<< "$(pyenv version-name 2> /dev/null)" || return 0
    mkdir -p "$out"
    for shim in "$root"/shims/python*; do
        name=${shim##*/}
        for v in ${versions[@]+"${versions[@]}"}; do
            [ "$v" = system ] && break # pyenv would search PATH: leave the shim
            bin=$root/versions/$v/bin
            [ -x "$bin/$name" ] || continue
            # shellcheck disable=SC2016 # $PATH and $@ are the wrapper's
            printf '#!/bin/sh\n# %s: pyenv shim resolved by run-in-guest.sh\nPATH=%q:"$PATH" exec %q "$@"\n' \
                "$name" "$bin" "$bin/$name" > "$out/$name"
            chmod 755 "$out/$name"
            break
        done
    done
    echo "$root/shims" > "$out/.dir"
}
command -v pyenv > /dev/null && pyenv_shims

# Read-write shares. A directory inside one already shared is not shared
# again: one 9p mount per host directory keeps the guest's view coherent.
if [ "$RW_DEFAULT" = 1 ]; then
    RW_DIRS=("$PROJECT" "$CWD" ${RW_DIRS[@]+"${RW_DIRS[@]}"})
fi
REAL=()
for d in ${RW_DIRS[@]+"${RW_DIRS[@]}"}; do
    { r=$(realpath -e -- "$d") && [ -d "$r" ]; } || die "not a directory: $d"
    case $r in
        / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | *$'\n'*) die "cannot share $r" ;;
    esac
    REAL+=("$r")
done
FSDEV=()
SHARED=()
n=0
while IFS= read -r -d '' d; do # sorted: parents before their children
    for s in ${SHARED[@]+"${SHARED[@]}"}; do
        [[ $d == "$s" || $d == "$s"/* ]] && continue 2
    done
    SHARED+=("$d")
    # qemu's option syntax: a comma in a value is written twice.
    FSDEV+=(-fsdev "local,id=rw$n,path=${d//,/,,},security_model=none,multidevs=remap"
        -device "virtio-9p-pci,fsdev=rw$n,mount_tag=rw$n")
    echo "rw$n $d" >> "$ST/share/mounts"
    n=$((n + 1))
done < <(printf '%s\0' ${REAL[@]+"${REAL[@]}"} | sort -z -u)
touch "$ST/share/mounts"

# qboot: a minimal firmware, faster to start than SeaBIOS.
BIOS=()
[ -r /usr/share/qemu/qboot.rom ] && BIOS=(-bios /usr/share/qemu/qboot.rom)
LOGLEVEL=2
[ "$VERBOSE" = 1 ] && LOGLEVEL=6
# mitigations=off etc.: no security value inside a throw-away guest, and
# each costs boot time under TCG.
APPEND="console=ttyS0 panic=-1 loglevel=$LOGLEVEL mitigations=off tsc=reliable no_timer_check"
APPEND+=" cryptomgr.notests 8250.nr_uarts=1 random.trust_cpu=on ${NSBOX_VM_APPEND:-}"
# q35 + PCI, not microvm: microvm boots ~0.5 s faster but hung at boot in
# about one run out of ten with this kernel under TCG.
QEMU=(qemu-system-x86_64 -machine "q35,accel=tcg" -cpu max -smp "$CPUS" -m "$MEM"
    -nodefaults -no-user-config -display none -no-reboot ${BIOS[@]+"${BIOS[@]}"}
    -pidfile "$ST/qemu.pid"
    -kernel "$KC/kernel" -initrd "$KC/initrd" -append "$APPEND"
    -chardev "file,id=con,path=$ST/console.log" -serial chardev:con
    -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
    -device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
    -fsdev "local,id=state,path=$ST/share,security_model=none"
    -device "virtio-9p-pci,fsdev=state,mount_tag=nsboxvmstate"
    ${FSDEV[@]+"${FSDEV[@]}"}
    -device virtio-serial-pci
    -chardev "file,id=out,path=$ST/out" -device "virtserialport,chardev=out,name=nsbox-vm.stdout"
    -chardev "file,id=err,path=$ST/err" -device "virtserialport,chardev=err,name=nsbox-vm.stderr")
[ "$KEEP" = 1 ] && printf '%q ' "${QEMU[@]}" > "$ST/qemu.cmdline"
# setpriv --pdeathsig: if we are SIGKILLed, timeout(1) gets TERM and stops qemu.
PDEATH=()
setpriv --help 2>&1 | grep -q pdeathsig && PDEATH=(setpriv --pdeathsig TERM)

# Watches the guest until the command starts: records when (for --timing)
# and stops a guest that has not started it within BOOT_TIMEOUT seconds (a
# TCG boot takes 3-6 s; this catches a hung boot long before --timeout).
# With --timing it then samples qemu's peak RSS. Builtins only in the loops:
# a fork every 20 ms would slow qemu on a 2-core machine.
watch_guest() {
    local deadline=$((SECONDS + BOOT_TIMEOUT)) qpid='' k v _
    mkfifo "$ST/tick" && exec 7<> "$ST/tick" || exit 0
    hwm() {
        [ -n "$qpid" ] && [ -r "/proc/$qpid/status" ] || return 0
        while read -r k v _; do
            [ "$k" = VmHWM: ] && echo "$v" > "$ST/hwm"
        done < "/proc/$qpid/status"
    }
    until [ -e "$ST/share/started" ]; do
        if [ -z "$qpid" ] && [ -s "$ST/qemu.pid" ]; then read -r qpid < "$ST/qemu.pid"; fi
        if [ "$SECONDS" -ge "$deadline" ] && [ -n "$qpid" ]; then
            : > "$ST/boot-timeout"
            kill "$qpid"
            exit 0
        fi
        [ "$TIMING" = 1 ] && hwm
        read -r -t 0.02 -u 7
    done
    echo "$EPOCHREALTIME" > "$ST/t_started"
    [ "$TIMING" = 1 ] || exit 0
    while :; do
        hwm
        read -r -t 0.2 -u 7
    done
}

# One boot: qemu, the output readers and the watcher; sets QRC.
run_guest() {
    local p
    rm -f "$ST/out" "$ST/err" "$ST/tick" "$ST/qemu.pid" "$ST/boot-timeout" "$ST/share/started"
    # stdout/stderr: virtio-serial ports -> qemu file chardevs -> these fifos.
    mkfifo "$ST/out" "$ST/err" || die mkfifo
    # Each reader keeps its fifo open on a spare fd: qemu spins if a chardev
    # fifo loses every reader. If our stdout closes (| head), act as a
    # pipeline member: exit 141 (the guest is stopped) instead of running on.
    PIDS=()
    (
        exec 5< "$ST/out"
        cat <&5 || { kill -USR1 $$; exec cat <&5 > /dev/null; }
    ) &
    PIDS+=($!)
    (
        exec 5< "$ST/err"
        cat <&5 >&2 || exec cat <&5 > /dev/null
    ) &
    PIDS+=($!)
    watch_guest &
    PIDS+=($!)
    : > "$ST/console.log"
    if [ "$VERBOSE" = 1 ]; then
        tail -n +1 -f "$ST/console.log" >&2 &
        PIDS+=($!)
    fi
    ${PDEATH[@]+"${PDEATH[@]}"} timeout "$TIMEOUT" "${QEMU[@]}" < /dev/null > "$ST/qemu.log" 2>&1 &
    QPID=$! # timeout(1)'s pid; it passes TERM/INT on to qemu
    wait "$QPID"
    QRC=$?
    QPID=
    # If qemu never opened the fifos, open them here so the readers see EOF.
    exec 3<> "$ST/out" 4<> "$ST/err"
    exec 3>&- 4>&-
    wait "${PIDS[0]}" "${PIDS[1]}" 2>/dev/null # drain stdout and stderr
    for p in "${PIDS[@]:2}"; do kill "$p" 2>/dev/null; done
    PIDS=()
}

trap 'exit 141' USR1
BOOT_TIMEOUT=${NSBOX_VM_BOOT_TIMEOUT:-60}
# A TCG boot very rarely hangs (seen about once in 20 boots, before the
# command starts). Nothing of the command ran yet then, so booting again is
# safe: up to three boots in all.
run_guest
for boot in 2 3; do
    [ -e "$ST/boot-timeout" ] || break
    echo "run-in-guest: the guest did not start the command within ${BOOT_TIMEOUT}s; boot $boot" >&2
    tail -n 5 "$ST/console.log" >&2
    run_guest
done

if [ "$TIMING" = 1 ]; then
    T_END=$EPOCHREALTIME
    stats() { sed -n "s/^$1=//p" "$ST/share/stats" 2>/dev/null; }
    awk -v t0="$T0" -v ts="$(cat "$ST/t_started" 2>/dev/null)" -v te="$T_END" \
        -v up="$(stats uptime_at_start)" -v used="$(stats used_kib_at_start)" \
        -v peak="$(stats lane_peak_kib)" -v hwm="$(cat "$ST/hwm" 2>/dev/null)" 'BEGIN {
        if (!ts) { printf "run-in-guest: timing: the command never started\n"; exit }
        printf "run-in-guest: timing: command started %.2f s after launch (guest uptime %.2f s), "\
            "guest exited at %.2f s; guest memory in use at start %d MiB, command peak %d MiB, "\
            "qemu peak RSS %d MiB\n", ts - t0, up, te - t0, used / 1024, peak / 1024, hwm / 1024
    }' >&2
fi
if [ "$QRC" = 124 ]; then
    echo "run-in-guest: timed out after ${TIMEOUT}s" >&2
    exit 124
fi
if [ -s "$ST/share/rc" ]; then exit "$(cat "$ST/share/rc")"; fi
if [ -e "$ST/boot-timeout" ]; then
    echo "run-in-guest: the guest did not start the command within ${BOOT_TIMEOUT}s, three times" >&2
else
    echo "run-in-guest: the guest did not report an exit status (qemu status $QRC)" >&2
fi
echo "run-in-guest: last console lines:" >&2
tail -n 30 "$ST/console.log" "$ST/qemu.log" >&2
exit 125
