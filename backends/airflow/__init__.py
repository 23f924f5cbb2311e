"""Airflow 3 backend: one self-contained DAG file per flow.

Options read from ``TargetOptions.extra``:

- ``operator``: ``"kubernetes"`` (default; a ``KubernetesPodOperator`` per step) or
  ``"local"`` (each task runs the runtime shim as a subprocess with ``TargetOptions.python``);
- ``dag_id``: the DAG id (default: the flow's class name);
- ``flow_file``: the flow file's path as tasks see it (default: the compiled path in local
  mode, its base name in kubernetes mode, next to an unpacked code package);
- ``tags``: extra DAG tags (a list, or a comma-separated string).
"""

from __future__ import annotations

from backends.airflow._emit import AirflowBackend

BACKEND = AirflowBackend()

__all__ = ["BACKEND", "AirflowBackend"]
