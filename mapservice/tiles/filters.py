"""Filters shared by tiles, TileJSON and OGC items: quarter, kind, datetime, walkthrough, status.

Every value is parsed into a closed type here (slug pattern, enum, UUID, timestamps) before
it reaches SQL, where it is a bound parameter anyway; so a value such as
``'; DROP TABLE observation;--`` is a 400 with a German and English reason, never SQL.
Which filter applies to which layer is decided in ``sources``; who may use ``status`` in
``sources.check_filters``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from mapservice.db.models import KINDS, STATUSES
from mapservice.errors import InvalidInput

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,60}")
_DATE = r"\d{4}-\d{2}-\d{2}"
_DATETIME = re.compile(
    rf"{_DATE}[Tt ]\d{{2}}:\d{{2}}:\d{{2}}(\.\d{{1,9}})?([Zz]|[+-]\d{{2}}:\d{{2}})"
)
_DAY = re.compile(_DATE)
FILTER_NAMES = ("quarter", "kind", "datetime", "walkthrough", "status")


@dataclass(frozen=True)
class Filters:
    """Parsed filter values; ``None`` means "not filtered"."""

    quarter: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    walkthrough: uuid.UUID | None = None
    status: str | None = None

    @property
    def has_time(self) -> bool:
        return self.since is not None or self.until is not None

    def used(self) -> tuple[str, ...]:
        """Names of the filters in use, as a caller would write them."""
        names = [n for n in ("quarter", "kind", "walkthrough", "status") if getattr(self, n)]
        return (*names, "datetime") if self.has_time else tuple(names)

    def key(self) -> tuple[Any, ...]:
        """Hashable identity for cache keys and ETags (plain attribute reads: this runs on
        every tile request, and ``dataclasses.asdict`` deep-copies)."""
        return (self.quarter, self.kind, self.since, self.until, self.walkthrough, self.status)

    def params(self) -> dict[str, Any]:
        """Bound SQL parameters (unused ones are simply not referenced by the SQL text)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


NO_FILTERS = Filters()

#: The id of the ``quarter`` filter's quarter, as SQL on the bound slug (tile hot path, psycopg).
QUARTER_ID = "(SELECT q.id FROM quarter q WHERE q.slug = %(quarter)s::text)"


def invalid(name: str, de: str, en: str) -> InvalidInput:
    return InvalidInput(
        f"Ungültiger Parameter {name}: {de}",
        f"Invalid parameter {name}: {en}",
        code=f"invalid_{name}",
    )


def _instant(text: str, *, end: bool) -> datetime:
    """An RFC 3339 date-time, or a whole day (its first or last microsecond) for a date."""
    if _DATETIME.fullmatch(text):
        value = datetime.fromisoformat(text.upper().replace("Z", "+00:00").replace(" ", "T"))
        return value.astimezone(UTC)
    if _DAY.fullmatch(text):
        day = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return day + timedelta(days=1, microseconds=-1) if end else day
    raise ValueError(text)


def parse_datetime(value: str) -> tuple[datetime | None, datetime | None]:
    """OGC ``datetime``: an instant, or ``start/end`` where either side may be ``..`` or empty.

    >>> parse_datetime("2024-05-01T10:00:00Z/..")[1] is None
    True
    """
    text = value.strip()
    try:
        if "/" not in text:
            if text == "..":
                raise ValueError(text)
            if _DAY.fullmatch(text):
                return _instant(text, end=False), _instant(text, end=True)
            moment = _instant(text, end=False)
            return moment, moment
        start_text, _, end_text = text.partition("/")
        start = None if start_text in ("", "..") else _instant(start_text, end=False)
        end = None if end_text in ("", "..") else _instant(end_text, end=True)
    except ValueError:
        raise invalid(
            "datetime",
            f"{value[:60]!r} ist kein Zeitpunkt oder Zeitraum nach RFC 3339, z. B. "
            "2024-05-01T10:00:00Z, 2024-05-01T00:00:00Z/2024-06-30T23:59:59Z, 2024-05-01/..",
            f"{value[:60]!r} is not an RFC 3339 instant or interval, e.g. "
            "2024-05-01T10:00:00Z, 2024-05-01T00:00:00Z/2024-06-30T23:59:59Z, 2024-05-01/..",
        ) from None
    if start is not None and end is not None and start > end:
        raise invalid(
            "datetime",
            "der Beginn liegt nach dem Ende des Zeitraums.",
            "the start lies after the end of the interval.",
        )
    return start, end


def parse_filters(query: Mapping[str, str]) -> Filters:
    """Read the filter parameters from a query mapping; unknown names are not looked at here."""
    quarter = query.get("quarter")
    if quarter is not None and not SLUG.fullmatch(quarter):
        raise invalid(
            "quarter",
            "erwartet wird das Kürzel eines Quartiers (a–z, 0–9, -), z. B. bochum-hamme.",
            "expected a quarter slug (a–z, 0–9, -), e.g. bochum-hamme.",
        )
    kind = query.get("kind")
    if kind is not None and kind not in KINDS:
        raise invalid(
            "kind", f"erlaubt sind {', '.join(KINDS)}.", f"allowed are {', '.join(KINDS)}."
        )
    status = query.get("status")
    if status is not None and status not in STATUSES:
        raise invalid(
            "status", f"erlaubt sind {', '.join(STATUSES)}.", f"allowed are {', '.join(STATUSES)}."
        )
    walkthrough = None
    if (raw := query.get("walkthrough")) is not None:
        try:
            walkthrough = uuid.UUID(raw)
        except ValueError:
            raise invalid(
                "walkthrough",
                "erwartet wird die UUID einer Begehung.",
                "expected the UUID of a walkthrough.",
            ) from None
    since, until = parse_datetime(query["datetime"]) if "datetime" in query else (None, None)
    return Filters(quarter, kind, since, until, walkthrough, status)


def query_values(
    pairs: list[tuple[str, str]], allowed: frozenset[str] | set[str]
) -> dict[str, str]:
    """Query parameters as a dict; an unknown or repeated name is a 400 (OGC API demands it,
    and it catches typos such as ``kinds=`` that would otherwise silently filter nothing)."""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "–"
            raise InvalidInput(
                f"Unbekannter Parameter {name[:40]!r} (möglich: {known}).",
                f"Unknown parameter {name[:40]!r} (possible: {known}).",
                code="unknown_parameter",
            )
        if name in values:
            raise invalid(name, "wurde mehrfach angegeben.", "was given more than once.")
        values[name] = value
    return values
