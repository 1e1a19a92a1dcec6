#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""lib/'s folders point one way (CONTRIBUTING.md, "Where code goes"): a
file includes headers of its own folder and of the folders before it in
ORDER, and its object calls functions of those only; no two files call
each other, directly or around a circle; and a header declares functions
of its own folder only (one header, one layer: the types several layers
share go to base/).

    layers.py SRCDIR NM LIBNSBOX_INTERNAL.a LIBNSBOX_CHILD.a
"""

import glob
import os
import re
import subprocess
import sys

ORDER = ["base", "recipe", "child", "cgroup", "parent", "enter"]


def includes(src):
    """Upward includes: (file, header, its folder)."""
    where = {os.path.basename(h): h.split(os.sep)[-2] for h in glob.glob(f"{src}/lib/*/*.h")}
    bad = []
    for f in sorted(glob.glob(f"{src}/lib/*/*.[ch]") + glob.glob(f"{src}/lib/child/init/*.c")):
        folder = os.path.relpath(f, f"{src}/lib").split(os.sep)[0]
        for inc in re.findall(r'#include "([^"]+)"', open(f).read()):
            hf = where.get(os.path.basename(inc))
            if hf and ORDER.index(hf) > ORDER.index(folder):
                bad.append(f"  {os.path.relpath(f, src)} includes {inc} (lib/{hf}/)")
    return bad


def symbols(nm, archives):
    """Per object (named <folder>_<file>.o by meson): defined and undefined."""
    defs, undef = {}, {}
    for a in archives:
        out = subprocess.run([nm, "-A", a], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            # "ARCHIVE:MEMBER.o:VALUE TYPE NAME", no VALUE when undefined
            m = re.match(r"^(?:.*:)?([^:]+\.o):\s*(?:[0-9a-f]+\s+)?([A-Za-z])\s+(\S+)$", line)
            if not m:
                continue
            obj, kind, name = os.path.basename(m.group(1)), m.group(2), m.group(3)
            if kind in "TDBR":
                defs[name] = obj
            elif kind == "U":
                undef.setdefault(obj, set()).add(name)
    return defs, undef


def folder_of(obj):
    for f in ORDER:
        if obj.startswith(f + "_"):
            return f
    return None


def calls(nm, archives):
    defs, undef = symbols(nm, archives)
    graph, bad = {}, []
    for obj, syms in sorted(undef.items()):
        for s in sorted(syms):
            to = defs.get(s)
            if not to or to == obj:
                continue
            graph.setdefault(obj, set()).add(to)
            fo, ft = folder_of(obj), folder_of(to)
            if fo and ft and ORDER.index(ft) > ORDER.index(fo):
                bad.append(f"  {obj} calls {s} of {to} (lib/{ft}/)")
    if not any(folder_of(o) for o in undef):
        bad.append("  no object named <folder>_<file>.o: meson's object names changed, fix folder_of")
    for start in sorted(graph):
        todo, seen = list(graph[start]), set()
        while todo:
            n = todo.pop()
            if n == start:
                bad.append(f"  {start} is on a circle of calls")
                break
            if n not in seen:
                seen.add(n)
                todo.extend(graph.get(n, ()))
    return bad


DECL = re.compile(r"^(?!static|typedef|#|extern \"C\")[A-Za-z_][\w \t*]*?\b(\w+)\(", re.M)


def declarations(src, nm, archives):
    """Functions a header of lib/F/ declares that an object of another
    folder defines."""
    defs, _ = symbols(nm, archives)
    bad = []
    for h in sorted(glob.glob(f"{src}/lib/*/*.h")):
        folder = h.split(os.sep)[-2]
        text = re.sub(r"/\*.*?\*/", "", open(h).read(), flags=re.S)
        for name in DECL.findall(text):
            obj = defs.get(name)
            if obj and folder_of(obj) and folder_of(obj) != folder:
                bad.append(f"  {os.path.relpath(h, src)} declares {name} of {obj} "
                           f"(lib/{folder_of(obj)}/)")
    return bad


def main(src, nm, *archives):
    bad = includes(src) + calls(nm, archives) + declarations(src, nm, archives)
    if bad:
        print("lib/'s folders must point one way (" + " < ".join(ORDER) + "):")
        print("\n".join(bad))
        print("Move the function or the declaration down to the folder both sides may use\n"
              "(base/ for what everyone needs), or split the file; see CONTRIBUTING.md.")
        return 1
    print("ok: includes and calls point one way (" + " < ".join(ORDER) + "), no circle of calls,"
          " each header declares its own folder's functions")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
