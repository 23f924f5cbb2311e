"""Execution targets: each emits engine specs from the flow IR."""
