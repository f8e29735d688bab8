"""The Interviews page in Chromium: an interview with statements placed via gazetteer
suggestions and by a map click, a transcript, erasure; checked through the API afterwards.
Keyboard reach, accessible names (axe), 1280 px and 768 px."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.browser.axe import assert_accessible
from tests.workspace.conftest import WorkspaceTeam

pytestmark = pytest.mark.browser
Q = "bochum-hamme"
PAGE = f"/planung/interviews?quarter={Q}"
FOCUSED = "() => { const a = document.activeElement; return a.id || a.name || a.tagName; }"


def gazetteer_point(engine: Engine, name: str) -> list[float]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_X(e.geom), ST_Y(e.geom) FROM gazetteer_entry e JOIN quarter q "
                "ON q.id = e.quarter_id WHERE q.slug = :s AND e.name = :n ORDER BY e.id LIMIT 1"
            ),
            {"s": Q, "n": name},
        ).one()
    return [row[0], row[1]]


def open_page(signed_in: Any, member: Any, width: int = 1280) -> Any:
    watched = signed_in(member, PAGE, width)
    watched.page.wait_for_selector("html[data-interviews=ready]", state="attached")
    return watched


def type_place(page: Any, value: str, expect_first: str) -> None:
    """Type like a person (key by key) and wait for the debounced suggestions."""
    place = page.locator("#iv-place")
    place.fill("")
    place.press_sequentially(value, delay=15)
    page.wait_for_function(
        "(want) => { const l = document.querySelector('#iv-cands li label');"
        " return l && l.textContent.includes(want); }",
        arg=expect_first,
    )


def add_statement(page: Any, statement: str, count: int) -> None:
    page.locator("#iv-text").fill(statement)
    page.locator("#iv-add").click()
    page.wait_for_function(
        "(n) => document.querySelectorAll('#iv-saved li').length === n", arg=count
    )


def test_interview_with_statements_placed_by_gazetteer_and_map_click(
    signed_in: Any,
    live_server: Any,
    workspace_team: WorkspaceTeam,
    demo_loaded: Any,
    engine: Engine,
) -> None:
    planner = workspace_team.planner
    watched = open_page(signed_in, planner)
    page = watched.page
    assert_accessible(page)
    page.get_by_label("Pseudonym", exact=True).fill("B-Browser")
    page.get_by_label("Name", exact=True).fill("Erika Beispiel")
    page.get_by_label("E-Mail", exact=True).fill("erika@example.org")
    page.get_by_role("button", name="Interview speichern").click()
    page.wait_for_selector("#iv-statements:not([hidden])")
    iid = page.evaluate("() => Interviews.state.interview.id")
    assert page.locator("#iv-form-h").inner_text() == "Interview B-Browser"

    # 1: an address, the first suggestion
    type_place(page, "Hofsteder Straße 115", "Hofsteder Straße 115")
    assert page.locator("#iv-cands li").first.locator(".tag").inner_text() == "Adresse"
    add_statement(page, "Vor dem Haus parken immer Autos auf dem Gehweg.", 1)
    # 2: a crossing
    type_place(page, "Ecke Gahlensche Straße / Amtsstraße", "Gahlensche Straße / Amtsstraße")
    assert page.locator("#iv-cands li").first.locator(".tag").inner_text() == "Kreuzung"
    add_statement(page, "Der Markt an der Ecke ist super.", 2)
    # 3: half a name typed, the planner picks the place from the list
    type_place(page, "Quartiersb", "Quartiersbüro Hamme")
    page.get_by_label("Quartiersbüro Hamme", exact=False).first.check()
    add_statement(page, "Im Quartiersbüro hilft man mir immer.", 3)
    # 4: the gazetteer suggests the street; the planner clicks the map to correct it
    type_place(page, "Haldenstraße", "Haldenstraße")
    box = page.locator("#iv-map").bounding_box()
    x, y = box["width"] * 0.4, box["height"] * 0.6
    expected = page.evaluate(
        "([x, y]) => { const ll = Interviews.map().map.containerPointToLatLng([x, y]);"
        " return [ll.lng, ll.lat]; }",
        [x, y],
    )
    page.locator("#iv-map").click(position={"x": x, "y": y})
    manual = page.get_by_label("Punkt auf der Karte", exact=False)
    assert manual.is_checked()
    sent = page.evaluate("() => Interviews.state.target.manual")
    assert sent == pytest.approx(expected, abs=3e-6), "the clicked pixel (±1 px border)"
    add_statement(page, "Hinter der Haldenstraße ist ein dunkler Durchgang.", 4)
    assert_accessible(page)

    auth = planner.auth
    with httpx.Client(base_url=live_server.url, headers=auth) as http:
        stored = http.get(f"/api/interviews/{iid}/statements").json()["findings"]
        assert [f["georef_method"] for f in stored] == ["address", "crossing", "place", "manual"]
        assert stored[0]["geometry"]["coordinates"] == pytest.approx(
            gazetteer_point(engine, "Hofsteder Straße 115"), abs=1e-7
        )
        assert stored[2]["geometry"]["coordinates"] == pytest.approx(
            gazetteer_point(engine, "Quartiersbüro Hamme"), abs=1e-7
        )
        assert stored[3]["geometry"]["coordinates"] == pytest.approx(sent, abs=1e-9)
        assert stored[3]["place_text"] == "Haldenstraße"
        cross = http.get(
            "/api/interviews/places/suggest",
            params={"quarter": Q, "q": "Ecke Gahlensche Straße / Amtsstraße"},
        ).json()["candidates"][0]
        assert stored[1]["geometry"]["coordinates"] == pytest.approx(cross["point"], abs=1e-7)
        contact = http.get(f"/api/interviews/{iid}/contact").json()
        assert contact["full_name"] == "Erika Beispiel"

    # a transcript: split, review (one row dropped), save in one go
    page.locator("#iv-transcript").fill(
        "I: Was fällt Ihnen ein?\nB: An der Ecke Wanner Straße / Lohstraße fehlt ein "
        "Zebrastreifen.\n\nB: Der Amtsplatz ist schön.\n\nB: Das Wetter ist schlecht."
    )
    page.get_by_role("button", name="In Aussagen zerlegen").click()
    page.wait_for_selector("#iv-review:not([hidden])")
    assert page.locator("#iv-review-rows tr").count() == 3
    assert page.get_by_label("Ortsangabe 1").input_value() == "Wanner Straße / Lohstraße"
    assert page.get_by_label("Ort für Aussage 3").input_value() == "quarter"
    page.get_by_label("Aussage 3 übernehmen").uncheck()
    assert_accessible(page)
    page.get_by_role("button", name="Alle übernommenen speichern").click()
    page.wait_for_function("() => document.querySelectorAll('#iv-saved li').length === 6")
    with httpx.Client(base_url=live_server.url, headers=auth) as http:
        stored = http.get(f"/api/interviews/{iid}/statements").json()["findings"]
        assert [f["georef_method"] for f in stored[4:]] == ["crossing", "place"]

    # erasure: the dialog lists what the server says erasure removes
    page.get_by_role("button", name="Person löschen (DSGVO Art. 17) …").click()
    dialog = page.locator("#iv-erase-dialog")
    dialog.wait_for(state="visible")
    removed = page.locator("#iv-erase-removed li").all_inner_texts()
    assert removed[0] == "Kontaktdaten werden gelöscht: Name, E-Mail."
    assert "B-Browser" in removed[1]
    assert "6 Aussage(n)" in page.locator("#iv-erase-kept").inner_text()
    assert page.evaluate("() => document.activeElement.id") == "iv-erase-cancel"
    assert_accessible(page)
    page.get_by_role("button", name="Endgültig löschen").click()
    page.wait_for_function(
        "() => document.getElementById('iv-form-h').textContent.includes('gelöscht-')"
    )
    with httpx.Client(base_url=live_server.url, headers=auth) as http:
        after = http.get(f"/api/interviews/{iid}").json()
        assert after["pseudonym"].startswith("gelöscht-") and after["has_contact"] is False
        assert after["findings"] == 6
    assert page.get_by_label("Name", exact=True).input_value() == ""
    assert not watched.console_errors, watched.console_errors


@pytest.mark.parametrize("width", [1280, 768])
def test_keyboard_reach_and_layout(
    signed_in: Any, workspace_team: WorkspaceTeam, demo_loaded: Any, width: int
) -> None:
    watched = open_page(signed_in, workspace_team.planner, width)
    page = watched.page
    # open an interview so the statements part is there
    page.get_by_label("Pseudonym", exact=True).fill(f"K-{width}")
    page.get_by_role("button", name="Interview speichern").click()
    page.wait_for_selector("#iv-statements:not([hidden])")
    assert_accessible(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.locator("#iv-place").press_sequentially("Hofst", delay=15)
    page.wait_for_selector("#iv-cands input")
    page.locator("a.skip").focus()  # start at the top, as after loading the page
    reached: list[str] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    # (date, group and pseudonym of a saved interview are fixed: disabled, so not in the order)
    for wanted in ("iv-quarter", "iv-new", "iv-consent-given", "iv-c-name", "iv-save",
                   "iv-erase", "iv-text", "iv-place", "iv-cand", "iv-kind", "iv-add",
                   "iv-centre", "iv-transcript", "iv-file", "iv-split"):  # fmt: skip
        assert wanted in reached, (wanted, reached)
    # the map centre as the place, by keyboard only
    page.locator("#iv-centre").focus()
    page.keyboard.press("Enter")
    assert page.get_by_label("Punkt auf der Karte", exact=False).is_checked()
    assert not watched.console_errors, watched.console_errors


def test_english_page(signed_in: Any, workspace_team: WorkspaceTeam, demo_loaded: Any) -> None:
    watched = signed_in(workspace_team.planner, PAGE + "&lang=en", 768)
    page = watched.page
    page.wait_for_selector("html[data-interviews=ready]", state="attached")
    assert page.locator("#ws-content h1").inner_text() == "Interviews and statements"
    assert page.get_by_label("Participant group").is_visible()
    assert page.get_by_role("button", name="Save interview").is_visible()
    page.get_by_label("Pseudonym", exact=True).fill("EN-1")
    page.get_by_role("button", name="Save interview").click()
    page.wait_for_selector("#iv-statements:not([hidden])")
    page.locator("#iv-place").press_sequentially("Hofsteder Straße 115", delay=10)
    page.wait_for_function(
        "() => { const t = document.querySelector('#iv-cands .tag');"
        " return t && t.textContent === 'address'; }"
    )
    page.locator("#iv-add").click()  # no statement text: an English message, nothing sent
    page.wait_for_function(
        "() => document.getElementById('ws-status').textContent === 'Please enter the statement.'"
    )
    assert page.locator("#iv-saved li").count() == 0
    assert_accessible(page)
    assert not watched.console_errors, watched.console_errors


def test_docx_transcript_upload(
    signed_in: Any, live_server: Any, workspace_team: WorkspaceTeam, demo_loaded: Any, tmp_path: Any
) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("I: Wo treffen Sie sich?")
    document.add_paragraph("B: Am Quartiersbüro treffen wir uns jeden Dienstag.")
    document.add_paragraph("B: Die Haldenstraße ist nachts zu dunkel.")
    path = tmp_path / "interview.docx"
    document.save(str(path))
    planner = workspace_team.planner
    watched = open_page(signed_in, planner)
    page = watched.page
    page.get_by_label("Pseudonym", exact=True).fill("DOCX-1")
    page.get_by_role("button", name="Interview speichern").click()
    page.wait_for_selector("#iv-statements:not([hidden])")
    iid = page.evaluate("() => Interviews.state.interview.id")
    page.get_by_label("… oder Datei hochladen (.txt, .docx)").set_input_files(str(path))
    page.get_by_role("button", name="In Aussagen zerlegen").click()
    page.wait_for_selector("#iv-review:not([hidden])")
    assert page.locator("#iv-review-rows tr").count() == 2
    assert page.get_by_label("Ortsangabe 1").input_value() == "Quartiersbüro Hamme"
    # the planner corrects row 2 by a map click while that row is active
    page.get_by_label("Ort für Aussage 2").focus()
    box = page.locator("#iv-map").bounding_box()
    page.locator("#iv-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    assert page.get_by_label("Ort für Aussage 2").input_value() == "manual"
    sent = page.evaluate("() => Interviews.state.target.manual")
    page.get_by_role("button", name="Alle übernommenen speichern").click()
    page.wait_for_function("() => document.querySelectorAll('#iv-saved li').length === 2")
    with httpx.Client(base_url=live_server.url, headers=planner.auth) as http:
        stored = http.get(f"/api/interviews/{iid}/statements").json()["findings"]
    assert [f["georef_method"] for f in stored] == ["place", "manual"]
    assert stored[1]["geometry"]["coordinates"] == pytest.approx(sent, abs=1e-9)
    assert stored[0]["statement"] == "Am Quartiersbüro treffen wir uns jeden Dienstag."
    assert not watched.console_errors, watched.console_errors
