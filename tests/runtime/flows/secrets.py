import os

from metaflow import FlowSpec, secrets, step


class SecretsFlow(FlowSpec):
    @secrets(
        sources=[
            {"type": "inline", "id": "1", "options": {"env_vars": {"INLINE_SECRET": "pizza"}}},
            "aws-secrets-manager.db-credentials",
        ]
    )
    @step
    def start(self):
        self.inline = os.environ["INLINE_SECRET"]
        self.user = os.environ["db_user"]  # noqa: SIM112 - the secret's own key
        self.next(self.end)

    @step
    def end(self):
        # Secrets are the decorated step's only.
        self.leaked = "INLINE_SECRET" in os.environ


if __name__ == "__main__":
    SecretsFlow()
