import functools

from metaflow import FlowSpec, catch, environment, project, retry, schedule, step, timeout

LIMIT = 3


@schedule(daily=True, cron="0 * * * *")  # E: FC208
@retry(times=2)  # E: FC210
class DecoratorsBadFlow(FlowSpec):
    @retry(times=LIMIT)  # W: FC201
    @timeout(minuts=5)  # E: FC206
    @step
    def start(self):
        self.next(self.a)

    @functools.lru_cache  # W: FC203
    @catch(var="not an identifier")  # E: FC208
    @step
    def a(self):
        self.next(self.b)

    @retry(times=-1)  # E: FC208
    @retry(times=1)  # E: FC207
    @step
    def b(self):
        self.next(self.c)

    @project(name="x")  # E: FC210
    @environment(vars={"A": [1]})  # E: FC208
    @timeout(5)  # E: FC208
    @step
    def c(self):
        self.next(self.end)

    @step
    def end(self):
        pass
