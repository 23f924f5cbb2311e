"""Everything is declared in pyproject.toml; this file adds ``flowc-metaflow.pth`` and the
cards' chart libraries.

The .pth file makes ``import metaflow`` fall back to flowc's runtime when Metaflow is not
installed (``_flowc_metaflow.py``). setuptools has no declarative way to put a file at the
top of site-packages, so ``build_py`` copies it there: into the wheel for a normal
install, and into the editable wheel's ``purelib`` data for ``pip install -e``.

``build_py`` also runs ``tools/fetch_card_assets.py`` first, which installs vega,
vega-lite and vega-embed as ``tools/card_assets/package-lock.json`` pins them (``npm ci``)
and puts their bundles and the licences of everything in them into
``runtime_shim/cards/assets/vendor/``; package data ships them. Without ``npm`` the build
goes on and warns: cards then show chart specs with a note instead of drawing them.
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "flowc-metaflow.pth"


class BuildPyWithPth(build_py):
    def run(self) -> None:
        _fetch_card_assets()
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


def _fetch_card_assets() -> None:
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools", "fetch_card_assets.py")
    if not os.path.exists(tool):  # an sdist built with its assets already in place
        return
    fetcher = runpy.run_path(tool)
    if fetcher["is_current"]():
        return
    try:
        fetcher["install"]()
    except Exception as exc:
        print(f"warning: card chart libraries not bundled: {exc}", file=sys.stderr)


setup(cmdclass={"build_py": BuildPyWithPth})
