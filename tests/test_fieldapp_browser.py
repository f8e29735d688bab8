"""The field app in a real headless Chromium on a 360 px phone with emulated GPS.

Each test is a field team's story: log online, log offline and reload, record the track, get
an entry refused and fix it, edit against a colleague's change, lose the token. The server is
the real app on a real port; results are checked in the database and through the API, never in
the page alone. Every request that is not to 127.0.0.1 is blocked (no CDN, no basemap).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import Browser, Route
from sqlalchemy import Engine, text

from mapservice.access import create_token, revoke_token
from tests.conftest import LiveServer, count
from tests.test_fieldapp_phone import (
    CENTRE,
    METRE_LAT,
    OUTSIDE,
    WAIT_MS,
    Y0,
    Cologne,
    Phone,
    assert_fits_a_phone,
    chromium_browser,
    jpeg,
    make_cologne,
    open_phone,
    planner_get,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cologne(engine: Engine) -> Cologne:
    return make_cologne(engine)


# Module scope on purpose: while Playwright's sync API is active it keeps an asyncio loop
# marked as running in the main thread, so any later test calling asyncio.run() would fail.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with chromium_browser() as browser:
        yield browser


@pytest.fixture()
def phone(
    chromium: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Phone]:
    name = request.node.name.removeprefix("test_")[:40]
    with open_phone(chromium, live_server, name, worker=True) as phone:
        yield phone


# --- the stories -------------------------------------------------------------------------------


def test_three_observations_logged_online_reach_the_api(
    phone: Phone, cologne: Cologne, live_server: LiveServer, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung online")
    first, second = CENTRE, (CENTRE[0] + 0.002, CENTRE[1] + 0.001)
    phone.move_to(*first)
    phone.wait_for_gps_point(*first)
    phone.log("problem", "mobilitaet", "Gehweg zugeparkt", rating="-1")
    # The second is placed from its photo's EXIF position while the phone stays where it is.
    photo = {"name": "park.jpg", "mimeType": "image/jpeg", "buffer": jpeg((0, 158, 115), second)}
    phone.page.set_input_files("#photos", files=[photo])
    phone.page.click("#photo-place:not([hidden])")
    phone.wait_until("document.querySelector('#geo-readout').textContent.endsWith('Foto ±5 m')")
    phone.log("strength", "gruen-freiraum", "Schöner Park", rating="2")
    # The third is placed by tapping the map instead of the GPS position.
    phone.page.tap("#map", position={"x": 90, "y": 120})
    phone.wait_until("document.querySelector('#geo-readout').textContent.includes('Karte')")
    readout = phone.page.eval_on_selector("#geo-readout", "el => [el.dataset.lon, el.dataset.lat]")
    tapped = (float(readout[0]), float(readout[1]))
    phone.log("idea", "nahversorgung", "Wochenmarkt auf dem Platz")
    phone.show_list()
    phone.wait_summary(sent=3, waiting=0, refused=0)
    phone.shot("three-sent")
    assert_fits_a_phone(phone.page)
    phone.page.click("#tab-form")
    assert_fits_a_phone(phone.page)

    response = planner_get(
        live_server,
        f"/api/observations?quarter={cologne.slug}&walkthrough={walk}",
        cologne.planner_token,
    )
    items = {item["title"]: item for item in response.json()["items"]}
    assert len(items) == 3
    expected = {
        "Gehweg zugeparkt": ("problem", "mobilitaet", first, -1),
        "Schöner Park": ("strength", "gruen-freiraum", second, 2),
        "Wochenmarkt auf dem Platz": ("idea", "nahversorgung", tapped, None),
    }
    for title, (kind, layer, (lon, lat), rating) in expected.items():
        item = items[title]
        assert (item["kind"], item["layer"], item["rating"]) == (kind, layer, rating)
        assert item["geometry"]["type"] == "Point"
        assert item["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
        assert item["status"] == "review" and item["quarter"] == cologne.slug
    assert items["Gehweg zugeparkt"]["accuracy_m"] == 5  # from the GPS
    assert items["Schöner Park"]["accuracy_m"] == 4.5  # from the photo's EXIF
    park = items["Schöner Park"]["id"]
    assert count(engine, "photo", f"observation_id = '{park}'") == 1
    assert items["Wochenmarkt auf dem Platz"]["accuracy_m"] is None  # placed by hand
    assert count(engine, "walkthrough", f"id = '{walk}' AND residents = 7 AND experts = 2") == 1
    # … and on the planners' quarter map (its list view shows what the map draws).
    on_map = planner_get(live_server, f"/maps/{cologne.slug}/features.json", cologne.planner_token)
    assert set(expected) <= {row["title"] for row in on_map.json()["rows"]}

    phone.page.click("#lang-switch")
    assert phone.page.text_content("#tab-form") == "Capture"
    assert phone.page.get_attribute("html", "lang") == "en"
    phone.shot("english")


def test_offline_entries_survive_a_reload_and_arrive_exactly_once(
    phone: Phone, cologne: Cologne, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung im Funkloch")
    phone.wait_for_rows(engine, "walkthrough", f"id = '{walk}'", 1)

    phone.context.set_offline(True)
    phone.wait_until("document.querySelector('#net-state').classList.contains('offline')")
    phone.move_to(CENTRE[0] - 0.003, CENTRE[1])
    phone.log("potential", "leerstand", "Leeres Ladenlokal", photo=jpeg((200, 40, 40)))
    phone.move_to(CENTRE[0] - 0.004, CENTRE[1] + 0.001)
    phone.log("problem", "sicherheit", "Dunkle Unterführung", photo=jpeg((40, 40, 200)))
    assert count(engine, "observation", f"walkthrough_id = '{walk}'") == 0

    phone.page.reload()  # still offline: the service worker serves the shell
    phone.page.wait_for_selector("#view-main:not([hidden])", timeout=WAIT_MS)
    phone.show_list()
    phone.wait_summary(waiting=2, sent=0)
    badges = phone.page.locator("#entry-list .badge:not(.badge-mod)").all_text_contents()
    assert badges == ["wartet", "wartet"]
    phone.shot("offline-after-reload")

    # The first create and the first photo upload reach the server but their answers are lost:
    # the phone must retry, and the retries must not make a second row or a second photo.
    lost: dict[str, int] = {}

    def lose_first_answer(route: Route) -> None:
        kind = "photo" if route.request.url.endswith("/photos") else "entry"
        if route.request.method == "POST" and kind not in lost:
            lost[kind] = 1
            route.fetch()  # the server stores it …
            route.abort("connectionreset")  # … the phone never hears back
        else:
            route.continue_()

    phone.page.route("**/api/observations", lose_first_answer)
    phone.page.route("**/api/observations/*/photos", lose_first_answer)
    started = time.monotonic()
    phone.context.set_offline(False)
    phone.wait_summary(waiting=0, sent=2)
    synced = time.monotonic() - started
    assert lost == {"entry": 1, "photo": 1}
    assert count(engine, "observation", f"walkthrough_id = '{walk}'") == 2
    photos = count(
        engine,
        "photo p JOIN observation o ON o.id = p.observation_id",
        f"o.walkthrough_id = '{walk}'",
    )
    assert photos == 2
    phone.page.click("#sync-now")  # sending again changes nothing
    phone.page.wait_for_timeout(500)
    assert count(engine, "observation", f"walkthrough_id = '{walk}'") == 2
    phone.shot("online-sent")
    print(f"\nsync of 2 offline entries with photos: {synced:.2f} s")


def test_five_waiting_entries_are_sent_within_seconds_of_reconnecting(
    phone: Phone, cologne: Cologne, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung, fünf auf einmal")
    phone.wait_for_rows(engine, "walkthrough", f"id = '{walk}'", 1)
    phone.context.set_offline(True)
    for n in range(5):
        phone.move_to(CENTRE[0] + 0.0005 * n, CENTRE[1] - 0.002)
        phone.log("strength", "bildung", f"Schulhof {n + 1}")
    started = time.monotonic()
    phone.context.set_offline(False)
    phone.wait_for_rows(engine, "observation", f"walkthrough_id = '{walk}'", 5)
    arrived = time.monotonic() - started
    phone.show_list()
    phone.wait_summary(sent=5, waiting=0)
    shown = time.monotonic() - started
    print(f"\n5 entries: in the database after {arrived:.2f} s, shown as sent after {shown:.2f} s")
    assert arrived < 5


def test_recorded_track_becomes_the_walkthroughs_line(
    phone: Phone, cologne: Cologne, live_server: LiveServer
) -> None:
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung mit Track")
    lon, lat0 = CENTRE[0], Y0 + 0.001
    phone.move_to(lon, lat0)
    phone.page.click("#track-toggle")
    phone.wait_until(
        "document.querySelector('#track-toggle').getAttribute('aria-pressed') === 'true'"
    )
    for step in range(5):
        phone.move_to(lon, lat0 + step * 100 * METRE_LAT)
        phone.wait_until(
            "([w, n]) => karte.db.get('tracks', w).then((t) => t && t.points.length >= n)",
            [walk, step + 1],
        )
    phone.page.click("#track-toggle")
    phone.wait_until("document.querySelector('#track-state').dataset.state === 'sent'")
    phone.shot("track-sent")
    body = httpx.get(f"{live_server.url}/api/walkthroughs/{walk}", timeout=30).json()
    assert body["track"]["type"] == "LineString"
    assert len(body["track"]["coordinates"]) == 5
    assert math.isclose(body["length_m"], 400, rel_tol=0.10)
    # Stopping the recording ended the walk, and the phone sent its own recording id.
    assert body["ended_at"] is not None
    # as times, not strings: "01:49:00.878Z" < "01:49:00Z" as text ('.' sorts before 'Z')
    ended = datetime.fromisoformat(body["ended_at"].replace("Z", "+00:00"))
    assert ended >= datetime.fromisoformat(body["started_at"].replace("Z", "+00:00"))
    assert body["recordings"] == 1
    recording = phone.page.evaluate("(w) => karte.db.get('tracks', w).then((t) => t.recordingId)",
                                    walk)  # fmt: skip
    assert recording.startswith("geraet-")


def test_refused_entry_shows_the_server_reason_and_can_be_fixed(
    phone: Phone, cologne: Cologne, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung am Rand")
    phone.move_to(*OUTSIDE)
    phone.wait_for_gps_point(*OUTSIDE)
    phone.log("problem", "umwelt", "Wilder Müll")
    phone.show_list()
    phone.wait_summary(refused=1)
    message = phone.page.text_content("#entry-list .entry-error")
    assert "außerhalb des Quartiers" in message and cologne.name in message
    assert phone.page.text_content("#entry-list .badge") == "abgelehnt"
    phone.shot("refused")
    assert count(engine, "observation", f"walkthrough_id = '{walk}'") == 0

    phone.edit_first_entry()
    assert phone.page.input_value("#title") == "Wilder Müll"
    phone.move_to(*CENTRE)
    phone.page.click("#use-position")  # the point follows the GPS again, to the new fix
    phone.wait_for_gps_point(*CENTRE)
    phone.page.click("#save")
    phone.show_list()
    phone.wait_summary(sent=1, refused=0)
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM observation WHERE walkthrough_id = :w"),
            {"w": walk},
        ).one()
    assert (lon, lat) == pytest.approx(CENTRE, abs=1e-6)


def test_edit_against_a_colleagues_change_shows_both_versions(
    phone: Phone, cologne: Cologne, live_server: LiveServer, engine: Engine
) -> None:
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung mit Konflikt")
    phone.log("idea", "gemeinwesen", "Nachbarschaftsfest")
    phone.show_list()
    phone.wait_summary(sent=1)
    oid = phone.page.get_attribute("#entry-list .entry", "data-id")
    # A planner changes the title meanwhile.
    headers = {"Authorization": f"Bearer {cologne.planner_token}", "If-Match": '"1"'}
    changed = httpx.patch(
        f"{live_server.url}/api/observations/{oid}",
        json={"title": "Straßenfest (Planung)"},
        headers=headers,
        timeout=30,
    )
    assert changed.status_code == 200

    phone.edit_first_entry()
    phone.page.fill("#title", "Nachbarschaftsfest im Juni")
    phone.page.click("#save")
    phone.show_list()
    phone.wait_until("document.querySelector('#entry-list .badge')?.textContent === 'Konflikt'")
    phone.page.click("#entry-list button:text('Konflikt lösen')")
    phone.page.wait_for_selector("#conflict-dialog[open] #conflict-rows tr.differs")
    dialog = phone.page.locator("#conflict-dialog")
    assert "Nachbarschaftsfest im Juni" in dialog.text_content()
    assert "Straßenfest (Planung)" in dialog.text_content()
    phone.shot("conflict")
    phone.page.click("#conflict-mine")
    phone.wait_summary(sent=1, refused=0)
    with engine.connect() as conn:
        title = conn.execute(text("SELECT title FROM observation WHERE id = :i"), {"i": oid})
        assert title.scalar_one() == "Nachbarschaftsfest im Juni"

    phone.page.click("#entry-list button:text('Löschen')")
    phone.page.click("#entry-list button:text('Wirklich löschen?')")
    phone.wait_for_rows(engine, "observation", f"id = '{oid}'", 0)
    phone.wait_until("document.querySelectorAll('#entry-list .entry').length === 0")
    assert count(engine, "observation", f"walkthrough_id = '{walk}'") == 0


def test_revoked_token_keeps_entries_and_asks_to_sign_in_again(
    phone: Phone, cologne: Cologne, engine: Engine
) -> None:
    with engine.begin() as conn:
        second = create_token(conn, cologne.field_account, label="zweites Handy")
    phone.sign_in(second)
    walk = phone.start_walkthrough(cologne.slug, "Begehung mit altem Token")
    phone.wait_for_rows(engine, "walkthrough", f"id = '{walk}'", 1)
    with engine.begin() as conn:
        assert revoke_token(conn, second)
    phone.log("problem", "wohnen", "Leerstehendes Haus")
    phone.page.wait_for_selector("#auth-banner:not([hidden])")
    assert "widerrufen" in phone.page.text_content("#auth-message")
    phone.show_list()
    assert phone.page.text_content("#entry-list .badge") == "wartet"
    assert phone.page.evaluate("localStorage.getItem('karte.token')") == second
    phone.shot("token-revoked")

    phone.page.click("#auth-signin")
    phone.page.fill("#token", cologne.field_token)
    phone.page.click("#signin-form button[type=submit]")
    phone.page.wait_for_selector("#view-main:not([hidden])")  # back in the same walkthrough
    phone.show_list()
    phone.wait_summary(sent=1, waiting=0)
    assert count(engine, "observation", f"walkthrough_id = '{walk}'") == 1
