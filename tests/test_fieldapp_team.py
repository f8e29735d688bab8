"""The field app as a team uses it: areas drawn by hand, several phones on one walk, merges.

Each test is a defect a real 360 px session found (issue 18): the GPS point became the first
corner of an area and four taps made a self-intersecting five-corner shape; a second phone on
the same walkthrough showed "Einträge (0)"; there was no "Begehung beenden"; "Meine behalten"
overwrote a planner's unrelated correction; the walkthrough form sat folded below the list.
Real Chromium, real server, results checked in the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token
from tests.capture_fixtures import INSIDE, Team, observation_body
from tests.conftest import LiveServer, count
from tests.test_fieldapp_phone import (
    Cologne,
    Phone,
    chromium_browser,
    jpeg,
    make_cologne,
    open_phone,
)

pytestmark = pytest.mark.browser

BOWTIE = [(90, 120), (270, 240), (270, 120), (90, 240)]  # map pixels; edges 1 and 3 cross


@pytest.fixture(scope="module")
def cologne(engine: Engine) -> Cologne:
    return make_cologne(engine)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with chromium_browser() as browser:
        yield browser


@pytest.fixture()
def phone(chromium: Browser, live_server: LiveServer, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    with open_phone(chromium, live_server, request.node.name.removeprefix("test_")[:40]) as p:
        yield p


def vertices(phone: Phone) -> int:
    return int(phone.page.get_attribute("#geo-readout", "data-vertices") or "0")


def tap(phone: Phone, x: int, y: int) -> None:
    before = vertices(phone)
    phone.page.tap("#map", position={"x": x, "y": y})
    phone.wait_until(
        "(n) => Number(document.querySelector('#geo-readout').dataset.vertices) > n", before
    )


def test_an_area_has_only_the_tapped_corners_and_a_crossing_is_shown_before_saving(
    phone: Phone, cologne: Cologne, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung mit Fläche")
    phone.wait_until("document.querySelector('#geo-readout').dataset.lon !== ''")  # GPS point
    phone.page.click(".modes label:has(input[value=area])")
    assert vertices(phone) == 0, "the GPS position is not a corner"
    assert phone.page.text_content("#use-position") == "Ecke an meiner Position"
    for x, y in BOWTIE:
        tap(phone, x, y)
    assert vertices(phone) == 4, "four taps, four corners"
    problem = phone.page.locator("#shape-problem")
    problem.wait_for()
    assert "überschneidet sich selbst" in problem.text_content()
    phone.shot("bowtie")
    # Saving is refused on the phone with the same hint; nothing is stored.
    phone.page.click("#kind-buttons label:has(input[value='strength'])")
    phone.page.select_option("#layer", "gruen-freiraum")
    phone.page.fill("#title", "Wiese am Spielplatz")
    phone.page.click("#save")
    assert "Ecken der Reihe nach" in phone.page.text_content("#form-error")
    assert phone.page.evaluate("karte.db.all('entries').then((e) => e.length)") == 0
    # The fix the message names: take back the last corners and set them in order.
    for _ in range(3):
        phone.page.click("#undo-vertex")
    for x, y in (BOWTIE[2], BOWTIE[1], BOWTIE[3]):
        tap(phone, x, y)
    assert problem.is_hidden()
    phone.page.click("#save")
    phone.wait_for_rows(engine, "observation", f"walkthrough_id = '{walk}'", 1)
    with engine.connect() as conn:
        kind, points, valid = conn.execute(
            text(
                "SELECT GeometryType(geom), ST_NPoints(geom), ST_IsValid(geom) FROM observation "
                "WHERE walkthrough_id = :w"
            ),
            {"w": walk},
        ).one()
    assert (kind, points, valid) == ("POLYGON", 5, True)  # 4 corners + the closing one


def test_the_server_says_how_to_fix_a_crossing_area(http, team: Team, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    x, y = INSIDE
    d = 0.0005
    bowtie = [[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]
    body = observation_body(
        layer="gruen-freiraum", geometry={"type": "Polygon", "coordinates": [bowtie]}
    )
    body["quarter"] = team.quarter
    response = http.post("/api/observations", json=body, headers=team.auth(team.field))
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "geometry_invalid"
    assert "Self-intersection[" in error["message_de"]
    assert "Ecken der Reihe nach entlang des Umrisses" in error["message_de"]
    assert "repair=true" in error["message_en"] and "crosses itself" in error["message_en"]
    assert count(engine, "observation", f"id = '{body['id']}'") == 0


def test_a_second_phone_sees_the_teams_entries_read_only(
    chromium: Browser, cologne: Cologne, live_server: LiveServer, engine: Engine
) -> None:
    suffix = uuid.uuid4().hex[:6]
    with engine.begin() as conn:
        create_account(conn, f"feld-b-{suffix}", "field")
        second_token = create_token(conn, f"feld-b-{suffix}")
    with open_phone(chromium, live_server, "team-a") as first:
        first.sign_in(cologne.field_token)
        walk = first.start_walkthrough(cologne.slug, "Gemeinsame Begehung")
        first.log("problem", "mobilitaet", "Ampel zu kurz")
        first.log("idea", "gemeinwesen", "Bank am Brunnen")
        first.show_list()
        first.wait_summary(sent=2)
    with open_phone(chromium, live_server, "team-b") as second:
        second.sign_in(second_token)
        second.page.select_option("#quarter-select", cologne.slug)
        choice = second.page.locator("#walk-list button", has_text="Gemeinsame Begehung")
        choice.click()
        second.page.wait_for_selector("#view-main:not([hidden])")
        second.wait_until("document.querySelector('#list-count').textContent === '(2)'")
        second.show_list()
        team = second.page.locator("#team-list .team-entry")
        assert sorted(team.locator(".entry-title").all_text_contents()) == [
            "Ampel zu kurz",
            "Bank am Brunnen",
        ]
        assert team.locator("button").count() == 0, "others' entries are read-only"
        assert "nur lesen" in team.first.text_content()
        assert "in Prüfung" in team.first.text_content()
        second.shot("team")
        # The server agrees: the second account may read them but not change them.
        oid = team.first.get_attribute("data-id")
        headers = {"Authorization": f"Bearer {second_token}", "If-Match": '"1"'}
        patch = httpx.patch(f"{live_server.url}/api/observations/{oid}",
                            json={"title": "fremd"}, headers=headers, timeout=30)  # fmt: skip
        assert patch.status_code in (403, 404)
    assert count(engine, "observation", f"walkthrough_id = '{walk}' AND title = 'fremd'") == 0


def test_ending_a_walkthrough_stops_the_track_and_sets_ended_at(
    phone: Phone, cologne: Cologne, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung zum Beenden")
    phone.wait_for_rows(engine, "walkthrough", f"id = '{walk}'", 1)
    phone.page.click("#track-toggle")
    phone.wait_until(
        "document.querySelector('#track-toggle').getAttribute('aria-pressed') === 'true'"
    )
    phone.page.click("#end-walk")
    assert phone.page.text_content("#end-walk") == "Wirklich beenden?"
    phone.page.click("#end-walk")
    phone.page.wait_for_selector("#walk-ended:not([hidden])")
    assert "Begehung beendet" in phone.page.text_content("#walk-ended")
    assert phone.page.get_attribute("#track-toggle", "aria-pressed") == "false"
    phone.wait_for_rows(engine, "walkthrough", f"id = '{walk}' AND ended_at IS NOT NULL", 1)
    assert phone.page.locator("#end-walk").is_hidden()


def test_new_walkthrough_comes_first_lands_on_the_map_and_same_titles_differ(
    phone: Phone, cologne: Cologne
) -> None:
    phone.sign_in(cologne.field_token)
    page = phone.page
    order = page.evaluate(
        "() => document.querySelector('#walk-new').compareDocumentPosition("
        "document.querySelector('#walk-list'))"
    )
    assert order & 4, "the new-walkthrough form comes before the list"
    assert page.get_attribute("#walk-new", "open") is not None
    phone.start_walkthrough(cologne.slug, "Begehung Nord")
    box = page.locator("#map").bounding_box()
    bar = page.locator(".top").bounding_box()
    assert box is not None and bar is not None
    assert box["y"] >= bar["y"] + bar["height"] - 1, "the map is not under the sticky bar"
    assert box["y"] + box["height"] <= 740, "the whole map is on the screen"
    page.click("#change-walk")
    page.fill("#walk-start", "2026-04-12T14:30")
    phone.start_walkthrough(cologne.slug, "Begehung Nord")
    page.click("#change-walk")
    page.wait_for_selector("#view-setup:not([hidden])")
    nord = page.locator("#walk-list button", has_text="Begehung Nord")
    phone.wait_until(
        "() => [...document.querySelectorAll('#walk-list button')]"
        ".filter((b) => b.textContent.includes('Begehung Nord')).length === 2"
    )
    labels = nord.all_text_contents()
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    assert any("14:30" in label for label in labels)


def test_a_planners_title_fix_and_the_teams_note_are_merged(
    phone: Phone, cologne: Cologne, live_server: LiveServer, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    phone.start_walkthrough(cologne.slug, "Begehung mit Korrektur")
    phone.log("problem", "mobilitaet", "Gehweg kaput")
    phone.show_list()
    phone.wait_summary(sent=1)
    oid = phone.page.get_attribute("#entry-list .entry", "data-id")
    headers = {"Authorization": f"Bearer {cologne.planner_token}", "If-Match": '"1"'}
    fixed = httpx.patch(f"{live_server.url}/api/observations/{oid}",
                        json={"title": "Gehweg kaputt"}, headers=headers, timeout=30)  # fmt: skip
    assert fixed.status_code == 200
    phone.edit_first_entry()
    phone.page.fill("#note", "Platten lose, Stolpergefahr")
    phone.page.click("#save")
    phone.show_list()
    phone.wait_summary(sent=1, conflict=0, refused=0)
    phone.wait_until(
        "(id) => karte.db.get('entries', id).then((e) => e.title === 'Gehweg kaputt')", oid
    )
    with engine.connect() as conn:
        title, note = conn.execute(
            text("SELECT title, description FROM observation WHERE id = :i"), {"i": oid}
        ).one()
    assert (title, note) == ("Gehweg kaputt", "Platten lose, Stolpergefahr")


def test_a_real_conflict_is_counted_as_a_conflict_and_fits_the_phone(
    phone: Phone, cologne: Cologne, live_server: LiveServer, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    phone.start_walkthrough(cologne.slug, "Begehung mit echtem Konflikt")
    phone.log("idea", "gemeinwesen", "Sitzbank")
    phone.show_list()
    phone.wait_summary(sent=1)
    oid = phone.page.get_attribute("#entry-list .entry", "data-id")
    headers = {"Authorization": f"Bearer {cologne.planner_token}", "If-Match": '"1"'}
    changed = httpx.patch(
        f"{live_server.url}/api/observations/{oid}",
        json={"title": "Sitzbank (Planung)", "description": "vom Amt geprüft"},
        headers=headers,
        timeout=30,
    )
    assert changed.status_code == 200
    phone.edit_first_entry()
    phone.page.fill("#title", "Sitzbank am Brunnen")
    phone.page.select_option("#layer", "gruen-freiraum")
    phone.page.click("#save")
    phone.show_list()
    phone.wait_summary(conflict=1, refused=0)
    assert "1 Konflikte" in phone.page.text_content("#sync-summary")
    phone.page.click("#entry-list button:text('Konflikt lösen')")
    phone.page.wait_for_selector("#conflict-dialog[open]")
    differs = phone.page.locator("#conflict-rows tr.differs th").all_text_contents()
    assert [d.removesuffix(" ●").strip() for d in differs] == ["Titel"]
    # Field names stay whole words at 360 px: each header is one line high.
    heights = phone.page.evaluate(
        "() => [...document.querySelectorAll('#conflict-rows th')].map((th) =>"
        " th.getClientRects().length === 1 && th.scrollWidth <= th.clientWidth + 1)"
    )
    assert all(heights)
    assert phone.page.evaluate(
        "() => [...document.querySelectorAll('#conflict-rows th')]"
        ".every((th) => getComputedStyle(th).whiteSpace === 'nowrap')"
    )
    phone.shot("conflict-360")
    phone.page.click("#conflict-mine")
    phone.wait_summary(sent=1, conflict=0)
    with engine.connect() as conn:
        title, note, layer = conn.execute(
            text("SELECT title, description, layer_id FROM observation WHERE id = :i"),
            {"i": oid},
        ).one()
    # Mine for the field both changed; the planner's note and my layer both kept.
    assert (title, note, layer) == ("Sitzbank am Brunnen", "vom Amt geprüft", "gruen-freiraum")


def test_taking_the_photos_place_says_the_photo_keeps_no_location(
    phone: Phone, cologne: Cologne
) -> None:
    phone.sign_in(cologne.field_token)
    phone.start_walkthrough(cologne.slug, "Begehung mit Fotoort")
    photo = {"name": "ort.jpg", "mimeType": "image/jpeg", "buffer": jpeg((0, 158, 115),
             (6.962, 50.942))}  # fmt: skip
    phone.page.set_input_files("#photos", files=[photo])
    phone.page.wait_for_selector("#photo-place:not([hidden])")
    note = phone.page.locator("#photo-place-note")
    assert note.is_visible()
    assert "keine Standortdaten" in note.text_content()


# The list of the first quarter answers late: what a slow network does while the user picks.
LATE_LIST = """(slug) => {
  const plain = window.fetch;
  window.fetch = async (url, options) => {
    const response = await plain(url, options);
    if (String(url).includes(`/api/walkthroughs?quarter=${slug}`)) {
      await new Promise((done) => setTimeout(done, 2000));
    }
    return response;
  };
}"""


def test_a_quarter_picked_while_the_first_list_loads_keeps_its_own_list(
    chromium: Browser, cologne: Cologne, live_server: LiveServer, engine: Engine
) -> None:
    """The quarter list opens on its first quarter and loads that quarter's walkthroughs; a
    user who picks another meanwhile got the first quarter's (empty) list drawn over theirs
    when the late answer came — "Gemeinsame Begehung" of test_a_second_phone… was missing."""
    suffix = uuid.uuid4().hex[:6]
    first = f"aachen-vorne-{suffix}"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, 'Vorne', "
                "'Aachen', ST_Multi(ST_MakeEnvelope(6.080, 50.770, 6.085, 50.773, 4326)))"
            ),
            {"s": first},
        )
        conn.execute(
            text(
                "INSERT INTO walkthrough (id, quarter_id, title, started_at) SELECT :i, q.id, "
                ":t, now() FROM quarter q WHERE q.slug = :q"
            ),
            {"i": uuid.uuid4(), "t": f"Liste {suffix}", "q": cologne.slug},
        )
    try:
        with open_phone(chromium, live_server, "walk-list-race") as phone:
            phone.page.evaluate(LATE_LIST, first)
            phone.sign_in(cologne.field_token)
            phone.page.wait_for_selector(
                f"#quarter-select option[value='{cologne.slug}']", state="attached"
            )
            assert phone.page.input_value("#quarter-select") == first  # Aachen comes first
            phone.page.select_option("#quarter-select", cologne.slug)
            mine = phone.page.locator("#walk-list button", has_text=f"Liste {suffix}")
            mine.wait_for()
            phone.page.wait_for_timeout(2500)  # the first quarter's late answer has come
            assert mine.count() == 1
            assert phone.page.input_value("#quarter-select") == cologne.slug
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM quarter WHERE slug = :s"), {"s": first})
