#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Static analysis of the whole tree: shellcheck on every shell script,
# clang-tidy (its checks and clang's static analyzer, configured in
# .clang-tidy files) and cppcheck on every C file. Files are found with git
# (tracked ones and new ones not ignored), so a new file is checked without
# an edit here. Each finding is printed as "path:line:col: severity: text
# [check]"; any finding fails the run. How to run one tool and how to
# suppress a finding: CONTRIBUTING.md, "Static analysis".
#   .ci/analysis.sh [shellcheck] [clang-tidy] [cppcheck]   (default: all three)
# Needs shellcheck, clang-tidy and cppcheck (.ci/run's ci-deps lane installs
# them), meson and clang; the compile commands come from a clang build
# directory configured (not built) in $NSBOX_ANALYSIS_BUILD (build-analysis).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
build=${NSBOX_ANALYSIS_BUILD:-build-analysis}
jobs=$(nproc)
tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(shellcheck clang-tidy cppcheck)
out=$(mktemp -d /tmp/nsbox-analysis-XXXXXX)
trap 'rm -rf "$out"' EXIT
status=0

# Every file of the tree that git knows of or would add, without the fuzz
# corpus (data).
git ls-files -z --cached --others --exclude-standard | tr '\0' '\n' |
    grep -v '^tests/fuzz/corpus/' | while read -r f; do [ -f "$f" ] && echo "$f"; done | sort -u >"$out/files"

# Prints one tool's findings (relative paths, each once) and counts them.
report() { # tool, file of raw findings
    local tool=$1 raw=$2 n
    # clang-tidy names files as meson gave them: relative to the build
    # directory ("../lib/x.c") or through it
    sed -e "s|^$root/||" -e "s|^$build/\.\./||" -e 's|^\.\./||' "$raw" | sort -u >"$raw.sorted"
    n=$(wc -l <"$raw.sorted")
    if [ "$n" -eq 0 ]; then
        echo "--- $tool: no findings"
    else
        echo "--- $tool: $n finding(s)"
        cat "$raw.sorted"
        status=1
    fi
}

# Shell scripts: *.sh, files with a sh or bash #! line, and bash
# completions (sourced, no #! line: checked as bash).
run_shellcheck() {
    local f sc=() comp=()
    while read -r f; do
        case $f in
        */completions/*) comp+=("$f") ;;
        *.sh) sc+=("$f") ;;
        *) head -n 1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh\b' && sc+=("$f") ;;
        esac
    done <"$out/files"
    echo "--- shellcheck: ${#sc[@]} scripts, ${#comp[@]} completion(s)"
    {
        [ ${#sc[@]} -eq 0 ] || shellcheck -f gcc -x -P SCRIPTDIR "${sc[@]}"
        [ ${#comp[@]} -eq 0 ] || shellcheck -f gcc -s bash "${comp[@]}"
    } >"$out/shellcheck" 2>&1
    report shellcheck "$out/shellcheck"
}

# compile_commands.json for every C file: meson's entries (clang build
# directory) for the files a build compiles, and for the others (the init
# helper, fuzz targets without -Dfuzz=true, a file not yet in a meson.build)
# the project's flags with every directory that holds a header as an
# include directory.
compile_db() {
    # reconfigured each time: a meson.build edited since is seen
    local again=
    [ -f "$build/build.ninja" ] && again=--reconfigure
    CC=clang meson setup $again "$build" -Db_colorout=never >"$out/meson.log" 2>&1 ||
        { cat "$out/meson.log"; echo "--- meson setup $build failed"; return 1; }
    mkdir -p "$out/db"
    python3 - "$root" "$build/compile_commands.json" "$out/files" "$out/db/compile_commands.json" <<'EOF'
import json, os, shlex, sys
root, meson_db, all_files, dest = sys.argv[1:5]
files = [l.strip() for l in open(all_files) if l.strip()]
wanted = [f for f in files if f.endswith(".c")]
entries = {}
for e in json.load(open(meson_db)):
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(path, root)
    if rel in wanted and rel not in entries:
        e["file"] = path
        entries[rel] = e
incs = sorted({os.path.dirname(f) or "." for f in files if f.endswith(".h")})
for rel in wanted:
    if rel not in entries:
        args = ["clang", "-std=gnu11", "-Wall", "-Wextra", "-fvisibility=hidden",
                "-DNSBOX_VERSION=\"0\""] + ["-I" + os.path.join(root, d) for d in incs]
        if "/init/" in rel:
            args += ["-ffreestanding", "-nostdlib"]
        entries[rel] = {"directory": root, "file": os.path.join(root, rel),
                        "command": shlex.join(args + ["-c", os.path.join(root, rel)])}
json.dump(sorted(entries.values(), key=lambda e: e["file"]), open(dest, "w"), indent=1)
print("--- compile commands: %d C files" % len(entries))
EOF
}

# clang-tidy with clang's static analyzer (the checks and the reasons for
# those left out: .clang-tidy, tests/.clang-tidy). One file per process,
# $jobs at a time; findings in headers are reported once.
run_clang_tidy() {
    local db=$out/db/compile_commands.json
    # shellcheck disable=SC2016 # the inner sh expands $1 $2 $3
    python3 -c 'import json,sys; print("\n".join(e["file"] for e in json.load(open(sys.argv[1]))))' "$db" |
        xargs -d '\n' -P "$jobs" -n 1 sh -c 'clang-tidy -p "$1" --quiet --extra-arg=-fno-color-diagnostics "$3" >"$2/tidy.$$.$(basename "$3").log" 2>&1 || true' \
            sh "$out/db" "$out"
    # a file that does not compile is a finding too ("error:")
    cat "$out"/tidy.*.log 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): ' >"$out/clang-tidy"
    report clang-tidy "$out/clang-tidy"
}

# cppcheck on the same compile commands, for x86_64 (the configuration CI
# builds; lib/base/sys.h has an #error for others), with its POSIX models
# corrected for Linux by .ci/cppcheck.cfg. Inline suppressions
# ("// cppcheck-suppress id ; why" on the line before) are on. Left out for
# the whole tree, with the reason:
cppcheck_off=(
    # the system headers are not given to cppcheck (it has its own models)
    missingIncludeSystem
    # cppcheck does not run __attribute__((cleanup)) functions: every
    # _cleanup_free_/_cleanup_close_ variable looks leaked (the ASan lane's
    # LeakSanitizer and the tests' fd checks catch real leaks)
    memleak resourceLeak
    # readdir on one DIR per thread is safe; glibc deprecates readdir_r
    readdirCalled
    # glibc's NULL is ((void *)0): a NULL that ends a variadic list (execl
    # style) is a pointer
    varFuncNullUB
    # structs that mirror a kernel ABI (struct pidfd_info ...) keep the
    # fields the library does not read
    unusedStructMember
    # tests poll with usleep; glibc keeps it
    usleepCalled
    # a declaration at first use in a block is the tree's style; cppcheck
    # would push it into the innermost branch that uses it
    variableScope
)
run_cppcheck() {
    local off=() id
    for id in "${cppcheck_off[@]}"; do off+=("--suppress=$id"); done
    cppcheck --project="$out/db/compile_commands.json" -j "$jobs" --quiet -D__x86_64__ \
        --enable=warning,style,performance,portability --inline-suppr "${off[@]}" \
        --library=posix --library=.ci/cppcheck.cfg --std=c11 --error-exitcode=0 \
        --template='{file}:{line}:{column}: {severity}: {message} [{id}]' 2>"$out/cppcheck.raw" >/dev/null
    grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$out/cppcheck.raw" >"$out/cppcheck"
    report cppcheck "$out/cppcheck"
}

need_db=false
for t in "${tools[@]}"; do
    case $t in
    shellcheck) ;;
    clang-tidy | cppcheck) need_db=true ;;
    *) echo "unknown tool $t (shellcheck, clang-tidy, cppcheck)"; exit 2 ;;
    esac
done
$need_db && { compile_db || exit 1; }
for t in "${tools[@]}"; do
    t0=$SECONDS
    case $t in
    shellcheck) run_shellcheck ;;
    clang-tidy) run_clang_tidy ;;
    cppcheck) run_cppcheck ;;
    esac
    echo "--- $t: $((SECONDS - t0)) s"
done
[ $status -eq 0 ] && echo "--- static analysis: clean" || echo "--- static analysis: FAILED (fix each finding, or suppress it with a comment saying why: CONTRIBUTING.md)"
exit $status
