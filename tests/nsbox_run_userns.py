#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nsbox-run's --disable-userns and --assert-userns-disabled, compared
with bwrap 0.8 on the same command lines, as root and as nobody: exit
status and message, and from inside whether unshare(CLONE_NEWUSER) works
(the control: without the flags it does)."""
import os
import shutil
import subprocess
import sys

RUN = sys.argv[1]
BWRAP = shutil.which("bwrap")
failures = []


def as_nobody():
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)


def run(tool, *args, nobody=False):
    p = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60,
                       preexec_fn=as_nobody if nobody else None)
    return p.returncode, p.stdout, p.stderr.replace("bwrap: ", "").replace("nsbox-run: ", "")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


PROBE = ["sh", "-c", "unshare -U true 2>/dev/null && echo userns:ok || echo userns:refused"]
ROOT = ["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
CASES = [
    # (arguments, exit status, stdout, stderr starts with)
    (["--disable-userns", "true"], 1, "", "--disable-userns requires --unshare-user"),
    (["--unshare-user", "--disable-userns", *ROOT, *PROBE], 0, "userns:refused\n", ""),
    (["--unshare-user", *ROOT, *PROBE], 0, "userns:ok\n", ""),
    (["--unshare-user", "--disable-userns", "--assert-userns-disabled", *ROOT, "true"], 0, "", ""),
    (["--unshare-user", "--assert-userns-disabled", *ROOT, "true"], 1, "",
     "creation of new user namespaces was not disabled as requested"),
]


def main():
    if os.geteuid() != 0:
        print("SKIP: runs as root (it tests as root and as nobody)")
        return 77
    if not BWRAP:
        print("SKIP: bwrap (package bubblewrap, .ci/deps.sh) is the reference and is missing")
        return 77
    for nobody in (False, True):
        who = "nobody" if nobody else "root"
        for args, status, out, err in CASES:
            for tool in (RUN, BWRAP):
                rc, o, e = run(tool, *args, nobody=nobody)
                name = os.path.basename(tool)
                check(rc == status and o == out and e.startswith(err),
                      f"{who} {name} {' '.join(args)}: {rc} {o!r} {e!r}")
    print("ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


sys.exit(main())
