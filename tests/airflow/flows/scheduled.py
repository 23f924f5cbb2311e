from flowc import FlowSpec, project, schedule, step


@project(name="demo")
@schedule(cron="30 6 * * 1-5", timezone="Europe/Berlin")
class ScheduledFlow(FlowSpec):
    """Runs on weekday mornings, Berlin time."""

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
