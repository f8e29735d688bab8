"""``/api/quarters/{quarter}/summary`` over real HTTP against hand-counted data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from mapservice.access import PUBLIC, Viewer
from mapservice.catalog import Catalog, load_catalog
from mapservice.figures import quarter_summary
from tests.test_summary_data import TRACK_M, FiguresQuarter, build_figures_quarter


@pytest.fixture(scope="module")
def fq(engine: Engine) -> FiguresQuarter:
    return build_figures_quarter(engine)


def summary(http: httpx.Client, slug: str, token: str | None = None, **params: str) -> Any:
    headers = FiguresQuarter.auth(token) if token else {}
    response = http.get(f"/api/quarters/{slug}/summary", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def test_public_counts_published_entries_only(http: httpx.Client, fq: FiguresQuarter) -> None:
    s = summary(http, fq.slug)
    assert s["scope"] == "public"
    assert s["quarter"] == {"slug": fq.slug, "name": fq.name, "city": "München",
                            "synthetic": True}  # fmt: skip
    assert s["totals"] == {"observations": 3, "findings": 3, "items": 6, "walkthroughs": 2,
                           "interviews": 3}  # fmt: skip
    kinds = by(s["kinds"], "kind")
    assert [k["kind"] for k in s["kinds"]] == ["strength", "problem", "potential", "idea"]
    assert kinds["problem"] == {"kind": "problem", "label": "Problem", "observations": 1,
                                "findings": 1, "total": 2}  # fmt: skip
    assert kinds["potential"]["total"] == 0  # only the unpublished observation has it
    assert s["rating"] == {"rated": 2, "mean": -0.5,
                           "counts": {"-2": 1, "-1": 0, "0": 0, "1": 1, "2": 0}}  # fmt: skip


def test_dimensions_split_by_kind(http: httpx.Client, fq: FiguresQuarter) -> None:
    dims = by(summary(http, fq.slug)["dimensions"], "dimension")
    assert list(dims) == ["ökologisch", "ökonomisch", "sozial"]
    # three observations + two findings; the finding tagged umwelt+mobilitaet counts once
    assert dims["ökologisch"]["by_kind"] == {"strength": 1, "problem": 2, "potential": 0,
                                             "idea": 2}  # fmt: skip
    assert (dims["ökologisch"]["observations"], dims["ökologisch"]["findings"]) == (3, 2)
    # the finding tagged umwelt+wohnen counts in both dimensions
    assert dims["ökonomisch"]["by_kind"]["idea"] == 1
    assert dims["sozial"]["total"] == 1


def test_layers_count_observations_and_tagged_findings(
    http: httpx.Client, fq: FiguresQuarter
) -> None:
    layers = by(summary(http, fq.slug)["layers"], "layer")
    assert layers["umwelt"]["title"] == "Umwelt & Klima"
    assert (layers["umwelt"]["observations"], layers["umwelt"]["findings"]) == (2, 2)
    assert layers["mobilitaet"]["by_kind"] == {"strength": 0, "problem": 1, "potential": 0,
                                               "idea": 1}  # fmt: skip
    assert layers["leerstand"]["observations"] == 0  # rejected
    assert "aussagen" not in layers and "begehungen" not in layers  # thematic layers only


def test_participation_placement_and_walking(http: httpx.Client, fq: FiguresQuarter) -> None:
    s = summary(http, fq.slug)
    groups = by(s["participation"], "group")
    assert groups["residents"] == {"group": "residents", "label": "Bewohner*innen",
                                   "walkthrough_participants": 13, "interviews": 2}  # fmt: skip
    assert (groups["administration"]["walkthrough_participants"],
            groups["experts"]["interviews"]) == (2, 1)  # fmt: skip
    levels = by(s["placement"]["levels"], "level")
    assert s["placement"]["findings"] == 3
    assert [lv["findings"] for lv in s["placement"]["levels"]] == [1, 1, 1, 0]
    assert levels["precise"]["share"] == pytest.approx(0.333)
    assert s["placement"]["methods"] == {"address": 1, "quarter": 1, "street": 1}
    walking = s["walking"]
    assert walking["walkthroughs_with_track"] == 1
    assert walking["length_m"] == pytest.approx(TRACK_M, abs=0.5)
    assert walking["observations_on_tracks"] == 3
    assert walking["observations_per_km"] == pytest.approx(3 / (TRACK_M / 1000), abs=0.01)
    assert s["walkthroughs"] == 2
    assert s["last_walkthrough"] == "2026-05-04"  # 23:30 UTC on 3 May, a local date


def test_planner_sees_everything(http: httpx.Client, fq: FiguresQuarter) -> None:
    s = summary(http, fq.slug, fq.planner)
    assert s["scope"] == "all"
    assert (s["totals"]["observations"], s["totals"]["findings"]) == (6, 5)
    assert s["rating"]["rated"] == 5 and s["rating"]["mean"] == 0.0
    assert [lv["findings"] for lv in s["placement"]["levels"]] == [2, 1, 1, 1]
    assert s["walking"]["observations_on_tracks"] == 4


def test_field_team_sees_published_and_own(http: httpx.Client, fq: FiguresQuarter) -> None:
    s = summary(http, fq.slug, fq.field)
    assert s["scope"] == "field"
    assert (s["totals"]["observations"], s["totals"]["findings"]) == (4, 3)


def test_english_changes_labels_only(http: httpx.Client, fq: FiguresQuarter) -> None:
    de, en = summary(http, fq.slug), summary(http, fq.slug, lang="en")
    assert en["lang"] == "en"
    assert by(en["kinds"], "kind")["strength"]["label"] == "Strength"
    assert by(en["dimensions"], "dimension")["ökologisch"]["label"] == "ecological"
    assert by(en["participation"], "group")["residents"]["label"] == "Residents"
    assert by(en["layers"], "layer")["umwelt"]["title"] == "Environment & climate"

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("label", "title", "lang")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    assert strip(de) == strip(en)


def test_empty_quarter_has_every_key(http: httpx.Client, fq: FiguresQuarter) -> None:
    s = summary(http, fq.empty_slug)
    assert s["quarter"]["synthetic"] is False
    assert s["totals"]["items"] == 0 and s["last_walkthrough"] is None
    assert s["rating"]["mean"] is None and s["walking"]["observations_per_km"] is None
    assert [lv["share"] for lv in s["placement"]["levels"]] == [None] * 4
    assert len(s["kinds"]) == 4 and len(s["dimensions"]) == 3 and len(s["participation"]) == 4


def test_unknown_quarter_is_a_404_with_both_languages(http: httpx.Client) -> None:
    response = http.get("/api/quarters/nirgendwo-xyz/summary")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "unknown_quarter"
    assert "nicht gefunden" in body["message_de"] and "not found" in body["message_en"]


def test_bad_lang_is_a_400(http: httpx.Client, fq: FiguresQuarter) -> None:
    response = http.get(f"/api/quarters/{fq.slug}/summary", params={"lang": "fr"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


def test_openapi_documents_the_summary_with_an_example(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    operation = spec["paths"]["/api/quarters/{quarter}/summary"]["get"]
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert example["quarter"]["slug"] == "bochum-hamme"
    assert "404" in operation["responses"]
    assert "QuarterSummary" in spec["components"]["schemas"]


def test_demo_quarter_matches_the_database(
    http: httpx.Client, engine: Engine, demo_loaded: dict[str, int]
) -> None:
    public = summary(http, "bochum-hamme")
    with engine.connect() as conn:
        published, total, walks = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE o.status = 'published'), count(*), "
                "(SELECT count(*) FROM walkthrough w WHERE w.quarter_id = q.id) "
                "FROM observation o JOIN quarter q ON q.id = o.quarter_id "
                "WHERE q.slug = 'bochum-hamme' GROUP BY q.id"
            )
        ).one()
    assert public["quarter"]["synthetic"] is True
    assert public["totals"]["observations"] == published < total
    assert public["walkthroughs"] == walks and public["walking"]["length_m"] > 1000
    assert sum(d["observations"] for d in public["dimensions"]) == published
    assert (
        sum(lv["findings"] for lv in public["placement"]["levels"])
        == (public["totals"]["findings"])
    )


def test_summary_answers_the_same_when_asked_again(
    http: httpx.Client, demo_loaded: dict[str, int]
) -> None:
    """Its speed is measured in bench/bench_maps.py; here: the same figures every time."""
    first = summary(http, "bochum-hamme")
    assert summary(http, "bochum-hamme") == first


def test_layer_not_public_is_left_out_for_the_public(engine: Engine, fq: FiguresQuarter) -> None:
    catalog = load_catalog()
    hidden = Catalog(
        layer.model_copy(update={"public": False}) if layer.id == "umwelt" else layer
        for layer in catalog
    )
    with engine.connect() as conn:
        public = quarter_summary(conn, hidden, PUBLIC, fq.slug)
        planner = quarter_summary(conn, hidden, Viewer(role="planner"), fq.slug)
    assert public.totals.observations == 1  # the two published umwelt observations are gone
    assert "umwelt" not in {layer.layer for layer in public.layers}
    assert planner.totals.observations == 6
