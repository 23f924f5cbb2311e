"""Generated flows at the scale of issue 17: a 10,000-wide foreach, a 1,000-step chain and
a 1,000-step flow of static branches. Deterministic: the same arguments give the same text.

    .venv/bin/python benchmarks/scale_flows.py OUT_DIR [--width 10000] [--steps 1000]

Each flow is valid for Metaflow and flowc alike. The foreach's width is a literal
``range`` in the split step, so the compiler knows it (``Step.foreach_width``); the
trivial body keeps the measured cost that of the engine, not of the task.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

HEADER = "from metaflow import FlowSpec, step\n\n\n"


def _step(name: str, body: str, nxt: str, join: bool = False) -> str:
    args = "self, inputs" if join else "self"
    return f"    @step\n    def {name}({args}):\n        {body}\n        {nxt}\n"


def _flow(cls: str, doc: str, parts: list[str]) -> str:
    return (
        HEADER
        + f'class {cls}(FlowSpec):\n    """{doc}"""\n\n'
        + "\n".join(parts)
        + f'\n\nif __name__ == "__main__":\n    {cls}()\n'
    )


def wide_foreach(width: int) -> str:
    """start → ``width`` trivial tasks → join → end."""
    return _flow(
        f"Wide{width}Flow",
        f"A foreach {width:,} wide over a trivial body.",
        [
            _step(
                "start",
                f"self.items = list(range({width}))",
                'self.next(self.work, foreach="items")',
            ),
            _step("work", "self.sq = self.input * self.input", "self.next(self.join)"),
            _step(
                "join", "self.total = sum(i.sq for i in inputs)", "self.next(self.end)", join=True
            ),
            "    @step\n    def end(self):\n        print(self.total)\n",
        ],
    )


def linear_chain(steps: int) -> str:
    """``steps`` steps in a row: start, s1 … s{steps-2}, end."""
    names = ["start", *[f"s{i}" for i in range(1, steps - 1)], "end"]
    parts = [
        _step(here, f"self.x = {i}", f"self.next(self.{nxt})")
        for i, (here, nxt) in enumerate(itertools.pairwise(names))
    ]
    parts.append("    @step\n    def end(self):\n        print(self.x)\n")
    return _flow(f"Linear{steps}Flow", f"A chain of {steps:,} steps.", parts)


def static_branches(steps: int) -> str:
    """start → ``steps - 3`` branches of one step each → join → end: the widest static
    split ``steps`` steps can make."""
    branches = [f"b{i}" for i in range(steps - 3)]
    targets = ", ".join(f"self.{b}" for b in branches)
    parts = [_step("start", "self.x = 0", f"self.next({targets})")]
    parts += [_step(b, f"self.x = {i}", "self.next(self.join)") for i, b in enumerate(branches)]
    parts.append(
        _step("join", "self.x = sum(i.x for i in inputs)", "self.next(self.end)", join=True)
    )
    parts.append("    @step\n    def end(self):\n        print(self.x)\n")
    return _flow(f"Branches{steps}Flow", f"{len(branches):,} static branches.", parts)


def write_flows(folder: Path, width: int = 10_000, steps: int = 1_000) -> dict[str, Path]:
    """The three flows as files in ``folder``, by case name."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        f"foreach-{width}": wide_foreach(width),
        f"linear-{steps}": linear_chain(steps),
        f"branches-{steps}": static_branches(steps),
    }
    out = {}
    for case, text in texts.items():
        path = folder / f"{case.replace('-', '_')}.py"
        path.write_text(text)
        out[case] = path
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    args = parser.parse_args()
    for case, path in write_flows(args.out, args.width, args.steps).items():
        print(f"{case}: {path}")


if __name__ == "__main__":
    main()
