"""``metaflow.runner.click_api``: ``MetaflowAPI``, ``extract_all_params``, type map."""

from runtime_shim.cli_aliases import forwarding

__getattr__ = forwarding("flowc.flowcli.click_api")
