#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Renders each man page given with man-db's warnings on: any output fails.
if ! command -v man >/dev/null 2>&1; then
    echo "SKIP: man is not installed (Debian package man-db)"
    exit 77
fi
failed=0
for page in "$@"; do
    out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    if [ -n "$out" ]; then
        echo "$page:"
        echo "$out"
        failed=1
    elif [ "$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)" -lt 10 ]; then
        echo "$page: renders to almost nothing"
        failed=1
    else
        echo "$page: ok"
    fi
done
exit $failed
