# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the subprocess module's users expect: the result of run(), the
timeout and check errors carrying the output, and the pipe pump."""

from __future__ import annotations

import os
import select
import selectors
import subprocess
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

# stderr=STDOUT: resolved by spawn() once the recipe's stdout is known.
SAME_AS_STDOUT = -2

PIPE = subprocess.PIPE
DEVNULL = subprocess.DEVNULL
STDOUT = subprocess.STDOUT


class TimeoutExpired(subprocess.TimeoutExpired, TimeoutError):
    """The sandbox outlived timeout. A subprocess.TimeoutExpired (cmd,
    timeout, output/stdout, stderr: what was read so far) that is also a
    TimeoutError."""


class CalledProcessError(subprocess.CalledProcessError):
    """run(check=True) of a command that did not exit 0: returncode
    (negative signal number), cmd, output/stdout, stderr, and status (the
    shell-form status)."""

    def __init__(self, returncode: int, cmd: Any, output: Any = None, stderr: Any = None,
                 status: Optional[int] = None) -> None:
        super().__init__(returncode, cmd, output, stderr)
        self.status = status


class CompletedProcess(subprocess.CompletedProcess[Any]):
    """What Sandbox.run() returns: args, returncode (the exit code, or the
    negative signal number, as subprocess), stdout and stderr (None unless
    captured), status (shell form: the code or 128 + the signal, as
    nsbox_wait() returns it), the cgroup's usage report, and report: what
    ended it and its times (a Report: report.end is End.CPU_LIMIT ...)."""

    def __init__(self, args: Any, returncode: int, stdout: Any = None, stderr: Any = None,
                 status: int = 0, oom_killed: bool = False, memory_peak: int = 0,
                 cpu_usec: int = 0, report: Any = None) -> None:
        super().__init__(args, returncode, stdout, stderr)
        self.status = status
        self.oom_killed = oom_killed
        self.memory_peak = memory_peak
        self.cpu_usec = cpu_usec
        self.report = report

    def check_returncode(self) -> None:
        """Raises CalledProcessError unless returncode is 0."""
        if self.returncode:
            raise CalledProcessError(self.returncode, self.args, self.stdout, self.stderr,
                                     self.status)


def open_stdio(stdin: Any, stdout: Any, stderr: Any
               ) -> Tuple[List[int], List[int], Dict[str, int]]:
    """The three child-side fds for spawn (-1: the recipe's own setting,
    SAME_AS_STDOUT: whatever stdout is),
    the fds to close after spawn, and the parent's ends by stream name.
    Each argument: None, PIPE, DEVNULL, STDOUT (stderr only), an fd or a
    file object."""
    child: List[int] = []
    close: List[int] = []
    ours: Dict[str, int] = {}
    try:
        for name, spec in (("stdin", stdin), ("stdout", stdout), ("stderr", stderr)):
            if spec is None:
                child.append(-1)
            elif spec == PIPE:
                r, w = os.pipe2(os.O_CLOEXEC)
                mine, theirs = (w, r) if name == "stdin" else (r, w)
                ours[name] = mine
                close.append(theirs)
                child.append(theirs)
            elif spec == DEVNULL:
                fd = os.open(os.devnull, (os.O_RDONLY if name == "stdin" else os.O_WRONLY)
                             | os.O_CLOEXEC)
                close.append(fd)
                child.append(fd)
            elif spec == STDOUT:
                if name != "stderr":
                    raise ValueError("STDOUT is only for stderr")
                child.append(SAME_AS_STDOUT)
            else:
                fd = spec if isinstance(spec, int) else spec.fileno()
                if fd < 0:
                    raise ValueError(f"{name}: {fd} is not an fd")
                child.append(fd)
    except BaseException:
        for fd in close + list(ours.values()):
            os.close(fd)
        raise
    return child, close, ours


def pump(files: Dict[str, Any], data: Optional[bytes], deadline: Optional[float],
         out: Dict[str, List[bytes]]) -> bool:
    """Writes data to files["stdin"] and reads files["stdout"] and
    files["stderr"] to EOF into out, until deadline (time.monotonic()).
    Returns False when the deadline passed first (out holds what came)."""
    sel = selectors.DefaultSelector()
    view = memoryview(data or b"")
    try:
        if "stdin" in files:
            if view:
                sel.register(files["stdin"], selectors.EVENT_WRITE)
            else:
                files["stdin"].close()
        for name in ("stdout", "stderr"):
            if name in files:
                sel.register(files[name], selectors.EVENT_READ, name)
        while sel.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            for key, _ in sel.select(left):
                if key.fileobj is files.get("stdin"):
                    try:  # PIPE_BUF bytes never block a writable pipe
                        n = os.write(key.fd, view[:select.PIPE_BUF])
                    except BrokenPipeError:
                        n = len(view)
                    view = view[n:]
                    if not view:
                        sel.unregister(key.fileobj)
                        files["stdin"].close()
                    continue
                chunk = os.read(key.fd, 65536)
                if chunk:
                    out[key.data].append(chunk)
                else:
                    sel.unregister(key.fileobj)
        return True
    finally:
        sel.close()


def decode(data: Optional[bytes], text: bool, encoding: Optional[str],
           errors: Optional[str]) -> Any:
    if data is None or not (text or encoding or errors):
        return data
    return data.decode(encoding or "utf-8", errors or "strict")


def encode(data: Any, text: bool, encoding: Optional[str], errors: Optional[str]
           ) -> Optional[bytes]:
    if data is None:
        return None
    if isinstance(data, str):
        return data.encode(encoding or "utf-8", errors or "strict")
    return bytes(data)


def args_for(argv: Sequence[Any]) -> List[Any]:
    return list(argv)
