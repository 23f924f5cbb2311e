"""What every verb of a flow file's command line knows about the flow it was started for.

The top-level group (Metaflow's ``start``) parses the top-level options and stores one
``FlowContext`` as the click context's object; a verb reads it with ``flow_context()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click


@dataclass
class FlowContext:
    flow_file: str
    """Absolute path of the flow file."""
    flow_class: str
    """The FlowSpec subclass the file's ``__main__`` instantiated."""
    datastore_root: str | None = None
    """The datastore URL from ``--datastore``/``--datastore-root``; ``None``: the default."""
    quiet: bool = False
    top_options: dict[str, object] = field(default_factory=dict)
    """Every top-level option by its parameter name, as parsed (for verbs that pass them on)."""

    @property
    def flow_name(self) -> str:
        return self.flow_class


def flow_context() -> FlowContext:
    """The current command's ``FlowContext``; a verb run outside the group is a bug."""
    found = click.get_current_context().find_object(FlowContext)
    if found is None:
        raise RuntimeError("a flow verb ran outside the flow's command group")
    return found
