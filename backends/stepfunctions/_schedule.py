"""``@schedule`` → an EventBridge Scheduler ``CreateSchedule`` request for the machine.

The catalogue gives the schedule as a normal 5-field cron (``parse_cron``). EventBridge's
cron has six fields (minutes hours day-of-month month day-of-week year), needs ``?`` in
exactly one of the two day fields, numbers weekdays 1-7 from Sunday and takes no ``/`` in
the day-of-week, so the weekdays are written out as a list (``*/n`` elsewhere becomes the
``0/n`` form AWS documents). A cron that restricts both
day fields means "either" in standard cron, which EventBridge cannot say: FC308.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backends.coverage import resolved
from backends.stepfunctions._options import SfnOptions
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Decorator

if TYPE_CHECKING:
    from runtime_shim.catalogue import CronExpression

#: EventBridge Scheduler schedule names: 1-64 of [0-9A-Za-z._-].
MAX_SCHEDULE_NAME = 64
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def _weekday_number(text: str) -> int:
    return _WEEKDAYS.index(text.upper()) if text.upper() in _WEEKDAYS else int(text)


def _weekdays(field: str) -> set[int]:
    """The weekdays (Sunday 0) a standard day-of-week field selects."""
    days: set[int] = set()
    for item in field.split(","):
        span, _, step = item.partition("/")
        if span == "*":
            low, high = 0, 6
        else:
            first, _, last = span.partition("-")
            low = _weekday_number(first)
            high = _weekday_number(last) if last else (6 if step else low)
        days.update(range(low, high + 1, int(step or 1)))
    return days


def _eventbridge_weekdays(days: set[int]) -> str:
    """Weekdays as EventBridge numbers (Sunday 1), runs written as ranges."""
    numbers = sorted(day + 1 for day in days)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ",".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in runs)


def eventbridge_cron(cron: CronExpression) -> str | None:
    """``cron(m h dom mon dow year)`` for ``cron``; None when EventBridge cannot say it."""
    day_of_month, day_of_week = cron.day_of_month, cron.day_of_week
    days = _weekdays(day_of_week)
    if len(days) == 7:
        day_of_week = "?"
    elif day_of_month == "*":
        day_of_month, day_of_week = "?", _eventbridge_weekdays(days)
    else:
        return None
    minute, hour = _from(cron.minute, 0), _from(cron.hour, 0)
    month, day_of_month = _from(cron.month, 1), _from(day_of_month, 1)
    return f"cron({minute} {hour} {day_of_month} {month} {day_of_week} *)"


def _from(field: str, low: int) -> str:
    """``*/n`` as ``low/n``, the increment form AWS documents."""
    return ",".join(
        f"{low}/{item[2:]}" if item.startswith("*/") else item for item in field.split(",")
    )


def schedule_document(
    dec: Decorator, opts: SfnOptions
) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    from runtime_shim.catalogue import InvalidValue, parse_cron, schedule_cron

    values = resolved(dec)
    text = schedule_cron(values) or "0 0 * * *"
    try:
        expression = eventbridge_cron(parse_cron(text))
    except InvalidValue as error:
        return None, [diag(codes.FC308, f"@schedule cron: {error}", dec.location.span())]
    if expression is None:
        return None, [
            diag(
                codes.FC308,
                f"@schedule cron {text!r} restricts both the day of month and the weekday "
                "(either may match); EventBridge cron takes only one of them",
                dec.location.span(),
                "schedule on the day of month or on weekdays, not both",
            )
        ]
    if len(opts.state_machine_name) > MAX_SCHEDULE_NAME:
        return None, [
            diag(
                codes.FC304,
                f"the schedule is named after the state machine, {opts.state_machine_name!r}, "
                f"which is {len(opts.state_machine_name)} characters; an EventBridge "
                f"Scheduler schedule name allows {MAX_SCHEDULE_NAME}",
                dec.location.span(),
                "use a shorter state machine name (flowc does not truncate names)",
            )
        ]
    timezone = values.get("timezone")
    arn = opts.state_machine_arn or (
        f"arn:aws:states:{opts.region}:{opts.account_id}:stateMachine:{opts.state_machine_name}"
    )
    document: dict[str, Any] = {
        "Name": opts.state_machine_name,
        "ScheduleExpression": expression,
        "ScheduleExpressionTimezone": timezone or "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
        "Target": {"Arn": arn, "RoleArn": opts.scheduler_role_arn, "Input": "{}"},
    }
    return document, []
