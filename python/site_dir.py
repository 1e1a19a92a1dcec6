# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prints where to install a pure package under PREFIX ($1) so that this
interpreter imports it from any directory: its site directory below PREFIX (Debian: /usr/local/lib/python3.X/dist-packages for
/usr/local, /usr/lib/python3/dist-packages for /usr), else the standard
PREFIX/lib/python3.X/site-packages (then a note goes to stderr)."""
import os
import site
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
# site.getsitepackages() names them also before they exist (site skips a
# missing one on sys.path until something is installed there)
found = [p for p in sys.path + site.getsitepackages()
         if p.startswith(prefix + os.sep) and os.path.basename(p) in ("dist-packages", "site-packages")]
if found:
    print(min(found, key=lambda p: p.count(os.sep)))
else:
    path = sysconfig.get_path("purelib", "posix_prefix", {"base": prefix, "platbase": prefix})
    print(f"{path} is not on this python's sys.path: set PYTHONPATH to use nsbox", file=sys.stderr)
    print(path)
