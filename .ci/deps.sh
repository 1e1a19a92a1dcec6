#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what building and testing libnsbox needs on Debian 12 (as root):
# what the README's commands need, nothing more (CI's extra tools, clang
# and clang-format, are installed by .ci/run).
# bubblewrap is the reference nsbox-run is compared with (tests); busybox-static
# makes nsbox-oci's test bundles.
# Quiet and idempotent: a machine that has everything makes no change.
set -e
pkgs="meson ninja-build gcc pkg-config libcap-dev check libseccomp-dev libjansson-dev scdoc man-db uidmap
      python3 python3-pip python3-setuptools iproute2 procps bash-completion bubblewrap
      busybox-static"
# the missing ones, as the arguments "$@"
set --
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || set -- "$@" "$p"
done
[ $# -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "$@" >/dev/null
