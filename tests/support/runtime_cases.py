"""The runtime comparison cases: each flow, its arguments for Metaflow and for flowc.

Shared by ``record_expected.py`` (runs under Metaflow's venv) and the tests (run under the
project's venv), so it imports nothing but the standard library.
"""

from __future__ import annotations

from typing import Any

SHAPES = [
    "branch",
    "branch_in_switch",
    "decorators",
    "foreach",
    "foreach_in_switch",
    "foreach_multistep",
    "linear",
    "nested_branches",
    "nested_foreach3",
    "parameters",
    "recursive_switch",
    "recursive_switch_in_foreach",
    "switch_basic",
    "switch_in_branch",
    "switch_in_foreach",
    "switch_nested",
    "switch_skip",
]


def _shape(name: str) -> dict[str, Any]:
    flow = "".join(part.capitalize() for part in name.split("_")) + "Flow"
    return {"file": f"tests/shapes/{name}.py", "flow": flow}


CASES: dict[str, dict[str, Any]] = {name: _shape(name) for name in SHAPES}
CASES["nested_foreach3"]["flow"] = "NestedForeach3Flow"
# Metaflow orders a static join's ``inputs`` by iterating a set of step names, so the
# order changes with PYTHONHASHSEED; flowc uses the order of ``self.next(...)``. Lists in
# this case depend on that order and are compared sorted.
CASES["switch_in_branch"]["sort_lists"] = True
CASES["parameters_override"] = {
    "file": "tests/shapes/parameters.py",
    "flow": "ParametersFlow",
    "metaflow_args": [
        "--who",
        "flowc",
        "--count",
        "2",
        "--ratio",
        "0.5",
        "--loud",
        "True",
        "--config",
        '{"layers": [3, 4, 5]}',
    ],
    "flowc_args": [
        "--who",
        "flowc",
        "--count",
        "2",
        "--ratio",
        "0.5",
        "--loud",
        "--config",
        '{"layers": [3, 4, 5]}',
    ],
}
CASES["switch_skip_direct"] = {
    "file": "tests/shapes/switch_skip.py",
    "flow": "SwitchSkipFlow",
    "metaflow_args": ["--choice", "skip"],
    "flowc_args": ["--choice", "skip"],
}
CASES["joins"] = {"file": "tests/runtime/flows/joins.py", "flow": "JoinsFlow"}
CASES["merge_conflict"] = {
    "file": "tests/runtime/flows/merge_errors.py",
    "flow": "MergeErrorsFlow",
    "metaflow_args": ["--mode", "conflict"],
    "flowc_args": ["--mode", "conflict"],
    "expect_failure": True,
}
CASES["merge_missing"] = {
    "file": "tests/runtime/flows/merge_errors.py",
    "flow": "MergeErrorsFlow",
    "metaflow_args": ["--mode", "missing"],
    "flowc_args": ["--mode", "missing"],
    "expect_failure": True,
}
CASES["merge_resolved"] = {
    "file": "tests/runtime/flows/merge_errors.py",
    "flow": "MergeErrorsFlow",
    "metaflow_args": ["--mode", "resolved"],
    "flowc_args": ["--mode", "resolved"],
}
CASES["resilience"] = {"file": "tests/runtime/flows/resilience.py", "flow": "ResilienceFlow"}
CASES["include_file"] = {
    "file": "tests/runtime/flows/include.py",
    "flow": "IncludeFlow",
    "files": ["tests/runtime/flows/include_data.txt"],
    "metaflow_args": ["--data", "include_data.txt", "--labels", '["a", "b"]'],
    "flowc_args": ["--data", "include_data.txt", "--labels", '["a", "b"]'],
}


def sort_lists(value: Any) -> Any:
    """``value`` with every list of scalars sorted (see ``sort_lists`` above)."""
    if isinstance(value, dict):
        return {k: sort_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [sort_lists(v) for v in value]
        if all(isinstance(v, (int, float, str)) for v in items):
            return sorted(items, key=lambda v: (str(type(v)), v))
        return items
    return value


def normalize(value: Any) -> Any:
    """A JSON-comparable form of an artifact value (exceptions become their class name)."""
    if type(value).__name__ == "MetaflowExceptionWrapper":
        return {"__exception__": str(getattr(value, "type", "")).rsplit(".", 1)[-1]}
    if isinstance(value, BaseException):
        return {"__exception__": type(value).__name__}
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (set, frozenset)):
        return sorted(normalize(v) for v in value)
    return repr(value)
