from metaflow import FlowSpec, step


class JoinsFlow(FlowSpec):
    """Join semantics: inputs by name, attribute access, merge_artifacts rules."""

    @step
    def start(self):
        self.shared = "from start"
        self.x = 1
        self.next(self.a, self.b)

    @step
    def a(self):
        self.x = 10
        self.only_a = "a"
        self.next(self.join_ab)

    @step
    def b(self):
        self.x = 20
        self.only_b = "b"
        self.next(self.join_ab)

    @step
    def join_ab(self, inputs):
        self.by_name = [inputs.a.x, inputs.b.x]
        self.in_order = sorted(i.x for i in inputs)
        self.x = max(i.x for i in inputs)
        self.merge_artifacts(inputs)
        self.next(self.fan)

    @step
    def fan(self):
        self.items = ["p", "q", "r"]
        self.next(self.each, foreach="items")

    @step
    def each(self):
        self.tag = self.input.upper()
        self.position = self.index
        self.stack = [list(f[:2]) for f in self.foreach_stack()]
        self.next(self.join_each)

    @step
    def join_each(self, inputs):
        self.tags = [i.tag for i in inputs]
        self.positions = [i.position for i in inputs]
        self.merge_artifacts(inputs, exclude=["tag", "position", "stack"])
        self.next(self.end)

    @step
    def end(self):
        self.result = {
            "x": self.x,
            "shared": self.shared,
            "only": [self.only_a, self.only_b],
            "tags": self.tags,
            "positions": self.positions,
            "items": self.items,
        }


if __name__ == "__main__":
    JoinsFlow()
