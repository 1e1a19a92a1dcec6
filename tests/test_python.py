"""Tests of the Python binding (examples/python/nsbox.py) against the built
library ($NSBOX_LIB), as root and as nobody. Looks from inside the sandbox."""

import ctypes
import errno
import os
import re
import resource
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nobody  # noqa: E402
import nsbox  # noqa: E402  (PYTHONPATH: examples/python)


def capture(box, argv):
    """Runs argv in box with stdout captured: (status, text)."""
    r, w = os.pipe()
    try:
        box.set_stdio(-1, w, -1)
        proc = box.spawn(argv)
    finally:
        box.set_stdio(-1, -1, -1)
        os.close(w)
    with os.fdopen(r, "rb") as f:
        out = f.read().decode()
    with proc:
        return proc.wait(), out


def sh(box, script):
    return capture(box, ["sh", "-c", script])


class Binding(unittest.TestCase):
    def test_version(self):
        self.assertRegex(nsbox.version(), r"^\d+\.\d+\.\d+$")

    def test_five_lines(self):
        with nsbox.Sandbox().add_namespace(nsbox.NS_PID | nsbox.NS_NET) \
                            .set_hostname("box") as box:
            self.assertEqual(sh(box, "echo $$ $(hostname)"), (0, "2 box\n"))
            self.assertEqual(box.run(["sh", "-c", "exit 7"]), 7)
        self.assertIsNone(box._ptr)
        with self.assertRaises(ValueError):
            box.run(["true"])

    def test_chainable_and_names(self):
        box = nsbox.Sandbox()
        self.assertIs(box.add_namespace(["uts", "ipc"]), box)
        self.assertIs(box.set_env("NSBOX_T", "1").set_cwd("/"), box)
        ino = os.stat("/proc/self/ns/uts").st_ino
        status, out = sh(box, "stat -L -c %i /proc/self/ns/uts; echo $NSBOX_T; pwd")
        self.assertEqual(status, 0)
        inside, var, cwd = out.split()
        self.assertNotEqual(int(inside), ino)
        self.assertEqual((var, cwd), ("1", "/"))
        box.close()
        box.close()  # twice is fine

    def test_mirrors_every_builder_call(self):
        skip = {"nsbox_new", "nsbox_free", "nsbox_errmsg", "nsbox_version", "nsbox_spawn",
                "nsbox_run", "nsbox_wait", "nsbox_kill"}
        for name in nsbox._PROTOS:
            if name in skip or name.startswith("nsbox_proc_"):
                continue
            self.assertTrue(callable(getattr(nsbox.Sandbox, name[len("nsbox_"):], None)), name)
        for name in nsbox._PROTOS:
            if name.startswith("nsbox_proc_") and name != "nsbox_proc_free":
                self.assertTrue(hasattr(nsbox.Process, name[len("nsbox_proc_"):]), name)

    def test_builder_error_raises_oserror_with_message(self):
        with nsbox.Sandbox() as box:
            with self.assertRaises(OSError) as cm:
                box.add_namespace(1 << 20)
            self.assertEqual(cm.exception.errno, errno.EINVAL)
            self.assertIn("unknown bits", cm.exception.strerror)
            self.assertEqual(box.errmsg, cm.exception.strerror)
            with self.assertRaises(OSError) as cm:
                box.set_cwd("relative")
            self.assertEqual(cm.exception.errno, errno.EINVAL)
            self.assertIn("not an absolute path", str(cm.exception))
            with self.assertRaises(ValueError):
                box.add_namespace("nosuchkind")
            with self.assertRaises(TypeError):
                box.run("sh -c true")

    def test_spawn_error_and_nothing_left(self):
        fds = len(os.listdir("/proc/self/fd"))
        with nsbox.Sandbox().add_namespace(nsbox.NS_PID) as box:
            with self.assertRaises(FileNotFoundError) as cm:
                box.spawn(["/no/such/program"])
            self.assertEqual(cm.exception.errno, errno.ENOENT)
            self.assertEqual(cm.exception.strerror,
                             "exec /no/such/program: No such file or directory")
        self.assertEqual(len(os.listdir("/proc/self/fd")), fds)

    def test_process_wait_kill_report(self):
        with nsbox.Sandbox().add_namespace(nsbox.NS_PID) as box:
            proc = box.spawn(["sleep", "30"])
        self.assertGreater(proc.pid, 0)
        self.assertGreaterEqual(proc.pidfd, 0)
        with self.assertRaises(TimeoutError):
            proc.wait(0)
        with self.assertRaises(TimeoutError):
            proc.wait(0.05)
        proc.kill()
        self.assertEqual(proc.wait(10), 128 + signal.SIGKILL)
        self.assertEqual(proc.signal, signal.SIGKILL)
        self.assertEqual(proc.exit_code, -1)
        self.assertEqual(proc.wait(), 137)  # the same status again
        proc.close()
        with self.assertRaises(ValueError):
            proc.wait()

    def test_exit_code_and_signal(self):
        with nsbox.Sandbox() as box, box.spawn(["sh", "-c", "exit 3"]) as proc:
            self.assertEqual(proc.wait(), 3)
            self.assertEqual((proc.exit_code, proc.signal), (3, 0))

    def test_usage_report(self):
        with nsbox.Sandbox() as box, box.spawn(["true"]) as proc:
            proc.wait()
            peak, cpu, oom, cg = proc.memory_peak, proc.cpu_usec, proc.oom_killed, proc.cgroup
            self.assertIsInstance(peak, int)
            self.assertIsInstance(cpu, int)
            self.assertFalse(oom)
            self.assertIsNone(cg)  # no limits: no cgroup of its own

    def test_missing_symbol_fails_only_that_call(self):
        nsbox._PROTOS["nsbox_no_such_call"] = (ctypes.c_int, [])
        try:
            with self.assertRaises(NotImplementedError):
                nsbox._fn("nsbox_no_such_call")
        finally:
            del nsbox._PROTOS["nsbox_no_such_call"]
        self.assertRegex(nsbox.version(), r"^\d")

    def test_other_groups_reach_the_library(self):
        """The calls of the filesystem, cgroup and privilege groups: bad input
        comes back as OSError(EINVAL) with the library's message."""
        calls = [("set_root", "relative"), ("add_bind_mount", "/x", "relative"),
                 ("add_tmpfs", "relative"), ("add_proc", "relative"), ("add_dev", "relative"),
                 ("add_dir", "relative"), ("add_symlink", "t", "relative"),
                 ("add_file", "relative", b"data"), ("add_chmod", "relative", 0o700),
                 ("add_chmod", "/x", 0o10000), ("remount_ro", "relative"),
                 ("set_cgroup_limit", "", "1"), ("set_cgroup_parent", "a/../b"),
                 ("add_cap", "cap_no_such_thing"), ("drop_cap", "cap_no_such_thing"),
                 ("set_seccomp_filter", b"")]
        for name, *args in calls:
            with nsbox.Sandbox() as box, self.subTest(call=name, args=args):
                with self.assertRaises(OSError) as cm:
                    getattr(box, name)(*args)
                self.assertEqual(cm.exception.errno, errno.EINVAL)
                self.assertTrue(cm.exception.strerror)
                self.assertEqual(cm.exception.strerror, box.errmsg)

    def test_binds_every_call_of_the_header(self):
        header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "include",
                              "nsbox.h")
        with open(header) as f:
            calls = set(re.findall(r"\b(nsbox_\w+)\(", f.read()))
        self.assertEqual(calls - set(nsbox._PROTOS), set())

    def test_chmod_inside(self):
        """add_chmod sets exact modes on what earlier steps made, follows a
        symlink inside the root, and chains; a missing path fails the spawn."""
        with nsbox.Sandbox() as box:
            self.assertIs(box.add_tmpfs("/tmp", 0, 0o1777), box)
            box.add_dir("/tmp/d", 0o700).add_file("/tmp/f", b"x", 0o600)
            box.add_symlink("d", "/tmp/link")
            self.assertIs(box.add_chmod("/tmp/f", 0o4640), box)
            box.add_chmod("/tmp/link", 0o751).add_chmod("/tmp", 0o700)
            self.assertEqual(sh(box, "stat -c '%a %F' /tmp /tmp/d /tmp/f; cat /tmp/f"),
                             (0, "700 directory\n751 directory\n4640 regular file\nx"))
        fds = len(os.listdir("/proc/self/fd"))
        with nsbox.Sandbox().add_tmpfs("/tmp").add_chmod("/tmp/missing", 0o700) as box:
            with self.assertRaises(FileNotFoundError) as cm:
                box.spawn(["true"])
            self.assertEqual(cm.exception.strerror,
                             "chmod 0700 /tmp/missing: No such file or directory")
        self.assertEqual(len(os.listdir("/proc/self/fd")), fds)

    def test_capabilities(self):
        def cap_eff(box):
            status, out = sh(box, "grep CapEff /proc/self/status")
            self.assertEqual(status, 0)
            return int(out.split()[1], 16)
        with nsbox.Sandbox().add_namespace("user").set_user(0, 0) as box:
            box.add_cap("cap_net_bind_service")
            self.assertEqual(cap_eff(box), 1 << 10)  # CAP_NET_BIND_SERVICE
            box.drop_cap("cap_net_bind_service")
            self.assertEqual(cap_eff(box), 0)

    def test_identity(self):
        with nsbox.Sandbox().add_namespace("user").set_user(0, 0) as box:
            self.assertEqual(sh(box, "id -u; id -g"), (0, "0\n0\n"))
        uid = os.geteuid()
        with nsbox.Sandbox().add_uid_map(5, uid).add_gid_map(5, os.getegid()) as box:
            self.assertEqual(sh(box, "cat /proc/self/uid_map"),
                             (0, f"{5:>10} {uid:>10} {1:>10}\n"))

    def test_env_exec_path_fds_rlimit(self):
        r, w = os.pipe()
        with nsbox.Sandbox() as box:
            box.clear_env().set_env("A", "1").set_env("PATH", "/usr/bin:/bin")
            box.set_exec_path("/bin/sh").pass_fd(w, 5)
            box.set_rlimit(resource.RLIMIT_NOFILE, 64)
            status, out = capture(box, ["named", "-c", "echo $0 $A; env | wc -l; ulimit -n; "
                                        "echo via5 >&5"])
        os.close(w)
        with os.fdopen(r) as f:
            self.assertEqual(f.read(), "via5\n")
        self.assertEqual(status, 0)
        self.assertEqual(out.split(), ["named", "1", "3", "64"])  # A, PATH, PWD

    def test_flags(self):
        with nsbox.Sandbox().set_flags(nsbox.NEW_SESSION | nsbox.DIE_WITH_PARENT) as box:
            status, out = sh(box, "ps -o sid= -p $$; echo $$")
            sid, pid = out.split()
            self.assertEqual((status, sid), (0, pid))
        with self.assertRaises(OSError):
            nsbox.Sandbox().set_flags(1 << 30)

    def test_join_by_pidfd(self):
        with nsbox.Sandbox().add_namespace("uts").set_hostname("joined") as target:
            proc = target.spawn(["sleep", "30"])
        with proc, nsbox.Sandbox() as box:
            mask = nsbox.NS_UTS | (nsbox.NS_USER if os.geteuid() else 0)
            box.join_namespace(mask, proc.pidfd)
            self.assertEqual(sh(box, "hostname"), (0, "joined\n"))


if __name__ == "__main__":
    nobody.main(os.path.abspath(__file__))
