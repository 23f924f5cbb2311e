from metaflow import FlowSpec, step


class SwitchOneCaseFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        self.next({"a": self.end}, condition="mode")  # E: FC119 "the switch in step `start` has 1 case(s);"

    @step
    def end(self):
        pass
