"""Due dates: the time zones a due date may be in, the instant it falls due, and the
bounds of the Today / Upcoming / Overdue views (decisions: docs/architecture.md,
"Due dates").

A todo's due date is kept as the user set it (`due_date`, `due_time` or none for all
day, and `due_zone`, the IANA zone they were in) and, for comparing and sorting across
zones, as `due_at`: the last instant, in UTC, at which the todo is still on time. For a
due time that is the time itself; for an all-day date, the last microsecond of that day
in its zone. So "overdue" is one comparison, `due_at < now`, for both kinds, and a day's
todos sort their timed ones first and the all-day ones at the end of the day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

# IANA names are at most 32 characters long today ("America/Argentina/ComodRivadavia").
ZONE_MAX = 64
# The shape of every IANA name ("UTC", "Europe/Berlin", "Etc/GMT+5"); which names exist
# is the tz database's to say (`is_zone`), so the schema gives the shape, not a list of
# 597 names that would change with each `tzdata` release.
ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"
_LAST_MICROSECOND = time(23, 59, 59, 999_999)


@cache
def zone_names() -> frozenset[str]:
    """The IANA zones of the `tzdata` package (pinned in poetry.lock), not
    `available_timezones()`: that adds whatever the system's zoneinfo folder holds
    ("localtime", "Factory"), so the API's schema would differ from machine to machine."""
    names = resources.files("tzdata").joinpath("zones").read_text().split()
    return frozenset(names) - {"Factory"}


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA zone of the tz database, e.g. "Europe/Berlin". A set
    look-up, never a path: `ZoneInfo` itself would read a file named by the client."""
    return name in zone_names()


def due_at(due_date: date, due_time: time | None, zone: str) -> datetime:
    """The last instant, in UTC, at which a todo due then is on time.

    In a zone's spring-forward gap (02:30 on a night that jumps from 02:00 to 03:00) the
    time is read with the offset before the jump, i.e. as 03:30; in a fall-back overlap
    (01:30 twice) as the first of the two: Python's `fold=0`, the rule of RFC 5545
    (iCalendar) and of most calendars."""
    local = datetime.combine(due_date, due_time or _LAST_MICROSECOND, tzinfo=ZoneInfo(zone))
    # Never past `datetime.max`: due dates end on 9999-12-30 (`app.todos.schemas`).
    return local.astimezone(UTC)


def day_bounds(now: datetime, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which today and tomorrow begin in `zone`, for the views."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)
