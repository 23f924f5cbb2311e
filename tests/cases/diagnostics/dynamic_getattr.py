from metaflow import FlowSpec, step


class DynamicGetattrFlow(FlowSpec):
    @step
    def start(self):
        self.next(getattr(self, "e" + "nd"))  # E: FC104 "transition target `getattr(self,"

    @step
    def end(self):
        pass
