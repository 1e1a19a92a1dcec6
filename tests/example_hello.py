#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""examples/hello.c: the README's "Ten lines of C", byte for byte, built and
run; it prints "2 sandbox" (PID 2 in a new PID namespace, the hostname set
in a new UTS namespace) and exits 0. As root and again as nobody."""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nobody  # noqa: E402

HELLO = os.environ.get("NSBOX_HELLO", "")
README = os.environ.get("NSBOX_README", "")
SOURCE = os.environ.get("NSBOX_HELLO_SRC", "")


class Hello(unittest.TestCase):
    def test_source_is_the_readmes(self):
        with open(README) as f:
            block = re.search(r"## Ten lines of C\n\n```c\n(.*?)```", f.read(), re.S)
        self.assertIsNotNone(block, "README.md has no \"Ten lines of C\" block")
        with open(SOURCE) as f:
            lines = f.read().splitlines(keepends=True)
        # the example's two header comments (SPDX line, what it is) aside
        self.assertEqual("".join(lines[2:]), block.group(1),
                         "examples/hello.c and README.md's \"Ten lines of C\" differ")

    def test_runs(self):
        r = subprocess.run([HELLO], capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "2 sandbox\n", ""))


if __name__ == "__main__":
    nobody.main(os.path.abspath(__file__))
