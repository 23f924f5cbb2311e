import functools

from metaflow import FlowSpec, catch, environment, project, retry, schedule, step, timeout

LIMIT = 3


@schedule(daily=True, cron="0 * * * *")  # E: FC208[decorator-arg-conflict] "@schedule takes one of hourly, daily,"
@retry(times=2)  # E: FC210 "@retry belongs on a step method, not on a"
class DecoratorsBadFlow(FlowSpec):
    @retry(times=LIMIT)  # W: FC201 "@retry(times=...) is not a literal; kept"
    @timeout(minuts=5)  # E: FC206 "@timeout has no argument `minuts`"
    @step
    def start(self):
        self.next(self.a)

    @functools.lru_cache  # W: FC203 "decorator `functools.lru_cache` is not"
    @catch(var="not an identifier")  # E: FC208[decorator-arg-kind] "@catch(var=...): 'not an identifier' is"
    @step
    def a(self):
        self.next(self.b)

    @retry(times=-1)  # E: FC208[decorator-arg-range] "@retry(times=...): -1 is out of range; it"
    @retry(times=1)  # E: FC207 "@retry is applied more than once"
    @step
    def b(self):
        self.next(self.c)

    @project(name="x")  # E: FC210 "@project belongs on a flow class, not on a"
    @environment(vars={"A": [1]})  # E: FC208[decorator-arg-kind] "@environment(vars=...): [1] is not a"
    @timeout(5)  # E: FC208[positional-decorator-arg] "@timeout takes keyword arguments only"
    @step
    def c(self):
        self.next(self.end)

    @step
    def end(self):
        pass
