"""Started by data.ready (its 'alpha' field fills alpha) or by hand (no trigger)."""

from metaflow import FlowSpec, Parameter, current, step, trigger


@trigger(event="data.ready")
class OptionalTriggerFlow(FlowSpec):
    """Records whether an event started it."""

    alpha = Parameter("alpha", default=1, type=int)

    @step
    def start(self):
        self.triggered = current.trigger is not None
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    OptionalTriggerFlow()
