from flowc import FlowSpec, step


class NameClashFlow(FlowSpec):
    """Step names that collide with the templates flowc adds (main, *-foreach, again)."""

    @step
    def start(self):
        self.items = [2, 3]
        self.next(self.main, foreach="items")

    @step
    def main(self):
        self.limit = self.input
        self.count = 0
        self.next(self.again)

    @step
    def again(self):
        self.count += 1
        self.choice = "more" if self.count < self.limit else "done"
        self.next({"more": self.again, "done": self.start_foreach}, condition="choice")

    @step
    def start_foreach(self):
        self.result = (self.limit, self.count)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.results = [i.result for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NameClashFlow()
