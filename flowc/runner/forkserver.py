"""The local runner's side of ``runtime_shim.forkserver``: submit tasks, get exit codes.

A reader thread turns the server's replies into ``done(task_id, code, output)`` calls;
``kill`` SIGKILLs a task (the hard limit of ``@timeout``). If the server dies, every
outstanding task ends with code 127 and the output explains why.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Any


class ForkServer:
    def __init__(
        self,
        python: str,
        flow_file: str,
        flow: str,
        env: dict[str, str],
        scratch: str,
        cwd: str | None,
        done: Callable[[Any, int, str], None],
        datastore: str | None = None,
    ) -> None:
        self._done = done
        self._scratch = scratch
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._pids: dict[int, int] = {}
        self._outputs: dict[int, tuple[str, Any]] = {}
        self._proc = subprocess.Popen(
            [
                python,
                "-m",
                "runtime_shim.forkserver",
                flow_file,
                "--flow",
                flow,
                *(["--datastore", datastore] if datastore else []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=cwd,
            text=True,
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def submit(self, argv: list[str], tag: Any, env: dict[str, str] | None = None) -> int:
        """Start ``python -m runtime_shim`` ARGV in a forked child (with ``env`` added to
        the server's environment); ``done(tag, ...)`` is called when it ends. Returns an id
        for :meth:`kill`."""
        task_id = next(self._ids)
        out = os.path.join(self._scratch, f"task-{task_id}.log")
        request: dict[str, Any] = {"argv": argv, "out": out}
        if env:
            request["env"] = env
        # a step killed by a signal is run once more to record the killed attempt
        record = 1 if argv[:1] == ["step"] else 0
        line = f"{task_id} {record} {json.dumps(request)}\n"
        with self._lock:
            self._outputs[task_id] = (out, tag)
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(line)
                self._proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                self._outputs.pop(task_id, None)
                self._done(tag, 127, "the flowc fork server is not running\n")
        return task_id

    def kill(self, task_id: int) -> None:
        with self._lock:
            pid = self._pids.get(task_id)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        if self._proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        self._proc.wait()
        self._reader.join(timeout=5)

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            fields = line.split()
            if len(fields) != 3 or not fields[0].isdigit():
                continue  # not a reply: e.g. what a flow printed while the server imported it
            head, kind, value = fields
            task_id = int(head)
            if kind == "pid":
                with self._lock:
                    self._pids[task_id] = int(value)
                continue
            with self._lock:
                self._pids.pop(task_id, None)
                out, tag = self._outputs.pop(task_id)
            self._done(tag, int(value), _read_and_remove(out))
        with self._lock:
            orphans = list(self._outputs.values())
            self._outputs.clear()
        for out, tag in orphans:
            self._done(tag, 127, _read_and_remove(out) + "the flowc fork server exited\n")


def _read_and_remove(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        os.unlink(path)
    except OSError:
        return ""
    return text
