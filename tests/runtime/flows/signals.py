import ctypes
import os
import signal
import time

from metaflow import FlowSpec, Parameter, catch, current, retry, step, timeout
from metaflow.exception import MetaflowException


class SignalsFlow(FlowSpec):
    """``--crash`` picks how the ``end`` step dies; the other steps always run."""

    crash = Parameter("crash", default="none")

    @retry(times=1)
    @catch(var="killed")
    @step
    def start(self):
        self.attempts_seen = current.retry_count
        print(f"attempt {current.retry_count} about to be killed")
        os.kill(os.getpid(), signal.SIGKILL)
        self.next(self.sleepy)

    @catch(var="slow")
    @timeout(seconds=1)
    @step
    def sleepy(self):
        time.sleep(10)
        self.next(self.raises)

    @catch(var="raised", print_exception=False)
    @step
    def raises(self):
        raise MetaflowException("from the step")
        self.next(self.end)

    @step
    def end(self):
        print("Crash and burn!")
        if self.crash == "segv":
            ctypes.string_at(0)
        elif self.crash == "term":
            os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    SignalsFlow()
