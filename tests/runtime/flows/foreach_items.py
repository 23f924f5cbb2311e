from metaflow import FlowSpec, current, retry, step


class ForeachItemsFlow(FlowSpec):
    """A foreach split that fails once before it commits, and a nested split."""

    @retry(times=1, minutes_between_retries=0)
    @step
    def start(self):
        self.letters = ["a", "b", "c"]
        if current.retry_count == 0:
            raise RuntimeError("the first attempt fails")
        self.next(self.outer, foreach="letters")

    @step
    def outer(self):
        self.letter = self.input
        self.pair = [1, 2]
        self.next(self.leaf, foreach="pair")

    @step
    def leaf(self):
        self.value = f"{self.letter}{self.input}"
        self.next(self.join_inner)

    @step
    def join_inner(self, inputs):
        self.values = [i.value for i in inputs]
        self.next(self.join)

    @step
    def join(self, inputs):
        self.values = [v for i in inputs for v in i.values]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ForeachItemsFlow()
