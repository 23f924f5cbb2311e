from flowc import FlowSpec, current, retry, step


class FlakyLoopFlow(FlowSpec):
    """A recursive switch whose third iteration fails once: the retry resumes there."""

    @step
    def start(self):
        self.counter = 0
        self.next(self.loop)

    @retry(times=1, minutes_between_retries=0)
    @step
    def loop(self):
        self.counter += 1
        if self.counter == 3 and current.retry_count == 0:
            raise RuntimeError("the third iteration fails on its first attempt")
        self.status = "again" if self.counter < 4 else "done"
        self.next({"again": self.loop, "done": self.finish}, condition="status")

    @step
    def finish(self):
        self.next(self.end)

    @step
    def end(self):
        self.result = self.counter
