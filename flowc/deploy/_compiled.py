"""Compile a flow file for a deploy target into memory: the same files ``flowc compile``
writes, plus the deployed name and parameters, so a flow with errors deploys nothing."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from flowc.deploy._model import CompiledDeployment, DeployError, EmittedFile, ParameterInfo


def compile_for_deploy(
    flow_file: str,
    target: str,
    *,
    flow_name: str | None = None,
    branch: str | None = None,
    production: bool = False,
    datastore_root: str | None = None,
    target_options: Mapping[str, str] | None = None,
) -> CompiledDeployment:
    """Compile ``flow_file`` for ``target``; diagnostics are printed to stderr and any
    error raises ``DeployError`` before an engine is contacted."""
    from flowc.commands._compile import (
        CompileError,
        CompileRequest,
        CompileUsageError,
        compile_flows,
    )

    with tempfile.TemporaryDirectory(prefix="flowc-deploy-") as workdir:
        request = CompileRequest(
            flows=(flow_file,),
            target=target,
            output_dir=workdir,
            flow_name=flow_name,
            datastore_root=datastore_root,
            target_options=dict(target_options or {}),
            branch=branch,
            production=production,
        )
        listing = io.StringIO()
        try:
            with contextlib.redirect_stdout(listing):
                code = compile_flows(request)
        except (CompileError, CompileUsageError) as exc:
            raise DeployError(str(exc)) from exc
        if code != 0:
            raise DeployError(f"{flow_file} has errors; nothing was deployed")
        files = tuple(_read_tree(workdir))
    ir = _flow_ir(flow_file, flow_name)
    return CompiledDeployment(
        target=target,
        flow_file=os.path.abspath(flow_file),
        flow_name=ir.name,
        deployed_name=_deployed_name(target, ir, branch, production, target_options or {}),
        files=files,
        parameters=tuple(_parameter_info(p) for p in ir.parameters),
        datastore_root=datastore_root,
        options=dict(target_options or {}),
    )


def _deployed_name(
    target: str,
    ir: Any,
    branch: str | None,
    production: bool,
    target_options: Mapping[str, str] | None = None,
) -> str:
    """The name the engine knows the flow by: ``PROJECT.BRANCH.FLOW`` for a ``@project``
    flow (spelt in the engine's rules), else the flow's name, as the backends emit it."""
    from backends.project import deployed_project, engine_name

    if target == "argo":
        from backends.argo._names import resource_name

        kind = str((target_options or {}).get("kind", "WorkflowTemplate"))
        return resource_name(ir, kind, branch, production)[0]

    from flowc.diagnostics import Severity

    project, problems = deployed_project(ir, branch, production)
    errors = [d.message for d in problems if d.severity is Severity.ERROR]
    if errors:
        # Without this, a bad branch would silently name the flow's unbranched deployment.
        raise DeployError("; ".join(errors))
    return engine_name(target, project.project_flow_name if project else ir.name)


def _read_tree(root: str) -> list[EmittedFile]:
    found: list[EmittedFile] = []
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, encoding="utf-8", newline="") as handle:
                found.append(EmittedFile(os.path.relpath(path, root), handle.read()))
    return sorted(found, key=lambda f: f.path)


def _flow_ir(flow_file: str, flow_name: str | None) -> Any:
    from flowc.commands._common import analyze_arguments

    batch = analyze_arguments((flow_file,), flow_name, None)
    irs = [a.ir for a in batch.analyses if a.ir is not None]
    if len(irs) != 1:
        raise DeployError(f"{flow_file} holds {len(irs)} flows; choose one with --flow")
    return irs[0]


def _parameter_info(parameter: Any) -> ParameterInfo:
    return ParameterInfo(
        name=parameter.name,
        type=str(getattr(parameter.type, "value", parameter.type)),
        required=bool(parameter.required),
        has_default=bool(parameter.has_default),
        default=parameter.default,
        default_source=parameter.default_source,
    )
