import os
import signal

from metaflow import FlowSpec, step


class Killer:
    """Pickling it SIGKILLs the task (once): the kill lands while artifacts are written."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        if not os.path.exists(self.marker):
            with open(self.marker, "w") as handle:
                handle.write("killed")
            os.kill(os.getpid(), signal.SIGKILL)
        return (str, ("survived",))


class CrashFlow(FlowSpec):
    @step
    def start(self):
        self.start_pid = os.getpid()
        self.items = list(range(4))
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.big = os.urandom(1_000_000)
        self.value = self.input * 10
        if self.input == 2:
            self.killer = Killer(os.environ["CRASH_MARKER"])
        self.next(self.join)

    @step
    def join(self, inputs):
        self.values = [i.value for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.result = sum(self.values)


if __name__ == "__main__":
    CrashFlow()
