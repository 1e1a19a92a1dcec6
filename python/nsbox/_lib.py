# SPDX-License-Identifier: LGPL-2.1-or-later
"""Loading libnsbox.so.0, the prototypes of its calls, and the checked
conversions of Python values to the C types of nsbox.h."""

from __future__ import annotations

import ctypes
import operator
import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union, cast

from ._report import NsboxReport

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_c_int, _c_uint, _u32, _u64 = ctypes.c_int, ctypes.c_uint, ctypes.c_uint32, ctypes.c_uint64
_ptr, _str, _size = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t

# name -> (restype, argtypes): every public call of nsbox.h. A call added to
# the header is added here too (tests/test_python.py checks both ways and
# the C types of each parameter).
PROTOS: Dict[str, Tuple[Any, List[Any]]] = {
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
    "nsbox_add_bind_data": (_c_int, [_ptr, _str, _ptr, _size, _u32, _c_uint]),
    "nsbox_add_chmod": (_c_int, [_ptr, _str, _u32]),
    "nsbox_remount_ro": (_c_int, [_ptr, _str]),
    "nsbox_unmask_kernel_files": (_c_int, [_ptr]),
    "nsbox_set_cgroup_limit": (_c_int, [_ptr, _str, _str]),
    "nsbox_set_cgroup_parent": (_c_int, [_ptr, _str]),
    "nsbox_set_cgroup_path": (_c_int, [_ptr, _str]),
    "nsbox_add_device_rule": (_c_int, [_ptr, _c_int, ctypes.c_char, ctypes.c_int64,
                                       ctypes.c_int64, _str]),
    "nsbox_cgroup_kill": (_c_int, [_ptr, _str, _c_int]),
    "nsbox_cgroup_freeze": (_c_int, [_ptr, _str, _c_int]),
    "nsbox_cgroup_pids": (_c_int, [_ptr, _str, ctypes.POINTER(_c_int), _size]),
    "nsbox_cgroup_destroy": (_c_int, [_ptr, _str]),
    "nsbox_set_hostname": (_c_int, [_ptr, _str]),
    "nsbox_set_cwd": (_c_int, [_ptr, _str]),
    "nsbox_set_exec_path": (_c_int, [_ptr, _str]),
    "nsbox_add_lock_file": (_c_int, [_ptr, _str]),
    "nsbox_set_env": (_c_int, [_ptr, _str, _str]),
    "nsbox_clear_env": (_c_int, [_ptr]),
    "nsbox_set_stdio": (_c_int, [_ptr, _c_int, _c_int, _c_int]),
    "nsbox_pass_fd": (_c_int, [_ptr, _c_int, _c_int]),
    "nsbox_set_exec_gate": (_c_int, [_ptr, _c_int]),
    "nsbox_set_rlimit": (_c_int, [_ptr, _c_int, _u64, _u64]),
    "nsbox_add_cap": (_c_int, [_ptr, _str]),
    "nsbox_drop_cap": (_c_int, [_ptr, _str]),
    "nsbox_set_seccomp_filter": (_c_int, [_ptr, _ptr, _size]),
    "nsbox_set_caps": (_c_int, [_ptr, _c_int, _u64]),
    "nsbox_add_mount": (_c_int, [_ptr, _str, _str, _str, ctypes.c_ulong, _str]),
    "nsbox_add_device": (_c_int, [_ptr, _str, ctypes.c_char, _u32, _u32, _u32, _u32, _u32]),
    "nsbox_add_mask": (_c_int, [_ptr, _str]),
    "nsbox_add_readonly": (_c_int, [_ptr, _str]),
    "nsbox_set_root_propagation": (_c_int, [_ptr, ctypes.c_ulong]),
    "nsbox_set_groups": (_c_int, [_ptr, _ptr, _size]),
    "nsbox_set_domainname": (_c_int, [_ptr, _str]),
    "nsbox_set_sysctl": (_c_int, [_ptr, _str, _str]),
    "nsbox_set_umask": (_c_int, [_ptr, _u32]),
    "nsbox_set_oom_score_adj": (_c_int, [_ptr, _c_int]),
    "nsbox_set_flags": (_c_int, [_ptr, _c_uint]),
    "nsbox_spawn": (_c_int, [_ptr, _ptr, ctypes.POINTER(_ptr)]),
    "nsbox_wait": (_c_int, [_ptr, _c_int]),
    "nsbox_kill": (_c_int, [_ptr, _c_int]),
    "nsbox_run": (_c_int, [_ptr, _ptr]),
    "nsbox_enter": (_c_int, [_ptr]),
    "nsbox_proc_free": (None, [_ptr]),
    "nsbox_proc_detach": (None, [_ptr]),
    "nsbox_proc_pid": (_c_int, [_ptr]),
    "nsbox_proc_pidfd": (_c_int, [_ptr]),
    "nsbox_proc_exit_code": (_c_int, [_ptr]),
    "nsbox_proc_signal": (_c_int, [_ptr]),
    "nsbox_proc_oom_killed": (_c_int, [_ptr]),
    "nsbox_proc_memory_peak": (_u64, [_ptr]),
    "nsbox_proc_cpu_usec": (_u64, [_ptr]),
    "nsbox_proc_cgroup": (_str, [_ptr]),
    "nsbox_proc_errmsg": (_str, [_ptr]),
    "nsbox_set_cpu_time_limit": (_c_int, [_ptr, _u64]),
    "nsbox_set_wall_time_limit": (_c_int, [_ptr, _u64]),
    "nsbox_set_extra_time": (_c_int, [_ptr, _u64]),
    "nsbox_proc_report": (_c_int, [_ptr, ctypes.POINTER(NsboxReport)]),
    "nsbox_set_console": (_c_int, [_ptr, _c_uint, ctypes.c_uint16, ctypes.c_uint16]),
    "nsbox_proc_take_console": (_c_int, [_ptr]),
}

_lib: Optional[ctypes.CDLL] = None
_fns: Dict[str, Callable[..., Any]] = {}


def library_path() -> str:
    """What library() loads: $NSBOX_LIB, else the path meson install
    recorded next to this package (when that file exists), else the soname
    "libnsbox.so.0" that the dynamic loader finds (ldconfig's cache)."""
    env = os.environ.get("NSBOX_LIB")
    if env:
        return env
    try:
        from . import _libpath  # type: ignore[attr-defined]  # meson install writes it
        path = str(_libpath.LIBRARY)
        if os.path.exists(path):
            return path
    except ImportError:
        pass
    return "libnsbox.so.0"


def library() -> ctypes.CDLL:
    """The loaded libnsbox (a ctypes.CDLL), loaded at first use."""
    global _lib
    if _lib is None:
        _lib = ctypes.CDLL(library_path(), use_errno=True)
    return _lib


def fn(name: str) -> Callable[..., Any]:
    """The library function `name`, typed from PROTOS, looked up once. With
    a library that lacks it, only this call fails (NotImplementedError)."""
    f: Any = _fns.get(name)
    if f is None:
        try:
            f = getattr(library(), name)
        except AttributeError:
            raise NotImplementedError(f"this libnsbox has no {name}") from None
        f.restype, f.argtypes = PROTOS[name]
        _fns[name] = f
    return cast(Callable[..., Any], f)


# -- checked conversions: every integer against its C type, every string
#    without NUL (as the os module does: OverflowError, ValueError).

INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1
UINT_MAX = U32_MAX = (1 << 32) - 1
U64_MAX = SIZE_MAX = (1 << 64) - 1


def integer(value: Any, what: str, lo: int, hi: int) -> int:
    """value as an int within lo..hi: TypeError for a non-integer,
    OverflowError naming what for one out of range."""
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, not {type(value).__name__}") from None
    if v < lo:
        raise OverflowError(f"{what} {v} is less than minimum ({lo})")
    if v > hi:
        raise OverflowError(f"{what} {v} is greater than maximum ({hi})")
    return v


def c_int(value: Any, what: str) -> int:
    return integer(value, what, INT_MIN, INT_MAX)


def c_uint(value: Any, what: str) -> int:
    return integer(value, what, 0, UINT_MAX)


def u32(value: Any, what: str) -> int:
    return integer(value, what, 0, U32_MAX)


def u16(value: Any, what: str) -> int:
    return integer(value, what, 0, 0xFFFF)


def i64(value: Any, what: str) -> int:
    return integer(value, what, -(1 << 63), (1 << 63) - 1)


def u64(value: Any, what: str) -> int:
    return integer(value, what, 0, U64_MAX)


def c_ulong(value: Any, what: str) -> int:
    return integer(value, what, 0, (1 << (8 * ctypes.sizeof(ctypes.c_ulong))) - 1)


def cstr(value: Optional[StrPath], what: str) -> Optional[bytes]:
    """A str, bytes or path as the bytes C gets (None stays NULL);
    ValueError for an embedded NUL, which C would cut the string at."""
    if value is None:
        return None
    b = os.fsencode(value)
    if b"\0" in b:
        raise ValueError(f"{what}: embedded null byte")
    return b


def fd_of(f: Any, what: str) -> int:
    """An fd from an int or an object with fileno(), range-checked."""
    if not isinstance(f, int) and hasattr(f, "fileno"):
        f = f.fileno()
    return c_int(f, what)


def argv_array(argv: Sequence[StrPath]) -> Tuple[Any, List[Optional[bytes]]]:
    """A NULL-terminated char *[] of argv, and the buffers it points into."""
    if isinstance(argv, (str, bytes, os.PathLike)):
        raise TypeError("argv must be a sequence of arguments, not a string")
    items = []
    for i, a in enumerate(argv):
        if a is None:
            raise TypeError(f"argv[{i}] is None")
        items.append(cstr(a, f"argv[{i}]"))
    arr = (ctypes.c_char_p * (len(items) + 1))(*items, None)
    return arr, items
