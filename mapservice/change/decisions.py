"""Planners' decisions on pairs: confirm a pair, split it, or reset it to the matcher's choice.

Stored in ``change_match_decision`` and applied before every matching, so a confirmed pair is
kept whatever a recompute would propose and a split pair is never proposed again. Confirming
a pair (also "set a different partner") removes the other confirmed pairs either side was in:
a pair is one-to-one.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.change.rounds import quarter_id, rounds_of
from mapservice.change.service import ROUND_ITEMS
from mapservice.errors import InvalidInput, NotFound


class DecisionIn(BaseModel):
    """``confirm``: these two are the same thing; ``split``: they are not; ``reset``: forget
    what planners said about this pair."""

    model_config = ConfigDict(extra="forbid")
    earlier: uuid.UUID
    later: uuid.UUID
    decision: Literal["confirm", "split", "reset"]


def _rounds_of_ids(conn: Connection, qid: int, ids: list[str]) -> dict[str, tuple[int, str]]:
    """Round id and layer of each given observation of the quarter (any status)."""
    sql = ROUND_ITEMS.format(visible="o.id = ANY(CAST(:ids AS uuid[]))")
    rids = [r.id for r in rounds_of(conn, qid)]
    rows = conn.execute(text(sql), {"q": qid, "rids": rids, "ids": ids})
    return {r.id: (r.rid, r.layer_id) for r in rows}


def decide(conn: Connection, viewer: Viewer, slug: str, body: DecisionIn) -> dict[str, Any]:
    """Store one decision; checks both observations before writing anything."""
    viewer.require("planner", "admin")
    qid = quarter_id(conn, slug)
    e_id, l_id = str(body.earlier), str(body.later)
    if e_id == l_id:
        raise InvalidInput(
            "earlier und later sind dieselbe Beobachtung.",
            "earlier and later are the same observation.",
            code="same_observation",
        )
    found = _rounds_of_ids(conn, qid, [e_id, l_id])
    missing = [i for i in (e_id, l_id) if i not in found]
    if missing:
        raise NotFound(
            "Beobachtung(en) nicht in einer Begehungsrunde dieses Quartiers: "
            f"{', '.join(missing)}.",
            f"Observation(s) not in a round of this quarter: {', '.join(missing)}.",
            code="unknown_observation",
        )
    for oid in (e_id, l_id):
        viewer.require_scope(layers=found[oid][1], quarter_id=qid)
    order = {r.id: k for k, r in enumerate(rounds_of(conn, qid))}
    if order[found[e_id][0]] >= order[found[l_id][0]]:
        raise InvalidInput(
            "earlier muss aus einer früheren Begehungsrunde stammen als later.",
            "earlier must come from an earlier round than later.",
            code="pair_order",
        )
    params = {"q": qid, "e": e_id, "l": l_id, "a": viewer.account_id}
    conn.execute(
        text(
            "DELETE FROM change_match_decision WHERE quarter_id = :q "
            "AND earlier_id = :e AND later_id = :l"
        ),
        params,
    )
    if body.decision == "confirm":
        conn.execute(
            text(
                "DELETE FROM change_match_decision WHERE quarter_id = :q "
                "AND decision = 'confirmed' AND (earlier_id = :e OR later_id = :l)"
            ),
            params,
        )
    if body.decision != "reset":
        conn.execute(
            text(
                "INSERT INTO change_match_decision (quarter_id, earlier_id, later_id, decision, "
                "account_id) VALUES (:q, :e, :l, :d, :a)"
            ),
            {**params, "d": "confirmed" if body.decision == "confirm" else "split"},
        )
    return {"earlier": e_id, "later": l_id, "decision": body.decision, "quarter": slug}


def list_decisions(conn: Connection, viewer: Viewer, slug: str) -> dict[str, Any]:
    """Every stored decision of the quarter (planners and admins)."""
    viewer.require("planner", "admin")
    qid = quarter_id(conn, slug)
    rows = conn.execute(
        text(
            "SELECT d.earlier_id::text AS earlier, d.later_id::text AS later, d.decision, "
            "a.name AS account, d.at FROM change_match_decision d "
            "LEFT JOIN account a ON a.id = d.account_id WHERE d.quarter_id = :q ORDER BY d.at"
        ),
        {"q": qid},
    )
    return {
        "quarter": slug,
        "decisions": [
            {
                "earlier": r.earlier,
                "later": r.later,
                "decision": r.decision,
                "account": r.account,
                "at": r.at.isoformat(),
            }
            for r in rows
        ],
    }
