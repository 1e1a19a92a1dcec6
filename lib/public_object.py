#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The library as one relocatable object in which only the calls of
libnsbox.sym stay global: what a program links when it wants libnsbox
statically (nsbox-oci, whose start-up is part of every container's) and
still sees the public API only, as through the shared library: a call to
an internal function fails to link, and internal names cannot clash with
the program's.

    public_object.py SYMFILE ARCHIVE OUTPUT OBJCOPY CC...
"""

import os
import re
import subprocess
import sys

symfile, archive, output, objcopy, cc = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
names = re.findall(r"^\s+(nsbox_\w+);", open(symfile).read(), re.M)
if not names:
    sys.exit(f"public_object.py: no nsbox_* names in {symfile}")
whole = output + ".whole.o"
keep = output + ".keep"
with open(keep, "w") as f:
    f.write("\n".join(names) + "\n")
try:
    subprocess.run(cc + ["-r", "-nostdlib", "-o", whole, "-Wl,--whole-archive", archive,
                         "-Wl,--no-whole-archive"], check=True)
    subprocess.run([objcopy, "--keep-global-symbols=" + keep, whole, output], check=True)
finally:
    for f in (whole, keep):
        if os.path.exists(f):
            os.unlink(f)
