"""``metaflow.cli_components.run_cmds``: the ``run`` and ``resume`` commands."""

from runtime_shim.cli_aliases import forwarding

__getattr__ = forwarding("flowc.flowcli.run_cmds")
