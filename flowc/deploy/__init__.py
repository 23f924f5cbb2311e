"""Deploying compiled flows to their engines and operating the runs there.

``compile_for_deploy`` compiles a flow file into memory; ``open_target`` connects to an
engine (``argo``, ``airflow``, ``stepfunctions``) with credentials from the usual places;
the returned ``DeployTarget`` deploys, triggers, reports status, terminates and deletes.
"""

from flowc.deploy._compiled import compile_for_deploy
from flowc.deploy._model import (
    CompiledDeployment,
    DeployConfigError,
    DeployError,
    DeployOutcome,
    DeployTarget,
    EmittedFile,
    ParameterInfo,
    ResourceChange,
    ResourceOutcome,
    RunState,
    RunStatus,
    TaskStatus,
    TriggeredRunRef,
)
from flowc.deploy._registry import TARGETS, open_target, target_class

__all__ = [
    "TARGETS",
    "CompiledDeployment",
    "DeployConfigError",
    "DeployError",
    "DeployOutcome",
    "DeployTarget",
    "EmittedFile",
    "ParameterInfo",
    "ResourceChange",
    "ResourceOutcome",
    "RunState",
    "RunStatus",
    "TaskStatus",
    "TriggeredRunRef",
    "compile_for_deploy",
    "open_target",
    "target_class",
]
