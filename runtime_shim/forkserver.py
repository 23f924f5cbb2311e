"""A fork server for local runs: ``python -m runtime_shim.forkserver FLOW_FILE --flow CLASS``.

Starting an interpreter, importing the shim and importing the flow cost most of a small
task. The local runner therefore starts this server once per run: it imports all of that
once, then forks one child per task. A child runs exactly what ``python -m runtime_shim
step ...`` runs (same argv, same code path) in a fresh copy of the pre-loaded process,
so tasks stay isolated from each other; only the start-up is shared.

With ``--datastore s3://...`` the server also imports botocore and builds the S3 client
before forking (~0.5 s per process otherwise); no request is made, so no connection is
shared between children.

Protocol (one line per message, ASCII fields separated by one space):
  stdin:  ID RECORD JSON, where JSON is {"argv": ["step", FLOW_FILE, "--flow", ...],
          "out": LOG_PATH, "env": {NAME: VALUE, ...} (optional, set in the child)} and
          RECORD is 1 when a child killed by a signal is to be recorded (a step), else 0;
  stdout: ID pid PID when the child started,
          ID code EXIT_CODE when it ended (-N: killed by signal N).
Only the child decodes JSON. The server's own loop touches as few objects as it can:
every fork shares the server's pages with the new child, so each page the server then
writes is copied once more (decoding and encoding JSON there cost about a hundred
copied pages, half a millisecond, per task). The child's stdout and stderr go to
LOG_PATH. The server supervises its children
(``runtime_shim.supervisor.supervise_externally``): a task's log spool is
LOG_PATH.stdout.log and LOG_PATH.stderr.log, and when a RECORD child dies from a signal
the server forks the same command once more to record the killed attempt; that second
child's exit code is the task's. The server is single-threaded (children are
reaped on SIGCHLD through a wake-up pipe), so forking never copies a lock held by another
thread. It exits when stdin closes.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys

# What a task imports lazily (lazy so that one process per task starts fast): the server
# imports it once, before forking, so that no child pays for it again.
PRELOADED = (
    "datetime",
    "faulthandler",
    "tempfile",
    "traceback",
    "runtime_shim.__main__",
    "runtime_shim.cards.lifecycle",
    "runtime_shim.catch_decorator",
    "runtime_shim.datastore.local",
    "runtime_shim.events",
    "runtime_shim.mutable",
    "runtime_shim.params",
    "runtime_shim.plugin_decorators",
    "runtime_shim.project",
    "runtime_shim.step_call",
    "runtime_shim.supervisor",
    "runtime_shim.tags",
    "runtime_shim.task",
)


def preload(flow_file: str, flow: str | None) -> None:
    """Import the flow and everything a task imports, then freeze the heap.

    ``gc.freeze`` moves every object made so far out of the collector's reach, so a
    child's collections never touch (and copy) the server's pages. No collection comes
    first, as the ``gc.freeze`` documentation advises: what it would free are holes in
    the server's pages, which a child's first allocations would fill, copying each such
    page (about 36 fewer copied pages per task without it; the import-time garbage it
    keeps is shared by every child and costs nothing more).
    """
    import gc
    import importlib

    try:
        from runtime_shim.loader import load_flow_class

        load_flow_class(flow_file, flow)
        for name in PRELOADED:
            importlib.import_module(name)
        import tempfile

        tempfile.gettempdir()  # probes the file system once, here
    except Exception:
        pass  # each child then imports for itself and reports any problem
    gc.freeze()


def _child(request: bytes, wake_fds: tuple[int, int], killed_by: int | None = None) -> None:
    """In the forked child: decode the request, become a plain shim task, never return."""
    code = 1
    try:
        decoded = json.loads(request)
        argv, out = list(decoded["argv"]), str(decoded["out"])
        if decoded.get("env"):
            os.environ.update(decoded["env"])
        from runtime_shim.supervisor import supervise_externally

        supervise_externally(out + ".", killed_by)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in wake_fds:
            os.close(fd)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if killed_by else os.O_TRUNC)
        fd = os.open(out, flags, 0o644)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.close(devnull)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - lives as long as the child
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        from runtime_shim.__main__ import main

        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(flow_file: str, flow: str | None, datastore: str | None = None) -> int:
    if datastore and datastore.startswith("s3://"):
        try:
            from runtime_shim.datastore import open_object_store

            open_object_store(datastore).client  # type: ignore[attr-defined]  # noqa: B018
        except Exception:
            pass  # each child then builds its own client and reports any problem itself
    preload(flow_file, flow)
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    signal.set_wakeup_fd(write_fd)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)
    # pid -> (ID, the request's JSON, whether a kill is recorded, whether this child is
    # the recording one)
    children: dict[int, tuple[int, bytes, bool, bool]] = {}
    stdin = sys.stdin.fileno()
    buffered = b""
    open_input = True

    def reap() -> None:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            task_id, request, record, recording = children.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            if code < 0 and record and not recording:
                start(task_id, request, record, killed_by=-code)
            else:
                os.write(1, b"%d code %d\n" % (task_id, code))

    def start(task_id: int, request: bytes, record: bool, killed_by: int | None = None) -> int:
        pid = os.fork()
        if pid == 0:
            _child(request, (read_fd, write_fd), killed_by)
        children[pid] = (task_id, request, record, killed_by is not None)
        return pid

    while open_input or children:
        watch = [read_fd, stdin] if open_input else [read_fd]
        try:
            ready, _, _ = select.select(watch, [], [], 1.0)
        except InterruptedError:
            ready = []
        if read_fd in ready:
            # one read, no BlockingIOError (its exception costs copied pages): what is
            # left wakes the next select at once
            os.read(read_fd, 4096)
        reap()
        if open_input and stdin in ready:
            chunk = os.read(stdin, 65536)
            if not chunk:
                open_input = False
            buffered += chunk
            *lines, buffered = buffered.split(b"\n")
            for line in lines:
                if not line.strip():
                    continue
                head, record, request = line.split(b" ", 2)
                task_id = int(head)
                pid = start(task_id, request, record == b"1")
                os.write(1, b"%d pid %d\n" % (task_id, pid))
        reap()
    return 0


USAGE = "usage: python -m runtime_shim.forkserver FLOW_FILE [--flow CLASS] [--datastore URL]"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 2
    flow_file, rest, options = args[0], args[1:], {}
    while len(rest) >= 2 and rest[0] in ("--flow", "--datastore"):
        options[rest[0]] = rest[1]
        rest = rest[2:]
    if rest:
        print(USAGE, file=sys.stderr)
        return 2
    return serve(flow_file, options.get("--flow"), options.get("--datastore"))


if __name__ == "__main__":
    sys.exit(main())
