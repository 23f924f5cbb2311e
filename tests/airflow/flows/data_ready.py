from metaflow import FlowSpec, Parameter, current, step, trigger


@trigger(event={"name": "data.ready", "parameters": {"count": "rows", "label": "label"}})
class DataReadyFlow(FlowSpec):
    """@trigger on a named asset: payload fields become typed parameters."""

    count = Parameter("count", type=int, default=1)
    label = Parameter("label", default="none")

    @step
    def start(self):
        self.seen = [self.count, self.label]
        event = current.trigger.event if current.trigger else None
        self.event = None if event is None else [event.name, event.id, event.type, event.payload]
        self.next(self.end)

    @step
    def end(self):
        self.end_sees_trigger = current.trigger is not None


if __name__ == "__main__":
    DataReadyFlow()
