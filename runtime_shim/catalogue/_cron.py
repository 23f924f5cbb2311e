"""Cron expressions of ``@schedule(cron=...)``, normalised to the standard 5 fields.

Two spellings are accepted. The standard 5 fields (minute hour day-of-month month
day-of-week, Sunday = 0) are what Argo's ``CronWorkflow`` (robfig/cron) and Airflow
(croniter) read. Metaflow documents EventBridge's 6 fields (the same five, then a year,
Sunday = 1, ``?`` in one day field), because its Step Functions deployer passes the text to
EventBridge and its Argo deployer keeps the first five; that spelling is translated here, so
a Metaflow flow means the same schedule on every target. The normal form is 5 fields with
``?`` written as ``*``; the Step Functions backend renders it back for EventBridge.

Only what every engine accepts passes: numbers, ``*``, ranges ``a-b``, steps ``*/n`` and
``a-b/n``, lists ``a,b``, month and weekday names, ``?`` in the day fields. A year other
than ``*``, Quartz's ``L``/``W``/``#`` and ``@daily``-style descriptors are rejected: not
every target can express them (``@schedule(daily=True)`` says the descriptor already).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runtime_shim.catalogue._kinds import InvalidValue


@dataclass(frozen=True)
class CronField:
    """One field's definition: its name, inclusive bounds and accepted names."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] stands for low + i
    allows_any: bool = False  # "?" is accepted (the day fields)


FIELDS = (
    CronField("minute", 0, 59),
    CronField("hour", 0, 23),
    CronField("day of month", 1, 31, allows_any=True),
    CronField(
        "month",
        1,
        12,
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    ),
    CronField(
        "day of week", 0, 6, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), allows_any=True
    ),
)

_ITEM = re.compile(r"^(?P<range>\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(?P<step>\d+))?$")


@dataclass(frozen=True)
class CronExpression:
    """A parsed expression: the five field texts, in order, as written."""

    minute: str
    hour: str
    day_of_month: str
    month: str
    day_of_week: str

    @property
    def fields(self) -> tuple[str, str, str, str, str]:
        return (self.minute, self.hour, self.day_of_month, self.month, self.day_of_week)

    @property
    def text(self) -> str:
        return " ".join(self.fields)


def parse_cron(text: str) -> CronExpression:
    """Parse, check and normalise ``text``; raises ``InvalidValue`` naming the first bad field."""
    if text.strip().startswith("@"):
        raise InvalidValue(
            f"{text!r} is a cron descriptor, not a 5-field expression "
            "(use hourly=, daily= or weekly=, or write the five fields)"
        )
    parts = text.split()
    if len(parts) == len(FIELDS) + 1:
        parts = _from_eventbridge(parts)
    elif len(parts) != len(FIELDS):
        raise InvalidValue(
            f"{text!r} has {len(parts)} field(s); a cron expression has 5: "
            "minute hour day-of-month month day-of-week"
        )
    for part, spec in zip(parts, FIELDS, strict=True):
        _check_field(part, spec)
    return CronExpression(*("*" if part == "?" else part for part in parts))


def _from_eventbridge(parts: list[str]) -> list[str]:
    """EventBridge's 6 fields -> the standard 5 (the year must be ``*``; Sunday 1 -> 0)."""
    *five, year = parts
    if year != "*":
        raise InvalidValue(
            f"year field {year!r}: a schedule limited to some years cannot be expressed "
            "on every target; write '*'"
        )
    five[4] = re.sub(r"(?<![/\d])\d+", _eventbridge_weekday, five[4])
    return five


def _eventbridge_weekday(match: re.Match[str]) -> str:
    number = int(match.group())
    if not 1 <= number <= 7:
        raise InvalidValue(f"{number} is outside EventBridge's day-of-week range 1-7 (Sunday is 1)")
    return str(number - 1)


def _check_field(text: str, spec: CronField) -> None:
    if text == "?":
        if not spec.allows_any:
            raise InvalidValue(f"'?' is only allowed in the day fields, not in the {spec.name}")
        return
    for item in text.split(","):
        match = _ITEM.match(item)
        if match is None:
            raise InvalidValue(f"{item!r} is not a valid {spec.name} field")
        if match["step"] is not None and int(match["step"]) == 0:
            raise InvalidValue(f"step 0 in {item!r} ({spec.name})")
        if match["range"] == "*":
            continue
        low_text, _, high_text = match["range"].partition("-")
        low = _value(low_text, spec)
        high = _value(high_text, spec) if high_text else low
        if low > high:
            raise InvalidValue(f"range {match['range']!r} of the {spec.name} is backwards")


def _value(text: str, spec: CronField) -> int:
    if text.isdigit():
        value = int(text)
    elif text.upper() in spec.names:
        return spec.low + spec.names.index(text.upper())
    else:
        raise InvalidValue(f"{text!r} is not a valid {spec.name}")
    if not spec.low <= value <= spec.high:
        hint = " (Sunday is 0)" if spec.name == "day of week" and value == 7 else ""
        raise InvalidValue(f"{value} is outside the {spec.name} range {spec.low}-{spec.high}{hint}")
    return value
