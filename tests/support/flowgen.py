"""Random valid flows for property tests: a small grammar of graph constructs rendered to
Python source, with the structure the analyzer must find for them.

A block is a non-empty list of items; an item is a plain step, a static split (2-3
branches, each a block) closed by a join, a foreach (a block as its body, possibly
another foreach) closed by a join, a switch (2-3 cases, each a block) merging at a plain
step, or a recursive switch (a step that may loop to itself) followed by a plain step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

Item = Any  # "step" | ("split", [Block]) | ("foreach", Block) | ("switch", [Block]) | "loop"


@dataclass
class GenStep:
    name: str
    rule_kind: str
    parents: list[str]
    depth: int
    kind: str = "linear"
    is_join: bool = False
    body: list[str] = field(default_factory=list)
    next_text: str = ""
    loops: bool = False
    matching_join: str | None = None


@dataclass
class GenFlow:
    steps: dict[str, GenStep]
    order: list[str]  # the order the methods are written in the class

    def source(self) -> str:
        lines = [
            "from metaflow import FlowSpec, step",
            "",
            "",
            "class GeneratedFlow(FlowSpec):",
            '    """A generated flow."""',
        ]
        for name in self.order:
            s = self.steps[name]
            args = "self, inputs" if s.is_join else "self"
            lines += ["", "    @step", f"    def {name}({args}):"]
            lines += [f"        {line}" for line in s.body]
            lines.append(f"        {s.next_text}" if s.next_text else "        pass")
        lines += ["", "", 'if __name__ == "__main__":', "    GeneratedFlow()", ""]
        return "\n".join(lines)


def blocks(depth: int = 0) -> st.SearchStrategy[list[Item]]:
    leaf: st.SearchStrategy[Item] = st.sampled_from(["step", "step", "loop"])
    if depth >= 3:
        return st.lists(leaf, min_size=1, max_size=3)
    inner = st.deferred(lambda: blocks(depth + 1))
    item = st.one_of(
        leaf,
        st.tuples(st.just("split"), st.lists(inner, min_size=2, max_size=3)),
        st.tuples(st.just("foreach"), inner),
        st.tuples(st.just("switch"), st.lists(inner, min_size=2, max_size=3)),
    )
    return st.lists(item, min_size=1, max_size=3)


class _Builder:
    def __init__(self) -> None:
        self.steps: dict[str, GenStep] = {}

    def new(self, rule_kind: str, parents: list[str], depth: int, **kw: Any) -> str:
        name = kw.pop("name", None) or f"s{len(self.steps)}"
        self.steps[name] = GenStep(name, rule_kind, parents, depth, **kw)
        return name

    def connect(self, source: str, target: str) -> None:
        step = self.steps[source]
        if step.loops:
            step.next_text = (
                f'self.next({{"again": self.{source}, "done": self.{target}}}, condition="k")'
            )
        else:
            step.next_text = f"self.next(self.{target})"

    def block(self, items: list[Item], rule: tuple[str, str], depth: int) -> tuple[str, str]:
        first = last = ""
        for item in items:
            item_rule = rule if not first else ("same", last)
            head, tail = self.item(item, item_rule, depth)
            if first:
                self.connect(last, head)
            else:
                first = head
            last = tail
        return first, last

    def item(self, item: Item, rule: tuple[str, str], depth: int) -> tuple[str, str]:
        kind, parent = rule
        if item == "step":
            name = self.new(kind, [parent], depth, body=[f"self.v = {len(self.steps)}"])
            return name, name
        if item == "loop":
            # Iteration 0 reads the parent, later iterations the step itself: an `any` rule,
            # except when the step opens a foreach body (iteration 0 must enter it).
            name = f"s{len(self.steps)}"
            entering = kind == "enter"
            self.new(
                "enter" if entering else "any",
                [parent] if entering else [parent, name],
                depth,
                name=name,
                kind="split-switch",
                loops=True,
                body=['self.k = "done"'],
            )
            after = self.new("same", [name], depth)
            self.connect(name, after)
            return name, after
        tag, inner = item
        split = self.new(kind, [parent], depth, kind=tag if tag != "switch" else "split-switch")
        if tag == "foreach":
            self.steps[split].body = ["self.items = [1, 2]"]
            first, last = self.block(inner, ("enter", split), depth + 1)
            self.steps[split].next_text = f'self.next(self.{first}, foreach="items")'
            join = self.new("join-foreach", [last], depth, kind="join", is_join=True)
            self.connect(last, join)
            self.steps[split].matching_join = join
            return split, join
        ends = [self.block(b, ("same", split), depth) for b in inner]
        if tag == "split":
            targets = ", ".join(f"self.{f}" for f, _ in ends)
            self.steps[split].next_text = f"self.next({targets})"
            join = self.new("join", [t for _, t in ends], depth, kind="join", is_join=True)
            self.steps[split].matching_join = join
        else:
            cases = ", ".join(f'"c{i}": self.{f}' for i, (f, _) in enumerate(ends))
            self.steps[split].body = ['self.choice = "c0"']
            self.steps[split].next_text = f'self.next({{{cases}}}, condition="choice")'
            join = self.new("any", [t for _, t in ends], depth)
        for _, tail in ends:
            self.connect(tail, join)
        return split, join


def build_flow(items: list[Item], order_key: list[int]) -> GenFlow:
    """Lay out ``items`` between start and end; ``order_key`` permutes the methods."""
    builder = _Builder()
    builder.new("none", [], 0, name="start", kind="start")
    first, last = builder.block(items, ("same", "start"), 0)
    builder.connect("start", first)
    builder.new("same", [last], 0, name="end", kind="end")
    builder.connect(last, "end")
    names = list(builder.steps)
    keys = (order_key + list(range(len(names))))[: len(names)]
    order = [n for _, n in sorted(zip(keys, names, strict=True), key=lambda kn: kn[0])]
    return GenFlow(builder.steps, order)


@st.composite
def valid_flows(draw: st.DrawFn) -> GenFlow:
    items = draw(blocks())
    order_key = draw(st.lists(st.integers(0, 100), max_size=80))
    return build_flow(items, order_key)
