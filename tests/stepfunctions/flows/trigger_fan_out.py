"""Started by data.ready; the tasks of a foreach and of a static branch read the event."""

from metaflow import FlowSpec, current, step, trigger


@trigger(event="data.ready")
class TriggerFanOutFlow(FlowSpec):
    """Every task records the event that started the run."""

    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.each, foreach="items")

    @step
    def each(self):
        self.seen = current.trigger.event.id
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.seen = sorted(i.seen for i in inputs)
        self.next(self.fork)

    @step
    def fork(self):
        self.next(self.left, self.right)

    @step
    def left(self):
        self.side = current.trigger.event.id
        self.next(self.join)

    @step
    def right(self):
        self.side = current.trigger.event.id
        self.next(self.join)

    @step
    def join(self, inputs):
        self.sides = sorted(i.side for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TriggerFanOutFlow()
