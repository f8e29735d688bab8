"""Progress of a measure: by hand on leaves, computed from the children on parents.

The rules answer what Decidim's users hit (OpenSourcePolitics#500/#750, decidim-barcelona
#191):

- a parent's figure is the **weighted mean** of its children's figures; a child without a
  weight counts with weight 1, so with no weights at all it is the **plain mean**;
- a child **without a figure** (no progress set, or a parent whose children have none) is
  left out instead of counting as 0 % — it does not drag the parent down;
- a parent none of whose children has a figure has none either (``None``);
- weights are served with every measure, so anyone can recompute the figure.

Iterative (children before parents), so a tree of any depth needs no recursion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """What the computation needs of one measure."""

    parent: Hashable | None
    progress: float | None  # set by hand; used on leaves only
    weight: float | None = None  # share in the parent's mean; None counts as 1


@dataclass(frozen=True)
class Figure:
    """A measure's figure and where it comes from: ``hand``, ``children`` or ``None``."""

    value: float | None
    basis: str | None


def compute(nodes: Mapping[Hashable, Node]) -> dict[Hashable, Figure]:
    """Every node's figure. A parent outside ``nodes`` (e.g. a draft the public cannot see)
    is ignored: its visible children become roots of their own."""
    children: dict[Hashable, list[Hashable]] = defaultdict(list)
    for key, node in nodes.items():
        if node.parent is not None and node.parent in nodes:
            children[node.parent].append(key)
    order = _children_first(nodes, children)
    out: dict[Hashable, Figure] = {}
    for key in order:
        kids = children.get(key)
        if not kids:
            value = nodes[key].progress
            out[key] = Figure(
                float(value) if value is not None else None, "hand" if value is not None else None
            )
            continue
        total = weights = 0.0
        for kid in kids:
            figure = out[kid].value if kid in out else None
            if figure is None:
                continue  # no figure: left out, not counted as 0 %
            weight = nodes[kid].weight
            weight = 1.0 if weight is None else float(weight)
            total += weight * figure
            weights += weight
        out[key] = Figure(round(total / weights, 1), "children") if weights else Figure(None, None)
    return out


def _children_first(
    nodes: Mapping[Hashable, Node], children: Mapping[Hashable, list[Hashable]]
) -> list[Hashable]:
    """Post-order over the forest without recursion; nodes on a cycle (which the database
    refuses) are appended at the end, so a broken tree cannot hang the computation."""
    roots = [k for k, n in nodes.items() if n.parent is None or n.parent not in nodes]
    order: list[Hashable] = []
    seen: set[Hashable] = set()
    for root in roots:
        stack: list[tuple[Hashable, bool]] = [(root, False)]
        while stack:
            key, expanded = stack.pop()
            if expanded:
                order.append(key)
                continue
            if key in seen:
                continue
            seen.add(key)
            stack.append((key, True))
            stack.extend((kid, False) for kid in children.get(key, ()) if kid not in seen)
    for key in nodes:  # only reachable for a cycle
        if key not in seen:
            seen.add(key)
            order.append(key)
    return order
