from metaflow import (
    FlowSpec,
    catch,
    environment,
    resources,
    retry,
    schedule,
    step,
    timeout,
)


@schedule(daily=True)
class DecoratorsFlow(FlowSpec):
    """Step decorators that every target maps."""

    @environment(vars={"GREETING": "hi there"})
    @resources(cpu=1, memory=512)
    @step
    def start(self):
        import os

        self.greeting = os.environ.get("GREETING")
        self.next(self.fragile)

    @catch(var="failure")
    @retry(times=1, minutes_between_retries=0)
    @timeout(seconds=60)
    @step
    def fragile(self):
        self.attempted = True
        raise ValueError("always fails")
        self.next(self.end)

    @step
    def end(self):
        self.result = {
            "greeting": self.greeting,
            "caught": self.failure is not None,
        }


if __name__ == "__main__":
    DecoratorsFlow()
