"""Deploying compiled flows to their engines and operating the runs there.

``compile_for_deploy`` compiles a flow file into memory; ``open_target`` connects to an
engine (``argo``, ``airflow``, ``stepfunctions``) with credentials from the usual places;
the returned ``DeployTarget`` deploys, triggers, reports status, terminates and deletes.
``flowc.deploy._operations`` holds the verbs both the CLI and ``flowc.deploy.deployer``
(Metaflow's ``Deployer`` API) call; ``new_run_id`` names a target's runs (docs/deploy.md).
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
    ParameterValueError,
    ResourceChange,
    ResourceOutcome,
    RunState,
    RunStatus,
    TaskStatus,
    TriggeredRunRef,
)
from flowc.deploy._params import check_parameters
from flowc.deploy._registry import TARGETS, open_target, target_class
from flowc.deploy._runs import RUN_ID_PREFIXES, new_run_id, target_of_run_id

__all__ = [
    "RUN_ID_PREFIXES",
    "TARGETS",
    "CompiledDeployment",
    "DeployConfigError",
    "DeployError",
    "DeployOutcome",
    "DeployTarget",
    "EmittedFile",
    "ParameterInfo",
    "ParameterValueError",
    "ResourceChange",
    "ResourceOutcome",
    "RunState",
    "RunStatus",
    "TaskStatus",
    "TriggeredRunRef",
    "check_parameters",
    "compile_for_deploy",
    "new_run_id",
    "open_target",
    "target_class",
    "target_of_run_id",
]
