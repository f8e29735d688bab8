"""Progress of parents from their children: weighted, plain, gaps, deep trees."""

from __future__ import annotations

import pytest

from mapservice.programme.progress import Node, compute


def test_plain_mean_without_weights() -> None:
    figs = compute(
        {"p": Node(None, None), "a": Node("p", 20), "b": Node("p", 60), "c": Node("p", 100)}
    )
    assert figs["p"].value == pytest.approx(60.0) and figs["p"].basis == "children"
    assert figs["a"].value == 20 and figs["a"].basis == "hand"


def test_weighted_mean_when_weights_are_given() -> None:
    figs = compute({"p": Node(None, None), "a": Node("p", 100, 3), "b": Node("p", 0, 1)})
    assert figs["p"].value == pytest.approx(75.0)


def test_a_child_without_weight_counts_once() -> None:
    figs = compute({"p": Node(None, None), "a": Node("p", 100, 2), "b": Node("p", 40)})
    assert figs["p"].value == pytest.approx(80.0)  # (2*100 + 1*40) / 3


def test_children_without_a_figure_do_not_drag_the_parent_down() -> None:
    figs = compute(
        {"p": Node(None, None), "a": Node("p", 80), "b": Node("p", None, 5), "c": Node("p", None)}
    )
    assert figs["p"].value == pytest.approx(80.0)
    assert figs["b"].value is None and figs["b"].basis is None


def test_a_parent_whose_children_have_no_figure_has_none() -> None:
    figs = compute({"p": Node(None, 50), "a": Node("p", None), "b": Node("p", None)})
    assert figs["p"].value is None  # its own (stale) hand figure is not used


def test_figures_roll_up_through_three_levels() -> None:
    nodes = {
        "fam": Node(None, None),
        "proj1": Node("fam", None, 1),
        "proj2": Node("fam", None, 3),
        "t11": Node("proj1", 100),
        "t12": Node("proj1", 0),  # proj1: 50
        "t21": Node("proj2", 20, 1),
        "t22": Node("proj2", None),
        "t23": Node("proj2", 40, 3),
    }
    figs = compute(nodes)
    assert figs["proj1"].value == pytest.approx(50.0)
    assert figs["proj2"].value == pytest.approx(35.0)  # (20 + 3*40) / 4
    assert figs["fam"].value == pytest.approx(38.8, abs=0.05)  # (50 + 3*35) / 4 = 38.75


def test_a_deep_chain_needs_no_recursion() -> None:
    depth = 5000
    nodes = {0: Node(None, None)}
    nodes.update({i: Node(i - 1, None) for i in range(1, depth)})
    nodes[depth] = Node(depth - 1, 42)
    figs = compute(nodes)
    assert figs[0].value == pytest.approx(42.0) and figs[0].basis == "children"


def test_a_parent_outside_the_visible_set_makes_its_children_roots() -> None:
    figs = compute({"a": Node("draft-parent", 30), "b": Node("a", 90)})
    assert figs["a"].value == pytest.approx(90.0)
