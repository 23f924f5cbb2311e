from flowc import FlowSpec, kubernetes, resources, step


class PodSettingsFlow(FlowSpec):
    """Every pod field @kubernetes maps on Airflow's Kubernetes operator."""

    @kubernetes(
        node_selector={"pool": "train"},
        tolerations=[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
        service_account="trainer",
        labels={"team": "fraud"},
        annotations={"owner": "ada {not jinja}"},
        persistent_volume_claims={"data-pvc": "/mnt/data"},
        image_pull_policy="IfNotPresent",
        image_pull_secrets=["registry-creds"],
        shared_memory=256,
    )
    @step
    def start(self):
        self.value = 1
        self.next(self.end)

    @resources(shared_memory=128)
    @step
    def end(self):
        print(self.value)


if __name__ == "__main__":
    PodSettingsFlow()
