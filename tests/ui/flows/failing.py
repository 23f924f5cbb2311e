"""A run that fails in one branch of a foreach (the other branch succeeds)."""

from metaflow import FlowSpec, retry, step


class FailingFlow(FlowSpec):
    @step
    def start(self):
        self.items = [0, 1]
        self.next(self.work, foreach="items")

    @retry(times=0)
    @step
    def work(self):
        if self.input == 1:
            raise ValueError("<b>broken</b> on purpose")
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    FailingFlow()
