#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nsbox-run's privilege options, checked from inside with priv-helper:
--cap-add/--cap-drop in order (bwrap's meaning) and --seccomp FD."""
import os
import platform
import struct
import subprocess
import sys

run, helper = sys.argv[1], sys.argv[2]
# (AUDIT_ARCH_*, __NR_uname) of the machine.
ARCH = {"x86_64": (0xC000003E, 63), "aarch64": (0xC00000B7, 160)}[platform.machine()]
EXFULL = 54


def deny_uname():
    arch, nr = ARCH
    ins = [(0x20, 0, 0, 4), (0x15, 1, 0, arch), (0x06, 0, 0, 0x80000000),
           (0x20, 0, 0, 0), (0x15, 0, 1, nr), (0x06, 0, 0, 0x00050000 | EXFULL),
           (0x06, 0, 0, 0x7FFF0000)]
    return b"".join(struct.pack("=HBBI", *i) for i in ins)


def nsbox_run(*args, data=None):
    fds = ()
    if data is not None:
        rd, wr = os.pipe()
        os.write(wr, data)
        os.close(wr)
        os.dup2(rd, 9, inheritable=True)
        os.close(rd)
        fds = (9,)
    p = subprocess.run([run, *args], capture_output=True, text=True, pass_fds=fds)
    if data is not None:
        os.close(9)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def field(status, key):
    return dict(kv.split("=") for kv in status.split())[key]


def check(cond, what):
    if not cond:
        sys.exit(f"FAIL: {what}")


NET_RAW = 1 << 13
SYS_ADMIN = 1 << 21
rc, out, err = nsbox_run("--unshare-user", "--uid", "5", "--cap-add", "net_raw", helper, "status")
check(rc == 0 and int(field(out, "amb"), 16) == NET_RAW, f"--cap-add net_raw: {out} {err}")
rc, out, err = nsbox_run("--unshare-user", "--cap-add", "ALL", "--cap-drop", "CAP_SYS_ADMIN",
                         helper, "status")
check(rc == 0 and int(field(out, "eff"), 16) & SYS_ADMIN == 0
      and int(field(out, "eff"), 16) & NET_RAW, f"ALL then drop: {out} {err}")
rc, out, err = nsbox_run("--unshare-user", "--cap-drop", "ALL", "--cap-add", "net_raw",
                         helper, "status")
check(rc == 0 and int(field(out, "eff"), 16) == NET_RAW, f"drop ALL then add: {out} {err}")
rc, out, err = nsbox_run("--cap-add", "bogus", helper, "status")
check(rc == 1 and 'capability "bogus": unknown name' in err, f"bad name: {rc} {err}")
rc, out, err = nsbox_run("--unshare-user", "--seccomp", "9", helper, "uname", data=deny_uname())
check(rc == 0 and out == "EXFULL", f"--seccomp: {out} {err}")
rc, out, err = nsbox_run("--unshare-user", "--seccomp", "9", helper, "uname", data=b"1234567")
check(rc == 1 and "seccomp filter of 7 bytes" in err, f"--seccomp bad data: {rc} {err}")
if os.getuid() == 0:
    # bwrap: root without --cap-add/--cap-drop keeps its capabilities.
    rc, out, err = nsbox_run("--unshare-user", helper, "status")
    check(rc == 0 and int(field(out, "eff"), 16) & SYS_ADMIN, f"root keeps caps: {out} {err}")
print("nsbox-run privilege options: ok")
