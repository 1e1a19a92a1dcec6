# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ABI, both ways: every call declared in include/nsbox.h is listed by
name in lib/libnsbox.sym and exported by libnsbox.so.0 at that node's
version, and nothing else is exported; the soname is libnsbox.so.0; the
header's NSBOX_VERSION_* macros and NSBOX_CHECK_VERSION agree with the
project version and nsbox_version(). Each failure says what to add where.

usage: abi_check.py LIBNSBOX_SO HEADER SYMFILE VERSION [PYPROJECT]"""

import ctypes
import os
import re
import subprocess
import sys
import tempfile

lib_path, header, symfile, version = sys.argv[1:5]
errors = []


def header_calls(path):
    with open(path) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    return set(re.findall(r"^[a-z][\w \*]*?\b(nsbox_\w+)\(", text, flags=re.M))


def sym_nodes(path):
    """[(node, parent, [names])] in file order; wildcards are an error."""
    with open(path) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    nodes = []
    for m in re.finditer(r"([\w.]+)\s*\{(.*?)\}\s*([\w.]*)\s*;", text, flags=re.S):
        body = re.sub(r"local:.*", "", m.group(2), flags=re.S).replace("global:", "")
        names = [n.strip() for n in body.split(";") if n.strip()]
        for n in names:
            if not re.fullmatch(r"nsbox_\w+", n):
                errors.append(f"{symfile}: node {m.group(1)} lists {n!r}: list each call by "
                              "name (no wildcards, nothing outside nsbox_*)")
        nodes.append((m.group(1), m.group(3) or None, names))
    return nodes


def exported(path):
    """{name: version} of the defined dynamic symbols, and the version names."""
    out = subprocess.run(["nm", "-D", "--defined-only", path], check=True,
                         capture_output=True, text=True).stdout
    syms, versions = {}, set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2]
        if kind == "A":
            versions.add(name)
            continue
        base, _, ver = name.partition("@@")
        if not ver:
            base, _, ver = name.partition("@")
        syms[base] = ver
    return syms, versions


declared = header_calls(header)
nodes = sym_nodes(symfile)
listed = {n: node for node, _, names in nodes for n in names}
newest = nodes[-1][0] if nodes else "LIBNSBOX_0"
syms, versions = exported(lib_path)

major, minor = version.split(".")[:2]
next_node = f"LIBNSBOX_{major}.{int(minor) + 1}"
for name in sorted(declared - set(listed)):
    how = (f"into its node" if next_node in {n for n, _, _ in nodes} else
           f"as a new node after {newest}: \"{next_node} {{ global: {name}; }} {newest};\"")
    errors.append(f"{name} is declared in {header} but not listed in {symfile}: add "
                  f"\"{name};\" to {next_node}, the node of the next release, {how} "
                  "(see CONTRIBUTING.md, \"Adding a public call\")")
for name in sorted(set(listed) - declared):
    errors.append(f"{name} is listed in {symfile} (node {listed[name]}) but not declared in "
                  f"{header}: declare and document it there, or remove it from {symfile}")
for name in sorted(set(listed) - set(syms)):
    errors.append(f"{name} is listed in {symfile} but the library does not define it: "
                  "define it in lib/*/*.c, marked NSBOX_EXPORT (lib/base/internal.h)")
for name, ver in sorted(syms.items()):
    if name not in listed:
        errors.append(f"the library exports {name}, which {symfile} does not list "
                      "(only nsbox_* calls of the header are exported)")
    elif ver != listed[name]:
        errors.append(f"{name} is exported at version {ver!r}, {symfile} puts it in "
                      f"{listed[name]}")
names_of_nodes = {node for node, _, _ in nodes}
for node, parent, _ in nodes:
    if parent and parent not in names_of_nodes:
        errors.append(f"{symfile}: node {node} inherits {parent}, which is not defined")
if versions - names_of_nodes:
    errors.append(f"the library defines versions {sorted(versions - names_of_nodes)} "
                  f"that {symfile} does not")

soname = re.search(r"\(SONAME\).*\[(.*)\]",
                   subprocess.run(["readelf", "-d", lib_path], check=True, capture_output=True,
                                  text=True).stdout)
if not soname or soname.group(1) != "libnsbox.so.0":
    errors.append(f"soname {soname and soname.group(1)!r}, not libnsbox.so.0")

# The version macros: the project's version, the library's, and the check macro.
with open(header) as f:
    text = f.read()
macros = {k: int(v) for k, v in re.findall(r"#define NSBOX_VERSION_(MAJOR|MINOR|MICRO) (\d+)",
                                           text)}
want = dict(zip(("MAJOR", "MINOR", "MICRO"), map(int, version.split("."))))
if macros != want:
    errors.append(f"{header}: NSBOX_VERSION_MAJOR/MINOR/MICRO are {macros}, the project "
                  f"(meson.build) is {version}: update the macros")
undefined = subprocess.run(["nm", "-D", "--undefined-only", lib_path], check=True,
                           capture_output=True, text=True).stdout
if "__asan_init" in undefined and "asan" not in os.environ.get("LD_PRELOAD", ""):
    print("note: nsbox_version() not called: an ASan library needs its runtime preloaded")
else:
    loaded = ctypes.CDLL(os.path.abspath(lib_path))
    loaded.nsbox_version.restype = ctypes.c_char_p
    if loaded.nsbox_version().decode() != version:
        errors.append(f"nsbox_version() is {loaded.nsbox_version()!r}, the project {version}")
maj, mnr, mic = want["MAJOR"], want["MINOR"], want["MICRO"]
probe = f"""#include <nsbox.h>
#if !NSBOX_CHECK_VERSION({maj}, {mnr}, {mic}) || !NSBOX_CHECK_VERSION({maj}, 0, 0)
#error the check macro refuses its own version
#endif
#if NSBOX_CHECK_VERSION({maj}, {mnr}, {mic + 1}) || NSBOX_CHECK_VERSION({maj}, {mnr + 1}, 0) \\
    || NSBOX_CHECK_VERSION({maj + 1}, 0, 0)
#error the check macro accepts a later version
#endif
int main(void) {{ return 0; }}
"""
with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, "probe.c"), "w") as f:
        f.write(probe)
    r = subprocess.run(["cc", "-Wall", "-Werror", "-I", os.path.dirname(os.path.abspath(header)),
                        "-fsyntax-only", os.path.join(tmp, "probe.c")],
                       capture_output=True, text=True)
    if r.returncode:
        errors.append("NSBOX_CHECK_VERSION: " + r.stderr.strip())

if len(sys.argv) > 5:
    with open(sys.argv[5]) as f:
        m = re.search(r'^version = "([^"]*)"', f.read(), flags=re.M)
    if not m or m.group(1) != version:
        errors.append(f"{sys.argv[5]}: version {m and m.group(1)!r}, the project {version}")

for e in errors:
    print("FAIL:", e)
if not errors:
    print(f"{len(declared)} calls: header = {symfile} = exports; nodes "
          f"{[n for n, _, _ in nodes]}; soname libnsbox.so.0; version macros {version}")
sys.exit(1 if errors else 0)
