from metaflow import FlowSpec, Parameter, project, step, trigger


@project(name="shop")
@trigger(events=[{"name": "orders.ready", "parameters": ["day"]}, "stock.ready"])
class TwoEventsFlow(FlowSpec):
    """Starts once both events have arrived."""

    day = Parameter("day", default="today")

    @step
    def start(self):
        self.seen_day = self.day
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TwoEventsFlow()
