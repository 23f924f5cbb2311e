"""A project flow waiting for the project's upstream flow on its own branch."""

from metaflow import FlowSpec, project, step, trigger_on_finish


@project(name="fraud")
@trigger_on_finish(flow="UpstreamFlow")
class ProjectDownstreamFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ProjectDownstreamFlow()
