"""Each step's shim command, rendered at compile time for the generated DAG.

The command is ``backends.base.step_command`` rendered by ``runtime_shim.command.render``
with :class:`AirflowEngine`, as on every other target; the DAG file carries the argv as a
literal. What only the run knows is spelled for whoever fills it in:

- the run id, the attempt and the parameter values as Jinja, which Airflow renders in the
  templated field that carries the argv (a pod's ``arguments``, a local task's keyword
  arguments);
- the index path of a mapped task, the iteration of a looping task and the file a task
  writes its foreach paths or switch choice to as *slots*: a marker word whose position
  the DAG records, so its run-time helper puts the value in by position. A marker is
  never matched by its text, so no user string can be mistaken for one.

Literal text is escaped for Jinja, so a ``{`` in a path or a default reaches the step as
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backends.base import exit_hook_command, step_command
from flowc.ir import FlowIR, Step
from runtime_shim.command import (
    ATTEMPT,
    INDEX_PATH,
    ITERATION,
    RUN_ID,
    Placeholder,
    Substitution,
    Word,
    render,
)

# The file the shim writes a foreach's paths or a switch's choice to: chosen where the
# task runs (a temporary file in local mode, the pod script's file on Kubernetes).
OUTPUT = Placeholder("output")
SLOTS = {INDEX_PATH: "index_path", ITERATION: "iteration", OUTPUT: "output"}


def jinja_verbatim(text: str) -> str:
    """``text`` as a Jinja template that renders to itself: no ``{`` starts a tag, and
    no carriage return is turned into a newline (Jinja normalises line ends in text)."""
    return text.replace("{", "{{ '{' }}").replace("\r", "{{ '\\r' }}")


class AirflowEngine(Substitution):
    """Spells placeholders as Airflow fills them in; records where the slots are.

    One engine renders one command: :attr:`slots` maps a slot's name to its position in
    the argv (every word of the argv passes through :meth:`word`, in order).
    """

    def __init__(self, event_parameters: frozenset[str] = frozenset()) -> None:
        self.slots: dict[str, int] = {}
        self._position = 0
        self._event_parameters = event_parameters

    def literal(self, text: str) -> str:
        return jinja_verbatim(text)

    def placeholder(self, value: Placeholder) -> str:
        if value == RUN_ID:
            return "{{ run_id }}"
        if value == ATTEMPT:
            return "{{ ti.try_number - 1 }}"
        if value.kind == "param":
            # Parameter names are letters, digits, "_", "." and "-" (checked by the emitter).
            from_params = 'params["' + value.name + '"] | tojson'
            if value.name in self._event_parameters:
                # The triggering event's payload field when it has one (_templates.py).
                return '{{ event_param("' + value.name + '", triggering_asset_events, params) }}'
            return "{{ " + from_params + " }}"
        return super().placeholder(value)

    def word(self, parts: Word) -> str:
        position, self._position = self._position, self._position + 1
        (first, *rest) = parts
        if not rest and isinstance(first, Placeholder) and first in SLOTS:
            name = SLOTS[first]
            self.slots[name] = position
            return f"<{name}>"
        return super().word(parts)


@dataclass(frozen=True)
class CommandOptions:
    """What a step's command takes from the emitter's options."""

    flow_file: str
    datastore: str
    python: str
    code_package: str | None
    # Parameters filled from a triggering asset event's payload (backends/airflow/_assets.py).
    event_parameters: frozenset[str] = frozenset()
    environments: dict[str, str] = field(default_factory=dict)


@dataclass
class StepArgv:
    """A step's rendered argv and the positions of its slots."""

    argv: list[str]
    slots: dict[str, int] = field(default_factory=dict)


def step_argv(ir: FlowIR, step: Step, opts: CommandOptions) -> StepArgv:
    """The argv the DAG starts for ``step``, from the interpreter on."""
    command = step_command(
        ir,
        step,
        flow_file=opts.flow_file,
        datastore=opts.datastore,
        index_path=INDEX_PATH if step.foreach_depth else "",
        code_package=opts.code_package,
        environments=opts.environments,
    )
    output = _output_option(step)
    if output is not None:
        command = command.replace(**{output: OUTPUT})
    engine = AirflowEngine(opts.event_parameters)
    argv = render(command, engine, python=opts.python)
    return StepArgv(argv, engine.slots)


def _output_option(step: Step) -> str | None:
    if step.transition == "foreach":
        return "foreach_out"
    if step.transition == "switch":
        return "switch_out"
    return None


def exit_hooks_argv(ir: FlowIR, opts: CommandOptions) -> StepArgv:
    """The argv of the ``exit-hooks`` task: the shim's exit-hooks command for this DAG
    run. Without ``--status`` the command asks the datastore whether the end step
    committed, which is when Airflow's end task succeeded (the shim exits 0 only after
    the commit)."""
    argv = exit_hook_command(
        ir,
        python=opts.python,
        flow_file=opts.flow_file,
        datastore=opts.datastore,
        run_id=_RUN_ID,
        code_package=opts.code_package,
    )
    rendered = ["{{ run_id }}" if word == _RUN_ID else jinja_verbatim(word) for word in argv]
    return StepArgv(rendered)


_RUN_ID = "\x00run-id"  # stands for the DAG run's id while the command is built
