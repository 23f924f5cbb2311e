from flowc import FlowSpec, current, retry, step


class FlakyFlow(FlowSpec):
    """Fails twice, then succeeds: the engine must retry."""

    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=2, minutes_between_retries=0)
    @step
    def flaky(self):
        if current.retry_count < 2:
            raise RuntimeError(f"attempt {current.retry_count} fails on purpose")
        self.attempts = current.retry_count + 1
        self.next(self.end)

    @step
    def end(self):
        pass
