"""How ``AirflowTarget`` reads Airflow's answers: an import error's traceback becomes
``FILE:LINE: error``, task instances become one status per step. The requests themselves
run against a real Airflow in tests/airflow/test_deploy.py."""

from __future__ import annotations

from flowc.deploy import RunState
from flowc.deploy.airflow import _error_location, _step_statuses

TRACE = """Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed
  File "/opt/airflow/dags/TrainFlow.py", line 12, in <module>
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
  File "/venv/lib/python3.11/site-packages/airflow/providers/cncf/__init__.py", line 3, in <module>
    import kubernetes
ModuleNotFoundError: No module named 'kubernetes'
"""


def test_import_error_names_the_dag_files_line() -> None:
    assert _error_location("TrainFlow.py", TRACE) == (
        "TrainFlow.py:12: ModuleNotFoundError: No module named 'kubernetes'"
    )


def test_import_error_without_a_frame_in_the_file_uses_the_last_frame() -> None:
    trace = 'File "/lib/x.py", line 7, in f\nSyntaxError: bad'
    assert _error_location("Other.py", trace) == "Other.py:7: SyntaxError: bad"
    assert _error_location("Other.py", "") == "Other.py: unknown error"


def _ti(task_id: str, state: str | None, tries: int, map_index: int = -1) -> dict[str, object]:
    return {"task_id": task_id, "state": state, "try_number": tries, "map_index": map_index}


def test_one_status_per_step_with_the_worst_state_and_most_attempts() -> None:
    statuses = _step_statuses(
        [
            _ti("start", "success", 1),
            _ti("start-paths", "success", 1),
            _ti("work", "success", 1, 0),
            _ti("work", "up_for_retry", 2, 1),
            _ti("join", None, 0),
            _ti("broken", "failed", 3),
            _ti("end", "upstream_failed", 0),
            _ti("exit-hooks", "success", 1),
        ]
    )
    by_step = {s.step: s for s in statuses}
    assert list(by_step) == ["start", "work", "join", "broken", "end"]  # helpers left out
    assert by_step["work"].state is RunState.RUNNING and by_step["work"].attempts == 2
    assert by_step["work"].detail == "2 tasks: success, up_for_retry"
    assert by_step["join"].state is RunState.PENDING
    assert by_step["broken"].state is RunState.FAILED and by_step["broken"].attempts == 3
    assert by_step["end"].state is RunState.FAILED
