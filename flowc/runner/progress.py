"""Progress of a local run: a live table on a terminal, plain lines otherwise, or quiet.

Every mode prints the run id first and, for a failed task, its exception and log tail.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import TextIO

from flowc.ir import FlowIR
from flowc.runner.local import Reporter, RunResult, TaskOutcome
from flowc.runner.plan import TaskId

LOG_TAIL_LINES = 40


class ConsoleReporter(Reporter):
    def __init__(
        self,
        stream: TextIO | None = None,
        quiet: bool = False,
        live: bool | None = None,
        show_log: Callable[[TaskOutcome], str] | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = (not quiet and self.stream.isatty()) if live is None else live
        self.show_log = show_log
        self.steps: list[str] = []
        self.running: dict[str, int] = defaultdict(int)
        self.done: dict[str, int] = defaultdict(int)
        self.failed: dict[str, int] = defaultdict(int)
        self.began = time.time()
        self._drawn = 0
        self._last_draw = 0.0

    def _print(self, text: str) -> None:
        self._clear()
        print(text, file=self.stream, flush=True)

    def started(self, run_id: str, ir: FlowIR) -> None:
        self.steps = [s.name for s in ir.steps]
        self.began = time.time()
        self._print(f"flowc: running {ir.name}, run id {run_id}")

    def task_started(self, task: TaskId, attempt: int) -> None:
        self.running[task.step] += 1
        if not self.quiet and not self.live and attempt:
            self._print(f"[{self._elapsed()}] {task} retry attempt {attempt}")
        self._draw()

    def task_finished(self, outcome: TaskOutcome, will_retry: bool) -> None:
        step = outcome.task.step
        if not outcome.cloned:
            self.running[step] -= 1
        if outcome.ok:
            self.done[step] += 1
            if not self.quiet and not self.live:
                how = "cloned" if outcome.cloned else f"done in {outcome.seconds:.2f}s"
                self._print(f"[{self._elapsed()}] {outcome.task} {how}")
        else:
            if not will_retry:
                self.failed[step] += 1
            verdict = "failed, retrying" if will_retry else "FAILED"
            self._print(f"[{self._elapsed()}] {outcome.task} attempt {outcome.attempt} {verdict}")
            if not will_retry and self.show_log is not None:
                self._print(self.show_log(outcome))
        self._draw()

    def finished(self, result: RunResult) -> None:
        self._draw(force=True)
        self._drawn = 0  # leave the final table on screen
        verdict = "succeeded" if result.ok else "FAILED"
        self._print(
            f"flowc: run {result.run_id} {verdict}: {result.tasks_done} tasks in "
            f"{result.seconds:.2f}s"
        )

    def _elapsed(self) -> str:
        return f"{time.time() - self.began:6.2f}s"

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0

    def _draw(self, force: bool = False) -> None:
        if not self.live:
            return
        now = time.time()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        self._clear()
        lines = [f"  {'step':<24} {'done':>6} {'running':>8} {'failed':>7}"]
        for step in self.steps:
            if self.done[step] or self.running[step] or self.failed[step]:
                lines.append(
                    f"  {step:<24} {self.done[step]:>6} {self.running[step]:>8} "
                    f"{self.failed[step]:>7}"
                )
        lines.append(f"  elapsed {self._elapsed()}")
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()
        self._drawn = len(lines)
