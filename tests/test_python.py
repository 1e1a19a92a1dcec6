# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of the Python package nsbox as pip installed it (tests/staged.py
puts only that on sys.path) against the built library ($NSBOX_LIB), as root
and as nobody. Looks from inside the sandbox."""

import ctypes
import errno
import os
import re
import resource
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nobody  # noqa: E402
import nsbox  # noqa: E402  (PYTHONPATH: the pip-installed package)


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


_C_TO_CTYPES = {
    "nsbox *": "c_void_p", "const nsbox *": "c_void_p", "nsbox_proc *": "c_void_p",
    "const nsbox_proc *": "c_void_p", "nsbox_proc **": "LP_c_void_p", "const char *": "c_char_p",
    "struct nsbox_report *": "LP_NsboxReport",
    "char *const *": "c_void_p", "const void *": "c_void_p", "int": "c_int",
    "unsigned": "c_uint", "uint32_t": "c_uint", "uint64_t": "c_ulong", "size_t": "c_ulong",
    "pid_t": "c_int", "pid_t *": "LP_c_int", "void": "None", "unsigned long": "c_ulong",
    "char": "c_char", "uid_t": "c_uint", "gid_t": "c_uint", "const gid_t *": "c_void_p",
    "uint16_t": "c_ushort", "int64_t": "c_long",
}


def header_decls(text):
    """{name: (return type, [parameter types])} of the calls of nsbox.h."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    decls = {}
    for ret, name, params in re.findall(r"^([a-z][\w \*]*?)\s*\b(nsbox_\w+)\(([^)]*)\);",
                                        text, flags=re.M):
        types = []
        for p in params.split(","):
            p = re.sub(r"\s+", " ", p.strip())
            if p in ("void", ""):
                continue
            p = re.sub(r"\[\]$", "", p)
            if p.endswith("argv") or p.endswith("argv[]"):
                types.append("char *const *")
                continue
            t = re.sub(r"\b\w+$", "", p).strip()
            types.append(re.sub(r"\s*\*", " *", t).replace("* *", "**"))
        decls[name] = (ret.strip(), types)
    return decls


def ctypes_spelling(ret, params):
    """The ctypes names of a C declaration, e.g. (c_int, [c_void_p, c_uint])."""
    conv = [_C_TO_CTYPES.get(t, f"<{t}?>") for t in [ret] + params]
    return f"({conv[0]}, [{', '.join(conv[1:])}])"


def ctypes_spelling_of(restype, argtypes):
    name = (lambda t: "None" if t is None else t.__name__)
    return f"({name(restype)}, [{', '.join(name(t) for t in argtypes)}])"


class Binding(unittest.TestCase):
    def test_version(self):
        self.assertRegex(nsbox.version(), r"^\d+\.\d+\.\d+$")

    def test_five_lines(self):
        with nsbox.Sandbox().add_namespace(nsbox.NS_PID | nsbox.NS_NET) \
                            .set_hostname("box") as box:
            self.assertEqual(sh(box, "echo $$ $(hostname)"), (0, "2 box\n"))
            self.assertEqual(box.run(["sh", "-c", "exit 7"]).returncode, 7)
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
        for cls in (nsbox.Sandbox, nsbox.Process):
            for name, member in vars(cls).items():
                if not name.startswith("_") and (callable(member) or isinstance(member, property)):
                    self.assertTrue(member.__doc__, f"{cls.__name__}.{name} has no docstring")

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

    def test_console(self):
        """set_console: the command's terminal is /dev/pts/0 of the
        sandbox's own devpts; the master comes from take_console()."""
        with nsbox.Sandbox().add_namespace(nsbox.NS_PID | nsbox.NS_MOUNT) \
                            .add_proc("/proc").add_dev("/dev") \
                            .set_console(nsbox.CONSOLE_PTY, 24, 80) as box:
            proc = box.spawn(["sh", "-c", "tty; stty size; read x; echo got=$x"])
        master = proc.take_console()
        with self.assertRaises(FileNotFoundError):
            proc.take_console()
        os.write(master, b"hi\n")
        out = b""
        while True:
            try:
                chunk = os.read(master, 1024)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        self.assertEqual(proc.wait(), 0)
        os.close(master)
        text = out.decode().replace("\r", "")
        self.assertIn("/dev/pts/0\n24 80\n", text)
        self.assertIn("got=hi", text)
        with nsbox.Sandbox() as box, self.assertRaises(OverflowError):
            box.set_console(nsbox.CONSOLE_PTY, 70000, 1)

    def test_process_wait_kill_report(self):
        with nsbox.Sandbox().add_namespace(nsbox.NS_PID) as box:
            proc = box.spawn(["sleep", "30"])
        self.assertGreater(proc.pid, 0)
        self.assertGreaterEqual(proc.pidfd, 0)
        with self.assertRaises(TimeoutError):
            proc.wait(0)
        with self.assertRaises(TimeoutError):
            proc.wait(0.05)
        self.assertEqual(proc.errmsg, f"wait for pid {proc.pid}: still running after 50 ms: "
                                      "Connection timed out")
        with self.assertRaises(OSError) as cm:
            proc.kill(1000)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertEqual(cm.exception.strerror,
                         f"kill pid {proc.pid}: signal 1000 out of range (0 to 64)")
        proc.kill()
        self.assertEqual(proc.errmsg, "")
        self.assertEqual(proc.wait(10), 128 + signal.SIGKILL)
        self.assertEqual(proc.signal, signal.SIGKILL)
        self.assertEqual(proc.exit_code, -1)
        self.assertEqual(proc.wait(), 137)  # the same status again
        with self.assertRaises(ProcessLookupError) as cm:
            proc.kill()
        self.assertEqual(cm.exception.strerror, f"kill pid {proc.pid}: the sandbox ended "
                                                "(status 137) and was reaped: No such process")
        self.assertEqual(proc.errmsg, cm.exception.strerror)
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
        """Every call of nsbox.h is in the binding with the C types of its
        declaration, and nothing else is; each miss says what to add."""
        with open(os.environ["NSBOX_HEADER"]) as f:
            decls = header_decls(f.read())
        protos = nsbox._PROTOS
        for name in sorted(set(decls) - set(protos)):
            self.fail(f"{name} is declared in nsbox.h but not bound: add it to PROTOS in "
                      f"python/nsbox/_lib.py as {ctypes_spelling(*decls[name])}, a method "
                      "of Sandbox (or a property of Process for nsbox_proc_*) with range "
                      "checks (_lib.u32 ...) and cstr() for strings, and a test here; see "
                      "CONTRIBUTING.md")
        for name in sorted(set(protos) - set(decls)):
            self.fail(f"{name} is bound in python/nsbox/_lib.py but not declared in nsbox.h")
        for name in sorted(set(decls) & set(protos)):
            want = ctypes_spelling(*decls[name])
            have = ctypes_spelling_of(*protos[name])
            self.assertEqual(have, want, f"{name}: python/nsbox/_lib.py PROTOS has {have}, "
                             f"the header says {want}")

    def test_oci_lifecycle(self):
        """The gate holds the command until a byte comes; a detached
        process is ours to reap; the by-path cgroup calls reach the library."""
        r, w = os.pipe()
        try:
            with nsbox.Sandbox().set_exec_gate(r) as box:
                p = box.spawn(["sh", "-c", "exit 3"])
                self.assertIsNone(p.poll())
                os.write(w, b"x")
                self.assertEqual(p.wait(), 3)
                p.close()
                box.set_exec_gate(-1)
                p = box.spawn(["true"])
                pid = p.pid
                p.detach()
                self.assertEqual(os.waitpid(pid, 0), (pid, 0))
                with self.assertRaises(OSError) as cm:
                    box.set_cgroup_path("a/../b")
                self.assertEqual(cm.exception.errno, errno.EINVAL)
                gone = "/nsbox-lt-none-%d" % os.getpid()
                for call in (box.cgroup_kill, box.cgroup_freeze, box.cgroup_pids):
                    with self.assertRaises(OSError) as cm:
                        call(gone)
                    self.assertEqual(cm.exception.errno, errno.ENOENT)
                box.cgroup_destroy(gone)
        finally:
            os.close(r)
            os.close(w)

    def test_installed_package(self):
        """The package under test is the installed one, typed, loading the
        library named by $NSBOX_LIB."""
        here = os.path.dirname(os.path.abspath(nsbox.__file__))
        self.assertEqual(os.path.basename(os.path.dirname(here)), "site", here)
        self.assertTrue(os.path.exists(os.path.join(here, "py.typed")))
        self.assertEqual(nsbox._lib.library_path(), os.environ["NSBOX_LIB"])
        with open("/proc/self/maps") as f:
            self.assertIn(os.environ["NSBOX_LIB"], f.read())

    def test_chmod_inside(self):
        """add_chmod sets exact modes on what earlier steps made and chains;
        with the caller's root it follows no symlink; a missing path fails
        the spawn."""
        with nsbox.Sandbox() as box:
            self.assertIs(box.add_tmpfs("/tmp", 0, 0o1777), box)
            box.add_dir("/tmp/d", 0o700).add_file("/tmp/f", b"x", 0o600)
            box.add_symlink("d", "/tmp/link")
            self.assertIs(box.add_chmod("/tmp/f", 0o4640), box)
            box.add_chmod("/tmp/d", 0o751).add_chmod("/tmp", 0o700)
            self.assertEqual(sh(box, "stat -c '%a %F' /tmp /tmp/d /tmp/f; cat /tmp/f"),
                             (0, "700 directory\n751 directory\n4640 regular file\nx"))
            box.add_chmod("/tmp/link", 0o751)
            with self.assertRaises(OSError) as cm:
                box.spawn(["true"])
            self.assertEqual(cm.exception.errno, errno.ELOOP)
        fds = len(os.listdir("/proc/self/fd"))
        with nsbox.Sandbox().add_tmpfs("/tmp").add_chmod("/tmp/missing", 0o700) as box:
            with self.assertRaises(FileNotFoundError) as cm:
                box.spawn(["true"])
            self.assertEqual(cm.exception.strerror,
                             "chmod 0700 /tmp/missing: No such file or directory")
        self.assertEqual(len(os.listdir("/proc/self/fd")), fds)

    def test_interpreter_magic_links(self):
        """runc's CVE-2019-5736 and CVE-2024-21626 through the command's
        "#!" line: "/proc/self/exe" must not run the caller's binary (here
        python, which would run the script's body) in the sandbox, where
        /proc/PID/exe would let the command write it; "/proc/self/fd/N/X"
        must not reach a host directory the caller holds open. The
        controls run the same lines from a plain child of the caller."""
        host = tempfile.mkdtemp()
        try:
            os.chmod(host, 0o755)
            # a host-only interpreter: a copy of python, which runs the body
            marker = os.path.join(host, "marker")
            shutil.copy(os.path.realpath(sys.executable), marker)
            os.chmod(marker, 0o755)
            dfd = os.open(host, os.O_RDONLY | os.O_DIRECTORY)  # close-on-exec
            exe = b"#!/proc/self/exe\nprint('CALLER-BINARY')\n"
            via_fd = f"#!/proc/self/fd/{dfd}/marker\nprint('HOST-FILE')\n".encode()
            try:
                for name, text, leak in (("exe", exe, "CALLER-BINARY"),
                                         ("fd", via_fd, "HOST-FILE")):
                    with nsbox.Sandbox() as box:
                        box.add_tmpfs("/tmp").add_file("/tmp/" + name, text, 0o755)
                        try:  # the interpreter is the helper, or not found
                            status, out = capture(box, ["/tmp/" + name])
                        except FileNotFoundError:
                            status, out = -1, ""
                    self.assertNotIn(leak, out, name)
                    self.assertNotEqual(status, 0, name)
                    # control: a plain child resolves the same line
                    path = os.path.join(host, name)
                    with open(path, "wb") as f:
                        f.write(text)
                    os.chmod(path, 0o755)
                    r = subprocess.run([path], capture_output=True, text=True, close_fds=False)
                    self.assertIn(leak, r.stdout, f"control {name}: {r.stderr}")
            finally:
                os.close(dfd)
        finally:
            shutil.rmtree(host)

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

    def test_oci_calls(self):
        """The calls for an OCI runtime reach the library and act inside."""
        with nsbox.Sandbox().add_namespace("user").set_user(0, 0) as box:
            # the command as PID 1: what oom_score_adj needs before Linux 6.15
            box.add_namespace(nsbox.NS_NET | nsbox.NS_MOUNT | nsbox.NS_PID).set_flags(nsbox.AS_PID1)
            box.add_mount("tmpfs", None, "/tmp", 0, "mode=1777").set_umask(0o077)
            box.set_sysctl("net.ipv4.ip_forward", "1").set_domainname("d.example")
            box.add_mask("/etc/hostname").add_readonly("/tmp").set_root_propagation(0x40000)
            box.set_caps(nsbox.CAPS_BOUNDING, 1 << 10).set_groups([])
            box.set_oom_score_adj(100)
            # oom_score_adj is written just after the exec: the shell's own
            # value (a builtin read), waited for up to 2 s
            status, out = sh(box, "umask; cat /proc/sys/net/ipv4/ip_forward "
                             "/proc/sys/kernel/domainname; i=0; "
                             "while read v </proc/self/oom_score_adj; [ \"$v\" != 100 ] && "
                             "[ $i -lt 200 ]; do sleep 0.01; i=$((i+1)); done; echo $v; "
                             "grep CapBnd /proc/self/status")
            self.assertEqual((status, out.split()[:5]), (0, ["0077", "1", "d.example", "100",
                                                             "CapBnd:"]))
            self.assertEqual(int(out.split()[5], 16), 1 << 10)
        with nsbox.Sandbox() as box:
            with self.assertRaises(OSError) as cm:
                box.set_sysctl("kernel.core_pattern", "x")
            self.assertIn("not kept per namespace", cm.exception.strerror)
            with self.assertRaises(OSError):
                box.add_mount("ext4", "/dev/sda", "/m")
            with self.assertRaises(ValueError):
                box.add_device("/dev/x", "cc", 1, 3)
            with self.assertRaises(OSError) as cm:
                box.add_device_rule(True, "c", 1, 3, "rwx")
            self.assertIn("rwx", cm.exception.strerror)
            with self.assertRaises(OverflowError):
                box.add_device_rule(True, "c", 2**63, 3)
        if os.geteuid() == 0:
            # the rules reach the devices controller: 1:5 (zero) denied
            with nsbox.Sandbox().add_device_rule(True).add_device_rule(False, "c", 1, 5, "r") \
                    .add_namespace("mount") as box:
                for caps in (nsbox.CAPS_BOUNDING, nsbox.CAPS_EFFECTIVE, nsbox.CAPS_PERMITTED):
                    box.set_caps(caps, 0)
                status, out = sh(box, "head -c1 /dev/zero >/dev/null 2>&1 && echo zero; "
                                 "echo > /dev/null && echo null")
                self.assertEqual((status, out.split()), (0, ["null"]))

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

    def test_read_to_eof_while_the_recipe_lives(self):
        """Issue 12.3: the recipe records fd numbers; it holds no copy of the
        write end, so reading to EOF after spawn ends inside the with."""
        import select
        r, w = os.pipe()
        with nsbox.Sandbox() as box:
            wf = os.fdopen(w, "wb")
            box.set_stdio(stdout=wf)
            with box.spawn(["echo", "hi"]) as proc:
                wf.close()
                out = b""
                while True:
                    ready, _, _ = select.select([r], [], [], 10)
                    self.assertTrue(ready, "no EOF within 10 s: the recipe holds the write end")
                    chunk = os.read(r, 64)
                    if not chunk:
                        break
                    out += chunk
                self.assertEqual(proc.wait(), 0)
            self.assertEqual(out, b"hi\n")
            with self.assertRaises(OSError) as e:  # closed since set_stdio
                box.spawn(["true"])
            self.assertEqual(e.exception.errno, errno.EBADF)
        os.close(r)

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

    def enter_in_child(self, box, probe):
        """Forks; the child enters box and writes probe()'s text (or the
        error) on a pipe it keeps with pass_fd. Returns (status, text)."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                box.pass_fd(w, w)
                try:
                    box.enter()
                    text = "ok " + probe()
                except OSError as e:
                    text = f"error {e.errno} {e.strerror} | " + probe()
                os.write(w, text.encode())
            finally:
                os._exit(0)
        os.close(w)
        with os.fdopen(r, "rb") as f:
            out = f.read().decode()
        _, st = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(st), out

    def test_enter(self):
        """Sandbox.enter() in a forked child: new namespaces, hostname, no
        capability, no_new_privs, the environment, fds closed."""
        def probe():
            with open("/proc/self/status") as f:
                status = f.read()
            caps = re.search(r"CapEff:\s*(\w+)", status).group(1)
            nnp = re.search(r"NoNewPrivs:\s*(\d)", status).group(1)
            return (f"{os.stat('/proc/self/ns/uts').st_ino} {os.uname().nodename} {caps} {nnp} "
                    f"{os.environ.get('NSBOX_ENTERED')} {os.getenv('HOME')} "
                    f"{sorted(int(fd) for fd in os.listdir('/proc/self/fd'))}")
        uts = os.stat("/proc/self/ns/uts").st_ino
        keep = os.open("/dev/null", os.O_RDONLY)
        os.dup2(keep, 77, inheritable=False)  # not passed: closed by enter()
        os.close(keep)
        keep = 77
        with nsbox.Sandbox().add_namespace("uts").set_hostname("entered") as box:
            box.set_env("NSBOX_ENTERED", "1").set_env("HOME", None)
            status, out = self.enter_in_child(box, probe)
        os.close(keep)
        self.assertEqual(status, 0)
        word, ino, host, caps, nnp, var, home, fds = out.split(" ", 7)
        self.assertEqual(word, "ok", out)
        self.assertNotEqual(int(ino), uts)
        self.assertEqual((host, int(caps, 16), nnp, var, home), ("entered", 0, "1", "1", "None"))
        self.assertNotIn(str(keep), fds.strip("[]").split(", "))

    def test_enter_refusal_leaves_the_process(self):
        """A PID namespace without ENTER_FORK: OSError, nothing changed; the
        control with ENTER_FORK returns in the child as PID 1."""
        def probe():
            return f"{os.getpid()} {os.stat('/proc/self/ns/user').st_ino}"
        user = os.stat("/proc/self/ns/user").st_ino
        with nsbox.Sandbox().add_namespace(["user", "pid"]) as box:
            status, out = self.enter_in_child(box, probe)
            self.assertEqual(status, 0)
            self.assertRegex(out, r"^error 22 .*NSBOX_ENTER_FORK.* \| \d+ " + str(user) + "$")
            box.set_flags(nsbox.ENTER_FORK)
            status, out = self.enter_in_child(box, probe)
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("ok 1 "), out)
        self.assertNotEqual(out.split()[2], str(user))


class Conversions(unittest.TestCase):
    """Issue 12.9: every integer is range-checked against its C type
    (OverflowError, TypeError for a non-integer) and every string with a NUL
    byte is refused (ValueError), as os functions do, before the library is
    called: nothing is wrapped or cut."""

    U32 = [2**32, 2**32 + 100000, -1]
    U64 = [2**64, -1]
    INT = [2**31, -(2**31) - 1]

    def over(self, call, *args):
        with nsbox.Sandbox() as box, self.subTest(call=call, args=args):
            with self.assertRaises(OverflowError) as cm:
                getattr(box, call)(*args)
            self.assertIn("imum", str(cm.exception))
            self.assertEqual(box.errmsg, "")  # the library was not called

    def test_integers_out_of_range(self):
        for v in self.U32:
            self.over("set_user", v, 0)
            self.over("set_user", 0, v)
            for m in ("add_uid_map", "add_gid_map"):
                self.over(m, v, 0, 1)
                self.over(m, 0, v, 1)
                self.over(m, 0, 0, v)
            self.over("add_tmpfs", "/t", 0, v)
            self.over("add_dir", "/t", v)
            self.over("add_file", "/t", b"", v)
            self.over("add_chmod", "/t", v)
            self.over("add_bind_mount", "/a", "/b", v)
            self.over("set_flags", v)
            self.over("add_device", "/d", "c", v)
            self.over("add_device", "/d", "c", 0, v)
            self.over("add_device", "/d", "c", 0, 0, v)
            self.over("add_device", "/d", "c", 0, 0, 0, v)
            self.over("add_device", "/d", "c", 0, 0, 0, 0, v)
            self.over("set_umask", v)
            self.over("set_groups", [0, v])
            self.over("add_namespace", v)
            self.over("join_namespace", v, 0)
        for v in self.U64:
            self.over("add_tmpfs", "/t", v)
            self.over("set_caps", 0, v)
            self.over("add_mount", "tmpfs", None, "/t", v)
            self.over("set_root_propagation", v)
        for v in (2**64, -2):
            self.over("set_rlimit", resource.RLIMIT_NOFILE, v)
            self.over("set_rlimit", resource.RLIMIT_NOFILE, 1, v)
        for v in self.INT:
            self.over("set_rlimit", v, 1)
            self.over("set_stdio", v)
            self.over("set_stdio", -1, v)
            self.over("set_stdio", -1, -1, v)
            self.over("pass_fd", v, 5)
            self.over("pass_fd", 1, v)
            self.over("join_namespace", "uts", v)
            self.over("set_oom_score_adj", v)
            self.over("set_caps", v, 0)
        with nsbox.Sandbox() as box, box.spawn(["true"]) as proc:
            with self.assertRaises(OverflowError):
                proc.kill(2**31)
            with self.assertRaises(OverflowError):
                proc.wait(2**31)
            proc.wait()
        with nsbox.Sandbox() as box:
            with self.assertRaises(TypeError):
                box.set_user(1.5, 0)
            with self.assertRaises(TypeError):
                box.add_tmpfs("/t", "1G")

    def test_control_in_range_values_reach_the_library(self):
        """The same calls with the largest in-range values reach the library,
        which judges them itself."""
        with nsbox.Sandbox() as box:
            box.add_uid_map(0, 2**32 - 2, 1)
            box.add_tmpfs("/t", 2**64 - 1)
            box.set_rlimit(resource.RLIMIT_NOFILE, 2**64 - 1)
            with self.assertRaises(OSError) as cm:
                box.set_user(2**32 - 1, 0)  # (uid_t)-1: the library's EINVAL
            self.assertEqual(cm.exception.errno, errno.EINVAL)

    def nul(self, call, *args):
        with nsbox.Sandbox() as box, self.subTest(call=call, args=args):
            with self.assertRaises(ValueError) as cm:
                getattr(box, call)(*args)
            self.assertIn("embedded null byte", str(cm.exception))
            self.assertEqual(box.errmsg, "")

    def test_embedded_nul(self):
        bad = "ab\0cd"
        self.nul("set_hostname", bad)
        self.nul("set_env", bad, "v")
        self.nul("set_env", "N", bad)
        self.nul("set_cwd", "/" + bad)
        self.nul("set_exec_path", bad)
        self.nul("set_root", "/" + bad)
        self.nul("add_bind_mount", "/" + bad, "/x")
        self.nul("add_bind_mount", "/x", "/" + bad)
        self.nul("add_tmpfs", "/" + bad)
        self.nul("add_proc", "/" + bad)
        self.nul("add_dev", "/" + bad)
        self.nul("add_dir", "/" + bad)
        self.nul("add_symlink", bad, "/x")
        self.nul("add_symlink", "x", "/" + bad)
        self.nul("add_file", "/" + bad, b"data")
        self.nul("add_chmod", "/" + bad, 0o700)
        self.nul("remount_ro", "/" + bad)
        self.nul("set_cgroup_limit", "pids." + bad, "5")
        self.nul("set_cgroup_limit", "pids.max", "5\0" + "0")
        self.nul("set_cgroup_parent", "/" + bad)
        self.nul("add_cap", bad)
        self.nul("add_mount", bad, None, "/x")
        self.nul("add_mount", "bind", "/" + bad, "/x")
        self.nul("add_mount", "tmpfs", None, "/" + bad)
        self.nul("add_mount", "tmpfs", None, "/x", 0, bad)
        self.nul("add_device", "/" + bad, "c", 1, 3)
        self.nul("add_mask", "/" + bad)
        self.nul("add_readonly", "/" + bad)
        self.nul("set_domainname", bad)
        self.nul("set_sysctl", bad, "1")
        self.nul("set_sysctl", "net.ipv4.ip_forward", bad)
        self.nul("drop_cap", bad)
        self.nul("spawn", ["echo", bad])
        self.nul("spawn", [bad.encode()])
        self.nul("run", ["echo", "ok", bad])
        # data may hold NUL bytes: a file's content is bytes, not a C string
        with nsbox.Sandbox().add_tmpfs("/t").add_file("/t/f", b"a\0b") as box:
            self.assertEqual(box.run(["od", "-An", "-c", "/t/f"], capture_output=True,
                                     text=True).stdout.split(), ["a", "\\0", "b"])


class SubprocessConventions(unittest.TestCase):
    """run() and Process as subprocess users expect them."""

    def test_capture_input_text(self):
        with nsbox.Sandbox().add_namespace("pid") as box:
            r = box.run(["sh", "-c", "echo $$; cat; echo err >&2; exit 3"], input=b"in\n",
                        capture_output=True)
        self.assertIsInstance(r, nsbox.CompletedProcess)
        self.assertEqual((r.returncode, r.status, r.stdout, r.stderr),
                         (3, 3, b"2\nin\n", b"err\n"))
        self.assertEqual(r.args, ["sh", "-c", "echo $$; cat; echo err >&2; exit 3"])
        with nsbox.Sandbox() as box:
            r = box.run(["cat"], input="é\n", capture_output=True, text=True)
            self.assertEqual(r.stdout, "é\n")
            r = box.run(["sh", "-c", "echo o; echo e >&2"], stdout=nsbox.PIPE,
                        stderr=nsbox.STDOUT)
            self.assertEqual((r.stdout, r.stderr), (b"o\ne\n", None))
            r = box.run(["sh", "-c", "cat; echo x"], stdin=nsbox.DEVNULL, stdout=nsbox.PIPE)
            self.assertEqual(r.stdout, b"x\n")

    def test_large_output_and_input_do_not_deadlock(self):
        data = os.urandom(1 << 20)
        with nsbox.Sandbox() as box:
            r = box.run(["cat"], input=data, capture_output=True, timeout=60)
        self.assertEqual(r.stdout, data)

    def test_signal_is_negative_returncode(self):
        with nsbox.Sandbox() as box:
            r = box.run(["sh", "-c", "kill -TERM $$"])
        self.assertEqual((r.returncode, r.status), (-signal.SIGTERM, 128 + signal.SIGTERM))

    def test_check(self):
        with nsbox.Sandbox() as box:
            self.assertEqual(box.run(["true"], check=True).returncode, 0)
            with self.assertRaises(nsbox.CalledProcessError) as cm:
                box.run(["sh", "-c", "echo out; exit 4"], capture_output=True, check=True)
        e = cm.exception
        self.assertIsInstance(e, subprocess.CalledProcessError)
        self.assertEqual((e.returncode, e.status, e.output, e.stderr), (4, 4, b"out\n", b""))

    def test_timeout_carries_output_and_kills(self):
        fds = len(os.listdir("/proc/self/fd"))
        # a slow machine (TCG) may not have printed within the first timeout
        for timeout in (0.5, 2, 8):
            with nsbox.Sandbox().add_namespace("pid") as box:
                t0 = time.monotonic()
                with self.assertRaises(nsbox.TimeoutExpired) as cm:
                    box.run(["sh", "-c", "echo partial; echo e >&2; sleep 30 & sleep 30"],
                            capture_output=True, timeout=timeout)
                self.assertLess(time.monotonic() - t0, timeout + 10)
            e = cm.exception
            if e.output and e.stderr:
                break
        self.assertIsInstance(e, subprocess.TimeoutExpired)
        self.assertIsInstance(e, TimeoutError)
        self.assertEqual((e.output, e.stderr, e.timeout), (b"partial\n", b"e\n", timeout))
        self.assertEqual(len(os.listdir("/proc/self/fd")), fds)

    def test_timeout_without_pipes(self):
        with nsbox.Sandbox() as box:
            with self.assertRaises(nsbox.TimeoutExpired):
                box.run(["sleep", "30"], timeout=0.2)

    def test_process_pipes_poll_returncode(self):
        with nsbox.Sandbox() as box:
            proc = box.spawn(["sh", "-c", "read x; echo got $x"], stdin=nsbox.PIPE,
                             stdout=nsbox.PIPE)
        with proc:
            self.assertIsNone(proc.poll())
            self.assertIsNone(proc.returncode)
            out, err = proc.communicate(b"hi\n", timeout=30)
            self.assertEqual((out, err, proc.returncode, proc.status), (b"got hi\n", None, 0, 0))

    def test_spawn_error_is_oserror_and_closes_pipes(self):
        fds = len(os.listdir("/proc/self/fd"))
        with nsbox.Sandbox() as box:
            with self.assertRaises(FileNotFoundError) as cm:
                box.run(["/no/such"], capture_output=True)
            self.assertEqual(cm.exception.errno, errno.ENOENT)
            self.assertIn("/no/such", cm.exception.strerror)
        self.assertEqual(len(os.listdir("/proc/self/fd")), fds)

    def test_stderr_to_the_recipes_stdout(self):
        """stderr=STDOUT follows stdout where set_stdio() put it."""
        r, w = os.pipe()
        with nsbox.Sandbox().set_stdio(-1, w, -1) as box:
            box.run(["sh", "-c", "echo o; echo e >&2"], stderr=nsbox.STDOUT)
        os.close(w)
        with os.fdopen(r, "rb") as f:
            self.assertEqual(f.read(), b"o\ne\n")

    def test_recipe_stdio_comes_back_after_run(self):
        """Pipes given to run() are for that process only."""
        r, w = os.pipe()
        with nsbox.Sandbox().set_stdio(-1, w, -1) as box:
            self.assertEqual(box.run(["echo", "a"], capture_output=True).stdout, b"a\n")
            box.run(["echo", "b"])
        os.close(w)
        with os.fdopen(r, "rb") as f:
            self.assertEqual(f.read(), b"b\n")


class TimeLimits(unittest.TestCase):
    """Issue 14: the time limits' setters, the report on Process and in
    run()'s result, each verdict this process can reach (a CPU-time limit
    needs a cgroup: root's own, or refused for nobody, who has none
    delegated here)."""

    def box(self):
        box = nsbox.Sandbox().add_namespace(nsbox.NS_PID)
        parent = os.environ.get("NSBOX_TEST_CGROUP_PARENT")
        if parent and os.geteuid() == 0:
            box.set_cgroup_parent(parent)
        return box

    def test_wall_limit(self):
        with self.box().set_wall_time_limit(0.3) as box:
            r = box.run(["sleep", "10"])
        self.assertEqual((r.returncode, r.report.end), (-9, nsbox.End.WALL_LIMIT))
        self.assertGreaterEqual(r.report.wall_usec, 300000)
        self.assertGreaterEqual(r.report.kill_usec, 300000)
        self.assertEqual(r.report.wall_limit_usec, 300000)

    def test_exit_signal_kill(self):
        with self.box().set_wall_time_limit(30) as box:
            r = box.run(["sh", "-c", "exit 3"])
            self.assertEqual((r.report.end, r.report.exit_code), (nsbox.End.EXITED, 3))
            r = box.run(["sh", "-c", "kill -TERM $$"])
            self.assertEqual((r.report.end, r.report.signal), (nsbox.End.SIGNALED, 15))
            with box.spawn(["sleep", "30"]) as proc:
                self.assertEqual(proc.report().end, nsbox.End.RUNNING)
                proc.kill()
                proc.wait()
                self.assertEqual(proc.report().end, nsbox.End.KILLED)

    def test_cpu_limit(self):
        bomb = "for i in 1 2 3; do (while :; do :; done) & done; wait"
        with self.box().set_cpu_time_limit(0.3).set_extra_time(0) as box:
            if os.geteuid() != 0:
                with self.assertRaises(PermissionError) as cm:
                    box.run(["true"])
                self.assertIn("no writable cgroup", str(cm.exception))
                return
            r = box.run(["sh", "-c", bomb])
        self.assertEqual((r.returncode, r.report.end), (-9, nsbox.End.CPU_LIMIT))
        self.assertGreaterEqual(r.report.cpu_usec, 300000)
        self.assertGreater(r.report.user_usec + r.report.sys_usec, 0)

    def test_bad_values(self):
        with nsbox.Sandbox() as box:
            with self.assertRaises(ValueError):
                box.set_cpu_time_limit(-1)
            with self.assertRaises(OSError) as cm:
                box.set_wall_time_limit(1e10)
            self.assertEqual(cm.exception.errno, errno.EINVAL)
            self.assertIn("wall-time limit", cm.exception.strerror)
            self.assertIs(box.set_extra_time(None), box)


if __name__ == "__main__":
    nobody.main(os.path.abspath(__file__))
