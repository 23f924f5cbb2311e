from metaflow import FlowSpec, Parameter, current, project, step


@project(name="fields")
class CurrentFieldsFlow(FlowSpec):
    alpha = Parameter("alpha", default=1)

    @step
    def start(self):
        self.seen = {
            name: getattr(current, name)
            for name in (
                "flow_name",
                "run_id",
                "step_name",
                "task_id",
                "retry_count",
                "origin_run_id",
                "namespace",
                "username",
                "project_name",
                "branch_name",
                "is_user_branch",
                "is_production",
                "project_flow_name",
                "is_running_flow",
                "parameter_names",
                "trigger",
                "pathspec",
            )
        }
        self.tags = current.tags
        self.task_pathspec = current.task.pathspec
        self.run_pathspec = current.run.pathspec
        self.has_project = "project_name" in current
        self.next(self.end)

    @step
    def end(self):
        self.end_pathspec = current.pathspec


if __name__ == "__main__":
    CurrentFieldsFlow()
