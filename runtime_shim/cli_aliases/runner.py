"""``metaflow.runner``: ``Runner`` and ``NBRunner`` and the click API."""

from runtime_shim.cli_aliases import forwarding

__getattr__ = forwarding(
    "flowc.flowcli.runner",
    {
        "click_api": "runtime_shim.cli_aliases.click_api",
        "metaflow_runner": "runtime_shim.cli_aliases.metaflow_runner",
    },
)
