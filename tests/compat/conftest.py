"""A ``metaflow_extensions`` package written for the tests, with every extension point."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

# path below the extension root -> source
EXTENSION_FILES = {
    "toplevel/mfextinit_acme.py": 'toplevel = "acme_toplevel"\n',
    "toplevel/acme_toplevel.py": """
        import os

        GREETING = "hello"
        _PRIVATE = 1


        def shout(text):
            return text.upper()
        """,
    "config/mfextinit_acme.py": "ACME_LIMIT = 7\nACME_NOTHING = None\n",
    "exceptions/mfextinit_acme.py": """
        from metaflow.exception import MetaflowException


        class AcmeError(MetaflowException):
            headline = "Acme failed"
        """,
    "plugins/mfextinit_acme.py": """
        STEP_DECORATORS_DESC = [("audited", ".audit.Audited")]
        FLOW_DECORATORS_DESC = [("acme_flow", ".flow_options.AcmeFlow")]
        __mf_promote_submodules__ = ["helpers", "frameworks"]
        """,
    "plugins/audit.py": """
        import os

        from metaflow.decorators import StepDecorator


        def _log(line):
            with open(os.environ["ACME_LOG"], "a") as handle:
                handle.write(line + "\\n")


        class Audited(StepDecorator):
            name = "audited"
            defaults = {"label": "none", "swallow": False}

            def init(self):
                self.inits = getattr(self, "inits", 0) + 1

            def step_init(self, flow, graph, step_name, decorators, environment, datastore, logger):
                _log(f"step_init {step_name} {[d.name for d in decorators]}")

            def task_pre_step(self, step_name, task_datastore, metadata, run_id, task_id,
                              flow, graph, retry_count, max_user_code_retries, ubf_context, inputs):
                flow.events = [f"pre_step:{self.attributes['label']}:{retry_count}"]

            def task_decorate(self, step_func, flow, graph, retry_count, max_retries, ubf_context):
                def wrapped(*args):
                    flow.events.append("decorated")
                    return step_func(*args)
                return wrapped

            def task_post_step(self, step_name, flow, graph, retry_count, max_user_code_retries):
                flow.post_step = step_name

            def task_exception(self, exception, step_name, flow, graph, retry_count, max_retries):
                _log(f"exception {step_name} {type(exception).__name__}")
                return self.attributes["swallow"]

            def task_finished(self, step_name, flow, graph, is_task_ok, retry_count, max_retries):
                _log(f"finished {step_name} {is_task_ok}")
        """,
    "plugins/flow_options.py": """
        from metaflow import current
        from metaflow.decorators import FlowDecorator


        class AcmeFlow(FlowDecorator):
            name = "acme_flow"
            options = {
                "acme-level": dict(default="low", help="How much"),
                "acme-count": dict(default=1, type=int, help="How many"),
            }

            def flow_init(self, flow, graph, environment, flow_datastore, metadata, logger,
                          echo, options):
                current._update_env({"acme_options": dict(options)})
        """,
    "plugins/helpers/__init__.py": "VALUE = 5\n",
    "plugins/frameworks/__init__.py": "",
    "plugins/frameworks/pytorch.py": """
        from metaflow.plugins.frameworks._orig.pytorch import setup_torch_distributed

        WRAPPED = setup_torch_distributed
        """,
}


def write_extension(root: Path, org: str = "acme") -> Path:
    """Write the extension package under ``root``; return ``root`` (the sys.path entry)."""
    for relative, text in EXTENSION_FILES.items():
        path = root / "metaflow_extensions" / org / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


@pytest.fixture
def extension_root(tmp_path: Path) -> Path:
    return write_extension(tmp_path / "ext")
