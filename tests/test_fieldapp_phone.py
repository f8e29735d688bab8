"""Helpers of the field-app browser tests (``test_fieldapp_browser.py``); no tests here.

``Phone`` drives /erfassen the way a field team does (sign in, start a walkthrough, log an
entry); the rest builds the test quarter, test photos and the layout checks.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Route
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token
from tests.chromium import launch_chromium
from tests.conftest import LiveServer, count

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# A 1.4 × 1.3 km square in Cologne; other test modules keep away from it.
X0, Y0, X1, Y1 = 6.950, 50.935, 6.970, 50.947
CENTRE = (6.960, 50.941)
OUTSIDE = (6.985, 50.941)  # 1 km east of the eastern edge
METRE_LAT = 1 / 111_195  # degrees of latitude per metre
WAIT_MS = 20_000


@dataclass
class Cologne:
    slug: str
    name: str
    field_token: str
    planner_token: str
    field_account: str


def make_cologne(engine: Engine) -> Cologne:
    """A test quarter in Cologne with one field and one planner account."""
    suffix = uuid.uuid4().hex[:6]
    slug, name = f"koeln-test-{suffix}", f"Testquartier Köln {suffix}"
    boundary = f"MULTIPOLYGON((({X0} {Y0}, {X1} {Y0}, {X1} {Y1}, {X0} {Y1}, {X0} {Y0})))"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) "
                "VALUES (:s, :n, 'Köln', ST_GeomFromText(:b, 4326))"
            ),
            {"s": slug, "n": name, "b": boundary},
        )
        create_account(conn, f"feld-{suffix}", "field")
        create_account(conn, f"planung-{suffix}", "planner")
        field = create_token(conn, f"feld-{suffix}")
        planner = create_token(conn, f"planung-{suffix}")
    return Cologne(slug, name, field, planner, f"feld-{suffix}")


def only_local(route: Route) -> None:
    host = route.request.url.split("/")[2].split(":")[0]
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def jpeg(colour: tuple[int, int, int], at: tuple[float, float] | None = None) -> bytes:
    """A small JPEG; ``at`` (lon, lat) writes an EXIF GPS block as a phone camera would."""
    exif = Image.Exif()
    if at:
        exif[0x8825] = {1: "N", 2: _dms(at[1]), 3: "E", 4: _dms(at[0]), 31: 4.5}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def _dms(degrees: float) -> tuple[float, float, float]:
    minutes, seconds = divmod(round(degrees * 3600, 3), 60)
    whole, minutes = divmod(minutes, 60)
    return (whole, minutes, round(seconds, 3))


class Phone:
    """A team member's phone: one browser context with GPS, running /erfassen."""

    def __init__(self, context: BrowserContext, page: Page, server: LiveServer, name: str):
        self.context, self.page, self.server, self.name = context, page, server, name

    def shot(self, step: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"fieldapp-{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)

    def move_to(self, lon: float, lat: float, accuracy: float = 5) -> None:
        self.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": accuracy})

    def wait_until(self, script: str, arg: object = None) -> None:
        self.page.wait_for_function(script, arg=arg, timeout=WAIT_MS)

    def sign_in(self, token: str) -> None:
        self.page.fill("#token", token)
        self.page.click("#signin-form button[type=submit]")
        self.page.wait_for_selector("#view-setup:not([hidden])", timeout=WAIT_MS)

    def start_walkthrough(self, slug: str, title: str) -> str:
        self.page.wait_for_selector(f"#quarter-select option[value='{slug}']", state="attached")
        self.page.select_option("#quarter-select", slug)
        # "Neue Begehung" comes first and open; the summary would only fold it away.
        self.page.wait_for_selector("#walk-new[open] #walk-title")
        self.page.fill("#walk-title", title)
        self.page.fill("#walk-form input[name=residents]", "7")
        self.page.fill("#walk-form input[name=experts]", "2")
        self.page.click("#walk-form button[type=submit]")
        self.page.wait_for_selector("#view-main:not([hidden])", timeout=WAIT_MS)
        return self.page.evaluate("karte.db.getSetting('current').then((c) => c.walkId)")

    def wait_for_gps_point(self, lon: float, lat: float) -> None:
        self.wait_until(
            "([lon, lat]) => { const r = document.querySelector('#geo-readout').dataset;"
            " return Math.abs(r.lon - lon) < 1e-7 && Math.abs(r.lat - lat) < 1e-7; }",
            [lon, lat],
        )

    def log(
        self, kind: str, layer: str, title: str, photo: bytes | None = None, rating: str = ""
    ) -> None:
        page = self.page
        page.click(f"#kind-buttons label:has(input[value='{kind}'])")
        page.select_option("#layer", layer)
        page.click(f"#rating-buttons label:has(input[value='{rating}'])")
        page.fill("#title", title)
        if photo:
            page.set_input_files(
                "#photos", files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": photo}]
            )
            page.wait_for_selector("#photo-previews img")
        before = page.evaluate("karte.db.all('entries').then((e) => e.length)")
        page.click("#save")
        self.wait_until("(n) => karte.db.all('entries').then((e) => e.length > n)", before)

    def wait_summary(self, **counts: int) -> None:
        self.wait_until(
            "(want) => { const d = document.querySelector('#sync-summary').dataset;"
            " return Object.entries(want).every(([k, v]) => d[k] === String(v)); }",
            counts,
        )

    def show_list(self) -> None:
        self.page.click("#tab-list")

    def edit_first_entry(self) -> None:
        self.page.click("#entry-list button:text('Bearbeiten')")
        self.page.wait_for_selector("#cancel-edit:not([hidden])")  # the form holds the entry

    def wait_for_rows(self, engine: Engine, table: str, where: str, expected: int) -> None:
        """Poll the database. Waits inside Playwright (not time.sleep): the sync API only
        serves the route handlers — and so lets the page's requests through — while called."""
        deadline = time.monotonic() + WAIT_MS / 1000
        while (found := count(engine, table, where)) != expected:
            assert time.monotonic() < deadline, f"{table} where {where}: {found} != {expected}"
            self.page.wait_for_timeout(100)


TOO_SMALL = """
() => {
  const selector = "button, select, textarea, input:not([type=radio]):not(.sr-only-input), " +
    ".kind-face, .rating-option span, .modes label, .leaflet-bar a, .photo-pick label";
  const shown = [...document.querySelectorAll(selector)].filter((el) => el.offsetParent !== null);
  const small = shown
    .map((el) => [el.id || el.className || el.tagName, el.getBoundingClientRect()])
    .filter(([, r]) => r.width < 44 || r.height < 44)
    .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`);
  return { checked: shown.length, small };
}
"""


def assert_fits_a_phone(page: Page) -> None:
    """360 px wide without sideways scrolling, every control at least 44 × 44 px."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    found = page.evaluate(TOO_SMALL)
    assert found["checked"] >= 12 and found["small"] == []


def planner_get(server: LiveServer, path: str, token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{server.url}{path}", headers=headers, timeout=30)


@contextmanager
def open_phone(
    chromium: Browser, server: LiveServer, name: str, *, worker: bool = False
) -> Iterator[Phone]:
    """A phone (a 360 px context with GPS at the centre) on /erfassen, signed out.

    ``worker``: wait until the service worker controls the page (offline stories need it; on a
    phone this is the first visit). Fails at the end if the page threw a JavaScript error.
    """
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="de-DE",
        permissions=["geolocation"],
        geolocation={"longitude": CENTRE[0], "latitude": CENTRE[1], "accuracy": 5},
    )
    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if os.environ.get("KARTE_DEBUG_BROWSER"):  # print the page's API traffic and console
        page.on("console", lambda msg: print("console:", msg.text))
        page.on("request", lambda r: print(f"{time.monotonic():.2f}", r.method, r.url))
        page.on("response", lambda r: print(f"{time.monotonic():.2f}", r.status, r.url))
        page.on(
            "requestfailed", lambda r: print(f"{time.monotonic():.2f} failed", r.failure, r.url)
        )
    page.goto(f"{server.url}/erfassen")
    page.wait_for_selector("#view-signin:not([hidden])")
    if worker:
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=WAIT_MS)
    phone = Phone(context, page, server, name)
    try:
        yield phone
    finally:
        phone.shot("last")  # what the screen showed at the end (or at a failure)
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright (module scope in the tests: see test_fieldapp_browser)."""
    with launch_chromium() as browser:
        yield browser
