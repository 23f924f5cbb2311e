import os
import time

from metaflow import FlowSpec, catch, current, environment, retry, step, timeout


class ResilienceFlow(FlowSpec):
    """@retry attempt numbers, @catch of a failure and of a @timeout, @environment."""

    @retry(times=2, minutes_between_retries=0)
    @step
    def start(self):
        self.seen_attempt = current.retry_count
        if current.retry_count < 2:
            raise RuntimeError(f"attempt {current.retry_count} fails")
        self.next(self.slow)

    @catch(var="timed_out")
    @timeout(seconds=1)
    @step
    def slow(self):
        self.before_sleep = True
        time.sleep(30)
        self.next(self.broken)

    @catch(var="error", print_exception=False)
    @step
    def broken(self):
        self.partial = "set before the error"
        raise KeyError("missing")
        self.next(self.env)

    @environment(vars={"FLOWC_TEST_VAR": "value with spaces"})
    @step
    def env(self):
        self.var = os.environ.get("FLOWC_TEST_VAR")
        self.names = [current.flow_name, current.step_name, current.retry_count]
        self.next(self.end)

    @step
    def end(self):
        self.result = {
            "attempt": self.seen_attempt,
            "timed_out": self.timed_out is not None,
            "error": self.error is not None,
            "var": self.var,
        }


if __name__ == "__main__":
    ResilienceFlow()
