"""Importing a flow file inside a task, with ``metaflow`` resolving to the shim's API."""

from __future__ import annotations

import importlib.util
import os
import sys
import types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# The ``metaflow`` module paths flowc provides: one line per path, ``"metaflow.X": module``.
# ``runtime_shim.aliases`` resolves them lazily (and nothing else under ``metaflow``);
# ``flowc check`` accepts exactly these paths and the names their modules export
# (``__all__``). A prefix of a path (``metaflow.plugins.cards``) needs no line of its own.
_ALIASES = {
    "metaflow": "runtime_shim.metaflow_compat",
    "metaflow.exception": "runtime_shim.exceptions",
    "metaflow.parameters": "runtime_shim.parameters",
    "metaflow.cards": "runtime_shim.cards",
    "metaflow.events": "runtime_shim.events",
    "metaflow.integrations": "runtime_shim.integrations",
    "metaflow.plugins.argo.argo_events": "runtime_shim.argo_events",
    "metaflow.decorators": "runtime_shim.compat.decorators",
    "metaflow.metaflow_current": "runtime_shim.current",
    "metaflow.util": "runtime_shim.compat.util",
    "metaflow.includefile": "runtime_shim.compat.includefile",
    "metaflow.metaflow_config": "runtime_shim.compat.metaflow_config",
    "metaflow.plugins": "runtime_shim.compat.plugins",
    "metaflow.unbounded_foreach": "runtime_shim.unbounded_foreach",
    "metaflow.plugins.frameworks": "runtime_shim.compat.frameworks",
    "metaflow.plugins.frameworks.pytorch": "runtime_shim.compat.frameworks.pytorch",
    "metaflow.cli": "flowc.flowcli.start",
    "metaflow.cli_components.run_cmds": "flowc.flowcli.run_cmds",
    "metaflow._vendor.click": "click",
    "metaflow.runner": "flowc.flowcli.runner",
    "metaflow.runner.click_api": "flowc.flowcli.click_api",
    "metaflow.runner.metaflow_runner": "flowc.flowcli.runner",
    "metaflow.runner.deployer": "flowc.deploy.deployer",
    "metaflow.client": "flowc.client",
    "metaflow.plugins.cards": "runtime_shim.cards",
    "metaflow.plugins.cards.exception": "runtime_shim.cards.exception",
    "metaflow.plugins.cards.card_client": "runtime_shim.cards.client",
    "metaflow.plugins.cards.card_modules": "runtime_shim.cards",
    "metaflow.plugins.cards.card_modules.card": "runtime_shim.cards.base",
    "metaflow.plugins.cards.card_modules.basic": "runtime_shim.cards.builtin",
    "metaflow.plugins.cards.card_modules.components": "runtime_shim.cards.components",
    "metaflow.plugins.cards.card_modules.test_cards": "runtime_shim.cards.test_cards",
    "metaflow.plugins.catch_decorator": "runtime_shim.catch_decorator",
    "metaflow.plugins.timeout_decorator": "runtime_shim.timeout_decorator",
    "metaflow.user_decorators.user_step_decorator": "runtime_shim.user_decorators",
    "metaflow.user_decorators.user_flow_decorator": "runtime_shim.user_decorators",
    "metaflow.user_decorators.mutable_step": "runtime_shim.mutable",
    "metaflow.user_decorators.mutable_flow": "runtime_shim.mutable",
}


def install_metaflow_alias() -> None:
    """Make ``import metaflow`` (and its submodules) load the shim's modules.

    Always installed, even when Metaflow itself is importable: a flow run by flowc must
    use flowc's semantics and datastore.
    """
    from runtime_shim.aliases import install

    install()


def load_flow_class(path: str, flow: str | None) -> type[Any]:
    """Import ``path`` as a module named after the file and return the flow class."""

    install_metaflow_alias()
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = os.path.splitext(os.path.basename(path))[0]
    module = sys.modules.get(name)
    if module is None or os.path.abspath(getattr(module, "__file__", "") or "") != path:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import flow file {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            # A half-imported flow must not be reused (the fork server preloads flows).
            sys.modules.pop(name, None)
            raise
    return find_flow_class(module, flow, path)


def find_flow_class(module: types.ModuleType, flow: str | None, path: str) -> type[Any]:
    from runtime_shim.flowspec import FlowSpec
    from runtime_shim.user_decorators import flow_class_of

    if flow:
        cls = flow_class_of(getattr(module, flow, None))
        if not (isinstance(cls, type) and issubclass(cls, FlowSpec)):
            raise LookupError(f"{path} defines no FlowSpec subclass named {flow!r}")
        return cls
    found = [
        v
        for v in map(flow_class_of, vars(module).values())
        if isinstance(v, type)
        and issubclass(v, FlowSpec)
        and v is not FlowSpec
        and v.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise LookupError(f"{path} defines {len(found)} flows; name one with --flow")
    return found[0]
