"""Every German and English word the figures use, in one place.

Kinds and dimensions come from the layer catalogue (``Kind.label``, ``Dimension.label``) so
the figures and the map legend can never disagree; participant groups, placement levels and
chart captions are written here. German is the default; any ``lang`` starting with "en" is
English. Numbers and dates are formatted the way each language writes them (1.234,5 vs 1,234.5).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from mapservice.catalog import Dimension, Kind

Lang = Literal["de", "en"]

#: Participant groups in the order the schema declares them (walkthrough columns, interviews).
GROUPS = ("residents", "multipliers", "experts", "administration")
#: How precisely an interview finding was placed, most precise first.
LEVELS = ("precise", "street", "quarter", "unplaced")
#: Georeferencing methods that place a finding at one spot. ``manual`` is a planner's pin.
PRECISE_METHODS = ("coordinates", "address", "crossing", "place", "manual")

_WORDS: dict[str, tuple[str, str]] = {
    # participant groups
    "residents": ("Bewohner*innen", "Residents"),
    "multipliers": ("Multiplikator*innen", "Multipliers"),
    "experts": ("Expert*innen", "Experts"),
    "administration": ("Verwaltung", "Administration"),
    # placement levels
    "precise": ("genau verortet", "placed precisely"),
    "street": ("auf Straßenebene", "at street level"),
    "quarter": ("auf Quartiersebene", "at quarter level"),
    "unplaced": ("nicht verortet", "not placed"),
    # nouns used in charts and tables
    "observations": ("Beobachtungen", "Observations"),
    "findings": ("Aussagen", "Findings"),
    "items": ("Einträge", "Entries"),
    "total": ("Summe", "Total"),
    "kind": ("Art", "Kind"),
    "dimension": ("Dimension", "Dimension"),
    "group": ("Beteiligte", "Participant group"),
    "level": ("Verortung", "Placement"),
    "share": ("Anteil", "Share"),
    "participants": ("Teilnehmende an Begehungen", "Walkthrough participants"),
    "participants_short": ("Teiln.", "partic."),
    "interviews": ("Interviews", "Interviews"),
    "interviews_short": ("Int.", "int."),
    # figure captions
    "fig_dimensions": (
        "Beobachtungen und Aussagen nach Dimension und Art",
        "Observations and findings by dimension and kind",
    ),
    "fig_participation": (
        "Beteiligung: Teilnehmende an Begehungen und Interviews je Gruppe",
        "Participation: walkthrough participants and interviews per group",
    ),
    "fig_placement": (
        "Wie genau die Aussagen aus Interviews verortet sind",
        "How precisely the interview findings are placed",
    ),
    "fig_kinds": ("Einträge nach Art", "Entries by kind"),
    "no_items": ("Noch keine Einträge.", "No entries yet."),
    "no_participation": ("Noch keine Beteiligung erfasst.", "No participation recorded yet."),
    "no_findings": ("Noch keine Aussagen aus Interviews.", "No interview findings yet."),
    "findings_note": (
        "Eine Aussage zu Ebenen zweier Dimensionen zählt in beiden.",
        "A finding tagged with layers of two dimensions counts in both.",
    ),
}

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def lang_of(value: str | None) -> Lang:
    """German unless English is asked for ("en", "en-GB" and "EN" all mean English)."""
    return "en" if (value or "").strip().lower().startswith("en") else "de"


def word(key: str, lang: str) -> str:
    """The label for ``key``: a group, placement level, noun or caption key above."""
    de, en = _WORDS[key]
    return en if lang_of(lang) == "en" else de


def kind_label(kind: str, lang: str) -> str:
    return Kind(kind).label(lang)


def dimension_label(dimension: str, lang: str) -> str:
    return Dimension(dimension).label(lang)


def level_of(method: str | None) -> str:
    """Placement level of a georeferencing method; ``None`` means the finding has no place."""
    if method is None:
        return "unplaced"
    if method in PRECISE_METHODS:
        return "precise"
    return method if method in ("street", "quarter") else "unplaced"


def number(value: float | int, lang: str, digits: int = 0) -> str:
    """1.234,5 in German, 1,234.5 in English."""
    text = f"{value:,.{digits}f}"
    if lang_of(lang) == "en":
        return text
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def percent(share: float | None, lang: str) -> str:
    """A share 0..1 as "47 %" (German, with a narrow space) or "47%" (English)."""
    if share is None:
        return "–"
    value = number(round(share * 100), lang)
    return f"{value}\u202f%" if lang_of(lang) == "de" else f"{value}%"


def day(value: date | None, lang: str) -> str:
    """04.05.2026 in German, 4 May 2026 in English; a dash when there is no date."""
    if value is None:
        return "–"
    if lang_of(lang) == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return value.strftime("%d.%m.%Y")
