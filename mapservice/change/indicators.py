"""The quarter's figures per round as a time series, and what changed between rounds.

Per round: walkthroughs, participants per group (sums of the walkthroughs' counts),
observations per dimension × kind, mean rating. Between consecutive rounds: per layer the
share of the earlier round's problems that are ``behoben`` (of those whose place was walked
again: problems in streets not walked again are left out, they say nothing) and the mean
rating change of matched pairs. The public sees published observations only.
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer, observation_visibility
from mapservice.catalog import Catalog
from mapservice.catalog.sdg import goals
from mapservice.change.rounds import WALKTHROUGH_ROUND_SQL, Round, quarter_id, rounds_of
from mapservice.change.service import ROUND_ITEMS, change

GROUPS = ("residents", "multipliers", "experts", "administration")
KINDS = ("strength", "problem", "potential", "idea")


def indicators(
    conn: Connection,
    catalog: Catalog,
    viewer: Viewer,
    slug: str,
    lang: str = "de",
    group: str | None = None,
) -> dict[str, Any]:
    """The figures per round; ``group="sdg"`` adds them per Sustainable Development Goal."""
    rounds, series = round_series(conn, catalog, viewer, slug, lang, group)
    changes = []
    for a, b in itertools.pairwise(rounds):
        body = change(conn, catalog, viewer, slug, a.label, b.label, lang)
        changes.append(_change_figures(body))
        if group == "sdg":
            changes[-1]["sdg"] = _fixed_per_goal(catalog, changes[-1]["layers"], lang)
    out = {"quarter": slug, "rounds": series, "changes": changes}
    return {**out, "gruppe": "sdg"} if group == "sdg" else out


def round_series(
    conn: Connection,
    catalog: Catalog,
    viewer: Viewer,
    slug: str,
    lang: str = "de",
    group: str | None = None,
) -> tuple[list[Round], list[dict[str, Any]]]:
    """The figures per round, oldest first (cheap: no matching; the summary API shows it)."""
    qid = quarter_id(conn, slug)
    rounds = rounds_of(conn, qid)
    rids = [r.id for r in rounds]
    visible = observation_visibility(viewer, "o", ":viewer_name")
    obs = conn.execute(
        text(ROUND_ITEMS.format(visible=visible)),
        {"q": qid, "rids": rids, "viewer_name": viewer.name},
    ).all()
    people = {
        r.round_id: r
        for r in conn.execute(
            text(
                "SELECT wr.round_id, count(*) AS n, sum(w.residents) AS residents, "
                "sum(w.multipliers) AS multipliers, sum(w.experts) AS experts, "
                "sum(w.administration) AS administration "
                f"FROM ({WALKTHROUGH_ROUND_SQL}) wr JOIN walkthrough w ON w.id = wr.walkthrough_id "
                "WHERE wr.quarter_id = :q AND wr.round_id IS NOT NULL GROUP BY wr.round_id"
            ),
            {"q": qid},
        )
    }
    dimension = {layer.id: str(layer.dimension.value) for layer in catalog}
    series = []
    for r in rounds:
        mine = [o for o in obs if o.rid == r.id]
        counts = {d: dict.fromkeys(KINDS, 0) for d in ("ökologisch", "ökonomisch", "sozial")}
        for o in mine:
            dim = dimension.get(o.layer_id)
            if dim is not None and o.kind in KINDS:
                counts[dim][o.kind] += 1
        rated = [o.rating for o in mine if o.rating is not None]
        p = people.get(r.id)
        series.append(
            {
                "round": r.label,
                "period_from": r.period_from.isoformat(),
                "period_to": r.period_to.isoformat(),
                "walkthroughs": int(p.n) if p else 0,
                "participants": {g: int(getattr(p, g) or 0) if p else 0 for g in GROUPS},
                "observations": len(mine),
                "counts": counts,
                "mean_rating": round(sum(rated) / len(rated), 2) if rated else None,
            }
        )
        if group == "sdg":
            series[-1]["sdg"] = _per_goal(catalog, mine, lang)
    return rounds, series


def _per_goal(catalog: Catalog, mine: list[Any], lang: str) -> list[dict[str, Any]]:
    """Counts per SDG × kind, as the "SDG-Indikatoren für Kommunen" group figures by goal.

    An observation counts once for every goal of its layer, so the goals' totals may add up
    to more than the round's observations (a layer serves several goals).
    """
    layer_goals = {layer.id: layer.sdg for layer in catalog}
    rows: dict[int, dict[str, Any]] = {}
    for o in mine:
        for goal in layer_goals.get(o.layer_id, ()):
            row = rows.setdefault(goal, {"counts": dict.fromkeys(KINDS, 0), "rated": []})
            if o.kind in KINDS:
                row["counts"][o.kind] += 1
            if o.rating is not None:
                row["rated"].append(o.rating)
    known = goals()
    out = []
    for goal in sorted(rows):
        rated = rows[goal]["rated"]
        out.append(
            {
                "goal": goal,
                "title": known[goal].title(lang),
                "observations": sum(rows[goal]["counts"].values()),
                "counts": rows[goal]["counts"],
                "mean_rating": round(sum(rated) / len(rated), 2) if rated else None,
            }
        )
    return out


def _fixed_per_goal(
    catalog: Catalog, layers: dict[str, dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    """The share of earlier problems fixed per SDG, summed over the goal's layers."""
    layer_goals = {layer.id: layer.sdg for layer in catalog}
    sums: dict[int, dict[str, int]] = {}
    for layer_id, row in layers.items():
        for goal in layer_goals.get(layer_id, ()):
            s = sums.setdefault(goal, {"problems": 0, "fixed": 0, "not_walked": 0})
            for key in s:
                s[key] += row[key]
    known = goals()
    return [
        {
            "goal": goal,
            "title": known[goal].title(lang),
            **s,
            "share_fixed": round(s["fixed"] / s["problems"], 3) if s["problems"] else None,
        }
        for goal, s in sorted(sums.items())
    ]


def _change_figures(body: dict[str, Any]) -> dict[str, Any]:
    """Share of earlier problems fixed per layer, and the mean rating change of pairs."""
    per_layer: dict[str, dict[str, int]] = {}
    deltas: list[int] = []

    def row(layer: str) -> dict[str, int]:
        return per_layer.setdefault(layer, {"problems": 0, "fixed": 0, "not_walked": 0})

    for p in body["pairs"]:
        e = p["earlier"]
        if p["rating_change"] is not None:
            deltas.append(p["rating_change"])
        if e["kind"] == "problem":
            r = row(e["layer"])
            r["problems"] += 1
            r["fixed"] += p["class"] == "behoben"
    for s in body["singles"]:
        o = s["observation"]
        if s["round"] != body["von"] or o["kind"] != "problem":
            continue
        r = row(o["layer"])
        if s["class"] == "nicht_erneut_begangen":
            r["not_walked"] += 1
        elif s["class"] != "nicht_verglichen":
            r["problems"] += 1
            r["fixed"] += s["class"] == "behoben"
    layers = {
        layer: {**r, "share_fixed": round(r["fixed"] / r["problems"], 3) if r["problems"] else None}
        for layer, r in sorted(per_layer.items())
    }
    problems = sum(r["problems"] for r in per_layer.values())
    fixed = sum(r["fixed"] for r in per_layer.values())
    return {
        "von": body["von"],
        "bis": body["bis"],
        "counts": body["counts"],
        "share_fixed": round(fixed / problems, 3) if problems else None,
        "mean_rating_change": round(sum(deltas) / len(deltas), 2) if deltas else None,
        "pairs": len(body["pairs"]),
        "layers": layers,
    }


def indicators_csv(data: dict[str, Any]) -> str:
    """Long format (one value a row), so a spreadsheet pivots it any way it likes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if data.get("gruppe") == "sdg":
        return _sdg_csv(data, out, writer)
    writer.writerow(["round", "indicator", "dimension", "kind", "layer", "value"])
    for r in data["rounds"]:
        label = r["round"]
        writer.writerow([label, "walkthroughs", "", "", "", r["walkthroughs"]])
        for group, n in r["participants"].items():
            writer.writerow([label, f"participants_{group}", "", "", "", n])
        writer.writerow([label, "observations", "", "", "", r["observations"]])
        for dim, kinds in r["counts"].items():
            for kind, n in kinds.items():
                writer.writerow([label, "count", dim, kind, "", n])
        writer.writerow([label, "mean_rating", "", "", "", _num(r["mean_rating"])])
    for c in data["changes"]:
        label = f"{c['von']}-{c['bis']}"
        writer.writerow([label, "share_fixed", "", "problem", "", _num(c["share_fixed"])])
        writer.writerow([label, "mean_rating_change", "", "", "", _num(c["mean_rating_change"])])
        for klass, n in c["counts"].items():
            writer.writerow([label, f"class_{klass}", "", "", "", n])
        for layer, row in c["layers"].items():
            writer.writerow([label, "share_fixed", "", "problem", layer, _num(row["share_fixed"])])
    return out.getvalue()


def _sdg_csv(data: dict[str, Any], out: io.StringIO, writer: Any) -> str:
    """Grouped by goal (``gruppe=sdg``): one value a row, with the goal's number and title."""
    writer.writerow(["round", "indicator", "sdg", "sdg_title", "kind", "value"])
    for r in data["rounds"]:
        for g in r["sdg"]:
            for kind, n in g["counts"].items():
                writer.writerow([r["round"], "count", g["goal"], g["title"], kind, n])
            writer.writerow([r["round"], "observations", g["goal"], g["title"], "",
                             g["observations"]])  # fmt: skip
            writer.writerow([r["round"], "mean_rating", g["goal"], g["title"], "",
                             _num(g["mean_rating"])])  # fmt: skip
    for c in data["changes"]:
        label = f"{c['von']}-{c['bis']}"
        for g in c["sdg"]:
            writer.writerow([label, "share_fixed", g["goal"], g["title"], "problem",
                             _num(g["share_fixed"])])  # fmt: skip
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else str(value)
