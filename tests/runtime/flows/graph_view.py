"""A flow that reads its own graph inside its tasks (``self._graph``, ``self._current_step``)."""

from metaflow import FlowSpec, step


class GraphViewFlow(FlowSpec):
    @step
    def start(self):
        self.seen = [(self._current_step, self._graph[self._current_step].type)]
        self.next(self.left, self.right)

    @step
    def left(self):
        self.items = [1, 2]
        self.seen = [*self.seen, (self._current_step, self._graph["left"].foreach_param)]
        self.next(self.each, foreach="items")

    @step
    def each(self):
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.seen = [*inputs[0].seen, (self._current_step, sorted(self._graph["gather"].in_funcs))]
        self.next(self.meet)

    @step
    def right(self):
        self.choice = "fast"
        self.next({"fast": self.fast, "slow": self.slow}, condition="choice")

    @step
    def fast(self):
        self.next(self.rejoin)

    @step
    def slow(self):
        self.next(self.rejoin)

    @step
    def rejoin(self):
        self.next(self.meet)

    @step
    def meet(self, inputs):
        self.merge_artifacts(inputs, exclude=["seen", "choice", "items"])
        self.seen = [inputs.gather.seen, self._graph["right"].switch_cases]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    GraphViewFlow()
