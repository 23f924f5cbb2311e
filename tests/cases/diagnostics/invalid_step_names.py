from metaflow import FlowSpec, step


class InvalidStepNamesFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.Train, self._hidden)

    @step
    def Train(self):  # E: FC107 "step name `Train` must use only lowercase"
        self.next(self.join)

    @step
    def _hidden(self):  # E: FC107 "step name `_hidden` must use only"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
