"""Started by the event data.ready: its fields fill two parameters."""

from metaflow import FlowSpec, Parameter, current, step, trigger


@trigger(event={"name": "data.ready", "parameters": {"alpha": "value", "label": "tag"}})
class TriggeredFlow(FlowSpec):
    """Started by the event data.ready."""

    alpha = Parameter("alpha", default=1, type=int)
    label = Parameter("label", default="none")
    size = Parameter("size", default=7, type=int)

    @step
    def start(self):
        self.seen = [(e.name, e.type, e.id, dict(e.payload)) for e in current.trigger.events]
        self.next(self.end)

    @step
    def end(self):
        self.end_seen = current.trigger.event.name


if __name__ == "__main__":
    TriggeredFlow()
