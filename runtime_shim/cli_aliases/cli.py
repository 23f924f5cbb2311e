"""``metaflow.cli``: ``start``, the flow file's top-level command group."""

from runtime_shim.cli_aliases import forwarding

__getattr__ = forwarding("flowc.flowcli.start")
