"""A flow file's command line as Python calls (Metaflow's ``metaflow.runner.click_api``).

``MetaflowAPI.from_cli(flow_file, start)(**top_options).run(**run_options)`` returns the
command line (``[flow_file, --metadata, local, run, --max-workers, 4, --alpha, 3]``) that
``Runner`` executes; the keyword names are the click parameter names of ``start`` and of
the verb, plus the flow's Parameters for ``run`` (read from the file, never imported).
``extract_all_params(command)`` is the introspection tools use to build those keywords.
"""

from __future__ import annotations

import datetime
import inspect
import json
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import click

from flowc.flowcli.context import FlowContext

__all__ = ["MetaflowAPI", "click_to_python_types", "extract_all_params"]


class JSON:
    """The Python type of a JSON-valued option (a JSONType Parameter)."""


click_to_python_types: dict[type[Any], type[Any]] = {
    click.types.StringParamType: str,
    click.types.IntParamType: int,
    click.types.IntRange: int,
    click.types.FloatParamType: float,
    click.types.FloatRange: float,
    click.types.BoolParamType: bool,
    click.types.UUIDParameterType: uuid.UUID,
    click.types.Path: str,
    click.types.DateTime: datetime.datetime,
    click.types.Tuple: tuple,
    click.types.Choice: str,
    click.types.File: str,
}
"""Click parameter type -> the Python type its keyword takes."""


def _annotation(param: click.Parameter) -> Any:
    py_type = click_to_python_types.get(type(param.type), str)
    if param.multiple or param.nargs > 1:
        return list[py_type]  # type: ignore[valid-type]
    return py_type


def extract_all_params(
    cmd_obj: click.Command,
) -> tuple[
    OrderedDict[str, inspect.Parameter],
    OrderedDict[str, click.Argument],
    OrderedDict[str, click.Option],
    OrderedDict[str, Any],
    OrderedDict[str, Any],
]:
    """(signature parameters, arguments, options, annotations, defaults) by click name."""
    signature: OrderedDict[str, inspect.Parameter] = OrderedDict()
    arguments: OrderedDict[str, click.Argument] = OrderedDict()
    options: OrderedDict[str, click.Option] = OrderedDict()
    annotations: OrderedDict[str, Any] = OrderedDict()
    defaults: OrderedDict[str, Any] = OrderedDict()
    for param in cmd_obj.params:
        name = param.name or ""
        annotations[name] = _annotation(param)
        defaults[name] = param.default
        if isinstance(param, click.Argument):
            arguments[name] = param
        elif isinstance(param, click.Option):
            options[name] = param
    for name in [*arguments, *options]:
        kind = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD
            if name in arguments
            else inspect.Parameter.KEYWORD_ONLY
        )
        default = defaults[name]
        signature[name] = inspect.Parameter(
            name,
            kind,
            default=None if callable(default) else default,
            annotation=annotations[name],
        )
    return signature, arguments, options, annotations, defaults


def command_words(cmd_obj: click.Command, values: dict[str, Any]) -> list[str]:
    """``values`` (keyword -> Python value) as ``cmd_obj``'s command-line words.

    An unknown keyword or a missing required argument is a ``ValueError``, as in Metaflow.
    """
    _, arguments, options, _, _ = extract_all_params(cmd_obj)
    unknown = [name for name in values if name not in arguments and name not in options]
    if unknown:
        possible = ", ".join([*arguments, *options])
        raise ValueError(f"Unknown argument: '{unknown[0]}', possible args are: {possible}")
    words: list[str] = []
    for name, option in options.items():
        if name not in values or values[name] is None:
            if option.required:
                raise ValueError(f"Missing argument: {name} is required.")
            continue
        words += _option_words(option, values[name])
    for name, argument in arguments.items():
        value = values.get(name)
        if value is None:
            if argument.required:
                raise ValueError(f"Missing argument: {name} is required.")
            continue
        words += [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    return words


def _option_words(option: click.Option, value: Any) -> list[str]:
    flag = option.opts[0]
    if option.is_flag and not option.multiple:
        if value:
            return [flag]
        return [option.secondary_opts[0]] if option.secondary_opts else []
    items = list(value) if option.multiple and isinstance(value, (list, tuple)) else [value]
    words: list[str] = []
    for item in items:
        words.append(flag)
        if isinstance(item, tuple) and option.nargs > 1:
            words += [_text(part) for part in item]
        else:
            words.append(_text(item))
    return words


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def flow_parameter_options(flow_file: str) -> list[click.Option]:
    """The flow's Parameters as click options of ``run`` (from the file's IR)."""
    from flowc.compiler import analyze_file

    ir = analyze_file(flow_file).ir
    if ir is None:
        return []
    found = []
    for p in ir.parameters:
        attribute = p.name.replace("-", "_").lower()
        if p.type == "bool":
            found.append(
                click.Option([f"--{p.name}/--no-{p.name}", attribute], default=None, is_flag=True)
            )
        else:
            kind = {"int": click.INT, "float": click.FLOAT}.get(p.type, click.STRING)
            found.append(click.Option([f"--{p.name}", attribute], type=kind, default=None))
    return found


class MetaflowAPI:
    """One link of a command line: the flow file with its top-level options, then verbs."""

    def __init__(self, flow_file: str, group: click.Command, words: list[str]) -> None:
        self._flow_file = flow_file
        self._group = group
        self._words = words

    @classmethod
    def from_cli(cls, flow_file: str, cli_collection: click.Command) -> Callable[..., MetaflowAPI]:
        """A callable taking the top-level options (``metadata=``, ``quiet=``, ...)."""

        def top_level(**kwargs: Any) -> MetaflowAPI:
            return cls(
                flow_file, cli_collection, [flow_file, *command_words(cli_collection, kwargs)]
            )

        top_level.__name__ = cli_collection.name or "start"
        top_level.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            list(extract_all_params(cli_collection)[0].values())
        )
        return top_level

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        group = self._group
        verb = None
        if isinstance(group, click.Group):
            context = click.Context(group, obj=FlowContext(self._flow_file, ""))
            verb = group.get_command(context, name) or group.get_command(
                context, name.replace("_", "-")
            )
        if verb is None:
            raise AttributeError(f"{self._flow_file} has no command {name!r}")
        command = verb

        def call(**kwargs: Any) -> Any:
            target = command
            if command.name == "run":
                target = click.Command(
                    "run", params=[*command.params, *flow_parameter_options(self._flow_file)]
                )
            words = [*self._words, command.name or name, *command_words(target, kwargs)]
            if isinstance(command, click.Group):
                return MetaflowAPI(self._flow_file, command, words)
            return words

        call.__name__ = name
        return call
