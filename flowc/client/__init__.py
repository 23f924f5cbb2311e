"""Client API over the datastore, shaped like Metaflow 2.19's (``from flowc import Flow, Run``).

```python
run = Flow("TrainFlow").latest_run          # in the current namespace (user:NAME)
run.successful, run.finished, run.parameters, run.tags
run["end"].task["result"].data              # or run["end"].task.data.result
[t.data.score for t in run["train"]]        # every task of a step, newest first
namespace(None)                             # every run, whoever started it
```
Only committed tasks have data; the datastore root is ``$FLOWC_DATASTORE`` or ``./.flowc``
unless passed as ``datastore=`` (or set once with :func:`set_datastore`). The same module
is ``metaflow.client`` when flowc runs a flow.
"""

from __future__ import annotations

from flowc.client._base import MetaflowObject, datastore_root, set_datastore
from flowc.client._run import Flow, Metaflow, Run, Step
from flowc.client._task import DataArtifact, Metadata, MetaflowData, Task
from runtime_shim.exceptions import MetaflowExceptionWrapper
from runtime_shim.identity import default_namespace, get_namespace, namespace

__all__ = [
    "DataArtifact",
    "Flow",
    "Metadata",
    "Metaflow",
    "MetaflowData",
    "MetaflowExceptionWrapper",
    "MetaflowObject",
    "Run",
    "Step",
    "Task",
    "datastore_root",
    "default_namespace",
    "get_namespace",
    "namespace",
    "set_datastore",
]
