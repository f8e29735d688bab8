"""Removing home house numbers from statement text ("Haldenstraße 88" → "Haldenstraße
[Hausnummer entfernt]").

A generalised public point is worthless when the statement beside it says "bei mir vor der
Tür, Haldenstraße 88". Every "street + number" in a text is looked up in the quarter's
gazetteer: a number that is a named place (the school at "In der Meile 2") stays, a number
that is a home — or that the gazetteer does not know, which it treats as a home — is
replaced by :data:`REDACTED`. Streets are the quarter's gazetteer streets (with the usual
spellings "Straße", "Strasse", "Str.") plus any word ending like a German street name
("…straße", "…weg", "…platz" …), so a street missing from the gazetteer is caught too.

The public always reads the redacted text; planners read the original until the
interviewee's data is erased (:func:`mapservice.capture.interviews.erase`), which replaces it.
:data:`mapservice.access.HOUSE_NUMBER_SQL` is the same idea in SQL for a row whose
redacted text has not been computed (a statement edited by SQL): it removes every number
after a street-like word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mapservice.georef.gazetteer import Gazetteer

REDACTED = "[Hausnummer entfernt]"
REDACTED_EN = "[house number removed]"

_SUFFIXES = (
    r"stra(?:ß|ss)e|str\.|weg|platz|allee|gasse|ring|damm|ufer|pfad|steig|chaussee|wall"
    r"|graben|stieg|markt|hof|kamp|feld|berg|zeile|promenade|bogen|brücke|winkel"
)
_GENERIC = rf"[A-ZÄÖÜ][\wäöüß-]*(?:{_SUFFIXES})"
_NUMBER = (
    r"(?P<num>\d{1,4}(?:\s?[a-zA-Z](?![\wäöüß]))?"
    r"(?:\s?[-–/]\s?\d{1,4}(?:\s?[a-zA-Z](?![\wäöüß]))?)?)(?![\d,.]\d)"
)


def _street_pattern(name: str) -> str:
    """A regex for a gazetteer street name in its common spellings."""
    out = re.escape(name.strip())
    out = re.sub(r"(?i)stra(?:ß|ss)e", r"(?:stra(?:ß|ss)e|str\\.?)", out)
    return re.sub(r"(?:\\ )+|\\-", r"[\\s-]+", out)


@dataclass
class Redactor:
    """Redacts home house numbers in texts of one quarter (build once per batch)."""

    gazetteer: Gazetteer
    quarter_id: int | None
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = set()
        for entry in self.gazetteer.entries:
            if self.quarter_id is not None and entry.quarter_id != self.quarter_id:
                continue
            if entry.kind == "street" and entry.name:
                names.add(entry.name)
            if entry.kind == "address" and entry.street:
                names.add(entry.street)
        known = [_street_pattern(n) for n in sorted(names, key=len, reverse=True)]
        streets = "|".join([*known, _GENERIC])
        self._pattern = re.compile(
            rf"(?P<street>\b(?:{streets}))(?P<gap>\s*,?\s*(?:Nr\.?\s*)?){_NUMBER}", re.IGNORECASE
        )

    def is_home(self, street: str, number: str) -> bool:
        """Whether "street number" is (or may be) somebody's home."""
        found = self.gazetteer.resolve(f"{street} {number}", quarter_id=self.quarter_id)
        return not (found.method == "address" and found.from_home_address is False)

    def redact(self, text: str) -> tuple[str, int]:
        """The text without home house numbers, and how many were removed."""
        if not text or not any(ch.isdigit() for ch in text):
            return text, 0
        removed = 0

        def replace(match: re.Match[str]) -> str:
            nonlocal removed
            street, number = match.group("street"), match.group("num")
            if not self.is_home(street, number):
                return match.group(0)
            removed += 1
            return f"{street} {REDACTED}"

        return self._pattern.sub(replace, text), removed
