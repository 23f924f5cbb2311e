from metaflow import FlowSpec, step


class OrphanFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def lonely(self):  # E: FC114 "step `lonely` cannot be reached from"
        self.next(self.end)

    @step
    def end(self):
        pass
