from flowc import (
    FlowSpec,
    card,
    environment,
    kubernetes,
    project,
    resources,
    retry,
    schedule,
    secrets,
    step,
    timeout,
)


@schedule(cron="0 6 * * 1-5", timezone="Europe/Paris")
@project(name="fraud_model")
class AllDecoratorsFlow(FlowSpec):
    """Every decorator Argo maps, and @card, which the shim renders inside the task."""

    @kubernetes(
        image="registry.example.com/train:1.2",
        service_account="trainer",
        node_selector={"pool": "gpu"},
        cpu=2,
        memory=8192,
        tolerations=[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
        secrets=["db-creds"],
        image_pull_policy="Always",
        labels={"team": "fraud"},
        annotations={"owner": 'Ada "ML" Lovelace'},
    )
    @resources(gpu=2, memory=16000, disk=20000)
    @secrets(sources=["api-key"])
    @retry(times=3, minutes_between_retries=1)
    @timeout(minutes=5, seconds=30)
    @environment(vars={"MODE": "train"})
    @step
    def start(self):
        self.next(self.end)

    @card(refresh_interval=1)
    @step
    def end(self):
        pass


if __name__ == "__main__":
    AllDecoratorsFlow()
