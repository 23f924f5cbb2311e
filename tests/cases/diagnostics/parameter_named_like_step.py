from metaflow import FlowSpec, Parameter, step


class ParameterNamedLikeStepFlow(FlowSpec):
    train = Parameter("train_size", default=1)  # E: FC204 "parameter `train` and step `train` share"

    @step
    def start(self):
        self.next(self.train)

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
