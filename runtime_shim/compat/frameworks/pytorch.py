"""``metaflow.plugins.frameworks.pytorch``: PyTorch's distributed set-up for ``@parallel``.

``setup_torch_distributed`` exports the variables ``torch.distributed`` (DDP) and
PyTorch Lightning read, from ``current.parallel``; the decorator class runs it before the
step function. Neither imports torch.
"""

from __future__ import annotations

import os

from runtime_shim.compat.decorators import StepDecorator
from runtime_shim.current import current

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["PytorchParallelDecorator", "setup_torch_distributed"]


class PytorchParallelDecorator(StepDecorator):
    """``@pytorch_parallel``: a ``@parallel`` step whose nodes form one torch process group."""

    name = "pytorch_parallel"
    defaults: dict[str, Any] = {"master_port": None}
    IS_PARALLEL = True

    def task_decorate(
        self,
        step_func: Callable[..., Any],
        flow: Any,
        graph: Any,
        retry_count: int,
        max_user_code_retries: int,
        ubf_context: Any,
    ) -> Callable[..., Any]:
        def with_setup(*args: Any) -> Any:
            self.setup_distributed_env(flow)
            return step_func(*args)

        return with_setup

    def setup_distributed_env(self, flow: Any) -> None:
        setup_torch_distributed(self.attributes["master_port"])


def setup_torch_distributed(master_port: int | None = None) -> None:
    """Export ``MASTER_ADDR``/``MASTER_PORT``/``NODE_RANK``/``WORLD_SIZE``/``NUM_NODES``.

    The port is derived from the run id when not given, so concurrent runs on one host
    rarely collide.
    """
    if not master_port:
        try:
            master_port = 51000 + abs(int(str(current.run_id))) % 10000
        except ValueError:
            master_port = 51001
    parallel = current.parallel
    os.environ["MASTER_PORT"] = str(master_port)
    os.environ["MASTER_ADDR"] = str(getattr(parallel, "main_ip", "127.0.0.1"))
    os.environ["NODE_RANK"] = str(getattr(parallel, "node_index", 0))
    os.environ["WORLD_SIZE"] = str(getattr(parallel, "num_nodes", 1))
    os.environ["NUM_NODES"] = str(getattr(parallel, "num_nodes", 1))
    os.environ["PL_TORCH_DISTRIBUTED_BACKEND"] = "gloo"
