from metaflow import FlowSpec, step


class MissingEndFlow(FlowSpec):  # E: FC109 "the flow `MissingEndFlow` has no end step"
    @step
    def start(self):
        self.next(self.finish)

    @step
    def finish(self):  # E: FC102 "step `finish` does not end with"
        pass
