#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A fresh Debian 12 install, the way a user does it: `meson setup build &&
# meson install -C build` with the default prefix, then, with no variables
# set (env -i, the system PATH), pkg-config finds libnsbox, the README's C
# demo builds with it and runs, the installed tools run, `import nsbox`
# works from / and loads the installed library, man finds the pages.
#
# It runs in a mount namespace of its own where /usr/local and /etc are
# overlays over the real ones (writes land in a temporary directory, removed
# at the end) and dpkg-architecture is hidden, as on a Debian without
# dpkg-dev, where meson falls back to lib64. Nothing of the host changes.
set -eu
src=$(cd "$2" && pwd)
if [ -n "${NSBOX_VM-}" ]; then
    echo "SKIP: a full build and install under TCG is too slow; the host lane runs it"
    exit 77
fi
if [ "${1-}" != --inside ]; then
    tmp=$(mktemp -d /tmp/nsbox-install-XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    if [ "$(id -u)" != 0 ]; then
        # an overlay of root's /usr/local copies up root's files: only root can
        echo "SKIP: installs as root does, into an overlay of /usr/local: run the suite as root"
        exit 77
    fi
    unshare --mount --propagation private sh "$0" --inside "$src" "$tmp"
    exit
fi

# -- inside the mount namespace
tmp=$3
for d in /usr/local /etc; do
    name=$(echo "$d" | tr / _)
    mkdir -p "$tmp/upper$name" "$tmp/work$name"
    mount -t overlay overlay -o "lowerdir=$d,upperdir=$tmp/upper$name,workdir=$tmp/work$name" "$d"
done
if [ -e /usr/bin/dpkg-architecture ]; then
    mount --bind /bin/false /usr/bin/dpkg-architecture
fi
clean() { env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$tmp" LANG=C.UTF-8 "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

clean meson setup "$tmp/build" "$src" -Dtests=disabled >"$tmp/setup.log" 2>&1 ||
    { cat "$tmp/setup.log"; fail "meson setup"; }
clean meson install -C "$tmp/build" >"$tmp/install.log" 2>&1 ||
    { tail -n 30 "$tmp/install.log"; fail "meson install"; }
grep -q 'libnsbox:' "$tmp/install.log" && grep 'libnsbox:' "$tmp/install.log"
multiarch=$(cc -print-multiarch)
libdir=/usr/local/lib/$multiarch
test -e "$libdir/libnsbox.so.0" || fail "libnsbox.so.0 is not in $libdir: $(find /usr/local -name 'libnsbox.so*')"
test ! -e /usr/local/lib64/libnsbox.so.0 || fail "installed into lib64"

# the installed library exports exactly the installed header's calls
version=$(sed -n "s/^ *version : '\(.*\)',$/\1/p" "$src/meson.build" | head -n 1)
clean python3 "$src/tests/abi_check.py" "$libdir/libnsbox.so.0" /usr/local/include/nsbox.h \
    "$src/lib/libnsbox.sym" "$version" >"$tmp/abi.log" || { cat "$tmp/abi.log"; fail "ABI of the installed library"; }

# pkg-config, and the README's demo built with it
flags=$(clean pkg-config --cflags --libs libnsbox) || fail "pkg-config --cflags --libs libnsbox"
# shellcheck disable=SC2016 # sed addresses: the README's ```c block
sed -n '/^```c$/,/^```$/p' "$src/README.md" | sed '1d;$d' >"$tmp/demo.c"
# shellcheck disable=SC2086 # $flags is pkg-config's output: one argument a word
clean cc -Wall -Werror -o "$tmp/demo" "$tmp/demo.c" $flags || fail "cc demo.c \$(pkg-config ...)"
out=$(cd / && clean "$tmp/demo") || fail "the demo: $out"
test "$out" = "2 sandbox" || fail "the demo printed: $out"

# the installed tools, from PATH
out=$(cd / && clean nsbox-run --version) || fail "nsbox-run --version: $out"
# shellcheck disable=SC2016 # the sandbox's shell expands $$ and $(hostname)
out=$(cd / && clean nsbox-run --unshare-pid --unshare-uts --hostname box sh -c 'echo $$ $(hostname)') ||
    fail "nsbox-run: $out"
test "$out" = "2 box" || fail "nsbox-run printed: $out"
clean nsbox-exec --help >/dev/null || fail "nsbox-exec --help"
clean nsbox-tour --help >/dev/null || fail "nsbox-tour --help"

# python, from / with the system interpreter, loading the installed library
out=$(cd / && clean python3 -c '
import nsbox
with nsbox.Sandbox().add_namespace(nsbox.NS_PID) as box:
    r = box.run(["sh", "-c", "echo $$"], capture_output=True, text=True)
maps = open("/proc/self/maps").read()
lib = [l.split()[-1] for l in maps.splitlines() if "libnsbox.so" in l][0]
print(r.stdout.strip(), lib, nsbox.__file__)') || fail "python3 -c 'import nsbox ...': $out"
# shellcheck disable=SC2086 # python printed three words: split into $1 $2 $3
set -- $out
test "$1" = 2 || fail "python's sandbox printed: $out"
test "$2" = "$libdir/libnsbox.so.0.1.0" || test "$2" = "$libdir/libnsbox.so.0" || fail "python loaded $2"
case $3 in /usr/local/lib/python3*/dist-packages/nsbox/__init__.py) ;; *) fail "python imported $3" ;; esac

# man pages and the bash completion where their readers look
if command -v man >/dev/null && [ -e "$tmp/build/doc/nsbox.3" ]; then
    clean man -w nsbox_spawn >/dev/null || fail "man -w nsbox_spawn"
fi
comp=/usr/local/share/bash-completion/completions
for t in nsbox-run nsbox-exec nsbox-tour; do
    test -e "$comp/$t" || fail "no bash completion $comp/$t"
    # bash-completion finds it on its own, as when TAB is pressed
    if [ -e /usr/share/bash-completion/bash_completion ]; then
        # shellcheck disable=SC2016 # the inner bash expands $1 (the tool)
        clean bash -c '. /usr/share/bash-completion/bash_completion && __load_completion "$1" &&
            complete -p "$1"' sh "$t" | grep -q -- '-F _nsbox' || fail "bash-completion does not load $t's"
    fi
done
echo "fresh install (no dpkg-architecture, no variables): libdir $libdir, pkg-config: $flags;"
echo "demo, nsbox-run, python ($3) ran"
