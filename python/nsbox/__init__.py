# SPDX-License-Identifier: LGPL-2.1-or-later
"""nsbox: run a command in Linux namespaces under cgroup limits (ctypes
binding of libnsbox.so.0; the manual pages nsbox(3) and nsbox_*(3) are the
reference, these docstrings their summary).

    import nsbox
    with nsbox.Sandbox().add_namespace(nsbox.NS_PID | nsbox.NS_NET) \\
                        .set_hostname("box") as box:
        r = box.run(["sh", "-c", "echo $$ $(hostname)"], capture_output=True, text=True)
        print(r.stdout)                                          # "2 box"

A Sandbox is a recipe (nsbox_new); its methods mirror the builder calls of
nsbox.h (nsbox_add_namespace -> add_namespace ...) and return the Sandbox,
so they chain. spawn() starts a Process; run() spawns, pumps the pipes and
waits, as subprocess.run() does. A call the library refuses raises
OSError(errno, message) (FileNotFoundError, PermissionError ...), message
being nsbox_errmsg(); an integer out of its C type's range raises
OverflowError, a string with a NUL byte ValueError, as os functions do.

The library is $NSBOX_LIB, else the one meson install put next to this
package, else "libnsbox.so.0" as the dynamic loader finds it. Symbols are
looked up when first called: with a library that lacks a call, only that
call fails (NotImplementedError).
"""

from __future__ import annotations

import ctypes
import errno as _errno
import os
import signal as _signal
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, TypeVar, Union

from . import _lib
from ._lib import StrPath, c_int, c_uint, c_ulong, cstr, fd_of, fn as _fn, i64, u16, u32, u64
from ._process import (DEVNULL, PIPE, SAME_AS_STDOUT, STDOUT, CalledProcessError,
                       CompletedProcess, TimeoutExpired, decode, encode, open_stdio, pump)
from ._report import End, NsboxReport, Report

__all__ = ["Sandbox", "Process", "CompletedProcess", "TimeoutExpired", "CalledProcessError",
           "PIPE", "DEVNULL", "STDOUT", "End", "Report", "version", "library"]

_PROTOS = _lib.PROTOS
library = _lib.library

NS_USER = 1 << 0
NS_PID = 1 << 1
NS_MOUNT = 1 << 2
NS_UTS = 1 << 3
NS_IPC = 1 << 4
NS_NET = 1 << 5
NS_CGROUP = 1 << 6
NS_TIME = 1 << 7
NS_ALL = 0xFF

_NS_NAMES = {"user": NS_USER, "pid": NS_PID, "mount": NS_MOUNT, "mnt": NS_MOUNT,
             "uts": NS_UTS, "ipc": NS_IPC, "net": NS_NET, "cgroup": NS_CGROUP,
             "time": NS_TIME, "all": NS_ALL}

MOUNT_RDONLY = 1 << 0
MOUNT_TRY = 1 << 1
MOUNT_DEV = 1 << 2
MOUNT_NOEXEC = 1 << 3

# nsbox_set_caps's sets
CAPS_BOUNDING, CAPS_EFFECTIVE, CAPS_PERMITTED, CAPS_INHERITABLE, CAPS_AMBIENT = range(5)

DIE_WITH_PARENT = 1 << 0
NEW_SESSION = 1 << 1
AS_PID1 = 1 << 2
ALLOW_NEW_PRIVS = 1 << 3
DISABLE_USERNS = 1 << 4  # no user namespace can be made inside (bwrap --disable-userns)
ASSERT_USERNS_DISABLED = 1 << 5  # spawn fails if one can (bwrap --assert-userns-disabled)
CONTROLLING_TTY = 1 << 6  # stdin (a terminal) becomes the controlling terminal
ENTER_FORK = 1 << 7  # enter() forks: returns in the child (PID 1 of a new PID namespace)
CGROUP_ADVISORY = 1 << 8  # cgroup limits with cap_sys_admin kept: set, advisory (nsbox_cgroup(3))

# nsbox_set_console's flags
CONSOLE_PTY = 1 << 0  # a pty of the sandbox's own devpts as the command's terminal
CONSOLE_DEV_CONSOLE = 1 << 1  # its slave bound on /dev/console too

Namespaces = Union[int, str, Iterable[str]]
_H = TypeVar("_H", bound="_Handle")
FileSpec = Any  # None, PIPE, DEVNULL, STDOUT (stderr), an fd or an object with fileno()


def version() -> str:
    """The library's version, "MAJOR.MINOR.PATCH" (nsbox_version)."""
    v: bytes = _fn("nsbox_version")()
    return v.decode()


def _ns_mask(ns: Namespaces) -> int:
    if isinstance(ns, str):
        ns = [ns]
    if not isinstance(ns, int):
        mask = 0
        for name in ns:
            if name not in _NS_NAMES:
                raise ValueError(f"unknown namespace kind {name!r}")
            mask |= _NS_NAMES[name]
        return mask
    return c_uint(ns, "namespace mask")


class _Handle:
    """A library handle freed by close(), at the end of a with block, or when
    garbage-collected. _FREE names the library call that frees it."""

    _FREE = ""

    def __init__(self, ptr: Optional[int]) -> None:
        self._ptr = ptr

    def _handle(self) -> int:
        if not self._ptr:
            raise ValueError(f"the {type(self).__name__} was closed")
        return self._ptr

    def close(self) -> None:
        """Frees the handle; twice is fine."""
        if self._ptr:
            _fn(self._FREE)(self._ptr)
            self._ptr = None

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


class Sandbox(_Handle):
    """A recipe (nsbox *): what to isolate and how; one recipe may spawn
    many processes. Builder methods return self, so they chain. close()
    frees it; processes spawned from it live on."""

    _FREE = "nsbox_free"

    def __init__(self) -> None:
        super().__init__(_fn("nsbox_new")())
        if not self._ptr:
            raise MemoryError("nsbox_new")
        self._stdio = (-1, -1, -1)
        # set_env/clear_env as given, for enter() to mirror into os.environ
        self._env_clear = False
        self._env_ops: List[Tuple[str, Optional[str]]] = []

    def _check(self, r: int) -> int:
        if r < 0:
            msg = _fn("nsbox_errmsg")(self._ptr).decode(errors="replace")
            raise OSError(-r, msg or os.strerror(-r))
        return r

    def _call(self, name: str, *args: Any) -> "Sandbox":
        self._check(_fn(name)(self._handle(), *args))
        return self

    @property
    def errmsg(self) -> str:
        """The last error on this handle, "" if none (nsbox_errmsg)."""
        msg: bytes = _fn("nsbox_errmsg")(self._handle())
        return msg.decode(errors="replace")

    # -- namespaces
    def add_namespace(self, ns: Namespaces) -> "Sandbox":
        """Adds new namespaces: an NS_* mask, a kind name ("pid") or a list
        of names. Repeated calls add up. An unprivileged caller gets a user
        namespace too, its own uid and gid mapped to themselves unless maps
        say otherwise; a new network namespace has "lo" up and nothing else.
        EINVAL for unknown bits or a kind also joined."""
        return self._call("nsbox_add_namespace", _ns_mask(ns))

    def join_namespace(self, ns: Namespaces, fd: Any) -> "Sandbox":
        """Enters an existing namespace instead of making one: fd an open
        /proc/PID/ns/<kind> file (ns exactly that kind) or a pidfd (ns may
        name several). The fd is duplicated. setns() runs at spawn."""
        return self._call("nsbox_join_namespace", _ns_mask(ns), fd_of(fd, "fd"))

    # -- identity
    def add_uid_map(self, inside: int, outside: int, count: int = 1) -> "Sandbox":
        """Maps uids inside..inside+count-1 to outside..outside+count-1 (adds
        NS_USER). Several ranges may not overlap. Root writes the map; an
        unprivileged caller's extra ranges go through newuidmap."""
        return self._call("nsbox_add_uid_map", u32(inside, "inside"), u32(outside, "outside"),
                          u32(count, "count"))

    def add_gid_map(self, inside: int, outside: int, count: int = 1) -> "Sandbox":
        """As add_uid_map(), for gids (newgidmap)."""
        return self._call("nsbox_add_gid_map", u32(inside, "inside"), u32(outside, "outside"),
                          u32(count, "count"))

    def set_user(self, uid: int, gid: int) -> "Sandbox":
        """The uid and gid the command runs as, inside; supplementary groups
        are dropped. EINVAL for (uid_t)-1."""
        return self._call("nsbox_set_user", u32(uid, "uid"), u32(gid, "gid"))

    # -- filesystem
    def set_root(self, dir: Optional[StrPath] = None) -> "Sandbox":
        """dir becomes "/" (pivot_root); None: an empty tmpfs root that the
        mounts fill, as bubblewrap does. The last call wins."""
        return self._call("nsbox_set_root", cstr(dir, "dir"))

    def add_bind_mount(self, src: StrPath, dst: StrPath, flags: int = 0) -> "Sandbox":
        """Binds the caller's src at dst: nosuid, nodev unless MOUNT_DEV;
        MOUNT_RDONLY makes the subtree read-only; MOUNT_TRY skips a missing
        src."""
        return self._call("nsbox_add_bind_mount", cstr(src, "src"), cstr(dst, "dst"),
                          c_uint(flags, "flags"))

    def add_tmpfs(self, dst: StrPath, size_bytes: int = 0, mode: int = 0o755) -> "Sandbox":
        """A new tmpfs at dst (nosuid, nodev); size 0: the kernel's default."""
        return self._call("nsbox_add_tmpfs", cstr(dst, "dst"), u64(size_bytes, "size_bytes"),
                          u32(mode, "mode"))

    def add_proc(self, dst: StrPath = "/proc") -> "Sandbox":
        """A new procfs at dst, from inside the sandbox's PID namespace."""
        return self._call("nsbox_add_proc", cstr(dst, "dst"))

    def add_dev(self, dst: StrPath = "/dev") -> "Sandbox":
        """A minimal /dev at dst, as bubblewrap makes it."""
        return self._call("nsbox_add_dev", cstr(dst, "dst"))

    def add_dir(self, dst: StrPath, mode: int = 0o755) -> "Sandbox":
        """A directory at dst with exactly mode; an existing one is kept."""
        return self._call("nsbox_add_dir", cstr(dst, "dst"), u32(mode, "mode"))

    def add_symlink(self, target: StrPath, linkpath: StrPath) -> "Sandbox":
        """A symlink at linkpath pointing to target (stored as given)."""
        return self._call("nsbox_add_symlink", cstr(target, "target"),
                          cstr(linkpath, "linkpath"))

    def add_file(self, dst: StrPath, data: Union[str, bytes], mode: int = 0o644) -> "Sandbox":
        """A regular file at dst holding a copy of data, with exactly mode."""
        raw = data.encode() if isinstance(data, str) else bytes(data)
        buf = ctypes.create_string_buffer(raw, len(raw))
        return self._call("nsbox_add_file", cstr(dst, "dst"), ctypes.cast(buf, ctypes.c_void_p),
                          len(raw), u32(mode, "mode"))

    def add_bind_data(self, dst: StrPath, data: Union[str, bytes], mode: int = 0o600,
                      flags: int = 0) -> "Sandbox":
        """Binds at dst a file holding a copy of data, with exactly mode
        (bwrap's --bind-data; MOUNT_RDONLY: --ro-bind-data), made on the new
        root's private staging tmpfs: needs set_root."""
        raw = data.encode() if isinstance(data, str) else bytes(data)
        buf = ctypes.create_string_buffer(raw, len(raw))
        return self._call("nsbox_add_bind_data", cstr(dst, "dst"),
                          ctypes.cast(buf, ctypes.c_void_p), len(raw), u32(mode, "mode"),
                          c_uint(flags, "flags"))

    def add_chmod(self, path: StrPath, mode: int) -> "Sandbox":
        """Sets the mode of path, which an earlier step or the root
        provides, to exactly mode (bwrap's --chmod); a missing path fails
        the spawn."""
        return self._call("nsbox_add_chmod", cstr(path, "path"), u32(mode, "mode"))

    def remount_ro(self, dst: StrPath) -> "Sandbox":
        """Makes the mount at dst, and every mount below it, read-only."""
        return self._call("nsbox_remount_ro", cstr(dst, "dst"))

    def unmask_kernel_files(self) -> "Sandbox":
        """Keeps the kernel's files as the kernel makes them: no read-only
        /proc/sys (sysrq-trigger, irq, bus, fs) and no masked /proc files
        in the recipe's procfs mounts, a sysfs bind as its flags ask."""
        return self._call("nsbox_unmask_kernel_files")

    # -- cgroup
    def set_cgroup_limit(self, key: str, value: Union[str, int, None]) -> "Sandbox":
        """A limit of the sandbox's own cgroup: key a cgroup v2 file name
        ("memory.max"), value as the kernel takes it, sizes with K/M/G/T;
        an int is written in decimal; None removes the key."""
        v = None if value is None else cstr(str(value), "value")
        return self._call("nsbox_set_cgroup_limit", cstr(key, "key"), v)

    def set_cgroup_parent(self, path: Optional[str]) -> "Sandbox":
        """The cgroup under which sandbox cgroups are made ("/a/b" from the
        root, "a/b" under the caller's own); None: the caller's own."""
        return self._call("nsbox_set_cgroup_parent", cstr(path, "path"))

    def set_cgroup_path(self, path: Optional[str]) -> "Sandbox":
        """Exactly this cgroup for the sandbox ("/a/b" from the root, "a/b"
        under the parent), made when missing; an existing one is used and
        left as it is (nothing else in it killed or removed); None: a new
        one per spawn."""
        return self._call("nsbox_set_cgroup_path", cstr(path, "path"))

    def add_device_rule(self, allow: bool, type: str = "a", major: int = -1, minor: int = -1,
                        access: str = "rwm") -> "Sandbox":
        """A rule of the devices controller (OCI's linux.resources.devices):
        type "a", "b" or "c", major and minor a number or -1 for any,
        access a subset of "rwm". With any rule every device starts denied;
        the last matching rule decides. Needs CAP_SYS_ADMIN at spawn."""
        t = cstr(type, "type")
        if t is None or len(t) != 1:
            raise ValueError("type: one character, a, b or c")
        return self._call("nsbox_add_device_rule", 1 if allow else 0, t,
                          i64(major, "major"), i64(minor, "minor"), cstr(access, "access"))

    def cgroup_kill(self, cgroup: str, sig: int = _signal.SIGKILL) -> "Sandbox":
        """Sends sig to every process of a sandbox's cgroup (the path
        Process.cgroup gave), from any process."""
        return self._call("nsbox_cgroup_kill", cstr(cgroup, "cgroup"), c_int(sig, "sig"))

    def cgroup_freeze(self, cgroup: str, frozen: bool = True) -> "Sandbox":
        """Freezes (or thaws) every process of a sandbox's cgroup."""
        return self._call("nsbox_cgroup_freeze", cstr(cgroup, "cgroup"), 1 if frozen else 0)

    def cgroup_pids(self, cgroup: str) -> List[int]:
        """The pids of every process of a sandbox's cgroup."""
        n = 0
        while True:
            arr = (ctypes.c_int * max(n, 1))()
            got = self._check(_fn("nsbox_cgroup_pids")(self._handle(), cstr(cgroup, "cgroup"),
                                                       arr, n))
            if got <= n:
                return list(arr[:got])
            n = got + 16

    def cgroup_destroy(self, cgroup: str) -> "Sandbox":
        """Kills every process of a sandbox's cgroup and removes it; a path
        that is gone already is fine."""
        return self._call("nsbox_cgroup_destroy", cstr(cgroup, "cgroup"))

    # -- the process
    def set_hostname(self, name: str) -> "Sandbox":
        """The sandbox's hostname (adds NS_UTS); 1 to 64 bytes."""
        return self._call("nsbox_set_hostname", cstr(name, "name"))

    def set_cwd(self, dir: StrPath) -> "Sandbox":
        """The command's working directory, an absolute path inside."""
        return self._call("nsbox_set_cwd", cstr(dir, "dir"))

    def set_exec_path(self, path: Optional[StrPath]) -> "Sandbox":
        """The program to run instead of argv[0] (None: argv[0])."""
        return self._call("nsbox_set_exec_path", cstr(path, "path"))

    def set_env(self, name: str, value: Optional[str]) -> "Sandbox":
        """Sets one variable of the command's environment; None unsets it."""
        self._call("nsbox_set_env", cstr(name, "name"), cstr(value, "value"))
        self._env_ops.append((name, value))
        return self

    def clear_env(self) -> "Sandbox":
        """Starts the command's environment empty (set_env() calls stay)."""
        self._call("nsbox_clear_env")
        self._env_clear = True
        return self

    def set_stdio(self, stdin: Any = -1, stdout: Any = -1, stderr: Any = -1) -> "Sandbox":
        """The command's stdin, stdout, stderr: each an fd or an object with
        fileno(), -1 to inherit the caller's. See nsbox_set_stdio(3) for how
        long the fds must stay open. spawn() and run() arguments override
        these for one process."""
        fds = (fd_of(stdin, "stdin"), fd_of(stdout, "stdout"), fd_of(stderr, "stderr"))
        self._call("nsbox_set_stdio", *fds)
        self._stdio = fds
        return self

    def pass_fd(self, fd: Any, target_fd: Optional[int] = None) -> "Sandbox":
        """Passes the caller's fd to the command as target_fd (3 to 1048575;
        default the same number), recorded by number like set_stdio (keep it
        open until spawn returns); a later call for the same target replaces
        it. Every other fd is closed in the sandbox."""
        fd = fd_of(fd, "fd")
        return self._call("nsbox_pass_fd", fd, fd if target_fd is None
                          else c_int(target_fd, "target_fd"))

    def set_exec_gate(self, fd: Any) -> "Sandbox":
        """The command waits before exec until one byte can be read from fd
        (an fd or an object with fileno(), -1: no gate); spawn returns once
        it waits. EOF at the gate ends it with 127, unrun."""
        return self._call("nsbox_set_exec_gate", fd_of(fd, "fd"))

    def set_console(self, flags: int = CONSOLE_PTY, rows: int = 0, cols: int = 0) -> "Sandbox":
        """The command's terminal: a pty opened inside the sandbox (its own
        devpts, e.g. add_dev("/dev")), its stdio and controlling terminal;
        flags CONSOLE_PTY [| CONSOLE_DEV_CONSOLE], 0 removes it. The master
        comes from Process.take_console()."""
        return self._call("nsbox_set_console", c_uint(flags, "flags"), u16(rows, "rows"),
                          u16(cols, "cols"))

    def set_rlimit(self, resource: int, soft: Optional[int],
                   hard: Optional[int] = None) -> "Sandbox":
        """A resource limit (resource.RLIMIT_*) of the command; None or -1
        (resource.RLIM_INFINITY) for no limit; hard defaults to soft."""
        def lim(v: Optional[int], what: str) -> int:
            return _lib.U64_MAX if v is None or v == -1 else u64(v, what)
        return self._call("nsbox_set_rlimit", c_int(resource, "resource"), lim(soft, "soft"),
                          lim(soft if hard is None else hard, "hard"))

    def _time(self, name: str, seconds: Optional[float], what: str) -> "Sandbox":
        if seconds is None:
            seconds = 0
        if not seconds >= 0:
            raise ValueError(f"{what} {seconds}: seconds, 0 or more")
        return self._call(name, u64(round(seconds * 1_000_000), what + " in us"))

    def set_cpu_time_limit(self, seconds: Optional[float]) -> "Sandbox":
        """Kills the sandbox past this much CPU time (seconds, decimals
        allowed; None or 0: no limit) of all its processes together: the
        usage of a cgroup of its own, which this gives it (a parent
        delegated to an unprivileged caller, as for cgroup limits).
        Enforced by the init with NS_PID, and by wait() while it waits;
        the verdict is in Process.report() (nsbox_limits(3))."""
        return self._time("nsbox_set_cpu_time_limit", seconds, "CPU-time limit")

    def set_wall_time_limit(self, seconds: Optional[float]) -> "Sandbox":
        """Kills the sandbox past this much wall time from its start
        (seconds; None or 0: no limit), enforced as set_cpu_time_limit."""
        return self._time("nsbox_set_wall_time_limit", seconds, "wall-time limit")

    def set_extra_time(self, seconds: Optional[float]) -> "Sandbox":
        """A grace past the CPU-time limit before the kill (isolate's
        --extra-time): an end within it still has the CPU_LIMIT verdict."""
        return self._time("nsbox_set_extra_time", seconds, "extra time")

    def add_cap(self, name: str) -> "Sandbox":
        """Keeps one capability ("cap_net_bind_service", or "ALL") in the
        command; by default it has none."""
        return self._call("nsbox_add_cap", cstr(name, "name"))

    def drop_cap(self, name: str) -> "Sandbox":
        """Removes one capability (or "ALL") from those kept."""
        return self._call("nsbox_drop_cap", cstr(name, "name"))

    def set_seccomp_filter(self, bpf: Optional[bytes]) -> "Sandbox":
        """A seccomp filter: the bytes of a struct sock_filter[] program
        (1 to 4096 instructions of 8 bytes), installed last before exec;
        None removes it."""
        if bpf is None:
            return self._call("nsbox_set_seccomp_filter", None, 0)
        raw = bytes(bpf)
        buf = ctypes.create_string_buffer(raw, len(raw) or 1)
        return self._call("nsbox_set_seccomp_filter", ctypes.cast(buf, ctypes.c_void_p),
                          len(raw))

    def set_flags(self, flags: int) -> "Sandbox":
        """Sets the DIE_WITH_PARENT, NEW_SESSION, AS_PID1, ALLOW_NEW_PRIVS,
        DISABLE_USERNS, ASSERT_USERNS_DISABLED, ENTER_FORK, CGROUP_ADVISORY
        flags, replacing earlier ones."""
        return self._call("nsbox_set_flags", c_uint(flags, "flags"))

    def add_mount(self, type: str, src: Optional[StrPath], dst: StrPath, flags: int = 0,
                  data: Optional[str] = None) -> "Sandbox":
        """mount(2) of type ("proc", "sysfs", "devpts", "mqueue", "tmpfs",
        "cgroup", "cgroup2", or "bind" of the caller's src) at dst, with
        MS_* flags taken literally and data the file system's options
        (OCI's mounts)."""
        return self._call("nsbox_add_mount", cstr(type, "type"), cstr(src, "src"),
                          cstr(dst, "dst"), c_ulong(flags, "flags"), cstr(data, "data"))

    def add_device(self, path: StrPath, type: str, major: int = 0, minor: int = 0,
                   mode: int = 0o666, uid: int = 0, gid: int = 0) -> "Sandbox":
        """A device node at path: type "c", "u", "b" or "p" (FIFO); mknod
        where the sandbox may, else a bind of the caller's node at path."""
        t = cstr(type, "type")
        if t is None or len(t) != 1:
            raise ValueError("type: one character, c, u, b or p")
        return self._call("nsbox_add_device", cstr(path, "path"), t, u32(major, "major"),
                          u32(minor, "minor"), u32(mode, "mode"), u32(uid, "uid"),
                          u32(gid, "gid"))

    def add_mask(self, path: StrPath) -> "Sandbox":
        """Masks path, if it exists (OCI's maskedPaths)."""
        return self._call("nsbox_add_mask", cstr(path, "path"))

    def add_readonly(self, path: StrPath) -> "Sandbox":
        """Binds path on itself read-only, if it exists (OCI's readonlyPaths)."""
        return self._call("nsbox_add_readonly", cstr(path, "path"))

    def set_root_propagation(self, flag: int) -> "Sandbox":
        """The propagation of "/": MS_PRIVATE, MS_SLAVE, MS_SHARED or
        MS_UNBINDABLE, with or without MS_REC."""
        return self._call("nsbox_set_root_propagation", c_ulong(flag, "flag"))

    def set_groups(self, gids: Sequence[int]) -> "Sandbox":
        """The command's supplementary groups (OCI's additionalGids)."""
        arr = (ctypes.c_uint32 * max(len(gids), 1))(*[u32(g, "gid") for g in gids])
        return self._call("nsbox_set_groups", ctypes.cast(arr, ctypes.c_void_p) if gids else None,
                          len(gids))

    def set_domainname(self, name: str) -> "Sandbox":
        """The sandbox's NIS domain name (adds the UTS namespace)."""
        return self._call("nsbox_set_domainname", cstr(name, "name"))

    def set_sysctl(self, key: str, value: str) -> "Sandbox":
        """A kernel setting the sandbox's own namespace keeps
        ("net.ipv4.ip_forward"); others are refused."""
        return self._call("nsbox_set_sysctl", cstr(key, "key"), cstr(value, "value"))

    def set_umask(self, mask: int) -> "Sandbox":
        """The command's umask, set right before exec."""
        return self._call("nsbox_set_umask", u32(mask, "mask"))

    def set_oom_score_adj(self, adj: int) -> "Sandbox":
        """The command's oom_score_adj, -1000..1000."""
        return self._call("nsbox_set_oom_score_adj", c_int(adj, "adj"))

    def set_caps(self, set: int, mask: int) -> "Sandbox":
        """One capability set (CAPS_BOUNDING ... CAPS_AMBIENT) as exactly
        mask (bit n: capability n)."""
        return self._call("nsbox_set_caps", c_int(set, "set"), u64(mask, "mask"))

    def add_lock_file(self, path: StrPath) -> "Sandbox":
        """Holds a read lock on path, a file inside the sandbox, from before
        exec while the sandbox runs (bwrap's --lock-file)."""
        return self._call("nsbox_add_lock_file", cstr(path, "path"))

    # -- running
    def spawn(self, argv: Sequence[StrPath], *, stdin: FileSpec = None,
              stdout: FileSpec = None, stderr: FileSpec = None) -> "Process":
        """Starts argv (argv[0] without '/' is looked up in the sandbox's
        PATH) and returns its Process once exec succeeded; a failed step
        raises OSError naming it. stdin, stdout, stderr: None (the recipe's
        set_stdio), PIPE (then Process.stdin/stdout/stderr are its files),
        DEVNULL, STDOUT (stderr only), an fd or a file object."""
        arr, _keep = _lib.argv_array(argv)
        child, close, ours = open_stdio(stdin, stdout, stderr)
        override = child != [-1, -1, -1]
        out = ctypes.c_void_p()
        try:
            if override:
                merged = [c if c >= 0 else s for c, s in zip(child, self._stdio)]
                if child[2] == SAME_AS_STDOUT:
                    merged[2] = merged[1] if merged[1] >= 0 else 1
                self._call("nsbox_set_stdio", *merged)
            try:
                self._check(_fn("nsbox_spawn")(self._handle(), arr, ctypes.byref(out)))
            finally:
                # the pipes were for this process only: the recipe's own again
                r = _fn("nsbox_set_stdio")(self._handle(), *self._stdio) if override else 0
                if r < 0:
                    _fn("nsbox_proc_free")(out.value)
                    out.value = None
                    self._check(r)
        except BaseException:
            for fd in ours.values():
                os.close(fd)
            raise
        finally:
            for fd in close:
                os.close(fd)
        proc = Process(out.value)
        proc.args = list(argv)
        for name, fd in ours.items():
            setattr(proc, name, os.fdopen(fd, "wb" if name == "stdin" else "rb", buffering=0))
        return proc

    def enter(self) -> None:
        """Applies the recipe to this process itself, for good (nsbox_enter,
        as unshare(1) or minijail_enter): namespaces, maps, cgroup, mounts
        and root, hostname, cwd, rlimits, ids, capabilities (none kept by
        default), no_new_privs, stdio, environment (os.environ follows) and
        the seccomp filter. Every fd but
        stdio and those given to pass_fd() is closed: pass_fd(fd, fd) keeps
        one where it is; a Python file object whose fd was closed raises
        EBADF on use. The process must have one thread; a PID or time
        namespace needs ENTER_FORK (then enter() returns in a forked child,
        PID 1 of a new PID namespace, and the parent waits for it and exits
        with its status). A failure before the point of no return raises
        OSError and leaves the process as it was; one after it says
        "partly sandboxed" in the message: exit then."""
        self._check(_fn("nsbox_enter")(self._handle()))
        # The C environment changed under os.environ's copy: the same ops.
        if self._env_clear:
            os.environ.clear()
        for name, value in self._env_ops:
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def run(self, argv: Sequence[StrPath], *, input: Union[bytes, str, None] = None,
            capture_output: bool = False, timeout: Optional[float] = None,
            check: bool = False, stdin: FileSpec = None, stdout: FileSpec = None,
            stderr: FileSpec = None, text: bool = False, encoding: Optional[str] = None,
            errors: Optional[str] = None) -> CompletedProcess:
        """Spawns argv, feeds it input, reads what it writes, waits, and
        returns a CompletedProcess, as subprocess.run(): returncode is the
        exit code or the negative signal number, status the shell form.
        capture_output=True: stdout and stderr are PIPEs. timeout (seconds):
        the sandbox is killed and TimeoutExpired raised, carrying the output
        read so far. check=True: CalledProcessError unless returncode is 0."""
        if input is not None:
            if stdin is not None:
                raise ValueError("stdin and input arguments may not both be used")
            stdin = PIPE
        if capture_output:
            if stdout is not None or stderr is not None:
                raise ValueError("stdout and stderr arguments may not be used "
                                 "with capture_output")
            stdout = stderr = PIPE
        data = encode(input, text, encoding, errors)
        with self.spawn(argv, stdin=stdin, stdout=stdout, stderr=stderr) as proc:
            out, err = proc.communicate(data, timeout, kill_on_timeout=True)
            status = proc.wait()
            res = CompletedProcess(proc.args, proc.returncode or 0,
                                   decode(out, text, encoding, errors),
                                   decode(err, text, encoding, errors), status,
                                   proc.oom_killed, proc.memory_peak, proc.cpu_usec,
                                   proc.report())
        if check:
            res.check_returncode()
        return res


class Process(_Handle):
    """One process running in a sandbox (nsbox_proc *). close() frees the
    handle; a sandbox still running is killed (SIGKILL) and reaped first.
    stdin, stdout, stderr: its pipes when spawn() was given PIPE."""

    _FREE = "nsbox_proc_free"

    def __init__(self, ptr: Optional[int]) -> None:
        super().__init__(ptr)
        self.args: List[Any] = []
        self.stdin: Any = None
        self.stdout: Any = None
        self.stderr: Any = None
        self._status: Optional[int] = None

    def close(self) -> None:
        """Closes its pipes and frees the handle; a sandbox still running is
        killed and reaped first."""
        for f in (self.stdin, self.stdout, self.stderr):
            if f is not None:
                f.close()
        super().close()

    def wait(self, timeout: Optional[float] = None) -> int:
        """Waits up to timeout seconds (None: forever, 0: poll) and returns
        the status in shell form (the exit code, or 128 + the signal), the
        same again on later calls. Raises TimeoutExpired (a TimeoutError)
        if it still runs."""
        ms = -1 if timeout is None else c_int(max(0, int(timeout * 1000)), "timeout in ms")
        r = _fn("nsbox_wait")(self._handle(), ms)
        if r == -_errno.ETIMEDOUT:
            raise TimeoutExpired(self.args, timeout or 0.0)
        if r < 0:
            raise OSError(-r, self.errmsg or "wait: " + os.strerror(-r))
        self._status = int(r)
        return self._status

    def poll(self) -> Optional[int]:
        """returncode if it ended, else None."""
        try:
            self.wait(0)
        except TimeoutExpired:
            return None
        return self.returncode

    def communicate(self, input: Optional[bytes] = None, timeout: Optional[float] = None,
                    *, kill_on_timeout: bool = False) -> Tuple[Any, Any]:
        """Writes input to its stdin PIPE, reads its stdout and stderr PIPEs
        to EOF, then waits: (stdout, stderr), None for what was not a PIPE.
        On timeout raises TimeoutExpired with what was read (and with
        kill_on_timeout, kills and reaps the sandbox first)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        files = {n: f for n, f in (("stdin", self.stdin), ("stdout", self.stdout),
                                   ("stderr", self.stderr)) if f is not None}
        got: Dict[str, List[bytes]] = {"stdout": [], "stderr": []}
        done = pump(files, input, deadline, got)
        out = b"".join(got["stdout"]) if self.stdout is not None else None
        err = b"".join(got["stderr"]) if self.stderr is not None else None
        if done:
            try:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                self.wait(left)
                return out, err
            except TimeoutExpired:
                pass
        if kill_on_timeout:
            self.kill()
            self.wait()
        raise TimeoutExpired(self.args, timeout or 0.0, output=out, stderr=err)

    def detach(self) -> None:
        """Frees the handle without killing or waiting: the sandbox lives on
        (its cgroup too, see Sandbox.cgroup_destroy); reap its pid yourself
        while this process lives."""
        for f in (self.stdin, self.stdout, self.stderr):
            if f is not None:
                f.close()
        if self._ptr:
            _fn("nsbox_proc_detach")(self._ptr)
            self._ptr = None

    def kill(self, sig: int = _signal.SIGKILL) -> None:
        """Sends sig to the sandbox: every process of the cgroup its spawn
        made, else its PID 1, else the process. ESRCH once it was reaped."""
        r = _fn("nsbox_kill")(self._handle(), c_int(sig, "sig"))
        if r < 0:
            raise OSError(-r, self.errmsg or "kill: " + os.strerror(-r))

    def terminate(self) -> None:
        """kill(SIGTERM)."""
        self.kill(_signal.SIGTERM)

    def _get(self, name: str) -> Any:
        return _fn(name)(self._handle())

    @property
    def errmsg(self) -> str:
        """The last failure of wait() or kill() on this process as one line,
        "" if the last of them succeeded (nsbox_proc_errmsg)."""
        msg: bytes = _fn("nsbox_proc_errmsg")(self._handle())
        return msg.decode(errors="replace")

    @property
    def returncode(self) -> Optional[int]:
        """None until wait() returned; then the exit code, or the negative
        number of the signal that killed the command (as subprocess)."""
        if self._status is None:
            return None
        sig = int(self.signal)
        return -sig if sig else int(self.exit_code)

    @property
    def status(self) -> Optional[int]:
        """The shell-form status wait() returned, None before."""
        return self._status

    pid = property(lambda self: self._get("nsbox_proc_pid"),
                   doc="The pid of its first process, in our PID namespace.")
    pidfd = property(lambda self: self._get("nsbox_proc_pidfd"),
                     doc="A pollable pidfd owned by the handle, -1 if none.")
    exit_code = property(lambda self: self._get("nsbox_proc_exit_code"),
                         doc="After wait: the exit code, -1 unless it exited.")
    signal = property(lambda self: self._get("nsbox_proc_signal"),
                      doc="After wait: the killing signal, 0 if none.")
    oom_killed = property(lambda self: bool(self._get("nsbox_proc_oom_killed")),
                          doc="After wait: the cgroup OOM killer fired.")
    memory_peak = property(lambda self: self._get("nsbox_proc_memory_peak"),
                           doc="After wait: peak memory in bytes, 0 if unknown.")
    cpu_usec = property(lambda self: self._get("nsbox_proc_cpu_usec"),
                        doc="After wait: user+system CPU of the whole sandbox.")

    def take_console(self) -> int:
        """The master of the sandbox's console (set_console), an fd the
        caller owns from then on; OSError(ENOENT) without one or once
        taken."""
        fd = int(self._get("nsbox_proc_take_console"))
        if fd < 0:
            raise OSError(-fd, "take console: " + os.strerror(-fd))
        return fd

    def report(self) -> Report:
        """What ended the sandbox and its times (nsbox_proc_report): a
        Report; end is End.RUNNING, and the times those so far, until
        wait() returned its status."""
        r = NsboxReport(size=ctypes.sizeof(NsboxReport))
        rc = _fn("nsbox_proc_report")(self._handle(), ctypes.byref(r))
        if rc < 0:
            raise OSError(-rc, "report: " + os.strerror(-rc))
        return Report.from_c(r)

    @property
    def cgroup(self) -> Optional[str]:
        """Its cgroup path as /proc/self/cgroup writes it, None if none."""
        c = self._get("nsbox_proc_cgroup")
        return None if c is None else c.decode(errors="replace")
