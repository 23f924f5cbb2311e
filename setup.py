"""Everything is declared in pyproject.toml; this file only adds ``flowc-metaflow.pth``.

The .pth file makes ``import metaflow`` fall back to flowc's runtime when Metaflow is not
installed (``_flowc_metaflow.py``). setuptools has no declarative way to put a file at the
top of site-packages, so ``build_py`` copies it there: into the wheel for a normal
install, and into the editable wheel's ``purelib`` data for ``pip install -e``.
"""

from __future__ import annotations

import os
from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "flowc-metaflow.pth"


class BuildPyWithPth(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            data = self.get_finalized_command("install").install_data
            target = os.path.join(os.path.dirname(data), "purelib")
            self.mkpath(target)
        else:
            target = self.build_lib
        self.copy_file(PTH, os.path.join(target, PTH), preserve_mode=False)

    def get_outputs(self, include_bytecode: Any = True) -> list[str]:
        outputs: list[str] = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return [*outputs, os.path.join(self.build_lib, PTH)]


setup(cmdclass={"build_py": BuildPyWithPth})
