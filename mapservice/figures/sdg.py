"""The summary's figures per UN Sustainable Development Goal (``?gruppe=sdg``).

Built from the per-layer counts the summary has already made: a goal's figures are the sums
over the layers tagged with it (``sdg = [..]`` in layers/), as the German "SDG-Indikatoren
für Kommunen" group figures by goal. A layer serves several goals, so the goals' totals may
add up to more than the quarter's items; a finding tagged with two layers of one goal
counts for each of them, as it does in the per-layer figures.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from mapservice.catalog import Catalog
from mapservice.catalog.sdg import goals
from mapservice.figures.schema import LayerCount


class GoalCount(BaseModel):
    goal: int = Field(ge=1, le=17, description="SDG number 1–17")
    title: str = Field(description="Official short title (German, or English for lang=en)")
    layers: list[str] = Field(description="The layers tagged with this goal that have items")
    observations: int
    findings: int
    by_kind: dict[str, int] = Field(description="kind → observations + findings")


def goal_counts(layers: list[LayerCount], catalog: Catalog, lang: str = "de") -> list[GoalCount]:
    """One row per goal that at least one counted layer is tagged with, by goal number."""
    known, out = goals(), []
    tagged = {layer.id: layer.sdg for layer in catalog}
    for goal in sorted({g for row in layers for g in tagged.get(row.layer, ())}):
        rows = [row for row in layers if goal in tagged.get(row.layer, ())]
        by_kind: dict[str, int] = {}
        for row in rows:
            for kind, n in row.by_kind.items():
                by_kind[kind] = by_kind.get(kind, 0) + n
        out.append(
            GoalCount(
                goal=goal,
                title=known[goal].title(lang),
                layers=[row.layer for row in rows if row.observations or row.findings],
                observations=sum(row.observations for row in rows),
                findings=sum(row.findings for row in rows),
                by_kind=by_kind,
            )
        )
    return out
