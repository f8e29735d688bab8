"""Phase × status of a measure, as stored ids with German and English labels.

Two lists instead of one (the French national project schema split them after users
objected): *where* a measure stands (phase) and *how* it is going there (status). The ids
are ASCII so URLs, CSV files and SQL stay free of umlauts; the UI shows the labels.
"""

from __future__ import annotations

from typing import Literal

from mapservice.errors import InvalidInput

Phase = Literal["idee", "planung", "umsetzung", "abgeschlossen"]
State = Literal["laeuft", "verzoegert", "pausiert", "blockiert", "abgebrochen", "erledigt"]
DimensionName = Literal["ökologisch", "ökonomisch", "sozial"]

PHASES: dict[str, tuple[str, str]] = {
    "idee": ("Idee", "Idea"),
    "planung": ("Planung", "Planning"),
    "umsetzung": ("Umsetzung", "Implementation"),
    "abgeschlossen": ("abgeschlossen", "completed"),
}
STATES: dict[str, tuple[str, str]] = {
    "laeuft": ("läuft", "on track"),
    "verzoegert": ("verzögert", "delayed"),
    "pausiert": ("pausiert", "paused"),
    "blockiert": ("blockiert", "blocked"),
    "abgebrochen": ("abgebrochen", "cancelled"),
    "erledigt": ("erledigt", "done"),
}
DIMENSIONS = ("ökologisch", "ökonomisch", "sozial")


def phase_label(phase: str, lang: str = "de") -> str:
    de, en = PHASES.get(phase, (phase, phase))
    return en if lang.startswith("en") else de


def state_label(state: str, lang: str = "de") -> str:
    de, en = STATES.get(state, (state, state))
    return en if lang.startswith("en") else de


def _fold(value: str) -> str:
    value = value.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        value = value.replace(a, b)
    return value


def parse_phase(value: str) -> str:
    """An id or a German/English label ("Umsetzung", "implementation") → the phase id."""
    return _parse(value, PHASES, "Phase", "phase")


def parse_state(value: str) -> str:
    """An id or a label ("verzögert", "delayed") → the status id."""
    return _parse(value, STATES, "Status", "status")


def _parse(value: str, table: dict[str, tuple[str, str]], de: str, en: str) -> str:
    folded = _fold(value)
    for key, (label_de, label_en) in table.items():
        if folded in (key, _fold(label_de), _fold(label_en)):
            return key
    allowed = ", ".join(table)
    raise InvalidInput(
        f"{de} '{value[:40]}' ist unbekannt (erlaubt: {allowed}).",
        f"Unknown {en} '{value[:40]}' (allowed: {allowed}).",
        code=f"unknown_{en}",
    )
