from flowc import FlowSpec, current, retry, step


class FlakyFlow(FlowSpec):
    """The first two attempts of `flaky` fail; the third (attempt 2) succeeds."""

    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=2, minutes_between_retries=0)
    @step
    def flaky(self):
        if current.retry_count < 2:
            raise RuntimeError(f"attempt {current.retry_count} fails")
        self.succeeded_on = current.retry_count
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    FlakyFlow()
