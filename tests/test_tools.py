# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of the tools: nsbox-run's flags of issue 7, nsbox-exec, nsbox-tour.
Each runs as root and again as nobody; they look from inside the sandbox."""

import fcntl
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nobody  # noqa: E402

RUN = os.environ["NSBOX_RUN"]
EXEC = os.environ["NSBOX_EXEC"]
TOUR = os.environ["NSBOX_TOUR"]


def tool(*args, pass_fds=(), input=None):
    """Runs a tool: (status, stdout, stderr)."""
    r = subprocess.run(list(args), capture_output=True, text=True, pass_fds=pass_fds,
                       input=input, timeout=60, check=False)
    return r.returncode, r.stdout, r.stderr


def ns_inode(kind, pid="self"):
    return os.stat(f"/proc/{pid}/ns/{kind}").st_ino


def pipe_with(data):
    """The read end of a pipe holding data (closed for writing)."""
    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    return r


class Target:
    """A sandbox running `sleep` started by nsbox-run, and its --info-fd."""

    def __init__(self, *flags):
        r, w = os.pipe()
        # --die-with-parent: killing nsbox-run ends the sandbox at once.
        self.proc = subprocess.Popen([RUN, "--die-with-parent", "--info-fd", str(w), *flags,
                                      "--", "sleep", "60"], pass_fds=(w,),
                                     stdout=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            self.info = json.loads(f.read())
        self.pid = self.info["child-pid"]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


class NsboxRun(unittest.TestCase):
    def test_help_and_version(self):
        status, out, _ = tool(RUN, "--help")
        self.assertEqual(status, 0)
        for flag in ["--unshare-user-try", "--unshare-cgroup-try", "--args", "--argv0",
                     "--info-fd", "--lock-file", "--sync-fd", "--level-prefix"]:
            self.assertRegex(out, rf"(?m)^\s+{flag} ", flag)
        self.assertEqual(tool(RUN, "-h")[:2], (0, out))
        status, out, _ = tool(RUN, "--version")
        self.assertEqual(status, 0)
        self.assertRegex(out, r"^nsbox-run \(libnsbox \d+\.\d+\.\d+\)\n$")

    def test_unshare_try(self):
        status, out, err = tool(RUN, "--unshare-user-try", "--unshare-cgroup-try", "--",
                                "stat", "-L", "-c", "%i", "/proc/self/ns/user",
                                "/proc/self/ns/cgroup")
        self.assertEqual(status, 0, err)
        user, cgroup = map(int, out.split())
        self.assertNotEqual(user, ns_inode("user"))
        self.assertNotEqual(cgroup, ns_inode("cgroup"))

    def test_args_fd_options_and_command(self):
        fd = pipe_with(b"--unshare-uts\0--hostname\0from-args\0")
        status, out, err = tool(RUN, "--args", str(fd), "--", "hostname", pass_fds=(fd,))
        os.close(fd)
        self.assertEqual((status, out), (0, "from-args\n"), err)
        # The args stand where the flag stood: the command may come from them.
        fd = pipe_with(b"--setenv\0X\0with space\0--\0sh\0-c\0echo \"$X\" $0")
        status, out, err = tool(RUN, "--args", str(fd), pass_fds=(fd,))
        os.close(fd)
        self.assertEqual((status, out), (0, "with space sh\n"), err)

    def test_args_bad_fd(self):
        status, _, err = tool(RUN, "--args", "99", "--", "true")
        self.assertEqual(status, 1)
        self.assertEqual(err, "nsbox-run: Can't read --args data: Bad file descriptor\n")
        status, _, err = tool(RUN, "--args", "x", "--", "true")
        self.assertEqual(err, "nsbox-run: Invalid fd: x\n")

    def test_argv0(self):
        status, out, err = tool(RUN, "--unshare-pid", "--argv0", "my-name", "--", "sh", "-c",
                                "echo $0")
        self.assertEqual((status, out), (0, "my-name\n"), err)
        status, _, err = tool(RUN, "--argv0", "x", "--", "/no/such")
        self.assertEqual(status, 1)
        self.assertEqual(err, "nsbox-run: exec /no/such: No such file or directory\n")

    def test_info_fd(self):
        r, w = os.pipe()
        status, out, err = tool(RUN, "--info-fd", str(w), "--unshare-net", "--unshare-uts",
                                "--", "sh", "-c", "echo $$ $PPID; stat -L -c %i /proc/self/ns/net",
                                pass_fds=(w,))
        os.close(w)
        with os.fdopen(r) as f:
            text = f.read()
        self.assertEqual(status, 0, err)
        info = json.loads(text)
        pid, ppid, net = map(int, out.split())
        # no PID namespace: sh is the child, or (kernels before 6.15) the
        # child is the init helper watching sh for its status
        self.assertIn(info["child-pid"], (pid, ppid))
        self.assertEqual(info["net-namespace"], net)
        self.assertNotEqual(info["net-namespace"], ns_inode("net"))
        self.assertNotEqual(info["uts-namespace"], ns_inode("uts"))
        # as bwrap: only the namespaces made (never the user namespace)
        self.assertEqual(sorted(info), ["child-pid", "net-namespace", "uts-namespace"])
        self.assertTrue(text.startswith('{\n    "child-pid": '), text)

    def test_lock_file(self):
        with tempfile.NamedTemporaryFile(dir="/tmp") as lock:
            os.chmod(lock.name, 0o644)
            # The info is written after the locks are taken: then they are held.
            with Target("--lock-file", lock.name):
                with open(lock.name, "rb+" if os.access(lock.name, os.W_OK) else "rb") as f:
                    kind = fcntl.LOCK_EX if f.writable() else fcntl.LOCK_SH
                    if kind == fcntl.LOCK_SH:
                        self.skipTest("nobody cannot open the root-owned lock file for writing")
                    with self.assertRaises(BlockingIOError):
                        fcntl.lockf(f, kind | fcntl.LOCK_NB)
            with open(lock.name, "rb+") as f:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released with the sandbox

    def test_lock_file_missing(self):
        status, _, err = tool(RUN, "--lock-file", "/nonexistent/lock", "--", "true")
        self.assertEqual(status, 1)
        self.assertEqual(err, "nsbox-run: open lock file /nonexistent/lock: "
                              "No such file or directory\n")
        status, _, err = tool(RUN, "--lock-file", "relative", "--", "true")
        self.assertIn("not an absolute path", err)

    def test_sync_fd(self):
        r, w = os.pipe()
        proc = subprocess.Popen([RUN, "--sync-fd", str(w), "--", "sh", "-c",
                                 f"test -e /proc/self/fd/{w} && echo held; read x"],
                                pass_fds=(w,), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        os.close(w)
        self.assertEqual(proc.stdout.readline(), "held\n")
        os.set_blocking(r, False)
        with self.assertRaises(BlockingIOError):  # open while the sandbox runs
            os.read(r, 1)
        proc.communicate("\n")
        os.set_blocking(r, True)
        self.assertEqual(os.read(r, 1), b"")  # closed when it ended
        os.close(r)
        status, _, err = tool(RUN, "--sync-fd", "1", "--", "true")
        self.assertEqual(status, 1)
        self.assertIn("Invalid fd: 1", err)

    def test_level_prefix(self):
        status, _, err = tool(RUN, "--level-prefix", "--bogus", "--", "true")
        self.assertEqual((status, err), (1, "<3>nsbox-run: Unknown option --bogus\n"))
        status, _, err = tool(RUN, "--level-prefix", "--", "/no/such")
        self.assertEqual(err, "<3>nsbox-run: exec /no/such: No such file or directory\n")


class NsboxExec(unittest.TestCase):
    def test_join_by_pid_sees_hostname_and_pid1(self):
        with Target("--unshare-pid", "--unshare-uts", "--hostname", "target") as t:
            status, out, err = tool(EXEC, "--target", str(t.pid), "--", "sh", "-c",
                                    "hostname; stat -L -c %i /proc/self/ns/pid; kill -0 1 && "
                                    "echo pid1; echo $$")
            self.assertEqual(status, 0, err)
            host, pidns, pid1, pid = out.split()
            self.assertEqual((host, pid1), ("target", "pid1"))
            self.assertEqual(int(pidns), t.info["pid-namespace"])
            self.assertNotEqual(int(pidns), ns_inode("pid"))
            self.assertLess(int(pid), 10)  # numbered in the sandbox's PID namespace

    def test_join_by_pidfd_one_kind(self):
        with Target("--unshare-pid", "--unshare-uts", "--hostname", "target") as t:
            pidfd = os.pidfd_open(t.pid)
            status, out, err = tool(EXEC, "--pidfd", str(pidfd), "--uts", "--", "sh", "-c",
                                    "hostname; stat -L -c %i /proc/self/ns/pid_for_children",
                                    pass_fds=(pidfd,))
            os.close(pidfd)
            self.assertEqual(status, 0, err)
            host, pidns = out.split()
            self.assertEqual(host, "target")
            self.assertEqual(int(pidns), ns_inode("pid"))  # the PID namespace was not joined

    def test_exit_status(self):
        with Target("--unshare-uts") as t:
            status, _, _ = tool(EXEC, "--target", str(t.pid), "--", "sh", "-c", "exit 5")
            self.assertEqual(status, 5)

    def test_errors(self):
        status, _, err = tool(EXEC, "--target", "999999999", "--", "true")
        self.assertEqual(status, 1)
        self.assertEqual(err, "nsbox-exec: No process 999999999: No such file or directory\n")
        status, _, err = tool(EXEC, "--target", "1")
        self.assertEqual(err, "nsbox-exec: No command specified\n")
        status, _, err = tool(EXEC, "--", "true")
        self.assertEqual(err, "nsbox-exec: No target: use --target PID or --pidfd FD\n")
        status, _, err = tool(EXEC, "--target", "1", "--bogus", "--", "true")
        self.assertEqual(err, "nsbox-exec: Unknown option --bogus\n")
        status, out, _ = tool(EXEC, "--help")
        self.assertEqual(status, 0)
        self.assertIn("--target PID", out)


def tour_sections(out):
    """{section: {row label: (host, sandbox, mark)}} from nsbox-tour's output."""
    sections, current = {}, None
    for line in out.splitlines():
        m = re.match(r"^(\w+) namespace: |^(all) namespaces together|^(clone|unshare|setns) with ",
                     line)
        if m:
            current = sections.setdefault(m.group(1) or m.group(2) or m.group(3), {})
        elif current is not None and line.startswith("  ") and not line.startswith("  ("):
            label, rest = line[2:18].strip(), line[19:]
            if label:
                current[label] = (rest[:30].strip(), rest[31:61].strip(), rest[62:].strip())
    return sections


class NsboxTour(unittest.TestCase):
    def test_tour(self):
        status, out, err = tool(TOUR)
        self.assertEqual(status, 0, err + out)
        self.assertNotIn("\033[", out)  # no colour when stdout is not a terminal
        sections = tour_sections(out)
        kinds = ["user", "pid", "mnt", "uts", "ipc", "net", "cgroup", "time"]
        self.assertEqual(list(sections), kinds + ["all", "clone", "unshare", "setns"])
        for kind in kinds:
            host, sandbox, mark = sections[kind][f"ns/{kind}"]
            self.assertNotEqual(host, sandbox, kind)
            self.assertEqual(int(host), ns_inode(kind), kind)
            self.assertEqual(mark, "new", kind)
        for kind in kinds:
            host, sandbox, mark = sections["all"][f"ns/{kind}"]
            self.assertNotEqual(host, sandbox, kind)
        self.assertEqual(sections["uts"]["hostname"][1], "nsbox-tour")
        self.assertEqual(sections["pid"]["pid"][1], "2")
        self.assertEqual(sections["pid"]["parent pid"][1], "1")
        self.assertEqual(sections["net"]["interfaces"][1], "lo")
        self.assertEqual(sections["ipc"]["shm segments"][1], "0")
        self.assertGreaterEqual(int(sections["ipc"]["shm segments"][0]), 1)
        self.assertIn("usage after wait", out)
        # Three ways in: new ids by clone and unshare; setns's are the
        # running sandbox's.
        shown = ["uts", "net"] + (["user"] if os.geteuid() else [])
        for way in ("clone", "unshare", "setns"):
            for kind in shown:
                host, after, mark = sections[way][f"ns/{kind}"]
                self.assertEqual((int(host), mark), (ns_inode(kind), "new"), (way, kind))
        for kind in shown:
            self.assertEqual(sections["setns"][f"ns/{kind}"][1],
                             sections["setns"][f"joined ns/{kind}"][1].split()[0], kind)

    def test_only_and_errors(self):
        status, out, _ = tool(TOUR, "--only", "uts")
        self.assertEqual(status, 0)
        self.assertEqual(list(tour_sections(out)), ["uts"])
        status, out, _ = tool(TOUR, "--only", "ways")
        self.assertEqual(status, 0)
        self.assertEqual(list(tour_sections(out)), ["clone", "unshare", "setns"])
        status, _, err = tool(TOUR, "--bogus")
        self.assertEqual(status, 2)
        self.assertIn("usage: nsbox-tour", err)


if __name__ == "__main__":
    nobody.main(os.path.abspath(__file__))
