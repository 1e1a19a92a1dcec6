#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# install-deps.sh - install what tests/vm/run-in-guest.sh (the cgroup v2
# lane) needs on Debian 12, as root. Idempotent: installs only the missing
# packages, so a second run does nothing and needs no network.
#
#   qemu-system-x86  qemu-system-x86_64 (TCG), with qboot and the PVH option
#                    ROM; no recommends: no GUI, no OVMF, no block extras
#   busybox-static   the initramfs's only program (no libc in there)
#   binutils         readelf: checks that the unpacked vmlinux can boot PVH
#   xz-utils, zstd   unpack the kernel image for that PVH boot
#   util-linux       setpriv, flock, unshare (essential; listed to be sure)
#
# The kernel itself is not installed: run-in-guest.sh fetches the package
# linux-image-amd64 depends on with `apt-get download` on its first run (or
# with --prepare). This script makes sure the apt lists can resolve it.
set -eu -o pipefail

PKGS=(qemu-system-x86 busybox-static binutils xz-utils zstd util-linux)

[ "$(id -u)" = 0 ] || { echo "install-deps.sh: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# apt lists: needed to install, and by run-in-guest.sh to find the kernel.
updated=0
if [ ${#missing[@]} -gt 0 ] ||
    ! apt-cache depends linux-image-amd64 2>/dev/null | grep -q 'Depends: linux-image-[0-9]'; then
    apt-get update -qq
    updated=1
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps.sh: installing ${missing[*]}" >&2
    # busybox-static replaces the dynamic busybox package if that is installed.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
apt-cache depends linux-image-amd64 2>/dev/null | grep -q 'Depends: linux-image-[0-9]' || {
    echo "install-deps.sh: apt cannot resolve linux-image-amd64 (updated: $updated)" >&2
    exit 1
}
# The initramfs needs a static busybox; /bin/busybox must be the static one.
if ldd "$(command -v busybox)" > /dev/null 2>&1; then
    echo "install-deps.sh: $(command -v busybox) is dynamically linked" >&2
    exit 1
fi
echo "install-deps.sh: ok" >&2
