#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# meson install's last step (not run with DESTDIR): refresh the dynamic
# loader's cache so that programs find the new libnsbox.so.0 with no
# LD_LIBRARY_PATH, and say how to fix a libdir the loader does not search.
# $1: the installed libdir; $2: "always" (-Dldconfig=enabled) or "auto".
libdir=$1 mode=$2
if [ "$(id -u)" != 0 ] && [ "$mode" != always ]; then
    echo "libnsbox: not root, ldconfig not run; run it as root if $libdir is in /etc/ld.so.conf"
    exit 0
fi
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
"$ldconfig" || { echo "libnsbox: ldconfig failed"; [ "$mode" != always ]; exit; }
if ! "$ldconfig" -p | grep -qF " => $libdir/libnsbox.so.0"; then
    echo "libnsbox: $libdir is not in the dynamic loader's path: add it to a file in"
    echo "/etc/ld.so.conf.d/ and run ldconfig, or link programs with -Wl,-rpath,$libdir"
fi
