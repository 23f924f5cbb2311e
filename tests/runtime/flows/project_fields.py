from metaflow import FlowSpec, current, project, step

FIELDS = ("project_name", "branch_name", "is_user_branch", "is_production", "project_flow_name")


@project(name="deploy_check")
class ProjectFieldsFlow(FlowSpec):
    """Every task records what ``current`` says of the deployment it runs in."""

    def record(self):
        self.fields = {name: getattr(current, name) for name in FIELDS}

    @step
    def start(self):
        self.record()
        self.items = [1, 2]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.record()
        self.next(self.join)

    @step
    def join(self, inputs):
        self.record()
        self.next(self.end)

    @step
    def end(self):
        self.record()
