"""Quarter figures: counts for the summary API, the start page and the map sidebar.

    queries.py   one SQL statement counting everything for one or all quarters
    summary.py   the counts shaped into a ``QuarterSummary`` (schema.py), per viewer role
    svg.py       small server-made SVG bar charts (no chart library, no CDN)
    charts.py    the figures as HTML: chart + legend + a table for screen readers
    outline.py   a quarter boundary as a small SVG outline
    labels.py    every German and English word the figures use

The public sees figures of published observations and findings only; planners see all.
"""

from mapservice.figures.charts import FIGURES_CSS, all_figures, kind_colours
from mapservice.figures.schema import QuarterSummary
from mapservice.figures.summary import quarter_summary, summaries

__all__ = [
    "FIGURES_CSS",
    "QuarterSummary",
    "all_figures",
    "kind_colours",
    "quarter_summary",
    "summaries",
]
