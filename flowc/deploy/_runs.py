"""How a deployed flow's runs are named and found again.

A run started on an engine is named like any flowc run, by the client pathspec
``Flow/RUN_ID``; the run id's prefix names the engine (``sfn-…``, ``argo-…``,
``airflow-…``), as Metaflow's run ids do on each engine. Each target uses the run id as
its own run handle where it can (the Step Functions execution name, the Argo workflow
name, the Airflow DAG run id), so the tasks write under the same id the user is shown.

``flowc trigger`` records each run it starts, and ``flowc deploy`` each deployment, in
the flow's datastore under ``.deployments/`` (a name the client and the viewer skip):

```
.deployments/TARGET/ENGINE_NAME.json   flow, flow file, branch, parameters, datastore
.deployments/runs/FLOW/RUN_ID.json     target, engine name, the engine's run handle
```

so ``flowc status Flow/RUN_ID`` and ``DeployedFlow.from_deployment(NAME)`` find them
from the datastore alone, wherever they are called.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from flowc.deploy._model import DeployError, ParameterInfo, TriggeredRunRef

#: target -> the prefix of the run ids of its runs (one word, then ``-``).
RUN_ID_PREFIXES: dict[str, str] = {
    "airflow": "airflow",
    "argo": "argo",
    "stepfunctions": "sfn",
}
RECORDS = ".deployments"


def new_run_id(target: str) -> str:
    """A fresh run id for a run of ``target``: its prefix, a dash and 16 hex digits
    (lower case, so it is also a valid Kubernetes and Step Functions name)."""
    return f"{RUN_ID_PREFIXES[target]}-{uuid.uuid4().hex[:16]}"


def target_of_run_id(run_id: str) -> str | None:
    """The target whose prefix ``run_id`` carries, or None."""
    head = run_id.split("-", 1)[0]
    return next((t for t, prefix in RUN_ID_PREFIXES.items() if prefix == head), None)


def deploy_datastore(given: str | None = None) -> str:
    """The datastore root the deploy verbs use: ``given``, else ``$FLOWC_DATASTORE``,
    else ``[tool.flowc] datastore``, else ``./.flowc`` — the root the tasks write to and
    the client reads from."""
    if given:
        return given
    if os.environ.get("FLOWC_DATASTORE"):
        return os.environ["FLOWC_DATASTORE"]
    from flowc.config import ConfigError, load_config

    try:
        configured = load_config(".").get("datastore")
    except ConfigError as exc:
        raise DeployError(str(exc)) from exc
    return str(configured) if configured else os.path.join(os.getcwd(), ".flowc")


@dataclass(frozen=True)
class DeploymentRecord:
    """What ``flowc deploy`` left behind: enough to trigger the flow without its file."""

    target: str
    deployed_name: str
    flow_name: str
    flow_file: str
    branch: str | None
    production: bool
    datastore_root: str
    parameters: tuple[ParameterInfo, ...]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["parameters"] = [asdict(p) for p in self.parameters]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeploymentRecord:
        fields = dict(data)
        fields["parameters"] = tuple(ParameterInfo(**p) for p in data.get("parameters", ()))
        return cls(**fields)


class Records:
    """The deployment and run records of one datastore root."""

    def __init__(self, root: str) -> None:
        from runtime_shim.datastore import open_object_store

        self.root = root
        self.store = open_object_store(root)

    def write_deployment(self, record: DeploymentRecord, key: str | None = None) -> None:
        """Record ``record`` under its engine name (or ``key``, another name of it)."""
        name = key or record.deployed_name
        self.store.put(f"{RECORDS}/{record.target}/{name}.json", _dump(record.to_json()))

    def deployment(self, target: str, deployed_name: str) -> DeploymentRecord | None:
        data = self._read(f"{RECORDS}/{target}/{deployed_name}.json")
        if data is None or data.get("deleted"):
            return None
        return DeploymentRecord.from_json(data)

    def delete_deployment(self, target: str, deployed_name: str) -> None:
        """Mark the deployment deleted (not every object store can delete a key)."""
        key = f"{RECORDS}/{target}/{deployed_name}.json"
        if self.store.exists(key):
            self.store.put(key, _dump({"deleted": True}))

    def write_run(self, ref: TriggeredRunRef) -> None:
        self.store.put(f"{RECORDS}/runs/{ref.flow_name}/{ref.run_id}.json", _dump(asdict(ref)))

    def run(self, pathspec: str) -> TriggeredRunRef:
        """The run ``Flow/RUN_ID`` that ``trigger`` started; DeployError when unknown."""
        flow, sep, run_id = pathspec.strip("/").partition("/")
        if not sep or not run_id or "/" in run_id:
            raise DeployError(f"{pathspec!r} is not a run pathspec (FLOW/RUN_ID)")
        data = self._read(f"{RECORDS}/runs/{flow}/{run_id}.json")
        if data is None:
            raise DeployError(
                f"no triggered run {flow}/{run_id} is recorded in the datastore {self.root} "
                "(give the datastore the run was triggered with: --datastore or "
                "$FLOWC_DATASTORE)"
            )
        return TriggeredRunRef(**data)

    def _read(self, key: str) -> dict[str, Any] | None:
        from runtime_shim.datastore.errors import ObjectNotFound

        try:
            data: dict[str, Any] = json.loads(self.store.get(key))
        except ObjectNotFound:
            return None
        return data


def _dump(data: Any) -> bytes:
    return json.dumps(data, indent=1, sort_keys=True, default=str).encode()
