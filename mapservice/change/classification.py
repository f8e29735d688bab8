"""What changed between two rounds, for each pair and each observation left single.

Ratings run from −2 (very bad) to +2 (very good). The classes:

``behoben`` (fixed)
    an earlier problem with no later partner although its place was walked again, or a pair
    whose later rating is at least ``CLEARLY_BETTER`` (+2) above the earlier one, or a
    problem seen again as a strength.
``besteht_weiter`` (persists)
    a pair whose rating did not change clearly (−1 < change < +2, or a rating missing).
``verschlechtert`` (worse)
    a pair whose later rating is at least ``WORSE`` (1) below the earlier one: any drop is
    worth a look, so one step counts.
``neu`` (new)
    a later observation with no earlier partner.
``nicht_erneut_begangen`` (not walked again)
    an earlier observation without a partner whose place lies outside the later round's
    walked area (its tracks buffered by ``WALKED_BUFFER_M``): nobody looked, so it is not
    counted as fixed.
``nicht_mehr_erfasst`` (no longer recorded)
    an earlier strength, potential or idea without a partner in the walked area: not a
    problem that was fixed, simply not recorded again.
``nicht_verglichen`` (not compared)
    observations of layers with ``match_distance_m = 0`` (e.g. one-off events).
"""

from __future__ import annotations

from typing import Literal

Klass = Literal[
    "behoben",
    "besteht_weiter",
    "verschlechtert",
    "neu",
    "nicht_erneut_begangen",
    "nicht_mehr_erfasst",
    "nicht_verglichen",
]
CLASSES: tuple[Klass, ...] = (
    "behoben",
    "besteht_weiter",
    "verschlechtert",
    "neu",
    "nicht_erneut_begangen",
    "nicht_mehr_erfasst",
    "nicht_verglichen",
)
LABELS: dict[str, tuple[str, str]] = {
    "behoben": ("Behoben", "Fixed"),
    "besteht_weiter": ("Besteht weiter", "Persists"),
    "verschlechtert": ("Verschlechtert", "Worse"),
    "neu": ("Neu", "New"),
    "nicht_erneut_begangen": ("Nicht erneut begangen", "Not walked again"),
    "nicht_mehr_erfasst": ("Nicht mehr erfasst", "No longer recorded"),
    "nicht_verglichen": ("Nicht verglichen", "Not compared"),
}
CLEARLY_BETTER = 2
WORSE = 1
WALKED_BUFFER_M = 30.0


def classify_pair(
    earlier_kind: str, earlier_rating: int | None, later_kind: str, later_rating: int | None
) -> Klass:
    """The class of a matched pair, from the change of its rating (and kind)."""
    if earlier_kind == "problem" and later_kind == "strength":
        return "behoben"
    if earlier_rating is None or later_rating is None:
        return "besteht_weiter"
    change = later_rating - earlier_rating
    if change >= CLEARLY_BETTER:
        return "behoben"
    if change <= -WORSE:
        return "verschlechtert"
    return "besteht_weiter"


def classify_earlier_single(kind: str, walked_again: bool, compared: bool = True) -> Klass:
    """An earlier observation the later round has no partner for."""
    if not compared:
        return "nicht_verglichen"
    if not walked_again:
        return "nicht_erneut_begangen"
    return "behoben" if kind == "problem" else "nicht_mehr_erfasst"


def classify_later_single(compared: bool = True) -> Klass:
    """A later observation without an earlier partner."""
    return "neu" if compared else "nicht_verglichen"
