"""A click group whose commands are named in a table and imported only when used.

Both command lines use it: ``flowc`` (``flowc.cli.COMMANDS``) and a flow file's own
(``flowc.flowcli.start.VERBS``). ``--help`` reads the one-line help from the table, so it
imports no command; a command whose module is not installed is simply not listed.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

# command name -> ("module:attribute", one-line help)
CommandTable = dict[str, tuple[str, str]]


def load_command(table: CommandTable, name: str) -> click.Command | None:
    target = table.get(name)
    if target is None:
        return None
    module_name, _, attribute = target[0].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    command: click.Command | None = getattr(module, attribute, None)
    return command


class LazyGroup(click.Group):
    """Subclass with ``table`` set to the command table; ``optional`` names the commands
    whose module may be missing (looking one up imports its parent package, which
    ``flowc --help`` must not do for its own commands)."""

    table: CommandTable = {}
    optional: frozenset[str] = frozenset()

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        return [name for name in sorted(self.table) if self._installed(name)]

    def _installed(self, name: str) -> bool:
        if name not in self.optional:
            return True
        return importlib.util.find_spec(self.table[name][0].partition(":")[0]) is not None

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        return load_command(self.table, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.table[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
