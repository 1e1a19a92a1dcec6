"""nsbox: run a command in Linux namespaces under cgroup limits (ctypes
binding of libnsbox.so.0).

    import nsbox
    with nsbox.Sandbox().add_namespace(nsbox.NS_PID | nsbox.NS_NET) \\
                        .set_hostname("box") as box:
        status = box.run(["sh", "-c", "echo $$ $(hostname)"])   # "2 box"

A Sandbox is a recipe; its methods mirror the builder calls of nsbox.h
(nsbox_add_namespace -> add_namespace ...) and return the Sandbox, so they
chain. spawn() starts a Process; run() spawns and waits. A failing call
raises OSError(errno, message) with the library's nsbox_errmsg() text.

The library is found through $NSBOX_LIB, else ctypes.util.find_library, else
"libnsbox.so.0". Symbols are looked up when first called: with a library that
lacks a call, only that call fails (NotImplementedError).
"""

import ctypes
import ctypes.util
import os
import signal as _signal

__all__ = ["Sandbox", "Process", "version", "library"]

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

DIE_WITH_PARENT = 1 << 0
NEW_SESSION = 1 << 1
AS_PID1 = 1 << 2
ALLOW_NEW_PRIVS = 1 << 3

_c_int, _c_uint, _u32, _u64 = ctypes.c_int, ctypes.c_uint, ctypes.c_uint32, ctypes.c_uint64
_ptr, _str, _size = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t

# name -> (restype, argtypes): every public call of nsbox.h.
_PROTOS = {
    "nsbox_new": (_ptr, []),
    "nsbox_free": (None, [_ptr]),
    "nsbox_errmsg": (_str, [_ptr]),
    "nsbox_version": (_str, []),
    "nsbox_add_namespace": (_c_int, [_ptr, _c_uint]),
    "nsbox_join_namespace": (_c_int, [_ptr, _c_uint, _c_int]),
    "nsbox_add_uid_map": (_c_int, [_ptr, _u32, _u32, _u32]),
    "nsbox_add_gid_map": (_c_int, [_ptr, _u32, _u32, _u32]),
    "nsbox_set_user": (_c_int, [_ptr, _u32, _u32]),
    "nsbox_set_root": (_c_int, [_ptr, _str]),
    "nsbox_add_bind_mount": (_c_int, [_ptr, _str, _str, _c_uint]),
    "nsbox_add_tmpfs": (_c_int, [_ptr, _str, _u64, _u32]),
    "nsbox_add_proc": (_c_int, [_ptr, _str]),
    "nsbox_add_dev": (_c_int, [_ptr, _str]),
    "nsbox_add_dir": (_c_int, [_ptr, _str, _u32]),
    "nsbox_add_symlink": (_c_int, [_ptr, _str, _str]),
    "nsbox_add_file": (_c_int, [_ptr, _str, _ptr, _size, _u32]),
    "nsbox_add_chmod": (_c_int, [_ptr, _str, _u32]),
    "nsbox_remount_ro": (_c_int, [_ptr, _str]),
    "nsbox_set_cgroup_limit": (_c_int, [_ptr, _str, _str]),
    "nsbox_set_cgroup_parent": (_c_int, [_ptr, _str]),
    "nsbox_set_hostname": (_c_int, [_ptr, _str]),
    "nsbox_set_cwd": (_c_int, [_ptr, _str]),
    "nsbox_set_exec_path": (_c_int, [_ptr, _str]),
    "nsbox_set_env": (_c_int, [_ptr, _str, _str]),
    "nsbox_clear_env": (_c_int, [_ptr]),
    "nsbox_set_stdio": (_c_int, [_ptr, _c_int, _c_int, _c_int]),
    "nsbox_pass_fd": (_c_int, [_ptr, _c_int, _c_int]),
    "nsbox_set_rlimit": (_c_int, [_ptr, _c_int, _u64, _u64]),
    "nsbox_add_cap": (_c_int, [_ptr, _str]),
    "nsbox_drop_cap": (_c_int, [_ptr, _str]),
    "nsbox_set_seccomp_filter": (_c_int, [_ptr, _ptr, _size]),
    "nsbox_set_flags": (_c_int, [_ptr, _c_uint]),
    "nsbox_spawn": (_c_int, [_ptr, _ptr, ctypes.POINTER(_ptr)]),
    "nsbox_wait": (_c_int, [_ptr, _c_int]),
    "nsbox_kill": (_c_int, [_ptr, _c_int]),
    "nsbox_run": (_c_int, [_ptr, _ptr]),
    "nsbox_proc_free": (None, [_ptr]),
    "nsbox_proc_pid": (_c_int, [_ptr]),
    "nsbox_proc_pidfd": (_c_int, [_ptr]),
    "nsbox_proc_exit_code": (_c_int, [_ptr]),
    "nsbox_proc_signal": (_c_int, [_ptr]),
    "nsbox_proc_oom_killed": (_c_int, [_ptr]),
    "nsbox_proc_memory_peak": (_u64, [_ptr]),
    "nsbox_proc_cpu_usec": (_u64, [_ptr]),
    "nsbox_proc_cgroup": (_str, [_ptr]),
}

_lib = None
_fns = {}


def library():
    """The loaded libnsbox (a ctypes.CDLL), loaded at first use."""
    global _lib
    if _lib is None:
        path = (os.environ.get("NSBOX_LIB") or ctypes.util.find_library("nsbox")
                or "libnsbox.so.0")
        _lib = ctypes.CDLL(path, use_errno=True)
    return _lib


def _fn(name):
    """The library function `name`, typed from _PROTOS, looked up once."""
    f = _fns.get(name)
    if f is None:
        try:
            f = getattr(library(), name)
        except AttributeError:
            raise NotImplementedError(f"this libnsbox has no {name}") from None
        f.restype, f.argtypes = _PROTOS[name]
        _fns[name] = f
    return f


def version():
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _fn("nsbox_version")().decode()


def _bytes(s):
    return None if s is None else os.fsencode(s)


def _argv(argv):
    """A NULL-terminated char *[] of argv, and the buffers it points into."""
    if isinstance(argv, (str, bytes)):
        raise TypeError("argv must be a sequence of arguments, not a string")
    items = [_bytes(a) for a in argv]
    arr = (ctypes.c_char_p * (len(items) + 1))(*items, None)
    return arr, items


def _ns_mask(ns):
    if isinstance(ns, str):
        ns = [ns]
    if isinstance(ns, int):
        return ns
    mask = 0
    for name in ns:
        if name not in _NS_NAMES:
            raise ValueError(f"unknown namespace kind {name!r}")
        mask |= _NS_NAMES[name]
    return mask


class _Handle:
    """A library handle freed by close(), at the end of a with block, or when
    garbage-collected. _FREE names the library call that frees it."""

    _FREE = None

    def __init__(self, ptr):
        self._ptr = ptr

    def _handle(self):
        if not self._ptr:
            raise ValueError(f"the {type(self).__name__} was closed")
        return self._ptr

    def close(self):
        if self._ptr:
            _fn(self._FREE)(self._ptr)
            self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class Sandbox(_Handle):
    """A recipe (nsbox *). Builder methods return self, so they chain.
    close() frees it; processes spawned from it live on."""

    _FREE = "nsbox_free"

    def __init__(self):
        super().__init__(_fn("nsbox_new")())
        if not self._ptr:
            raise MemoryError("nsbox_new")

    def _check(self, r):
        if r < 0:
            msg = _fn("nsbox_errmsg")(self._ptr).decode(errors="replace")
            raise OSError(-r, msg or os.strerror(-r))
        return r

    def _call(self, name, *args):
        self._check(_fn(name)(self._handle(), *args))
        return self

    @property
    def errmsg(self):
        """The last error on this handle, "" if none."""
        return _fn("nsbox_errmsg")(self._handle()).decode(errors="replace")

    # -- namespaces
    def add_namespace(self, ns):
        """ns: an NS_* mask, a kind name ("pid") or a list of names."""
        return self._call("nsbox_add_namespace", _ns_mask(ns))

    def join_namespace(self, ns, fd):
        """fd: an open /proc/PID/ns/<kind> file or a pidfd (the fd is copied)."""
        return self._call("nsbox_join_namespace", _ns_mask(ns), fd)

    # -- identity
    def add_uid_map(self, inside, outside, count=1):
        return self._call("nsbox_add_uid_map", inside, outside, count)

    def add_gid_map(self, inside, outside, count=1):
        return self._call("nsbox_add_gid_map", inside, outside, count)

    def set_user(self, uid, gid):
        return self._call("nsbox_set_user", uid, gid)

    # -- filesystem
    def set_root(self, dir=None):
        """dir becomes "/"; None: an empty tmpfs root that the mounts fill."""
        return self._call("nsbox_set_root", _bytes(dir))

    def add_bind_mount(self, src, dst, flags=0):
        return self._call("nsbox_add_bind_mount", _bytes(src), _bytes(dst), flags)

    def add_tmpfs(self, dst, size_bytes=0, mode=0o755):
        return self._call("nsbox_add_tmpfs", _bytes(dst), size_bytes, mode)

    def add_proc(self, dst="/proc"):
        return self._call("nsbox_add_proc", _bytes(dst))

    def add_dev(self, dst="/dev"):
        return self._call("nsbox_add_dev", _bytes(dst))

    def add_dir(self, dst, mode=0o755):
        return self._call("nsbox_add_dir", _bytes(dst), mode)

    def add_symlink(self, target, linkpath):
        return self._call("nsbox_add_symlink", _bytes(target), _bytes(linkpath))

    def add_file(self, dst, data, mode=0o644):
        data = data.encode() if isinstance(data, str) else bytes(data)
        buf = ctypes.create_string_buffer(data, len(data))
        return self._call("nsbox_add_file", _bytes(dst), ctypes.cast(buf, _ptr), len(data),
                          mode)

    def add_chmod(self, path, mode):
        """Sets the mode of path, which an earlier step or the root provides,
        to exactly mode (bwrap's --chmod); a missing path fails the spawn."""
        return self._call("nsbox_add_chmod", _bytes(path), mode)

    def remount_ro(self, dst):
        return self._call("nsbox_remount_ro", _bytes(dst))

    # -- cgroup
    def set_cgroup_limit(self, key, value):
        """key: a cgroup v2 file name ("memory.max"); value as the kernel
        takes it, sizes with K/M/G/T, ints are written in decimal."""
        return self._call("nsbox_set_cgroup_limit", _bytes(key), _bytes(str(value)))

    def set_cgroup_parent(self, path):
        return self._call("nsbox_set_cgroup_parent", _bytes(path))

    # -- the process
    def set_hostname(self, name):
        return self._call("nsbox_set_hostname", _bytes(name))

    def set_cwd(self, dir):
        return self._call("nsbox_set_cwd", _bytes(dir))

    def set_exec_path(self, path):
        """The program to run instead of argv[0] (None: argv[0])."""
        return self._call("nsbox_set_exec_path", _bytes(path))

    def set_env(self, name, value):
        """value None unsets the variable."""
        return self._call("nsbox_set_env", _bytes(name), _bytes(value))

    def clear_env(self):
        return self._call("nsbox_clear_env")

    def set_stdio(self, stdin=-1, stdout=-1, stderr=-1):
        """Each an fd (or an object with fileno()), -1 to inherit."""
        fds = [f if isinstance(f, int) else f.fileno() for f in (stdin, stdout, stderr)]
        return self._call("nsbox_set_stdio", *fds)

    def pass_fd(self, fd, target_fd=None):
        fd = fd if isinstance(fd, int) else fd.fileno()
        return self._call("nsbox_pass_fd", fd, fd if target_fd is None else target_fd)

    def set_rlimit(self, resource, soft, hard=None):
        """resource: resource.RLIMIT_*; RLIM_INFINITY as -1 or resource.RLIM_INFINITY."""
        def lim(v):
            return (1 << 64) - 1 if v is None or v < 0 else v
        return self._call("nsbox_set_rlimit", resource, lim(soft),
                          lim(soft if hard is None else hard))

    def add_cap(self, name):
        return self._call("nsbox_add_cap", _bytes(name))

    def drop_cap(self, name):
        return self._call("nsbox_drop_cap", _bytes(name))

    def set_seccomp_filter(self, bpf):
        """bpf: the bytes of a struct sock_filter[] program."""
        bpf = bytes(bpf)
        buf = ctypes.create_string_buffer(bpf, len(bpf))
        return self._call("nsbox_set_seccomp_filter", ctypes.cast(buf, _ptr), len(bpf))

    def set_flags(self, flags):
        return self._call("nsbox_set_flags", flags)

    # -- running
    def spawn(self, argv):
        """Starts argv; returns its Process once exec succeeded."""
        arr, _keep = _argv(argv)
        out = _ptr()
        self._check(_fn("nsbox_spawn")(self._handle(), arr, ctypes.byref(out)))
        return Process(out.value)

    def run(self, argv):
        """Spawns argv and waits: its status in shell form (code or 128+signal)."""
        arr, _keep = _argv(argv)
        return self._check(_fn("nsbox_run")(self._handle(), arr))


class Process(_Handle):
    """One process running in a sandbox (nsbox_proc *). close() frees the
    handle; a sandbox still running is killed and reaped first."""

    _FREE = "nsbox_proc_free"

    def wait(self, timeout=None):
        """Waits up to timeout seconds (None: forever, 0: poll); returns the
        status in shell form. Raises TimeoutError if it still runs."""
        ms = -1 if timeout is None else max(0, int(timeout * 1000))
        r = _fn("nsbox_wait")(self._handle(), ms)
        if r < 0:
            raise OSError(-r, "wait: " + os.strerror(-r))
        return r

    def kill(self, sig=_signal.SIGKILL):
        """Sends sig to the sandbox (every process of it where it can)."""
        r = _fn("nsbox_kill")(self._handle(), int(sig))
        if r < 0:
            raise OSError(-r, "kill: " + os.strerror(-r))

    def _get(self, name):
        return _fn(name)(self._handle())

    pid = property(lambda self: self._get("nsbox_proc_pid"), doc="pid, in our PID namespace")
    pidfd = property(lambda self: self._get("nsbox_proc_pidfd"),
                     doc="pollable pidfd owned by the handle, -1 if none")
    exit_code = property(lambda self: self._get("nsbox_proc_exit_code"),
                         doc="after wait: the exit code, -1 unless it exited")
    signal = property(lambda self: self._get("nsbox_proc_signal"),
                      doc="after wait: the killing signal, 0 if none")
    oom_killed = property(lambda self: bool(self._get("nsbox_proc_oom_killed")),
                          doc="after wait: the cgroup OOM killer fired")
    memory_peak = property(lambda self: self._get("nsbox_proc_memory_peak"),
                           doc="after wait: peak memory in bytes, 0 if unknown")
    cpu_usec = property(lambda self: self._get("nsbox_proc_cpu_usec"),
                        doc="after wait: user+system CPU of the whole sandbox")

    @property
    def cgroup(self):
        """Its cgroup path, None if it has none."""
        c = self._get("nsbox_proc_cgroup")
        return None if c is None else c.decode(errors="replace")


