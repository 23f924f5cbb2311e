"""@exit_hook: functions run after the run, chosen by its outcome, with the client Run.

With ``--fail`` the end step raises, so the on_error functions run. When
``FLOWC_TEST_HOOK_LOG`` names a file, each hook appends a line to it (the tests read it).
"""

import os

from metaflow import FlowSpec, Parameter, exit_hook, step


def _record(line):
    path = os.environ.get("FLOWC_TEST_HOOK_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def notify(run):
    _record(f"notify {run.pathspec} successful={run.successful} result={run.data.result}")


def announce():
    _record("announce")


def alarm(**kwargs):
    run = kwargs["run"]
    _record(
        f"alarm {run.pathspec} successful={run.successful} start={run['start'].task.data.result}"
    )


@exit_hook(on_success=[notify, announce], on_error=[alarm])
@exit_hook(on_error=["announce"])
class ExitHooksFlow(FlowSpec):
    fail = Parameter("fail", default=False, type=bool)

    @step
    def start(self):
        self.result = 42
        self.next(self.end)

    @step
    def end(self):
        if self.fail:
            raise ValueError("failing on purpose")


if __name__ == "__main__":
    ExitHooksFlow()
