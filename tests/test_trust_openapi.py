"""A property-based run of the whole OpenAPI (schemathesis): no request may end in a 5xx.

The run has its own database (the demo, plus a photo), so the planner's fuzzed DELETEs and
moderations cannot disturb other tests. Every operation of ``/openapi.json`` is exercised
as the public and as a planner, with valid and invalid data (schemathesis' positive and
negative modes). Path parameters are mostly real values — quarter slugs, layer and
collection ids, ids of walkthroughs, observations, photos, interviews and findings — so the
requests reach the code behind the 404, and sometimes generated ones, so odd paths are tried
too. Operations that delete run last. Nothing is skipped: an operation schemathesis cannot
build a strategy for fails the test as well.

Bounded: ``KARTE_FUZZ_EXAMPLES`` examples per operation and identity (default 20), no
shrinking, deterministic (``derandomize``), so a 5xx found once is found again.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import text

from mapservice.access import create_account, create_token
from mapservice.capture.demo import load_demo
from mapservice.config import Settings
from mapservice.db.cluster import Cluster
from mapservice.db.engine import make_engine
from mapservice.db.migrate import upgrade
from tests.conftest import LiveServer, fresh_database, make_temp_dir

EXAMPLES = int(os.environ.get("KARTE_FUZZ_EXAMPLES", "20"))
MAX_REPORTED = 3  # per operation
# KARTE_FUZZ_RANDOM=1: new random data each run (for a longer hunt); default: the same data
DERANDOMIZE = os.environ.get("KARTE_FUZZ_RANDOM", "") != "1"


@dataclass
class FuzzTarget:
    url: str
    planner: str
    values: dict[str, list[str]]


@dataclass
class Failures:
    seen: dict[str, list[str]] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)  # requests per operation and identity

    def add(self, key: str, what: str) -> None:
        found = self.seen.setdefault(key, [])
        if len(found) < MAX_REPORTED:
            found.append(what)


def _ids(conn: Any, sql: str, n: int = 3) -> list[str]:
    return [str(r[0]) for r in conn.execute(text(f"{sql} LIMIT {n}"))]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def fuzz_target(pg_cluster: Cluster) -> Iterator[FuzzTarget]:
    name = f"karte_fuzz_{uuid.uuid4().hex[:6]}"
    url = fresh_database(pg_cluster, name)
    engine = make_engine(url)
    upgrade(engine)
    data_dir = make_temp_dir("karte-fuzz-")
    settings = Settings(database_url=url, data_dir=data_dir)
    load_demo(engine, settings)
    with engine.begin() as conn:
        create_account(conn, "fuzz-planner", "planner")
        planner = create_token(conn, "fuzz-planner")
    with LiveServer(settings) as server:
        auth = {"Authorization": f"Bearer {planner}"}
        with engine.connect() as conn:
            oid = _ids(conn, "SELECT id FROM observation ORDER BY id", 1)[0]
        photo = httpx.post(
            f"{server.url}/api/observations/{oid}/photos",
            files={"file": ("bank.jpg", _jpeg(), "image/jpeg")},
            headers=auth,
            timeout=30,
        )
        assert photo.status_code in (200, 201), photo.text
        with engine.connect() as conn:
            quarters = _ids(conn, "SELECT slug FROM quarter ORDER BY slug", 5)
            values = {
                "slug": quarters,
                "quarter": quarters,
                "wid": _ids(conn, "SELECT id FROM walkthrough ORDER BY id"),
                "oid": _ids(conn, "SELECT id FROM observation ORDER BY id"),
                "pid": _ids(conn, "SELECT id FROM photo ORDER BY id"),
                "iid": _ids(conn, "SELECT id FROM interview ORDER BY id"),
                "fid": _ids(conn, "SELECT id FROM finding ORDER BY id")
                + _ids(conn, "SELECT id FROM observation WHERE layer_id = 'mobilitaet'"),
                "tms": ["WebMercatorQuad"],
                "filename": ["alle.csv", "mobilitaet.geojson", "aussagen.gpkg", "bildung.csv"],
            }
        collections = httpx.get(f"{server.url}/ogc/collections", timeout=30).json()
        layers = [c["id"] for c in collections["collections"]]
        values["layer"] = layers
        values["cid"] = layers
        assert all(values.values()), values
        yield FuzzTarget(server.url, planner, values)
    engine.dispose()


def _strategy(operation: Any, values: dict[str, list[str]]) -> st.SearchStrategy:
    names = [p.name for p in operation.path_parameters]
    known = [n for n in names if n in values]

    def with_real(mode: schemathesis.GenerationMode) -> st.SearchStrategy:
        generated = operation.as_strategy(generation_mode=mode)
        if not known:
            return generated
        real = st.fixed_dictionaries({n: st.sampled_from(values[n]) for n in known})
        return st.one_of(
            real.flatmap(
                lambda pp: operation.as_strategy(generation_mode=mode, path_parameters=pp)
            ),
            generated,
        )

    positive = with_real(schemathesis.GenerationMode.POSITIVE)
    negative = with_real(schemathesis.GenerationMode.NEGATIVE)
    return st.one_of(positive, positive, negative)  # two thirds valid data


def _run_operation(
    operation: Any, target: FuzzTarget, headers: dict[str, str], failures: Failures, who: str
) -> None:
    key = f"{who} {operation.method.upper()} {operation.path}"
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report, do not minimise
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, target.values))
    def run(case: Any) -> None:
        failures.sent[key] = failures.sent.get(key, 0) + 1
        try:
            response = case.call(base_url=target.url, session=session, headers=headers,
                                 timeout=60)  # fmt: skip
        except requests.RequestException as exc:  # a reset connection is a failure too
            failures.add(key, f"{type(exc).__name__}: {exc} — {case.as_curl_command()}")
            return
        if response.status_code >= 500:
            failures.add(key, f"{response.status_code} {response.text[:200]} — "
                              f"{case.as_curl_command()}")  # fmt: skip

    run()
    session.close()


def test_openapi_has_no_server_errors(fuzz_target: FuzzTarget) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_target.url}/openapi.json")
    operations, broken = [], []
    for result in schema.get_all_operations():
        if isinstance(result, schemathesis.core.result.Ok):
            operations.append(result.ok())
        else:
            broken.append(str(result.err()))
    assert not broken, f"operations schemathesis cannot test: {broken}"
    assert len(operations) >= 40, len(operations)
    operations.sort(key=lambda op: op.method.lower() == "delete")  # deletes last
    failures = Failures()
    for who, headers in (
        ("public", {}),
        ("planner", {"Authorization": f"Bearer {fuzz_target.planner}"}),
    ):
        for operation in operations:
            _run_operation(operation, fuzz_target, headers, failures, who)
    print(f"schemathesis: {sum(failures.sent.values())} requests, {len(operations)} operations")
    report = "\n".join(f"{key}:\n  " + "\n  ".join(items) for key, items in failures.seen.items())
    assert not failures.seen, f"{len(failures.seen)} operations answered 5xx:\n{report}"
    assert len(failures.sent) == 2 * len(operations)  # every operation, both identities
    assert sum(failures.sent.values()) >= len(operations) * EXAMPLES  # not only one example
