"""Opening hours in OpenStreetMap syntax, checked and evaluated by ``opening_hours``
(opening-hours-py, the Rust parser used by OSM tools) — never by our own regexes.

A syntax error is refused with the parser's own pointer to the problem ("at character 4:
expected wday"), German and English. "Open now" is evaluated in the quarter's time zone
(Europe/Berlin) with German public holidays, so ``PH off`` means what it says.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import opening_hours

from mapservice.errors import InvalidInput

ZONE = ZoneInfo("Europe/Berlin")
_POSITION = re.compile(r"-->\s*\d+:(\d+)")


def _problem(error: Exception) -> tuple[int | None, str]:
    text = str(error)
    found = _POSITION.search(text)
    where = int(found.group(1)) if found else None
    reason = next(
        (ln.split("=", 1)[1].strip() for ln in text.splitlines() if ln.strip().startswith("=")),
        text.splitlines()[0] if text else "syntax error",
    )
    return where, reason[:120]


def parse(value: str, where: str = "opening_hours") -> opening_hours.OpeningHours:
    """The parsed expression, or a 400 naming the place and the parser's complaint."""
    try:
        return opening_hours.OpeningHours(value, timezone=ZONE, country="DE")
    except Exception as exc:  # ParserError, SyntaxError: whatever the parser raises
        pos, reason = _problem(exc)
        at_de = f" an Stelle {pos}" if pos else ""
        at_en = f" at character {pos}" if pos else ""
        shown = value[:80]
        raise InvalidInput(
            f"{where}: Öffnungszeiten „{shown}“ sind keine gültige OpenStreetMap-Angabe"
            f"{at_de} ({reason}); Beispiel: Mo-Fr 09:00-17:00; Sa 10:00-13:00.",
            f"{where}: opening hours '{shown}' are not valid OpenStreetMap syntax{at_en} "
            f"({reason}); example: Mo-Fr 09:00-17:00; Sa 10:00-13:00.",
            code="invalid_opening_hours",
        ) from None


def check(value: str, where: str = "opening_hours") -> str:
    """The expression as given (stripped), after the parser accepted it; '' stays ''."""
    value = value.strip()
    if value:
        parse(value, where)
    return value


def state(value: str, now: datetime | None = None) -> dict[str, Any]:
    """``open_now`` (True/False, None when unknown or not given), the next change and the
    rule's comment."""
    if not value:
        return {"open_now": None, "next_change": None, "hours_comment": ""}
    parsed = parse(value)
    at = (now or datetime.now(ZONE)).astimezone(ZONE)
    found = parsed.state(at)
    comment = found[1] if isinstance(found, tuple) and len(found) > 1 else ""
    name = str(found[0] if isinstance(found, tuple) else found).rsplit(".", 1)[-1].lower()
    is_open = {"open": True, "closed": False}.get(name)
    change = parsed.next_change(at)
    return {
        "open_now": is_open,
        "next_change": change.isoformat(timespec="minutes") if change is not None else None,
        "hours_comment": comment or "",  # e.g. "nach Vereinbarung" ('Mo-Fr unknown "…"')
    }
