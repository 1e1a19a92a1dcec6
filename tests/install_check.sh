#!/bin/sh
# meson install puts the header, the library and libnsbox.pc in place, and
# `pkg-config --cflags --libs libnsbox` is then all a program needs; the
# library exports only nsbox_* symbols, versioned, with soname libnsbox.so.0.
set -eu
build=$1 src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild >/dev/null
option() {
    meson introspect "$build" --buildoptions | python3 -c \
        'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]))' "$1"
}
prefix=$(option prefix)
# a sanitized library needs its runtime in the program too
sanitize=$(option b_sanitize)
san_flags=""
[ "$sanitize" = none ] || san_flags="-fsanitize=$sanitize"
pcdir=$(dirname "$(find "$dest" -name libnsbox.pc | head -n1)")
libdir=$(dirname "$(find "$dest" -name 'libnsbox.so.0' | head -n1)")
test -f "$dest$prefix/include/nsbox.h"
# the .pc names the final prefix: point it at the staged copy
sed "s|^prefix=.*|prefix=$dest$prefix|; s|^libdir=.*|libdir=$libdir|; s|^includedir=.*|includedir=$dest$prefix/include|" \
    "$pcdir/libnsbox.pc" > "$dest/libnsbox.pc"
sed -n '/^```c$/,/^```$/p' "$src/README.md" | sed '1d;$d' > "$dest/demo.c"
# shellcheck disable=SC2046
cc -Wall -Werror $san_flags -o "$dest/demo" "$dest/demo.c" $(PKG_CONFIG_PATH=$dest pkg-config --cflags --libs libnsbox)
out=$(LD_LIBRARY_PATH=$libdir "$dest/demo")
test "$out" = "2 sandbox" || { echo "demo printed: $out"; exit 1; }
soname=$(readelf -d "$libdir/libnsbox.so.0" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
test "$soname" = libnsbox.so.0 || { echo "soname $soname"; exit 1; }
bad=$(nm -D --defined-only "$libdir/libnsbox.so.0" | awk '{print $3}' | grep -v '^nsbox_' | grep -v '^LIBNSBOX_0$' || true)
test -z "$bad" || { echo "exported beyond nsbox_*: $bad"; exit 1; }
nm -D --defined-only "$libdir/libnsbox.so.0" | grep -q 'nsbox_spawn@@LIBNSBOX_0'
echo "installed, built with pkg-config, ran: $out; exports only nsbox_* at LIBNSBOX_0"
