#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs each fuzz target for SECONDS (default 20) on its corpus in the
# repository (tests/fuzz/corpus/<target>/, read only: new inputs go to a
# scratch directory). A crash, leak or sanitizer report fails the run and
# leaves the input in the scratch directory, whose path is printed.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [--merge]
# --merge adds the new inputs that grow coverage to the repository's corpus.
set -u
build=$1
secs=${2:-20}
merge=${3:-}
src=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d /tmp/nsbox-fuzz-run-XXXXXX)
status=0
for t in fuzz_idmap fuzz_cgroup_limit fuzz_path fuzz_run_args fuzz_oci_config; do
    exe=$build/tests/fuzz/$t
    corpus=$src/corpus/$t
    mkdir -p "$scratch/$t"
    # nsbox-run's parser prints an error line for most inputs
    quiet=
    [ "$t" = fuzz_run_args ] && quiet=-close_fd_mask=2
    echo "=== $t: ${secs} s"
    if ! "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 $quiet \
        -artifact_prefix="$scratch/$t/" -print_final_stats=1 "$scratch/$t" "$corpus" \
        >"$scratch/$t.log" 2>&1; then
        echo "=== $t: FAILED (input and log in $scratch)"
        grep -E "ERROR|SUMMARY|Assertion|runtime error|#[0-9]+ 0x" "$scratch/$t.log" | head -30
        status=1
        continue
    fi
    grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$scratch/$t.log" | tr '\n' ' '
    echo
    if [ "$merge" = --merge ]; then
        "$exe" -merge=1 $quiet "$corpus" "$scratch/$t" >/dev/null 2>&1 || status=1
    fi
done
[ $status = 0 ] && rm -rf "$scratch"
exit $status
