#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The child's rule, checked on the objects: between clone and exec the
child shares the caller's memory (CLONE_VM) on a stack of its own, so it
may make system calls only. A libc call there can take a lock another
thread of the caller held at clone, allocate, resolve a lazy PLT entry, or
touch errno and the sanitizers' state; the compiler adds such calls on its
own (gcc turns a byte loop into strlen at -O2). So every symbol the child's
objects (lib/child/, and the clone3 trampoline) leave undefined must be
defined by another of them, or be on ALLOWED below; the init helper
(lib/child/init/, a static -nostdlib program) must leave none at all.

    child_symbols.py NM LIBNSBOX_CHILD.a NSBOX_INIT
"""

import subprocess
import sys

# Symbols outside the child's objects that it may call, each with why it
# is async-signal-safe and allocation-free. Empty: the child calls nothing
# but itself and the kernel.
ALLOWED = {}


def nm(tool, path, *flags):
    """{symbol: [object, ...]} of nm's listing of path."""
    out = subprocess.run([tool, "-A", *flags, path], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        where, _, rest = line.rpartition(": ") if ": " in line else ("", "", line)
        fields = rest.split()
        if not fields:
            continue
        obj = where.rsplit(":", 1)[-1] if where else path
        syms.setdefault(fields[-1], []).append(obj)
    return syms


def main(tool, archive, init):
    bad = []
    undefined = nm(tool, archive, "-u")
    defined = nm(tool, archive, "--defined-only", "--extern-only")
    for sym, objs in sorted(undefined.items()):
        if sym in defined or sym in ALLOWED:
            continue
        bad.append(f"  {sym}  (called from {', '.join(sorted(set(objs)))})")
    init_undefined = nm(tool, init, "-u")
    for sym in sorted(init_undefined):
        bad.append(f"  {sym}  (called from the init helper, {init})")
    if bad:
        print("child code calls functions outside the child's own objects:")
        print("\n".join(bad))
        print("Between clone and exec the child shares the caller's memory and may make system\n"
              "calls only (README, CONTRIBUTING.md): no libc (it may hold locks another thread\n"
              "of the caller took, allocate, or set errno), no sanitizer or stack-protector\n"
              "runtime. Use the raw calls of lib/base/sys.h and the child's own helpers; a\n"
              "loop the compiler turned into a libc call needs rewriting. Only a function\n"
              "proven async-signal-safe and allocation-free may go on ALLOWED in\n"
              "tests/child_symbols.py, with the proof in a comment.")
        return 1
    n = sum(len(v) for v in defined.values())
    print(f"ok: {n} symbols defined by the child's objects, no undefined one outside them"
          f" (allowed: {len(ALLOWED)}); the init helper has no undefined symbol")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
