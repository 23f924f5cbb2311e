from metaflow import FlowSpec, step


class BrokenFlow(FlowSpec):
    """The end step raises, so the run fails with an exception the client can show."""

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        raise KeyError("Something has gone wrong")


if __name__ == "__main__":
    BrokenFlow()
