# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a unittest module as root and again as nobody (65534), as the Check
suites do, and exits with meson's codes (77: skipped, with the reason)."""

import os
import subprocess
import sys
import unittest

NOBODY = 65534

# A sanitizer runtime preloaded into python (meson sets it for an ASan build)
# must not reach the sandboxed commands: it is kept for the nobody run only.
PRELOAD = os.environ.pop("LD_PRELOAD", None)


def main(module_file):
    reason = os.environ.get("NSBOX_TEST_SKIP")
    if reason:
        print(f"SKIP: {reason}")
        sys.exit(77)
    who = "nobody" if os.environ.get("NSBOX_TEST_AS_NOBODY") else (
        "root" if os.geteuid() == 0 else f"uid {os.geteuid()}")
    print(f"== as {who}", flush=True)
    prog = unittest.main(module="__main__", exit=False, verbosity=2)
    ok = prog.result.wasSuccessful()
    if os.geteuid() == 0 and not os.environ.get("NSBOX_TEST_AS_NOBODY"):
        env = dict(os.environ, NSBOX_TEST_AS_NOBODY="1")
        if PRELOAD:
            env["LD_PRELOAD"] = PRELOAD
        # The system's interpreter: one under /root (pyenv) is not nobody's.
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        r = subprocess.run([python, module_file], env=env, user=NOBODY, group=NOBODY,
                           extra_groups=[], cwd="/", check=False)
        ok = ok and r.returncode == 0
    sys.exit(0 if ok else 1)
