"""The schema at head can be sharded by quarter on Citus: checked on the real migrated schema
against the classification in ``mapservice.db.citus`` and against docs/citus.md.

Citus cannot be installed on these machines, so this is the part that can be checked: the
keys Citus would refuse to enforce, the links it cannot follow, and that the document and
the ``karte db citus-sql`` statements name every table in its place.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import Engine, text

from mapservice.config import REPO_ROOT
from mapservice.db.citus import (
    DISTRIBUTED,
    DISTRIBUTION_COLUMN,
    LOCAL,
    REFERENCE,
    distribution_sql,
    kind_of,
)
from tests.test_cli import karte

DOC = REPO_ROOT / "docs" / "citus.md"

# Every key (primary key, unique constraint, unique index) as table → [(name, columns)].
KEYS = """
SELECT c.relname, i.relname, array_agg(a.attname ORDER BY k.ord)
  FROM pg_index x
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
 WHERE x.indisunique
 GROUP BY c.relname, i.relname
"""

# Every foreign key with both sides' columns in key order and what ON DELETE SET NULL sets.
LINKS = """
SELECT f.conname, c.relname, p.relname,
       ARRAY(SELECT a.attname FROM unnest(f.conkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.n ORDER BY k.o),
       ARRAY(SELECT a.attname FROM unnest(f.confkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.n ORDER BY k.o),
       f.confdeltype,
       ARRAY(SELECT a.attname FROM unnest(f.confdelsetcols) k(n)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.n)
  FROM pg_constraint f
  JOIN pg_class c ON c.oid = f.conrelid
  JOIN pg_class p ON p.oid = f.confrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
 WHERE f.contype = 'f'
"""


@pytest.fixture(scope="module")
def tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename NOT LIKE 'stage\\_%'"
                )
            ).scalars()
        )


def test_every_table_is_classified_once(tables: set[str]) -> None:
    listed = [*DISTRIBUTED, *REFERENCE, *LOCAL]
    assert len(listed) == len(set(listed)), "a table is listed twice"
    assert tables - set(listed) == set(), "tables nobody classified for Citus"
    assert set(listed) - tables == set(), "classified tables the schema does not have"


def test_distributed_tables_carry_a_not_null_quarter(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                text(
                    "SELECT table_name, is_nullable FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name = :c"
                ),
                {"c": DISTRIBUTION_COLUMN},
            ).all()
        )
    assert {t: rows.get(t) for t in DISTRIBUTED} == dict.fromkeys(DISTRIBUTED, "NO")


def test_every_key_of_a_distributed_table_contains_the_quarter(engine: Engine) -> None:
    with engine.connect() as conn:
        keys = conn.execute(text(KEYS)).all()
    per_table: dict[str, list[str]] = defaultdict(list)
    for table, name, columns in keys:
        if table in DISTRIBUTED:
            per_table[table].append(name)
            assert DISTRIBUTION_COLUMN in columns, f"{table}.{name} {columns}"
    # each distributed table has its primary key, plus the unique ones we know of
    assert set(per_table) == set(DISTRIBUTED)
    assert "photo_once_per_observation" in per_table["photo"]
    assert {"uq_revision_open_observation", "uq_revision_open_finding"} <= set(
        per_table["revision"]
    )


def test_links_between_distributed_tables_go_through_the_quarter(engine: Engine) -> None:
    with engine.connect() as conn:
        links = conn.execute(text(LINKS)).all()
    between = 0
    for name, child, parent, columns, parent_columns, on_delete, set_null in links:
        kinds = (kind_of(child), kind_of(parent))
        assert kinds != ("reference", "distributed"), f"{name}: reference → distributed"
        assert "local" not in kinds or kinds == ("local", "reference") or child == parent, (
            f"{name}: {kinds} — a local table may only point at reference tables"
        )
        if kinds == ("distributed", "distributed"):
            between += 1
            pairs = dict(zip(columns, parent_columns, strict=True))
            assert pairs.get(DISTRIBUTION_COLUMN) == DISTRIBUTION_COLUMN, f"{name} {pairs}"
            if on_delete == "n":  # SET NULL must leave the shard key alone
                assert set_null and DISTRIBUTION_COLUMN not in set_null, f"{name} {set_null}"
    assert between >= 16  # the links of 0015: walkthrough, observation, revision, …


def test_the_document_names_every_table_in_its_section() -> None:
    doc = DOC.read_text(encoding="utf-8")
    sections = {
        "distributed": _section(doc, "Verteilt"),
        "reference": _section(doc, "Referenz"),
        "local": _section(doc, "Lokal"),
    }
    for kind, names in (("distributed", DISTRIBUTED), ("reference", REFERENCE), ("local", LOCAL)):
        for table in names:
            found = [k for k, body in sections.items() if f"`{table}`" in body]
            assert found == [kind], f"{table}: in {found}, expected {kind}"


def test_the_statements_distribute_parents_first(engine: Engine) -> None:
    statements = distribution_sql()
    order = [re.search(r"\('(\w+)'", s).group(1) for s in statements]  # type: ignore[union-attr]
    assert sorted(order) == sorted([*REFERENCE, *DISTRIBUTED])
    with engine.connect() as conn:
        links = conn.execute(text(LINKS)).all()
    for name, child, parent, *_ in links:
        if child in order and parent in order and child != parent:
            assert order.index(parent) < order.index(child), f"{name}: {parent} after {child}"
    doc = DOC.read_text(encoding="utf-8")
    assert all(s in doc for s in statements), "docs/citus.md shows other statements"


def test_cli_prints_the_statements() -> None:
    result = karte("db", "citus-sql")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == distribution_sql()


def _section(doc: str, heading: str) -> str:
    match = re.search(rf"^### {heading}.*?$(.*?)(?=^### |^## |\Z)", doc, re.M | re.S)
    assert match, f"docs/citus.md has no section '### {heading}…'"
    return match.group(1)
