"""Running a task's attempt in a child process, so a task killed by a signal is recorded.

A step that crashes the interpreter (a segmentation fault in an extension module, a
``SIGKILL`` from the step itself or from the out-of-memory killer) takes its process with
it: nothing the process was going to write after the step reaches the datastore. The
shim therefore forks once per attempt. The child runs the attempt exactly as before and
writes its log lines to spool files as they are printed; the parent only waits. When
the child dies from a signal, the parent writes the attempt as failed, with the log
lines printed up to the crash and a line naming the signal (for a segmentation fault
the words Metaflow prints, ``Task failed with a segmentation fault.``), and exits 1, so
the attempt is retried, caught by ``@catch``'s fallback attempt or reported like any
other failure.

The fork happens before the flow is imported and costs about a millisecond. Without
``os.fork`` (or with ``FLOWC_SUPERVISE=0``) the attempt runs in the shim's own process.

Under the local runner's fork server (``runtime_shim.forkserver``) the server is the
supervisor: its child runs the attempt in its own process (:func:`supervise_externally`,
spooling the logs where the server can find them) and, when that child dies from a
signal, the server starts the same command once more with the signal set here, which
records the killed attempt instead of running it. That saves the second fork and its
copied pages on every task of a local run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import TextIO

SEGFAULT_MESSAGE = "Task failed with a segmentation fault."
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
LOG_NAMES = ("stdout.log", "stderr.log")


class LogSpool:
    """The attempt's ``stdout.log``/``stderr.log`` as files, written through as printed.

    Every write is flushed, so what a step printed before its process died is on disk
    for the supervising parent to read. The files are ``PREFIX + name``: in a fresh
    temporary directory, or where an external supervisor said (``prefix``).
    """

    def __init__(self, prefix: str | None = None) -> None:
        self.directory: str | None = None
        if prefix is None:
            self.directory = tempfile.mkdtemp(prefix="flowc-task-")
            prefix = self.directory + os.sep
        self.prefix = prefix
        self.files: dict[str, TextIO] = {}

    def open(self, name: str) -> TextIO:
        handle = open(  # noqa: SIM115 - closed by close()
            self.prefix + name, "a", encoding="utf-8", errors="replace"
        )
        self.files[name] = handle
        return handle

    def read(self, name: str) -> str:
        handle = self.files.get(name)
        if handle is not None and not handle.closed:
            handle.flush()
        try:
            with open(self.prefix + name, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def logs(self) -> dict[str, str]:
        return {name: self.read(name) for name in LOG_NAMES}

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            return
        for name in LOG_NAMES:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.prefix + name)


class _External:
    """Set by :func:`supervise_externally` in a process whose parent supervises it."""

    spool_prefix: str | None = None
    killed_by: int | None = None


def supervise_externally(spool_prefix: str, killed_by: int | None = None) -> None:
    """This process's parent supervises its attempt (the local runner's fork server).

    :func:`supervised` then runs the attempt here, spooling its logs at
    ``spool_prefix``; with ``killed_by`` (the signal that killed an earlier process of
    the same command and spool) it records that attempt as killed instead.
    """
    _External.spool_prefix = spool_prefix
    _External.killed_by = killed_by


def signal_message(signum: int) -> str:
    """The stderr line a task killed by ``signum`` ends with."""
    if signum == signal.SIGSEGV:
        return SEGFAULT_MESSAGE
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    return f"Task failed: the task process was killed by {name}."


def supervised(
    attempt: Callable[[LogSpool], int],
    record_killed: Callable[[LogSpool, int], int],
) -> int:
    """Run ``attempt(spool)`` in a child process and return its exit code.

    If the child is killed by signal N, ``record_killed(spool, N)`` runs in the parent
    and its result is the exit code. In the child this function returns ``attempt``'s result, so the
    child leaves through the shim's usual exit path.
    """
    if _External.spool_prefix is not None:
        spool = LogSpool(_External.spool_prefix)
        try:
            if _External.killed_by is not None:
                return record_killed(spool, _External.killed_by)
            return attempt(spool)
        finally:
            spool.close()
    spool = LogSpool()
    if not hasattr(os, "fork") or os.environ.get("FLOWC_SUPERVISE", "1") == "0":
        try:
            return attempt(spool)
        finally:
            spool.close()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _die_with_parent()
        return attempt(spool)
    previous = {sig: signal.signal(sig, _forward_to(pid)) for sig in FORWARDED_SIGNALS}
    try:
        status = _wait(pid)
        code = os.waitstatus_to_exitcode(status)
        if code >= 0:
            return code
        return record_killed(spool, -code)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        spool.close()


def _wait(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue


def _forward_to(pid: int) -> Callable[[int, FrameType | None], None]:
    def forward(signum: int, _frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    return forward


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL when the supervising parent dies (a hard timeout
    kills the parent), instead of living on unsupervised."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
