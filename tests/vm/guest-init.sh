#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Stage 1 of the cgroup v2 guest: /init of the initramfs that
# run-in-guest.sh builds, PID 1 until switch_root. Only the static busybox,
# this file, guest-main.sh and the kernel modules listed in /modules.order
# (dependencies first) are in the initramfs.
#
# It builds the guest's root: the HOST's / (virtio-9p tag "hostroot",
# exported read-only) as the lower layer of an overlay whose upper layer is a
# tmpfs, so host-built binaries, the host's /etc/passwd and toolchain are
# there unchanged, and every write in the guest is thrown away at power-off.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
# The kernel could not open /dev/console before devtmpfs was mounted when the
# initramfs was built without root (no mknod): fix the standard fds now.
exec 0</dev/console 1>/dev/console 2>&1
die() { echo "nsbox-vm init: FATAL: $*"; poweroff -f; sleep 5; echo o > /proc/sysrq-trigger; }

while read -r m; do
    insmod "/modules/$m.ko" || die "insmod $m"
done < /modules.order

o9p=trans=virtio,version=9p2000.L,msize=512000
# cache=loose: the host's / does not change under a test run, and caching its
# metadata makes exec and path lookups several times faster over 9p.
mount -t 9p -o "$o9p,ro,cache=loose" hostroot /lower || die "mount 9p hostroot"
mount -t tmpfs -o mode=755 tmpfs /upper || die "tmpfs /upper"
mkdir /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot \
    || die "mount overlay"
# A fresh /run: nothing of the host's running services leaks in.
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /newroot/run || die "tmpfs /run"
mkdir -p /newroot/run/nsbox-vm/bin /newroot/run/nsbox-vm/state
cp /bin/busybox /guest-main.sh /newroot/run/nsbox-vm/ || die "copy stage 2"
umount /proc
# switch_root, not chroot: unshare(CLONE_NEWUSER) fails with EPERM in a
# chroot, and the tests need user namespaces.
exec switch_root /newroot /run/nsbox-vm/busybox sh /run/nsbox-vm/guest-main.sh
