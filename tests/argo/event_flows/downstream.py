"""Started when a run of UpstreamFlow finishes; reads that run's artifacts."""

from metaflow import FlowSpec, current, step, trigger_on_finish


@trigger_on_finish(flow="UpstreamFlow")
class DownstreamFlow(FlowSpec):
    """Reads the number UpstreamFlow made."""

    @step
    def start(self):
        run = current.trigger.run
        self.upstream = run.pathspec
        self.number = run.data.number
        self.event = (current.trigger.event.name, current.trigger.event.type)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    DownstreamFlow()
