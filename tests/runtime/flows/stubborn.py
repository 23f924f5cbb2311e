import signal
import time

from metaflow import FlowSpec, catch, step, timeout


class StubbornFlow(FlowSpec):
    """A step that ignores the @timeout alarm: only the runner's hard kill stops it."""

    @catch(var="err")
    @timeout(seconds=1)
    @step
    def start(self):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(60)
        self.next(self.end)

    @step
    def end(self):
        self.caught = self.err is not None


if __name__ == "__main__":
    StubbornFlow()
