"""Matching the observations of two rounds: one global, one-to-one assignment.

Why global: matching each later observation to its nearest earlier one in turn (greedy) lets
an early choice take the partner a later observation needed, so a fixed problem is paired
with its neighbour's successor and both are misclassified. Li & Goodchild (2010) show the
assignment problem beats such sequential matching; ``scipy.optimize.linear_sum_assignment``
solves it exactly.

Candidates: same layer, within the layer's ``match_distance_m`` (0 = never matched), text
similarity (rapidfuzz ``token_set_ratio`` on title + description) of at least
``MIN_TEXT_SIMILARITY``, and not split by a planner. Cost of a candidate pair:
``DISTANCE_WEIGHT · d / d_max + TEXT_WEIGHT · (1 − similarity / 100)``, between 0 and 1; its
score is ``1 − cost``. Staying unmatched costs ``UNMATCHED_COST`` per side, so a pair is
taken whenever its cost is below ``2 · UNMATCHED_COST``.

The candidate graph falls apart into connected components that share no candidate pair; the
assignment of the whole is exactly the union of the assignments of its components, so each
component is solved as one dense (augmented) ``linear_sum_assignment``. That keeps 5,000 ×
5,000 observations fast and small instead of one 10,000² matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, utils

MIN_TEXT_SIMILARITY = 60.0
DISTANCE_WEIGHT = 0.5
TEXT_WEIGHT = 0.5
UNMATCHED_COST = 0.4
_FORBIDDEN = 1e6


@dataclass(frozen=True)
class Item:
    """One observation as the matcher sees it: x/y in metres (EPSG:25832)."""

    id: str
    layer: str
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Pair:
    """An earlier and a later observation taken to be the same thing seen twice."""

    earlier: str
    later: str
    distance_m: float
    text_similarity: float
    score: float
    confirmed: bool = False


@dataclass(frozen=True)
class Candidate:
    later: int
    earlier: int
    distance_m: float
    similarity: float
    cost: float


def similarity(a: str, b: str) -> float:
    """Text similarity 0–100 (token set ratio: word order and extra words do not matter)."""
    return float(fuzz.token_set_ratio(a, b, processor=utils.default_process))


def candidates(
    earlier: list[Item],
    later: list[Item],
    distances: Mapping[str, float],
    forbidden: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> list[Candidate]:
    """Every admissible (later, earlier) pair with its distance, similarity and cost."""
    from scipy.spatial import cKDTree  # lazy: the app starts without scipy

    out: list[Candidate] = []
    by_layer: dict[str, list[int]] = {}
    for j, item in enumerate(earlier):
        by_layer.setdefault(item.layer, []).append(j)
    later_by_layer: dict[str, list[int]] = {}
    for i, item in enumerate(later):
        later_by_layer.setdefault(item.layer, []).append(i)
    for layer, later_idx in later_by_layer.items():
        limit = float(distances.get(layer, 0.0))
        earlier_idx = by_layer.get(layer)
        if limit <= 0 or not earlier_idx:
            continue
        tree = cKDTree(np.array([(earlier[j].x, earlier[j].y) for j in earlier_idx]))
        points = np.array([(later[i].x, later[i].y) for i in later_idx])
        for i, near in zip(later_idx, tree.query_ball_point(points, r=limit), strict=True):
            for k in near:
                j = earlier_idx[k]
                if (earlier[j].id, later[i].id) in forbidden:
                    continue
                sim = similarity(earlier[j].text, later[i].text)
                if sim < MIN_TEXT_SIMILARITY:
                    continue
                d = float(np.hypot(earlier[j].x - later[i].x, earlier[j].y - later[i].y))
                cost = DISTANCE_WEIGHT * d / limit + TEXT_WEIGHT * (1 - sim / 100)
                out.append(Candidate(i, j, d, sim, cost))
    return out


def _solve(component: list[Candidate]) -> list[Candidate]:
    """One augmented assignment: later rows + a dummy per earlier, earlier columns + a dummy
    per later; a dummy cell means "stays unmatched" at ``UNMATCHED_COST``."""
    from scipy.optimize import linear_sum_assignment  # lazy: see above

    rows = sorted({c.later for c in component})
    cols = sorted({c.earlier for c in component})
    r_at = {v: k for k, v in enumerate(rows)}
    c_at = {v: k for k, v in enumerate(cols)}
    m, n = len(rows), len(cols)
    size = m + n
    matrix = np.full((size, size), _FORBIDDEN)
    matrix[m:, n:] = 0.0  # dummy row × dummy column: nothing happens
    for k in range(m):
        matrix[k, n + k] = UNMATCHED_COST
    for k in range(n):
        matrix[m + k, k] = UNMATCHED_COST
    by_cell: dict[tuple[int, int], Candidate] = {}
    for c in component:
        cell = (r_at[c.later], c_at[c.earlier])
        matrix[cell] = c.cost
        by_cell[cell] = c
    row_ind, col_ind = linear_sum_assignment(matrix)
    return [
        by_cell[(int(r), int(col))]
        for r, col in zip(row_ind, col_ind, strict=True)
        if r < m and col < n and (int(r), int(col)) in by_cell
    ]


def assign(found: list[Candidate], n_later: int, n_earlier: int) -> list[Candidate]:
    """The optimal one-to-one choice among ``found`` (solved per connected component)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if not found:
        return []
    rows = np.array([c.later for c in found])
    cols = np.array([n_later + c.earlier for c in found])
    total = n_later + n_earlier
    graph = coo_matrix((np.ones(len(found)), (rows, cols)), shape=(total, total))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[Candidate]] = {}
    for c in found:
        groups.setdefault(int(labels[c.later]), []).append(c)
    chosen: list[Candidate] = []
    for component in groups.values():
        chosen.extend(component if len(component) == 1 else _solve(component))
    return chosen


def match(
    earlier: list[Item],
    later: list[Item],
    distances: Mapping[str, float],
    *,
    confirmed: Iterable[tuple[str, str]] = (),
    split: Iterable[tuple[str, str]] = (),
) -> list[Pair]:
    """Pairs between two rounds: the planners' confirmed pairs first (kept as they are), then
    the optimal assignment of the rest. ``split`` pairs are never proposed again."""
    by_id_e = {item.id: item for item in earlier}
    by_id_l = {item.id: item for item in later}
    pairs: list[Pair] = []
    for e_id, l_id in confirmed:
        e, l_ = by_id_e.get(e_id), by_id_l.get(l_id)
        if e is None or l_ is None:
            continue  # one side not visible to this reader, or not in these rounds
        d = float(np.hypot(e.x - l_.x, e.y - l_.y))
        sim = similarity(e.text, l_.text)
        pairs.append(Pair(e_id, l_id, round(d, 1), sim, 1.0, confirmed=True))
    taken_e = {p.earlier for p in pairs}
    taken_l = {p.later for p in pairs}
    rest_e = [item for item in earlier if item.id not in taken_e]
    rest_l = [item for item in later if item.id not in taken_l]
    found = candidates(rest_e, rest_l, distances, set(split))
    for c in assign(found, len(rest_l), len(rest_e)):
        pairs.append(
            Pair(
                rest_e[c.earlier].id,
                rest_l[c.later].id,
                round(c.distance_m, 1),
                round(c.similarity, 1),
                round(1 - c.cost, 3),
            )
        )
    return pairs
