"""Time, goals and density on the quarter maps (issue 15): what the sidebar needs for them.

* **Rounds** (Begehungsrunden, ``mapservice.change.rounds``) offered beside the date range:
  choosing a round fills the range with the round's period, which the tiles and items get
  as ``datetime=from/to`` – one time filter, one cache key, visible as dates to the reader.
* **SDG**: the goals of the layers on the page (legend), and ``?sdg=11`` keeping only the
  layers tagged with goal 11.
* **Heatmap** texts (the view itself is ``static/karte-heat.js`` over leaflet.heat, from the
  data the map has loaded, so the public heatmap has only the public generalised places).

The texts live here rather than in ``i18n.py`` so this feature's words stay together.
"""

from __future__ import annotations

from typing import Any

from mapservice.catalog import Layer
from mapservice.catalog.sdg import goals
from mapservice.maps.i18n import Lang, format_date, norm_lang

ROUNDS_SQL = (
    "SELECT label, period_from, period_to FROM walk_round "
    "WHERE quarter_id = %(qid)s ORDER BY period_from, label"
)

STRINGS: dict[str, tuple[str, str]] = {
    "round": ("Begehungsrunde", "Walkthrough round"),
    "round_any": ("keine – Zeitraum frei wählen", "none – choose any period"),
    "round_hint": (
        "Eine Runde setzt den Zeitraum auf ihre Dauer.",
        "A round sets the period to its dates.",
    ),
    "sdg": ("Nachhaltigkeitsziele (SDG)", "Sustainable Development Goals (SDGs)"),
    "sdg_filter": ("Nur Ebenen zum Ziel", "Only layers of the goal"),
    "sdg_all": ("alle Ziele", "all goals"),
    "sdg_apply": ("Ziel anwenden", "Apply goal"),
    "sdg_active": ("Gezeigt: Ebenen zu", "Showing: layers of"),
    "sdg_none": ("Keine Ebene gehört zu diesem Ziel.", "No layer belongs to this goal."),
    "heat": ("Dichte (Heatmap)", "Density (heatmap)"),
    "heat_on": ("Heatmap zeigen", "Show heatmap"),
    "heat_kind": ("Art in der Heatmap", "Kind in the heatmap"),
    "heat_all": ("alle Arten", "all kinds"),
    "heat_hint": (
        "Aus den geladenen Einträgen der gewählten Ebenen; öffentlich nur mit den "
        "verallgemeinerten Orten.",
        "From the loaded entries of the chosen layers; in public only with the generalised places.",
    ),
    "heat_low": ("wenig", "few"),
    "heat_high": ("viel", "many"),
    "heat_status": ("Heatmap: {n} Einträge ({kind})", "Heatmap: {n} entries ({kind})"),
    "heat_off": ("Heatmap aus", "Heatmap off"),
    "bad_value": ("Ungültige Angabe", "Invalid value"),
}

#: Keys the browser client needs (merged into its ``texts``).
JS_KEYS = ("heat_status", "heat_off", "heat_all", "round_any")


def extra_texts(lang: Lang) -> dict[str, str]:
    index = 1 if norm_lang(lang) == "en" else 0
    return {key: pair[index] for key, pair in STRINGS.items()}


def extra_js_texts(lang: Lang) -> dict[str, str]:
    t = extra_texts(lang)
    return {key: t[key] for key in JS_KEYS}


def round_options(rows: list[tuple[Any, ...]], lang: Lang) -> list[dict[str, str]]:
    """The quarter's rounds as options: label, ISO period and the period as people read it."""
    return [
        {
            "label": str(label),
            "from": start.isoformat(),
            "to": end.isoformat(),
            "text": f"{label} ({format_date(start, lang)}–{format_date(end, lang)})",
        }
        for label, start, end in rows
    ]


def by_goal(layers: list[Layer], goal: int | None) -> list[Layer]:
    """``?sdg=11``: the layers tagged with goal 11 (all when no goal is asked for)."""
    return layers if goal is None else [layer for layer in layers if goal in layer.sdg]


def sdg_legend(layers: list[Layer], lang: Lang) -> list[dict[str, Any]]:
    """One legend row per goal of the page's layers, naming those layers."""
    known = goals()
    numbers = sorted({n for layer in layers for n in layer.sdg})
    return [
        {
            "goal": n,
            "label": known[n].label(lang),
            "layers": ", ".join(layer.title(lang) for layer in layers if n in layer.sdg),
        }
        for n in numbers
    ]


def sdg_options(layers: list[Layer], lang: Lang) -> list[dict[str, Any]]:
    """The goals a reader can narrow the map to: those of the layers the viewer may see."""
    known = goals()
    numbers = sorted({n for layer in layers for n in layer.sdg})
    return [{"goal": n, "label": known[n].label(lang)} for n in numbers]


def sdg_style() -> str:
    """CSS custom properties of the goals' UN colours (drawn as swatches, never as text)."""
    return "".join(f".sdg-{g.number}{{--sdg:{g.colour}}}" for g in goals().values())
