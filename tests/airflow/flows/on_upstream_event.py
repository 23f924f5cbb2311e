from metaflow import FlowSpec, Parameter, current, step, trigger


@trigger(event={"name": "metaflow.UpstreamFlow.end", "parameters": {"upstream_run": "run_id"}})
class OnUpstreamEventFlow(FlowSpec):
    """@trigger on the upstream's finished-run asset: a payload field fills a parameter."""

    upstream_run = Parameter("upstream_run", default="none")

    @step
    def start(self):
        self.seen_run = self.upstream_run
        self.event_id = current.trigger.event.id if current.trigger else None
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    OnUpstreamEventFlow()
