from flowc import FlowSpec, current, retry, step


class RetryThenFailFlow(FlowSpec):
    """A step that fails on every attempt: its retries run, then the run fails."""

    @step
    def start(self):
        self.next(self.broken)

    @retry(times=1, minutes_between_retries=0)
    @step
    def broken(self):
        raise RuntimeError(f"attempt {current.retry_count} fails on purpose")
        self.next(self.end)

    @step
    def end(self):
        pass
