#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every test runs through this wrapper (meson's default test setup):
#     nobody_view.sh BUILD SRC CMD...
# The suites run their cases again as nobody, who must reach the build and
# source directories (test binaries, priv-helper, nsbox-run, the library).
# A root clone in /root (mode 0700) blocks that. Then CMD runs in a mount
# namespace of its own where that directory is a 0755 tmpfs holding binds
# of all its entries: the same tree, searchable, with nothing changed on
# the host. Otherwise CMD runs as it is.
build=$1 src=$2
shift 2
nobody_can() { setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$1" 2>/dev/null; }
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || { nobody_can "$build" && nobody_can "$src"; }; then
    exec "$@"
fi
# the first directory on the way that nobody cannot search
blocked=""
for path in "$build" "$src"; do
    d=""
    for part in $(echo "$path" | tr / ' '); do
        d="$d/$part"
        if ! nobody_can "$d"; then
            [ -z "$blocked" ] || [ "$blocked" = "$d" ] || {
                echo "nobody_view: $blocked and $d both block nobody"; blocked=""; break 2; }
            blocked=$d
            break
        fi
    done
done
if [ -z "$blocked" ] || ! unshare --mount true 2>/dev/null; then
    echo "note: nobody cannot reach $build or $src; the nobody half of the tests fails."
    echo "Make the directories on the way searchable (chmod o+x), or clone outside /root."
    exec "$@"
fi
# shellcheck disable=SC2016 # the inner sh expands its own $1, $2, $@
exec unshare --mount --propagation private sh -c '
    set -e
    blocked=$1 build=$2
    shift 2
    keep=$(mktemp -d /tmp/nsbox-view-XXXXXX)
    mount --rbind "$blocked" "$keep"
    mount -t tmpfs -o mode=0755 nsbox-view "$blocked"
    for e in "$keep"/* "$keep"/.[!.]* "$keep"/..?*; do
        [ -e "$e" ] || [ -L "$e" ] || continue
        t="$blocked/${e##*/}"
        if [ -L "$e" ]; then cp -P "$e" "$t"; continue; fi
        if [ -d "$e" ]; then mkdir "$t"; else : >"$t"; fi
        mount --rbind "$e" "$t"
    done
    umount -l "$keep"
    rmdir "$keep"
    if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$build"; then
        echo "note: nobody still cannot reach $build (a directory below $blocked"
        echo "is not searchable: chmod o+x it, or clone outside /root); the nobody half fails."
    fi
    exec "$@"' nobody_view "$blocked" "$build" "$@"
