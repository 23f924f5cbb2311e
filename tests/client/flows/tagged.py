from metaflow import FlowSpec, Task, current, project, retry, step


@project(name="clienttests")
class TaggedFlow(FlowSpec):
    """Every foreach task tags the run while it runs; one step succeeds on its second try."""

    @step
    def start(self):
        self.items = list(range(6))
        self.my_id = current.task_id
        self.next(self.work, foreach="items")

    @step
    def work(self):
        Task(current.pathspec).parent.parent.add_tag(f"worker-{self.input}")
        self.my_id = current.task_id
        print(f"work {self.input}")
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.input for i in inputs)
        self.next(self.flaky)

    @retry(times=2, minutes_between_retries=0)
    @step
    def flaky(self):
        print(f"attempt {current.retry_count}")
        if current.retry_count == 0:
            raise RuntimeError("first attempt fails")
        self.next(self.end)

    @step
    def end(self):
        self.my_id = current.task_id


if __name__ == "__main__":
    TaggedFlow()
