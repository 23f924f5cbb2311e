"""The Argo Workflows target: ``WorkflowTemplate``/``Workflow``/``CronWorkflow`` YAML.

``BACKEND.emit(ir, options)`` is pure and deterministic. ``encode_parameter_value`` gives
the form of a parameter value to pass at submit time (``argo submit -p name=...``) so
that Argo's templating leaves it alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from backends.argo._literals import encode_parameter_value
from backends.base import EmitResult, TargetOptions
from flowc.ir import FlowIR

__all__ = ["BACKEND", "ArgoBackend", "encode_parameter_value"]


@dataclass(frozen=True)
class ArgoBackend:
    name: str = "argo"

    def emit(self, ir: FlowIR, options: TargetOptions) -> EmitResult:
        from backends.argo._emit import emit

        return emit(ir, options)


BACKEND = ArgoBackend()
