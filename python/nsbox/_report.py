# SPDX-License-Identifier: LGPL-2.1-or-later
"""What ended a sandbox, and its times (nsbox_proc_report, struct
nsbox_report of nsbox.h): the C struct and its Python face."""

from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass


class End(enum.IntEnum):
    """enum nsbox_end: what ended the sandbox, by the header's precedence
    (a limit first, then OOM, the caller's kill, a signal, an exit)."""
    RUNNING = 0
    EXITED = 1
    SIGNALED = 2
    CPU_LIMIT = 3
    WALL_LIMIT = 4
    OOM = 5
    KILLED = 6


class NsboxReport(ctypes.Structure):
    """struct nsbox_report, field for field."""
    _fields_ = [("size", ctypes.c_uint32), ("end", ctypes.c_uint32),
                ("exit_code", ctypes.c_int32), ("signal", ctypes.c_int32),
                ("wall_usec", ctypes.c_uint64), ("cpu_usec", ctypes.c_uint64),
                ("user_usec", ctypes.c_uint64), ("sys_usec", ctypes.c_uint64),
                ("memory_peak", ctypes.c_uint64), ("oom_killed", ctypes.c_uint32),
                ("reserved", ctypes.c_uint32), ("cpu_limit_usec", ctypes.c_uint64),
                ("wall_limit_usec", ctypes.c_uint64), ("kill_usec", ctypes.c_uint64)]


@dataclass(frozen=True)
class Report:
    """The sandbox's end and usage (nsbox_proc_report(3)): end (End),
    exit_code (-1 unless it exited), signal (0 if none), the times in
    microseconds (wall from the start; CPU of every process, split into
    user and sys; kill_usec: when an enforcer killed it for a limit, 0 if
    none), memory_peak in bytes, oom_killed, and the limits it ran under
    (0: none)."""
    end: End
    exit_code: int
    signal: int
    wall_usec: int
    cpu_usec: int
    user_usec: int
    sys_usec: int
    memory_peak: int
    oom_killed: bool
    cpu_limit_usec: int
    wall_limit_usec: int
    kill_usec: int

    @classmethod
    def from_c(cls, r: NsboxReport) -> "Report":
        """The Report of a filled struct."""
        return cls(End(r.end), r.exit_code, r.signal, r.wall_usec, r.cpu_usec, r.user_usec,
                   r.sys_usec, r.memory_peak, bool(r.oom_killed), r.cpu_limit_usec,
                   r.wall_limit_usec, r.kill_usec)
