"""The IR as a file: ``flowc compile --target ir``."""

from __future__ import annotations

import json

from backends.base import REGISTRY, EmitResult, EmittedFile, TargetOptions
from flowc.ir import FlowIR


def ir_to_text(ir: FlowIR) -> str:
    return json.dumps(ir.to_json(), indent=2, ensure_ascii=False) + "\n"


class IrTarget:
    name = "ir"

    def emit(self, ir: FlowIR, options: TargetOptions) -> EmitResult:
        text = ir_to_text(ir)
        # Self-check: what we write must read back as the same IR.
        if FlowIR.from_json(json.loads(text)).to_json() != ir.to_json():
            raise AssertionError("IR does not round-trip through JSON")
        return EmitResult([EmittedFile(REGISTRY["ir"].output_file(flow=ir.name), text)], [])


BACKEND = IrTarget()
