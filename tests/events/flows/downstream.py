from metaflow import FlowSpec, current, step, trigger_on_finish


@trigger_on_finish(flow="UpstreamFlow")
class DownstreamFlow(FlowSpec):
    @step
    def start(self):
        trigger = current.trigger
        self.triggered = trigger is not None
        if trigger is not None:
            self.event_names = [event.name for event in trigger.events]
            self.event_types = [event.type for event in trigger.events]
            self.event_id = trigger.event.id
            self.upstream_value = trigger.run.data.value
            self.by_name = trigger["UpstreamFlow"].id
        self.next(self.end)

    @step
    def end(self):
        self.end_sees_trigger = current.trigger is not None


if __name__ == "__main__":
    DownstreamFlow()
