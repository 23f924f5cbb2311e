from metaflow import FlowSpec, step


class ForeachMultistepFlow(FlowSpec):
    """A foreach body of three steps."""

    @step
    def start(self):
        self.numbers = [3, 1, 4]
        self.next(self.square, foreach="numbers")

    @step
    def square(self):
        self.value = self.input * self.input
        self.next(self.plus_one)

    @step
    def plus_one(self):
        self.value += 1
        self.next(self.label)

    @step
    def label(self):
        self.text = f"{self.index}:{self.value}"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.texts = [i.text for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.result = {"texts": self.texts}


if __name__ == "__main__":
    ForeachMultistepFlow()
