"""Normalising German place text so that the ways people write a name compare equal.

Interview notes say "Hofsteder Str.", the cadastre says "Hofsteder Straße", an OSM extract
"Hofstederstraße", a phone keyboard "hofsteder strasse"; "Müller" arrives as "Mueller".
Gazetteer names and statements go through the same functions here, so an exact match is a
dictionary look-up and fuzzy matching only has to deal with real typos.

- :func:`fold`: lower case, ß → ss, ä/ö/ü → ae/oe/ue, other accents dropped.
- :func:`normalise`: fold + abbreviations ("Str." → strasse, "Pl." → platz, "St." → sankt)
  + hyphens/punctuation to single spaces + filler words ("an der", "am", "Ecke", "gegenüber",
  "vor dem", …) removed → ``"hofsteder strasse"``.
- :func:`match_key`: :func:`normalise` without spaces → ``"hofstederstrasse"``, so
  "Hofsteder Straße" and "Hofstederstraße" are the same key.
- :func:`parse_housenumber`: "12a", "4 a", "23 - 25" → "12a", "4a", "23".
- :func:`split_address`: "Von-der-Recke-Str. 53" → ("Von-der-Recke-Straße", "53").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})

# Prepositions, articles and place words that say *where near* something is, not *what* it
# is. Removed token by token on both sides of a comparison, so "Spielplatz an der
# Bärendorfer Straße" and "am Spielplatz Bärendorfer Straße" meet as "spielplatz baerendorfer
# strasse". "von" stays: it is part of many names (Von-der-Recke-Straße).
FILLERS = frozenset(
    {
        "an", "am", "auf", "bei", "beim", "vor", "vorm", "im", "in", "hinter", "neben",
        "gegenueber", "ecke", "nahe", "naehe", "hoehe", "zum", "zur", "unter", "ueber",
        "der", "die", "das", "dem", "den", "des",
    }
)  # fmt: skip

# Words with one meaning that people write in several ways; the right side is the one key.
SYNONYMS = {
    "kindertageseinrichtung": "kita",
    "kindertagesstaette": "kita",
    "kindertagesstatte": "kita",
    "kindergarten": "kita",
    "kiga": "kita",
    "bushaltestelle": "haltestelle",
    "bushalte": "haltestelle",
    "hst": "haltestelle",
    "haltepunkt": "haltestelle",
}

# Order matters: suffix forms ("Hauptstr.") before stand-alone forms ("Str.").
_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[a-z])str\b\.?"), "strasse"),
    (re.compile(r"\bstr\b\.?"), "strasse"),
    (re.compile(r"(?<=[a-z])pl\."), "platz"),
    (re.compile(r"\bpl\b\.?"), "platz"),
    (re.compile(r"\bst\.\s*"), "sankt "),
    (re.compile(r"\bhbf\b\.?"), "hauptbahnhof"),
    (re.compile(r"\bbhf\b\.?"), "bahnhof"),
)
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Display forms keep the case people wrote: "Von-der-Recke-Str." → "Von-der-Recke-Straße".
_DISPLAY = (
    (re.compile(r"(?<=[a-zäöüß])str\.", re.IGNORECASE), "straße"),
    (re.compile(r"\bStr\.", re.IGNORECASE), "Straße"),
    (re.compile(r"(?<=[a-zäöüß])pl\.", re.IGNORECASE), "platz"),
    (re.compile(r"\bPl\.", re.IGNORECASE), "Platz"),
)

_HN = r"\d{1,5}(?:\s?[a-z](?![a-z]))?"
_RANGE_END = rf"(?:{_HN}|[a-z](?![a-z]))"  # "23 - 25", "19 a-c", "12a/b"
_HOUSENUMBER = re.compile(
    rf"^\s*(\d{{1,5}})\s*([a-z])?(?:\s*[-–/]\s*{_RANGE_END})?\s*$", re.IGNORECASE
)
_ADDRESS = re.compile(
    rf"^(?P<street>.*?[^\d\s,])[\s,]*(?P<hn>{_HN}(?:\s*[-–/]\s*{_RANGE_END})?)\s*$",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Lower case, umlauts and ß spelled out, other diacritics dropped ("Café" → "cafe")."""
    text = text.lower().translate(_UMLAUTS)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def expand_abbreviations(folded: str) -> str:
    """Spell out "str."/"pl."/"st." and friends in already folded text."""
    for pattern, replacement in _ABBREVIATIONS:
        folded = pattern.sub(replacement, folded)
    return folded


def raw_tokens(text: str) -> list[str]:
    """Folded, abbreviations expanded, split at anything that is not a letter or digit,
    synonyms replaced ("Kindertageseinrichtung" → "kita")."""
    return [SYNONYMS.get(t, t) for t in _NON_WORD.split(expand_abbreviations(fold(text))) if t]


def strip_fillers(tokens: list[str]) -> list[str]:
    """Drop filler words; a name made only of fillers keeps its words."""
    kept = [t for t in tokens if t not in FILLERS]
    return kept or tokens


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The comparable form of a place name: ``"Am Hofsteder Str."`` → ``"hofsteder strasse"``."""
    return " ".join(strip_fillers(raw_tokens(text)))


def match_key(text: str) -> str:
    """:func:`normalise` without spaces: one key for "Hofsteder Straße" and "Hofstederstraße"."""
    return normalise(text).replace(" ", "")


def parse_housenumber(text: str | None) -> str | None:
    """A house number in its comparable form, or None when ``text`` is not one.

    Letters are kept and lower-cased ("12A", "4 a" → "12a", "4a"); of a range the first
    number counts ("23 - 25" → "23", "12-14" → "12"), since that is where the door is
    usually counted from; leading zeros go ("007" → "7").
    """
    if not text:
        return None
    match = _HOUSENUMBER.match(text)
    if not match:
        return None
    return f"{int(match.group(1))}{(match.group(2) or '').lower()}"


def housenumber_value(housenumber: str) -> int:
    """The numeric part of a normalised house number ("12a" → 12), for nearest-number search."""
    digits = re.match(r"\d+", housenumber)
    return int(digits.group(0)) if digits else 0


def display_street(street: str) -> str:
    """A street name with "Str."/"Pl." written out, case kept: for storing and showing."""
    street = " ".join(street.split())
    for pattern, replacement in _DISPLAY:
        street = pattern.sub(replacement, street)
    return street


def split_address(text: str) -> tuple[str, str | None]:
    """Street and house number of an address as people write it, street in display form.

    "Von-der-Recke-Str. 53" → ("Von-der-Recke-Straße", "53"); "Suttner-Nobel-Allee 4 a" →
    ("Suttner-Nobel-Allee", "4a"); "In der Schornau 23 - 25" → ("In der Schornau", "23");
    "Querenburger Str." → ("Querenburger Straße", None).
    """
    text = " ".join(text.split())
    match = _ADDRESS.match(text)
    if match:
        housenumber = parse_housenumber(match.group("hn"))
        if housenumber is not None:
            return display_street(match.group("street").strip(" ,")), housenumber
    return display_street(text.strip(" ,")), None
