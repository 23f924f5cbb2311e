from metaflow import (
    FlowSpec,
    batch,
    card,
    exit_hook,
    resources,
    retry,
    schedule,
    secrets,
    step,
    timeout,
    trigger,
)


@schedule(
    cron="0 3 * *",  # E: FC208
    timezone="Mars/Olympus",  # E: FC208
)
@trigger(event="a", events=["b"])  # E: FC208
@exit_hook(on_success=["notify"])
@exit_hook(on_error=["page"])
class DecoratorValuesFlow(FlowSpec):
    @timeout(seconds=1.5)  # E: FC208
    @card
    @card(type="blank", id="summary")
    @step
    def start(self):
        self.next(self.a)

    @timeout(seconds=-5)  # E: FC208
    @retry(times="three")  # E: FC208
    @step
    def a(self):
        self.next(self.b)

    @resources(memory="lots")  # E: FC208
    @secrets(sources="db-creds")  # E: FC208
    @batch(trainium=2, cpus=4)  # E: FC206
    @step
    def b(self):
        self.next(self.c)

    @timeout  # E: FC208
    @retry(times=9)  # E: FC208
    @batch(inferentia=1, trainium=2)  # E: FC208
    @step
    def c(self):
        self.next(self.end)

    @step
    def end(self):
        pass
