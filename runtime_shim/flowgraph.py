"""``flow._graph``: a flow's step graph shaped like Metaflow's ``FlowGraph``.

Metaflow builds it from the flow's source; flows and their tests read it for step types
and neighbours (``flow._graph["join"].type``, ``.in_funcs``, ``.parallel_step``). flowc's
one source of graph facts is the compiler's IR, so the graph is built from the IR of the
flow's file on first use. This is the only place the shim reaches into the compiler, and
only when a flow asks for its graph; a task in a container without the compiler installed
gets an ImportError that says so.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

# IR transition -> Metaflow node type (a join's type is "join" only when it ends linearly,
# as in Metaflow, where the tail ``self.next`` decides first).
_TYPES = {"linear": "linear", "split": "split", "foreach": "foreach", "switch": "split-switch"}


class GraphNode:
    """One step, with the attribute names of Metaflow's ``DAGNode``."""

    def __init__(self, step: Any, parallel_steps: set[str], in_funcs: set[str]) -> None:
        self.name: str = step.name
        self.func_name: str = step.name
        if step.transition == "end":
            self.type = "end"
        elif step.is_join and step.transition == "linear":
            self.type = "join"
        else:
            self.type = _TYPES[step.transition]
        self.out_funcs: list[str] = list(step.next)
        self.in_funcs: set[str] = in_funcs
        self.foreach_param: str | None = (
            step.foreach_var if step.transition == "foreach" and step.num_parallel is None else None
        )
        self.parallel_foreach = step.num_parallel is not None
        self.num_parallel: Any = step.num_parallel or 0
        self.parallel_step = step.name in parallel_steps
        self.switch_cases: dict[str, str] = dict(step.switch.cases) if step.switch else {}
        self.condition: str | None = step.switch.condition if step.switch else None
        self.split_parents: list[str] = list(step.split_stack)
        self.matching_join: str | None = step.matching_join
        self.is_inside_foreach = step.foreach_depth > 0
        self.doc: str = step.docstring or ""
        self.func_lineno: int = step.location.line
        self.decorators: list[Any] = list(step.decorators)
        self.is_start_step = step.kind == "start"
        self.is_end_step = step.transition == "end"

    def __repr__(self) -> str:
        return f"<GraphNode {self.name} type={self.type} out={self.out_funcs}>"


class FlowGraph:
    """The steps by name, iterated in the IR's topological order."""

    def __init__(self, ir: Any) -> None:
        parents: dict[str, set[str]] = {s.name: set() for s in ir.steps}
        for s in ir.steps:
            for child in s.next:
                parents[child].add(s.name)
        parallel = {s.name for s in ir.steps if s.decorator("parallel") is not None}
        self.name: str = ir.name
        self.nodes: dict[str, GraphNode] = {
            s.name: GraphNode(s, parallel, parents[s.name]) for s in ir.steps
        }
        self.sorted_nodes: list[str] = [s.name for s in ir.steps]

    def __getitem__(self, name: str) -> GraphNode:
        return self.nodes[name]

    def __contains__(self, name: object) -> bool:
        return name in self.nodes

    def __iter__(self) -> Iterator[GraphNode]:
        return (self.nodes[n] for n in self.sorted_nodes)


_GRAPHS: dict[type, FlowGraph] = {}


def graph_of(cls: type[Any]) -> FlowGraph:
    """The graph of flow class ``cls``, analyzed from its file once per process."""
    found = _GRAPHS.get(cls)
    if found is not None:
        return found
    try:
        from flowc.compiler import analyze_file
    except ImportError as exc:  # pragma: no cover - a container with the shim only
        raise ImportError(
            "flow._graph needs flowc's compiler, which is not installed here"
        ) from exc
    module = sys.modules.get(cls.__module__)
    path = getattr(module, "__file__", None)
    if not path:
        raise LookupError(f"cannot find the source file of flow {cls.__name__}")
    analysis = analyze_file(path, cls.__name__)
    if analysis.ir is None:
        raise LookupError(f"flowc cannot read the graph of {cls.__name__} from {path}")
    _GRAPHS[cls] = graph = FlowGraph(analysis.ir)
    return graph
