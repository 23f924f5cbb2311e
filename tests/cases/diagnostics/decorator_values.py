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
    cron="0 3 * *",  # E: FC208[decorator-arg-kind] "@schedule(cron=...): '0 3 * *' has 4"
    timezone="Mars/Olympus",  # E: FC208[decorator-arg-kind] "@schedule(timezone=...): 'Mars/Olympus' is"
)
@trigger(event="a", events=["b"])  # E: FC208[decorator-arg-conflict] "@trigger takes one of event, events, not"
@exit_hook(on_success=["notify"])
@exit_hook(on_error=["page"])
class DecoratorValuesFlow(FlowSpec):
    @timeout(seconds=1.5)  # E: FC208[decorator-arg-kind] "@timeout(seconds=...): 1.5 is not a whole"
    @card
    @card(type="blank", id="summary")
    @step
    def start(self):
        self.next(self.a)

    @timeout(seconds=-5)  # E: FC208[decorator-arg-range] "@timeout(seconds=...): -5 is out of range;"
    @retry(times="three")  # E: FC208[decorator-arg-kind] "@retry(times=...): 'three' is not a"
    @step
    def a(self):
        self.next(self.b)

    @resources(memory="lots")  # E: FC208[decorator-arg-kind] "@resources(memory=...): 'lots' is not a"
    @secrets(sources="db-creds")  # E: FC208[decorator-arg-kind] "@secrets(sources=...): 'db-creds' is a"
    @batch(trainium=2, cpus=4)  # E: FC206 "@batch has no argument `cpus`"
    @step
    def b(self):
        self.next(self.c)

    @timeout  # E: FC208[decorator-rule] "@timeout needs a duration > 0 (seconds,"
    @retry(times=9)  # E: FC208[decorator-arg-range] "@retry(times=...): 9 is out of range; it"
    @batch(inferentia=1, trainium=2)  # E: FC208[repeated-decorator-arg] "@batch receives `inferentia` twice (as"
    @step
    def c(self):
        self.next(self.end)

    @step
    def end(self):
        pass
