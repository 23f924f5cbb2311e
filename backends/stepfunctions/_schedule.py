"""``@schedule`` → an EventBridge Scheduler ``CreateSchedule`` request for the machine.

EventBridge cron has six fields (minutes hours day-of-month month day-of-week year), needs
``?`` in one of the two day fields, and numbers weekdays 1-7 from Sunday. A five-field
cron is converted; a six-field one is taken as already in EventBridge form.
"""

from __future__ import annotations

import re
from typing import Any

from backends.stepfunctions._decorators import span_of
from backends.stepfunctions._options import SfnOptions
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Decorator

_PRESETS = {"hourly": "rate(1 hour)", "daily": "cron(0 0 * * ? *)", "weekly": "cron(0 0 ? * SUN *)"}
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,\-?LW#]+$")
_TIMEZONE = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def _weekday(field: str) -> str | None:
    """Standard cron weekdays (0-7, Sunday 0 or 7) → EventBridge (1-7, Sunday 1)."""

    def one(token: str) -> str:
        return str(int(token) % 7 + 1) if token.isdigit() else token

    if re.fullmatch(r"[0-9,\-]+", field):
        parts = []
        for item in field.split(","):
            lo, dash, hi = item.partition("-")
            if dash and int(hi) == 7:
                parts.append(f"{one(lo)}-7,1" if int(lo) > 0 else "1-7")
            else:
                parts.append(f"{one(lo)}-{one(hi)}" if dash else one(lo))
        return ",".join(parts)
    if re.fullmatch(r"[A-Za-z*?,\-#L]+", field):
        return field
    return None


def eventbridge_cron(cron: str) -> str | None:
    fields = cron.split()
    if not all(_CRON_FIELD.match(f) for f in fields):
        return None
    if len(fields) == 6:
        return f"cron({' '.join(fields)})"
    if len(fields) != 5:
        return None
    minute, hour, dom, month, dow = fields
    weekday = _weekday(dow)
    if weekday is None:
        return None
    if dow in ("*", "?"):
        weekday = "?"
    elif dom in ("*", "?"):
        dom = "?"
    else:
        return None  # EventBridge cannot combine a day of month with a weekday
    return f"cron({minute} {hour} {dom} {month} {weekday} *)"


def schedule_document(
    dec: Decorator, opts: SfnOptions
) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    out: list[Diagnostic] = []
    expressions = [expr for key, expr in _PRESETS.items() if dec.args.get(key) is True]
    cron = dec.args.get("cron")
    if isinstance(cron, str):
        converted = eventbridge_cron(cron)
        if converted is None:
            out.append(
                diag(
                    "FC305",
                    f"@schedule cron {cron!r} cannot be expressed as an "
                    "EventBridge cron expression",
                    span_of(dec),
                    "use 5 standard fields without both day-of-month and weekday, "
                    "or 6 EventBridge fields",
                )
            )
        else:
            expressions.append(converted)
    elif "cron" in dec.source_args:
        out.append(diag("FC302", "@schedule cron is not a literal; ignored", span_of(dec)))
    if not expressions:
        if not out:
            out.append(
                diag(
                    "FC305",
                    "@schedule names no schedule",
                    span_of(dec),
                    "use hourly=True, daily=True, weekly=True or cron='...'",
                )
            )
        return None, out
    if len(expressions) > 1:
        out.append(
            diag(
                "FC302",
                f"@schedule names {len(expressions)} schedules; EventBridge "
                f"takes one, using {expressions[0]}",
                span_of(dec),
            )
        )
    timezone = dec.args.get("timezone")
    if timezone is not None and not (isinstance(timezone, str) and _TIMEZONE.match(timezone)):
        out.append(
            diag(
                "FC305",
                f"@schedule timezone {timezone!r} is not an IANA time zone name",
                span_of(dec),
            )
        )
        timezone = None
    arn = opts.state_machine_arn or (
        f"arn:aws:states:{opts.region}:{opts.account_id}:stateMachine:{opts.state_machine_name}"
    )
    document: dict[str, Any] = {
        "Name": opts.state_machine_name[:64],
        "ScheduleExpression": expressions[0],
        "ScheduleExpressionTimezone": timezone or "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
        "Target": {"Arn": arn, "RoleArn": opts.scheduler_role_arn, "Input": "{}"},
    }
    return document, out
