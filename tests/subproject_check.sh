#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# libnsbox as a meson subproject (a wrap with [provide]): a tiny consumer
# gets it with dependency('libnsbox'), builds the README's demo against it
# and runs it; the subproject builds no tests, tools, man pages or Python,
# and installs only the library and its header.
# usage: subproject_check.sh SRC
set -eu
src=$(cd "$1" && pwd)
if [ -n "${NSBOX_VM-}" ]; then
    echo "SKIP: a full build under TCG is too slow; the host lane runs it"
    exit 77
fi
tmp=$(mktemp -d /tmp/nsbox-subproject-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
c=$tmp/consumer
mkdir -p "$c/subprojects/libnsbox"
# the sources as a release tarball has them (no build directories, no .git)
(cd "$src" && tar --exclude='./build*' --exclude=./.git --exclude='./subprojects' -cf - .) |
    tar -C "$c/subprojects/libnsbox" -xf -
cat >"$c/subprojects/libnsbox.wrap" <<'WRAP'
[wrap-file]
directory = libnsbox

[provide]
dependency_names = libnsbox
WRAP
cat >"$c/meson.build" <<'MESON'
project('consumer', 'c', default_options : ['werror=true'])
nsbox = dependency('libnsbox', version : '>= 0.1')
executable('demo', 'demo.c', dependencies : nsbox, install : true)
MESON
# shellcheck disable=SC2016 # sed addresses: the README's ```c block
sed -n '/^```c$/,/^```$/p' "$src/README.md" | sed '1d;$d' >"$c/demo.c"

meson setup "$tmp/b" "$c" --force-fallback-for=libnsbox >"$tmp/setup.log" 2>&1 ||
    { cat "$tmp/setup.log"; fail "meson setup of the consumer"; }
meson compile -C "$tmp/b" >"$tmp/compile.log" 2>&1 || { tail -n 30 "$tmp/compile.log"; fail "compile"; }
out=$(cd / && "$tmp/b/demo") || fail "the demo: $out"
test "$out" = "2 sandbox" || fail "the demo printed: $out"

# what the subproject built and would install
meson introspect "$tmp/b" --targets >"$tmp/targets.json"
meson introspect "$tmp/b" --installed >"$tmp/installed.json"
meson introspect "$tmp/b" --tests >"$tmp/tests.json"
python3 - "$tmp" <<'PY'
import json, os, sys
tmp = sys.argv[1]
targets = sorted(t["name"] for t in json.load(open(os.path.join(tmp, "targets.json"))))
installed = sorted(os.path.basename(p) for p in json.load(open(os.path.join(tmp, "installed.json"))).values())
tests = json.load(open(os.path.join(tmp, "tests.json")))
bad = [t for t in targets if t in ("nsbox-run", "nsbox-exec", "nsbox-tour") or t.startswith(("test-", "bench-", "priv-", "seccomp")) or t.endswith((".1", ".3"))]
want = {"demo", "libnsbox.so", "libnsbox.so.0", "libnsbox.so.0.1.0", "nsbox.h"}
errors = []
if bad:
    errors.append(f"the subproject builds {bad}")
if tests:
    errors.append(f"the subproject defines tests {[t['name'] for t in tests]}")
if set(installed) != want:
    errors.append(f"installs {installed}, not {sorted(want)}")
for e in errors:
    print("FAIL:", e)
if errors:
    sys.exit(1)
print("subproject: targets", targets, "; installs", installed)
PY
echo "consumer built with dependency('libnsbox') from the wrap; demo printed: $out"
