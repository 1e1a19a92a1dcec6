# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prints where to install a pure package under PREFIX ($1) so that this
interpreter imports it from any directory: the site directory of sys.path
below PREFIX (Debian: /usr/local/lib/python3.X/dist-packages for
/usr/local, /usr/lib/python3/dist-packages for /usr), else the standard
PREFIX/lib/python3.X/site-packages (then a note goes to stderr)."""
import os
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
found = [p for p in sys.path
         if p.startswith(prefix + os.sep) and os.path.basename(p) in ("dist-packages", "site-packages")]
if found:
    print(min(found, key=lambda p: p.count(os.sep)))
else:
    path = sysconfig.get_path("purelib", "posix_prefix", {"base": prefix, "platbase": prefix})
    print(f"{path} is not on this python's sys.path: set PYTHONPATH to use nsbox", file=sys.stderr)
    print(path)
