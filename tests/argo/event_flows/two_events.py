"""Waits for two events; one of them must carry the required parameter's field."""

from metaflow import FlowSpec, Parameter, current, step, trigger


@trigger(
    events=[{"name": "model.trained", "parameters": ["model"]}, "data.ready"],
    options={"reset_at": {"cron": "0 0 * * *", "timezone": "Europe/Paris"}},
)
class TwoEventsFlow(FlowSpec):
    """Started once both events have arrived."""

    model = Parameter("model", required=True)

    @step
    def start(self):
        self.names = sorted(e.name for e in current.trigger.events)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TwoEventsFlow()
