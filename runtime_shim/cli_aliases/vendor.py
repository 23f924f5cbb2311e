"""``metaflow._vendor``: Metaflow's vendored libraries; ``click`` is the installed click."""

from runtime_shim.cli_aliases import forwarding

__getattr__ = forwarding("click", {"click": "click"})
