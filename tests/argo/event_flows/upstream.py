"""A plain flow whose finished runs start DownstreamFlow."""

from metaflow import FlowSpec, step


class UpstreamFlow(FlowSpec):
    """Makes a number for the next flow."""

    @step
    def start(self):
        self.number = 41
        self.next(self.end)

    @step
    def end(self):
        self.number += 1


if __name__ == "__main__":
    UpstreamFlow()
