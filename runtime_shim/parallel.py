"""``@parallel``: what a gang task knows about its gang (Metaflow's ``current.parallel``).

A ``self.next(self.step, num_parallel=N)`` runs ``step`` as N tasks, the way a foreach of
N runs its body: node ``k`` is the task at foreach position ``k``. Node 0 is the gang's
control task (Metaflow runs the control task as node 0 when it runs locally), so every node
names the same ``control_task_id`` without asking the engine. ``self.input`` of a node is
its node index, as in Metaflow.
"""

from __future__ import annotations

from collections import namedtuple

from runtime_shim.datastore.layout import task_id, task_key
from runtime_shim.inputs import child_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from runtime_shim.flowspec import Frame

Parallel = namedtuple("Parallel", ["main_ip", "num_nodes", "node_index", "control_task_id"])

#: The foreach variable a ``num_parallel`` transition records: no artifact carries it.
PARALLEL_VAR = "_parallel"
#: Where the local gang's nodes reach the control node (all nodes run on this machine).
LOCAL_MAIN_IP = "127.0.0.1"
#: The control node's address when an engine runs the gang (Metaflow's variable name).
MAIN_IP_ENV = "MF_PARALLEL_MAIN_IP"
#: A gang pod's replicated job (``control`` or ``worker``) and its job index in it: an
#: engine that cannot compute the node index itself (a JobSet's pods) sets both, and the
#: shim derives the node index (control 0, worker job ``j`` is node ``j + 1``).
GANG_JOB_ENV = "FLOWC_GANG_JOB"
GANG_JOB_INDEX_ENV = "FLOWC_GANG_JOB_INDEX"
CONTROL_JOB = "control"
WORKER_JOB = "worker"
#: The metadata field and value Metaflow gives a control task (``Step.control_tasks()``).
CONTROL_TASK_FIELD = "internal_task_type"
CONTROL_TASK_VALUE = "control_task"


def gang_fields(frames: list[Frame], index_path: str, step: str) -> dict[str, Any]:
    """``current`` fields of a ``@parallel`` task: ``parallel`` and ``is_parallel``.

    ``frames[-1]`` is the gang's frame ``(split step, var, node index, num nodes)``.
    """
    _split, _var, node_index, num_nodes = frames[-1]
    outer = index_path.rpartition(".")[0]
    import os

    return {
        "is_parallel": True,
        "parallel": Parallel(
            main_ip=os.environ.get(MAIN_IP_ENV) or LOCAL_MAIN_IP,
            num_nodes=int(num_nodes),
            node_index=int(node_index),
            control_task_id=task_id(step, task_key(child_path(outer, 0))),
        ),
    }


def control_metadata(frames: list[Frame]) -> dict[str, str]:
    """The metadata a gang's node 0 carries as its control task; none for other nodes."""
    if frames and frames[-1][1] == PARALLEL_VAR and int(frames[-1][2]) == 0:
        return {CONTROL_TASK_FIELD: CONTROL_TASK_VALUE}
    return {}


def gang_index_path(outer: str, environ: Mapping[str, str]) -> str:
    """The index path of a gang node an engine started with the gang's outer index path:
    ``outer`` itself unless :data:`GANG_JOB_ENV` is set, else one level deeper at the node
    index its replicated job and job index give."""
    job = environ.get(GANG_JOB_ENV)
    if not job:
        return outer
    if job == CONTROL_JOB:
        return child_path(outer, 0)
    index = environ.get(GANG_JOB_INDEX_ENV, "")
    if job != WORKER_JOB or not index.isdigit():
        raise ValueError(
            f"{GANG_JOB_ENV}={job!r} {GANG_JOB_INDEX_ENV}={index!r}: expected "
            f"{CONTROL_JOB!r}, or {WORKER_JOB!r} with a job index"
        )
    return child_path(outer, int(index) + 1)
