"""Shared set-up of the workspace tests (/planung): Chromium, watched pages, signed-in accounts.

The browser fixtures re-use the map browser tests' code (tests/browser/conftest.py): one
package-scoped Debian Chromium, pages whose foreign requests are blocked and recorded.
``workspace_team`` gives one account per role with a password and a token; ``signed_in``
opens a page with a token already in ``sessionStorage['karte-token']``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from mapservice.access import create_account, create_token
from tests.browser.conftest import Watched, watch
from tests.chromium import launch_chromium

PASSWORD = "Quartier-2026-geheim"


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for the workspace browser tests (package scope: see tests/browser)."""
    with launch_chromium() as browser:
        yield browser


@pytest.fixture()
def make_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """``make_page(width=1280)`` → a watched page in a fresh German context."""
    from urllib.parse import urlsplit

    contexts = []

    def make(width: int = 1280, extra_hosts: set[str] | None = None, **options: Any) -> Watched:
        # bypass_csp: axe-core is injected as an inline script, which the pages' CSP forbids
        # (the CSP itself is checked over HTTP in test_workspace_shell.py).
        options.setdefault("bypass_csp", True)
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="de-DE", **options
        )
        contexts.append(context)
        return watch(context, {urlsplit(live_server.url).netloc, *(extra_hosts or set())})

    yield make
    for context in contexts:
        context.close()


@dataclass
class Member:
    name: str
    role: str
    token: str
    password: str = PASSWORD

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class WorkspaceTeam:
    admin: Member
    planner: Member
    field: Member


def add_member(engine: Engine, role: str, prefix: str = "ws") -> Member:
    """A new account of ``role`` with the test password and an API token."""
    from mapservice.workspace.auth import set_password

    name = f"{prefix}-{role}-{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        create_account(conn, name, role, display_name=f"Test {role}")
        set_password(conn, name, PASSWORD)
        token = create_token(conn, name, days=1, label="test")
    return Member(name, role, token)


@pytest.fixture(scope="session")
def workspace_team(engine: Engine) -> WorkspaceTeam:
    return WorkspaceTeam(*(add_member(engine, role) for role in ("admin", "planner", "field")))


def with_token(page: Watched, token: str) -> Watched:
    """Put ``token`` into sessionStorage before any page script runs (signed in).

    Only once per tab, so that signing out (which clears it) is not undone by the next page.
    """
    page.page.add_init_script(
        "if (!sessionStorage.getItem('ws-test-seeded')) {"
        f" sessionStorage.setItem('karte-token', {token!r});"
        " sessionStorage.setItem('ws-test-seeded', '1'); }"
    )
    return page


def wait_ready(page: Any, timeout: float = 15) -> str:
    """Wait until workspace.js has decided (``ready`` or ``no-access``) and return it."""
    page.wait_for_selector("html[data-planung]", state="attached", timeout=timeout * 1000)
    return page.evaluate("() => document.documentElement.dataset.planung")


@pytest.fixture()
def signed_in(make_page: Any, live_server: Any) -> Any:
    """``signed_in(member, path='/planung', width=1280)`` → a page opened signed in."""

    def open_(member: Member, path: str = "/planung", width: int = 1280) -> Watched:
        page = with_token(make_page(width), member.token)
        page.page.goto(live_server.url + path)
        wait_ready(page.page)
        return page

    return open_
