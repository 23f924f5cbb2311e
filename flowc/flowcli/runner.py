"""``Runner``: run a flow file from Python (Metaflow's ``metaflow.runner.metaflow_runner``).

```python
with Runner("flow.py", show_output=False, quiet=True) as runner:
    result = runner.run(alpha=3, tags=["x"], max_workers=4)
    result.status, result.returncode, result.run["end"].task.data.score
```
The keywords of ``Runner(...)`` are the flow file's top-level options, those of
``run``/``resume`` the verb's options and (for ``run``) the flow's Parameters, by their
click names. Each call runs ``python FLOW.py ...`` in a subprocess whose stdout and stderr
go to log files (and to this console with ``show_output``); a failed run is a result with
``status == "failed"``, not an exception. ``async_run``/``async_resume`` return at once.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from typing import IO, Any

from flowc.flowcli.click_api import MetaflowAPI

__all__ = ["CommandManager", "ExecutingRun", "NBRunner", "Runner"]


class CommandManager:
    """One subprocess of a Runner: its command, process and log files."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        cwd: str,
        log_dir: str,
        show_output: bool,
    ) -> None:
        self.command = command
        self.timeout = False
        self.log_files = {
            "stdout": os.path.join(log_dir, "stdout.log"),
            "stderr": os.path.join(log_dir, "stderr.log"),
        }
        self._show_output = show_output
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._copiers = [
            threading.Thread(
                target=self._copy,
                args=(self.process.stdout, self.log_files["stdout"], sys.stdout),
                daemon=True,
            ),
            threading.Thread(
                target=self._copy,
                args=(self.process.stderr, self.log_files["stderr"], sys.stderr),
                daemon=True,
            ),
        ]
        for copier in self._copiers:
            copier.start()

    def _copy(self, source: IO[bytes], path: str, console: IO[str]) -> None:
        with open(path, "wb") as log:
            for line in iter(source.readline, b""):
                log.write(line)
                log.flush()
                if self._show_output:
                    console.write(line.decode("utf-8", errors="replace"))
                    console.flush()

    def sync_wait(self, timeout: float | None = None) -> None:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.timeout = True
            self.kill()
        for copier in self._copiers:
            copier.join()

    async def wait(self, timeout: float | None = None, stream: str | None = None) -> None:
        await asyncio.to_thread(self.sync_wait, timeout)
        if stream is not None:
            with open(self.log_files[stream], encoding="utf-8", errors="replace") as f:
                print(f.read(), end="")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class ExecutingRun:
    """A run started by a Runner: the process (``command_obj``) and the client ``run``."""

    def __init__(self, runner: Runner, command_obj: CommandManager, attribute_file: str) -> None:
        self.runner = runner
        self.command_obj = command_obj
        self._attribute_file = attribute_file

    def __enter__(self) -> ExecutingRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.runner.__exit__(*exc)

    @property
    def run(self) -> Any:
        """The client ``Run`` of this run (``None`` if the run never started)."""
        try:
            with open(self._attribute_file, encoding="utf-8") as f:
                content = json.load(f)
        except (OSError, ValueError):
            return None
        import inspect

        from flowc import client

        root = str(content.get("metadata", "")).partition("@")[2] or None
        pathspec = f"{content['flow_name']}/{content['run_id']}"
        extra: dict[str, Any] = {}
        if "_namespace_check" in inspect.signature(client.Run).parameters:
            extra["_namespace_check"] = False  # the run is this runner's, whatever the namespace
        return client.Run(pathspec, root, **extra)

    @property
    def returncode(self) -> int | None:
        return self.command_obj.process.returncode

    @property
    def status(self) -> str:
        if self.command_obj.timeout:
            return "timeout"
        code = self.command_obj.process.returncode
        if code is None:
            return "running"
        return "failed" if code != 0 else "successful"

    @property
    def stdout(self) -> str:
        return self._read("stdout")

    @property
    def stderr(self) -> str:
        return self._read("stderr")

    def _read(self, stream: str) -> str:
        with open(self.command_obj.log_files[stream], encoding="utf-8", errors="replace") as f:
            return f.read()

    async def wait(self, timeout: float | None = None, stream: str | None = None) -> ExecutingRun:
        await self.command_obj.wait(timeout, stream)
        return self


class Runner:
    """Run or resume ``flow_file`` with the top-level options ``**kwargs``."""

    def __init__(
        self,
        flow_file: str,
        show_output: bool = True,
        profile: str | None = None,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        file_read_timeout: int = 3600,
        **kwargs: Any,
    ) -> None:
        from flowc.flowcli.start import start

        self.flow_file = os.path.abspath(flow_file)
        if not os.path.isfile(self.flow_file):
            raise FileNotFoundError(f"Flow file not present at '{flow_file}'")
        self.show_output = show_output
        self.env_vars = dict(os.environ)
        self.env_vars.update(env or {})
        if profile:
            self.env_vars["METAFLOW_PROFILE"] = profile
        self.cwd = cwd or os.getcwd()
        self.file_read_timeout = file_read_timeout
        self.top_level_kwargs = kwargs
        self.api = MetaflowAPI.from_cli(self.flow_file, start)
        self._tmp = tempfile.mkdtemp(prefix="flowc-runner-")
        self._commands: list[CommandManager] = []
        self.api(**kwargs)  # a bad top-level option fails here, as in Metaflow

    def __enter__(self) -> Runner:
        return self

    async def __aenter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    async def __aexit__(self, *exc: object) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        """Stop what is still running and remove the log files."""
        for command in self._commands:
            command.kill()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def _start(self, verb: str, kwargs: dict[str, Any]) -> ExecutingRun:
        log_dir = tempfile.mkdtemp(dir=self._tmp)
        attribute_file = os.path.join(log_dir, "runner-attributes.json")
        words = getattr(self.api(**self.top_level_kwargs), verb)(
            runner_attribute_file=attribute_file, **kwargs
        )
        command = CommandManager(
            [sys.executable, *words], self.env_vars, self.cwd, log_dir, self.show_output
        )
        self._commands.append(command)
        return ExecutingRun(self, command, attribute_file)

    def run(self, **kwargs: Any) -> ExecutingRun:
        """Run the flow and wait for it; ``kwargs`` are run options and Parameters."""
        running = self._start("run", kwargs)
        running.command_obj.sync_wait()
        return running

    def resume(self, **kwargs: Any) -> ExecutingRun:
        """Resume a run and wait for it (``origin_run_id=``, ``step_to_rerun=``, ...)."""
        running = self._start("resume", kwargs)
        running.command_obj.sync_wait()
        return running

    async def async_run(self, **kwargs: Any) -> ExecutingRun:
        """Start the run and return at once; ``await result.wait()`` waits for it."""
        return self._start("run", kwargs)

    async def async_resume(self, **kwargs: Any) -> ExecutingRun:
        return self._start("resume", kwargs)


class NBRunner(Runner):
    """``Runner`` given the flow class instead of its file (the class must come from a
    file: flowc reads a flow's source, and a notebook cell has none)."""

    def __init__(self, flow: Any, **kwargs: Any) -> None:
        if isinstance(flow, str):
            super().__init__(flow, **kwargs)
            return
        path = getattr(sys.modules.get(getattr(flow, "__module__", "")), "__file__", None)
        if not path:
            raise ValueError(
                f"NBRunner: {getattr(flow, '__name__', flow)!r} has no source file; "
                "save the flow to a .py file and use Runner(path)"
            )
        super().__init__(path, **kwargs)
