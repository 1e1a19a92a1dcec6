#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# validate.sh - run the OCI runtime-tools validation suite (opencontainers/
# runtime-tools at commit 260e151, runtime-spec v1.1.0: 58 test programs)
# against an OCI runtime binary, print a verdict per test program and the
# totals, and with -b fail when a test program listed in a baseline file
# does not pass. The project's copy of ../shared/tools/oci-validate.sh, plus
# the baseline check, per-test times and a parallel mode.
#
# The suite's source is not in the repository: it is the tarball
# runtime-tools-260e151.tar.gz (with its vendor/ directory and the busybox
# rootfs its tests unpack) that CI machines keep in ../shared/vendor beside
# the checkout. It is found, in this order, from -t TARBALL, $NSBOX_OCI_VENDOR
# (a directory), ../shared/vendor beside this checkout, and ../shared/vendor
# beside the main checkout when this one is a git worktree. It is built once,
# offline (GOPROXY=off, -mod=vendor), with Debian's golang-go into CACHE.
#
# usage: tests/oci/validate.sh [options] RUNTIME [TEST...]
#   RUNTIME      absolute path of the runtime binary (runc, crun, nsbox-oci)
#   TEST         names like "create" or "linux_cgroups_memory" (default: all)
#   -o OUTDIR    per-test TAP (.tap), stderr (.err), exit status (.rc) and
#                verdicts.txt (default: a new directory in /tmp, kept)
#   -c CACHE     where the built suite lives (default /tmp/nsbox-oci-validate)
#   -t TARBALL   the runtime-tools tarball
#   -b BASELINE  a file of test names (one a line, # comments): exit 1 when
#                one of them does not pass, and name it. A name whose line
#                says "racy:" (the test program races itself; the comment
#                says how) is run up to twice more before it counts as failed
#   -j N         run N test programs at once (default 1). The cgroup tests
#                share fixed cgroup names (/cgrouptest, testdir/cgrouptest)
#                so they always run one after the other, in one of the N.
#   -T SECONDS   timeout of one test program (default 120)
#   -u           unmount /sys/fs/cgroup/unified in the private mount
#                namespace first (crun 1.8 refuses hybrid hosts otherwise)
# needs: root, golang-go, util-linux (unshare), coreutils (timeout).
# Each test program runs inside a private mount namespace with its own
# TMPDIR under OUTDIR (its bundle goes there), removed after it, so leftover
# mounts of a failing test never reach the host. Two runs at once on one
# machine collide on the cgroup tests' fixed names: do not.
#
# Verdicts: PASS; PASS(expected-error) (no TAP plan: the test expected the
# runtime to refuse the config, and it did); FAIL (a "not ok" line);
# FAIL(rc=N) (the test program failed or timed out: 124); FAIL(1..0+error)
# (the harness could not even start: plan "1..0" plus an error diagnostic).
# Exit status: 0; 1 when -b names a test that did not pass; 2 on bad usage or
# when the suite cannot be built.
set -u -o pipefail

# Internal: run the test programs of one work item (names joined by commas)
# in order, each with its own TMPDIR, removed after it.
if [ "${1:-}" = --item ]; then
    cd "$SRC" || exit 2
    for n in ${2//,/ }; do
        d=$OUT/tmp/$n
        mkdir -p "$d"
        s=$EPOCHREALTIME
        TMPDIR=$d RUNTIME=$RT timeout -k 10 "$TMO" "validation/$n/$n.t" > "$OUT/$n.tap" 2> "$OUT/$n.err"
        echo $? > "$OUT/$n.rc"
        awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }' > "$OUT/$n.time"
        # Mounts a runtime left in the bundle (they can propagate back into
        # this namespace: a shared rootfsPropagation), deepest first; rm
        # never crosses into a file system that is still mounted.
        grep -o " $d/[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
        rm -rf --one-file-system "$d"
    done
    exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out="" cache=/tmp/nsbox-oci-validate tarball="" baseline="" jobs=1 tmo=120 unified=0
usage() { sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts o:c:t:b:j:T:uh opt; do
    case $opt in
    o) out=$OPTARG ;;
    c) cache=$OPTARG ;;
    t) tarball=$OPTARG ;;
    b) baseline=$OPTARG ;;
    j) jobs=$OPTARG ;;
    T) tmo=$OPTARG ;;
    u) unified=1 ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
rt=$1
shift
case $rt in /*) ;; *) echo "validate.sh: RUNTIME must be an absolute path: $rt" >&2; exit 2 ;; esac
[ -x "$rt" ] || { echo "validate.sh: $rt is not executable" >&2; exit 2; }
case $jobs in '' | *[!0-9]* | 0) echo "validate.sh: -j wants a positive number: $jobs" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "validate.sh: run as root (the suite creates namespaces and cgroups)" >&2; exit 2; }
if [ -n "$baseline" ] && [ ! -r "$baseline" ]; then
    echo "validate.sh: cannot read the baseline $baseline" >&2
    exit 2
fi

# The tarball: -t, $NSBOX_OCI_VENDOR, ../shared/vendor beside this checkout
# or beside the main checkout of this git worktree.
find_tarball() {
    local name=runtime-tools-260e151.tar.gz d common
    local dirs=("${NSBOX_OCI_VENDOR:-}" "$top/../shared/vendor")
    common=$(git -C "$top" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) &&
        dirs+=("$(dirname "$common")/../shared/vendor")
    for d in "${dirs[@]}"; do
        [ -n "$d" ] && [ -f "$d/$name" ] && { echo "$d/$name"; return 0; }
    done
    echo "validate.sh: $name not found in: ${dirs[*]} (give it with -t)" >&2
    return 1
}
[ -n "$tarball" ] || tarball=$(find_tarball) || exit 2
[ -f "$tarball" ] || { echo "validate.sh: no tarball at $tarball" >&2; exit 2; }

# mktemp makes the directory 0700: a test whose container maps another uid
# (linux_uid_mappings, linux_ns_nopath) could not reach its bundle in it.
if [ -z "$out" ]; then
    out=$(mktemp -d /tmp/nsbox-oci-validate.XXXXXX) && chmod 755 "$out" || exit 2
fi
mkdir -p "$out" "$cache" || exit 2
out=$(cd "$out" && pwd)
cache=$(cd "$cache" && pwd)

# Build once; .built records which tarball, so another one rebuilds.
src=$cache/runtime-tools
stamp=$(stat -c '%s %Y' "$tarball")
if [ "$(cat "$src/.built" 2>/dev/null)" != "$stamp" ]; then
    command -v go > /dev/null || { echo "validate.sh: needs golang-go (apt-get install golang-go)" >&2; exit 2; }
    rm -rf "$src"
    mkdir -p "$src"
    tar -xzf "$tarball" -C "$src" || exit 2
    echo "validate.sh: building the suite (20 s to 3 min) ..." >&2
    (cd "$src" && GOFLAGS=-mod=vendor GOPROXY=off GOCACHE=$cache/gocache \
        make runtimetest validation-executables > "$cache/build.log" 2>&1) ||
        { tail -20 "$cache/build.log" >&2; echo "validate.sh: build failed (log: $cache/build.log)" >&2; exit 2; }
    echo "$stamp" > "$src/.built"
fi

tests=()
if [ $# -eq 0 ]; then
    for t in "$src"/validation/*/*.t; do tests+=("$(basename "$t" .t)"); done
else
    for n in "$@"; do
        [ -x "$src/validation/$n/$n.t" ] || { echo "validate.sh: no test program named $n" >&2; exit 2; }
        tests+=("$n")
    done
fi

# Work items for xargs: the cgroup tests joined in one item (run in order),
# every other test its own item.
items=() cg=""
for n in "${tests[@]}"; do
    case $n in
    linux_cgroups_* | delete_resources) cg="$cg${cg:+,}$n" ;;
    *) items+=("$n") ;;
    esac
done
[ -n "$cg" ] && items=("$cg" "${items[@]}")

rm -f "$out"/*.tap "$out"/*.err "$out"/*.rc "$out"/*.time
mkdir -p "$out/tmp"
t0=$SECONDS
# One private mount namespace for the run (the -u unmount and every test's
# mounts stay in it); xargs runs the items, each by this script's own
# "--item" mode below.
# shellcheck disable=SC2016 # the inner bash expands them
printf '%s\n' "${items[@]}" |
    RT=$rt OUT=$out SRC=$src TMO=$tmo unshare -m --propagation private \
        bash -c '[ "$1" = 1 ] && { umount /sys/fs/cgroup/unified || exit 2; }
            exec xargs -P "$2" -n 1 "$3" --item' _ "$unified" "$jobs" "$here/validate.sh" || exit 2
elapsed=$((SECONDS - t0))

# Verdicts, in name order.
P=0 F=0 S=0 TP=0 TF=0
printf '%-34s %5s %5s %5s %6s %s\n' test pass fail skip time verdict > "$out/verdicts.txt"
for n in "${tests[@]}"; do
    f=$out/$n.tap
    rc=$(cat "$out/$n.rc" 2> /dev/null || echo 255)
    ok=$(grep -cE '^ok [0-9]+' "$f")
    skip=$(grep -cE '^ok [0-9]+.*# SKIP' "$f")
    nok=$(grep -cE '^not ok [0-9]+' "$f")
    plan=$(grep -oE '^1\.\.[0-9]+' "$f" | head -1)
    err=$(grep -c '^ *"error"' "$f")
    if [ "$rc" != 0 ]; then v="FAIL(rc=$rc)"
    elif [ -z "$plan" ]; then v="PASS(expected-error)"
    elif [ "$nok" -gt 0 ]; then v=FAIL
    elif [ "$plan" = "1..0" ] && [ "$err" -gt 0 ]; then v="FAIL(1..0+error)"
    else v=PASS; fi
    printf '%-34s %5d %5d %5d %6s %s\n' "$n" $((ok - skip)) "$nok" "$skip" \
        "$(cat "$out/$n.time" 2> /dev/null || echo -)" "$v" >> "$out/verdicts.txt"
    P=$((P + ok - skip)) F=$((F + nok)) S=$((S + skip))
    case $v in PASS*) TP=$((TP + 1)) ;; *) TF=$((TF + 1)) ;; esac
done
rmdir "$out/tmp" 2> /dev/null
cat "$out/verdicts.txt"
echo "validate.sh: $TP passed, $TF failed of ${#tests[@]} test programs in ${elapsed} s" \
    "(assertions: $P ok, $F not ok, $S skipped; runtime $rt) -- details in $out"

[ -n "$baseline" ] || exit 0
# The baseline: every listed test must pass; say which passing ones are not
# listed yet (candidates to add).
status=0
while read -r n note; do
    case $n in '' | '#'*) continue ;; esac
    v=$(awk -v n="$n" '$1 == n { print $NF }' "$out/verdicts.txt")
    [ -n "$v" ] || continue # not run this time (a TEST list was given)
    case $v in PASS*) continue ;; esac
    case $note in
    racy:*)
        for try in 2 3; do
            r=$("$0" -o "$out/retry-$try" -c "$cache" -t "$tarball" -T "$tmo" "$rt" "$n" |
                awk -v n="$n" '$1 == n { print $NF }')
            echo "validate.sh: RACY: $n was $v, try $try: $r (see $out/retry-$try)"
            case $r in PASS*) continue 2 ;; esac
        done
        ;;
    esac
    echo "validate.sh: REGRESSION: $n is in the baseline but now $v (see $out/$n.tap, $n.err)"
    status=1
done < "$baseline"
for n in "${tests[@]}"; do
    grep -qxE "$n( .*)?" "$baseline" && continue
    case $(awk -v n="$n" '$1 == n { print $NF }' "$out/verdicts.txt") in
    PASS*) echo "validate.sh: $n passes but is not in the baseline: add it to $baseline" ;;
    esac
done
[ $status = 0 ] && echo "validate.sh: every test program of the baseline passed"
exit $status
