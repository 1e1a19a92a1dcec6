# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a Python test module against staged copies, as root and as nobody:

    staged.py BUILD SRC MODULE [--pip]

The library, the tools, priv-helper, the header and the test module are
copied into a private 0755 directory under /tmp, so that the nobody half
works from a checkout nobody cannot read (root's clone in /root, 0700).
With --pip the Python package is installed there the way a user installs
it (pip install --no-build-isolation, from a copy of the sources) and the
module runs from another directory with only that on sys.path: the tests
see the installed package, not the source tree. The directory is removed
at the end, whatever happened."""

import os
import shutil
import subprocess
import sys
import tempfile


def copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy2(src, dst)
    return dst


def pip_install(src, stage):
    """pip install of a copy of the package's sources into stage/site."""
    pkg = os.path.join(stage, "pkg")
    os.makedirs(pkg)
    copy(os.path.join(src, "pyproject.toml"), os.path.join(pkg, "pyproject.toml"))
    copy(os.path.join(src, "README.md"), os.path.join(pkg, "README.md"))
    shutil.copytree(os.path.join(src, "python"), os.path.join(pkg, "python"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    site = os.path.join(stage, "site")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation",
                        "--no-deps", "--no-index", "--disable-pip-version-check",
                        "--root-user-action=ignore", "--target", site, pkg],
                       cwd=pkg, capture_output=True, text=True)
    if r.returncode:
        print(r.stdout + r.stderr)
        if "No module named pip" in r.stderr:
            print("SKIP: pip is missing (Debian: apt-get install python3-pip)")
            sys.exit(77)
        sys.exit(1)
    shutil.rmtree(pkg)
    return site


def main():
    build, src, module = sys.argv[1:4]
    with_pip = "--pip" in sys.argv[4:]
    stage = tempfile.mkdtemp(prefix="nsbox-test-")
    try:
        os.chmod(stage, 0o755)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        lib = os.path.join(build, "lib", "libnsbox.so.0")
        env["NSBOX_LIB"] = copy(os.path.realpath(lib), os.path.join(stage, "lib", "libnsbox.so.0"))
        # the tools find the library by their $ORIGIN/../lib run path
        for var, path in (("NSBOX_RUN", "tools/nsbox-run"), ("NSBOX_EXEC", "tools/nsbox-exec"),
                          ("NSBOX_TOUR", "tools/nsbox-tour"),
                          ("NSBOX_PRIV_HELPER", "tests/priv-helper")):
            if os.path.exists(os.path.join(build, path)):
                env[var] = copy(os.path.join(build, path), os.path.join(stage, path))
        env["NSBOX_HEADER"] = copy(os.path.join(src, "include", "nsbox.h"),
                                   os.path.join(stage, "include", "nsbox.h"))
        for name in (module, "nobody.py"):
            copy(os.path.join(src, "tests", name), os.path.join(stage, "tests", name))
        env.pop("PYTHONPATH", None)
        if with_pip:
            env["PYTHONPATH"] = pip_install(src, stage)
        for d, _, files in os.walk(stage):
            os.chmod(d, 0o755)
        r = subprocess.run([sys.executable, os.path.join(stage, "tests", module)], env=env,
                           cwd=stage)
        return r.returncode
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
