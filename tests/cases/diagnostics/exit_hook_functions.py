from os.path import join as joined

from metaflow import FlowSpec, exit_hook, step

LIMIT = 3


def notify(run):
    pass


@exit_hook(on_success=[notify, joined, "hooks.page", "alarm"])
@exit_hook(on_success=notify)
@exit_hook(
    on_error=[
        LIMIT,  # E: FC208[decorator-arg-kind] "@exit_hook(on_error=...): `LIMIT` is not a"
        nowhere,  # noqa: F821  # E: FC208[decorator-arg-kind] "`nowhere` is not a module-level"
        notify,
        later,  # noqa: F821  # E: FC208[decorator-arg-kind] "imported name) defined above the"
    ]
)
class ExitHookFunctionsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


def later():
    pass
