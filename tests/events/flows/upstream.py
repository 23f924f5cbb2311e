from metaflow import FlowSpec, step


class UpstreamFlow(FlowSpec):
    @step
    def start(self):
        self.value = 41
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    UpstreamFlow()
