"""``metaflow.cli_components``: the verbs' modules."""

from runtime_shim.cli_aliases import forwarding

__getattr__ = forwarding(
    "flowc.flowcli.run_cmds", {"run_cmds": "runtime_shim.cli_aliases.run_cmds"}
)
