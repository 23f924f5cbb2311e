"""``metaflow.runner.metaflow_runner``: ``Runner``, ``NBRunner``, ``ExecutingRun``."""

from runtime_shim.cli_aliases import forwarding

__getattr__ = forwarding("flowc.flowcli.runner")
