#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nsbox-run's core options (bwrap's spelling), checked from inside the
sandbox, as root and again as nobody (dropped in a child before exec)."""
import json
import os
import subprocess
import sys
import time

RUN = sys.argv[1]
failures = []


def as_nobody():
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)


def nsbox_run(*args, nobody=False, pass_fds=(), env=None):
    p = subprocess.run([RUN, *args], capture_output=True, text=True, pass_fds=pass_fds,
                       preexec_fn=as_nobody if nobody else None, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def ns_inode(kind, pid="self"):
    return os.stat(f"/proc/{pid}/ns/{kind}").st_ino


def sh(script, *opts, nobody=False, **kw):
    return nsbox_run(*opts, "sh", "-c", script, nobody=nobody, **kw)


def run_all(nobody):
    who = "nobody" if nobody else "root"
    # each --unshare-* flag makes that namespace, seen from inside
    for flag, kind in [("--unshare-pid", "pid"), ("--unshare-ipc", "ipc"),
                       ("--unshare-uts", "uts"), ("--unshare-net", "net"),
                       ("--unshare-cgroup", "cgroup"), ("--unshare-user", "user")]:
        rc, out, err = sh(f"stat -L -c %i /proc/self/ns/{kind}", flag, nobody=nobody)
        check(rc == 0 and int(out) != ns_inode(kind), f"{who} {flag}: {rc} {out} {err}")
    rc, out, err = sh("for k in pid ipc uts net cgroup; do stat -L -c %i /proc/self/ns/$k; done",
                      "--unshare-all", nobody=nobody)
    inodes = [int(x) for x in out.split()]
    check(rc == 0 and all(i != ns_inode(k) for i, k in
                          zip(inodes, ["pid", "ipc", "uts", "net", "cgroup"])),
          f"{who} --unshare-all: {out} {err}")
    rc, out, err = sh("stat -L -c %i /proc/self/ns/net", "--unshare-all", "--share-net",
                      nobody=nobody)
    check(rc == 0 and int(out) == ns_inode("net"), f"{who} --share-net: {out} {err}")
    rc, out, err = sh("echo $$ $PPID", "--unshare-pid", nobody=nobody)
    check(out.split() == ["2", "1"], f"{who} init is PID 1: {out} {err}")
    rc, out, err = sh("echo $$", "--unshare-pid", "--as-pid-1", nobody=nobody)
    check(out.strip() == "1", f"{who} --as-pid-1: {out} {err}")
    rc, out, err = sh("id -u; id -g; cat /proc/self/uid_map", "--unshare-user", "--uid", "0",
                      "--gid", "0", nobody=nobody)
    me = 65534 if nobody else 0
    check(out.split()[:5] == ["0", "0", "0", str(me), "1"], f"{who} --uid/--gid: {out} {err}")
    rc, out, err = sh("hostname", "--unshare-uts", "--hostname", "box", nobody=nobody)
    check(out.strip() == "box", f"{who} --hostname: {out} {err}")
    rc, out, err = sh("pwd", "--chdir", "/usr", nobody=nobody)
    check(out.strip() == "/usr", f"{who} --chdir: {out} {err}")
    env = dict(os.environ, NSBOX_GONE="x", NSBOX_KEPT="k")
    rc, out, err = sh('echo "$NSBOX_NEW ${NSBOX_GONE-unset} $NSBOX_KEPT"', "--setenv",
                      "NSBOX_NEW", "v w", "--unsetenv", "NSBOX_GONE", nobody=nobody, env=env)
    check(out.strip() == "v w unset k", f"{who} --setenv/--unsetenv: {out} {err}")
    rc, out, err = nsbox_run("--clearenv", "--setenv", "A", "1", "/usr/bin/env", nobody=nobody)
    check(out == "A=1\n", f"{who} --clearenv: {out!r} {err}")
    rc, out, err = sh("echo $$ $(cut -d' ' -f6 /proc/$$/stat)", "--new-session", nobody=nobody)
    pid, sid = out.split()
    check(pid == sid, f"{who} --new-session: {out} {err}")
    # the exit status is the command's; errors are the library's, one line
    rc, out, err = sh("exit 9", nobody=nobody)
    check(rc == 9, f"{who} exit status: {rc}")
    rc, out, err = sh("kill -TERM $$", "--unshare-pid", nobody=nobody)
    check(rc == 128 + 15, f"{who} killed status: {rc}")
    rc, out, err = nsbox_run("--unshare-pid", "/no/such", nobody=nobody)
    check(rc == 1 and err == "nsbox-run: exec /no/such: No such file or directory\n",
          f"{who} error line: {rc} {err!r}")
    rc, out, err = nsbox_run("--bogus", "true", nobody=nobody)
    check(rc == 1 and "Unknown option --bogus" in err, f"{who} unknown option: {err!r}")
    # --userns/--pidns: join a running sandbox's namespaces by fd
    first = subprocess.Popen([RUN, "--die-with-parent", "--unshare-user", "--unshare-pid", "--unshare-uts",
                              "--hostname", "first", "sleep", "30"],
                             preexec_fn=as_nobody if nobody else None)
    try:
        init = None
        for _ in range(200):
            kids = open(f"/proc/{first.pid}/task/{first.pid}/children").read().split()
            if kids and os.path.exists(f"/proc/{kids[0]}/ns/pid"):
                init = kids[0]
                break
            time.sleep(0.01)
        ufd = os.open(f"/proc/{init}/ns/user", os.O_RDONLY)
        pfd = os.open(f"/proc/{init}/ns/pid", os.O_RDONLY)
        rc, out, err = nsbox_run("--userns", str(ufd), "--pidns", str(pfd), "sh", "-c",
                                 "echo $$; stat -L -c %i /proc/self/ns/user",
                                 nobody=nobody, pass_fds=(ufd, pfd))
        lines = out.split()
        check(rc == 0 and int(lines[0]) > 2 and int(lines[1]) == ns_inode("user", init),
              f"{who} --userns/--pidns: {rc} {out} {err}")
        os.close(ufd)
        os.close(pfd)
    finally:
        first.kill()
        first.wait()
    # --die-with-parent: killing nsbox-run kills the sandbox
    p = subprocess.Popen([RUN, "--die-with-parent", "--unshare-pid", "sleep", "30"],
                         preexec_fn=as_nobody if nobody else None)
    kids = []
    for _ in range(300):
        kids = open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()
        if kids:
            break
        time.sleep(0.01)
    p.kill()
    p.wait()
    gone = False
    for _ in range(1000):
        # dead: gone, or a zombie its new parent has not reaped yet
        try:
            with open(f"/proc/{kids[0]}/stat") as f:
                gone = f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except (OSError, IndexError):
            gone = True
        if gone:
            break
        time.sleep(0.01)
    check(kids and gone, f"{who} --die-with-parent: sandbox {kids} still there")


def json_status(*args, nobody=False):
    """Runs nsbox-run with --json-status-fd; returns rc, stderr and the
    last JSON line (the end's)."""
    r, w = os.pipe()
    try:
        rc, out, err = nsbox_run("--json-status-fd", str(w), *args, nobody=nobody, pass_fds=(w,))
    finally:
        os.close(w)
    with os.fdopen(r) as f:
        lines = f.read().splitlines()
    return rc, err, json.loads(lines[-1]) if lines else {}


def time_limits(nobody):
    """--time-limit, --wall-time-limit, --extra-time (issue 14): the verdict
    and the times in --json-status-fd, next to bwrap's keys."""
    who = "nobody" if nobody else "root"
    bomb = "for i in 1 2 3 4; do (while :; do :; done) & done; wait"
    rc, err, end = json_status("--unshare-pid", "--wall-time-limit", "0.3", "sleep", "10",
                               nobody=nobody)
    check(rc == 137 and end.get("verdict") == "wall-time-limit" and end.get("signal") == 9 and
          300000 <= end.get("wall-usec", 0) < 5000000 and end.get("exit-code") == 137,
          f"{who} --wall-time-limit: {rc} {end} {err}")
    rc, err, end = json_status("--unshare-pid", "--wall-time-limit", "5", "sh", "-c", "exit 4",
                               nobody=nobody)
    check(rc == 4 and end.get("verdict") == "exited" and "cpu-usec" in end and
          "memory-peak" in end and "oom-killed" in end, f"{who} exited: {rc} {end} {err}")
    if nobody:
        # a CPU-time limit needs a cgroup: nobody has none delegated here
        rc, out, err = sh("true", "--unshare-pid", "--time-limit", "1", nobody=True)
        check(rc == 1 and "no writable cgroup for uid 65534" in err,
              f"nobody --time-limit without a cgroup: {rc} {err!r}")
        return
    caps = ("--unshare-pid", "--cap-drop", "ALL")
    # the v2 guest's runner cgroup holds processes: its tests' parent is this
    if os.environ.get("NSBOX_TEST_CGROUP_PARENT"):
        caps += ("--cgroup-parent", os.environ["NSBOX_TEST_CGROUP_PARENT"])
    rc, err, end = json_status(*caps, "--time-limit", "0.3", "sh", "-c", bomb)
    check(rc == 137 and end.get("verdict") == "time-limit" and end.get("cpu-usec", 0) >= 300000
          and end.get("user-usec", 0) + end.get("system-usec", 0) > 0,
          f"root --time-limit: {rc} {end} {err}")
    # isolate's --extra-time: over the limit, done within the grace
    spin = "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done"
    rc, err, end = json_status(*caps, "--time-limit", "0.05", "--extra-time", "30", "sh", "-c",
                               spin)
    check(rc == 0 and end.get("verdict") == "time-limit", f"root --extra-time: {rc} {end} {err}")
    for bad in ["abc", "-1", "1s", ""]:
        rc, out, err = sh("true", "--time-limit", bad)
        check(rc == 1 and f"Invalid --time-limit {bad}: seconds expected" in err,
              f"--time-limit {bad!r}: {rc} {err!r}")


run_all(False)
run_all(True)
time_limits(False)
time_limits(True)
print(f"{'FAILED' if failures else 'ok'}: {len(failures)} failures")
sys.exit(1 if failures else 0)
